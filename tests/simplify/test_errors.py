"""Bad input to merging gets a clear reluscope error or the documented fallback, never a scikit-learn crash."""

from __future__ import annotations

import numpy as np
import pytest

import reluscope
from reluscope.errors import InvalidInputError, ReluscopeError
from reluscope.simplify import MergedModel, merge_llms
from reluscope.simplify._refit import STATUS_FEW_ROWS, STATUS_ONE_CLASS, STATUS_REFIT
from tests.simplify import binary_case, regression_case
from tests.strategies import random_network


@pytest.fixture(scope="module")
def reg():
    net, X, y = regression_case(seed=0, n=300)
    return net, X, y, reluscope.unwrap(net, X, y)


def test_more_clusters_than_llms(reg):
    net, X, y, llms = reg
    with pytest.raises(InvalidInputError, match=rf"n_clusters={llms.n_regions + 1} is larger than the {llms.n_regions} LLMs"):
        merge_llms(llms, n_clusters=llms.n_regions + 1)
    with pytest.warns(UserWarning, match="fewer rows"):  # the boundary is allowed; tiny clusters fall back
        merge_llms(llms, n_clusters=llms.n_regions, min_samples=1)


def test_grid_above_the_number_of_llms_is_trimmed_or_rejected(reg):
    net, X, y, llms = reg
    m = merge_llms(llms, grid=(2, 3, 10_000), min_samples=20, random_state=0)
    assert list(m.cv_results_["n_clusters"]) == [2, 3]
    with pytest.raises(InvalidInputError, match="No K of grid"):
        merge_llms(llms, grid=(10_000,))
    with pytest.raises(InvalidInputError, match="positive integers"):
        merge_llms(llms, grid=(0, 2))


def test_min_samples_larger_than_the_data(reg):
    net, X, y, llms = reg
    with pytest.raises(InvalidInputError, match="larger than the 300 training rows"):
        merge_llms(llms, n_clusters=2, min_samples=301)
    m = merge_llms(llms, n_clusters=5, min_samples=300)  # exactly the data: one cluster takes all
    assert m.n_clusters_ == 1


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n_clusters=0), "n_clusters"),
        (dict(n_clusters="many"), "n_clusters"),
        (dict(n_clusters=2, min_samples=0), "min_samples"),
        (dict(n_clusters=2, refit="lasso"), "refit="),
        (dict(n_clusters=2, refit="l1", alpha=-1.0), "alpha"),
        (dict(n_clusters=2, linkage="median"), "linkage"),
        (dict(cv=1.5), "cv must be"),
        (dict(n_clusters=2, n_neighbors=0), "n_neighbors"),
    ],
)
def test_bad_parameters_raise_value_errors(reg, kwargs, match):
    net, X, y, llms = reg
    with pytest.raises(InvalidInputError, match=match) as info:
        merge_llms(llms, **kwargs)
    assert isinstance(info.value, ValueError) and isinstance(info.value, ReluscopeError)


def test_unsupported_networks_and_missing_response():
    rng = np.random.default_rng(0)
    multi = random_network(rng, [2, 4, 3], output="softmax")
    X = rng.normal(size=(50, 2))
    with pytest.raises(InvalidInputError, match="single-output regression and binary"):
        MergedModel(multi, n_clusters=1).fit(X, rng.integers(0, 3, 50))
    net = random_network(rng, [2, 4, 1])
    with pytest.raises(InvalidInputError, match="needs the response y"):
        merge_llms(reluscope.unwrap(net, X), n_clusters=1)
    with pytest.raises(InvalidInputError, match="ReLUNetwork"):
        MergedModel("not a network").fit(X, X[:, 0])
    with pytest.raises(InvalidInputError, match="result of reluscope.unwrap"):
        merge_llms(net)
    with pytest.raises(reluscope.FeatureMismatchError):
        MergedModel(net, n_clusters=1, min_samples=5).fit(X, X[:, 0]).predict(X[:, :1])


def test_binary_with_one_class_in_y():
    net, X, y = binary_case(seed=0, n=100)
    with pytest.raises(InvalidInputError, match="one class"):
        MergedModel(net, n_clusters=1, min_samples=5).fit(X, np.full(100, "yes"))


def test_one_class_cluster_keeps_the_network_mean_llm():
    net, X, y = binary_case(seed=0, n=400)
    llms = reluscope.unwrap(net, X, y)
    y = np.where(llms.labels_ == 0, "yes", y)  # make region 0 one-class; it is its own cluster below
    llms = reluscope.unwrap(net, X, y)
    with pytest.warns(UserWarning, match="one class"):
        m = merge_llms(llms, n_clusters=llms.n_regions, min_samples=1)
    k = m.region_to_cluster_[0]
    assert m.refit_status_[k] == STATUS_ONE_CLASS and m.cluster_models_[k] is None
    np.testing.assert_allclose(m.coef_[k], llms.coef_[0])
    np.testing.assert_allclose(m.intercept_[k], llms.intercept_[0])
    assert STATUS_REFIT in m.refit_status_
    with pytest.warns(UserWarning, match="did not converge"):  # tiny separated clusters
        table = m.inference()  # fallback clusters are left out of the Wald table and listed
    assert k in table.attrs["skipped"] and k not in table.index.get_level_values(0)


def test_cluster_with_fewer_rows_than_features_keeps_the_network_mean_llm():
    net, X, y = regression_case(seed=3, n=200, d=5, hidden=(6,))
    llms = reluscope.unwrap(net, X, y)
    assert (llms.count_ < 6).any()
    with pytest.warns(UserWarning, match="fewer rows than features"):
        m = merge_llms(llms, n_clusters=llms.n_regions, min_samples=1)
    tiny = np.flatnonzero(np.bincount(m.labels_) < 6)
    assert all(m.refit_status_[k] == STATUS_FEW_ROWS for k in tiny)
    for k in tiny:
        r = np.flatnonzero(m.region_to_cluster_.to_numpy() == k)[0]
        np.testing.assert_allclose(m.coef_[k], llms.coef_[r])
    # a penalised refit can fit them
    m2 = merge_llms(llms, n_clusters=llms.n_regions, min_samples=1, refit="l2", alpha=1.0)
    assert set(m2.refit_status_) == {STATUS_REFIT}


def test_predict_before_fit_and_predict_proba_on_regression(reg):
    from sklearn.exceptions import NotFittedError

    net, X, y, llms = reg
    with pytest.raises(NotFittedError):
        MergedModel(net).predict(X)
    m = merge_llms(llms, n_clusters=2, min_samples=30)
    with pytest.raises(InvalidInputError, match="predict_proba"):
        m.predict_proba(X)
