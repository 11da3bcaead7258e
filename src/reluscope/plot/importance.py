"""Figures of feature importance (Figures 6-7 left) and parallel coordinates (Figures 8-9 of ``001``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InvalidInputError
from ..interpret import ParallelCoordinates
from ._base import get_axes, require

__all__ = ["joint_importance", "parallel_coordinates"]


def joint_importance(df: pd.DataFrame, ax=None, *, max_features: int = 20, color: str = "tab:blue"):
    """Horizontal bar chart of an importance table, most important on top.

    Parameters
    ----------
    df : pandas.DataFrame
        From :func:`reluscope.interpret.joint_importance` or
        :func:`~reluscope.interpret.squared_coefficient_importance` (columns
        'Feature', 'Importance', sorted).
    ax : matplotlib Axes, optional
    max_features : int, default 20
        Rows shown (the first ones of ``df``); the title says how many exist.
    color : str, default 'tab:blue'
        Colour of the feature bars (the intercept's is grey).

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
    >>> importance = interpret.joint_importance(llms)
    >>> fig = plot.joint_importance(importance)
    >>> ax = fig.axes[0]
    >>> print(ax.get_title())
    Joint importance (eq. 18)
    (output)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['Intercept', 'x1', 'x2', 'x3']

    One bar per row of the table, most important on top:

    >>> widths = [float(p.get_width()) for p in ax.patches]
    >>> np.allclose(widths, importance["Importance"]), round(sum(widths), 12)
    (True, 1.0)
    """
    if not isinstance(df, pd.DataFrame) or not {"Feature", "Importance"} <= set(df.columns):
        raise InvalidInputError("plot.joint_importance takes the DataFrame of interpret.joint_importance (columns Feature, Importance).")
    shown = df.iloc[:max_features]
    fig, ax = get_axes(ax, figsize=(7.0, max(2.5, 0.3 * len(shown) + 1.2)))
    pos = np.arange(len(shown))[::-1]
    colors = ["0.6" if f == "Intercept" else color for f in shown["Feature"]]
    ax.barh(pos, shown["Importance"].to_numpy(), color=colors)
    ax.set_yticks(pos, [str(f) for f in shown["Feature"]])
    ax.set_xlabel("Importance (share of the total, sums to 1)")
    method = df.attrs.get("method", "importance")
    more = f", top {len(shown)} of {len(df)}" if len(shown) < len(df) else ""
    target = df.attrs.get("output_name")
    ax.set_title(f"{method[0].upper()}{method[1:]}{more}" + (f"\n({target})" if target else ""))
    ax.set_xlim(0, max(1e-12, float(shown["Importance"].max())) * 1.1)
    fig.tight_layout()
    return fig


def parallel_coordinates(pc: ParallelCoordinates, ax=None, *, cmap: str = "viridis", alpha: float = 0.7):
    """Parallel coordinate plot: one line of coefficients per LLM, coloured by region count.

    Parameters
    ----------
    pc : ParallelCoordinates
        From :func:`reluscope.interpret.parallel_coordinates`.
    ax : matplotlib Axes, optional
    cmap : str, default 'viridis'
        Colour map of the region counts (log scale).
    alpha : float, default 0.7

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
    >>> pc = interpret.parallel_coordinates(llms)
    >>> fig = plot.parallel_coordinates(pc)
    >>> len(fig.axes), fig.axes[1].get_ylabel()  # the plot and its colour bar
    (2, 'Region count')
    >>> ax = fig.axes[0]
    >>> ax.get_title()
    'Parallel coordinates of 29 LLMs (16 of 45 regions excluded as single-instance / single-class)'

    One line per LLM through its coefficients (plus three feature axes and the zero line):

    >>> curves = [line for line in ax.lines if len(line.get_xdata()) == 3]
    >>> len(curves), pc.coefficients.shape
    (29, (29, 3))
    >>> any(np.allclose(c.get_ydata(), pc.coefficients.iloc[0]) for c in curves)
    True
    """
    import matplotlib as mpl

    require(pc, ParallelCoordinates, "parallel_coordinates")
    p = len(pc.features)
    fig, ax = get_axes(ax, figsize=(max(6.0, 0.7 * p + 2.5), 4.5))
    x = np.arange(p)
    values = pc.coefficients.to_numpy()
    m = values.shape[0]
    for j in x:
        ax.axvline(j, color="0.8", lw=0.8, zorder=0)
    ax.axhline(0.0, color="0.5", lw=0.8, ls="--", zorder=0)
    if m:
        norm = mpl.colors.LogNorm(vmin=max(1, pc.counts.min()), vmax=max(2, pc.counts.max()))
        colors = mpl.colormaps[cmap](norm(pc.counts))
        order = np.argsort(pc.counts, kind="stable")  # largest regions drawn last, on top
        for i in order:
            ax.plot(x, values[i], color=colors[i], alpha=alpha, lw=1.0 + 1.5 * (pc.counts[i] == pc.counts.max()), marker="o", ms=3)
        sm = mpl.cm.ScalarMappable(norm=norm, cmap=cmap)
        fig.colorbar(sm, ax=ax, label="Region count")
    else:
        ax.text(0.5, 0.5, "No region left after excluding\nsingle-instance / single-class regions", ha="center", va="center", transform=ax.transAxes)
    ax.set_xticks(x, pc.features, rotation=45 if p > 4 else 0, ha="right" if p > 4 else "center")
    ax.set_xlim(-0.3, max(p - 1, 0) + 0.3)
    ax.set_ylabel(f"LLM coefficient ({pc.output_name})")
    ax.set_title(
        f"Parallel coordinates of {m} LLMs ({len(pc.excluded_regions)} of {pc.n_regions_total} "
        "regions excluded as single-instance / single-class)"
        if len(pc.excluded_regions)
        else f"Parallel coordinates of {m} LLMs",
        fontsize="medium",
    )
    fig.tight_layout()
    return fig
