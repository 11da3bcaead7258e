"""The one canonical form of a trained ReLU network.

A :class:`ReLUNetwork` with ``L`` hidden layers computes (eq. 1-3 of the
unwrapping paper, ``../shared/seeds/001``)::

    z^(1) = W^(0) x + b^(0)
    chi^(l) = relu_l(z^(l)),  z^(l+1) = W^(l) chi^(l) + b^(l)   (l = 1..L)
    eta(x) = W^(L) chi^(L) + b^(L),      f(x) = link(eta(x))

with ``relu_l(z) = z`` where ``z > 0`` and ``slope_l * z`` elsewhere (ReLU:
slope 0, LeakyReLU: slope gamma, identity: slope 1).  Weights are stored in the
framework convention, shape ``(n_out, n_in)``, as read-only float64 arrays.

Activation convention
---------------------
A neuron is *on* iff its pre-activation is strictly positive, ``z > 0``
(the paper's boundary conditions of eq. 7; its prose says ``z >= 0``).  At
``z == 0`` both conventions give the same output, so the local linear model of
either neighbouring region reproduces ``f`` there; we pick one side so that a
pattern is a function of ``x``.  Units of an identity layer (slope 1) have no
kink and are always reported on, so they do not split regions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from .errors import InvalidInputError, ShapeMismatchError, UnsupportedActivationError
from . import affine as _affine
from .validation import check_features

__all__ = ["ReLUNetwork", "OUTPUT_LINKS"]

OUTPUT_LINKS = ("identity", "sigmoid", "softmax")


def _sigmoid(eta: np.ndarray) -> np.ndarray:
    out = np.empty_like(eta)
    pos = eta >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-eta[pos]))
    e = np.exp(eta[~pos])
    out[~pos] = e / (1.0 + e)
    return out


def _softmax(eta: np.ndarray) -> np.ndarray:
    shifted = eta - eta.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=np.float64, copy=True, order="C")
    a.setflags(write=False)
    return a


def _check_layers(weights, biases) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Shapes, dtypes and finiteness of the layers; raises ShapeMismatchError / InvalidInputError."""
    weights = [np.asarray(w) for w in weights]
    biases = [np.asarray(b) for b in biases]
    if len(weights) == 0:
        raise ShapeMismatchError("A network needs at least one weight matrix (the output layer).")
    if len(weights) != len(biases):
        raise ShapeMismatchError(
            f"Got {len(weights)} weight matrices but {len(biases)} bias vectors; pass one bias per layer."
        )
    for i, (w, b) in enumerate(zip(weights, biases)):
        if w.ndim != 2:
            raise ShapeMismatchError(f"weights[{i}] has shape {w.shape}; each weight must be 2-D (n_out, n_in).")
        if b.ndim != 1 or b.shape[0] != w.shape[0]:
            raise ShapeMismatchError(
                f"biases[{i}] has shape {b.shape} but weights[{i}] has {w.shape[0]} output units; "
                "a bias needs one entry per output unit."
            )
        for name, arr in (("weights", w), ("biases", b)):
            if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.complexfloating):
                raise ShapeMismatchError(f"{name}[{i}] has dtype {arr.dtype}; pass real numbers.")
            if not np.isfinite(arr).all():
                raise InvalidInputError(f"{name}[{i}] contains NaN or infinite values; the network is broken.")
        if i > 0 and w.shape[1] != weights[i - 1].shape[0]:
            raise ShapeMismatchError(
                f"weights[{i}] takes {w.shape[1]} inputs but layer {i - 1} has {weights[i - 1].shape[0]} "
                "units. Weights must be (n_out, n_in), the PyTorch convention; transpose scikit-learn's "
                "coefs_ or use from_sklearn."
            )
    return weights, biases


class ReLUNetwork:
    """A feed-forward piecewise-affine network in canonical form.

    Parameters
    ----------
    weights : sequence of arrays, each (n_out, n_in)
        ``L + 1`` weight matrices: ``L`` hidden layers then the output layer.
    biases : sequence of arrays, each (n_out,)
        One bias vector per weight matrix.
    slopes : float or sequence of float, default 0.0
        Negative-side slope of each hidden layer's activation: 0 for ReLU,
        ``gamma`` for LeakyReLU, 1 for identity.
    output : {'identity', 'sigmoid', 'softmax'}, default 'identity'
        Output link applied to ``eta`` by :meth:`forward`.
    feature_names : sequence of str, optional
        Names of the input features (checked against DataFrame columns).
    classes : array-like, optional
        Class labels for classifiers: two labels for a single sigmoid output
        (``classes[1]`` is the positive class), one per output for softmax.

    Notes
    -----
    Instances are immutable: arrays are read-only copies and attributes cannot
    be re-assigned.

    References
    ----------
    Sudjianto et al., *Unwrapping the black box of deep ReLU networks*,
    eq. 1-5 (the network and its activation patterns), Theorem 1 (the local
    linear model of a pattern), Lemma 1 (its region).

    Examples
    --------
    A net with two hidden ReLU units, ``f(x) = relu(x1 - x2) - 2 relu(0.5 x1 + 2 x2) + 0.5``:

    >>> import numpy as np
    >>> from reluscope import ReLUNetwork
    >>> net = ReLUNetwork([np.array([[1.0, -1.0], [0.5, 2.0]]), np.array([[1.0, -2.0]])],
    ...                   [np.zeros(2), np.array([0.5])])
    >>> net
    ReLUNetwork(sizes=[2, 2, 1], activations=['relu'], output='identity')
    >>> X = np.array([[1.0, 0.0], [-1.0, 1.0]])
    >>> net.forward(X)
    array([ 0.5, -2.5])
    >>> net.patterns(X)  # on iff the pre-activation is > 0
    array([[ True,  True],
           [False,  True]])

    The pattern of the second row fixes an affine map, exact on its region
    (here ``-x1 - 4 x2 + 0.5``), and the region's half-spaces ``A x <= c``:

    >>> coef, intercept = net.affine_map(net.patterns(X)[1])
    >>> coef, intercept
    (array([[-1., -4.]]), array([0.5]))
    >>> A, c = net.region_inequalities(net.patterns(X)[1])
    >>> bool(np.all(A @ X[1] <= c)), float(X[1] @ coef[0] + intercept[0])
    (True, -2.5)

    Networks are immutable and compare by value:

    >>> net.n_parameters, net.n_hidden_units, net.task
    (9, 2, 'regression')
    >>> net.weights[0][0, 0] = 3.0
    Traceback (most recent call last):
    ...
    ValueError: assignment destination is read-only
    """

    __slots__ = ("_weights", "_biases", "_slopes", "_output", "_feature_names", "_classes", "_frozen")

    def __init__(
        self,
        weights: Sequence[np.ndarray],
        biases: Sequence[np.ndarray],
        slopes: float | Sequence[float] = 0.0,
        output: str = "identity",
        feature_names: Sequence[str] | None = None,
        classes: Sequence | None = None,
    ) -> None:
        weights, biases = _check_layers(weights, biases)
        n_hidden = len(weights) - 1
        if np.ndim(slopes) == 0:
            slopes = [float(slopes)] * n_hidden
        slopes = [float(s) for s in slopes]
        if len(slopes) != n_hidden:
            raise ShapeMismatchError(f"Got {len(slopes)} slopes for {n_hidden} hidden layers; pass one per hidden layer.")
        if not all(np.isfinite(s) for s in slopes):
            raise UnsupportedActivationError("Activation slopes must be finite numbers (0 for ReLU).")
        if output not in OUTPUT_LINKS:
            raise InvalidInputError(f"output={output!r} is not one of {OUTPUT_LINKS}.")
        n_out = weights[-1].shape[0]
        if output == "softmax" and n_out < 2:
            raise ShapeMismatchError("A softmax output needs at least 2 output units; use output='sigmoid' for one logit.")
        if feature_names is not None:
            feature_names = tuple(str(f) for f in feature_names)
            if len(feature_names) != weights[0].shape[1]:
                raise ShapeMismatchError(
                    f"Got {len(feature_names)} feature names for {weights[0].shape[1]} input features."
                )
            if len(set(feature_names)) != len(feature_names):
                raise InvalidInputError("feature_names must be unique.")
        if classes is not None:
            classes = np.asarray(classes)
            classes.setflags(write=False)
            expected = 2 if (output == "sigmoid" and n_out == 1) else n_out
            if classes.shape != (expected,):
                raise ShapeMismatchError(
                    f"Got {classes.shape[0] if classes.ndim else 0} class labels; a network with {n_out} "
                    f"{output} output(s) needs {expected}."
                )
        object.__setattr__(self, "_weights", tuple(_readonly(w) for w in weights))
        object.__setattr__(self, "_biases", tuple(_readonly(b) for b in biases))
        object.__setattr__(self, "_slopes", tuple(slopes))
        object.__setattr__(self, "_output", output)
        object.__setattr__(self, "_feature_names", feature_names)
        object.__setattr__(self, "_classes", classes)
        object.__setattr__(self, "_frozen", True)

    def __setattr__(self, key, value):
        raise AttributeError("ReLUNetwork is immutable; build a new one instead.")

    def __reduce__(self):
        return (
            self.__class__,
            (list(self._weights), list(self._biases), list(self._slopes), self._output, self._feature_names, self._classes),
        )

    # ------------------------------------------------------------------ shape
    @property
    def weights(self) -> tuple[np.ndarray, ...]:
        """Weight matrices ``W^(0) .. W^(L)``, each (n_out, n_in), read-only."""
        return self._weights

    @property
    def biases(self) -> tuple[np.ndarray, ...]:
        """Bias vectors ``b^(0) .. b^(L)``, read-only."""
        return self._biases

    @property
    def slopes(self) -> tuple[float, ...]:
        """Negative-side slope of each hidden layer (0 = ReLU)."""
        return self._slopes

    @property
    def output(self) -> str:
        """The output link: 'identity', 'sigmoid' or 'softmax'."""
        return self._output

    @property
    def feature_names(self) -> tuple[str, ...] | None:
        """Names of the input features, or None."""
        return self._feature_names

    @property
    def classes(self) -> np.ndarray | None:
        """Class labels of a classifier (``classes[1]`` positive for one sigmoid output), or None."""
        return self._classes

    @property
    def n_features(self) -> int:
        """Number of input features ``d``."""
        return self._weights[0].shape[1]

    @property
    def n_outputs(self) -> int:
        """Number of output units ``k`` (logits for classifiers)."""
        return self._weights[-1].shape[0]

    @property
    def hidden_sizes(self) -> tuple[int, ...]:
        """Width ``n_l`` of each hidden layer."""
        return tuple(w.shape[0] for w in self._weights[:-1])

    @property
    def n_hidden_layers(self) -> int:
        """Number of hidden layers ``L``."""
        return len(self._weights) - 1

    @property
    def n_hidden_units(self) -> int:
        """Length of an activation pattern, ``sum_l n_l``."""
        return int(sum(self.hidden_sizes))

    @property
    def n_parameters(self) -> int:
        """Number of weights and biases."""
        return int(sum(w.size + b.size for w, b in zip(self._weights, self._biases)))

    @property
    def task(self) -> str:
        """'regression', 'binary' or 'multiclass' (from the output link)."""
        if self._output == "identity":
            return "regression"
        if self._output == "sigmoid" and self.n_outputs == 1:
            return "binary"
        if self._output == "sigmoid":
            return "multilabel"
        return "multiclass"

    def layer_slices(self) -> list[slice]:
        """Slices of each hidden layer's units inside a pattern vector."""
        out, start = [], 0
        for n in self.hidden_sizes:
            out.append(slice(start, start + n))
            start += n
        return out

    def __repr__(self) -> str:
        sizes = [self.n_features, *self.hidden_sizes, self.n_outputs]
        acts = sorted({"relu" if s == 0 else ("identity" if s == 1 else f"leaky({s:g})") for s in self._slopes})
        return f"ReLUNetwork(sizes={sizes}, activations={acts}, output={self._output!r})"

    def __eq__(self, other) -> bool:
        if not isinstance(other, ReLUNetwork):
            return NotImplemented
        return (
            self._slopes == other._slopes
            and self._output == other._output
            and self._feature_names == other._feature_names
            and len(self._weights) == len(other._weights)
            and all(np.array_equal(a, b) for a, b in zip(self._weights, other._weights))
            and all(np.array_equal(a, b) for a, b in zip(self._biases, other._biases))
            and (
                (self._classes is None and other._classes is None)
                or (self._classes is not None and other._classes is not None and np.array_equal(self._classes, other._classes))
            )
        )

    __hash__ = None  # mutable-looking arrays inside; equality is by value

    # --------------------------------------------------------------- forward
    def check_X(self, X) -> np.ndarray:
        """Validate ``X`` for this network and return a float64 array."""
        return check_features(X, self.n_features, self._feature_names)

    def _activate(self, z: np.ndarray, slope: float) -> np.ndarray:
        if slope == 0.0:
            return np.maximum(z, 0.0, out=z)
        if slope == 1.0:
            return z
        return np.where(z > 0, z, slope * z)

    def _forward_raw(self, X: np.ndarray, keep_pre: bool = False):
        """Forward pass on validated float64 X: (eta (n, k), list of z^(l) or None)."""
        h = X
        pre = [] if keep_pre else None
        for l in range(self.n_hidden_layers):
            z = h @ self._weights[l].T
            z += self._biases[l]
            if keep_pre:
                pre.append(z.copy())
            h = self._activate(z, self._slopes[l])
        eta = h @ self._weights[-1].T
        eta += self._biases[-1]
        return eta, pre

    def _squeeze(self, a: np.ndarray) -> np.ndarray:
        return a[:, 0] if a.shape[1] == 1 else a

    def decision_function(self, X) -> np.ndarray:
        """Pre-link output ``eta(x)`` (logits for classifiers), (n,) or (n, k)."""
        eta, _ = self._forward_raw(self.check_X(X))
        return self._squeeze(eta)

    def link(self, eta: np.ndarray) -> np.ndarray:
        """Apply the output link to ``eta`` of shape (n,) or (n, k)."""
        eta = np.asarray(eta, dtype=np.float64)
        if self._output == "identity":
            return eta
        if self._output == "sigmoid":
            return _sigmoid(eta)
        return _softmax(eta if eta.ndim == 2 else eta[None, :])

    def forward(self, X) -> np.ndarray:
        """Network output ``f(x) = link(eta(x))``, (n,) or (n, k)."""
        eta, _ = self._forward_raw(self.check_X(X))
        return self._squeeze(self.link(eta))

    __call__ = forward

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, scikit-learn layout: (n, 2) for a binary sigmoid net, (n, k) for softmax."""
        if self.task == "regression":
            raise InvalidInputError("predict_proba needs a classifier (sigmoid or softmax output); use forward().")
        p = self.forward(X)
        if self.task == "binary":
            return np.column_stack([1.0 - p, p])
        return p

    def predict(self, X) -> np.ndarray:
        """Predictions: class labels for classifiers (``classes`` when known), values for regression."""
        if self.task == "regression":
            return self.forward(X)
        eta = self.decision_function(X)
        if self.task == "binary":
            idx = (eta > 0).astype(np.int64)
        elif self.task == "multilabel":
            return (eta > 0).astype(np.int64)
        else:
            idx = eta.argmax(axis=1)
        return idx if self._classes is None else self._classes[idx]

    def preactivations(self, X) -> list[np.ndarray]:
        """Pre-activations ``z^(l)`` of every hidden layer, each (n, n_l)."""
        _, pre = self._forward_raw(self.check_X(X), keep_pre=True)
        return pre

    def patterns(self, X) -> np.ndarray:
        """Activation patterns (eq. 4-5): bool (n, sum n_l), True iff ``z > 0``."""
        X = self.check_X(X)
        if not self.n_hidden_layers:
            return np.zeros((X.shape[0], 0), bool)
        pre = self._forward_raw(X, keep_pre=True)[1]
        return np.concatenate([z > 0 if s != 1.0 else np.ones(z.shape, bool) for z, s in zip(pre, self._slopes)], axis=1)

    # ----------------------------------------------------------- affine maps
    def check_pattern(self, pattern) -> np.ndarray:
        """Validate patterns: bool (n_patterns, n_hidden_units); see :func:`reluscope.affine.check_pattern`."""
        return _affine.check_pattern(self, pattern)

    def affine_maps(self, patterns) -> tuple[np.ndarray, np.ndarray]:
        """Exact LLMs of many patterns (Theorem 1): coef (P, k, d), intercept (P, k); see :func:`reluscope.affine.affine_maps`."""
        return _affine.affine_maps(self, patterns)

    def affine_map(self, pattern) -> tuple[np.ndarray, np.ndarray]:
        """LLM of one pattern: coef (n_outputs, n_features), intercept (n_outputs,)."""
        return _affine.affine_map(self, pattern)

    def layer_affine_maps(self, pattern) -> list[tuple[np.ndarray, np.ndarray]]:
        """``(A_l, c_l)`` with ``z^(l) = A_l x + c_l`` inside the pattern's region, per hidden layer."""
        return _affine.layer_affine_maps(self, pattern)

    def region_inequalities(self, pattern) -> tuple[np.ndarray, np.ndarray]:
        """``(A, c)``: the closed region of the pattern is ``{x : A x <= c}`` (Lemma 1, eq. 8)."""
        return _affine.region_inequalities(self, pattern)

    # ---------------------------------------------------------------- files
    def save(self, path: str | Path) -> Path:
        """Save to a ``.npz`` file (no pickle: arrays plus JSON metadata); see :func:`reluscope.io.save_network`."""
        from .io import save_network

        return save_network(self, path)

    @classmethod
    def load(cls, path: str | Path) -> "ReLUNetwork":
        """Load a network written by :meth:`save` (never unpickles)."""
        from .io import load_network

        return load_network(path)
