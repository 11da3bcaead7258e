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
    """Base class of every error raised on purpose by reluscope."""


class InvalidInputError(ReluscopeError, ValueError):
    """The data passed in cannot be used as given (NaN/inf, 1-D, empty, non-numeric)."""


class FeatureMismatchError(InvalidInputError):
    """The data has the wrong number of features or unknown feature names."""


class ShapeMismatchError(ReluscopeError, ValueError):
    """Weights and biases of a network do not chain (layer shapes disagree)."""


class UnsupportedLayerError(ReluscopeError, ValueError):
    """A framework model contains a layer that is not piecewise affine or not supported."""


class UnsupportedActivationError(UnsupportedLayerError):
    """A hidden activation other than ReLU / LeakyReLU / identity (e.g. tanh, sigmoid)."""


class NotExactError(ReluscopeError, ArithmeticError):
    """Local linear models failed to reproduce the network beyond round-off tolerance."""


class UntrustedFileError(ReluscopeError, ValueError):
    """Loading this file would unpickle arbitrary code; an explicit trust flag is required."""


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
