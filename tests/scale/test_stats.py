"""Per-partition sufficient statistics: merged pieces equal one partition, hashed or sorted grouping."""

import numpy as np
import pytest

import reluscope
from reluscope.scale import _stats


def _net_and_data(seed=0):
    rng = np.random.default_rng(seed)
    net = reluscope.from_arrays([rng.normal(size=(6, 3)), rng.normal(size=(5, 6)), rng.normal(size=(1, 5))],
                                [rng.normal(size=6), rng.normal(size=5), rng.normal(size=1)])
    X = rng.normal(size=(4000, 3))
    y = X[:, 0] + rng.normal(size=4000)
    return net, X, y


@pytest.mark.parametrize("force_sort", [False, True])
def test_merged_partitions_equal_the_whole(monkeypatch, force_sort):
    net, X, y = _net_and_data()
    if force_sort:  # a hash collision everywhere: every grouping falls back to the key sort
        monkeypatch.setattr(_stats, "group_keys", lambda keys: None)
        monkeypatch.setattr(reluscope.patterns, "group_keys", lambda keys: None)
    whole = _stats.finalize_stats(_stats.partition_stats(net, X, y, 512))
    cuts = [0, 700, 700, 2900, 4000]  # uneven, one empty piece
    parts = [_stats.partition_stats(net, X[a:b], y[a:b], 512) for a, b in zip(cuts[:-1], cuts[1:])]
    merged = _stats.finalize_stats(_stats.merge_stats([_stats.merge_stats(parts[:2]), _stats.merge_stats(parts[2:])]))
    assert np.array_equal(merged["keys"], whole["keys"]) and np.array_equal(merged["count"], whole["count"])
    for key in ("sum_x", "y_mean", "y_m2", "y_min", "y_max", "sse", "z_mean", "z_m2"):
        np.testing.assert_allclose(merged[key], whole[key], rtol=1e-11, atol=1e-9, err_msg=key)
    # against direct computations: per-region sums and the joint scatter of [x, y]
    llms = reluscope.unwrap(net, X)
    np.testing.assert_allclose(whole["sum_x"], llms.centers_ * llms.count_[:, None], rtol=1e-12, atol=1e-12)
    Z = np.column_stack([X, y])
    np.testing.assert_allclose(whole["z_m2"], np.cov(Z.T, bias=True) * len(Z), rtol=1e-11)
    lo = np.array([y[llms.labels_ == r].min() for r in range(llms.n_regions)])
    assert np.array_equal(whole["y_min"][:, 0], lo)


def test_each_block_of_a_shared_source_is_computed_once():
    """X and y sliced from one Dask array: the partitions' graphs share every source block (made once, not twice)."""
    import dask
    import dask.array as da

    from reluscope.scale._dask import _prepare

    calls = []
    rng = np.random.default_rng(0)
    net = reluscope.from_arrays([rng.normal(size=(6, 3)), rng.normal(size=(1, 6))], [rng.normal(size=6), rng.normal(size=1)])

    def make(block_id=None):
        calls.append(block_id[0])
        return np.random.default_rng(block_id[0]).normal(size=(1000, 4))

    Z = da.map_blocks(make, chunks=((1000,) * 5, (4,)), dtype=float, meta=np.empty((0, 4)))
    blocks, how, _, _ = _prepare(net, Z[:, :3], Z[:, 3])
    pairs = [dask.delayed(lambda xb, yb: (xb.shape, yb.shape))(xb, yb) for xb, yb in blocks]
    shapes = dask.compute(*pairs, scheduler="synchronous")  # explicit: no cluster a fixture may have left
    assert sorted(calls) == [0, 1, 2, 3, 4]
    assert shapes == (((1000, 3), (1000,)),) * 5
