"""Input checks shared by the certificates (network, one row, norm, box, class)."""

from __future__ import annotations

import numpy as np

from ..errors import InvalidInputError
from ..network import ReLUNetwork

NORMS = {2: 2, "2": 2, "l2": 2, 1: 1, "1": 1, "l1": 1, np.inf: np.inf, "inf": np.inf, "linf": np.inf}


def check_network(network) -> ReLUNetwork:
    if not isinstance(network, ReLUNetwork):
        raise InvalidInputError(
            f"Certificates need a reluscope.ReLUNetwork, got {type(network).__name__}. Convert a framework model "
            "with reluscope.from_torch / from_sklearn / from_onnx; networks with a non-piecewise-linear activation "
            "(tanh, sigmoid, GELU in hidden layers) cannot be certified exactly and are refused there."
        )
    return network


def check_norm(norm, allowed=(1, 2, np.inf)):
    key = norm.lower() if isinstance(norm, str) else norm
    if key not in NORMS or NORMS[key] not in allowed:
        names = ", ".join("inf" if a == np.inf else str(a) for a in allowed)
        raise InvalidInputError(f"norm={norm!r} is not supported here; use one of {names}.")
    return NORMS[key]


def check_row(network: ReLUNetwork, x) -> np.ndarray:
    X = network.check_X(np.asarray(x, dtype=float).reshape(1, -1) if np.ndim(x) == 1 else x)
    if X.shape[0] != 1:
        raise InvalidInputError(f"Pass one input row (shape ({network.n_features},)); got {X.shape[0]} rows.")
    return X[0]


def check_box(network: ReLUNetwork, box, default=None) -> np.ndarray | None:
    """A box as (d, 2) [low, high] per feature, or None."""
    if box is None:
        return default
    b = np.asarray(box, dtype=float)
    d = network.n_features
    if b.shape == (2, d) and d != 2:
        b = b.T
    if b.shape != (d, 2):
        raise InvalidInputError(f"box must have shape ({d}, 2): [low, high] per feature; got {np.shape(box)}.")
    if np.isnan(b).any() or (b[:, 0] > b[:, 1]).any():
        raise InvalidInputError("box needs low <= high for every feature (and no NaN).")
    return b


def feature_indices(network: ReLUNetwork, features, what: str) -> np.ndarray:
    """Feature positions from names or integers."""
    if features is None:
        return np.zeros(0, dtype=int)
    if isinstance(features, (str, int, np.integer)):
        features = [features]
    out = []
    names = network.feature_names
    for f in features:
        if isinstance(f, (int, np.integer)) and not isinstance(f, bool):
            if not 0 <= int(f) < network.n_features:
                raise InvalidInputError(f"{what}: feature index {f} is out of range 0..{network.n_features - 1}.")
            out.append(int(f))
        elif names is not None and str(f) in names:
            out.append(names.index(str(f)))
        else:
            raise InvalidInputError(f"{what}: unknown feature {f!r}; pass an index or one of {names}.")
    return np.asarray(out, dtype=int)


def class_index(network: ReLUNetwork, target) -> int:
    """Index of a class label (or of an output for identity nets); 0/1 for a single logit."""
    n_classes = 2 if network.n_outputs == 1 else network.n_outputs
    classes = network.classes
    if classes is not None:
        hits = np.flatnonzero(classes == target)
        if hits.size:
            return int(hits[0])
    if isinstance(target, (int, np.integer)) and not isinstance(target, bool) and 0 <= int(target) < n_classes:
        if classes is None:
            return int(target)
    known = list(classes) if classes is not None else list(range(n_classes))
    raise InvalidInputError(f"target={target!r} is not a class of this network; its classes are {known}.")


def predicted_index(network: ReLUNetwork, eta: np.ndarray) -> int:
    """Class index from pre-link outputs of one row: eta > 0 for one logit, argmax otherwise."""
    eta = np.atleast_1d(eta)
    return int(eta[0] > 0) if eta.size == 1 else int(np.argmax(eta))
