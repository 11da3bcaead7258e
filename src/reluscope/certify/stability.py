"""Stability radius of a local linear explanation: the distance from x to the nearest facet of its region.

Inside its activation region ``R = {y : A y <= c}`` (Lemma 1, eq. 8 of ``001``)
the network is one affine map, so the explanation of ``x`` stays the same for
every ``y`` with ``||y - x|| < r`` where ``r`` is the distance from ``x`` to the
boundary of ``R``.  Row ``i`` of ``A y <= c`` is unit ``i`` (``(-1)^{P_i}
z_i(y) <= 0`` with ``z_i`` the unit's pre-activation as an affine function on
``R``), so its slack at ``x`` is ``|z_i(x)|`` and the distance to its
hyperplane is ``|z_i(x)| / ||a_i||_*`` with ``||.||_*`` the dual norm (L2: L2,
L1: Linf, Linf: L1) -- closed form, vectorised over the rows of one pattern.

Redundant rows.  A row that is not a facet of ``R`` cannot be strictly nearer
than the nearest facet: its hyperplane misses the interior of ``R``, so the
segment from ``x`` to it leaves ``R`` first.  Hence ``r = min_i`` over all rows
(a standard fact of polyhedra; thesis ``000`` ch. 2).  The *unit* reported must
still be a facet: the closest point of the arg-min hyperplane is checked to lie
in ``R`` (it always does up to round-off; a redundant row can only tie), and on
a tie the rows are tested with the LP of
:func:`reluscope.geometry.redundant_rows` and the first facet wins.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..geometry.polytope import normalize_rows, redundant_rows
from ..patterns import pack_patterns, unique_patterns
from ._common import check_network, check_norm

__all__ = ["StabilityResult", "stability_radius"]

#: Relative tolerance under which two facet distances tie.
TIE_RTOL = 1e-12


@dataclass
class StabilityResult:
    """Stability radii of rows (:func:`stability_radius`).

    Attributes
    ----------
    radius : (n,) distance from each row to the boundary of its region (inf if the region is all of R^d)
    unit : (n,) flat index of the hidden unit whose flip is nearest (-1 if none)
    layer, unit_in_layer : (n,) the same unit as (hidden layer, position)
    facet_point : (n, d) a closest boundary point (where the nearest unit flips)
    direction : (n, d) unit vector (in the chosen norm) from x towards ``facet_point``
    neighbour_coef : (n, k, d), neighbour_intercept : (n, k)
        The LLM of the region across the nearest facet (the pattern with ``unit`` flipped).
    patterns : (n, H) bool, the rows' own patterns
    norm : 1, 2 or inf

    Examples
    --------
    ``eta = 2 relu(x + y) + 0.5`` at ``(1, 1)``: the only unit turns off on the line
    ``x + y = 0``, at L-infinity distance 1; across it the net is the constant 0.5.

    >>> import reluscope
    >>> from reluscope.certify import stability_radius
    >>> net = reluscope.from_arrays([np.array([[1.0, 1.0]]), np.array([[2.0]])], [np.zeros(1), np.array([0.5])])
    >>> res = stability_radius(net, np.array([[1.0, 1.0]]), norm="inf")
    >>> res.radius, res.facet_point, res.direction
    (array([1.]), array([[0., 0.]]), array([[-1., -1.]]))
    >>> res.neighbour_coef, res.neighbour_intercept
    (array([[[0., 0.]]]), array([[0.5]]))
    >>> res.to_frame()
       radius  unit  layer  unit_in_layer
    0     1.0     0      0              0
    """

    radius: np.ndarray
    unit: np.ndarray
    layer: np.ndarray
    unit_in_layer: np.ndarray
    facet_point: np.ndarray
    direction: np.ndarray
    neighbour_coef: np.ndarray
    neighbour_intercept: np.ndarray
    patterns: np.ndarray
    norm: float

    def to_frame(self) -> pd.DataFrame:
        """One row per input: ``radius``, ``unit``, ``layer``, ``unit_in_layer``."""
        return pd.DataFrame({"radius": self.radius, "unit": self.unit, "layer": self.layer,
                             "unit_in_layer": self.unit_in_layer})


def _dual_norms(A: np.ndarray, norm: float) -> np.ndarray:
    if norm == 2:
        return np.linalg.norm(A, axis=1)
    if norm == 1:
        return np.abs(A).max(axis=1)
    return np.abs(A).sum(axis=1)


def _closest_points(X, a, slack, norm):
    """Closest point of ``{a . y = a . x + slack}`` to each x (rows of a, slack per row)."""
    if norm == 2:
        return X + (slack / (a * a).sum(axis=1))[:, None] * a
    if norm == np.inf:
        return X + (slack / np.abs(a).sum(axis=1))[:, None] * np.sign(a)
    j = np.abs(a).argmax(axis=1)
    step = np.zeros_like(X)
    step[np.arange(len(X)), j] = slack / a[np.arange(len(X)), j]
    return X + step


def _pick_facet(A, c, dist_row, rows_tied):
    """Among tied rows of one x, the first that is a facet (LP redundancy test)."""
    An, cn, _ = normalize_rows(A, c)
    redundant, _ = redundant_rows(An, cn)
    facets = [i for i in rows_tied if not redundant[i]]
    return facets[0] if facets else rows_tied[0]


def stability_radius(network, X, norm=2) -> StabilityResult:
    """Distance from each row of ``X`` to the nearest facet of its activation region.

    Parameters
    ----------
    network : ReLUNetwork
    X : array (n, d)
    norm : {2, 1, 'inf'}

    Returns
    -------
    StabilityResult
        See the module docstring for the method (closed form per facet, one
        pass per distinct pattern; LPs only on exact ties).

    Examples
    --------
    The unit ``relu(x + y)`` at ``(1, 1)`` has slack 2 and normal ``(1, 1)``: the distance to
    its hyperplane is ``2 / ||(1, 1)||_*``, i.e. ``sqrt(2)`` in L2, 2 in L1, 1 in L-infinity.

    >>> import reluscope
    >>> from reluscope.certify import stability_radius
    >>> net = reluscope.from_arrays([np.array([[1.0, 1.0]]), np.array([[2.0]])], [np.zeros(1), np.array([0.5])])
    >>> x = np.array([[1.0, 1.0]])
    >>> [float(stability_radius(net, x, norm=p).radius[0]) for p in (2, 1, "inf")]
    [1.41421, 2.0, 1.0]

    On a random 2-8-8-1 net, brute force agrees: the pattern is constant on a circle of
    radius ``0.999 r`` around each point, and flips just past the reported facet point.

    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays(
    ...     [rng.normal(size=(8, 2)), rng.normal(size=(8, 8)), rng.normal(size=(1, 8))],
    ...     [rng.normal(size=8), rng.normal(size=8), np.zeros(1)])
    >>> X = rng.normal(size=(5, 2))
    >>> res = stability_radius(net, X)
    >>> theta = np.linspace(0, 2 * np.pi, 2000)
    >>> circle = np.column_stack([np.cos(theta), np.sin(theta)])
    >>> all((net.patterns(X[i] + 0.999 * res.radius[i] * circle) == res.patterns[i]).all() for i in range(5))
    True
    >>> (net.patterns(res.facet_point + 1e-6 * res.direction) != res.patterns).any(axis=1)
    array([ True,  True,  True,  True,  True])
    """
    network = check_network(network)
    norm = check_norm(norm)
    X = network.check_X(X)
    n, d = X.shape
    P = network.patterns(X)
    pre = np.hstack(network.preactivations(X)) if network.n_hidden_layers else np.zeros((n, 0))
    uniq = unique_patterns(pack_patterns(P))
    radius, unit = np.full(n, np.inf), np.full(n, -1)
    point, direction = np.full((n, d), np.nan), np.full((n, d), np.nan)
    for r in range(len(uniq.counts)):
        rows = np.flatnonzero(uniq.inverse == r)
        A, c = network.region_inequalities(P[rows[0]])
        dual = _dual_norms(A, norm)
        live = dual > 0
        if not live.any():
            continue
        D = np.where(live[None, :], np.abs(pre[rows]) / np.where(live, dual, 1.0)[None, :], np.inf)
        best = D.argmin(axis=1)
        dmin = D[np.arange(rows.size), best]
        for i in np.flatnonzero((D <= dmin[:, None] * (1 + TIE_RTOL) + 1e-300).sum(axis=1) > 1):
            tied = list(np.flatnonzero(D[i] <= dmin[i] * (1 + TIE_RTOL) + 1e-300))
            best[i] = _pick_facet(A, c, D[i], tied)
        radius[rows], unit[rows] = dmin, best
        a = A[best]
        slack = c[best] - (a * X[rows]).sum(axis=1)
        point[rows] = _closest_points(X[rows], a, slack, norm)
    has = unit >= 0
    step = point[has] - X[has]
    lengths = np.linalg.norm(step, ord=norm, axis=1)
    direction[has] = step / np.where(lengths > 0, lengths, 1.0)[:, None]
    P_nb = P.copy()
    P_nb[np.flatnonzero(has), unit[has]] ^= True
    coef, intercept = network.affine_maps(P_nb) if P.shape[1] else network.affine_maps(P)
    layer_of = np.concatenate([np.full(s, i) for i, s in enumerate(network.hidden_sizes)]) if P.shape[1] else np.zeros(0, int)
    start_of = np.concatenate([[0], np.cumsum(network.hidden_sizes)[:-1]]) if P.shape[1] else np.zeros(0, int)
    layer = np.where(has, layer_of[np.maximum(unit, 0)] if P.shape[1] else -1, -1)
    in_layer = np.where(has, unit - start_of[np.maximum(layer, 0)] if P.shape[1] else -1, -1)
    return StabilityResult(radius, unit, layer, in_layer, point, direction, coef, intercept, P, norm)
