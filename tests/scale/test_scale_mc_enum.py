"""Distributed Monte Carlo and parallel enumeration (issue 20, items 3 and 4) on a real LocalCluster."""

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("distributed", reason="the Dask tests need the scale extra: pip install 'reluscope[scale]'")

import dask  # noqa: E402

from reluscope.errors import InvalidInputError  # noqa: E402
from reluscope.geometry import enumerate_regions  # noqa: E402
from reluscope.probability.distributions import GaussianMixture  # noqa: E402
from reluscope.probability.monte_carlo import monte_carlo  # noqa: E402
from reluscope.scale import enumerate_regions_dask, monte_carlo_dask  # noqa: E402

from .conftest import make_net  # noqa: E402

POINTS = [-0.5, 0.0, 0.5, 1.0]


@pytest.fixture(scope="module")
def mc_setup():
    net = make_net([3, 6, 6, 1], seed=4)
    gm = GaussianMixture([0.4, 0.6], [[0.0, 0.0, 0.0], [1.0, -1.0, 0.5]], [np.eye(3), np.diag([0.5, 2.0, 1.0])])
    return net, gm


@pytest.fixture(scope="module")
def one_worker_client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0")
    client = distributed.Client(cluster, set_as_default=False)
    yield client
    client.close()
    cluster.close()


def _same(a, b):
    pd.testing.assert_frame_equal(a.pmf, b.pmf, check_exact=True)
    np.testing.assert_array_equal(a.cdf, b.cdf)
    pd.testing.assert_frame_equal(a.predictions, b.predictions, check_exact=True)


def test_mc_identical_for_1_and_2_workers(cluster_client, one_worker_client, mc_setup):
    net, gm = mc_setup
    kw = dict(points=POINTS, block_size=7_000, random_state=11)
    two = monte_carlo_dask(net, gm, 50_001, client=cluster_client, **kw)
    one = monte_carlo_dask(net, gm, 50_001, client=one_worker_client, **kw)
    with dask.config.set(scheduler="sync"):
        sync = monte_carlo_dask(net, gm, 50_001, **kw)
    _same(two, one)
    _same(two, sync)
    assert two.n_samples == 50_001 and two.pmf["count"].sum() == 50_001
    other = monte_carlo_dask(net, gm, 50_001, client=cluster_client, points=POINTS, block_size=7_000, random_state=12)
    assert not other.pmf["count"].equals(two.pmf["count"]) or not np.array_equal(other.cdf, two.cdf)


def test_mc_counts_equal_direct_count_of_the_same_streams(cluster_client, mc_setup):
    """Independent recount: regenerate every block from SeedSequence(seed).spawn, count patterns with pandas."""
    net, gm = mc_setup
    n, block = 23_500, 5_000
    res = monte_carlo_dask(net, gm, n, points=POINTS, client=cluster_client, block_size=block, random_state=5)
    seeds = np.random.SeedSequence(5).spawn(-(-n // block))
    X = np.vstack([gm.sample(min(block, n - j * block), np.random.default_rng(s)) for j, s in enumerate(seeds)])
    pats = net.patterns(X)
    strings = pd.Series([";".join(",".join(str(int(v)) for v in row[a:b]) for a, b in [(0, 6), (6, 12)]) for row in pats])
    expected = strings.value_counts()
    got = res.pmf.set_index("pattern")["count"]
    assert dict(got) == dict(expected)
    eta = net.decision_function(X)
    np.testing.assert_array_equal(np.round(res.cdf * n), [(eta <= t).sum() for t in POINTS])


def test_mc_agrees_with_in_memory_within_standard_errors(cluster_client, mc_setup):
    net, gm = mc_setup
    n = 60_000
    dist = monte_carlo_dask(net, gm, n, points=POINTS, client=cluster_client, block_size=16_384, random_state=1)
    mem = monte_carlo(net, gm, n, points=POINTS, random_state=2, progress=False)
    both = dist.pmf.set_index("pattern")[["probability"]].join(mem.pmf.set_index("pattern")[["probability"]], how="outer", rsuffix="_mem").fillna(0.0)
    p, q = both["probability"].to_numpy(), both["probability_mem"].to_numpy()
    se = np.sqrt((p * (1 - p) + q * (1 - q)) / n)
    assert (np.abs(p - q) <= 5 * se + 3.0 / n).all()
    se_cdf = np.sqrt(dist.cdf_std_error**2 + mem.cdf_std_error**2)
    assert (np.abs(dist.cdf - mem.cdf) <= 5 * se_cdf + 1.0 / n).all()


@pytest.mark.parametrize("block_size", [0, -5, 2.5, True, "100"])
def test_mc_bad_block_size(mc_setup, block_size):
    net, gm = mc_setup
    with pytest.raises(InvalidInputError, match="block_size"):
        monte_carlo_dask(net, gm, 1000, block_size=block_size, random_state=0)


def test_mc_seed_sequence_is_not_consumed(mc_setup):
    net, gm = mc_setup
    seq = np.random.SeedSequence(2024)
    with dask.config.set(scheduler="sync"):
        a = monte_carlo_dask(net, gm, 3000, block_size=1000, random_state=seq)
        b = monte_carlo_dask(net, gm, 3000, block_size=1000, random_state=seq)
        c = monte_carlo_dask(net, gm, 3000, block_size=1000, random_state=2024)
    _same(a, b)
    _same(a, c)


def test_mc_bad_random_state_and_n(mc_setup):
    net, gm = mc_setup
    with pytest.raises(InvalidInputError, match="Generator"):
        monte_carlo_dask(net, gm, 1000, random_state=np.random.default_rng(0))
    with pytest.raises(InvalidInputError, match="n_samples"):
        monte_carlo_dask(net, gm, 0, random_state=0)


def _rows(region):
    return sorted((int(u), *np.round(a, 9), round(float(c), 9)) for a, c, u in zip(region.A, region.b, region.unit))


def _check_union(single, split):
    assert not single.truncated and not split.truncated
    assert set(single.pattern_strings()) == set(split.pattern_strings())
    by_pattern = {r.pattern.tobytes(): r for r in split.regions}
    for r in single.regions:
        s = by_pattern[r.pattern.tobytes()]
        assert abs(s.volume - r.volume) <= 1e-9
        assert _rows(s) == _rows(r)
        assert abs(s.radius - r.radius) <= 1e-7
        assert s.contains(s.center[None])[0] and r.contains(s.center[None])[0]
    names = single.pattern_strings()
    edges_single = {frozenset((names[a], names[b])) for a, b in single.adjacency.edges}
    names2 = split.pattern_strings()
    edges_split = {frozenset((names2[a], names2[b])) for a, b in split.adjacency.edges}
    assert edges_single == edges_split
    assert abs(split.volumes.sum() - split.domain_volume) <= 1e-9 * split.domain_volume


@pytest.mark.parametrize(("sizes", "splits"), [([2, 8, 8, 1], [2, 3]), ([3, 6, 6, 1], 2)])
def test_enumeration_union_equals_single_process(cluster_client, sizes, splits):
    net = make_net(sizes, seed=1)
    d = sizes[0]
    box = np.column_stack([np.full(d, -1.5), np.linspace(1.0, 2.0, d)])
    single = enumerate_regions(net, box, progress=False)
    split = enumerate_regions_dask(net, box, splits=splits, client=cluster_client)
    assert split.stats["pieces"] > split.n_regions  # the split cut regions into pieces
    _check_union(single, split)


def test_enumeration_on_the_threaded_scheduler_equals_single_process():
    """Sub-boxes enumerated concurrently by threads (one HiGHS model per thread, not one shared)."""
    import dask

    net = make_net([2, 8, 8, 1], seed=1)
    box = np.array([[-1.5, 1.5], [-1.5, 1.5]])
    single = enumerate_regions(net, box, progress=False)
    with dask.config.set(scheduler="threads", num_workers=4):
        split = enumerate_regions_dask(net, box, splits=[3, 3])
    _check_union(single, split)


@pytest.mark.parametrize("splits", [0, [2, 2, 2], [2, -1], 1.5, True, "2"])
def test_enumeration_bad_splits(splits):
    net = make_net([2, 4, 1])
    with pytest.raises(InvalidInputError, match="splits"):
        enumerate_regions_dask(net, np.array([[-1.0, 1.0], [-1.0, 1.0]]), splits=splits)


def test_enumeration_rejects_polytope_and_bad_max_regions():
    net = make_net([2, 4, 1])
    with pytest.raises(InvalidInputError, match="polytope"):
        enumerate_regions_dask(net, (np.vstack([np.eye(2), -np.eye(2)]), np.ones(4)))
    with pytest.raises(InvalidInputError, match="max_regions"):
        enumerate_regions_dask(net, np.array([[-1.0, 1.0], [-1.0, 1.0]]), max_regions=0)


def test_enumeration_max_regions_truncates():
    net = make_net([2, 8, 8, 1], seed=1)
    box = np.array([[-1.5, 1.0], [-1.5, 2.0]])
    with dask.config.set(scheduler="sync"):
        cut = enumerate_regions_dask(net, box, splits=2, max_regions=5)
    full = enumerate_regions(net, box, progress=False)
    assert cut.truncated and cut.n_regions == 5 < full.n_regions
    assert set(cut.pattern_strings()) <= set(full.pattern_strings())
