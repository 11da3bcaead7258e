"""Assembly of the recovered network from the first-layer planes and the walked second-layer neurons."""

from __future__ import annotations

import numpy as np

from ..errors import ExtractionError
from ..network import ReLUNetwork
from ._assemble import fit_last_layer
from ._layer2 import ghost_first_layer, orient_first_layer, oriented_rows
from ._repair import repair_unobserved
from ._signs import LINEAR_SOLVE
from ._search2 import select_neurons
from ._verify import active_points

__all__ = ["finish_network"]

GHOST_UNITS = "not identifiable: d always-on first-layer units carry the linear parts"


def finish_network(st, neurons, hidden_sizes=None):
    """The network from the planes and walked neurons: orientation, unobserved entries, last layer (steps 5-6).

    Returns ``(network, residual of the last-layer fit, largest output seen)``; sets ``st.n_stand_ins`` and
    ``st.sign_recovery`` (how each hidden layer's signs were found).
    """
    st.sign_recovery = {}
    deep = bool(neurons)
    if deep:
        if hidden_sizes is not None and len(neurons) > hidden_sizes[1]:
            neurons = select_neurons(st, neurons, hidden_sizes[1])
        try:
            xi = orient_first_layer(neurons, st.n1)
            n1, b1, W2, b2, unobserved = oriented_rows(neurons, st.n1, st.b1, xi)
            st.sign_recovery["layer 1"] = LINEAR_SOLVE
        except ExtractionError:
            n1, b1, W2, b2 = ghost_first_layer(neurons, st.n1, st.b1, st.lo)
            unobserved = np.zeros(W2.shape, bool)
            st.sign_recovery["layer 1"] = GHOST_UNITS
        st.n_unobserved = int(unobserved.sum())
        norm = np.linalg.norm(np.column_stack([W2, b2]), axis=1)
        W2, b2 = W2 / norm[:, None], b2 / norm
    n_fit = 2 * (st.n1.shape[0] + (W2.shape[0] if deep else 0) + st.d + 1) + 20
    X = st.box_points(n_fit)
    if deep:  # the output weight of a neuron active on a sliver of the box needs points where it is active
        X = np.vstack([X, active_points(n1, b1, W2, b2, st.lo, st.hi, st.rng)])
    else:  # likewise one layer: a trained net's neuron active on 0.1% of the box is on at no uniform point
        X = np.vstack([X, _both_sides(st.n1, st.b1, st.p1, st.lo, st.hi, st.rng)])
    y = st.oracle(X)
    if deep:
        if unobserved.any():  # entries no kink shows, measured where they act
            W2, X, y, unobserved = repair_unobserved(st.oracle, n1, b1, W2, b2, unobserved, X, y, st.lo, st.hi, st.rng)
        U = np.maximum(X @ n1.T + b1, 0.0)
        missing = 0 if hidden_sizes is None else max(hidden_sizes[1] - W2.shape[0], 0)
        top = np.maximum(np.maximum(n1 * st.lo, n1 * st.hi).sum(1) + b1, 0.0)
        W2o, b2o, p, c, res, st.sign_recovery["layer 2"] = _fit_or_ghost(U, y, W2, b2, missing, (np.zeros_like(top), top),
                                                                        unobserved)
        st.n_stand_ins = missing
        weights, biases = [n1, W2o, p[None, :]], [b1, b2o, np.array([c])]
    else:
        missing = 0 if hidden_sizes is None else max(hidden_sizes[0] - st.n1.shape[0], 0)
        W1o, b1o, p, c, res, st.sign_recovery["layer 1"] = _fit_or_ghost(X, y, st.n1, st.b1, missing,
                                                                        (np.full(st.d, st.lo), np.full(st.d, st.hi)))
        st.n_stand_ins = missing
        weights, biases = [W1o, p[None, :]], [b1o, np.array([c])]
    return ReLUNetwork(weights, biases), res, float(np.abs(y).max())


def _both_sides(normals, offsets, kinks, lo, hi, rng, per_side: int = 2) -> np.ndarray:
    """Points on both sides of each plane, near a point of it in the box (``1e-3`` of the box width off it).

    Without them a neuron switched on in a sliver of the box has a zero column in the last-layer fit, so
    its output weight is lost and its sign system becomes singular.
    """
    k, d = normals.shape
    on_plane = kinks - (np.einsum("kd,kd->k", kinks, normals) + offsets)[:, None] * normals
    delta = 1e-3 * (hi - lo)
    jitter = rng.normal(size=(k, 2 * per_side, d))
    jitter -= np.einsum("kpd,kd->kp", jitter, normals)[..., None] * normals[:, None, :]  # stay parallel to the plane
    jitter *= delta / (np.linalg.norm(jitter, axis=2, keepdims=True) + 1e-300)
    side = np.repeat([1.0, -1.0], per_side)[None, :, None] * delta * normals[:, None, :]
    return np.clip(on_plane[:, None, :] + side + jitter, lo, hi).reshape(-1, d)


def _fit_or_ghost(U, y, W, b, missing, bounds, unknown=None):
    """Exact signs when identifiable; else one always-on neuron carries the linear part (function-exact on the box)."""
    try:
        if unknown is not None and unknown.any() and not missing:
            try:
                return fit_last_layer(U, y, W, b, bounds=bounds, unknown=unknown)
            except ExtractionError:
                pass
        return fit_last_layer(U, y, W, b, n_missing=missing, bounds=bounds)
    except ExtractionError:
        if missing:
            raise
        return fit_last_layer(U, y, W, b, n_missing=1, bounds=bounds)
