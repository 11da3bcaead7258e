"""The check before an extracted network is returned: query points aimed at where a wrong network differs.

A recovered network ``f_hat`` that is wrong differs from the black box ``f`` on a union of activation
regions of the pair.  Uniform box points find such a set only in proportion to its volume, and the
sets that extraction gets wrong are small by construction: a second-layer neuron active on 2e-4 of the
box that no line met (seed 4 of the depth-2 benchmark), a row entry seen by no walk, whose error lives
where that neuron and that first-layer unit are both active.  The check therefore queries, besides
``n_uniform`` uniform points (all free to choose, only the chosen ones cost queries):

* **vertices of the box** (all ``2^d`` for ``d <= 11``, else 2,048 at random) and points on its faces
  (each coordinate at a bound with probability 1/2): a neuron that is active (or inactive) only on a
  cap of the box has a nearly affine pre-activation there, whose extremes sit at vertices, so its cap
  holds ~50x more of them than of the volume (measured: 1.2% of the vertices against 0.02% of the
  volume for that seed-4 neuron);
* **cells of f_hat's own structure**: for every hidden neuron of ``f_hat`` points where it is active and
  where it is just inactive, and for every second-layer neuron ``j`` and first-layer unit ``i`` the same
  for each side of ``i`` (the cell where a wrong entry ``c_ji`` shows).  Cells absent from a free pool of
  box points are found by one mixed-integer LP each (HiGHS): the point of ``{z2_j >= t} & {+-z1_i >= t} &
  box`` with the largest margin ``t``, over all first-layer patterns at once (a Chebyshev centre of one
  region, ``reluscope.geometry``, would need the right region first);
* **the kinks already found**: every critical point of ``f`` met on the search lines inside the box must
  lie on the zero set of some neuron of ``f_hat`` (no query: a kink ``f_hat`` cannot explain is a neuron
  it lacks).

What escapes: a difference set that holds no vertex, no face point, no cell point of ``f_hat`` and no
uniform point, and whose boundary no search line crossed -- e.g. a missed neuron active on a sliver away
from every vertex, or a wrong entry ``c_ji`` whose cell ``f_hat`` says is empty while ``f``'s is not.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from ..network import ReLUNetwork

__all__ = ["check_points", "unexplained_kinks"]


def _vertices(d, lo, hi, rng, max_exact: int = 11, n_random: int = 2048) -> np.ndarray:
    if d <= max_exact:
        S = np.array(list(itertools.product((0.0, 1.0), repeat=d)))
    else:
        S = (rng.random((n_random, d)) < 0.5).astype(float)
    return lo + (hi - lo) * S


def _faces(n, d, lo, hi, rng) -> np.ndarray:
    X = lo + (hi - lo) * rng.random((n, d))
    snap = rng.random((n, d)) < 0.5
    return np.where(snap, np.where(rng.random((n, d)) < 0.5, lo, hi), X)


def _pick(mask, score, rng, n_random, n_best):
    """Up to ``n_random`` random indices where ``mask`` holds, plus the ``n_best`` with the largest ``score``."""
    idx = np.flatnonzero(mask)
    if not idx.size:
        return idx
    out = rng.choice(idx, min(n_random, idx.size), replace=False) if n_random else idx[:0]
    if n_best:
        out = np.r_[out, idx[np.argsort(-score[idx])[:n_best]]]
    return out


def deepest_cell_point(net: ReLUNetwork, j: int, i: int | None, side: bool, box: np.ndarray,
                       j_side: bool = True) -> np.ndarray | None:
    """A point of ``{(+-) z2_j >= t} & {(+-) z1_i >= t} & box`` of ``f_hat`` with the largest margin ``t`` (None if ``t <= 0``).

    ``i=None`` drops the condition on the first layer; ``side``, ``j_side``: True for the active side.

    One mixed-integer LP (HiGHS, one binary per first-layer unit, big-M from interval bounds on the box):
    the exact answer to whether ``f_hat`` has the cell on the box, wherever in the box it is.
    """
    W1, b1, w2, b2 = net.weights[0], net.biases[0], net.weights[1][j], float(net.biases[1][j])
    h, d = W1.shape
    lo_z = np.minimum(W1 * box[:, 0], W1 * box[:, 1]).sum(1) + b1
    hi_z = np.maximum(W1 * box[:, 0], W1 * box[:, 1]).sum(1) + b1
    M = np.maximum(np.abs(lo_z), np.abs(hi_z)) + 1.0
    # variables [x (d), u (h), a (h), t]
    nv = d + 2 * h + 1
    rows, lb, ub = [], [], []
    I, Z = np.eye(h), np.zeros((h, h))
    def add(A, lo_, hi_):
        rows.append(A); lb.append(lo_); ub.append(hi_)
    add(np.hstack([-W1, I, Z, np.zeros((h, 1))]), b1, np.full(h, np.inf))                       # u >= z
    add(np.hstack([-W1, I, M[:, None] * I, np.zeros((h, 1))]), np.full(h, -np.inf), b1 + M)    # u <= z + M (1 - a)
    add(np.hstack([np.zeros((h, d)), I, -M[:, None] * I, np.zeros((h, 1))]), np.full(h, -np.inf), np.zeros(h))  # u <= M a
    sj = 1.0 if j_side else -1.0
    add(np.r_[np.zeros(d), sj * w2, np.zeros(h), -1.0][None], np.array([-sj * b2]), np.array([np.inf]))  # +-z2_j >= t
    if i is not None:
        sgn = 1.0 if side else -1.0
        add(np.r_[sgn * W1[i], np.zeros(2 * h), -1.0][None], np.array([-sgn * b1[i]]), np.array([np.inf]))  # +-z1_i >= t
    cost = np.zeros(nv); cost[-1] = -1.0
    lower = np.r_[box[:, 0], np.zeros(h), np.zeros(h), -np.inf]
    upper = np.r_[box[:, 1], np.maximum(hi_z, 0.0), np.ones(h), np.inf]
    integrality = np.r_[np.zeros(d + h), np.ones(h), 0]
    res = milp(cost, constraints=LinearConstraint(np.vstack(rows), np.concatenate(lb), np.concatenate(ub)),
               integrality=integrality, bounds=Bounds(lower, upper), options={"time_limit": 10})
    if res.x is None or -res.fun <= 1e-9:
        return None
    return np.clip(res.x[:d], box[:, 0], box[:, 1])


def points_in_cell(net: ReLUNetwork, j: int, i: int | None, side: bool, box: np.ndarray, n: int, rng,
                   j_side: bool = True) -> np.ndarray:
    """The deepest point of the cell (:func:`deepest_cell_point`) and ``n - 1`` points around it inside the cell."""
    x = deepest_cell_point(net, j, i, side, box, j_side)
    if x is None:
        return np.zeros((0, box.shape[0]))
    Z1, Z2 = net.preactivations(x[None])
    tj = Z2[0, j] if j_side else -Z2[0, j]
    t = min(tj, (1.0 if side else -1.0) * Z1[0, i]) if i is not None else tj
    lip = np.linalg.norm(net.weights[1][j]) * np.linalg.norm(net.weights[0], 2)
    step = 0.5 * t / max(lip, 1e-300) / np.sqrt(box.shape[0])
    P = x + step * rng.uniform(-1, 1, (n, box.shape[0])) * (np.arange(n) > 0)[:, None]
    return np.clip(P, box[:, 0], box[:, 1])


def _structure_points(net: ReLUNetwork, lo, hi, rng, n_pool, per_cell) -> np.ndarray:
    """Points in every cell of f_hat's own structure (see the module docstring); free to choose."""
    d = net.n_features
    pool = np.vstack([lo + (hi - lo) * rng.random((n_pool, d)), _faces(n_pool // 4, d, lo, hi, rng)])
    pre = net.preactivations(pool)
    picks = []
    for Z in pre:  # every neuron: active somewhere, and just inactive (largest negative pre-activation)
        for k in range(Z.shape[1]):
            picks.append(_pick(Z[:, k] > 0, Z[:, k], rng, per_cell, 0))
            picks.append(_pick(Z[:, k] <= 0, Z[:, k], rng, 0, per_cell))
    extra = []
    if len(pre) >= 2:
        on1 = pre[0] > 0
        Z2 = pre[1]
        box = np.tile([lo, hi], (d, 1))
        for j in range(Z2.shape[1]):
            for i in range(on1.shape[1]):
                for side in (True, False):
                    cell = on1[:, i] == side
                    active = cell & (Z2[:, j] > 0)
                    if active.any():
                        picks.append(_pick(active, Z2[:, j], rng, per_cell, 0))
                    else:  # f_hat's cell absent from the pool: its deepest point by one MILP, if it has one
                        centre = deepest_cell_point(net, j, i, side, box)
                        if centre is not None:
                            extra.append(centre)
                    picks.append(_pick(cell & (Z2[:, j] <= 0), Z2[:, j], rng, 0, 1))
    idx = np.unique(np.concatenate(picks)) if picks else np.zeros(0, np.int64)
    return np.vstack([pool[idx]] + [np.array(extra).reshape(-1, d)])


def check_points(net: ReLUNetwork, lo: float, hi: float, rng, *, n_uniform: int = 4000, n_faces: int = 1000,
                 n_pool: int = 20000, per_cell: int = 2) -> np.ndarray:
    """Query points of the check: uniform, vertices, faces and f_hat's own cells (module docstring)."""
    d = net.n_features
    n_pool = min(n_pool, max(2000, 4_000_000 // d))
    parts = [lo + (hi - lo) * rng.random((n_uniform, d)), _vertices(d, lo, hi, rng), _faces(n_faces, d, lo, hi, rng),
             _structure_points(net, lo, hi, rng, n_pool, per_cell)]
    return np.vstack(parts)


def unexplained_kinks(net: ReLUNetwork, X: np.ndarray, lo: float, hi: float, *, tol: float = 1e-7) -> np.ndarray:
    """Kinks of the black box inside the box that lie on no neuron's zero set of ``f_hat`` (bool mask; no query).

    A neuron's pre-activation at a kink on its zero set is round-off against its scale
    ``|W| |input| + |b|``; ``tol`` is relative to that scale.
    """
    if not X.shape[0]:
        return np.zeros(0, bool)
    inside = ((X >= lo - 1e-9 * (hi - lo)) & (X <= hi + 1e-9 * (hi - lo))).all(1)
    explained = np.zeros(X.shape[0], bool)
    h = X
    for W, b in zip(net.weights[:-1], net.biases[:-1]):
        z = h @ W.T + b
        scale = np.abs(h) @ np.abs(W).T + np.abs(b) + 1e-300
        explained |= (np.abs(z) <= tol * scale).any(1)
        h = np.maximum(z, 0.0)
    return inside & ~explained


def active_points(n1, b1, W2, b2, lo, hi, rng, *, n_pool: int = 20000, per_neuron: int = 4) -> np.ndarray:
    """Points on both sides of each second-layer neuron: from a free pool, else by MILP (for the last-layer fit).

    Its output weight is identified only by points on both sides: on one side alone ``relu(z) = z`` or 0 is
    affine in the first-layer features, which the fit also holds.
    """
    d = n1.shape[1]
    net = ReLUNetwork([n1, W2, np.zeros((1, W2.shape[0]))], [b1, b2, np.zeros(1)])
    pool = lo + (hi - lo) * rng.random((min(n_pool, max(2000, 4_000_000 // d)), d))
    Z2 = net.preactivations(pool)[1]
    box = np.tile([lo, hi], (d, 1))
    pts = []
    for j in range(W2.shape[0]):
        for j_side in (True, False):
            on = np.flatnonzero((Z2[:, j] > 0) == j_side)
            if on.size >= per_neuron:
                pts.append(pool[rng.choice(on, per_neuron, replace=False)])
            else:
                pts.append(points_in_cell(net, j, None, True, box, per_neuron, rng, j_side))
    return np.vstack(pts)
