import numpy as np
import pytest

import reluscope
from reluscope.adapters.arrays import activation_slope
from reluscope.errors import UnsupportedActivationError


def test_activation_names_and_slopes():
    assert activation_slope("relu") == 0.0
    assert activation_slope("identity") == 1.0
    assert activation_slope(0.2) == 0.2
    assert activation_slope(("leaky_relu", 0.05)) == 0.05
    for bad in ("tanh", "sigmoid", "gelu", "logistic"):
        with pytest.raises(UnsupportedActivationError, match="not supported"):
            activation_slope(bad)


def test_from_arrays_per_layer_activations_match_manual_forward():
    rng = np.random.default_rng(0)
    W = [rng.normal(size=(4, 3)), rng.normal(size=(4, 4)), rng.normal(size=(1, 4))]
    b = [rng.normal(size=4), rng.normal(size=4), rng.normal(size=1)]
    net = reluscope.from_arrays(W, b, activation=["relu", ("leaky_relu", 0.1)])
    assert net.slopes == (0.0, 0.1)
    X = rng.normal(size=(20, 3))
    h = np.maximum(X @ W[0].T + b[0], 0)
    z = h @ W[1].T + b[1]
    h = np.where(z > 0, z, 0.1 * z)
    assert np.allclose(net.forward(X), (h @ W[2].T + b[2])[:, 0], atol=1e-13)


def test_linear_model_without_hidden_layers():
    net = reluscope.from_arrays([np.array([[2.0, -1.0]])], [np.array([0.5])])
    llms = reluscope.unwrap(net, np.array([[1.0, 1.0], [0.0, 3.0]]))
    assert llms.n_regions == 1
    assert np.array_equal(llms.coef_[0], [2.0, -1.0]) and llms.intercept_[0] == 0.5
