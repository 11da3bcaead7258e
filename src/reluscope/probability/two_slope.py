"""Leaky ReLU and any two-slope activation (Appendix A of ``002``).

A :class:`~reluscope.ReLUNetwork` already carries each hidden layer's
negative-side slope (``slopes``: 0 for ReLU, ``gamma`` for LeakyReLU), and
every method of :mod:`reluscope.probability` reads the activation state
``pi(h) = 1 if h > 0 else slope`` of eq. 23 from it: the regions are the same
sign patterns, only the maps between layers change.

A general two-slope activation ``sigma(z) = a z (z > 0), b z (z <= 0)`` with
``a > 0`` is ``a * leaky_(b/a)(z)``; :func:`two_slope_network` folds ``a``
into the next layer's weights and returns the equivalent network, with the
same patterns and the same function.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..errors import UnsupportedActivationError
from ..network import ReLUNetwork

__all__ = ["two_slope_network"]


def two_slope_network(
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    positive_slopes: Sequence[float],
    negative_slopes: Sequence[float],
    **kwargs,
) -> ReLUNetwork:
    """The equivalent network of a net whose hidden layer ``l`` applies ``a_l z`` for ``z > 0`` and ``b_l z`` otherwise.

    The result is a :class:`~reluscope.ReLUNetwork` with LeakyReLU slopes (module docstring).

    Parameters
    ----------
    weights, biases : as for :class:`~reluscope.ReLUNetwork`
    positive_slopes : one ``a_l > 0`` per hidden layer
    negative_slopes : one ``b_l`` per hidden layer
    **kwargs : passed to :class:`~reluscope.ReLUNetwork` (output, feature_names, classes)

    Returns
    -------
    ReLUNetwork
        With negative-side slopes ``b_l / a_l`` and ``a_l`` folded into the next layer's weights.

    Raises
    ------
    UnsupportedActivationError
        A positive-side slope that is not positive (the sign pattern would no
        longer identify the region uniquely, Appendix A's condition).

    Examples
    --------
    ``sigma(z) = 2 z`` for ``z > 0`` and ``0.5 z`` otherwise is ``2 leaky_0.25(z)``:

    >>> from reluscope.probability import two_slope_network
    >>> net = two_slope_network([np.array([[1.0]]), np.array([[1.0]])], [np.zeros(1), np.zeros(1)],
    ...                         positive_slopes=[2.0], negative_slopes=[0.5])
    >>> net.slopes, net.forward(np.array([[3.0], [-2.0]]))  # 2 * 3 and 0.5 * (-2)
    ((0.25,), array([ 6., -1.]))
    """
    a = np.asarray(positive_slopes, dtype=np.float64)
    b = np.asarray(negative_slopes, dtype=np.float64)
    n_hidden = len(weights) - 1
    if a.shape != (n_hidden,) or b.shape != (n_hidden,):
        raise UnsupportedActivationError(f"Pass one positive and one negative slope per hidden layer ({n_hidden}).")
    if not (np.isfinite(a).all() and np.isfinite(b).all()) or (a <= 0).any():
        raise UnsupportedActivationError("Positive-side slopes must be finite and > 0 (fold a sign into the weights).")
    W = [np.asarray(w, dtype=np.float64).copy() for w in weights]
    for l in range(n_hidden):
        W[l + 1] = W[l + 1] * a[l]  # a * leaky(z): scale the next layer's inputs
    return ReLUNetwork(W, biases, slopes=list(b / a), **kwargs)
