"""Figures of reluscope.plot.probability render from results and reject wrong inputs."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from reluscope import plot  # noqa: E402
from reluscope.errors import InvalidInputError  # noqa: E402
from reluscope.probability import (  # noqa: E402
    GaussianMixture,
    coverage_curve,
    jacobian_singular_values,
    mc_singular_values,
    monte_carlo,
    output_cdf,
    pattern_pmf,
)
from tests.strategies import random_network  # noqa: E402


def test_probability_figures_render():
    net = random_network(np.random.default_rng(0), [2, 4, 3, 2])
    dist = GaussianMixture.normal([0.0, 0.1], 0.5)
    pmf = pattern_pmf(net, dist)
    t = np.linspace(-2, 2, 15)
    mc = monte_carlo(net, dist, 20_000, points=t, random_state=0)
    figs = [
        plot.pattern_pmf(pmf, mc),
        plot.pattern_pmf(pmf),
        plot.output_cdf(output_cdf(net, dist, t), mc),
        plot.support_coverage(coverage_curve(net, dist, (0.0, 0.25, 0.5), X=dist.sample(500, 0), probability=True)),
        plot.singular_values(jacobian_singular_values(net, pmf), mc_singular_values(net, dist, 500, random_state=0)),
    ]
    for fig in figs:
        assert isinstance(fig, Figure)
        fig.savefig(__import__("io").BytesIO(), format="png")
        plt.close(fig)
    # the bars are the table's numbers
    fig, ax = plt.subplots()
    plot.pattern_pmf(pmf, ax=ax)
    heights = [p.get_height() for p in ax.patches]
    assert np.allclose(heights, pmf["probability"].head(30))
    plt.close(fig)


def test_probability_figures_reject_other_objects():
    with pytest.raises(InvalidInputError):
        plot.pattern_pmf({"probability": [1.0]})
    with pytest.raises(InvalidInputError):
        plot.output_cdf(np.zeros(3))
    with pytest.raises(InvalidInputError):
        plot.support_coverage(np.zeros(3))
