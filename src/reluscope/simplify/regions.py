"""Merged regions on a grid of the input space, for Figures 14, 15 and 18 of ``001``.

:func:`merged_regions` evaluates a fitted Merge-Net on a grid of a one- or
two-feature input space: the cluster of every grid point (its region's
cluster; the nearest region centre's for a pattern unseen in training), the
Merge-Net's and the network's outputs.  :mod:`reluscope.plot.simplify` draws it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InvalidInputError
from ._core import encode_target

__all__ = ["MergedRegions", "merged_regions"]


@dataclass
class MergedRegions:
    """A fitted Merge-Net evaluated on a grid (1-D: a line; 2-D: ``ny x nx`` points).

    Attributes
    ----------
    axes : list of ndarray
        Grid coordinates per feature (``[x]`` or ``[x1, x2]``).
    cluster : ndarray int, shape of the grid
        Merged cluster of each grid point.
    seen : ndarray bool, shape of the grid
        The grid point's activation pattern occurs in the training data.
    merged_output, network_output : ndarray float, shape of the grid
        Prediction of the Merge-Net and of the network (probability for classifiers).
    X, y, labels : training rows, response (as given) and their clusters.
    response : ndarray float
        The response as fitted: ``y`` (regression) or 1 for the positive class.
    coef, intercept : the cluster models (pre-link scale).
    feature_names : list of str
    task : 'regression' or 'binary'

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
    >>> merged = simplify.MergedModel(net, n_clusters=6).fit(X, y)
    >>> grid = simplify.merged_regions(merged, resolution=50)
    >>> grid.cluster.shape, grid.n_clusters, np.unique(grid.cluster).tolist()
    ((50, 50), 3, [0, 1, 2])
    >>> [tuple(round(v, 2) for v in b) for b in grid.bounds]
    [(-2.2, 2.18), (-2.17, 2.2)]
    """

    axes: list
    cluster: np.ndarray
    seen: np.ndarray
    merged_output: np.ndarray
    network_output: np.ndarray
    X: np.ndarray
    y: np.ndarray
    labels: np.ndarray
    response: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    feature_names: list
    task: str

    @property
    def n_clusters(self) -> int:
        """Number of merged clusters."""
        return int(self.coef.shape[0])

    @property
    def bounds(self) -> list[tuple[float, float]]:
        """``(low, high)`` of the grid, per feature."""
        return [(float(a[0]), float(a[-1])) for a in self.axes]


def merged_regions(merged, *, resolution: int = 300, bounds=None, margin: float = 0.05) -> MergedRegions:
    """Evaluate a fitted Merge-Net on a grid over its (one or two) input features.

    Parameters
    ----------
    merged : MergedModel
        Fitted, on a network with one or two features.
    resolution : int, default 300
        Points per axis.
    bounds : sequence of (low, high) per feature, optional
        Default: the training data range widened by ``margin`` of its span.
    margin : float, default 0.05

    Returns
    -------
    MergedRegions

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
    >>> merged = simplify.MergedModel(net, n_clusters=6).fit(X, y)
    >>> grid = simplify.merged_regions(merged, resolution=40, bounds=[(-2, 2), (-2, 2)])
    >>> grid.axes[0].shape, grid.merged_output.shape, round(float(grid.seen.mean()), 3)
    ((40,), (40, 40), 0.989)

    The grid's clusters and outputs are the Merge-Net's and the network's own:

    >>> x1, x2 = np.meshgrid(*grid.axes)
    >>> G = np.column_stack([x1.ravel(), x2.ravel()])
    >>> bool((grid.cluster.ravel() == merged.cluster_of(G)).all())
    True
    >>> np.allclose(grid.merged_output.ravel(), merged.predict(G))
    True
    >>> np.allclose(grid.network_output.ravel(), net.forward(G))
    True
    """
    from .merge import MergedModel

    if not isinstance(merged, MergedModel) or not hasattr(merged, "llms_"):
        raise InvalidInputError("merged_regions takes a fitted reluscope.simplify.MergedModel.")
    llms = merged.llms_
    d = llms.n_features
    if d not in (1, 2):
        raise InvalidInputError(f"merged_regions draws one- or two-feature inputs; this network has {d} features.")
    if not isinstance(resolution, (int, np.integer)) or resolution < 2:
        raise InvalidInputError(f"resolution must be an integer >= 2, got {resolution!r}.")
    X = llms.X_
    if bounds is None:
        lo, hi = X.min(axis=0), X.max(axis=0)
        span = np.where(hi > lo, hi - lo, 1.0)
        bounds = list(zip(lo - margin * span, hi + margin * span))
    if len(bounds) != d:
        raise InvalidInputError(f"bounds needs one (low, high) pair per feature ({d}), got {len(bounds)}.")
    axes = [np.linspace(float(a), float(b), int(resolution)) for a, b in bounds]
    mesh = np.meshgrid(*axes) if d == 2 else [axes[0]]
    G = np.column_stack([m.ravel() for m in mesh])
    cluster, seen = merged.cluster_of(G, return_seen=True)
    eta = merged.decision_function(G)
    net = llms.network
    merged_out = net.link(eta) if merged.task_ == "binary" else eta
    shape = mesh[0].shape
    return MergedRegions(
        axes=axes,
        cluster=cluster.reshape(shape),
        seen=seen.reshape(shape),
        merged_output=merged_out.reshape(shape),
        network_output=net.forward(G).reshape(shape),
        X=X,
        y=None if llms.y_ is None else np.asarray(llms.y_),
        labels=merged.labels_,
        response=encode_target(net, llms.y_, merged.task_),
        coef=merged.coef_,
        intercept=merged.intercept_,
        feature_names=[str(f) for f in merged.feature_names_in_],
        task=merged.task_,
    )
