"""Pruning to the top-k LLMs (aletheia-dnn's Pruner): assignment by nearest region centre, exactness, refits."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LinearRegression, LogisticRegression

import reluscope
from reluscope.simplify.prune import PrunedModel, nearest_center, prune_llms
from tests.simplify import binary_case, regression_case
from tests.strategies import random_network


@pytest.fixture(scope="module")
def reg():
    net, X, y = regression_case(seed=3)
    return net, X, y, reluscope.unwrap(net, X, y)


@pytest.fixture(scope="module")
def binary():
    net, X, y = binary_case(seed=4)
    return net, X, y, reluscope.unwrap(net, X, y)


def _brute_nearest(points, centers):
    """Nearest centre by a Python loop over points and centres (ties: first)."""
    out = []
    for p in points:
        best, arg = np.inf, -1
        for k, c in enumerate(centers):
            dist = float(np.sqrt(((p - c) ** 2).sum()))
            if dist < best:
                best, arg = dist, k
        out.append(arg)
    return np.array(out)


@pytest.mark.parametrize("case", ["reg", "binary"])
def test_top_k_equal_to_the_regions_reproduces_the_network(case, request):
    net, X, y, llms = request.getfixturevalue(case)
    m = prune_llms(llms, llms.n_regions)
    np.testing.assert_array_equal(m.region_to_core_.to_numpy(), np.arange(llms.n_regions))
    np.testing.assert_allclose(m.decision_function(X), net.decision_function(X), rtol=1e-10, atol=1e-10)
    if case == "binary":
        np.testing.assert_allclose(m.predict_proba(X)[:, 1], net.forward(X), rtol=1e-10, atol=1e-12)
        np.testing.assert_array_equal(m.predict(X), net.predict(X))
    else:
        np.testing.assert_allclose(m.predict(X), net.forward(X), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("k", [1, 3, 7])
def test_regions_join_the_core_with_the_nearest_centre(reg, k):
    net, X, y, llms = reg
    m = PrunedModel(net, top_k=k).fit(X, y)
    expected = _brute_nearest(llms.centers_, llms.centers_[:k])
    np.testing.assert_array_equal(m.region_to_core_.to_numpy(), expected)
    # the cores are the k largest regions and keep their exact network LLM
    assert (llms.count_[:k].min() >= llms.count_[k:]).all()
    np.testing.assert_array_equal(m.coef_, llms.coef_[:k])
    np.testing.assert_array_equal(m.intercept_, llms.intercept_[:k])
    # each training row: its region's core's LLM
    core = expected[llms.labels_]
    np.testing.assert_array_equal(m.labels_, core)
    np.testing.assert_allclose(m.decision_function(X), np.einsum("nd,nd->n", X, llms.coef_[core]) + llms.intercept_[core])
    assert m.count_.sum() == X.shape[0]
    summ = m.core_summary()
    assert summ["Regions"].sum() == llms.n_regions and (summ["Count"] >= summ["Core Count"]).all()


def test_unseen_patterns_go_to_the_core_nearest_to_the_row(reg):
    net, X, y, llms = reg
    m = prune_llms(llms, 4)
    rng = np.random.default_rng(0)
    Xn = rng.normal(scale=6.0, size=(400, X.shape[1]))
    cores, seen = m.core_of(Xn, return_seen=True)
    assert (~seen).sum() > 20 and seen.sum() > 0
    np.testing.assert_array_equal(cores[~seen], _brute_nearest(Xn[~seen], m.core_centers_))
    np.testing.assert_array_equal(cores[seen], m.region_to_core_.to_numpy()[llms.region_of(Xn[seen])])
    np.testing.assert_array_equal(m.cluster_of(Xn), cores)


def test_nearest_center_blocks_agree_with_brute_force(monkeypatch):
    import reluscope.simplify.prune as prune

    rng = np.random.default_rng(1)
    P, C = rng.normal(size=(300, 3)), rng.normal(size=(7, 3))
    monkeypatch.setattr(prune, "_BLOCK", 50)  # many blocks
    np.testing.assert_array_equal(nearest_center(P, C), _brute_nearest(P, C))


def test_refit_fits_every_row_assigned_to_a_core(reg, binary):
    net, X, y, llms = reg
    m = prune_llms(llms, 3, refit_model=LinearRegression())
    for c in range(3):
        rows = m.labels_ == c
        A = np.column_stack([np.ones(rows.sum()), X[rows]])
        beta = np.linalg.lstsq(A, y[rows], rcond=None)[0]
        np.testing.assert_allclose(m.intercept_[c], beta[0], rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(m.coef_[c], beta[1:], rtol=1e-8, atol=1e-10)
    net_b, Xb, yb, llms_b = binary
    mb = prune_llms(llms_b, 2, refit_model=LogisticRegression(C=1e6, max_iter=2000))
    p = 1.0 / (1.0 + np.exp(-(np.einsum("nd,nd->n", Xb, mb.coef_[mb.labels_]) + mb.intercept_[mb.labels_])))
    np.testing.assert_allclose(mb.predict_proba(Xb)[:, 1], p, rtol=1e-10)
    assert set(mb.predict(Xb)) <= {"no", "yes"}


def test_multiclass_pruning_keeps_every_output():
    rng = np.random.default_rng(5)
    net = random_network(rng, [3, 6, 6, 3], output="softmax", classes=["a", "b", "c"])
    X = rng.normal(size=(300, 3))
    llms = reluscope.unwrap(net, X)
    m = prune_llms(llms, llms.n_regions)
    np.testing.assert_allclose(m.decision_function(X), net.decision_function(X), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(m.predict_proba(X), net.predict_proba(X), rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(m.predict(X), net.predict(X))
    assert m.coef_.shape == (llms.n_regions, 3, 3)


def test_pruned_model_clones_pickles_and_rejects_bad_input(reg):
    net, X, y, llms = reg
    m = PrunedModel(net, top_k=3).fit(X, y)
    again = pickle.loads(pickle.dumps(m))
    np.testing.assert_array_equal(again.predict(X), m.predict(X))
    c = clone(m)
    assert c.top_k == 3 and not hasattr(c, "llms_")
    with pytest.raises(ValueError, match="top_k"):
        PrunedModel(net, top_k=llms.n_regions + 1).fit(X, y)
    with pytest.raises(ValueError, match="top_k"):
        PrunedModel(net, top_k=0).fit(X, y)
    with pytest.raises(ValueError, match="ReLUNetwork"):
        PrunedModel("net").fit(X, y)
    with pytest.raises(ValueError, match="classifiers"):
        m.predict_proba(X)
    with pytest.raises(ValueError, match="unwrap"):
        prune_llms(net, 2)
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        PrunedModel(net).predict(X)
