"""Input validation shared by every public entry point.

Rules: 2-D, non-empty, numeric, finite, the network's number of features, and,
for a :class:`pandas.DataFrame`, the network's feature names.  Integer, boolean
and float32 data are widened to float64 (an exact conversion); nothing else is
cast.  A DataFrame whose columns are the network's features in another order is
re-ordered by name.  Two further inputs are accepted because the conversion is
exact: pandas nullable ``Int64`` / ``Float64`` / ``boolean`` columns without a
missing value (``pd.NA`` is refused by name), and SciPy sparse matrices, which
are densified a block of rows at a time (the LLMs need every coordinate).

The scalar checks (:func:`check_positive_int`, :func:`check_positive_number`,
:func:`check_region_ids`, :func:`check_region_id`) name the argument in every
message; every public function passes its parameters through them.
"""

from __future__ import annotations

import numbers
from typing import Sequence

import numpy as np
import pandas as pd

from .errors import FeatureMismatchError, InvalidInputError

__all__ = [
    "check_features",
    "check_target",
    "check_positive_int",
    "check_positive_number",
    "check_region_ids",
    "check_region_id",
    "check_global_metrics",
]

#: Rows densified at a time from a sparse matrix.
SPARSE_BLOCK_ROWS = 65_536


def _frame_to_numpy(X: pd.DataFrame, name: str) -> np.ndarray:
    """Numeric DataFrame -> ndarray; nullable extension columns converted when they hold no ``pd.NA``."""
    non_numeric = [str(c) for c, t in X.dtypes.items() if not (pd.api.types.is_numeric_dtype(t) or pd.api.types.is_bool_dtype(t))]
    if non_numeric:
        raise InvalidInputError(
            f"{name} has non-numeric columns {non_numeric[:10]}; encode them as numbers "
            "(e.g. one-hot) before passing them to the network."
        )
    extension = [c for c, t in X.dtypes.items() if pd.api.types.is_extension_array_dtype(t)]
    if not extension:
        return X.to_numpy()
    with_na = [str(c) for c in extension if X[c].isna().any()]
    if with_na:
        col = with_na[0]
        rows = np.flatnonzero(X[[c for c in X.columns if str(c) == col][0]].isna().to_numpy())
        raise InvalidInputError(
            f"{name} has missing values (pd.NA) in nullable column(s) {with_na[:10]}, the first in column "
            f"{col!r} at row {int(rows[0])}. Impute or drop those rows; a ReLU network has no activation "
            "region for a missing value."
        )
    return X.astype("float64").to_numpy()


def _sparse_to_dense(X, n_features: int | None, name: str) -> np.ndarray:
    """A SciPy sparse matrix densified a block of rows at a time (shape checked first)."""
    if X.ndim != 2:
        raise InvalidInputError(f"{name} must be 2-D (n_samples, n_features); got a sparse array of shape {X.shape}.")
    if n_features is not None and X.shape[1] != n_features:
        raise FeatureMismatchError(
            f"{name} has {X.shape[1]} features but the network takes {n_features}; "
            "pass the same columns the network was trained on."
        )
    if not (np.issubdtype(X.dtype, np.number) or np.issubdtype(X.dtype, np.bool_)) or np.issubdtype(X.dtype, np.complexfloating):
        raise InvalidInputError(f"{name} is a sparse matrix of dtype {X.dtype}; reluscope needs real numbers.")
    X = X.tocsr()
    out = np.empty(X.shape, dtype=np.float64)
    for s in range(0, X.shape[0], SPARSE_BLOCK_ROWS):
        out[s : s + SPARSE_BLOCK_ROWS] = X[s : s + SPARSE_BLOCK_ROWS].toarray()
    return out


def _is_sparse(X) -> bool:
    try:
        import scipy.sparse as sp
    except ImportError:  # pragma: no cover - scipy is a core dependency
        return False
    return sp.issparse(X)


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
    X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
    n_features : int, optional
        Number of features expected.
    feature_names : sequence of str, optional
        Names expected; used to select and order DataFrame columns.
    name : str
        Name used in error messages.

    Raises
    ------
    InvalidInputError
        1-D, empty, non-numeric, NaN, ``pd.NA`` or infinite data.
    FeatureMismatchError
        Wrong number of features or unknown feature names.
    """
    if X is None:
        raise InvalidInputError(f"{name} is None; pass a 2-D array or DataFrame (n_samples, n_features).")
    if _is_sparse(X):
        X = _sparse_to_dense(X, n_features, name)
    if isinstance(X, pd.DataFrame):
        columns = [str(c) for c in X.columns]
        if feature_names is not None:
            expected = [str(f) for f in feature_names]
            unknown = [c for c in columns if c not in expected]
            missing = [f for f in expected if f not in columns]
            duplicated = sorted({c for c in columns if columns.count(c) > 1})
            if unknown or missing or duplicated:
                raise FeatureMismatchError(
                    f"{name} has columns that do not match the network's features: "
                    f"unknown {unknown[:10]}, missing {missing[:10]}"
                    + (f", repeated {duplicated[:10]}" if duplicated else "")
                    + f". Pass a DataFrame with exactly the columns {expected[:10]}"
                    + f"{'...' if len(expected) > 10 else ''}, or a NumPy array in that order."
                )
            X = X[[X.columns[columns.index(f)] for f in expected]]
        X = _frame_to_numpy(X, name)
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


def _target_array(y, name: str) -> np.ndarray:
    """pandas / list target -> ndarray; nullable columns converted when they hold no ``pd.NA``."""
    if isinstance(y, pd.DataFrame) and y.shape[1] == 1:
        y = y.iloc[:, 0]
    if isinstance(y, (pd.Series, pd.DataFrame)):
        dtypes = [y.dtype] if isinstance(y, pd.Series) else list(y.dtypes)
        if not any(pd.api.types.is_extension_array_dtype(t) for t in dtypes):
            return y.to_numpy()
        na = np.flatnonzero(np.asarray(y.isna()).reshape(len(y), -1).any(axis=1))
        if na.size:
            raise InvalidInputError(
                f"{name} has {na.size} missing value(s) (pd.NA), the first at row {int(na[0])}; drop or impute those rows."
            )
        if isinstance(y, pd.Series) and getattr(y.dtype, "numpy_dtype", None) is not None and y.dtype.numpy_dtype != object:
            return y.to_numpy(dtype=y.dtype.numpy_dtype)
        if all(pd.api.types.is_numeric_dtype(t) for t in dtypes):
            return y.astype("float64").to_numpy()
        return y.to_numpy(dtype=object)
    try:
        return np.asarray(y)
    except Exception as exc:  # ragged lists
        raise InvalidInputError(f"{name} could not be read as an array of targets: {exc}") from exc


def _object_target(y: np.ndarray, name: str) -> np.ndarray:
    """Object targets: refuse None / NaN, turn all-number arrays into float64, keep labels."""
    na = np.flatnonzero(pd.isna(y).reshape(len(y), -1).any(axis=1))
    if na.size:
        raise InvalidInputError(
            f"{name} has {na.size} missing value(s) (None / NaN), the first at row {int(na[0])}; drop or impute those rows."
        )
    flat = y.ravel()
    if all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in flat):
        return y.astype(np.float64)
    return y


def _check_target_for_network(y: np.ndarray, network, name: str) -> np.ndarray:
    """Target vs the network: numeric and one column per output for regression, known labels for classifiers."""
    task, k = network.task, network.n_outputs
    numeric = np.issubdtype(y.dtype, np.number) or np.issubdtype(y.dtype, np.bool_)
    if task in ("regression", "multilabel"):
        if not numeric:
            raise InvalidInputError(
                f"{name} holds non-numeric values (e.g. {y.ravel()[:3].tolist()}); a {task} network needs numeric "
                "targets. Encode them as numbers, or build the network with a sigmoid/softmax output for labels."
            )
        n_cols = 1 if y.ndim == 1 else y.shape[1]
        if n_cols != k:
            raise InvalidInputError(
                f"{name} has {n_cols} column(s) but the network has {k} output(s); pass one target column per "
                f"output, shape (n_samples,{'' if k == 1 else f' {k}'})."
            )
        return y
    if y.ndim != 1:
        raise InvalidInputError(f"{name} must be 1-D class labels for a {task} network; got shape {y.shape}.")
    classes = network.classes
    if classes is None:
        classes = np.array([0, 1]) if task == "binary" else np.arange(k)
    classes = np.asarray(classes)
    try:
        unknown = ~np.isin(y, classes)
    except TypeError:
        unknown = np.array([v not in set(classes.tolist()) for v in y])
    if unknown.any() and network.classes is None and task == "binary":
        raise InvalidInputError(
            f"{name}: a binary network without class labels needs {name} in {{0, 1}}; got values "
            f"{pd.unique(y[unknown])[:5].tolist()}. Pass classes=... when building the network."
        )
    if unknown.any():
        raise InvalidInputError(
            f"{name} holds labels {pd.unique(y[unknown])[:5].tolist()} that are not the network's classes "
            f"{classes.tolist()[:20]}; pass labels among them (or build the network with classes=...)."
        )
    return y


def check_target(y, n_samples: int, *, name: str = "y", network=None) -> np.ndarray:
    """Validate a target vector (or 2-D target for multi-output regression).

    Parameters
    ----------
    y : array-like, Series or DataFrame
    n_samples : int
        Rows of the matching ``X``.
    name : str
        Name used in error messages.
    network : ReLUNetwork, optional
        When given, the target is checked against it: numeric with one column
        per output for regression (a 1-D ``y`` for a 1-output net), 1-D labels
        among ``network.classes`` for classifiers ({0, 1} / ``0..k-1`` when the
        network has no class labels).

    Raises
    ------
    InvalidInputError
        Length mismatch, missing values (None / NaN / pd.NA), inf in a numeric
        target, complex values, more than 2 dimensions, or a mismatch with the
        network's outputs.
    """
    y = _target_array(y, name)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim not in (1, 2):
        raise InvalidInputError(f"{name} must be 1-D (or 2-D for multi-output); got shape {y.shape}.")
    if y.shape[0] != n_samples:
        raise InvalidInputError(
            f"{name} has {y.shape[0]} rows but X has {n_samples}; pass one target per row of X."
        )
    if np.issubdtype(y.dtype, np.complexfloating):
        raise InvalidInputError(f"{name} is complex; pass real numbers or class labels.")
    if y.dtype == object:
        y = _object_target(y, name)
    if np.issubdtype(y.dtype, np.number) and not np.issubdtype(y.dtype, np.integer):
        if not np.isfinite(y).all():
            raise InvalidInputError(f"{name} contains NaN or infinite values; drop or impute those rows.")
    if network is not None:
        y = _check_target_for_network(y, network, name)
    return y


# ------------------------------------------------------------------ parameters
def check_positive_int(value, name: str) -> int:
    """An integer ``>= 1`` (not a bool, not a float); returned as ``int``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)):
        raise InvalidInputError(f"{name} must be a positive integer; got {value!r} ({type(value).__name__}).")
    if int(value) < 1:
        raise InvalidInputError(f"{name} must be a positive integer; got {value!r}.")
    return int(value)


def check_positive_number(value, name: str) -> float:
    """A finite real number ``> 0`` (not a bool, not a string); returned as ``float``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.integer, np.floating)):
        raise InvalidInputError(f"{name} must be a positive number; got {value!r} ({type(value).__name__}).")
    v = float(value)
    if not (np.isfinite(v) and v > 0):
        raise InvalidInputError(f"{name} must be a finite number > 0; got {value!r}.")
    return v


def check_region_ids(regions, n_regions: int, *, name: str = "regions", allow_unseen: bool = False, n_rows: int | None = None) -> np.ndarray:
    """Region ids as a 1-D int64 array, each in ``0..n_regions-1`` (or -1 = unseen when allowed).

    -1 is what :meth:`LocalLinearModels.region_of` returns for a pattern never
    seen in the unwrapped data; it has no LLM, so it is refused wherever an LLM
    or a pattern is looked up (as a NumPy index it would silently mean the last
    region).
    """
    arr = np.asarray(regions)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        raise InvalidInputError(f"{name} must be integer region ids; got {regions!r:.80} (dtype {arr.dtype}).")
    if arr.ndim > 1:
        raise InvalidInputError(f"{name} must be a region id or a 1-D list of them; got shape {arr.shape}.")
    arr = np.atleast_1d(arr).astype(np.int64)
    if n_rows is not None and arr.shape[0] != n_rows:
        raise InvalidInputError(f"{name} has {arr.shape[0]} ids but X has {n_rows} rows; pass one region id per row.")
    low = -1 if allow_unseen else 0
    bad = arr[(arr < low) | (arr >= n_regions)]
    if bad.size:
        hint = " (-1 marks a row in no unwrapped region: it has no LLM)" if (bad == -1).any() else ""
        raise InvalidInputError(
            f"{name} {bad[:5].tolist()} out of range{hint}: there are {n_regions} regions, ids 0..{n_regions - 1}"
            + (", or -1 for unseen rows." if allow_unseen else ".")
        )
    return arr


def check_region_id(region, n_regions: int, *, name: str = "region") -> int:
    """One region id in ``0..n_regions-1``."""
    if np.ndim(region) != 0:
        raise InvalidInputError(f"{name} must be one integer region id; got {region!r:.80}.")
    return int(check_region_ids(region, n_regions, name=name)[0])


def check_global_metrics(value, name: str = "global_metrics"):
    """'auto', 'all', 'none' / None / False, or a number of top regions (an integer >= 0)."""
    if value is None or value is False or (isinstance(value, str) and value in ("auto", "all", "none")):
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)) or int(value) < 0:
        raise InvalidInputError(f"{name}={value!r}: use 'auto', 'all', 'none' or a number (>= 0) of top regions.")
    return int(value)
