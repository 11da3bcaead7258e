import numpy as np
import pytest

import reluscope


def he_net(sizes, seed, bias_std=0.1):
    """A He-initialised random ReLU net (weights N(0, 2/n_in), biases N(0, bias_std^2))."""
    rng = np.random.default_rng(seed)
    W = [rng.normal(0, np.sqrt(2 / a), (b, a)) for a, b in zip(sizes[:-1], sizes[1:])]
    B = [rng.normal(0, bias_std, b) for b in sizes[1:]]
    return reluscope.from_arrays(W, B)


def toy_net():
    """The [2, 4] network of eq. (7) of the unwrapping paper (001), output weights ones."""
    W0 = np.array([[-1.0, 1.0], [1.0, 1.0]]) / np.sqrt(2.0)
    W1 = np.array([[1, 1 / 4], [1 / 2, 1 / 3], [1 / 3, 1 / 2], [1 / 4, 1]])
    return reluscope.from_arrays([W0, W1, np.ones((1, 4))], [np.zeros(2), -0.3 * np.ones(4), np.zeros(1)])


@pytest.fixture
def toy():
    return toy_net()


def grid(d, n):
    g = np.linspace(-1, 1, n)
    return np.array(np.meshgrid(*([g] * d))).reshape(d, -1).T
