"""Facet tests of one region without LPs (for :mod:`reluscope.geometry.enumerate`).

- :func:`_duplicates`: rows parallel to a tighter row;
- :func:`_ray_certificates`: rays from the Chebyshev centre (first hyperplane hit is a facet);
- :func:`_qhull_facets`: the dual convex hull (qhull) classifies every row at once in low dimension;
- :func:`_volume`: volume from the vertices that the dual hull gives;
- :func:`_hull_volume`: qhull volume of a point set that never raises on a sliver.
"""

from __future__ import annotations

import numpy as np

__all__ = ["_duplicates", "_ray_certificates", "_qhull_facets", "_volume", "_hull_volume"]


def _duplicates(G: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Rows parallel to (and not tighter than) another row: never a facet of their own (ties: the later row)."""
    C = G @ G.T
    same = np.triu(C > 1.0 - 1e-12, k=1)
    if not same.any():
        return np.zeros(h.size, bool)
    i, j = np.nonzero(same)
    dup = np.zeros(h.size, bool)
    looser = np.where(h[i] < h[j], j, i)  # of each parallel pair, the looser row (the later one on ties)
    dup[looser] = True
    return dup


def _ray_certificates(G: np.ndarray, h: np.ndarray, center: np.ndarray, rng, n_rays: int = 256, extra=None) -> np.ndarray:
    """Rows certified as facets without an LP by shooting rays from the centre.

    The first hyperplane a ray meets, strictly before any other, bounds the
    region on a set of positive (d-1)-measure: a facet.  Rays go along every
    row's normal (the centre's projection), in ``n_rays`` random directions,
    and in the ``extra`` directions (e.g. towards points that witnessed a facet
    of the same hyperplane in a neighbouring region).
    """
    slack = h - G @ center
    parts = [G, rng.normal(size=(n_rays, G.shape[1]))]
    if extra is not None and len(extra):
        parts.append(np.asarray(extra))
    dirs = np.vstack(parts)
    rate = dirs @ G.T
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(rate > 1e-12, slack[None, :] / rate, np.inf)
    two = np.partition(t, 1, axis=1)[:, :2] if t.shape[1] > 1 else np.column_stack([t[:, 0], np.full(t.shape[0], np.inf)])
    ok = np.isfinite(two[:, 0]) & (two[:, 1] > two[:, 0] * (1.0 + 1e-9) + 1e-12)
    cert = np.zeros(h.size, bool)
    cert[t[ok].argmin(axis=1)] = True
    return cert


def _qhull_facets(G: np.ndarray, h: np.ndarray, center: np.ndarray, rows: np.ndarray):
    """Facets among ``rows`` from the convex hull of the dual points ``G_i / (h_i - G_i c)`` (qhull).

    A row is non-redundant iff its dual point is a vertex of the hull.
    Returns ``(facet, unsure)``: rows whose dual point lies within 1e-9 of the
    hull's boundary without being a vertex are left to an LP; ``None`` when
    qhull fails (a degenerate set of rows), so that every row goes to an LP.
    """
    from scipy.spatial import ConvexHull, QhullError

    idx = np.flatnonzero(rows)
    if idx.size <= G.shape[1]:
        return None
    P = G[idx] / (h[idx] - G[idx] @ center)[:, None]
    try:
        hull = ConvexHull(P)
    except (QhullError, ValueError):
        return None
    facet = np.zeros(h.size, bool)
    facet[idx[hull.vertices]] = True
    off = (P @ hull.equations[:, :-1].T + hull.equations[:, -1]).max(axis=1)
    scale = np.abs(P).max()
    unsure = np.zeros(h.size, bool)
    unsure[idx] = (off > -1e-9 * scale) & ~facet[idx]
    # each facet n . p + e = 0 of the dual hull is the vertex c - n / e of the region
    vertices = center - hull.equations[:, :-1] / hull.equations[:, -1:]
    return facet, unsure, vertices


def _volume(vertices: np.ndarray) -> float:
    """Volume of the convex hull of a region's vertices (d = 1, 2, 3)."""
    d = vertices.shape[1]
    if d == 1:
        return float(np.ptp(vertices[:, 0]))
    scale = max(1.0, float(np.abs(vertices).max()))
    _, first = np.unique(np.round(vertices / scale, 11), axis=0, return_index=True)
    V = vertices[first]
    if V.shape[0] <= d:
        return 0.0
    return _hull_volume(V)


def _hull_volume(V: np.ndarray) -> float:
    """Volume of the convex hull of the points ``V`` (n, d >= 2) by qhull.

    A nearly flat point set (a sliver region, thinner than qhull's precision) makes
    qhull refuse the initial simplex; it is then retried with joggled input (``QJ``:
    points moved by about 1e-11 of their scale, so the volume is off by that order --
    a flat square of side 1 in 3-D comes out at about 4e-12), and 0.0 is returned
    when even that fails.
    """
    from scipy.spatial import ConvexHull, QhullError

    try:
        return float(ConvexHull(V).volume)
    except QhullError:
        try:
            return float(ConvexHull(V, qhull_options="QJ").volume)
        except QhullError:
            return 0.0
