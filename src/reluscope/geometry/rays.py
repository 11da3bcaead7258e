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

    Examples
    --------
    See :func:`ray_space`.

    >>> import reluscope
    >>> from reluscope.geometry import ray_space
    >>> net = reluscope.from_arrays([np.array([[1.0], [-1.0]]), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    >>> rs = ray_space(net)  # |x| = relu(x) + relu(-x): two rays, unbounded
    >>> rs.bounded, rs.uch_dimension, rs.n_cones, rs.maps[0].shape
    (array([False]), array([2]), array([2]), (2, 2, 1))
    """

    bounded: np.ndarray
    uch_dimension: np.ndarray
    n_cones: np.ndarray
    maps: list


def bias_free_truncation(network: ReLUNetwork, k: int) -> ReLUNetwork:
    """``G*_(k)``: the first ``k`` hidden layers without biases, read out by the identity.

    Parameters
    ----------
    network : ReLUNetwork
    k : int
        Number of hidden layers kept (1..L).

    Returns
    -------
    ReLUNetwork
        ``n_0 -> n_k`` network with ``k`` hidden layers and zero biases; its output is layer ``k``'s activation.

    Examples
    --------
    >>> import reluscope
    >>> from reluscope.geometry import bias_free_truncation
    >>> net = reluscope.from_arrays([np.array([[1.0], [-1.0]]), np.array([[-1.0, -1.0]]), np.ones((1, 1))],
    ...                             [np.ones(2), np.array([5.0]), np.zeros(1)])
    >>> g1 = bias_free_truncation(net, 1)
    >>> g1.hidden_sizes, g1.forward(np.array([[-2.0], [3.0]]))  # (relu(x), relu(-x))
    ((2,), array([[0., 2.],
           [3., 0.]]))
    """
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

    Parameters
    ----------
    network : ReLUNetwork
    layers : sequence of int, optional
        Hidden layer numbers ``k`` in ``1..L``; default all.

    Returns
    -------
    RaySpace

    Examples
    --------
    ``h1 = (relu(x + 1), relu(1 - x))`` grows without bound along the two rays of
    ``(relu(x), relu(-x))``: ``Ray_(1)`` spans 2 dimensions.  The second layer
    ``relu(5 - h1_1 - h1_2)`` is 0 once ``|x| >= 2.5`` and at most 3: its image is
    bounded, ``Ray_(2) = {0}`` (Lemma 4.3.5).

    >>> import reluscope
    >>> from reluscope.geometry import ray_space
    >>> net = reluscope.from_arrays([np.array([[1.0], [-1.0]]), np.array([[-1.0, -1.0]]), np.ones((1, 1))],
    ...                             [np.ones(2), np.array([5.0]), np.zeros(1)])
    >>> rs = ray_space(net)
    >>> rs.bounded, rs.uch_dimension
    (array([False,  True]), array([2, 0]))
    >>> net.forward(np.array([[-100.0], [0.0], [100.0]]))  # bounded indeed
    array([0., 3., 0.])
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
