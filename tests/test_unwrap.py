import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import reluscope
from reluscope import unwrap
from reluscope.errors import InvalidInputError, NotExactError
from tests.strategies import networks, random_network
from tests.test_network import numpy_forward


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(networks())
def test_llm_reproduces_output_on_random_nets(case):
    """Depth 1-5, widths 1-64, input dims 1-50, leaky slopes: each row's LLM gives the output to 1e-9 relative."""
    net, X = case
    llms = unwrap(net, X)
    eta = numpy_forward(net.weights, net.biases, net.slopes, X)  # independent forward pass
    llm = np.stack([np.einsum("nd,nd->n", X, llms.coef_3d[llms.labels_, j]) + llms.intercept_2d[llms.labels_, j] for j in range(net.n_outputs)], 1)
    scale = np.maximum(1.0, np.abs(eta))
    assert np.all(np.abs(llm - eta) <= 1e-9 * scale)
    assert llms.count_.sum() == X.shape[0]
    # rows sharing a region share the pattern; rows of different regions differ
    P = net.patterns(X)
    for r in np.unique(llms.labels_)[:5]:
        rows = P[llms.labels_ == r]
        assert (rows == rows[0]).all()
    assert len({p.tobytes() for p in P}) == llms.n_regions


def test_llm_equals_forward_product_of_theorem_1():
    """Closed form of eq. 13 written as an explicit product of matrices, per pattern."""
    rng = np.random.default_rng(0)
    net = random_network(rng, [5, 7, 6, 4, 2], slopes=[0.0, 0.1, 0.0])
    X = rng.normal(size=(200, 5))
    llms = unwrap(net, X)
    for r in range(min(llms.n_regions, 20)):
        p = llms.patterns([r])[0]
        D = [np.diag(np.where(p[s], 1.0, sl)) for s, sl in zip(net.layer_slices(), net.slopes)]
        M = net.weights[0]
        c = net.biases[0]
        for l in range(1, net.n_hidden_layers + 1):
            M = net.weights[l] @ D[l - 1] @ M
            c = net.weights[l] @ D[l - 1] @ c + net.biases[l]
        assert np.allclose(llms.coef_3d[r], M, atol=1e-12)
        assert np.allclose(llms.intercept_2d[r], c, atol=1e-12)


def _toy_network():
    """The tailor-made [2, 4] network of eq. (7), with output weights of our choice (ones)."""
    W0 = np.array([[-1.0, 1.0], [1.0, 1.0]]) / np.sqrt(2.0)
    W1 = np.array([[1, 1 / 4], [1 / 2, 1 / 3], [1 / 3, 1 / 2], [1 / 4, 1]])
    b1 = -0.3 * np.ones(4)
    return reluscope.from_arrays([W0, W1, np.ones((1, 4))], [np.zeros(2), b1, np.zeros(1)])


def test_toy_network_of_the_paper_has_22_regions():
    net = _toy_network()
    g = np.linspace(-1, 1, 1001)
    X = np.array(np.meshgrid(g, g)).reshape(2, -1).T
    llms = unwrap(net, X)
    patterns = set(llms.pattern_strings())
    assert llms.n_regions == 22
    first = [p.split(";")[0] for p in patterns]
    assert {q: first.count(q) for q in set(first)} == {"1,1": 11, "1,0": 5, "0,1": 5, "0,0": 1}
    # (1,0)-quadrant: chi = (z1, 0), node i on iff W1[i,0] z1 > 0.3, z1 up to sqrt(2): thresholds 0.3,0.6,0.9,1.2
    assert {p for p in patterns if p.startswith("1,0;")} == {"1,0;0,0,0,0", "1,0;1,0,0,0", "1,0;1,1,0,0", "1,0;1,1,1,0", "1,0;1,1,1,1"}
    assert {p for p in patterns if p.startswith("0,1;")} == {"0,1;0,0,0,0", "0,1;0,0,0,1", "0,1;0,0,1,1", "0,1;0,1,1,1", "0,1;1,1,1,1"}
    assert "1,0;0,0,1,1" not in patterns  # the paper's example of a pattern that cannot occur
    # the trivial patterns are those with a layer all off
    triv = {p for p, t in zip(llms.pattern_strings(), llms.trivial_) if t}
    assert triv == {p for p in patterns if "0,0,0,0" in p or p.startswith("0,0;")}
    # trivial regions have constant LLMs
    assert np.all(llms.coef_[llms.trivial_] == 0)


def test_region_ids_are_deterministic_and_ordered_by_count():
    rng = np.random.default_rng(1)
    net = random_network(rng, [3, 20, 20, 1])
    X = rng.normal(size=(3000, 3))
    a = unwrap(net, X)
    perm = rng.permutation(len(X))
    b = unwrap(net, X[perm])
    assert np.array_equal(a.pattern_keys_, b.pattern_keys_)
    assert np.array_equal(a.labels_[perm], b.labels_)
    assert np.all(np.diff(a.count_) <= 0)
    ties = np.flatnonzero(np.diff(a.count_) == 0)
    keys = [k.tobytes() for k in a.pattern_keys_]
    assert all(keys[i] < keys[i + 1] for i in ties)


def test_centers_counts_and_chunking():
    rng = np.random.default_rng(2)
    net = random_network(rng, [4, 16, 16, 3], output="softmax")
    X = rng.normal(size=(5000, 4))
    a = unwrap(net, X)
    b = unwrap(net, X, chunk_size=333)
    assert np.array_equal(a.labels_, b.labels_)
    assert np.allclose(a.coef_, b.coef_, rtol=0, atol=1e-12)  # GEMM blocking may differ in the last bit
    for r in [0, 1, a.n_regions - 1]:
        rows = X[a.labels_ == r]
        assert a.count_[r] == len(rows)
        assert np.allclose(a.centers_[r], rows.mean(0), atol=1e-14)
    assert a.coef_.shape == (a.n_regions, 4, 3) and a.intercept_.shape == (a.n_regions, 3)


def test_region_of_new_data_and_unseen_patterns():
    rng = np.random.default_rng(3)
    net = random_network(rng, [2, 30, 30, 1])
    X = rng.normal(size=(500, 2))
    llms = unwrap(net, X)
    assert np.array_equal(llms.region_of(X), llms.labels_)
    X_new = rng.normal(size=(2000, 2)) * 3
    ids = llms.region_of(X_new)
    known = {k.tobytes() for k in llms.pattern_keys_}
    P = np.packbits(net.patterns(X_new), axis=1)
    expected_seen = np.array([p.tobytes() in known for p in P])
    assert np.array_equal(ids >= 0, expected_seen)
    assert (~expected_seen).any() and expected_seen.any()
    seen = ids >= 0
    assert np.all(P[seen] == llms.pattern_keys_[ids[seen]])
    pred = llms.llm_decision(X_new)
    assert np.allclose(pred[seen], net.decision_function(X_new)[seen], atol=1e-12)
    assert np.isnan(pred[~seen]).all()
    assert llms.verify(X_new) < 1e-12  # verify uses each row's own pattern, seen or not


def test_verify_raises_when_tolerance_is_exceeded(monkeypatch):
    import importlib

    mod = importlib.import_module("reluscope.unwrap")

    rng = np.random.default_rng(4)
    net = random_network(rng, [2, 5, 1])
    X = rng.normal(size=(50, 2)) * 1e3
    monkeypatch.setattr(mod, "VERIFY_RTOL", -1.0)
    with pytest.raises(NotExactError, match="verify=False"):
        unwrap(net, X)
    assert unwrap(net, X, verify=False).max_error_ is None


def test_unwrap_rejects_framework_objects_and_bad_data():
    from sklearn.neural_network import MLPRegressor

    with pytest.raises(InvalidInputError, match="from_sklearn"):
        unwrap(MLPRegressor(), np.ones((2, 2)))
    net = random_network(np.random.default_rng(5), [2, 3, 1])
    with pytest.raises(InvalidInputError, match="3 rows but X has 2"):
        unwrap(net, np.ones((2, 2)), y=np.ones(3))
    with pytest.raises(InvalidInputError, match="NaN"):
        unwrap(net, np.ones((2, 2)), y=np.array([1.0, np.nan]))


def test_region_inequalities_of_unwrapped_regions_hold_for_their_rows():
    rng = np.random.default_rng(6)
    net = random_network(rng, [3, 8, 8, 1])
    X = rng.normal(size=(1000, 3))
    llms = unwrap(net, X)
    for r in range(5):
        A, c = llms.region_inequalities(r)
        assert (X[llms.labels_ == r] @ A.T <= c + 1e-12).all()
        assert not (X[llms.labels_ != r] @ A.T < c - 1e-9).all(axis=1).any()


def test_unwrapper_estimator_front_end():
    from sklearn.base import clone
    from sklearn.exceptions import NotFittedError

    from reluscope import Unwrapper

    rng = np.random.default_rng(9)
    net = random_network(rng, [2, 8, 1], output="sigmoid")
    X = rng.normal(size=(300, 2))
    y = rng.integers(0, 2, 300)
    u = Unwrapper(net, verify=True)
    with pytest.raises(NotFittedError):
        u.summary()
    assert clone(u).get_params()["network"] == net
    u.fit(X, y)
    direct = unwrap(net, X, y)
    assert np.array_equal(u.coef_, direct.coef_) and np.array_equal(u.count_, direct.count_)
    assert u.summary().equals(direct.summary())
    assert np.array_equal(u.region_of(X), direct.labels_)
