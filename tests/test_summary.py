import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from reluscope import unwrap
from reluscope.errors import InvalidInputError
from reluscope.summary import grouped_auc
from tests.strategies import random_network


def test_grouped_auc_matches_sklearn_with_ties():
    rng = np.random.default_rng(0)
    g = rng.integers(0, 30, size=3000)
    s = rng.integers(0, 5, size=3000).astype(float)  # many ties
    y = rng.integers(0, 2, size=3000).astype(float)
    auc = grouped_auc(g, s, y, 31)
    for k in range(31):
        rows = g == k
        if rows.sum() == 0 or len(set(y[rows])) < 2:
            assert np.isnan(auc[k])
        else:
            assert auc[k] == pytest.approx(roc_auc_score(y[rows], s[rows]), abs=1e-12)


def test_binary_summary_against_direct_loops():
    rng = np.random.default_rng(1)
    net = random_network(rng, [2, 12, 12, 1], output="sigmoid", classes=["neg", "pos"])
    X = rng.normal(size=(1500, 2))
    y = np.where(rng.random(1500) < 1 / (1 + np.exp(-net.decision_function(X))), "pos", "neg")
    llms = unwrap(net, X, y)
    s = llms.summary(global_metrics="all")
    yb = (y == "pos").astype(float)
    assert list(s.columns) == ["Count", "Response Mean", "Response Std", "Local AUC", "Global AUC", "Trivial"]
    for r in range(llms.n_regions):
        rows = llms.labels_ == r
        assert s.loc[r, "Count"] == rows.sum()
        assert s.loc[r, "Response Mean"] == pytest.approx(yb[rows].mean(), abs=1e-14)
        if rows.sum() > 1:
            assert s.loc[r, "Response Std"] == pytest.approx(np.std(yb[rows], ddof=1), abs=1e-12)
        else:
            assert np.isnan(s.loc[r, "Response Std"])
        if len(set(yb[rows])) == 2:
            assert s.loc[r, "Local AUC"] == pytest.approx(roc_auc_score(yb[rows], net.decision_function(X[rows])), abs=1e-12)
        else:
            assert np.isnan(s.loc[r, "Local AUC"])
        score = X @ llms.coef_[r] + llms.intercept_[r]
        assert s.loc[r, "Global AUC"] == pytest.approx(roc_auc_score(yb, score), abs=1e-12)


def test_regression_summary_against_direct_loops():
    rng = np.random.default_rng(2)
    net = random_network(rng, [3, 10, 10, 1])
    X = rng.normal(size=(800, 3)) + 5.0  # off-centre data: tests the centred sufficient statistics
    y = net.forward(X) + rng.normal(scale=0.1, size=800) + 100.0
    llms = unwrap(net, X, y)
    s = llms.summary()
    for r in range(llms.n_regions):
        rows = llms.labels_ == r
        assert s.loc[r, "Local MSE"] == pytest.approx(np.mean((y[rows] - net.forward(X[rows])) ** 2), rel=1e-10)
        glob = np.mean((y - (X @ llms.coef_[r] + llms.intercept_[r])) ** 2)
        assert s.loc[r, "Global MSE"] == pytest.approx(glob, rel=1e-9, abs=1e-9)


def test_multiclass_summary_against_direct_loops():
    rng = np.random.default_rng(3)
    net = random_network(rng, [4, 10, 3], output="softmax", classes=[10, 20, 30])
    X = rng.normal(size=(600, 4))
    y = np.array([10, 20, 30])[rng.integers(0, 3, 600)]
    llms = unwrap(net, X, y)
    s = llms.summary(global_metrics="all")
    for r in range(llms.n_regions):
        rows = llms.labels_ == r
        vals, cnt = np.unique(y[rows], return_counts=True)
        assert s.loc[r, "Majority Share"] == pytest.approx(cnt.max() / rows.sum())
        pred = np.array([10, 20, 30])[net.decision_function(X[rows]).argmax(1)]
        assert s.loc[r, "Local Accuracy"] == pytest.approx(np.mean(pred == y[rows]))
        gpred = np.array([10, 20, 30])[(X @ llms.coef_[r] + llms.intercept_[r]).argmax(1)]
        assert s.loc[r, "Global Accuracy"] == pytest.approx(np.mean(gpred == y))


def test_global_metric_budget_and_labels():
    rng = np.random.default_rng(4)
    net = random_network(rng, [2, 20, 20, 1], output="sigmoid")
    X = rng.normal(size=(1000, 2))
    y = rng.integers(0, 2, 1000)
    llms = unwrap(net, X, y)
    s = llms.summary(global_metrics=3)
    assert s["Global AUC"].iloc[:3].notna().all() and s["Global AUC"].iloc[3:].isna().all()
    assert s.attrs["global_regions"] == 3
    assert llms.summary(global_metrics="none")["Global AUC"].isna().all()
    with pytest.raises(InvalidInputError, match="global_metrics"):
        llms.summary(global_metrics="some")
    with pytest.raises(InvalidInputError, match="binary network without class labels"):
        unwrap(net, X, y + 1).summary()
    assert list(unwrap(net, X).summary().columns) == ["Count", "Trivial"]


def test_evaluate_on_new_data_matches_direct_computation():
    rng = np.random.default_rng(5)
    net = random_network(rng, [2, 10, 10, 1], output="sigmoid")
    X = rng.normal(size=(800, 2))
    y = rng.integers(0, 2, 800)
    llms = unwrap(net, X, y)
    X_new = rng.normal(size=(500, 2)) * 1.5
    y_new = rng.integers(0, 2, 500)
    ev = llms.evaluate(X_new, y_new, global_metrics="all")
    ids = llms.region_of(X_new)
    assert ev.attrs["unseen_rows"] == int((ids < 0).sum())
    assert ev["Count"].sum() == (ids >= 0).sum()
    for r in range(llms.n_regions):
        rows = ids == r
        assert ev.loc[r, "Count"] == rows.sum()
        if rows.sum() == 0:
            assert np.isnan(ev.loc[r, "Response Mean"])
        if len(set(y_new[rows])) == 2:
            assert ev.loc[r, "Local AUC"] == pytest.approx(roc_auc_score(y_new[rows], net.decision_function(X_new[rows])))
        assert ev.loc[r, "Global AUC"] == pytest.approx(roc_auc_score(y_new, X_new @ llms.coef_[r] + llms.intercept_[r]))


def test_constant_response_has_exactly_zero_std():
    rng = np.random.default_rng(6)
    net = random_network(rng, [2, 4, 1])
    X = rng.normal(size=(500, 2))
    y = np.full(500, 0.1)  # 0.1 is not exact in binary: a bincount mean can be off by round-off
    s = unwrap(net, X, y).summary()
    multi = s["Count"] > 1
    assert (s.loc[multi, "Response Std"] == 0.0).all()


def test_auc_of_columns_matches_sklearn_with_and_without_ties():
    from reluscope.summary import auc_of_columns

    rng = np.random.default_rng(7)
    y = rng.random(500) < 0.4
    S = np.column_stack([rng.normal(size=500), rng.integers(0, 4, 500).astype(float), np.zeros(500), rng.normal(size=500)])
    auc = auc_of_columns(S, y)
    for j in range(S.shape[1]):
        assert auc[j] == pytest.approx(roc_auc_score(y, S[:, j]), abs=1e-12)
    assert auc[2] == 0.5  # a constant (trivial) LLM


def test_ddof_and_global_auc_on_against_direct_loops():
    """ddof=0: population std (0 for one-row regions); 'probability': AUC of the float64 sigmoid (ties where it saturates)."""
    from scipy.special import expit

    rng = np.random.default_rng(7)
    net = random_network(rng, [2, 10, 10, 1], output="sigmoid", classes=[0, 1])
    X = rng.normal(scale=40.0, size=(800, 2))  # large scores: the sigmoid saturates to 0 or 1 for some rows
    y = (rng.random(800) < expit(net.decision_function(X))).astype(int)
    llms = unwrap(net, X, y)
    s0 = llms.summary(ddof=0, global_auc_on="probability", global_metrics="all")
    s1 = llms.summary()
    saturated = 0
    for r in range(llms.n_regions):
        rows = llms.labels_ == r
        assert s0.loc[r, "Response Std"] == pytest.approx(np.std(y[rows]), abs=1e-12)
        if rows.sum() == 1:
            assert s0.loc[r, "Response Std"] == 0 and np.isnan(s1.loc[r, "Response Std"])
        score = X @ llms.coef_[r] + llms.intercept_[r]
        assert s0.loc[r, "Global AUC"] == pytest.approx(roc_auc_score(y, expit(score)), abs=1e-12)
        assert s1.loc[r, "Global AUC"] == pytest.approx(roc_auc_score(y, score), abs=1e-12)
        saturated += np.unique(expit(score)).size < np.unique(score).size
    assert saturated > 0  # the two options differ on this network
    with pytest.raises(InvalidInputError, match="ddof"):
        llms.summary(ddof=2)
    with pytest.raises(InvalidInputError, match="global_auc_on"):
        llms.summary(global_auc_on="sigmoid")
