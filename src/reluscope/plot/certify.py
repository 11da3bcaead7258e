"""Figure of a 2-D certificate: x, its activation region, the nearest facet and the minimal counterfactual."""

from __future__ import annotations

import numpy as np

from ._base import get_axes

__all__ = ["certificate"]


def certificate(view, ax=None):
    """Draw a :class:`~reluscope.certify.view.RegionView`; returns the Figure.

    The decision map is shaded, the region of x is outlined, the stability
    ball (radius = distance to the nearest facet) is dashed, the nearest
    facet is thick, and the arrow goes from x to its counterfactual.

    Parameters
    ----------
    view : RegionView
        From :func:`reluscope.certify.region_view` (a two-feature network).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import certify, plot
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)], output="sigmoid")
    >>> view = certify.region_view(net, [0.0, 0.0], [[-2, 2], [-2, 2]], resolution=50)
    >>> fig = plot.certificate(view)
    >>> ax = fig.axes[0]
    >>> ax.get_title()
    'Stability radius and minimal counterfactual'
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['region of x', 'stability radius 0.145', 'nearest facet', 'x', 'counterfactual, distance 0.311']

    The region polygon and the stability circle are the two patches; the
    counterfactual lies on the decision boundary:

    >>> polygon, circle = ax.patches
    >>> bool(np.isclose(circle.radius, view.stability.radius[0]))
    True
    >>> bool(abs(net.decision_function(view.counterfactual.point[None, :])[0]) < 1e-5)
    True
    """
    from matplotlib.patches import Circle, Polygon

    fig, ax = get_axes(ax, figsize=(5.5, 5.0))
    ax.pcolormesh(view.grid_x, view.grid_y, view.classes, cmap="coolwarm", alpha=0.25, shading="auto")
    if len(view.polygon):
        ax.add_patch(Polygon(view.polygon, closed=True, fill=False, edgecolor="black", lw=1.2, label="region of x"))
    r = float(view.stability.radius[0])
    x = view.x
    if np.isfinite(r) and view.norm == 2:
        ax.add_patch(Circle(x, r, fill=False, ls="--", color="tab:green", label=f"stability radius {r:.3g}"))
    elif np.isfinite(r):
        ax.plot([], [], ls="--", color="tab:green", label=f"stability radius {r:.3g}")
    if np.isfinite(view.facet).all():
        ax.plot(view.facet[:, 0], view.facet[:, 1], color="tab:green", lw=3, label="nearest facet")
    fp = view.stability.facet_point[0]
    if np.isfinite(fp).all():
        ax.plot(*fp, "o", color="tab:green", ms=5)
    ax.plot(*x, "ko", ms=6, label="x")
    cf = view.counterfactual
    if cf.found:
        ax.annotate("", xy=cf.point, xytext=x, arrowprops=dict(arrowstyle="->", color="tab:red", lw=1.5))
        tag = "" if cf.optimal else " (not proved optimal)"
        ax.plot(*cf.point, "*", color="tab:red", ms=12, label=f"counterfactual, distance {cf.distance:.3g}{tag}")
    ax.set_xlim(*view.box[0])
    ax.set_ylim(*view.box[1])
    ax.set_aspect("equal")
    ax.set_xlabel("x0")
    ax.set_ylabel("x1")
    ax.legend(loc="upper left", fontsize=8, framealpha=0.85)
    ax.set_title("Stability radius and minimal counterfactual")
    return fig
