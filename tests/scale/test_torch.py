"""The torch path on device='cpu' against the NumPy path; device errors."""

import numpy as np
import pytest

import reluscope
from reluscope.errors import DeviceError, InvalidInputError

from .conftest import make_net

torch = pytest.importorskip("torch", reason="the device path needs torch")


@pytest.mark.parametrize("output,k", [("identity", 2), ("sigmoid", 1), ("softmax", 3)])
def test_torch_cpu_matches_numpy(output, k):
    rng = np.random.default_rng(k)
    net = make_net([5, 12, 12, 10, k], output=output, seed=k)
    X = rng.normal(size=(1200, 5))
    X[7] = X[3]  # a repeated row
    y = {"identity": X[:, :k].sum(1) if k == 1 else X[:, :k], "sigmoid": (X[:, 0] > 0).astype(int), "softmax": rng.integers(0, 3, 1200)}[output]
    mem = reluscope.unwrap(net, X, y)
    dev = reluscope.unwrap(net, X, y, device="cpu", chunk_size=500)  # chunks stream from host memory
    assert np.array_equal(dev.pattern_keys_, mem.pattern_keys_)
    assert np.array_equal(dev.labels_, mem.labels_) and np.array_equal(dev.count_, mem.count_)
    np.testing.assert_allclose(dev.coef_, mem.coef_, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dev.intercept_, mem.intercept_, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dev.centers_, mem.centers_, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(dev.decision_, mem.decision_, rtol=1e-12, atol=1e-12)
    assert np.array_equal(dev.trivial_, mem.trivial_)
    assert dev.max_error_ < 1e-12
    a, b = mem.summary(global_metrics="all"), dev.summary(global_metrics="all")
    assert list(a.columns) == list(b.columns)
    for c in a.columns:
        if a[c].dtype.kind == "f":
            np.testing.assert_allclose(b[c], a[c], rtol=1e-12, atol=1e-12, equal_nan=True, err_msg=c)


def test_torch_global_auc_with_ties_matches_numpy():
    from reluscope.scale._torch import global_auc_torch
    from reluscope.summary import global_auc

    rng = np.random.default_rng(0)
    X = np.round(rng.normal(size=(4000, 3)), 1)  # tied scores
    y = (rng.random(4000) < 0.4).astype(float)
    coef = rng.normal(size=(9, 1, 3))
    coef[2] = 0.0  # a constant score: AUC 0.5
    intercept = rng.normal(size=(9, 1))
    ref = global_auc(X, y, coef, intercept, np.arange(9))
    got = global_auc_torch(X, y, coef[:, 0, :], intercept[:, 0], memory_limit_mb=0.5)  # several blocks
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-14)
    assert got[2] == 0.5


def test_float32_patterns_report_a_verified_error():
    rng = np.random.default_rng(1)
    net = make_net([6, 16, 16, 1], seed=1)
    X = rng.normal(size=(2000, 6))
    mem = reluscope.unwrap(net, X)
    f32 = reluscope.unwrap(net, X, device="cpu", dtype="float32")
    # the error is measured against the float64 network; float32 patterns can only flip near a boundary
    assert 0 <= f32.max_error_ <= 1e-5 * max(1.0, np.abs(mem.decision_).max())
    assert abs(f32.n_regions - mem.n_regions) <= 0.01 * mem.n_regions
    np.testing.assert_allclose(f32.decision_, mem.decision_, rtol=1e-12, atol=1e-12)


def test_device_errors():
    net = make_net([2, 3, 1])
    X = np.ones((4, 2))
    if not torch.cuda.is_available():
        with pytest.raises(DeviceError, match="asks for a CUDA GPU but torch sees none"):
            reluscope.unwrap(net, X, device="cuda")
    with pytest.raises(DeviceError, match="not a torch device"):
        reluscope.unwrap(net, X, device="gpu0")
    with pytest.raises(InvalidInputError, match="dtype='float16'"):
        reluscope.unwrap(net, X, device="cpu", dtype="float16")
