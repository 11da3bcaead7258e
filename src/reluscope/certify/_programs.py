"""Minimum-norm points of a polyhedron: LP (L1, Linf), MILP (integer features) and QP (L2).

Solves ``min ||w * delta||`` subject to ``G delta <= h``, ``E delta = e``,
``lb <= delta <= ub`` and optional integrality of some ``delta`` entries.
L1 and Linf are linear programmes with auxiliary variables (SciPy ``linprog`` /
``milp``, HiGHS); L2 is the convex QP ``min sum (w delta)^2`` solved by HiGHS'
QP solver through ``highspy`` (no hand-written solver).  Returns the distance
(``inf`` when infeasible) and the minimiser.
"""

from __future__ import annotations

import threading

import numpy as np

from ..errors import InvalidInputError, NotExactError

__all__ = ["min_norm_point"]


_LOCAL = threading.local()


def _highs():
    """One HiGHS instance per thread, single-threaded (its thread pool costs more than these small programmes)."""
    h = getattr(_LOCAL, "highs", None)
    if h is None:
        from ..geometry._lp import new_highs

        h = _LOCAL.highs = new_highs()
    return h


def _run_highs(cost, M, r_lo, r_hi, c_lo, c_hi, hess_diag=None):
    """Solve ``min cost . v (+ 1/2 v' diag(hess) v)`` s.t. ``r_lo <= M v <= r_hi``, ``c_lo <= v <= c_hi``; (status ok, v)."""
    import highspy
    from scipy.sparse import csc_matrix

    h = _highs()
    inf = highspy.kHighsInf
    n, m = cost.size, M.shape[0]
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, m
    lp.col_cost_ = cost
    lp.col_lower_, lp.col_upper_ = np.clip(c_lo, -inf, inf), np.clip(c_hi, -inf, inf)
    lp.row_lower_, lp.row_upper_ = np.clip(r_lo, -inf, inf), np.clip(r_hi, -inf, inf)
    csc = csc_matrix(M)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = csc.indptr, csc.indices, csc.data
    if hess_diag is None:
        h.passModel(lp)
    else:
        hess = highspy.HighsHessian()
        hess.dim_, hess.format_ = n, highspy.HessianFormat.kTriangular
        hess.start_, hess.index_, hess.value_ = np.arange(n + 1), np.arange(n), hess_diag
        model = highspy.HighsModel()
        model.lp_, model.hessian_ = lp, hess
        h.passModel(model)
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        return True, np.asarray(h.getSolution().col_value)
    if status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return False, None
    # anything else is a failed solve, not a proof that the set is empty: never report it as one
    raise NotExactError(f"HiGHS could not solve a distance programme (status: {h.modelStatusToString(status)}); "
                        "the result would not be a certificate. Rescale the features or report the network.")


def _solve_l1(G, h, E, e, lb, ub, w):
    """L1 by splitting ``delta = p - q`` with ``p, q >= 0``: cost ``w . (p + q)`` (needs ``lb <= 0 <= ub``)."""
    n = lb.size
    M = np.hstack([np.vstack([G, E]), -np.vstack([G, E])])
    ok, v = _run_highs(np.concatenate([w, w]), M, np.concatenate([np.full(G.shape[0], -np.inf), e]),
                       np.concatenate([h, e]), np.zeros(2 * n), np.concatenate([np.maximum(ub, 0), np.maximum(-lb, 0)]))
    if not ok:
        return np.inf, None
    delta = v[:n] - v[n:]
    return float(np.abs(w * delta).sum()), delta


def _solve_linf(G, h, E, e, lb, ub, w):
    """Linf with one bound ``s``: ``-s <= w delta <= s``."""
    n = lb.size
    W = np.diag(w)
    M = np.vstack([np.hstack([G, np.zeros((G.shape[0], 1))]), np.hstack([E, np.zeros((E.shape[0], 1))]),
                   np.hstack([W, -np.ones((n, 1))]), np.hstack([-W, -np.ones((n, 1))])])
    lo = np.concatenate([np.full(G.shape[0], -np.inf), e, np.full(2 * n, -np.inf)])
    hi = np.concatenate([h, e, np.zeros(2 * n)])
    ok, v = _run_highs(np.r_[np.zeros(n), 1.0], M, lo, hi, np.r_[lb, 0.0], np.r_[ub, np.inf])
    if not ok:
        return np.inf, None
    return float(np.abs(w * v[:n]).max(initial=0.0)), v[:n]


def _solve_qp(G, h, E, e, lb, ub, w):
    M = np.vstack([G, E])
    ok, v = _run_highs(np.zeros(lb.size), M, np.concatenate([np.full(G.shape[0], -np.inf), e]), np.concatenate([h, e]),
                       lb, ub, hess_diag=2.0 * w * w)
    if not ok:
        return np.inf, None
    return float(np.linalg.norm(w * v)), v


def _solve_milp(G, h, E, e, lb, ub, norm, w, integral):
    """Integer features: the L1 / Linf programme as a MILP (``scipy.optimize.milp``)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    n = lb.size
    W = np.diag(w)
    if norm == 1:
        aux, cost = np.eye(n), np.r_[np.zeros(n), np.ones(n)]
    else:
        aux, cost = np.ones((n, 1)), np.r_[np.zeros(n), 1.0]
    k = aux.shape[1]
    cons = [LinearConstraint(np.hstack([G, np.zeros((G.shape[0], k))]), -np.inf, h),
            LinearConstraint(np.vstack([np.hstack([W, -aux]), np.hstack([-W, -aux])]), -np.inf, 0.0)]
    if E.size:
        cons.append(LinearConstraint(np.hstack([E, np.zeros((E.shape[0], k))]), e, e))
    integ = np.r_[integral.astype(int), np.zeros(k, int)]
    res = milp(cost, constraints=cons, integrality=integ, bounds=Bounds(np.r_[lb, np.zeros(k)], np.r_[ub, np.full(k, np.inf)]),
               options={"disp": False})
    if res.status != 0 or res.x is None:
        return np.inf, None
    return float(res.fun), res.x[:n]


def min_norm_point(G, h, E, e, lb, ub, norm, w, integral=None) -> tuple[float, np.ndarray | None]:
    """``min ||w * delta||_norm`` over the polyhedron; ``(inf, None)`` when it is empty."""
    G = np.asarray(G, float).reshape(-1, lb.size)
    if norm == 2:
        if integral is not None and integral.any():
            raise InvalidInputError(
                "Integer or one-hot features make the L2 counterfactual a mixed-integer QP, which HiGHS does not "
                "solve; use norm=1 or norm='inf' (a MILP) for such features."
            )
        return _solve_qp(G, h, np.asarray(E, float).reshape(-1, lb.size), e, lb, ub, w)
    E = np.asarray(E, float).reshape(-1, lb.size)
    if integral is not None and integral.any():
        return _solve_milp(G, h, E, e, lb, ub, norm, w, integral)
    return (_solve_l1 if norm == 1 else _solve_linf)(G, h, E, e, lb, ub, w)
