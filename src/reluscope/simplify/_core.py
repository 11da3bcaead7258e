"""Merged partitions of unwrapped LLMs: build one for a given ``K``, predict with it, score it.

Shared by :class:`~reluscope.simplify.MergedModel` (final fit) and its
cross-validation over ``K`` (one tree per split, cut at every ``K``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InvalidInputError
from ..summary import binary_response
from ..unwrap import LocalLinearModels
from ._cluster import absorb_small_clusters
from ._refit import refit_clusters, weighted_llm

SUPPORTED_TASKS = ("regression", "binary")


def check_task(network) -> str:
    """The network's task, if merging supports it (single-output regression, binary)."""
    task = network.task
    if task not in SUPPORTED_TASKS or network.n_outputs != 1:
        raise InvalidInputError(
            f"Merging supports single-output regression and binary classification networks; this one is "
            f"{task!r} with {network.n_outputs} outputs. Unwrap it and study the LLMs directly, or merge one "
            "output at a time with a one-output network."
        )
    return task


def encode_target(network, y: np.ndarray, task: str) -> np.ndarray:
    """Float response: y itself (regression) or 0/1 with the network's positive class."""
    if y is None:
        raise InvalidInputError("Merging refits a GLM per cluster and needs the response y; pass y to fit / unwrap.")
    if task == "regression":
        y = np.asarray(y)
        if y.ndim != 1 or not np.issubdtype(y.dtype, np.number):
            raise InvalidInputError(f"A regression network needs a 1-D numeric y, got dtype {y.dtype} shape {y.shape}.")
        return y.astype(np.float64)
    return binary_response(np.asarray(y), network.classes)


def llm_features(llms: LocalLinearModels) -> np.ndarray:
    """The vectors clustered by Algorithm 1, step 3: ``[w~^P, b~^P]`` per LLM."""
    return np.column_stack([llms.coef_, llms.intercept_])


@dataclass
class Partition:
    """A merged partition of the LLMs of ``llms`` with one model per cluster."""

    raw_labels: np.ndarray  # agglomerative cluster of each region (before absorbing small ones)
    region_cluster: np.ndarray  # final cluster of each region
    n_clusters: int
    coef: np.ndarray  # (K, d)
    intercept: np.ndarray  # (K,)
    models: list
    status: list
    row_counts: np.ndarray  # training rows per cluster
    nn: object  # NearestNeighbors on the region centres (unseen patterns)


def build_partition(llms, raw_labels, y, task, min_samples, estimator, refit, absorb: str = "nearest_region") -> Partition:
    """Steps 4-6 of Algorithm 1 on a cut of the tree (``absorb``: see :func:`._cluster.absorb_small_clusters`)."""
    from sklearn.neighbors import NearestNeighbors

    region_cluster = absorb_small_clusters(raw_labels, llms.count_, llms.centers_, min_samples, absorb)
    n_cl = int(region_cluster.max()) + 1
    mean_c, mean_b = weighted_llm(llms.coef_, llms.intercept_, llms.count_, region_cluster, n_cl)
    row_cluster = region_cluster[llms.labels_]
    coef, intercept, models, status = refit_clusters(
        llms.X_, y, row_cluster, n_cl, estimator, task, refit, mean_c, mean_b
    )
    nn = NearestNeighbors(n_neighbors=1).fit(llms.centers_)
    rows = np.bincount(row_cluster, minlength=n_cl)
    return Partition(raw_labels, region_cluster, n_cl, coef, intercept, models, status, rows, nn)


def clusters_of(llms: LocalLinearModels, part: Partition, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cluster of each row and whether its pattern was seen in training.

    A row in a training region goes to that region's cluster; a row whose
    pattern was never seen is its own region centre (section 5.1) and goes to
    the cluster of the nearest training region centre.
    """
    regions = llms.region_of(X)
    seen = regions >= 0
    if not seen.all():
        _, idx = part.nn.kneighbors(X[~seen])
        regions = regions.copy()
        regions[~seen] = idx[:, 0]
    return part.region_cluster[regions], seen


def decision(part: Partition, X: np.ndarray, clusters: np.ndarray) -> np.ndarray:
    """``w_k . x + b_k`` with each row's cluster ``k``: (n,)."""
    return np.einsum("nd,nd->n", X, part.coef[clusters]) + part.intercept[clusters]


def score(task: str, y: np.ndarray, eta: np.ndarray) -> float:
    """Validation score, larger is better: minus the MSE (regression) or the AUC (binary)."""
    if task == "regression":
        return -float(np.mean((y - eta) ** 2))
    from ..summary import grouped_auc

    return float(grouped_auc(np.zeros(y.size, np.int64), eta, y, 1)[0])
