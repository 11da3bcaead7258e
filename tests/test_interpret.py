"""Interpretation views against independent calculations on small random networks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import gaussian_kde

import reluscope
from reluscope import interpret
from reluscope.errors import FeatureMismatchError, InvalidInputError

OUTPUTS = {"regression": (1, "identity"), "binary": (1, "sigmoid"), "multiclass": (3, "softmax")}


def make_llms(task="regression", d=3, n=150, hidden=(6, 5), seed=0, frame=False):
    """A random ReLU net, data and its unwrap result; y from the net plus noise."""
    rng = np.random.default_rng(seed)
    k, out = OUTPUTS[task]
    Ws, bs, m = [], [], d
    for h in (*hidden, k):
        Ws.append(rng.normal(size=(h, m)))
        bs.append(rng.normal(scale=0.5, size=h))
        m = h
    net = reluscope.from_arrays(Ws, bs, output=out)
    X = rng.normal(size=(n, d))
    eta = net.decision_function(X)
    if task == "regression":
        y = eta + rng.normal(scale=0.3, size=n)
    elif task == "binary":
        y = (eta + rng.normal(scale=1.0, size=n) > 0).astype(int)
    else:
        y = (eta + rng.normal(scale=1.0, size=eta.shape)).argmax(axis=1)
    if frame:
        X = pd.DataFrame(X, columns=[f"f{j}" for j in range(d)])
    return reluscope.unwrap(net, X, y)


def region_rows(llms, r):
    return llms.X_[llms.labels_ == r]


# ------------------------------------------------------------ importance
@pytest.mark.parametrize("task,output", [("regression", 0), ("binary", 0), ("multiclass", 2)])
def test_joint_importance_matches_loop_over_regions(task, output):
    llms = make_llms(task, d=4)
    num = {"Intercept": 0.0, **{f: 0.0 for f in llms.feature_names_}}
    for r in range(llms.n_regions):
        c = int((llms.labels_ == r).sum())  # count from the labels, not count_
        w, b = llms.network.affine_map(llms.network.patterns(region_rows(llms, r)[:1])[0])
        num["Intercept"] += c * b[output] ** 2
        for j, f in enumerate(llms.feature_names_):
            num[f] += c * w[output, j] ** 2
    T = sum(num.values())
    ji = interpret.joint_importance(llms, output=output)
    assert list(ji.columns) == ["Feature", "Importance"]
    assert set(ji["Feature"]) == set(num)
    for f, v in zip(ji["Feature"], ji["Importance"]):
        assert v == pytest.approx(num[f] / T, rel=1e-12, abs=1e-15)
    assert ji["Importance"].sum() == pytest.approx(1.0, abs=1e-12)
    assert (np.diff(ji["Importance"].to_numpy()) <= 0).all()


def test_squared_coefficient_importance_is_unweighted_sum_of_squares():
    llms = make_llms("regression", d=3, seed=3)
    coef = [llms.network.affine_map(llms.network.patterns(region_rows(llms, r)[:1])[0])[0][0] for r in range(llms.n_regions)]
    sq = np.sum(np.square(coef), axis=0)
    fi = interpret.squared_coefficient_importance(llms).set_index("Feature")["Importance"]
    assert "Intercept" not in fi.index
    for j, f in enumerate(llms.feature_names_):
        assert fi[f] == pytest.approx(sq[j] / sq.sum(), rel=1e-12)
    with_b = interpret.squared_coefficient_importance(llms, include_intercept=True)
    assert "Intercept" in set(with_b["Feature"]) and with_b["Importance"].sum() == pytest.approx(1.0)
    # unweighted: differs from eq. 18 as soon as counts differ
    ji = interpret.joint_importance(llms).set_index("Feature")["Importance"]
    assert not np.allclose(with_b.set_index("Feature")["Importance"][ji.index], ji)


def test_squared_importance_without_degenerate_regions():
    llms = make_llms("binary", d=3, seed=4)
    keep = [r for r in range(llms.n_regions) if len(set(llms.y_[llms.labels_ == r])) > 1]
    assert 0 < len(keep) < llms.n_regions
    sq = (llms.coef_[keep] ** 2).sum(axis=0)
    fi = interpret.squared_coefficient_importance(llms, exclude_degenerate=True).set_index("Feature")["Importance"]
    np.testing.assert_allclose(fi[list(llms.feature_names_)], sq / sq.sum(), rtol=1e-12)


# ---------------------------------------------------------------- profile
@pytest.mark.parametrize("task,d", [("regression", 3), ("binary", 2), ("multiclass", 4)])
def test_profile_segments_span_region_data_and_are_centred(task, d):
    llms = make_llms(task, d=d, frame=True)
    prof = interpret.local_profile(llms, "f1", top_k=7, output=llms.n_outputs - 1)
    assert prof.feature == "f1" and prof.feature_index == 1
    order = np.argsort(-np.bincount(llms.labels_), kind="stable")[:7]
    np.testing.assert_array_equal(np.sort(prof.counts)[::-1], np.bincount(llms.labels_)[order])
    for i, r in enumerate(prof.regions):
        vals = region_rows(llms, r)[:, 1]
        assert prof.x_min[i] == vals.min() and prof.x_max[i] == vals.max()
        w = llms.network.affine_map(llms.network.patterns(region_rows(llms, r)[:1])[0])[0][-1, 1]
        # eq. 17: w x - mean_i(w x_i) evaluated at the ends
        assert prof.y_start[i] == pytest.approx(w * vals.min() - np.mean(w * vals), abs=1e-12)
        assert prof.y_end[i] == pytest.approx(w * vals.max() - np.mean(w * vals), abs=1e-12)
        if vals.size > 1 and vals.min() < vals.max():
            ref = gaussian_kde(vals)(prof.grid)
            np.testing.assert_allclose(prof.density[i], ref / ref.max(), rtol=1e-10)
            assert not prof.point_mass[i]
        else:
            assert prof.point_mass[i]
            assert prof.grid[np.argmax(prof.density[i])] == prof.grid[np.argmin(np.abs(prof.grid - vals[0]))]
            assert prof.density[i].sum() == 1.0
    assert prof.curve_x is None


def test_profile_handles_single_row_and_zero_variance_regions():
    llms = make_llms("regression", d=2, n=40, hidden=(12, 12), seed=5)
    singles = np.flatnonzero(llms.count_ == 1)
    assert singles.size  # the set-up must have one-row regions
    prof = interpret.local_profile(llms, 0, top_k=None)
    assert prof.regions.size == llms.n_regions
    assert prof.point_mass[singles].all()
    assert np.isfinite(prof.density).all()
    np.testing.assert_allclose(prof.density.max(axis=1), 1.0)
    # three copies of one far point: a region with three rows and no spread
    X = np.vstack([llms.X_, np.tile([[30.0, -30.0]], (3, 1))])
    again = reluscope.unwrap(llms.network, X, np.r_[llms.y_, 0.0, 0.0, 0.0])
    r = again.labels_[-1]
    assert again.count_[r] == 3
    prof = interpret.local_profile(again, 1, top_k=None)
    i = int(np.flatnonzero(prof.regions == r)[0])
    assert prof.point_mass[i] and prof.x_min[i] == prof.x_max[i] == -30.0
    assert prof.y_start[i] == prof.y_end[i] == 0.0
    assert prof.density[i, 0] == 1.0 and prof.density[i].sum() == 1.0  # -30 is the grid's lower end


def test_profile_curve_of_one_feature_net_is_the_network():
    llms = make_llms("regression", d=1, n=200, hidden=(8, 8), seed=1)
    prof = interpret.local_profile(llms, "x1", top_k=5)
    net_y = llms.network.decision_function(prof.curve_x[:, None])
    np.testing.assert_allclose(prof.curve_decision, net_y, rtol=0, atol=1e-12)
    shown = np.isin(llms.region_of(prof.curve_x[:, None]), prof.regions)
    assert np.isnan(prof.curve_llm[~shown]).all()
    np.testing.assert_allclose(prof.curve_llm[shown], net_y[shown], atol=1e-10)
    # in one dimension a region is an interval: its grid points are contiguous
    for r in prof.regions:
        idx = np.flatnonzero(prof.curve_region == r)
        if idx.size:
            assert (np.diff(idx) == 1).all()


def test_profile_rejects_unknown_feature():
    llms = make_llms("regression", d=2, frame=True)
    with pytest.raises(FeatureMismatchError, match="Unknown feature 'nope'"):
        interpret.local_profile(llms, "nope")
    with pytest.raises(FeatureMismatchError):
        interpret.local_profile(llms, 5)
    with pytest.raises(InvalidInputError):
        interpret.local_profile(llms, "f0", output=1)


# ------------------------------------------------------- parallel coords
def test_parallel_coordinates_excludes_degenerate_and_orders_by_importance():
    llms = make_llms("binary", d=6, seed=2)
    pc = interpret.parallel_coordinates(llms, top_features=4)
    degenerate = [r for r in range(llms.n_regions) if (llms.labels_ == r).sum() == 1 or len(set(llms.y_[llms.labels_ == r])) == 1]
    np.testing.assert_array_equal(pc.excluded_regions, degenerate)
    np.testing.assert_array_equal(pc.regions, [r for r in range(llms.n_regions) if r not in degenerate])
    ji = interpret.joint_importance(llms)
    assert pc.features == [f for f in ji["Feature"] if f != "Intercept"][:4]
    cols = [llms.feature_names_.index(f) for f in pc.features]
    np.testing.assert_array_equal(pc.coefficients.to_numpy(), llms.coef_[np.ix_(pc.regions, cols)])
    full = interpret.parallel_coordinates(llms, include_intercept=True, exclude_degenerate=False, max_regions=3)
    assert full.features[0] == "Intercept" and list(full.regions) == [0, 1, 2]
    np.testing.assert_array_equal(full.coefficients["Intercept"], llms.intercept_[:3])


# ----------------------------------------------------------- local view
@pytest.mark.parametrize("task", ["regression", "binary", "multiclass"])
@pytest.mark.parametrize("centered", [False, True])
def test_explanation_adds_up_to_network_output(task, centered):
    llms = make_llms(task, d=5, frame=True)
    out = llms.n_outputs - 1
    X = pd.DataFrame(llms.X_, columns=llms.feature_names_)
    for i in (0, 7, 42):
        e = interpret.explain_instance(llms, X.iloc[i], centered=centered, output=out)
        eta = llms.network.decision_function(X.iloc[[i]]).reshape(1, -1)[0, out]
        scale = max(1.0, np.abs(e.coef * e.x).sum() + abs(e.intercept))
        start = e.baseline if centered else e.intercept
        assert abs(start + e.contributions.sum() - eta) <= 1e-12 * scale
        assert e.decision == pytest.approx(eta, abs=1e-12 * scale)
        assert e.region == llms.labels_[i] and e.count == (llms.labels_ == e.region).sum()
        prob = llms.network.forward(X.iloc[[i]]).reshape(1, -1)[0, out]
        assert e.prediction == pytest.approx(prob, rel=1e-12)
        if centered:
            mean = llms.X_.mean(axis=0)
            np.testing.assert_allclose(e.contributions, e.coef * (e.x - mean), rtol=1e-14)
            assert e.baseline == pytest.approx(float(e.coef @ mean) + e.intercept, rel=1e-12, abs=1e-12)
        else:
            np.testing.assert_array_equal(e.contributions, e.coef * e.x)


def test_explanation_accepts_array_series_and_frame_alike():
    llms = make_llms("binary", d=3, frame=True)
    X = pd.DataFrame(llms.X_, columns=llms.feature_names_)
    a = interpret.explain_instance(llms, llms.X_[3])
    b = interpret.explain_instance(llms, X.iloc[3])
    c = interpret.explain_instance(llms, X.iloc[[3]][["f2", "f0", "f1"]])  # re-ordered by name
    for e in (b, c):
        np.testing.assert_array_equal(e.contributions, a.contributions)
        assert e.region == a.region
    with pytest.raises(InvalidInputError, match="one row"):
        interpret.explain_instance(llms, llms.X_[:2])


def test_explanation_of_unseen_pattern_uses_network_affine_map():
    llms = make_llms("regression", d=3, seed=6)
    far = np.array([40.0, -35.0, 25.0])
    assert llms.region_of(far[None])[0] == -1
    e = interpret.explain_instance(llms, far, centered=True)
    assert e.region == -1 and e.count == 0 and not e.seen
    eta = float(llms.network.decision_function(far[None])[0])
    assert abs(e.baseline + e.contributions.sum() - eta) <= 1e-12 * max(1.0, np.abs(e.coef * far).sum())
    # the LLM is that of the point's own pattern: a finite difference reproduces it
    h = 1e-6
    fd = [(llms.network.decision_function((far + h * np.eye(3)[j])[None])[0] - eta) / h for j in range(3)]
    np.testing.assert_allclose(e.coef, fd, rtol=1e-5)


# --------------------------------------------------------------- 2-D field
@pytest.mark.parametrize("task", ["regression", "binary"])
def test_llm_field_lines_lie_on_llm_level_sets(task):
    llms = make_llms(task, d=2, seed=7)
    f = interpret.llm_field_2d(llms, segment_length=0.3)
    ok = np.abs(llms.coef_).sum(axis=1) > 0
    # constant LLMs (trivial regions, w = 0) have no line
    assert np.isnan(f.line_start[~ok]).all() and np.isfinite(f.line_start[ok]).all()
    w, b, c = llms.coef_[ok], llms.intercept_[ok], llms.centers_[ok]
    for p in (f.line_start[ok], f.line_end[ok]):
        val = np.einsum("rd,rd->r", w, p) + b
        target = 0.0 if task == "binary" else np.einsum("rd,rd->r", w, c) + b
        np.testing.assert_allclose(val, target, atol=1e-10)
    np.testing.assert_allclose(np.linalg.norm(f.line_end - f.line_start, axis=1)[ok], 0.3, rtol=1e-12)
    mid = (f.line_start[ok] + f.line_end[ok]) / 2
    # the midpoint is the orthogonal projection of the centre: their difference is parallel to w
    diff = mid - c
    np.testing.assert_allclose(diff[:, 0] * w[:, 1] - diff[:, 1] * w[:, 0], 0.0, atol=1e-10)
    if task == "regression":
        np.testing.assert_allclose(mid, c, atol=1e-12)


@pytest.mark.parametrize("d", [1, 3])
def test_two_feature_views_refuse_other_dimensions(d):
    llms = make_llms("binary", d=d)
    with pytest.raises(InvalidInputError, match="exactly 2 input features"):
        interpret.llm_field_2d(llms)


def test_views_refuse_non_unwrap_input():
    with pytest.raises(InvalidInputError, match="reluscope.unwrap"):
        interpret.joint_importance(np.zeros((3, 3)))
