"""Pattern -> affine map and region (Lemma 1 and Theorem 1 of ``001``).

An activation pattern fixes every hidden unit's slope, so it gives both the
network's affine map on its region (the local linear model, eq. 13) and the
region's half-spaces (eq. 8).  :class:`~reluscope.network.ReLUNetwork`
exposes these functions as methods.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .errors import InvalidInputError

if TYPE_CHECKING:  # pragma: no cover
    from .network import ReLUNetwork

__all__ = ["check_pattern", "layer_diagonals", "affine_maps", "affine_map", "layer_affine_maps", "region_inequalities"]


def check_pattern(network: ReLUNetwork, pattern) -> np.ndarray:
    """Validate activation patterns against a network.

    Parameters
    ----------
    network : ReLUNetwork
    pattern : array-like of bool or 0/1, (n_hidden_units,) or (n_patterns, n_hidden_units)
        One entry per hidden unit, layers concatenated in order.

    Returns
    -------
    ndarray of bool, (n_patterns, n_hidden_units)

    Raises
    ------
    InvalidInputError
        Wrong length, or entries other than 0/1/booleans.

    Examples
    --------
    >>> import numpy as np, reluscope
    >>> from reluscope.affine import check_pattern
    >>> net = reluscope.from_arrays([np.ones((3, 2)), np.ones((1, 3))], [np.zeros(3), np.zeros(1)])
    >>> check_pattern(net, [1, 0, 1])
    array([[ True, False,  True]])
    >>> check_pattern(net, [1, 0])
    Traceback (most recent call last):
    ...
    reluscope.errors.InvalidInputError: A pattern must have 3 entries (one per hidden unit); got shape (2,).
    """
    p = np.asarray(pattern)
    if p.ndim == 1:
        p = p[None, :]
    if p.ndim != 2 or p.shape[1] != network.n_hidden_units:
        raise InvalidInputError(
            f"A pattern must have {network.n_hidden_units} entries (one per hidden unit); got shape {np.shape(pattern)}."
        )
    if p.dtype != bool:
        if not np.isin(p, (0, 1)).all():
            raise InvalidInputError("Pattern entries must be 0/1 or booleans.")
        p = p.astype(bool)
    return p


def layer_diagonals(network: ReLUNetwork, masks: np.ndarray) -> list[np.ndarray]:
    """Per hidden layer, the diagonal of ``D^(l)`` for each pattern: (P, n_l).

    ``D^(l)`` is the activation's slope at each unit (eq. 10 of the unwrapping
    paper): 1 for "on" units, and the layer's negative-side slope (0 for ReLU,
    ``gamma`` for LeakyReLU) for "off" ones.

    Parameters
    ----------
    network : ReLUNetwork
    masks : bool ndarray (n_patterns, n_hidden_units)
        Validated patterns (see :func:`check_pattern`).

    Returns
    -------
    list of ndarray, one (n_patterns, n_l) float array per hidden layer

    Examples
    --------
    >>> import numpy as np, reluscope
    >>> from reluscope.affine import layer_diagonals
    >>> net = reluscope.from_arrays([np.ones((2, 2)), np.ones((1, 2))], [np.zeros(2), np.zeros(1)],
    ...                             activation="leaky_relu:0.1")
    >>> layer_diagonals(net, np.array([[True, False]]))
    [array([[1. , 0.1]])]
    """
    out = []
    for sl, slope in zip(network.layer_slices(), network.slopes):
        m = masks[:, sl]
        out.append(m.astype(np.float64) if slope == 0.0 else np.where(m, 1.0, slope))
    return out


def affine_maps(network: ReLUNetwork, patterns) -> tuple[np.ndarray, np.ndarray]:
    """Exact local linear models of many patterns at once (Theorem 1, eq. 13).

    Parameters
    ----------
    patterns : bool array (n_patterns, n_hidden_units)

    Returns
    -------
    coef : ndarray (n_patterns, n_outputs, n_features)
    intercept : ndarray (n_patterns, n_outputs)

    Notes
    -----
    Propagates the output rows backwards through the masked layers,
    ``v <- (v * diag(D^(l))) W^(l-1)``, batched over patterns, and
    accumulates ``b~ = b^(L) + sum_l (v_l * diag(D^(l))) . b^(l-1)``.  The
    cost per pattern is ``k * sum_l n_l n_(l-1)`` flops for ``k`` outputs,
    not ``d`` times that as a forward product of matrices would be.

    References
    ----------
    Sudjianto et al., *Unwrapping the black box of deep ReLU networks*,
    Theorem 1, eq. 13.

    Examples
    --------
    Every row's own LLM reproduces the network's output exactly:

    >>> import numpy as np, reluscope
    >>> rng = np.random.default_rng(2)
    >>> net = reluscope.from_arrays([rng.normal(size=(3, 2)), rng.normal(size=(3, 3)), rng.normal(size=(1, 3))],
    ...                             [rng.normal(size=3), rng.normal(size=3), rng.normal(size=1)])
    >>> X = rng.normal(size=(50, 2))
    >>> from reluscope.affine import affine_maps
    >>> coef, intercept = affine_maps(net, net.patterns(X))
    >>> coef.shape, intercept.shape
    ((50, 1, 2), (50, 1))
    >>> llm = np.einsum("pkd,pd->pk", coef, X) + intercept
    >>> bool(np.allclose(llm[:, 0], net.forward(X), rtol=0, atol=1e-12))
    True
    """
    masks = check_pattern(network, patterns)
    n_pat = masks.shape[0]
    slices = network.layer_slices()
    k, d = network.n_outputs, network.n_features
    coef = np.empty((n_pat, k, d))
    intercept = np.empty((n_pat, k))
    W, B = network.weights, network.biases
    # the diagonal of each D^(l) as a contiguous float array, made once for all outputs
    # (multiplying by a float mask is ~4x faster than by a strided bool slice)
    diags = [masks[:, sl].astype(np.float64) if slope == 0.0 else np.where(masks[:, sl], 1.0, slope) for sl, slope in zip(slices, network.slopes)]
    for j in range(k):  # one 2-D GEMM per layer and output: (P, n_l) @ (n_l, n_(l-1))
        V = np.broadcast_to(W[-1][j], (n_pat, W[-1].shape[1]))
        b = np.full(n_pat, B[-1][j])
        for l in range(network.n_hidden_layers - 1, -1, -1):
            VD = V * diags[l]
            # einsum, not a BLAS GEMV: 10-20x faster for (P, n_l) . (n_l,) (measured; same sum up to round-off)
            b += np.einsum("pi,i->p", VD, B[l])
            V = VD @ W[l]
        coef[:, j, :] = V
        intercept[:, j] = b
    return coef, intercept


def affine_map(network: ReLUNetwork, pattern) -> tuple[np.ndarray, np.ndarray]:
    """Local linear model of one pattern (Theorem 1, eq. 13 of the unwrapping paper).

    Parameters
    ----------
    network : ReLUNetwork
    pattern : array-like of bool or 0/1, (n_hidden_units,)

    Returns
    -------
    coef : ndarray (n_outputs, n_features)
    intercept : ndarray (n_outputs,)

    Examples
    --------
    >>> import numpy as np, reluscope
    >>> rng = np.random.default_rng(2)
    >>> net = reluscope.from_arrays([rng.normal(size=(3, 2)), rng.normal(size=(3, 3)), rng.normal(size=(1, 3))],
    ...                             [rng.normal(size=3), rng.normal(size=3), rng.normal(size=1)])
    >>> X = rng.normal(size=(50, 2))
    >>> from reluscope.affine import affine_map
    >>> coef, intercept = affine_map(net, net.patterns(X[:1])[0])
    >>> coef.shape, intercept.shape
    ((1, 2), (1,))
    >>> bool(np.isclose(X[0] @ coef[0] + intercept[0], net.forward(X[:1])[0]))
    True
    """
    coef, intercept = affine_maps(network, check_pattern(network, pattern)[:1] if np.ndim(pattern) == 1 else pattern)
    if coef.shape[0] != 1:
        raise InvalidInputError("affine_map takes one pattern; use affine_maps for several.")
    return coef[0], intercept[0]


def layer_affine_maps(network: ReLUNetwork, pattern) -> list[tuple[np.ndarray, np.ndarray]]:
    """Pre-activations as affine functions of x inside the pattern's region.

    Returns, for each hidden layer ``l``, ``(A_l, c_l)`` with
    ``z^(l)(x) = A_l x + c_l`` for every ``x`` whose pattern agrees with
    ``pattern`` on layers ``< l``.

    Parameters
    ----------
    network : ReLUNetwork
    pattern : array-like of bool or 0/1, (n_hidden_units,)

    Returns
    -------
    list of (A_l, c_l)
        ``A_l`` (n_l, n_features), ``c_l`` (n_l,), one pair per hidden layer.

    Examples
    --------
    On a row's own pattern the maps give that row's pre-activations:

    >>> import numpy as np, reluscope
    >>> rng = np.random.default_rng(2)
    >>> net = reluscope.from_arrays([rng.normal(size=(3, 2)), rng.normal(size=(3, 3)), rng.normal(size=(1, 3))],
    ...                             [rng.normal(size=3), rng.normal(size=3), rng.normal(size=1)])
    >>> X = rng.normal(size=(50, 2))
    >>> from reluscope.affine import layer_affine_maps
    >>> maps = layer_affine_maps(net, net.patterns(X[:1])[0])
    >>> [A.shape for A, c in maps]
    [(3, 2), (3, 2)]
    >>> all(np.allclose(X[0] @ A.T + c, z[0]) for (A, c), z in zip(maps, net.preactivations(X[:1])))
    True
    """
    p = check_pattern(network, pattern)
    if p.shape[0] != 1:
        raise InvalidInputError("layer_affine_maps takes one pattern.")
    diags = layer_diagonals(network, p)
    A = network.weights[0].copy()
    c = network.biases[0].copy()
    out = []
    for l in range(network.n_hidden_layers):
        out.append((A.copy(), c.copy()))
        D = diags[l][0]
        A = network.weights[l + 1] @ (D[:, None] * A)
        c = network.weights[l + 1] @ (D * c) + network.biases[l + 1]
    return out


def region_inequalities(network: ReLUNetwork, pattern) -> tuple[np.ndarray, np.ndarray]:
    """Half-spaces of the closed activation region of a pattern (Lemma 1, eq. 8).

    Returns ``(A, c)`` such that the closure of the region is
    ``{x : A x <= c}``; row ``i`` is unit ``i`` of the pattern:
    ``(-1)^{P_i} z_i(x) <= 0``.  The open region uses ``<`` for "on" units.
    Units of identity layers (slope 1) have no kink and constrain nothing:
    their rows are ``0 . x <= 0`` (kept so that row ``i`` stays unit ``i``).

    Parameters
    ----------
    network : ReLUNetwork
    pattern : array-like of bool or 0/1, (n_hidden_units,)

    Returns
    -------
    A : ndarray (n_hidden_units, n_features)
    c : ndarray (n_hidden_units,)

    Examples
    --------
    The rows with the pattern of ``X[0]`` are exactly those that satisfy its
    inequalities (no row lies on a boundary):

    >>> import numpy as np, reluscope
    >>> rng = np.random.default_rng(2)
    >>> net = reluscope.from_arrays([rng.normal(size=(3, 2)), rng.normal(size=(3, 3)), rng.normal(size=(1, 3))],
    ...                             [rng.normal(size=3), rng.normal(size=3), rng.normal(size=1)])
    >>> X = rng.normal(size=(50, 2))
    >>> from reluscope.affine import region_inequalities
    >>> P = net.patterns(X)
    >>> A, c = region_inequalities(net, P[0])
    >>> A.shape, c.shape
    ((6, 2), (6,))
    >>> inside = np.all(X @ A.T <= c, axis=1)
    >>> bool(np.array_equal(inside, (P == P[0]).all(axis=1)))
    True
    """
    p = check_pattern(network, pattern)[0]
    rows, rhs = [], []
    for (Al, cl), sl, slope in zip(layer_affine_maps(network, p), network.layer_slices(), network.slopes):
        sign = np.where(p[sl], -1.0, 1.0)
        if slope == 1.0:
            sign = np.zeros_like(sign)
        rows.append(sign[:, None] * Al)
        rhs.append(-sign * cl)
    if not rows:
        return np.zeros((0, network.n_features)), np.zeros(0)
    return np.vstack(rows), np.concatenate(rhs)
