"""Compare a recovered network (or surrogate) with the black box: function, patterns, weights, regions, queries."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..network import ReLUNetwork
from .align import align_networks

__all__ = ["ExtractionComparison", "compare_extraction"]


@dataclass
class ExtractionComparison:
    """Agreement of ``f`` and ``f_hat`` on held-out points of the box, and per joint activation region."""

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
