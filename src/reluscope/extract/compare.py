"""Compare a recovered network (or surrogate) with the black box: function, patterns, weights, regions, queries."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..network import ReLUNetwork
from .align import align_networks

__all__ = ["ExtractionComparison", "compare_extraction"]


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
