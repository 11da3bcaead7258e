"""Diagnostic figures: polar coordinates (Figure 12), local vs global (Figure 13), pattern overlap (Figure 3)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..diagnose import PatternOverlap, PolarCoordinates
from ..errors import InvalidInputError
from ._base import DEGENERATE_COLOR, REGULAR_COLOR, get_axes, require, short

__all__ = ["polar_coordinates", "local_vs_global", "pattern_overlap"]


def polar_coordinates(polar: PolarCoordinates, ax=None, *, size: float = 14.0):
    """Polar coordinate plot: angle from the LLM coefficients, radius = region count (Figure 12).

    Single-instance / single-class regions are blue, the others orange.
    Regions whose direction is undefined (zero coefficients) are drawn as
    crosses at angle 0.  A non-polar ``ax`` gets the same picture in
    Cartesian coordinates ``count * direction``.

    Parameters
    ----------
    polar : PolarCoordinates
        From :func:`reluscope.diagnose.polar_coordinates`.
    ax : matplotlib Axes, optional (polar projection preferred)
    size : float, default 14
        Marker size.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import diagnose, plot
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)], output="sigmoid")
    >>> X = rng.uniform(-2, 2, size=(300, 2))
    >>> y = (X[:, 0] * X[:, 1] > 0).astype(int)
    >>> llms = reluscope.unwrap(net, X, y)
    >>> fig = plot.polar_coordinates(diagnose.polar_coordinates(llms))
    >>> ax = fig.axes[0]
    >>> ax.name, len(ax.collections)  # regular and degenerate regions
    ('polar', 2)
    >>> print(ax.get_title())
    Polar coordinates: angle from coefficients of x1, x2, radius = count
    12 of 19 regions (63.2%) single-instance / single-class

    The radius of each point is its region's count:

    >>> radii = np.concatenate([c.get_offsets()[:, 1] for c in ax.collections])
    >>> sorted(radii.astype(int).tolist()) == sorted(llms.count_.tolist())
    True
    """
    require(polar, PolarCoordinates, "polar_coordinates")
    fig, ax = get_axes(ax, figsize=(6.0, 6.0), projection="polar")
    is_polar = ax.name == "polar"
    defined = ~np.isnan(polar.angle)
    for mask, color, label in ((~polar.degenerate, REGULAR_COLOR, "regular"), (polar.degenerate, DEGENERATE_COLOR, "single-instance / single-class")):
        for ok, marker in ((defined, "o"), (~defined, "x")):
            sel = mask & ok
            if not sel.any():
                continue
            theta = np.nan_to_num(polar.angle[sel], nan=0.0)
            r = polar.radius[sel]
            xy = (theta, r) if is_polar else (r * np.cos(theta), r * np.sin(theta))
            lab = label if marker == "o" else f"{label}, no direction"
            ax.scatter(*xy, s=size, color=color, marker=marker, alpha=0.75, label=lab)
    if not is_polar:
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_xlabel(f"count x direction ({polar.axis_labels[0]})")
        ax.set_ylabel(f"count x direction ({polar.axis_labels[1]})")
    how = "PCA of the coefficients (PC1, PC2)" if polar.method == "pca" else f"coefficients of {', '.join(a for a in polar.axis_labels if a)}"
    ax.set_title(
        f"Polar coordinates: angle from {how}, radius = count\n"
        f"{polar.degenerate.sum()} of {polar.regions.size} regions ({polar.degenerate_share:.1%}) single-instance / single-class",
        fontsize="medium",
    )
    if polar.regions.size:
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, -0.15), fontsize="small")
    fig.tight_layout()
    return fig


def local_vs_global(df: pd.DataFrame, ax=None, *, colors=("tab:orange", "tab:blue")):
    """Side-by-side bars of local and global performance of the top LLMs (Figure 13).

    Parameters
    ----------
    df : pandas.DataFrame
        From :func:`reluscope.diagnose.local_vs_global`.
    ax : matplotlib Axes, optional
    colors : pair of colours, default ('tab:orange', 'tab:blue')
        Of the local and global bars.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import diagnose, plot
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)], output="sigmoid")
    >>> X = rng.uniform(-2, 2, size=(300, 2))
    >>> y = (X[:, 0] * X[:, 1] > 0).astype(int)
    >>> llms = reluscope.unwrap(net, X, y)
    >>> lvg = diagnose.local_vs_global(llms, top_k=5)
    >>> fig = plot.local_vs_global(lvg)
    >>> ax = fig.axes[0]
    >>> ax.get_title(), ax.get_ylabel(), len(ax.patches)  # 5 local and 5 global bars
    ('Local vs global AUC of the top 5 LLMs', 'AUC', 10)
    >>> [round(float(p.get_height()), 4) for p in ax.patches[5:7]]  # global AUC of regions 0 and 1
    [0.5607, 0.5602]
    """
    metric = df.attrs.get("metric") if isinstance(df, pd.DataFrame) else None
    if metric is None or f"Local {metric}" not in df.columns:
        raise InvalidInputError("plot.local_vs_global takes the DataFrame of diagnose.local_vs_global.")
    n = len(df)
    fig, ax = get_axes(ax, figsize=(max(6.0, 0.75 * n + 2.0), 4.5))
    x = np.arange(n)
    width = 0.4
    ax.bar(x - width / 2, df[f"Local {metric}"].to_numpy(np.float64), width, color=colors[0], label=f"Local {metric}")
    ax.bar(x + width / 2, df[f"Global {metric}"].to_numpy(np.float64), width, color=colors[1], label=f"Global {metric}")
    thr = df.attrs.get("threshold")
    if thr is not None:
        better = "at least" if df.attrs.get("higher_is_better", True) else "at most"
        ax.axhline(thr, color="0.3", lw=1.0, ls="--", label=f"good: {better} {short(thr)}")
    ax.set_xticks(x, [f"{r}\n{lab}" for r, lab in zip(df.index, df["Extrapolation"])], fontsize="small")
    ax.set_xlabel("Region (by decreasing count) and extrapolation strength")
    ax.set_ylabel(metric)
    if metric in ("AUC", "Accuracy"):
        ax.set_ylim(0, 1.25)
    else:
        top = np.nanmax(np.r_[df[f"Local {metric}"].to_numpy(np.float64), df[f"Global {metric}"].to_numpy(np.float64), thr or 0.0, 0.0])
        ax.set_ylim(0, 1.25 * top if top > 0 else 1.0)
    ax.set_title(f"Local vs global {metric} of the top {n} LLMs")
    ax.legend(loc="upper center", ncol=3, fontsize="small")
    fig.tight_layout()
    return fig


def pattern_overlap(overlap: PatternOverlap, ax=None):
    """Venn diagram of the training and test activation patterns (Figure 3).

    Parameters
    ----------
    overlap : PatternOverlap
        From :func:`reluscope.diagnose.pattern_overlap`.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import diagnose, plot
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)], output="sigmoid")
    >>> X = rng.uniform(-2, 2, size=(300, 2))
    >>> y = (X[:, 0] * X[:, 1] > 0).astype(int)
    >>> llms = reluscope.unwrap(net, X, y)
    >>> X_test = rng.uniform(-3, 3, size=(100, 2))
    >>> overlap = diagnose.pattern_overlap(llms, X_test)
    >>> fig = plot.pattern_overlap(overlap)
    >>> ax = fig.axes[0]
    >>> len(ax.patches), ax.get_title()  # two circles
    (2, 'Activation patterns of training and test data')
    >>> [t.get_text() for t in ax.texts[:5]]  # train only, shared, test only, both totals
    ['7', '12', '1', 'P_train (19)', 'P_test (13)']
    """
    from matplotlib.patches import Circle

    require(overlap, PatternOverlap, "pattern_overlap")
    fig, ax = get_axes(ax, figsize=(6.5, 4.5))
    ax.add_patch(Circle((-0.55, 0.0), 1.0, color="tab:orange", alpha=0.35, lw=0))
    ax.add_patch(Circle((0.55, 0.0), 1.0, color="tab:blue", alpha=0.35, lw=0))
    ax.text(-1.0, 0.0, f"{overlap.n_train_only}", ha="center", va="center", fontsize="large")
    ax.text(0.0, 0.0, f"{overlap.n_shared}", ha="center", va="center", fontsize="large")
    ax.text(1.0, 0.0, f"{overlap.n_test_only}", ha="center", va="center", fontsize="large")
    ax.text(-0.55, 1.12, f"P_train ({overlap.n_train_patterns})", ha="center", fontsize="medium")
    ax.text(0.55, 1.12, f"P_test ({overlap.n_test_patterns})", ha="center", fontsize="medium")
    lines = [f"{overlap.unseen_row_share:.1%} of {overlap.n_test_rows} test rows fall in regions unseen in training"]
    if overlap.metric is not None:
        lines.append(
            f"network {overlap.metric} on test rows: seen regions {short(overlap.metric_seen)}, unseen {short(overlap.metric_unseen)}"
        )
    ax.text(0.0, -1.25, "\n".join(lines), ha="center", va="top", fontsize="small")
    ax.set_xlim(-1.8, 1.8)
    ax.set_ylim(-1.7, 1.35)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("Activation patterns of training and test data")
    fig.tight_layout()
    return fig
