"""Jacobian singular values over the support (section 5.3 of ``002``).

On a pattern's region the network is affine, so its Jacobian is the local
linear model's coefficient matrix ``C_L`` (eq. 4; ``network.affine_maps``).
Weighting each pattern's singular values by the pattern's probability
(Proposition 1) gives their distribution under the random input without
sampling; :func:`reluscope.probability.monte_carlo.mc_singular_values` is
the sampled baseline.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InvalidInputError
from .pmf import frame_patterns

__all__ = ["SingularValueDistribution", "jacobian_singular_values"]


@dataclass(frozen=True)
class SingularValueDistribution:
    """Singular values of each pattern's Jacobian with the pattern's probability.

    Attributes
    ----------
    values : array (P, min(k, d))
        Singular values, largest first.
    weights : array (P,)
        Pattern probabilities normalised to sum to 1 over the given patterns.
    mass : float
        The patterns' total probability before normalising (the support's coverage).
    """

    values: np.ndarray
    weights: np.ndarray
    mass: float

    def quantile(self, q, index: int = 0) -> np.ndarray:
        """Weighted quantiles of singular value ``index`` (0 = largest)."""
        v = self.values[:, index]
        order = np.argsort(v)
        cum = np.cumsum(self.weights[order])
        return v[order][np.clip(np.searchsorted(cum, np.atleast_1d(q)), 0, v.size - 1)]

    def mean(self) -> np.ndarray:
        """Expected singular values ``sum_P w_P s_P``."""
        return self.weights @ self.values


def jacobian_singular_values(network, pmf: pd.DataFrame) -> SingularValueDistribution:
    """Singular values of the Jacobian on each pattern of a PMF table, weighted by probability.

    Parameters
    ----------
    network : ReLUNetwork
    pmf : DataFrame
        From :func:`~reluscope.probability.pattern_pmf` (any set of patterns, e.g. the support estimate).
    """
    if not isinstance(pmf, pd.DataFrame) or not {"pattern", "probability"} <= set(pmf.columns):
        raise InvalidInputError("pmf must be a table from reluscope.probability.pattern_pmf.")
    patterns = network.check_pattern(frame_patterns(pmf))
    prob = pmf["probability"].to_numpy(dtype=np.float64)
    mass = float(prob.sum())
    if not mass > 0:
        raise InvalidInputError("The PMF table has zero total probability; no distribution to weight by.")
    coef, _ = network.affine_maps(patterns)
    return SingularValueDistribution(np.linalg.svd(coef, compute_uv=False), prob / mass, mass)
