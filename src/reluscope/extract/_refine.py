"""Second pass for first-layer neurons with a small kink: their planes from gradients taken far from every plane.

A neuron whose jump ``|J| = |a_k| |w_k|`` is small (a small outgoing weight) has its normal estimated from a
difference of two finite-difference gradients whose round-off, ``~ precision |f| / eps`` per coordinate, is
large against ``|J|``.  Once every first-layer plane is known (one hidden layer), the regions are known too,
so the gradients on both sides of plane ``k`` can be taken at points far from every other plane, with a
step as large as the distance allows (a region's affine map is exact on the whole region): the error falls
by the ratio of the steps.  The offset then comes from critical points located on lines along the new
normal (their position error is round-off over the slope jump, not over a finite-difference step).
"""

from __future__ import annotations

import numpy as np

from ._lines import search_lines

__all__ = ["refine_weak_planes"]


def _side_gradients(oracle, P, normal, radius, n1, b1, max_step):
    """Jumps ``g+ - g-`` by forward differences at ``P +- radius/2 n``, inside the regions.

    The step along coordinate ``i`` is half the distance to the nearest plane *along that axis*,
    ``min_j |z_j| / |n_ji|`` -- with unit normals in ``d`` dimensions about ``sqrt(d)`` times the
    Euclidean distance -- so the round-off of each difference is as small as the region allows.
    """
    n, d = P.shape
    base = np.concatenate([P + 0.5 * radius[:, None] * normal, P - 0.5 * radius[:, None] * normal])
    Z = np.abs(base @ n1.T + b1)  # (2n, h)
    with np.errstate(divide="ignore"):
        H = 0.5 * (Z[:, :, None] / np.abs(n1)[None, :, :]).min(axis=1)  # (2n, d)
    H = np.minimum(H, max_step)
    pts = base[:, None, :] + np.concatenate([np.zeros((2 * n, 1, d)), H[:, :, None] * np.eye(d)[None]], axis=1)
    v = oracle(pts.reshape(-1, d)).reshape(2 * n, d + 1)
    G = (v[:, 1:] - v[:, :1]) / H
    return G[:n] - G[n:]


def refine_weak_planes(st, *, ratio: float = 0.2, n_points: int = 3, n_candidates: int = 400) -> int:
    """Re-estimate the planes of neurons whose jump is below ``ratio`` times the median jump; returns how many.

    The normal is the mean of the re-measured jumps (``4 n_points`` of them for a jump below 1% of the
    median); the offset comes from the kink located exactly on a line along the new normal.
    """
    if st.n1.shape[0] < 2:
        return 0
    median = np.median(st.jump1)
    weak = np.flatnonzero(st.jump1 < ratio * median)
    for k in weak:
        m = n_points * (4 if st.jump1[k] < 0.01 * median else 1)
        Y = st.box_points(n_candidates)
        P = Y - (Y @ st.n1[k] + st.b1[k])[:, None] * st.n1[k]
        others = np.delete(np.arange(st.n1.shape[0]), k)
        dist = np.abs(P @ st.n1[others].T + st.b1[others]).min(axis=1)
        best = np.argsort(-dist)[:m]
        radius = 0.9 * dist[best]
        J = _side_gradients(st.oracle, P[best], st.n1[k], radius, st.n1, st.b1, 0.5 * (st.hi - st.lo))
        J *= np.sign(J @ st.n1[k])[:, None]
        normal = (J / np.linalg.norm(J, axis=1, keepdims=True)).mean(0)
        normal /= np.linalg.norm(normal)
        kinks = search_lines(st.oracle, P[best] - 0.5 * radius[:, None] * normal, radius[:, None] * normal,
                             precision=st.precision)
        st.n1[k] = normal
        if kinks.t.size:
            st.b1[k] = -float(np.median(kinks.points() @ normal))
    return int(weak.size)
