"""Random inputs: the Gaussian mixture of eq. 3 of ``002``.

Every method of :mod:`reluscope.probability` takes a :class:`GaussianMixture`
input ``p(x) = sum_k alpha_k N(x; mu_k, Sigma_k)``: one Gaussian (a test point
with noise, ``N(x, sigma^2 I)`` or ``N(x, Sigma)``), a mixture fitted by
scikit-learn, or a Gaussian kernel density estimate of data (one component
per row, section 3 of ``002``: "this framework accommodates ... kernel density
estimation using Gaussian kernels").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import CovarianceError, FeatureMismatchError, InvalidInputError, ShapeMismatchError

__all__ = ["GaussianMixture"]

#: Relative tolerance on the sum of mixture weights and on the symmetry of covariances.
WEIGHT_TOL = 1e-8
#: Eigenvalues below ``EIG_TOL * max eigenvalue`` count as zero (a singular covariance).
EIG_TOL = 1e-12


def _factor(cov: np.ndarray, k: int, allow_singular: bool) -> np.ndarray:
    """A factor ``L`` (d, r) with ``L L^T = cov``: Cholesky if positive definite, else the eigen factor of the non-zero part."""
    if not np.allclose(cov, cov.T, rtol=WEIGHT_TOL, atol=WEIGHT_TOL * max(1.0, np.abs(cov).max())):
        raise CovarianceError(f"Covariance {k} is not symmetric; pass (S + S.T) / 2 if the asymmetry is round-off.")
    cov = (cov + cov.T) / 2
    try:
        return np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        pass
    vals, vecs = np.linalg.eigh(cov)
    top = max(float(vals.max()), 0.0)
    if vals.min() < -1e-9 * max(top, 1.0):
        raise CovarianceError(
            f"Covariance {k} is not positive semi-definite (smallest eigenvalue {vals.min():.3g}); "
            "a covariance must be symmetric with non-negative eigenvalues."
        )
    keep = vals > EIG_TOL * max(top, np.finfo(float).tiny)
    if not keep.any():
        raise CovarianceError(f"Covariance {k} is zero; a point mass has no probability of a region's interior.")
    if not allow_singular:
        raise CovarianceError(
            f"Covariance {k} is singular (rank {int(keep.sum())} of {cov.shape[0]}). Pass allow_singular=True to use "
            "the degenerate Gaussian on its support (ranks of ``002`` section 3.1), or add a ridge such as 1e-6 * I."
        )
    return vecs[:, keep] * np.sqrt(vals[keep])


@dataclass(frozen=True, eq=False)
class GaussianMixture:
    """A mixture of Gaussians ``sum_k alpha_k N(mu_k, Sigma_k)`` (eq. 3 of ``002``).

    Parameters
    ----------
    weights : array (K,)
        Mixing weights, positive and summing to 1.
    means : array (K, d)
    covariances : array (K, d, d), (K, d) (diagonal) or (d, d) / scalar broadcast to every component
    allow_singular : bool, default False
        Accept singular covariances; the component is then the degenerate
        Gaussian on ``mu_k + range(Sigma_k)`` (its factor has fewer columns).

    Attributes
    ----------
    factors : tuple of arrays (d, r_k)
        ``L_k`` with ``L_k L_k^T = Sigma_k`` (Cholesky, or the eigen factor when singular).

    Raises
    ------
    InvalidInputError
        Negative, non-finite or non-normalised weights; non-finite means.
    ShapeMismatchError
        Shapes of weights, means and covariances disagree.
    CovarianceError
        A covariance is not symmetric positive semi-definite, or singular without ``allow_singular``.

    Examples
    --------
    The 1-D mixture ``0.25 N(-2, 1) + 0.75 N(2, 0.5^2)`` has mean ``0.25 (-2) + 0.75 (2) = 1``
    and standard deviation ``sqrt(2.4375) = 1.56``; the mean of 20 000 draws is within
    3 standard errors (``3 * 1.56 / sqrt(20000) = 0.033``).

    >>> from reluscope.probability import GaussianMixture
    >>> gm = GaussianMixture([0.25, 0.75], means=[[-2.0], [2.0]], covariances=[[1.0], [0.25]])
    >>> gm.n_components, gm.n_features, gm.factors[1]  # diagonal variances; factor = std
    (2, 1, array([[0.5]]))
    >>> x = gm.sample(20000, random_state=0)
    >>> bool(abs(x.mean() - 1.0) < 0.033)
    True
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    allow_singular: bool = False

    def __post_init__(self) -> None:
        w = np.atleast_1d(np.asarray(self.weights, dtype=np.float64))
        mu = np.asarray(self.means, dtype=np.float64)
        if mu.ndim == 1:
            mu = mu[None, :]
        if w.ndim != 1 or mu.ndim != 2 or w.shape[0] != mu.shape[0]:
            raise ShapeMismatchError(f"Got {w.shape} weights for means of shape {mu.shape}; pass one weight and one mean row per component.")
        if not (np.isfinite(w).all() and np.isfinite(mu).all()):
            raise InvalidInputError("Mixture weights and means must be finite numbers.")
        if (w <= 0).any() or abs(w.sum() - 1.0) > WEIGHT_TOL:
            raise InvalidInputError(f"Mixture weights must be positive and sum to 1 (got sum {w.sum():.6g}, min {w.min():.3g}); normalise them.")
        cov = self._broadcast_covariances(self.covariances, *mu.shape)
        factors = tuple(_factor(cov[k], k, self.allow_singular) for k in range(mu.shape[0]))
        for name, value in (("weights", w), ("means", mu), ("covariances", cov)):
            value.setflags(write=False)
            object.__setattr__(self, name, value)
        object.__setattr__(self, "factors", factors)

    @staticmethod
    def _broadcast_covariances(cov, K: int, d: int) -> np.ndarray:
        c = np.asarray(cov, dtype=np.float64)
        if not np.isfinite(c).all():
            raise CovarianceError("Covariances must be finite numbers.")
        if c.ndim == 0:
            c = np.broadcast_to(np.eye(d) * c, (K, d, d))
        elif c.ndim == 2 and c.shape == (K, d) and K != d:  # (d, d) wins when K == d: pass (K, d, d) then
            if (c < 0).any():
                raise CovarianceError("Diagonal covariances must be non-negative variances.")
            c = np.stack([np.diag(row) for row in c])
        elif c.ndim == 2 and c.shape == (d, d):
            c = np.broadcast_to(c, (K, d, d))
        if c.shape != (K, d, d):
            raise ShapeMismatchError(
                f"Covariances of shape {np.shape(cov)} do not fit {K} components in {d} dimensions; pass (K, d, d), (K, d) or (d, d)."
            )
        return np.array(c, dtype=np.float64)

    # ------------------------------------------------------------ builders
    @classmethod
    def normal(cls, mean, covariance=1.0, *, allow_singular: bool = False) -> "GaussianMixture":
        """One Gaussian ``N(mean, Sigma)``: ``covariance`` a scalar ``sigma^2`` (``sigma^2 I``), a vector (diagonal) or a matrix.

        Examples
        --------
        A test point with isotropic noise ``N((0, 1), 0.5^2 I)``:

        >>> from reluscope.probability import GaussianMixture
        >>> g = GaussianMixture.normal([0.0, 1.0], 0.25)
        >>> g.covariances[0]
        array([[0.25, 0.  ],
               [0.  , 0.25]])
        >>> g.bounding_box(n_sigma=4.0)  # mean +- 4 standard deviations of 0.5
        array([[-2.,  2.],
               [-1.,  3.]])
        """
        mean = np.atleast_1d(np.asarray(mean, dtype=np.float64))
        if mean.ndim != 1:
            raise ShapeMismatchError(f"mean must be one point (d,), got shape {mean.shape}.")
        c = np.asarray(covariance, dtype=np.float64)
        if c.ndim == 0 and not c > 0:
            raise CovarianceError(f"The noise variance must be positive, got {float(c)!r}.")
        if c.ndim == 1:
            c = c[None, :]
        elif c.ndim == 2:
            c = c[None, :, :]
        return cls(np.ones(1), mean[None, :], c, allow_singular)

    @classmethod
    def from_sklearn(cls, model) -> "GaussianMixture":
        """From a fitted :class:`sklearn.mixture.GaussianMixture` (any ``covariance_type``).

        Examples
        --------
        >>> from sklearn.mixture import GaussianMixture as SklearnGM
        >>> from reluscope.probability import GaussianMixture
        >>> X = np.random.default_rng(0).normal(size=(100, 2))
        >>> sk = SklearnGM(2, covariance_type="diag", random_state=0).fit(np.vstack([X, X + 5]))
        >>> gm = GaussianMixture.from_sklearn(sk)
        >>> gm.weights.round(3), gm.covariances.shape  # diagonal covariances become full matrices
        (array([0.5, 0.5]), (2, 2, 2))
        """
        if not all(hasattr(model, a) for a in ("weights_", "means_", "covariances_", "covariance_type")):
            raise InvalidInputError(f"from_sklearn takes a fitted sklearn.mixture.GaussianMixture, got {type(model).__name__}.")
        K, d = model.means_.shape
        cov, kind = np.asarray(model.covariances_), model.covariance_type
        if kind == "full":
            full = cov
        elif kind == "tied":
            full = np.broadcast_to(cov, (K, d, d))
        elif kind == "diag":
            full = np.stack([np.diag(v) for v in cov])
        else:  # spherical
            full = cov[:, None, None] * np.eye(d)
        w = np.asarray(model.weights_, dtype=np.float64)
        return cls(w / w.sum(), model.means_, full)

    @classmethod
    def from_data(cls, X, bandwidth: float | str = "scott") -> "GaussianMixture":
        """Gaussian kernel density estimate of ``X``: one component ``N(x_i, H)`` per row, equal weights.

        ``H = h^2 * Cov(X)`` with ``h`` Scott's factor ``n^(-1/(d+4))`` (``'scott'``),
        Silverman's (``'silverman'``) or the given number, as in :class:`scipy.stats.gaussian_kde`.

        Examples
        --------
        100 rows give 100 components of weight 1/100 whose covariance is
        ``Cov(X) * n^(-2 / (d + 4)) = Cov(X) * 100^(-1/3)`` (Scott, ``d = 2``):

        >>> from reluscope.probability import GaussianMixture
        >>> X = np.random.default_rng(0).normal(size=(100, 2))
        >>> kde = GaussianMixture.from_data(X)
        >>> kde.n_components, float(kde.weights[0])
        (100, 0.01)
        >>> np.allclose(kde.covariances[0], np.cov(X, rowvar=False) * 100 ** (-1 / 3))
        True
        """
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[0] < 2 or not np.isfinite(X).all():
            raise InvalidInputError("from_data needs finite data with at least 2 rows, shape (n, d).")
        n, d = X.shape
        if bandwidth == "scott":
            h = n ** (-1.0 / (d + 4))
        elif bandwidth == "silverman":
            h = (n * (d + 2) / 4.0) ** (-1.0 / (d + 4))
        elif isinstance(bandwidth, (int, float)) and bandwidth > 0:
            h = float(bandwidth)
        else:
            raise InvalidInputError(f"bandwidth must be 'scott', 'silverman' or a positive number, got {bandwidth!r}.")
        H = np.atleast_2d(np.cov(X, rowvar=False)) * h**2
        return cls(np.full(n, 1.0 / n), X, H)

    # ------------------------------------------------------------- queries
    @property
    def n_components(self) -> int:
        """Number of components ``K``."""
        return self.means.shape[0]

    @property
    def n_features(self) -> int:
        """Dimension ``d`` of the input space."""
        return self.means.shape[1]

    def check_features(self, n_features: int) -> None:
        """Raise :class:`~reluscope.FeatureMismatchError` unless the mixture lives in ``n_features`` dimensions."""
        if self.n_features != n_features:
            raise FeatureMismatchError(
                f"The input distribution has {self.n_features} dimensions but the network takes {n_features} features."
            )

    def bounding_box(self, n_sigma: float = 40.0) -> np.ndarray:
        """``(d, 2)`` box holding every component's mean +- ``n_sigma`` standard deviations per coordinate."""
        sd = np.sqrt(np.maximum(np.diagonal(self.covariances, axis1=1, axis2=2), 0.0))
        return np.column_stack([(self.means - n_sigma * sd).min(axis=0), (self.means + n_sigma * sd).max(axis=0)])

    def sample(self, n: int, random_state=None) -> np.ndarray:
        """``n`` draws (n, d): component counts from a multinomial, then ``mu_k + L_k z``; vectorised.

        Examples
        --------
        ``P(x < 0)`` under ``0.25 N(-2, 1) + 0.75 N(2, 0.5^2)`` is
        ``0.25 Phi(2) + 0.75 Phi(-4) = 0.2443``; the share of 20 000 draws is within 3 standard
        errors (``3 * sqrt(0.2443 * 0.7557 / 20000) = 0.009``).

        >>> from reluscope.probability import GaussianMixture
        >>> gm = GaussianMixture([0.25, 0.75], [[-2.0], [2.0]], [[1.0], [0.25]])
        >>> x = gm.sample(20000, random_state=0)
        >>> x.shape, bool(abs((x < 0).mean() - 0.2443) < 0.009)
        ((20000, 1), True)
        """
        rng = np.random.default_rng(random_state)
        counts = rng.multinomial(int(n), self.weights)
        out = np.empty((int(n), self.n_features))
        start = 0
        for k, m in enumerate(counts):
            L = self.factors[k]
            out[start : start + m] = self.means[k] + rng.standard_normal((m, L.shape[1])) @ L.T
            start += m
        return out[rng.permutation(int(n))]
