"""Random ReLU networks for property-based tests (hypothesis) and plain helpers."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import reluscope


def random_network(
    rng: np.random.Generator,
    sizes,
    *,
    slopes=0.0,
    output: str = "identity",
    bias_scale: float = 0.5,
    classes=None,
) -> reluscope.ReLUNetwork:
    """He-initialised network with the given layer sizes [d, n_1, ..., n_L, k]."""
    weights = [rng.normal(size=(o, i)) * np.sqrt(2.0 / i) for i, o in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(size=o) * bias_scale for o in sizes[1:]]
    return reluscope.ReLUNetwork(weights, biases, slopes=slopes, output=output, classes=classes)


@st.composite
def networks(draw, max_depth: int = 5, max_width: int = 64, max_dim: int = 50, max_outputs: int = 3):
    """(network, X): depth 1-5, widths 1-64, input dims 1-50, ReLU or leaky slopes, 1-3 outputs."""
    depth = draw(st.integers(1, max_depth))
    d = draw(st.integers(1, max_dim))
    widths = draw(st.lists(st.integers(1, max_width), min_size=depth, max_size=depth))
    k = draw(st.integers(1, max_outputs))
    slopes = draw(st.lists(st.sampled_from([0.0, 0.0, 0.01, 0.2, -0.5]), min_size=depth, max_size=depth))
    output = "identity" if k == 1 else draw(st.sampled_from(["identity", "softmax"]))
    seed = draw(st.integers(0, 2**32 - 1))
    n = draw(st.integers(1, 300))
    rng = np.random.default_rng(seed)
    net = random_network(rng, [d, *widths, k], slopes=slopes, output=output)
    X = rng.normal(size=(n, d)) * draw(st.sampled_from([0.1, 1.0, 10.0]))
    return net, X
