"""Attention weights, attention outputs and head ablation of transformer models.

Thesis ``000``, chapter 5.3: VPT's attention weights per head over a rollout
(the time x memory-position plots of Figures 5.2 and 5.6-5.9), their maximum over
all heads (Figure 5.2 bottom), the z-scores of one head's output over time
(Figures 5.4, 5.10-5.11), and head ablation (zeroing one head's output before the
output projection) measured by the change of the output distribution.

Everything works on any PyTorch model through :class:`~reluscope.practical.AttentionSite`
(found automatically for ``nn.MultiheadAttention`` and Hugging Face eager attention).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from .._progress import progress_bar
from ..errors import InvalidInputError
from ._sites import AttentionSite, check_site, find_attention_sites, mha_head_context, mha_output
from .hooks import Hooks

__all__ = [
    "AttentionRecord",
    "AttentionRollout",
    "HeadAblationEffect",
    "record_attention",
    "causal_attention_rollout",
    "attention_output_zscores",
    "ablate_heads",
    "head_ablation_effect",
    "head_ablation_scan",
]


@dataclass
class AttentionRecord:
    """Attention of one forward pass.

    Attributes
    ----------
    weights : list of ndarray
        Per site, the weights ``(batch, heads, queries, keys)``; each row sums to 1.
    head_outputs : list of ndarray
        Per site, the heads' outputs before the output projection ``(batch, queries, heads, head_dim)``.
    sites : list of AttentionSite

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from reluscope.practical import record_attention
    >>> _ = torch.manual_seed(0)
    >>> mha = nn.MultiheadAttention(embed_dim=4, num_heads=2, batch_first=True).eval()
    >>> x = torch.randn(1, 3, 4)
    >>> record = record_attention(mha, x, x, x)
    >>> record.sites
    [AttentionSite(weights_path='', out_proj_path=None, n_heads=2)]
    >>> record.max_over_heads().shape
    (1, 3, 3)
    >>> np.array_equal(record.max_over_heads(), record.weights[0].max(axis=1))
    True
    """

    weights: list
    head_outputs: list
    sites: list

    def max_over_heads(self) -> np.ndarray:
        """``(batch, queries, keys)``: the largest weight over every head of every layer (thesis Fig. 5.2 bottom)."""
        return np.max(np.stack([w.max(axis=1) for w in self.weights]), axis=0)


def _record_sites(hooks: Hooks, sites: Sequence[AttentionSite]) -> list:
    """Register weight and head-output recorders; return the head-output stores."""
    stores = []
    for site in sites:
        hooks.record(site.weights_path, what="attention_weights")
        store: list = []
        stores.append(store)
        if site.is_mha:

            def grab(m, args, kwargs, output, store=store):
                store.append(mha_head_context(m, args, kwargs, output[1]).transpose(1, 2).detach().clone())

            hooks.add_forward_hook(site.weights_path, grab, with_kwargs=True)
        else:
            n = site.n_heads

            def pre(m, args, store=store, n=n):
                x = args[0]
                store.append(x.detach().reshape(*x.shape[:-1], n, x.shape[-1] // n).clone())

            hooks.add_pre_hook(site.out_proj_path, pre)
    return stores


def _np(t) -> np.ndarray:
    return t.detach().cpu().double().numpy()


def _sites(model, sites) -> list:
    sites = list(find_attention_sites(model) if sites is None else sites)
    for site in sites:
        check_site(model, site)
    return sites


def record_attention(model, *args, sites: Sequence[AttentionSite] | None = None, **kwargs) -> AttentionRecord:
    """Run ``model(*args, **kwargs)`` once and record every site's attention weights and head outputs.

    Parameters
    ----------
    model : torch.nn.Module
    *args, **kwargs
        What the model is called with.
    sites : list of AttentionSite, optional
        Default: :func:`find_attention_sites` of ``model``.

    Returns
    -------
    AttentionRecord

    Examples
    --------
    The recorded weights are ``softmax(Q K^T / sqrt(d))`` per head, computed here again from the
    module's projection weights:

    >>> import torch
    >>> from torch import nn
    >>> from reluscope.practical import record_attention
    >>> _ = torch.manual_seed(0)
    >>> mha = nn.MultiheadAttention(embed_dim=4, num_heads=2, batch_first=True).eval()
    >>> x = torch.randn(1, 3, 4)
    >>> record = record_attention(mha, x, x, x)
    >>> record.weights[0].shape, record.head_outputs[0].shape  # (batch, heads, queries, keys), (batch, queries, heads, d)
    ((1, 2, 3, 3), (1, 3, 2, 2))
    >>> W, b = mha.in_proj_weight.detach().double().numpy(), mha.in_proj_bias.detach().double().numpy()
    >>> q = (x[0].double().numpy() @ W[:4].T + b[:4]).reshape(3, 2, 2)
    >>> k = (x[0].double().numpy() @ W[4:8].T + b[4:8]).reshape(3, 2, 2)
    >>> scores = np.einsum("thd,shd->hts", q, k) / np.sqrt(2)
    >>> p = np.exp(scores) / np.exp(scores).sum(axis=-1, keepdims=True)
    >>> np.allclose(record.weights[0][0], p, atol=1e-6)
    True
    """
    import torch

    sites = _sites(model, sites)
    with Hooks(model) as hooks, torch.no_grad():
        stores = _record_sites(hooks, sites)
        model(*args, **kwargs)
    weights = [_np(hooks.records[f"{s.weights_path}:attention_weights"][-1]) for s in sites]
    return AttentionRecord(weights, [_np(st[-1]) for st in stores], sites)


@dataclass
class AttentionRollout:
    """Attention of a causal model fed one token (frame) at a time.

    Attributes
    ----------
    weights : ndarray of shape (layers, heads, steps, steps)
        ``weights[l, h, t, s]``: attention of step ``t`` to the memory at step ``s <= t`` (0 above the diagonal).
    head_outputs : ndarray of shape (layers, steps, heads, head_dim)
    tokens : ndarray of int

    Examples
    --------
    >>> from reluscope.practical import AttentionRollout
    >>> w = np.zeros((1, 1, 3, 3))
    >>> w[0, 0] = [[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [0.2, 0.3, 0.5]]
    >>> rollout = AttentionRollout(w, np.zeros((1, 3, 1, 2)), np.arange(3))
    >>> rollout.memory_heatmap(layer=0, head=0)  # row k: the weight on the step k steps back
    array([[1. , 0.5, 0.5],
           [nan, 0.5, 0.3],
           [nan, nan, 0.2]])
    """

    weights: np.ndarray
    head_outputs: np.ndarray
    tokens: np.ndarray

    def memory_heatmap(self, layer: int, head: int | None = None, window: int | None = None) -> np.ndarray:
        """``(window, steps)`` map as in thesis Fig. 5.2: row ``k`` is the weight on the frame ``k`` steps back.

        ``head=None`` takes the maximum over all heads of all layers (Fig. 5.2 bottom); ``layer`` is then ignored.
        """
        T = self.weights.shape[-1]
        window = T if window is None else int(window)
        W = self.weights.max(axis=(0, 1)) if head is None else self.weights[layer, head]
        t = np.arange(T)[None, :]
        k = np.arange(window)[:, None]
        src = t - k
        return np.where(src >= 0, W[t, np.clip(src, 0, None)], np.nan)


def causal_attention_rollout(model, input_ids, sites: Sequence[AttentionSite] | None = None, progress: bool | None = None) -> AttentionRollout:
    """Feed a Hugging Face causal model ``input_ids`` one step at a time (key/value cache) and record attention.

    This is the step-by-step rollout of thesis ``000`` section 5.3.1: at step ``t``
    the model sees only its memory of steps ``0..t``; the weights of each step form
    one column of the time x memory-position plot.

    Parameters
    ----------
    model : torch.nn.Module
        Called as ``model(input_ids=..., use_cache=True, past_key_values=...)`` (``cache=...`` where the
        forward names it so); the output holds the cache under the same name.
    input_ids : array-like of int
    sites : list of AttentionSite, optional
    progress : bool, optional

    Returns
    -------
    AttentionRollout

    Examples
    --------
    A tiny causal model with a key/value cache (the interface of Hugging Face's causal models):

    >>> import torch
    >>> from torch import nn
    >>> from reluscope.practical import causal_attention_rollout
    >>> class TinyCausal(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.embed = nn.Embedding(10, 4)
    ...         self.attn = nn.MultiheadAttention(4, 2, batch_first=True)
    ...     def forward(self, input_ids, use_cache=True, past_key_values=None):
    ...         x = self.embed(input_ids)
    ...         memory = x if past_key_values is None else torch.cat([past_key_values, x], dim=1)
    ...         return {"logits": self.attn(x, memory, memory)[0], "past_key_values": memory}
    >>> _ = torch.manual_seed(0)
    >>> rollout = causal_attention_rollout(TinyCausal().eval(), [3, 1, 4, 1], progress=False)
    >>> rollout.weights.shape, rollout.head_outputs.shape  # (layers, heads, steps, steps), (layers, steps, heads, d)
    ((1, 2, 4, 4), (1, 4, 2, 2))
    >>> np.allclose(rollout.weights.sum(axis=-1), 1.0)  # step t spreads its attention over steps 0..t
    True
    >>> bool(np.all(np.triu(rollout.weights[0, 0], k=1) == 0)), rollout.weights[0, :, 0, 0].tolist()
    (True, [1.0, 1.0])
    """
    import torch

    sites = _sites(model, sites)
    ids = torch.as_tensor(input_ids).reshape(1, -1)
    T = ids.shape[1]
    L, H = len(sites), sites[0].n_heads
    weights = np.zeros((L, H, T, T))
    outputs = []
    import inspect

    # transformers >= 5.2x names the key/value cache ``cache``; earlier releases ``past_key_values``
    cache_arg = "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"
    past = None
    with Hooks(model) as hooks, torch.no_grad():
        stores = _record_sites(hooks, sites)
        for t in progress_bar(range(T), progress=progress, desc="rollout", unit="step"):
            out = model(input_ids=ids[:, t : t + 1], use_cache=True, **{cache_arg: past})
            past = out[cache_arg] if cache_arg in out else out.past_key_values
        for li, site in enumerate(sites):
            for t, w in enumerate(hooks.records[f"{site.weights_path}:attention_weights"]):
                weights[li, :, t, : t + 1] = _np(w[0, :, -1, : t + 1])
            outputs.append(np.concatenate([_np(o[0]) for o in stores[li]], axis=0))
    return AttentionRollout(weights, np.stack(outputs), _np(ids[0]).astype(int))


def attention_output_zscores(rollout: AttentionRollout, layer: int, head: int) -> np.ndarray:
    """``(steps, head_dim)`` z-scores of one head's output over time (thesis Fig. 5.4).

    Each output dimension is centred by its mean over the rollout and divided by its
    standard deviation (ddof=0); a constant dimension gets z = 0.

    Examples
    --------
    >>> from reluscope.practical import AttentionRollout, attention_output_zscores
    >>> outputs = np.array([[1.0, 2.0], [3.0, 2.0], [5.0, 2.0]]).reshape(1, 3, 1, 2)  # (layers, steps, heads, d)
    >>> rollout = AttentionRollout(np.zeros((1, 1, 3, 3)), outputs, np.arange(3))
    >>> attention_output_zscores(rollout, layer=0, head=0)
    array([[-1.2247,  0.    ],
           [ 0.    ,  0.    ],
           [ 1.2247,  0.    ]])
    """
    O = rollout.head_outputs[layer, :, head, :]
    sd = O.std(axis=0)
    return np.divide(O - O.mean(axis=0), sd, out=np.zeros_like(O), where=sd > 0)


@contextmanager
def ablate_heads(model, site: AttentionSite, heads: Sequence[int]):
    """Inside the block, the given heads of ``site`` output zero before the output projection.

    The input slice ``[h*d, (h+1)*d)`` of the output projection is set to 0 for each
    ablated head ``h`` (for ``nn.MultiheadAttention`` the output is recomputed from the
    per-head contexts with those heads zeroed). ``heads=[]`` leaves the model unchanged.

    Raises
    ------
    InvalidInputError
        A head that the site does not have.

    Examples
    --------
    With every head ablated, the attention output is the bias of its output projection:

    >>> import torch
    >>> from torch import nn
    >>> from reluscope.practical import ablate_heads, find_attention_sites
    >>> _ = torch.manual_seed(0)
    >>> mha = nn.MultiheadAttention(embed_dim=4, num_heads=2, batch_first=True).eval()
    >>> x = torch.randn(1, 3, 4)
    >>> site = find_attention_sites(mha)[0]
    >>> with ablate_heads(mha, site, [0, 1]):
    ...     out = mha(x, x, x)[0]
    >>> torch.allclose(out, mha.out_proj.bias.expand_as(out))
    True
    >>> torch.allclose(mha(x, x, x)[0], out)  # restored on exit
    False
    """
    check_site(model, site)
    heads = sorted({int(h) for h in heads})
    bad = [h for h in heads if not 0 <= h < site.n_heads]
    if bad:
        raise InvalidInputError(f"Heads {bad} do not exist: the site {site.weights_path} has heads 0..{site.n_heads - 1}.")
    with Hooks(model) as hooks:
        if heads and site.is_mha:
            hooks.add_pre_hook(site.weights_path, lambda m, a, k: (a, dict(k, need_weights=True, average_attn_weights=False)), with_kwargs=True)

            def post(m, args, kwargs, output):
                ctx = mha_head_context(m, args, kwargs, output[1]).clone()
                ctx[:, heads] = 0
                return mha_output(m, ctx, args[0] if args else kwargs["query"]), output[1]

            hooks.add_forward_hook(site.weights_path, post, with_kwargs=True)
        elif heads:

            def pre(m, args):
                x = args[0]
                x = x.reshape(*x.shape[:-1], site.n_heads, x.shape[-1] // site.n_heads).clone()
                x[..., heads, :] = 0
                return (x.reshape(args[0].shape),) + tuple(args[1:])

            hooks.add_pre_hook(site.out_proj_path, pre)
        yield model


@dataclass
class HeadAblationEffect:
    """How ablating heads changes a model's output distribution.

    Attributes
    ----------
    logits_base, logits_ablated : ndarray of shape (rows, classes)
    kl : ndarray of shape (rows,)
        ``KL(p_base || p_ablated)`` per row, in nats (softmax of the logits, float64).
    max_abs_change : float
        Largest absolute change of any logit.
    top_k_base, top_k_ablated : ndarray of shape (rows, k)
        The k largest classes per row, before and after.
    top_k_changed : ndarray of bool, shape (rows,)
        Whether the top-k set changed.

    Examples
    --------
    Ablating no head changes nothing:

    >>> import torch
    >>> from torch import nn
    >>> from reluscope.practical import find_attention_sites, head_ablation_effect
    >>> _ = torch.manual_seed(0)
    >>> mha = nn.MultiheadAttention(embed_dim=4, num_heads=2, batch_first=True).eval()
    >>> x = torch.randn(1, 3, 4)
    >>> site = find_attention_sites(mha)[0]
    >>> effect = head_ablation_effect(mha, {"query": x, "key": x, "value": x}, site, [], top_k=2)
    >>> effect.logits_base.shape, float(effect.kl.max()), effect.max_abs_change, bool(effect.top_k_changed.any())
    ((3, 4), 0.0, 0.0, False)
    """

    logits_base: np.ndarray
    logits_ablated: np.ndarray
    kl: np.ndarray
    max_abs_change: float
    top_k_base: np.ndarray
    top_k_ablated: np.ndarray
    top_k_changed: np.ndarray


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def _default_logits(output):
    return output.logits if hasattr(output, "logits") else (output[0] if isinstance(output, tuple) else output)


def _run_logits(model, inputs: dict, logits: Callable) -> np.ndarray:
    import torch

    with torch.no_grad():
        z = _np(logits(model(**inputs)))
    return z.reshape(-1, z.shape[-1])


def _compare(base: np.ndarray, ablated: np.ndarray, top_k: int) -> HeadAblationEffect:
    lp, lq = _log_softmax(base), _log_softmax(ablated)
    kl = np.sum(np.exp(lp) * (lp - lq), axis=1)
    k = min(int(top_k), base.shape[1])
    tb = np.argsort(-base, axis=1, kind="stable")[:, :k]
    ta = np.argsort(-ablated, axis=1, kind="stable")[:, :k]
    changed = np.any(np.sort(tb, axis=1) != np.sort(ta, axis=1), axis=1)
    return HeadAblationEffect(base, ablated, np.maximum(kl, 0.0), float(np.max(np.abs(base - ablated))), tb, ta, changed)


def head_ablation_effect(model, inputs: dict, site: AttentionSite, heads: Sequence[int], *,
                         logits: Callable = _default_logits, top_k: int = 5) -> HeadAblationEffect:
    """Compare ``logits(model(**inputs))`` with and without the given heads (thesis ``000`` section 5.3.2).

    ``logits`` maps the model output to a ``(..., classes)`` tensor (default: ``output.logits``);
    leading dimensions are flattened into rows.

    Parameters
    ----------
    model : torch.nn.Module
    inputs : dict
        Keyword arguments of the forward call.
    site : AttentionSite
    heads : sequence of int
        Heads of ``site`` zeroed together.
    logits : callable, optional
    top_k : int, default 5

    Returns
    -------
    HeadAblationEffect

    Examples
    --------
    Zeroing head 0 leaves head 1's output (recorded by :func:`record_attention`) through the output
    projection:

    >>> import torch
    >>> from torch import nn
    >>> from reluscope.practical import find_attention_sites, head_ablation_effect, record_attention
    >>> _ = torch.manual_seed(0)
    >>> mha = nn.MultiheadAttention(embed_dim=4, num_heads=2, batch_first=True).eval()
    >>> x = torch.randn(1, 3, 4)
    >>> site = find_attention_sites(mha)[0]
    >>> effect = head_ablation_effect(mha, {"query": x, "key": x, "value": x}, site, [0])
    >>> head1 = record_attention(mha, x, x, x).head_outputs[0][0, :, 1, :]  # (queries, d)
    >>> Wo, bo = mha.out_proj.weight.detach().double().numpy(), mha.out_proj.bias.detach().double().numpy()
    >>> np.allclose(effect.logits_ablated, head1 @ Wo[:, 2:].T + bo, atol=1e-6)
    True
    >>> bool(np.all(effect.kl >= 0))
    True
    """
    base = _run_logits(model, inputs, logits)
    with ablate_heads(model, site, heads):
        ablated = _run_logits(model, inputs, logits)
    return _compare(base, ablated, top_k)


def head_ablation_scan(model, inputs: dict, sites: Sequence[AttentionSite] | None = None, *,
                       logits: Callable = _default_logits, top_k: int = 5, progress: bool | None = None) -> pd.DataFrame:
    """Ablate every head alone; one row per (layer, head): mean/max KL, largest logit change, top-k changes.

    Same arguments as :func:`head_ablation_effect`; ``sites`` defaults to every attention layer.

    Returns
    -------
    pandas.DataFrame
        ``layer``, ``head``, ``mean_kl``, ``max_kl``, ``max_abs_change``, ``top_k_changed`` (share of rows).

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from reluscope.practical import find_attention_sites, head_ablation_effect, head_ablation_scan
    >>> _ = torch.manual_seed(0)
    >>> mha = nn.MultiheadAttention(embed_dim=4, num_heads=2, batch_first=True).eval()
    >>> x = torch.randn(1, 3, 4)
    >>> inputs = {"query": x, "key": x, "value": x}
    >>> scan = head_ablation_scan(mha, inputs, progress=False)
    >>> scan[["layer", "head"]].to_numpy().tolist()
    [[0, 0], [0, 1]]
    >>> one = head_ablation_effect(mha, inputs, find_attention_sites(mha)[0], [1])
    >>> bool(np.isclose(scan.loc[1, "mean_kl"], one.kl.mean()))
    True
    """
    sites = _sites(model, sites)
    pairs = [(li, h) for li, s in enumerate(sites) for h in range(s.n_heads)]
    base = _run_logits(model, inputs, logits)
    rows = []
    for li, h in progress_bar(pairs, progress=progress, desc="head ablation", unit="head"):
        with ablate_heads(model, sites[li], [h]):
            eff = _compare(base, _run_logits(model, inputs, logits), top_k)
        rows.append({"layer": li, "head": h, "mean_kl": float(eff.kl.mean()), "max_kl": float(eff.kl.max()),
                     "max_abs_change": eff.max_abs_change, "top_k_changed": float(eff.top_k_changed.mean())})
    return pd.DataFrame(rows)
