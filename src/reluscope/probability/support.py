"""Sample-free support estimation (Algorithms 1-3 of ``002``, section 4).

Layer by layer, each partial pattern ``z_1 .. z_(l-1)`` fixes the affine map
``h_l = C x + d`` (Algorithm 2, GetParams), hence a Gaussian mixture for
``h_l``; each neuron's marginal ``p_j = sum_k alpha_k Phi(mu_kj / s_kj)``
(eq. 21) decides it (Algorithm 3, GetPatterns): neurons with
``|p_j - 0.5| > threshold`` are fixed to their likelier state, the others
branch.  As in the paper's implementation (section 5.2) at most
``max_branching`` neurons branch per layer (those closest to 0.5), so a layer
adds at most ``2^max_branching`` children per partial pattern.

Like the paper, the conditional law of ``h_l`` ignores the truncation by the
earlier layers' states (the mixture parameters are those of ``C x + d`` for
unconstrained ``x``); the estimate is a heuristic set, whose probability and
coverage :func:`support_coverage` and :func:`coverage_curve` measure.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np
import pandas as pd
from scipy.special import ndtr

from .._progress import progress_bar
from ..errors import InvalidInputError
from ..patterns import PatternIndex, pack_patterns
from .distributions import GaussianMixture
from .pmf import check_inputs

__all__ = ["SupportEstimate", "estimate_support", "support_coverage", "coverage_curve"]


@dataclass(frozen=True)
class SupportEstimate:
    """Patterns found by Algorithm 1.

    Attributes
    ----------
    patterns : bool array (P, n_hidden_units)
    threshold : float
        Neurons with ``|p - 0.5| > threshold`` were fixed.
    max_branching : int
    branching : array (n_hidden_layers,)
        The largest number of branching neurons met in each layer.
    capped : bool
        Whether the cap on branching neurons was hit (the set is then smaller than Algorithm 3's).

    Examples
    --------
    See :func:`estimate_support`.

    >>> import reluscope
    >>> from reluscope.probability import GaussianMixture, estimate_support
    >>> net = reluscope.from_arrays([np.array([[1.0], [1.0]]), np.ones((1, 2))], [np.array([-3.0, 3.0]), np.zeros(1)])
    >>> s = estimate_support(net, GaussianMixture.normal([0.0]), threshold=0.5)  # every neuron branches
    >>> len(s), s.branching, s.capped
    (4, array([2]), False)
    """

    patterns: np.ndarray
    threshold: float
    max_branching: int
    branching: np.ndarray
    capped: bool

    def __len__(self) -> int:
        """Number of patterns found."""
        return self.patterns.shape[0]


def _marginals(distribution: GaussianMixture, C: np.ndarray, d: np.ndarray) -> np.ndarray:
    """eq. 21: ``P(h_j > 0) = sum_k alpha_k Phi(mu_kj / s_kj)`` for ``h = C x + d``."""
    p = np.zeros(C.shape[0])
    for w, mu, L in zip(distribution.weights, distribution.means, distribution.factors):
        m = C @ mu + d
        s = np.linalg.norm(C @ L, axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(s > 0, m / np.where(s > 0, s, 1.0), np.where(m > 0, np.inf, -np.inf))
        p += w * ndtr(z)
    return p


def _get_patterns(p: np.ndarray, threshold: float, max_branching: int, identity: bool) -> tuple[np.ndarray, int, bool]:
    """Algorithm 3: the layer states compatible with the marginals ``p`` (bool (S, n_l)), branching count, capped."""
    if identity:
        return np.ones((1, p.size), bool), 0, False
    fixed = p > 0.5
    branch = np.flatnonzero(np.abs(p - 0.5) <= threshold)
    capped = branch.size > max_branching
    if capped:
        branch = branch[np.argsort(np.abs(p[branch] - 0.5), kind="stable")[:max_branching]]
    states = np.repeat(fixed[None, :], 2 ** branch.size, axis=0)
    if branch.size:
        states[:, branch] = np.array(list(product((False, True), repeat=branch.size)), bool)
    return states, int(branch.size), bool(capped)


def estimate_support(
    network,
    distribution: GaussianMixture,
    *,
    threshold: float = 0.25,
    max_branching: int = 10,
    max_patterns: int = 1_000_000,
    progress: bool | None = None,
) -> SupportEstimate:
    """Algorithm 1 of ``002``: likely activation patterns without sampling.

    Parameters
    ----------
    network : ReLUNetwork
    distribution : GaussianMixture
    threshold : float in [0, 0.5], default 0.25
        Neurons whose marginal is within ``threshold`` of 0.5 branch (``0.5``:
        every neuron branches, ``0``: none); Table 1 of ``002`` uses 0.1-0.4.
    max_branching : int, default 10
        At most this many neurons branch per layer and partial pattern.
    max_patterns : int
        Stop with an error beyond this many partial patterns.
    progress : bool or None

    Returns
    -------
    SupportEstimate

    Examples
    --------
    The units ``relu(x - 3)`` and ``relu(x + 3)`` under ``x ~ N(0, 1)`` are on with
    probabilities ``Phi(-3) = 0.0013`` and ``Phi(3) = 0.9987``: both are far from 1/2, so
    Algorithm 3 fixes them (first off, second on) and the support is one pattern.

    >>> import reluscope
    >>> from reluscope.probability import GaussianMixture, estimate_support
    >>> net = reluscope.from_arrays([np.array([[1.0], [1.0]]), np.ones((1, 2))], [np.array([-3.0, 3.0]), np.zeros(1)])
    >>> s = estimate_support(net, GaussianMixture.normal([0.0]), threshold=0.25)
    >>> s.patterns, s.branching
    (array([[False,  True]]), array([0]))
    """
    check_inputs(network, distribution)
    if not 0.0 <= threshold <= 0.5:
        raise InvalidInputError(f"threshold must be in [0, 0.5] (a distance from 0.5), got {threshold!r}.")
    if isinstance(max_branching, bool) or not isinstance(max_branching, (int, np.integer)) or max_branching < 0:
        raise InvalidInputError(f"max_branching must be a non-negative integer, got {max_branching!r}.")
    W, B = network.weights, network.biases
    current = [(np.zeros(0, bool), W[0], B[0])]  # (partial pattern, C, d) with h_l = C x + d
    branching = np.zeros(network.n_hidden_layers, np.int64)
    capped = False
    for l in progress_bar(range(network.n_hidden_layers), progress=progress, desc="support", unit="layer"):
        nxt = []
        identity = network.slopes[l] == 1.0
        for bits, C, d in current:
            states, nb, cap = _get_patterns(_marginals(distribution, C, d), threshold, int(max_branching), identity)
            branching[l] = max(branching[l], nb)
            capped |= cap
            if len(nxt) + states.shape[0] > max_patterns:
                raise InvalidInputError(
                    f"More than {max_patterns:,} patterns; lower the threshold or max_branching, or raise max_patterns."
                )
            for z in states:
                if l + 1 < network.n_hidden_layers:
                    D = np.where(z, 1.0, network.slopes[l])
                    C2, d2 = W[l + 1] @ (D[:, None] * C), W[l + 1] @ (D * d) + B[l + 1]  # Algorithm 2
                else:
                    C2, d2 = C, d
                nxt.append((np.concatenate([bits, z]), C2, d2))
        current = nxt
    patterns = np.array([c[0] for c in current], bool).reshape(len(current), network.n_hidden_units)
    return SupportEstimate(patterns, float(threshold), int(max_branching), branching, bool(capped))


def support_coverage(network, support: SupportEstimate, X) -> float:
    """Share of the rows of ``X`` whose activation pattern is in the estimated set (Table 1 of ``002``).

    Parameters
    ----------
    network : ReLUNetwork
    support : SupportEstimate
    X : array (n, d)

    Returns
    -------
    float

    Examples
    --------
    For the net of :func:`estimate_support`, the one pattern found covers the inputs with
    ``|x| < 3``, ``1 - 2 Phi(-3) = 0.9973`` of ``N(0, 1)``; the share of 20 000 draws is within
    3 standard errors (``3 * sqrt(0.0027 / 20000) = 0.0011``).

    >>> import reluscope
    >>> from reluscope.probability import GaussianMixture, estimate_support, support_coverage
    >>> net = reluscope.from_arrays([np.array([[1.0], [1.0]]), np.ones((1, 2))], [np.array([-3.0, 3.0]), np.zeros(1)])
    >>> g = GaussianMixture.normal([0.0])
    >>> cov = support_coverage(net, estimate_support(net, g), g.sample(20000, random_state=0))
    >>> bool(abs(cov - 0.9973) < 0.0011)
    True
    """
    X = network.check_X(X)
    index = PatternIndex(pack_patterns(support.patterns))
    return float((index.lookup(pack_patterns(network.patterns(X))) >= 0).mean())


def coverage_curve(
    network,
    distribution: GaussianMixture,
    thresholds=(0.0, 0.1, 0.2, 0.3, 0.4, 0.5),
    *,
    X=None,
    max_branching: int = 10,
    probability: bool = False,
    rtol: float = 1e-2,
    random_state=None,
) -> pd.DataFrame:
    """Size and coverage of the support estimate per threshold.

    Columns ``threshold``, ``n_patterns``, ``capped``; ``coverage`` (share of
    ``X``'s rows whose pattern is in the set) when ``X`` is given; ``mass`` and
    ``mass_std_error`` (the set's probability under ``distribution``, Proposition 1)
    when ``probability=True``.

    Parameters
    ----------
    network : ReLUNetwork
    distribution : GaussianMixture
    thresholds : sequence of float
    X : array (n, d), optional
        Samples for the empirical coverage.
    max_branching : int, default 10
    probability : bool, default False
        Also compute the set's probability (one polytope probability per pattern).
    rtol : float
    random_state : int, Generator or None

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    A random 2-4-4-1 net under ``N((0.5, -0.5), I)``: a larger threshold branches more neurons,
    finds more patterns and covers more; the empirical coverage of 5000 draws agrees with
    the exact mass of the set to within 4 standard errors (``4 * sqrt(0.25 / 5000) = 0.028``).

    >>> import reluscope
    >>> from reluscope.probability import GaussianMixture, coverage_curve
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays(
    ...     [rng.normal(size=(4, 2)), rng.normal(size=(4, 4)), rng.normal(size=(1, 4))],
    ...     [rng.normal(size=4), rng.normal(size=4), np.zeros(1)])
    >>> g = GaussianMixture.normal([0.5, -0.5], 1.0)
    >>> curve = coverage_curve(net, g, thresholds=(0.0, 0.2, 0.4), X=g.sample(5000, random_state=1),
    ...                        probability=True, random_state=0)
    >>> curve[["threshold", "n_patterns", "mass"]]
       threshold  n_patterns      mass
    0        0.0           1  0.249223
    1        0.2           6  0.737907
    2        0.4          33  0.952277
    >>> bool((curve["coverage"] - curve["mass"]).abs().max() < 0.028)
    True
    """
    from .pmf import pattern_pmf

    rows = []
    for t in thresholds:
        s = estimate_support(network, distribution, threshold=float(t), max_branching=max_branching)
        row = {"threshold": float(t), "n_patterns": len(s), "capped": s.capped}
        if X is not None:
            row["coverage"] = support_coverage(network, s, X)
        if probability:
            pmf = pattern_pmf(network, distribution, s.patterns, rtol=rtol, random_state=random_state)
            row["mass"], row["mass_std_error"] = pmf.attrs["mass"], pmf.attrs["mass_std_error"]
        rows.append(row)
    return pd.DataFrame(rows)
