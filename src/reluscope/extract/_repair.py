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


def _fit_raw(U, y, W, b):
    """Least-squares ``f = p . relu(W u + b) + q . u + c`` with the rows as they are (no sign recovery)."""
    A = np.column_stack([np.maximum(U @ W.T + b, 0.0), U, np.ones(len(y))])
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    h = W.shape[0]
    return coef[:h], coef[h:-1], float(coef[-1])


def repair_unobserved(oracle, n1, b1, W2, b2, unobserved, X_fit, y_fit, lo, hi, rng, *, n_iter: int = 4,
                      n_pool: int = 20000, per_pair: int = 6):
    """Entries ``W2[j, i]`` marked ``unobserved`` fitted to the black box where they act.

    Works in the rows' own orientation (signs of layer 2 not yet known): the output is fitted as
    ``p . relu(z2) + q . relu(z1) + c`` (a flipped neuron's linear part sits in ``q``); cell points are added
    and the entries fitted jointly with the output (``_joint_step``), a few rounds.  Returns ``(W2, X, y, linear)``: the new rows, the fit points with the cell points added, and
    the entries left to the linear part (``_linear_pairs``, and those whose cell holds no box point).
    """
    W2 = W2.copy()
    n_pool = min(n_pool, max(2000, 4_000_000 // n1.shape[1]))
    linear = _linear_pairs(n1, b1, W2, b2, unobserved, lo, hi, rng, n_pool)
    pairs = np.argwhere(unobserved & ~linear)
    if not pairs.size:
        return W2, X_fit, y_fit, linear
    measured = np.zeros(len(pairs), bool)
    for _ in range(n_iter):
        U = np.maximum(X_fit @ n1.T + b1, 0.0)
        p, q, c = _fit_raw(U, y_fit, W2, b2)
        net = ReLUNetwork([n1, W2, p[None, :]], [b1, b2, np.array([c])])
        X = _cell_points(net, pairs, lo, hi, rng, n_pool, per_pair)
        if not X.shape[0]:
            break
        y = oracle(X)
        X_fit, y_fit = np.vstack([X_fit, X]), np.r_[y_fit, y]
        Z1, Z2 = net.preactivations(X)
        r = y - net.decision_function(X) - np.maximum(Z1, 0.0) @ q
        measured |= ((Z2[:, pairs[:, 0]] > 0) & (Z1[:, pairs[:, 1]] > 0)).any(0)
        if np.abs(r).max() <= 1e-9 * (1.0 + np.abs(y).max()):
            break
        W2 = _joint_step(n1, b1, W2, b2, pairs, X_fit, y_fit)
    left = linear.copy()
    left[pairs[~measured, 0], pairs[~measured, 1]] = True  # no cell on the box: only the linear part can show it
    return W2, X_fit, y_fit, left


def _joint_step(n1, b1, W2, b2, pairs, X, y, n_steps: int = 3):
    """Gauss-Newton steps on all points: ``f = p . relu(z2) + sum gamma_ji [z2_j > 0] relu(z1_i) + q . relu(z1) + c``.

    At fixed activations the model is linear in ``(p, gamma, q, c)`` with ``gamma_ji = p_j delta_ji``; the
    entries move by ``gamma / p`` and the activations are recomputed.  Points on both sides of every
    neuron (the last-layer fit points) separate ``gamma`` from ``q``, which the cells alone do not.
    """
    U = np.maximum(X @ n1.T + b1, 0.0)
    for _ in range(n_steps):
        Z2 = U @ W2.T + b2
        A = np.column_stack([np.maximum(Z2, 0.0), (Z2[:, pairs[:, 0]] > 0) * U[:, pairs[:, 1]], U, np.ones(len(y))])
        coef, *_ = np.linalg.lstsq(A, y, rcond=None)
        h = W2.shape[0]
        p, gamma = coef[:h], coef[h:h + len(pairs)]
        ok = np.abs(p[pairs[:, 0]]) > 1e-12
        delta = np.where(ok, gamma / np.where(ok, p[pairs[:, 0]], 1.0), 0.0)
        W2[pairs[:, 0], pairs[:, 1]] += delta
        if np.abs(delta).max() <= 1e-12 * (1.0 + np.abs(W2).max()):
            break
    return W2


def _linear_pairs(n1, b1, W2, b2, unobserved, lo, hi, rng, n_pool, frac: float = 0.99):
    """Unobserved entries whose neuron is active at >= ``frac`` of the box where their unit is active.

    There the entry acts through the linear part of the output, which the fit absorbs into ``q``; it is
    read off ``q`` after the signs (``fit_last_layer(unknown=...)``), not from cells.
    """
    pool = lo + (hi - lo) * rng.random((n_pool, n1.shape[1]))
    U = np.maximum(pool @ n1.T + b1, 0.0)
    A = (U @ W2.T + b2) > 0
    on = U > 0
    share = (A.T.astype(float) @ on) / np.maximum(on.sum(0), 1)[None, :]  # (h2, h1): active share where unit i is on
    return unobserved & (share >= frac)
