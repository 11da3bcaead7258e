"""Monotonicity certificates: the sign of one feature's LLM coefficient over every region of a box.

The network is non-decreasing in feature ``j`` over a box iff the coefficient
``w_j(P) = e_k^T W^(L) D_L(P) ... W^(1) D_1(P) W^(0) e_j`` of the LLM
(Theorem 1 of ``001``) is ``>= 0`` for every pattern ``P`` whose region meets
the box with an interior.  The coefficient is a product over layers, so it is
not linear in the pattern; the MILP propagates the directional derivative
forward instead: ``g_1 = W^(0) e_j``, then per hidden unit the product
``q = a g`` of the unit's binary ``a`` (tied to ``x`` by the big-M encoding of
Tjeng et al. 2019, :mod:`reluscope.certify._milp`) and its incoming derivative
``g`` is linearised exactly by the four McCormick inequalities (exact for a
binary factor and bounded ``g``), ``h = gamma g + (1 - gamma) q`` and
``g_(l+1) = W^(l) h``.  Minimising and maximising ``W^(L)_k h_L`` gives the
extreme coefficients over all patterns reachable in the box.

A pattern reached only on a boundary (a region with empty interior) does not
count: each witness is checked with :func:`reluscope.geometry.chebyshev_center`
and, if its inscribed ball is empty, cut off with a no-good cut and the MILP
is solved again.  Method: ``"milp"`` (region enumeration lives in the geometry
module and is not used here).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from ..errors import InvalidInputError
from ..geometry.polytope import chebyshev_center, normalize_rows
from . import _milp
from ._common import check_box, check_network, feature_indices

__all__ = ["MonotonicityResult", "monotonicity", "monotonicity_table"]

#: Inscribed-ball radius below which a witness region counts as empty.
MIN_RADIUS = 1e-9
#: Coefficients within this of zero count as zero.
COEF_TOL = 1e-10
MAX_CUTS = 25


@dataclass
class MonotonicityResult:
    """Verdict of :func:`monotonicity`.

    ``verdict`` is 'increasing' (non-decreasing), 'decreasing' (non-increasing),
    'constant' or 'neither' ('unknown' if the MILP did not finish).
    ``min_coef`` / ``max_coef`` are the extreme coefficients over the regions of
    the box; each ``witness_*`` is ``(pattern, interior point, coefficient)`` of
    a region attaining them.  ``min_bound`` / ``max_bound`` are the solver's proved
    bounds (no region has a coefficient outside them); the verdict rests on these,
    and is 'unknown' when the attained extremes have one sign but the bounds do
    not prove it.

    Examples
    --------
    ``eta = relu(x1) - 0.5 relu(x1 - 1) + ...``: over ``[-1, 2]`` the slope in ``x1`` is 0, 1 or
    0.5, so ``eta`` is non-decreasing in ``x1``; the witnesses are regions (pattern, interior
    point, coefficient) attaining the extremes.

    >>> import reluscope
    >>> from reluscope.certify import monotonicity
    >>> W = np.array([[1.0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 1, 0]])
    >>> net = reluscope.from_arrays([W, np.array([[1.0, -0.5, 1.0, -2.0]])], [np.array([0.0, -1, 0, -1]), np.zeros(1)])
    >>> res = monotonicity(net, 0, np.array([[-1.0, 2.0]] * 3))
    >>> res.verdict, res.min_coef, res.max_coef
    ('increasing', 0.0, 1.0)
    >>> res.witness_max[0], res.witness_max[2]  # x1's first unit on, the kink at x1 = 1 not reached
    (array([ True, False, False, False]), 1.0)
    """

    feature: int
    output: int
    verdict: str
    min_coef: float
    max_coef: float
    witness_min: tuple | None
    witness_max: tuple | None
    box: np.ndarray
    method: str = "milp"
    min_bound: float = np.nan  # proved: no region of the box has a smaller coefficient
    max_bound: float = np.nan  # proved: no region of the box has a larger coefficient


def _derivative_rows(network, enc, j, out):
    """Extra columns/rows for the forward derivative; returns (A_full, lo, hi, col_lo, col_hi, integ, objective)."""
    n_old = enc.n_vars
    sizes = network.hidden_sizes
    n_new = 2 * sum(sizes)
    N = n_old + n_new
    rows, lo, hi, clo, chi = [], [], [], [], []
    g_lo = g_hi = network.weights[0][:, j].astype(float)
    start = n_old
    h_prev = None  # (cols_g, cols_q, slope) of the previous layer
    for layer, n in enumerate(sizes):
        gc, qc = start + np.arange(n), start + n + np.arange(n)
        start += 2 * n
        I = np.arange(n)
        if h_prev is not None:  # g - W (gamma g' + (1 - gamma) q') = 0
            pg, pq, ps = h_prev
            M = np.zeros((n, N))
            M[I, gc] = 1.0
            M[:, pg] -= ps * network.weights[layer]
            M[:, pq] -= (1.0 - ps) * network.weights[layer]
            rows.append(M)
            lo.append(np.zeros(n))
            hi.append(np.zeros(n))
        ac = enc.a_cols[layer]
        slope = network.slopes[layer]
        for pairs, l_, h_ in (([(qc, 1.0), (ac, -g_hi)], -np.inf, 0.0), ([(qc, 1.0), (ac, -g_lo)], 0.0, np.inf),
                              ([(qc, 1.0), (gc, -1.0), (ac, -g_hi)], -g_hi, np.inf),
                              ([(qc, 1.0), (gc, -1.0), (ac, -g_lo)], -np.inf, -g_lo)):
            if slope == 1.0:
                break
            M = np.zeros((n, N))
            for cols, vals in pairs:
                M[I, cols] = vals
            rows.append(M)
            lo.append(np.broadcast_to(l_, n).astype(float))
            hi.append(np.broadcast_to(h_, n).astype(float))
        clo += [g_lo, np.minimum(g_lo, 0.0)]
        chi += [g_hi, np.maximum(g_hi, 0.0)]
        # interval of h = g * s with s in {gamma, 1}, then of the next g
        cand = np.stack([g_lo, g_hi, slope * g_lo, slope * g_hi])
        h_lo, h_hi = cand.min(axis=0), cand.max(axis=0)
        if layer + 1 < len(sizes):
            Wn = network.weights[layer + 1]
            g_lo, g_hi = _milp._interval_affine(Wn, np.zeros(Wn.shape[0]), h_lo, h_hi)
        h_prev = (gc, qc, slope)
    obj = np.zeros(N)
    if h_prev is None:
        return None, network.weights[0][out, j]
    pg, pq, ps = h_prev
    obj[pg] = ps * network.weights[-1][out]
    obj[pq] = (1.0 - ps) * network.weights[-1][out]
    A = sparse.vstack([sparse.hstack([enc.A, sparse.csr_matrix((enc.A.shape[0], n_new))]), sparse.csr_matrix(np.vstack(rows))])
    ext = _milp.ReluEncoding(
        A=A.tocsr(), row_lo=np.concatenate([enc.row_lo, *lo]), row_hi=np.concatenate([enc.row_hi, *hi]),
        col_lo=np.concatenate([enc.col_lo, *clo]), col_hi=np.concatenate([enc.col_hi, *chi]),
        integrality=np.concatenate([enc.integrality, np.zeros(n_new)]), x_cols=enc.x_cols, eta=enc.eta,
        eta_const=enc.eta_const, z_cols=enc.z_cols, a_cols=enc.a_cols, bounds=enc.bounds)
    return ext, obj


def _pattern_of(network, enc, sol):
    parts = []
    for layer, ac in enumerate(enc.a_cols):
        parts.append(np.ones(ac.size, bool) if network.slopes[layer] == 1.0 else sol[ac] > 0.5)
    return np.concatenate(parts)


def _extreme(network, enc, obj, maximize, box, out, j, time_limit, scale):
    """Extreme coefficient over regions with an interior; no-good cuts remove empty ones.

    Returns ``(attained, witness, optimal, proved)``: the exact coefficient of the witness
    region, and the solver's dual bound on the extreme (``proved`` >= every coefficient when
    maximising, <= when minimising), which is what a verdict may rest on.  The objective is
    divided by ``scale`` (a bound on ``|coefficient|``) and multiplied by 1e6, so HiGHS's
    absolute gap of 1e-6 means ``1e-12 * scale`` in coefficient units: without it a region
    with coefficient +6e-7 was missed behind an incumbent of -2.5e-8, and a feature was
    called monotone when it was not.
    """
    factor = 1e6 / scale
    cuts = []
    for _ in range(MAX_CUTS):
        extra = None
        if cuts:
            extra = (sparse.csr_matrix(np.vstack([c[0] for c in cuts])), np.array([c[1] for c in cuts]), np.full(len(cuts), np.inf))
        res = _milp.solve(enc, obj * factor, 0.0, maximize, time_limit, extra=extra)
        proved = res.bound / factor
        if res.solution is None:
            return proved, None, res.optimal, proved
        p = _pattern_of(network, enc, res.solution)
        A, c = network.region_inequalities(p)
        An, cn, _ = normalize_rows(A, c)
        centre, radius = chebyshev_center(An, cn, box)
        if radius > MIN_RADIUS:
            coef = float(network.affine_map(p)[0][out, j])
            proved = max(proved, coef) if maximize else min(proved, coef)
            return coef, (p, centre, coef), res.optimal, proved
        row = np.zeros(enc.n_vars)  # sum_{a=1} (1 - a) + sum_{a=0} a >= 1
        rhs = 1.0
        for ac, bits in zip(enc.a_cols, np.split(p, np.cumsum(network.hidden_sizes)[:-1])):
            row[ac] = np.where(bits, -1.0, 1.0)
            rhs -= bits.sum()
        cuts.append((row, rhs))
    raise InvalidInputError(f"Monotonicity: more than {MAX_CUTS} boundary-only patterns; shrink the box or check the network.")


def monotonicity(network, feature, box, *, output: int = 0, time_limit: float | None = 120.0) -> MonotonicityResult:
    """Certify that the pre-link output ``output`` is monotone in ``feature`` over ``box``.

    Parameters
    ----------
    network : ReLUNetwork
    feature : name or index
    box : (d, 2) [low, high] per feature (e.g. the data's range)
    output : which pre-link output (logit) to certify
    time_limit : seconds per MILP; an unfinished MILP gives the verdict 'unknown'

    Returns
    -------
    MonotonicityResult

    Examples
    --------
    ``eta = relu(x1) - 0.5 relu(x1 - 1) + relu(x2) - 2 relu(x2 - 1)`` (``x3`` unused): the slope
    in ``x2`` is 0, 1, then ``1 - 2 = -1`` past ``x2 = 1``, so over ``[-1, 2]`` it is neither
    increasing nor decreasing; on ``x2 <= 0.5`` it is increasing.  A brute-force scan of the
    slopes on a grid finds the same extremes.

    >>> import reluscope
    >>> from reluscope.certify import monotonicity
    >>> W = np.array([[1.0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 1, 0]])
    >>> net = reluscope.from_arrays([W, np.array([[1.0, -0.5, 1.0, -2.0]])], [np.array([0.0, -1, 0, -1]), np.zeros(1)])
    >>> box = np.array([[-1.0, 2.0]] * 3)
    >>> res = monotonicity(net, 1, box)
    >>> res.verdict, res.min_coef, res.max_coef
    ('neither', -1.0, 1.0)
    >>> grid = np.random.default_rng(0).uniform(-1, 2, size=(2000, 3))
    >>> slopes = net.affine_maps(net.patterns(grid))[0][:, 0, 1]
    >>> float(slopes.min()), float(slopes.max())
    (-1.0, 1.0)
    >>> monotonicity(net, 1, np.array([[-1.0, 2.0], [-1.0, 0.5], [-1.0, 2.0]])).verdict
    'increasing'
    """
    network = check_network(network)
    j = int(feature_indices(network, feature, "feature")[0])
    box = check_box(network, box)
    if box is None or not np.isfinite(box).all():
        raise InvalidInputError("monotonicity needs a finite box: [low, high] for every feature.")
    if not 0 <= output < network.n_outputs:
        raise InvalidInputError(f"output={output} is out of range; the network has {network.n_outputs} outputs.")
    enc = _milp.encode_network(network, box[:, 0], box[:, 1])
    ext, obj = _derivative_rows(network, enc, j, output)
    if ext is None:  # no hidden layer: one global coefficient
        lo = hi = float(obj)
        wmin = wmax = (np.zeros(0, bool), box.mean(axis=1), lo)
        ok = True
    else:
        scale = max(float(np.abs(obj).sum() * max(np.abs(ext.col_lo[obj != 0]).max(initial=0.0),
                                                  np.abs(ext.col_hi[obj != 0]).max(initial=0.0))), 1e-300)
        lo, wmin, ok1, lo_proved = _extreme(network, ext, obj, False, box, output, j, time_limit, scale)
        hi, wmax, ok2, hi_proved = _extreme(network, ext, obj, True, box, output, j, time_limit, scale)
        ok = ok1 and ok2
    if ext is None:
        lo_proved, hi_proved = lo, hi
    tol = COEF_TOL * max(1.0, abs(lo), abs(hi))
    if not ok:
        verdict = "unknown"
    elif lo_proved >= -tol and hi_proved <= tol:
        verdict = "constant"
    elif lo_proved >= -tol:
        verdict = "increasing"
    elif hi_proved <= tol:
        verdict = "decreasing"
    elif lo >= -tol or hi <= tol:
        verdict = "unknown"  # the attained extremes have one sign but the solver's bounds do not prove it
    else:
        verdict = "neither"
    return MonotonicityResult(j, output, verdict, lo, hi, wmin, wmax, box, min_bound=float(lo_proved), max_bound=float(hi_proved))


def monotonicity_table(network, box, features=None, *, output: int = 0, time_limit: float | None = 120.0) -> pd.DataFrame:
    """One row per feature: verdict and the extreme coefficients over the box (:func:`monotonicity`).

    Parameters
    ----------
    network : ReLUNetwork
    box : (d, 2)
    features : names or indices, optional
        Default every feature.
    output : int, default 0
    time_limit : float or None

    Returns
    -------
    pandas.DataFrame
        Columns ``Feature``, ``Verdict``, ``Min coefficient``, ``Max coefficient`` (attained by a
        region), ``Min bound``, ``Max bound`` (proved by the solver; the verdict rests on them), ``Method``.

    Examples
    --------
    >>> import reluscope
    >>> from reluscope.certify import monotonicity_table
    >>> W = np.array([[1.0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 1, 0]])
    >>> net = reluscope.from_arrays([W, np.array([[1.0, -0.5, 1.0, -2.0]])], [np.array([0.0, -1, 0, -1]), np.zeros(1)],
    ...                             feature_names=["income", "debt", "noise"])
    >>> table = monotonicity_table(net, np.array([[-1.0, 2.0]] * 3))
    >>> table[["Feature", "Verdict", "Min coefficient", "Max coefficient"]]
      Feature     Verdict  Min coefficient  Max coefficient
    0  income  increasing              0.0              1.0
    1    debt     neither             -1.0              1.0
    2   noise    constant              0.0              0.0
    """
    network = check_network(network)
    idx = range(network.n_features) if features is None else feature_indices(network, features, "features")
    names = network.feature_names or tuple(f"x{j}" for j in range(network.n_features))
    rows = []
    for j in idx:
        r = monotonicity(network, int(j), box, output=output, time_limit=time_limit)
        rows.append((names[j], r.verdict, r.min_coef, r.max_coef, r.min_bound, r.max_bound, r.method))
    return pd.DataFrame(rows, columns=["Feature", "Verdict", "Min coefficient", "Max coefficient", "Min bound", "Max bound", "Method"])
