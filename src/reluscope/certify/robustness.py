"""Exact local robustness and output ranges by mixed-integer programming.

``robustness`` answers "can any input within eps of x change the class?" with
the big-M MILP of Tjeng, Xiao & Tedrake (2019, "Evaluating robustness of neural
networks with mixed integer programming", sections 3-4): for every competing
class ``j`` maximise ``eta_j - eta_c`` over the ball; the class is robust iff
every maximum is negative.  Bounds that tighten big-M come from interval and
symbolic linear relaxation propagation (:mod:`reluscope.certify._milp`).  A
counterexample is accepted only after a forward pass confirms that its class
differs.  ``max_output_change`` gives the exact minimum and maximum of every
output over the ball.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InvalidInputError
from . import _milp
from ._common import check_box, check_network, check_norm, check_row, predicted_index

__all__ = ["RobustnessResult", "robustness", "OutputRange", "max_output_change"]

#: A margin within this of 0 is a tie: a counterexample only if the forward pass says so.
TIE_TOL = 1e-9


@dataclass
class RobustnessResult:
    """Verdict of :func:`robustness`.

    Attributes
    ----------
    verdict : {'verified', 'counterexample', 'unknown'}
    predicted_class : int
        Class index at ``x`` (``eta > 0`` for one logit, argmax otherwise).
    counterexample : ndarray or None
        A point of the ball whose class (by a forward pass) differs.
    counterexample_class : int or None
    margins : DataFrame
        One row per competing class: ``lower`` (best value found) and ``upper``
        (proved bound) of ``max (eta_j - eta_c)`` over the ball (for one logit:
        of ``-eta`` when class 1, ``eta`` when class 0), and ``solved``.
    eps, norm, seconds

    Examples
    --------
    ``eta = relu(x1) + relu(x2) - 1`` at ``x = (0.2, 0.2)`` (``eta = -0.6``, class 0): within
    L-infinity distance 0.25 the largest ``eta`` is ``2 (0.45) - 1 = -0.1 < 0``, proved by the MILP.

    >>> import reluscope
    >>> from reluscope.certify import robustness
    >>> net = reluscope.from_arrays([np.eye(2), np.ones((1, 2))], [np.zeros(2), np.array([-1.0])], output="sigmoid")
    >>> res = robustness(net, [0.2, 0.2], eps=0.25)
    >>> res.verdict, res.predicted_class, res.counterexample
    ('verified', 0, None)
    >>> float(res.margins.loc[1, "upper"])  # proved bound on max eta over the ball
    -0.1
    """

    verdict: str
    predicted_class: int
    counterexample: np.ndarray | None
    counterexample_class: int | None
    margins: pd.DataFrame
    eps: float
    norm: float
    seconds: float
    method: str = field(default="milp (Tjeng et al. 2019)")


def _ball(network, x, eps, norm, box):
    if not (np.isfinite(eps) and eps > 0):
        raise InvalidInputError(f"eps must be a positive finite radius; got {eps!r}.")
    norm = check_norm(norm, allowed=(1, np.inf))
    lo, hi = x - eps, x + eps
    if box is not None:
        lo, hi = np.maximum(lo, box[:, 0]), np.minimum(hi, box[:, 1])
        if (lo > hi).any():
            raise InvalidInputError("x lies farther than eps outside the box; the ball and the box do not meet.")
    enc = _milp.encode_network(network, lo, hi)
    if norm == 1:
        enc = _milp.add_l1_ball(enc, x, eps)
    return enc, norm


def _into_ball(xc, x, eps, norm, lo, hi):
    """The solver's point moved into the ball and box exactly (HiGHS satisfies rows to ~1e-7 only).

    Clipping to the box, then for L1 shrinking towards ``x`` by the factor that brings the
    norm to ``eps``; the caller re-checks its class by a forward pass.
    """
    xc = np.clip(xc, lo, hi)
    if norm == 1:
        dist = np.abs(xc - x).sum()
        if dist > eps:
            xc = np.clip(x + (xc - x) * (eps / dist), lo, hi)
    return xc


def _margin_objectives(network, c):
    """(name, objective-row index pairs) of the margins whose positivity changes the class."""
    if network.n_outputs == 1:
        return [(1 - c, np.array([-1.0 if c == 1 else 1.0]), [0])]
    return [(j, np.array([1.0, -1.0]), [j, c]) for j in range(network.n_outputs) if j != c]


def robustness(network, x, eps: float, norm="inf", *, box=None, time_limit: float | None = 60.0) -> RobustnessResult:
    """Certify that every input within ``eps`` of ``x`` keeps the class of ``x``, or find one that does not.

    Parameters
    ----------
    network : ReLUNetwork
    x : array (d,)
    eps : float > 0
        Radius of the ball.
    norm : {'inf', 1}
        Ball norm (L2 would need a quadratic constraint, not a MILP).
    box : array (d, 2), optional
        Valid input range intersected with the ball (e.g. [0, 1] for pixels).
    time_limit : float or None
        Seconds for all MILPs together; past it the verdict is ``unknown`` with
        the bounds proved so far.

    Returns
    -------
    RobustnessResult

    Examples
    --------
    For ``eta = relu(x1) + relu(x2) - 1`` at ``x = (0.2, 0.2)`` the class flips once both
    coordinates can reach 0.5: L-infinity radius 0.3, L1 radius 0.6.  At ``eps = 0.35`` the
    MILP returns the corner ``(0.55, 0.55)``, where ``eta = 0.1``:

    >>> import reluscope
    >>> from reluscope.certify import robustness
    >>> net = reluscope.from_arrays([np.eye(2), np.ones((1, 2))], [np.zeros(2), np.array([-1.0])], output="sigmoid")
    >>> res = robustness(net, [0.2, 0.2], eps=0.35)
    >>> res.verdict, res.counterexample, res.counterexample_class
    ('counterexample', array([0.55, 0.55]), 1)
    >>> net.decision_function(res.counterexample[None])
    array([0.1])
    >>> robustness(net, [0.2, 0.2], eps=0.5, norm=1).verdict, robustness(net, [0.2, 0.2], eps=0.7, norm=1).verdict
    ('verified', 'counterexample')
    """
    t0 = time.perf_counter()
    network = check_network(network)
    x = check_row(network, x)
    box = check_box(network, box)
    enc, norm = _ball(network, x, float(eps), norm, box)
    eta0 = network._forward_raw(x[None, :])[0][0]
    c = predicted_index(network, eta0)
    ub = enc.bounds[-1][1]
    lb = enc.bounds[-1][0]
    rows, verdict, cex, cex_class = [], "verified", None, None
    objectives = _margin_objectives(network, c)
    # most dangerous competitor first: the largest propagated upper bound of its margin
    cheap = [float(w[0] * (ub if w[0] > 0 else lb)[o[0]] + (w[1] * (ub if w[1] > 0 else lb)[o[1]] if len(o) > 1 else 0.0))
             for _, w, o in objectives]
    for k in np.argsort(cheap)[::-1]:
        j, w, outs = objectives[k]
        if cheap[k] < 0:
            rows.append((j, np.nan, cheap[k], True))
            continue
        left = None if time_limit is None else time_limit - (time.perf_counter() - t0)
        if left is not None and left <= 0:
            rows.append((j, np.nan, cheap[k], False))
            verdict = "unknown"
            continue
        obj = w @ enc.eta[outs]
        off = float(w @ enc.eta_const[outs])
        res = _milp.solve(enc, obj, off, maximize=True, time_limit=left)
        rows.append((j, res.value, res.bound, res.optimal))
        if res.solution is not None and res.value > -TIE_TOL:
            xc = _into_ball(res.solution[enc.x_cols], x, float(eps), norm, enc.col_lo[enc.x_cols], enc.col_hi[enc.x_cols])
            cls = predicted_index(network, network._forward_raw(xc[None, :])[0][0])
            if cls != c:
                verdict, cex, cex_class = "counterexample", xc, cls
                break
        if res.bound >= -TIE_TOL and verdict == "verified":
            verdict = "unknown"  # not proved negative (time limit, or a tie on the decision boundary)
    margins = pd.DataFrame(rows, columns=["class", "lower", "upper", "solved"]).set_index("class")
    return RobustnessResult(verdict, c, cex, cex_class, margins, float(eps), norm, time.perf_counter() - t0)


@dataclass
class OutputRange:
    """Exact range of each pre-link output over a ball (:func:`max_output_change`).

    ``lower``/``upper`` (k,) proved when ``exact`` is True (else best found /
    proved bounds on a time limit); ``argmin``/``argmax`` (k, d) points
    attaining them; ``at_x`` (k,) the outputs at ``x``; ``bounds_propagated``
    (k, 2) the cheaper relaxation bounds used to tighten big-M.

    Examples
    --------
    ``eta = relu(x1) + relu(x2) - 1`` on the L-infinity ball of radius 0.3 around ``(0.2, 0.2)``
    ranges from -1 (both units off) to ``2 (0.5) - 1 = 0``:

    >>> import reluscope
    >>> from reluscope.certify import max_output_change
    >>> net = reluscope.from_arrays([np.eye(2), np.ones((1, 2))], [np.zeros(2), np.array([-1.0])])
    >>> rng_ = max_output_change(net, [0.2, 0.2], eps=0.3)
    >>> rng_.to_frame()[["at_x", "min", "max", "exact"]]
       at_x  min  max  exact
    0  -0.6 -1.0  0.0   True
    >>> rng_.argmax
    array([[0.5, 0.5]])
    """

    lower: np.ndarray
    upper: np.ndarray
    argmin: np.ndarray
    argmax: np.ndarray
    at_x: np.ndarray
    exact: np.ndarray
    bounds_propagated: np.ndarray
    seconds: float

    def to_frame(self) -> pd.DataFrame:
        """One row per output: ``at_x``, ``min``, ``max``, ``exact``, ``relaxed_min``, ``relaxed_max``."""
        return pd.DataFrame({"at_x": self.at_x, "min": self.lower, "max": self.upper, "exact": self.exact,
                             "relaxed_min": self.bounds_propagated[:, 0], "relaxed_max": self.bounds_propagated[:, 1]})


def max_output_change(network, x, eps: float, norm="inf", *, box=None, time_limit: float | None = 60.0) -> OutputRange:
    """Exact minimum and maximum of every pre-link output ``eta_k`` over the ball (2 k MILPs).

    On a time limit the unfinished outputs keep the best point found as
    ``lower``/``upper`` replaced by the proved bound, with ``exact`` False.

    Parameters
    ----------
    network : ReLUNetwork
    x : array (d,)
    eps : float > 0
    norm : {'inf', 1}
    box : array (d, 2), optional
    time_limit : float or None

    Returns
    -------
    OutputRange

    Examples
    --------
    A random 2-8-8-1 net on the square ``x +- 0.5``: the exact range contains the range over a
    401 x 401 grid and is attained at the returned points, while the propagated relaxation
    bounds are looser.

    >>> import reluscope
    >>> from reluscope.certify import max_output_change
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays(
    ...     [rng.normal(size=(8, 2)), rng.normal(size=(8, 8)), rng.normal(size=(1, 8))],
    ...     [rng.normal(size=8), rng.normal(size=8), np.zeros(1)])
    >>> x = np.array([0.3, -0.2])
    >>> out = max_output_change(net, x, eps=0.5)
    >>> out.lower, out.upper, out.exact
    (array([-6.9297]), array([-2.1293]), array([ True]))
    >>> g = np.linspace(-0.5, 0.5, 401)
    >>> eta = net.forward(np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2) + x)
    >>> bool(out.lower[0] <= eta.min() < out.lower[0] + 0.01), bool(out.upper[0] - 0.01 < eta.max() <= out.upper[0])
    (True, True)
    >>> np.allclose(net.forward(out.argmax), out.upper), bool(out.bounds_propagated[0, 1] > out.upper[0])
    (True, True)
    """
    t0 = time.perf_counter()
    network = check_network(network)
    x = check_row(network, x)
    box = check_box(network, box)
    enc, norm = _ball(network, x, float(eps), norm, box)
    k, d = network.n_outputs, network.n_features
    lower, upper = np.empty(k), np.empty(k)
    argmin, argmax = np.full((k, d), np.nan), np.full((k, d), np.nan)
    exact = np.ones(k, bool)
    for j in range(k):
        for maximize, val, arg in ((False, lower, argmin), (True, upper, argmax)):
            left = None if time_limit is None else time_limit - (time.perf_counter() - t0)
            res = _milp.solve(enc, enc.eta[j], float(enc.eta_const[j]), maximize, left)
            val[j] = res.bound
            exact[j] &= res.optimal
            if res.solution is not None:
                arg[j] = res.solution[enc.x_cols]
    at_x = network._forward_raw(x[None, :])[0][0]
    prop = np.column_stack(enc.bounds[-1])
    return OutputRange(lower, upper, argmin, argmax, at_x, exact, prop, time.perf_counter() - t0)
