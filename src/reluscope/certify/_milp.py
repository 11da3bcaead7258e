"""Bound propagation and the big-M mixed-integer encoding of a ReLU network.

Shared by :mod:`~reluscope.certify.robustness` and :mod:`~reluscope.certify.monotonicity`.

Encoding (Tjeng, Xiao & Tedrake 2019, "Evaluating robustness of neural networks
with mixed integer programming", eq. 5): a hidden unit with pre-activation
``z in [l, u]`` gets a continuous ``r = relu(z)`` and a binary ``a``::

    r >= 0,  r >= z,  r <= u a,  r <= z - l (1 - a)

which is exact for ``l < 0 < u``; a unit with ``u <= 0`` has ``a`` fixed to 0,
one with ``l >= 0`` to 1 (HiGHS presolve removes them).  A unit of slope
``gamma`` outputs ``gamma z + (1 - gamma) r`` (LeakyReLU; identity when
``gamma = 1``).  The tighter ``[l, u]``, the smaller big-M: bounds come from
interval arithmetic and from the symbolic linear relaxation of Wang et al.
2018 ("Formal security analysis of neural networks using symbolic intervals",
ReLU upper line ``u (z - l) / (u - l)``, lower line ``0`` or ``z``),
whichever is tighter per unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ..network import ReLUNetwork

__all__ = ["propagate_bounds", "ReluEncoding", "encode_network", "add_l1_ball", "MilpOutcome", "solve"]


def _interval_affine(W, b, lo, hi):
    Wp, Wn = np.clip(W, 0, None), np.clip(W, None, 0)
    return Wp @ lo + Wn @ hi + b, Wp @ hi + Wn @ lo + b


def _activate_interval(lo, hi, slope):
    if slope == 1.0:
        return lo, hi
    f = lambda v: np.where(v > 0, v, slope * v)  # noqa: E731
    a, b = f(lo), f(hi)
    lo2, hi2 = np.minimum(a, b), np.maximum(a, b)
    if slope < 0:  # non-monotone: the kink value 0 may be the minimum
        cross = (lo < 0) & (hi > 0)
        lo2 = np.where(cross, np.minimum(lo2, 0.0), lo2)
    return lo2, hi2


def _concretize(E, x_lo, x_hi):
    """Min and max of affine forms ``E[:, :-1] x + E[:, -1]`` over the box."""
    C, e = E[:, :-1], E[:, -1]
    Cp, Cn = np.clip(C, 0, None), np.clip(C, None, 0)
    return Cp @ x_lo + Cn @ x_hi + e, Cp @ x_hi + Cn @ x_lo + e


def _concretize_l1(E, x_lo, x_hi, ball):
    """Min and max of affine forms over the box intersected with ``sum_j w_j |x_j - x0_j| <= r``.

    Exact: for a maximum, each coordinate moves in the direction of its
    coefficient's sign up to the box, cheapest gain per unit of budget first
    (``|c_j| / w_j``, a fractional knapsack); the last one moves part way.
    """
    x0, r, w = ball
    C, e = E[:, :-1], E[:, -1]
    base = C @ x0 + e

    def best_gain(S):
        cap = np.where(S > 0, x_hi - x0, x0 - x_lo)  # how far each coordinate may move in the good direction
        gain, cost = np.abs(S) * cap, w * cap
        order = np.argsort(-np.abs(S) / w, axis=1, kind="stable")
        gain, cost = np.take_along_axis(gain, order, 1), np.broadcast_to(cost, S.shape)
        cost = np.take_along_axis(cost, order, 1)
        before = np.cumsum(cost, axis=1) - cost
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = np.where(cost > 0, np.clip((r - before) / cost, 0.0, 1.0), 0.0)
        return (frac * gain).sum(axis=1)

    return base - best_gain(-C), base + best_gain(C)


def propagate_bounds(network: ReLUNetwork, x_lo: np.ndarray, x_hi: np.ndarray,
                     l1_ball: tuple | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Bounds ``(l, u)`` of every pre-activation (hidden layers, then the output) over a box.

    The intersection of interval arithmetic and the symbolic linear relaxation
    (Wang et al. 2018): each unit keeps a lower and an upper affine form in
    ``x``, relaxed through a ReLU as in the module docstring; leaky layers
    (slope not 0 or 1) fall back to interval bounds.  With ``l1_ball = (x0, r, w)``
    the input set is the box intersected with ``{x : sum_j w_j |x_j - x0_j| <= r}`` and
    the symbolic forms are concretised exactly over it (:func:`_concretize_l1`):
    much tighter than the box when ``r`` is small, which is what makes the
    counterfactual MILP around a good incumbent small.
    """
    d = network.n_features
    W, B = network.weights, network.biases
    lo, hi = np.asarray(x_lo, float), np.asarray(x_hi, float)
    # symbolic forms: rows (n, d + 1) = [coef | const]
    L = U = np.hstack([np.eye(d), np.zeros((d, 1))])
    out = []
    for layer in range(network.n_hidden_layers + 1):
        Wp, Wn = np.clip(W[layer], 0, None), np.clip(W[layer], None, 0)
        Lz = Wp @ L + Wn @ U
        Uz = Wp @ U + Wn @ L
        Lz[:, -1] += B[layer]
        Uz[:, -1] += B[layer]
        lo_i, hi_i = _interval_affine(W[layer], B[layer], lo, hi)
        if l1_ball is None:
            lo_s, _ = _concretize(Lz, x_lo, x_hi)
            _, hi_s = _concretize(Uz, x_lo, x_hi)
        else:
            lo_s, _ = _concretize_l1(Lz, x_lo, x_hi, l1_ball)
            _, hi_s = _concretize_l1(Uz, x_lo, x_hi, l1_ball)
        zl, zu = np.maximum(lo_i, lo_s), np.minimum(hi_i, hi_s)
        zu = np.maximum(zu, zl)
        out.append((zl, zu))
        if layer == network.n_hidden_layers:
            break
        slope = network.slopes[layer]
        lo, hi = _activate_interval(zl, zu, slope)
        if slope == 1.0:
            L, U = Lz, Uz
        elif slope == 0.0:
            dead, live = zu <= 0, zl >= 0
            cross = ~dead & ~live
            lam = np.where(cross, zu / np.where(cross, zu - zl, 1.0), 0.0)
            U = np.where(live[:, None], Uz, 0.0) + lam[:, None] * Uz
            U[:, -1] -= np.where(cross, lam * zl, 0.0)
            keep = live | (cross & (zu > -zl))  # lower line z (if u > -l) else 0
            L = np.where(keep[:, None], Lz, 0.0)
        else:  # leaky: constant forms from the intervals
            L = np.hstack([np.zeros((len(lo), d)), lo[:, None]])
            U = np.hstack([np.zeros((len(hi), d)), hi[:, None]])
    return out


@dataclass
class ReluEncoding:
    """Linear constraints ``row_lo <= A v <= row_hi`` over ``v = [x, (z, r, a) per layer]`` plus bounds.

    Attributes
    ----------
    A : scipy sparse matrix
    row_lo, row_hi, col_lo, col_hi : ndarray
    integrality : ndarray of 0/1 per column
    x_cols : slice of the input variables
    eta : (k, n_vars) dense rows giving the pre-link outputs ``eta = eta @ v + eta_const``
    eta_const : (k,)
    z_cols, a_cols : list of index arrays per hidden layer
    bounds : pre-activation bounds used (from :func:`propagate_bounds`)
    """

    A: sparse.csr_matrix
    row_lo: np.ndarray
    row_hi: np.ndarray
    col_lo: np.ndarray
    col_hi: np.ndarray
    integrality: np.ndarray
    x_cols: slice
    eta: np.ndarray
    eta_const: np.ndarray
    z_cols: list
    a_cols: list
    bounds: list

    @property
    def n_vars(self) -> int:
        return self.col_lo.size


def encode_network(network: ReLUNetwork, x_lo: np.ndarray, x_hi: np.ndarray, l1_ball: tuple | None = None,
                   tighten: bool = False) -> ReluEncoding:
    """Big-M MILP of the network over the box ``[x_lo, x_hi]`` (Tjeng et al. 2019, eq. 5).

    ``l1_ball = (x0, r, w)``: big-M bounds over the box intersected with the weighted L1 ball
    (the ball itself is not added as constraints here).  ``tighten``: hidden layers 2.. get
    LP-tightened bounds (:func:`tighten_bounds_lp`).
    """
    d = network.n_features
    bounds = propagate_bounds(network, x_lo, x_hi, l1_ball)
    if tighten:
        bounds = tighten_bounds_lp(network, bounds, x_lo, x_hi, l1_ball)
    sizes = network.hidden_sizes
    n_vars = d + 3 * sum(sizes)
    col_lo, col_hi = [np.asarray(x_lo, float)], [np.asarray(x_hi, float)]
    integ = [np.zeros(d)]
    rows, lo_r, hi_r = [], [], []
    prev_cols, prev_coef = np.arange(d), None  # the previous layer's output is sum of coef * columns
    z_cols, a_cols = [], []
    start = d
    for layer, n in enumerate(sizes):
        zc, rc, ac = start + np.arange(n), start + n + np.arange(n), start + 2 * n + np.arange(n)
        start += 3 * n
        zl, zu = bounds[layer]
        slope = network.slopes[layer]
        col_lo += [zl, np.maximum(zl, 0.0) if slope != 1.0 else np.zeros(n), (zl > 0).astype(float)]
        col_hi += [zu, np.maximum(zu, 0.0) if slope != 1.0 else np.zeros(n), (zu > 0).astype(float)]
        integ += [np.zeros(n), np.zeros(n), np.ones(n) if slope != 1.0 else np.zeros(n)]
        # z = W h_prev + b  ->  z - W h_prev = b
        rows.append(_link_rows(network.weights[layer], prev_cols, prev_coef, zc, n_vars))
        lo_r.append(network.biases[layer])
        hi_r.append(network.biases[layer])
        if slope != 1.0:
            I = np.arange(n)

            def blk(pairs):
                M = np.zeros((n, n_vars))
                for cols, vals in pairs:
                    M[I, cols] = vals
                return sparse.csr_matrix(M)

            rows += [blk([(rc, 1.0), (zc, -1.0)]),             # r - z >= 0
                     blk([(rc, 1.0), (ac, -zu)]),              # r - u a <= 0
                     blk([(rc, 1.0), (zc, -1.0), (ac, -zl)])]  # r - z - l a <= -l
            lo_r += [np.zeros(n), np.full(n, -np.inf), np.full(n, -np.inf)]
            hi_r += [np.full(n, np.inf), np.zeros(n), -zl]
        z_cols.append(zc)
        a_cols.append(ac)
        prev_cols, prev_coef = (zc, rc), (slope, 1.0 - slope)
    W, b = network.weights[-1], network.biases[-1]
    eta = _link_rows(W, prev_cols, prev_coef, None, n_vars).toarray() * -1.0
    return ReluEncoding(
        A=sparse.vstack(rows).tocsr() if rows else sparse.csr_matrix((0, n_vars)),
        row_lo=np.concatenate(lo_r) if lo_r else np.zeros(0),
        row_hi=np.concatenate(hi_r) if hi_r else np.zeros(0),
        col_lo=np.concatenate(col_lo), col_hi=np.concatenate(col_hi), integrality=np.concatenate(integ),
        x_cols=slice(0, d), eta=eta, eta_const=np.asarray(b, float), z_cols=z_cols, a_cols=a_cols, bounds=bounds,
    )


def _link_rows(W, prev_cols, prev_coef, out_cols, n_vars):
    """Rows ``out - W h_prev`` where ``h_prev = sum coef * cols`` (``out`` omitted when ``out_cols`` is None)."""
    n = W.shape[0]
    M = np.zeros((n, n_vars))
    if prev_coef is None:
        M[:, prev_cols] = -W
    else:
        (zc, rc), (cz, cr) = prev_cols, prev_coef
        M[:, zc] -= cz * W
        M[:, rc] -= cr * W
    if out_cols is not None:
        M[np.arange(n), out_cols] = 1.0
    return sparse.csr_matrix(M)


def add_l1_ball(enc: ReluEncoding, x0: np.ndarray, eps: float) -> ReluEncoding:
    """Restrict the inputs to ``||x - x0||_1 <= eps``: ``t >= |x - x0|``, ``sum t <= eps`` (d new columns)."""
    d = x0.size
    n_old = enc.n_vars
    A = sparse.hstack([enc.A, sparse.csr_matrix((enc.A.shape[0], d))])
    I = sparse.identity(d, format="csr")
    Z = sparse.csr_matrix((d, n_old - d))
    pos = sparse.hstack([I, Z, -I])  # x - t <= x0
    neg = sparse.hstack([-I, Z, -I])  # -x - t <= -x0
    tot = sparse.hstack([sparse.csr_matrix((1, n_old)), sparse.csr_matrix(np.ones((1, d)))])
    return ReluEncoding(
        A=sparse.vstack([A, pos, neg, tot]).tocsr(),
        row_lo=np.concatenate([enc.row_lo, np.full(2 * d, -np.inf), [-np.inf]]),
        row_hi=np.concatenate([enc.row_hi, x0, -x0, [eps]]),
        col_lo=np.concatenate([enc.col_lo, np.zeros(d)]), col_hi=np.concatenate([enc.col_hi, np.full(d, eps)]),
        integrality=np.concatenate([enc.integrality, np.zeros(d)]), x_cols=enc.x_cols,
        eta=np.hstack([enc.eta, np.zeros((enc.eta.shape[0], d))]), eta_const=enc.eta_const,
        z_cols=enc.z_cols, a_cols=enc.a_cols, bounds=enc.bounds,
    )


@dataclass
class MilpOutcome:
    """One solve: ``value`` (best objective found, nan if none), ``bound`` (proved bound), the solution, ``optimal``."""

    value: float
    bound: float
    solution: np.ndarray | None
    optimal: bool
    infeasible: bool = False


def solve(enc: ReluEncoding, objective: np.ndarray, offset: float, maximize: bool, time_limit: float | None,
          extra: tuple | None = None) -> MilpOutcome:
    """Optimise ``objective @ v + offset`` over the encoding with HiGHS (``scipy.optimize.milp``).

    ``extra`` = ``(A, lo, hi)`` appends rows.  On a time limit, ``value`` is the
    incumbent (nan if none) and ``bound`` the proved dual bound.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    c = np.zeros(enc.n_vars)
    c[: objective.size] = objective
    sign = -1.0 if maximize else 1.0
    cons = [LinearConstraint(enc.A, enc.row_lo, enc.row_hi)]
    if extra is not None:
        cons.append(LinearConstraint(*extra))
    options = {"disp": False}
    if time_limit is not None:
        options["time_limit"] = max(float(time_limit), 1e-3)
    res = milp(sign * c, constraints=cons, integrality=enc.integrality, bounds=Bounds(enc.col_lo, enc.col_hi), options=options)
    if res.status == 2:
        return MilpOutcome(np.nan, -np.inf if maximize else np.inf, None, True, infeasible=True)
    value = sign * res.fun + offset if res.x is not None else np.nan
    dual = getattr(res, "mip_dual_bound", None)
    if dual is not None and np.isfinite(dual):
        # HiGHS stops at an absolute gap of 1e-6 (or a relative one of 1e-4): "optimal" means within
        # that gap, so the proved bound is the dual bound, never better than the incumbent.
        bound = sign * dual + offset
        if res.status == 0 and np.isfinite(value):
            bound = max(bound, value) if maximize else min(bound, value)
    elif res.status == 0:
        bound = value
    else:
        bound = np.inf if maximize else -np.inf  # nothing proved
    return MilpOutcome(value, bound, res.x, res.status == 0)


def tighten_bounds_lp(network: ReLUNetwork, bounds: list, x_lo: np.ndarray, x_hi: np.ndarray,
                      l1_ball: tuple | None = None) -> list:
    """Tighter pre-activation bounds of hidden layers 2.. by LP (optimisation-based bound tightening).

    For each unit of layer ``j >= 2``: min and max of its pre-activation over the
    triangle relaxation of layers ``1..j-1`` (ReLU of ``z in [l, u]`` relaxed to
    ``h >= 0, h >= z, h <= u (z - l) / (u - l)``) with the input in the box (and the
    weighted L1 ball): at least as tight as :func:`propagate_bounds`, whose
    bounds are intersected with the LP's.  One warm-started ``highspy`` model,
    two re-solves per unit (a fraction of a millisecond each).  Layers with a
    slope other than 0 are left as they are.
    """
    if network.n_hidden_layers < 2 or any(s != 0.0 for s in network.slopes):
        return bounds
    import highspy

    from ..geometry._lp import new_highs

    d = network.n_features
    W, B = network.weights, network.biases
    inf = highspy.kHighsInf
    bounds = [(lo.copy(), hi.copy()) for lo, hi in bounds]
    n_ball = d if l1_ball is not None else 0
    for j in range(1, network.n_hidden_layers):
        # variables: x (d), t (n_ball), h_1 .. h_{j} (hidden outputs of layers 0..j-1)
        sizes = network.hidden_sizes[:j]
        offs = np.cumsum([d + n_ball, *sizes])
        n_vars = int(offs[-1])
        col_lo = np.concatenate([x_lo, np.zeros(n_ball), *[np.zeros(n) for n in sizes]])
        col_hi = np.concatenate([x_hi, np.full(n_ball, inf), *[np.maximum(bounds[layer][1], 0.0) for layer, n in enumerate(sizes)]])
        rows, r_lo, r_hi = [], [], []
        if l1_ball is not None:
            x0, r, w = l1_ball
            I, Z = sparse.identity(d, format="csr"), sparse.csr_matrix((d, n_vars - 2 * d))
            rows += [sparse.hstack([I, -sparse.diags(1 / w), Z]), sparse.hstack([-I, -sparse.diags(1 / w), Z])]
            r_lo += [np.full(2 * d, -inf)]
            r_hi += [x0, -x0]
            tot = np.zeros((1, n_vars))
            tot[0, d : 2 * d] = 1.0
            rows.append(sparse.csr_matrix(tot))
            r_lo.append([-inf])
            r_hi.append([r])
        prev = (0, d)
        for layer, n in enumerate(sizes):
            lo, hi = bounds[layer]
            start = int(offs[layer])
            Wl = sparse.csr_matrix(W[layer])
            left = sparse.csr_matrix((n, prev[0]))
            right = sparse.csr_matrix((n, n_vars - prev[1]))
            pre = sparse.hstack([left, Wl, right]).tocsr()  # W h_prev as rows over all variables
            H = sparse.csr_matrix((np.ones(n), (np.arange(n), start + np.arange(n))), shape=(n, n_vars))
            live, cross = lo >= 0, (lo < 0) & (hi > 0)
            lam = np.where(cross, hi / np.where(cross, hi - lo, 1.0), 0.0)
            rows += [(H - pre)[live | cross], (H - sparse.diags(lam) @ pre)[cross]]
            r_lo += [B[layer][live | cross], np.full(int(cross.sum()), -inf)]
            r_hi += [np.where(live, B[layer], inf)[live | cross], (lam * (B[layer] - lo))[cross]]
            col_hi[start : start + n] = np.where(hi <= 0, 0.0, col_hi[start : start + n])
            prev = (start, start + n)
        A = sparse.vstack(rows).tocsr()
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n_vars, A.shape[0]
        lp.col_cost_ = np.zeros(n_vars)
        lp.col_lower_, lp.col_upper_ = col_lo, col_hi
        lp.row_lower_ = np.concatenate([np.ravel(v) for v in r_lo])
        lp.row_upper_ = np.concatenate([np.ravel(v) for v in r_hi])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = A.indptr, A.indices, A.data
        hs = new_highs(presolve=False)  # warm-started re-solves: presolve would discard the basis
        hs.passModel(lp)
        cols = np.arange(int(offs[j - 1]), int(offs[j - 1]) + sizes[-1], dtype=np.int32)
        lo_j, hi_j = bounds[j]
        for k in range(W[j].shape[0]):
            for sign in (1.0, -1.0):
                hs.changeColsCost(cols.size, cols, sign * W[j][k])
                hs.run()
                if hs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                    continue
                value = sign * hs.getInfo().objective_function_value + B[j][k]
                if sign > 0:
                    lo_j[k] = max(lo_j[k], value - 1e-9 * (1 + abs(value)))
                else:
                    hi_j[k] = min(hi_j[k], value + 1e-9 * (1 + abs(value)))
        bounds[j] = (lo_j, np.maximum(hi_j, lo_j))
    return bounds
