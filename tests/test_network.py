import pickle

import numpy as np
import pytest

import reluscope
from reluscope.errors import InvalidInputError, ShapeMismatchError, UnsupportedActivationError
from tests.strategies import random_network


def numpy_forward(weights, biases, slopes, X):
    """Independent reference: a plain loop over layers, written from eq. 1-3."""
    h = X
    for W, b, s in zip(weights[:-1], biases[:-1], slopes):
        z = h @ W.T + b
        h = np.where(z > 0, z, s * z)
    return h @ weights[-1].T + biases[-1]


def test_forward_matches_reference_and_links():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 4))
    for output, k in [("identity", 1), ("sigmoid", 1), ("softmax", 3), ("identity", 2)]:
        net = random_network(rng, [4, 8, 5, k], slopes=[0.0, 0.1], output=output)
        eta = numpy_forward(net.weights, net.biases, net.slopes, X)
        assert np.allclose(net.decision_function(X).reshape(50, -1), eta, rtol=0, atol=1e-12)
        f = net.forward(X).reshape(50, -1)
        if output == "sigmoid":
            assert np.allclose(f, 1 / (1 + np.exp(-eta)), atol=1e-15)
        elif output == "softmax":
            e = np.exp(eta)
            assert np.allclose(f, e / e.sum(1, keepdims=True), atol=1e-15)
        else:
            assert np.allclose(f, eta, atol=1e-12)


def test_preactivations_and_patterns_follow_strict_positive_convention():
    # a unit whose pre-activation is exactly 0 is off
    net = reluscope.from_arrays([np.array([[1.0], [-1.0]]), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    X = np.array([[0.0], [1.0], [-2.0]])
    pre = net.preactivations(X)[0]
    assert np.array_equal(pre, np.array([[0.0, 0.0], [1.0, -1.0], [-2.0, 2.0]]))
    assert np.array_equal(net.patterns(X), np.array([[False, False], [True, False], [False, True]]))
    # at the tie both neighbouring LLMs agree with f
    for p in ([False, False], [True, False], [False, True], [True, True]):
        coef, icpt = net.affine_map(np.array(p))
        assert float(coef[0] @ X[0] + icpt[0]) == pytest.approx(float(net.forward(X[:1])[0]))


def test_affine_map_equals_jacobian_by_finite_differences():
    rng = np.random.default_rng(1)
    net = random_network(rng, [3, 10, 10, 2], slopes=[0.0, 0.3])
    x = rng.normal(size=3)
    coef, icpt = net.affine_map(net.patterns(x[None])[0])
    eps = 1e-7
    J = np.stack([(net.forward((x + eps * e)[None]) - net.forward((x - eps * e)[None]))[0] / (2 * eps) for e in np.eye(3)], axis=1)
    assert np.allclose(coef, J, atol=1e-6)
    assert np.allclose(coef @ x + icpt, net.forward(x[None])[0], atol=1e-12)


def test_region_inequalities_contain_the_points_of_the_pattern():
    rng = np.random.default_rng(2)
    net = random_network(rng, [2, 6, 6, 1])
    X = rng.uniform(-2, 2, size=(2000, 2))
    P = net.patterns(X)
    p = P[0]
    A, c = net.region_inequalities(p)
    inside = (X @ A.T <= c + 1e-12).all(axis=1)
    same = (P == p).all(axis=1)
    assert np.array_equal(inside, same)


def test_network_is_immutable_and_pickles():
    rng = np.random.default_rng(3)
    net = random_network(rng, [2, 3, 1])
    with pytest.raises(AttributeError):
        net.output = "sigmoid"
    with pytest.raises(ValueError):
        net.weights[0][0, 0] = 1.0
    assert pickle.loads(pickle.dumps(net)) == net


def test_save_load_roundtrip(tmp_path):
    rng = np.random.default_rng(4)
    net = random_network(rng, [3, 4, 2], output="softmax", classes=["a", "b"])
    net2 = reluscope.ReLUNetwork.load(net.save(tmp_path / "n.npz"))
    assert net2 == net
    X = rng.normal(size=(10, 3))
    assert np.array_equal(net2.forward(X), net.forward(X))


def test_shape_errors_are_typed_and_explain():
    with pytest.raises(ShapeMismatchError, match="takes 3 inputs but layer 0 has 4"):
        reluscope.ReLUNetwork([np.ones((4, 2)), np.ones((1, 3))], [np.zeros(4), np.zeros(1)])
    with pytest.raises(ShapeMismatchError, match="one bias per layer"):
        reluscope.ReLUNetwork([np.ones((4, 2))], [])
    with pytest.raises(ShapeMismatchError, match="bias needs one entry"):
        reluscope.ReLUNetwork([np.ones((4, 2))], [np.zeros(3)])
    with pytest.raises(InvalidInputError, match="NaN"):
        reluscope.ReLUNetwork([np.full((1, 2), np.nan)], [np.zeros(1)])
    with pytest.raises(InvalidInputError, match="output="):
        reluscope.ReLUNetwork([np.ones((1, 2))], [np.zeros(1)], output="tanh")
    with pytest.raises(UnsupportedActivationError, match="tanh"):
        reluscope.from_arrays([np.ones((2, 2)), np.ones((1, 2))], [np.zeros(2), np.zeros(1)], activation="tanh")


def test_bad_X_raises_typed_errors():
    net = reluscope.from_arrays([np.ones((2, 2)), np.ones((1, 2))], [np.zeros(2), np.zeros(1)], feature_names=["a", "b"])
    import pandas as pd

    cases = [
        (np.ones(2), "must be 2-D"),
        (np.ones((0, 2)), "empty"),
        (np.array([[1.0, np.nan]]), "NaN"),
        (np.array([[1.0, np.inf]]), "NaN or infinite"),
        (np.ones((3, 3)), "3 features but the network takes 2"),
        (np.array([["a", "b"]]), "dtype"),
        (pd.DataFrame({"a": [1.0], "c": [2.0]}), "unknown \\['c'\\]"),
    ]
    for X, msg in cases:
        with pytest.raises(InvalidInputError, match=msg):
            net.forward(X)
    # same columns in another order are aligned by name
    df = pd.DataFrame({"b": [2.0], "a": [1.0]})
    assert net.forward(df)[0] == net.forward(np.array([[1.0, 2.0]]))[0]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_predict_and_predict_proba_match_sklearn():
    from sklearn.neural_network import MLPClassifier

    rng = np.random.default_rng(7)
    X = rng.normal(size=(300, 3))
    for y in (np.where(X[:, 0] > 0, "a", "b"), np.digitize(X[:, 1], [-0.5, 0.5])):
        m = MLPClassifier(hidden_layer_sizes=(8,), max_iter=300, random_state=0).fit(X, y)
        net = reluscope.from_sklearn(m)
        assert np.array_equal(net.predict(X), m.predict(X))
        assert np.allclose(net.predict_proba(X), m.predict_proba(X), atol=1e-12)
    with pytest.raises(InvalidInputError, match="classifier"):
        random_network(rng, [3, 2, 1]).predict_proba(X)


def test_identity_layers_add_no_region_constraints():
    rng = np.random.default_rng(8)
    net = random_network(rng, [2, 6, 6, 1], slopes=[0.0, 1.0])
    X = rng.uniform(-2, 2, size=(3000, 2))
    P = net.patterns(X)
    assert P[:, 6:].all()  # identity units are always reported on
    for p in np.unique(P, axis=0)[:5]:
        A, c = net.region_inequalities(p)
        assert not A[6:].any() and not c[6:].any()
        inside = (X @ A.T <= c + 1e-12).all(axis=1)
        assert np.array_equal(inside, (P == p).all(axis=1))
