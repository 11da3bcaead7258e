"""ReLU networks as random functions (``002``, Chaudhari & Moura).

Under a random input ``x ~ sum_k alpha_k N(mu_k, Sigma_k)`` a ReLU network is
a random affine function.  This package computes, without sampling:

- :func:`pattern_probability`, :func:`pattern_pmf`: the PMF of the activation
  pattern (Proposition 1), with a standard error or an exact round-off bound;
- :func:`output_cdf`, :func:`output_probability`, :func:`classification_rates`:
  the output's distribution (Propositions 2-3) and tail probabilities;
- :func:`estimate_support`, :func:`support_coverage`: the sample-free support
  estimate (Algorithms 1-3) and its coverage (Table 1);
- :func:`jacobian_singular_values`: Jacobian singular values over the support
  (section 5.3);
- :mod:`~reluscope.probability.monte_carlo`: the same quantities by sampling,
  to validate against.

All of them rest on :func:`polytope_probability`, the mass of a region
``{x : A x <= c}`` under the mixture.
"""

from .distributions import GaussianMixture
from .jacobian import SingularValueDistribution, jacobian_singular_values
from .monte_carlo import MonteCarloResult, mc_singular_values, monte_carlo
from .output import OutputDistribution, classification_rates, output_cdf, output_probability
from .pmf import frame_patterns, pattern_pmf, pattern_probability
from .polytope_probability import PolytopeProbability, polytope_probability
from .support import SupportEstimate, coverage_curve, estimate_support, support_coverage
from .two_slope import two_slope_network

__all__ = [
    "GaussianMixture",
    "PolytopeProbability",
    "polytope_probability",
    "pattern_probability",
    "pattern_pmf",
    "frame_patterns",
    "OutputDistribution",
    "output_cdf",
    "output_probability",
    "classification_rates",
    "SupportEstimate",
    "estimate_support",
    "support_coverage",
    "coverage_curve",
    "SingularValueDistribution",
    "jacobian_singular_values",
    "MonteCarloResult",
    "monte_carlo",
    "mc_singular_values",
    "two_slope_network",
]
