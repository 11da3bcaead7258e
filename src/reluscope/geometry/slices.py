"""Exact 2-D and 1-D slices of the linear regions of a ReLU network (no LP).

On an affine plane ``x = o + s u + t v`` every pre-activation of the first
layer is affine in ``(s, t)``; inside each piece of the plane cut by the
first layer's lines, the second layer's pre-activations are affine again, and
so on (the bent hyperplanes of thesis ``000`` ch. 2, Lemma 1 of ``001``).
:func:`slice_2d` follows this literally: it starts from the box of the slice
and splits every polygon by the zero line of each unit, unit after unit and
layer after layer, vectorised over all polygons at once
(:mod:`reluscope.geometry._clip`).  Each final polygon is one activation
region cut by the plane, with its pattern and its local linear model
(Theorem 1 of ``001``).  :func:`regions_on_segment` does the same on a
segment.

Tolerance: a polygon is split only when its vertices lie more than
``SLICE_RTOL * (|a| R + |c|)`` on both sides of a line ``a . (s, t) + c = 0``
(``R``: the largest coordinate of the slice box), so pieces thinner than about
1e-10 of the box are not separated; this is the floating-point limit of the
composed maps, not a sampling resolution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._progress import progress_bar
from ..affine import affine_maps
from ..errors import FeatureMismatchError, InvalidInputError
from ..network import ReLUNetwork
from ..patterns import pattern_strings
from ._clip import PolygonStore, pad_first, polygon_areas, split_intervals, split_polygons, widen

__all__ = ["Slice2D", "slice_2d", "slice_through_points", "SegmentRegions", "regions_on_segment", "SLICE_RTOL"]

#: Relative tolerance of a split (see the module docstring).
SLICE_RTOL = 1e-10


@dataclass
class Slice2D:
    """The activation regions of a network on a plane ``x = origin + s u + t v``, as polygons.

    Attributes
    ----------
    origin, u, v : (d,)
    bounds : ((s_min, s_max), (t_min, t_max))
    vertices : (R, K, 2)
        Counter-clockwise vertices in slice coordinates ``(s, t)``; polygon
        ``r`` has ``n_vertices[r]``, the padding repeats its first vertex.
    n_vertices : int (R,)
    patterns : bool (R, n_hidden_units)
    area : (R,)
        In slice coordinates; ``area * area_scale`` is the area in input space.
    area_scale : float
        ``sqrt(det [u v]^T [u v])``.
    coef, intercept : (R, k, d), (R, k)
        Each region's local linear model in input space (eq. 13 of ``001``).
    coef_slice, intercept_slice : (R, k, 2), (R, k)
        The same map in slice coordinates: ``eta = coef_slice @ (s, t) + intercept_slice``.
    hidden_sizes : tuple of int

    Examples
    --------
    ``relu(x) + relu(y)`` on the plane of its two inputs: the four quadrants of the
    default box ``[-1, 1]^2``, each a unit square.

    >>> import reluscope
    >>> from reluscope.geometry import slice_2d
    >>> net = reluscope.from_arrays([np.eye(2), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    >>> sl = slice_2d(net, origin=np.zeros(2), u=[1.0, 0.0], v=[0.0, 1.0])
    >>> sl.n_regions, sl.area, sl.pattern_strings()
    (4, array([1., 1., 1., 1.]), ['1,1', '0,1', '1,0', '0,0'])
    >>> sl.centroids()[0], sl.coef[0]  # the quadrant x, y > 0, where the net is x + y
    (array([0.5, 0.5]), array([[1., 1.]]))
    >>> sl.polygons[0]
    array([[1., 0.],
           [1., 1.],
           [0., 1.],
           [0., 0.]])
    """

    origin: np.ndarray
    u: np.ndarray
    v: np.ndarray
    bounds: tuple
    vertices: np.ndarray
    n_vertices: np.ndarray
    patterns: np.ndarray
    area: np.ndarray
    area_scale: float
    coef: np.ndarray
    intercept: np.ndarray
    coef_slice: np.ndarray
    intercept_slice: np.ndarray
    hidden_sizes: tuple

    @property
    def n_regions(self) -> int:
        """Number of regions (polygons) on the slice."""
        return int(self.patterns.shape[0])

    @property
    def polygons(self) -> list[np.ndarray]:
        """Vertices of each polygon, (n_vertices[r], 2), slice coordinates."""
        return [self.vertices[r, : self.n_vertices[r]] for r in range(self.n_regions)]

    def to_input(self, st: np.ndarray) -> np.ndarray:
        """Slice coordinates (..., 2) to input points (..., d).

        Examples
        --------
        >>> import reluscope
        >>> from reluscope.geometry import slice_2d
        >>> net = reluscope.from_arrays([np.ones((2, 3)), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
        >>> sl = slice_2d(net, origin=[0.0, 0.0, 1.0], u=[1.0, 0.0, 0.0], v=[0.0, 1.0, 0.0])
        >>> sl.to_input([0.5, -0.5])
        array([ 0.5, -0.5,  1. ])
        """
        st = np.asarray(st, dtype=np.float64)
        return self.origin + st[..., :1] * self.u + st[..., 1:2] * self.v

    def pattern_strings(self) -> list[str]:
        """Each region's pattern in the paper's notation: units by ``,``, layers by ``;``."""
        return pattern_strings(self.patterns, self.hidden_sizes)

    def centroids(self) -> np.ndarray:
        """Vertex means (R, 2): points inside each convex polygon."""
        mask = np.arange(self.vertices.shape[1])[None, :] < self.n_vertices[:, None]
        return (self.vertices * mask[..., None]).sum(axis=1) / self.n_vertices[:, None]


def _check_plane(network: ReLUNetwork, origin, u, v):
    d = network.n_features
    vecs = []
    for name, a in (("origin", origin), ("u", u), ("v", v)):
        a = np.asarray(a, dtype=np.float64).ravel()
        if a.shape != (d,):
            raise FeatureMismatchError(f"{name} has {a.size} entries; the network takes {d} features.")
        if not np.isfinite(a).all():
            raise InvalidInputError(f"{name} contains NaN or infinite values.")
        vecs.append(a)
    origin, u, v = vecs
    G = np.array([[u @ u, u @ v], [u @ v, v @ v]])
    det = float(np.linalg.det(G))
    if not (u @ u > 0 and v @ v > 0) or det <= 1e-12 * float(u @ u) * float(v @ v):
        raise InvalidInputError("u and v must be non-zero and not parallel: they span the plane of the slice.")
    return origin, u, v, float(np.sqrt(det))


def _check_bounds(bounds, k: int = 2) -> np.ndarray:
    b = np.asarray(bounds, dtype=np.float64)
    if b.shape != (k, 2) or not np.isfinite(b).all() or not (b[:, 0] < b[:, 1]).all():
        raise InvalidInputError(f"bounds must be {k} finite pairs (min, max) with min < max; got {bounds!r}.")
    return b


def _layer_maps(network: ReLUNetwork, l: int, A: np.ndarray, c: np.ndarray, on: np.ndarray):
    """Pre-activations of layer ``l + 1`` from those of layer ``l``.

    ``A (n_l, P, q)`` (unit-major, so one unit's rows are contiguous), ``c (P, n_l)``,
    ``on (P, n_l)``; one BLAS product ``W (D A)`` for all polygons.
    """
    slope = network.slopes[l]
    D = on.astype(np.float64) if slope == 0.0 else np.where(on, 1.0, slope)
    W, b = network.weights[l + 1], network.biases[l + 1]
    n_l, P, q = A.shape
    A_next = (W @ (D.T[..., None] * A).reshape(n_l, P * q)).reshape(W.shape[0], P, q)
    c_next = (D * c) @ W.T + b
    return A_next, c_next


def _unit_signs(V: np.ndarray, n: np.ndarray, A: np.ndarray, c: np.ndarray, R: float, chunk: int = 2**20):
    """Per polygon and unit of a layer: cut by the unit's line (P, n_l) and "on" when not cut.

    A unit that does not cut a polygon at the start of the layer cuts none of
    its pieces, so only the (polygon, unit) pairs found here are split later.
    Polygons are grouped by vertex count, so no padded vertex is evaluated.
    """
    P, n_l = V.shape[0], A.shape[0]
    a0, a1 = np.ascontiguousarray(A[:, :, 0].T), np.ascontiguousarray(A[:, :, 1].T)  # (P, n_l)
    eps = SLICE_RTOL * ((np.abs(a0) + np.abs(a1)) * R + np.abs(c))
    cut = np.empty((P, n_l), bool)
    on = np.empty((P, n_l), bool)
    for k in np.unique(n):
        group = np.flatnonzero(n == k)
        step = max(1, chunk // (k * n_l))
        for s in range(0, group.size, step):
            g = group[s : s + step]
            Vs = V[g, :k]
            Z = Vs[:, :, :1] * a0[g][:, None, :] + Vs[:, :, 1:] * a1[g][:, None, :] + c[g][:, None, :]
            hi, lo = Z.max(axis=1) > eps[g], Z.min(axis=1) < -eps[g]
            cut[g] = hi & lo
            on[g] = hi & ~lo
    return cut, on


def _split_layer(store: PolygonStore, A: np.ndarray, c: np.ndarray, R: float) -> None:
    """Split every polygon of ``store`` by every unit of one layer (A: (n_l, P, 2), c: (P, n_l))."""
    P0 = store.size
    cut0, store.on[:P0] = _unit_signs(store.V[:P0], store.n[:P0], A, c, R)
    for j in np.flatnonzero(cut0.any(axis=0)):
        size = store.size
        cand = np.flatnonzero(cut0[store.src[:size], j])
        parent = store.src[cand]
        a, cj = A[j][parent], c[parent, j]
        Vc, nc = store.V[cand], store.n[cand]
        f = Vc[..., 0] * a[:, :1] + Vc[..., 1] * a[:, 1:] + cj[:, None]
        eps = SLICE_RTOL * (np.abs(a).sum(axis=1) * R + np.abs(cj))
        side, pos, npos, neg, nneg = split_polygons(Vc, nc, f, eps)
        store.on[cand, j] = side > 0
        cut = cand[side == 0]
        if cut.size:
            store.ensure_width(max(pos.shape[1], neg.shape[1]))
            store.V[cut], store.n[cut] = widen(pos, store.V.shape[1]), npos
            store.on[cut, j] = True
            extra = store.on[cut]
            extra[:, j] = False
            store.append(neg, nneg, extra, store.src[cut])


def _split_layers_2d(network: ReLUNetwork, A: np.ndarray, c: np.ndarray, box: np.ndarray, progress):
    """Successive splitting of the slice box by every unit; returns (V, n, patterns)."""
    V = np.array([[[box[0, 0], box[1, 0]], [box[0, 1], box[1, 0]], [box[0, 1], box[1, 1]], [box[0, 0], box[1, 1]]]])
    n = np.array([4])
    R = float(np.abs(box).max())
    bits: list[np.ndarray] = []
    bar = progress_bar(range(network.n_hidden_layers), progress=progress, desc="slice layers", unit="layer")
    for l in bar:
        nl = network.hidden_sizes[l]
        store = PolygonStore(V, n, np.ones((V.shape[0], nl), bool))
        if network.slopes[l] != 1.0:
            _split_layer(store, A, c, R)
        P = store.size
        V, n, on, src = store.V[:P], store.n[:P], store.on[:P], store.src[:P]
        bits = [b[src] for b in bits] + [on]
        if l + 1 < network.n_hidden_layers:
            A, c = _layer_maps(network, l, A[:, src], c[src], on)
    patterns = np.concatenate(bits, axis=1) if bits else np.zeros((V.shape[0], 0), bool)
    return V, n, patterns


def slice_2d(network: ReLUNetwork, origin, u, v, bounds=((-1.0, 1.0), (-1.0, 1.0)), *, progress: bool | None = None) -> Slice2D:
    """Exact activation regions of ``network`` on the plane ``origin + s u + t v`` over a box of ``(s, t)``.

    Parameters
    ----------
    network : ReLUNetwork
    origin, u, v : array (d,)
        A point of the plane and two non-parallel directions (the slice coordinates' axes).
    bounds : ((s_min, s_max), (t_min, t_max)), default ((-1, 1), (-1, 1))
    progress : bool or None
        tqdm bar over layers.

    Returns
    -------
    Slice2D

    Notes
    -----
    Successive splitting of polygons layer by layer (thesis ``000`` ch. 2,
    bent hyperplanes; the construction of Figure 2 of ``001``); exact up to
    ``SLICE_RTOL = 1e-10`` (module ``reluscope.geometry.slices``).  For a two-feature network, ``origin = 0``,
    ``u = e1``, ``v = e2`` gives the regions of the input box itself.

    Examples
    --------
    The regions of a random 2-4-4-1 net on ``[-2, 2]^2``: the polygon splitting finds the same
    regions, with the same areas, as the LP-based :func:`enumerate_regions`, and the areas
    fill the box (16).

    >>> import reluscope
    >>> from reluscope.geometry import enumerate_regions, slice_2d
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays(
    ...     [rng.normal(size=(4, 2)), rng.normal(size=(4, 4)), rng.normal(size=(1, 4))],
    ...     [rng.normal(size=4), rng.normal(size=4), np.zeros(1)])
    >>> sl = slice_2d(net, np.zeros(2), [1.0, 0.0], [0.0, 1.0], bounds=[(-2, 2), (-2, 2)])
    >>> en = enumerate_regions(net, np.array([[-2.0, 2.0], [-2.0, 2.0]]), progress=False)
    >>> sl.n_regions, en.n_regions, float(sl.area.sum())
    (18, 18, 16.0)
    >>> np.allclose(np.sort(sl.area), np.sort(en.volumes))
    True
    """
    if not isinstance(network, ReLUNetwork):
        raise InvalidInputError(f"slice_2d needs a ReLUNetwork, got {type(network).__name__}.")
    origin, u, v, scale = _check_plane(network, origin, u, v)
    box = _check_bounds(bounds)
    U = np.column_stack([u, v])
    W0, b0 = network.weights[0], network.biases[0]
    A = (W0 @ U)[:, None, :]  # (n_1, 1, 2): unit-major
    c = (W0 @ origin + b0)[None]
    if network.n_hidden_layers == 0:
        V = np.array([[[box[0, 0], box[1, 0]], [box[0, 1], box[1, 0]], [box[0, 1], box[1, 1]], [box[0, 0], box[1, 1]]]])
        n, patterns = np.array([4]), np.zeros((1, 0), bool)
    else:
        V, n, patterns = _split_layers_2d(network, A, c, box, progress)
    V = pad_first(V, n)
    coef, intercept = affine_maps(network, patterns)
    return Slice2D(
        origin=origin,
        u=u,
        v=v,
        bounds=tuple((float(a), float(b)) for a, b in box),
        vertices=V,
        n_vertices=n,
        patterns=patterns,
        area=polygon_areas(V),
        area_scale=scale,
        coef=coef,
        intercept=intercept,
        coef_slice=coef @ U,
        intercept_slice=coef @ origin + intercept,
        hidden_sizes=network.hidden_sizes,
    )


def slice_through_points(network: ReLUNetwork, x0, x1, x2, *, padding: float = 0.25, progress: bool | None = None) -> Slice2D:
    """The exact 2-D slice through three data points (orthonormal axes, ``x0`` at the origin).

    ``u = (x1 - x0) / |x1 - x0|`` and ``v`` is ``x2 - x0`` made orthogonal to
    ``u`` and of unit length, so areas are input-space areas; the bounds are
    the three points' box widened by ``padding`` times its largest side.

    Parameters
    ----------
    network : ReLUNetwork
    x0, x1, x2 : array (d,)
        Three points that span a plane; ``x0`` is the slice's origin.
    padding : float, default 0.25
    progress : bool or None

    Returns
    -------
    Slice2D

    Examples
    --------
    The plane through three inputs of a random 3-8-1 net: the axes are orthonormal
    (``area_scale`` 1), ``(0, 0)`` is ``x0``, and each polygon's local linear model
    reproduces the network at its centroid.

    >>> import reluscope
    >>> from reluscope.geometry import slice_through_points
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 3)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), np.zeros(1)])
    >>> X = rng.normal(size=(3, 3))
    >>> sl = slice_through_points(net, X[0], X[1], X[2])
    >>> sl.area_scale, np.allclose(sl.to_input([0.0, 0.0]), X[0])
    (1.0, True)
    >>> x = sl.to_input(sl.centroids())
    >>> eta = np.einsum("rkd,rd->rk", sl.coef, x) + sl.intercept
    >>> np.allclose(eta[:, 0], net.forward(x))
    True
    """
    pts = [np.asarray(p, dtype=np.float64).ravel() for p in (x0, x1, x2)]
    d = network.n_features
    if any(p.shape != (d,) for p in pts):
        raise FeatureMismatchError(f"x0, x1, x2 must each have {d} features.")
    u = pts[1] - pts[0]
    if not np.linalg.norm(u) > 0:
        raise InvalidInputError("x0 and x1 coincide; three points must span a plane.")
    u = u / np.linalg.norm(u)
    w = pts[2] - pts[0]
    v = w - (w @ u) * u
    if not np.linalg.norm(v) > 1e-9 * max(1.0, np.linalg.norm(w)):
        raise InvalidInputError("x0, x1 and x2 are collinear; three points must span a plane.")
    v = v / np.linalg.norm(v)
    st = np.array([[0.0, 0.0], [(pts[1] - pts[0]) @ u, 0.0], [w @ u, w @ v]])
    lo, hi = st.min(axis=0), st.max(axis=0)
    pad = padding * float((hi - lo).max())
    return slice_2d(network, pts[0], u, v, np.column_stack([lo - pad, hi + pad]), progress=progress)


@dataclass
class SegmentRegions:
    """The activation regions met by the segment ``x(t) = a + t (b - a)``, ``0 <= t <= 1``.

    Attributes
    ----------
    a, b : (d,)
    breakpoints : (R - 1,)
        Values of ``t`` where the pattern changes, increasing.
    pieces : (R, 2)
        ``[t_start, t_end]`` of each piece, in order along the segment.
    patterns : bool (R, n_hidden_units)
    coef, intercept : (R, k, d), (R, k)
        The local linear model of each piece (input space).
    slope, offset : (R, k)
        The network along the segment, ``eta(x(t)) = offset + slope * t`` on each piece.
    hidden_sizes : tuple of int

    Examples
    --------
    ``|x| = relu(x) + relu(-x)`` from ``a = -1`` to ``b = 3``: the kink at ``x = 0`` is at
    ``t = 1/4``; along the segment the net is ``1 - 4 t`` and then ``4 t - 1``.

    >>> import reluscope
    >>> from reluscope.geometry import regions_on_segment
    >>> net = reluscope.from_arrays([np.array([[1.0], [-1.0]]), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    >>> seg = regions_on_segment(net, [-1.0], [3.0])
    >>> seg.n_regions, seg.breakpoints
    (2, array([0.25]))
    >>> seg.slope[:, 0], seg.offset[:, 0]
    (array([-4.,  4.]), array([ 1., -1.]))
    >>> seg.points([0.0, 0.25, 1.0])[:, 0]
    array([-1.,  0.,  3.])
    """

    a: np.ndarray
    b: np.ndarray
    breakpoints: np.ndarray
    pieces: np.ndarray
    patterns: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    slope: np.ndarray
    offset: np.ndarray
    hidden_sizes: tuple

    @property
    def n_regions(self) -> int:
        """Number of pieces along the segment."""
        return int(self.patterns.shape[0])

    def points(self, t) -> np.ndarray:
        """Input points ``a + t (b - a)`` for the segment parameters ``t`` (any shape; a trailing axis of d is added)."""
        return self.a + np.asarray(t, dtype=np.float64)[..., None] * (self.b - self.a)


def regions_on_segment(network: ReLUNetwork, a, b, *, progress: bool | None = None) -> SegmentRegions:
    """Exact activation regions along the segment from ``a`` to ``b`` (1-D splitting, no LP).

    Every interval of ``t`` is split at the zero of each unit's pre-activation,
    which is affine in ``t`` on the interval; layer by layer as :func:`slice_2d`.

    Parameters
    ----------
    network : ReLUNetwork
    a, b : array (d,)
        The end points (distinct, finite).
    progress : bool or None
        tqdm bar over layers.

    Returns
    -------
    SegmentRegions

    Examples
    --------
    Along a segment the pieces of a random 2-8-8-1 net give the network exactly:
    ``offset + slope * t`` matches ``forward`` at points drawn inside each piece.

    >>> import reluscope
    >>> from reluscope.geometry import regions_on_segment
    >>> rng = np.random.default_rng(1)
    >>> net = reluscope.from_arrays(
    ...     [rng.normal(size=(8, 2)), rng.normal(size=(8, 8)), rng.normal(size=(1, 8))],
    ...     [rng.normal(size=8), rng.normal(size=8), np.zeros(1)])
    >>> seg = regions_on_segment(net, [-3.0, -1.0], [3.0, 2.0])
    >>> t = rng.uniform(seg.pieces[:, 0], seg.pieces[:, 1])
    >>> np.allclose(seg.offset[:, 0] + seg.slope[:, 0] * t, net.forward(seg.points(t)))
    True
    >>> bool(np.all(np.diff(seg.breakpoints) > 0)), seg.pieces[0, 0].item(), seg.pieces[-1, 1].item()
    (True, 0.0, 1.0)
    """
    if not isinstance(network, ReLUNetwork):
        raise InvalidInputError(f"regions_on_segment needs a ReLUNetwork, got {type(network).__name__}.")
    d = network.n_features
    a, b = (np.asarray(p, dtype=np.float64).ravel() for p in (a, b))
    if a.shape != (d,) or b.shape != (d,):
        raise FeatureMismatchError(f"a and b must each have {d} features.")
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise InvalidInputError("a and b must be finite.")
    if not np.any(a != b):
        raise InvalidInputError("a and b coincide: a segment needs two distinct end points.")
    T = np.array([[0.0, 1.0]])
    A = (network.weights[0] @ (b - a))[:, None, None]  # z = A t + c, unit-major (n_1, P, 1)
    c = (network.weights[0] @ a + network.biases[0])[None]
    bits: list[np.ndarray] = []
    for l in progress_bar(range(network.n_hidden_layers), progress=progress, desc="segment layers", unit="layer"):
        nl = network.hidden_sizes[l]
        src = np.arange(T.shape[0])
        on = np.ones((T.shape[0], nl), bool) if network.slopes[l] == 1.0 else np.zeros((T.shape[0], nl), bool)
        for j in range(nl) if network.slopes[l] != 1.0 else ():
            s, cj = A[j][src, 0], c[src, j]
            f = T * s[:, None] + cj[:, None]
            side, _, pos, neg = split_intervals(T, f, SLICE_RTOL * (np.abs(s) + np.abs(cj)))
            on[:, j] = side > 0
            cut = np.flatnonzero(side == 0)
            if cut.size:
                T[cut] = pos
                on[cut, j] = True
                extra = on[cut].copy()
                extra[:, j] = False
                T, on, src = np.concatenate([T, neg]), np.concatenate([on, extra]), np.concatenate([src, src[cut]])
        bits = [x[src] for x in bits] + [on]
        if l + 1 < network.n_hidden_layers:
            A, c = _layer_maps(network, l, A[:, src], c[src], on)
    order = np.argsort(T[:, 0], kind="stable")
    T = T[order]
    patterns = np.concatenate([x[order] for x in bits], axis=1) if bits else np.zeros((1, 0), bool)
    coef, intercept = affine_maps(network, patterns)
    return SegmentRegions(
        a=a, b=b, breakpoints=T[1:, 0], pieces=T, patterns=patterns, coef=coef, intercept=intercept,
        slope=coef @ (b - a), offset=coef @ a + intercept, hidden_sizes=network.hidden_sizes,
    )
