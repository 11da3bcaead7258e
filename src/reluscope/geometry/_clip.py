"""Vectorised splitting of many convex polygons / intervals by one line each (no LP).

Polygons are stored padded: ``V (P, K, 2)`` holds polygon ``p``'s ``n[p]``
vertices in counter-clockwise order in ``V[p, :n[p]]``; the padding repeats
vertex 0, so ``np.roll`` along axis 1 gives every polygon's edges (the padded
ones are degenerate) and the shoelace formula needs no mask.

A polygon is cut by the line ``f(x) = a . x + c = 0`` when it has vertices
strictly on both sides, ``f > eps`` and ``f < -eps``; vertices within ``eps``
of the line belong to both pieces.  This is the Sutherland-Hodgman step,
done for all cut polygons at once, the output compacted by scattering each
kept point to the running count of kept points of its row (no sort).
:class:`PolygonStore` holds the growing set of polygons of one layer.
"""

from __future__ import annotations

import numpy as np

__all__ = ["pad_first", "polygon_areas", "split_polygons", "split_intervals", "widen", "PolygonStore"]


def pad_first(V: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Set the padding ``V[p, n[p]:]`` to vertex 0 (in place) and return ``V``."""
    K = V.shape[1]
    pad = np.arange(K)[None, :] >= n[:, None]
    V[pad] = np.broadcast_to(V[:, :1, :], V.shape)[pad]
    return V


def polygon_areas(V: np.ndarray) -> np.ndarray:
    """Shoelace areas of padded counter-clockwise polygons (P,)."""
    x, y = V[..., 0], V[..., 1]
    return 0.5 * (x * np.roll(y, -1, axis=1) - np.roll(x, -1, axis=1) * y).sum(axis=1)


def _compact(points: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Move kept points to the front of each row (order kept), pad with the first one.

    A scatter to the running count of kept points (no sort); each row keeps at least one point.
    """
    m = keep.shape[0]
    count = keep.sum(axis=1)
    width = int(count.max()) if count.size else 0
    first = np.argmax(keep, axis=1)
    out = np.repeat(points[np.arange(m), first][:, None, :], width, axis=1)
    rows, cols = np.nonzero(keep)
    slot = np.cumsum(keep, axis=1)[rows, cols] - 1
    out.reshape(-1, 2)[rows * width + slot] = points[rows, cols]
    return out, count


def split_polygons(V: np.ndarray, n: np.ndarray, f: np.ndarray, eps: np.ndarray):
    """Split each polygon by the zero line of ``f`` (values at its vertices).

    Parameters
    ----------
    V : (P, K, 2) padded polygons; n : (P,) vertex counts
    f : (P, K) the affine function at the vertices (padding: any value)
    eps : (P,) tolerance of each polygon's line

    Returns
    -------
    side : int8 (P,)
        +1 all vertices ``f >= -eps`` (and some ``> eps``), -1 all ``<= eps``, 0 cut.
        A polygon with every ``|f| <= eps`` gets -1 (``f > 0`` is "on").
    pos, npos, neg, nneg : the positive and negative pieces of the cut polygons, in order of ``side == 0``.
    """
    K = V.shape[1]
    valid = np.arange(K)[None, :] < n[:, None]
    hi = np.where(valid, f, -np.inf).max(axis=1) > eps
    lo = np.where(valid, f, np.inf).min(axis=1) < -eps
    side = (hi & ~lo).view(np.int8) - (~hi).view(np.int8)
    cut = np.flatnonzero(hi & lo)
    if cut.size == 0:
        empty = np.zeros((0, 1, 2))
        return side, empty, np.zeros(0, np.int64), empty, np.zeros(0, np.int64)
    Vc, fc, vc, ec = V[cut], f[cut], valid[cut], eps[cut][:, None]
    Vn, fn = np.roll(Vc, -1, axis=1), np.roll(fc, -1, axis=1)
    above, below = fc > ec, fc < -ec
    cross = vc & ((above & (fn < -ec)) | (below & (fn > ec)))
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(cross, fc / (fc - fn), 0.0)
    points = np.empty((cut.size, K, 2, 2))
    points[:, :, 0] = Vc
    points[:, :, 1] = Vc + w[..., None] * (Vn - Vc)
    points = points.reshape(cut.size, 2 * K, 2)
    keep = np.empty((cut.size, K, 2), bool)
    keep[:, :, 1] = cross
    keep[:, :, 0] = vc & ~below
    pos, npos = _compact(points, keep.reshape(cut.size, 2 * K))
    keep[:, :, 0] = vc & ~above
    neg, nneg = _compact(points, keep.reshape(cut.size, 2 * K))
    return side, pos, npos, neg, nneg


def split_intervals(T: np.ndarray, f: np.ndarray, eps: np.ndarray):
    """Split intervals ``T (P, 2)`` by the zero of the affine ``f (P, 2)`` (values at the ends).

    Returns ``side`` as :func:`split_polygons` and, for the cut intervals, the
    crossing parameter ``t0``, the positive piece and the negative piece.
    """
    hi = f.max(axis=1) > eps
    lo = f.min(axis=1) < -eps
    side = np.where(hi & lo, 0, np.where(hi, 1, -1)).astype(np.int8)
    cut = np.flatnonzero(side == 0)
    Tc, fc = T[cut], f[cut]
    t0 = Tc[:, 0] + fc[:, 0] / (fc[:, 0] - fc[:, 1]) * (Tc[:, 1] - Tc[:, 0])
    left = np.column_stack([Tc[:, 0], t0])
    right = np.column_stack([t0, Tc[:, 1]])
    first_pos = fc[:, 0] > 0
    pos = np.where(first_pos[:, None], left, right)
    neg = np.where(first_pos[:, None], right, left)
    return side, t0, pos, neg


def widen(V: np.ndarray, K: int) -> np.ndarray:
    """Padded polygons ``V`` with at least ``K`` vertex slots (the new ones repeat vertex 0)."""
    if V.shape[1] >= K:
        return V
    out = np.empty((V.shape[0], K, 2))
    out[:, : V.shape[1]] = V
    out[:, V.shape[1] :] = V[:, :1]
    return out


class PolygonStore:
    """Growable arrays of padded polygons with their unit states and layer-start parent."""

    def __init__(self, V: np.ndarray, n: np.ndarray, on: np.ndarray):
        self.size = V.shape[0]
        cap = max(16, 2 * self.size)
        self.V = widen(np.concatenate([V, np.repeat(V[:1], cap - self.size, axis=0)]), V.shape[1])
        self.n = np.concatenate([n, np.zeros(cap - self.size, n.dtype)])
        self.on = np.concatenate([on, np.zeros((cap - self.size, on.shape[1]), bool)])
        self.src = np.concatenate([np.arange(self.size), np.zeros(cap - self.size, np.int64)])

    def ensure_width(self, K: int) -> None:
        if K > self.V.shape[1]:
            self.V = widen(self.V, K)

    def append(self, V, n, on, src) -> None:
        m = V.shape[0]
        if self.size + m > self.n.shape[0]:
            cap = 2 * (self.size + m)
            grow = cap - self.n.shape[0]
            self.V = np.concatenate([self.V, np.zeros((grow, *self.V.shape[1:]))])
            self.n = np.concatenate([self.n, np.zeros(grow, self.n.dtype)])
            self.on = np.concatenate([self.on, np.zeros((grow, self.on.shape[1]), bool)])
            self.src = np.concatenate([self.src, np.zeros(grow, np.int64)])
        sl = slice(self.size, self.size + m)
        self.V[sl], self.n[sl], self.on[sl], self.src[sl] = widen(V, self.V.shape[1]), n, on, src
        self.size += m
