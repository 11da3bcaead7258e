"""Parallel exact enumeration: :func:`reluscope.geometry.enumerate_regions` over sub-boxes as Dask tasks.

The box is cut into ``prod(splits)`` sub-boxes (a grid, ``splits[j]`` equal
slabs along feature ``j``); each sub-box is enumerated by the single-process
breadth-first search as one independent task (a sub-box is convex, so its
regions form a connected complex and the search is exact there, thesis ``000``
ch. 2).  A region of the box is convex, so its pieces -- the regions of the
same pattern in the sub-boxes it meets -- join into it:

- H-representation: every facet of the region has a (d-1)-dimensional part in
  some sub-box, where it is a facet of that piece; so the region's rows are the
  hidden-unit rows of its pieces (one per unit: the row depends on the pattern
  only) and those sides of its pieces that are sides of the original box.
  No redundancy LP is needed.
- volume (d <= 3): the sum of the pieces' volumes (they meet in sets of measure 0);
- Chebyshev centre and radius: one LP per region with more than one piece;
- adjacency: the union of the pieces' adjacencies (two regions sharing a facet
  share part of it inside some sub-box).

Limits: a region whose every piece is thinner than ``LP_TOL`` (a sliver cut by
a split plane) is not resolved, as in the single-process search; a hidden-unit
hyperplane lying exactly on a split plane is measure zero and ignored.
"""

from __future__ import annotations

import time
from itertools import product

import numpy as np

from ..errors import InvalidInputError
from ..geometry.enumerate import HRegion, RegionEnumeration, _domain, enumerate_regions
from ..geometry.polytope import chebyshev_center
from ..network import ReLUNetwork

__all__ = ["enumerate_regions_dask", "sub_boxes"]


def _check_splits(splits, d: int) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(splits))
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer) or arr.ndim != 1:
        raise InvalidInputError(f"splits must be a positive integer or one positive integer per feature, got {splits!r}.")
    if arr.size == 1:
        arr = np.full(d, int(arr[0]))
    if arr.size != d or (arr < 1).any():
        raise InvalidInputError(f"splits must be a positive integer or {d} positive integers (one per feature), got {splits!r}.")
    return arr.astype(int)


def sub_boxes(box: np.ndarray, splits) -> list[np.ndarray]:
    """The grid of sub-boxes (each (d, 2)) of ``box``; outer faces are the box's own bounds exactly."""
    B = np.asarray(box, dtype=np.float64)
    n = _check_splits(splits, B.shape[0])
    edges = []
    for (lo, hi), k in zip(B, n):
        e = np.linspace(lo, hi, k + 1)
        e[0], e[-1] = lo, hi
        edges.append(e)
    return [np.array([[edges[j][i], edges[j][i + 1]] for j, i in enumerate(idx)]) for idx in product(*(range(k) for k in n))]


def _outer_side(A: np.ndarray, b: np.ndarray, G0: np.ndarray, h0: np.ndarray) -> np.ndarray:
    """Which rows ``(A_i, b_i)`` are sides of the original box (exact equality: the grid keeps the box's bounds)."""
    return np.array([bool(((G0 == a).all(axis=1) & (h0 == c)).any()) for a, c in zip(A, b)], bool)


def _join(pieces: list, G0, h0, ext) -> HRegion:
    """One region from its pieces (module docstring)."""
    first = pieces[0]
    if len(pieces) == 1:
        return first
    units, rows, rhs, outer = {}, [], [], []
    for p in pieces:
        for a, c, u in zip(p.A, p.b, p.unit):
            if u >= 0:
                units.setdefault(int(u), (a, c))
            elif _outer_side(a[None], np.array([c]), G0, h0)[0] and not any((o == a).all() for o in outer):
                outer.append(a)
                rows.append(a)
                rhs.append(c)
    order = sorted(units)
    A = np.array([units[u][0] for u in order] + rows).reshape(-1, G0.shape[1])
    b = np.array([units[u][1] for u in order] + rhs)
    unit = np.array(order + [-1] * len(rows), dtype=int)
    center, radius = chebyshev_center(A, b, ext)
    volume = float(np.sum([p.volume for p in pieces]))
    return HRegion(first.pattern, A, b, unit, center, radius, volume, first.coef, first.intercept)


def enumerate_regions_dask(
    network: ReLUNetwork,
    box,
    *,
    splits=2,
    client=None,
    max_regions: int | None = None,
    random_state=0,
) -> RegionEnumeration:
    """Every activation region of ``network`` in ``box``, the sub-boxes enumerated as Dask tasks.

    Parameters
    ----------
    network : ReLUNetwork
    box : array (d, 2) of (min, max)
        A box only (a polytope domain: use the single-process function).
    splits : int or sequence of d ints, default 2
        Slabs per feature; ``prod(splits)`` tasks.
    client : distributed.Client, optional
        Where the tasks run; ``None`` uses Dask's current default scheduler.
    max_regions : int, optional
        Per-task cap passed to :func:`enumerate_regions`; the joined result is
        cut to ``max_regions`` and marked ``truncated`` when any task stopped early.
    random_state : int, default 0
        Starting points of each task's search.

    Returns
    -------
    RegionEnumeration
        Regions in order of first appearance over the sub-boxes (row-major
        grid order); the same set of patterns as :func:`enumerate_regions`.
        ``stats`` adds ``sub_boxes`` and ``pieces``.

    Raises
    ------
    InvalidInputError
        Bad ``splits`` or ``max_regions``, a polytope domain, a bad box.
    FeatureMismatchError
        A box of the wrong dimension.
    """
    import dask

    if not isinstance(network, ReLUNetwork):
        raise InvalidInputError(f"enumerate_regions_dask needs a ReLUNetwork, got {type(network).__name__}.")
    if isinstance(box, tuple) and len(box) == 2 and np.ndim(box[0]) == 2:
        raise InvalidInputError("enumerate_regions_dask splits a box (d, 2) of (min, max); for a polytope (A, b) use reluscope.geometry.enumerate_regions.")
    if max_regions is not None and (isinstance(max_regions, bool) or not isinstance(max_regions, (int, np.integer)) or max_regions < 1):
        raise InvalidInputError(f"max_regions must be a positive integer or None, got {max_regions!r}.")
    t0 = time.perf_counter()
    G0, h0, ext = _domain(network, box)
    subs = sub_boxes(ext, splits)
    task = dask.delayed(enumerate_regions)
    net_d = dask.delayed(network)
    tasks = [task(net_d, sub, max_regions, random_state=random_state, progress=False) for sub in subs]
    results = _compute(tasks, client)
    return _assemble(network, results, G0, h0, ext, max_regions, t0, client, n_chunks=len(subs))


def _compute(tasks: list, client) -> list:
    import dask

    return client.gather(client.compute(tasks)) if client is not None else list(dask.compute(*tasks))


def _join_many(groups: list, G0, h0, ext) -> list:
    return [_join(pieces, G0, h0, ext) for pieces in groups]


def _join_all(groups: list, G0, h0, ext, client, n_chunks: int) -> list:
    """Join the regions; the multi-piece ones (one Chebyshev LP each) as ``n_chunks`` tasks."""
    import dask

    multi = [i for i, g in enumerate(groups) if len(g) > 1]
    out = [g[0] for g in groups]
    chunks = [multi[k::n_chunks] for k in range(n_chunks) if multi[k::n_chunks]]
    tasks = [dask.delayed(_join_many)([groups[i] for i in c], G0, h0, ext) for c in chunks]
    for c, joined in zip(chunks, _compute(tasks, client)):
        for i, r in zip(c, joined):
            out[i] = r
    return out


def _assemble(network, results: list, G0, h0, ext, max_regions, t0: float, client=None, n_chunks: int = 1) -> RegionEnumeration:
    import networkx as nx

    groups: dict = {}
    edges: set = set()
    for res in results:
        keys = [r.pattern.tobytes() for r in res.regions]
        for key, r in zip(keys, res.regions):
            groups.setdefault(key, []).append(r)
        for a, b, data in res.adjacency.edges(data=True):
            edges.add((keys[a], keys[b], data["unit"]))
    truncated = any(res.truncated for res in results)
    keys = list(groups)
    if max_regions is not None and len(keys) > max_regions:
        keys, truncated = keys[:max_regions], True
    regions = _join_all([groups[k] for k in keys], G0, h0, ext, client, n_chunks)
    ids = {k: i for i, k in enumerate(keys)}
    graph = nx.Graph()
    graph.add_nodes_from(range(len(regions)))
    graph.add_edges_from((ids[a], ids[b], {"unit": u}) for a, b, u in edges if a in ids and b in ids)
    d = network.n_features
    stats: dict = {}
    for res in results:
        for k, v in res.stats.items():
            stats[k] = stats.get(k, 0) + v
    stats.update(sub_boxes=len(results), pieces=int(sum(r.n_regions for r in results)))
    n_join_lp = sum(len(groups[k]) > 1 for k in keys)
    return RegionEnumeration(
        regions=regions,
        patterns=np.array([r.pattern for r in regions]).reshape(len(regions), network.n_hidden_units),
        centers=np.array([r.center for r in regions]).reshape(len(regions), d),
        radii=np.array([r.radius for r in regions]),
        volumes=np.array([r.volume for r in regions]),
        adjacency=graph,
        truncated=truncated,
        domain_A=G0,
        domain_b=h0,
        domain_volume=float(np.prod(ext[:, 1] - ext[:, 0])) if d <= 3 else float("nan"),
        n_lp=int(sum(r.n_lp for r in results)) + int(n_join_lp),
        seconds=time.perf_counter() - t0,
        hidden_sizes=network.hidden_sizes,
        stats=stats,
    )
