"""``reluscope unwrap --data '*.parquet' --scheduler ...`` on the LocalCluster."""

import numpy as np
import pandas as pd
import pytest

import reluscope
from reluscope.cli import main

from .conftest import make_net

pytest.importorskip("dask.dataframe", reason="the Dask CLI needs the scale extra: pip install 'reluscope[scale]'")
pytest.importorskip("pyarrow", reason="Parquet needs pyarrow (scale extra)")


def test_cli_unwraps_a_parquet_dataset_on_the_cluster(cluster_client, tmp_path, capsys):
    rng = np.random.default_rng(7)
    names = ["f1", "f2", "f3"]
    net = make_net([3, 6, 6, 1], output="sigmoid", seed=7, feature_names=names)
    net.save(tmp_path / "net.npz")
    X = pd.DataFrame(rng.normal(size=(1500, 3)), columns=names, index=pd.Index(np.arange(1000, 4000, 2), name="row_id"))  # a stored index column (dask 2026.8 cannot read a RangeIndex kept as Parquet metadata)
    y = (X["f1"] > 0.2).astype(int)
    data = tmp_path / "data"
    data.mkdir()
    for i, (a, b) in enumerate([(0, 400), (400, 1100), (1100, 1500)]):
        X.iloc[a:b].assign(label=y.iloc[a:b]).to_parquet(data / f"part{i}.parquet")
    out = tmp_path / "out"
    code = main(["unwrap", "--model", str(tmp_path / "net.npz"), "--data", str(data / "*.parquet"), "--target", "label",
                 "--scheduler", cluster_client.scheduler.address, "--out", str(out), "--global-metrics", "all"])
    assert code == 0, capsys.readouterr().err
    mem = reluscope.unwrap(net, X, y)
    summary = pd.read_csv(out / "summary.csv", index_col="Region")
    expected = mem.summary(global_metrics="all")
    for c in ["Count", "Response Mean", "Local AUC", "Global AUC"]:
        np.testing.assert_allclose(summary[c], expected[c], rtol=1e-9, equal_nan=True, err_msg=c)
    coefs = pd.read_csv(out / "coefficients.csv", index_col="Region")
    np.testing.assert_allclose(coefs[names].to_numpy(), mem.coef_, rtol=1e-12, atol=1e-12)
    regions = pd.read_parquet(out / "regions").sort_index()
    assert regions.index.name == "row_id" and np.array_equal(regions.index, X.index)
    assert np.array_equal(regions["region"].to_numpy(), mem.labels_)


def test_cli_unreachable_scheduler_exits_with_a_clear_error(tmp_path, capsys):
    net = make_net([2, 3, 1])
    net.save(tmp_path / "net.npz")
    code = main(["unwrap", "--model", str(tmp_path / "net.npz"), "--data", str(tmp_path / "*.parquet"),
                 "--scheduler", "tcp://127.0.0.1:9", "--scheduler-timeout", "1", "--out", str(tmp_path / "o")])
    assert code == 2
    assert "No Dask scheduler answered at 'tcp://127.0.0.1:9'" in capsys.readouterr().err


def test_cli_parquet_files_with_different_columns_exit_with_a_clear_error(tmp_path, capsys):
    net = make_net([3, 4, 1], feature_names=["a", "b", "c"])
    net.save(tmp_path / "net.npz")
    data = tmp_path / "data"
    data.mkdir()
    rng = np.random.default_rng(0)
    pd.DataFrame(rng.normal(size=(20, 3)), columns=["a", "b", "c"]).to_parquet(data / "p0.parquet")
    pd.DataFrame(rng.normal(size=(20, 3)), columns=["a", "b", "x"]).to_parquet(data / "p1.parquet")
    code = main(["unwrap", "--model", str(tmp_path / "net.npz"), "--data", str(data / "*.parquet"),
                 "--scheduler", "local", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "p1.parquet" in err and "['c']" in err and "Traceback" not in err
