"""Incumbents for the counterfactual MILP: one-feature moves, then a local search over regions.

The MILP of :mod:`._cf_reduced` lives in the ball of the best distance found so far: its
big-M bounds, the number of unstable units and the proof time all grow with that radius
(measured on the credit net of ``benchmarks/certify.py``: row 3008 is proved in 0.9 s
from the optimum 1.41 and not in 12 s from the incumbent 2.37).  Two cheap searches give
the incumbent, both in the coordinates ``delta`` of the reduced network:

1. :func:`axis_candidates`: every free feature moved alone up and down (grid, then
   bisection on the first crossing); L1 optima of tabular nets often move one feature.
2. :func:`region_descent`: from each start, a best-first search over the regions next
   to the current best point.  In the region ``R = {A delta <= c}`` of a point the net
   is its LLM (Theorem 1 of ``001``), so the closest point of ``R`` with the target
   decision is one LP (:func:`reluscope.certify._programs.min_norm_point`); the facets
   tight at that point are the units whose flip may lead closer, so their neighbours
   are queued (the step of the region search of :mod:`.counterfactual`, but only
   around the incumbent, with a budget of LPs).  It stops at a local minimum over
   regions: the result is an incumbent, never a proof (the MILP proves).
"""

from __future__ import annotations

import heapq
import time

import numpy as np

from ._programs import min_norm_point

__all__ = ["axis_candidates", "axis_incumbent", "region_descent"]


def _search_box(space, radius):
    """Box of ``delta`` within the space and the ball of ``radius`` (L1 and Linf both fit in it)."""
    reach = radius / space.w if np.isfinite(radius) else np.full(space.free.size, np.inf)
    return np.maximum(space.lb, -reach), np.minimum(space.ub, reach)


def _meets(net, D, d_lo, Q):
    """Whether each row of ``Q`` (any leading shape, last axis = delta) meets the decision rows."""
    eta = net._forward_raw(Q.reshape(-1, Q.shape[-1]))[0]
    return np.all(eta @ D.T >= d_lo, axis=1).reshape(Q.shape[:-1])


def axis_candidates(net, space, D, d_lo, radius=np.inf, n_grid=256, pairs: bool = False):
    """Every one-feature move that meets the decision rows, closest first: a list of ``(distance, delta)``.

    Each free feature is moved up and down on a grid of ``n_grid`` steps up to the box (or the
    ball of ``radius``); the first grid step where the reduced net meets the decision rows is
    refined by 40 bisection steps.  Features in one-hot groups or integer features are not
    moved (a lone move would break the group or the integrality).  ``pairs``: also every pair
    of features moved together (four sign patterns, equal weighted steps, ``n_grid / 4`` steps).
    """
    n = space.free.size
    fixed = np.any(space.E != 0, axis=0) if space.E.size else np.zeros(n, bool)
    if space.integral is not None:
        fixed = fixed | space.integral
    free = np.flatnonzero(~fixed)
    dirs = np.concatenate([np.eye(n)[free], -np.eye(n)[free]])
    found = _ray_candidates(net, space, D, d_lo, dirs, radius, n_grid)
    if pairs and free.size > 1:
        i, j = np.triu_indices(free.size, 1)
        P = []
        for si in (1.0, -1.0):
            for sj in (1.0, -1.0):
                Q = np.zeros((i.size, n))
                Q[np.arange(i.size), free[i]] = si / space.w[free[i]]
                Q[np.arange(i.size), free[j]] = sj / space.w[free[j]]
                P.append(Q)
        found += _ray_candidates(net, space, D, d_lo, np.concatenate(P), radius, max(n_grid // 4, 8))
    return sorted(found, key=lambda item: item[0])


def _ray_candidates(net, space, D, d_lo, dirs, radius, n_grid):
    """The first point of each ray ``t * dir`` (t > 0, within box and ball) that meets the decision rows."""
    lo, hi = _search_box(space, radius)
    with np.errstate(divide="ignore", invalid="ignore"):
        reach = np.where(dirs > 0, hi / dirs, np.where(dirs < 0, lo / dirs, np.inf))
    caps = np.nan_to_num(reach.min(axis=1), posinf=1e6)
    dirs, caps = dirs[caps > 0], caps[caps > 0]
    if not caps.size:
        return []
    s = np.linspace(0.0, 1.0, n_grid + 1)[1:]
    hit = _meets(net, D, d_lo, (caps[:, None, None] * s[None, :, None]) * dirs[:, None, :])  # (rays, grid)
    rays = np.flatnonzero(hit.any(axis=1))
    if rays.size == 0:
        return []
    first = hit[rays].argmax(axis=1)
    a = np.where(first > 0, s[np.maximum(first - 1, 0)], 0.0) * caps[rays]  # last grid step that does not meet
    b = s[first] * caps[rays]
    for _ in range(40):
        mid = 0.5 * (a + b)
        ok = _meets(net, D, d_lo, (mid[:, None] * dirs[rays])[:, None, :])[:, 0]
        a, b = np.where(ok, a, mid), np.where(ok, mid, b)
    cost = b * (np.abs(dirs[rays]) @ space.w) if space.norm == 1 else b * np.abs(dirs[rays] * space.w).max(axis=1)
    return [(float(cost[k]), b[k] * dirs[rays[k]]) for k in range(rays.size)]


def axis_incumbent(net, space, D, d_lo, radius=np.inf, n_grid=256):
    """The best one-feature move ``(distance, delta)``, or ``(inf, None)``; checked by a forward pass."""
    found = axis_candidates(net, space, D, d_lo, radius, n_grid)
    return found[0] if found else (np.inf, None)


def _norm(space, delta) -> float:
    v = np.abs(space.w * delta)
    return float(v.sum() if space.norm == 1 else v.max(initial=0.0))


def region_descent(net, space, D, d_lo, starts, max_lps: int = 60, deadline: float | None = None, tol: float = 1e-7):
    """Best ``(distance, delta)`` reached by a local best-first search over regions from each start.

    Parameters
    ----------
    net : ReLUNetwork -- the reduced network (input ``delta``)
    D, d_lo : decision rows ``D eta >= d_lo`` (the target class)
    starts : list of ``delta`` that meet the decision rows (the walk's point, one-feature moves)
    max_lps : LPs over all starts; deadline : ``time.perf_counter()`` value past which it stops

    A region is solved once (shared ``seen`` set); neighbours are queued only across facets
    tight at the region's optimum, keyed by that optimum's distance, and expanded only while
    that distance is within the best of the same start's descent (a start farther than the
    incumbent may still lead closer).  Every returned point is re-checked by a forward pass.
    """
    best, best_delta = np.inf, None
    for delta in starts:
        d = _norm(space, delta)
        if d < best and _meets(net, D, d_lo, delta[None, :])[0]:
            best, best_delta = d, delta
    seen, n_lps = set(), 0
    for delta in starts:  # a descent from each start, judged against its own best (a farther start may lead closer)
        heap, counter, local = [(-np.inf, 0, net.patterns(delta[None, :])[0])], 1, np.inf
        while heap and n_lps < max_lps and (deadline is None or time.perf_counter() < deadline):
            key, _, p = heapq.heappop(heap)
            code = p.tobytes()
            if code in seen or key > local * (1 + 1e-9):
                continue
            seen.add(code)
            A, c = net.region_inequalities(p)
            coef, intercept = net.affine_map(p)
            G, h = np.vstack([A, -(D @ coef)]), np.concatenate([c, D @ intercept - d_lo - 1e-9])  # a hair inside
            dist, point = min_norm_point(G, h, space.E, space.e, space.lb, space.ub, space.norm, space.w, space.integral)
            n_lps += 1
            if point is None or dist > local * (1 + 1e-9):
                continue
            local = min(local, dist)
            if dist < best and _meets(net, D, d_lo, point[None, :])[0]:
                best, best_delta = _norm(space, point), point
            live = np.any(A != 0, axis=1)
            tight = np.flatnonzero(live & (c - A @ point <= tol * (1.0 + np.abs(c))))
            for i in tight:
                q = p.copy()
                q[i] = not q[i]
                if q.tobytes() not in seen:
                    heapq.heappush(heap, (dist, counter, q))
                    counter += 1
    return best, best_delta, n_lps
