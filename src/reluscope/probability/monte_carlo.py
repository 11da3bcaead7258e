"""Monte Carlo validator: the quantities of :mod:`reluscope.probability` by sampling.

Draws from the input mixture chunk by chunk (seeded), runs one vectorised
forward pass per chunk (:func:`reluscope.patterns.compute_patterns`) and
accumulates pattern counts, output CDF counts and decision counts; memory is
bounded by the chunk size.  Standard errors are binomial,
``sqrt(p (1 - p) / n)``.  This is the "1 million Monte Carlo trials" of
section 5 of ``002``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._progress import progress_bar
from ..errors import InvalidInputError
from ..patterns import compute_patterns, pattern_strings, unique_patterns, unpack_patterns
from .distributions import GaussianMixture
from .pmf import check_inputs

__all__ = ["MonteCarloResult", "monte_carlo", "mc_singular_values"]

DEFAULT_CHUNK = 2**17


@dataclass(frozen=True)
class MonteCarloResult:
    """Sampled pattern PMF and output CDF.

    Attributes
    ----------
    pmf : DataFrame
        ``pattern``, ``code``, ``probability``, ``std_error``, ``count``; most frequent first.
    points : array (T,)
    cdf, cdf_std_error : arrays (T,)
        ``P(eta_output <= t)``.
    predictions : DataFrame
        ``predicted_class``, ``probability``, ``std_error`` (classifiers).
    n_samples : int
    output : int

    Examples
    --------
    See :func:`monte_carlo`.

    >>> import reluscope
    >>> from reluscope.probability import GaussianMixture, monte_carlo
    >>> net = reluscope.from_arrays([np.array([[1.0], [-1.0]]), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    >>> mc = monte_carlo(net, GaussianMixture.normal([0.0]), 20000, points=[1.0], random_state=0, progress=False)
    >>> mc.n_samples, list(mc.pmf.columns)
    (20000, ['pattern', 'code', 'probability', 'std_error', 'count'])
    """

    pmf: pd.DataFrame
    points: np.ndarray
    cdf: np.ndarray
    cdf_std_error: np.ndarray
    predictions: pd.DataFrame
    n_samples: int
    output: int

    def pmf_lookup(self, patterns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sampled probability and standard error of each given pattern (0 where never sampled).

        Examples
        --------
        The two patterns of ``|x| = relu(x) + relu(-x)`` under ``N(0, 1)`` have probability 1/2 each;
        the sampled estimates are within 3 standard errors (``3 * 0.0035``):

        >>> import reluscope
        >>> from reluscope.probability import GaussianMixture, monte_carlo
        >>> net = reluscope.from_arrays([np.array([[1.0], [-1.0]]), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
        >>> mc = monte_carlo(net, GaussianMixture.normal([0.0]), 20000, random_state=0, progress=False)
        >>> p, se = mc.pmf_lookup(np.array([[True, False], [False, True]]))
        >>> bool(np.all(np.abs(p - 0.5) < 3 * se)), se
        (True, array([0.0035, 0.0035]))
        """
        strings = pattern_strings(np.asarray(patterns, bool), self._sizes())
        table = self.pmf.set_index("pattern")
        p = table["probability"].reindex(strings).fillna(0.0).to_numpy()
        return p, np.sqrt(p * (1 - p) / self.n_samples)

    def _sizes(self):
        return self.pmf.attrs["hidden_sizes"]


def _binomial(counts: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    p = counts / n
    return p, np.sqrt(p * (1 - p) / n)


def monte_carlo(
    network,
    distribution: GaussianMixture,
    n_samples: int = 1_000_000,
    *,
    points=(),
    output: int = 0,
    chunk_size: int = DEFAULT_CHUNK,
    random_state=None,
    progress: bool | None = None,
) -> MonteCarloResult:
    """Estimate the pattern PMF, the output CDF at ``points`` and the decision rates by sampling.

    Parameters
    ----------
    network : ReLUNetwork
    distribution : GaussianMixture
    n_samples : int, default 1,000,000
    points : array-like (T,)
        Where to evaluate the CDF of output ``output`` (pre-link ``eta``).
    output : int
    chunk_size : int
        Samples per chunk (memory bound).
    random_state : int, Generator or None
    progress : bool or None
        tqdm bar over chunks.

    Returns
    -------
    MonteCarloResult

    Examples
    --------
    ``|x|`` under ``N(0, 1)``: ``P(|x| <= 1) = 0.682689``; 20 000 samples estimate it to within
    3 standard errors, and the sampled PMF puts about 1/2 on each pattern:

    >>> import reluscope
    >>> from reluscope.probability import GaussianMixture, monte_carlo
    >>> net = reluscope.from_arrays([np.array([[1.0], [-1.0]]), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    >>> mc = monte_carlo(net, GaussianMixture.normal([0.0]), 20000, points=[1.0], random_state=0, progress=False)
    >>> bool(abs(mc.cdf[0] - 0.682689) < 3 * mc.cdf_std_error[0]), mc.cdf_std_error
    (True, array([0.0033]))
    >>> mc.pmf[["pattern", "count"]]
      pattern  count
    0     0,1  10040
    1     1,0   9960
    """
    check_inputs(network, distribution)
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise InvalidInputError(f"n_samples must be a positive integer, got {n_samples!r}.")
    rng = np.random.default_rng(random_state)
    t = np.atleast_1d(np.asarray(points, dtype=np.float64))
    counts: dict = {}
    cdf_counts = np.zeros(t.size, np.int64)
    n_classes = 2 if network.n_outputs == 1 else network.n_outputs
    pred_counts = np.zeros(n_classes, np.int64)
    starts = range(0, int(n_samples), int(chunk_size))
    for s in progress_bar(starts, progress=progress, desc="Monte Carlo", unit="chunk"):
        X = distribution.sample(min(chunk_size, n_samples - s), rng)
        keys, c, cdf_c, pred_c = block_counts(network, X, t, output)
        for k, n in zip(map(bytes, keys), c):
            counts[k] = counts.get(k, 0) + int(n)
        cdf_counts += cdf_c
        pred_counts += pred_c
    H = network.n_hidden_units
    keys = np.frombuffer(b"".join(counts), np.uint8).reshape(len(counts), -1) if counts else np.zeros((0, (H + 7) // 8), np.uint8)
    c = np.fromiter(counts.values(), np.int64, len(counts))
    return assemble_result(network, keys, c, cdf_counts, pred_counts, t, int(n_samples), int(output))


def block_counts(network, X: np.ndarray, t: np.ndarray, output: int):
    """Integer partial results of one block of samples ``X``: packed pattern keys and their counts,
    CDF counts at ``t`` and decision counts.  Partial results of disjoint blocks add up."""
    packed, eta = compute_patterns(network, X, chunk_size=max(X.shape[0], 1))
    uniq = unique_patterns(packed)
    e = np.sort(eta[:, output])
    cdf_counts = np.searchsorted(e, t, side="right").astype(np.int64)
    n_classes = 2 if network.n_outputs == 1 else network.n_outputs
    pred = (eta[:, 0] > 0).astype(np.int64) if network.n_outputs == 1 else eta.argmax(axis=1)
    return np.asarray(uniq.keys, np.uint8), np.asarray(uniq.counts, np.int64), cdf_counts, np.bincount(pred, minlength=n_classes).astype(np.int64)


def assemble_result(network, keys: np.ndarray, c: np.ndarray, cdf_counts, pred_counts, t, n_samples: int, output: int) -> MonteCarloResult:
    """The :class:`MonteCarloResult` of summed integer counts (binomial standard errors)."""
    H = network.n_hidden_units
    n_classes = 2 if network.n_outputs == 1 else network.n_outputs
    pats = unpack_patterns(keys, H)
    p, se = _binomial(c, int(n_samples))
    pmf = pd.DataFrame({"pattern": pattern_strings(pats, network.hidden_sizes), "probability": p, "std_error": se, "count": c})
    if 0 < H <= 62:
        pmf.insert(1, "code", (pats.astype(np.int64) << np.arange(H - 1, -1, -1)).sum(axis=1))
    pmf = pmf.sort_values("probability", ascending=False, kind="stable").reset_index(drop=True)
    pmf.attrs["hidden_sizes"] = tuple(network.hidden_sizes)
    cdf, cdf_se = _binomial(cdf_counts, int(n_samples))
    labels = list(network.classes) if network.classes is not None else list(range(n_classes))
    pp, pse = _binomial(pred_counts, int(n_samples))
    preds = pd.DataFrame({"predicted_class": labels, "probability": pp, "std_error": pse})
    return MonteCarloResult(pmf, t, cdf, cdf_se, preds, int(n_samples), int(output))


def mc_singular_values(network, distribution: GaussianMixture, n_samples: int = 2000, *, random_state=None) -> np.ndarray:
    """Singular values of the Jacobian at ``n_samples`` random inputs: (n_samples, min(k, d)), the section 5.3 baseline.

    Examples
    --------
    The Jacobian of ``relu(x) + relu(y)`` is ``(1[x > 0], 1[y > 0])``, with singular value
    ``sqrt(number of active units)``: under ``N(0, I)`` its mean is
    ``(0 + 1 + 1 + sqrt(2)) / 4 = 0.8536`` (standard deviation 0.52, so the mean of 4000 draws
    has standard error 0.0082):

    >>> import reluscope
    >>> from reluscope.probability import GaussianMixture, mc_singular_values
    >>> net = reluscope.from_arrays([np.eye(2), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    >>> s = mc_singular_values(net, GaussianMixture.normal(np.zeros(2)), 4000, random_state=0)
    >>> s.shape, bool(abs(s.mean() - 0.8536) < 3 * 0.0082)
    ((4000, 1), True)
    """
    check_inputs(network, distribution)
    X = distribution.sample(n_samples, random_state)
    coef, _ = network.affine_maps(network.patterns(X))
    return np.linalg.svd(coef, compute_uv=False)
