"""Figures of the LLM coefficients across regions: violin, pairs, intercept profile, PCA of centres, local/global bubbles."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InvalidInputError
from ..interpret.coefficients import CoefficientPairs, CoefficientViolin, RegionPCA
from ._base import DEGENERATE_COLOR, REGULAR_COLOR, get_axes, require, short

__all__ = ["coefficient_violin", "coefficient_pairs", "intercept_profile", "region_pca", "local_vs_global_bubble"]


def _panel_axes(ax, n_rows: int, n_cols: int, figsize):
    """A grid of axes: the given ones (any array-like of ``n_rows * n_cols`` axes) or a new figure."""
    import matplotlib.pyplot as plt

    if ax is None:
        fig, axes = plt.subplots(n_rows, n_cols, figsize=figsize, squeeze=False)
        return fig, axes
    axes = np.asarray(ax, dtype=object).reshape(-1)
    if axes.size != n_rows * n_cols:
        raise InvalidInputError(f"This figure needs {n_rows} x {n_cols} axes; got {axes.size}.")
    return axes[0].figure, axes.reshape(n_rows, n_cols)


def coefficient_violin(result: CoefficientViolin, ax=None, *, width: float = 0.8, color: str = "tab:blue"):
    """Violins of the LLM coefficients per feature (PiML ``llm_violin``): density, quartile box, median, mean.

    Parameters
    ----------
    result : CoefficientViolin
        From :func:`reluscope.interpret.coefficient_violin`.
    ax : matplotlib Axes, optional
    width : float, default 0.8
        Width of the widest violin.
    color : str, default 'tab:blue'

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import interpret, plot
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 3)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)])
    >>> X = rng.normal(size=(300, 3))
    >>> y = net.forward(X) + rng.normal(scale=0.1, size=300)
    >>> llms = reluscope.unwrap(net, X, y)
    >>> violin = interpret.coefficient_violin(llms)
    >>> fig = plot.coefficient_violin(violin)
    >>> ax = fig.axes[0]
    >>> ax.get_title()
    'LLM coefficients of 45 regions (weighted by region count); box: quartiles, diamond: mean'
    >>> [t.get_text() for t in ax.get_xticklabels()], ax.get_ylabel()
    (['x1', 'x2', 'x3'], 'LLM coefficient (output)')

    Per feature a white median dot, then a red diamond at the count-weighted mean:

    >>> from matplotlib.collections import PathCollection
    >>> dots = [c.get_offsets()[0, 1] for c in ax.collections if isinstance(c, PathCollection)]
    >>> np.allclose(dots[1::2], np.average(llms.coef_, axis=0, weights=llms.count_))
    True
    """
    r = require(result, CoefficientViolin, "coefficient_violin")
    p = len(r.features)
    fig, ax = get_axes(ax, figsize=(max(6.0, 0.8 * p + 2.0), 4.5))
    for i in range(p):
        if r.point_mass[i]:
            ax.hlines(r.values[0, i], i - width / 4, i + width / 4, color=color, lw=2.0)
        else:
            half = 0.5 * width * r.density[i] / r.density[i].max()
            ax.fill_betweenx(r.grid[i], i - half, i + half, color=color, alpha=0.35, lw=0)
            ax.plot(i - half, r.grid[i], color=color, lw=0.8)
            ax.plot(i + half, r.grid[i], color=color, lw=0.8)
        q1, med, q3 = r.quartiles[i]
        ax.vlines(i, q1, q3, color="0.15", lw=4.0)
        ax.scatter([i], [med], color="white", edgecolors="0.15", zorder=3, s=18)
        ax.scatter([i], [r.mean[i]], color="tab:red", marker="D", zorder=3, s=14)
    ax.axhline(0.0, color="0.6", lw=0.8, ls="--")
    ax.set_xticks(np.arange(p), r.features, rotation=45 if p > 4 else 0, ha="right" if p > 4 else "center")
    ax.set_xlim(-0.6, p - 0.4)
    ax.set_ylabel(f"LLM coefficient ({r.output_name})")
    how = "weighted by region count" if r.weighted else "one per region"
    ax.set_title(f"LLM coefficients of {r.regions.size} regions ({how}); box: quartiles, diamond: mean", fontsize="medium")
    fig.tight_layout()
    return fig


def _scatter_panel(ax, x, y, counts, smooth):
    size = 8 + 60 * np.sqrt(counts / max(1, counts.max()))
    ax.scatter(x, y, s=size, color="tab:blue", alpha=0.6, edgecolors="none")
    if smooth is not None and smooth[0].size:
        ax.plot(smooth[0], smooth[1], color="tab:red", lw=1.5)
    ax.axhline(0.0, color="0.6", lw=0.8, ls="--")


def coefficient_pairs(result: CoefficientPairs, ax=None):
    """Panel grid: coefficient of each feature (rows) against each region centre (columns) (aletheia ``pair_plot``).

    Points are regions (size ~ count); the red curve is the count-weighted LOWESS.

    Parameters
    ----------
    result : CoefficientPairs
        From :func:`reluscope.interpret.coefficient_pairs`.
    ax : array-like of ``q * p`` Axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import interpret, plot
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 3)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)])
    >>> X = rng.normal(size=(300, 3))
    >>> y = net.forward(X) + rng.normal(scale=0.1, size=300)
    >>> llms = reluscope.unwrap(net, X, y)
    >>> pairs = interpret.coefficient_pairs(llms, ["x1", "x2"], top_k=20)
    >>> fig = plot.coefficient_pairs(pairs)
    >>> len(fig.axes), fig.get_suptitle()  # a 2 x 2 grid
    (4, 'LLM coefficients against region centres, top 20 regions (output)')
    >>> [a.get_xlabel() for a in fig.axes[2:]], [a.get_ylabel() for a in fig.axes[::2]]
    (['region centre of x1', 'region centre of x2'], ['coefficient of x1', 'coefficient of x2'])

    Panel (0, 1) shows the coefficient of x1 of each region against its centre in x2:

    >>> points = fig.axes[1].collections[0].get_offsets()
    >>> np.allclose(points, np.column_stack([llms.centers_[:20, 1], llms.coef_[:20, 0]]))
    True
    """
    r = require(result, CoefficientPairs, "coefficient_pairs")
    q, p = len(r.terms), len(r.features)
    fig, axes = _panel_axes(ax, q, p, (3.2 * p + 0.8, 3.0 * q + 0.6))
    for i in range(q):
        for j in range(p):
            a = axes[i, j]
            _scatter_panel(a, r.centers[:, j], r.values[:, i], r.counts, r.smooth.get((i, j)))
            if i == q - 1:
                a.set_xlabel(f"region centre of {r.features[j]}")
            if j == 0:
                a.set_ylabel(r.terms[i] if r.terms[i] == "Intercept" else f"coefficient of {r.terms[i]}")
    fig.suptitle(f"LLM coefficients against region centres, top {r.regions.size} regions ({r.output_name})", fontsize="medium")
    fig.tight_layout()
    return fig


def intercept_profile(result: CoefficientPairs, ax=None):
    """Intercepts of the LLMs: their distribution, then against each feature's region centre (aletheia ``intercept_plot``).

    Parameters
    ----------
    result : CoefficientPairs
        From :func:`reluscope.interpret.intercept_profile`.
    ax : array-like of ``1 + p`` Axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import interpret, plot
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 3)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)])
    >>> X = rng.normal(size=(300, 3))
    >>> y = net.forward(X) + rng.normal(scale=0.1, size=300)
    >>> llms = reluscope.unwrap(net, X, y)
    >>> profile = interpret.intercept_profile(llms, ["x1", "x2"], top_k=20)
    >>> fig = plot.intercept_profile(profile)
    >>> len(fig.axes), fig.get_suptitle()  # a box plot, then one panel per feature
    (3, 'Local intercept profile (Definition 2)')
    >>> [a.get_xlabel() for a in fig.axes[1:]], fig.axes[0].get_ylabel()
    (['region centre of x1', 'region centre of x2'], 'LLM intercept (output)')
    >>> np.allclose(fig.axes[1].collections[0].get_offsets()[:, 1], llms.intercept_[:20])
    True
    """
    r = require(result, CoefficientPairs, "intercept_profile")
    if r.terms != ["Intercept"]:
        raise InvalidInputError("plot.intercept_profile takes the result of interpret.intercept_profile.")
    p = len(r.features)
    fig, axes = _panel_axes(ax, 1, p + 1, (3.0 * (p + 1) + 0.6, 3.4))
    axes = axes[0]
    axes[0].boxplot(r.values[:, 0], widths=0.5)
    axes[0].set_xticks([1], [f"{r.regions.size} LLMs"])
    axes[0].set_ylabel(f"LLM intercept ({r.output_name})")
    for j in range(p):
        _scatter_panel(axes[j + 1], r.centers[:, j], r.values[:, 0], r.counts, r.smooth.get((0, j)))
        axes[j + 1].set_xlabel(f"region centre of {r.features[j]}")
        axes[j + 1].sharey(axes[0])
    fig.suptitle("Local intercept profile (Definition 2)", fontsize="medium")
    fig.tight_layout()
    return fig


def region_pca(result: RegionPCA, ax=None, *, normalize_arrows: bool = True):
    """Region centres in PCA space, size ~ count, with each LLM's gradient in that plane (aletheia ``pca2D_region_plot``).

    Parameters
    ----------
    result : RegionPCA
        From :func:`reluscope.interpret.region_pca`.
    ax : matplotlib Axes, optional
    normalize_arrows : bool, default True
        Draw unit directions (True) or the projected gradients to scale.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import interpret, plot
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 3)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)])
    >>> X = rng.normal(size=(300, 3))
    >>> y = net.forward(X) + rng.normal(scale=0.1, size=300)
    >>> llms = reluscope.unwrap(net, X, y)
    >>> pca = interpret.region_pca(llms)
    >>> fig = plot.region_pca(pca)
    >>> ax = fig.axes[0]
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('PC1 of region centres (51.5%)', 'PC2 of region centres (29.5%)')

    One bubble and one arrow per region, at its PCA scores:

    >>> bubbles, arrows = ax.collections
    >>> np.allclose(bubbles.get_offsets(), pca.scores), arrows.N
    (True, 45)
    """
    r = require(result, RegionPCA, "region_pca")
    fig, ax = get_axes(ax, figsize=(7.0, 5.5))
    colors = np.where(r.degenerate, DEGENERATE_COLOR, REGULAR_COLOR)
    size = 10 + 80 * np.sqrt(r.counts / max(1, r.counts.max()))
    ax.scatter(r.scores[:, 0], r.scores[:, 1], s=size, c=list(colors), alpha=0.75, edgecolors="none")
    arrows = r.arrows.copy()
    if normalize_arrows:
        norm = np.linalg.norm(arrows, axis=1)
        arrows[norm > 0] /= norm[norm > 0, None]
    ax.quiver(r.scores[:, 0], r.scores[:, 1], arrows[:, 0], arrows[:, 1], angles="xy", color="0.25", alpha=0.7, width=0.003)
    ev = r.explained_variance_ratio
    ax.set_xlabel(f"PC1 of region centres ({ev[0]:.1%})")
    ax.set_ylabel(f"PC2 of region centres ({ev[1]:.1%})")
    ax.set_title(f"Region centres and LLM gradients in the PCA plane ({r.output_name});\nblue: single-instance / single-class", fontsize="medium")
    fig.tight_layout()
    return fig


def local_vs_global_bubble(df: pd.DataFrame, ax=None, *, max_size: float = 600.0, annotate: bool = True):
    """Local against global performance of the top LLMs, bubble area ~ count (aletheia ``diagperf_bubble``).

    Parameters
    ----------
    df : pandas.DataFrame
        From :func:`reluscope.diagnose.local_vs_global`.
    ax : matplotlib Axes, optional
    max_size : float
        Marker area of the largest region.
    annotate : bool, default True
        Write each region id next to its bubble.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import interpret, plot
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 3)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)])
    >>> X = rng.normal(size=(300, 3))
    >>> y = net.forward(X) + rng.normal(scale=0.1, size=300)
    >>> llms = reluscope.unwrap(net, X, y)
    >>> from reluscope import diagnose
    >>> lvg = diagnose.local_vs_global(llms, top_k=8)
    >>> fig = plot.local_vs_global_bubble(lvg)
    >>> ax = fig.axes[0]
    >>> print(ax.get_title())
    Local vs global MSE of 8 LLMs (area ~ count)
    dotted: threshold 0.9403
    >>> [t.get_text() for t in ax.texts]  # region ids
    ['0', '1', '2', '3', '4', '5', '6', '7']
    >>> np.allclose(ax.collections[0].get_offsets(), lvg[["Local MSE", "Global MSE"]])
    True
    """
    metric = df.attrs.get("metric") if isinstance(df, pd.DataFrame) else None
    if metric is None or f"Local {metric}" not in df.columns:
        raise InvalidInputError("plot.local_vs_global_bubble takes the DataFrame of diagnose.local_vs_global.")
    fig, ax = get_axes(ax, figsize=(6.0, 5.5))
    local = df[f"Local {metric}"].to_numpy(np.float64)
    glob = df[f"Global {metric}"].to_numpy(np.float64)
    counts = df["Count"].to_numpy(np.float64)
    ok = ~(np.isnan(local) | np.isnan(glob))
    size = max_size * counts / max(1.0, counts.max())
    ax.scatter(local[ok], glob[ok], s=size[ok], color="tab:blue", alpha=0.5, edgecolors="k", linewidths=0.5)
    if annotate:
        for rid, a, b in zip(df.index[ok], local[ok], glob[ok]):
            ax.annotate(str(rid), (a, b), fontsize="x-small", ha="center", va="center")
    vals = np.concatenate([local[ok], glob[ok]])
    lo, hi = (float(vals.min()), float(vals.max())) if vals.size else (0.0, 1.0)
    ax.plot([lo, hi], [lo, hi], color="0.5", lw=0.8, ls="--")
    thr = df.attrs.get("threshold")
    if thr is not None:
        ax.axvline(thr, color="0.3", lw=0.8, ls=":")
        ax.axhline(thr, color="0.3", lw=0.8, ls=":")
    ax.set_xlabel(f"Local {metric} (network on the region's rows)")
    ax.set_ylabel(f"Global {metric} (region's LLM on all rows)")
    left = int((~ok).sum())
    ax.set_title(
        f"Local vs global {metric} of {int(ok.sum())} LLMs (area ~ count)" + (f"; {left} undefined left out" if left else "")
        + (f"\ndotted: threshold {short(thr)}" if thr is not None else ""),
        fontsize="medium",
    )
    fig.tight_layout()
    return fig
