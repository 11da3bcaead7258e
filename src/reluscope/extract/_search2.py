"""Search for the second-layer neurons: seeds are kinks no known neuron explains; each is walked and merged."""

from __future__ import annotations

import numpy as np

from ..errors import ExtractionError
from ._layer2 import Layer2Neuron, explains, fit_row, walk_neurons

__all__ = ["second_layer", "select_neurons"]


def second_layer(st, neurons, rounds, lines_per_round, patience, hidden_sizes):
    """Walk the bent hyperplane of every second-layer neuron met at an unexplained kink (see ``_layer2``)."""
    for nr in neurons:
        fit_row(nr, st.n1, st.b1)
    idle, h2 = 0, None if hidden_sizes is None else hidden_sizes[1]
    for _ in range(4 * (h2 or 16) + 10):
        if st.l2_used.size < st.l2_X.shape[0]:
            st.l2_used = np.r_[st.l2_used, np.zeros(st.l2_X.shape[0] - st.l2_used.size, bool)]
        free = ~st.l2_used & ~st.on_layer1(st.l2_X)
        for nr in neurons:
            free &= ~explains(nr, st.l2_X, st.l2_J, st.n1, st.b1)
        if h2 is not None and len(neurons) >= h2 + st.extra_l2:
            break
        if free.any():
            seeds = np.flatnonzero(free)[: 4 if h2 is None else max(h2 + st.extra_l2 - len(neurons), 1)]
            st.l2_used[seeds] = True
            before = len(neurons)
            neurons = _walk_seeds(st, neurons, seeds)
            idle = 0 if len(neurons) > before else idle + 1
        else:
            if next(rounds, None) is None:
                break
            # known width not reached after two idle rounds: longer lines, to meet neurons active on a sliver of
            # the box (or always active there) where their bent hyperplanes run outside it
            span = 4.0 if (h2 is not None and idle >= 2) else 1.0
            if st.round(lines_per_round, True, span=span):  # a new first-layer neuron: every row is refitted
                for nr in neurons:
                    fit_row(nr, st.n1, st.b1)
            idle += 1
        if h2 is None and idle >= patience:
            break
    if not neurons:
        raise ExtractionError("No second-layer neuron was recovered; query more lines.")
    return neurons


def _walk_seeds(st, neurons, seeds, chunk: int = 6):
    """Walk from each seed kink in lockstep; every ``chunk`` steps, walks that met a known neuron are merged."""
    J = st.l2_J[seeds] / np.linalg.norm(st.l2_J[seeds], axis=1, keepdims=True)
    pending = [Layer2Neuron(st.l2_X[s][None], J[i][None]) for i, s in enumerate(seeds)]
    for _ in range(0, 5 * st.n1.shape[0] + 12, chunk):
        moved = walk_neurons(st, pending, max_steps=chunk)
        pending = [_fit_walked(nr, st) for nr in pending]
        neurons, pending = _merge(neurons, pending, st)
        if not moved or not pending:
            break
    return neurons + pending


def _fit_walked(nr, st):
    """Row of a walked neuron; a seed whose jump was mis-measured (the walk's steps were checked, the seed was not) is dropped."""
    fit_row(nr, st.n1, st.b1)
    if nr.quality > _QUALITY and nr.X.shape[0] > 2:
        nr.X, nr.J = nr.X[1:], nr.J[1:]
        fit_row(nr, st.n1, st.b1)
    return nr


def _same(a, b, st) -> bool:
    if explains(a, b.X, b.J, st.n1, st.b1).any() or explains(b, a.X, a.J, st.n1, st.b1).any():
        return True
    common = a.seen & b.seen
    if common.sum() < 2:
        return False
    u, v = a.c[common], b.c[common]
    return bool(abs(u @ v) >= (1 - 1e-6) * np.linalg.norm(u) * np.linalg.norm(v))


def _merge(neurons, pending, st):
    """Walks that meet a known neuron (or each other) are merged into it; returns (neurons, walks still apart)."""
    apart = []
    for nr in pending:
        if nr.quality > _QUALITY or nr.X.shape[0] < 2:  # inconsistent, or a walk that never left its seed
            continue
        for old in neurons + apart:
            if _same(old, nr, st):
                merged = fit_row(Layer2Neuron(np.vstack([old.X, nr.X]), np.vstack([old.J, nr.J])), st.n1, st.b1)
                if merged.quality <= _QUALITY:
                    old.X, old.J = merged.X, merged.J
                    fit_row(old, st.n1, st.b1)
                break
        else:
            apart.append(nr)
    return neurons, apart


_QUALITY = 1e-6


def select_neurons(st, neurons, h2: int):
    """The ``h2`` walked neurons that carry the output, when more were walked than the known width.

    One least-squares fit of ``f`` on the features ``relu(z_j)`` of every walked neuron (in the form (*) of
    ``_layer2``, valid whatever the first layer's signs), the first layer and ``x``, on points on both
    sides of each neuron's kinks: a walk that did not follow one true neuron gets a weight near 0.
    """
    P = []
    for nr in neurons:
        k = min(3, nr.X.shape[0])
        delta = 1e-2 * (st.hi - st.lo)
        P += [nr.X[:k] + delta * nr.J[:k], nr.X[:k] - delta * nr.J[:k]]
    X = np.vstack(P + [st.box_points(2 * (st.n1.shape[0] + len(neurons) + st.d) + 20)])
    y = st.oracle(X)
    U = np.maximum(X @ st.n1.T + st.b1, 0.0)
    Z = np.column_stack([U @ nr.c + X @ nr.w + nr.beta for nr in neurons])
    F = np.maximum(Z, 0.0)
    coef, *_ = np.linalg.lstsq(np.column_stack([F, U, X, np.ones(len(y))]), y, rcond=None)
    score = np.abs(coef[: len(neurons)]) * F.max(0)
    keep = np.sort(np.argsort(-score)[:h2])
    return [neurons[i] for i in keep]
