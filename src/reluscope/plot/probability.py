"""Figures of ReLU networks as random functions (``002``, Figures 1-3 and Table 1).

Each takes the result of :mod:`reluscope.probability` (and optionally a
:class:`~reluscope.probability.MonteCarloResult` to overlay), draws it, and
returns the Figure; nothing is computed here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InvalidInputError
from ..probability import MonteCarloResult, OutputDistribution, SingularValueDistribution
from ._base import get_axes, require

__all__ = ["pattern_pmf", "output_cdf", "support_coverage", "singular_values"]

COMPUTED_COLOR = "tab:blue"
MC_COLOR = "tab:red"


def _check_pmf(table) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame) or not {"pattern", "probability", "std_error"} <= set(table.columns):
        raise InvalidInputError("plot.pattern_pmf takes the table of reluscope.probability.pattern_pmf.")
    return table


def pattern_pmf(table: pd.DataFrame, monte_carlo: MonteCarloResult | None = None, ax=None, *, top: int = 30):
    """PMF of the activation pattern as bars, computed vs Monte Carlo with 2-s.e. error bars (Figure 1 middle).

    Parameters
    ----------
    table : DataFrame
        From :func:`reluscope.probability.pattern_pmf` (most probable first).
    monte_carlo : MonteCarloResult, optional
        Sampled PMF drawn beside each bar.
    ax : matplotlib Axes, optional
    top : int, default 30
        Bars for the ``top`` most probable patterns.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import plot
    >>> from reluscope.probability import GaussianMixture, monte_carlo
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)], output="sigmoid")
    >>> dist = GaussianMixture.normal(np.zeros(2), 0.5)  # N(0, 0.5 I)
    >>> from reluscope.probability import pattern_pmf
    >>> pmf = pattern_pmf(net, dist)  # exact in 2-D
    >>> mc = monte_carlo(net, dist, 20_000, random_state=0)
    >>> fig = plot.pattern_pmf(pmf, mc, top=10)
    >>> ax = fig.axes[0]
    >>> ax.get_title(), [t.get_text() for t in ax.get_legend().get_texts()]
    ('Distribution of affine functions', ['computed (Prop. 1)', 'Monte Carlo (n = 20,000)'])

    Ten computed bars, then ten sampled ones beside them:

    >>> heights = np.array([p.get_height() for p in ax.patches])
    >>> heights.shape, np.allclose(heights[:10], pmf["probability"][:10])
    ((20,), True)
    >>> sampled = mc.pmf.set_index("pattern").loc[pmf["pattern"][:10]]
    >>> bool((np.abs(heights[10:] - heights[:10]) <= 4 * sampled["std_error"].to_numpy()).all())
    True
    """
    table = _check_pmf(table).head(top)
    fig, ax = get_axes(ax, figsize=(max(6.0, 0.28 * len(table) + 2), 4.0))
    x = np.arange(len(table))
    labels = table["code"].astype(str) if "code" in table.columns else table["pattern"]
    width = 0.4 if monte_carlo is not None else 0.8
    ax.bar(x - (width / 2 if monte_carlo is not None else 0), table["probability"], width, yerr=2 * table["std_error"],
           color=COMPUTED_COLOR, label="computed (Prop. 1)", capsize=2)
    if monte_carlo is not None:
        require(monte_carlo, MonteCarloResult, "pattern_pmf")
        mc = monte_carlo.pmf.set_index("pattern").reindex(table["pattern"])
        ax.bar(x + width / 2, mc["probability"].fillna(0.0), width, yerr=2 * mc["std_error"].fillna(0.0), color=MC_COLOR,
               label=f"Monte Carlo (n = {monte_carlo.n_samples:,})", capsize=2)
    ax.set_xticks(x)
    ax.set_xticklabels(labels, rotation=90, fontsize=7)
    ax.set_xlabel("activation pattern (decimal code)" if "code" in table.columns else "activation pattern")
    ax.set_ylabel("probability")
    ax.set_title("Distribution of affine functions")
    ax.legend()
    return fig


def output_cdf(result: OutputDistribution, monte_carlo: MonteCarloResult | None = None, ax=None):
    """CDF of the output (pre-link), computed with a 2-s.e. band, Monte Carlo overlaid (Figure 1 right).

    Parameters
    ----------
    result : OutputDistribution
        From :func:`reluscope.probability.output_cdf`.
    monte_carlo : MonteCarloResult, optional
        Sampled CDF at the same or other points, drawn dashed.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import plot
    >>> from reluscope.probability import GaussianMixture, monte_carlo
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)], output="sigmoid")
    >>> dist = GaussianMixture.normal(np.zeros(2), 0.5)  # N(0, 0.5 I)
    >>> from reluscope.probability import output_cdf
    >>> t = np.linspace(-3, 3, 7)
    >>> cdf = output_cdf(net, dist, t)
    >>> mc = monte_carlo(net, dist, 20_000, points=t, random_state=0)
    >>> fig = plot.output_cdf(cdf, mc)
    >>> ax = fig.axes[0]
    >>> ax.get_title(), ax.get_xlabel(), [line.get_label() for line in ax.lines]
    ('Output distribution', 'output 0 (pre-link)', ['computed (Prop. 3)', 'Monte Carlo (n = 20,000)'])
    >>> ax.lines[0].get_ydata().round(3)
    array([0.   , 0.   , 0.015, 0.682, 0.993, 1.   , 1.   ])
    >>> bool(np.abs(ax.lines[1].get_ydata() - cdf.cdf).max() < 0.01)  # sampling error ~ 0.003
    True
    """
    require(result, OutputDistribution, "output_cdf")
    fig, ax = get_axes(ax, figsize=(6.0, 4.0))
    t = result.points
    ax.plot(t, result.cdf, color=COMPUTED_COLOR, lw=2, label="computed (Prop. 3)")
    ax.fill_between(t, result.cdf - 2 * result.cdf_std_error, result.cdf + 2 * result.cdf_std_error, color=COMPUTED_COLOR, alpha=0.2)
    if monte_carlo is not None:
        require(monte_carlo, MonteCarloResult, "output_cdf")
        ax.plot(monte_carlo.points, monte_carlo.cdf, color=MC_COLOR, lw=1, ls="--", label=f"Monte Carlo (n = {monte_carlo.n_samples:,})")
    ax.set_xlabel(f"output {result.output} (pre-link)")
    ax.set_ylabel("P(output \u2264 t)")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title("Output distribution")
    ax.legend()
    return fig


def support_coverage(curve: pd.DataFrame, ax=None):
    """Coverage of the support estimate against its threshold (Table 1 of ``002``), with the set size.

    Parameters
    ----------
    curve : DataFrame
        From :func:`reluscope.probability.coverage_curve` (``coverage`` with data,
        ``mass`` with ``probability=True``).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import plot
    >>> from reluscope.probability import GaussianMixture, monte_carlo
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)], output="sigmoid")
    >>> dist = GaussianMixture.normal(np.zeros(2), 0.5)  # N(0, 0.5 I)
    >>> from reluscope.probability import coverage_curve
    >>> X = rng.normal(scale=0.5, size=(500, 2))
    >>> curve = coverage_curve(net, dist, (0.0, 0.2, 0.4), X=X, probability=True, random_state=0)
    >>> fig = plot.support_coverage(curve)
    >>> ax, twin = fig.axes
    >>> ax.get_title(), twin.get_ylabel()
    ('Support estimation', 'patterns in the set (dotted)')
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['coverage of data', 'probability of the set (Prop. 1)']
    >>> twin.lines[0].get_ydata().tolist() == curve["n_patterns"].tolist()
    True
    """
    if not isinstance(curve, pd.DataFrame) or not {"threshold", "n_patterns"} <= set(curve.columns):
        raise InvalidInputError("plot.support_coverage takes the table of reluscope.probability.coverage_curve.")
    fig, ax = get_axes(ax, figsize=(6.0, 4.0))
    if "coverage" in curve.columns:
        ax.plot(curve["threshold"], curve["coverage"], "o-", color=MC_COLOR, label="coverage of data")
    if "mass" in curve.columns:
        ax.errorbar(curve["threshold"], curve["mass"], yerr=2 * curve["mass_std_error"], fmt="s-", color=COMPUTED_COLOR,
                    label="probability of the set (Prop. 1)")
    ax.set_xlabel("threshold on |p \u2212 0.5|")
    ax.set_ylabel("coverage")
    ax.set_ylim(-0.02, 1.02)
    twin = ax.twinx()
    twin.plot(curve["threshold"], curve["n_patterns"], ":", color="0.4")
    twin.set_yscale("log")
    twin.set_ylabel("patterns in the set (dotted)")
    ax.set_title("Support estimation")
    ax.legend(loc="lower right")
    return fig


def singular_values(result: SingularValueDistribution, mc_values: np.ndarray | None = None, ax=None, *, index: int = 0, bins: int = 40):
    """Histogram of a Jacobian singular value, computed (weighted by pattern probability) vs sampled (Figure 3).

    Parameters
    ----------
    result : SingularValueDistribution
        From :func:`reluscope.probability.jacobian_singular_values`.
    mc_values : ndarray (n_samples, k), optional
        Sampled singular values (:func:`reluscope.probability.mc_singular_values`).
    ax : matplotlib Axes, optional
    index : int, default 0
        Which singular value (0: the largest).
    bins : int, default 40

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import plot
    >>> from reluscope.probability import GaussianMixture, monte_carlo
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)], output="sigmoid")
    >>> dist = GaussianMixture.normal(np.zeros(2), 0.5)  # N(0, 0.5 I)
    >>> from reluscope.probability import jacobian_singular_values, mc_singular_values, pattern_pmf
    >>> sv = jacobian_singular_values(net, pattern_pmf(net, dist))
    >>> sampled = mc_singular_values(net, dist, 2000, random_state=0)
    >>> fig = plot.singular_values(sv, sampled, bins=20)
    >>> ax = fig.axes[0]
    >>> ax.get_xlabel(), len(ax.patches)  # 20 computed and 20 sampled bins
    ('singular value 1 of the Jacobian', 40)

    Both histograms are probabilities: the bars of each sum to one.

    >>> h = np.array([p.get_height() for p in ax.patches])
    >>> round(float(h[:20].sum()), 6), round(float(h[20:].sum()), 6)
    (1.0, 1.0)
    """
    require(result, SingularValueDistribution, "singular_values")
    fig, ax = get_axes(ax, figsize=(6.0, 4.0))
    v = result.values[:, index]
    edges = np.histogram_bin_edges(v if mc_values is None else np.concatenate([v, mc_values[:, index]]), bins=bins)
    ax.hist(v, bins=edges, weights=result.weights, color=COMPUTED_COLOR, alpha=0.6, label="computed")
    if mc_values is not None:
        w = np.full(mc_values.shape[0], 1.0 / mc_values.shape[0])
        ax.hist(mc_values[:, index], bins=edges, weights=w, color="tab:orange", alpha=0.6, label="Monte Carlo")
    ax.set_xlabel(f"singular value {index + 1} of the Jacobian")
    ax.set_ylabel("probability")
    ax.legend()
    return fig
