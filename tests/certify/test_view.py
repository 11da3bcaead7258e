"""The 2-D certificate view: its numbers (polygon, facet, counterfactual) and its figure; the report shows them."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from reluscope import plot  # noqa: E402
from reluscope.certify import region_view  # noqa: E402
from reluscope.errors import InvalidInputError  # noqa: E402
from tests.strategies import random_network  # noqa: E402


def test_region_view_numbers_and_figure():
    net = random_network(np.random.default_rng(2), [2, 6, 4, 1])
    box = np.array([[-3.0, 3.0], [-3.0, 3.0]])
    x = np.array([0.4, -0.3])
    v = region_view(net, x, box)
    P = net.patterns(v.polygon * (1 - 1e-9) + 1e-9 * x)  # vertices pulled towards x lie in x's region
    assert (P == net.patterns(x[None, :])).all()
    if np.isfinite(v.facet).all():  # the facet edge is at the stability radius from x or farther
        a, b = v.facet
        t = np.clip((x - a) @ (b - a) / ((b - a) @ (b - a)), 0, 1)
        assert np.linalg.norm(a + t * (b - a) - x) == pytest.approx(v.stability.radius[0], abs=1e-9)
    assert v.classes.shape == (200, 200)
    fig = plot.certificate(v)
    assert fig.axes[0].get_title().startswith("Stability radius")
    plt.close(fig)
    with pytest.raises(InvalidInputError, match="2 input features"):
        region_view(random_network(np.random.default_rng(0), [3, 4, 1]), np.zeros(3), box)
