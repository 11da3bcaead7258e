"""Read the forward of a user-defined ``nn.Module`` with :mod:`torch.fx`.

``children()`` gives the registration order of the layers, not the order the
forward calls them in; a symbolic trace records the real calls, functional
ones included (``F.relu``, ``torch.flatten``, ``x.view(x.size(0), -1)``).  The
traced graph must be a single chain: every data-carrying node consumes the
previous one (size look-ups such as ``x.size(0)`` are allowed on the side).
"""

from __future__ import annotations

import functools
import operator
import warnings

from ..errors import UnsupportedActivationError, UnsupportedLayerError
from ._chain import Activation, Affine, Link, Width, extend

__all__ = ["trace_steps"]

_NO_OPS = {
    "dropout", "alpha_dropout", "feature_alpha_dropout", "dropout1d",
    "float", "double", "contiguous", "clone", "detach", "to",
}
_SMOOTH = {
    "tanh", "tanh_", "gelu", "elu", "elu_", "selu", "celu", "silu", "mish", "softplus", "softsign", "relu6",
    "hardtanh", "hardtanh_", "hardswish", "hardsigmoid", "logsigmoid", "tanhshrink", "softshrink",
    "hardshrink", "threshold", "glu", "prelu", "rrelu", "exp", "sin", "cos", "erf", "softmin",
}


def _arg(node, i: int, name: str, default=None):
    if name in node.kwargs:
        return node.kwargs[name]
    return node.args[i] if len(node.args) > i else default


def _fn_name(node) -> str:
    if node.op == "call_method":
        return node.target
    return getattr(node.target, "__name__", str(node.target))


def _label(prefix: str, node) -> str:
    kind = "method" if node.op == "call_method" else "call"
    return f"{prefix + '.' if prefix else ''}{node.name} ({kind} {_fn_name(node)})"


def _batch_dim(node, shape_nodes: dict) -> bool | None:
    """If ``node`` reads a size of the input, whether it is the batch size (dim 0); None otherwise."""
    if node.op == "call_method" and node.target in ("size", "dim"):
        return node.target == "size" and _arg(node, 1, "dim") == 0
    if node.op == "call_function" and node.target is getattr and node.args[1] in ("shape", "ndim"):
        return False
    if node.op == "call_function" and node.target is operator.getitem and node.args[0] in shape_nodes:
        return node.args[1] == 0
    return None


def _reshape_steps(node, label: str, shape_nodes: dict) -> list:
    shape = list(node.args[1:]) if node.op == "call_method" else [_arg(node, 1, "shape")]
    if "shape" in node.kwargs:
        shape = [node.kwargs["shape"]]
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = list(shape[0])
    if len(shape) == 2 and shape[1] == -1 and (shape[0] in shape_nodes and shape_nodes[shape[0]]):
        return []
    if len(shape) == 2 and shape[0] == -1 and isinstance(shape[1], int):
        return [Width(label, shape[1])]
    raise UnsupportedLayerError(
        f"'{label}' reshapes to {shape}; only x.view(x.size(0), -1) or x.view(-1, n_features) (one row per "
        "sample) are supported."
    )


def _function_steps(node, label: str, shape_nodes: dict, consts: dict) -> list:
    from .torch import softmax_link

    name = _fn_name(node)
    base = name.rstrip("_")
    if base == "relu":
        return [Activation(label, 0.0)]
    if base == "leaky_relu":
        return [Activation(label, float(_arg(node, 1, "negative_slope", 0.01)))]
    if name in _NO_OPS:
        return []
    if name == "flatten":
        start, end = _arg(node, 1, "start_dim", 0), _arg(node, 2, "end_dim", -1)
        if start == 1 and end in (1, -1):
            return []
        raise UnsupportedLayerError(f"'{label}' flattens dims {start}..{end}; use torch.flatten(x, 1).")
    if name in ("view", "reshape"):
        return _reshape_steps(node, label, shape_nodes)
    if name == "linear" and node.op == "call_function" and _arg(node, 1, "weight") in consts:
        W = consts[_arg(node, 1, "weight")]
        b = _arg(node, 2, "bias")
        return [Affine(label, W.detach().cpu().double().numpy(), 0.0 if b is None else consts[b].detach().cpu().double().numpy())]
    if base == "sigmoid":
        return [Link(label, "sigmoid")]
    if name in ("softmax", "log_softmax"):
        return [softmax_link(label, name, _arg(node, 1, "dim"))]
    if name in _SMOOTH:
        raise UnsupportedActivationError(
            f"'{label}' is not supported: {name} is not piecewise affine with a single kink at 0, so the "
            "network has no exact local linear models. Use F.relu or F.leaky_relu and retrain."
        )
    raise UnsupportedLayerError(
        f"'{label}' is not supported in a converted forward: only Linear layers, relu / leaky_relu, dropout, "
        "flatten, view(x.size(0), -1) and a final sigmoid / softmax form an exact ReLU network."
    )


def _graph_steps(module, graph, prefix: str) -> list:
    """Walk the traced graph; return its chain steps in forward order."""
    import torch.fx

    from .torch import module_steps

    steps, shape_nodes, consts, chain, alias = [], {}, {}, set(), {}
    head = None
    for node in graph.nodes:
        if node.op == "placeholder":
            if head is None:
                head = node
                chain.add(node)
            elif node.users:
                raise UnsupportedLayerError(f"{type(module).__name__}.forward uses several inputs; pass a one-input MLP.")
            continue
        if node.op == "get_attr":
            consts[node] = functools.reduce(getattr, node.target.split("."), module)
            continue
        if node.op == "output":
            result = node.args[0]
            if not isinstance(result, torch.fx.Node) or alias.get(result, result) is not head:
                raise UnsupportedLayerError(
                    f"{type(module).__name__}.forward does not return the last layer's output as a single tensor "
                    "(several outputs, or a branch); reluscope converts one-output chains."
                )
            break
        batch = _batch_dim(node, shape_nodes)
        if batch is not None:
            shape_nodes[node] = batch
            continue
        data_in = [alias.get(n, n) for n in node.all_input_nodes if alias.get(n, n) in chain]
        if not data_in:
            continue  # computed from parameters/constants only; refused where it meets the data
        label = _label(prefix, node) if node.op != "call_module" else f"{prefix}.{node.target}".lstrip(".")
        if len(data_in) > 1 or data_in[0] is not head:
            raise UnsupportedLayerError(
                f"'{label}' makes the forward a graph rather than a chain (a branch, skip connection or reuse of an "
                "earlier activation); reluscope converts sequential MLPs."
            )
        if node.op == "call_module":
            path = f"{prefix}.{node.target}" if prefix else node.target
            new = module_steps(path, module.get_submodule(node.target))
        else:
            new = _function_steps(node, label, shape_nodes, consts)
        extend(steps, new)
        if node.op != "call_module" and (_fn_name(node).endswith("_") or node.kwargs.get("inplace", False)):
            alias[head] = node  # in-place op: later uses of the old name see the new value
        head = node
        chain.add(node)
    return steps


def _children_fallback(module, path: str, collect_steps, exc: Exception) -> tuple[list, bool]:
    warnings.warn(
        f"torch.fx could not trace {type(module).__name__}.forward ({type(exc).__name__}: {exc}); reading its "
        "children in registration order instead and checking the result against the module's output.",
        UserWarning,
        stacklevel=4,
    )
    steps = []
    for name, child in module.named_children():
        try:
            s, _ = collect_steps(child, f"{path}.{name}" if path else name)
        except UnsupportedLayerError as err:
            raise type(err)(f"{err} (torch.fx could not trace {type(module).__name__}.forward: {exc})") from err
        extend(steps, s)
    return steps, True


def trace_steps(module, path: str, collect_steps) -> tuple[list, bool]:
    """Chain steps of a user-defined module and whether the children() fallback was used."""
    import torch.fx

    try:
        graph = torch.fx.symbolic_trace(module).graph
    except Exception as exc:  # data-dependent control flow, unsupported Python
        return _children_fallback(module, path, collect_steps, exc)
    return _graph_steps(module, graph, path), False
