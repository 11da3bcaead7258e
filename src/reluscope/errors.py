"""Typed exceptions of reluscope.

Every error the library raises on purpose derives from :class:`ReluscopeError`.
Errors caused by a bad value passed by the user also derive from
:class:`ValueError`, so ``except ValueError`` keeps working in user code, as
scikit-learn users expect.  Each message says what was wrong and what to do.
"""

from __future__ import annotations

__all__ = [
    "ReluscopeError",
    "InvalidInputError",
    "FeatureMismatchError",
    "ShapeMismatchError",
    "UnsupportedLayerError",
    "UnsupportedActivationError",
    "NotExactError",
    "UntrustedFileError",
    "InvalidModelFileError",
    "CovarianceError",
    "ClusterError",
    "DeviceError",
    "QueryBudgetExceededError",
    "NotPiecewiseLinearError",
    "ExtractionError",
]


class ReluscopeError(Exception):
    """Base class of every error raised on purpose by reluscope.

    Examples
    --------
    One ``except`` clause catches every error the library raises on purpose:

    >>> import numpy as np, reluscope
    >>> net = reluscope.from_arrays([np.ones((3, 2)), np.ones((1, 3))], [np.zeros(3), np.zeros(1)])
    >>> try:
    ...     net.forward(np.ones((4, 5)))
    ... except reluscope.ReluscopeError as exc:
    ...     print(type(exc).__name__)
    FeatureMismatchError
    """


class InvalidInputError(ReluscopeError, ValueError):
    """The data passed in cannot be used as given (NaN/inf, 1-D, empty, non-numeric).

    Also a :class:`ValueError`.

    Examples
    --------
    >>> import numpy as np, reluscope
    >>> net = reluscope.from_arrays([np.ones((3, 2)), np.ones((1, 3))], [np.zeros(3), np.zeros(1)])
    >>> net.forward(np.array([[np.nan, 1.0]]))
    Traceback (most recent call last):
    ...
    reluscope.errors.InvalidInputError: X contains 1 NaN or infinite value(s), the first at row 0, column 0. ...
    >>> issubclass(reluscope.InvalidInputError, ValueError)
    True
    """


class FeatureMismatchError(InvalidInputError):
    """The data has the wrong number of features or unknown feature names.

    Examples
    --------
    >>> import numpy as np, reluscope
    >>> net = reluscope.from_arrays([np.ones((3, 2)), np.ones((1, 3))], [np.zeros(3), np.zeros(1)])
    >>> net.forward(np.ones((4, 3)))
    Traceback (most recent call last):
    ...
    reluscope.errors.FeatureMismatchError: X has 3 features but the network takes 2; ...
    """


class ShapeMismatchError(ReluscopeError, ValueError):
    """Weights and biases of a network do not chain (layer shapes disagree).

    Examples
    --------
    scikit-learn's ``coefs_`` are (n_in, n_out); reluscope takes (n_out, n_in):

    >>> import numpy as np, reluscope
    >>> reluscope.from_arrays([np.ones((3, 2)), np.ones((3, 1))], [np.zeros(3), np.zeros(3)])
    Traceback (most recent call last):
    ...
    reluscope.errors.ShapeMismatchError: weights[1] takes 1 inputs but layer 0 has 3 units. ...
    """


class UnsupportedLayerError(ReluscopeError, ValueError):
    """A framework model contains a layer that is not piecewise affine or not supported.

    Examples
    --------
    >>> import torch, reluscope
    >>> reluscope.from_torch(torch.nn.Sequential(torch.nn.Conv1d(1, 2, 3), torch.nn.ReLU()))
    Traceback (most recent call last):
    ...
    reluscope.errors.UnsupportedLayerError: ...Conv1d...
    """


class UnsupportedActivationError(UnsupportedLayerError):
    """A hidden activation other than ReLU / LeakyReLU / identity (e.g. tanh, sigmoid).

    Examples
    --------
    >>> import numpy as np, reluscope
    >>> reluscope.from_arrays([np.ones((3, 2)), np.ones((1, 3))], [np.zeros(3), np.zeros(1)], activation="tanh")
    Traceback (most recent call last):
    ...
    reluscope.errors.UnsupportedActivationError: Hidden activation 'tanh' is not supported: ...
    >>> issubclass(reluscope.UnsupportedActivationError, reluscope.UnsupportedLayerError)
    True
    """


class NotExactError(ReluscopeError, ArithmeticError):
    """Local linear models failed to reproduce the network beyond round-off tolerance.

    Also an :class:`ArithmeticError`.

    Examples
    --------
    Weights near the float64 limit overflow, so exactness cannot be certified:

    >>> import numpy as np, reluscope
    >>> big = reluscope.from_arrays([np.full((2, 2), 1e200), np.full((1, 2), 1e200)], [np.zeros(2), np.zeros(1)])
    >>> with np.errstate(all="ignore"):
    ...     reluscope.unwrap(big, np.ones((3, 2)))
    Traceback (most recent call last):
    ...
    reluscope.errors.NotExactError: The network output or its local linear model is NaN or infinite on 3 row(s) of X ...
    """


class UntrustedFileError(ReluscopeError, ValueError):
    """Loading this file would unpickle arbitrary code; an explicit trust flag is required.

    Examples
    --------
    >>> import pickle, tempfile, pathlib
    >>> from reluscope.io import load_model
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.pkl"
    >>> path.write_bytes(pickle.dumps({"not": "a model"})) > 0
    True
    >>> load_model(path)
    Traceback (most recent call last):
    ...
    reluscope.errors.UntrustedFileError: ... is a pickle: loading it runs arbitrary code. ...
    """


class InvalidModelFileError(InvalidInputError):
    """A model file is missing, truncated, corrupt or inconsistent (not a readable model of its type)."""


class CovarianceError(InvalidInputError):
    """A covariance matrix is not symmetric positive semi-definite, or is singular where a density is required."""


class ClusterError(ReluscopeError, ConnectionError):
    """A Dask scheduler could not be reached (wrong address, not running, timed out)."""


class DeviceError(ReluscopeError, ValueError):
    """The requested compute device (e.g. ``device='cuda'``) is not available or not understood."""


class QueryBudgetExceededError(ReluscopeError, RuntimeError):
    """A query oracle was asked for more queries than its budget allows."""


class NotPiecewiseLinearError(ReluscopeError, ValueError):
    """A black box is not piecewise linear along lines (e.g. tanh), so it is not a ReLU network."""


class ExtractionError(ReluscopeError, RuntimeError):
    """Query-based extraction could not recover a consistent network (oracle mode, architecture or budget)."""
