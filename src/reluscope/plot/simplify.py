"""Figures of network simplification (section 5 of ``001``): merged regions, merged LLMs, bootstrap, dendrogram.

===============================  ============================================  ======================
Figure                           Result from                                   Paper (``001``)
===============================  ============================================  ======================
``merged_regions``               ``simplify.merged_regions``                   Figures 14, 15
``merged_cluster``               ``simplify.merged_regions``                   Figure 18
``merged_parallel_coordinates``  a fitted ``simplify.MergedModel``             Figures 16-17
``bootstrap_coefficients``       ``simplify.bootstrap_inference``              Figure 19
``merge_dendrogram``             a fitted ``simplify.MergedModel``             tree of Algorithm 1
===============================  ============================================  ======================

Every function draws what its argument holds, accepts ``ax=None`` and returns the Figure.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidInputError
from ..simplify import BootstrapResult, MergedModel, MergedRegions
from ._base import get_axes, region_colors, require, scatter_data

__all__ = ["merged_regions", "merged_cluster", "merged_parallel_coordinates", "bootstrap_coefficients", "merge_dendrogram"]


def _fitted_merge(model, name: str) -> MergedModel:
    require(model, MergedModel, name)
    if not hasattr(model, "llms_"):
        raise InvalidInputError(f"plot.{name} needs a fitted MergedModel; call fit first.")
    return model


def merged_regions(result: MergedRegions, ax=None, *, show_data: bool = True, show_network: bool = True, max_points: int = 5000):
    """Merged regions of a one- or two-feature Merge-Net (Figures 14-15 of ``001``).

    1-D (ChirpWave, Figure 14): the data, the network's curve (grey) and the
    Merge-Net's piecewise-linear fit coloured by cluster.  2-D (CoCircles,
    Figure 15): the merged regions coloured by cluster, points of unseen
    patterns lighter, the Merge-Net's decision boundary (``p = 0.5`` or the
    level 0 for regression) in black, the data overlaid.

    Parameters
    ----------
    result : MergedRegions
        From :func:`reluscope.simplify.merged_regions`.
    ax : matplotlib Axes, optional
    show_data, show_network : bool, default True
        Overlay the training data / the network's curve (1-D).
    max_points : int, default 5000
        Data points drawn at most.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import plot, simplify
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)])
    >>> X = rng.uniform(-2, 2, size=(300, 2))
    >>> y = net.forward(X) + rng.normal(scale=0.1, size=300)
    >>> merged = simplify.MergedModel(net, n_clusters=6).fit(X, y)
    >>> fig = plot.merged_regions(simplify.merged_regions(merged, resolution=50))
    >>> ax = fig.axes[0]
    >>> ax.get_title(), ax.images[0].get_array().shape
    ('Merged regions: 3 clusters', (50, 50, 3))

    The Merge-Net's level-0 line (a regression) is drawn in black, the data over it:

    >>> contour, data = ax.collections
    >>> contour.levels.tolist(), data.get_offsets().shape
    ([0.0], (300, 2))
    """
    r = require(result, MergedRegions, "merged_regions")
    fig, ax = get_axes(ax, figsize=(7.0, 4.5) if len(r.axes) == 1 else (6.5, 5.5))
    if len(r.axes) == 1:
        x = r.axes[0]
        if show_data:
            n = r.X.shape[0]
            idx = np.arange(n) if n <= max_points else np.linspace(0, n - 1, max_points).astype(int)
            ax.scatter(r.X[idx, 0], r.y[idx], s=6, color="0.6", alpha=0.5, linewidths=0, label="data")
        if show_network:
            ax.plot(x, r.network_output, color="0.3", lw=1.0, ls="--", label="network")
        cols = region_colors(np.arange(r.n_clusters))
        for k in range(r.n_clusters):
            ys = np.where(r.cluster == k, r.merged_output, np.nan)
            ax.plot(x, ys, color=cols[k], lw=2.2, label=f"cluster {k}" if k < 10 else None)
        ax.set_xlabel(r.feature_names[0])
        ax.set_ylabel("prediction")
        ax.legend(loc="best", fontsize="small", ncol=2)
    else:
        (x0, x1), (y0, y1) = r.bounds
        rgb = region_colors(r.cluster.ravel())[:, :3].reshape(*r.cluster.shape, 3)
        rgb = np.where(r.seen[..., None], rgb, 0.55 * rgb + 0.45)
        ax.imshow(rgb, origin="lower", extent=(x0, x1, y0, y1), aspect="auto", interpolation="nearest")
        level = 0.5 if r.task == "binary" else 0.0
        xx, yy = np.meshgrid(*r.axes)
        if np.nanmin(r.merged_output) < level < np.nanmax(r.merged_output):
            ax.contour(xx, yy, r.merged_output, levels=[level], colors="k", linewidths=1.2)
        if show_data and r.y is not None:
            scatter_data(ax, r.X, r.y, max_points=max_points, size=6)
        ax.set_xlabel(r.feature_names[0])
        ax.set_ylabel(r.feature_names[1])
    ax.set_title(f"Merged regions: {r.n_clusters} clusters")
    fig.tight_layout()
    return fig


def merged_cluster(result: MergedRegions, clusters=(0, 1), ax=None, *, max_points: int = 5000):
    """Selected merged clusters of a two-feature Merge-Net with their training rows (Figure 18 of ``001``).

    Each cluster's region is shaded in its colour, its training rows drawn
    (filled: positive class / response above the mean), and its LLM's level line
    ``w_k . x + b_k = 0`` (the cluster classifier's boundary) drawn across the plot.

    Parameters
    ----------
    result : MergedRegions
        From :func:`reluscope.simplify.merged_regions` (two features).
    clusters : sequence of int, default (0, 1)
        The clusters to show (0 = the one with the most rows).
    ax : matplotlib Axes, optional
    max_points : int, default 5000
        Training rows drawn at most per cluster.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import plot, simplify
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)])
    >>> X = rng.uniform(-2, 2, size=(300, 2))
    >>> y = net.forward(X) + rng.normal(scale=0.1, size=300)
    >>> merged = simplify.MergedModel(net, n_clusters=6).fit(X, y)
    >>> grid = simplify.merged_regions(merged, resolution=50)
    >>> fig = plot.merged_cluster(grid, clusters=[0, 2])
    >>> ax = fig.axes[0]
    >>> ax.get_title(), [t.get_text() for t in ax.get_legend().get_texts()]
    ('Merged clusters 0, 2 (dashed: LLM = 0)', ['cluster 0', 'cluster 2'])

    Each dashed line is its cluster model's zero line ``w_k . x + b_k = 0``:

    >>> (xa, xb), (ya, yb) = ax.lines[1].get_xdata(), ax.lines[1].get_ydata()
    >>> np.allclose(merged.coef_[2] @ np.array([[xa, xb], [ya, yb]]) + merged.intercept_[2], 0)
    True
    """
    r = require(result, MergedRegions, "merged_cluster")
    if len(r.axes) != 2:
        raise InvalidInputError("plot.merged_cluster draws two-feature inputs; use plot.merged_regions for one feature.")
    clusters = [int(k) for k in np.atleast_1d(clusters)]
    bad = [k for k in clusters if not 0 <= k < r.n_clusters]
    if bad:
        raise InvalidInputError(f"clusters {bad} do not exist; this Merge-Net has {r.n_clusters} clusters.")
    fig, ax = get_axes(ax, figsize=(6.5, 5.5))
    (x0, x1), (y0, y1) = r.bounds
    rgba = np.ones((*r.cluster.shape, 4))
    cols = region_colors(np.arange(r.n_clusters))
    for k in clusters:
        rgba[r.cluster == k] = np.r_[0.45 * cols[k][:3] + 0.55, 1.0]
    ax.imshow(rgba, origin="lower", extent=(x0, x1, y0, y1), aspect="auto", interpolation="nearest")
    xs = np.array([x0, x1])
    for k in clusters:
        sel = np.flatnonzero(r.labels == k)[:max_points]
        yk = r.response[sel]
        pos = yk > 0.5 if r.task == "binary" else yk > np.mean(r.response)
        ax.scatter(r.X[sel[pos], 0], r.X[sel[pos], 1], s=10, color=cols[k], edgecolors="k", linewidths=0.3, label=f"cluster {k}")
        ax.scatter(r.X[sel[~pos], 0], r.X[sel[~pos], 1], s=10, facecolors="none", edgecolors=cols[k], linewidths=0.8)
        w, b = r.coef[k], r.intercept[k]
        if abs(w[1]) > 1e-12 * max(1.0, abs(w[0])):
            ax.plot(xs, -(b + w[0] * xs) / w[1], color=cols[k], lw=1.8, ls="--")
        elif abs(w[0]) > 0:
            ax.axvline(-b / w[0], color=cols[k], lw=1.8, ls="--")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel(r.feature_names[0])
    ax.set_ylabel(r.feature_names[1])
    ax.legend(loc="upper right", fontsize="small")
    ax.set_title("Merged clusters " + ", ".join(map(str, clusters)) + " (dashed: LLM = 0)")
    fig.tight_layout()
    return fig


def merged_parallel_coordinates(model: MergedModel, ax=None, *, include_intercept: bool = False, cmap: str = "viridis"):
    """Parallel coordinates of the merged cluster models (Figures 16-17 of ``001``).

    One line per cluster through its coefficients (features in their order),
    coloured and labelled by the cluster's training rows.

    Parameters
    ----------
    model : MergedModel
        Fitted.
    ax : matplotlib Axes, optional
    include_intercept : bool, default False
        Add the intercept as the first axis.
    cmap : str, default 'viridis'

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import plot, simplify
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)])
    >>> X = rng.uniform(-2, 2, size=(300, 2))
    >>> y = net.forward(X) + rng.normal(scale=0.1, size=300)
    >>> merged = simplify.MergedModel(net, n_clusters=6).fit(X, y)
    >>> fig = plot.merged_parallel_coordinates(merged)
    >>> ax = fig.axes[0]
    >>> ax.get_title(), [t.get_text() for t in ax.get_legend().get_texts()]
    ('Merged LLMs: 3 clusters (refit=glm)', ['cluster 0 (n=157)', 'cluster 1 (n=88)', 'cluster 2 (n=55)'])
    >>> curves = ax.lines[-3:]  # after the two feature axes and the zero line
    >>> np.allclose([c.get_ydata() for c in curves], merged.coef_)
    True
    """
    import matplotlib as mpl

    m = _fitted_merge(model, "merged_parallel_coordinates")
    names = [str(f) for f in m.feature_names_in_]
    values = m.coef_
    if include_intercept:
        names, values = ["Intercept", *names], np.column_stack([m.intercept_, values])
    counts = np.bincount(m.labels_, minlength=m.n_clusters_)
    fig, ax = get_axes(ax, figsize=(max(6.0, 0.7 * len(names) + 2.5), 4.5))
    x = np.arange(len(names))
    for j in x:
        ax.axvline(j, color="0.8", lw=0.8, zorder=0)
    ax.axhline(0.0, color="0.5", lw=0.8, ls="--", zorder=0)
    colors = mpl.colormaps[cmap](np.linspace(0.1, 0.9, max(2, m.n_clusters_)))
    for k in range(m.n_clusters_):
        ax.plot(x, values[k], color=colors[k], marker="o", ms=4, lw=1.8, label=f"cluster {k} (n={counts[k]})")
    ax.set_xticks(x, names, rotation=60 if len(names) > 8 else 0, ha="right" if len(names) > 8 else "center")
    ax.set_ylabel("coefficient (pre-link scale)")
    ax.set_title(f"Merged LLMs: {m.n_clusters_} clusters (refit={m.refit})")
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    return fig


def bootstrap_coefficients(result: BootstrapResult, cluster: int = 0, ax=None):
    """Bootstrap inference of one cluster (Figure 19 of ``001``).

    Left: box plots of each term's coefficient over the resamples, the
    cluster's estimate marked; right: ``P(coef = 0)`` per term.

    Parameters
    ----------
    result : BootstrapResult
        From :func:`reluscope.simplify.bootstrap_inference`.
    cluster : int, default 0
    ax : pair of matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import plot, simplify
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)])
    >>> X = rng.uniform(-2, 2, size=(300, 2))
    >>> y = net.forward(X) + rng.normal(scale=0.1, size=300)
    >>> merged = simplify.MergedModel(net, n_clusters=6).fit(X, y)
    >>> boot = simplify.bootstrap_inference(merged, n_bootstrap=50, random_state=0)
    >>> fig = plot.bootstrap_coefficients(boot, cluster=1)
    >>> [a.get_title() for a in fig.axes]
    ['Cluster 1: 50 bootstrap refits (glm)', 'Share of resamples with a zero coefficient']
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]  # top to bottom
    ['intercept', 'x1', 'x2']

    The red dots are the cluster's own estimate, one per term:

    >>> np.allclose(fig.axes[0].collections[0].get_offsets()[:, 0], [merged.intercept_[1], *merged.coef_[1]])
    True
    """
    import matplotlib.pyplot as plt

    r = require(result, BootstrapResult, "bootstrap_coefficients")
    if not 0 <= cluster < r.samples.shape[0]:
        raise InvalidInputError(f"cluster {cluster} does not exist; the result has {r.samples.shape[0]} clusters.")
    s = r.samples[cluster]
    if np.isnan(s).all():
        raise InvalidInputError(f"Cluster {cluster} was not refitted, so it has no bootstrap samples.")
    if ax is None:
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(11.0, max(3.0, 0.35 * len(r.terms) + 1.5)))
    else:
        a1, a2 = ax
        fig = a1.figure
    pos = np.arange(len(r.terms))[::-1]
    data = [col[~np.isnan(col)] for col in s.T]
    try:
        a1.boxplot(data, positions=pos, orientation="horizontal", widths=0.6)
    except TypeError:  # matplotlib < 3.10
        a1.boxplot(data, positions=pos, vert=False, widths=0.6)
    a1.scatter(r.estimate[cluster], pos, color="tab:red", zorder=3, s=14, label="estimate")
    a1.axvline(0.0, color="0.5", lw=0.8, ls="--")
    a1.set_yticks(pos, r.terms)
    a1.set_xlabel("coefficient")
    a1.set_title(f"Cluster {cluster}: {r.n_bootstrap} bootstrap refits ({r.refit})")
    a1.legend(loc="best", fontsize="small")
    pz = r.prob_zero().to_numpy()[cluster]
    a2.barh(pos, pz, color="tab:blue")
    a2.set_yticks(pos, r.terms)
    a2.set_xlim(0, 1)
    a2.set_xlabel("P(coef = 0)")
    a2.set_title("Share of resamples with a zero coefficient")
    fig.tight_layout()
    return fig


def merge_dendrogram(model: MergedModel, ax=None, *, truncate_p: int = 30):
    """Dendrogram of the merge tree of the LLMs (SciPy), with the cut at ``best_n_clusters_``.

    The tree is ``agglomerative_.children_`` / ``distances_`` of the fitted
    Merge-Net (heights made monotone, see :meth:`~reluscope.simplify.MergedModel.linkage_matrix`);
    only the last ``truncate_p`` merges are drawn for large trees.

    Parameters
    ----------
    model : MergedModel
        Fitted.
    ax : matplotlib Axes, optional
    truncate_p : int, default 30
        Trees with more leaves show only their last ``truncate_p`` merges.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import plot, simplify
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)])
    >>> X = rng.uniform(-2, 2, size=(300, 2))
    >>> y = net.forward(X) + rng.normal(scale=0.1, size=300)
    >>> merged = simplify.MergedModel(net, n_clusters=6).fit(X, y)
    >>> fig = plot.merge_dendrogram(merged)
    >>> ax = fig.axes[0]
    >>> ax.get_title(), ax.get_legend().get_texts()[0].get_text()
    ('Merge tree of 19 LLMs', 'cut: K = 6')
    >>> len(ax.get_xticklabels())  # one leaf per LLM
    19

    The red line cuts the tree below its last ``K - 1 = 5`` merges:

    >>> Z = merged.linkage_matrix()
    >>> bool(ax.lines[-1].get_ydata()[0] == Z[-5, 2])
    True
    """
    from scipy.cluster.hierarchy import dendrogram

    m = _fitted_merge(model, "merge_dendrogram")
    Z = m.linkage_matrix()
    fig, ax = get_axes(ax, figsize=(8.0, 4.5))
    if Z.shape[0] == 0:
        ax.text(0.5, 0.5, "one LLM: no merge", ha="center", va="center", transform=ax.transAxes)
        return fig
    K = m.best_n_clusters_
    cut = Z[-(K - 1), 2] if 1 < K <= Z.shape[0] else None
    kw = dict(truncate_mode="lastp", p=truncate_p) if Z.shape[0] + 1 > truncate_p else {}
    dendrogram(Z, ax=ax, no_labels=Z.shape[0] + 1 > truncate_p, color_threshold=cut if cut is not None else 0, **kw)
    if cut is not None:
        ax.axhline(cut, color="tab:red", lw=1.0, ls="--", label=f"cut: K = {K}")
        ax.legend(loc="upper right", fontsize="small")
    ax.set_ylabel("ward distance (cumulative max)")
    ax.set_title(f"Merge tree of {m.llms_.n_regions} LLMs")
    fig.tight_layout()
    return fig
