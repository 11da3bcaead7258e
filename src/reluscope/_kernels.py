"""Row kernels of the unwrap, shared by the in-memory path and the Dask partitions.

The batched LLMs of packed patterns (Theorem 1, eq. 13 of ``001``), the
exactness check ``max |eta - LLM(x)|`` with its scale, the per-region sums of
the rows (region centres) and the trivial-pattern flags.  Each is vectorised
over rows or patterns and chunked to cache-sized work arrays.
"""

from __future__ import annotations

import numpy as np

from .network import ReLUNetwork
from .patterns import DEFAULT_CHUNK_SIZE, unpack_patterns

#: Patterns per chunk of the batched LLM computation (cache-sized; see :func:`_affine_maps_chunked`).
_AFFINE_CHUNK = 8192


def _gather_llm(X: np.ndarray, coef: np.ndarray, intercept: np.ndarray, region: np.ndarray, chunk_size: int = DEFAULT_CHUNK_SIZE) -> np.ndarray:
    """``w~^{P(x)} . x + b~^{P(x)}`` for every row: (n, k). coef is (R, k, d); chunked over rows."""
    out = np.empty((X.shape[0], coef.shape[1]))
    for s in range(0, X.shape[0], chunk_size):
        Xs, rs = X[s : s + chunk_size], region[s : s + chunk_size]
        for j in range(coef.shape[1]):
            out[s : s + chunk_size, j] = np.einsum("nd,nd->n", Xs, coef[rs, j, :]) + intercept[rs, j]
    return out


def _llm_error_and_scale(X, eta, coef, intercept, region, chunk_size: int = DEFAULT_CHUNK_SIZE) -> tuple[float, float]:
    """``max |eta - LLM(x)|`` and the scale ``max(1, |eta|, sum_j |w_j x_j|)`` over rows, chunked.

    Each chunk gathers its rows' coefficients once and computes both the LLM
    value and the scale from that one gather (no second pass, no ``|X|``
    temporary).
    """
    err, scale = 0.0, 1.0
    for s in range(0, X.shape[0], chunk_size):
        Xs, rs, es = X[s : s + chunk_size], region[s : s + chunk_size], eta[s : s + chunk_size]
        if rs.size == 0:
            continue
        for j in range(coef.shape[1]):
            W = coef[rs, j, :]
            resid = es[:, j] - np.einsum("nd,nd->n", Xs, W)
            resid -= intercept[rs, j]
            e = float(np.max(np.abs(resid)))
            err = e if e != e or e > err else err  # a NaN error is kept, never dropped by max()
            np.multiply(W, Xs, out=W)
            np.abs(W, out=W)
            scale = max(scale, float(np.max(np.abs(es[:, j]))), float(np.max(W.sum(axis=1))))
    return err, scale


def _region_sums(X: np.ndarray, inverse: np.ndarray, n_regions: int) -> np.ndarray:
    """``sum_{i in region r} x_i`` for every region, (R, d): one sparse (R, n) 0/1 matrix times ``X``.

    The CSR matrix is built from the rows in row order (SciPy's COO -> CSR
    conversion is a stable counting sort), so each region's rows are added one
    by one in row order, starting from 0, as ``np.bincount`` over the rows
    does: the same result to the last bit, with no sort of the rows.
    """
    import scipy.sparse as sp

    n = inverse.size
    # every region one row (e.g. 35 features, one region per row): a one-row region's sum is its row
    # (0 + x = x), copied, not multiplied
    if n == n_regions and (n == 0 or np.bincount(inverse, minlength=n_regions).max() == 1):
        sums = np.empty((n_regions, X.shape[1]))
        sums[inverse] = X
        return sums
    ones = np.ones(n)
    indicator = sp.csr_matrix((ones, (inverse, np.arange(n))), shape=(n_regions, n))
    return np.asarray(indicator @ X)


def _affine_maps_chunked(network: ReLUNetwork, keys: np.ndarray, chunk_size: int) -> tuple[np.ndarray, np.ndarray]:
    """LLMs of packed patterns, unpacked and computed a chunk of patterns at a time (bounded memory).

    At most :data:`_AFFINE_CHUNK` patterns a chunk: the (chunk, n_l) work arrays of the backward pass
    then stay in cache, which halves its time at 200,000 patterns (0.19 s -> 0.09 s on the benchmark
    machine); each pattern's row of every GEMM is the same, so the LLMs are unchanged to the bit.
    """
    R, k, d = keys.shape[0], network.n_outputs, network.n_features
    coef, intercept = np.empty((R, k, d)), np.empty((R, k))
    chunk_size = min(chunk_size, _AFFINE_CHUNK)
    for s in range(0, R, chunk_size):
        masks = unpack_patterns(keys[s : s + chunk_size], network.n_hidden_units)
        coef[s : s + chunk_size], intercept[s : s + chunk_size] = network.affine_maps(masks)
    return coef, intercept


def _trivial(network: ReLUNetwork, keys: np.ndarray) -> np.ndarray:
    """Patterns with a hidden layer entirely off (Definition 1), read from the packed bytes.

    A layer is off iff the key ANDed with the layer's bit mask is all zero,
    so the keys are never unpacked.
    """
    trivial = np.zeros(keys.shape[0], bool)
    H = network.n_hidden_units
    for sl in network.layer_slices():
        bits = np.zeros((1, H), bool)
        bits[0, sl] = True
        layer_mask = np.packbits(bits, axis=1)[0]
        touched = np.flatnonzero(layer_mask)
        trivial |= ~(keys[:, touched] & layer_mask[touched]).any(axis=1)
    return trivial
