"""The Dask path on a real LocalCluster (2 worker processes) against the in-memory unwrap."""

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

import reluscope
from reluscope.errors import ClusterError, FeatureMismatchError, InvalidInputError

from .conftest import make_net

da = pytest.importorskip("dask.array", reason="the Dask tests need the scale extra: pip install 'reluscope[scale]'")
dd = pytest.importorskip("dask.dataframe", reason="the Dask tests need the scale extra: pip install 'reluscope[scale]'")

CUTS = [0, 700, 700, 2300, 2350, 4000]  # uneven partitions, the second one empty


def _summary_equal(s_mem, s_dask):
    assert list(s_mem.columns) == list(s_dask.columns)
    assert s_mem.attrs.get("global_regions") == s_dask.attrs.get("global_regions")
    for c in s_mem.columns:
        a, b = s_mem[c].to_numpy(), s_dask[c].to_numpy()
        if a.dtype.kind in "fc":
            np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12, equal_nan=True, err_msg=c)
        else:
            assert np.array_equal(a, b), c


def _same_llms(mem, dsk):
    assert np.array_equal(dsk.pattern_keys_, mem.pattern_keys_)  # same regions, same numbering
    assert np.array_equal(dsk.count_, mem.count_)
    np.testing.assert_allclose(dsk.coef_, mem.coef_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(dsk.intercept_, mem.intercept_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(dsk.centers_, mem.centers_, rtol=1e-12, atol=1e-13)
    assert np.array_equal(dsk.trivial_, mem.trivial_)
    assert dsk.max_error_ <= 1e-12 and abs(dsk.max_error_ - mem.max_error_) <= 1e-13


def test_regression_dask_array_matches_in_memory(cluster_client):
    rng = np.random.default_rng(1)
    net = make_net([4, 8, 8, 1], seed=1)
    X = rng.normal(size=(CUTS[-1], 4))
    y = X[:, 0] - X[:, 1] ** 2 + 0.1 * rng.normal(size=len(X))
    mem = reluscope.unwrap(net, X, y)
    chunks = tuple(np.diff(CUTS))
    dsk = reluscope.unwrap(net, da.from_array(X, chunks=(chunks, 2)), da.from_array(y, chunks=(chunks,)))
    assert isinstance(dsk, reluscope.LocalLinearModels)
    _same_llms(mem, dsk)
    _summary_equal(mem.summary(), dsk.summary())
    assert dsk.verify() == dsk.max_error_ and abs(dsk.verify(X) - mem.max_error_) <= 1e-13
    assert isinstance(dsk.labels_, da.Array)  # lazy
    assert np.array_equal(dsk.labels_.compute(), mem.labels_)
    np.testing.assert_allclose(dsk.decision_.compute(), mem.decision_, rtol=0, atol=1e-12)


def _frame_parts(df):
    return dd.concat([dd.from_pandas(df.iloc[a:b], npartitions=1) for a, b in zip(CUTS[:-1], CUTS[1:])])


def test_binary_dask_dataframe_by_column_name_matches_in_memory(cluster_client):
    rng = np.random.default_rng(2)
    names = ["age", "income", "debt"]
    net = make_net([3, 6, 6, 1], output="sigmoid", seed=2, feature_names=names, classes=["no", "yes"])
    X = pd.DataFrame(rng.normal(size=(CUTS[-1], 3)), columns=names)
    y = np.where(X["age"] + 0.5 * rng.normal(size=len(X)) > 0, "yes", "no")
    mem = reluscope.unwrap(net, X, y)
    df = X[["debt", "age", "income"]].assign(other=1.0, target=y)  # columns by name, in another order
    ddf = _frame_parts(df)
    assert [len(p) for p in ddf.partitions] == list(np.diff(CUTS))
    dsk = reluscope.unwrap(net, ddf.drop(columns=["target"]), ddf["target"])
    _same_llms(mem, dsk)
    _summary_equal(mem.summary(global_metrics="all"), dsk.summary(global_metrics="all"))
    _summary_equal(mem.summary(), dsk.summary())
    regions = dsk.region_of(ddf)
    assert isinstance(regions, dd.Series)
    assert np.array_equal(regions.compute().to_numpy(), mem.labels_)


def test_multiclass_summary_matches_in_memory(cluster_client):
    rng = np.random.default_rng(3)
    net = make_net([2, 6, 6, 3], output="softmax", seed=3)
    X = rng.normal(size=(CUTS[-1], 2))
    y = rng.integers(0, 3, len(X))
    mem = reluscope.unwrap(net, X, y)
    chunks = tuple(np.diff(CUTS))
    dsk = reluscope.unwrap(net, da.from_array(X, chunks=(chunks, 2)), da.from_array(y, chunks=(chunks,)))
    _same_llms(mem, dsk)
    _summary_equal(mem.summary(global_metrics="all"), dsk.summary(global_metrics="all"))


def test_bad_input_named_clearly(cluster_client):
    net = make_net([3, 5, 1], seed=4, feature_names=["a", "b", "c"])
    df = pd.DataFrame(np.random.default_rng(4).normal(size=(300, 3)), columns=["a", "b", "z"])
    with pytest.raises(FeatureMismatchError, match=r"lacks the network's feature column\(s\) \['c'\]"):
        reluscope.unwrap(net, dd.from_pandas(df, npartitions=2))
    X = np.random.default_rng(5).normal(size=(300, 3))
    X[250, 1] = np.nan
    with pytest.raises(InvalidInputError, match="partition 2 of X contains 1 NaN"):
        reluscope.unwrap(make_net([3, 5, 1], seed=4), da.from_array(X, chunks=(100, 3)))


def test_unreachable_scheduler_raises_cluster_error():
    pytest.importorskip("distributed")
    t0 = time.perf_counter()
    with pytest.raises(ClusterError, match="No Dask scheduler answered at 'tcp://127.0.0.1:9'"):
        reluscope.scale.connect("tcp://127.0.0.1:9", timeout=1.0)
    assert time.perf_counter() - t0 < 20


def test_in_memory_path_needs_neither_dask_nor_pyarrow(tmp_path):
    """With dask and pyarrow made unimportable, unwrap + summary still run; dask is never imported."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "sys.modules['dask'] = None; sys.modules['pyarrow'] = None; sys.modules['distributed'] = None\n"
        "import numpy as np, reluscope\n"
        "net = reluscope.from_arrays([np.ones((3, 2)), np.ones((1, 3))], [np.zeros(3), np.zeros(1)], output='sigmoid')\n"
        "X = np.random.default_rng(0).normal(size=(200, 2))\n"
        "s = reluscope.unwrap(net, X, (X[:, 0] > 0).astype(int)).summary()\n"
        "print(len(s))\n"
    )
    env = dict(os.environ)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    code2 = "import sys, numpy as np, reluscope\nreluscope.unwrap(reluscope.from_arrays([np.ones((1, 2))], [np.zeros(1)]), np.ones((3, 2)))\nprint(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))"
    out2 = subprocess.run([sys.executable, "-c", code2], capture_output=True, text=True, env=env, timeout=120)
    assert out2.returncode == 0 and out2.stdout.strip() == "[]", out2.stdout + out2.stderr


def test_worker_killed_mid_run_is_retried_with_the_same_result(cluster_client):
    rng = np.random.default_rng(6)
    net = make_net([3, 6, 6, 1], seed=6)
    X = rng.normal(size=(2400, 3))
    y = X.sum(axis=1)
    mem = reluscope.unwrap(net, X, y)

    def slow_load(block):  # the data source is slow, so the kill lands while tasks run
        time.sleep(0.25)
        return block

    Xd = da.from_array(X, chunks=(200, 3)).map_blocks(slow_load, dtype=float)
    yd = da.from_array(y, chunks=(200,))
    pids = cluster_client.run(os.getpid)
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(reluscope.unwrap, net, Xd, yd)
        deadline = time.time() + 20
        while not any(cluster_client.processing().values()) and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        victim = sorted(pids.values())[0]
        os.kill(victim, signal.SIGKILL)
        dsk = future.result(timeout=120)
    cluster_client.wait_for_workers(2, timeout=60)
    assert victim not in cluster_client.run(os.getpid).values()  # the worker really died and was replaced
    _same_llms(mem, dsk)
    _summary_equal(mem.summary(), dsk.summary())
