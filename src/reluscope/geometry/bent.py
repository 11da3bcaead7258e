"""Bent hyperplanes and decision boundaries on an exact 2-D slice (thesis ``000`` ch. 2, Figure 2 of ``001``).

The zero set of a hidden unit is a hyperplane bent where earlier units switch
(a "bent hyperplane"); on a slice it is a polyline made of polygon edges.
An edge of the slice's polygons lies on unit ``j``'s bent hyperplane when
``z_j`` vanishes at both of its ends (the network is continuous, so one
forward pass at the vertices gives every unit's ``z``).  The level set
``eta_k = level`` of an output (the decision boundary for a logit at 0) is
straight inside each region: one segment per polygon it crosses, from the
region's local linear model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InvalidInputError
from ..network import ReLUNetwork
from .slices import Slice2D

__all__ = ["BentHyperplanes2D", "bent_hyperplanes_2d"]


@dataclass
class BentHyperplanes2D:
    """Segments (slice coordinates) of the units' zero sets and of an output's level set.

    Attributes
    ----------
    segments : (S, 2, 2)
        Polygon edges on a bent hyperplane (each shared edge once).
    unit, layer : int (S,)
        The hidden unit (index into the pattern) and its layer (0-based).
    boundary : (B, 2, 2)
        Pieces of ``{eta_output = level}``, one per region it crosses.
    boundary_region : int (B,)
    level : float ; output : int

    Examples
    --------
    See :func:`bent_hyperplanes_2d`; the segments of unit ``j`` are ``segments[unit == j]``:

    >>> import reluscope
    >>> from reluscope.geometry import bent_hyperplanes_2d, slice_2d
    >>> net = reluscope.from_arrays([np.eye(2), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    >>> sl = slice_2d(net, np.zeros(2), [1.0, 0.0], [0.0, 1.0], bounds=[(-2, 2), (-2, 2)])
    >>> bh = bent_hyperplanes_2d(net, sl)
    >>> bh.segments[bh.unit == 0][:, :, 0]  # unit 0 (z = x) vanishes on the line x = 0
    array([[0., 0.],
           [0., 0.]])
    """

    segments: np.ndarray
    unit: np.ndarray
    layer: np.ndarray
    boundary: np.ndarray
    boundary_region: np.ndarray
    level: float
    output: int


def _preactivations(network: ReLUNetwork, X: np.ndarray) -> np.ndarray:
    H, out = X, []
    for l in range(network.n_hidden_layers):
        Z = H @ network.weights[l].T + network.biases[l]
        out.append(Z)
        s = network.slopes[l]
        H = np.maximum(Z, 0.0) if s == 0.0 else np.where(Z > 0, Z, s * Z)
    return np.concatenate(out, axis=1)


def bent_hyperplanes_2d(network: ReLUNetwork, slc: Slice2D, *, level: float = 0.0, output: int = 0) -> BentHyperplanes2D:
    """Bent hyperplanes and the ``eta_output = level`` boundary on the slice ``slc`` (from :func:`slice_2d`).

    Parameters
    ----------
    network : ReLUNetwork
        The network the slice was computed for.
    slc : Slice2D
        The slice, from :func:`slice_2d` or :func:`slice_through_points`.
    level : float, default 0.0
        The level of the output's level set (0: the decision boundary of a logit).
    output : int, default 0
        Which output.

    Returns
    -------
    BentHyperplanes2D

    Examples
    --------
    ``relu(x) + relu(y)`` on ``[-2, 2]^2``: the units' zero sets are the two axes, four edges
    of length 2 (each axis is cut at the origin by the other unit); the level set
    ``{eta = 1}`` bends at the axes: ``x + y = 1`` in the first quadrant (length sqrt(2)),
    ``y = 1`` and ``x = 1`` where one unit is off (length 2 each).

    >>> import reluscope
    >>> from reluscope.geometry import bent_hyperplanes_2d, slice_2d
    >>> net = reluscope.from_arrays([np.eye(2), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    >>> sl = slice_2d(net, np.zeros(2), [1.0, 0.0], [0.0, 1.0], bounds=[(-2, 2), (-2, 2)])
    >>> bh = bent_hyperplanes_2d(net, sl, level=1.0)
    >>> np.linalg.norm(bh.segments[:, 1] - bh.segments[:, 0], axis=1), np.bincount(bh.unit)
    (array([2., 2., 2., 2.]), array([2, 2]))
    >>> np.linalg.norm(bh.boundary[:, 1] - bh.boundary[:, 0], axis=1)
    array([1.4142, 2.    , 2.    ])
    """
    if not isinstance(slc, Slice2D):
        raise InvalidInputError("bent_hyperplanes_2d needs the Slice2D of slice_2d for this network.")
    if not 0 <= output < network.n_outputs:
        raise InvalidInputError(f"output must be in 0..{network.n_outputs - 1}, got {output!r}.")
    V, n = slc.vertices, slc.n_vertices
    R, K = V.shape[:2]
    valid = np.arange(K)[None, :] < n[:, None]
    a, b = V[valid], np.roll(V, -1, axis=1)[valid]  # every real edge
    # z at both ends; an edge lies on unit j's zero set when |z_j| is tiny at both ends
    Za, Zb = _preactivations(network, slc.to_input(a)), _preactivations(network, slc.to_input(b))
    scale = 1e-8 * (1.0 + np.abs(np.concatenate([Za, Zb])).max(axis=0))
    on = (np.abs(Za) <= scale) & (np.abs(Zb) <= scale) & (np.linalg.norm(b - a, axis=1) > 0)[:, None]
    e, j = np.nonzero(on)
    key = np.round(np.sort(np.stack([a[e], b[e]], axis=1).reshape(-1, 4)[:, [0, 1, 2, 3]].reshape(-1, 2, 2), axis=1).reshape(-1, 4), 9)
    _, first = np.unique(np.column_stack([key, j]), axis=0, return_index=True)
    e, j = e[first], j[first]
    layer = np.searchsorted(np.cumsum(network.hidden_sizes), j, side="right")
    # the output's level set: sign changes of the LLM along each polygon's edges
    f = np.einsum("rkq,rq->rk", V, slc.coef_slice[:, output, :]) + slc.intercept_slice[:, output, None] - level
    fn = np.roll(f, -1, axis=1)
    cross = valid & (((f > 0) & (fn <= 0)) | ((f <= 0) & (fn > 0)))
    w = np.where(cross, f / np.where(cross, f - fn, 1.0), 0.0)
    P = V + w[..., None] * (np.roll(V, -1, axis=1) - V)
    two = cross.sum(axis=1) == 2
    idx = np.argsort(~cross, axis=1, kind="stable")[:, :2]
    seg = np.take_along_axis(P, idx[..., None], axis=1)[two]
    return BentHyperplanes2D(
        segments=np.stack([a[e], b[e]], axis=1), unit=j, layer=layer, boundary=seg,
        boundary_region=np.flatnonzero(two), level=float(level), output=int(output),
    )
