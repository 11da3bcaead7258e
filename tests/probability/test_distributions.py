"""GaussianMixture: builders, sampling and typed errors on bad input."""

import numpy as np
import pytest

from reluscope.errors import CovarianceError, FeatureMismatchError, InvalidInputError, ShapeMismatchError
from reluscope.probability import GaussianMixture


def test_normal_builders_store_full_covariances():
    iso = GaussianMixture.normal([1.0, 2.0], 0.5)
    assert np.allclose(iso.covariances[0], 0.5 * np.eye(2))
    diag = GaussianMixture.normal([0.0, 0.0], [1.0, 4.0])
    assert np.allclose(diag.covariances[0], np.diag([1.0, 4.0]))
    S = np.array([[2.0, 0.3], [0.3, 1.0]])
    full = GaussianMixture.normal([0.0, 0.0], S)
    L = full.factors[0]
    assert np.allclose(L @ L.T, S)


def test_from_sklearn_matches_fitted_parameters_for_every_covariance_type():
    from sklearn.mixture import GaussianMixture as SkGM

    X = np.random.default_rng(0).normal(size=(300, 2)) * [1.0, 2.0]
    for kind in ("full", "tied", "diag", "spherical"):
        sk = SkGM(3, covariance_type=kind, random_state=0).fit(X)
        gm = GaussianMixture.from_sklearn(sk)
        assert np.allclose(gm.weights, sk.weights_) and np.allclose(gm.means, sk.means_)
        # same density as sklearn's
        from scipy.stats import multivariate_normal

        dens = sum(w * multivariate_normal(m, c).pdf(X[:5]) for w, m, c in zip(gm.weights, gm.means, gm.covariances))
        assert np.allclose(np.log(dens), sk.score_samples(X[:5]))


def test_kde_matches_scipy_gaussian_kde():
    from scipy.stats import gaussian_kde, multivariate_normal

    X = np.random.default_rng(1).normal(size=(50, 2))
    gm = GaussianMixture.from_data(X)
    kde = gaussian_kde(X.T)
    pts = np.array([[0.1, 0.2], [1.0, -1.0]])
    dens = sum(w * multivariate_normal(m, c).pdf(pts) for w, m, c in zip(gm.weights, gm.means, gm.covariances))
    assert np.allclose(dens, kde(pts.T))


def test_sample_moments_match_the_mixture():
    gm = GaussianMixture([0.3, 0.7], [[0.0, 0.0], [3.0, 1.0]], [np.eye(2), np.diag([0.5, 2.0])])
    X = gm.sample(400_000, random_state=0)
    mean = gm.weights @ gm.means
    assert np.abs(X.mean(axis=0) - mean).max() < 0.02


def test_singular_covariance_needs_allow_singular():
    S = np.array([[1.0, 1.0], [1.0, 1.0]])
    with pytest.raises(CovarianceError, match="allow_singular"):
        GaussianMixture.normal([0.0, 0.0], S)
    gm = GaussianMixture.normal([0.0, 0.0], S, allow_singular=True)
    assert gm.factors[0].shape == (2, 1)
    X = gm.sample(1000, random_state=0)
    assert np.allclose(X[:, 0], X[:, 1])


@pytest.mark.parametrize(
    "kwargs, error",
    [
        (dict(weights=[0.5, 0.6], means=[[0, 0], [1, 1]], covariances=1.0), InvalidInputError),
        (dict(weights=[-0.5, 1.5], means=[[0, 0], [1, 1]], covariances=1.0), InvalidInputError),
        (dict(weights=[1.0], means=[[0, 0]], covariances=[[1.0, 2.0], [2.0, 1.0]]), CovarianceError),
        (dict(weights=[1.0], means=[[0, 0]], covariances=[[1.0, 0.5], [0.0, 1.0]]), CovarianceError),
        (dict(weights=[1.0], means=[[0, 0]], covariances=np.eye(3)), ShapeMismatchError),
        (dict(weights=[0.5, 0.5], means=[[0, 0]], covariances=1.0), ShapeMismatchError),
        (dict(weights=[1.0], means=[[np.nan, 0]], covariances=1.0), InvalidInputError),
    ],
)
def test_bad_mixtures_raise_typed_errors(kwargs, error):
    with pytest.raises(error):
        GaussianMixture(**kwargs)
    assert issubclass(error, ValueError)


def test_dimension_mismatch_with_network_is_a_feature_error():
    import reluscope
    from reluscope.probability import pattern_pmf

    net = reluscope.ReLUNetwork([np.ones((2, 3)), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    with pytest.raises(FeatureMismatchError, match="3 features"):
        pattern_pmf(net, GaussianMixture.normal([0.0, 0.0], 1.0))
