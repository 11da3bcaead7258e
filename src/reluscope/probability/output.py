"""The distribution of a network's output under random inputs (Propositions 2-3 of ``002``).

On region ``K(zeta)`` the output is affine, ``eta = w_zeta . x + b_zeta``, so
``P(eta <= t) = sum_zeta P(x in K(zeta), w_zeta . x + b_zeta <= t)``: the mass of
each region cut by one more half-space (the proof of Proposition 3), and the
density is a mixture of truncated Gaussians (Proposition 2)::

    p(t) = sum_zeta sum_k alpha_k N(t; m_k, s_k^2) P_k(x in K(zeta) | eta = t)

with ``m_k = w . mu_k + b``, ``s_k^2 = w Sigma_k w^T``; the conditional law of
``x`` given ``eta = t`` is a degenerate Gaussian on a hyperplane, whose
polytope probability the kernel handles like any other.  Regions where the
output is constant (``w = 0``, e.g. every unit of a layer off) put an atom
``P(K(zeta))`` at ``b_zeta``: the jumps of the CDF in Figure 1 of ``002``.
All outputs are on the pre-link scale ``eta`` (logits for classifiers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InvalidInputError
from ._regions import Regions
from .distributions import GaussianMixture
from .pmf import check_inputs
from .polytope_probability import whitened_probability

__all__ = ["OutputDistribution", "output_cdf", "output_probability", "classification_rates"]


@dataclass(frozen=True)
class OutputDistribution:
    """CDF (and PDF) of one scalar output at given points.

    Attributes
    ----------
    points : array (T,)
    cdf, cdf_std_error : arrays (T,)
    pdf, pdf_std_error : arrays (T,) or None
        Density of the continuous part (atoms excluded).
    atoms : DataFrame
        ``value``, ``probability``: point masses from regions with a constant output.
    output : int
        Which output (column of ``eta``).
    complete : bool
        True when every region was enumerated (else the CDF misses the mass of the patterns not given).

    Examples
    --------
    ``relu(x)`` under ``N(0, 1)`` is 0 whenever the unit is off: an atom of mass 1/2 at 0,
    so the CDF jumps from 0 to 1/2 there, then follows ``Phi(t)``.

    >>> import reluscope
    >>> from reluscope.probability import GaussianMixture, output_cdf
    >>> net = reluscope.from_arrays([np.array([[1.0]]), np.ones((1, 1))], [np.zeros(1), np.zeros(1)])
    >>> dist = output_cdf(net, GaussianMixture.normal([0.0]), [-1.0, 0.0, 1.0])
    >>> dist.cdf
    array([0.    , 0.5   , 0.8413])
    >>> dist.atoms.to_numpy()  # (value, probability)
    array([[0. , 0.5]])
    """

    points: np.ndarray
    cdf: np.ndarray
    cdf_std_error: np.ndarray
    pdf: np.ndarray | None
    pdf_std_error: np.ndarray | None
    atoms: pd.DataFrame
    output: int
    complete: bool


def _check_output(network, output: int) -> int:
    if isinstance(output, (bool, np.bool_)) or not isinstance(output, (int, np.integer)) or not 0 <= output < network.n_outputs:
        raise InvalidInputError(f"output must be an integer in 0..{network.n_outputs - 1}, got {output!r}.")
    return int(output)


def _density(regions: Regions, w: np.ndarray, b: np.ndarray, t: float, rng) -> tuple[float, float]:
    """``p(t)`` of the continuous part (Proposition 2) and its error."""
    dist = regions.distribution
    total = var = 0.0
    for i in np.flatnonzero(np.abs(w).sum(axis=1) > 0):
        A, c = (regions.network.region_inequalities(regions.patterns[i]) if regions.two_d else regions.systems[i])
        for a_k, mu, L in zip(dist.weights, dist.means, dist.factors):
            g = L.T @ w[i]
            s = float(np.linalg.norm(g))
            if s == 0:
                continue
            tau = (t - (w[i] @ mu + b[i])) / s
            ghat = g / s
            G = A @ L
            proj = G - np.outer(G @ ghat, ghat)  # u = tau ghat + (I - ghat ghat^T) v
            p, e, _, _ = whitened_probability(proj, c - A @ mu - (G @ ghat) * tau, rng=rng)
            dens = np.exp(-0.5 * tau * tau) / np.sqrt(2 * np.pi) / s
            total += a_k * dens * p
            var += (a_k * dens * e) ** 2
    return total, float(np.sqrt(var))


def output_cdf(
    network,
    distribution: GaussianMixture,
    points,
    *,
    output: int = 0,
    patterns=None,
    pdf: bool = False,
    rtol: float = 1e-3,
    random_state=None,
    progress: bool | None = None,
) -> OutputDistribution:
    """CDF ``P(eta_output <= t)`` (and optionally the PDF) at ``points`` (Propositions 2-3 of ``002``).

    Parameters
    ----------
    network : ReLUNetwork
    distribution : GaussianMixture
    points : array-like (T,)
    output : int, default 0
        Which output (logit) to describe.
    patterns : array (P, H), optional
        Restrict to these patterns' regions (default: every region, enumerated).
    pdf : bool, default False
        Also compute the density of the continuous part.
    rtol : float
        Target relative standard error where QMC is needed.
    random_state : int, Generator or None
    progress : bool or None

    Returns
    -------
    OutputDistribution

    Examples
    --------
    ``|x| = relu(x) + relu(-x)`` under ``N(0, 1)`` is half-normal: CDF ``2 Phi(t) - 1`` and
    density ``2 phi(t)``; at ``t = 1`` these are 0.682689 and 0.483941.

    >>> import reluscope
    >>> from reluscope.probability import GaussianMixture, output_cdf
    >>> net = reluscope.from_arrays([np.array([[1.0], [-1.0]]), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    >>> dist = output_cdf(net, GaussianMixture.normal([0.0]), [0.5, 1.0, 2.0], pdf=True)
    >>> dist.cdf, dist.pdf
    (array([0.382925, 0.682689, 0.9545]), array([0.704131, 0.483941, 0.107982]))
    >>> dist.atoms.empty, dist.complete
    (True, True)
    """
    check_inputs(network, distribution)
    output = _check_output(network, output)
    t = np.atleast_1d(np.asarray(points, dtype=np.float64))
    if t.ndim != 1 or not np.isfinite(t).all():
        raise InvalidInputError("points must be a 1-D array of finite numbers.")
    rng = np.random.default_rng(random_state)
    regions = Regions(network, distribution, patterns, progress)
    w, b = regions.affine(output)
    cdf, cdf_se = np.zeros(t.size), np.zeros(t.size)
    for j, tj in enumerate(t):
        extra = [(w[i][None, :], np.array([tj - b[i]])) for i in range(len(regions))]
        p, e, _ = regions.mass(extra, rtol=rtol, rng=rng)
        cdf[j], cdf_se[j] = p.sum(), np.sqrt((e**2).sum())
    constant = np.abs(w).sum(axis=1) == 0
    atom_mass = regions.mass(regions.none(), rtol=rtol, rng=rng)[0][constant] if constant.any() else np.zeros(0)
    atoms = pd.DataFrame({"value": b[constant], "probability": atom_mass})
    dens = dens_se = None
    if pdf:
        pairs = [_density(regions, w, b, tj, rng) for tj in t]
        dens, dens_se = np.array([p for p, _ in pairs]), np.array([e for _, e in pairs])
    return OutputDistribution(t, np.clip(cdf, 0.0, 1.0), cdf_se, dens, dens_se, atoms, output, regions.complete)


def output_probability(
    network,
    distribution: GaussianMixture,
    *,
    lower: float | None = None,
    upper: float | None = None,
    output: int = 0,
    patterns=None,
    rtol: float = 1e-3,
    random_state=None,
) -> tuple[float, float]:
    """``P(lower < eta_output <= upper)`` and its error, summed over regions; e.g. ``lower=0``: the positive rate.

    Computed directly (never as ``1 - CDF``), so small tail probabilities keep their relative accuracy.

    Parameters
    ----------
    network : ReLUNetwork
    distribution : GaussianMixture
    lower, upper : float or None
        The interval's ends; None leaves that side open.
    output : int, default 0
    patterns : array (P, H), optional
        Restrict to these patterns' regions (default: every region, enumerated).
    rtol : float
        Target relative standard error where QMC is needed.
    random_state : int, Generator or None

    Returns
    -------
    probability, error : float

    Examples
    --------
    ``P(|x| > 3) = 2 (1 - Phi(3)) = 0.0026998`` for ``x ~ N(0, 1)``, with a round-off-size error:

    >>> import reluscope
    >>> from reluscope.probability import GaussianMixture, output_probability
    >>> net = reluscope.from_arrays([np.array([[1.0], [-1.0]]), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    >>> p, err = output_probability(net, GaussianMixture.normal([0.0]), lower=3.0)
    >>> p, bool(err < 1e-12)
    (0.0026998, True)
    """
    check_inputs(network, distribution)
    output = _check_output(network, output)
    regions = Regions(network, distribution, patterns)
    w, b = regions.affine(output)
    extra = []
    for i in range(len(regions)):
        rows, rhs = [], []
        if upper is not None:
            rows.append(w[i])
            rhs.append(upper - b[i])
        if lower is not None:
            rows.append(-w[i])
            rhs.append(b[i] - lower)
        extra.append((np.array(rows).reshape(-1, network.n_features), np.array(rhs)))
    p, e, _ = regions.mass(extra, rtol=rtol, rng=np.random.default_rng(random_state))
    return float(p.sum()), float(np.sqrt((e**2).sum()))


def _decision_rows(w: np.ndarray, b: np.ndarray, j: int, binary: bool):
    """Rows of ``{x : the network predicts class j}`` in a region with output maps ``w`` (k, d), ``b`` (k,)."""
    if binary:  # predict 1 iff eta > 0
        return (w[:1], -b[:1]) if j == 0 else (-w[:1], b[:1])
    others = [i for i in range(w.shape[0]) if i != j]
    return w[others] - w[j], b[j] - b[others]


def classification_rates(
    network, class_distributions: dict, *, rtol: float = 1e-3, random_state=None, progress: bool | None = None
) -> pd.DataFrame:
    """Probability of each prediction when inputs come from each class's distribution (Figure 2 of ``002``).

    Parameters
    ----------
    network : ReLUNetwork
        A classifier: one logit (binary, predict class 1 iff ``eta > 0``) or one per class (argmax).
    class_distributions : dict
        ``{true class label: GaussianMixture}``, e.g. a mixture fitted to each class's data.

    Returns
    -------
    pandas.DataFrame
        One row per (true class, predicted class): ``probability``, ``std_error``,
        ``method``.  For a binary classifier the row (0, 1) is the false-positive rate
        and (1, 0) the false-negative rate.

    Examples
    --------
    A binary classifier with logit ``relu(x) - relu(-x) = x`` on classes ``N(-1, 1)`` (label 0)
    and ``N(1, 1)`` (label 1): its false-positive and false-negative rates are both
    ``1 - Phi(1) = 0.158655``.

    >>> import reluscope
    >>> from reluscope.probability import GaussianMixture, classification_rates
    >>> net = reluscope.from_arrays([np.array([[1.0], [-1.0]]), np.array([[1.0, -1.0]])],
    ...                             [np.zeros(2), np.zeros(1)], output="sigmoid")
    >>> rates = classification_rates(net, {0: GaussianMixture.normal([-1.0]), 1: GaussianMixture.normal([1.0])})
    >>> rates[["true_class", "predicted_class", "probability"]]
       true_class  predicted_class  probability
    0           0                0     0.841345
    1           0                1     0.158655
    2           1                0     0.158655
    3           1                1     0.841345
    """
    if not isinstance(class_distributions, dict) or not class_distributions:
        raise InvalidInputError("class_distributions must be a non-empty dict {class label: GaussianMixture}.")
    binary = network.n_outputs == 1
    labels = list(network.classes) if network.classes is not None else list(range(2 if binary else network.n_outputs))
    rng = np.random.default_rng(random_state)
    records = []
    for true, dist in class_distributions.items():
        check_inputs(network, dist)
        regions = Regions(network, dist, None, progress)
        coef, intercept = network.affine_maps(regions.patterns)
        for j, pred in enumerate(labels):
            extra = [_decision_rows(coef[i], intercept[i], j, binary) for i in range(len(regions))]
            p, e, m = regions.mass(extra, rtol=rtol, rng=rng)
            records.append({"true_class": true, "predicted_class": pred, "probability": float(p.sum()),
                            "std_error": float(np.sqrt((e**2).sum())), "method": "+".join(sorted(set(m)))})
    return pd.DataFrame(records)
