"""Linear algebra of exact extraction: deduplicating hyperplanes, the last layer and its signs."""

from __future__ import annotations

import numpy as np

from ._signs import binary_solve

STAND_IN = "not identifiable: an always-on stand-in carries the linear part"

__all__ = ["canonical_planes", "merge_planes", "fit_last_layer", "STAND_IN"]


def canonical_planes(J: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit normals ``n = J / |J|`` (largest entry positive) and offsets ``b = -n.x`` of hyperplanes through X."""
    n = J / np.linalg.norm(J, axis=1, keepdims=True)
    flip = np.sign(n[np.arange(n.shape[0]), np.abs(n).argmax(1)])
    n = n * flip[:, None]
    return n, -np.einsum("ij,ij->i", n, X)


def merge_planes(normals, offsets, *, tol: float = 1e-6) -> np.ndarray:
    """Group label of each (normal, offset): equal hyperplanes (up to ``tol``) share a label."""
    labels = -np.ones(normals.shape[0], np.int64)
    reps: list[int] = []
    for i in range(normals.shape[0]):
        for lab, r in enumerate(reps):
            if np.abs(normals[i] - normals[r]).max() <= tol and abs(offsets[i] - offsets[r]) <= tol * (1 + abs(offsets[r])):
                labels[i] = lab
                break
        else:
            labels[i] = len(reps)
            reps.append(i)
    return labels


def _ghost_neurons(bounds, q, n_missing):
    """Neurons never crossed in the box act affinely there: one always-on neuron carries the linear part.

    ``bounds = (lo, hi)`` bound the layer's inputs over the box, so the ghost is on on the whole box.
    """
    norm = float(np.linalg.norm(q))
    w = q / norm if norm > 0 else np.zeros_like(q)
    b0 = -float(np.minimum(w * bounds[0], w * bounds[1]).sum()) + 1e-3
    Wg = np.zeros((n_missing, q.size)); bg = -np.ones(n_missing); pg = np.zeros(n_missing)
    Wg[0], bg[0], pg[0] = w, b0, norm
    return Wg, bg, pg, -norm * b0


def fit_last_layer(features_prev: np.ndarray, y: np.ndarray, W: np.ndarray, b: np.ndarray, n_missing: int = 0, bounds=None,
                   unknown: np.ndarray | None = None):
    """Output layer and orientation of the last hidden layer by one least-squares fit.

    With ``z_k = W_k . u + b_k`` known up to sign, ``f = sum_k p_k relu(z_k) + q . u + c``
    exactly (``relu(-z) = relu(z) - z``), and a flipped neuron ``k`` contributes
    ``-p_k W_k`` to ``q``.  So the flips ``xi`` solve ``W^T (xi * p) = -q``: a linear
    solve when the layer is no wider than its input, else a low-density subset sum solved by
    lattice reduction (:mod:`._signs`; both polynomial time).  Returns oriented
    ``(W, b, p, c, residual, sign_method)``.  With ``n_missing`` neurons never crossed in the
    box (they act affinely there) the flips are not identifiable; the linear part
    then goes to one always-on neuron (exact on the sampled box, not weight-exact).

    ``unknown[k, i]`` marks entries of ``W`` not measured (``_layer2``: a unit inactive at every kink of
    ``k``): the flips come from the other columns, and an unknown entry alone in its column is read off the
    column's residual ``rho_i = q_i + sum_k xi_k p_k W_ki``: ``-p_k dW_ki`` for a flipped neuron, ``+p_k dW_ki``
    for one active on the whole box (its entry acts only through the linear part there, which the fit
    absorbed into ``q``); the rows are then fitted again.
    """
    Z = features_prev @ W.T + b
    A = np.column_stack([np.maximum(Z, 0.0), features_prev, np.ones(len(y))])
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    residual = float(np.abs(A @ coef - y).max())
    h, m = W.shape
    p, q, c = coef[:h], coef[h:h + m], coef[-1]
    P = W.T * p[None, :]
    if n_missing:
        # the missing neurons' affine part is indistinguishable from flips: keep the found signs as is
        Wg, bg, pg, dc = _ghost_neurons(bounds, q, n_missing)
        return np.vstack([W, Wg]), np.r_[b, bg], np.r_[p, pg], c + dc, residual, STAND_IN
    rows = np.ones(m, bool) if unknown is None else ~unknown.any(0)
    if unknown is not None and unknown.any() and rows.any():
        xi = binary_solve(P[rows], -q[rows])[0]
        W = W.copy()
        rho = q + P @ xi  # zero on complete columns; else what the unknown entries put in the linear part
        single = unknown.sum(0) == 1
        for k, i in np.argwhere(unknown & single[None, :]):
            W[k, i] += (-rho[i] if xi[k] else rho[i]) / p[k]
        return fit_last_layer(features_prev, y, W, b, n_missing, bounds)
    xi, method = binary_solve(P, -q)
    flip = 1.0 - 2.0 * xi
    c_true = c + float(np.sum(xi * p * b))
    return W * flip[:, None], b * flip, p, c_true, residual, method

