"""Small PyTorch trainer for fully connected ReLU networks (fine-tuning in Algorithm 2 of ``001``).

Adam on mini-batches, mean squared error (regression) or binary cross-entropy
on the logit (binary), early stopping on a validation share of the rows with
the best weights restored.  Float64 throughout, seeded by ``random_state``.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils import check_random_state

from .._progress import progress_bar
from ..errors import InvalidInputError


def uniform_init(sizes, random_state=None) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """PyTorch's default ``nn.Linear`` initialisation, ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``, drawn with NumPy."""
    rng = check_random_state(random_state)
    weights, biases = [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / np.sqrt(n_in)
        weights.append(rng.uniform(-bound, bound, size=(n_out, n_in)))
        biases.append(rng.uniform(-bound, bound, size=n_out))
    return weights, biases


def check_training_params(learning_rate, batch_size, max_epochs, val_ratio, patience) -> None:
    if not (np.isscalar(learning_rate) and learning_rate > 0):
        raise InvalidInputError(f"learning_rate must be positive, got {learning_rate!r}.")
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise InvalidInputError(f"batch_size must be a positive integer, got {batch_size!r}.")
    if not isinstance(max_epochs, (int, np.integer)) or max_epochs < 0:
        raise InvalidInputError(f"max_epochs must be a non-negative integer (0: no fine-tuning), got {max_epochs!r}.")
    if not (np.isscalar(val_ratio) and 0.0 <= val_ratio < 1.0):
        raise InvalidInputError(f"val_ratio must be in [0, 1), got {val_ratio!r}.")
    if not isinstance(patience, (int, np.integer)) or patience < 1:
        raise InvalidInputError(f"patience must be a positive integer, got {patience!r}.")


def train_relu(
    weights,
    biases,
    X: np.ndarray,
    y: np.ndarray,
    task: str,
    *,
    learning_rate: float = 1e-3,
    batch_size: int = 64,
    max_epochs: int = 200,
    val_ratio: float = 0.2,
    patience: int = 20,
    random_state=None,
    progress: bool | None = None,
):
    """Train a ReLU network from the given weights; returns ``(weights, biases, history)``.

    ``history`` holds ``train_loss`` and ``val_loss`` per epoch and ``best_epoch``
    (0 = the initial weights were never beaten on the validation rows).
    """
    import torch

    check_training_params(learning_rate, batch_size, max_epochs, val_ratio, patience)
    rng = check_random_state(random_state)
    n = X.shape[0]
    perm = rng.permutation(n)
    n_val = int(round(val_ratio * n)) if val_ratio > 0 else 0
    n_val = min(n_val, n - 1)
    val, tr = perm[:n_val], perm[n_val:]
    gen = torch.Generator().manual_seed(int(rng.randint(0, 2**31 - 1)))
    params = []
    for w, b in zip(weights, biases):
        params += [torch.tensor(w, dtype=torch.float64, requires_grad=True), torch.tensor(b, dtype=torch.float64, requires_grad=True)]
    Xt = torch.as_tensor(X, dtype=torch.float64)
    yt = torch.as_tensor(y, dtype=torch.float64)
    loss_fn = torch.nn.MSELoss() if task == "regression" else torch.nn.BCEWithLogitsLoss()

    def forward(xb):
        h = xb
        for i in range(0, len(params) - 2, 2):
            h = torch.relu(h @ params[i].T + params[i + 1])
        return (h @ params[-2].T + params[-1])[:, 0]

    def val_loss():
        if n_val == 0:
            return np.nan
        with torch.no_grad():
            return float(loss_fn(forward(Xt[val]), yt[val]))

    opt = torch.optim.Adam(params, lr=learning_rate)
    tr_t = torch.as_tensor(tr)
    best = (val_loss(), [p.detach().clone() for p in params], 0)
    hist_tr, hist_val, waited = [], [], 0
    for epoch in progress_bar(range(1, max_epochs + 1), progress=progress, desc="fine-tune", unit="epoch"):
        order = tr_t[torch.randperm(tr.size, generator=gen)]
        total = 0.0
        for s in range(0, tr.size, batch_size):
            idx = order[s:s + batch_size]
            opt.zero_grad()
            loss = loss_fn(forward(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            total += loss.item() * idx.numel()
        hist_tr.append(total / tr.size)
        v = val_loss()
        hist_val.append(v)
        if n_val == 0:
            continue
        if v < best[0]:
            best, waited = (v, [p.detach().clone() for p in params], epoch), 0
        else:
            waited += 1
            if waited >= patience:
                break
    final = best[1] if n_val else [p.detach() for p in params]
    out_w = [final[i].numpy().copy() for i in range(0, len(final), 2)]
    out_b = [final[i].numpy().copy() for i in range(1, len(final), 2)]
    history = {"train_loss": hist_tr, "val_loss": hist_val, "best_epoch": best[2] if n_val else len(hist_tr)}
    return out_w, out_b, history
