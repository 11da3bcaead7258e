"""Align a recovered network to a reference: permutation, positive scaling and sign of each hidden neuron.

A ReLU network is unchanged when the neurons of a hidden layer are permuted or a
neuron's incoming weights and bias are multiplied by ``s > 0`` and its outgoing
weights divided by ``s`` (``relu(s z) = s relu(z)``).  Extraction therefore
recovers parameters only up to these symmetries; this module undoes them so
weights can be compared.  A sign flip is *not* a symmetry (``relu(-z) !=
relu(z)``); it is matched (so a mis-oriented neuron is still paired with its
reference) and counted in ``n_sign_flips`` — a correct extraction has none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from ..errors import ShapeMismatchError
from ..network import ReLUNetwork

__all__ = ["AlignmentResult", "align_networks"]


@dataclass
class AlignmentResult:
    """Per hidden layer: the permutation (reference unit -> candidate unit), scales, flips and errors.

    Attributes
    ----------
    permutations : list of (n_l,) int arrays
        ``permutations[l][i]``: the candidate unit matched to reference unit ``i``.
    scales : list of (n_l,) arrays
        Positive factors applied to the matched units' incoming weights and bias.
    sign_flips : list of (n_l,) bool arrays
        Units matched with a negative cosine.
    neuron_errors : list of (n_l,) arrays
        Relative error of each aligned row (weights and bias).
    output_error : float
        Relative error of the aligned output layer.
    aligned : ReLUNetwork
        The candidate, permuted and rescaled (the same function).

    Examples
    --------
    See :func:`align_networks`.

    >>> import reluscope
    >>> from reluscope.extract import align_networks
    >>> net = reluscope.from_arrays([np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[1.0, -1.0]])], [np.zeros(2), np.zeros(1)])
    >>> other = reluscope.from_arrays([np.array([[0.0, 3.0], [0.5, 0.0]]), np.array([[-1 / 3, 2.0]])], [np.zeros(2), np.zeros(1)])
    >>> al = align_networks(net, other)
    >>> al.permutations, al.scales, al.n_sign_flips
    ([array([1, 0])], [array([2.    , 0.3333])], 0)
    """

    permutations: list[np.ndarray]
    scales: list[np.ndarray]
    sign_flips: list[np.ndarray]
    neuron_errors: list[np.ndarray]
    output_error: float
    aligned: ReLUNetwork

    @property
    def max_relative_error(self) -> float:
        """Worst relative error ``|row_hat - row| / |row|`` over hidden neurons (rows = weights and bias) and the output layer."""
        errs = [e.max() for e in self.neuron_errors if e.size] + [self.output_error]
        return float(max(errs))

    @property
    def n_sign_flips(self) -> int:
        """Hidden neurons matched with the opposite sign (0 for a correct extraction)."""
        return int(sum(f.sum() for f in self.sign_flips))


def align_networks(reference: ReLUNetwork, candidate: ReLUNetwork) -> AlignmentResult:
    """Match ``candidate``'s hidden neurons to ``reference``'s and rescale them (Hungarian matching on ``|cosine|``).

    Parameters
    ----------
    reference : ReLUNetwork
    candidate : ReLUNetwork
        Same input size and hidden sizes as ``reference``.

    Returns
    -------
    AlignmentResult

    Examples
    --------
    A copy of a random 3-5-4-1 net with its hidden units permuted and rescaled (a different
    parametrisation of the same function) aligns back to relative error ~1e-16:

    >>> import reluscope
    >>> from reluscope.extract import align_networks
    >>> rng = np.random.default_rng(3)
    >>> W = [rng.normal(size=(5, 3)), rng.normal(size=(4, 5)), rng.normal(size=(1, 4))]
    >>> b = [rng.normal(size=5), rng.normal(size=4), rng.normal(size=1)]
    >>> net = reluscope.from_arrays(W, b)
    >>> p, s = rng.permutation(5), rng.uniform(0.5, 2.0, 5)
    >>> other = reluscope.from_arrays([W[0][p] * s[:, None], W[1][:, p] / s, W[2]], [b[0][p] * s, b[1], b[2]])
    >>> al = align_networks(net, other)
    >>> bool(al.max_relative_error < 1e-12), al.n_sign_flips, bool(np.allclose(al.scales[0], 1 / s[al.permutations[0]]))
    (True, 0, True)
    """
    if reference.hidden_sizes != candidate.hidden_sizes or reference.n_features != candidate.n_features:
        raise ShapeMismatchError(
            f"Cannot align networks of sizes {[reference.n_features, *reference.hidden_sizes]} and "
            f"{[candidate.n_features, *candidate.hidden_sizes]}; extraction found a different number of neurons."
        )
    Ws = [np.array(w) for w in candidate.weights]
    bs = [np.array(b) for b in candidate.biases]
    perms, scales, flips, errors = [], [], [], []
    for l in range(reference.n_hidden_layers):
        R = np.column_stack([reference.weights[l], reference.biases[l]])
        C = np.column_stack([Ws[l], bs[l]])
        rn = np.linalg.norm(R, axis=1)
        cn = np.linalg.norm(C, axis=1)
        cos = (R / rn[:, None]) @ (C / cn[:, None]).T
        rows, cols = linear_sum_assignment(-np.abs(cos))
        perm = cols[np.argsort(rows)]
        sign = np.sign(cos[np.arange(R.shape[0]), perm])
        scale = rn / cn[perm]
        C_al = C[perm] * (scale * sign)[:, None]
        errors.append(np.linalg.norm(C_al - R, axis=1) / rn)
        Ws[l], bs[l] = C[perm, :-1] * scale[:, None], C[perm, -1] * scale
        Ws[l + 1] = Ws[l + 1][:, perm] / scale[None, :]
        perms.append(perm); scales.append(scale); flips.append(sign < 0)
    R = np.column_stack([reference.weights[-1], reference.biases[-1]])
    C = np.column_stack([Ws[-1], bs[-1]])
    out_err = float(np.linalg.norm(C - R) / np.linalg.norm(R))
    aligned = ReLUNetwork(Ws, bs, slopes=candidate.slopes, output=candidate.output)
    return AlignmentResult(perms, scales, flips, errors, out_err, aligned)
