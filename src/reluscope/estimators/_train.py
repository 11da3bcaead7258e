"""The PyTorch training loop behind :class:`ReLUNetClassifier` and :class:`ReLUNetRegressor`.

Private to :mod:`reluscope.estimators`.  Torch is imported here only, and this
module only when an estimator is fitted, so ``import reluscope`` stays light.

The objective is the L1-regularised loss of the PiML/MoDeVa ReLU estimator
(``../shared/seeds/003``, "Simplification by L1-Regularization")::

    J(theta) = mean_i loss(eta(x_i), y_i) + l1_reg * sum_l sum_jk |W^(l)_jk|

minimised by Adam on shuffled mini-batches, with early stopping on the
validation data loss (patience in epochs) and the best weights restored.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from .._progress import progress_bar

__all__ = ["TrainResult", "train_relu_net"]

_LOSSES = {
    "binary": lambda eta, t: F.binary_cross_entropy_with_logits(eta[:, 0], t),
    "multiclass": F.cross_entropy,
    "regression": F.mse_loss,
}


@dataclass
class TrainResult:
    """Weights (float64, (n_out, n_in)), biases, per-epoch history and stopping facts."""

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    history: pd.DataFrame
    n_iter: int
    best_epoch: int
    interrupted: bool


def _init_params(sizes, gen: torch.Generator, device, dtype) -> list[torch.Tensor]:
    """PyTorch's default ``nn.Linear`` initialisation, ``U(-1/sqrt(n_in), 1/sqrt(n_in))`` for W and b,
    drawn from the local generator ``gen`` (the global torch RNG is never touched)."""
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / math.sqrt(n_in)
        for shape in ((n_out, n_in), (n_out,)):
            p = (torch.rand(shape, generator=gen, dtype=dtype) * 2.0 - 1.0) * bound
            params.append(p.to(device).requires_grad_(True))
    return params


def _forward(params: list[torch.Tensor], X: torch.Tensor) -> torch.Tensor:
    """``eta(x)``: affine layers with ReLU between them, no output link."""
    h = X
    n_layers = len(params) // 2
    for l in range(n_layers):
        h = F.linear(h, params[2 * l], params[2 * l + 1])
        if l < n_layers - 1:
            h = torch.relu(h)
    return h


def _l1(params: list[torch.Tensor]) -> torch.Tensor:
    """``sum_l sum |W^(l)|`` over weight matrices only (biases are unpenalised)."""
    return sum(p.abs().sum() for p in params[0::2])


def _snapshot(params: list[torch.Tensor]) -> list[torch.Tensor]:
    return [p.detach().clone() for p in params]


def _epoch(params, opt, loss_fn, X, Y, batch_size: int, l1_reg: float, gen) -> float:
    """One pass over shuffled mini-batches; returns the size-weighted mean data loss (no penalty)."""
    n = X.shape[0]
    perm = torch.randperm(n, generator=gen).to(X.device)
    total = 0.0
    for start in range(0, n, batch_size):
        idx = perm[start : start + batch_size]
        data_loss = loss_fn(_forward(params, X[idx]), Y[idx])
        loss = data_loss + l1_reg * _l1(params) if l1_reg > 0 else data_loss
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        total += float(data_loss.detach()) * idx.shape[0]
    return total / n


def train_relu_net(
    X_train: np.ndarray,
    Y_train: np.ndarray,
    X_val: np.ndarray | None,
    Y_val: np.ndarray | None,
    *,
    sizes: list[int],
    task: str,
    l1_reg: float,
    learning_rate: float,
    batch_size: int,
    max_epochs: int,
    patience: int,
    seed: int,
    device: str,
    verbose: bool,
) -> TrainResult:
    """Train a ReLU MLP of layer widths ``sizes`` (inputs, hidden..., outputs) in float32.

    ``task`` picks the loss: 'binary' (BCE with logits, one logit), 'multiclass'
    (cross-entropy, integer targets) or 'regression' (MSE, 2-D targets).  With
    validation data, training stops after ``patience`` epochs without a strictly
    lower validation loss and returns the weights of the best epoch.  A
    ``KeyboardInterrupt`` ends training after the last completed step and keeps
    the best weights so far (the latest ones without validation data).
    """
    dev = torch.device(device)
    dtype = torch.float32
    gen = torch.Generator().manual_seed(int(seed))
    target_dtype = torch.long if task == "multiclass" else dtype

    def tensor(a, dt=dtype):
        return None if a is None else torch.as_tensor(np.ascontiguousarray(a), dtype=dt, device=dev)

    Xt, Yt = tensor(X_train), tensor(Y_train, target_dtype)
    Xv, Yv = tensor(X_val), tensor(Y_val, target_dtype)
    loss_fn = _LOSSES[task]
    params = _init_params(sizes, gen, dev, dtype)
    opt = torch.optim.Adam(params, lr=learning_rate)
    best, best_val, best_epoch, stale = _snapshot(params), math.inf, 0, 0
    rows: list[tuple[int, float, float]] = []
    interrupted = False
    bar = progress_bar(range(1, max_epochs + 1), progress=bool(verbose), desc="ReLU net", unit="epoch")
    try:
        for epoch in bar:
            train_loss = _epoch(params, opt, loss_fn, Xt, Yt, batch_size, l1_reg, gen)
            val_loss = math.nan
            if Xv is not None:
                with torch.no_grad():
                    val_loss = float(loss_fn(_forward(params, Xv), Yv))
            rows.append((epoch, train_loss, val_loss))
            if verbose:
                bar.set_postfix(train_loss=f"{train_loss:.4g}", val_loss=f"{val_loss:.4g}")
            if Xv is None:
                best_epoch = epoch
                continue
            if val_loss < best_val:
                best, best_val, best_epoch, stale = _snapshot(params), val_loss, epoch, 0
            else:
                stale += 1
                if stale >= patience:
                    break
    except KeyboardInterrupt:
        interrupted = True
        warnings.warn(
            f"Training interrupted after {len(rows)} complete epoch(s); keeping the weights of epoch "
            f"{best_epoch if Xv is not None else 'in progress'} ({'lowest validation loss' if Xv is not None else 'latest step'}).",
            UserWarning,
            stacklevel=3,
        )
    finally:
        if hasattr(bar, "close"):
            bar.close()
    final = best if (Xv is not None and best_epoch > 0) else _snapshot(params)
    arrays = [p.cpu().double().numpy() for p in final]
    history = pd.DataFrame(rows, columns=["epoch", "train_loss", "val_loss"]).astype(
        {"epoch": "int64", "train_loss": "float64", "val_loss": "float64"}
    )
    return TrainResult(arrays[0::2], arrays[1::2], history, len(rows), best_epoch if Xv is not None else len(rows), interrupted)
