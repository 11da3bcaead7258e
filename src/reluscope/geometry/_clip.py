"""Vectorised splitting of many convex polygons / intervals by one line each (no LP).

Polygons are stored padded: ``V (P, K, 2)`` holds polygon ``p``'s ``n[p]``
vertices in counter-clockwise order in ``V[p, :n[p]]``; the padding repeats
vertex 0, so ``np.roll`` along axis 1 gives every polygon's edges (the padded
ones are degenerate) and the shoelace formula needs no mask.

A polygon is cut by the line ``f(x) = a . x + c = 0`` when it has vertices
strictly on both sides, ``f > eps`` and ``f < -eps``; vertices within ``eps``
of the line belong to both pieces.  This is the Sutherland-Hodgman step,
done for all cut polygons at once with a stable sort to compact the output.
"""

from __future__ import annotations

import numpy as np

__all__ = ["pad_first", "polygon_areas", "split_polygons", "split_intervals"]


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
    m, L = keep.shape
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
    side = np.where(hi & lo, 0, np.where(hi, 1, -1)).astype(np.int8)
    cut = np.flatnonzero(side == 0)
    if cut.size == 0:
        empty = np.zeros((0, 1, 2))
        return side, empty, np.zeros(0, np.int64), empty, np.zeros(0, np.int64)
    Vc, fc, vc, ec = V[cut], f[cut], valid[cut], eps[cut][:, None]
    Vn, fn = np.roll(Vc, -1, axis=1), np.roll(fc, -1, axis=1)
    cross = vc & (((fc > ec) & (fn < -ec)) | ((fc < -ec) & (fn > ec)))
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(cross, fc / (fc - fn), 0.0)
    X = Vc + w[..., None] * (Vn - Vc)
    points = np.stack([Vc, X], axis=2).reshape(cut.size, 2 * K, 2)
    keep_pos = np.stack([vc & (fc >= -ec), cross], axis=2).reshape(cut.size, 2 * K)
    keep_neg = np.stack([vc & (fc <= ec), cross], axis=2).reshape(cut.size, 2 * K)
    pos, npos = _compact(points, keep_pos)
    neg, nneg = _compact(points, keep_neg)
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
