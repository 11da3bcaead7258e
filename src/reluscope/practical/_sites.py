"""Where the attention of a PyTorch model lives: one :class:`AttentionSite` per attention layer."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidInputError, UnsupportedLayerError
from .hooks import get_module

__all__ = ["AttentionSite", "find_attention_sites", "mha_head_context", "mha_output"]


@dataclass(frozen=True)
class AttentionSite:
    """One multi-head attention layer, addressed by module paths.

    Parameters
    ----------
    weights_path : str
        The module whose forward returns ``(output, attention_weights)``
        (a Hugging Face attention module in eager mode, or ``nn.MultiheadAttention``).
    out_proj_path : str or None
        The ``nn.Linear`` output projection whose *input* is the concatenation of
        the heads' outputs (``o_proj``, ``attention.output.dense``); ``None`` for
        ``nn.MultiheadAttention``, whose projection is applied inside one functional call.
    n_heads : int
        Number of heads; head ``h`` owns input slice ``[h*d, (h+1)*d)`` of the projection.

    Examples
    --------
    A Hugging Face attention module is described by two paths; ``nn.MultiheadAttention`` by one:

    >>> from reluscope.practical import AttentionSite
    >>> site = AttentionSite("model.layers.0.self_attn", "model.layers.0.self_attn.o_proj", n_heads=9)
    >>> site.is_mha
    False
    >>> AttentionSite("layers.0.self_attn", None, n_heads=2).is_mha
    True
    """

    weights_path: str
    out_proj_path: str | None
    n_heads: int

    @property
    def is_mha(self) -> bool:
        return self.out_proj_path is None


def _n_heads(module) -> int | None:
    for owner in (module, getattr(module, "config", None)):
        for name in ("num_heads", "num_attention_heads", "n_heads"):
            value = getattr(owner, name, None)
            if isinstance(value, int) and value > 0:
                return value
    return None


def find_attention_sites(model) -> list[AttentionSite]:
    """Every attention layer of ``model``, in module order.

    Recognised: ``nn.MultiheadAttention``; modules with an ``o_proj`` linear
    (Llama, Mistral, Qwen, SmolLM, ...); BERT-style ``attention`` blocks with
    ``self`` and ``output.dense`` (BERT, MiniLM, RoBERTa). Other custom
    attention modules can be described by an :class:`AttentionSite` directly.

    Raises
    ------
    UnsupportedLayerError
        When no attention layer is recognised.

    Examples
    --------
    >>> from torch import nn
    >>> from reluscope.practical import find_attention_sites
    >>> encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(d_model=8, nhead=2), num_layers=2,
    ...                            enable_nested_tensor=False)
    >>> find_attention_sites(encoder)
    [AttentionSite(weights_path='layers.0.self_attn', out_proj_path=None, n_heads=2),
     AttentionSite(weights_path='layers.1.self_attn', out_proj_path=None, n_heads=2)]
    """
    from torch import nn

    sites = []
    for path, module in model.named_modules():
        if isinstance(module, nn.MultiheadAttention):
            sites.append(AttentionSite(path, None, module.num_heads))
        elif isinstance(getattr(module, "o_proj", None), nn.Linear) and _n_heads(module):
            sites.append(AttentionSite(path, f"{path}.o_proj", _n_heads(module)))
        elif hasattr(module, "self") and isinstance(getattr(getattr(module, "output", None), "dense", None), nn.Linear):
            heads = _n_heads(module.self)
            if heads:
                sites.append(AttentionSite(f"{path}.self", f"{path}.output.dense", heads))
    if not sites:
        raise UnsupportedLayerError(
            f"No attention layer recognised in {type(model).__name__}: pass AttentionSite(weights_path, out_proj_path, "
            "n_heads) for each custom attention module."
        )
    return sites


def check_site(model, site: AttentionSite) -> None:
    """Raise a clear error when ``site`` does not name modules of ``model``."""
    get_module(model, site.weights_path)
    if site.out_proj_path is not None:
        proj = get_module(model, site.out_proj_path)
        if proj.in_features % site.n_heads:
            raise InvalidInputError(
                f"{site.out_proj_path} has {proj.in_features} inputs, not a multiple of n_heads={site.n_heads}."
            )


def _mha_value(m, args, kwargs):
    value = args[2] if len(args) > 2 else kwargs["value"]
    if m.bias_k is not None or m.add_zero_attn:
        raise UnsupportedLayerError("nn.MultiheadAttention with add_bias_kv or add_zero_attn is not supported for head outputs.")
    if value.dim() == 2:
        value = value.unsqueeze(0 if m.batch_first else 1)
    return value if m.batch_first else value.transpose(0, 1)


def mha_head_context(m, args, kwargs, weights):
    """Per-head outputs ``softmax(QK^T/sqrt(d)) V_h`` of ``nn.MultiheadAttention``, shape ``(B, H, T, d)``.

    ``weights`` are the per-head attention weights ``(B, H, T, S)`` the module returned.
    """
    value = _mha_value(m, args, kwargs)
    E, H = m.embed_dim, m.num_heads
    W = m.in_proj_weight[2 * E :] if m._qkv_same_embed_dim else m.v_proj_weight
    V = value @ W.T
    if m.in_proj_bias is not None:
        V = V + m.in_proj_bias[2 * E :]
    B, S, _ = V.shape
    V = V.view(B, S, H, E // H).transpose(1, 2)
    return weights.reshape(B, H, -1, S) @ V


def mha_output(m, context, like):
    """The module output from per-head contexts ``(B, H, T, d)``, in the layout of ``like``."""
    B, H, T, d = context.shape
    out = context.transpose(1, 2).reshape(B, T, H * d) @ m.out_proj.weight.T
    if m.out_proj.bias is not None:
        out = out + m.out_proj.bias
    if like.dim() == 2:
        return out[0]
    return out if m.batch_first else out.transpose(0, 1)
