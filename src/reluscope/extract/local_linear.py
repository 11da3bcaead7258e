"""The thesis's convex method: localised linear pieces combined by least squares (``000`` section 3.3).

At sample points ``v_i`` the black box gives ``f(v_i)`` and the gradient ``g_i``
(eq. of 3.3.1), hence local linear functions ``g_i(x) = g_i.x + c_i`` with
``c_i = f(v_i) - g_i.v_i``, localised to balls ``B_{r_i}(v_i)`` (``g~_i``).  The
surrogate is ``h(x) = sum_i w_i g~_i(x)`` with constant weights minimising
``L(h) = int_D (h - f)^2`` (3.3.1), estimated by Monte Carlo on ``M`` uniform
points of the box.  Its Hessian ``H_ij = 2 int g~_i g~_j`` (3.3.3) is positive
semidefinite when every row is diagonally dominant (Gershgorin, 3.3.2); the
radii are ``radius_factor`` times the distance to the nearest other centre;
which rows satisfy the condition is reported, and ``enforce_gershgorin=True``
shrinks the radius of each failing row until all do (disjoint balls always do).
Note ``H`` is a Gram matrix, so it is PSD whatever the radii: the Gershgorin
condition is sufficient, not necessary, and enforcing it costs accuracy.  The L1 variant (3.3.5's conjecture) adds
``alpha |w|_1`` and returns a regularisation path of non-zero counts.

Departures: the pieces are divided by the number of balls covering ``x`` (the
thesis's partition-of-unity requirement ``sum_i w_i(x) = 1`` applied to the ball
indicators; a point in no ball takes its nearest centre's piece), otherwise
constant weights cannot average overlapping pieces; the integral is a Monte Carlo sum (the thesis leaves the domain
integral abstract); the constraint ``sum w_i = 1`` of the inverse-distance form
is not imposed (the thesis itself drops it for constant weights); the
inner-product extension (3.3.4) is not implemented (the thesis leaves its
convexity open).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from ..errors import InvalidInputError
from .oracle import QueryOracle

__all__ = ["LocalLinearSurrogate", "fit_local_linear", "gershgorin_rows", "l1_path"]


def gershgorin_rows(H: np.ndarray) -> np.ndarray:
    """Rows of a symmetric matrix satisfying ``H_ii >= sum_{j != i} |H_ij|`` (3.3.2).

    Examples
    --------
    >>> from reluscope.extract import gershgorin_rows
    >>> H = np.diag([1.0, 2.0, 3.0]) + np.array([[0, 0.5, 0.4], [0.5, 0, 0.1], [0.4, 0.1, 0]])
    >>> gershgorin_rows(H)  # 1 >= 0.9, 2 >= 0.6, 3 >= 0.5
    array([ True,  True,  True])
    >>> gershgorin_rows(np.ones((3, 3)) + 0.1 * np.eye(3))  # 1.1 < 2
    array([False, False, False])
    """
    H = np.asarray(H, float)
    off = np.abs(H).sum(1) - np.abs(np.diag(H))
    return np.diag(H) >= off


@dataclass
class LocalLinearSurrogate:
    """The fitted surrogate ``h``; ``predict`` evaluates it.

    Attributes
    ----------
    centers, gradients, intercepts : (n_points, d), (n_points, d), (n_points,)
        The sample points ``v_i`` and their local linear functions ``g_i . x + c_i``.
    radii : (n_points,)
        Ball radii.
    weights : (n_points,)
        The least-squares weights ``w_i``.
    hessian : (n_points, n_points)
        ``H = 2 A^T A / M``; ``gershgorin_ok`` (n_points,) marks its diagonally dominant rows.
    n_queries : int
        Oracle queries spent (outputs and gradients or finite differences).
    mc_points, mc_values : (M, d), (M,)
        The Monte Carlo points of the loss and the black box's values there.

    Examples
    --------
    On an affine black box every local piece is exact, so the weights are 1 and the surrogate
    reproduces the function (up to the finite-difference gradients); the queries are
    ``30`` centres, ``2 d = 4`` per gradient and ``600`` Monte Carlo points: 750.

    >>> from reluscope.extract import QueryOracle, fit_local_linear
    >>> oracle = QueryOracle(lambda X: 2 * X[:, 0] - X[:, 1] + 0.5, n_features=2)
    >>> model = fit_local_linear(oracle, 30, n_mc=600, random_state=0)
    >>> model.n_queries, np.allclose(model.weights, 1.0)
    (750, True)
    >>> X = np.array([[0.3, -0.7], [-0.9, 0.1]])
    >>> bool(np.allclose(model.predict(X), 2 * X[:, 0] - X[:, 1] + 0.5, atol=1e-8)), model.design(X).shape
    (True, (2, 30))
    """

    centers: np.ndarray
    gradients: np.ndarray
    intercepts: np.ndarray
    radii: np.ndarray
    weights: np.ndarray
    hessian: np.ndarray
    gershgorin_ok: np.ndarray
    n_queries: int
    mc_points: np.ndarray
    mc_values: np.ndarray

    def design(self, X: np.ndarray) -> np.ndarray:
        """``A[m, i] = g~_i(x_m) / #balls covering x_m`` (0 outside the ball; nearest centre if uncovered)."""
        X = np.asarray(X, float)
        lin = X @ self.gradients.T + self.intercepts
        dist2 = ((X[:, None, :] - self.centers[None, :, :]) ** 2).sum(-1)
        inside = dist2 <= self.radii[None, :] ** 2
        none = ~inside.any(axis=1)
        inside[none, dist2[none].argmin(axis=1)] = True
        return np.where(inside, lin, 0.0) / inside.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        """The surrogate ``h(x) = sum_i w_i g~_i(x)`` at the rows of ``X`` (n, d) -> (n,)."""
        return self.design(X) @ self.weights


def _gradients(oracle: QueryOracle, V: np.ndarray, step: float) -> np.ndarray:
    if oracle.has_gradient:
        return oracle.gradient(V)
    n, d = V.shape
    pts = np.concatenate([V[:, None, :] + step * np.eye(d)[None], V[:, None, :] - step * np.eye(d)[None]], axis=1)
    v = oracle(pts.reshape(-1, d)).reshape(n, 2, d)
    return (v[:, 0] - v[:, 1]) / (2 * step)


def fit_local_linear(
    oracle: QueryOracle,
    n_points: int = 200,
    *,
    n_mc: int = 2000,
    box: tuple[float, float] = (-1.0, 1.0),
    radius_factor: float = 2.0,
    enforce_gershgorin: bool = False,
    shrink: float = 0.8,
    step: float = 1e-6,
    random_state=None,
) -> LocalLinearSurrogate:
    """Fit the thesis surrogate from ``n_points`` centres (value + gradient) and ``n_mc`` Monte Carlo points.

    Parameters
    ----------
    oracle : QueryOracle
        The black box (its gradients are used when it has them, else central differences).
    n_points : int, default 200
        Centres ``v_i``, uniform in the box.
    n_mc : int, default 2000
        Monte Carlo points of the loss (at least ``n_points``).
    box : (lo, hi), default (-1, 1)
    radius_factor : float, default 2.0
        Ball radius over the distance to the nearest other centre.
    enforce_gershgorin : bool, default False
        Shrink the radii of failing rows (by ``shrink``) until every row of ``H`` is diagonally dominant.
    shrink : float, default 0.8
    step : float, default 1e-6
        Finite-difference step, relative to the box width.
    random_state : int, Generator or None

    Returns
    -------
    LocalLinearSurrogate

    Examples
    --------
    A random 2-8-1 ReLU black box: the surrogate from 60 centres beats predicting the value of
    the nearest centre (the same values the surrogate was built from) by a wide margin.

    >>> import reluscope
    >>> from scipy.spatial import cKDTree
    >>> from reluscope.extract import QueryOracle, fit_local_linear
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [0.5 * rng.normal(size=8), np.zeros(1)])
    >>> model = fit_local_linear(QueryOracle(net), 60, n_mc=1000, random_state=0)
    >>> X = rng.uniform(-1, 1, (2000, 2))
    >>> y = net.decision_function(X)
    >>> rmse = np.sqrt(np.mean((model.predict(X) - y) ** 2))
    >>> nearest = net.decision_function(model.centers)[cKDTree(model.centers).query(X)[1]]
    >>> bool(rmse < 0.5 * np.sqrt(np.mean((nearest - y) ** 2))), model.n_queries
    (True, 1300)

    ``enforce_gershgorin=True`` shrinks the overlapping balls until the Hessian is diagonally dominant:

    >>> strict = fit_local_linear(QueryOracle(net), 60, n_mc=1000, random_state=0, enforce_gershgorin=True)
    >>> bool(model.gershgorin_ok.all()), bool(strict.gershgorin_ok.all()), bool((strict.radii <= model.radii).all())
    (False, True, True)
    """
    if n_points < 2 or n_mc < n_points:
        raise InvalidInputError(f"Need n_points >= 2 and n_mc >= n_points; got {n_points}, {n_mc}.")
    q0 = oracle.total_queries
    rng = np.random.default_rng(random_state)
    d = oracle.n_features
    lo, hi = box
    V = lo + (hi - lo) * rng.random((n_points, d))
    fV = oracle(V)
    G = _gradients(oracle, V, step * (hi - lo))
    c = fV - np.einsum("ij,ij->i", G, V)
    Xmc = lo + (hi - lo) * rng.random((n_mc, d))
    ymc = oracle(Xmc)
    nn = cKDTree(V).query(V, k=2)[0][:, 1]
    radii = radius_factor * nn
    model = LocalLinearSurrogate(V, G, c, radii, np.zeros(n_points), np.zeros((n_points, n_points)), np.zeros(n_points, bool),
                                 0, Xmc, ymc)
    for _ in range(60):
        A = model.design(Xmc)
        H = 2.0 * A.T @ A / n_mc
        ok = gershgorin_rows(H)
        if ok.all() or not enforce_gershgorin:
            break
        model.radii = np.where(ok, model.radii, model.radii * shrink)
    model.hessian, model.gershgorin_ok = H, ok
    model.weights = np.linalg.lstsq(A, ymc, rcond=None)[0]
    model.n_queries = oracle.total_queries - q0
    return model


def l1_path(model: LocalLinearSurrogate, alphas=None, n_alphas: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Lasso path of ``min |A w - y|^2 / (2M) + alpha |w|_1`` (3.3.5): alphas and non-zero counts.

    Parameters
    ----------
    model : LocalLinearSurrogate
    alphas : array-like, optional
        Penalties; default ``n_alphas`` chosen by scikit-learn's ``lasso_path``.
    n_alphas : int, default 30

    Returns
    -------
    alphas : ndarray
    counts : ndarray of int
        Non-zero weights at each alpha.

    Examples
    --------
    Fewer pieces survive a larger penalty:

    >>> import reluscope
    >>> from reluscope.extract import QueryOracle, fit_local_linear, l1_path
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [0.5 * rng.normal(size=8), np.zeros(1)])
    >>> model = fit_local_linear(QueryOracle(net), 60, n_mc=1000, random_state=0)
    >>> alphas, counts = l1_path(model, alphas=[1e-1, 1e-2, 1e-3, 1e-4])
    >>> counts
    array([ 0,  1, 15, 41])
    """
    from sklearn.linear_model import lasso_path

    A = model.design(model.mc_points)
    if alphas is not None:
        alphas, coefs, _ = lasso_path(A, model.mc_values, alphas=alphas)
    else:
        try:  # scikit-learn >= 1.9: an integer ``alphas`` is the grid size (``n_alphas`` is deprecated)
            alphas, coefs, _ = lasso_path(A, model.mc_values, alphas=int(n_alphas))
        except (TypeError, ValueError):  # older scikit-learn
            alphas, coefs, _ = lasso_path(A, model.mc_values, n_alphas=n_alphas)
    return alphas, (np.abs(coefs) > 1e-10).sum(axis=0)
