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
