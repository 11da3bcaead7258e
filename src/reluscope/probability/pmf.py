"""The distribution of activation patterns under random inputs (Proposition 1 of ``002``).

``P(zeta = zeta') = int_K(zeta') p(x) dx`` (eq. 8): the mass of the pattern's
region ``K(zeta') = {x : A x <= c}`` (Lemma 1; ``network.region_inequalities``)
under the Gaussian mixture input, computed by
:func:`~reluscope.probability.polytope_probability`.
Equivalent to the orthant form of eq. 11, but in input space, where the
rank-deficient case (more hidden units than inputs) needs no special care.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InvalidInputError
from ..network import ReLUNetwork
from ..patterns import pattern_strings
from ._regions import Regions
from .distributions import GaussianMixture
from .polytope_probability import PolytopeProbability, polytope_probability

__all__ = ["pattern_probability", "pattern_pmf", "check_inputs", "pmf_frame", "frame_patterns"]

#: ``patterns=None`` enumerates every region up to this many hidden units, else uses the support estimate.
MAX_ENUMERATE_UNITS = 40


def check_inputs(network, distribution) -> None:
    """Typed errors for a non-network, a non-mixture or mismatched dimensions."""
    if not isinstance(network, ReLUNetwork):
        raise InvalidInputError(
            f"Expected a reluscope.ReLUNetwork (piecewise affine: ReLU / LeakyReLU layers), got {type(network).__name__}; "
            "convert it first with reluscope.from_torch / from_sklearn / from_arrays."
        )
    if not isinstance(distribution, GaussianMixture):
        raise InvalidInputError(
            f"Expected a reluscope.probability.GaussianMixture input distribution, got {type(distribution).__name__}; "
            "build one with GaussianMixture.normal, .from_sklearn or .from_data."
        )
    distribution.check_features(network.n_features)


def pattern_probability(
    network: ReLUNetwork, distribution: GaussianMixture, pattern, *, rtol: float = 1e-3, random_state=None
) -> PolytopeProbability:
    """Probability that a random input realises ``pattern`` (eq. 8 / Proposition 1 of ``002``).

    Parameters
    ----------
    network : ReLUNetwork
    distribution : GaussianMixture
    pattern : bool or 0/1 array (n_hidden_units,)
    rtol : float
        Target relative standard error where QMC is needed.
    random_state : int, Generator or None

    Returns
    -------
    PolytopeProbability

    Examples
    --------
    The unit ``relu(x - 1)`` is on when ``x > 1``: under ``x ~ N(0, 1)`` that has probability
    ``1 - Phi(1) = 0.158655``, computed exactly.

    >>> import reluscope
    >>> from reluscope.probability import GaussianMixture, pattern_probability
    >>> net = reluscope.from_arrays([np.array([[1.0]]), np.ones((1, 1))], [np.array([-1.0]), np.zeros(1)])
    >>> res = pattern_probability(net, GaussianMixture.normal([0.0]), [1])
    >>> res.probability, res.method
    (0.158655, 'exact-1d')
    """
    check_inputs(network, distribution)
    p = network.check_pattern(pattern)
    if p.shape[0] != 1:
        raise InvalidInputError("pattern_probability takes one pattern; use pattern_pmf for several.")
    A, c = network.region_inequalities(p[0])
    return polytope_probability(A, c, distribution, rtol=rtol, random_state=random_state)


def pmf_frame(network: ReLUNetwork, patterns: np.ndarray, prob, se, methods, n_rows, complete: bool) -> pd.DataFrame:
    """The PMF table, most probable first, with its mass and error in ``attrs``."""
    H = network.n_hidden_units
    df = pd.DataFrame(
        {
            "pattern": pattern_strings(patterns, network.hidden_sizes),
            "probability": np.asarray(prob, dtype=np.float64),
            "std_error": np.asarray(se, dtype=np.float64),
            "method": list(methods),
            "n_constraints": np.asarray(n_rows, dtype=np.int64),
        }
    )
    if 0 < H <= 62:  # the paper's decimal label (Figure 1): bits read as a binary number, first unit first
        df.insert(1, "code", (patterns.astype(np.int64) << np.arange(H - 1, -1, -1)).sum(axis=1))
    order = np.argsort(-df["probability"].to_numpy(), kind="stable")
    df = df.iloc[order].reset_index(drop=True)
    df.attrs["mass"] = float(df["probability"].sum())
    df.attrs["mass_std_error"] = float(np.sqrt((df["std_error"] ** 2).sum()))
    df.attrs["complete"] = bool(complete)
    return df


def pattern_pmf(
    network: ReLUNetwork,
    distribution: GaussianMixture,
    patterns=None,
    *,
    method: str = "auto",
    threshold: float = 0.25,
    rtol: float = 1e-3,
    random_state=None,
    progress: bool | None = None,
) -> pd.DataFrame:
    """The probability mass function of the activation pattern (Proposition 1 of ``002``).

    Parameters
    ----------
    network : ReLUNetwork
    distribution : GaussianMixture
    patterns : array (P, n_hidden_units), optional
        Patterns to evaluate; None finds them (``method``).
    method : {'auto', 'enumerate', 'support'}
        With ``patterns=None``: 'enumerate' finds every pattern whose region
        has an interior near the input (layer-by-layer splitting, pruned by LP;
        by polygon clipping when ``d = 2``), 'support' uses
        :func:`~reluscope.probability.estimate_support` (Algorithms 1-3)
        with ``threshold``; 'auto' enumerates up to 40 hidden units.
    threshold : float
        Support threshold on ``|p - 0.5|`` (``method='support'``).
    rtol : float
        Target relative standard error where QMC is needed.
    random_state : int, Generator or None
    progress : bool or None

    Returns
    -------
    pandas.DataFrame
        Columns ``pattern`` (layers separated by ';'), ``code`` (the paper's
        decimal label, up to 62 units), ``probability``, ``std_error`` (QMC
        standard error or exact round-off bound), ``method``,
        ``n_constraints``; most probable first (:func:`frame_patterns` reads the
        bool patterns back).  ``attrs``: ``mass`` (sum of probabilities) and
        ``mass_std_error``, ``complete`` (every pattern enumerated).

    Examples
    --------
    The PMF of a random 2-4-4-1 net under ``N((0.5, -0.5), I)``: every pattern is enumerated,
    the probabilities (exact in 2-D) add up to 1, and they agree with the pattern
    frequencies of 20 000 draws to within 4 standard errors (at most
    ``4 * sqrt(0.25 / 20000) = 0.014``).

    >>> import reluscope
    >>> from reluscope.probability import GaussianMixture, frame_patterns, pattern_pmf
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays(
    ...     [rng.normal(size=(4, 2)), rng.normal(size=(4, 4)), rng.normal(size=(1, 4))],
    ...     [rng.normal(size=4), rng.normal(size=4), np.zeros(1)])
    >>> g = GaussianMixture.normal([0.5, -0.5], 1.0)
    >>> pmf = pattern_pmf(net, g, random_state=0)
    >>> len(pmf), pmf.attrs["mass"], pmf.attrs["complete"]
    (34, 1.0, True)
    >>> top = pmf.iloc[0]
    >>> top["pattern"], float(top["probability"]), top["method"]
    ('0,1,0,1;0,0,1,1', 0.344171, 'exact-2d')
    >>> X = g.sample(20000, random_state=1)
    >>> freq = (net.patterns(X)[:, None, :] == frame_patterns(pmf)[None]).all(axis=2).mean(axis=0)
    >>> bool(np.abs(freq - pmf["probability"]).max() < 0.014)
    True
    """
    check_inputs(network, distribution)
    if method not in ("auto", "enumerate", "support"):
        raise InvalidInputError(f"method must be 'auto', 'enumerate' or 'support', got {method!r}.")
    rng = np.random.default_rng(random_state)
    if patterns is None and (method == "support" or (method == "auto" and network.n_hidden_units > MAX_ENUMERATE_UNITS)):
        from .support import estimate_support

        patterns = estimate_support(network, distribution, threshold=threshold).patterns
    regions = Regions(network, distribution, patterns, progress)
    prob, se, methods = regions.mass(regions.none(), rtol=rtol, rng=rng, progress=progress)
    return pmf_frame(network, regions.patterns, prob, se, methods, regions.sizes(), regions.complete)


def frame_patterns(table: pd.DataFrame) -> np.ndarray:
    """The bool patterns (P, H) of a PMF table's ``pattern`` column ('1,0;0,1' strings).

    Examples
    --------
    >>> import pandas as pd
    >>> from reluscope.probability import frame_patterns
    >>> frame_patterns(pd.DataFrame({"pattern": ["1,0;0", "0,1;1"]}))
    array([[ True, False, False],
           [False,  True,  True]])
    """
    rows = [s.replace(";", ",").split(",") if s else [] for s in table["pattern"]]
    return np.array(rows, dtype=np.int8).astype(bool).reshape(len(rows), -1)
