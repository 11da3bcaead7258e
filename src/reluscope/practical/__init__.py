"""Practical interpretability of large PyTorch models (thesis ``000``, chapter 5).

Hooks by module path, attention weights / outputs / head ablation of transformers,
CNN feature visualisation and receptive fields, and the exact local linear model
of a ReLU CNN (Conv2d / Linear / ReLU / MaxPool2d / Flatten). Needs only PyTorch;
the pretrained offline models used in the examples load through :mod:`.zoo`.
Sub-modules are imported on first use.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "Hooks": "hooks", "get_module": "hooks", "count_hooks": "hooks",
    "AttentionSite": "_sites", "find_attention_sites": "_sites",
    "AttentionRecord": "attention", "AttentionRollout": "attention", "HeadAblationEffect": "attention",
    "record_attention": "attention", "causal_attention_rollout": "attention", "attention_output_zscores": "attention",
    "ablate_heads": "attention", "head_ablation_effect": "attention", "head_ablation_scan": "attention",
    "receptive_fields": "cnn", "receptive_field_box": "cnn", "layer_activations": "cnn", "empirical_receptive_field": "cnn",
    "ActivationMaximisation": "cnn", "activation_maximisation": "cnn", "topk_receptive_field_heatmap": "cnn",
    "FeatureMapPCA": "cnn", "feature_map_pca_rgb": "cnn", "FilterOverlays": "cnn", "filter_overlays": "cnn",
    "CNNLocalLinearModel": "exact_cnn", "cnn_local_linear_model": "exact_cnn", "cnn_region_constraints": "exact_cnn",
    "check_piecewise_linear": "exact_cnn",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    if name in ("hooks", "attention", "cnn", "exact_cnn", "zoo"):
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'reluscope.practical' has no attribute {name!r}")
