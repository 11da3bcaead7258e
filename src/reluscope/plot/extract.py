"""Figures of query-based extraction (:mod:`reluscope.extract`): recovered vs true weights."""

from __future__ import annotations

import numpy as np

from ..extract.align import AlignmentResult
from ..network import ReLUNetwork
from ._base import get_axes, require

__all__ = ["recovered_weights"]


def recovered_weights(alignment: AlignmentResult, reference: ReLUNetwork, layer: int = 0, ax=None):
    """Scatter of aligned recovered weights against the true ones of one layer (the diagonal = exact).

    Takes the :class:`~reluscope.extract.AlignmentResult` of ``align_networks(reference, recovered)``;
    draws only what it holds (``aligned``) and the reference weights.

    Parameters
    ----------
    alignment : AlignmentResult
        From :func:`reluscope.extract.align_networks`.
    reference : ReLUNetwork
        The true network.
    layer : int, default 0
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    Recover a 3-4-1 network from queries, align it with the true one, and draw layer 0:

    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import plot
    >>> from reluscope.extract import QueryOracle, align_networks, extract_network
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(4, 3)), rng.normal(size=(1, 4))],
    ...                             [0.3 * rng.normal(size=4), rng.normal(size=1)])
    >>> found = extract_network(QueryOracle(net), 1, hidden_sizes=(4,), random_state=0)
    >>> alignment = align_networks(net, found.network)
    >>> fig = plot.recovered_weights(alignment, net, layer=0)
    >>> ax = fig.axes[0]
    >>> ax.get_xlabel(), ax.get_ylabel(), ax.get_title()  # an error around 1e-13
    ('true weight', 'recovered weight (aligned)', 'layer 0: max relative error ...e-1...')

    One point per weight of the layer, on the diagonal:

    >>> points = ax.collections[0].get_offsets()
    >>> points.shape, bool(np.abs(points[:, 1] - points[:, 0]).max() < 1e-10)
    ((12, 2), True)
    """
    require(alignment, AlignmentResult, "alignment")
    fig, ax = get_axes(ax, figsize=(4.5, 4.5))
    true = np.asarray(reference.weights[layer]).ravel()
    got = np.asarray(alignment.aligned.weights[layer]).ravel()
    lim = float(np.abs(np.r_[true, got]).max()) * 1.05
    ax.plot([-lim, lim], [-lim, lim], color="0.6", lw=1, zorder=0)
    ax.scatter(true, got, s=6, color="tab:orange")
    err = alignment.neuron_errors[layer].max() if layer < len(alignment.neuron_errors) else alignment.output_error
    ax.set(xlabel="true weight", ylabel="recovered weight (aligned)",
           title=f"layer {layer}: max relative error {err:.1e}", xlim=(-lim, lim), ylim=(-lim, lim))
    return fig
