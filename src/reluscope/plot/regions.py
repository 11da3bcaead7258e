"""Figures in the input plane of a two-feature network: region map (Figure 2, Figure 5 middle), LLM field (Figure 5 left)."""

from __future__ import annotations

import numpy as np

from ..diagnose import RegionMap2D
from ..interpret import LLMField2D
from ..unwrap import LocalLinearModels
from ._base import UNSEEN_COLOR, get_axes, region_colors, require, scatter_data

__all__ = ["region_map", "llm_field"]


def region_map(region_map: RegionMap2D, llms: LocalLinearModels | None = None, ax=None, *, show_boundaries: bool = True, max_points: int = 5000):
    """Activation regions of a two-feature network, data overlaid (Figure 2, Figure 5 middle).

    Training regions get qualitative colours; the input space in patterns never
    seen in training (the "uncharted domain") is light blue, a shade per
    pattern.

    Parameters
    ----------
    region_map : RegionMap2D
        From :func:`reluscope.diagnose.region_map_2d`.
    llms : LocalLinearModels, optional
        When given, its data ``X_`` are overlaid, coloured by ``y_``.
    ax : matplotlib Axes, optional
    show_boundaries : bool, default True
        Draw the region boundaries in dark grey.
    max_points : int, default 5000
        Data points drawn at most (evenly thinned).

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
    >>> rmap = diagnose.region_map_2d(llms, resolution=60)
    >>> fig = plot.region_map(rmap, llms)
    >>> ax = fig.axes[0]
    >>> len(fig.axes), ax.get_xlabel(), ax.get_ylabel()  # classes: a legend, no colour bar
    (1, 'x1', 'x2')
    >>> print(ax.get_title())
    Activation regions: 19 of 19 training regions in view;
    4 unseen patterns cover 1.0% of the box (light blue)

    The image is the grid, and the exact region boundaries are drawn over it
    (one polygon per region of the box, :func:`reluscope.geometry.slice_2d`):

    >>> ax.images[0].get_array().shape
    (60, 60, 3)
    >>> len(ax.collections[0].get_paths()) == len(rmap.exact.polygons)
    True
    """
    rm = require(region_map, RegionMap2D, "region_map")
    fig, ax = get_axes(ax, figsize=(6.5, 5.5))
    seen = rm.region_id >= 0
    rgb = np.empty((*rm.region_id.shape, 3))
    rgb[seen] = region_colors(rm.region_id[seen])[:, :3]
    shade = 0.06 * ((rm.unseen_id[~seen] * 7) % 5)[:, None]
    rgb[~seen] = np.clip(np.asarray(UNSEEN_COLOR)[None, :] - shade, 0, 1)
    exact = getattr(rm, "exact", None)
    if show_boundaries and exact is None:
        rgb[rm.boundary] = 0.25
    (x0, x1), (y0, y1) = rm.bounds
    ax.imshow(rgb, origin="lower", extent=(x0, x1, y0, y1), aspect="auto", interpolation="nearest")
    if show_boundaries and exact is not None:  # exact polygon edges (reluscope.geometry.slice_2d)
        from matplotlib.collections import PolyCollection

        ax.add_collection(PolyCollection(exact.polygons, facecolors="none", edgecolors="0.25", linewidths=0.6))
    if llms is not None:
        sc = scatter_data(ax, llms.X_, llms.y_, max_points=max_points)
        if sc is not None:
            fig.colorbar(sc, ax=ax, label="response")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel(rm.feature_names[0])
    ax.set_ylabel(rm.feature_names[1])
    ax.set_title(
        f"Activation regions: {rm.n_regions_on_grid} of {rm.n_regions} training regions in view;\n"
        f"{rm.n_unseen_patterns} unseen patterns cover {rm.unseen_share:.1%} of the box (light blue)",
        fontsize="medium",
    )
    fig.tight_layout()
    return fig


def llm_field(field: LLMField2D, ax=None, *, show_data: bool = True, show_gradients: bool = False, max_points: int = 5000):
    """The LLMs of a two-feature network as short lines at their region centres (Figure 5 left).

    Parameters
    ----------
    field : LLMField2D
        From :func:`reluscope.interpret.llm_field_2d`.
    ax : matplotlib Axes, optional
    show_data : bool, default True
        Overlay the unwrapped data, coloured by the response.
    show_gradients : bool, default False
        Draw each LLM's gradient as an arrow from its centre.
    max_points : int, default 5000
        Data points drawn at most (evenly thinned).

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
    >>> from reluscope import interpret
    >>> field = interpret.llm_field_2d(llms)
    >>> fig = plot.llm_field(field, show_gradients=True)
    >>> ax = fig.axes[0]
    >>> ax.get_title()
    'LLM decision lines (logit = 0) of 19 regions (logit)'

    One segment per region with a non-zero gradient, one centre per region:

    >>> from matplotlib.collections import LineCollection
    >>> lines = [c for c in ax.collections if isinstance(c, LineCollection)][0]
    >>> len(lines.get_segments())
    19
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['y = 0', 'y = 1', 'region centres (size ~ count)']
    """
    from matplotlib.collections import LineCollection

    require(field, LLMField2D, "llm_field")
    fig, ax = get_axes(ax, figsize=(6.5, 5.5))
    if show_data:
        scatter_data(ax, field.X, field.y, max_points=max_points, size=5, alpha=0.25)
    has = ~np.isnan(field.line_start).any(axis=1)
    if has.any():
        segs = np.stack([field.line_start[has], field.line_end[has]], axis=1)
        ax.add_collection(LineCollection(segs, colors="k", linewidths=1.2))
    sizes = 6 + 40 * np.sqrt(field.counts / max(1, field.counts.max())) if field.counts.size else []
    ax.scatter(field.centers[:, 0], field.centers[:, 1], s=sizes, color="tab:green", zorder=3, label="region centres (size ~ count)")
    if show_gradients and field.regions.size:
        g = field.gradient
        scale = np.abs(g).max()
        if scale > 0:
            ax.quiver(field.centers[:, 0], field.centers[:, 1], g[:, 0], g[:, 1], angles="xy", color="tab:purple", alpha=0.7)
    (x0, x1), (y0, y1) = field.bounds
    px, py = max(0.05 * (x1 - x0), 0.5 * field.segment_length), max(0.05 * (y1 - y0), 0.5 * field.segment_length)
    ax.set_xlim(x0 - px, x1 + px)
    ax.set_ylim(y0 - py, y1 + py)
    ax.set_xlabel(field.feature_names[0])
    ax.set_ylabel(field.feature_names[1])
    what = "decision lines (logit = 0)" if field.task == "binary" and np.all(field.level == 0) else "level lines through the centres"
    ax.set_title(f"LLM {what} of {field.regions.size} regions ({field.output_name})", fontsize="medium")
    ax.legend(loc="upper right", fontsize="small", framealpha=0.8)
    fig.tight_layout()
    return fig
