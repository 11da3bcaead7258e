"""Diagnostics against independent calculations (Python loops, sets, scikit-learn metrics)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

import reluscope
from reluscope import diagnose
from reluscope.errors import InvalidInputError

OUTPUTS = {"regression": (1, "identity"), "binary": (1, "sigmoid"), "multiclass": (3, "softmax")}


def make_net(task="regression", d=3, hidden=(6, 5), seed=0):
    rng = np.random.default_rng(seed)
    k, out = OUTPUTS[task]
    Ws, bs, m = [], [], d
    for h in (*hidden, k):
        Ws.append(rng.normal(size=(h, m)))
        bs.append(rng.normal(scale=0.5, size=h))
        m = h
    return reluscope.from_arrays(Ws, bs, output=out)


def make_data(net, n, seed, task):
    rng = np.random.default_rng(seed + 100)
    X = rng.normal(size=(n, net.n_features))
    eta = net.decision_function(X)
    if task == "regression":
        y = np.round(eta + rng.normal(scale=0.3, size=n))  # rounding makes constant-response regions
    elif task == "binary":
        y = (eta + rng.normal(size=n) > 0).astype(int)
    else:
        y = (eta + rng.normal(size=eta.shape)).argmax(axis=1)
    return X, y


def make_llms(task="regression", d=3, n=150, seed=0, hidden=(6, 5)):
    net = make_net(task, d, hidden, seed)
    X, y = make_data(net, n, seed, task)
    return reluscope.unwrap(net, X, y)


def pattern_set(net, X):
    return {tuple(p) for p in net.patterns(X)}


# ----------------------------------------------------------- region flags
@pytest.mark.parametrize("task", ["regression", "binary", "multiclass"])
def test_region_flags_match_python_sets(task):
    llms = make_llms(task)
    flags = diagnose.region_flags(llms)
    for r in range(llms.n_regions):
        ys = llms.y_[llms.labels_ == r]
        assert flags.loc[r, "single_instance"] == (len(ys) == 1)
        assert flags.loc[r, "single_class"] == (len(set(ys.tolist())) == 1)
        assert flags.loc[r, "degenerate"] == (len(ys) == 1 or len(set(ys.tolist())) == 1)
    assert flags["single_class"].sum() > flags["single_instance"].sum()  # the set-up has both kinds
    share = np.mean([len(set(llms.y_[llms.labels_ == r].tolist())) == 1 for r in range(llms.n_regions)])
    assert diagnose.degenerate_share(llms) == pytest.approx(share)
    rows = sum((llms.labels_ == r).sum() for r in np.flatnonzero(flags["degenerate"]))
    assert diagnose.degenerate_share(llms, weighted=True) == pytest.approx(rows / len(llms.y_))


def test_region_flags_regression_uses_zero_std_and_no_response_case():
    llms = make_llms("regression")
    summ = llms.summary()
    flags = diagnose.region_flags(llms)
    std0 = (summ["Response Std"] == 0) | (summ["Count"] == 1)
    np.testing.assert_array_equal(flags["single_class"], std0)
    no_y = reluscope.unwrap(llms.network, llms.X_)
    f2 = diagnose.region_flags(no_y)
    np.testing.assert_array_equal(f2["degenerate"], no_y.count_ == 1)


# -------------------------------------------------------------- polar
@pytest.mark.parametrize("d", [1, 2, 6])
def test_polar_radius_is_count_and_direction_is_unit(d):
    llms = make_llms("binary", d=d, seed=d)
    polar = diagnose.polar_coordinates(llms)
    np.testing.assert_array_equal(polar.radius, np.bincount(llms.labels_))
    norms = np.linalg.norm(polar.direction, axis=1)
    defined = ~np.isnan(polar.angle)
    np.testing.assert_allclose(norms[defined], 1.0, rtol=1e-14)
    assert (norms[~defined] == 0).all()
    np.testing.assert_allclose(np.cos(polar.angle[defined]), polar.direction[defined, 0], atol=1e-12)
    np.testing.assert_allclose(np.sin(polar.angle[defined]), polar.direction[defined, 1], atol=1e-12)
    np.testing.assert_array_equal(polar.degenerate, diagnose.region_flags(llms)["degenerate"])
    W = llms.coef_
    if d == 1:
        np.testing.assert_array_equal(polar.angle[W[:, 0] > 0], 0.0)
        np.testing.assert_allclose(polar.angle[W[:, 0] < 0], np.pi)
        assert np.isnan(polar.angle[W[:, 0] == 0]).all()
    elif d == 2:
        ok = np.linalg.norm(W, axis=1) > 0
        np.testing.assert_allclose(polar.direction[ok], W[ok] / np.linalg.norm(W[ok], axis=1)[:, None], rtol=1e-14)
    else:
        # independent PCA: SVD of the centred coefficients; scores agree up to each axis' sign
        Wc = W - W.mean(axis=0)
        U, S, _ = np.linalg.svd(Wc, full_matrices=False)
        scores = U[:, :2] * S[:2]
        for j in range(2):
            sign = np.sign(scores[:, j] @ polar.components[:, j])
            np.testing.assert_allclose(polar.components[:, j], sign * scores[:, j], atol=1e-10)
        np.testing.assert_allclose(polar.explained_variance_ratio, S[:2] ** 2 / (S**2).sum(), rtol=1e-10)
        assert polar.method == "pca"


# ------------------------------------------------------ local vs global
def test_local_vs_global_regression_against_direct_mse():
    llms = make_llms("regression", d=3, n=200, seed=8)
    df = diagnose.local_vs_global(llms, top_k=6, mse_ratio=0.5)
    X, y = llms.X_, llms.y_
    thr = 0.5 * np.var(y)
    assert df.attrs["threshold"] == pytest.approx(thr)
    labels = {(True, False): "poor", (True, True): "good", (False, True): "extraordinary", (False, False): "poor both"}
    for r in df.index:
        rows = llms.labels_ == r
        local = np.mean((y[rows] - llms.network.decision_function(X[rows])) ** 2)
        glob = np.mean((y - (X @ llms.coef_[r] + llms.intercept_[r])) ** 2)
        assert df.loc[r, "Local MSE"] == pytest.approx(local, rel=1e-9)
        assert df.loc[r, "Global MSE"] == pytest.approx(glob, rel=1e-9)
        assert df.loc[r, "Extrapolation"] == labels[(local <= thr, glob <= thr)]
    assert list(df.index) == list(range(6)) and (np.diff(df["Count"]) <= 0).all()


def test_local_vs_global_binary_against_sklearn_auc():
    llms = make_llms("binary", d=2, n=300, hidden=(4, 3), seed=9)
    df = diagnose.local_vs_global(llms, top_k=4, auc_threshold=0.75)
    X, y = llms.X_, llms.y_
    for r in df.index:
        rows = llms.labels_ == r
        glob = roc_auc_score(y, X @ llms.coef_[r] + llms.intercept_[r])
        assert df.loc[r, "Global AUC"] == pytest.approx(glob, rel=1e-12)
        if len(set(y[rows])) == 2:
            local = roc_auc_score(y[rows], llms.decision_[rows, 0])
            assert df.loc[r, "Local AUC"] == pytest.approx(local, rel=1e-12)
            good = (local >= 0.75, glob >= 0.75)
            expected = {(True, False): "poor", (True, True): "good", (False, True): "extraordinary", (False, False): "poor both"}[good]
            assert df.loc[r, "Extrapolation"] == expected
        else:
            assert np.isnan(df.loc[r, "Local AUC"]) and df.loc[r, "Extrapolation"] == "undefined"
    assert set(df["Extrapolation"]) - {"undefined"}  # at least one labelled region


def test_local_vs_global_needs_response():
    llms = reluscope.unwrap(make_net(), np.random.default_rng(0).normal(size=(20, 3)))
    with pytest.raises(InvalidInputError, match="response"):
        diagnose.local_vs_global(llms)


# ------------------------------------------------------ pattern overlap
@pytest.mark.parametrize("task", ["regression", "binary", "multiclass"])
def test_pattern_overlap_matches_python_sets(task):
    net = make_net(task, d=3, seed=11)
    X, y = make_data(net, 120, 11, task)
    Xt, yt = make_data(net, 80, 12, task)
    Xt = Xt * 1.8  # spread: some test rows leave the training regions
    llms = reluscope.unwrap(net, X, y)
    ov = diagnose.pattern_overlap(llms, Xt, yt)
    P_train, P_test = pattern_set(net, X), pattern_set(net, Xt)
    assert ov.n_train_patterns == len(P_train) and ov.n_test_patterns == len(P_test)
    assert ov.n_shared == len(P_train & P_test)
    assert ov.n_test_only == len(P_test - P_train) and ov.n_train_only == len(P_train - P_test)
    unseen = np.array([tuple(p) not in P_train for p in net.patterns(Xt)])
    assert 0 < unseen.mean() < 1
    assert ov.unseen_row_share == pytest.approx(unseen.mean())
    np.testing.assert_array_equal(ov.test_region, llms.region_of(Xt))
    eta = net.decision_function(Xt)
    if task == "regression":
        assert ov.metric == "MSE"
        assert ov.metric_seen == pytest.approx(np.mean((yt[~unseen] - eta[~unseen]) ** 2))
        assert ov.metric_unseen == pytest.approx(np.mean((yt[unseen] - eta[unseen]) ** 2))
    elif task == "binary":
        assert ov.metric_seen == pytest.approx(roc_auc_score(yt[~unseen], eta[~unseen]))
    else:
        assert ov.metric_unseen == pytest.approx(np.mean(eta[unseen].argmax(axis=1) == yt[unseen]))


# ----------------------------------------------------------- region map
def test_region_map_agrees_with_region_of_and_patterns():
    llms = make_llms("binary", d=2, n=100, hidden=(5, 4), seed=13)
    rm = diagnose.region_map_2d(llms, resolution=40, padding=0.5)
    lo, hi = llms.X_.min(axis=0), llms.X_.max(axis=0)
    assert rm.bounds[0] == pytest.approx((lo[0] - 0.5 * (hi[0] - lo[0]), hi[0] + 0.5 * (hi[0] - lo[0])))
    XX, YY = np.meshgrid(rm.x_grid, rm.y_grid)
    pts = np.column_stack([XX.ravel(), YY.ravel()])
    np.testing.assert_array_equal(rm.region_id.ravel(), llms.region_of(pts))
    np.testing.assert_allclose(rm.decision[..., 0].ravel(), llms.network.decision_function(pts), atol=1e-12)
    pats = [tuple(p) for p in llms.network.patterns(pts)]
    unseen_ids = {}
    for p, rid, uid in zip(pats, rm.region_id.ravel(), rm.unseen_id.ravel()):
        assert (rid < 0) == (uid >= 0)
        if uid >= 0:
            unseen_ids.setdefault(p, set()).add(int(uid))
    assert all(len(v) == 1 for v in unseen_ids.values())  # one id per unseen pattern
    assert sorted(min(v) for v in unseen_ids.values()) == list(range(len(unseen_ids)))  # distinct ids 0..U-1
    assert rm.n_unseen_patterns == len(unseen_ids) > 0
    P = llms.network.patterns(pts).reshape(*rm.region_id.shape, -1)
    right = np.zeros(rm.region_id.shape, bool)
    right[:, :-1] = (P[:, :-1] != P[:, 1:]).any(axis=2)
    up = np.zeros(rm.region_id.shape, bool)
    up[:-1] = (P[:-1] != P[1:]).any(axis=2)
    np.testing.assert_array_equal(rm.boundary, right | up)
    assert rm.boundary.any()


def test_region_map_bounds_and_dimension_checks():
    llms = make_llms("regression", d=2, n=50)
    rm = diagnose.region_map_2d(llms, resolution=5, bounds=((-1, 1), (0, 2)))
    np.testing.assert_array_equal(rm.x_grid, np.linspace(-1, 1, 5))
    np.testing.assert_array_equal(rm.y_grid, np.linspace(0, 2, 5))
    with pytest.raises(InvalidInputError, match="bounds"):
        diagnose.region_map_2d(llms, bounds=((1, -1), (0, 2)))
    with pytest.raises(InvalidInputError, match="exactly 2 input features"):
        diagnose.region_map_2d(make_llms("regression", d=3, n=50))


def test_single_region_network_diagnostics():
    # zero hidden weights, positive biases: every unit is always on, one region
    net = reluscope.from_arrays([np.zeros((3, 2)), np.ones((1, 3))], [np.ones(3), np.zeros(1)], output="sigmoid")
    X = np.random.default_rng(0).normal(size=(30, 2))
    y = (X[:, 0] > 0).astype(int)
    llms = reluscope.unwrap(net, X, y)
    assert llms.n_regions == 1
    assert diagnose.degenerate_share(llms) == 0.0
    polar = diagnose.polar_coordinates(llms)
    assert polar.radius[0] == 30 and np.isnan(polar.angle[0])  # constant LLM: no direction
    rm = diagnose.region_map_2d(llms, resolution=10)
    assert (rm.region_id == 0).all() and rm.n_unseen_patterns == 0 and not rm.boundary.any()
