"""Exact enumeration of the activation regions of a ReLU network in a box or polytope.

Breadth-first search over the regions (thesis ``000`` ch. 2: the regions are
the cells of a polyhedral complex; Lemma 1 of ``001``: a pattern's region is
``{x : (-1)^{P_i} z_i(x) <= 0}``).  From a region, every non-redundant row of
a hidden unit is a facet, and the region on the other side of that facet has
the same pattern with that one unit flipped: on the facet's relative interior
every other unit's pre-activation is non-zero, so no other unit changes sign
(the deeper rows of the neighbour are recomputed from its pattern).  The
search therefore needs, per region,

- one LP for its Chebyshev centre and radius (a positive radius proves the
  region non-empty);
- one LP per candidate row, ``max G_i x`` subject to the other rows with row
  ``i`` relaxed: the row is a facet iff the maximum exceeds ``h_i``
  (:class:`~reluscope.geometry._lp.PolytopeLP`, one warm-started HiGHS model
  per region).

Candidates are pruned before any LP: rows whose hyperplane misses the domain's
bounding box (interval bound), rows parallel to a tighter one, and rows whose
answer is known from the neighbour (row ``i`` of ``P`` is a facet iff row ``i``
of ``P`` with unit ``i`` flipped is).  Then, in dimension ``d <= QHULL_MAX_DIM``,
one convex hull of the dual points (qhull) classifies every row at once (rows it
leaves unsure go to an LP); above, rays from the centre certify facets (towards
random directions, each row's foot and the points where the same hyperplane was
a facet in earlier regions), stored dual bases re-solved with this region's rows
prove rows redundant (:mod:`reluscope.geometry._certificates`), and each LP's own
dual basis is tried on the rows still open; only the rest get an LP.

Tolerance: a row is a facet when the LP maximum exceeds ``h_i`` by more than
``LP_TOL * (1 + |h_i|)`` (rows of unit norm; HiGHS' feasibility tolerance is
1e-7), and a region exists when its inradius exceeds ``LP_TOL``; regions or
facets thinner than that are not resolved.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from itertools import count

import numpy as np

from .._progress import progress_bar
from ..affine import affine_maps
from ..errors import FeatureMismatchError, InvalidInputError
from ..network import ReLUNetwork
from ..patterns import PatternIndex, compute_patterns, pack_patterns, pattern_strings
from ._search import Search
from .polytope import coordinate_extent, normalize_rows, polytope_volume

__all__ = ["HRegion", "RegionEnumeration", "enumerate_regions", "QHULL_MAX_DIM"]

#: Up to this dimension the facets of a region come from qhull (the dual convex hull); above, from LPs.
#: Measured on 300-region searches of He-initialised nets (d-16-16-1 unless stated): qhull is 3-7x
#: faster than the LPs at d = 8 (8-16-16-1, 8-32-32-1, 8-64-64-1), level at d = 9, 2.7x slower at d = 10.
QHULL_MAX_DIM = 8


@dataclass(eq=False)
class HRegion:
    """One activation region cut by the domain, in H-representation.

    Attributes
    ----------
    pattern : bool (n_hidden_units,)
    A, b : (k, d), (k,)
        Non-redundant rows of unit norm: the region is ``{x : A x <= b}``.
    unit : int (k,)
        The hidden unit of each row, -1 for a side of the domain.
    center, radius : (d,), float
        Chebyshev centre and inradius.
    volume : float
        Exact volume (d <= 3; NaN above).
    coef, intercept : (n_outputs, d), (n_outputs,)
        The local linear model on the region (eq. 13 of ``001``).

    Examples
    --------
    The net ``relu(x) + relu(y)`` on ``[-1, 1]^2`` has the four quadrants as regions; the
    first one found (the one of the domain's centre, all units off) is ``[-1, 0]^2``:

    >>> import reluscope
    >>> from reluscope.geometry import enumerate_regions
    >>> net = reluscope.from_arrays([np.eye(2), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    >>> region = enumerate_regions(net, np.array([[-1.0, 1.0], [-1.0, 1.0]]), progress=False).regions[0]
    >>> region.pattern, region.volume, region.radius
    (array([False, False]), 1.0, 0.5)
    >>> region.contains(np.array([[-0.5, -0.5], [0.5, -0.5]]))
    array([ True, False])
    >>> region.coef, region.intercept  # both units off: the net is 0 there
    (array([[0., 0.]]), array([0.]))
    """

    pattern: np.ndarray
    A: np.ndarray
    b: np.ndarray
    unit: np.ndarray
    center: np.ndarray
    radius: float
    volume: float
    coef: np.ndarray | None = None
    intercept: np.ndarray | None = None

    def contains(self, X: np.ndarray, tol: float = 1e-9) -> np.ndarray:
        """Which rows of ``X`` lie in the closed region.

        Parameters
        ----------
        X : ndarray of shape (n, d) or (d,)
        tol : float, default 1e-9
            Slack allowed on each inequality.

        Returns
        -------
        ndarray of bool, shape (n,)
        """
        return (np.atleast_2d(X) @ self.A.T <= self.b + tol).all(axis=1)


@dataclass
class RegionEnumeration:
    """Every activation region of a network inside a domain (:func:`enumerate_regions`).

    Attributes
    ----------
    regions : list of HRegion
        In breadth-first order from the region of the domain's centre.
    patterns : bool (R, n_hidden_units)
    centers, radii, volumes : (R, d), (R,), (R,)
    adjacency : networkx.Graph
        Node ``r`` per region; an edge per shared facet, with the flipped ``unit``.
    truncated : bool
        The search stopped at ``max_regions`` (or was interrupted) before visiting every region.
    domain_A, domain_b : the domain ``{x : domain_A x <= domain_b}`` (unit-norm rows)
    domain_volume : float (d <= 3; NaN above)
    n_lp : int
        Linear programmes solved.
    seconds : float
    hidden_sizes : tuple of int

    Examples
    --------
    The regions of a random 2-4-4-1 net tile the box: their areas add up to the box's, and
    the share of uniform points that :meth:`locate` puts in each region matches its area
    to within Monte Carlo error (standard error at most ``sqrt(0.25 / 4000) = 0.008``).

    >>> import reluscope
    >>> from reluscope.geometry import enumerate_regions
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays(
    ...     [rng.normal(size=(4, 2)), rng.normal(size=(4, 4)), rng.normal(size=(1, 4))],
    ...     [rng.normal(size=4), rng.normal(size=4), np.zeros(1)])
    >>> res = enumerate_regions(net, np.array([[-2.0, 2.0], [-2.0, 2.0]]), progress=False)
    >>> res.n_regions, res.patterns.shape
    (18, (18, 8))
    >>> bool(np.isclose(res.volumes.sum(), res.domain_volume)), res.domain_volume
    (True, 16.0)
    >>> ids = res.locate(net, rng.uniform(-2, 2, size=(4000, 2)))
    >>> share = np.bincount(ids, minlength=res.n_regions) / ids.size
    >>> bool((ids >= 0).all()), bool(np.abs(share - res.volumes / 16).max() < 4 * 0.008)
    (True, True)
    """

    regions: list
    patterns: np.ndarray
    centers: np.ndarray
    radii: np.ndarray
    volumes: np.ndarray
    adjacency: object
    truncated: bool
    domain_A: np.ndarray
    domain_b: np.ndarray
    domain_volume: float
    n_lp: int
    seconds: float
    hidden_sizes: tuple
    stats: dict = field(default_factory=dict)

    @property
    def n_regions(self) -> int:
        """Number of regions found."""
        return len(self.regions)

    def pattern_strings(self) -> list[str]:
        """Each region's pattern in the paper's notation: units by ``,``, layers by ``;`` (e.g. ``'1,0;0,1'``)."""
        return pattern_strings(self.patterns, self.hidden_sizes)

    def locate(self, network: ReLUNetwork, X) -> np.ndarray:
        """Region id of each row of ``X`` (by its pattern), -1 when the pattern was not enumerated.

        Parameters
        ----------
        network : ReLUNetwork
            The network that was enumerated.
        X : array-like of shape (n, d)

        Returns
        -------
        ndarray of int, shape (n,)
        """
        packed, _ = compute_patterns(network, network.check_X(X))
        return PatternIndex(pack_patterns(self.patterns)).lookup(packed)


def _domain(network: ReLUNetwork, box) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit-norm rows of the domain and its bounding box; raises on wrong shapes or an unbounded domain."""
    d = network.n_features
    if isinstance(box, tuple) and len(box) == 2 and np.ndim(box[0]) == 2:
        A, b = np.asarray(box[0], dtype=np.float64), np.asarray(box[1], dtype=np.float64).ravel()
        if A.shape[1] != d or A.shape[0] != b.shape[0]:
            raise FeatureMismatchError(f"The polytope (A, b) must have A of shape (m, {d}) and b of shape (m,); got {A.shape}, {b.shape}.")
        An, bn, norms = normalize_rows(A, b)
        keep = norms > 0
        if (bn[~keep] < 0).any():
            raise InvalidInputError("The domain polytope is empty (a zero row with a negative right-hand side).")
        An, bn = An[keep], bn[keep]
        ext, _ = coordinate_extent(An, bn)
        if not np.isfinite(ext).all():
            raise InvalidInputError("The domain polytope is unbounded; add bounds (a box) so that regions can be enumerated.")
        return An, bn, ext
    B = np.asarray(box, dtype=np.float64)
    if B.ndim != 2 or B.shape[1] != 2:
        raise InvalidInputError(f"box must be an array of (min, max) pairs, one per feature, or a polytope (A, b); got shape {B.shape}.")
    if B.shape[0] != d:
        raise FeatureMismatchError(f"box has {B.shape[0]} rows but the network takes {d} features; pass one (min, max) per feature.")
    if not np.isfinite(B).all():
        raise InvalidInputError("The box is unbounded (infinite bounds); enumeration needs a bounded domain.")
    if not (B[:, 0] < B[:, 1]).all():
        raise InvalidInputError("Each box row must be (min, max) with min < max.")
    eye = np.eye(d)
    return np.vstack([eye, -eye]), np.concatenate([B[:, 1], -B[:, 0]]), B


def _start_pattern(network: ReLUNetwork, G0, h0, ext, rng) -> np.ndarray:
    center = ext.mean(axis=1)
    pts = np.vstack([center, rng.uniform(ext[:, 0], ext[:, 1], size=(64, ext.shape[0]))])
    inside = pts[(pts @ G0.T <= h0 - 1e-9).all(axis=1)]
    packed, _ = compute_patterns(network, inside if inside.size else pts[:1])
    from ..patterns import unpack_patterns

    return unpack_patterns(packed, network.n_hidden_units)


def _adjacency(search: Search):
    import networkx as nx

    ids = {r.pattern.tobytes(): k for k, r in enumerate(search.regions)}
    graph = nx.Graph()
    graph.add_nodes_from(range(len(search.regions)))
    for a, b, u in search.edges:
        if a in ids and b in ids:
            graph.add_edge(ids[a], ids[b], unit=u)
    return graph


def enumerate_regions(
    network: ReLUNetwork,
    box,
    max_regions: int | None = None,
    *,
    random_state=0,
    progress: bool | None = None,
    n_jobs: int = 1,
) -> RegionEnumeration:
    """Every activation region of ``network`` inside a box or bounded polytope, exactly (no sampling).

    Parameters
    ----------
    network : ReLUNetwork
    box : array (d, 2) of (min, max), or a tuple ``(A, b)`` for the polytope ``{x : A x <= b}``
    max_regions : int, optional
        Stop after this many regions; the result then says ``truncated=True``.
    random_state : int or Generator, default 0
        Used to find a starting point off the region boundaries and, above
        ``QHULL_MAX_DIM``, for the random rays that certify facets.
    progress : bool or None
        tqdm bar counting regions (Ctrl-C stops the search and returns what
        was found, marked truncated).
    n_jobs : int, default 1
        Worker processes (``-1``: one per CPU).  The search then runs in
        waves: every queued region is analysed on the workers (joblib's loky
        executor, started on the first call and reused), and the results are
        recorded in queue order, so the regions, their order and their facets
        are those of ``n_jobs=1``; only the LP counts can differ.  Starting the
        workers takes a second or two, so this pays for searches of more than
        a few hundred regions.

    Returns
    -------
    RegionEnumeration

    Raises
    ------
    FeatureMismatchError
        A box of the wrong dimension.
    InvalidInputError
        An unbounded or empty domain, a bad ``max_regions``.

    Notes
    -----
    The breadth-first search of the module docstring; every region found has
    a positive Chebyshev radius.  The search is exact for domains in which
    the regions form a connected complex, which a convex domain always is.

    Examples
    --------
    ``relu(x) + relu(y)`` on ``[-1, 1]^2``: four regions, the quadrants, each of area 1,
    and each pair of quadrants sharing an edge is adjacent (4 edges).

    >>> import reluscope
    >>> from reluscope.geometry import enumerate_regions
    >>> net = reluscope.from_arrays([np.eye(2), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    >>> res = enumerate_regions(net, np.array([[-1.0, 1.0], [-1.0, 1.0]]), progress=False)
    >>> res.n_regions, res.pattern_strings()
    (4, ['0,0', '1,0', '0,1', '1,1'])
    >>> res.volumes, res.adjacency.number_of_edges()
    (array([1., 1., 1., 1.]), 4)
    >>> res.regions[3].coef  # both units on: the gradient is (1, 1)
    array([[1., 1.]])
    """
    if not isinstance(network, ReLUNetwork):
        raise InvalidInputError(f"enumerate_regions needs a ReLUNetwork, got {type(network).__name__}.")
    if max_regions is not None and (isinstance(max_regions, bool) or not isinstance(max_regions, (int, np.integer)) or max_regions < 1):
        raise InvalidInputError(f"max_regions must be a positive integer or None, got {max_regions!r}.")
    n_jobs = _check_n_jobs(n_jobs)
    t0 = time.perf_counter()
    G0, h0, ext = _domain(network, box)
    rng = np.random.default_rng(random_state)
    starts = _start_pattern(network, G0, h0, ext, rng)
    search = Search(network, G0, h0, ext, QHULL_MAX_DIM, int(rng.integers(2**62)), n_jobs)
    truncated = False
    bar = progress_bar(count(), progress=progress, desc="regions", unit="region", total=max_regions)
    try:
        for start in starts:  # the first start whose region is non-empty seeds the search
            search.push(start)
            while search.queue:
                left = None if max_regions is None else max_regions - len(search.regions)
                if left is not None and left <= 0:
                    truncated = True
                    break
                n_before = len(search.regions)
                for visit in search.analyse(search.next_wave(left if n_jobs > 1 else 1)):
                    search.record(visit)
                bar.update(len(search.regions) - n_before)
            if search.regions:
                break
    except KeyboardInterrupt:
        truncated = True
    finally:
        bar.close()
    return _result(network, search, truncated, G0, h0, time.perf_counter() - t0)


def _check_n_jobs(n_jobs) -> int:
    import os

    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) or not (n_jobs >= 1 or n_jobs == -1):
        raise InvalidInputError(f"n_jobs must be a positive integer or -1 (one per CPU), got {n_jobs!r}.")
    return int(os.cpu_count() or 1) if n_jobs == -1 else int(n_jobs)


def _result(network, search: Search, truncated: bool, G0, h0, seconds: float) -> RegionEnumeration:
    regs = search.regions
    d = network.n_features
    patterns = np.array([r.pattern for r in regs]).reshape(len(regs), network.n_hidden_units)
    if regs:
        coef, intercept = affine_maps(network, patterns)
        for r, cf, ic in zip(regs, coef, intercept):
            r.coef, r.intercept = cf, ic
    dom_vol = np.nan
    if d <= 3:
        centre = search.analyser.ext.mean(axis=1)
        dom_vol = polytope_volume(G0, h0, centre) if (G0 @ centre < h0).all() else np.nan
    return RegionEnumeration(
        regions=regs,
        patterns=patterns,
        centers=np.array([r.center for r in regs]).reshape(len(regs), d),
        radii=np.array([r.radius for r in regs]),
        volumes=np.array([r.volume for r in regs]),
        adjacency=_adjacency(search),
        truncated=truncated,
        domain_A=G0,
        domain_b=h0,
        domain_volume=float(dom_vol),
        n_lp=search.n_lp,
        seconds=seconds,
        hidden_sizes=network.hidden_sizes,
        stats=dict(search.stats),
    )
