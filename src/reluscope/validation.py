"""Input validation shared by every public entry point.

Rules: 2-D, non-empty, numeric, finite, the network's number of features, and,
for a :class:`pandas.DataFrame`, the network's feature names.  Integer, boolean
and float32 data are widened to float64 (an exact conversion); nothing else is
cast.  A DataFrame whose columns are the network's features in another order is
re-ordered by name.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from .errors import FeatureMismatchError, InvalidInputError

__all__ = ["check_features", "check_target"]


def check_features(
    X,
    n_features: int | None = None,
    feature_names: Sequence[str] | None = None,
    *,
    name: str = "X",
) -> np.ndarray:
    """Validate ``X`` and return it as a C-contiguous float64 array.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features)
    n_features : int, optional
        Number of features expected.
    feature_names : sequence of str, optional
        Names expected; used to select and order DataFrame columns.
    name : str
        Name used in error messages.

    Raises
    ------
    InvalidInputError
        1-D, empty, non-numeric, NaN or infinite data.
    FeatureMismatchError
        Wrong number of features or unknown feature names.
    """
    if isinstance(X, pd.DataFrame):
        columns = [str(c) for c in X.columns]
        if feature_names is not None:
            expected = [str(f) for f in feature_names]
            unknown = [c for c in columns if c not in expected]
            missing = [f for f in expected if f not in columns]
            if unknown or missing:
                raise FeatureMismatchError(
                    f"{name} has columns that do not match the network's features: "
                    f"unknown {unknown[:10]}, missing {missing[:10]}. Pass a DataFrame "
                    f"with exactly the columns {expected[:10]}{'...' if len(expected) > 10 else ''}, "
                    "or a NumPy array in that order."
                )
            X = X[[X.columns[columns.index(f)] for f in expected]]
        non_numeric = [str(c) for c, t in X.dtypes.items() if not (pd.api.types.is_numeric_dtype(t) or pd.api.types.is_bool_dtype(t))]
        if non_numeric:
            raise InvalidInputError(
                f"{name} has non-numeric columns {non_numeric[:10]}; encode them as numbers "
                "(e.g. one-hot) before passing them to the network."
            )
        X = X.to_numpy()
    elif isinstance(X, pd.Series):
        raise InvalidInputError(
            f"{name} is a pandas Series (1-D). Pass a 2-D table: X.to_frame() for one "
            "feature, or X.to_frame().T for one sample."
        )
    try:
        arr = np.asarray(X)
    except Exception as exc:  # ragged lists and the like
        raise InvalidInputError(f"{name} could not be read as a 2-D numeric array: {exc}") from exc
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise InvalidInputError(
            f"{name} has dtype {arr.dtype}; reluscope needs numbers. Convert strings or "
            "objects to numeric columns first."
        )
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise InvalidInputError(f"{name} is complex; ReLU networks take real inputs.")
    if arr.ndim != 2:
        hint = (
            "use X.reshape(-1, 1) for a single feature or X.reshape(1, -1) for a single sample"
            if arr.ndim == 1
            else "flatten it to (n_samples, n_features)"
        )
        raise InvalidInputError(f"{name} must be 2-D (n_samples, n_features); got shape {arr.shape}: {hint}.")
    if arr.shape[0] == 0:
        raise InvalidInputError(f"{name} is empty (0 samples); pass at least one row.")
    if n_features is not None and arr.shape[1] != n_features:
        raise FeatureMismatchError(
            f"{name} has {arr.shape[1]} features but the network takes {n_features}; "
            "pass the same columns the network was trained on."
        )
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    if not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))
        r, c = bad[0]
        raise InvalidInputError(
            f"{name} contains {len(bad)} NaN or infinite value(s), the first at row {r}, "
            f"column {c}. Impute or drop them before unwrapping; a ReLU network has no "
            "activation region for them."
        )
    return arr


def check_target(y, n_samples: int, *, name: str = "y") -> np.ndarray:
    """Validate a target vector (or 2-D target for multi-output regression).

    Raises
    ------
    InvalidInputError
        Length mismatch, NaN/inf in a numeric target, or more than 2 dimensions.
    """
    if isinstance(y, (pd.Series, pd.DataFrame)):
        y = y.to_numpy()
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim not in (1, 2):
        raise InvalidInputError(f"{name} must be 1-D (or 2-D for multi-output); got shape {y.shape}.")
    if y.shape[0] != n_samples:
        raise InvalidInputError(
            f"{name} has {y.shape[0]} rows but X has {n_samples}; pass one target per row of X."
        )
    if np.issubdtype(y.dtype, np.number) and not np.issubdtype(y.dtype, np.integer):
        if not np.isfinite(y).all():
            raise InvalidInputError(f"{name} contains NaN or infinite values; drop or impute those rows.")
    return y
