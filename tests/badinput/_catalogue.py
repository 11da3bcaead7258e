"""The catalogue of bad (and unusual but valid) feature matrices for a 3-feature network.

Each entry: ``(id, value, ref_named, ref_positional, must_accept)``.  ``ref_*``
is the float64 matrix the call must see when it accepts the value -- under the
feature-name rule (names seen at fit: a DataFrame is checked and re-ordered by
name) and positionally (no names seen) -- or None when the value must be
refused.  ``must_accept``: refusing it is a bug too (valid data).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

X0 = np.random.default_rng(7).normal(size=(7, 3))
X0[0, 1] = 0.0  # an explicit zero for the sparse entries
Y0 = np.linspace(-1.0, 1.0, 7)


def _df(X, cols):
    return pd.DataFrame(X, columns=list(cols))


def _with(X, i, j, v):
    X = X.copy()
    X[i, j] = v
    return X


def _nullable(dtype, na):
    df = _df(np.round(X0 * 10) if dtype == "Int64" else X0, "abc").astype(dtype)
    if na:
        df.iloc[3, 1] = pd.NA
    return df


def catalogue():
    ints = np.round(X0 * 10).astype(np.int64)
    f32 = X0.astype(np.float32)
    str_col = _df(X0, "abc").assign(c=["u"] * 7)
    date_col = _df(X0, "abc").assign(c=pd.date_range("2020-01-01", periods=7))
    reordered = _df(X0[:, [2, 0, 1]], "cab")
    return [
        ("nan", _with(X0, 2, 1, np.nan), None, None, False),
        ("posinf", _with(X0, 4, 0, np.inf), None, None, False),
        ("neginf", _with(X0, 5, 2, -np.inf), None, None, False),
        ("nan_in_frame", _df(_with(X0, 1, 1, np.nan), "abc"), None, None, False),
        ("empty", np.empty((0, 3)), None, None, False),
        ("empty_frame", _df(np.empty((0, 3)), "abc"), None, None, False),
        ("one_d", X0[0], None, None, False),
        ("three_d", X0[:, :, None], None, None, False),
        ("too_wide", np.hstack([X0, X0[:, :1]]), None, None, False),
        ("too_narrow", X0[:, :2], None, None, False),
        ("strings", X0.astype(str), None, None, False),
        ("words", np.full((7, 3), "x"), None, None, False),
        ("string_column", str_col, None, None, False),
        ("datetime_column", date_col, None, None, False),
        ("nullable_int", _nullable("Int64", False), np.round(X0 * 10), np.round(X0 * 10), True),
        ("nullable_float", _nullable("Float64", False), X0, X0, True),
        ("nullable_float_na", _nullable("Float64", True), None, None, False),
        ("nullable_int_na", _nullable("Int64", True), None, None, False),
        ("sparse_csr", sp.csr_matrix(X0), X0, X0, True),
        ("sparse_coo", sp.coo_matrix(X0), X0, X0, True),
        ("sparse_wrong_width", sp.csr_matrix(X0[:, :2]), None, None, False),
        ("sparse_nan", sp.csr_matrix(_with(X0, 2, 2, np.nan)), None, None, False),
        ("series", pd.Series(X0[0], index=list("abc")), None, None, False),
        ("list", X0.tolist(), X0, X0, True),
        ("ragged", [[1.0, 2.0, 3.0], [1.0, 2.0]], None, None, False),
        ("none", None, None, None, False),
        ("scalar", 3.0, None, None, False),
        ("complex", X0 + 1j, None, None, False),
        ("bool", X0 > 0, (X0 > 0).astype(float), (X0 > 0).astype(float), True),
        ("float32", f32, f32.astype(np.float64), f32.astype(np.float64), True),
        ("int", ints, ints.astype(float), ints.astype(float), True),
        ("array", X0, X0, X0, True),
        ("reordered_names", reordered, X0, reordered.to_numpy(), True),
        ("missing_name", _df(X0[:, :2], "ab"), None, None, False),
        ("extra_name", _df(np.hstack([X0, X0[:, :1]]), "abcd"), None, None, False),
        ("renamed", _df(X0, "abz"), None, X0, False),
        ("duplicate_names", _df(X0, "aab"), None, X0, False),
        ("integer_names", pd.DataFrame(X0), None, X0, False),
    ]
