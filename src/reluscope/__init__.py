"""reluscope: open up trained ReLU networks exactly.

A ReLU network is piecewise affine: every input lands in a convex activation
region where the network is one affine map.  reluscope unwraps a trained
network into these exact local linear models (LLMs) and builds
interpretation, diagnostics and simplification on them.
"""

from .adapters import from_arrays, from_onnx, from_sklearn, from_torch
from .errors import (
    FeatureMismatchError,
    InvalidInputError,
    NotExactError,
    ReluscopeError,
    ShapeMismatchError,
    UnsupportedActivationError,
    UnsupportedLayerError,
    UntrustedFileError,
)
from .estimators import ReLUNetClassifier, ReLUNetRegressor
from .network import ReLUNetwork
from .unwrap import LocalLinearModels, Unwrapper, unwrap

__version__ = "0.1.0"

_SUBMODULES = ("interpret", "diagnose", "plot", "simplify", "report", "datasets", "estimators", "io", "summary", "patterns", "affine", "geometry", "probability", "scale", "practical", "certify", "extract")


def __getattr__(name):
    """Lazy sub-modules: ``reluscope.plot`` imports matplotlib only when first used."""
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'reluscope' has no attribute {name!r}")

__all__ = [
    "ReLUNetwork",
    "ReLUNetClassifier",
    "ReLUNetRegressor",
    "from_arrays",
    "from_sklearn",
    "from_torch",
    "from_onnx",
    "unwrap",
    "Unwrapper",
    "LocalLinearModels",
    "ReluscopeError",
    "InvalidInputError",
    "FeatureMismatchError",
    "ShapeMismatchError",
    "UnsupportedLayerError",
    "UnsupportedActivationError",
    "NotExactError",
    "UntrustedFileError",
]
