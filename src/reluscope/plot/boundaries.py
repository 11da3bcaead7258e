"""Figures of one region and of LLM level lines in the plane of a two-feature network (aletheia ``visualize2D_*``)."""

from __future__ import annotations

import numpy as np

from ..diagnose.boundaries import RegionPolygon2D
from ..diagnose.lines import LLMLine2D, LLMLines2D
from ._base import get_axes, require, scatter_data

__all__ = ["region_polygon", "llm_line", "llm_lines"]


def _frame(ax, bounds, names):
    (x0, x1), (y0, y1) = bounds
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])


def region_polygon(result: RegionPolygon2D, ax=None, *, show_data: bool = True, label_edges: bool = True):
    """One activation region as a polygon, its training rows inside (aletheia ``visualize2D_one_region``).

    Edges on a neuron's hyperplane are solid (labelled by layer and unit), box sides dotted.

    Parameters
    ----------
    result : RegionPolygon2D
        From :func:`reluscope.diagnose.region_polygon_2d`.
    ax : matplotlib Axes, optional
    show_data : bool, default True
        Overlay the region's training rows.
    label_edges : bool, default True
        Label each edge on a hyperplane ``L<layer>.u<unit>``.

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
    >>> poly = diagnose.region_polygon_2d(llms, 0)
    >>> fig = plot.region_polygon(poly)
    >>> ax = fig.axes[0]
    >>> ax.get_title()
    'Region 0 (88 rows, unbounded): 5 boundaries of 8 units'

    One line per edge, the hyperplane edges labelled by layer and unit:

    >>> len(ax.lines) == len(poly.vertices)
    True
    >>> [t.get_text() for t in ax.texts] == [f"L1.u{poly.boundaries.unit[r]}" for r in poly.edge_row if r >= 0]
    True
    """
    from matplotlib.patches import Polygon

    r = require(result, RegionPolygon2D, "region_polygon")
    fig, ax = get_axes(ax, figsize=(6.0, 5.5))
    ax.add_patch(Polygon(r.vertices, closed=True, facecolor="tab:orange", alpha=0.25, edgecolor="none"))
    V = r.vertices
    b = r.boundaries
    for i in range(len(V)):
        a, z = V[i], V[(i + 1) % len(V)]
        row = r.edge_row[i]
        ax.plot([a[0], z[0]], [a[1], z[1]], color="k" if row >= 0 else "0.5", lw=1.5 if row >= 0 else 1.0, ls="-" if row >= 0 else ":")
        if label_edges and row >= 0:
            mid = 0.5 * (a + z)
            ax.annotate(f"L{b.layer[row] + 1}.u{b.unit[row]}", mid, fontsize="x-small", ha="center", va="center",
                        bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.7))
    if show_data and r.X_region.shape[0]:
        scatter_data(ax, r.X_region, r.y_region, size=10, alpha=0.8)
    _frame(ax, r.bounds, r.feature_names)
    kind = "bounded" if b.bounded else "unbounded"
    ax.set_title(f"Region {r.region} ({r.count} rows, {kind}): {b.n_boundaries} boundaries of {b.A_all.shape[0]} units",
                 fontsize="medium")
    fig.tight_layout()
    return fig


def llm_line(result: LLMLine2D, ax=None, *, show_data: bool = True):
    """One LLM's level line over the box (dashed) and inside its own region (solid) (aletheia ``visualize2D_one_line``).

    Parameters
    ----------
    result : LLMLine2D
        From :func:`reluscope.diagnose.llm_line_2d`.
    ax : matplotlib Axes, optional
    show_data : bool, default True
        Overlay the region's training rows.

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
    >>> fig = plot.llm_line(diagnose.llm_line_2d(llms, 0))
    >>> ax = fig.axes[0]
    >>> ax.get_title(), [line.get_label() for line in ax.lines]
    ('LLM of region 0 (88 rows): logit = 0', ['LLM level line', 'inside its region'])
    >>> ax.lines[1].get_xydata().round(3)
    array([[ 2.378, -0.923],
           [ 0.429,  1.145]])
    """
    from matplotlib.patches import Polygon

    r = require(result, LLMLine2D, "llm_line")
    fig, ax = get_axes(ax, figsize=(6.0, 5.5))
    ax.add_patch(Polygon(r.polygon, closed=True, facecolor="tab:orange", alpha=0.2, edgecolor="tab:orange"))
    if not np.isnan(r.segment).any():
        ax.plot(r.segment[:, 0], r.segment[:, 1], color="k", lw=1.0, ls="--", label="LLM level line")
    if not np.isnan(r.segment_in_region).any():
        ax.plot(r.segment_in_region[:, 0], r.segment_in_region[:, 1], color="k", lw=2.5, label="inside its region")
    if show_data and r.X_region.shape[0]:
        scatter_data(ax, r.X_region, r.y_region, size=10, alpha=0.8)
    _frame(ax, r.bounds, r.feature_names)
    ax.set_title(f"LLM of region {r.region} ({r.count} rows): {r.output_name} = {r.level:.4g}", fontsize="medium")
    ax.legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    return fig


def llm_lines(result: LLMLines2D, ax=None, *, show_data: bool = True, max_points: int = 5000):
    """Level lines of many LLMs over the box, the data behind (aletheia ``visualize2D_lines``).

    Parameters
    ----------
    result : LLMLines2D
        From :func:`reluscope.diagnose.llm_lines_2d`.
    ax : matplotlib Axes, optional
    show_data : bool, default True
        Overlay the unwrapped data, coloured by the response.
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
    >>> lines = diagnose.llm_lines_2d(llms, top_k=5)
    >>> fig = plot.llm_lines(lines)
    >>> ax = fig.axes[0]
    >>> ax.get_title(), ax.get_xlabel()
    ('Level lines of 5 of 5 LLMs in the box (logit)', 'x1')
    >>> from matplotlib.collections import LineCollection
    >>> drawn = [c for c in ax.collections if isinstance(c, LineCollection)][0]
    >>> np.allclose(np.stack(drawn.get_segments()), lines.segments)
    True
    """
    from matplotlib.collections import LineCollection

    r = require(result, LLMLines2D, "llm_lines")
    fig, ax = get_axes(ax, figsize=(6.0, 5.5))
    if show_data:
        scatter_data(ax, r.X, r.y, max_points=max_points, size=5, alpha=0.3)
    ok = ~np.isnan(r.segments).any(axis=(1, 2))
    if ok.any():
        ax.add_collection(LineCollection(r.segments[ok], colors="k", linewidths=0.8, alpha=0.7))
    _frame(ax, r.bounds, r.feature_names)
    ax.set_title(f"Level lines of {int(ok.sum())} of {r.regions.size} LLMs in the box ({r.output_name})", fontsize="medium")
    fig.tight_layout()
    return fig
