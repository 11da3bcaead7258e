"""Converters from framework models to the canonical :class:`~reluscope.ReLUNetwork`.

Each adapter converts once, at the edge; every algorithm of reluscope then
consumes the ``ReLUNetwork``.
"""

from .arrays import from_arrays
from .sklearn import from_sklearn


def from_torch(module, *args, **kwargs):
    """Convert a PyTorch MLP; see :func:`reluscope.adapters.torch.from_torch`."""
    from .torch import from_torch as _from_torch

    return _from_torch(module, *args, **kwargs)


def from_onnx(model, *args, **kwargs):
    """Convert an ONNX MLP; see :func:`reluscope.adapters.onnx.from_onnx`."""
    from .onnx import from_onnx as _from_onnx

    return _from_onnx(model, *args, **kwargs)


__all__ = ["from_arrays", "from_sklearn", "from_torch", "from_onnx"]
