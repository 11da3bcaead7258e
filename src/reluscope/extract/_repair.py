"""Row entries of layer 2 that no kink shows, measured where they act.

A second-layer neuron ``j`` whose kinks all lie where first-layer unit ``i`` is inactive has no trace of
``c_ji`` in its jumps (``_layer2``): its bent hyperplane never crosses plane ``i`` within reach of the
walk.  The entry still acts wherever both are active, where ``f`` gains ``p_j c_ji relu(z_i)`` on top of
everything known.  So, with the rest of the network recovered, the missing entries are the
least-squares solution of

    f(x) - f_hat(x) = sum_(j, i unobserved) p_j [z2_j(x) > 0] relu(z1_i(x)) delta_ji

on points of the cells ``{z2_j > 0} & {z1_i > 0}`` of ``f_hat`` (chosen in a free pool of box points, or
as the deepest point of such a cell by one MILP, ``_verify``), iterated because the cells move with the entries.
Entries whose cell is empty on the box do not act there and stay 0.
"""

from __future__ import annotations

import numpy as np

from ..network import ReLUNetwork
from ._verify import points_in_cell

__all__ = ["repair_unobserved"]
import os
_DEBUG = bool(os.environ.get("EXT_DEBUG"))


def _cell_points(net, pairs, lo, hi, rng, n_pool, per_pair):
    d = net.n_features
    pool = lo + (hi - lo) * rng.random((n_pool, d))
    Z1, Z2 = net.preactivations(pool)
    box = np.tile([lo, hi], (d, 1))
    pts = []
    for j, i in pairs:
        cell = (Z1[:, i] > 0) & (Z2[:, j] > 0)
        if cell.any():
            idx = np.flatnonzero(cell)
            pts.append(pool[idx[np.argsort(-np.minimum(Z1[idx, i], Z2[idx, j]))[:per_pair]]])
        else:  # the deepest point of the cell (MILP) and points around it
            pts.append(points_in_cell(net, j, i, True, box, per_pair, rng))
    return np.vstack(pts) if pts else np.zeros((0, d))


def repair_unobserved(oracle, n1, b1, W2, b2, p, c, unobserved, lo, hi, rng, *, n_iter: int = 4,
                      n_pool: int = 20000, per_pair: int = 6):
    """Entries ``W2[j, i]`` marked ``unobserved`` fitted to the black box where they act; returns the new ``W2``."""
    pairs = np.argwhere(unobserved)
    W2 = W2.copy()
    if not pairs.size:
        return W2
    n_pool = min(n_pool, max(2000, 4_000_000 // n1.shape[1]))
    for _ in range(n_iter):
        net = ReLUNetwork([n1, W2, p[None, :]], [b1, b2, np.array([c])])
        X = _cell_points(net, pairs, lo, hi, rng, n_pool, per_pair)
        if not X.shape[0]:
            break
        r = oracle(X) - net.decision_function(X)
        if np.abs(r).max() <= 1e-9 * (1.0 + np.abs(r).max()):
            break
        Z1, Z2 = net.preactivations(X)
        Phi = p[pairs[:, 0]] * (Z2[:, pairs[:, 0]] > 0) * np.maximum(Z1[:, pairs[:, 1]], 0.0)
        delta, *_ = np.linalg.lstsq(Phi, r, rcond=None)
        if _DEBUG: print("      repair", X.shape[0], "max r", np.abs(r).max(), "delta", delta, "Phi nz cols", (Phi != 0).any(0))
        W2[pairs[:, 0], pairs[:, 1]] += delta
    return W2
