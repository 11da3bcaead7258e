"""Minimum-norm points of a polyhedron: LP (L1, Linf), MILP (integer features) and QP (L2).

Solves ``min ||w * delta||`` subject to ``G delta <= h``, ``E delta = e``,
``lb <= delta <= ub`` and optional integrality of some ``delta`` entries.
L1 and Linf are linear programmes with auxiliary variables (SciPy ``linprog`` /
``milp``, HiGHS); L2 is the convex QP ``min sum (w delta)^2`` solved by HiGHS'
QP solver through ``highspy`` (no hand-written solver).  Returns the distance
(``inf`` when infeasible) and the minimiser.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidInputError

__all__ = ["min_norm_point"]


def _lp_blocks(G, n, norm, w):
    """Constraint blocks over ``[delta, aux]`` for L1 (aux = t per coord) or Linf (aux = one s)."""
    W = np.diag(w)
    if norm == 1:
        rows = np.vstack([np.hstack([W, -np.eye(n)]), np.hstack([-W, -np.eye(n)])])
        cost = np.concatenate([np.zeros(n), np.ones(n)])
        n_aux = n
    else:
        rows = np.vstack([np.hstack([W, -np.ones((n, 1))]), np.hstack([-W, -np.ones((n, 1))])])
        cost = np.concatenate([np.zeros(n), [1.0]])
        n_aux = 1
    G_full = np.hstack([G, np.zeros((G.shape[0], n_aux))])
    return np.vstack([G_full, rows]), cost, n_aux


def _solve_linear(G, h, E, e, lb, ub, norm, w, integral):
    from scipy.optimize import Bounds, LinearConstraint, linprog, milp

    n = lb.size
    A, cost, n_aux = _lp_blocks(G, n, norm, w)
    b = np.concatenate([h, np.zeros(A.shape[0] - h.size)])
    E_full = np.hstack([E, np.zeros((E.shape[0], n_aux))]) if E.size else None
    lo = np.concatenate([lb, np.zeros(n_aux)])
    hi = np.concatenate([ub, np.full(n_aux, np.inf)])
    if integral is not None and integral.any():
        cons = [LinearConstraint(A, -np.inf, b)]
        if E_full is not None:
            cons.append(LinearConstraint(E_full, e, e))
        integ = np.concatenate([integral.astype(int), np.zeros(n_aux, int)])
        res = milp(cost, constraints=cons, integrality=integ, bounds=Bounds(lo, hi), options={"disp": False})
    else:
        res = linprog(cost, A_ub=A, b_ub=b, A_eq=E_full, b_eq=e if E_full is not None else None,
                      bounds=np.column_stack([lo, hi]), method="highs")
    if res.status != 0 or res.x is None:
        return np.inf, None
    return float(res.fun), res.x[:n]


def _solve_qp(G, h, E, e, lb, ub, w):
    import highspy

    n = lb.size
    rows = np.vstack([G, E]) if E.size else G
    r_lo = np.concatenate([np.full(G.shape[0], -np.inf), e]) if E.size else np.full(G.shape[0], -np.inf)
    r_hi = np.concatenate([h, e]) if E.size else h
    h_ = highspy.Highs()
    h_.setOptionValue("output_flag", False)
    inf = h_.getInfinity()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, rows.shape[0]
    lp.col_cost_ = np.zeros(n)
    lp.col_lower_, lp.col_upper_ = np.clip(lb, -inf, inf), np.clip(ub, -inf, inf)
    lp.row_lower_, lp.row_upper_ = np.clip(r_lo, -inf, inf), np.clip(r_hi, -inf, inf)
    csc = __import__("scipy.sparse", fromlist=["csc_matrix"]).csc_matrix(rows)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = csc.indptr, csc.indices, csc.data
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, rows.shape[0]
    hess = highspy.HighsHessian()
    hess.dim_ = n
    hess.format_ = highspy.HessianFormat.kTriangular
    hess.start_, hess.index_, hess.value_ = np.arange(n + 1), np.arange(n), 2.0 * w * w
    model = highspy.HighsModel()
    model.lp_, model.hessian_ = lp, hess
    h_.passModel(model)
    h_.run()
    if h_.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return np.inf, None
    delta = np.asarray(h_.getSolution().col_value)
    return float(np.linalg.norm(w * delta)), delta


def min_norm_point(G, h, E, e, lb, ub, norm, w, integral=None) -> tuple[float, np.ndarray | None]:
    """``min ||w * delta||_norm`` over the polyhedron; ``(inf, None)`` when it is empty."""
    G = np.asarray(G, float).reshape(-1, lb.size)
    if norm == 2:
        if integral is not None and integral.any():
            raise InvalidInputError(
                "Integer or one-hot features make the L2 counterfactual a mixed-integer QP, which HiGHS does not "
                "solve; use norm=1 or norm='inf' (a MILP) for such features."
            )
        return _solve_qp(G, h, E, e, lb, ub, w)
    return _solve_linear(G, h, E, e, lb, ub, norm, w, integral)
