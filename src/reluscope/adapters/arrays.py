"""Build a :class:`ReLUNetwork` from plain weight and bias arrays."""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np

from ..errors import UnsupportedActivationError
from ..network import ReLUNetwork

__all__ = ["from_arrays", "activation_slope"]

_SLOPES = {"relu": 0.0, "identity": 1.0, "linear": 1.0}


def _finite_slope(value, activation) -> float:
    try:
        slope = float(value)
    except (TypeError, ValueError):
        slope = float("nan")
    if not np.isfinite(slope):
        raise UnsupportedActivationError(
            f"activation={activation!r}: a LeakyReLU slope must be a finite number, e.g. 'leaky_relu:0.1', "
            "('leaky_relu', 0.1) or 0.1."
        )
    return slope


def activation_slope(activation) -> float:
    """Negative-side slope of a named activation: 'relu' -> 0, 'identity' -> 1,
    ('leaky_relu', gamma), 'leaky_relu:gamma', 'leaky_relu(gamma)', a number or
    its string -> gamma.

    Raises
    ------
    UnsupportedActivationError
        For activations that are not piecewise affine with a kink at 0 (tanh,
        sigmoid, gelu, ...), and for a slope that is not a finite number.
    """
    if isinstance(activation, (int, float, np.integer, np.floating)) and not isinstance(activation, (bool, np.bool_)):
        return _finite_slope(activation, activation)
    if isinstance(activation, tuple) and len(activation) == 2 and str(activation[0]).lower().replace("_", "") == "leakyrelu":
        return _finite_slope(activation[1], activation)
    key = str(activation).strip().lower()
    if key in _SLOPES:
        return _SLOPES[key]
    spelled = re.fullmatch(r"leaky_?relu\s*(?::|=|\()\s*([^)]*?)\s*\)?", key)
    if spelled:
        return _finite_slope(spelled.group(1), activation)
    if re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?", key):
        return _finite_slope(key, activation)
    raise UnsupportedActivationError(
        f"Hidden activation {activation!r} is not supported: reluscope unwraps piecewise-affine networks "
        "(relu, leaky_relu:<slope> e.g. 'leaky_relu:0.1', identity). A network with tanh, logistic or other "
        "smooth activations has no exact local linear models; retrain it with ReLU."
    )


def from_arrays(
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    *,
    activation="relu",
    output: str = "identity",
    feature_names: Sequence[str] | None = None,
    classes=None,
) -> ReLUNetwork:
    """Build a network from weights in the framework convention (n_out, n_in).

    Parameters
    ----------
    weights, biases : sequences of arrays
        ``L + 1`` layers: hidden layers then the output layer.
    activation : str, float, or sequence of them
        Hidden activation(s): 'relu', 'identity', a LeakyReLU slope, or
        ``('leaky_relu', gamma)``; one value for all layers or one per layer.
    output : {'identity', 'sigmoid', 'softmax'}
    feature_names, classes : optional

    Returns
    -------
    ReLUNetwork

    Raises
    ------
    UnsupportedActivationError
        A hidden activation that is not piecewise affine with a kink at 0.
    ShapeMismatchError
        Layers that do not chain.

    Examples
    --------
    ``f(x) = relu(x1) + relu(x2)``:

    >>> import numpy as np, reluscope
    >>> net = reluscope.from_arrays([np.eye(2), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    >>> float(net.forward(np.array([[1.0, -2.0]]))[0])
    1.0

    One activation per hidden layer, here a LeakyReLU then a ReLU, and a
    sigmoid output for a binary classifier:

    >>> rng = np.random.default_rng(0)
    >>> clf = reluscope.from_arrays([rng.normal(size=(4, 2)), rng.normal(size=(3, 4)), rng.normal(size=(1, 3))],
    ...                             [np.zeros(4), np.zeros(3), np.zeros(1)],
    ...                             activation=["leaky_relu:0.1", "relu"], output="sigmoid", classes=["no", "yes"])
    >>> clf
    ReLUNetwork(sizes=[2, 4, 3, 1], activations=['leaky(0.1)', 'relu'], output='sigmoid')
    >>> clf.slopes, clf.task
    ((0.1, 0.0), 'binary')
    >>> X = rng.normal(size=(5, 2))
    >>> bool(np.array_equal(clf.predict(X), np.where(clf.decision_function(X) > 0, "yes", "no")))
    True
    """
    n_hidden = max(len(weights) - 1, 0)
    if isinstance(activation, (list, tuple)) and not (
        isinstance(activation, tuple) and len(activation) == 2 and isinstance(activation[0], str) and not isinstance(activation[1], str)
    ):
        slopes = [activation_slope(a) for a in activation]
    else:
        slopes = [activation_slope(activation)] * n_hidden
    return ReLUNetwork(weights, biases, slopes=slopes, output=output, feature_names=feature_names, classes=classes)
