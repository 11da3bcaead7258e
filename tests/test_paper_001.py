"""The unwrapping paper's printed numbers (``001``: Table 1, Figures 10-12, Table 2) through the public API.

The network is trained by the paper's recipe (the authors' notebook
``examples/CoCircles.ipynb``): scikit-learn ``MLPClassifier([40]*4,
max_iter=2000, early_stopping=True, validation_fraction=0.2,
n_iter_no_change=100, random_state=0)`` on ``make_circles(2000, noise=0.1,
random_state=0)`` split by ``train_test_split(test_size=0.2, random_state=0)``;
about a second.  ``benchmarks/paper_001.py`` runs the rest (ChirpWave,
BostonHouse, Figures 16/19).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_circles
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import PredefinedSplit, train_test_split
from sklearn.neural_network import MLPClassifier

import reluscope
from reluscope.datasets import make_chirpwave
from reluscope.simplify import merge_llms

#: Figure 10 of ``001``: Count, Response Mean, Response Std, Local AUC, Global AUC of regions 0-4.
FIGURE10_HEAD = np.array(
    [
        [62, 0.532258, 0.498958, 0.736677, 0.497650],
        [60, 0.600000, 0.489898, 0.915509, 0.496326],
        [52, 0.480769, 0.499630, 0.828148, 0.502093],
        [31, 0.516129, 0.499740, 0.800000, 0.496405],
        [29, 0.655172, 0.475312, 0.810526, 0.504409],
    ]
)
#: Table 2 of ``001``: coef, std_err, z, p-value, [0.025, 0.975] of intercept, x1, x2 in its regions 1 and 2.
TABLE2 = {
    0: [[5.3201, 0.9076, 5.8616, 0.0, 3.5412, 7.0990], [4.3638, 0.7963, 5.4802, 0.0, 2.8031, 5.9245], [4.1135, 0.8906, 4.6188, 0.0, 2.3679, 5.8590]],
    1: [[5.5461, 0.8524, 6.5064, 0.0, 3.8754, 7.2168], [4.4345, 0.9225, 4.8069, 0.0, 2.6264, 6.2426], [-3.4950, 0.9619, -3.6335, 0.0003, -5.3802, -1.6098]],
}


@pytest.fixture(scope="module")
def cocircles():
    X, y = make_circles(n_samples=2000, noise=0.1, random_state=0)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=0)
    mlp = MLPClassifier(
        hidden_layer_sizes=[40] * 4, max_iter=2000, early_stopping=True, validation_fraction=0.2, n_iter_no_change=100, random_state=0
    ).fit(Xtr, ytr)
    return mlp, Xtr, Xte, ytr, yte, reluscope.unwrap(reluscope.from_sklearn(mlp), Xtr, ytr)


def test_table1_cocircles_row(cocircles):
    mlp, Xtr, Xte, ytr, yte, llms = cocircles
    assert llms.n_regions == 530
    assert round(roc_auc_score(ytr, mlp.predict_proba(Xtr)[:, 1]), 4) == 0.9215
    assert round(roc_auc_score(yte, mlp.predict_proba(Xte)[:, 1]), 4) == 0.9320


def test_figure10_head_and_figure12_share(cocircles):
    llms = cocircles[-1]
    table = llms.summary(ddof=0, global_auc_on="probability")
    head = table[["Count", "Response Mean", "Response Std", "Local AUC", "Global AUC"]].head(5).to_numpy(float)
    np.testing.assert_array_equal(np.round(head, 6), FIGURE10_HEAD)
    # Figure 12: 84.9% of the regions have Response Std = 0 (single-instance or single-class)
    assert round(float((table["Response Std"] == 0).mean()), 3) == 0.849
    # the defaults differ exactly where the README says: sample std, Global AUC of the logit
    default = llms.summary().head(5)
    n = default["Count"].to_numpy(float)
    np.testing.assert_allclose(default["Response Std"], head[:, 2] * np.sqrt(n / (n - 1)), atol=1e-6)
    np.testing.assert_array_equal(default["Local AUC"].round(6), FIGURE10_HEAD[:, 3])


def test_table2_with_the_papers_options(cocircles):
    """Merging as the paper's code: hold-out K, tau = 30, T = 5, LogisticRegression(), centroid absorption; Wald at that estimate."""
    mlp, Xtr, Xte, ytr, yte, llms = cocircles
    idx1, _ = train_test_split(np.arange(len(ytr)), test_size=0.2, random_state=0)
    fold = np.ones(len(ytr))
    fold[idx1] = -1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        merged = merge_llms(
            llms, n_clusters="auto", grid=[2, 4, 6, 8, 10, 15, 20], min_samples=30, n_neighbors=5,
            refit="logistic", absorb="centroid", cv=PredefinedSplit(fold),
        )
    assert merged.best_n_clusters_ == 10 and np.bincount(merged.labels_)[:2].tolist() == [252, 226]
    with pytest.warns(UserWarning, match="ignore the penalty"):
        wald = merged.inference(penalised="allow")
    assert "ignore the penalty" in wald.attrs["warning"]
    for k, printed in TABLE2.items():
        got = wald.loc[k].loc[["intercept", "x1", "x2"]].to_numpy(float)
        np.testing.assert_allclose(got, printed, atol=1e-3, rtol=0)


def test_chirpwave_is_the_authors_generator():
    """The authors' ``doppler(2000, 0.1)``: linspace design, ``np.random.seed(1)`` noise of shape (n, 1)."""
    X, y = make_chirpwave(2000, noise=0.1, random_state=1)
    state = np.random.get_state()
    try:
        np.random.seed(1)
        x = np.linspace(0, 1, 2000).reshape(-1, 1)
        expected = np.sin((2 * np.pi) / (x + 0.2)) + 0.1 * np.random.normal(0, 1, size=(2000, 1))
    finally:
        np.random.set_state(state)
    np.testing.assert_array_equal(X, x)
    np.testing.assert_array_equal(y, expected.ravel())
