"""A chain of layers -> canonical :class:`~reluscope.ReLUNetwork` (shared by the torch and ONNX adapters).

A framework adapter reads a model into a flat, forward-ordered list of steps:

* :class:`Affine` -- ``h <- W h + b`` (a Linear / Gemm / MatMul layer), or its
  diagonal special case ``h <- s * h + t`` (a folded batch norm, a bias Add, a
  constant Mul);
* :class:`Activation` -- ``h <- relu_gamma(h)`` with negative-side slope ``gamma``;
* :class:`Width` -- an assertion ``h`` has ``n`` columns (a reshape to (n, k));
* :class:`Link` -- a sigmoid / softmax / log-softmax, allowed last only.

:func:`chain_to_network` composes every run of affine steps between two
activations into one affine map (the composition of affine maps is affine, so
this is exact up to float64 round-off), collapses repeated activations, and
adds an identity layer where the chain starts or ends with an activation.
This folds a batch norm into the Linear before it when it directly follows
one, and into the Linear after it otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..errors import InvalidInputError, ShapeMismatchError, UnsupportedActivationError, UnsupportedLayerError
from ..network import ReLUNetwork

__all__ = ["Affine", "Activation", "Width", "Link", "chain_to_network", "compose_slopes", "extend"]

LINKS = ("sigmoid", "softmax", "log_softmax")


@dataclass(frozen=True)
class Affine:
    """``h <- W h + b``; ``W`` is (n_out, n_in), or ``None`` with ``scale`` for ``s * h + b``."""

    name: str
    W: np.ndarray | None
    b: np.ndarray | float
    scale: np.ndarray | float = 1.0


@dataclass(frozen=True)
class Activation:
    """``h <- h`` where ``h > 0``, ``slope * h`` elsewhere."""

    name: str
    slope: float


@dataclass(frozen=True)
class Width:
    """The tensor must have ``n`` features here (a reshape to ``(-1, n)``)."""

    name: str
    n: int


@dataclass(frozen=True)
class Link:
    """A final sigmoid / softmax / log_softmax."""

    name: str
    kind: str


def compose_slopes(outer: float, inner: float) -> float:
    """Slope of ``relu_outer(relu_inner(z))``: ``outer * inner`` if ``inner >= 0``, else ``inner``.

    For ``z <= 0``, ``inner * z`` is ``<= 0`` when ``inner >= 0`` (so ``outer``
    applies again) and ``> 0`` when ``inner < 0`` (so ``outer`` passes it).
    """
    return outer * inner if inner >= 0 else inner


def _n_in(step: Affine) -> int | None:
    if step.W is not None:
        return step.W.shape[1]
    for v in (step.scale, step.b):
        if np.ndim(v) == 1:
            return np.shape(v)[0]
    return None


def _input_width(steps: Sequence, n_features: int | None) -> int:
    """Number of input features: given, or the first step that fixes a width."""
    if n_features is not None:
        return int(n_features)
    for step in steps:
        if isinstance(step, Width):
            return step.n
        if isinstance(step, Affine) and _n_in(step) is not None:
            return _n_in(step)
    raise UnsupportedLayerError(
        "The model has no Linear (or Gemm/MatMul) layer, so its number of input features is unknown; "
        "there is nothing to convert."
    )


def _vector(v, n: int, what: str, name: str) -> np.ndarray:
    a = np.asarray(v, dtype=np.float64).reshape(-1)
    if a.size == 1:
        return np.full(n, a[0])
    if a.size != n:
        raise ShapeMismatchError(f"{name}: {what} has {a.size} entries but the layer input has {n} features.")
    return a


def _apply(A: np.ndarray, c: np.ndarray, step: Affine) -> tuple[np.ndarray, np.ndarray]:
    """Compose ``step`` after the affine map ``x -> A x + c``."""
    n = A.shape[0]
    if step.W is None:
        s = _vector(step.scale, n, "the scale", step.name)
        t = _vector(step.b, n, "the shift", step.name)
        return s[:, None] * A, s * c + t
    W = np.asarray(step.W, dtype=np.float64)
    if W.shape[1] != n:
        raise ShapeMismatchError(f"{step.name} takes {W.shape[1]} features but receives {n}; the model does not chain.")
    return W @ A, W @ c + _vector(step.b, W.shape[0], "the bias", step.name)


def _affine_start(step: Affine, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The affine map of a single step (no identity matrix product for a Linear)."""
    if step.W is None:
        return _apply(np.eye(n), np.zeros(n), step)
    W = np.array(step.W, dtype=np.float64)
    if W.shape[1] != n:
        raise ShapeMismatchError(f"{step.name} takes {W.shape[1]} features but receives {n}; the model does not chain.")
    return W, _vector(step.b, W.shape[0], "the bias", step.name).copy()


def _hidden_link_error(step: Link) -> UnsupportedActivationError:
    return UnsupportedActivationError(
        f"Layer '{step.name}' is a hidden {step.kind} activation: reluscope supports sigmoid and softmax "
        "only as the final layer (the output link). Hidden layers must be ReLU, LeakyReLU or identity; "
        "retrain the network with ReLU."
    )


def extend(steps: list, new: Sequence) -> list:
    """Append ``new`` to ``steps`` in place, refusing anything after a link (a hidden sigmoid/softmax)."""
    for step in new:
        if steps and isinstance(steps[-1], Link):
            raise _hidden_link_error(steps[-1])
        steps.append(step)
    return steps


def _split_link(steps: list) -> tuple[list, Link | None]:
    link = steps[-1] if steps and isinstance(steps[-1], Link) else None
    body = steps[:-1] if link is not None else steps
    for step in body:
        if isinstance(step, Link):
            raise _hidden_link_error(step)
    return body, link


def _resolve_output(link: Link | None, output: str | None) -> str:
    if output is not None:
        return output
    if link is None:
        return "identity"
    if link.kind == "log_softmax":
        raise InvalidInputError(
            f"The model ends with a log-softmax ('{link.name}'), whose output is log-probabilities. Pass "
            "output='softmax' to convert it as logits with a softmax link (its probabilities are exp of the "
            "model's output), or output='identity' for the logits."
        )
    return link.kind


def chain_to_network(
    steps: Sequence,
    *,
    output: str | None = None,
    n_features: int | None = None,
    feature_names=None,
    classes=None,
) -> ReLUNetwork:
    """Compose a forward-ordered chain of steps into a canonical :class:`ReLUNetwork`.

    Parameters
    ----------
    steps : sequence of Affine / Activation / Width / Link
    output : {'identity', 'sigmoid', 'softmax'}, optional
        Overrides the link read from a final :class:`Link` (a final link is
        always removed from the chain: ``output='identity'`` then gives the
        logits).
    n_features : int, optional
        Input width when the model declares it (e.g. an ONNX input shape).

    Returns
    -------
    ReLUNetwork
        One hidden layer per activation run; ``W^(l), b^(l)`` are the
        composition of the affine steps between activations ``l`` and ``l+1``.
    """
    body, link = _split_link(list(steps))
    out = _resolve_output(link, output)
    n = _input_width(body, n_features)
    weights, biases, slopes = [], [], []
    pending = None  # affine map (A, c) since the last activation, None if none yet
    width = n
    last_activation = None
    for step in body:
        if isinstance(step, Width):
            if step.n != width:
                raise ShapeMismatchError(f"{step.name} reshapes to {step.n} features but the tensor has {width}.")
        elif isinstance(step, Affine):
            pending = _affine_start(step, width) if pending is None else _apply(*pending, step)
            width = pending[0].shape[0]
        elif isinstance(step, Activation):
            if pending is None and last_activation is not None:
                slopes[-1] = compose_slopes(step.slope, slopes[-1])  # repeated activations collapse
            else:
                A, c = pending if pending is not None else (np.eye(width), np.zeros(width))
                weights.append(A)
                biases.append(c)
                slopes.append(float(step.slope))
            pending, last_activation = None, step
        else:  # pragma: no cover - adapters only emit the four step kinds
            raise TypeError(f"unknown chain step {step!r}")
    if pending is None:  # ends with an activation (or is empty): identity output layer
        pending = (np.eye(width), np.zeros(width))
    weights.append(pending[0])
    biases.append(pending[1])
    return ReLUNetwork(weights, biases, slopes=slopes, output=out, feature_names=feature_names, classes=classes)
