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
    """One query x key heat map per head of ``layer`` (white 0 to black 1, as in the thesis)."""
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
    """Time (x) x memory position (y, steps back) map of one head, or the max over all heads (thesis Fig. 5.2)."""
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
    """Heat map of one head's output z-scores: output dimension (y) over time (x) (thesis Fig. 5.4)."""
    fig, ax = get_axes(ax, figsize=(8.0, 3.2))
    lim = max(1e-12, float(np.nanpercentile(np.abs(z), 99)))
    im = ax.imshow(z.T, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto", origin="lower", interpolation="nearest")
    ax.set_xlabel("step (time)")
    ax.set_ylabel("output dimension")
    ax.set_title(title or "attention output z-scores")
    fig.colorbar(im, ax=ax, label="z")
    return fig


def head_ablation_map(scan, value: str = "mean_kl", ax=None):
    """Layer x head heat map of the effect of ablating each head alone."""
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
    """The optimised inputs of :func:`~reluscope.practical.activation_maximisation`, one panel per channel."""
    fig, axes = _grid(len(results), ncols)
    for r, ax in zip(results, axes):
        ax.imshow(_image(r.image), cmap="gray")
        ax.set_title(f"{r.layer}[{r.channel}]\n{r.start_activation:.2g} \u2192 {r.final_activation:.2g}", fontsize=7)
        ax.axis("off")
    fig.tight_layout()
    return fig


def receptive_field_heatmap(heatmap: np.ndarray, image: np.ndarray, title: str = "", ax=None):
    """The top-k receptive-field count map laid over the input (thesis Fig. 5.15)."""
    fig, ax = get_axes(ax, figsize=(3.6, 3.6))
    ax.imshow(_image(image), cmap="gray")
    im = ax.imshow(heatmap, cmap="inferno", alpha=0.6)
    ax.set_title(title or "receptive fields of the top-k activations", fontsize=9)
    ax.axis("off")
    fig.colorbar(im, ax=ax, fraction=0.046, label="count")
    return fig


def feature_pca(result, image: np.ndarray | None = None):
    """Feature maps as RGB of their first three principal components, beside the input (thesis Fig. 5.16)."""
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
    """Each chosen channel's upsampled map as a transparent overlay on the input (thesis Fig. 5.17)."""
    fig, axes = _grid(len(result.channels), ncols)
    for m, c, ax in zip(result.maps, result.channels, axes):
        ax.imshow(_image(result.image), cmap="gray")
        ax.imshow(m, cmap="jet", alpha=alpha * m)
        ax.set_title(f"{result.layer}[{c}]", fontsize=8)
        ax.axis("off")
    fig.tight_layout()
    return fig


def exact_saliency(llm, images: np.ndarray, outputs: Sequence[int], labels: Sequence[str] | None = None, ncols: int = 5):
    """Input and exact coefficient map ``W_k`` (red +, blue -) of the chosen output for each image."""
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
