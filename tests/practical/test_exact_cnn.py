"""The exact local linear model of a ReLU CNN (ReLU and max-pool pattern frozen)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from reluscope.errors import NotExactError, UnsupportedActivationError, UnsupportedLayerError  # noqa: E402
from reluscope.practical import cnn_local_linear_model, cnn_region_constraints  # noqa: E402


def _small_cnn():
    torch.manual_seed(3)
    return nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(2 * 3 * 3, 4), nn.ReLU(), nn.Linear(4, 3)).eval()


@pytest.mark.slow
def test_reproduces_mnistnet_logits_and_autograd_gradients_at_20_digits(mnistnet):
    model, X, _ = mnistnet
    digits = X[-20:]
    llm = cnn_local_linear_model(model, digits)
    with torch.no_grad():
        logits = model(torch.tensor(digits)).numpy()
    np.testing.assert_allclose(llm.predict(digits), logits, atol=1e-4)
    assert llm.coefficients.shape == (20, 10, 1, 28, 28)
    for k in (0, 7):
        x = torch.tensor(digits, requires_grad=True)
        grad = torch.autograd.grad(model(x)[:, k].sum(), x)[0].numpy()
        np.testing.assert_allclose(llm.coefficients[:, k], grad, atol=1e-4)


def _pattern(net, z):
    """ReLU masks and max-pool selections, computed layer by layer without reluscope."""
    from torch.nn import functional as F

    with torch.no_grad():
        h = net[0](torch.tensor(z.reshape(1, 1, 6, 6), dtype=torch.float64))
        m1 = h > 0
        h, idx = F.max_pool2d_with_indices(torch.relu(h), 2)
        h2 = net[4](h.flatten(1))
    return np.concatenate([m1.numpy().ravel(), idx.numpy().ravel(), (h2 > 0).numpy().ravel()])


def test_region_constraints_hold_inside_and_the_llm_is_exact_there():
    net = _small_cnn().double()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 6, 6))
    llm = cnn_local_linear_model(net, x[None])
    A, c = cnn_region_constraints(net, x)
    assert A.shape == (2 * 36 + 4 + 2 * 9 * 3, 36)
    slack = c - A @ x.ravel()
    assert slack.min() > 0  # a generic input lies strictly inside its region
    same, other = 0, 0
    for _ in range(80):
        d = rng.standard_normal(36) * rng.choice([1e-3, 0.3])
        z = x.ravel() + d
        f = net(torch.tensor(z.reshape(1, 1, 6, 6))).detach().numpy()[0]
        affine = llm.coefficients[0].reshape(3, -1) @ z + llm.intercepts[0]
        if np.all(A @ z <= c):
            same += 1
            np.testing.assert_allclose(f, affine, atol=1e-10)
            np.testing.assert_array_equal(_pattern(net, z), _pattern(net, x))
        else:
            other += 1
            assert np.any(_pattern(net, z) != _pattern(net, x))
    assert same > 0 and other > 0


@pytest.mark.parametrize("layer, error", [(nn.Tanh(), UnsupportedActivationError), (nn.GELU(), UnsupportedActivationError),
                                          (nn.LayerNorm(18), UnsupportedLayerError)])
def test_non_piecewise_linear_layers_are_refused_by_name(layer, error):
    net = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.MaxPool2d(2), nn.Flatten(), layer, nn.Linear(18, 2)).eval()
    with pytest.raises(error, match="Layer '3'"):
        cnn_local_linear_model(net, np.zeros((1, 1, 6, 6)))


def test_functional_smooth_calls_are_refused_and_hidden_products_are_caught():
    class Functional(nn.Module):
        def __init__(self, fn):
            super().__init__()
            self.conv, self.fn = nn.Conv2d(1, 1, 3), fn

        def forward(self, x):
            return self.fn(self.conv(x)).flatten(1)

    with pytest.raises(UnsupportedActivationError, match="sigmoid"):
        cnn_local_linear_model(Functional(torch.sigmoid).eval(), np.ones((1, 1, 4, 4)))
    with pytest.raises(NotExactError, match="not affine"):
        cnn_local_linear_model(Functional(lambda z: z * z).eval(), np.ones((1, 1, 4, 4)))
