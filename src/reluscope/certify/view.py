"""The numbers behind the 2-D certificate figure: x, its region, the nearest facet and the counterfactual."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InvalidInputError
from ..geometry.polytope import normalize_rows, polygon_vertices
from ._common import check_box, check_network, check_row
from .counterfactual import CounterfactualResult, counterfactual
from .stability import StabilityResult, stability_radius

__all__ = ["RegionView", "region_view"]


@dataclass
class RegionView:
    """What :func:`reluscope.plot.certificate` draws (all computed here).

    ``polygon`` (m, 2) vertices of the region of ``x`` inside ``box``;
    ``facet`` (2, 2) the edge on the nearest facet (nan if it is outside the box);
    ``grid_x``, ``grid_y``, ``classes``: the decision map over the box.

    Examples
    --------
    See :func:`region_view`.

    >>> import reluscope
    >>> from reluscope.certify import region_view
    >>> net = reluscope.from_arrays([np.eye(2), np.ones((1, 2))], [np.zeros(2), np.array([-1.0])], output="sigmoid")
    >>> view = region_view(net, [0.2, 0.6], [[-1, 1], [-1, 1]], resolution=51)
    >>> view.grid_x.shape, view.classes.shape, view.stability.radius
    ((51,), (51, 51), array([0.2]))
    """

    x: np.ndarray
    box: np.ndarray
    polygon: np.ndarray
    facet: np.ndarray
    stability: StabilityResult
    counterfactual: CounterfactualResult
    grid_x: np.ndarray
    grid_y: np.ndarray
    classes: np.ndarray
    norm: float


def region_view(network, x, box, norm=2, *, resolution: int = 200, **counterfactual_kw) -> RegionView:
    """Stability radius, counterfactual and the region polygon of ``x`` for a 2-input network.

    Parameters
    ----------
    network : ReLUNetwork
        A network with 2 input features.
    x : array (2,)
    box : array (2, 2)
        The finite window drawn (and searched for the counterfactual).
    norm : {2, 1, 'inf'}
    resolution : int, default 200
        Grid points per axis of the decision map.
    **counterfactual_kw
        Passed to :func:`counterfactual`.

    Returns
    -------
    RegionView

    Examples
    --------
    ``eta = relu(x1) + relu(x2) - 1`` at ``(0.2, 0.6)``: the region (both units on) cut by the
    box ``[-1, 1]^2`` is the unit square; its nearest facet is the edge ``x1 = 0`` at distance
    0.2; the closest approval lies across ``x1 + x2 = 1``, at distance ``0.2 / sqrt(2) = 0.1414``;
    the approved triangle covers 1/8 of the box.

    >>> import reluscope
    >>> from reluscope.certify import region_view
    >>> net = reluscope.from_arrays([np.eye(2), np.ones((1, 2))], [np.zeros(2), np.array([-1.0])], output="sigmoid")
    >>> view = region_view(net, [0.2, 0.6], [[-1, 1], [-1, 1]], resolution=201)
    >>> view.polygon.round(6) + 0.0
    array([[0., 0.],
           [1., 0.],
           [1., 1.],
           [0., 1.]])
    >>> view.facet.round(6) + 0.0, view.stability.radius
    (array([[0., 0.],
           [0., 1.]]), array([0.2]))
    >>> round(view.counterfactual.distance, 4), bool(abs(view.classes.mean() - 1 / 8) < 0.005)
    (0.1414, True)
    """
    network = check_network(network)
    if network.n_features != 2:
        raise InvalidInputError(f"The region view draws the input plane: it needs 2 input features, not {network.n_features}.")
    x = check_row(network, x)
    box = check_box(network, box)
    if box is None or not np.isfinite(box).all():
        raise InvalidInputError("region_view needs a finite box [[x0_low, x0_high], [x1_low, x1_high]].")
    st = stability_radius(network, x[None, :], norm=norm)
    cf = counterfactual(network, x, norm=norm, box=box, **counterfactual_kw)
    A, c = network.region_inequalities(st.patterns[0])
    An, cn, norms = normalize_rows(A, c)
    live = norms > 0
    poly = polygon_vertices(An[live], cn[live], box, x) if np.all(An[live] @ x < cn[live]) else np.zeros((0, 2))
    facet = np.full((2, 2), np.nan)
    if st.unit[0] >= 0 and len(poly):
        on = np.abs(poly @ An[st.unit[0]] - cn[st.unit[0]]) <= 1e-7 * max(1.0, np.abs(box).max())
        if on.sum() >= 2:
            facet = poly[on][:2]
    gx, gy = np.linspace(*box[0], resolution), np.linspace(*box[1], resolution)
    G = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2)
    eta = network._forward_raw(G)[0]
    cls = (eta[:, 0] > 0).astype(int) if eta.shape[1] == 1 else eta.argmax(axis=1)
    return RegionView(x, box, poly, facet, st, cf, gx, gy, cls.reshape(resolution, resolution), st.norm)
