"""Shared factories of the simplification tests: random ReLU nets and data drawn from them."""

from __future__ import annotations

import numpy as np

import reluscope
from tests.strategies import random_network


def regression_case(seed: int = 0, n: int = 600, d: int = 2, hidden=(8, 8), noise: float = 0.3):
    """(network, X, y): y = network(x) + N(0, noise^2)."""
    rng = np.random.default_rng(seed)
    net = random_network(rng, [d, *hidden, 1])
    X = rng.normal(size=(n, d))
    y = net.decision_function(X) + rng.normal(scale=noise, size=n)
    return net, X, y


def binary_case(seed: int = 0, n: int = 600, d: int = 2, hidden=(8, 8), classes=("no", "yes")):
    """(network, X, y): labels drawn from the network's sigmoid output, string classes."""
    rng = np.random.default_rng(seed)
    net = random_network(rng, [d, *hidden, 1], output="sigmoid", classes=list(classes))
    X = rng.normal(size=(n, d))
    p = net.forward(X)
    y = np.where(rng.uniform(size=n) < p, classes[1], classes[0])
    return net, X, y


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """Two labelings define the same partition (a bijection between their labels)."""
    pairs = np.unique(np.column_stack([a, b]), axis=0)
    return len(pairs) == len(np.unique(a)) == len(np.unique(b))


def abs_network() -> reluscope.ReLUNetwork:
    """eta(x) = relu(x) + relu(-x) = |x|: two regions, x > 0 and x < 0."""
    return reluscope.ReLUNetwork([np.array([[1.0], [-1.0]]), np.array([[1.0, 1.0]])], [np.zeros(2), np.zeros(1)])


def one_torch_thread():
    """Generator for an autouse fixture: torch on one thread (tiny nets; the CI machine has 2 cores)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
