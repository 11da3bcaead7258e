"""Figures of the local linear profile (Definition 2 of ``001``; Figures 4-7)."""

from __future__ import annotations

import numpy as np

from ..errors import InvalidInputError
from ..interpret import LocalProfile
from ._base import get_axes, region_colors, require

__all__ = ["local_profile", "llm_curve"]


def local_profile(profile: LocalProfile, ax=None, *, show_density: bool = True, linewidth: float = 2.0):
    """Profile plot: centred marginal LLMs as segments, per-region densities below (Figure 4 right).

    Parameters
    ----------
    profile : LocalProfile
        From :func:`reluscope.interpret.local_profile`.
    ax : matplotlib Axes, optional
    show_density : bool, default True
        Draw each region's normalised kernel density in the bottom quarter
        of the axes (a twin y-axis); one-value regions as vertical ticks.
    linewidth : float, default 2
        Of the LLM segments.

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
    >>> profile = interpret.local_profile(llms, "x1", top_k=5)
    >>> fig = plot.local_profile(profile)
    >>> ax = fig.axes[0]  # fig.axes[1] holds the densities
    >>> len(fig.axes), ax.get_title()
    (2, 'Local linear profile of x1 (top 5 LLMs by count)')
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('x1', 'Centred marginal LLM (output)')

    One segment per region, from ``(x_min, y_start)`` to ``(x_max, y_end)``:

    >>> segments = np.stack(ax.collections[0].get_segments())
    >>> segments.shape, np.allclose(segments[:, 0, 0], profile.x_min)
    ((5, 2, 2), True)
    """
    from matplotlib.collections import LineCollection

    require(profile, LocalProfile, "local_profile")
    fig, ax = get_axes(ax)
    m = profile.regions.size
    colors = region_colors(profile.regions)
    if m:
        segs = np.stack([np.column_stack([profile.x_min, profile.y_start]), np.column_stack([profile.x_max, profile.y_end])], axis=1)
        ax.add_collection(LineCollection(segs, colors=colors, linewidths=linewidth))
        flat = profile.x_min == profile.x_max
        ax.scatter(profile.x_min[flat], profile.y_start[flat], color=colors[flat], s=12, zorder=3)
        lo = min(profile.y_start.min(), profile.y_end.min())
        hi = max(profile.y_start.max(), profile.y_end.max())
        span = hi - lo if hi > lo else 1.0
        # leave the bottom quarter free for the densities
        ax.set_ylim(lo - (0.45 if show_density else 0.08) * span, hi + 0.08 * span)
    ax.set_xlim(profile.grid[0], profile.grid[-1]) if profile.grid[-1] > profile.grid[0] else ax.set_xlim(profile.grid[0] - 0.5, profile.grid[0] + 0.5)
    ax.axhline(0.0, color="0.6", lw=0.8, ls="--")
    if show_density and m:
        twin = ax.twinx()
        for i in range(m):
            if profile.point_mass[i]:
                twin.vlines(profile.grid[np.argmax(profile.density[i])], 0, 1, color=colors[i], lw=1.0)
            else:
                twin.fill_between(profile.grid, 0, profile.density[i], color=colors[i], alpha=0.25, lw=0)
                twin.plot(profile.grid, profile.density[i], color=colors[i], lw=0.8)
        twin.set_ylim(0, 4.0)
        twin.set_yticks([])
    ax.set_xlabel(profile.feature)
    ax.set_ylabel(f"Centred marginal LLM ({profile.output_name})")
    ax.set_title(f"Local linear profile of {profile.feature} (top {m} LLMs by count)")
    fig.tight_layout()
    return fig


def llm_curve(profile: LocalProfile, ax=None):
    """Network output of a one-feature network, with the LLMs of the top regions (Figure 4 left).

    Parameters
    ----------
    profile : LocalProfile
        From :func:`reluscope.interpret.local_profile` on a one-feature network.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import interpret, plot
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 1)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)])
    >>> X = rng.uniform(-3, 3, size=(200, 1))
    >>> llms = reluscope.unwrap(net, X)
    >>> fig = plot.llm_curve(interpret.local_profile(llms, 0, top_k=4))
    >>> ax = fig.axes[0]
    >>> ax.get_title(), len(ax.lines)  # the network, 4 LLMs, a legend entry
    ('Network prediction by its local linear models', 6)
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['network', 'LLMs of the top 4 regions']

    Each LLM is drawn on its own region, where it equals the network (Theorem 1):

    >>> x, llm = ax.lines[1].get_xdata(), ax.lines[1].get_ydata()
    >>> np.allclose(llm, net.forward(x[:, None]))
    True
    """
    require(profile, LocalProfile, "llm_curve")
    if profile.curve_x is None:
        raise InvalidInputError("llm_curve needs the curve of a one-feature network; this profile has none (d > 1).")
    fig, ax = get_axes(ax)
    ax.plot(profile.curve_x, profile.curve_decision, color="0.6", lw=1.0, ls="--", label="network")
    colors = region_colors(profile.regions)
    for r, col in zip(profile.regions, colors):
        sel = profile.curve_region == r
        if sel.any():
            ax.plot(profile.curve_x[sel], profile.curve_llm[sel], color=col, lw=2.0)
    ax.plot([], [], color="k", lw=2.0, label=f"LLMs of the top {profile.regions.size} regions")
    ax.legend(loc="best", fontsize="small")
    ax.set_xlabel(profile.feature)
    ax.set_ylabel(f"Network output ({profile.output_name})")
    ax.set_title("Network prediction by its local linear models")
    fig.tight_layout()
    return fig
