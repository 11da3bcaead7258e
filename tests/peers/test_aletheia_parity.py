"""reluscope vs aletheia-dnn (the unwrapping paper's own package) on the same weights and data.

aletheia-dnn ships CPython 3.7-3.10 wheels only, so it runs as a subprocess in
its own interpreter (``benchmarks/peers/aletheia_worker.py``).  Looked up in
``$RELUSCOPE_ALETHEIA_PYTHON``, ``benchmarks/.venvs/aletheia/bin/python``,
``/work/peers/aletheia/bin/python``; the tests skip when none imports aletheia
(make one with ``python benchmarks/unwrap_vs_aletheia.py --sizes 2000``).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import reluscope

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import _peers  # noqa: E402

pytestmark = pytest.mark.peers

CASES = {
    # name: (task, rows, hidden); regions of the [6, 6] net hold 50-170 rows, the [40]*4 one has one row each
    "classifier_cocircles_40x4": ("classifier", 2000, [40] * 4),
    "regressor_35f_6x2": ("regressor", 2000, [6, 6]),
    "regressor_35f_40x4": ("regressor", 500, [40] * 4),
}


@pytest.fixture(scope="module")
def aletheia_python():
    for py in _peers.aletheia_candidates():
        if _peers.has_aletheia(py):
            return py
    pytest.skip(
        "aletheia-dnn not found: set RELUSCOPE_ALETHEIA_PYTHON to a CPython 3.10 with aletheia-dnn, or create "
        "benchmarks/.venvs/aletheia (python benchmarks/unwrap_vs_aletheia.py --sizes 2000 does it)."
    )


def _train(task: str, n: int, hidden):
    from sklearn.datasets import make_circles, make_regression
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    if task == "classifier":
        X, y = make_circles(n, noise=0.1, random_state=0)
        est = MLPClassifier(hidden_layer_sizes=hidden, max_iter=300, random_state=0)
    else:
        X, y = make_regression(n, n_features=35, n_informative=10, noise=10.0, random_state=0)
        y = y / y.std()
        est = MLPRegressor(hidden_layer_sizes=hidden, max_iter=300, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    return X, y, est


@pytest.fixture(scope="module", params=list(CASES))
def pair(request, aletheia_python, tmp_path_factory):
    """(aletheia fit arrays, aletheia summary arrays, reluscope LLMs, reluscope summary, X, y, perm)."""
    task, n, hidden = CASES[request.param]
    X, y, est = _train(task, n, hidden)
    tmp = tmp_path_factory.mktemp(request.param)
    case = _peers.save_case(tmp / "case.npz", X, y, est.coefs_, est.intercepts_, task=task)
    report = _peers.run_worker(aletheia_python, _peers.ALETHEIA_WORKER, [case, "--steps", "fit,summary", "--repeats", 1],
                               out=tmp / "al", timeout_s=120, mem_gib=8)
    assert report["steps"]["summary"]["status"] == "ok", report.get("stderr_tail")
    a_fit, a_sum = dict(np.load(tmp / "al_fit.npz")), dict(np.load(tmp / "al_summary.npz"))
    llms = reluscope.unwrap(reluscope.from_sklearn(est), X, y, progress=False)
    r_sum = llms.summary(global_metrics="all", progress=False)
    identical, perm = _peers.match_partition(a_fit["labels"], llms.labels_)
    assert identical, "aletheia and reluscope split the rows into different regions"
    return a_fit, a_sum, llms, r_sum, X, y, perm


def _aligned(a_sum: dict, column: str, perm: np.ndarray) -> np.ndarray:
    pos = np.empty(a_sum["index"].max() + 1, np.int64)
    pos[a_sum["index"]] = np.arange(a_sum["index"].size)
    return a_sum[column.replace(" ", "_")][pos[perm]]


def test_same_partition_of_rows_and_region_count(pair):
    a_fit, _, llms, _, X, _, perm = pair
    assert a_fit["count"].size == llms.n_regions
    np.testing.assert_array_equal(a_fit["labels"][np.arange(X.shape[0])], perm[llms.labels_])


def test_llm_coefficients_and_intercepts_agree(pair):
    a_fit, _, llms, _, _, _, perm = pair
    scale = max(1.0, float(np.abs(llms.coef_).max()), float(np.abs(llms.intercept_).max()))
    np.testing.assert_allclose(llms.coef_, a_fit["coef"][perm], rtol=0, atol=1e-10 * scale)
    np.testing.assert_allclose(llms.intercept_, a_fit["intercept"][perm], rtol=0, atol=1e-10 * scale)
    np.testing.assert_allclose(llms.centers_, a_fit["centers"][perm], rtol=0, atol=1e-12)


def test_regions_sorted_by_count_in_both_and_ids_differ_only_within_ties(pair):
    a_fit, _, llms, _, _, _, perm = pair
    assert np.all(np.diff(a_fit["count"]) <= 0) and np.all(np.diff(llms.count_) <= 0)
    np.testing.assert_array_equal(a_fit["count"][perm], llms.count_)


@pytest.mark.parametrize("column", ["Count", "Response Mean", "Response Std", "Local AUC", "Local MSE"])
def test_local_summary_columns_agree(pair, column):
    _, a_sum, _, r_sum, _, _, perm = pair
    if column not in r_sum:
        assert column.replace(" ", "_") not in a_sum
        return
    np.testing.assert_allclose(r_sum[column].to_numpy(np.float64), _aligned(a_sum, column, perm), rtol=0, atol=1e-10,
                               equal_nan=True)


def test_global_mse_agrees(pair):
    _, a_sum, _, r_sum, _, _, perm = pair
    if "Global MSE" not in r_sum:
        pytest.skip("classifier: Global AUC instead")
    np.testing.assert_allclose(r_sum["Global MSE"].to_numpy(np.float64), _aligned(a_sum, "Global MSE", perm), rtol=1e-10)


def test_global_auc_difference_is_the_link_saturation(pair):
    """reluscope: AUC of the raw LLM score; aletheia: AUC of the float64 sigmoid, which ties distinct
    scores where it runs out of resolution near 0 and 1 (and at exactly 1.0 above ~36.7)."""
    from sklearn.metrics import roc_auc_score

    _, a_sum, llms, r_sum, X, y, perm = pair
    if "Global AUC" not in r_sum:
        pytest.skip("regressor: Global MSE instead")
    a_auc, r_auc = _aligned(a_sum, "Global AUC", perm), r_sum["Global AUC"].to_numpy(np.float64)
    for r in range(0, llms.n_regions, 7):
        score = X @ llms.coef_[r] + llms.intercept_[r]
        with np.errstate(over="ignore"):
            prob = 1.0 / (1.0 + np.exp(-score))
        assert r_auc[r] == pytest.approx(roc_auc_score(y, score), abs=1e-12)
        assert a_auc[r] == pytest.approx(roc_auc_score(y, prob), abs=1e-12)
        if np.unique(prob).size == np.unique(score).size:  # the float64 sigmoid made no new ties: same AUC
            assert a_auc[r] == pytest.approx(r_auc[r], abs=1e-12)


def test_global_auc_on_probability_is_aletheias(pair):
    """``summary(global_auc_on='probability')`` scores the float64 sigmoid, as aletheia does (the paper's Figure 10)."""
    _, a_sum, llms, _, _, _, perm = pair
    if llms.network.task != "binary":
        pytest.skip("regressor: Global MSE instead")
    r_auc = llms.summary(global_metrics="all", global_auc_on="probability", progress=False)["Global AUC"].to_numpy(np.float64)
    np.testing.assert_allclose(r_auc, _aligned(a_sum, "Global AUC", perm), rtol=0, atol=1e-12)
