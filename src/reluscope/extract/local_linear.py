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
    """Rows of a symmetric matrix satisfying ``H_ii >= sum_{j != i} |H_ij|`` (3.3.2)."""
    H = np.asarray(H, float)
    off = np.abs(H).sum(1) - np.abs(np.diag(H))
    return np.diag(H) >= off


@dataclass
class LocalLinearSurrogate:
    """The fitted surrogate ``h``; ``predict`` evaluates it."""

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
    """Fit the thesis surrogate from ``n_points`` centres (value + gradient) and ``n_mc`` Monte Carlo points."""
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
    """Lasso path of ``min |A w - y|^2 / (2M) + alpha |w|_1`` (3.3.5): alphas and non-zero counts."""
    from sklearn.linear_model import lasso_path

    A = model.design(model.mc_points)
    alphas, coefs, _ = lasso_path(A, model.mc_values, alphas=alphas, n_alphas=n_alphas)
    return alphas, (np.abs(coefs) > 1e-10).sum(axis=0)
