"""Second hidden layer: follow each bent hyperplane across first-layer planes, fit its row, orient layer 1.

A second-layer neuron ``j`` is zero on a *bent hyperplane* (thesis ``000`` Definition 2.3.15): inside one
first-layer region it is the hyperplane ``{x : grad z_j . (x - x*) = 0}`` through a kink ``x*``, and it
bends exactly where a first-layer unit flips (Carlini, Jagielski & Mironov 2020, section 5).  With the
first-layer planes ``n_i . x + b_i`` known up to sign, write ``s_i = +-1`` for the unknown signs and
``xi_i = [s_i = -1]``.  Because ``relu(-z) = relu(z) - z``,

    z_j(x) = sum_i c_ji relu(n_i . x + b_i) + w_j . x + beta_j,   w_j = -sum_i xi_i c_ji n_i,   (*)

whatever the signs: the row ``c_j`` is the true row (up to a positive scale per unit), the flips hide in
the linear part ``w_j``.  So

1. **Walk** (:func:`walk_neurons`): from a kink of ``j``, move inside its local plane to a first-layer
   plane ``k`` not yet seen on both sides by ``j``'s kinks, step across it and find ``j``'s kink again on
   a short line parallel to that plane; the new jump must lie in the span of the old jump and the
   normals of the units flipped on the way (else it was another neuron: the next kink on the line is
   tried).  Walks go up to ``walk_margin`` (20) box widths outside the box: the black box answers
   anywhere.
2. **Row** (:func:`fit_row`): the jumps are ``mu_r grad z_j(x_r)``; differences between kinks cancel
   ``w_j``, so ``(c_j, mu)`` is the null vector of one small linear system (SVD); then ``w_j`` and
   ``beta_j`` follow.  A unit never seen on both sides by ``j`` is not identified by ``j``'s kinks.
3. **Signs of layer 1** (:func:`orient_first_layer`): ``w_j + sum_i xi_i c_ji n_i = 0`` for every ``j``
   is one *linear* least-squares problem in ``xi`` (``h2 * d`` equations, ``h1`` unknowns; units not seen by
   ``j`` are projected out of ``j``'s block) -- polynomial time even when ``h1 > d``, where the exact
   neuron wiggle (Canales-Martinez et al. 2024) does not apply.  ``xi`` must come out 0/1.

Departure from Carlini et al.: their layer-1 signs for expansive layers are a search over ``2^h1``
assignments; (*) turns them into a linear solve shared by all second-layer neurons.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import ExtractionError
from ._lines import search_lines
from ._probes import kink_jumps

__all__ = ["Layer2Neuron", "walk_neurons", "fit_row", "explains", "orient_first_layer", "oriented_rows", "ghost_first_layer"]


@dataclass
class Layer2Neuron:
    """Kinks of one second-layer neuron and its row in the unoriented form (*)."""

    X: np.ndarray
    J: np.ndarray  # unit jumps, arbitrary sign
    c: np.ndarray = field(default=None)  # (h1,) row, 0 where not identified
    seen: np.ndarray = field(default=None)  # units seen on both sides
    side: np.ndarray = field(default=None)  # side (0/1) of the units not seen on both sides
    w: np.ndarray = field(default=None)
    beta: float = 0.0
    quality: float = np.inf  # smallest / second smallest singular value of the row system
    failures: dict = field(default_factory=dict)


def _sides(X, n1, b1):
    return X @ n1.T + b1 > 0


def fit_row(nr: Layer2Neuron, n1: np.ndarray, b1: np.ndarray) -> Layer2Neuron:
    """Row ``c``, linear part ``w`` and bias of (*) from the neuron's kinks (null vector of the jump system)."""
    S = _sides(nr.X, n1, b1)
    K, d = nr.J.shape
    seen = S.any(0) & (~S).any(0)
    C = np.flatnonzero(seen)
    m = C.size
    if K >= 2:
        M = np.zeros((d * (K - 1), m + K))
        for r in range(1, K):
            blk = slice(d * (r - 1), d * r)
            M[blk, :m] = n1[C].T * (S[r, C].astype(float) - S[0, C])[None, :]
            M[blk, m + r] = -nr.J[r]
            M[blk, m] = nr.J[0]
        _, sv, Vt = np.linalg.svd(M, full_matrices=False)
        v = Vt[-1]
        nr.quality = float(sv[-1] / sv[-2]) if sv.size > 1 else np.inf
    else:
        v = np.r_[np.zeros(m), 1.0]
        nr.quality = 0.0
    c = np.zeros(n1.shape[0]); c[C] = v[:m]
    mu0 = v[m]
    w = mu0 * nr.J[0] - n1[C].T @ (S[0, C] * c[C])
    z = np.maximum(nr.X @ n1.T + b1, 0.0) @ c + nr.X @ w
    scale = np.linalg.norm(np.r_[c, w]) + 1e-300
    nr.c, nr.w, nr.beta, nr.seen, nr.side = c / scale, w / scale, float(-np.median(z)) / scale, seen, S[0]
    return nr


def explains(nr: Layer2Neuron, X: np.ndarray, J: np.ndarray, n1, b1, *, tol: float = 1e-6) -> np.ndarray:
    """Which kinks (X, J) lie on this neuron's bent hyperplane where its fitted form (*) is valid."""
    S = _sides(X, n1, b1)
    valid = (S[:, ~nr.seen] == nr.side[None, ~nr.seen]).all(1)
    z = np.maximum(X @ n1.T + b1, 0.0) @ nr.c + X @ nr.w + nr.beta
    g = (S * nr.c[None, :]) @ n1 + nr.w
    gn = np.linalg.norm(g, axis=1) + 1e-300
    Jn = J / np.linalg.norm(J, axis=1, keepdims=True)
    cos = np.abs(np.einsum("kd,kd->k", g, Jn)) / gn
    return valid & (np.abs(z) <= tol * gn * (1.0 + np.abs(X).max(1))) & (cos >= 1.0 - 1e-3)


def _plan_steps(st, neurons, max_fail):
    """One step per neuron, at the nearest first-layer plane it has not seen on both sides.

    From the kink whose local plane reaches that plane soonest: straight to it (attempts 1, 2, 4), or
    across the first plane on the way (attempts 3, 5: one bend at a time); ``failures`` counts attempts.
    """
    n1, b1, d = st.n1, st.b1, st.d
    w_box = st.hi - st.lo
    lo_ext, hi_ext = st.lo - st.walk_margin * w_box, st.hi + st.walk_margin * w_box
    plans = []
    for j, nr in enumerate(neurons):
        S = _sides(nr.X, n1, b1)
        need = np.flatnonzero(~(S.any(0) & (~S).any(0)))
        need = [k for k in need if nr.failures.get(k, 0) < max_fail]
        if not need:
            continue
        best, k = None, need[0]
        for kk in need:  # the nearest plane not yet seen on both sides (a random target would zigzag)
            cand = _source(nr, kk, n1, b1, lo_ext, hi_ext)
            if cand is None:
                nr.failures[kk] = nr.failures.get(kk, 0) + 1
            elif best is None or cand[-1] < best[-1]:
                best, k = cand, kk
        if best is None:
            continue
        t1, r, m, u, y, t2 = best[:6]
        nr.failures[k] = nr.failures.get(k, 0) + 1  # attempts at unit k
        if nr.failures[k] in (1, 2, 4):  # jump straight to plane k (the bends between are checked after), else plane by plane
            m, t1, t2 = k, best[6], np.inf
            y = nr.X[r] + t1 * u
        delta = min(5 * st.eps / max(abs(n1[m] @ u), 1e-3), 0.5 * (t2 - t1), 0.05 * w_box)
        yp = y + delta * u
        v = nr.J[r] - (nr.J[r] @ n1[m]) * n1[m]
        v /= np.linalg.norm(v)
        plans.append((j, k, r, m, yp, v))
    return plans


def _source(nr, k, n1, b1, lo_ext, hi_ext):
    """The kink of ``nr`` whose local plane reaches plane ``k`` soonest (inside the extended box), and the first plane crossed."""
    U = n1[k][None, :] - (nr.J @ n1[k])[:, None] * nr.J
    nu = np.linalg.norm(U, axis=1)
    ok = nu > 1e-9
    U = U / np.maximum(nu, 1e-300)[:, None]
    Z = nr.X @ n1.T + b1
    rate = U @ n1.T
    sgn = np.where(Z[:, k] * rate[:, k] > 0, -1.0, 1.0)
    U, rate = U * sgn[:, None], rate * sgn[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        T = -Z / rate
    T[~(T > 1e-12)] = np.inf
    tk = T[:, k]
    Yk = nr.X + np.where(np.isfinite(tk), tk, 0.0)[:, None] * U
    ok &= np.isfinite(tk) & (Yk >= lo_ext).all(1) & (Yk <= hi_ext).all(1)
    if not ok.any():
        return None
    r = int(np.flatnonzero(ok)[np.argmin(tk[ok])])
    order = np.argsort(T[r])
    m = int(order[0]); t1 = T[r, m]
    t2 = T[r, order[1]] if order.size > 1 else np.inf
    return t1, r, m, U[r], nr.X[r] + t1 * U[r], t2, tk[r]


def walk_neurons(st, neurons, *, max_steps: int, max_fail: int = 6) -> bool:
    """Walk every neuron's bent hyperplane (all neurons one step at a time, one batched line search a step)."""
    half = 0.1 * (st.hi - st.lo)
    for _ in range(max_steps):
        plans = _plan_steps(st, neurons, max_fail)
        if not plans:
            return False
        yp = np.array([p[4] for p in plans]); v = np.array([p[5] for p in plans])
        starts, dirs = yp - half * v, 2 * half * v
        st.oracle.stage = "walk lines"
        kinks = search_lines(st.oracle, starts, dirs, precision=st.precision)
        st.n_lines += len(plans); st.n_kinks += kinks.t.size
        X = kinks.points()
        target = _sides(yp, st.n1, st.b1)
        cand = ~st.on_layer1(X) & (_sides(X, st.n1, st.b1) == target[kinks.line]).all(1)
        order = np.flatnonzero(cand)[np.argsort(np.abs(kinks.t - 0.5)[cand], kind="stable")]
        rank = np.full(kinks.t.size, -1)
        count = np.zeros(len(plans), np.int64)
        for i in order:  # rank of each candidate among its line's, nearest to the crossing first
            rank[i] = count[kinks.line[i]]; count[kinks.line[i]] += 1
        done = np.zeros(len(plans), bool)
        for attempt in range(3):  # the nearest kink may be another neuron's: try the next ones
            idx = np.flatnonzero((rank == attempt) & ~done[kinks.line])
            if not idx.size:
                break
            src = [(neurons[plans[kinks.line[i]][0]], plans[kinks.line[i]][2]) for i in idx]
            needed = np.zeros(kinks.t.size, bool); needed[idx] = True
            st.oracle.stage = "walk gradients"
            J = kink_jumps(st.oracle, kinks, needed, eps=st.eps, precision=st.precision, basis=st.basis)[0][idx]
            for q, i in enumerate(idx):
                nr, r = src[q]
                D = np.flatnonzero(_sides(X[i][None], st.n1, st.b1)[0] != _sides(nr.X[r][None], st.n1, st.b1)[0])
                if np.isfinite(J[q]).all() and D.size <= st.d - 2 and _same_neuron(J[q], nr.J[r], st.n1[D]):
                    nr.X = np.vstack([nr.X, X[i]]); nr.J = np.vstack([nr.J, J[q] / np.linalg.norm(J[q])])
                    done[kinks.line[i]] = True
    return True


def _same_neuron(J_new, J_old, N_flipped, tol=1e-6) -> bool:
    """Across first-layer planes the jump changes only along their normals: J_new in span{J_old, N_flipped}."""
    B = np.column_stack([J_old, N_flipped.T])
    coef, *_ = np.linalg.lstsq(B, J_new, rcond=None)
    nJ = np.linalg.norm(J_new)
    return bool(np.linalg.norm(B @ coef - J_new) <= tol * nJ and abs(coef[0]) > 1e-3 * nJ)


def orient_first_layer(neurons, n1: np.ndarray) -> np.ndarray:
    """0/1 flips ``xi`` of the first layer from ``w_j + sum_i xi_i c_ji n_i = 0`` (one least-squares solve)."""
    h1, d = n1.shape
    blocks, rhs = [], []
    for nr in neurons:
        A = (n1 * nr.c[:, None]).T  # d x h1, column i = c_ji n_i
        U = n1[~nr.seen].T
        if U.shape[1]:
            Q, _ = np.linalg.qr(U)
            P = np.eye(d) - Q @ Q.T
            A, b = P @ A, P @ (-nr.w)
        else:
            b = -nr.w
        blocks.append(A); rhs.append(b)
    A = np.vstack(blocks); b = np.concatenate(rhs)
    if np.linalg.matrix_rank(A, tol=1e-8 * np.abs(A).max()) < h1:
        raise ExtractionError(
            "The signs of the first layer are not determined by the second-layer neurons found "
            "(some first-layer unit is never crossed by a second-layer bent hyperplane); query more lines."
        )
    xi, *_ = np.linalg.lstsq(A, b, rcond=None)
    xi_round = np.round(xi)
    if np.abs(xi - xi_round).max() > 1e-3 or not np.isin(xi_round, (0.0, 1.0)).all():
        raise ExtractionError(
            f"First-layer sign recovery gave non-binary flips (max distance to 0/1: {np.abs(xi - xi_round).max():.2e}): "
            "a neuron was missed or mis-estimated. Query more lines or check the architecture."
        )
    return xi_round


def oriented_rows(neurons, n1, b1, xi):
    """Rows of layer 2 in the oriented first layer, with the entries hidden in ``w_j`` and the biases.

    Returns ``(n1o, b1o, rows, bias, unobserved)``; ``unobserved[j, i]`` marks an entry left at 0 because unit
    ``i`` is inactive at every kink of ``j`` (its value shows only where both are active: ``_repair``).
    """
    h1 = n1.shape[0]
    flip = 1.0 - 2.0 * xi
    n1o, b1o = n1 * flip[:, None], b1 * flip
    rows = np.zeros((len(neurons), h1)); bias = np.zeros(len(neurons)); unobserved = np.zeros((len(neurons), h1), bool)
    for j, nr in enumerate(neurons):
        row = nr.c.copy()
        rest = nr.w + n1.T @ (xi * nr.c)  # = sum over unseen units active (true orientation) on the kinks
        unseen = np.flatnonzero(~nr.seen)
        active = unseen[nr.side[unseen] != (xi[unseen] == 1)]
        if active.size:
            a, *_ = np.linalg.lstsq(n1[active].T, rest, rcond=None)
            row[active] = a * flip[active]  # c_ji (relu(z) - xi z) on the always-active side -> coefficient of the oriented unit
        unobserved[j, np.setdiff1d(unseen, active)] = True  # inactive on every kink of j: entry not in the jumps
        rows[j] = row
        z = np.maximum(nr.X @ n1o.T + b1o, 0.0) @ row
        bias[j] = -float(np.median(z))
    return n1o, b1o, rows, bias, unobserved


def ghost_first_layer(neurons, n1, b1, lo):
    """Function-exact fallback when the flips ``xi`` are not determined: ``d`` always-on units carry ``w_j . x``.

    ``relu(x_i - lo + 1) = x_i - lo + 1`` on the box, so (*) is a two-hidden-layer network with ``h1 + d``
    first-layer units, exact on the box (and wherever ``x_i > lo - 1``) but not the black box's widths.
    """
    d = n1.shape[1]
    W1 = np.vstack([n1, np.eye(d)]); B1 = np.r_[b1, np.full(d, 1.0 - lo)]
    C = np.array([nr.c for nr in neurons]); Wl = np.array([nr.w for nr in neurons])
    beta = np.array([nr.beta for nr in neurons]) + (lo - 1.0) * Wl.sum(1)
    return W1, B1, np.hstack([C, Wl]), beta
