"""Merging (Algorithm 1 of ``001``): partitions, exactness, connectivity, cross-validation, Table 6."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import cdist
from sklearn.base import clone
from sklearn.cluster import AgglomerativeClustering
from sklearn.metrics import roc_auc_score

import reluscope
from reluscope.simplify import MergedModel, connectivity_graph, cut_tree, merge_llms
from reluscope.simplify._cluster import absorb_small_clusters, initial_neighbors
from reluscope.simplify._core import llm_features
from tests.simplify import binary_case, regression_case, same_partition
from tests.strategies import random_network


@pytest.fixture(scope="module")
def reg():
    net, X, y = regression_case(seed=0)
    return net, X, y, reluscope.unwrap(net, X, y)


@pytest.fixture(scope="module")
def binary():
    net, X, y = binary_case(seed=1)
    return net, X, y, reluscope.unwrap(net, X, y)


@pytest.mark.parametrize("K", [1, 3, 8])
def test_every_training_row_lands_in_exactly_one_cluster(reg, K):
    net, X, y, llms = reg
    m = merge_llms(llms, n_clusters=K, min_samples=20)
    # the cluster of a row is its region's cluster, through the lookup table
    np.testing.assert_array_equal(m.labels_, m.region_to_cluster_.to_numpy()[llms.labels_])
    np.testing.assert_array_equal(m.cluster_of(X), m.labels_)
    # rows per cluster: from the rows, and from the regions' counts
    from_rows = np.bincount(m.labels_, minlength=m.n_clusters_)
    from_regions = pd.Series(llms.count_).groupby(m.region_to_cluster_.to_numpy()).sum().to_numpy()
    np.testing.assert_array_equal(from_rows, from_regions)
    assert from_rows.sum() == X.shape[0]
    assert m.cluster_summary()["Count"].sum() == X.shape[0]
    assert m.cluster_summary()["Regions"].sum() == llms.n_regions
    # every cluster is non-empty, none has fewer than tau rows, numbered by decreasing rows
    assert (from_rows >= 20).all() and (np.diff(from_rows) <= 0).all()
    assert m.n_clusters_ <= K


@pytest.mark.parametrize("case", ["reg", "binary"])
def test_all_llms_without_refit_reproduce_the_network(case, request):
    net, X, y, llms = request.getfixturevalue(case)
    m = merge_llms(llms, n_clusters=llms.n_regions, min_samples=1, refit=None)
    assert m.n_clusters_ == llms.n_regions
    np.testing.assert_allclose(m.decision_function(X), net.decision_function(X), rtol=1e-12, atol=1e-12)
    if case == "binary":
        np.testing.assert_allclose(m.predict_proba(X)[:, 1], net.forward(X), rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(m.predict(X), np.where(net.forward(X) > 0.5, "yes", "no"))
    else:
        np.testing.assert_allclose(m.predict(X), net.forward(X), rtol=1e-12, atol=1e-12)


def test_refit_none_is_the_row_weighted_mean_llm(reg):
    net, X, y, llms = reg
    m = merge_llms(llms, n_clusters=4, min_samples=30, refit=None)
    for k in range(m.n_clusters_):
        rows = m.labels_ == k  # mean over the cluster's rows of their own region's LLM
        np.testing.assert_allclose(m.coef_[k], llms.coef_[llms.labels_[rows]].mean(axis=0), rtol=1e-10)
        np.testing.assert_allclose(m.intercept_[k], llms.intercept_[llms.labels_[rows]].mean(), rtol=1e-10)


@pytest.mark.parametrize("K", [1, 2, 5, 17, 40])
def test_cut_of_one_tree_equals_a_fresh_agglomerative_fit(reg, K):
    _, _, _, llms = reg
    graph, _ = connectivity_graph(llms.centers_)
    feats = llm_features(llms)
    full = AgglomerativeClustering(n_clusters=1, connectivity=graph, compute_full_tree=True).fit(feats)
    fresh = AgglomerativeClustering(n_clusters=K, connectivity=graph).fit(feats)
    assert same_partition(cut_tree(full.children_, llms.n_regions, K), fresh.labels_)


def _brute_force_min_neighbors(centers):
    D = cdist(centers, centers)
    np.fill_diagonal(D, np.inf)
    order = np.argsort(D, axis=1, kind="stable")
    for T in range(1, len(centers)):
        A = np.zeros_like(D, dtype=bool)
        A[np.repeat(np.arange(len(centers)), T), order[:, :T].ravel()] = True
        if connected_components(A | A.T, directed=False)[0] == 1:
            return T
    return None


def test_connectivity_raises_T_until_two_far_blobs_connect():
    rng = np.random.default_rng(3)
    centers = np.vstack([rng.normal(size=(50, 2)), rng.normal(size=(70, 2)) + 100.0])
    graph, T = connectivity_graph(centers)
    assert initial_neighbors(120) == 1
    assert T == _brute_force_min_neighbors(centers) == 50  # all 49 blob mates come first
    assert connected_components(graph, directed=False)[0] == 1
    assert (graph != graph.T).nnz == 0
    _, T_again = connectivity_graph(centers, n_neighbors=60)  # a connected start is kept
    assert T_again == 60


def test_merged_model_on_two_far_apart_data_blobs_connects_its_llms():
    rng = np.random.default_rng(5)
    net = random_network(rng, [2, 10, 10, 1], bias_scale=3.0)
    X = np.vstack([rng.normal(size=(300, 2)) - 40.0, rng.normal(size=(300, 2)) + 40.0])
    y = net.decision_function(X) + rng.normal(size=600)
    llms = reluscope.unwrap(net, X, y)
    T0 = initial_neighbors(llms.n_regions)
    assert connected_components(_knn(llms.centers_, T0), directed=False)[0] > 1  # the paper's start is disconnected
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # sklearn warns when it has to complete a disconnected graph
        m = merge_llms(llms, n_clusters=2, min_samples=5)
    assert m.n_neighbors_ == _brute_force_min_neighbors(llms.centers_) > T0
    # the two blobs are far apart: with K = 2 under connectivity each blob is one cluster
    assert same_partition(m.labels_, (X[:, 0] > 0).astype(int))


def _knn(centers, T):
    from sklearn.neighbors import kneighbors_graph

    g = kneighbors_graph(centers, T)
    return g.maximum(g.T)


def test_small_clusters_join_the_cluster_of_the_nearest_region_centre():
    # 1-D centres: cluster 0 large on [0, 1], cluster 1 small at 1.2 (next to 0's end at 1.0),
    # cluster 2 large on [1.5, 3]: 1 is nearer to cluster 2's centroid but touches cluster 0.
    centers = np.array([[0.0], [0.5], [1.0], [1.2], [1.5], [2.0], [3.0]])
    labels = np.array([0, 0, 0, 1, 2, 2, 2])
    counts = np.array([10, 10, 10, 5, 10, 10, 10])
    out = absorb_small_clusters(labels, counts, centers, 20)
    assert same_partition(out, np.array([0, 0, 0, 0, 1, 1, 1]))
    np.testing.assert_array_equal(np.bincount(out, weights=counts), [35, 30])  # numbered by rows
    # no cluster large: the largest one absorbs the rest
    assert (absorb_small_clusters(labels, counts, centers, 1000) == 0).all()


def test_unseen_pattern_goes_to_the_cluster_of_the_nearest_region_centre(binary):
    net, X, y, llms = binary
    m = merge_llms(llms, n_clusters=5, min_samples=20)
    rng = np.random.default_rng(9)
    Xn = rng.normal(size=(3000, 2)) * 6.0
    clusters, seen = m.cluster_of(Xn, return_seen=True)
    regions = llms.region_of(Xn)
    assert (~seen).sum() > 10 and (seen == (regions >= 0)).all()
    nearest = np.argmin(cdist(Xn[~seen], llms.centers_), axis=1)
    np.testing.assert_array_equal(clusters[~seen], m.region_to_cluster_.to_numpy()[nearest])
    np.testing.assert_array_equal(clusters[seen], m.region_to_cluster_.to_numpy()[regions[seen]])
    eta = m.decision_function(Xn)
    np.testing.assert_allclose(eta, np.einsum("nd,nd->n", Xn, m.coef_[clusters]) + m.intercept_[clusters])


def test_fit_and_merge_llms_agree_and_clone(binary):
    net, X, y, llms = binary
    a = MergedModel(net, n_clusters=4, min_samples=25).fit(X, y)
    b = merge_llms(llms, n_clusters=4, min_samples=25)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_allclose(a.coef_, b.coef_)
    c = clone(a).fit(X, y)
    np.testing.assert_allclose(c.decision_function(X), a.decision_function(X))
    assert set(a.predict(X)) <= {"no", "yes"} and list(a.classes_) == ["no", "yes"]


def test_auto_k_maximises_the_hold_out_auc_computed_independently(binary):
    net, X, y, llms = binary
    m = merge_llms(llms, grid=(1, 2, 4, 8), min_samples=20, random_state=0)
    cv = m.cv_results_
    assert m.best_n_clusters_ == cv.loc[cv["mean_score"].idxmax(), "n_clusters"]
    (tr, va), = m._splits(X, (y == "yes").astype(float), "binary")
    assert len(va) == round(0.2 * len(y))
    for K in (2, 8):
        fold = merge_llms(reluscope.unwrap(net, X[tr], y[tr]), n_clusters=K, min_samples=20)
        auc = roc_auc_score(y[va] == "yes", fold.decision_function(X[va]))
        assert cv.loc[cv["n_clusters"] == K, "mean_score"].item() == pytest.approx(auc, abs=1e-12)


def test_cluster_summary_matches_direct_computation(reg):
    net, X, y, llms = reg
    m = merge_llms(llms, n_clusters=3, min_samples=30)
    s = m.cluster_summary()
    g = pd.DataFrame({"k": m.labels_, "y": y, "pred": m.predict(X)})
    np.testing.assert_allclose(s["Response Mean"], g.groupby("k")["y"].mean())
    np.testing.assert_allclose(s["Response Std"], g.groupby("k")["y"].std())
    np.testing.assert_allclose(s["Local MSE"], g.assign(e=(g.y - g.pred) ** 2).groupby("k")["e"].mean())
    for k in range(m.n_clusters_):
        glob = np.mean((y - X @ m.coef_[k] - m.intercept_[k]) ** 2)
        assert s.loc[k, "Global MSE"] == pytest.approx(glob, rel=1e-12)
    np.testing.assert_allclose(s[["x1", "x2"]].to_numpy(), m.coef_)


def test_binary_cluster_summary_auc_matches_sklearn(binary):
    net, X, y, llms = binary
    m = merge_llms(llms, n_clusters=3, min_samples=30)
    s = m.cluster_summary()
    yb = y == "yes"
    eta = m.decision_function(X)
    for k in range(m.n_clusters_):
        rows = m.labels_ == k
        assert s.loc[k, "Local AUC"] == pytest.approx(roc_auc_score(yb[rows], eta[rows]), abs=1e-12)
        assert s.loc[k, "Global AUC"] == pytest.approx(roc_auc_score(yb, X @ m.coef_[k] + m.intercept_[k]), abs=1e-12)


def test_fitted_merge_net_pickles_and_predicts_the_same(binary):
    import pickle

    net, X, y, llms = binary
    m = merge_llms(llms, n_clusters=3, min_samples=30)
    Xn = np.random.default_rng(0).normal(size=(200, 2)) * 4
    m2 = pickle.loads(pickle.dumps(m))
    np.testing.assert_array_equal(m2.decision_function(Xn), m.decision_function(Xn))
    np.testing.assert_array_equal(m2.region_to_cluster_, m.region_to_cluster_)
