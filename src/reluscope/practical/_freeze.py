"""Freeze the activation pattern of a ReLU CNN: every ReLU mask and max-pool selection.

A :class:`torch.overrides.TorchFunctionMode` sees every ``relu`` and ``max_pool2d``
call of a forward pass, from ``nn`` modules and from functional calls alike. In
``record`` mode it notes the pattern at the input (the ReLU on/off mask and the
index max-pooling selects in each window); in ``frozen`` mode it replaces
``relu(z)`` by ``z * mask`` and ``max_pool2d(z)`` by ``z`` gathered at the recorded
indices. With the pattern frozen the network is one affine map (thesis ``000``
ch. 2; unwrapping paper ``001`` section 2: the local linear model of the region).
Smooth activations met on the way raise :class:`UnsupportedActivationError`.
"""

from __future__ import annotations

from ..errors import UnsupportedActivationError

__all__ = ["PatternMode", "SMOOTH_FUNCTIONS"]

#: Functional calls that make a network not piecewise linear.
SMOOTH_FUNCTIONS = {
    "tanh", "sigmoid", "gelu", "elu", "selu", "celu", "silu", "mish", "softplus", "softsign", "relu6", "hardtanh",
    "hardswish", "hardsigmoid", "logsigmoid", "softmax", "log_softmax", "softmin", "layer_norm", "group_norm",
    "exp", "log", "sin", "cos", "erf", "glu", "tanhshrink", "softshrink", "hardshrink", "threshold",
}
_RELU = {"relu", "relu_"}
_LEAKY = {"leaky_relu", "leaky_relu_"}
_POOL = {"max_pool2d", "_max_pool2d", "max_pool2d_with_indices"}


def _name(func) -> str:
    return getattr(func, "__name__", str(func)).split(".")[-1]


def _pool_args(args, kwargs) -> dict:
    names = ("kernel_size", "stride", "padding", "dilation", "ceil_mode")
    out = dict(zip(names, args[1:6]))
    out.update({k: kwargs[k] for k in names if k in kwargs})
    if out.get("stride") in (None, []):
        out["stride"] = out["kernel_size"]
    return out


def _make_mode():
    import torch
    from torch.overrides import TorchFunctionMode
    from torch.nn import functional as F

    class PatternMode(TorchFunctionMode):
        """``mode="record"`` stores the pattern in ``self.pattern``; ``mode="frozen"`` replays it.

        ``self.captured`` collects ``(kind, pre_activation, pattern_entry, pool_args)`` in call order when
        ``capture=True`` (used for the region constraints).
        """

        def __init__(self, mode: str, pattern: list | None = None, capture: bool = False):
            super().__init__()
            self.mode, self.pattern, self.capture = mode, ([] if pattern is None else pattern), capture
            self.captured: list = []
            self._i = 0

        def _next(self):
            entry = self.pattern[self._i]
            self._i += 1
            return entry

        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            name = _name(func)
            if name in SMOOTH_FUNCTIONS:
                raise UnsupportedActivationError(
                    f"The forward calls {name}, which is not piecewise linear: the CNN has no exact local linear model. "
                    "Only Conv2d / Linear / ReLU / LeakyReLU / MaxPool2d / Flatten (and eval-mode BatchNorm, Dropout, "
                    "AvgPool2d) are supported."
                )
            if name in _RELU or name in _LEAKY:
                z = args[0]
                slope = 0.0 if name in _RELU else float(args[1] if len(args) > 1 else kwargs.get("negative_slope", 0.01))
                if self.mode == "record":
                    self.pattern.append(("relu", (z > 0).detach(), slope))
                entry = self._next() if self.mode == "frozen" else self.pattern[-1]
                mask = entry[1].to(z.dtype)
                if self.capture:
                    self.captured.append(("relu", z.detach(), entry, None))
                if self.mode == "frozen":
                    return z * (mask + entry[2] * (1 - mask))
                return func(*args, **kwargs)
            if name in _POOL:
                z = args[0]
                pa = _pool_args(args, kwargs)
                if self.mode == "record":
                    _, idx = F.max_pool2d_with_indices(z, pa["kernel_size"], pa["stride"], pa.get("padding", 0),
                                                       pa.get("dilation", 1), pa.get("ceil_mode", False))
                    self.pattern.append(("maxpool", idx.detach(), pa))
                entry = self._next() if self.mode == "frozen" else self.pattern[-1]
                if self.capture:
                    self.captured.append(("maxpool", z.detach(), entry, pa))
                if self.mode == "frozen":
                    idx = entry[1].expand(z.shape[0], *entry[1].shape[1:])
                    out = torch.gather(z.flatten(2), 2, idx.flatten(2)).view(idx.shape)
                    return (out, entry[1]) if name == "max_pool2d_with_indices" or kwargs.get("return_indices") else out
                return func(*args, **kwargs)
            return func(*args, **kwargs)

    return PatternMode


def PatternMode(mode: str, pattern: list | None = None, capture: bool = False):  # noqa: N802 (a class factory)
    """Build the torch function mode lazily (torch is imported on first use)."""
    return _make_mode()(mode, pattern, capture)
