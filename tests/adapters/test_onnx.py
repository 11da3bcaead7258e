import sys

import numpy as np
import pytest

import reluscope
from reluscope.errors import InvalidInputError, UnsupportedActivationError, UnsupportedLayerError

onnx = pytest.importorskip("onnx", reason="the ONNX adapter tests need 'onnx' (pip install reluscope[onnx])")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from onnx.reference import ReferenceEvaluator  # noqa: E402


def _model(nodes, inits, d, k, opset=17, in_shape=None):
    """A float32 ONNX model with one input 'x' (N, d) and one output 'y' (N, k)."""
    graph = helper.make_graph(
        nodes,
        "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, in_shape or ["N", d])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", k])],
        initializer=[numpy_helper.from_array(np.asarray(v, dtype=np.float32), name) for name, v in inits.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    onnx.checker.check_model(model)
    return model


def _run(model, X):
    """The ONNX reference evaluator's output (an independent implementation of the ops)."""
    return ReferenceEvaluator(model).run(None, {"x": X.astype(np.float32)})[0].astype(np.float64)


def _X(d, n=300, seed=0):
    return np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32).astype(np.float64)


def _relu(z):
    return np.maximum(z, 0)


def test_gemm_relu_chain_matches_numpy_reference():
    rng = np.random.default_rng(0)
    B0 = rng.normal(size=(6, 4)).astype(np.float32)  # transB=1: (n_out, n_in)
    C0 = rng.normal(size=6).astype(np.float32)
    B1 = rng.normal(size=(6, 2)).astype(np.float32)  # transB=0: (n_in, n_out)
    C1 = rng.normal(size=(1, 2)).astype(np.float32)
    nodes = [
        helper.make_node("Gemm", ["x", "B0", "C0"], ["h"], transB=1, alpha=0.5, beta=2.0, name="fc0"),
        helper.make_node("Relu", ["h"], ["a"], name="act0"),
        helper.make_node("Gemm", ["a", "B1", "C1"], ["y"], name="fc1"),
    ]
    model = _model(nodes, {"B0": B0, "C0": C0, "B1": B1, "C1": C1}, 4, 2)
    net = reluscope.from_onnx(model)
    assert net.hidden_sizes == (6,) and net.output == "identity" and net.weights[0].dtype == np.float64
    X = _X(4)
    B0, C0, B1, C1 = (a.astype(np.float64) for a in (B0, C0, B1, C1))
    ref = _relu(0.5 * X @ B0.T + 2.0 * C0) @ B1 + C1
    np.testing.assert_allclose(net.forward(X), ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(net.forward(X), _run(model, X), atol=1e-5)
    assert reluscope.unwrap(net, X).max_error_ < 1e-10


def test_matmul_add_leakyrelu_with_final_sigmoid():
    rng = np.random.default_rng(1)
    W0, b0 = rng.normal(size=(3, 8)), rng.normal(size=8)
    W1, b1 = rng.normal(size=(8, 1)), rng.normal(size=1)
    nodes = [
        helper.make_node("MatMul", ["x", "W0"], ["m0"]),
        helper.make_node("Add", ["b0", "m0"], ["z0"]),  # constant on the left
        helper.make_node("LeakyRelu", ["z0"], ["a0"], alpha=0.2),
        helper.make_node("MatMul", ["a0", "W1"], ["m1"]),
        helper.make_node("Add", ["m1", "b1"], ["z1"]),
        helper.make_node("Sigmoid", ["z1"], ["y"]),
    ]
    model = _model(nodes, {"W0": W0, "b0": b0, "W1": W1, "b1": b1}, 3, 1)
    net = reluscope.from_onnx(model, feature_names=["a", "b", "c"])
    assert net.slopes == (pytest.approx(0.2),) and net.output == "sigmoid" and net.feature_names == ("a", "b", "c")
    X = _X(3)
    f32 = lambda a: a.astype(np.float32).astype(np.float64)  # noqa: E731
    z0 = X @ f32(W0) + f32(b0)
    eta = np.where(z0 > 0, z0, np.float32(0.2) * z0) @ f32(W1) + f32(b1)
    np.testing.assert_allclose(net.forward(X), 1 / (1 + np.exp(-eta[:, 0])), rtol=1e-12)
    np.testing.assert_allclose(net.forward(X), _run(model, X)[:, 0], atol=1e-6)
    logits = reluscope.from_onnx(model, output="identity")
    np.testing.assert_allclose(logits.forward(X), eta[:, 0], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("opset", [11, 17])
def test_batchnorm_flatten_reshape_dropout_softmax(opset):
    rng = np.random.default_rng(2)
    inits = {
        "W0": rng.normal(size=(5, 4)), "b0": rng.normal(size=5),
        "s": rng.normal(size=5), "t": rng.normal(size=5), "mu": rng.normal(size=5) * 2, "var": rng.uniform(0.1, 3, 5),
        "W1": rng.normal(size=(3, 5)), "b1": rng.normal(size=3),
    }
    shape = helper.make_tensor("shape", TensorProto.INT64, [2], [0, -1])
    nodes = [
        helper.make_node("Flatten", ["x"], ["f"], axis=1),
        helper.make_node("Gemm", ["f", "W0", "b0"], ["h"], transB=1),
        helper.make_node("Relu", ["h"], ["a"]),
        helper.make_node("BatchNormalization", ["a", "s", "t", "mu", "var"], ["n"], epsilon=1e-3),  # after the ReLU
        helper.make_node("Constant", [], ["shp"], value=shape),
        helper.make_node("Reshape", ["n", "shp"], ["r"]),
        helper.make_node("Dropout", ["r"], ["dr"]),
        helper.make_node("Identity", ["dr"], ["i"]),
        helper.make_node("Gemm", ["i", "W1", "b1"], ["z"], transB=1),
        helper.make_node("Softmax", ["z"], ["y"], **({"axis": 1} if opset < 13 else {})),
    ]
    model = _model(nodes, inits, 4, 3, opset=opset, in_shape=["N", 4])
    net = reluscope.from_onnx(model)
    assert net.hidden_sizes == (5,) and net.output == "softmax"
    X = _X(4)
    p = {k: v.astype(np.float32).astype(np.float64) for k, v in inits.items()}
    n = (_relu(X @ p["W0"].T + p["b0"]) - p["mu"]) / np.sqrt(p["var"] + np.float32(1e-3)) * p["s"] + p["t"]
    z = n @ p["W1"].T + p["b1"]
    ref = np.exp(z - z.max(1, keepdims=True))
    ref /= ref.sum(1, keepdims=True)
    np.testing.assert_allclose(net.forward(X), ref, rtol=1e-10, atol=1e-13)
    if opset >= 14:  # onnx's ReferenceEvaluator runs BatchNormalization-9 with batch statistics (its quirk)
        np.testing.assert_allclose(net.forward(X), _run(model, X), atol=1e-5)


def _tiny(act="Relu", **attrs):
    rng = np.random.default_rng(3)
    nodes = [
        helper.make_node("Gemm", ["x", "W0", "b0"], ["h"], transB=1, name="dense_1"),
        helper.make_node(act, ["h"], ["a"], name="act_1", **attrs),
        helper.make_node("Gemm", ["a", "W1", "b1"], ["y"], transB=1, name="dense_2"),
    ]
    inits = {"W0": rng.normal(size=(3, 2)), "b0": rng.normal(size=3), "W1": rng.normal(size=(1, 3)), "b1": [0.1]}
    return _model(nodes, inits, 2, 1)


def test_loads_from_path_and_bytes(tmp_path):
    model = _tiny()
    path = tmp_path / "tiny.onnx"
    onnx.save(model, str(path))
    net = reluscope.from_onnx(model)
    assert reluscope.from_onnx(path) == net
    assert reluscope.from_onnx(model.SerializeToString()) == net
    X = _X(2)
    np.testing.assert_allclose(net.forward(X), _run(model, X)[:, 0], atol=1e-5)
    with pytest.raises(InvalidInputError, match="does not exist"):
        reluscope.from_onnx(tmp_path / "missing.onnx")


@pytest.mark.parametrize("op", ["Tanh", "Softsign", "Elu"])
def test_smooth_hidden_activation_is_refused_with_the_node_name(op):
    with pytest.raises(UnsupportedActivationError, match=rf"act_1 \({op}\).*not piecewise affine"):
        reluscope.from_onnx(_tiny(op))


def test_hidden_sigmoid_is_refused_with_the_node_name():
    with pytest.raises(UnsupportedActivationError, match=r"act_1 \(Sigmoid\).*final layer"):
        reluscope.from_onnx(_tiny("Sigmoid"))


def test_conv_and_branches_are_refused():
    rng = np.random.default_rng(4)
    conv = helper.make_node("Conv", ["x", "K"], ["y"], name="conv_1")
    graph = helper.make_graph(
        [conv], "cnn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 1, 6])],
        initializer=[numpy_helper.from_array(rng.normal(size=(1, 1, 3)).astype(np.float32), "K")],
    )
    with pytest.raises(UnsupportedLayerError, match=r"conv_1 \(Conv\).*[Cc]onvolution"):
        reluscope.from_onnx(helper.make_model(graph))
    nodes = [
        helper.make_node("Gemm", ["x", "W", "b"], ["h"], transB=1),
        helper.make_node("Relu", ["h"], ["a"]),
        helper.make_node("Add", ["a", "x"], ["y"], name="residual"),
    ]
    model = _model(nodes, {"W": rng.normal(size=(2, 2)), "b": np.zeros(2)}, 2, 2)
    with pytest.raises(UnsupportedLayerError, match=r"residual \(Add\).*skip connection"):
        reluscope.from_onnx(model)


def test_missing_onnx_gives_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match=r"pip install reluscope\[onnx\]"):
        reluscope.from_onnx("model.onnx")


def test_constant_sub_mul_div_are_folded_and_data_on_the_right_is_refused():
    c = np.array([2.0, -4.0])
    rng = np.random.default_rng(5)
    W = rng.normal(size=(2, 3))
    nodes = [
        helper.make_node("Sub", ["c", "x"], ["a"]),  # c - x
        helper.make_node("Mul", ["a", "c"], ["b"]),
        helper.make_node("Relu", ["b"], ["r"]),
        helper.make_node("Div", ["r", "c"], ["d"]),
        helper.make_node("MatMul", ["d", "W"], ["y"]),
    ]
    model = _model(nodes, {"c": c, "W": W}, 2, 3)
    net = reluscope.from_onnx(model)
    X = _X(2)
    ref = (_relu((c - X) * c) / c) @ W.astype(np.float32).astype(np.float64)
    np.testing.assert_allclose(net.forward(X), ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(net.forward(X), _run(model, X), atol=1e-5)
    flipped = _model([helper.make_node("MatMul", ["W", "x"], ["y"], name="left")], {"W": np.ones((2, 2))}, 2, 2)
    with pytest.raises(UnsupportedLayerError, match=r"left \(MatMul\).*MatMul\(X, W\)"):
        reluscope.from_onnx(flipped)
