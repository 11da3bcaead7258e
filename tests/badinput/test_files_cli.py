"""Model files (corrupt, truncated, hostile) and the command line, in process."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile

import numpy as np
import pandas as pd
import pytest

import reluscope
from reluscope.cli import main
from reluscope.io import load_model

from ._catalogue import X0
from ._support import brute_forward, make_net, names_argument, run_case

torch = pytest.importorskip("torch", reason="the state-dict cases need torch")

NET = make_net(sizes=(2, 6, 1), seed=2)


def _npz_bytes(**arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _meta(d):
    return np.frombuffer(json.dumps(d).encode(), dtype=np.uint8)


def _good_npz(tmp_path):
    p = tmp_path / "good.npz"
    NET.save(p)
    return p.read_bytes()


GOOD_META = {"format": "reluscope.ReLUNetwork", "version": 1, "n_layers": 2, "slopes": [0.0], "output": "identity", "feature_names": None, "classes": None}
W = {"W0": np.ones((4, 2)), "b0": np.zeros(4), "W1": np.ones((1, 4)), "b1": np.zeros(1)}


def _file_cases(tmp_path):
    good = _good_npz(tmp_path)
    return {
        "truncated.npz": good[: len(good) // 2],
        "text.npz": b"this is not a zip file\n",
        "empty.npz": b"",
        "no_meta.npz": _npz_bytes(**W),
        "meta_not_json.npz": _npz_bytes(meta=np.frombuffer(b"{not json", np.uint8), **W),
        "meta_list.npz": _npz_bytes(meta=_meta([1, 2]), **W),
        "meta_missing_keys.npz": _npz_bytes(meta=_meta({"format": "reluscope.ReLUNetwork"}), **W),
        "meta_too_many_layers.npz": _npz_bytes(meta=_meta({**GOOD_META, "n_layers": 5}), **W),
        "meta_bad_slopes.npz": _npz_bytes(meta=_meta({**GOOD_META, "slopes": [0.0, 0.0, 0.0]}), **W),
        "meta_bad_output.npz": _npz_bytes(meta=_meta({**GOOD_META, "output": "tanh"}), **W),
        "meta_bad_n_layers.npz": _npz_bytes(meta=_meta({**GOOD_META, "n_layers": "two"}), **W),
        "object_array.npz": _npz_bytes(meta=_meta(GOOD_META), W0=np.array([object()], dtype=object), b0=np.zeros(4), W1=np.ones((1, 4)), b1=np.zeros(1)),
        "shapes_do_not_chain.npz": _npz_bytes(meta=_meta(GOOD_META), **{**W, "W1": np.ones((1, 5))}),
        "garbage.onnx": b"\x08\x07garbage\xff\xff\xff\xff",
        "empty.onnx": b"",
        "text.onnx": b"hello world, this is not protobuf" * 3,
        "garbage.pt": b"\x00\x01\x02 not a torch file",
        "empty.pt": b"",
        "text.pth": b"just some text\n",
        "model.txt": b"1 2 3",
        "model": b"no suffix",
    }


FILE_NAMES = [
    "truncated.npz", "text.npz", "empty.npz", "no_meta.npz", "meta_not_json.npz", "meta_list.npz", "meta_missing_keys.npz",
    "meta_too_many_layers.npz", "meta_bad_slopes.npz", "meta_bad_output.npz", "meta_bad_n_layers.npz", "object_array.npz",
    "shapes_do_not_chain.npz", "garbage.onnx", "empty.onnx", "text.onnx", "garbage.pt", "empty.pt", "text.pth", "model.txt", "model",
]


@pytest.mark.parametrize("name", FILE_NAMES)
@pytest.mark.parametrize("trust", [False, True], ids=["untrusted", "trusted"])
def test_bad_model_file(tmp_path, name, trust):
    path = tmp_path / name
    path.write_bytes(_file_cases(tmp_path)[name])
    run_case(lambda: load_model(path, trust_pickle=trust), None, (name,))


@pytest.mark.parametrize("loader", ["load_model", "ReLUNetwork.load", "from_onnx"])
@pytest.mark.parametrize("what", ["missing", "directory"])
def test_missing_or_directory(tmp_path, loader, what):
    path = tmp_path / ("model.onnx" if loader == "from_onnx" else "model.npz")
    if what == "directory":
        path.mkdir()
    call = {"load_model": load_model, "ReLUNetwork.load": reluscope.ReLUNetwork.load, "from_onnx": reluscope.from_onnx}[loader]
    run_case(lambda: call(path), None, (path.name,))


def test_numpy_pickle_hint_is_not_passed_on(tmp_path):
    path = tmp_path / "object_array.npz"
    path.write_bytes(_file_cases(tmp_path)["object_array.npz"])
    with pytest.raises(reluscope.ReluscopeError) as info:
        load_model(path)
    assert "allow_pickle" not in str(info.value)


# ------------------------------------------------------------ state dicts
def _leaky_module():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(3, 6), torch.nn.LeakyReLU(0.1), torch.nn.Linear(6, 1)).double()


def _module_ref(module, X):
    with torch.no_grad():
        return module(torch.from_numpy(X)).numpy()


def test_state_dict_sidecar_gives_the_architecture(tmp_path):
    from reluscope.io import save_state_dict

    module = _leaky_module()
    path = save_state_dict(module.state_dict(), tmp_path / "m.pt", activation="leaky_relu:0.1", feature_names=["a", "b", "c"])
    net = load_model(path)
    assert net.slopes == (0.1,) and net.feature_names == ("a", "b", "c")
    assert np.allclose(net.forward(X0), _module_ref(module, X0)[:, 0], rtol=1e-12, atol=1e-12)


def test_state_dict_without_architecture_warns(tmp_path):
    module = _leaky_module()
    torch.save(module.state_dict(), tmp_path / "m.pt")
    with pytest.warns(UserWarning, match="activation"):
        net = load_model(tmp_path / "m.pt")
    assert net.slopes == (0.0,)
    net = load_model(tmp_path / "m.pt", activation="leaky_relu:0.1")
    assert np.allclose(net.forward(X0), _module_ref(module, X0)[:, 0], rtol=1e-12, atol=1e-12)


def test_state_dict_order_that_does_not_chain(tmp_path):
    module = _leaky_module()
    sd = module.state_dict()
    shuffled = {k: sd[k] for k in ["2.weight", "2.bias", "0.weight", "0.bias"]}
    torch.save(shuffled, tmp_path / "s.pt")
    with pytest.raises(reluscope.ShapeMismatchError, match="2.weight"):
        load_model(tmp_path / "s.pt", activation="relu")


def test_fx_fallback_checked_on_user_data():
    class Branchy(torch.nn.Module):
        """Untraceable (data-dependent branch) and different from its children chain for large inputs."""

        def __init__(self):
            super().__init__()
            self.l1 = torch.nn.Linear(2, 4)
            self.act = torch.nn.ReLU()
            self.l2 = torch.nn.Linear(4, 1)

        def forward(self, x):
            if bool((x.abs() > 50).any()):
                return self.l2(self.act(self.l1(x))) * 2.0
            return self.l2(self.act(self.l1(x)))

    module = Branchy().double()
    with pytest.warns(UserWarning):
        reluscope.from_torch(module)  # 64 standard-normal rows never reach the branch
    X = np.r_[np.zeros((3, 2)), [[100.0, 0.0]]]
    with pytest.warns(UserWarning), pytest.raises(reluscope.UnsupportedLayerError, match="check_X"):
        reluscope.from_torch(module, check_X=X)


# ------------------------------------------------------------------ command line
@pytest.fixture()
def files(tmp_path):
    NET.save(tmp_path / "net.npz")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    pd.DataFrame({"x1": X[:, 0], "x2": X[:, 1], "y": X.sum(1)}).to_csv(tmp_path / "data.csv", index=False)
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "header.csv").write_text("x1,x2,y\n")
    pd.DataFrame({"x1": [1.0, np.nan], "x2": [1.0, 2.0], "y": [0.0, 1.0]}).to_csv(tmp_path / "nan.csv", index=False)
    pd.DataFrame({"x1": ["u", "v"], "x2": [1.0, 2.0], "y": [0.0, 1.0]}).to_csv(tmp_path / "str.csv", index=False)
    pd.DataFrame({"x1": [1.0], "x2": [1.0], "x3": [1.0], "y": [0.0]}).to_csv(tmp_path / "wide.csv", index=False)
    pd.DataFrame({"x1": [1.0, 2.0], "x2": [1.0, 2.0], "y": [0.0, np.nan]}).to_csv(tmp_path / "ynan.csv", index=False)
    (tmp_path / "bad.csv").write_bytes(b'x1,x2\n"1,2\n')
    (tmp_path / "trunc.npz").write_bytes((tmp_path / "net.npz").read_bytes()[:100])
    (tmp_path / "g.onnx").write_bytes(b"\x08\x07garbage\xff\xff")
    (tmp_path / "afile").write_text("x")
    (tmp_path / "m.pkl").write_bytes(b"\x80\x04K\x01.")
    (tmp_path / "adir").mkdir()
    return tmp_path


def _cli(argv, capsys):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code
    err = capsys.readouterr().err
    return code, err


def _u(t, model="net.npz", data="data.csv", out="o", extra=()):
    return ["unwrap", "--model", str(t / model), "--data", str(t / data), "--target", "y", "--out", str(t / out), *extra]


def _r(t, model="net.npz", data="data.csv", out="r.html", extra=()):
    return ["report", "--model", str(t / model), "--data", str(t / data), "--target", "y", "--out", str(t / out), *extra]


CLI_BAD = [
    ("missing_data", lambda t: _u(t, data="nope.csv"), ("--data", "nope.csv")),
    ("empty_csv", lambda t: _u(t, data="empty.csv"), ("--data", "empty.csv")),
    ("header_only_csv", lambda t: _u(t, data="header.csv"), ("X", "--data", "header.csv")),
    ("unparsable_csv", lambda t: _u(t, data="bad.csv"), ("--data", "bad.csv")),
    ("nan_csv", lambda t: _u(t, data="nan.csv"), ("X", "--data")),
    ("string_csv", lambda t: _u(t, data="str.csv"), ("X", "--data")),
    ("wide_csv", lambda t: _u(t, data="wide.csv"), ("X", "--data")),
    ("target_nan", lambda t: _u(t, data="ynan.csv"), ("y", "--target")),
    ("target_missing", lambda t: _u(t)[:-4] + ["--target", "nope", "--out", str(t / "o")], ("--target",)),
    ("missing_model", lambda t: _u(t, model="nope.npz"), ("--model", "nope.npz")),
    ("truncated_model", lambda t: _u(t, model="trunc.npz"), ("--model", "trunc.npz")),
    ("garbage_onnx", lambda t: _u(t, model="g.onnx"), ("--model", "g.onnx")),
    ("data_is_directory", lambda t: _u(t, data="adir"), ("--data", "adir")),
    ("out_is_file", lambda t: _u(t, out="afile"), ("--out",)),
    ("report_out_is_directory", lambda t: _r(t, out="adir"), ("--out",)),
    ("report_missing_test_data", lambda t: _r(t, extra=["--test-data", str(t / "nope.csv")]), ("--test-data", "nope.csv")),
    ("global_metrics_word", lambda t: _u(t, extra=["--global-metrics", "foo"]), ("--global-metrics",)),
    ("global_metrics_negative", lambda t: _u(t, extra=["--global-metrics", "-3"]), ("--global-metrics", "global_metrics")),
    ("activation_tanh", lambda t: _u(t, extra=["--activation", "tanh"]), ("--activation", "activation")),
    ("activation_garbage", lambda t: _u(t, extra=["--activation", "leaky_relu:abc"]), ("--activation", "activation")),
    ("missing_required", lambda t: ["unwrap", "--data", str(t / "data.csv"), "--out", str(t / "o")], ("--model",)),
    ("unknown_command", lambda t: ["frobnicate"], ("frobnicate",)),
    ("unknown_option", lambda t: _u(t, extra=["--bogus"]), ("--bogus",)),
    ("pickle_untrusted", lambda t: _u(t, model="m.pkl"), ("--trust-pickle",)),
]


@pytest.mark.parametrize("case", CLI_BAD, ids=[c[0] for c in CLI_BAD])
def test_cli_bad_input(files, capsys, case):
    _, argv, words = case
    code, err = _cli(argv(files), capsys)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 2, err
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{err}"
    assert lines[0].startswith("reluscope: error:"), lines[0]
    assert names_argument(lines[0], words), lines[0]
    assert "Traceback" not in err


def test_cli_output_path_checked_before_work(files, capsys, monkeypatch):
    import reluscope.io

    calls = []
    monkeypatch.setattr(reluscope.io, "load_model", lambda *a, **k: calls.append(1))
    for argv in (_r(files, out="adir"), _r(files, out="nofolder/r.html"), _u(files, out="afile")):
        code, err = _cli(argv, capsys)
        assert code == 2 and "--out" in err and not calls, err


def test_cli_internal_error_is_one_line_or_a_traceback_with_debug(files, capsys, monkeypatch):
    import reluscope.summary as summary_module

    def boom(*a, **k):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(summary_module, "summary_table", boom)
    code, err = _cli(_u(files), capsys)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 1 and len(lines) == 1 and "kaboom" in lines[0] and "--debug" in lines[0], err
    code, err = _cli(["--debug", *_u(files, out="o2")], capsys)
    assert code == 1 and "Traceback" in err and "kaboom" in err


def test_cli_leaky_state_dict(files, capsys):
    torch.manual_seed(1)
    module = torch.nn.Sequential(torch.nn.Linear(2, 5), torch.nn.LeakyReLU(0.1), torch.nn.Linear(5, 1)).double()
    torch.save(module.state_dict(), files / "m.pt")
    for spelling in ["leaky_relu:0.1", "0.1"]:
        code, err = _cli(_u(files, model="m.pt", out=f"o_{spelling}", extra=["--activation", spelling]), capsys)
        assert code == 0, err
        coef = pd.read_csv(files / f"o_{spelling}" / "coefficients.csv", index_col=0)
        X = pd.read_csv(files / "data.csv")[["x1", "x2"]].to_numpy()
        with torch.no_grad():
            ref = module(torch.from_numpy(X)).numpy()[:, 0]
        net = reluscope.ReLUNetwork.load(files / f"o_{spelling}" / "network.npz")
        assert net.slopes == (0.1,)
        assert np.allclose(net.forward(X), ref, rtol=1e-12, atol=1e-12)
        assert coef["Count"].sum() == 40


def test_cli_subprocess_exit_code_and_no_traceback(files):
    proc = subprocess.run(
        [sys.executable, "-m", "reluscope", *_u(files, model="trunc.npz")], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("model", [b"\x08\x07garbage\xff\xff", b"not protobuf at all" * 4, 123, None], ids=["garbage", "text", "int", "none"])
def test_from_onnx_bad_objects(model):
    pytest.importorskip("onnx", reason="ONNX cases need onnx")
    run_case(lambda: reluscope.from_onnx(model), None, ("ONNX", "from_onnx"))
