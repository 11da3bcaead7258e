"""The region search of :func:`reluscope.certify.counterfactual`: one convex programme per region.

The algorithm (best-first over regions ordered by their distance from ``x``, with closed-form
lower bounds for the flipped neighbours) is described in the docstring of ``counterfactual.py``;
this module holds it and its per-region programmes (also used by the LLM walk, ``_cf_walk``).
"""

from __future__ import annotations

import heapq
import time

import numpy as np

from ._programs import min_norm_point

__all__ = ["search_regions"]


def _target_rows(network, coef, intercept, x, want, threshold, margin):
    """Rows ``T delta <= t`` (``delta = y - x``, all features) meaning "class ``want``" under the LLM."""
    eta = coef @ x + intercept
    if network.n_outputs == 1:
        s = -1.0 if want == 1 else 1.0  # class 1: eta >= thr + margin
        return s * coef[:1], np.array([s * (threshold - eta[0]) - margin])
    others = [j for j in range(network.n_outputs) if j != want]
    D = coef[others] - coef[want]
    return D, -margin - (eta[others] - eta[want])


def _region_programme(space, A, c, extra=None):
    """Min distance from x (free coords) to ``{A y <= c} (& extra rows)`` within the space."""
    x, F = space.x, space.free
    G, h = A[:, F], c - A @ x
    if extra is not None:
        G, h = np.vstack([G, extra[0][:, F]]), np.concatenate([h, extra[1]])
    return min_norm_point(G, h, space.E, space.e, space.lb, space.ub, space.norm, space.w, space.integral)


def _dual_norm(space, a):
    a = a / space.w[None, :]
    if space.norm == 2:
        return np.linalg.norm(a, axis=1)
    return np.abs(a).max(axis=1, initial=0.0) if space.norm == 1 else np.abs(a).sum(axis=1)


def _halfspace_bounds(space, T, t):
    """Distance from x to each half-space ``{T_i delta <= t_i}`` alone (a lower bound for all of them)."""
    dual = _dual_norm(space, T[:, space.free])
    gap = np.maximum(-t, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(dual > 0, gap / dual, np.where(gap > 0, np.inf, 0.0))


def _flip_bounds(space, A, c):
    """Closed-form lower bound on the distance to each flipped neighbour (inf when unreachable)."""
    dual = _dual_norm(space, A[:, space.free])
    gap = np.maximum(c - A @ space.x, 0.0)  # the flipped side is {A_i y >= c_i}
    with np.errstate(divide="ignore", invalid="ignore"):
        lb = np.where(dual > 0, gap / dual, np.where(gap > 0, np.inf, 0.0))
    live = np.any(A != 0, axis=1)
    return np.where(live, lb, np.inf)


def search_regions(network, space, wants, threshold, margin, max_regions, time_limit, t0, incumbent=(np.inf, None)):
    """Best-first search over regions (module docstring of :mod:`.counterfactual`).

    Returns ``(best, delta, pattern, lower, complete, n_regions, n_programmes)``.
    """
    from .counterfactual import _embed

    x = space.x
    start = network.patterns(x[None, :])[0]
    heap = [(0.0, 0, 0, start)]
    seen, queued, counter, n_regions, n_prog = set(), set(), 1, 0, 0
    best, best_delta, best_pattern, stopped = incumbent[0], incumbent[1], None, False
    if best_delta is not None:
        best_pattern = network.patterns((x + _embed(space, best_delta))[None, :])[0]
    while heap:
        key, exact, _, p = heap[0]
        if key >= best - 1e-9 * max(1.0, best):
            break
        if n_regions >= max_regions or (time_limit is not None and time.perf_counter() - t0 > time_limit):
            stopped = True
            break
        heapq.heappop(heap)
        code = p.tobytes()
        if code in seen or (not exact and code in queued):
            continue
        A, c = network.region_inequalities(p)
        if not exact:
            dist, _ = _region_programme(space, A, c)
            n_prog += 1
            if np.isfinite(dist):
                heapq.heappush(heap, (max(dist, key), 1, counter, p))
                queued.add(code)
                counter += 1
            else:
                seen.add(code)
            continue
        seen.add(code)
        n_regions += 1
        coef, intercept = network.affine_map(p)
        for want in wants:
            T, t = _target_rows(network, coef, intercept, x, want, threshold, margin)
            if (_halfspace_bounds(space, T, t) >= best).any():  # even the LLM's half-space alone is too far
                continue
            dist, delta = _region_programme(space, A, c, (T, t))
            n_prog += 1
            if dist < best:
                best, best_delta, best_pattern = dist, delta, p
        for i, lb in enumerate(_flip_bounds(space, A, c)):
            if lb < best:
                q = p.copy()
                q[i] = not q[i]
                if q.tobytes() not in seen:
                    heapq.heappush(heap, (lb, 0, counter, q))
                    counter += 1
    lower = min(best, heap[0][0]) if (stopped and heap) else best
    return best, best_delta, best_pattern, lower, not stopped, n_regions, n_prog
