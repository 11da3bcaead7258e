"""Unwrap with torch on a device (a GPU, or the CPU): forward, packing, de-duplication, LLMs, check.

Rows stream from host memory in chunks; on the device each chunk gets its
forward pass, its activation bits packed into bytes (the big-endian layout of
:func:`numpy.packbits`, so keys are the NumPy path's keys) and its ``eta``.
The distinct patterns are found on the device with stable sorts on 56-bit
words of the keys (lexicographic byte order, as in memory), numbered by count
descending then key bytes, and their LLMs come from the backward product of
Theorem 1 (``001``, eq. 13) batched in float64 on the device.  The result is a
:class:`TorchLocalLinearModels` with NumPy arrays: the same regions, counts
and numbering as the NumPy path, coefficients equal up to round-off.

``dtype='float32'`` computes the forward pass (hence the patterns) in float32;
the LLMs and the verification stay float64 against a float64 forward pass, and
the check's tolerance is :data:`FLOAT32_RTOL` instead of ``VERIFY_RTOL``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import DeviceError, InvalidInputError, NotExactError
from .._kernels import _trivial
from ..unwrap import VERIFY_RTOL, LocalLinearModels
from ..validation import check_target

__all__ = ["unwrap_torch", "TorchLocalLinearModels", "FLOAT32_RTOL", "resolve_device"]

#: Relative tolerance of the check when the patterns were computed in float32.
FLOAT32_RTOL = 1e-5


def resolve_device(device):
    """A ``torch.device``, or :class:`DeviceError` saying why it cannot be used."""
    import torch

    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise DeviceError(f"device={device!r} is not a torch device ({exc}); use 'cpu', 'cuda' or 'cuda:N'.") from None
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise DeviceError(
                f"device={device!r} asks for a CUDA GPU but torch sees none (torch.cuda.is_available() is False; "
                f"torch {torch.__version__}). Use device=None for the NumPy path or device='cpu' for torch on the CPU."
            )
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise DeviceError(f"device={device!r}: only {torch.cuda.device_count()} CUDA device(s) are visible.")
    elif dev.type != "cpu":
        raise DeviceError(f"device={device!r}: reluscope runs on 'cpu' or 'cuda' devices.")
    return dev


def _pack(bits, weights8):
    """bool (n, H) -> uint8 (n, ceil(H/8)), big-endian bits like np.packbits."""
    n, H = bits.shape
    nb = (H + 7) // 8
    import torch

    padded = torch.zeros((n, nb * 8), dtype=torch.uint8, device=bits.device)
    padded[:, :H] = bits
    return (padded.view(n, nb, 8) * weights8).sum(dim=2, dtype=torch.int32).to(torch.uint8)


def _forward_chunk(layers, slopes, x, H):
    """(eta, bool bits) of one chunk on the device."""
    import torch

    bits = torch.empty((x.shape[0], H), dtype=torch.bool, device=x.device)
    h, off = x, 0
    for (W, b), slope in zip(layers[:-1], slopes):
        z = torch.addmm(b, h, W.T)
        on = z > 0 if slope != 1.0 else torch.ones_like(z, dtype=torch.bool)
        bits[:, off : off + z.shape[1]] = on
        off += z.shape[1]
        h = torch.relu(z) if slope == 0.0 else (z if slope == 1.0 else torch.where(on, z, slope * z))
    W, b = layers[-1]
    return torch.addmm(b, h, W.T), bits


def _dedup(keys):
    """Distinct rows of uint8 keys on the device: (order of groups by count then bytes, inverse, counts, first row)."""
    import torch

    n, nb = keys.shape
    nw = (nb + 6) // 7
    padded = torch.zeros((n, nw * 7), dtype=torch.int64, device=keys.device)
    padded[:, :nb] = keys.to(torch.int64)
    shifts = torch.arange(48, -1, -8, device=keys.device)
    words = (padded.view(n, nw, 7) << shifts).sum(dim=2)  # 56-bit words: integer order = byte order
    order = torch.arange(n, device=keys.device)
    for j in range(nw - 1, -1, -1):
        order = order[torch.sort(words[order, j], stable=True).indices]
    sw = words[order]
    new = torch.ones(n, dtype=torch.bool, device=keys.device)
    new[1:] = (sw[1:] != sw[:-1]).any(dim=1)
    group = torch.cumsum(new, 0) - 1
    starts = torch.nonzero(new).ravel()
    counts = torch.diff(torch.cat([starts, torch.tensor([n], device=keys.device)]))
    by_count = torch.sort(-counts, stable=True).indices
    rank = torch.empty_like(by_count)
    rank[by_count] = torch.arange(by_count.numel(), device=keys.device)
    inverse = torch.empty(n, dtype=torch.int64, device=keys.device)
    inverse[order] = rank[group]
    return inverse, counts[by_count], order[starts[by_count]]


def affine_maps_torch(layers, slopes, masks, hidden_sizes):
    """Theorem 1 (eq. 13) batched over patterns on the device: coef (P, k, d), intercept (P, k)."""
    import torch

    P = masks.shape[0]
    bounds = np.cumsum([0, *hidden_sizes])
    Wout, bout = layers[-1]
    coefs, ints = [], []
    for j in range(Wout.shape[0]):
        V = Wout[j].expand(P, -1)
        b = bout[j].expand(P).clone()
        for l in range(len(hidden_sizes) - 1, -1, -1):
            m = masks[:, bounds[l] : bounds[l + 1]]
            VD = V * torch.where(m, 1.0, slopes[l]).to(V.dtype)
            b += VD @ layers[l][1]
            V = VD @ layers[l][0]
        coefs.append(V)
        ints.append(b)
    return torch.stack(coefs, 1), torch.stack(ints, 1)


def unwrap_torch(network, X, y=None, *, verify=True, chunk_size=65_536, progress=None, device="cpu", dtype="float64"):
    """:func:`reluscope.unwrap` with torch on ``device``; see the module docstring."""
    import torch

    from .._progress import progress_bar

    dev = resolve_device(device)
    if dtype not in ("float64", "float32"):
        raise InvalidInputError(f"dtype={dtype!r}: use 'float64' (exact) or 'float32' (verified error).")
    feature_names = network.feature_names or (tuple(str(c) for c in X.columns) if hasattr(X, "columns") else None)
    Xa = network.check_X(X)
    feature_names = feature_names or tuple(f"x{j + 1}" for j in range(network.n_features))
    ya = None if y is None else check_target(y, Xa.shape[0])
    fdt = torch.float64 if dtype == "float64" else torch.float32
    layers64 = [(torch.tensor(np.array(W), device=dev), torch.tensor(np.array(b), device=dev)) for W, b in zip(network.weights, network.biases)]
    layers = layers64 if fdt == torch.float64 else [(W.to(fdt), b.to(fdt)) for W, b in layers64]
    H, n, k = network.n_hidden_units, Xa.shape[0], network.n_outputs
    weights8 = torch.tensor([128, 64, 32, 16, 8, 4, 2, 1], dtype=torch.uint8, device=dev)
    keys = torch.empty((n, (H + 7) // 8), dtype=torch.uint8, device=dev)
    eta = np.empty((n, k))
    for s in progress_bar(range(0, n, chunk_size), progress=progress, desc="patterns (torch)"):
        x = torch.from_numpy(Xa[s : s + chunk_size]).to(dev, non_blocking=True)
        e, bits = _forward_chunk(layers, network.slopes, x.to(fdt), H)
        keys[s : s + chunk_size] = _pack(bits, weights8)
        if fdt != torch.float64:  # eta and the check against the float64 network
            e = _forward_chunk(layers64, network.slopes, x, H)[0]
        eta[s : s + chunk_size] = e.cpu().numpy()
    inverse, counts, first = _dedup(keys)
    region_keys = keys[first]
    bit_idx = torch.arange(H, device=dev)
    masks = ((region_keys[:, bit_idx // 8] >> (7 - bit_idx % 8).to(torch.uint8)) & 1).bool()
    coef_t, int_t = affine_maps_torch(layers64, network.slopes, masks, network.hidden_sizes)
    err, scale, sums = _check_and_sums(Xa, eta, coef_t, int_t, inverse, counts.numel(), chunk_size, dev)
    coef, intercept = coef_t.cpu().numpy(), int_t.cpu().numpy()
    keys_np, counts_np = region_keys.cpu().numpy(), counts.cpu().numpy().astype(np.int64)
    result = TorchLocalLinearModels(
        network=network, coef_=coef[:, 0, :] if k == 1 else np.moveaxis(coef, 1, 2).copy(),
        intercept_=intercept[:, 0] if k == 1 else intercept, count_=counts_np, centers_=sums / counts_np[:, None],
        pattern_keys_=keys_np, trivial_=_trivial(network, keys_np), labels_=inverse.cpu().numpy(), X_=Xa, y_=ya,
        decision_=eta, feature_names_=tuple(feature_names),
    )
    result.device_ = str(dev)
    if verify:
        tol = (VERIFY_RTOL if fdt == torch.float64 else FLOAT32_RTOL) * scale
        result.max_error_ = err
        if not err <= tol:
            raise NotExactError(f"LLMs reproduce the network only to {err:.3e} (tolerance {tol:.3e}, {dtype} patterns).")
    return result


def _check_and_sums(Xa, eta, coef, intercept, inverse, R, chunk_size, dev):
    """``max |eta - LLM(x)|``, its scale and the region sums of x, chunk by chunk on the device."""
    import torch

    err, scale = 0.0, 1.0
    sums = torch.zeros((R, Xa.shape[1]), dtype=torch.float64, device=dev)
    for s in range(0, Xa.shape[0], chunk_size):
        x = torch.from_numpy(Xa[s : s + chunk_size]).to(dev)
        e = torch.from_numpy(eta[s : s + chunk_size]).to(dev)
        lab = inverse[s : s + chunk_size]
        sums.index_add_(0, lab, x)
        for j in range(coef.shape[1]):
            P = coef[lab, j, :] * x
            err = max(err, float((e[:, j] - P.sum(1) - intercept[lab, j]).abs().max()))
            scale = max(scale, float(e[:, j].abs().max()), float(P.abs().sum(1).max()))
    return err, scale, sums.cpu().numpy()


@dataclass(eq=False)
class TorchLocalLinearModels(LocalLinearModels):
    """:class:`LocalLinearModels` made on a torch device; ``summary`` sorts the Global AUC scores there."""

    device_: str = "cpu"

    def summary(self, *, global_metrics="auto", memory_limit_mb: float = 512.0, progress=None):
        """The in-memory summary with every listed region's Global AUC from batched torch sorts on ``device_``."""
        from ..summary import _which_global, binary_response, summary_table

        if self.network.task != "binary" or self.y_ is None:
            return super().summary(global_metrics=global_metrics, memory_limit_mb=memory_limit_mb, progress=progress)
        df = summary_table(self.network, self.X_, self.y_, self.labels_, self.decision_, self.coef_3d, self.intercept_2d,
                           self.trivial_, global_metrics="none", memory_limit_mb=memory_limit_mb, progress=progress)
        regions = _which_global(self.X_.shape[0], self.n_regions, global_metrics)
        df.attrs["global_regions"] = int(regions.size)
        auc = np.full(self.n_regions, np.nan)
        auc[regions] = global_auc_torch(self.X_, binary_response(self.y_, self.network.classes), self.coef_3d[regions, 0, :],
                                        self.intercept_2d[regions, 0], device=self.device_, memory_limit_mb=memory_limit_mb)
        df["Global AUC"] = auc
        return df


def global_auc_torch(X, y_bin, coef, intercept, *, device="cpu", memory_limit_mb=512.0) -> np.ndarray:
    """Exact ROC AUC over all rows of each score column ``X coef_r + b_r``: batched sorts on the device.

    Mann-Whitney with average ranks for ties, as :func:`reluscope.summary.auc_of_columns`:
    per block of regions, one ``torch.sort`` of the (n, B) scores along the rows;
    a tie block's first and last positions come from ``cummax`` / ``cummin``.
    About 40 bytes per row x region in flight, kept under ``memory_limit_mb``.
    """
    import torch

    dev = resolve_device(device)
    n, R = X.shape[0], coef.shape[0]
    out = np.full(R, np.nan)
    pos = torch.as_tensor(np.asarray(y_bin, np.float64), device=dev)
    n1 = float(pos.sum())
    n0 = n - n1
    if n1 == 0 or n0 == 0 or R == 0:
        return out
    Xt = torch.as_tensor(X, device=dev)
    W, b = torch.as_tensor(coef, device=dev), torch.as_tensor(intercept, device=dev)
    per = max(1, int(memory_limit_mb * 2**20 // (40 * n)))
    idx = torch.arange(n, device=dev)[:, None]
    for s in range(0, R, per):
        S = torch.addmm(b[s : s + per], Xt, W[s : s + per].T)
        vals, order = torch.sort(S, dim=0)
        lab = pos[order]
        del S, order
        start = torch.ones_like(vals, dtype=torch.bool)
        start[1:] = vals[1:] != vals[:-1]
        end = torch.ones_like(start)
        end[:-1] = start[1:]
        first = torch.cummax(torch.where(start, idx, 0), dim=0).values
        last = torch.flip(torch.cummin(torch.flip(torch.where(end, idx, n), [0]), dim=0).values, [0])
        ranks = (first + last).to(torch.float64) / 2.0 + 1.0
        rank_pos = (ranks * lab).sum(dim=0)
        out[s : s + per] = ((rank_pos - n1 * (n1 + 1) / 2.0) / (n1 * n0)).cpu().numpy()
    return out
