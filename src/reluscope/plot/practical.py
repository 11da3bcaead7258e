"""Figures of :mod:`reluscope.practical` (thesis ``000``, chapter 5): each draws a result, never a model.

=============================  ===============================================  ==================
Figure                         Result from                                      Thesis ``000``
=============================  ===============================================  ==================
``attention_heads``            ``practical.record_attention``                   Fig. 5.3
``attention_memory``           ``practical.causal_attention_rollout``           Figs. 5.2, 5.6-5.9
``attention_zscores``          ``practical.attention_output_zscores``           Figs. 5.4, 5.10-11
``head_ablation_map``          ``practical.head_ablation_scan``                 section 5.3.2
``feature_visualisations``     ``practical.activation_maximisation``            Figs. 5.12-5.13
``receptive_field_heatmap``    ``practical.topk_receptive_field_heatmap``       Figs. 5.14-5.15
``feature_pca``                ``practical.feature_map_pca_rgb``                Fig. 5.16
``filter_overlay``             ``practical.filter_overlays``                    Fig. 5.17
``exact_saliency``             ``practical.cnn_local_linear_model``             (exact LLM)
=============================  ===============================================  ==================
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ._base import get_axes

__all__ = [
    "attention_heads", "attention_memory", "attention_zscores", "head_ablation_map", "feature_visualisations",
    "receptive_field_heatmap", "feature_pca", "filter_overlay", "exact_saliency",
]


def _grid(n: int, ncols: int, size: float = 1.9):
    import matplotlib.pyplot as plt

    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    return fig, axes.ravel()


def _image(img: np.ndarray) -> np.ndarray:
    img = np.asarray(img)
    return img[0] if img.ndim == 3 and img.shape[0] == 1 else (img.transpose(1, 2, 0) if img.ndim == 3 else img)


def attention_heads(record, layer: int, batch: int = 0, tokens: Sequence[str] | None = None, ncols: int = 6):
    """One query x key heat map per head of ``layer`` (white 0 to black 1, as in the thesis).

    Parameters
    ----------
    record : AttentionRecord
        From :func:`reluscope.practical.record_attention`.
    layer : int
        Attention site (layer) to draw.
    batch : int, default 0
        Sequence of the batch.
    tokens : sequence of str, optional
        Tick labels (sequences of at most 16 tokens).
    ncols : int, default 6
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from reluscope import practical
    >>> from reluscope.plot import practical as pplot
    >>> _ = torch.manual_seed(0)
    >>> layer = nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16, dropout=0.0, batch_first=True)
    >>> encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False).eval()
    >>> x = torch.randn(1, 5, 8)  # one sequence of 5 tokens
    >>> record = practical.record_attention(encoder, x)
    >>> fig = pplot.attention_heads(record, layer=1, tokens=list("abcde"))
    >>> [a.get_title() for a in fig.axes], fig.get_supxlabel()
    (['head 1.0', 'head 1.1'], 'key position')

    Each panel is one head's query x key weights; every row sums to one:

    >>> W = fig.axes[1].images[0].get_array()
    >>> W.shape, np.allclose(W.sum(axis=1), 1)
    ((5, 5), True)
    """
    W = record.weights[layer][batch]
    fig, axes = _grid(W.shape[0], ncols, 2.2)
    for h, ax in enumerate(axes[: W.shape[0]]):
        ax.imshow(W[h], cmap="Greys", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(f"head {layer}.{h}", fontsize=8)
        if tokens is not None and W.shape[-1] <= 16:
            ax.set_xticks(range(len(tokens)), tokens, rotation=90, fontsize=6)
            ax.set_yticks(range(len(tokens)), tokens, fontsize=6)
        else:
            ax.set_xticks([]), ax.set_yticks([])
    fig.supxlabel("key position"), fig.supylabel("query position")
    fig.tight_layout()
    return fig


def attention_memory(rollout, layer: int = 0, head: int | None = None, window: int | None = None, ax=None,
                     colorbar: bool = True):
    """Time (x) x memory position (y, steps back) map of one head, or the max over all heads (thesis Fig. 5.2).

    Parameters
    ----------
    rollout : AttentionRollout
        From :func:`reluscope.practical.causal_attention_rollout`.
    layer : int, default 0
    head : int, optional
        Default: the largest weight over every head of every layer.
    window : int, optional
        Memory positions shown (steps back); default all.
    ax : matplotlib Axes, optional
    colorbar : bool, default True

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pytest
    >>> import torch
    >>> transformers = pytest.importorskip("transformers")
    >>> from reluscope import practical
    >>> from reluscope.plot import practical as pplot
    >>> _ = torch.manual_seed(0)
    >>> config = transformers.LlamaConfig(vocab_size=16, hidden_size=8, intermediate_size=16, num_hidden_layers=1,
    ...                                   num_attention_heads=2, num_key_value_heads=2, attn_implementation="eager")
    >>> model = transformers.LlamaForCausalLM(config).eval()  # a tiny, randomly initialised causal LM
    >>> rollout = practical.causal_attention_rollout(model, torch.arange(6)[None])
    >>> fig = pplot.attention_memory(rollout, layer=0, head=1)
    >>> ax = fig.axes[0]
    >>> ax.get_title(), ax.get_xlabel(), ax.get_ylabel()
    ('attention weights of head 0.1', 'step (time)', 'memory position (steps back)')

    Column ``t`` holds the weights of step ``t`` over its ``t + 1`` memory positions:

    >>> M = np.asarray(ax.images[0].get_array())
    >>> M.shape, np.allclose(np.nansum(M, axis=0), 1)
    ((6, 6), True)
    """
    fig, ax = get_axes(ax, figsize=(8.0, 3.2))
    M = rollout.memory_heatmap(layer, head, window)
    im = ax.imshow(M, cmap="Greys", vmin=0, vmax=1, aspect="auto", origin="lower", interpolation="nearest")
    ax.set_xlabel("step (time)")
    ax.set_ylabel("memory position (steps back)")
    ax.set_title("max over all heads" if head is None else f"attention weights of head {layer}.{head}")
    if colorbar:
        fig.colorbar(im, ax=ax, label="weight")
    return fig


def attention_zscores(z: np.ndarray, title: str = "", ax=None):
    """Heat map of one head's output z-scores: output dimension (y) over time (x) (thesis Fig. 5.4).

    Parameters
    ----------
    z : ndarray (steps, head_dim)
        From :func:`reluscope.practical.attention_output_zscores`.
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pytest
    >>> import torch
    >>> transformers = pytest.importorskip("transformers")
    >>> from reluscope import practical
    >>> from reluscope.plot import practical as pplot
    >>> _ = torch.manual_seed(0)
    >>> config = transformers.LlamaConfig(vocab_size=16, hidden_size=8, intermediate_size=16, num_hidden_layers=1,
    ...                                   num_attention_heads=2, num_key_value_heads=2, attn_implementation="eager")
    >>> model = transformers.LlamaForCausalLM(config).eval()  # a tiny, randomly initialised causal LM
    >>> rollout = practical.causal_attention_rollout(model, torch.arange(6)[None])
    >>> z = practical.attention_output_zscores(rollout, layer=0, head=1)
    >>> fig = pplot.attention_zscores(z, "head 0.1")
    >>> ax = fig.axes[0]
    >>> ax.get_title(), ax.images[0].get_array().shape  # 4 output dimensions x 6 steps
    ('head 0.1', (4, 6))
    >>> np.allclose(z.mean(axis=0), 0), np.allclose(z.std(axis=0), 1)
    (True, True)
    """
    fig, ax = get_axes(ax, figsize=(8.0, 3.2))
    lim = max(1e-12, float(np.nanpercentile(np.abs(z), 99)))
    im = ax.imshow(z.T, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto", origin="lower", interpolation="nearest")
    ax.set_xlabel("step (time)")
    ax.set_ylabel("output dimension")
    ax.set_title(title or "attention output z-scores")
    fig.colorbar(im, ax=ax, label="z")
    return fig


def head_ablation_map(scan, value: str = "mean_kl", ax=None):
    """Layer x head heat map of the effect of ablating each head alone.

    Parameters
    ----------
    scan : DataFrame
        From :func:`reluscope.practical.head_ablation_scan`.
    value : str, default 'mean_kl'
        Column drawn ('mean_kl', 'max_kl', 'max_abs_change', 'top_k_changed').
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from reluscope import practical
    >>> from reluscope.plot import practical as pplot
    >>> _ = torch.manual_seed(0)
    >>> layer = nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16, dropout=0.0, batch_first=True)
    >>> encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False).eval()
    >>> x = torch.randn(1, 5, 8)  # one sequence of 5 tokens
    >>> model = nn.Sequential(encoder, nn.Linear(8, 4)).eval()  # 4 logits per token
    >>> scan = practical.head_ablation_scan(model, {"input": x}, logits=lambda out: out)
    >>> fig = pplot.head_ablation_map(scan)
    >>> ax = fig.axes[0]
    >>> ax.get_title(), ax.get_xlabel(), ax.get_ylabel()
    ('head ablation: mean_kl', 'head', 'layer')
    >>> image = ax.images[0].get_array()  # 2 layers x 2 heads
    >>> image.shape, np.allclose(image.ravel(), scan["mean_kl"])
    ((2, 2), True)
    """
    fig, ax = get_axes(ax, figsize=(7.0, 3.5))
    table = scan.pivot(index="layer", columns="head", values=value)
    im = ax.imshow(table.to_numpy(), cmap="viridis", aspect="auto", interpolation="nearest")
    ax.set_xticks(range(table.shape[1]), table.columns)
    ax.set_yticks(range(table.shape[0]), table.index)
    ax.set_xlabel("head")
    ax.set_ylabel("layer")
    ax.set_title(f"head ablation: {value}")
    fig.colorbar(im, ax=ax, label=value)
    return fig


def feature_visualisations(results: Sequence, ncols: int = 8):
    """The optimised inputs of :func:`~reluscope.practical.activation_maximisation`, one panel per channel.

    Parameters
    ----------
    results : sequence of ActivationMaximisation
    ncols : int, default 8
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from torch import nn
    >>> from reluscope import practical
    >>> from reluscope.plot import practical as pplot
    >>> _ = torch.manual_seed(0)
    >>> cnn = nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(27, 2)).eval()
    >>> X = np.random.default_rng(0).normal(size=(2, 1, 8, 8)).astype(np.float32)  # two 8 x 8 images
    >>> found = [practical.activation_maximisation(cnn, "1", c, (1, 8, 8), steps=10, random_state=0) for c in (1, 2)]
    >>> fig = pplot.feature_visualisations(found)
    >>> [a.get_title().split()[0] for a in fig.axes]  # layer[channel], then start -> final activation
    ['1[1]', '1[2]']
    >>> fig.axes[0].images[0].get_array().shape
    (8, 8)
    """
    fig, axes = _grid(len(results), ncols)
    for r, ax in zip(results, axes):
        ax.imshow(_image(r.image), cmap="gray")
        ax.set_title(f"{r.layer}[{r.channel}]\n{r.start_activation:.2g} \u2192 {r.final_activation:.2g}", fontsize=7)
        ax.axis("off")
    fig.tight_layout()
    return fig


def receptive_field_heatmap(heatmap: np.ndarray, image: np.ndarray, title: str = "", ax=None):
    """The top-k receptive-field count map laid over the input (thesis Fig. 5.15).

    Parameters
    ----------
    heatmap : ndarray (H, W)
        One image's map from :func:`reluscope.practical.topk_receptive_field_heatmap`.
    image : ndarray (C, H, W) or (H, W)
        The input it belongs to.
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from torch import nn
    >>> from reluscope import practical
    >>> from reluscope.plot import practical as pplot
    >>> _ = torch.manual_seed(0)
    >>> cnn = nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(27, 2)).eval()
    >>> X = np.random.default_rng(0).normal(size=(2, 1, 8, 8)).astype(np.float32)  # two 8 x 8 images
    >>> heat = practical.topk_receptive_field_heatmap(cnn, "0", X, k=10)
    >>> fig = pplot.receptive_field_heatmap(heat[0], X[0])
    >>> fig.axes[0].get_title(), fig.axes[1].get_ylabel()  # the image and the colour bar
    ('receptive fields of the top-k activations', 'count')

    Each of the 10 largest activations of the 3 x 3 convolution sees 9 pixels:

    >>> heat.shape, heat.sum(axis=(1, 2)).tolist()
    ((2, 8, 8), [90.0, 90.0])
    """
    fig, ax = get_axes(ax, figsize=(3.6, 3.6))
    ax.imshow(_image(image), cmap="gray")
    im = ax.imshow(heatmap, cmap="inferno", alpha=0.6)
    ax.set_title(title or "receptive fields of the top-k activations", fontsize=9)
    ax.axis("off")
    fig.colorbar(im, ax=ax, fraction=0.046, label="count")
    return fig


def feature_pca(result, image: np.ndarray | None = None):
    """Feature maps as RGB of their first three principal components, beside the input (thesis Fig. 5.16).

    Parameters
    ----------
    result : FeatureMapPCA
        From :func:`reluscope.practical.feature_map_pca_rgb`.
    image : ndarray, optional
        The input, drawn beside.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from torch import nn
    >>> from reluscope import practical
    >>> from reluscope.plot import practical as pplot
    >>> _ = torch.manual_seed(0)
    >>> cnn = nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(27, 2)).eval()
    >>> X = np.random.default_rng(0).normal(size=(2, 1, 8, 8)).astype(np.float32)  # two 8 x 8 images
    >>> pca = practical.feature_map_pca_rgb(cnn, "1", X[0])  # 3 channels at 6 x 6 positions
    >>> fig = pplot.feature_pca(pca, X[0])
    >>> [a.get_title().split(":")[0] for a in fig.axes]
    ['input', '1']
    >>> fig.axes[1].images[0].get_array().shape, round(float(pca.explained_variance_ratio.sum()), 9)
    ((6, 6, 3), 1.0)
    """
    fig, axes = _grid(2 if image is not None else 1, 2, 3.2)
    if image is not None:
        axes[0].imshow(_image(image), cmap="gray")
        axes[0].set_title("input", fontsize=9)
        axes[0].axis("off")
    ax = axes[-1]
    ax.imshow(result.rgb, interpolation="nearest")
    ev = ", ".join(f"{v:.0%}" for v in result.explained_variance_ratio)
    ax.set_title(f"{result.layer}: PCA as RGB ({ev})", fontsize=9)
    ax.axis("off")
    fig.tight_layout()
    return fig


def filter_overlay(result, ncols: int = 4, alpha: float = 0.55):
    """Each chosen channel's upsampled map as a transparent overlay on the input (thesis Fig. 5.17).

    Parameters
    ----------
    result : FilterOverlays
        From :func:`reluscope.practical.filter_overlays`.
    ncols : int, default 4
        Panels per row.
    alpha : float, default 0.55
        Opacity of a map at its maximum.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from torch import nn
    >>> from reluscope import practical
    >>> from reluscope.plot import practical as pplot
    >>> _ = torch.manual_seed(0)
    >>> cnn = nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(27, 2)).eval()
    >>> X = np.random.default_rng(0).normal(size=(2, 1, 8, 8)).astype(np.float32)  # two 8 x 8 images
    >>> overlays = practical.filter_overlays(cnn, "1", X[0], channels=[0, 2])
    >>> fig = pplot.filter_overlay(overlays)
    >>> [a.get_title() for a in fig.axes]
    ['1[0]', '1[2]']
    >>> [len(a.images) for a in fig.axes]  # the input, then the channel's map
    [2, 2]
    """
    fig, axes = _grid(len(result.channels), ncols)
    for m, c, ax in zip(result.maps, result.channels, axes):
        ax.imshow(_image(result.image), cmap="gray")
        ax.imshow(m, cmap="jet", alpha=alpha * m)
        ax.set_title(f"{result.layer}[{c}]", fontsize=8)
        ax.axis("off")
    fig.tight_layout()
    return fig


def exact_saliency(llm, images: np.ndarray, outputs: Sequence[int], labels: Sequence[str] | None = None, ncols: int = 5):
    """Input and exact coefficient map ``W_k`` (red +, blue -) of the chosen output for each image.

    Parameters
    ----------
    llm : CNNLocalLinearModel
        From :func:`reluscope.practical.cnn_local_linear_model` on ``images``.
    images : ndarray (n, C, H, W)
    outputs : sequence of int
        The output (class) drawn for each image.
    labels : sequence of str, optional
        Titles of the inputs.
    ncols : int, default 5
        Images per row.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from torch import nn
    >>> from reluscope import practical
    >>> from reluscope.plot import practical as pplot
    >>> _ = torch.manual_seed(0)
    >>> cnn = nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(27, 2)).eval()
    >>> X = np.random.default_rng(0).normal(size=(2, 1, 8, 8)).astype(np.float32)  # two 8 x 8 images
    >>> llm = practical.cnn_local_linear_model(cnn, X)
    >>> fig = pplot.exact_saliency(llm, X, outputs=[0, 1], labels=["first", "second"])
    >>> [a.get_title() for a in fig.axes]
    ['first', 'exact W[0]', 'second', 'exact W[1]']

    The map is the exact gradient: ``sum(W * x) + b`` is the network's output.

    >>> W = fig.axes[3].images[0].get_array()
    >>> out = cnn(torch.as_tensor(X[1:])).detach().numpy()[0, 1]
    >>> bool(np.isclose((W * X[1, 0]).sum() + llm.intercepts[1, 1], out, atol=1e-4))
    True
    """
    n = len(outputs)
    fig, axes = _grid(2 * n, 2 * min(ncols, n), 1.8)
    for i in range(n):
        W = _image(llm.coefficients[i, outputs[i]])
        lim = max(1e-12, float(np.abs(W).max()))
        axes[2 * i].imshow(_image(images[i]), cmap="gray")
        axes[2 * i].set_title(labels[i] if labels is not None else f"input {i}", fontsize=8)
        axes[2 * i + 1].imshow(W, cmap="RdBu_r", vmin=-lim, vmax=lim)
        axes[2 * i + 1].set_title(f"exact W[{outputs[i]}]", fontsize=8)
        axes[2 * i].axis("off"), axes[2 * i + 1].axis("off")
    fig.tight_layout()
    return fig
