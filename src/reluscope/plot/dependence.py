"""Figures of the dependence on one feature: LLM main effects (aletheia ``partial_plot``) and the exact PDP."""

from __future__ import annotations

import numpy as np

from ..interpret.dependence import PartialDependence, PartialEffect
from ._base import get_axes, require

__all__ = ["partial_effect", "partial_dependence"]


def partial_effect(result: PartialEffect, ax=None, *, show_points: bool = True, max_points: int = 5000):
    """Main effect of a feature under each row's LLM, points and LOWESS curve (aletheia ``partial_plot``).

    Parameters
    ----------
    result : PartialEffect
        From :func:`reluscope.interpret.partial_effect`.
    ax : matplotlib Axes, optional
    show_points : bool, default True
        Draw the rows' main effects (evenly thinned to ``max_points``).
    max_points : int, default 5000

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
    >>> effect = interpret.partial_effect(llms, "x1")
    >>> fig = plot.partial_effect(effect)
    >>> ax = fig.axes[0]
    >>> ax.get_title(), ax.get_ylabel()
    ('LLM main effect of x1 (45 regions, 300 rows)', 'Main effect w_j x_j + b (output)')

    The points are each row's ``w_1 x_1 + b`` under its own LLM:

    >>> own = llms.labels_
    >>> expected = llms.coef_[own, 0] * X[:, 0] + llms.intercept_[own]
    >>> np.allclose(np.sort(ax.collections[0].get_offsets()[:, 1]), np.sort(expected))
    True
    """
    r = require(result, PartialEffect, "partial_effect")
    fig, ax = get_axes(ax)
    if show_points and r.x.size:
        idx = np.arange(r.x.size) if r.x.size <= max_points else np.linspace(0, r.x.size - 1, max_points).astype(int)
        ax.scatter(r.x[idx], r.effect[idx], s=5, color="0.55", alpha=0.4, linewidths=0, label="rows (own LLM)")
    ax.plot(r.smooth_x, r.smooth_y, color="tab:red", lw=2.0, label=f"LOWESS (frac = {r.frac:.2g})")
    ax.set_xlabel(r.feature)
    what = "w_j x_j + b" if r.include_intercept else "w_j x_j"
    ax.set_ylabel(f"Main effect {what} ({r.output_name})")
    ax.set_title(f"LLM main effect of {r.feature} ({r.n_regions} regions, {r.x.size} rows)", fontsize="medium")
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    return fig


def partial_dependence(result: PartialDependence, ax=None, *, show_individual: bool = True, max_curves: int = 100):
    """Partial dependence of the network on one feature, ICE curves behind, deciles as rug marks.

    Parameters
    ----------
    result : PartialDependence
        From :func:`reluscope.interpret.partial_dependence`.
    ax : matplotlib Axes, optional
    show_individual : bool, default True
        Draw up to ``max_curves`` ICE curves when the result holds them.
    max_curves : int, default 100

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
    >>> pdp = interpret.partial_dependence(net, X, "x1", grid_resolution=20, kind="both")
    >>> fig = plot.partial_dependence(pdp)
    >>> ax = fig.axes[0]
    >>> ax.get_title(), len(ax.lines)  # 100 ICE curves and the average
    ('Partial dependence on x1 (exact forward passes)', 101)

    The thick curve is the mean over the rows of the network with ``x1`` set to each grid value:

    >>> Xg = np.repeat(X[None], 20, axis=0)
    >>> Xg[:, :, 0] = pdp.grid[:, None]
    >>> manual = net.forward(Xg.reshape(-1, 3)).reshape(20, 300).mean(axis=1)
    >>> np.allclose(ax.lines[-1].get_ydata(), manual)
    True
    """
    r = require(result, PartialDependence, "partial_dependence")
    fig, ax = get_axes(ax)
    avg = r.average.reshape(r.grid.size, -1)
    if show_individual and r.individual is not None:
        ice = r.individual.reshape(r.individual.shape[0], r.grid.size, -1)
        rows = np.linspace(0, ice.shape[0] - 1, min(max_curves, ice.shape[0])).astype(int)
        for k in range(ice.shape[2]):
            ax.plot(r.grid, ice[rows, :, k].T, color="0.7", lw=0.5, alpha=0.5)
    for k in range(avg.shape[1]):
        ax.plot(r.grid, avg[:, k], lw=2.0, label=r.output_names[k] if avg.shape[1] > 1 else "average")
    lo, hi = ax.get_ylim()
    ax.vlines(r.deciles, lo, lo + 0.04 * (hi - lo), color="k", lw=1.0)
    ax.set_ylim(lo, hi)
    ax.set_xlabel(r.feature)
    ax.set_ylabel("Partial dependence (" + ("logit / eta" if r.response == "decision" else "network output") + ")")
    ax.set_title(f"Partial dependence on {r.feature} (exact forward passes)", fontsize="medium")
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    return fig
