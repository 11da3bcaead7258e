"""PyTorch adapter: an MLP ``nn.Module`` -> :class:`~reluscope.ReLUNetwork`.

The module is read into a forward-ordered chain of affine maps and activations
(:mod:`reluscope.adapters._chain`), which is composed exactly into the canonical
form.  An ``nn.Sequential`` is read child by child (its children order is its
forward order); any other module is traced with :func:`torch.fx.symbolic_trace`
to get the real call order, including functional calls such as ``F.relu``.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import InvalidInputError, UnsupportedActivationError, UnsupportedLayerError
from ..network import ReLUNetwork
from ..validation import check_features
from ._chain import Activation, Affine, Link, chain_to_network, extend
from ._torch_fx import trace_steps

__all__ = ["from_torch"]

SUPPORTED = "Linear, ReLU, LeakyReLU, BatchNorm1d (eval mode), Dropout, Flatten and Identity"

#: Activation modules that are not piecewise affine with one kink at 0.
_SMOOTH_ACTIVATIONS = {
    "Tanh", "GELU", "ELU", "SELU", "CELU", "SiLU", "Mish", "Softplus", "Softsign", "ReLU6", "Hardtanh",
    "Hardswish", "Hardsigmoid", "LogSigmoid", "Tanhshrink", "Softshrink", "Hardshrink", "Threshold", "GLU",
    "Softmin", "Softmax2d",
}


def _np(t) -> np.ndarray:
    return t.detach().cpu().double().numpy()


def _label(path: str, module) -> str:
    return f"{path or '<root>'} ({type(module).__name__})"


def _batchnorm(path: str, bn) -> Affine:
    """Eval-mode batch norm as ``s * x + t``: ``s = gamma / sqrt(var + eps)``, ``t = beta - mean * s``."""
    if bn.training:
        raise InvalidInputError(
            f"Layer '{_label(path, bn)}' is in training mode, where batch norm uses the statistics of each batch "
            "and the network is not a fixed function. Call model.eval() before converting."
        )
    if bn.running_mean is None or bn.running_var is None:
        raise UnsupportedLayerError(
            f"Layer '{_label(path, bn)}' has track_running_stats=False, so it normalises with batch statistics "
            "even in eval mode and is not a fixed function of x. Retrain with track_running_stats=True."
        )
    s = 1.0 / np.sqrt(_np(bn.running_var) + float(bn.eps))
    t = -_np(bn.running_mean) * s
    if bn.weight is not None:
        s, t = s * _np(bn.weight), t * _np(bn.weight)
    if bn.bias is not None:
        t = t + _np(bn.bias)
    return Affine(_label(path, bn), None, t, s)


def _linear(path: str, lin) -> Affine:
    from torch.nn.parameter import UninitializedParameter

    if isinstance(lin.weight, UninitializedParameter):
        raise InvalidInputError(f"Layer '{_label(path, lin)}' is an uninitialised LazyLinear; run one forward pass first.")
    W = _np(lin.weight)
    b = _np(lin.bias) if lin.bias is not None else np.zeros(W.shape[0])
    return Affine(_label(path, lin), W, b)


def _parametric_relu(path: str, module) -> Activation:
    """PReLU with one learned slope, or RReLU in eval mode (slope ``(lower + upper) / 2``)."""
    from torch import nn

    if isinstance(module, nn.RReLU):
        if module.training:
            raise InvalidInputError(
                f"Layer '{_label(path, module)}' is in training mode, where RReLU draws random slopes. Call "
                "model.eval() before converting."
            )
        return Activation(path, (float(module.lower) + float(module.upper)) / 2.0)
    if module.weight.numel() != 1:
        raise UnsupportedActivationError(
            f"Layer '{_label(path, module)}' learns {module.weight.numel()} slopes, one per unit; the canonical form "
            "has one negative-side slope per layer. Use nn.PReLU() (a single slope) or nn.LeakyReLU."
        )
    return Activation(path, float(module.weight.detach().reshape(-1)[0]))


def unsupported_module(path: str, module) -> UnsupportedLayerError:
    """The error for a module that is not part of a piecewise-affine MLP."""
    name = type(module).__name__
    if name in _SMOOTH_ACTIVATIONS:
        return UnsupportedActivationError(
            f"Layer '{_label(path, module)}' is not supported: {name} is not piecewise affine with a single kink "
            "at 0, so the network has no exact local linear models. Hidden activations must be ReLU, LeakyReLU "
            "or identity; retrain with nn.ReLU."
        )
    return UnsupportedLayerError(
        f"Layer '{_label(path, module)}' is not supported: reluscope reads multi-layer perceptrons made of "
        f"{SUPPORTED} (plus a final Sigmoid/Softmax). Convolutions, recurrent, attention and normalisation "
        "layers other than BatchNorm1d cannot be converted; unwrap the dense part of the model on its inputs."
    )


def module_steps(path: str, module) -> list:
    """Chain steps of one built-in leaf module (empty for the no-ops)."""
    from torch import nn

    if isinstance(module, nn.Linear):
        return [_linear(path, module)]
    if isinstance(module, nn.BatchNorm1d):
        return [_batchnorm(path, module)]
    if isinstance(module, nn.ReLU):
        return [Activation(path, 0.0)]
    if isinstance(module, nn.LeakyReLU):
        return [Activation(path, float(module.negative_slope))]
    if isinstance(module, (nn.PReLU, nn.RReLU)):
        return [_parametric_relu(path, module)]
    if isinstance(module, (nn.Identity, nn.Dropout, nn.AlphaDropout, nn.FeatureAlphaDropout, nn.Dropout1d)):
        return []
    if isinstance(module, nn.Flatten):
        if module.start_dim != 1 or module.end_dim != -1:
            raise UnsupportedLayerError(
                f"Layer '{_label(path, module)}' flattens dims {module.start_dim}..{module.end_dim}; only "
                "Flatten(start_dim=1) (one row per sample) is supported."
            )
        return []
    if isinstance(module, nn.Sigmoid):
        return [Link(_label(path, module), "sigmoid")]
    if isinstance(module, (nn.Softmax, nn.LogSoftmax)):
        kind = "softmax" if isinstance(module, nn.Softmax) else "log_softmax"
        return [softmax_link(_label(path, module), kind, module.dim)]
    raise unsupported_module(path, module)


def softmax_link(label: str, kind: str, dim) -> Link:
    """A softmax over the features (dim 1, -1, or None = implicit 1 for 2-D input)."""
    if dim not in (1, -1, None):
        raise UnsupportedLayerError(
            f"'{label}' applies {kind} over dim={dim}; only a softmax over the outputs (dim=1 or -1) is an output link."
        )
    return Link(label, kind)


def _is_custom(module) -> bool:
    """A user-defined module (traced) rather than a built-in leaf layer."""
    from torch import nn

    if isinstance(module, nn.Sequential):
        return False
    mod = type(module).__module__
    return not (mod.startswith("torch.nn") or mod.startswith("torch.ao.nn"))


def collect_steps(module, path: str = "") -> tuple[list, bool]:
    """Forward-ordered chain steps of ``module``; the flag says a children() fallback was used."""
    from torch import nn

    if isinstance(module, nn.Sequential):
        steps, fell_back = [], False
        for name, child in module.named_children():
            s, f = collect_steps(child, f"{path}.{name}" if path else name)
            extend(steps, s)
            fell_back |= f
        return steps, fell_back
    if not _is_custom(module):
        return module_steps(path, module), False
    return trace_steps(module, path, collect_steps)


def _check_fallback(module, network: ReLUNetwork, link_kind: str | None, n_check: int = 64, check_X=None) -> str:
    """Compare the converted network with the module's own forward (eval mode); return which rows were checked.

    The rows are ``n_check`` standard-normal rows (seed 0) and, when given, every
    row of ``check_X`` (the user's data): a forward with data-dependent control
    flow can agree on the first and differ on the second.
    """
    import torch

    param = next(module.parameters(), None)
    dtype = param.dtype if param is not None and param.is_floating_point() else torch.float32
    device = param.device if param is not None else "cpu"
    X = np.random.default_rng(0).normal(size=(n_check, network.n_features))
    checked = f"{n_check} standard-normal rows"
    if check_X is not None:
        user = check_features(check_X, network.n_features, network.feature_names, name="check_X")
        X = np.vstack([X, user])
        checked += f" and the {user.shape[0]} rows of check_X"
    n_check = X.shape[0]
    modes = [(m, m.training) for m in module.modules()]
    try:
        module.eval()
        with torch.no_grad():
            y = module(torch.as_tensor(X, dtype=dtype, device=device))
    except Exception as exc:
        raise UnsupportedLayerError(
            f"{type(module).__name__}.forward could not be traced and the children() reading could not be checked "
            f"({type(exc).__name__}: {exc}); wrap the layers in an nn.Sequential."
        ) from exc
    finally:
        for m, mode in modes:
            m.train(mode)
    y = y.detach().cpu().double().numpy().reshape(n_check, -1)
    eta = np.atleast_2d(network.decision_function(X).reshape(n_check, -1))
    if link_kind == "log_softmax":
        shifted = eta - eta.max(axis=1, keepdims=True)
        ref = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    else:
        ref = ReLUNetwork([np.eye(eta.shape[1])], [np.zeros(eta.shape[1])], output=link_kind or "identity").link(eta)
    tol = 1e-9 if dtype == torch.float64 else 1e-4
    close = np.isclose(ref.reshape(n_check, -1), y, rtol=tol, atol=tol * max(1.0, float(np.abs(y).max()))).all(axis=1)
    if not close.all():
        rows = np.flatnonzero(~close)
        where = f"standard-normal row {rows[0]}" if rows[0] < 64 else f"check_X row {rows[0] - 64}"
        raise UnsupportedLayerError(
            f"{type(module).__name__}.forward could not be traced with torch.fx, and reading its children in "
            "registration order does not reproduce its output (the forward uses another order, functional "
            f"calls, skip connections or data-dependent branches): checked on {checked}, first differing at "
            f"{where}. Rewrite the model as an nn.Sequential."
        )
    return checked


def from_torch(module, *, output: str | None = None, feature_names=None, classes=None, check_X=None) -> ReLUNetwork:
    """Convert a PyTorch multi-layer perceptron to the canonical :class:`ReLUNetwork`.

    Parameters
    ----------
    module : torch.nn.Module
        An ``nn.Sequential`` (nested ones are flattened) or a module whose
        forward is a single chain of ``Linear``, ``ReLU``, ``LeakyReLU``,
        ``BatchNorm1d`` (eval mode), ``Dropout`` (ignored, as at inference),
        ``Flatten``, ``Identity`` and the functional ``F.relu``,
        ``torch.relu``, ``F.leaky_relu``, ``x.relu()``, ``torch.flatten(x, 1)``,
        ``x.view(x.size(0), -1)``.  A final ``Sigmoid`` / ``Softmax(dim=-1)``
        becomes the output link.
    output : {'identity', 'sigmoid', 'softmax'}, optional
        Output link; overrides a final Sigmoid/Softmax (which is always
        removed: ``output='identity'`` gives the logits).  Pass
        ``output='sigmoid'`` for a net trained on logits with
        ``BCEWithLogitsLoss`` (``'softmax'`` for ``CrossEntropyLoss``).
    feature_names, classes : optional
        Passed to :class:`ReLUNetwork`.
    check_X : array-like (n, n_features), optional
        Your data.  Only used when torch.fx cannot trace the forward: the
        children-in-order reading is then compared with the module's own
        output on these rows as well as on 64 standard-normal rows (a forward
        with data-dependent branches can agree on the latter only).

    Returns
    -------
    ReLUNetwork
        Float64 weights.  Consecutive affine layers (Linear, folded batch
        norm) are multiplied into one, repeated activations collapse, and a net
        that starts or ends with an activation gets an identity layer there;
        all of this is exact up to float64 round-off (eq. 1-3 of the
        unwrapping paper hold for the composed layers).

    Raises
    ------
    UnsupportedActivationError
        A hidden Tanh, Sigmoid, GELU, ... ; the message names the layer path.
    UnsupportedLayerError
        Convolutions, recurrent or attention layers, branches, skip connections.
    InvalidInputError
        Batch norm in training mode (call ``model.eval()``).

    Notes
    -----
    A module that :mod:`torch.fx` cannot trace (data-dependent control flow)
    is read child by child in registration order, with a warning, and the
    result is checked against the module's own output on random inputs.

    Examples
    --------
    >>> import torch, reluscope
    >>> net = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
    >>> reluscope.from_torch(net).hidden_sizes
    (8,)
    """
    import torch

    if not isinstance(module, torch.nn.Module):
        raise InvalidInputError(f"from_torch takes a torch.nn.Module, got {type(module).__name__}.")
    if isinstance(module, torch.jit.ScriptModule):
        raise InvalidInputError("from_torch reads eager modules; pass the nn.Module before torch.jit.script/trace.")
    steps, fell_back = collect_steps(module)
    network = chain_to_network(steps, output=output, feature_names=feature_names, classes=classes)
    if fell_back:
        link = steps[-1].kind if steps and isinstance(steps[-1], Link) else None
        checked = _check_fallback(module, network, link, check_X=check_X)
        warnings.warn(f"{type(module).__name__}: the children-in-order reading matches the module on {checked}.", UserWarning, stacklevel=2)
    return network
