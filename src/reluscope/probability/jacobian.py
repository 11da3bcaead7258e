"""Jacobian singular values over the support (section 5.3 of ``002``).

On a pattern's region the network is affine, so its Jacobian is the local
linear model's coefficient matrix ``C_L`` (eq. 4; ``network.affine_maps``).
Weighting each pattern's singular values by the pattern's probability
(Proposition 1) gives their distribution under the random input without
sampling; :func:`reluscope.probability.mc_singular_values` is
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

    Examples
    --------
    ``relu(x) + relu(y)`` under ``N(0, I)``: four equally likely patterns whose Jacobians have
    singular values ``sqrt(2), 1, 1, 0``.

    >>> import reluscope
    >>> from reluscope.probability import GaussianMixture, jacobian_singular_values, pattern_pmf
    >>> net = reluscope.from_arrays([np.eye(2), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    >>> sv = jacobian_singular_values(net, pattern_pmf(net, GaussianMixture.normal(np.zeros(2))))
    >>> sv.values[:, 0], sv.weights
    (array([1.4142, 1.    , 1.    , 0.    ]), array([0.25, 0.25, 0.25, 0.25]))
    >>> sv.quantile([0.1, 0.5, 0.9])
    array([0.    , 1.    , 1.4142])
    """

    values: np.ndarray
    weights: np.ndarray
    mass: float

    def quantile(self, q, index: int = 0) -> np.ndarray:
        """Weighted quantiles of singular value ``index`` (0 = largest).

        Parameters
        ----------
        q : float or array-like
            Probabilities in [0, 1].
        index : int, default 0

        Returns
        -------
        ndarray
            The smallest singular value whose weighted CDF reaches each ``q``.
        """
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

    Returns
    -------
    SingularValueDistribution

    Examples
    --------
    The exact mean singular value of ``relu(x) + relu(y)`` under ``N(0, I)`` is
    ``(sqrt(2) + 1 + 1 + 0) / 4 = 0.853553``; :func:`~reluscope.probability.mc_singular_values`
    samples the same quantity.

    >>> import reluscope
    >>> from reluscope.probability import GaussianMixture, jacobian_singular_values, pattern_pmf
    >>> net = reluscope.from_arrays([np.eye(2), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    >>> sv = jacobian_singular_values(net, pattern_pmf(net, GaussianMixture.normal(np.zeros(2))))
    >>> sv.mean(), sv.mass
    (array([0.853553]), 1.0)
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
