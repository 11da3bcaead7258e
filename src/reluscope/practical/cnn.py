"""CNN feature visualisation and receptive fields (thesis ``000``, section 5.4).

* :func:`receptive_fields` -- the receptive field of every conv / pool layer from its
  kernel, stride, padding and dilation; :func:`empirical_receptive_field` checks it by gradients.
* :func:`activation_maximisation` -- filter visualisation by optimisation (Figs. 5.12-5.13).
* :func:`topk_receptive_field_heatmap` -- receptive fields of the top-k activations of a layer (Figs. 5.14-5.15).
* :func:`feature_map_pca_rgb` -- a layer's feature maps reduced by PCA to three channels shown as RGB (Fig. 5.16).
* :func:`filter_overlays` -- feature maps upsampled onto the input (Fig. 5.17).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._progress import progress_bar
from ..errors import InvalidInputError
from .hooks import Hooks

__all__ = [
    "receptive_fields", "receptive_field_box", "empirical_receptive_field",
    "ActivationMaximisation", "activation_maximisation", "topk_receptive_field_heatmap",
    "FeatureMapPCA", "feature_map_pca_rgb", "FilterOverlays", "filter_overlays", "layer_activations",
]

_SPATIAL = ("Conv2d", "MaxPool2d", "AvgPool2d")
_PASS = ("ReLU", "LeakyReLU", "BatchNorm2d", "Dropout", "Dropout2d", "Identity", "Tanh", "Sigmoid", "GELU", "SiLU", "ELU")


def _pair(v) -> tuple[int, int]:
    return (int(v[0]), int(v[1])) if isinstance(v, (tuple, list)) else (int(v), int(v))


def receptive_fields(model) -> pd.DataFrame:
    """Receptive field of every layer, in module order, up to the first Flatten / Linear.

    The registration order of the modules is taken as their forward order (true of
    ``nn.Sequential`` backbones such as MNISTNet's and VPT's); layers applied
    functionally are not seen.

    With effective kernel ``K'_L = d_L (K_L - 1) + 1`` (dilation ``d_L``) and jump
    ``J_L = prod_{i<=L} S_i``, the size is ``R_L = R_{L-1} + (K'_L - 1) J_{L-1}``
    (``R_0 = 1``, ``J_0 = 1``) and the first output unit sees input rows from
    ``start_L = start_{L-1} - P_L J_{L-1}`` (zero padding lies outside the image).

    The thesis (``000``, section 5.4.2) writes ``R_L = R_{L-1} + (K_L - 1) prod_{i=1}^{L} S_i``;
    the product must stop at ``L-1`` (a layer's own stride spaces its outputs, it does
    not widen what one output sees), which the empirical gradient receptive field confirms
    (:func:`empirical_receptive_field`, tested).

    Element-wise layers (ReLU, batch norm, ...) keep the receptive field of the layer before.
    Returns a DataFrame with one row per leaf module: ``layer``, ``kind``, ``kernel``, ``stride``,
    ``padding``, ``dilation`` (each for height), ``rf_h``, ``rf_w``, ``jump_h``, ``jump_w``,
    ``start_h``, ``start_w``.

    Examples
    --------
    Conv 3x3 (padding 1), max-pool 2x2, conv 3x3: ``R = 3``, then ``3 + (2 - 1) * 1 = 4``, then
    ``4 + (3 - 1) * 2 = 8`` input pixels, the last layer's outputs 2 pixels apart:

    >>> import torch
    >>> from torch import nn
    >>> from reluscope.practical import receptive_fields
    >>> _ = torch.manual_seed(0)
    >>> cnn = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    ...                     nn.Conv2d(2, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 4)).eval()
    >>> receptive_fields(cnn)[["layer", "kind", "rf_h", "jump_h", "start_h"]]
      layer       kind  rf_h  jump_h  start_h
    0     0     Conv2d     3       1       -1
    1     1       ReLU     3       1       -1
    2     2  MaxPool2d     4       2       -1
    3     3     Conv2d     8       2       -1
    4     4       ReLU     8       2       -1
    """
    rows = []
    R, J, S = np.ones(2, int), np.ones(2, int), np.zeros(2, int)
    for path, module in model.named_modules():
        kind = type(module).__name__
        if kind in ("Flatten", "Linear"):
            break
        if any(True for _ in module.children()):
            continue
        if kind not in _SPATIAL:
            rows.append({**rows[-1], "layer": path, "kind": kind, "kernel": 1, "stride": 1, "padding": 0, "dilation": 1}
                        if rows else {"layer": path, "kind": kind, "kernel": 1, "stride": 1, "padding": 0, "dilation": 1,
                                      "rf_h": 1, "rf_w": 1, "jump_h": 1, "jump_w": 1, "start_h": 0, "start_w": 0})
            continue
        k, s = np.array(_pair(module.kernel_size)), np.array(_pair(module.stride or module.kernel_size))
        p = np.array(_pair(module.padding)) if not isinstance(module.padding, str) else None
        if p is None:
            raise InvalidInputError(f"Layer '{path}' uses padding={module.padding!r}; give the padding as integers.")
        d = np.array(_pair(getattr(module, "dilation", 1)))
        R = R + (d * (k - 1)) * J
        S = S - p * J
        J = J * s
        rows.append({"layer": path, "kind": kind, "kernel": int(k[0]), "stride": int(s[0]), "padding": int(p[0]),
                     "dilation": int(d[0]), "rf_h": int(R[0]), "rf_w": int(R[1]), "jump_h": int(J[0]), "jump_w": int(J[1]),
                     "start_h": int(S[0]), "start_w": int(S[1])})
    if not rows:
        raise InvalidInputError("The model has no Conv2d / MaxPool2d / AvgPool2d layer before its first Linear.")
    return pd.DataFrame(rows)


def receptive_field_box(table: pd.DataFrame, layer: str, i, j, input_hw: tuple[int, int]):
    """Input rows ``[r0, r1)`` and columns ``[c0, c1)`` seen by output position(s) ``(i, j)`` of ``layer``, clipped to the image.

    Parameters
    ----------
    table : pandas.DataFrame
        The result of :func:`receptive_fields`.
    layer : str
    i, j : int or array of int
        Output positions (row, column) in the layer's feature map.
    input_hw : (int, int)
        Height and width of the input image.

    Examples
    --------
    The gradient receptive field (:func:`empirical_receptive_field`) is exactly that box:

    >>> import torch
    >>> from torch import nn
    >>> from reluscope.practical import empirical_receptive_field, receptive_field_box, receptive_fields
    >>> _ = torch.manual_seed(0)
    >>> cnn = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    ...                     nn.Conv2d(2, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 4)).eval()
    >>> box = receptive_field_box(receptive_fields(cnn), "3", 1, 0, (8, 8))
    >>> [int(v) for v in box]
    [1, 8, 0, 7]
    >>> mask = empirical_receptive_field(cnn, "3", (1, 8, 8), (1, 0), random_state=0)
    >>> bool(mask[1:8, 0:7].all()), int(mask.sum())
    (True, 49)
    """
    row = table.set_index("layer").loc[layer]
    i, j = np.asarray(i), np.asarray(j)
    r0 = row.start_h + i * row.jump_h
    c0 = row.start_w + j * row.jump_w
    H, W = input_hw
    return (np.clip(r0, 0, H), np.clip(r0 + row.rf_h, 0, H), np.clip(c0, 0, W), np.clip(c0 + row.rf_w, 0, W))


def _layer_output(model, layer: str, x):
    with Hooks(model) as hooks:
        key = hooks.record(layer)
        model(x)
    return hooks.records[key][-1]


def _forward_to(model, layer: str, x):
    """Output of ``layer`` with gradients (the forward stops there)."""
    store = {}

    class _Stop(Exception):
        pass

    def grab(m, args, out):
        store["out"] = out
        raise _Stop

    with Hooks(model) as hooks:
        hooks.add_forward_hook(layer, grab)
        try:
            model(x)
        except _Stop:
            pass
    if "out" not in store:
        raise InvalidInputError(f"Layer {layer!r} was not called by the forward pass.")
    return store["out"]


def _linearised_copy(model):
    """A copy where ReLU-like layers are identities and max-pools are average pools of the same geometry."""
    import copy

    from torch import nn

    clone = copy.deepcopy(model).double()
    for path, module in list(clone.named_modules()):
        kind = type(module).__name__
        if kind in ("ReLU", "LeakyReLU", "ReLU6", "PReLU", "GELU", "SiLU", "Tanh", "Sigmoid", "ELU"):
            swap = nn.Identity()
        elif isinstance(module, nn.MaxPool2d) and _pair(module.dilation) == (1, 1):
            swap = nn.AvgPool2d(module.kernel_size, module.stride, module.padding, ceil_mode=module.ceil_mode,
                                count_include_pad=False)
        else:
            continue
        parent, _, name = path.rpartition(".")
        setattr(clone.get_submodule(parent) if parent else clone, name, swap)
    return clone


def empirical_receptive_field(model, layer: str, input_shape, position: tuple[int, int], *, channel: int = 0,
                              linearise: bool = True, n_samples: int = 4, random_state=None) -> np.ndarray:
    """``(H, W)`` bool mask of input pixels whose gradient on one unit of ``layer`` is non-zero.

    By default on a copy of the model whose ReLUs are identities and max-pools are
    average pools of the same kernel, stride and padding: the gradient then reaches
    every pixel the unit is wired to (a ReLU that is off, or a max-pool selecting
    another entry, would hide pixels for one input). ``linearise=False`` takes the
    union of the gradient supports of the model itself over ``n_samples`` random inputs.

    Examples
    --------
    The unit at the top-left corner of a 3x3 convolution with padding 1 sees a 2x2 corner of the image:

    >>> import torch
    >>> from torch import nn
    >>> from reluscope.practical import empirical_receptive_field
    >>> _ = torch.manual_seed(0)
    >>> cnn = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    ...                     nn.Conv2d(2, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 4)).eval()
    >>> empirical_receptive_field(cnn, "0", (1, 8, 8), (0, 0), random_state=0)[:3, :3].astype(int)
    array([[1, 1, 0],
           [1, 1, 0],
           [0, 0, 0]])
    """
    import torch

    g = torch.Generator().manual_seed(int(np.random.default_rng(random_state).integers(2**31)))
    x = torch.randn((n_samples, *input_shape), generator=g, dtype=torch.float64, requires_grad=True)
    net = _linearised_copy(model) if linearise else model
    was = next(model.parameters()).dtype
    net.double()
    try:
        out = _forward_to(net, layer, x)
        grad = torch.autograd.grad(out[:, channel, position[0], position[1]].sum(), x)[0]
    finally:
        model.to(was)
    return (grad.abs().sum(dim=(0, 1)) > 0).numpy()


@dataclass
class ActivationMaximisation:
    """Result of :func:`activation_maximisation`.

    Attributes
    ----------
    image : ndarray of shape input_shape
        The optimised input.
    start_activation, final_activation : float
        Mean activation of the channel at the random start and at the end.
    history : ndarray
        Mean activation after each step.
    layer : str
    channel : int

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from reluscope.practical import ActivationMaximisation, activation_maximisation
    >>> _ = torch.manual_seed(0)
    >>> cnn = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    ...                     nn.Conv2d(2, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 4)).eval()
    >>> result = activation_maximisation(cnn, "0", 0, (1, 8, 8), steps=5, random_state=0)
    >>> isinstance(result, ActivationMaximisation), result.layer, result.channel, result.history.size
    (True, '0', 0, 5)
    """

    image: np.ndarray
    start_activation: float
    final_activation: float
    history: np.ndarray
    layer: str
    channel: int


def _gaussian_kernel(sigma: float):
    import torch

    r = max(1, int(np.ceil(2 * sigma)))
    t = torch.arange(-r, r + 1, dtype=torch.float32)
    k = torch.exp(-(t**2) / (2 * sigma**2))
    return (k / k.sum()), r


def activation_maximisation(model, layer: str, channel: int, input_shape, *, steps: int = 200, lr: float = 0.05,
                            jitter: int = 2, blur_every: int = 10, blur_sigma: float = 0.5, value_range=(-1.0, 1.0),
                            init_scale: float = 0.1, objective: str = "mean", random_state=None,
                            progress: bool | None = None) -> ActivationMaximisation:
    """Find an input that maximises the mean activation of one channel (filter visualisation by optimisation).

    Gradient ascent (Adam) on the input from ``N(0, init_scale^2)`` noise; each step
    shifts the image by a random jitter of up to ``jitter`` pixels (torch.roll) before the
    forward pass, every ``blur_every`` steps blurs it with a Gaussian of ``blur_sigma``,
    and clips it to ``value_range`` (the data range: without a bound a ReLU network's
    activation grows without limit). Thesis ``000`` section 5.4.1; jitter and blur as
    in Olah et al., "Feature Visualization", Distill 2017.

    ``objective="mean"`` maximises the channel's mean over its map (the thesis' "output of
    that kernel map"); ``"center"`` maximises the unit at the map's centre, whose input is
    its receptive field. Target a pre-activation (a conv output) rather than a ReLU output:
    a ReLU that is off at the start passes no gradient.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from reluscope.practical import activation_maximisation
    >>> _ = torch.manual_seed(0)
    >>> cnn = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    ...                     nn.Conv2d(2, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 4)).eval()
    >>> result = activation_maximisation(cnn, "0", channel=1, input_shape=(1, 8, 8), steps=20, random_state=0)
    >>> result.image.shape, result.history.shape
    ((1, 8, 8), (20,))
    >>> result.final_activation > result.start_activation, float(np.abs(result.image).max()) <= 1.0
    (True, True)
    """
    import torch
    from torch.nn import functional as F

    rng = np.random.default_rng(random_state)
    g = torch.Generator().manual_seed(int(rng.integers(2**31)))
    x = (init_scale * torch.randn((1, *input_shape), generator=g)).clamp(*value_range).requires_grad_(True)
    params = [p.requires_grad for p in model.parameters()]
    for p in model.parameters():
        p.requires_grad_(False)

    if objective not in ("mean", "center"):
        raise InvalidInputError(f"objective={objective!r}; use 'mean' or 'center'.")

    def target(img):
        a = _forward_to(model, layer, img)[0, channel]
        return a.mean() if objective == "mean" else a[a.shape[0] // 2, a.shape[1] // 2]

    try:
        with torch.no_grad():
            start = float(target(x))
        opt = torch.optim.Adam([x], lr=lr)
        kernel, r = _gaussian_kernel(blur_sigma)
        history = np.empty(steps)
        for step in progress_bar(range(steps), progress=progress, desc="activation maximisation", unit="step"):
            dy, dx = (int(v) for v in rng.integers(-jitter, jitter + 1, size=2)) if jitter else (0, 0)
            opt.zero_grad()
            loss = -target(torch.roll(x, shifts=(dy, dx), dims=(-2, -1)))
            loss.backward()
            opt.step()
            with torch.no_grad():
                if blur_every and (step + 1) % blur_every == 0:
                    C = x.shape[1]
                    kh = kernel.view(1, 1, -1, 1).repeat(C, 1, 1, 1)
                    y = F.conv2d(F.pad(x, (0, 0, r, r), mode="replicate"), kh, groups=C)
                    x.copy_(F.conv2d(F.pad(y, (r, r, 0, 0), mode="replicate"), kh.transpose(2, 3), groups=C))
                x.clamp_(*value_range)
            history[step] = -float(loss.detach())
        with torch.no_grad():
            final = float(target(x))
    finally:
        for p, flag in zip(model.parameters(), params):
            p.requires_grad_(flag)
    return ActivationMaximisation(x.detach()[0].numpy(), start, final, history, layer, int(channel))


def layer_activations(model, layer: str, X) -> np.ndarray:
    """Output of ``layer`` for a batch ``X`` as float64 NumPy.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from reluscope.practical import layer_activations
    >>> _ = torch.manual_seed(0)
    >>> cnn = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    ...                     nn.Conv2d(2, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 4)).eval()
    >>> X = np.random.default_rng(0).normal(size=(2, 1, 8, 8)).astype(np.float32)
    >>> A = layer_activations(cnn, "1", X)
    >>> A.shape, A.dtype
    ((2, 2, 8, 8), dtype('float64'))
    >>> np.allclose(A, torch.relu(cnn[0](torch.from_numpy(X))).detach().numpy())
    True
    """
    import torch

    with torch.no_grad():
        return _layer_output(model, layer, torch.as_tensor(np.asarray(X), dtype=torch.float32)).double().numpy()


def topk_receptive_field_heatmap(model, layer: str, X, k: int = 100) -> np.ndarray:
    """``(n, H, W)``: for each input, how many of the layer's ``k`` largest activations see each pixel.

    Thesis ``000`` Fig. 5.15 ("receptive fields associated to the top 500 activations").
    Boxes come from :func:`receptive_fields`; they are summed with a 2-D difference array
    (vectorised over inputs and activations).

    Examples
    --------
    Layer ``"3"`` has 12 units (3 channels x 2 x 2), each seeing a 7x7 box of the 8x8 input once
    clipped; with ``k=12`` the counts add up to ``12 * 49``:

    >>> import torch
    >>> from torch import nn
    >>> from reluscope.practical import topk_receptive_field_heatmap
    >>> _ = torch.manual_seed(0)
    >>> cnn = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    ...                     nn.Conv2d(2, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 4)).eval()
    >>> X = np.random.default_rng(0).normal(size=(2, 1, 8, 8)).astype(np.float32)
    >>> heat = topk_receptive_field_heatmap(cnn, "3", X, k=12)
    >>> heat.shape, heat.sum(axis=(1, 2)).tolist()
    ((2, 8, 8), [588.0, 588.0])
    """
    X = np.asarray(X)
    A = layer_activations(model, layer, X)
    n, C, h, w = A.shape
    k = min(int(k), C * h * w)
    top = np.argpartition(-A.reshape(n, -1), k - 1, axis=1)[:, :k]
    i, j = (top % (h * w)) // w, top % w
    H, W = X.shape[-2:]
    r0, r1, c0, c1 = receptive_field_box(receptive_fields(model), layer, i, j, (H, W))
    diff = np.zeros((n, H + 1, W + 1))
    rows = np.repeat(np.arange(n), k)
    for rr, cc, sign in ((r0, c0, 1), (r1, c0, -1), (r0, c1, -1), (r1, c1, 1)):
        np.add.at(diff, (rows, rr.ravel(), cc.ravel()), sign)
    return diff.cumsum(axis=1).cumsum(axis=2)[:, :H, :W]


@dataclass
class FeatureMapPCA:
    """A layer's feature maps projected on their first three principal components, as an RGB image.

    ``rgb`` is ``(h, w, 3)`` in [0, 1] (each component min-max scaled); ``explained_variance_ratio`` has 3 entries.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from reluscope.practical import FeatureMapPCA, feature_map_pca_rgb
    >>> _ = torch.manual_seed(0)
    >>> cnn = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    ...                     nn.Conv2d(2, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 4)).eval()
    >>> X = np.random.default_rng(0).normal(size=(2, 1, 8, 8)).astype(np.float32)
    >>> pca = feature_map_pca_rgb(cnn, "4", X[0])  # 3 channels at 2 x 2 positions
    >>> isinstance(pca, FeatureMapPCA), pca.rgb.shape, pca.explained_variance_ratio.shape
    (True, (2, 2, 3), (3,))
    """

    rgb: np.ndarray
    explained_variance_ratio: np.ndarray
    layer: str


def feature_map_pca_rgb(model, layer: str, x) -> FeatureMapPCA:
    """PCA of the ``C``-dimensional feature vectors at the ``h x w`` positions of ``layer`` (thesis Fig. 5.16).

    Examples
    --------
    Two channels have two principal components, which explain all the variance (the third is 0):

    >>> import torch
    >>> from torch import nn
    >>> from reluscope.practical import feature_map_pca_rgb
    >>> _ = torch.manual_seed(0)
    >>> cnn = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    ...                     nn.Conv2d(2, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 4)).eval()
    >>> X = np.random.default_rng(0).normal(size=(2, 1, 8, 8)).astype(np.float32)
    >>> pca = feature_map_pca_rgb(cnn, "1", X[0])
    >>> pca.rgb.shape, float(pca.rgb.min()), float(pca.rgb[..., :2].max())
    ((8, 8, 3), 0.0, 1.0)
    >>> float(pca.explained_variance_ratio.sum()), float(pca.explained_variance_ratio[2])
    (1.0, 0.0)
    """
    A = layer_activations(model, layer, np.asarray(x)[None])[0]
    C, h, w = A.shape
    Z = A.reshape(C, -1).T
    Z = Z - Z.mean(axis=0)
    U, s, _ = np.linalg.svd(Z, full_matrices=False)
    m = min(3, s.size)
    P = U[:, :m] * s[:m]
    P = np.pad(P, ((0, 0), (0, 3 - m)))
    lo, hi = P.min(axis=0), P.max(axis=0)
    rgb = np.divide(P - lo, hi - lo, out=np.zeros_like(P), where=hi > lo).reshape(h, w, 3)
    var = s**2
    ratio = np.pad(var[:m] / var.sum() if var.sum() > 0 else np.zeros(m), (0, 3 - m))
    return FeatureMapPCA(rgb, ratio, layer)


@dataclass
class FilterOverlays:
    """Feature maps of chosen channels upsampled (bilinear) to the input size, each scaled to [0, 1].

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from reluscope.practical import FilterOverlays, filter_overlays
    >>> _ = torch.manual_seed(0)
    >>> cnn = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    ...                     nn.Conv2d(2, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 4)).eval()
    >>> X = np.random.default_rng(0).normal(size=(2, 1, 8, 8)).astype(np.float32)
    >>> overlay = filter_overlays(cnn, "4", X[0], channels=[2, 0])
    >>> isinstance(overlay, FilterOverlays), overlay.channels.tolist(), overlay.maps.shape, overlay.image.shape
    (True, [2, 0], (2, 8, 8), (1, 8, 8))
    """

    image: np.ndarray
    maps: np.ndarray
    channels: np.ndarray
    layer: str


def filter_overlays(model, layer: str, x, channels=None, top: int = 8) -> FilterOverlays:
    """Thesis Fig. 5.17: the chosen channels' maps (default: the ``top`` most active) laid onto the input.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from reluscope.practical import filter_overlays, layer_activations
    >>> _ = torch.manual_seed(0)
    >>> cnn = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    ...                     nn.Conv2d(2, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 4)).eval()
    >>> X = np.random.default_rng(0).normal(size=(2, 1, 8, 8)).astype(np.float32)
    >>> overlay = filter_overlays(cnn, "1", X[0], top=2)
    >>> overlay.maps.shape, float(overlay.maps.min()), float(overlay.maps.max())
    ((2, 8, 8), 0.0, 1.0)
    >>> means = layer_activations(cnn, "1", X[:1])[0].mean(axis=(1, 2))  # most active channel first
    >>> overlay.channels.tolist() == np.argsort(-means, kind="stable").tolist()
    True
    """
    import torch
    from torch.nn import functional as F

    x = np.asarray(x, dtype=np.float32)
    A = layer_activations(model, layer, x[None])[0]
    if channels is None:
        channels = np.argsort(-A.reshape(A.shape[0], -1).mean(axis=1), kind="stable")[:top]
    channels = np.asarray(channels, dtype=int)
    up = F.interpolate(torch.from_numpy(A[channels][None]), size=x.shape[-2:], mode="bilinear", align_corners=False)[0].numpy()
    lo, hi = up.min(axis=(1, 2), keepdims=True), up.max(axis=(1, 2), keepdims=True)
    maps = np.divide(up - lo, hi - lo, out=np.zeros_like(up), where=hi > lo)
    return FilterOverlays(x, maps, channels, layer)
