"""Exact extraction of a ReLU network from queries by critical points (the strong baseline of thesis ``000`` ch. 3).

Algorithm (Carlini, Jagielski & Mironov 2020; Rolnick & Kording 2020; signs
after Canales-Martinez et al. 2024), in the form implemented here:

1. **Critical points.**  Random lines through the box; kinks of ``f`` along each
   line by intersecting the lines fitted at the ends of each segment
   (``_lines``), exact to round-off.
2. **Jumps.**  The gradient of ``f`` once per linear piece between consecutive
   kinks (forward differences, checked against the piece's exact slope along
   the line), so a kink's jump ``J = grad_right - grad_left`` costs about ``d``
   queries, and kinks of neurons already known cost none.
3. **Layer 1.**  Each jump gives a candidate hyperplane ``(J/|J|, -J.x/|J|)``;
   a candidate is a first-layer neuron when ``f`` is kinked across it at random
   points of the plane (a deeper neuron's bent hyperplane is not).  Layer 1 is
   thus known up to a positive scale and a sign per neuron.
4. **Weak neurons** (one hidden layer, ``_refine``): a neuron whose jump is small against the
   others (a small outgoing weight) is re-measured far from every known plane, with per-axis steps
   as large as its region allows.
5. **Layer 2** (two hidden layers, ``_layer2``): from a kink of a second-layer neuron, its bent
   hyperplane is followed across first-layer planes (each new jump must lie in the span of the old
   jump and the crossed normals); its row, in a form that does not need the first layer's signs,
   is the null vector of one small linear system.  **Signs of layer 1** then follow from one linear
   least-squares solve shared by all second-layer neurons (polynomial, also when the first layer is
   wider than the input).
6. **Last layer and output** by one least-squares fit on features
   ``[relu(z), u, 1]``; the linear part ``q`` reveals which last-layer neurons
   are flipped (``_assemble.fit_last_layer``): a linear solve when the layer is no wider than its
   input, else an ``m``-dimensional subset sum of low density -- the function carries no other
   information on these signs -- solved by lattice reduction (``_signs``: LLL, polynomial time, never a
   search); where LLL misses, an always-on stand-in keeps the function exact (``sign_recovery``).
   Row entries that no kink shows (a first-layer unit inactive at every kink of the neuron) are measured
   where they act (``_repair``: least squares on points of the cells ``{z2_j > 0, z1_i > 0}``, found by
   MILP when they are slivers), or, for a neuron active on (nearly) the whole box, read off the linear part
   after the signs (``_assemble.fit_last_layer``).  The last-layer fit uses points on both sides of every
   second-layer neuron (a neuron active on 2e-5 of the box has an output weight no uniform sample pins).
7. **Check** (``_verify``): the network is compared with the black box on uniform box points, on the box's
   vertices and faces, on points of every cell of its own structure (each neuron on both sides; each
   second-layer neuron active with each first-layer unit on each side, by MILP where the cell is a sliver),
   and every kink met on the search lines must lie on one of its neurons.  Where it differs, lines through
   the worst points look for the missed neuron; if it still differs ``ExtractionError`` is raised.  What
   escapes (measured on seeded nets in ``benchmarks/README.md``): a difference confined to a sliver of the
   box that holds no vertex and none of these points -- in practice a neuron of a known width that was never
   found, replaced by an always-on stand-in (``n_stand_ins``, with a warning).

Departures: the thesis (``000`` 3.3) recovers only the function; this module
recovers the parameters, up to permutation and positive scaling per neuron
(:mod:`reluscope.extract.align`).  Three or more hidden layers and hard-label oracles raise
``ExtractionError``.  When the second-layer neurons found do not determine the first layer's
signs, the linear parts go to ``d`` always-on first-layer units (exact on the box, widths ``h1 + d``).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from .._progress import progress_bar
from ..errors import ExtractionError, InvalidInputError
from ..network import ReLUNetwork
from ._assemble import canonical_planes, merge_planes
from ._finish import finish_network
from ._lines import check_piecewise_linear, search_lines
from ._search2 import second_layer
from ._probes import has_kink_across, kink_jumps
from ._refine import refine_weak_planes
from ._verify import check_points, unexplained_kinks
from .oracle import QueryOracle

__all__ = ["ExtractionResult", "extract_network"]


@dataclass
class ExtractionResult:
    """A recovered network and what it cost.

    Attributes
    ----------
    network : ReLUNetwork
        The recovered network.
    n_queries, n_gradient_queries : int
        Oracle queries spent.
    seconds : float
    n_lines, n_kinks : int
        Random lines searched and critical points found on them.
    fit_residual : float
        Largest ``|f - f_hat|`` over the points of the final least-squares fit of the last layer and the
        held-out validation points (``n_validation``).
    hidden_sizes : tuple of int
        Neurons found per hidden layer.
    n_stand_ins : int
        Neurons of a known width (``hidden_sizes`` given) that were not found and were replaced by an
        always-on neuron: exact on the box only if the missing neurons are affine there (never or always
        active), which no finite check proves -- a ``UserWarning`` says so.
    queries_by_stage : dict
        Output queries per stage: ``lines`` (kink search on lines through the box), ``gradients`` (jumps at
        their kinks), ``plane tests`` (is a candidate a first-layer plane), ``walk lines`` and
        ``walk gradients`` (following second-layer bent hyperplanes), ``fit`` (last layer, weak-neuron pass,
        unobserved entries), ``check`` and ``retry`` (lines through the points where the check failed).
    sign_recovery : dict
        How each hidden layer's signs were found (``{"layer 1": ..., "layer 2": ...}``): ``"linear solve"``
        (a layer no wider than its input, and layer 1 of a depth-2 net), ``"lattice (LLL)"`` (the last
        hidden layer wider than its input: a low-density subset sum, polynomial time), or
        ``"not identifiable: ..."`` (a stand-in carries the linear part: function-exact, not weight-exact).

    Examples
    --------
    See :func:`extract_network`.

    >>> import reluscope
    >>> from reluscope.extract import QueryOracle, extract_network
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(3, 4)), rng.normal(size=(1, 3))],
    ...                             [0.3 * rng.normal(size=3), np.zeros(1)])
    >>> res = extract_network(QueryOracle(net), 1, hidden_sizes=(3,), random_state=0, progress=False)
    >>> res.hidden_sizes, res.n_gradient_queries
    ((3,), 0)
    >>> bool(res.fit_residual < 1e-9)  # the last layer fits the black box's outputs exactly
    True
    """

    network: ReLUNetwork
    n_queries: int
    n_gradient_queries: int
    seconds: float
    n_lines: int
    n_kinks: int
    fit_residual: float
    hidden_sizes: tuple[int, ...]
    n_stand_ins: int = 0
    queries_by_stage: dict = field(default_factory=dict)
    sign_recovery: dict = field(default_factory=dict)


class _StageCounter:
    """The oracle, with its queries charged to the stage named in ``stage`` (for ``queries_by_stage``)."""

    def __init__(self, oracle):
        self._oracle, self.stage, self.counts = oracle, "lines", {}

    def __call__(self, X):
        y = self._oracle(X)
        self.counts[self.stage] = self.counts.get(self.stage, 0) + len(X)
        return y

    def __getattr__(self, name):
        return getattr(self._oracle, name)


class _State:
    def __init__(self, oracle, d, lo, hi, precision, eps, rng):
        self.oracle, self.d, self.lo, self.hi, self.precision, self.eps, self.rng = oracle, d, lo, hi, precision, eps, rng
        self.n1 = np.zeros((0, d)); self.b1 = np.zeros(0); self.p1 = np.zeros((0, d))
        self.l2_X = np.zeros((0, d)); self.l2_J = np.zeros((0, d)); self.l2_used = np.zeros(0, bool)
        self.n_lines = 0; self.n_kinks = 0; self.walk_margin = 20.0; self.jump1 = np.zeros(0); self.max_h1 = 1 << 30
        self.deep = False; self.layer1_done = False; self.extra_l2 = 0
        self.kinks_seen = np.zeros((0, d))  # every kink of the black box met on a search line (for the final check)

    @property
    def basis(self):
        """Orthonormal basis of the first layer's normals once it is complete and narrower than half the input."""
        h1 = self.n1.shape[0]
        if not self.deep or not (h1 >= self.max_h1 or self.layer1_done) or 2 * h1 > self.d:
            return None
        if getattr(self, "_basis_h1", -1) != h1:
            self._basis, self._basis_h1 = np.linalg.qr(self.n1.T)[0], h1
        return self._basis

    def box_points(self, n):
        return self.lo + (self.hi - self.lo) * self.rng.random((n, self.d))

    def on_layer1(self, X):
        if not self.n1.shape[0]:
            return np.zeros(X.shape[0], bool)
        z = np.abs(X @ self.n1.T + self.b1)
        return (z <= 1e-7 * (1.0 + np.abs(X).max(axis=1, keepdims=True))).any(axis=1)

    def round(self, n_lines, deep, through=None, span=1.0):
        starts, ends = self.box_points(n_lines), self.box_points(n_lines)
        if span != 1.0:  # lines between points of the box blown up ``span`` times about its centre
            mid = 0.5 * (self.lo + self.hi)
            starts, ends = mid + span * (starts - mid), mid + span * (ends - mid)
        if through is not None:  # lines with these points at their middle
            starts = 2 * through - ends
        self.oracle.stage = "lines" if through is None else "retry"
        kinks = search_lines(self.oracle, starts, ends - starts, precision=self.precision)
        self.n_lines += starts.shape[0]; self.n_kinks += kinks.t.size
        X = kinks.points()
        needed = ~self.on_layer1(X)
        self.kinks_seen = np.vstack([self.kinks_seen, X[needed]])
        if not needed.any():
            return 0
        self.oracle.stage = "gradients" if through is None else "retry"
        J, ok = kink_jumps(self.oracle, kinks, needed, eps=self.eps, precision=self.precision, basis=self.basis)
        needed &= ok & (np.linalg.norm(np.nan_to_num(J), axis=1) > 0)
        X, J = X[needed], J[needed]
        if not X.shape[0]:  # every jump on these lines failed its slope check: nothing to learn from them
            return 0
        normals, offsets = canonical_planes(J, X)
        labels = merge_planes(normals, offsets)
        reps = np.array([np.flatnonzero(labels == k)[0] for k in range(labels.max() + 1)], np.int64)
        self.oracle.stage = "plane tests" if through is None else "retry"
        is_l1 = self._verify(normals[reps], offsets[reps]) if reps.size else np.zeros(0, bool)
        new = reps[is_l1]
        if self.n1.shape[0] and new.size:  # a known neuron re-found where its plane estimate drifted: drop
            close = (np.abs(normals[new] @ self.n1.T) > 1 - 1e-9) & (np.abs(offsets[new][:, None] - self.b1[None, :]) < 1e-5)
            new = new[~close.any(axis=1)]
        new = new[: max(self.max_h1 - self.n1.shape[0], 0)]  # a known width is never exceeded
        self.n1 = np.vstack([self.n1, normals[new]]); self.b1 = np.r_[self.b1, offsets[new]]
        self.p1 = np.vstack([self.p1, X[new]]); self.jump1 = np.r_[self.jump1, np.linalg.norm(J[new], axis=1)]
        if deep:
            rest = ~np.isin(labels, np.flatnonzero(is_l1))
            self.l2_X = np.vstack([self.l2_X, X[rest]]); self.l2_J = np.vstack([self.l2_J, J[rest]])
        return int(new.size)

    def _verify(self, normals, offsets, n_points=3):
        """Kinked across the plane at >= 2 of 3 random points of it: a first-layer neuron."""
        k = normals.shape[0]
        Y = self.box_points(k * n_points).reshape(k, n_points, self.d)
        P = Y - (np.einsum("knd,kd->kn", Y, normals) + offsets[:, None])[..., None] * normals[:, None, :]
        delta = 1e-4 * float(np.max(self.hi - self.lo))
        kinked = has_kink_across(self.oracle, P.reshape(-1, self.d), np.repeat(normals, n_points, 0),
                                 delta=delta, precision=self.precision).reshape(k, n_points)
        return kinked.sum(1) >= 2


def _check_args(oracle, n_hidden_layers):
    if not isinstance(oracle, QueryOracle):
        raise InvalidInputError("extract_network needs a QueryOracle; wrap the model with QueryOracle(model, n_features).")
    if oracle.hard_label:
        raise ExtractionError(
            "Hard-label oracles are not supported: critical points are found from real-valued outputs. "
            "Use an oracle that returns scores (logits or probabilities)."
        )
    if n_hidden_layers not in (1, 2):
        raise ExtractionError(f"n_hidden_layers={n_hidden_layers}: exact extraction is implemented for 1 or 2 hidden layers.")


def extract_network(
    oracle: QueryOracle,
    n_hidden_layers: int = 1,
    *,
    hidden_sizes: tuple[int, ...] | None = None,
    box: tuple[float, float] = (-1.0, 1.0),
    lines_per_round: int = 4,
    max_rounds: int = 40,
    patience: int = 2,
    precision: float = 1e-14,
    eps: float | None = None,
    check_linearity: bool = True,
    n_validation: int = 4000,
    n_retries: int = 5,
    refine: bool = True,
    random_state=None,
    progress: bool | None = None,
) -> ExtractionResult:
    """Recover a black-box ReLU network (1 or 2 hidden layers, one output) from queries.

    Parameters
    ----------
    oracle : QueryOracle
        The black box; its budget is enforced (raises QueryBudgetExceededError).
    n_hidden_layers : {1, 2}
        Depth of the black box (assumed known, as in Carlini et al. 2020).
    hidden_sizes : tuple of int, optional
        Widths when known: the search stops as soon as all neurons are found.
        Otherwise it stops after ``patience`` rounds without a new neuron.
    box : (lo, hi)
        Lines are drawn between uniform points of ``[lo, hi]^d``; neurons whose
        hyperplanes miss the box are not found (they do not act there).
    precision : float
        Relative accuracy of the oracle's outputs (1e-14 for float64).
    eps : float, optional
        Finite-difference step for piece gradients (default 1e-3 of the box width).
    refine : bool, default True
        One hidden layer: re-estimate the planes of neurons with a small kink (below 0.2 of the
        median jump) from gradients taken far from every other plane, with a large step
        (``_refine``; 6 (d + 1) queries a neuron).
    n_validation, n_retries : int
        The recovered network is checked on ``n_validation`` fresh uniform box points plus the targeted
        points of step 7 (vertices, faces, its own cells; a few thousand queries); where it differs from
        the black box (beyond ``1e-7`` of the output scale), or a kink met on a search line lies on none
        of its neurons, a neuron was missed, and lines through the worst points look for it, at most
        ``n_retries`` times.  If the network still differs, ``ExtractionError`` is raised.

    Returns
    -------
    ExtractionResult
        ``network`` is a :class:`~reluscope.ReLUNetwork` equal to the black box up
        to permutation and positive scaling of hidden neurons.

    Examples
    --------
    A random 3-6-1 black box, seen only through its outputs: the 6 neurons are recovered and
    the extracted network equals the black box to round-off, after about 5,800 queries (5,000 of them
    the check before returning: 4,000 uniform points, the box's vertices and faces, the net's cells).

    >>> import reluscope
    >>> from reluscope.extract import QueryOracle, align_networks, extract_network
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 3)), rng.normal(size=(1, 6))],
    ...                             [0.3 * rng.normal(size=6), np.zeros(1)])
    >>> oracle = QueryOracle(net, budget=10_000)
    >>> res = extract_network(oracle, 1, hidden_sizes=(6,), random_state=0, progress=False)
    >>> res.hidden_sizes, res.n_queries == oracle.n_queries, bool(res.n_queries < 6000)
    ((6,), True, True)
    >>> X = rng.uniform(-1, 1, (1000, 3))
    >>> bool(np.abs(res.network.forward(X) - net.forward(X)).max() < 1e-9)
    True
    >>> bool(align_networks(net, res.network).max_relative_error < 1e-9)  # weights too, up to the symmetries
    True
    """
    _check_args(oracle, n_hidden_layers)
    t0, q0, g0 = time.perf_counter(), oracle.n_queries, oracle.n_gradient_queries
    rng = np.random.default_rng(random_state)
    d = oracle.n_features
    lo, hi = float(box[0]), float(box[1])
    st = _State(_StageCounter(oracle), d, lo, hi, precision, 1e-3 * (hi - lo) if eps is None else float(eps), rng)
    if check_linearity:
        starts = st.box_points(8)
        check_piecewise_linear(st.oracle, starts, st.box_points(8) - starts, precision=precision, random_state=rng)
    deep = n_hidden_layers == 2
    st.deep = deep
    if hidden_sizes is not None:
        st.max_h1 = int(hidden_sizes[0])
    bar = progress_bar(range(max_rounds), progress=progress, desc="extract: line rounds", unit="round")
    rounds = iter(bar)
    neurons: list = []
    for attempt in range(n_retries + 1):
        _first_layer(st, rounds, lines_per_round, patience, hidden_sizes, deep)
        st.layer1_done = True
        if not st.n1.shape[0]:
            raise ExtractionError("No critical point was found in the box: widen `box` or query more lines.")
        if deep:
            neurons = second_layer(st, neurons, rounds, lines_per_round, patience, hidden_sizes)
        elif refine and attempt == 0:
            st.oracle.stage = "fit"
            refine_weak_planes(st)
        st.oracle.stage = "fit"
        network, fit_res, y_scale = finish_network(st, neurons, hidden_sizes)
        X_val = check_points(network, lo, hi, rng, n_uniform=n_validation)
        st.oracle.stage = "check"
        miss = np.abs(st.oracle(X_val) - network.decision_function(X_val))
        lost = st.kinks_seen[unexplained_kinks(network, st.kinks_seen, lo, hi)]
        residual = max(fit_res, float(miss.max()))
        tol = _RESIDUAL_TOL * (1.0 + y_scale)
        if residual <= tol and not lost.shape[0]:
            break
        # where f_hat is wrong a neuron was missed: lines through the worst check points (and through kinks
        # f_hat does not explain) find its kinks
        order = np.argsort(-miss)[: 2 * lines_per_round]
        worst = np.vstack([X_val[order][miss[order] > tol], lost[rng.permutation(lost.shape[0])[: 2 * lines_per_round]]])
        worst = np.repeat(worst, 4, axis=0)
        st.round(worst.shape[0], deep, through=worst)
        if lost.shape[0]:  # kinks on no recovered neuron: walk them even past a known width, then select
            st.extra_l2 = min(st.extra_l2 + 1, 3)
        patience += 2
    else:
        raise ExtractionError(
            f"The recovered network does not reproduce the black box (largest residual {residual:.2e} on the "
            f"last-layer fit and {X_val.shape[0]} check points; {lost.shape[0]} kinks of the black box on no "
            f"recovered neuron; widths {network.hidden_sizes}): a neuron was "
            "missed. Raise max_rounds, patience or n_retries, pass hidden_sizes, or check n_hidden_layers."
        )
    if st.n_stand_ins:
        warnings.warn(
            f"{st.n_stand_ins} neuron(s) of the given widths were not found and were replaced by an always-on neuron: the "
            "network passed the check, but it equals the black box on the box only if the missing neurons never switch "
            "there. Raise max_rounds or patience to look for them.", UserWarning, stacklevel=2)
    unidentified = [layer for layer, how in st.sign_recovery.items() if how.startswith("not identifiable")]
    if unidentified and not st.n_stand_ins:
        warnings.warn(
            f"The signs of {', '.join(unidentified)} were not identified ({st.sign_recovery}); the network reproduces "
            f"the black box on the box, but with widths {network.hidden_sizes} and not its weights.",
            UserWarning, stacklevel=2)
    return ExtractionResult(network, oracle.n_queries - q0, oracle.n_gradient_queries - g0, time.perf_counter() - t0,
                            st.n_lines, st.n_kinks, residual, network.hidden_sizes, st.n_stand_ins, dict(st.oracle.counts),
                            dict(st.sign_recovery))


_RESIDUAL_TOL = 1e-7


def _first_layer(st, rounds, lines_per_round, patience, hidden_sizes, deep) -> None:
    """Rounds of random lines until layer 1 is complete (known width) or ``patience`` rounds find no neuron."""
    idle = 0
    for _ in rounds:
        idle = 0 if st.round(lines_per_round, deep) else idle + 1
        if hidden_sizes is not None and st.n1.shape[0] >= hidden_sizes[0]:
            return
        if hidden_sizes is None and idle >= patience:
            return
