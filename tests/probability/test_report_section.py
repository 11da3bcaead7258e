"""LocalLinearModels.report(distribution=...) adds the "Random inputs" section with the exact PMF."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import reluscope  # noqa: E402
from reluscope.errors import InvalidInputError  # noqa: E402
from reluscope.probability import GaussianMixture, pattern_pmf  # noqa: E402
from tests.strategies import random_network  # noqa: E402


@pytest.mark.slow
def test_report_gains_random_inputs_section(tmp_path):
    rng = np.random.default_rng(0)
    net = random_network(rng, [2, 4, 3, 1])
    X = rng.normal(size=(200, 2))
    llms = reluscope.unwrap(net, X)
    dist = GaussianMixture.normal([0.1, -0.2], 0.5)
    html = llms.report(tmp_path / "r.html", distribution=dist).read_text()
    assert "Random inputs" in html and 'id="random-pmf"' in html
    pmf = pattern_pmf(net, dist)
    assert pmf["pattern"].iloc[0] in html  # the most probable pattern is listed
    with pytest.raises(InvalidInputError, match="GaussianMixture"):
        llms.report(tmp_path / "x.html", distribution=np.zeros(2))
