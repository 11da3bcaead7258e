"""Polytope primitives shared by every module that works with activation regions.

A region of a ReLU network is a polyhedron ``{x : A x <= c}`` (Lemma 1, eq. 8 of
``001``; thesis ``000`` ch. 2).  The linear programmes here (SciPy ``linprog``
with HiGHS; no hand-written solver) are the one home for:

- :func:`redundant_rows`: which rows are implied by the others;
- :func:`coordinate_extent`: min and max of each coordinate (the bounding box);
- :func:`chebyshev_center`: the largest inscribed ball, inside a box;
- :func:`polygon_vertices`: the vertices of a 2-D polygon.

Rows are expected scaled to unit norm (:func:`normalize_rows`).
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidInputError

__all__ = [
    "LP_TOL", "normalize_rows", "redundant_rows", "coordinate_extent", "chebyshev_center", "polygon_vertices",
    "is_feasible", "polytope_vertices", "polytope_volume",
]

#: Slack of the redundancy test on rows scaled to unit norm (HiGHS works to about 1e-7).
LP_TOL = 1e-7


def normalize_rows(A: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``A x <= c`` with every non-zero row scaled to unit norm; returns ``(An, cn, norms)`` (zero rows kept as they are).

    Parameters
    ----------
    A : ndarray of shape (m, d)
        Left-hand sides of the inequalities.
    c : ndarray of shape (m,)
        Right-hand sides.

    Returns
    -------
    An : ndarray of shape (m, d)
        ``A`` with each non-zero row divided by its Euclidean norm.
    cn : ndarray of shape (m,)
        ``c`` divided by the same norms.
    norms : ndarray of shape (m,)
        The row norms of ``A``.

    Examples
    --------
    The triangle ``x >= 0, y >= 0, x + y <= 1``: the last row has norm sqrt(2).

    >>> from reluscope.geometry import normalize_rows
    >>> A = np.array([[-1.0, 0.0], [0.0, -1.0], [1.0, 1.0]])
    >>> c = np.array([0.0, 0.0, 1.0])
    >>> An, cn, norms = normalize_rows(A, c)
    >>> norms
    array([1.    , 1.    , 1.4142])
    >>> np.allclose(np.linalg.norm(An, axis=1), 1.0), float(cn[2])
    (True, 0.7071)
    """
    A = np.asarray(A, dtype=np.float64)
    c = np.asarray(c, dtype=np.float64)
    norms = np.linalg.norm(A, axis=1)
    safe = np.where(norms > 0, norms, 1.0)
    return A / safe[:, None], c / safe, norms


def redundant_rows(An: np.ndarray, cn: np.ndarray) -> tuple[np.ndarray, int]:
    """Redundant rows of ``An x <= cn`` (rows of unit norm or zero); vectorised pre-passes, then one LP per candidate.

    Parameters
    ----------
    An : ndarray of shape (m, d)
        Rows of unit norm (or zero), e.g. from :func:`normalize_rows`.
    cn : ndarray of shape (m,)
        Right-hand sides.

    Returns
    -------
    redundant : ndarray of bool, shape (m,)
        True for a row implied by the rows kept (of parallel rows only the tightest is kept).
    n_lp : int
        How many linear programmes were solved.

    Raises
    ------
    InvalidInputError
        When a zero row has a negative right-hand side (the region is empty).

    Examples
    --------
    The triangle ``x >= 0, y >= 0, x + y <= 1`` with the looser copy ``2x + 2y <= 3``:
    only the copy is redundant.

    >>> from reluscope.geometry import normalize_rows, redundant_rows
    >>> A = np.array([[-1.0, 0.0], [0.0, -1.0], [1.0, 1.0], [2.0, 2.0]])
    >>> c = np.array([0.0, 0.0, 1.0, 3.0])
    >>> redundant, n_lp = redundant_rows(*normalize_rows(A, c)[:2])
    >>> redundant
    array([False, False, False,  True])
    """
    from scipy.optimize import linprog

    m = An.shape[0]
    redundant = np.zeros(m, bool)
    zero = ~np.any(An, axis=1)
    if (cn[zero] < -LP_TOL).any():
        raise InvalidInputError("The region's inequalities contradict each other (an empty region).")
    redundant[zero] = True
    # parallel rows with the same direction: only the tightest one can matter
    idx = np.flatnonzero(~zero)
    key = np.round(An[idx], 12)
    _, group = np.unique(key, axis=0, return_inverse=True)
    group = group.ravel()
    order = np.lexsort((idx, cn[idx], group))
    first = np.ones(order.size, bool)
    first[1:] = group[order][1:] != group[order][:-1]
    redundant[idx[order][~first]] = True
    n_lp = 0
    for i in np.flatnonzero(~redundant):
        others = ~redundant
        others[i] = False
        if not others.any():  # a single half-space is never implied
            continue
        n_lp += 1
        res = linprog(-An[i], A_ub=An[others], b_ub=cn[others], bounds=[(None, None)] * An.shape[1], method="highs")
        # status 3 (unbounded), or 2 / 4 (HiGHS: unbounded-or-infeasible, numerical trouble): keep the row, the safe side
        if res.status == 0 and -res.fun <= cn[i] + LP_TOL * (1.0 + abs(cn[i])):
            redundant[i] = True
    return redundant, n_lp


def coordinate_extent(An: np.ndarray, cn: np.ndarray) -> tuple[np.ndarray, int]:
    """Min and max of each coordinate over ``An x <= cn``: 2 d LPs, +-inf when unbounded.

    Parameters
    ----------
    An : ndarray of shape (m, d)
        Rows of unit norm (or zero).
    cn : ndarray of shape (m,)
        Right-hand sides.

    Returns
    -------
    extent : ndarray of shape (d, 2)
        ``extent[j] = (min x_j, max x_j)`` over the polyhedron (``-inf`` / ``inf`` when unbounded).
    n_lp : int
        How many linear programmes were solved (``2 d``).

    Examples
    --------
    The bounding box of the triangle ``x >= 0, y >= 0, x + y <= 1`` is the unit square;
    dropping ``x + y <= 1`` leaves the maxima unbounded.

    >>> from reluscope.geometry import coordinate_extent, normalize_rows
    >>> A = np.array([[-1.0, 0.0], [0.0, -1.0], [1.0, 1.0]])
    >>> c = np.array([0.0, 0.0, 1.0])
    >>> extent, n_lp = coordinate_extent(*normalize_rows(A, c)[:2])
    >>> extent
    array([[0., 1.],
           [0., 1.]])
    >>> coordinate_extent(A[:2], c[:2])[0][:, 1]
    array([inf, inf])
    """
    from scipy.optimize import linprog

    d = An.shape[1]
    ext = np.empty((d, 2))
    if An.shape[0] == 0:
        ext[:, 0], ext[:, 1] = -np.inf, np.inf
        return ext, 0
    for j in range(d):
        for side, sign in ((0, 1.0), (1, -1.0)):
            cost = np.zeros(d)
            cost[j] = sign
            res = linprog(cost, A_ub=An, b_ub=cn, bounds=[(None, None)] * d, method="highs")
            ext[j, side] = sign * res.fun if res.status == 0 else sign * -np.inf
    return ext, 2 * d


def chebyshev_center(An: np.ndarray, cn: np.ndarray, box: np.ndarray) -> tuple[np.ndarray, float]:
    """Centre and radius of the largest ball in ``{An x <= cn} & box`` (rows of unit norm): one LP.

    Parameters
    ----------
    An : ndarray of shape (m, d)
        Rows of unit norm (or zero).
    cn : ndarray of shape (m,)
        Right-hand sides.
    box : ndarray of shape (d, 2)
        Lower and upper bound of each coordinate; keeps the LP bounded.

    Returns
    -------
    center : ndarray of shape (d,)
        The centre of the largest inscribed ball (NaN when the LP fails, e.g. an empty set).
    radius : float
        Its radius (0 for an empty or flat set).

    Examples
    --------
    The incircle of the triangle ``x >= 0, y >= 0, x + y <= 1`` has radius
    ``1 / (2 + sqrt(2))`` and its centre on the diagonal at that same distance from both axes.

    >>> from reluscope.geometry import chebyshev_center, normalize_rows
    >>> A = np.array([[-1.0, 0.0], [0.0, -1.0], [1.0, 1.0]])
    >>> c = np.array([0.0, 0.0, 1.0])
    >>> box = np.array([[-5.0, 5.0], [-5.0, 5.0]])
    >>> center, radius = chebyshev_center(*normalize_rows(A, c)[:2], box)
    >>> bool(np.isclose(radius, 1 / (2 + np.sqrt(2)))), np.allclose(center, radius)
    (True, True)
    """
    from scipy.optimize import linprog

    d = An.shape[1]
    eye = np.eye(d)
    G = np.vstack([An, eye, -eye])
    h = np.concatenate([cn, box[:, 1], -box[:, 0]])
    norms = np.linalg.norm(G, axis=1)
    cost = np.zeros(d + 1)
    cost[-1] = -1.0
    res = linprog(cost, A_ub=np.column_stack([G, norms]), b_ub=h, bounds=[(None, None)] * d + [(0, None)], method="highs")
    if res.status != 0:
        return np.full(d, np.nan), 0.0
    return res.x[:d], float(max(res.x[-1], 0.0))


def polygon_vertices(A: np.ndarray, c: np.ndarray, box: np.ndarray, interior: np.ndarray) -> np.ndarray:
    """Counter-clockwise vertices of ``{A x <= c} & box`` in 2-D (scipy ``HalfspaceIntersection``).

    Parameters
    ----------
    A : ndarray of shape (m, 2)
        Left-hand sides.
    c : ndarray of shape (m,)
        Right-hand sides.
    box : ndarray of shape (2, 2)
        Bounds on both coordinates, intersected with the polygon.
    interior : ndarray of shape (2,)
        A point strictly inside (e.g. from :func:`chebyshev_center`).

    Returns
    -------
    ndarray of shape (k, 2)
        The vertices, counter-clockwise around ``interior``.

    Examples
    --------
    The triangle ``x >= 0, y >= 0, x + y <= 1`` inside a large box:

    >>> from reluscope.geometry import polygon_vertices
    >>> A = np.array([[-1.0, 0.0], [0.0, -1.0], [1.0, 1.0]])
    >>> c = np.array([0.0, 0.0, 1.0])
    >>> box = np.array([[-5.0, 5.0], [-5.0, 5.0]])
    >>> polygon_vertices(A, c, box, interior=np.array([0.2, 0.2])).round(6) + 0.0
    array([[0., 0.],
           [1., 0.],
           [0., 1.]])
    """
    from scipy.spatial import HalfspaceIntersection

    eye = np.eye(2)
    G = np.vstack([A, eye, -eye])
    h = np.concatenate([c, box[:, 1], -box[:, 0]])
    hs = HalfspaceIntersection(np.column_stack([G, -h]), interior)
    pts = hs.intersections[np.isfinite(hs.intersections).all(axis=1)]
    scale = max(1.0, float(np.abs(box).max()))
    _, first = np.unique(np.round(pts / scale, 10), axis=0, return_index=True)
    pts = pts[np.sort(first)]
    angle = np.arctan2(pts[:, 1] - interior[1], pts[:, 0] - interior[0])
    return pts[np.argsort(angle)]


# ------------------------------------------------------------------ additions (geometry issue)
def is_feasible(A: np.ndarray, c: np.ndarray, box: np.ndarray | None = None) -> bool:
    """Whether ``{A x <= c}`` (cut by ``box`` when given) has an interior point: its Chebyshev radius is positive.

    Parameters
    ----------
    A : ndarray of shape (m, d)
        Left-hand sides.
    c : ndarray of shape (m,)
        Right-hand sides.
    box : ndarray of shape (d, 2), optional
        Bounds on the coordinates; default ``+-1e12``.

    Returns
    -------
    bool
        True when the Chebyshev radius exceeds :data:`LP_TOL`.

    Examples
    --------
    ``0 <= x <= 1`` has interior points; ``x <= 0`` together with ``x >= 1`` is empty,
    and so is the flat ``x <= 0, x >= 0``.

    >>> from reluscope.geometry import is_feasible
    >>> A = np.array([[1.0], [-1.0]])
    >>> is_feasible(A, np.array([1.0, 0.0])), is_feasible(A, np.array([0.0, -1.0]))
    (True, False)
    >>> is_feasible(A, np.array([0.0, 0.0]))
    False
    """
    An, cn, _ = normalize_rows(A, c)
    d = An.shape[1]
    if box is None:
        box = np.column_stack([np.full(d, -1e12), np.full(d, 1e12)])
    _, radius = chebyshev_center(An, cn, np.asarray(box, dtype=np.float64))
    return radius > LP_TOL


def polytope_vertices(A: np.ndarray, c: np.ndarray, interior: np.ndarray) -> np.ndarray:
    """Vertices of the bounded polytope ``{A x <= c}`` from a point strictly inside (d = 1, 2, 3 and up).

    d = 1 is the interval's two ends; d >= 2 uses qhull's
    :class:`scipy.spatial.HalfspaceIntersection` (in 2-D in counter-clockwise order).

    Parameters
    ----------
    A : ndarray of shape (m, d)
        Left-hand sides.
    c : ndarray of shape (m,)
        Right-hand sides.
    interior : array-like of shape (d,)
        A point strictly inside (ignored for ``d = 1``).

    Returns
    -------
    ndarray of shape (k, d)
        The vertices (for ``d = 1`` the two ends ``[[lo], [hi]]``).

    Examples
    --------
    The unit cube in 3-D has its 8 corners as vertices; in 1-D, ``-1 <= 2 x <= 3`` is ``[-0.5, 1.5]``.

    >>> from reluscope.geometry import polytope_vertices
    >>> A = np.vstack([np.eye(3), -np.eye(3)])
    >>> c = np.concatenate([np.ones(3), np.zeros(3)])
    >>> V = polytope_vertices(A, c, interior=np.full(3, 0.5))
    >>> V.shape, bool(np.isin(V.round(6), [0.0, 1.0]).all())  # 8 distinct corners in {0, 1}^3
    ((8, 3), True)
    >>> polytope_vertices(np.array([[2.0], [-2.0]]), np.array([3.0, 1.0]), interior=[0.0])
    array([[-0.5],
           [ 1.5]])
    """
    from scipy.spatial import HalfspaceIntersection

    A = np.asarray(A, dtype=np.float64)
    c = np.asarray(c, dtype=np.float64)
    d = A.shape[1]
    if d == 1:
        a = A[:, 0]
        lo = np.max(c[a < 0] / a[a < 0]) if (a < 0).any() else -np.inf
        hi = np.min(c[a > 0] / a[a > 0]) if (a > 0).any() else np.inf
        return np.array([[lo], [hi]])
    hs = HalfspaceIntersection(np.column_stack([A, -c]), np.asarray(interior, dtype=np.float64))
    pts = hs.intersections[np.isfinite(hs.intersections).all(axis=1)]
    scale = max(1.0, float(np.abs(pts).max())) if pts.size else 1.0
    _, first = np.unique(np.round(pts / scale, 10), axis=0, return_index=True)
    pts = pts[np.sort(first)]
    if d == 2:
        angle = np.arctan2(pts[:, 1] - interior[1], pts[:, 0] - interior[0])
        pts = pts[np.argsort(angle)]
    return pts


def polytope_volume(A: np.ndarray, c: np.ndarray, interior: np.ndarray) -> float:
    """Volume (length, area) of the bounded polytope ``{A x <= c}``: qhull's ``ConvexHull`` of its vertices.

    Parameters
    ----------
    A : ndarray of shape (m, d)
        Left-hand sides; the polytope must be bounded.
    c : ndarray of shape (m,)
        Right-hand sides.
    interior : array-like of shape (d,)
        A point strictly inside.

    Returns
    -------
    float
        The ``d``-dimensional volume (0 when the polytope is flat).

    Examples
    --------
    The triangle ``x >= 0, y >= 0, x + y <= 1`` has area 1/2; the box
    ``[0, 1] x [0, 2] x [0, 3]`` has volume 6.

    >>> from reluscope.geometry import polytope_volume
    >>> A = np.array([[-1.0, 0.0], [0.0, -1.0], [1.0, 1.0]])
    >>> polytope_volume(A, np.array([0.0, 0.0, 1.0]), interior=[0.2, 0.2])
    0.5
    >>> A3 = np.vstack([np.eye(3), -np.eye(3)])
    >>> polytope_volume(A3, np.array([1.0, 2.0, 3.0, 0.0, 0.0, 0.0]), interior=[0.5, 1.0, 1.5])
    6.0
    """
    V = polytope_vertices(A, c, interior)
    d = V.shape[1]
    if d == 1:
        return float(V[1, 0] - V[0, 0])
    if V.shape[0] <= d:
        return 0.0
    from ._facets import _hull_volume

    return _hull_volume(V)
