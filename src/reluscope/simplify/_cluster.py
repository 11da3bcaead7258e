"""Clustering steps of the merging algorithm (Algorithm 1 of ``001``, steps 1-5).

- :func:`connectivity_graph`: the ``T``-nearest-neighbour graph of the region
  centres (eq. 19), ``T`` raised until the graph is connected (step 2).
- :func:`merge_tree`: ward agglomerative clustering of ``[w~, b~]`` under that
  connectivity, the full tree kept (step 3).
- :func:`cut_tree`: the partition into ``K`` clusters (the first ``R - K``
  merges of the tree), the same partition as ``AgglomerativeClustering(
  n_clusters=K)`` fitted afresh, for every ``K`` of a grid from one tree.
- :func:`absorb_small_clusters`: small clusters (fewer than ``tau`` rows) merged
  into their nearest large cluster (steps 4-5).
- :func:`linkage_matrix`: the tree as a SciPy linkage matrix (dendrogram).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from ..errors import InvalidInputError

__all__ = ["connectivity_graph", "merge_tree", "cut_tree", "absorb_small_clusters", "linkage_matrix", "initial_neighbors"]


def initial_neighbors(n_llms: int, fraction: float = 0.01) -> int:
    """The paper's starting ``T``: ``max(1, round(fraction * |P_train|))``."""
    return int(max(1, round(fraction * n_llms)))


def _is_connected(centers: np.ndarray, n_neighbors: int) -> tuple[bool, sp.csr_matrix]:
    from sklearn.neighbors import kneighbors_graph

    graph = kneighbors_graph(centers, n_neighbors=n_neighbors, include_self=False)
    sym = graph.maximum(graph.T)
    n_comp, _ = connected_components(sym, directed=False)
    return n_comp == 1, sym.tocsr()


def connectivity_graph(centers: np.ndarray, n_neighbors: int | None = None) -> tuple[sp.csr_matrix, int]:
    """Connectivity of the LLMs: symmetrised ``T``-NN graph of the region centres.

    Parameters
    ----------
    centers : ndarray (n_llms, n_features)
        Region centres ``mu_P`` (eq. 19).
    n_neighbors : int, optional
        Starting ``T``; default ``max(1, 1% of n_llms)`` as in section 5.1.

    Returns
    -------
    graph : scipy.sparse.csr_matrix (n_llms, n_llms)
        ``kneighbors_graph(centers, T)`` made symmetric (``max(G, G^T)``).
    n_neighbors : int
        The smallest ``T >= n_neighbors`` whose graph is connected.

    Notes
    -----
    Section 5.1 raises ``T`` "until all LLMs can be eventually connected".
    Connectivity is monotone in ``T`` (the ``T``-NN graph is contained in the
    ``T + 1``-NN graph), so the smallest connected ``T`` is found by doubling
    then bisection: the same ``T`` as raising it by one, in ``O(log R)`` graph
    builds instead of ``O(R)``.

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import simplify
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)])
    >>> X = rng.uniform(-2, 2, size=(300, 2))
    >>> y = net.forward(X) + rng.normal(scale=0.1, size=300)
    >>> llms = reluscope.unwrap(net, X, y)
    >>> graph, T = simplify.connectivity_graph(llms.centers_)
    >>> graph.shape, T  # T = 1 leaves the graph disconnected
    ((19, 19), 2)
    >>> from scipy.sparse.csgraph import connected_components
    >>> connected_components(graph)[0], bool((graph != graph.T).nnz == 0)
    (1, True)
    """
    centers = np.asarray(centers, dtype=np.float64)
    n = centers.shape[0]
    start = initial_neighbors(n) if n_neighbors is None else int(n_neighbors)
    if start < 1:
        raise InvalidInputError(f"n_neighbors must be a positive integer, got {n_neighbors!r}.")
    if n == 1:
        return sp.csr_matrix((1, 1)), 0
    lo = min(start, n - 1)
    ok, graph = _is_connected(centers, lo)
    if ok:
        return graph, lo
    hi, good = lo, None
    while good is None:  # doubling: find some connected T
        hi = min(2 * hi, n - 1)
        ok, g = _is_connected(centers, hi)
        if ok:
            good = g
        else:
            lo = hi
            if hi == n - 1:  # cannot happen: the (n-1)-NN graph is complete
                raise AssertionError("complete kNN graph reported disconnected")
    while hi - lo > 1:  # invariant: lo disconnected, hi connected
        mid = (lo + hi) // 2
        ok, g = _is_connected(centers, mid)
        if ok:
            hi, good = mid, g
        else:
            lo = mid
    return good, hi


def merge_tree(features: np.ndarray, connectivity, *, n_clusters: int = 1, linkage: str = "ward"):
    """Agglomerative clustering of the LLM parameters under the connectivity constraint.

    Returns the fitted :class:`sklearn.cluster.AgglomerativeClustering` with the
    full tree (``children_``, ``distances_``) and ``labels_`` for ``n_clusters``.
    """
    from sklearn.cluster import AgglomerativeClustering

    n = features.shape[0]
    model = AgglomerativeClustering(
        n_clusters=n_clusters,
        connectivity=connectivity if n > 1 else None,
        linkage=linkage,
        compute_full_tree=True,
        compute_distances=True,
    )
    if n == 1:  # sklearn needs two samples; a one-LLM tree has no merge
        model.labels_ = np.zeros(1, np.int64)
        model.children_ = np.zeros((0, 2), np.int64)
        model.distances_ = np.zeros(0)
        model.n_leaves_ = 1
        return model
    return model.fit(features)


def cut_tree(children: np.ndarray, n_leaves: int, n_clusters: int) -> np.ndarray:
    """Labels (0..K-1, by smallest leaf) of the leaves after the first ``n_leaves - K`` merges.

    This is the partition scikit-learn's ``_hc_cut`` returns for ``K`` clusters
    (it undoes the last ``K - 1`` merges), so one tree serves a whole grid of ``K``.

    Parameters
    ----------
    children : ndarray int (n_leaves - 1, 2)
        The merges, as ``AgglomerativeClustering.children_``.
    n_leaves : int
    n_clusters : int
        ``K``, between 1 and ``n_leaves``.

    Returns
    -------
    ndarray int (n_leaves,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.cluster import AgglomerativeClustering
    >>> from reluscope.simplify import cut_tree
    >>> points = np.array([[0.0], [0.1], [5.0], [5.2], [9.0]])
    >>> tree = AgglomerativeClustering(n_clusters=1, compute_full_tree=True).fit(points)
    >>> cut_tree(tree.children_, 5, 3).tolist()
    [0, 0, 1, 1, 2]
    >>> cut_tree(tree.children_, 5, 2).tolist()
    [0, 0, 1, 1, 1]

    The same partition as fitting scikit-learn afresh with ``n_clusters=K``:

    >>> fresh = AgglomerativeClustering(n_clusters=3).fit(points).labels_
    >>> len(set(zip(fresh, cut_tree(tree.children_, 5, 3))))
    3
    """
    if not 1 <= n_clusters <= n_leaves:
        raise InvalidInputError(f"Cannot cut {n_leaves} leaves into {n_clusters} clusters.")
    n_merges = n_leaves - n_clusters
    rep = np.arange(2 * n_leaves - 1)
    # top-down: an internal node created after the cut is its own representative;
    # one created by the first n_merges merges passes its representative down.
    for m in range(n_leaves + len(children) - 1, n_leaves - 1, -1):
        i = m - n_leaves
        if i < n_merges:
            rep[children[i]] = rep[m]
    labels = rep[:n_leaves]
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(first)
    remap = np.empty(order.size, np.int64)
    remap[order] = np.arange(order.size)
    return remap[np.searchsorted(np.unique(labels), labels)]


ABSORB = ("nearest_region", "centroid")


def absorb_small_clusters(
    labels: np.ndarray, counts: np.ndarray, centers: np.ndarray, min_samples: int, method: str = "nearest_region"
) -> np.ndarray:
    """Merge every cluster with fewer than ``min_samples`` rows into its nearest large cluster.

    Parameters
    ----------
    labels : int (n_llms,)
        Cluster of each LLM.
    counts : int (n_llms,)
        Rows of each region.
    centers : (n_llms, n_features)
        Region centres (eq. 19).
    min_samples : int
        The threshold ``tau``.
    method : {'nearest_region', 'centroid'}, default 'nearest_region'
        ``'nearest_region'``: the large cluster holding the region centre
        nearest to any region centre of the small one; ``'centroid'``: the
        large cluster whose centroid (mean of its training rows, i.e. the
        row-weighted mean of its region centres) is nearest to the small
        cluster's centroid, as the paper's code (aletheia-dnn) does.

    Returns
    -------
    int (n_llms,)
        New labels 0..K'-1, clusters numbered by decreasing rows (ties: smallest old label).

    Notes
    -----
    "Nearest" is the smallest distance between a region centre of the small
    cluster and a region centre of the large one (single linkage in the input
    space).  A centroid of a cluster can lie far outside it (a ring of regions
    on CoCircles has its centroid at the origin), so the distance between
    cluster centroids would not say which clusters touch.  When no cluster has
    ``min_samples`` rows, the largest cluster counts as the large one.
    """
    from sklearn.neighbors import NearestNeighbors

    labels = np.asarray(labels, np.int64)
    n_cl = int(labels.max()) + 1
    rows = np.bincount(labels, weights=counts, minlength=n_cl)
    large = rows >= min_samples
    if not large.any():
        large[np.argmax(rows)] = True
    small_llm = ~large[labels]
    if method == "centroid":
        if small_llm.any():
            w = np.asarray(counts, np.float64)
            sums = np.stack([np.bincount(labels, weights=w * centers[:, j], minlength=n_cl) for j in range(centers.shape[1])], 1)
            centroid = sums / rows[:, None]
            big = np.flatnonzero(large)
            small = np.flatnonzero(~large & (rows > 0))
            nn = NearestNeighbors(n_neighbors=1).fit(centroid[big])
            _, idx = nn.kneighbors(centroid[small])
            dest = np.arange(n_cl)
            dest[small] = big[idx[:, 0]]
            labels = dest[labels]
        return _relabel_by_rows(labels, counts)
    if method != "nearest_region":
        raise InvalidInputError(f"absorb={method!r} is not one of {ABSORB}.")
    if small_llm.any():
        nn = NearestNeighbors(n_neighbors=1).fit(centers[~small_llm])
        dist, idx = nn.kneighbors(centers[small_llm])
        target = labels[~small_llm][idx[:, 0]]
        src = labels[small_llm]
        # per small cluster, the target of its region with the smallest distance
        order = np.lexsort((dist[:, 0], src))
        first = np.ones(order.size, bool)
        first[1:] = src[order][1:] != src[order][:-1]
        dest = np.arange(n_cl)
        dest[src[order][first]] = target[order][first]
        labels = dest[labels]
    return _relabel_by_rows(labels, counts)


def _relabel_by_rows(labels: np.ndarray, counts: np.ndarray) -> np.ndarray:
    uniq, inv = np.unique(labels, return_inverse=True)
    rows = np.bincount(inv, weights=counts)
    order = np.lexsort((uniq, -rows))
    remap = np.empty(uniq.size, np.int64)
    remap[order] = np.arange(uniq.size)
    return remap[inv]


def linkage_matrix(children: np.ndarray, distances: np.ndarray, n_leaves: int) -> np.ndarray:
    """The merge tree as a SciPy linkage matrix ``[left, right, distance, n_leaves_below]``.

    With a connectivity constraint the ward heights need not be monotone; the
    heights are made cumulative-max so :func:`scipy.cluster.hierarchy.dendrogram`
    draws a proper tree (the merge order is unchanged).
    """
    n_merges = len(children)
    size = np.ones(n_leaves + n_merges)
    for i, (a, b) in enumerate(children):
        size[n_leaves + i] = size[a] + size[b]
    heights = np.maximum.accumulate(np.asarray(distances, dtype=np.float64)) if n_merges else np.zeros(0)
    return np.column_stack([children.astype(np.float64), heights, size[n_leaves:]])
