"""The exact local linear model of a ReLU CNN at an image: an exact saliency map.

A network of Conv2d / Linear / ReLU / MaxPool2d / Flatten is piecewise linear: at
an input ``x`` every ReLU is on or off and every max-pool window selects one
input; with that pattern fixed the network is one affine map
``f(x') = W x' + b`` on the activation region of ``x`` (unwrapping paper ``001``
section 2, thesis ``000`` chapter 2; max-pooling's selection pattern plays the
role of the ReLU pattern). ``W`` has the shape of the input for each output: a
saliency map that is exact, not a first-order approximation.

Algorithm (float64): record the pattern at ``x``; freeze it
(:mod:`._freeze`); the frozen network is affine, so ``W`` is its Jacobian
(one backward pass per output, all samples at once) and ``b`` is its value at
``x' = 0`` (an independent forward pass). The result is verified: ``W x + b`` must
equal the float64 network at ``x`` to round-off, and the float32 model to
``tol`` (else :class:`~reluscope.errors.NotExactError`).

Why not a :class:`~reluscope.ReLUNetwork`: written as dense matrices MNISTNet's
second convolution alone is 12,544 x 6,272 (0.6 GB in float64), and max-pooling
has no place in the canonical form; the model is therefore linearised directly.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidInputError, NotExactError, UnsupportedActivationError, UnsupportedLayerError
from ._freeze import PatternMode

__all__ = ["CNNLocalLinearModel", "cnn_local_linear_model", "cnn_region_constraints", "check_piecewise_linear"]

_OK_LAYERS = {
    "Conv1d", "Conv2d", "Linear", "ReLU", "LeakyReLU", "MaxPool2d", "Flatten", "Unflatten", "Dropout", "Dropout2d",
    "Identity", "AvgPool2d", "BatchNorm1d", "BatchNorm2d", "ZeroPad2d",
}
_SMOOTH_LAYERS = {
    "Tanh", "Sigmoid", "GELU", "ELU", "SELU", "CELU", "SiLU", "Mish", "Softplus", "Softsign", "ReLU6", "Hardtanh",
    "Hardswish", "Hardsigmoid", "LogSigmoid", "Softmax", "LogSoftmax", "Softmin", "Tanhshrink", "Softshrink",
    "Hardshrink", "Threshold", "GLU", "PReLU", "RReLU",
}
SUPPORTED = "Conv2d, Linear, ReLU, LeakyReLU, MaxPool2d, Flatten (and eval-mode BatchNorm, Dropout, AvgPool2d, Identity)"


def check_piecewise_linear(model) -> None:
    """Refuse, by name, any sub-module that is not piecewise linear or not supported.

    Raises
    ------
    UnsupportedActivationError
        A smooth activation (Tanh, GELU, ...), named by its path.
    UnsupportedLayerError
        Any other layer that the exact model does not handle.
    InvalidInputError
        The model is in training mode.

    Examples
    --------
    >>> from torch import nn
    >>> from reluscope.errors import UnsupportedActivationError
    >>> from reluscope.practical import check_piecewise_linear
    >>> check_piecewise_linear(nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1)).eval())  # passes
    >>> try:
    ...     check_piecewise_linear(nn.Sequential(nn.Linear(3, 4), nn.Tanh()).eval())
    ... except UnsupportedActivationError as err:
    ...     print(str(err)[:50])
    Layer '1' (Tanh) is not piecewise linear, so the C
    """
    for path, module in model.named_modules():
        if any(True for _ in module.children()):
            continue
        kind = type(module).__name__
        if kind in _SMOOTH_LAYERS:
            raise UnsupportedActivationError(
                f"Layer '{path}' ({kind}) is not piecewise linear, so the CNN has no exact local linear model. "
                f"Supported: {SUPPORTED}."
            )
        if kind not in _OK_LAYERS:
            raise UnsupportedLayerError(f"Layer '{path}' ({kind}) is not supported by the exact CNN model. Supported: {SUPPORTED}.")
    if model.training:
        raise InvalidInputError("The model is in training mode (dropout / batch-norm statistics vary); call model.eval() first.")


@dataclass
class CNNLocalLinearModel:
    """Exact local linear models of a ReLU CNN at a batch of inputs.

    Attributes
    ----------
    coefficients : ndarray of shape ``(n, n_outputs) + input_shape``
        ``d f_k / d x`` with the pattern fixed: the exact saliency map of each output.
    intercepts : ndarray of shape (n, n_outputs)
    outputs : ndarray of shape (n, n_outputs)
        The model's outputs at the inputs (in the model's own dtype, usually float32).
    max_error : float
        ``max |W x + b - model(x)|`` against the model in its own dtype.
    n_relu_on, n_relu : int arrays of shape (n,)
        Active ReLU units per input and their number.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from reluscope.practical import CNNLocalLinearModel, cnn_local_linear_model
    >>> _ = torch.manual_seed(0)
    >>> cnn = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    ...                     nn.Conv2d(2, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 4)).eval()
    >>> X = np.random.default_rng(0).normal(size=(2, 1, 8, 8)).astype(np.float32)
    >>> llm = cnn_local_linear_model(cnn, X)
    >>> isinstance(llm, CNNLocalLinearModel), llm.coefficients.shape, llm.intercepts.shape, llm.n_relu
    (True, (2, 4, 1, 8, 8), (2, 4), 140)
    >>> np.allclose(llm.predict(X), llm.outputs, atol=1e-5)  # W x + b gives back the logits
    True
    """

    coefficients: np.ndarray
    intercepts: np.ndarray
    outputs: np.ndarray
    max_error: float
    n_relu_on: np.ndarray
    n_relu: int

    def predict(self, X) -> np.ndarray:
        """``W_i x_i + b_i`` for inputs ``X`` (one per stored model, same shape as the inputs)."""
        X = np.asarray(X, dtype=float).reshape(self.coefficients.shape[0], 1, -1)
        W = self.coefficients.reshape(*self.coefficients.shape[:2], -1)
        return np.einsum("nki,nki->nk", W, np.broadcast_to(X, W.shape)) + self.intercepts


def _prepare(model, X):
    import torch

    check_piecewise_linear(model)
    m64 = copy.deepcopy(model).double().eval()
    x = torch.as_tensor(np.asarray(X), dtype=torch.float64)
    if not torch.isfinite(x).all():
        raise InvalidInputError("The input holds NaN or inf; pass finite images.")
    return m64, x


def _forward(m64, x, mode, pattern):
    with PatternMode(mode, pattern):
        out = m64(x)
    return out.reshape(x.shape[0], -1)


def cnn_local_linear_model(model, X, *, tol: float = 1e-5) -> CNNLocalLinearModel:
    """The exact local linear model of a ReLU CNN at each input of ``X`` (a batch, e.g. ``(n, 1, 28, 28)``).

    Parameters
    ----------
    model : torch.nn.Module
        Built of Conv2d / Linear / ReLU / MaxPool2d / Flatten (functional ``relu``,
        ``max_pool2d`` and ``flatten`` calls are fine); in eval mode.
    X : array-like of shape ``(n,) + input_shape``
    tol : float
        Allowed ``max |W x + b - model(x)|`` relative to ``max(1, max |model(x)|)`` (float32 round-off).

    Raises
    ------
    UnsupportedActivationError, UnsupportedLayerError
        A layer or functional call that is not piecewise linear, named.
    NotExactError
        The affine map does not reproduce the network (an operation the pattern cannot freeze).

    Examples
    --------
    The coefficients are the Jacobian of the network at each input (computed here again by
    ``torch.autograd``), and ``W x + b`` reproduces its output:

    >>> import torch
    >>> from torch import nn
    >>> from reluscope.practical import cnn_local_linear_model
    >>> _ = torch.manual_seed(0)
    >>> cnn = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    ...                     nn.Conv2d(2, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 4)).eval()
    >>> X = np.random.default_rng(0).normal(size=(2, 1, 8, 8)).astype(np.float32)
    >>> llm = cnn_local_linear_model(cnn, X)
    >>> llm.max_error < 1e-5
    True
    >>> J = torch.autograd.functional.jacobian(lambda x: cnn.double()(x[None])[0], torch.from_numpy(X[0]).double())
    >>> np.allclose(llm.coefficients[0], J.numpy())
    True
    >>> W, b = llm.coefficients[1].reshape(4, -1), llm.intercepts[1]
    >>> np.allclose(W @ X[1].ravel() + b, cnn(torch.from_numpy(X[1:].astype(np.float64)))[0].detach().numpy())
    True
    """
    import torch

    m64, x = _prepare(model, X)
    pattern: list = []
    with torch.no_grad():
        f64 = _forward(m64, x, "record", pattern)
        intercepts = _forward(m64, torch.zeros_like(x), "frozen", pattern)
        dtype = next(model.parameters()).dtype
        f32 = model(x.to(dtype)).reshape(x.shape[0], -1).double()
    xg = x.clone().requires_grad_(True)
    out = _forward(m64, xg, "frozen", pattern)
    grads = [torch.autograd.grad(out[:, k].sum(), xg, retain_graph=k < out.shape[1] - 1)[0] for k in range(out.shape[1])]
    W = torch.stack(grads, dim=1).numpy()
    b = intercepts.numpy()
    pred = np.einsum("nki,ni->nk", W.reshape(*W.shape[:2], -1), x.reshape(x.shape[0], -1).numpy()) + b
    err64 = float(np.max(np.abs(pred - f64.numpy())))
    scale = max(1.0, float(np.max(np.abs(f64.numpy()))))
    if err64 > 1e-9 * scale:
        raise NotExactError(
            f"With the pattern frozen the network is not affine (float64 error {err64:.2e}): it applies an operation "
            "other than conv / linear / relu / max-pool. Check its forward."
        )
    err = float(np.max(np.abs(pred - f32.numpy())))
    if err > tol * scale:
        raise NotExactError(f"The local linear model misses the float32 model by {err:.2e} > tol={tol:.1e} x {scale:.3g}.")
    relu = [e[1].reshape(x.shape[0], -1) for e in pattern if e[0] == "relu"]
    on = np.sum([r.sum(dim=1).numpy() for r in relu], axis=0) if relu else np.zeros(x.shape[0], int)
    return CNNLocalLinearModel(W, b, f32.numpy(), err, on.astype(int), int(sum(r.shape[1] for r in relu)))


def _pool_pairs(entry, pre):
    """Flat (other, selected) index pairs of every max-pool window into the pre-pool tensor."""
    import torch
    from torch.nn import functional as F

    _, idx, pa = entry
    C, H, Wd = pre.shape[1:]
    flat = torch.arange(1, H * Wd + 1, dtype=torch.float64).reshape(1, 1, H, Wd).expand(1, C, H, Wd)
    win = F.unfold(flat.reshape(C, 1, H, Wd), pa["kernel_size"], dilation=pa.get("dilation", 1),
                   padding=pa.get("padding", 0), stride=pa["stride"]).long() - 1  # (C, K, L), -1 = padding
    sel = idx.reshape(C, 1, -1)
    if win.shape[-1] != sel.shape[-1]:
        raise UnsupportedLayerError("A max-pool with ceil_mode=True is not supported for region constraints.")
    keep = (win >= 0) & (win != sel)
    chan = torch.arange(C).reshape(C, 1, 1) * (H * Wd)
    other = (win + chan)[keep]
    chosen = (sel + chan).expand_as(win)[keep]
    return other.numpy(), chosen.numpy()


def cnn_region_constraints(model, x, *, chunk: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """The activation region of one input ``x`` as ``A x' <= c`` (usable by ``reluscope.geometry``).

    One row per ReLU unit (``-a x' <= b`` when on, ``a x' <= -b`` when off, with
    ``a x' + b`` its pre-activation under the frozen pattern) and one per
    non-selected entry of every max-pool window (``(a_o - a_s) x' <= b_s - b_o``).
    Rows are dense: ``rows x n_inputs`` float64 (MNISTNet: about 66k x 784, 0.4 GB).

    Coefficients are differences of the frozen network's pre-activations at the
    basis vectors and at 0, pushed ``chunk`` basis vectors at a time.

    Returns
    -------
    A : ndarray of shape (rows, n_inputs)
    c : ndarray of shape (rows,)

    Examples
    --------
    128 + 12 ReLU rows and 3 non-selected entries in each of the 32 pooling windows; the input itself
    satisfies every row:

    >>> import torch
    >>> from torch import nn
    >>> from reluscope.practical import cnn_region_constraints
    >>> _ = torch.manual_seed(0)
    >>> cnn = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    ...                     nn.Conv2d(2, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 4)).eval()
    >>> X = np.random.default_rng(0).normal(size=(2, 1, 8, 8)).astype(np.float32)
    >>> A, c = cnn_region_constraints(cnn, X[0])
    >>> A.shape, c.shape
    ((236, 64), (236,))
    >>> bool(np.all(A @ X[0].ravel() <= c + 1e-9))
    True
    """
    import torch

    m64, x = _prepare(model, np.asarray(x)[None])
    pattern: list = []
    n = x[0].numel()
    with torch.no_grad():
        _forward(m64, x, "record", pattern)
        zero = PatternMode("frozen", pattern, capture=True)
        with zero:
            m64(torch.zeros_like(x))
        b_parts = [c[1].reshape(-1).numpy() for c in zero.captured]
        a_parts = [np.empty((p.size, n)) for p in b_parts]
        eye = torch.eye(n, dtype=torch.float64)
        for start in range(0, n, chunk):
            basis = eye[start : start + chunk].reshape(-1, *x.shape[1:])
            mode = PatternMode("frozen", pattern, capture=True)
            with mode:
                m64(basis)
            for a, cap, b0 in zip(a_parts, mode.captured, b_parts):
                a[:, start : start + basis.shape[0]] = (cap[1].reshape(basis.shape[0], -1).numpy() - b0).T
    rows_A, rows_c = [], []
    for entry, a, b0, cap in zip(pattern, a_parts, b_parts, zero.captured):
        if entry[0] == "relu":
            sign = np.where(entry[1].reshape(-1).numpy(), -1.0, 1.0)
            rows_A.append(sign[:, None] * a)
            rows_c.append(-sign * b0)
        else:
            other, chosen = _pool_pairs(entry, cap[1])
            rows_A.append(a[other] - a[chosen])
            rows_c.append(b0[chosen] - b0[other])
    return np.vstack(rows_A), np.concatenate(rows_c)
