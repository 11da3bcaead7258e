"""Ray space and boundedness of the layer images (thesis ``000`` section 4.3.1).

Lemma 4.3.6 (3): ``Ray_(k) = G*_(k)(R^{n_0})``, the image of the bias-free
network truncated after layer ``k``; Lemma 4.3.5: ``Im_(k)`` is bounded iff
``Ray_(k) = {0}``.  ``G*_(k)`` is positively homogeneous and piecewise
linear on a fan of cones through the origin, so it is enumerated exactly
inside the box ``[-1, 1]^{n_0}`` (every cone meets it): on each cone ``C_r``
it is a matrix ``M_r`` and ``Ray_(k) = U_r M_r(C_r)``.  The dimension of its
convex hull (the unbounded convex hull dimension ``UCHdim_(k)`` of
Definition 4.5.1) is the rank of ``[M_1 ... M_R]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InvalidInputError
from ..network import ReLUNetwork

__all__ = ["RaySpace", "ray_space", "bias_free_truncation"]


@dataclass
class RaySpace:
    """``Ray_(k)`` of a network for ``k = 1..L``.

    Attributes
    ----------
    bounded : bool (L,)
        ``Im_(k)`` is bounded (``Ray_(k) = {0}``).
    uch_dimension : int (L,)
        ``dim conv(Ray_(k))``.
    n_cones : int (L,)
        Linear pieces of ``G*_(k)`` (regions of the bias-free truncation).
    maps : list of (R_k, n_k, n_0) arrays
        ``M_r`` of every piece.
    """

    bounded: np.ndarray
    uch_dimension: np.ndarray
    n_cones: np.ndarray
    maps: list


def bias_free_truncation(network: ReLUNetwork, k: int) -> ReLUNetwork:
    """``G*_(k)``: the first ``k`` hidden layers without biases, read out by the identity."""
    W = list(network.weights[:k])
    n_k = W[-1].shape[0]
    return ReLUNetwork([*W, np.eye(n_k)], [np.zeros(w.shape[0]) for w in W] + [np.zeros(n_k)], slopes=network.slopes[:k])


def _pieces(net: ReLUNetwork) -> np.ndarray:
    d = net.n_features
    if d == 1:
        from .slices import regions_on_segment

        return regions_on_segment(net, [-1.0], [1.0]).coef
    if d == 2:
        from .slices import slice_2d

        return slice_2d(net, [0.0, 0.0], [1.0, 0.0], [0.0, 1.0]).coef
    from .enumerate import enumerate_regions

    e = enumerate_regions(net, np.column_stack([-np.ones(d), np.ones(d)]))
    return np.array([r.coef for r in e.regions])


def ray_space(network: ReLUNetwork, layers=None) -> RaySpace:
    """Exact ray spaces ``Ray_(k)`` (Lemmas 4.3.5-4.3.6) for the hidden layers ``layers`` (default all).

    Enumerates the bias-free truncations exactly (:func:`slice_2d` for two
    inputs, :func:`enumerate_regions` above; keep ``n_0`` small).
    """
    L = network.n_hidden_layers
    ks = list(range(1, L + 1)) if layers is None else [int(k) for k in layers]
    if not ks or min(ks) < 1 or max(ks) > L:
        raise InvalidInputError(f"layers must be hidden layer numbers in 1..{L}, got {layers!r}.")
    bounded, dims, counts, maps = [], [], [], []
    for k in ks:
        M = _pieces(bias_free_truncation(network, k))
        scale = max(1.0, float(np.abs(M).max()))
        nonzero = np.abs(M).max(axis=(1, 2)) > 1e-12 * scale
        bounded.append(not nonzero.any())
        flat = np.concatenate(list(M), axis=1) if M.size else np.zeros((0, 0))
        dims.append(int(np.linalg.matrix_rank(flat)) if nonzero.any() else 0)
        counts.append(M.shape[0])
        maps.append(M)
    return RaySpace(np.array(bounded), np.array(dims), np.array(counts), maps)
