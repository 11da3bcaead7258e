"""The boundaries of one activation region (Lemma 1, eq. 8 of ``001``) and their 2-D views.

- :func:`local_boundaries`: the non-redundant half-spaces of a region's
  closure, whether it is bounded, its extent and an interior point
  (aletheia-dnn ``get_local_boundaries``).
- :func:`region_polygon_2d`: one region of a two-feature network as a polygon
  (aletheia ``visualize2D_one_region``).
- :func:`llm_line_2d`, :func:`llm_lines_2d`: the level line of one LLM / of
  every LLM, clipped to a box (aletheia ``visualize2D_one_line``, ``visualize2D_lines``).

Every unit of the pattern gives one half-space ``(-1)^{P_i} z_i(x) <= 0``
(:meth:`reluscope.ReLUNetwork.region_inequalities`); most of them are implied by
the others.  A row ``a_i x <= c_i`` is redundant when ``max a_i x`` over the
other rows is at most ``c_i`` (one linear programme, HiGHS, per candidate row;
rows are eliminated one after the other, so of two identical rows one stays).
The linear-programming primitives live in :mod:`reluscope.geometry.polytope`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import check_llms, require_n_features
from ..errors import InvalidInputError
from ..geometry.polytope import LP_TOL, chebyshev_center, coordinate_extent, polygon_vertices, redundant_rows  # noqa: F401
from ..unwrap import LocalLinearModels

__all__ = ["RegionBoundaries", "local_boundaries", "RegionPolygon2D", "region_polygon_2d"]

@dataclass
class RegionBoundaries:
    """Half-spaces of a region's closure ``{x : A x <= c}`` (Lemma 1 of ``001``), redundant rows removed.

    Attributes
    ----------
    region : int
    pattern : str
        In the paper's notation, layers separated by ';'.
    A, c : (k, d), (k,)
        The non-redundant rows (scaled as the network gives them).
    unit, layer : int (k,)
        The hidden unit (index into the pattern) and layer of each row.
    unit_on : bool (k,)
        The unit's state in the pattern: the row is ``-z <= 0`` when on,
        ``z <= 0`` when off (aletheia's boolean flags).
    A_all, c_all, unit_all : every row of the pattern (identity-layer units left out)
    redundant : bool (m,)
        Which rows of ``A_all`` are implied by the non-redundant ones.
    bounded : bool
        The region itself (not cut by the box) is bounded.
    extent : (d, 2)
        Minimum and maximum of each feature over the region (+-inf when unbounded).
    box : (d, 2)
        The box of the interior point and of ``box_active``.
    box_active : bool (d, 2)
        The region extends beyond the lower / upper side of the box.
    interior_point : (d,)
        Centre of the largest ball inside the region and the box (Chebyshev centre).
    inradius : float
        Its radius; 0 when the region has no interior inside the box.
    n_lp : int
        Linear programmes solved.
    feature_names : tuple of str

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import diagnose
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)], output="sigmoid")
    >>> X = rng.uniform(-2, 2, size=(300, 2))
    >>> y = (X[:, 0] * X[:, 1] > 0).astype(int)
    >>> llms = reluscope.unwrap(net, X, y)
    >>> b = diagnose.local_boundaries(llms, 0)
    >>> b.pattern, b.n_boundaries, b.A_all.shape, int(b.redundant.sum())
    ('1,1,0,1,0,0,0,0', 5, (8, 2), 3)
    >>> b.bounded, b.inradius
    (False, 0.987)
    """

    region: int
    pattern: str
    A: np.ndarray
    c: np.ndarray
    unit: np.ndarray
    layer: np.ndarray
    unit_on: np.ndarray
    A_all: np.ndarray
    c_all: np.ndarray
    unit_all: np.ndarray
    redundant: np.ndarray
    bounded: bool
    extent: np.ndarray
    box: np.ndarray
    box_active: np.ndarray
    interior_point: np.ndarray
    inradius: float
    n_lp: int
    feature_names: tuple

    @property
    def n_boundaries(self) -> int:
        """Number of non-redundant half-spaces."""
        return int(self.A.shape[0])


def resolve_box(llms: LocalLinearModels, box, padding: float = 0.1) -> np.ndarray:
    """``box='data'``: the data box of ``llms.X_`` widened by ``padding`` of each range; else a (d, 2) array."""
    d = llms.n_features
    if isinstance(box, str) and box == "data":
        lo, hi = llms.X_.min(axis=0), llms.X_.max(axis=0)
        pad = np.where(hi > lo, padding * (hi - lo), 0.5)
        return np.column_stack([lo - pad, hi + pad])
    b = np.asarray(box, dtype=np.float64)
    if b.shape != (d, 2) or not np.isfinite(b).all() or not (b[:, 0] < b[:, 1]).all():
        raise InvalidInputError(f"box must be 'data' or {d} pairs (min, max) with min < max, one per feature; got {box!r}.")
    return b


def _rows(llms: LocalLinearModels, region: int):
    """All rows of the region's pattern, identity-layer units (slope 1, never a kink) left out."""
    net = llms.network
    A, c = llms.region_inequalities(region)
    layer = np.concatenate([np.full(n, l) for l, n in enumerate(net.hidden_sizes)]) if net.hidden_sizes else np.zeros(0, int)
    keep = np.array([net.slopes[l] != 1.0 for l in layer], dtype=bool)
    unit = np.flatnonzero(keep)
    return A[keep], c[keep], unit, layer[keep]


def local_boundaries(llms: LocalLinearModels, region: int, *, box="data") -> RegionBoundaries:
    """Non-redundant half-spaces of one activation region's closure (Lemma 1, eq. 8 of ``001``).

    Parameters
    ----------
    llms : LocalLinearModels
    region : int
        Region id.
    box : 'data' or array (d, 2), default 'data'
        Box of the interior point and of ``box_active``; 'data' is the data box
        widened by 10% of each range.  The half-spaces and ``bounded`` do not
        depend on it.

    Returns
    -------
    RegionBoundaries

    Notes
    -----
    Rows are scaled to unit norm for the linear programmes.  Zero rows (a unit
    whose pre-activation is constant on the region) and all but the tightest of
    parallel rows are removed first, vectorised; each remaining row then costs
    one LP, ``max a_i x`` subject to the rows still kept.  A row touching the
    region in a single point is redundant (removing it leaves the same set).

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import diagnose
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)], output="sigmoid")
    >>> X = rng.uniform(-2, 2, size=(300, 2))
    >>> y = (X[:, 0] * X[:, 1] > 0).astype(int)
    >>> llms = reluscope.unwrap(net, X, y)
    >>> b = diagnose.local_boundaries(llms, 0)
    >>> b.A.shape, b.unit.tolist(), b.unit_on.tolist()
    ((5, 2), [0, 2, 3, 4, 5], [True, False, True, False, False])

    The Chebyshev centre lies inside the region, and every training row of
    region 0 satisfies the kept half-spaces:

    >>> llms.region_of(b.interior_point[None, :]).tolist()
    [0]
    >>> bool((X[llms.labels_ == 0] @ b.A.T <= b.c + 1e-12).all())
    True
    """
    llms = check_llms(llms)
    if isinstance(region, (bool, np.bool_)) or not isinstance(region, (int, np.integer)) or not 0 <= region < llms.n_regions:
        raise InvalidInputError(f"region must be a region id in 0..{llms.n_regions - 1}, got {region!r}.")
    region = int(region)
    box = resolve_box(llms, box)
    A, c, unit, layer = _rows(llms, region)
    norms = np.linalg.norm(A, axis=1)
    safe = np.where(norms > 0, norms, 1.0)
    An, cn = A / safe[:, None], c / safe
    redundant, n_lp = redundant_rows(An, cn)
    keep = ~redundant
    ext, n_ext = coordinate_extent(An[keep], cn[keep])
    centre, radius = chebyshev_center(An[keep], cn[keep], box)
    pattern = llms.patterns([region])[0]
    return RegionBoundaries(
        region=region,
        pattern=llms.pattern_strings([region])[0],
        A=A[keep],
        c=c[keep],
        unit=unit[keep],
        layer=layer[keep],
        unit_on=pattern[unit[keep]],
        A_all=A,
        c_all=c,
        unit_all=unit,
        redundant=redundant,
        bounded=bool(np.isfinite(ext).all()),
        extent=ext,
        box=box,
        box_active=np.column_stack([ext[:, 0] < box[:, 0], ext[:, 1] > box[:, 1]]),
        interior_point=centre,
        inradius=radius,
        n_lp=n_lp + n_ext + 1,
        feature_names=tuple(llms.feature_names_),
    )


# ------------------------------------------------------------------ 2-D polygon
@dataclass
class RegionPolygon2D:
    """One activation region of a two-feature network, cut by a box, as a convex polygon.

    Attributes
    ----------
    region, count : int
    vertices : (V, 2)
        Counter-clockwise.
    edge_row : int (V,)
        Edge ``vertices[i] -> vertices[i + 1]`` lies on row ``edge_row[i]`` of
        ``boundaries.A``, or is a side of the box (-1).
    area : float
    boundaries : RegionBoundaries
    bounds : ((x_min, x_max), (y_min, y_max))
    feature_names : tuple of two str
    X_region, y_region : the region's training rows (y may be None)

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import diagnose
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)], output="sigmoid")
    >>> X = rng.uniform(-2, 2, size=(300, 2))
    >>> y = (X[:, 0] * X[:, 1] > 0).astype(int)
    >>> llms = reluscope.unwrap(net, X, y)
    >>> poly = diagnose.region_polygon_2d(llms, 0)
    >>> poly.vertices.shape, poly.edge_row.tolist(), poly.X_region.shape
    ((5, 2), [...], (88, 2))
    """

    region: int
    count: int
    vertices: np.ndarray
    edge_row: np.ndarray
    area: float
    boundaries: RegionBoundaries
    bounds: tuple
    feature_names: tuple
    X_region: np.ndarray
    y_region: np.ndarray | None


def region_polygon_2d(llms: LocalLinearModels, region: int, *, box="data") -> RegionPolygon2D:
    """One region of a two-feature network as a polygon (aletheia ``visualize2D_one_region``).

    The vertices are those of the non-redundant half-spaces of
    :func:`local_boundaries` and the box, from
    :class:`scipy.spatial.HalfspaceIntersection` started at the Chebyshev centre.

    Parameters
    ----------
    llms : LocalLinearModels
        Of a network with two input features.
    region : int
        Region id.
    box : 'data' or ((x_min, x_max), (y_min, y_max)), default 'data'
        The region is cut by this box; 'data' is the data box widened by 10%
        of each range.

    Returns
    -------
    RegionPolygon2D

    Raises
    ------
    InvalidInputError
        The region has no interior inside the box.

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import diagnose
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)], output="sigmoid")
    >>> X = rng.uniform(-2, 2, size=(300, 2))
    >>> y = (X[:, 0] * X[:, 1] > 0).astype(int)
    >>> llms = reluscope.unwrap(net, X, y)
    >>> poly = diagnose.region_polygon_2d(llms, 0, box=[[-2, 2], [-2, 2]])
    >>> poly.count, poly.vertices.shape, poly.area
    (88, (5, 2), 4.176)

    The area is what a point count on a fine grid of the box gives:

    >>> g = np.linspace(-2, 2, 401)
    >>> grid = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)
    >>> round(16 * float((llms.region_of(grid) == 0).mean()), 1)
    4.2
    """
    llms = check_llms(llms)
    require_n_features(llms, 2, "region_polygon_2d")
    b = local_boundaries(llms, region, box=box)
    if not b.inradius > 1e-12 * max(1.0, float(np.abs(b.box).max())):
        raise InvalidInputError(f"Region {region} has no interior inside the box {b.box.tolist()}; pass a larger box.")
    norms = np.linalg.norm(b.A, axis=1)
    An, cn = b.A / norms[:, None], b.c / norms
    V = polygon_vertices(An, cn, b.box, b.interior_point)
    mid = 0.5 * (V + np.roll(V, -1, axis=0))
    slack = np.abs(mid @ An.T - cn)  # (V, k): the row an edge lies on has zero slack at its midpoint
    scale = 1e-8 * max(1.0, float(np.abs(b.box).max()))
    edge_row = np.where(slack.min(axis=1) <= scale, slack.argmin(axis=1), -1) if An.size else np.full(len(V), -1)
    x, y = V[:, 0], V[:, 1]
    rows = llms.labels_ == region
    return RegionPolygon2D(
        region=int(region),
        count=int(llms.count_[region]),
        vertices=V,
        edge_row=edge_row,
        area=float(0.5 * abs(x @ np.roll(y, -1) - y @ np.roll(x, -1))),
        boundaries=b,
        bounds=tuple((float(lo), float(hi)) for lo, hi in b.box),
        feature_names=tuple(llms.feature_names_),
        X_region=llms.X_[rows],
        y_region=None if llms.y_ is None else np.asarray(llms.y_)[rows],
    )
