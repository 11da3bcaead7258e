"""Randomised quasi-Monte-Carlo probability of ``{u : G u <= h}`` under ``N(0, I_r)``.

Separation of variables (Genz 1992; Genz & Bretz 2009, sections 4.1-4.2, with
their treatment of singular covariances): rotate ``u`` by an orthonormal ``Q``
so that ``L = G Q^T`` is lower trapezoidal; the ``j``-th rotated coordinate is
then bounded by every row whose last non-zero entry is in column ``j``, given
the coordinates before it.  Drawing each coordinate from its conditional
truncated normal (inverse CDF of scrambled Sobol' points) and multiplying the
conditional masses gives an unbiased estimate.  Rows outnumbering dimensions
(``hidden units >> d``, where the stacked orthant covariance of Proposition 1
of ``002`` is rank-deficient) cost nothing extra: they only tighten bounds.

Rows are ordered greedily, most restrictive first given the expected values
of the coordinates already fixed (Genz & Bretz's variable prioritisation).

Tiny probabilities: when the origin lies outside the polytope the proposal is
tilted, each coordinate drawn from ``N(mu_j, 1)`` truncated, with the weight
``exp(-mu . x + |mu|^2 / 2)`` (exponential tilting, Botev 2017, *The normal
law under linear restrictions: simulation and estimation via minimax
tilting*, JRSS B 79).  Botev chooses ``mu`` by a minimax saddle point; we take
the polytope's point closest to the origin (its most likely point, SciPy
SLSQP), which is the saddle point's leading-order approximation and keeps the
relative error bounded in the tail.  No maintained Python implementation fits
(Botev's ``TruncatedNormal`` is R/MATLAB and full-rank only), hence this one.

The error estimate is the standard error over independent random shifts
(Cranley & Patterson 1976) of one scrambled Sobol' point set.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.special import log_ndtr, ndtr, ndtri

__all__ = ["sov_probability"]

#: Independent random shifts behind the standard error.
N_RANDOMIZATIONS = 10
_LEAD_TOL = 1e-10


def interval_mass(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """``Phi(hi) - Phi(lo)`` without cancellation in either tail (0 where ``hi <= lo``)."""
    up = lo > 0
    out = np.where(up, ndtr(-lo) - ndtr(-hi), ndtr(hi) - ndtr(lo))
    return np.maximum(out, 0.0)


def truncated_normal_ppf(lo: np.ndarray, hi: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Quantile ``q`` of ``N(0, 1)`` truncated to ``[lo, hi]``; the upper tail is mirrored for accuracy."""
    up = lo > 0
    a = np.where(up, -hi, lo)
    b = np.where(up, -lo, hi)
    pa, pb = ndtr(a), ndtr(b)
    x = ndtri(pa + q * (pb - pa))
    x = np.where(up, -x, x)
    return np.clip(x, lo, hi)


def _order_rows(G: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Greedy pivoting: returns ``L = G Q^T`` (m, k), each row's leading column, and ``Q`` (k, r)."""
    m, r = G.shape
    resid = G.copy()
    used = np.zeros(m, bool)
    Q, ybar = [], []
    for _ in range(r):
        norms = np.linalg.norm(resid, axis=1)
        cand = (~used) & (norms > 1e-8)
        if not cand.any():
            break
        shift = (G @ np.array(Q).T) @ np.array(ybar) if Q else np.zeros(m)
        adj = np.where(cand, (h - shift) / np.where(cand, norms, 1.0), np.inf)
        i = int(np.argmin(adj))
        q = resid[i] / norms[i]
        Q.append(q)
        b = adj[i]
        ybar.append(-np.exp(-0.5 * b * b - 0.5 * np.log(2 * np.pi) - log_ndtr(b)))  # E[Z | Z <= b]
        resid -= np.outer(resid @ q, q)
        used[i] = True
    Q = np.array(Q)
    L = G @ Q.T
    big = np.abs(L) > _LEAD_TOL
    lead = np.where(big.any(axis=1), L.shape[1] - 1 - np.argmax(big[:, ::-1], axis=1), -1)
    return L, lead, Q


#: Fourier-Motzkin stops (falling back to the plain row assignment) above this many rows.
FM_MAX_ROWS = 2000
#: Rows implied by ``|x_j| <= FM_BOX`` for every coordinate are dropped during elimination.
FM_BOX = 100.0


def _fourier_motzkin(L: np.ndarray, h: np.ndarray, lead: np.ndarray) -> list:
    """Rows bounding each rotated coordinate given the earlier ones, as exact projections.

    Eliminating ``x_(k-1), x_(k-2), ...`` in turn (Fourier-Motzkin) gives the
    polytope's exact projection on the leading coordinates, so the interval
    of every coordinate given a feasible prefix is never empty and no draw
    gets weight 0 (with only the rows' own last columns, thin regions with
    more rows than dimensions lose most draws).  Returns, per coordinate
    ``j``, ``(rows (n_j, j + 1), rhs)``; None when the rows contradict each other (an empty polytope).  Beyond ``FM_MAX_ROWS`` rows the
    remaining coordinates keep the plain assignment by leading column.
    """
    k = L.shape[1]
    out = [None] * k
    cur_L, cur_h = L, h
    for j in range(k - 1, -1, -1):
        col = cur_L[:, j]
        on = np.abs(col) > _LEAD_TOL
        out[j] = (cur_L[on, : j + 1], cur_h[on])
        pos, neg = np.flatnonzero(col > _LEAD_TOL), np.flatnonzero(col < -_LEAD_TOL)
        if j == 0:
            break
        if len(pos) * len(neg) + (~on).sum() > FM_MAX_ROWS:
            for jj in range(j - 1, -1, -1):  # plain assignment for the rest
                rows = (lead == jj)
                out[jj] = (L[rows, : jj + 1], h[rows])
            break
        P = cur_L[pos, :j] / col[pos, None]
        N = cur_L[neg, :j] / -col[neg, None]
        new_L = (P[:, None, :] + N[None, :, :]).reshape(-1, j)
        new_h = (cur_h[pos, None] / col[pos, None] + cur_h[None, neg] / -col[None, neg]).ravel()
        keep_L = np.vstack([cur_L[~on, :j], new_L])
        keep_h = np.concatenate([cur_h[~on], new_h])
        norms = np.linalg.norm(keep_L, axis=1)
        useful = (norms > _LEAD_TOL) & (keep_h < FM_BOX * np.abs(keep_L).sum(axis=1))
        if ((norms <= _LEAD_TOL) & (keep_h < -1e-12)).any():  # contradictory: the polytope is empty
            return None
        cur_L, cur_h = keep_L[useful] / norms[useful, None], keep_h[useful] / norms[useful]
        if cur_L.shape[0]:
            _, uniq = np.unique(np.round(np.column_stack([cur_L, cur_h]), 12), axis=0, return_index=True)
            cur_L, cur_h = cur_L[uniq], cur_h[uniq]
    return out


def _closest_point(G: np.ndarray, h: np.ndarray) -> np.ndarray | None:
    """``argmin |u|`` over ``G u <= h`` (SciPy SLSQP); None when it fails."""
    from scipy.optimize import minimize

    res = minimize(
        lambda u: 0.5 * u @ u,
        np.zeros(G.shape[1]),
        jac=lambda u: u,
        constraints=[{"type": "ineq", "fun": lambda u: h - G @ u, "jac": lambda u: -G}],
        method="SLSQP",
        options={"maxiter": 500, "ftol": 1e-12},
    )
    if not res.success or (G @ res.x - h).max() > 1e-6:
        return None
    return res.x


def _estimate(systems: list, mu: np.ndarray, U: np.ndarray) -> np.ndarray:
    """One weight per point of ``U`` (N, k); ``systems[j]`` bounds coordinate ``j`` given the earlier ones."""
    N, k = U.shape
    x = np.zeros((N, k))
    w = np.ones(N)
    for j in range(k):
        Lj, hj = systems[j]
        if Lj.shape[0] == 0:  # unconstrained coordinate
            x[:, j] = mu[j] + ndtri(U[:, j])
            continue
        b = (hj[None, :] - x[:, :j] @ Lj[:, :j].T) / Lj[:, j][None, :]
        pos = Lj[:, j] > 0
        hi = b[:, pos].min(axis=1) if pos.any() else np.full(N, np.inf)
        lo = b[:, ~pos].max(axis=1) if (~pos).any() else np.full(N, -np.inf)
        lo_s, hi_s = lo - mu[j], hi - mu[j]
        mass = interval_mass(lo_s, hi_s)
        ok = mass > 0
        xs = np.where(ok, truncated_normal_ppf(np.where(ok, lo_s, 0.0), np.where(ok, hi_s, 1.0), U[:, j]), 0.0)
        x[:, j] = mu[j] + xs
        w *= mass
    if mu.any():
        w *= np.exp(-(x @ mu) + 0.5 * (mu @ mu))
    return w


@lru_cache(maxsize=64)
def _sobol_points(k: int, m_log2: int) -> np.ndarray:
    """``2^m`` Sobol' points in ``[0, 1)^k`` (scrambled once, fixed seed), cached; randomised per use by a shift."""
    from scipy.stats import qmc

    pts = qmc.Sobol(d=k, scramble=True, seed=20240917).random_base2(m_log2)
    pts.setflags(write=False)
    return pts


def sov_probability(
    G: np.ndarray,
    h: np.ndarray,
    *,
    rtol: float = 1e-3,
    max_points: int = 2**18,
    rng: np.random.Generator,
) -> tuple[float, float, str, int]:
    """``P(G u <= h)``, ``u ~ N(0, I_r)``, ``G`` of full column rank with unit rows.

    Returns ``(probability, std_error, method, n_points)``; ``method`` is
    ``'qmc'`` or ``'qmc-tilted'``.  Doubles the points per scrambling until
    the standard error is below ``rtol`` times the estimate or ``max_points``
    is spent.
    """
    method = "qmc"
    mu_u = None
    if h.min() < 0:
        mu_u = _closest_point(G, h)
    L, lead, Q = _order_rows(G, h)
    k = L.shape[1]
    if mu_u is not None and np.linalg.norm(mu_u) > 1.0:
        mu = Q @ mu_u  # the tilt in the rotated coordinates
        method = "qmc-tilted"
    else:
        mu = np.zeros(k)
    systems = _fourier_motzkin(L, h, lead)
    if systems is None:
        return 0.0, 0.0, "empty", 0
    m_log2, spent = 9, 0
    while True:
        n = 2**m_log2
        means = np.empty(N_RANDOMIZATIONS)
        for t in range(N_RANDOMIZATIONS):
            U = (_sobol_points(k, m_log2) + rng.random(k)) % 1.0  # Cranley-Patterson random shift
            means[t] = _estimate(systems, mu, U).mean()
        spent += n * N_RANDOMIZATIONS
        p = float(means.mean())
        se = float(means.std(ddof=1) / np.sqrt(N_RANDOMIZATIONS))
        if se <= rtol * p or spent * 2 > max_points or p == 0.0:
            return p, se, method, spent
        m_log2 += 1
