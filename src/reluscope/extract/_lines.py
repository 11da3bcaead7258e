"""Critical points of a piecewise-linear black box along lines (vectorised over lines and intervals).

Along a line ``x(t) = a + t (b - a)``, ``t in [0, 1]``, a ReLU network is a
continuous piecewise-linear function ``g(t)`` whose kinks are the *critical
points* where one neuron changes state (Carlini, Jagielski & Mironov 2020,
section 4.2; Rolnick & Kording 2020).  Instead of pure bisection we use the
piecewise linearity: on an interval ``[l, r]`` with the slopes known at both
ends, the lines through the two ends intersect at ``t*``; if ``g(t*)`` lies on
both lines the interval holds one kink, at ``t*``; otherwise ``t*`` splits the
interval.  A confirmed kink is refined by intersecting the two lines again
with long baselines (``[l, t_a]`` and ``[t_b, r]``), which makes its position
exact to float64 round-off.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import NotPiecewiseLinearError

__all__ = ["LineKinks", "search_lines", "check_piecewise_linear"]


@dataclass
class LineKinks:
    """Kinks found on a batch of lines: ``line`` index into ``starts``, position ``t`` in [0, 1]."""

    starts: np.ndarray
    directions: np.ndarray
    line: np.ndarray
    t: np.ndarray
    slope_left: np.ndarray
    slope_right: np.ndarray
    unresolved: int

    def points(self) -> np.ndarray:
        return self.starts[self.line] + self.t[:, None] * self.directions[self.line]


def _evaluate(oracle, starts, directions, line, t) -> np.ndarray:
    return oracle(starts[line] + t[:, None] * directions[line])


def check_piecewise_linear(oracle, starts, directions, *, precision: float, random_state, n_triples: int = 150) -> float:
    """Fraction of tiny second differences that are non-zero; raise when the box is not piecewise linear.

    A piecewise-linear ``g`` has a non-zero second difference on ``t, t+h, t+2h``
    only when a kink falls inside the ``2h`` window (probability ``~2hK`` with
    ``K`` kinks); a smooth ``g`` (tanh, sigmoid, GELU) has one almost everywhere.
    """
    rng = np.random.default_rng(random_state)
    h = max(1e-5, 30.0 * np.sqrt(precision))
    line = rng.integers(0, starts.shape[0], n_triples)
    t0 = rng.uniform(0.05, 0.95 - 2 * h, n_triples)
    t = np.concatenate([t0, t0 + h, t0 + 2 * h])
    g = _evaluate(oracle, starts, directions, np.tile(line, 3), t).reshape(3, n_triples)
    scale = np.abs(g).max() + 1e-300
    second = np.abs(g[0] - 2 * g[1] + g[2])
    curved = float(np.mean(second > 1e3 * precision * scale))
    if curved > 0.5:
        raise NotPiecewiseLinearError(
            f"{curved:.0%} of second differences on windows of {h:.1e} along random lines are non-zero: the "
            "black box is not piecewise linear (a smooth activation such as tanh?), so it is not a ReLU network "
            "and cannot be extracted exactly. If its outputs are noisy or rounded, pass a larger `precision`."
        )
    return curved


def _intersect(gl, sl, l, gr, sr, r):
    """Crossing of the line through (l, gl) with slope sl and the one through (r, gr) with slope sr."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (gr - gl + sl * l - sr * r) / (sl - sr)


def search_lines(oracle, starts, directions, *, precision: float = 1e-14, eta: float = 1e-6,
                 min_width: float = 1e-9, max_intervals: int = 20000) -> LineKinks:
    """Every kink of ``g_i(t) = f(starts_i + t directions_i)`` on ``[0, 1]`` for all lines at once.

    ``precision`` is the relative accuracy of the oracle's outputs; tolerances are
    derived from it (round-off of values and of slopes over the baseline used).
    Raises :class:`NotPiecewiseLinearError` when the open intervals multiply
    beyond ``max_intervals`` (a smooth function splits forever).
    """
    m = starts.shape[0]
    lines = np.arange(m)
    base = np.concatenate([lines] * 4)
    tt = np.repeat([0.0, eta, 1.0 - eta, 1.0], m)
    g = _evaluate(oracle, starts, directions, base, tt).reshape(4, m)
    scale = np.abs(g).max() + 1e-300
    err_g = precision * scale
    L, R = np.zeros(m), np.ones(m)
    GL, GR = g[0], g[3]
    SL, SR = (g[1] - g[0]) / eta, (g[3] - g[2]) / eta
    ETA_L, ETA_R = np.full(m, eta), np.full(m, eta)
    found = {"line": [], "t": [], "sl": [], "sr": []}
    unresolved = 0
    while lines.size:
        if lines.size > max_intervals:
            raise NotPiecewiseLinearError(
                f"The kink search split into {lines.size} open intervals: the black box does not look piecewise "
                "linear along lines (smooth activation or noisy outputs). Pass a larger `precision` for noisy outputs."
            )
        width = R - L
        chord = (GR - GL) / width
        err_sl = 4 * err_g / ETA_L + 4 * err_g / width
        err_sr = 4 * err_g / ETA_R + 4 * err_g / width
        flat = (np.abs(chord - SL) <= 8 * err_sl) & (np.abs(chord - SR) <= 8 * err_sr)
        keep = ~flat
        lines, L, R, GL, GR, SL, SR, ETA_L, ETA_R = (a[keep] for a in (lines, L, R, GL, GR, SL, SR, ETA_L, ETA_R))
        if not lines.size:
            break
        width = R - L
        ts = _intersect(GL, SL, L, GR, SR, R)
        bad = ~np.isfinite(ts) | (ts <= L + 0.01 * width) | (ts >= R - 0.01 * width)
        ts = np.where(bad, 0.5 * (L + R), ts)
        ta, tb = ts - 0.3 * (ts - L), ts + 0.3 * (R - ts)
        gs, ga, gb = _evaluate(oracle, starts, directions, np.tile(lines, 3), np.concatenate([ts, ta, tb])).reshape(3, -1)
        # one kink iff the two long-baseline lines ([l, t_a] and [t_b, r]) meet inside (t_a, t_b)
        # at a point where g lies on both
        sl = (ga - GL) / (ta - L)
        sr = (GR - gb) / (R - tb)
        t_ref = _intersect(GL, sl, L, GR, sr, R)
        single = np.isfinite(t_ref) & (t_ref > ta) & (t_ref < tb)
        if single.any():
            idx = np.flatnonzero(single)
            # the check resolves a kink only if the two lines part by >> tol within dt of t_ref
            room = 0.5 * np.minimum(t_ref[idx] - ta[idx], tb[idx] - t_ref[idx])
            need = 100 * 24 * err_g / np.maximum(np.abs(sl[idx] - sr[idx]), 1e-300)
            dt = np.maximum(1e-6 * (R[idx] - L[idx]), need)
            resolvable = dt <= room
            dt = np.minimum(dt, room)
            t_lr = np.concatenate([t_ref[idx] - dt, t_ref[idx] + dt])
            g_l, g_r = _evaluate(oracle, starts, directions, np.tile(lines[idx], 2), t_lr).reshape(2, -1)
            on_left = np.abs(g_l - (GL[idx] + sl[idx] * (t_ref[idx] - dt - L[idx]))) <= 24 * err_g
            on_right = np.abs(g_r - (GR[idx] + sr[idx] * (t_ref[idx] + dt - R[idx]))) <= 24 * err_g
            single[idx] = on_left & on_right & resolvable
        if single.any():
            s = single
            found["line"].append(lines[s]); found["t"].append(t_ref[s])
            found["sl"].append(sl[s]); found["sr"].append(sr[s])
        rest = ~single
        tiny = rest & (np.minimum(ts - L, R - ts) < min_width)
        unresolved += int(tiny.sum())
        rest &= ~tiny
        if not rest.any():
            break
        lines, L, R, GL, GR, SL, SR, ETA_L, ETA_R, ts, gs = (
            a[rest] for a in (lines, L, R, GL, GR, SL, SR, ETA_L, ETA_R, ts, gs))
        e = np.minimum(eta, 0.1 * np.minimum(ts - L, R - ts))
        gm, gp = _evaluate(oracle, starts, directions, np.tile(lines, 2), np.concatenate([ts - e, ts + e])).reshape(2, -1)
        lines = np.concatenate([lines, lines])
        L, R = np.concatenate([L, ts]), np.concatenate([ts, R])
        GL, GR = np.concatenate([GL, gs]), np.concatenate([gs, GR])
        SL, SR = np.concatenate([SL, (gp - gs) / e]), np.concatenate([(gs - gm) / e, SR])
        ETA_L = np.concatenate([ETA_L, e])
        ETA_R = np.concatenate([e, ETA_R])
    cat = lambda k, dt: np.concatenate(found[k]) if found[k] else np.zeros(0, dt)
    line, t = cat("line", np.int64), cat("t", float)
    order = np.lexsort((t, line))
    return LineKinks(starts, directions, line[order], t[order], cat("sl", float)[order], cat("sr", float)[order], unresolved)
