"""Bad input: typed errors with clear messages; time limits give 'unknown' with bounds."""

import numpy as np
import pytest

import reluscope
from reluscope.certify import counterfactual, max_output_change, monotonicity, robustness, stability_radius
from reluscope.errors import InvalidInputError, UnsupportedActivationError
from tests.strategies import random_network


@pytest.fixture
def net():
    return random_network(np.random.default_rng(0), [3, 6, 3])


@pytest.mark.parametrize("eps", [0.0, -0.1, np.nan, np.inf])
def test_eps_must_be_positive(net, eps):
    with pytest.raises(InvalidInputError, match="eps must be a positive"):
        robustness(net, np.zeros(3), eps)
    with pytest.raises(InvalidInputError, match="eps must be a positive"):
        max_output_change(net, np.zeros(3), eps)


def test_target_class_must_exist(net):
    with pytest.raises(InvalidInputError, match="not a class of this network"):
        counterfactual(net, np.zeros(3), target=7)
    labelled = reluscope.ReLUNetwork(net.weights, net.biases, output="softmax", classes=["a", "b", "c"])
    with pytest.raises(InvalidInputError, match="its classes are"):
        counterfactual(labelled, np.zeros(3), target="z")


def test_bad_norm_box_and_features(net):
    with pytest.raises(InvalidInputError, match="norm"):
        stability_radius(net, np.zeros((1, 3)), norm=3)
    with pytest.raises(InvalidInputError, match="norm"):
        robustness(net, np.zeros(3), 0.1, norm=2)
    with pytest.raises(InvalidInputError, match="outside the box"):
        counterfactual(net, np.full(3, 5.0), box=np.tile([-1.0, 1.0], (3, 1)))
    with pytest.raises(InvalidInputError, match="unknown feature"):
        monotonicity(net, "income", np.tile([-1.0, 1.0], (3, 1)))
    with pytest.raises(InvalidInputError, match="finite box"):
        monotonicity(net, 0, np.tile([-np.inf, 1.0], (3, 1)))
    with pytest.raises(InvalidInputError, match="mixed-integer QP"):
        counterfactual(net, np.array([0.0, 1.0, 0.0]), norm=2, integer=[1])


def test_non_piecewise_linear_networks_are_refused(net):
    torch = pytest.importorskip("torch", reason="torch converts the tanh model")
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    with pytest.raises(UnsupportedActivationError):
        reluscope.from_torch(model)
    with pytest.raises(InvalidInputError, match="ReLUNetwork"):
        robustness(model, np.zeros(3), 0.1)


def test_time_limit_gives_unknown_with_bounds():
    rng = np.random.default_rng(1)
    big = random_network(rng, [20, 40, 40, 10])
    x = rng.normal(size=20)
    res = robustness(big, x, 0.5, time_limit=1e-6)
    assert res.verdict == "unknown"
    assert np.isfinite(res.margins["upper"]).all()  # the propagated bounds are reported
    full = max_output_change(big, x, 0.5, time_limit=1e-6)
    assert not full.exact.all()
    assert (full.lower <= full.upper).all()
