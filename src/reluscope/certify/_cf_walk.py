"""A quick counterfactual to start from: walk from LLM to LLM towards the target decision.

In the region of ``y`` (start: ``y = x``) the network is its LLM (Theorem 1 of
``001``).  Two programmes per step: the closest point of the target class inside
that region (an exact counterfactual when feasible, the region search's
programme), and the closest point of the LLM's target half-space ignoring the
region, to which the walk moves (a little past it).  When the network's class at
the new point is the target, a bisection on the segment from ``x`` finds where the
decision changes.  The best exact candidate is an incumbent only; optimality is
proved by the region search or the MILP around it (the smaller its distance, the
smaller the MILP's ball).  This is the L1/Linf analogue of DeepFool (Moosavi-Dezfooli
et al. 2016) with exact region programmes.
"""

from __future__ import annotations

import numpy as np

from ._programs import min_norm_point


def llm_walk(network, space, wants, threshold, margin, steps: int = 12, overshoot: float = 1.02):
    """Best ``(distance, delta)`` found (``(inf, None)`` when none); delta in the free coordinates."""
    from ._cf_search import _region_programme, _target_rows

    x, F = space.x, space.free
    best, best_delta = np.inf, None

    def norm_of(delta):
        v = space.w * delta
        return float(np.abs(v).sum() if space.norm == 1 else np.abs(v).max(initial=0.0) if space.norm == np.inf else np.sqrt(v @ v))

    def decides(delta, want):
        y = x.copy()
        y[F] += delta
        eta = network._forward_raw(y[None, :])[0][0]
        if network.n_outputs == 1:
            return (eta[0] >= threshold + margin) if want == 1 else (eta[0] <= threshold - margin)
        return bool(np.all(eta[want] - np.delete(eta, want) >= margin))

    for want in wants:
        delta_y = np.zeros(F.size)
        for _ in range(steps):
            y = x.copy()
            y[F] += delta_y
            p = network.patterns(y[None, :])[0]
            coef, intercept = network.affine_map(p)
            T, t = _target_rows(network, coef, intercept, x, want, threshold, margin)
            A, c = network.region_inequalities(p)
            dist, delta = _region_programme(space, A, c, (T, t))
            if delta is not None and dist < best and decides(delta, want):
                best, best_delta = dist, delta
                break
            dist, step = min_norm_point(T[:, F], t, space.E, space.e, space.lb, space.ub, space.norm, space.w, space.integral)
            if step is None or dist >= best:
                break
            delta_y = np.clip(step * overshoot, space.lb, space.ub) if space.integral is None else step
            if decides(delta_y, want):  # crossed: the decision changes on the segment [x, y]
                lo_s, hi_s = 0.0, 1.0
                for _ in range(40):
                    mid = 0.5 * (lo_s + hi_s)
                    lo_s, hi_s = (lo_s, mid) if decides(mid * delta_y, want) else (mid, hi_s)
                cand = hi_s * delta_y
                if space.integral is None or np.allclose(cand[space.integral], np.round(cand[space.integral])):
                    d_c = norm_of(cand)
                    if d_c < best:
                        best, best_delta = d_c, cand
                break
    return best, best_delta
