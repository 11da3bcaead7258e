import json

import numpy as np
import pandas as pd
import pytest

import reluscope
from reluscope.cli import main
from reluscope.datasets import make_cocircles


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_demo_writes_summary_and_outputs(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--n-samples", "400", "--max-iter", "60"]) == 0
    text = capsys.readouterr().out
    assert "Region summary" in text and "Global AUC" in text
    summary = pd.read_csv(out / "summary.csv", index_col=0)
    metrics = json.loads((out / "metrics.json").read_text())
    assert summary["Count"].sum() == 320  # 80% of 400 training rows
    assert len(summary) == metrics["n_regions"]
    assert metrics["max_error"] < 1e-10
    net = reluscope.ReLUNetwork.load(out / "network.npz")
    coefs = pd.read_csv(out / "coefficients.csv", index_col=0)
    assert list(coefs.columns) == ["Count", "Intercept", "x1", "x2"]
    # the coefficients file equals an unwrap of the saved network on the same training rows
    from reluscope.datasets import train_test_split_frame

    X, y = make_cocircles(400, noise=0.1, random_state=0, as_frame=True)
    X_train, _, y_train, _ = train_test_split_frame(X, y, test_size=0.2, random_state=0, stratify=True)
    again = reluscope.unwrap(net, X_train, y_train)
    assert np.allclose(again.coefficients().to_numpy(), coefs.to_numpy(), rtol=1e-12, atol=1e-12)
    assert np.allclose(again.summary()["Global AUC"], summary["Global AUC"])


def test_unwrap_command_and_pickle_refusal(tmp_path, capsys):
    rng = np.random.default_rng(0)
    net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))], [rng.normal(size=8), np.zeros(1)], output="sigmoid")
    net.save(tmp_path / "net.npz")
    X, y = make_cocircles(300, random_state=0)
    pd.DataFrame({"x1": X[:, 0], "x2": X[:, 1], "label": y}).to_csv(tmp_path / "data.csv", index=False)
    code = main(["unwrap", "--model", str(tmp_path / "net.npz"), "--data", str(tmp_path / "data.csv"), "--target", "label", "--out", str(tmp_path / "o")])
    assert code == 0
    summary = pd.read_csv(tmp_path / "o" / "summary.csv", index_col=0)
    assert summary["Count"].sum() == 300
    direct = reluscope.unwrap(net, X, y).summary()
    assert np.allclose(summary["Global AUC"].to_numpy(), direct["Global AUC"].to_numpy())
    (tmp_path / "m.pkl").write_bytes(b"\x80\x04K\x01.")
    code = main(["unwrap", "--model", str(tmp_path / "m.pkl"), "--data", str(tmp_path / "data.csv"), "--out", str(tmp_path / "p")])
    assert code == 2
    assert "--trust-pickle" in capsys.readouterr().err
    code = main(["unwrap", "--model", str(tmp_path / "net.npz"), "--data", str(tmp_path / "data.csv"), "--target", "nope", "--out", str(tmp_path / "q")])
    assert code == 2
