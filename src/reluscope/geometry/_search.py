"""The breadth-first search of :func:`reluscope.geometry.enumerate_regions`, serial or on worker processes.

The work per region (its rows, Chebyshev LP, facet tests: :class:`RegionAnalyser`) needs nothing
from the search but the pattern and the facets already known to it (the unit it was entered
through), so the search runs in **waves**: every pattern in the queue is analysed -- in this
process, or split between ``n_jobs`` worker processes (joblib's loky executor, reused between calls)
-- and the results are then recorded in queue order.  Recording pushes the neighbours in the same
order as a one-at-a-time breadth-first search would, so the regions, their order and their facets do
not depend on ``n_jobs``; only the LP counts can (each worker keeps its own certificates).
"""

from __future__ import annotations

import uuid
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from ..network import ReLUNetwork
from ._certificates import RowMemory, redundant_by_basis
from ._facets import _duplicates, _qhull_facets, _ray_certificates, _volume
from ._lp import PolytopeLP
from .polytope import LP_TOL, normalize_rows, polytope_volume

__all__ = ["RegionAnalyser", "Search"]

_STAT_KEYS = ("rows", "pruned_box", "pruned_parallel", "certified", "cached", "row_lps", "empty", "dual_certified", "lp_facets")


def region_rows(network: ReLUNetwork, pattern: np.ndarray, G0: np.ndarray, h0: np.ndarray, kinked: np.ndarray):
    """Unit-norm rows of a pattern's region and the domain; zero rows of units dropped."""
    A, c = network.region_inequalities(pattern)
    An, cn, norms = normalize_rows(A, c)
    keep = (norms > 1e-12 * max(1.0, float(norms.max(initial=0.0)))) & kinked
    empty = bool((c[~keep & kinked] < 0).any())  # a constant unit on the wrong side: the pattern cannot occur
    units = np.flatnonzero(keep)
    G = np.vstack([An[keep], G0])
    h = np.concatenate([cn[keep], h0])
    return G, h, np.concatenate([units, np.full(G0.shape[0], -1)]), empty


@dataclass
class Visit:
    """What the analysis of one pattern found (``region`` is None when the pattern has no region)."""

    pattern: np.ndarray
    region: tuple | None  # (A, b, unit, center, radius, volume)
    facet_units: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    n_lp: int = 0
    stats: dict = field(default_factory=dict)


class RegionAnalyser:
    """Facets, Chebyshev centre and volume of one region (module docstring of ``enumerate``)."""

    def __init__(self, network: ReLUNetwork, G0, h0, ext, qhull_max_dim: int, random_state) -> None:
        self.network, self.G0, self.h0, self.ext = network, G0, h0, ext
        self.qhull_max_dim = qhull_max_dim
        self.rng = np.random.default_rng(random_state)
        sizes, slopes = network.hidden_sizes, network.slopes
        self.kinked = np.concatenate([np.full(n, s != 1.0) for n, s in zip(sizes, slopes)]) if sizes else np.zeros(0, bool)
        self.r_cap = float(np.linalg.norm(ext[:, 1] - ext[:, 0]))
        self.memory = RowMemory(ext[:, 0], ext[:, 1])

    def _box_misses(self, G, h) -> np.ndarray:
        """Interval bound over the domain's bounding box: ``max G_i x <= h_i`` means row i cannot touch the region."""
        lo, hi = self.ext[:, 0], self.ext[:, 1]
        top = np.where(G > 0, G * hi, G * lo).sum(axis=1)
        return top <= h - LP_TOL * (1.0 + np.abs(h))

    def _learn(self, lp, i, keys, is_facet: bool, G, h, todo, stats) -> np.ndarray:
        """Store the LP's witness or dual basis; returns the open rows that basis proves redundant here too."""
        none = np.zeros(h.size, bool)
        if is_facet:
            if lp.last_x is not None:
                self.memory.add_witness(keys[i], lp.last_x)
            return none
        lam = lp.multipliers(i)
        basis = np.zeros(0, int) if lam is None else np.flatnonzero(lam > 1e-12 * max(1.0, float(lam.max(initial=0.0))))
        if basis.size == 0:
            return none
        self.memory.add_basis(keys, basis)
        rows = np.flatnonzero(todo)
        rows = rows[rows > i]
        none[rows] = redundant_by_basis(G, h, basis, rows, self.memory.lo, self.memory.hi)
        stats["dual_certified"] += int(none.sum())
        return none

    def _certify(self, pattern, G, h, unit, center, todo, facet, stats):
        """Facet tests without LPs: qhull's dual hull (low d) or rays and carried certificates."""
        # the dual hull needs every candidate row, the known facets included (leaving one out
        # could make a row that only it makes redundant look like a facet)
        hull = _qhull_facets(G, h, center, todo | facet) if G.shape[1] <= self.qhull_max_dim else None
        if hull is not None:
            stats["certified"] += int((hull[0] & ~facet).sum())
            facet |= hull[0]
            vertices = hull[2] if not hull[1].any() else None
            return hull[1], None, vertices
        keys = self.memory.row_keys(pattern, unit)
        toward = self.memory.witness_directions(keys, np.flatnonzero(todo), center)
        cert = todo & _ray_certificates(G, h, center, self.rng, extra=toward)
        stats["certified"] += int(cert.sum())
        facet |= cert
        todo = todo & ~cert
        proved = self.memory.prove_redundant(G, h, keys, todo)
        stats["dual_certified"] += int(proved.sum())
        return todo & ~proved, keys, None

    def analyse(self, pattern: np.ndarray, known_facets=()) -> Visit:
        """Analyse one pattern; ``known_facets``: units whose row is known to be a facet (entered through)."""
        stats = dict.fromkeys(_STAT_KEYS, 0)
        G, h, unit, empty = region_rows(self.network, pattern, self.G0, self.h0, self.kinked)
        if empty:
            stats["empty"] = 1
            return Visit(pattern, None, stats=stats)
        lp = PolytopeLP(G, h, self.r_cap)
        center, radius = lp.chebyshev()
        if not radius > LP_TOL:
            stats["empty"] = 1
            return Visit(pattern, None, n_lp=lp.n_lp, stats=stats)
        stats["rows"] = h.size
        facet = np.zeros(h.size, bool)
        todo = ~_duplicates(G, h)
        stats["pruned_parallel"] = int((~todo).sum())
        miss = todo & self._box_misses(G, h)
        stats["pruned_box"] = int(miss.sum())
        todo &= ~miss
        known = np.isin(unit, np.asarray(list(known_facets), dtype=int)) & todo
        facet |= known
        stats["cached"] = int(known.sum())
        todo &= ~known
        todo, keys, vertices = self._certify(pattern, G, h, unit, center, todo, facet, stats)
        todo &= ~facet
        for i in np.flatnonzero(todo):
            if not todo[i]:  # proved redundant by the dual basis of an earlier row's LP
                continue
            facet[i] = lp.row_max(i) > h[i] + LP_TOL * (1.0 + abs(h[i]))
            stats["row_lps"] += 1
            stats["lp_facets"] += int(facet[i])
            if keys is not None:
                todo &= ~self._learn(lp, i, keys, bool(facet[i]), G, h, todo, stats)
        d = G.shape[1]
        if d > 3:
            volume = np.nan
        elif vertices is not None and d > 1:
            volume = _volume(vertices)
        else:
            volume = polytope_volume(G[facet], h[facet], center)
        region = (G[facet], h[facet], unit[facet], center, radius, volume)
        return Visit(pattern, region, unit[facet & (unit >= 0)], lp.n_lp, stats)


_WORKER: dict = {}


def _analyse_chunk(token: str, spec: tuple, patterns: list, known: list) -> list:
    """Worker side: one analyser per enumeration (``token``), kept between the chunks of its waves."""
    analyser = _WORKER.get(token)
    if analyser is None:
        _WORKER.clear()
        analyser = _WORKER[token] = RegionAnalyser(*spec)
    return [analyser.analyse(p, k) for p, k in zip(patterns, known)]


class Search:
    """State of the breadth-first search (one object so that an interruption keeps what was found)."""

    def __init__(self, network: ReLUNetwork, G0, h0, ext, qhull_max_dim: int, random_state, n_jobs: int = 1) -> None:
        self.spec = (network, G0, h0, ext, qhull_max_dim, random_state)
        self.analyser = RegionAnalyser(*self.spec)
        self.n_jobs = n_jobs
        self.token = uuid.uuid4().hex
        self.entered: dict = {}  # pattern key -> units whose row is a facet (the region was reached through them)
        self.seen: set = set()
        self.visited: set = set()
        self.queue: deque = deque()
        self.regions: list = []
        self.edges: list = []  # (key_a, key_b, unit)
        self.n_lp = 0
        self.stats = dict.fromkeys(_STAT_KEYS, 0)

    def push(self, pattern: np.ndarray, through: int | None = None) -> None:
        key = pattern.tobytes()
        if through is not None and key not in self.visited:
            self.entered.setdefault(key, set()).add(through)
        if key not in self.seen:
            self.seen.add(key)
            self.queue.append(pattern)

    def record(self, visit: Visit) -> None:
        """Add an analysed pattern's region (if any) and queue its neighbours."""
        self.n_lp += visit.n_lp
        for k, v in visit.stats.items():
            self.stats[k] += v
        key_a = visit.pattern.tobytes()
        self.visited.add(key_a)
        self.entered.pop(key_a, None)
        if visit.region is None:
            return
        from .enumerate import HRegion

        for u in visit.facet_units:
            u = int(u)
            nb = visit.pattern.copy()
            nb[u] = ~nb[u]
            self.edges.append((key_a, nb.tobytes(), u))
            self.push(nb, through=u)
        self.regions.append(HRegion(visit.pattern, *visit.region))

    def next_wave(self, limit: int | None) -> list:
        """The patterns now queued (at most ``limit``), with the facets known for each."""
        n = len(self.queue) if limit is None else min(len(self.queue), limit)
        wave = [self.queue.popleft() for _ in range(n)]
        return [(p, tuple(self.entered.get(p.tobytes(), ()))) for p in wave]

    def analyse(self, wave: list) -> list:
        """Analyse a wave here (``n_jobs == 1`` or a small wave) or on the worker processes."""
        if self.n_jobs == 1 or len(wave) < 2 * self.n_jobs:
            return [self.analyser.analyse(p, k) for p, k in wave]
        from joblib import Parallel, delayed

        n_chunks = min(len(wave), 4 * self.n_jobs)
        bounds = np.linspace(0, len(wave), n_chunks + 1).astype(int)
        chunks = [wave[a:b] for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
        out = Parallel(n_jobs=self.n_jobs, backend="loky")(
            delayed(_analyse_chunk)(self.token, self.spec, [p for p, _ in c], [k for _, k in c]) for c in chunks
        )
        return [v for part in out for v in part]
