"""Figures of :mod:`reluscope.geometry`: exact region maps, bent hyperplanes, layer metrics (thesis ``000`` ch. 2, 4)."""

from __future__ import annotations

import numpy as np

from ..geometry import BentHyperplanes2D, LayerMetrics, Slice2D
from ._base import get_axes, region_colors, require, scatter_data

__all__ = ["region_slice", "activity_histograms", "layer_metric_curves", "layer_pca", "activation_heatmap"]


def region_slice(slc: Slice2D, ax=None, *, bent: BentHyperplanes2D | None = None, X=None, y=None, max_points: int = 5000,
                 edge_color: str = "0.25"):
    """The exact activation regions of a 2-D slice as polygons (Figure 2 of ``001``), optionally with bent hyperplanes.

    Parameters
    ----------
    slc : Slice2D
        From :func:`reluscope.geometry.slice_2d`.
    ax : matplotlib Axes, optional
    bent : BentHyperplanes2D, optional
        Draws the output's level set (the decision boundary) in black.
    X, y : data in slice coordinates, optional (overlaid).
    max_points : int, default 5000
        Data points drawn at most.
    edge_color : default '0.25'
        Colour of the polygon edges.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import geometry, plot
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)], output="sigmoid")
    >>> slc = geometry.slice_2d(net, [0, 0], [1, 0], [0, 1], bounds=((-2, 2), (-2, 2)))
    >>> bent = geometry.bent_hyperplanes_2d(net, slc)
    >>> fig = plot.region_slice(slc, bent=bent)
    >>> ax = fig.axes[0]
    >>> ax.get_title(), [t.get_text() for t in ax.get_legend().get_texts()]
    ('Exact activation regions: 24 in the slice', ['output 0 = 0'])

    One polygon per region; together they tile the 4 x 4 box:

    >>> polygons = ax.collections[0].get_paths()
    >>> len(polygons), round(float(slc.area.sum()), 9)
    (24, 16.0)
    """
    from matplotlib.collections import LineCollection, PolyCollection

    require(slc, Slice2D, "region_slice")
    fig, ax = get_axes(ax, figsize=(6.0, 5.5))
    polys = slc.polygons
    lw = 0.6 if slc.n_regions <= 2000 else 0.0
    ax.add_collection(PolyCollection(polys, facecolors=region_colors(np.arange(slc.n_regions)), edgecolors=edge_color, linewidths=lw))
    if bent is not None:
        require(bent, BentHyperplanes2D, "region_slice")
        ax.add_collection(LineCollection(bent.boundary, colors="k", linewidths=2.0, label=f"output {bent.output} = {bent.level:g}"))
        ax.legend(loc="upper right", fontsize="small")
    if X is not None:
        scatter_data(ax, np.asarray(X), y, max_points=max_points)
    (s0, s1), (t0, t1) = slc.bounds
    ax.set_xlim(s0, s1)
    ax.set_ylim(t0, t1)
    ax.set_aspect("auto")
    ax.set_xlabel("s")
    ax.set_ylabel("t")
    ax.set_title(f"Exact activation regions: {slc.n_regions:,} in the slice", fontsize="medium")
    fig.tight_layout()
    return fig


def activity_histograms(metrics: LayerMetrics, layers=None, *, ncols: int = 4):
    """Histograms of neuron activity per hidden layer (Figures 4.1-4.6 of ``000``).

    Parameters
    ----------
    metrics : LayerMetrics
        From :func:`reluscope.geometry.layer_metrics`.
    layers : sequence of int, optional
        Hidden layers to show (1-based); default all.
    ncols : int, default 4
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import geometry, plot
    >>> rng = np.random.default_rng(0)
    >>> sizes = [(6, 3), (6, 6), (6, 6), (1, 6)]  # three hidden layers of 6 units
    >>> net = reluscope.from_arrays([rng.normal(size=s) for s in sizes], [rng.normal(size=s[0]) for s in sizes])
    >>> X = rng.normal(size=(300, 3))
    >>> metrics = geometry.layer_metrics(net, X, n_directions=64, n_rank=50, random_state=0)
    >>> fig = plot.activity_histograms(metrics)
    >>> [a.get_title() for a in fig.axes], fig.get_supxlabel()
    (['layer 1', 'layer 2', 'layer 3'], 'activity (share of inputs on)')

    Each panel's bars are shares of the layer's units, so they add up to one:

    >>> [round(float(sum(p.get_height() for p in a.patches)), 9) for a in fig.axes]
    [1.0, 1.0, 1.0]
    """
    import matplotlib.pyplot as plt

    require(metrics, LayerMetrics, "activity_histograms")
    L = len(metrics.activity)
    layers = list(range(1, L + 1)) if layers is None else list(layers)
    ncols = min(ncols, max(1, len(layers)))
    nrows = int(np.ceil(len(layers) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.6 * ncols, 2.1 * nrows), squeeze=False, sharex=True)
    e = metrics.bin_edges
    for ax, l in zip(axes.ravel(), layers):
        ax.bar(e[:-1], metrics.activity_hist[l - 1], width=np.diff(e), align="edge", color="tab:orange", edgecolor="white")
        ax.set_title(f"layer {l}", fontsize="small")
        ax.set_ylim(0, 1)
    for ax in axes.ravel()[len(layers):]:
        ax.set_visible(False)
    fig.supxlabel("activity (share of inputs on)", fontsize="small")
    fig.supylabel("share of units", fontsize="small")
    fig.tight_layout()
    return fig


def layer_metric_curves(metrics: LayerMetrics):
    """Mean distance, stable rank, spherical mean width and non-zero eigenvalues by layer (Figure 4.12 of ``000``).

    Parameters
    ----------
    metrics : LayerMetrics
        From :func:`reluscope.geometry.layer_metrics`.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import geometry, plot
    >>> rng = np.random.default_rng(0)
    >>> sizes = [(6, 3), (6, 6), (6, 6), (1, 6)]  # three hidden layers of 6 units
    >>> net = reluscope.from_arrays([rng.normal(size=s) for s in sizes], [rng.normal(size=s[0]) for s in sizes])
    >>> X = rng.normal(size=(300, 3))
    >>> metrics = geometry.layer_metrics(net, X, n_directions=64, n_rank=50, random_state=0)
    >>> fig = plot.layer_metric_curves(metrics)
    >>> [a.get_title() for a in fig.axes[:3]]
    ['mean distance from origin', 'stable rank', 'spherical mean width']
    >>> len(fig.axes)
    6

    The stable rank of the input (layer 0) is ``||X||_F^2 / ||X||_2^2``:

    >>> stable_rank = fig.axes[1].lines[0].get_ydata()
    >>> bool(np.isclose(stable_rank[0], np.linalg.norm(X, "fro") ** 2 / np.linalg.norm(X, 2) ** 2))
    True
    """
    import matplotlib.pyplot as plt

    require(metrics, LayerMetrics, "layer_metric_curves")
    layer = np.arange(metrics.mean_distance.size)
    fig, axes = plt.subplots(2, 3, figsize=(10.5, 5.5))
    panels = [
        ("mean distance from origin", metrics.mean_distance),
        ("stable rank", metrics.stable_rank),
        ("spherical mean width", metrics.spherical_mean_width),
        ("non-zero covariance eigenvalues", metrics.n_nonzero_eigenvalues),
        ("mean active units (cell dimension)", np.r_[np.nan, metrics.cell_dimension.mean(axis=0)]),
        ("stably on / off units", None),
    ]
    for ax, (title, values) in zip(axes.ravel(), panels):
        if values is None:
            ax.plot(layer[1:], metrics.stably_on, "o-", label="stably on")
            ax.plot(layer[1:], metrics.stably_off, "s-", label="stably off")
            ax.legend(fontsize="small")
        else:
            ax.plot(layer, values, "o-", color="tab:blue")
        ax.set_title(title, fontsize="small")
        ax.set_xlabel("layer (0 = input)", fontsize="small")
    fig.tight_layout()
    return fig


def layer_pca(metrics: LayerMetrics, layers=None, *, ncols: int = 4, color=None):
    """The point cloud's first two principal components at each layer (Figures 4.7-4.10 of ``000``).

    Parameters
    ----------
    metrics : LayerMetrics
        From :func:`reluscope.geometry.layer_metrics`.
    layers : sequence of int, optional
        Layers to show (0 = input); default all.
    ncols : int, default 4
        Panels per row.
    color : colour or array of values, optional
        Of the points (e.g. the labels); default blue.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import geometry, plot
    >>> rng = np.random.default_rng(0)
    >>> sizes = [(6, 3), (6, 6), (6, 6), (1, 6)]  # three hidden layers of 6 units
    >>> net = reluscope.from_arrays([rng.normal(size=s) for s in sizes], [rng.normal(size=s[0]) for s in sizes])
    >>> X = rng.normal(size=(300, 3))
    >>> metrics = geometry.layer_metrics(net, X, n_directions=64, n_rank=50, random_state=0)
    >>> fig = plot.layer_pca(metrics)
    >>> [a.get_title() for a in fig.axes]  # explained variance of PC1 + PC2
    ['layer 0: 38% + 33%', 'layer 1: 81% + 9%', 'layer 2: 93% + 6%', 'layer 3: 84% + 11%']
    >>> np.allclose(fig.axes[2].collections[0].get_offsets(), metrics.pca_scores[2])
    True
    """
    import matplotlib.pyplot as plt

    require(metrics, LayerMetrics, "layer_pca")
    layers = list(range(len(metrics.pca_scores))) if layers is None else list(layers)
    ncols = min(ncols, max(1, len(layers)))
    nrows = int(np.ceil(len(layers) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.6 * ncols, 2.5 * nrows), squeeze=False)
    for ax, l in zip(axes.ravel(), layers):
        S = metrics.pca_scores[l]
        ax.scatter(S[:, 0], S[:, 1], s=3, c=color if color is not None else "tab:blue", alpha=0.5)
        ex = metrics.pca_explained[l]
        ax.set_title(f"layer {l}: {ex[0]:.0%} + {ex[1]:.0%}", fontsize="small")
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes.ravel()[len(layers):]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


def activation_heatmap(metrics: LayerMetrics, ax=None, *, max_samples: int = 500):
    """Which units are on (light) for each sample (rows), layers left to right (section 4.5.2 of ``000``).

    Parameters
    ----------
    metrics : LayerMetrics
        From :func:`reluscope.geometry.layer_metrics`.
    ax : matplotlib Axes, optional
    max_samples : int, default 500
        Rows drawn (the first samples).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import geometry, plot
    >>> rng = np.random.default_rng(0)
    >>> sizes = [(6, 3), (6, 6), (6, 6), (1, 6)]  # three hidden layers of 6 units
    >>> net = reluscope.from_arrays([rng.normal(size=s) for s in sizes], [rng.normal(size=s[0]) for s in sizes])
    >>> X = rng.normal(size=(300, 3))
    >>> metrics = geometry.layer_metrics(net, X, n_directions=64, n_rank=50, random_state=0)
    >>> fig = plot.activation_heatmap(metrics, max_samples=100)
    >>> ax = fig.axes[0]
    >>> ax.get_title(), ax.images[0].get_array().shape  # 100 samples x 18 units
    ('Activation heatmap', (100, 18))
    >>> [float(line.get_xdata()[0]) for line in ax.lines]  # red lines between the layers
    [5.5, 11.5]

    A light pixel is a unit whose pre-activation is positive:

    >>> z1 = X[:100] @ net.weights[0].T + net.biases[0]
    >>> bool((ax.images[0].get_array()[:, :6] == (z1 > 0)).all())
    True
    """
    require(metrics, LayerMetrics, "activation_heatmap")
    fig, ax = get_axes(ax, figsize=(7.0, 4.0))
    A = metrics.active[:max_samples]
    ax.imshow(A, aspect="auto", cmap="gray", interpolation="nearest")
    for edge in np.cumsum(metrics.hidden_sizes)[:-1]:
        ax.axvline(edge - 0.5, color="tab:red", linewidth=0.8)
    ax.set_xlabel("hidden unit (layers separated by red lines)")
    ax.set_ylabel("sample")
    ax.set_title("Activation heatmap", fontsize="medium")
    fig.tight_layout()
    return fig
