"""An explicit hook manager: record what named modules of a PyTorch model see and return.

Modules are addressed by their path in ``model.named_modules()`` (``"features.0"``,
``"encoder.layer.3.attention.self"``), as TransformerLens addresses activations by
stable names.  :class:`Hooks` is a context manager: every handle it registers is
removed when the ``with`` block ends, also when the block raises, so a model is
never left with a stray hook (thesis ``000``, chapter 5: the attention weights,
attention outputs and layer activations of VPT were all read through such hooks).

Recorded tensors are detached copies, appended once per forward call, so a model
fed step by step (a causal model with a key/value cache) leaves one entry per step.
"""

from __future__ import annotations

from typing import Callable

from ..errors import InvalidInputError

__all__ = ["Hooks", "get_module", "count_hooks"]

_WHAT = ("output", "input", "attention_weights")


def get_module(model, path: str):
    """The sub-module of ``model`` at ``path`` (``""`` is the model itself).

    Parameters
    ----------
    model : torch.nn.Module
    path : str
        A name of ``model.named_modules()``, e.g. ``"features.0"``.

    Returns
    -------
    torch.nn.Module

    Raises
    ------
    InvalidInputError
        When no module has that path; the message lists a few valid paths.

    Examples
    --------
    >>> from torch import nn
    >>> from reluscope.practical import get_module
    >>> model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Sequential(nn.Linear(4, 2)))
    >>> get_module(model, "2.0") is model[2][0]
    True
    >>> get_module(model, "") is model
    True
    """
    modules = dict(model.named_modules())
    if path not in modules:
        near = [p for p in modules if p and (p.startswith(path.rsplit(".", 1)[0]) or path in p)][:8]
        raise InvalidInputError(
            f"The model has no module at path {path!r}. Paths are those of model.named_modules(); "
            f"for example {near or list(modules)[1:9]}."
        )
    return modules[path]


def count_hooks(model) -> int:
    """Number of forward / pre-forward / backward hooks registered on all modules of ``model``.

    Examples
    --------
    >>> from torch import nn
    >>> from reluscope.practical import Hooks, count_hooks
    >>> model = nn.Sequential(nn.Linear(3, 4), nn.ReLU())
    >>> with Hooks(model) as hooks:
    ...     _ = hooks.record("0")
    ...     inside = count_hooks(model)
    >>> inside, count_hooks(model)
    (1, 0)
    """
    n = 0
    for m in model.modules():
        for name in ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks"):
            n += len(getattr(m, name, {}) or {})
    return n


def _detach(obj):
    import torch

    if isinstance(obj, torch.Tensor):
        return obj.detach().clone()
    if isinstance(obj, (tuple, list)):
        return type(obj)(_detach(o) for o in obj) if not hasattr(obj, "_fields") else obj
    return obj


class Hooks:
    """Register hooks on named modules; remove them all on exit (also on error).

    Parameters
    ----------
    model : torch.nn.Module
        The model whose sub-modules are hooked.

    Attributes
    ----------
    records : dict[str, list]
        ``records[key]`` holds one detached tensor per forward call of the hooked module.

    Examples
    --------
    Record the input and the output of the ReLU of a small network, once per forward call:

    >>> import torch
    >>> from torch import nn
    >>> from reluscope.practical import Hooks
    >>> _ = torch.manual_seed(0)
    >>> model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    >>> x = torch.randn(5, 3)
    >>> with Hooks(model) as hooks:
    ...     key_out = hooks.record("1")
    ...     key_in = hooks.record("1", what="input")
    ...     _ = model(x)
    ...     _ = model(x[:2])
    >>> key_out, key_in, [t.shape[0] for t in hooks.records["1"]]
    ('1', '1:input', [5, 2])
    >>> torch.equal(hooks.records["1"][0], torch.relu(model[0](x)))
    True
    >>> hooks.n_handles  # every handle is removed when the block ends
    0
    """

    def __init__(self, model):
        self.model = model
        self.records: dict[str, list] = {}
        self._handles: list = []
        self._open = False

    def __enter__(self) -> "Hooks":
        self._open = True
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        self.remove()
        return False

    @property
    def n_handles(self) -> int:
        """Number of handles this manager still holds (0 after the ``with`` block)."""
        return len(self._handles)

    def remove(self) -> None:
        """Remove every handle registered through this manager."""
        while self._handles:
            self._handles.pop().remove()
        self._open = False

    def _check_open(self) -> None:
        if not self._open:
            raise InvalidInputError("Register hooks inside the 'with Hooks(model) as hooks:' block, so they are removed on exit.")

    def record(self, path: str, what: str = "output", key: str | None = None) -> str:
        """Record, at each forward call of the module at ``path``, its output, its input or its attention weights.

        ``what="attention_weights"`` takes the second element of the module's
        output tuple: Hugging Face attention modules return ``(output, weights)``
        and :class:`torch.nn.MultiheadAttention` too (it is then asked for
        per-head weights). The weights are ``None`` when the model runs a fused
        attention kernel; load it with ``attn_implementation="eager"``. (PyTorch's
        ``nn.TransformerEncoderLayer`` in eval mode without gradients takes a fused
        fast path that calls no sub-module: run it with gradients enabled to record.)

        Returns the key under which the records are stored (default: ``path`` or ``path:what``).
        """
        self._check_open()
        if what not in _WHAT:
            raise InvalidInputError(f"what={what!r} is not one of {_WHAT}.")
        module = get_module(self.model, path)
        key = key or (path if what == "output" else f"{path}:{what}")
        store = self.records.setdefault(key, [])
        if what == "input":
            self._handles.append(module.register_forward_pre_hook(lambda m, args: store.append(_detach(args[0]))))
            return key
        if what == "attention_weights":
            self._ask_mha_for_head_weights(module)
        self._handles.append(module.register_forward_hook(_output_recorder(store, what, path)))
        return key

    def _ask_mha_for_head_weights(self, module) -> None:
        from torch import nn

        if isinstance(module, nn.MultiheadAttention):

            def pre(m, args, kwargs):
                kwargs = dict(kwargs, need_weights=True, average_attn_weights=False)
                return args, kwargs

            self._handles.append(module.register_forward_pre_hook(pre, with_kwargs=True))

    def add_forward_hook(self, path: str, fn: Callable, with_kwargs: bool = False) -> None:
        """Register ``fn(module, args, output)`` (``fn(module, args, kwargs, output)`` with ``with_kwargs``) on
        the module at ``path``; it may return a new output."""
        self._check_open()
        self._handles.append(get_module(self.model, path).register_forward_hook(fn, with_kwargs=with_kwargs))

    def add_pre_hook(self, path: str, fn: Callable, with_kwargs: bool = False) -> None:
        """Register ``fn(module, args)`` (may return new args) before the forward of the module at ``path``."""
        self._check_open()
        self._handles.append(get_module(self.model, path).register_forward_pre_hook(fn, with_kwargs=with_kwargs))


def _output_recorder(store: list, what: str, path: str) -> Callable:
    def hook(module, args, output):
        if what == "output":
            store.append(_detach(output[0] if isinstance(output, tuple) else output))
            return None
        weights = output[1] if isinstance(output, tuple) and len(output) > 1 else None
        if weights is None:
            raise InvalidInputError(
                f"Module {path!r} returned no attention weights: the model runs a fused attention kernel. "
                "Load it with attn_implementation='eager' (Hugging Face) or call nn.MultiheadAttention with need_weights=True."
            )
        store.append(_detach(weights))
        return None

    return hook
