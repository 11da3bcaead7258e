"""Every activation pattern a network realises inside a box, layer by layer.

Both enumerations split regions neuron by neuron, a layer at a time, carrying
the current layer's pre-activation as an affine map of ``x`` inside the region
(eq. 4-5 of ``002``), so a branch that cannot occur is pruned as soon as it
becomes empty:

- :func:`enumerate_polygons` (``d = 2``): regions are convex polygons, cut by
  each neuron's line (Sutherland-Hodgman); no LP at all;
- :func:`enumerate_lp` (any ``d``): a branch is kept when the parent's interior
  point already lies strictly on its side, else when the Chebyshev ball of the
  branch has a positive radius (one LP,
  :func:`reluscope.geometry.polytope.chebyshev_center`).

The box (every mixture component's mean +- 40 standard deviations) loses a
mass below ``1e-300``.
"""

from __future__ import annotations

import numpy as np

from .._progress import progress_bar
from ..geometry.polytope import chebyshev_center
from ._polygon import box_polygon, clip_polygon, polygon_area

__all__ = ["enumerate_polygons", "enumerate_lp"]

#: Regions thinner than this (Chebyshev radius relative to the box size) count as empty.
RADIUS_TOL = 1e-9
#: Polygons with an area below this fraction of the box's are dropped (mass below 1e-19 under the input).
AREA_TOL = 1e-22


def _next_map(network, l: int, on: np.ndarray, A: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pre-activation map of layer ``l + 1`` inside a region where layer ``l`` has states ``on``."""
    slope = network.slopes[l]
    D = np.where(on, 1.0, slope)
    W, b = network.weights[l + 1], network.biases[l + 1]
    return W @ (D[:, None] * A), W @ (D * c) + b


def enumerate_polygons(network, box: np.ndarray, progress: bool | None = None) -> tuple[np.ndarray, list]:
    """All patterns of a 2-input network inside ``box`` (2, 2): bool (P, H) and each region's polygon (vertices)."""
    min_area = AREA_TOL * float(np.prod(box[:, 1] - box[:, 0]))
    regions = [(np.zeros(0, bool), box_polygon(box), network.weights[0], network.biases[0])]
    layers = progress_bar(range(network.n_hidden_layers), progress=progress, desc="regions", unit="layer")
    for l in layers:
        identity = network.slopes[l] == 1.0
        out = []
        for bits, V, A, c in regions:
            parts = [(bits, V)]
            for j in range(A.shape[0]):
                nxt = []
                for pb, P in parts:
                    if identity or not A[j].any():
                        nxt.append((np.append(pb, identity or c[j] > 0), P))
                        continue
                    for on, piece in ((True, clip_polygon(P, -A[j], c[j])), (False, clip_polygon(P, A[j], -c[j]))):
                        if piece.shape[0] >= 3 and abs(polygon_area(piece)) > min_area:
                            nxt.append((np.append(pb, on), piece))
                parts = nxt
            for pb, P in parts:
                on = pb[pb.size - A.shape[0]:]
                if l + 1 < network.n_hidden_layers:
                    A2, c2 = _next_map(network, l, on, A, c)
                else:
                    A2, c2 = A, c
                out.append((pb, P, A2, c2))
        regions = out
    patterns = np.array([r[0] for r in regions], dtype=bool).reshape(len(regions), network.n_hidden_units)
    return patterns, [r[1] for r in regions]


def _feasible(rows: np.ndarray, rhs: np.ndarray, box: np.ndarray, scale: float):
    center, radius = chebyshev_center(rows, rhs, box)
    return (center, radius) if radius > RADIUS_TOL * scale else (None, 0.0)


def enumerate_lp(network, box: np.ndarray, max_regions: int = 100_000, progress: bool | None = None) -> np.ndarray:
    """All patterns of the network with an interior inside ``box`` (d, 2): bool (P, H), by LP-pruned branching."""
    from ..errors import InvalidInputError

    d = network.n_features
    scale = float(np.max(box[:, 1] - box[:, 0]))
    start = box.mean(axis=1)
    # node: (bits, rows, rhs, interior point, layer map A, c)
    nodes = [(np.zeros(0, bool), np.zeros((0, d)), np.zeros(0), start, network.weights[0], network.biases[0])]
    layers = progress_bar(range(network.n_hidden_layers), progress=progress, desc="regions", unit="layer")
    for l in layers:
        identity = network.slopes[l] == 1.0
        out = []
        for bits, R, r, x0, A, c in nodes:
            parts = [(bits, R, r, x0)]
            for j in range(A.shape[0]):
                nxt = []
                norm = np.linalg.norm(A[j])
                for pb, PR, pr, px in parts:
                    if identity or norm == 0:
                        nxt.append((np.append(pb, identity or c[j] > 0), PR, pr, px))
                        continue
                    a, b = A[j] / norm, c[j] / norm
                    z0 = a @ px + b
                    for on in (True, False):
                        row, rhs = (-a, b) if on else (a, -b)
                        R2, r2 = np.vstack([PR, row]), np.append(pr, rhs)
                        if (z0 > RADIUS_TOL * scale) == on and abs(z0) > RADIUS_TOL * scale:
                            x2 = px
                        else:
                            x2, _ = _feasible(R2, r2, box, scale)
                            if x2 is None:
                                continue
                        nxt.append((np.append(pb, on), R2, r2, x2))
                parts = nxt
                if len(out) + len(parts) > max_regions:
                    raise InvalidInputError(
                        f"More than {max_regions:,} regions; pass patterns explicitly or use the support estimate (method='support')."
                    )
            for pb, PR, pr, px in parts:
                on = pb[pb.size - A.shape[0]:]
                A2, c2 = _next_map(network, l, on, A, c) if l + 1 < network.n_hidden_layers else (A, c)
                out.append((pb, PR, pr, px, A2, c2))
        nodes = out
    return np.array([n[0] for n in nodes], dtype=bool).reshape(len(nodes), network.n_hidden_units)
