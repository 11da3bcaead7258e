"""Exact minimal counterfactuals: the closest input whose decision differs, region by region.

Inside one activation region ``R = {y : A y <= c}`` (Lemma 1 of ``001``) the
network is its LLM ``eta(y) = W y + b`` (Theorem 1), so "the closest point of
``R`` with class t" is a convex programme: an LP for L1 / Linf, a QP for L2
(``reluscope.certify._programs``, HiGHS).  The global minimum is found by a
best-first (A*-like) search over regions, as GeoCert does for robustness
(Jordan et al. 2019, "Provable certificates for adversarial examples: fitting
a ball in the union of polytopes"):

1. a region is queued with a lower bound on its distance from ``x``: for the
   neighbour across unit ``i`` (the pattern with bit ``i`` flipped), the
   distance to the half-space where unit ``i`` has flipped (closed form; the
   unit's pre-activation is the same affine function on both sides);
2. when popped the first time the bound is replaced by the exact distance from
   ``x`` to the region (one LP/QP; an empty region is dropped);
3. when popped with its exact distance the counterfactual programme is solved
   in it and its ``H`` flips are queued;
4. the search stops when the smallest queued bound is at least the best
   distance found: then no region can hold a closer point (every region at
   distance ``delta`` is reached through a chain of facet-adjacent regions
   each at distance ``<= delta``: follow a generic segment from ``x``).

Box, immutable features (fixed at ``x``), integer features and one-hot groups
restrict the search space; integers and one-hot groups turn the per-region
programme into a MILP (``scipy.optimize.milp``), the queue bounds stay valid
relaxations.

Departure from the region search (measured, ``benchmarks/certify.py``): for L1 / Linf
the number of regions within the optimal distance is what the search pays (about 500
regions, 4,400 programmes, 7.5 s for one credit row with 8 mutable features), while
one mixed-integer programme of the network reduced to the mutable features
(``reluscope.certify._cf_reduced``) proves the same row in under 0.5 s; ``method='auto'``
therefore uses that MILP whenever its big-M bounds are finite.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InvalidInputError
from ._common import check_box, check_network, check_norm, check_row, class_index, feature_indices, predicted_index
from ._cf_reduced import reduced_counterfactual, search_space_is_bounded
from ._cf_search import _region_programme, _target_rows, search_regions  # noqa: F401 (_cf_walk imports them here)
from ._cf_walk import llm_walk

__all__ = ["CounterfactualResult", "counterfactual"]

SEARCH_SHARE = 0.1  # of the time limit for the region search before the MILP (method="auto")
NO_COUNTERFACTUAL = "no counterfactual exists within the box (with the immutable features fixed)"


@dataclass
class CounterfactualResult:
    """Result of :func:`counterfactual`.

    Attributes
    ----------
    found : bool
    point : ndarray (d,) or None -- the closest input of the target decision
    distance : float -- ``||w * (point - x)||`` (inf when none)
    optimal : bool -- the search proved ``distance`` minimal (or proved that none exists)
    lower_bound : float -- proved lower bound on the minimal distance
    regions_visited : int -- regions whose counterfactual programme was solved
    programmes : int -- convex programmes solved (distances and counterfactuals)
    original_class, counterfactual_class : int -- class index at x and at point (forward pass)
    message : str

    Examples
    --------
    The classifier ``eta = relu(x1) + relu(x2) - 1`` (class 1 iff ``eta > 0``) declines
    ``x = (0, 0)``; keeping ``x2`` fixed, the closest approval is ``x1 = 1`` (plus the margin
    ``1e-6``):

    >>> import reluscope
    >>> from reluscope.certify import counterfactual
    >>> net = reluscope.from_arrays([np.eye(2), np.ones((1, 2))], [np.zeros(2), np.array([-1.0])], output="sigmoid")
    >>> res = counterfactual(net, [0.0, 0.0], norm=2, immutable=[1])
    >>> res.found, res.optimal, res.original_class, res.counterfactual_class
    (True, True, 0, 1)
    >>> res.changes(feature_names=["income", "age"])
                 x  counterfactual    change
    income     0.0        1.000001  1.000001
    """

    x: np.ndarray
    found: bool
    point: np.ndarray | None
    distance: float
    optimal: bool
    lower_bound: float
    regions_visited: int
    programmes: int
    original_class: int
    counterfactual_class: int | None
    norm: float
    message: str
    seconds: float
    pattern: np.ndarray | None = field(default=None, repr=False)
    method: str = "regions"

    def changes(self, feature_names=None) -> pd.DataFrame:
        """The features that change: original value, counterfactual value and the difference.

        Parameters
        ----------
        feature_names : sequence of str, optional
            Row labels; default ``x0, x1, ...``.

        Returns
        -------
        pandas.DataFrame
            Columns ``x``, ``counterfactual``, ``change``; one row per changed feature.
        """
        if not self.found:
            return pd.DataFrame(columns=["x", "counterfactual", "change"])
        names = feature_names if feature_names is not None else [f"x{j}" for j in range(self.x.size)]
        df = pd.DataFrame({"x": self.x, "counterfactual": self.point, "change": self.point - self.x}, index=list(names))
        return df[np.abs(df["change"]) > 1e-12]


@dataclass
class _Space:
    """The search space in the free coordinates ``delta = x'_F - x_F``."""

    x: np.ndarray
    free: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    E: np.ndarray
    e: np.ndarray
    w: np.ndarray
    integral: np.ndarray | None
    norm: float


def _space(network, x, box, immutable, integer, one_hot, weights, norm) -> _Space:
    d = network.n_features
    fixed = feature_indices(network, immutable, "immutable")
    free = np.setdiff1d(np.arange(d), fixed)
    box = check_box(network, box, default=np.column_stack([np.full(d, -np.inf), np.full(d, np.inf)]))
    if ((x < box[:, 0]) | (x > box[:, 1])).any():
        raise InvalidInputError("x lies outside the box; clip it to the box or widen the box.")
    w = np.ones(d) if weights is None else np.asarray(weights, float).reshape(-1)
    if w.shape != (d,) or not (np.isfinite(w) & (w > 0)).all():
        raise InvalidInputError(f"weights must be {d} positive finite numbers (one scale per feature).")
    integ = np.zeros(d, bool)
    integ[feature_indices(network, integer, "integer")] = True
    groups = [feature_indices(network, g, "one_hot") for g in (one_hot or [])]
    lb, ub = box[:, 0].copy(), box[:, 1].copy()
    for g in groups:
        integ[g] = True
        lb[g], ub[g] = np.maximum(lb[g], 0.0), np.minimum(ub[g], 1.0)
    if integ.any() and not np.allclose(x[integ], np.round(x[integ])):
        raise InvalidInputError("Integer and one-hot features of x must hold integer values.")
    E = np.zeros((len(groups), d))
    for r, g in enumerate(groups):
        E[r, g] = 1.0
    e = np.ones(len(groups)) - E @ x
    col = {j: k for k, j in enumerate(free)}
    E_free = np.zeros((len(groups), free.size))
    for r, g in enumerate(groups):
        if np.isin(g, fixed).any():
            if not np.isin(g, fixed).all():
                raise InvalidInputError("A one-hot group must be all immutable or all mutable.")
            continue
        E_free[r, [col[j] for j in g]] = 1.0
    keep = np.any(E_free, axis=1)
    return _Space(x, free, lb[free] - x[free], ub[free] - x[free], E_free[keep], e[keep], w[free],
                  integ[free] if integ[free].any() else None, norm)


def counterfactual(network, x, target=None, norm=1, *, box=None, immutable=None, integer=None, one_hot=None,
                   weights=None, threshold: float = 0.0, margin: float = 1e-6, max_regions: int = 10_000,
                   time_limit: float | None = None, method: str = "auto") -> CounterfactualResult:
    """The exact closest input to ``x`` whose decision is ``target`` (default: any other class).

    Parameters
    ----------
    network : ReLUNetwork
    x : array (d,)
    target : class label or index, optional
        For one logit: the other side of ``threshold`` by default.
    norm : {1, 2, 'inf'}
        Distance ``||w * (x' - x)||`` (``w`` = ``weights``, default all 1).
    box : (d, 2), optional -- allowed range of each feature (x must lie in it)
    immutable : features that must keep their value
    integer : features that must stay integer; one_hot : groups of 0/1 features summing to 1 (MILP, L1/Linf)
    threshold : decision threshold on ``eta`` for one-logit networks (class 1 iff ``eta > threshold``)
    margin : the counterfactual crosses the decision by at least this in ``eta``
    max_regions, time_limit : search limits; past them ``optimal`` is False and ``lower_bound`` says how far off
        (``max_regions`` bounds the region search; the MILP path of ``method='auto'`` is bounded by ``time_limit``)
    method : 'auto' (default): for L1 / Linf on a ReLU net with a bounded search space (a finite box, or an
        incumbent from the LLM walk), the MILP of the network reduced to the mutable features (immutables folded
        into the first bias, ``_cf_reduced``) decides the row, starting from the best of the LLM walk and
        one-feature moves; otherwise (L2, leaky units, unbounded space) the region search, then (L1 / Linf) one
        MILP over the ball of the incumbent's radius (``_cf_milp``).  'regions': the region search only

    Returns
    -------
    CounterfactualResult
        With ``found=False`` and ``optimal=True`` when no input of the target class
        exists within the box: ``message`` says so (no exception).

    Examples
    --------
    ``eta = relu(x1) + relu(x2) - 1`` at ``x = (0, 0)`` (``eta = -1``, class 0): the approvals
    are ``x1 + x2 > 1`` with both coordinates non-negative, so the closest one is at distance
    1 in L1 (move one feature), ``sqrt(1/2)`` in L2 and 1/2 in L-infinity (move both to 1/2).

    >>> import reluscope
    >>> from reluscope.certify import counterfactual
    >>> net = reluscope.from_arrays([np.eye(2), np.ones((1, 2))], [np.zeros(2), np.array([-1.0])], output="sigmoid")
    >>> [round(counterfactual(net, [0.0, 0.0], norm=p).distance, 5) for p in (1, 2, "inf")]
    [1.0, 0.70711, 0.5]
    >>> res = counterfactual(net, [0.0, 0.0], norm="inf")
    >>> res.point, res.optimal, res.message
    (array([0.5, 0.5]), True, 'optimal: no region holds a closer point')

    Inside the box ``[-1, 0.4]^2`` no input is approved, and the search proves it:

    >>> res = counterfactual(net, [0.0, 0.0], box=[[-1.0, 0.4], [-1.0, 0.4]])
    >>> res.found, res.optimal, res.distance
    (False, True, inf)
    """
    t0 = time.perf_counter()
    network = check_network(network)
    norm = check_norm(norm)
    x = check_row(network, x)
    eta0 = network._forward_raw(x[None, :])[0][0]
    c0 = predicted_index(network, eta0) if network.n_outputs > 1 else int(eta0[0] > threshold)
    if target is None:
        wants = [1 - c0] if network.n_outputs == 1 else [j for j in range(network.n_outputs) if j != c0]
    else:
        wants = [class_index(network, target)]
        if wants[0] == c0:
            raise InvalidInputError(f"x is already of class {target!r}; pass another target class.")
    if margin < 0:
        raise InvalidInputError("margin must be >= 0.")
    space = _space(network, x, box, immutable, integer, one_hot, weights, norm)
    if method not in ("auto", "regions"):
        raise InvalidInputError(f"method={method!r}: use 'auto' (region search, then a MILP to prove) or 'regions'.")
    incumbent = llm_walk(network, space, wants, threshold, margin)
    relu = all(s == 0.0 for s in network.slopes)  # the reduced MILP encodes plain ReLUs (leaky ones: the old path)
    if method == "auto" and norm != 2 and relu and search_space_is_bounded(space, incumbent[0]):
        return _solve_reduced(network, space, wants, c0, threshold, margin, incumbent, time_limit, t0)
    budget = None if time_limit is None else (time_limit * SEARCH_SHARE if method == "auto" and norm != 2 else time_limit)
    res = _search(network, space, wants, c0, threshold, margin, max_regions, budget, t0, incumbent)
    if res.optimal or method == "regions" or norm == 2:
        return res
    return _prove_by_milp(network, space, wants, threshold, margin, res, time_limit, t0)


def _solve_reduced(network, space, wants, c0, threshold, margin, incumbent, time_limit, t0):
    """The MILP of the network reduced to the free features (``_cf_reduced``) decides the row."""
    left = None if time_limit is None else max(time_limit - (time.perf_counter() - t0), 0.0)
    best, delta, lower, optimal = reduced_counterfactual(network, space, wants, threshold, margin, incumbent, left)
    pattern = None if delta is None else network.patterns((space.x + _embed(space, delta))[None, :])[0]
    out = _result(network, space, best, delta, pattern, lower, optimal, 0, 0, c0, threshold, t0)
    out.method = "reduced milp"
    return out


def _prove_by_milp(network, space, wants, threshold, margin, res, time_limit, t0):
    """Region search stopped early: one MILP over the ball of the incumbent's radius proves or improves it."""
    from ._cf_milp import milp_counterfactual

    left = None if time_limit is None else max(time_limit - (time.perf_counter() - t0), 0.05)
    radius = res.distance if res.found else np.inf
    dist, delta, bound, optimal = milp_counterfactual(network, space, wants, threshold, margin, radius, left)
    lower = max(res.lower_bound, min(bound, radius))
    if delta is not None and dist < res.distance:
        pattern = network.patterns((space.x + _embed(space, delta))[None, :])[0]
        best, best_delta = dist, delta
    elif res.found:
        best, best_delta, pattern = res.distance, res.point[space.free] - space.x[space.free], res.pattern
    else:
        best, best_delta, pattern = np.inf, None, None
    proved = optimal and (np.isfinite(radius) or delta is not None or bound == np.inf)
    out = _result(network, space, best, best_delta, pattern, min(lower, best) if proved else lower, proved,
                  res.regions_visited, res.programmes + len(wants), res.original_class, threshold, t0)
    out.method = "regions + milp"
    return out


def _embed(space, delta):
    full = np.zeros_like(space.x)
    full[space.free] = delta
    return full


def _search(network, space, wants, c0, threshold, margin, max_regions, time_limit, t0, incumbent=(np.inf, None)):
    found = search_regions(network, space, wants, threshold, margin, max_regions, time_limit, t0, incumbent)
    return _result(network, space, *found, c0, threshold, t0)


def _result(network, space, best, delta, pattern, lower, complete, n_regions, n_prog, c0, threshold, t0):
    x = space.x
    if delta is None:
        msg = NO_COUNTERFACTUAL if complete else "search limit reached before any counterfactual was found"
        return CounterfactualResult(x, False, None, np.inf, complete, lower if not complete else np.inf, n_regions,
                                    n_prog, c0, None, space.norm, msg, time.perf_counter() - t0)
    point = x.copy()
    point[space.free] += delta
    eta = network._forward_raw(point[None, :])[0][0]
    cls = predicted_index(network, eta) if network.n_outputs > 1 else int(eta[0] > threshold)
    msg = "optimal: no region holds a closer point" if complete else "search limit reached: best found, not proved optimal"
    return CounterfactualResult(x, True, point, float(best), complete, float(lower), n_regions, n_prog, c0, cls,
                                space.norm, msg, time.perf_counter() - t0, pattern)
