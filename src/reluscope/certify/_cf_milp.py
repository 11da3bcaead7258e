"""The counterfactual as one MILP over a ball: proves (or improves) what the region search found.

``min ||w * (x' - x)||`` (L1: auxiliary ``t >= |w delta|``; Linf: one ``s``) over
the big-M encoding of the network (Tjeng et al. 2019; :mod:`reluscope.certify._milp`)
with the decision constraint on the pre-link output.  Big-M bounds come from
propagation over the box intersected with the ball of the incumbent's radius, so
a good incumbent from the region search makes the MILP small.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from . import _milp


def _decision_rows(network, enc, want, threshold, margin):
    """Rows over the encoding's variables: (A, lo, hi) meaning "class ``want``"."""
    if network.n_outputs == 1:
        if want == 1:
            return enc.eta[:1], np.array([threshold + margin - enc.eta_const[0]]), np.array([np.inf])
        return enc.eta[:1], np.array([-np.inf]), np.array([threshold - margin - enc.eta_const[0]])
    others = [j for j in range(network.n_outputs) if j != want]
    D = enc.eta[want][None, :] - enc.eta[others]
    return D, margin - (enc.eta_const[want] - enc.eta_const[others]), np.full(len(others), np.inf)


def milp_counterfactual(network, space, wants, threshold, margin, radius, time_limit):
    """Best ``(distance, delta, lower_bound, optimal)`` over ``wants`` within ``radius`` of x (None delta if none).

    Restarts: big-M bounds shrink with the radius of the ball (the weighted L1 ball is
    concretised exactly, :func:`reluscope.certify._milp.propagate_bounds`), so whenever a
    solve finds a closer counterfactual before proving, the MILP is rebuilt around the new,
    smaller radius and solved again; a solve that brings no improvement gets all the time left.
    """
    import time

    t0 = time.perf_counter()
    best, best_delta, r, stalled = np.inf, None, radius, False
    while True:
        left = None if time_limit is None else time_limit - (time.perf_counter() - t0)
        if left is not None and left <= 1e-3:
            return best, best_delta, lower, False
        budget = left if (left is None or stalled or not np.isfinite(r)) else max(0.1, left / 3)
        dist, delta, bound, optimal = _milp_within(network, space, wants, threshold, margin, r, budget)
        lower = min(bound, r)
        if delta is not None and dist < best:
            best, best_delta = dist, delta
        if optimal:
            return best, best_delta, min(bound, r, best) if best_delta is not None else r, True
        if best < r * (1 - 1e-6):
            r = best * (1 + 1e-9)
        elif budget is not None and left is not None and budget >= left:
            return best, best_delta, lower, False
        else:
            stalled = True


def _milp_within(network, space, wants, threshold, margin, radius, time_limit):
    """One MILP over the box intersected with the ball of ``radius`` around x."""
    x, F = space.x, space.free
    d = x.size
    lo, hi = x.copy(), x.copy()
    reach = radius / space.w if np.isfinite(radius) else np.full(F.size, np.inf)
    lo[F] = np.maximum(x[F] + space.lb, x[F] - reach)
    hi[F] = np.minimum(x[F] + space.ub, x[F] + reach)
    if not (np.isfinite(lo).all() and np.isfinite(hi).all()):
        return np.inf, None, 0.0, False
    ball = None
    if space.norm == 1 and np.isfinite(radius):
        wfull = np.ones(d)
        wfull[F] = space.w
        ball = (x, radius, wfull)
    enc = _milp.encode_network(network, lo, hi, ball, tighten=True)
    n0, nF = enc.n_vars, F.size
    n_aux = nF if space.norm == 1 else 1
    W = sparse.csr_matrix((space.w, (np.arange(nF), F)), shape=(nF, n0))
    aux = sparse.identity(nF, format="csr") if space.norm == 1 else sparse.csr_matrix(np.ones((nF, 1)))
    rows = [sparse.hstack([W, -aux]), sparse.hstack([-W, -aux])]
    r_hi = [space.w * x[F], -space.w * x[F]]
    if space.E.size:
        E = sparse.csr_matrix((space.E.shape[0], n0))
        E = sparse.lil_matrix(E)
        E[:, F] = space.E
        rows.append(sparse.hstack([E.tocsr(), sparse.csr_matrix((space.E.shape[0], n_aux))]))
    A = sparse.vstack([sparse.hstack([enc.A, sparse.csr_matrix((enc.A.shape[0], n_aux))]), *rows[:2]]).tocsr()
    row_lo = np.concatenate([enc.row_lo, np.full(2 * nF, -np.inf)])
    row_hi = np.concatenate([enc.row_hi, *r_hi])
    if space.E.size:
        target = space.e + space.E @ x[F]
        A = sparse.vstack([A, rows[2]]).tocsr()
        row_lo, row_hi = np.concatenate([row_lo, target]), np.concatenate([row_hi, target])
    if ball is not None:  # the big-M bounds hold inside the ball only: keep the solution there
        ball_row = sparse.hstack([sparse.csr_matrix((1, n0)), sparse.csr_matrix(np.ones((1, n_aux)))])
        A = sparse.vstack([A, ball_row]).tocsr()
        row_lo, row_hi = np.concatenate([row_lo, [-np.inf]]), np.concatenate([row_hi, [radius]])
    integ = np.concatenate([enc.integrality, np.zeros(n_aux)])
    if space.integral is not None:
        integ[F[space.integral]] = 1
    full = _milp.ReluEncoding(A, row_lo, row_hi, np.concatenate([enc.col_lo, np.zeros(n_aux)]),
                              np.concatenate([enc.col_hi, np.full(n_aux, np.inf)]), integ, enc.x_cols,
                              np.hstack([enc.eta, np.zeros((enc.eta.shape[0], n_aux))]), enc.eta_const, enc.z_cols,
                              enc.a_cols, enc.bounds)
    cost = np.zeros(full.n_vars)
    cost[n0:] = 1.0
    best, best_delta, bound, optimal = np.inf, None, np.inf, True
    for want in wants:
        D, dlo, dhi = _decision_rows(network, full, want, threshold, margin)
        res = _milp.solve(full, cost, 0.0, False, time_limit, extra=(sparse.csr_matrix(D), dlo, dhi))
        optimal &= res.optimal
        bound = min(bound, res.bound)
        if res.solution is not None and res.value < best:
            best, best_delta = res.value, res.solution[:d][F] - x[F]
    return best, best_delta, bound, optimal
