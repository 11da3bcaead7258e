"""Compare a recovered network (or surrogate) with the black box: function, patterns, weights, regions, queries."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..network import ReLUNetwork
from .align import align_networks

__all__ = ["ExtractionComparison", "compare_extraction", "EqualityCertificate", "certify_equal", "difference_network"]


@dataclass
class ExtractionComparison:
    """Agreement of ``f`` and ``f_hat`` on held-out points of the box, and per joint activation region.

    Attributes
    ----------
    max_abs_error, mean_abs_error : float
        ``|f - f_hat|`` on the held-out points.
    pattern_agreement : float or None
        Share of points where the aligned recovered network has the reference's pattern.
    max_relative_weight_error : float or None
        After alignment (:func:`align_networks`); None unless both are ReLU networks of the same sizes.
    n_sign_flips : int or None
    n_joint_regions : int or None
        Pairs (pattern of ``f``, pattern of ``f_hat``) met on the points.
    max_llm_difference : float or None
        Largest difference of the two local linear models over those pairs.
    n_queries : int or None
        As passed.

    Examples
    --------
    For a surrogate (anything with ``predict``) only the function errors are filled in:

    >>> import reluscope
    >>> from reluscope.extract import QueryOracle, compare_extraction, fit_local_linear
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [0.5 * rng.normal(size=8), np.zeros(1)])
    >>> model = fit_local_linear(QueryOracle(net), 60, n_mc=1000, random_state=0)
    >>> cmp = compare_extraction(net, model, rng.uniform(-1, 1, (500, 2)), n_queries=model.n_queries)
    >>> bool(cmp.mean_abs_error < 0.05), cmp.max_relative_weight_error, cmp.n_queries
    (True, None, 1300)
    """

    max_abs_error: float
    mean_abs_error: float
    pattern_agreement: float | None
    max_relative_weight_error: float | None
    n_sign_flips: int | None
    n_joint_regions: int | None
    max_llm_difference: float | None
    n_queries: int | None


def compare_extraction(reference: ReLUNetwork, recovered, X: np.ndarray, *, n_queries: int | None = None) -> ExtractionComparison:
    """Held-out comparison; for two ReLU networks also weights after alignment and LLMs per joint region.

    The region check is the sampled stand-in for a certificate (``reluscope.geometry.enumerate_regions`` is
    not on this branch): every pair (pattern of ``f``, pattern of ``f_hat``) met on ``X`` is a region where both
    are affine, and their exact LLMs (Theorem 1 of ``001``) are compared there.  Equal LLMs on every pair
    met prove ``f = f_hat`` on the union of those regions, not on regions no sample reached.

    Parameters
    ----------
    reference : ReLUNetwork
        The black box.
    recovered : ReLUNetwork or object with ``predict``
    X : array (n, d)
        Held-out points.
    n_queries : int, optional
        Recorded in the result.

    Returns
    -------
    ExtractionComparison

    Examples
    --------
    A random 3-6-1 net extracted by critical points: outputs, weights (after alignment),
    patterns and the local linear models on every joint region met all agree to round-off.

    >>> import reluscope
    >>> from reluscope.extract import QueryOracle, compare_extraction, extract_network
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 3)), rng.normal(size=(1, 6))],
    ...                             [0.3 * rng.normal(size=6), np.zeros(1)])
    >>> res = extract_network(QueryOracle(net), 1, hidden_sizes=(6,), random_state=0, progress=False)
    >>> cmp = compare_extraction(net, res.network, rng.uniform(-1, 1, (1000, 3)), n_queries=res.n_queries)
    >>> bool(cmp.max_abs_error < 1e-9), bool(cmp.max_relative_weight_error < 1e-9), cmp.n_sign_flips
    (True, True, 0)
    >>> cmp.pattern_agreement, bool(cmp.max_llm_difference < 1e-9), cmp.n_joint_regions > 1
    (1.0, True, True)
    """
    X = np.asarray(X, float)
    y = reference.decision_function(X)
    y_hat = recovered.decision_function(X) if isinstance(recovered, ReLUNetwork) else recovered.predict(X)
    diff = np.abs(y - y_hat)
    out = dict(max_abs_error=float(diff.max()), mean_abs_error=float(diff.mean()), pattern_agreement=None,
               max_relative_weight_error=None, n_sign_flips=None, n_joint_regions=None, max_llm_difference=None,
               n_queries=n_queries)
    if isinstance(recovered, ReLUNetwork):
        P, Q = reference.patterns(X), recovered.patterns(X)
        joint, first = np.unique(np.hstack([P, Q]), axis=0, return_index=True)
        ca, ia = reference.affine_maps(P[first])
        cb, ib = recovered.affine_maps(Q[first])
        out["n_joint_regions"] = int(joint.shape[0])
        out["max_llm_difference"] = float(max(np.abs(ca - cb).max(), np.abs(ia - ib).max()))
        if reference.hidden_sizes == recovered.hidden_sizes:
            al = align_networks(reference, recovered)
            out["pattern_agreement"] = float((P == al.aligned.patterns(X)).all(axis=1).mean())
            out["max_relative_weight_error"] = al.max_relative_error
            out["n_sign_flips"] = al.n_sign_flips
    return ExtractionComparison(**out)


@dataclass
class EqualityCertificate:
    """Result of :func:`certify_equal`: is ``f - f_hat`` zero on the whole box?

    Attributes
    ----------
    equal : bool
        Every joint region's local linear model of ``f - f_hat`` is zero within ``tol``
        (and the enumeration was not truncated): a proof over the box, not a sample.
    n_regions : int
        Regions of ``f`` in the box that were checked (slivers thinner than the margin are not).
    max_coef_difference, max_intercept_difference : float
        Largest ``|coefficient|`` and ``|intercept|`` of ``f - f_hat`` over those regions.
    max_abs_difference : float
        Largest ``|f - f_hat|`` at the regions' Chebyshev centres (over the regions where
        ``f_hat`` is affine).
    truncated : bool
        The enumeration stopped at ``max_regions``: nothing is proved.

    Examples
    --------
    A network against itself: every region checked, every difference exactly zero.

    >>> import reluscope
    >>> from reluscope.extract import certify_equal
    >>> net = reluscope.from_arrays([np.eye(2), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    >>> cert = certify_equal(net, net, np.array([[-1.0, 1.0], [-1.0, 1.0]]))
    >>> cert.equal, cert.n_regions, cert.max_coef_difference, cert.truncated
    (True, 4, 0.0, False)
    """

    equal: bool
    n_regions: int
    max_coef_difference: float
    max_intercept_difference: float
    max_abs_difference: float
    truncated: bool


def difference_network(a: ReLUNetwork, b: ReLUNetwork) -> ReLUNetwork:
    """The ReLU network ``x -> eta_a(x) - eta_b(x)`` (pre-link outputs): both side by side in each layer.

    Needs the same inputs, outputs, number of hidden layers and slopes; the widths may differ
    (the hidden layers are block-diagonal, the last layer is ``[W_a, -W_b]``).

    Examples
    --------
    >>> import reluscope
    >>> from reluscope.extract import difference_network
    >>> rng = np.random.default_rng(1)
    >>> a = reluscope.from_arrays([rng.normal(size=(4, 3)), rng.normal(size=(1, 4))], [rng.normal(size=4), np.zeros(1)])
    >>> b = reluscope.from_arrays([rng.normal(size=(5, 3)), rng.normal(size=(1, 5))], [rng.normal(size=5), np.ones(1)])
    >>> diff = difference_network(a, b)
    >>> diff.hidden_sizes
    (9,)
    >>> X = rng.normal(size=(100, 3))
    >>> bool(np.allclose(diff.decision_function(X), a.decision_function(X) - b.decision_function(X)))
    True
    """
    from ..errors import ShapeMismatchError

    if (a.n_features, a.n_outputs, a.n_hidden_layers) != (b.n_features, b.n_outputs, b.n_hidden_layers) or tuple(a.slopes) != tuple(b.slopes):
        raise ShapeMismatchError("f and f_hat need the same inputs, outputs, number of hidden layers and activation slopes "
                                 f"to form f - f_hat; got {a} and {b}.")
    L = a.n_hidden_layers
    W = [np.vstack([a.weights[0], b.weights[0]])] if L else []
    for layer in range(1, L):
        Wa, Wb = a.weights[layer], b.weights[layer]
        W.append(np.block([[Wa, np.zeros((Wa.shape[0], Wb.shape[1]))], [np.zeros((Wb.shape[0], Wa.shape[1])), Wb]]))
    W.append(np.hstack([a.weights[L], -b.weights[L]]))
    B = [np.concatenate([a.biases[layer], b.biases[layer]]) for layer in range(L)] + [a.biases[L] - b.biases[L]]
    return ReLUNetwork(W, B, slopes=list(a.slopes))


def certify_equal(reference: ReLUNetwork, recovered: ReLUNetwork, box, *, tol: float = 1e-9,
                  margin: float = 1e-7, max_regions: int | None = 100_000) -> EqualityCertificate:
    """Prove that a recovered network computes the reference's function on a whole box.

    Every activation region ``R`` of the reference in the box is enumerated exactly
    (:func:`reluscope.geometry.enumerate_regions`); on each, linear programmes show, layer by
    layer, that every unit of the recovered network keeps its sign over ``R`` (so ``f_hat`` is
    one affine map there), and the two local linear models (Theorem 1 of ``001``) must agree:
    ``|coefficients|`` and ``|intercept|`` of ``f - f_hat`` at most ``tol`` times
    ``1 + max |LLM of f|``.  A unit of ``f_hat`` changing sign inside some ``R`` means ``f_hat``
    bends where ``f`` does not: not equal (``max_coef_difference`` is then inf).  This is the "certify f - f_hat = 0 on the box" step
    after an extraction, for networks small enough to enumerate.

    Why not enumerate :func:`difference_network` directly: after an exact extraction, the two
    networks' unit hyperplanes coincide (to ~1e-12), and a region search that flips one unit at a
    time cannot cross a doubled facet (the region between the two copies is thinner than the LP
    tolerance), so it would stop in the first region.  For the same reason each region of ``f``
    is shrunk by ``margin * max|box|`` before the signs are checked (a hyperplane of ``f_hat``
    lying on a facet of ``R`` would otherwise touch it): the proof covers the box
    except bands of that width along the facets of ``f``, where both functions are continuous
    and piecewise linear, so ``|f - f_hat|`` there is at most the band width times the sum of
    their Lipschitz constants.

    Parameters
    ----------
    reference, recovered : ReLUNetwork
        Same inputs and outputs (any hidden sizes).
    box : array (d, 2)
    tol : float, default 1e-9
    margin : float, default 1e-7
        Width of the bands left out along the facets of ``f``, relative to ``max|box|``.
    max_regions : int or None
        Per enumeration; past it ``equal`` is False (``truncated`` True).

    Returns
    -------
    EqualityCertificate
        ``n_regions`` counts the regions of ``f`` checked.

    Examples
    --------
    A network and the same network with its hidden units permuted and rescaled (ReLU is positively
    homogeneous) compute the same function; a copy with its output bias moved by 1e-6 does not:

    >>> import reluscope
    >>> from reluscope.extract import certify_equal
    >>> rng = np.random.default_rng(0)
    >>> W1, b1, W2 = rng.normal(size=(6, 2)), rng.normal(size=6), rng.normal(size=(1, 6))
    >>> net = reluscope.from_arrays([W1, W2], [b1, np.zeros(1)])
    >>> perm, scale = rng.permutation(6), rng.uniform(0.5, 2.0, 6)
    >>> same = reluscope.from_arrays([W1[perm] * scale[:, None], W2[:, perm] / scale], [b1[perm] * scale, np.zeros(1)])
    >>> box = np.array([[-2.0, 2.0], [-2.0, 2.0]])
    >>> cert = certify_equal(net, same, box)
    >>> cert.equal, cert.n_regions > 6, cert.max_coef_difference < 1e-12
    (True, True, True)
    >>> off = certify_equal(net, reluscope.from_arrays([W1, W2], [b1, np.full(1, 1e-6)]), box)
    >>> off.equal, off.max_intercept_difference
    (False, 1e-06)
    """
    from ..errors import ShapeMismatchError
    from ..geometry import enumerate_regions

    if (reference.n_features, reference.n_outputs) != (recovered.n_features, recovered.n_outputs):
        raise ShapeMismatchError(f"f and f_hat need the same inputs and outputs; got {reference} and {recovered}.")
    box = np.asarray(box, dtype=float)
    outer = enumerate_regions(reference, box, max_regions=max_regions, progress=False)
    truncated, n, own = outer.truncated, 0, 0.0
    max_c = max_e = max_v = 0.0
    delta = margin * float(np.abs(box).max(initial=1.0))
    kinked = 0
    for region in outer.regions:
        own = max(own, float(np.abs(region.coef).max(initial=0.0)), float(np.abs(region.intercept).max(initial=0.0)))
        if region.radius <= 2 * delta:
            continue  # a sliver thinner than the margin: covered by the continuity bound
        pattern = _constant_pattern(recovered, region.A, region.b - delta)
        n += 1
        if pattern is None:  # f_hat bends inside a region where f is affine
            kinked += 1
            continue
        coef, intercept = recovered.affine_map(pattern)
        dc, de = region.coef - coef, region.intercept - intercept
        max_c = max(max_c, float(np.abs(dc).max(initial=0.0)))
        max_e = max(max_e, float(np.abs(de).max(initial=0.0)))
        max_v = max(max_v, float(np.abs(dc @ region.center + de).max(initial=0.0)))
    if kinked:
        max_c = max(max_c, np.inf)
    threshold = tol * (1.0 + own)
    equal = (not truncated) and max_c <= threshold and max_e <= threshold
    return EqualityCertificate(bool(equal), n, max_c, max_e, max_v, bool(truncated))


def _constant_pattern(network: ReLUNetwork, A: np.ndarray, b: np.ndarray):
    """The network's pattern if every unit keeps its sign on ``{x : A x <= b}`` (2 LPs a unit), else None."""
    from scipy.optimize import linprog

    d = A.shape[1]
    M, m = np.eye(d), np.zeros(d)  # the layer's input as an affine map of x
    free = [(None, None)] * d
    parts = []
    for layer in range(network.n_hidden_layers):
        Z, z = network.weights[layer] @ M, network.weights[layer] @ m + network.biases[layer]
        on = np.empty(z.size, bool)
        for k in range(z.size):
            low = linprog(Z[k], A_ub=A, b_ub=b, bounds=free, method="highs")
            high = linprog(-Z[k], A_ub=A, b_ub=b, bounds=free, method="highs")
            if low.status != 0 or high.status != 0:
                return None
            vmin, vmax = low.fun + z[k], -high.fun + z[k]
            if vmin >= 0:
                on[k] = True
            elif vmax <= 0:
                on[k] = False
            else:
                return None
        scale = np.where(on, 1.0, network.slopes[layer])
        M, m = scale[:, None] * Z, scale * z
        parts.append(on)
    return np.concatenate(parts) if parts else np.zeros(0, bool)
