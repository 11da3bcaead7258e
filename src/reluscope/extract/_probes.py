"""Local probes of a black box: gradients of linear pieces and kink tests across hyperplanes."""

from __future__ import annotations

import numpy as np

from ._lines import LineKinks

__all__ = ["kink_jumps", "has_kink_across"]


def _fd_gradients(oracle, X, eps, basis=None) -> np.ndarray:
    """Forward differences ``(f(x + eps e_i) - f(x)) / eps`` for each row of X (d + 1 queries a row).

    With ``basis`` (``d x k``, orthonormal columns) only the ``k`` directional derivatives along its
    columns are measured (``k + 1`` queries a row) and the gradient is ``basis @ those``: exact when the
    gradient lies in its span, as every gradient of a ReLU network does in the span of its first-layer
    normals (``grad f = W1^T D1 W2^T D2 p``).
    """
    n, d = X.shape
    E = np.eye(d) if basis is None else basis.T
    pts = np.concatenate([X[:, None, :], X[:, None, :] + eps * E[None]], axis=1).reshape(-1, d)
    v = oracle(pts).reshape(n, E.shape[0] + 1)
    D = (v[:, 1:] - v[:, :1]) / eps
    return D if basis is None else D @ basis.T


def kink_jumps(oracle, kinks: LineKinks, needed: np.ndarray, *, eps: float, precision: float,
               basis: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Gradient jump ``J = grad f(right piece) - grad f(left piece)`` at the needed kinks.

    One gradient per linear *piece* between consecutive kinks of a line (a piece
    is shared by the kinks at its two ends, so a line with ``K`` kinks costs at
    most ``(K + 1)(d + 1)`` queries, not ``2K(d + 1)``), taken at the piece's
    midpoint (far from the kinks along the line) by forward differences, or by
    the oracle's gradient when it has one.  Each gradient is checked against the
    piece's slope along the line, known exactly from the kink search; a piece
    failing the check is retried once with a step ten times smaller at another
    point of the piece.  With ``basis`` (the first layer's normals, orthonormalised, when the first layer
    is complete and narrower than the input) gradients are first measured in its span (``k + 1``
    queries, not ``d + 1``); pieces failing the check then get the full gradient.  Returns ``(J, ok)``.
    """
    n_k = kinks.t.size
    line, t = kinks.line, kinks.t
    first = np.r_[True, line[1:] != line[:-1]]
    last = np.r_[line[1:] != line[:-1], True]
    t_prev = np.where(first, 0.0, np.r_[0.0, t[:-1]])
    t_next = np.where(last, 1.0, np.r_[t[1:], 1.0])
    # piece p_k = left piece of kink k; the right piece of kink k is the left piece of kink k+1 (or the tail)
    left_id = np.arange(n_k) + line            # unique id per piece: kinks before plus line index
    right_id = left_id + 1
    want = np.zeros(n_k + kinks.starts.shape[0] + 1, bool)
    want[left_id[needed]] = True
    want[right_id[needed]] = True
    pid = np.flatnonzero(want)
    # piece id -> (line, t_lo, t_hi, slope)
    lo = np.empty(want.size); hi = np.empty(want.size); ln = np.empty(want.size, np.int64); slope = np.empty(want.size)
    lo[left_id], hi[left_id], ln[left_id], slope[left_id] = t_prev, t, line, kinks.slope_left
    tail = right_id[last]
    lo[tail], hi[tail], ln[tail], slope[tail] = t[last], 1.0, line[last], kinks.slope_right[last]
    G = np.full((want.size, kinks.starts.shape[1]), np.nan)
    todo = pid
    passes = [(0.5, eps, None), (1.0 / 3.0, eps / 10, None)]
    if basis is not None and not oracle.has_gradient:
        passes = [(0.5, eps, basis), (1.0 / 3.0, eps / 10, basis)] + passes
    for frac, step, B in passes:
        if not todo.size:
            break
        tt = lo[todo] + frac * (hi[todo] - lo[todo])
        X = kinks.starts[ln[todo]] + tt[:, None] * kinks.directions[ln[todo]]
        g = oracle.gradient(X) if oracle.has_gradient else _fd_gradients(oracle, X, step, B)
        along = np.einsum("ij,ij->i", g, kinks.directions[ln[todo]])
        err = np.abs(along - slope[todo])
        tol = 1e-6 * (np.abs(slope[todo]) + np.abs(g).sum(1) * np.abs(kinks.directions[ln[todo]]).max(1)) + 1e3 * precision
        good = err <= tol
        G[todo[good]] = g[good]
        todo = todo[~good]
    J = G[right_id] - G[left_id]
    ok = np.isfinite(J).all(axis=1)
    return J, ok


def has_kink_across(oracle, points: np.ndarray, normals: np.ndarray, *, delta: float, precision: float) -> np.ndarray:
    """Is ``f`` kinked where it crosses the hyperplane through ``points`` with ``normals``? (5 queries a point)

    Slopes along the normal on both sides (baselines ``[-2δ, -δ]`` and ``[δ, 2δ]``)
    must differ, and ``f(p)`` must lie on both side lines (only one kink in the
    window).  A first-layer neuron passes at generic points of its hyperplane; the
    extension of a deeper neuron's bent hyperplane does not.
    """
    offsets = np.array([-2.0, -1.0, 0.0, 1.0, 2.0]) * delta
    X = points[:, None, :] + offsets[None, :, None] * normals[:, None, :]
    v = oracle(X.reshape(-1, points.shape[1])).reshape(-1, 5)
    scale = np.abs(v).max(axis=1) + 1e-300
    s_left = (v[:, 1] - v[:, 0]) / delta
    s_right = (v[:, 4] - v[:, 3]) / delta
    tol = 1e3 * precision * scale
    consistent = (np.abs(v[:, 2] - (v[:, 1] + s_left * delta)) <= tol) & (np.abs(v[:, 2] - (v[:, 3] - s_right * delta)) <= tol)
    return consistent & (np.abs(s_right - s_left) * delta > 100 * tol)
