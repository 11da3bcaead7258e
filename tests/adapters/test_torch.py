import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from torch import nn

import reluscope
from reluscope.errors import InvalidInputError, UnsupportedActivationError, UnsupportedLayerError
from tests.strategies import networks


def _torch_out(model, X, dtype=torch.float64):
    with torch.no_grad():
        return model(torch.as_tensor(X, dtype=dtype)).numpy().astype(np.float64)


def _assert_matches(net, model, X, dtype=torch.float64):
    """net.forward equals the torch model's output: 1e-10 in float64, 1e-6 (relative) in float32."""
    y = _torch_out(model, X, dtype)
    got = net.forward(X).reshape(y.shape)
    tol = 1e-10 if dtype == torch.float64 else 1e-6 * max(1.0, np.abs(y).max())
    assert np.max(np.abs(got - y)) < tol


def _randomise_bn(bn, gen):
    """Non-trivial running statistics (and affine parameters if any)."""
    n = bn.num_features
    bn.running_mean.copy_(torch.randn(n, generator=gen) * 2)
    bn.running_var.copy_(torch.rand(n, generator=gen) * 3 + 0.1)
    if bn.affine:
        bn.weight.data.copy_(torch.randn(n, generator=gen))
        bn.bias.data.copy_(torch.randn(n, generator=gen))


def _X(d, n=400, seed=0):
    return np.random.default_rng(seed).normal(size=(n, d)) * 2


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_random_sequential_matches_torch(seed, dtype):
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    d = int(rng.integers(1, 8))
    sizes = [d, *rng.integers(1, 16, size=rng.integers(1, 4)), int(rng.integers(1, 4))]
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(int(a), int(b)))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU() if rng.random() < 0.5 else nn.LeakyReLU(float(rng.uniform(0.01, 0.3))))
    model = nn.Sequential(*layers).to(dtype).eval()
    net = reluscope.from_torch(model)
    assert net.hidden_sizes == tuple(int(s) for s in sizes[1:-1])
    X = _X(d, seed=seed)
    _assert_matches(net, model, X, dtype)
    assert reluscope.unwrap(net, X).max_error_ < 1e-10


@settings(max_examples=15, deadline=None)
@given(networks(max_depth=3, max_width=12, max_dim=6))
def test_sequential_round_trip_is_exact(net_X):
    """A Sequential built from a network's own float64 weights converts back to the same network."""
    net, _ = net_X
    layers = []
    for l, (W, b) in enumerate(zip(net.weights, net.biases)):
        lin = nn.Linear(W.shape[1], W.shape[0]).double()
        lin.weight.data = torch.tensor(W)
        lin.bias.data = torch.tensor(b)
        layers.append(lin)
        if l < net.n_hidden_layers:
            layers.append(nn.LeakyReLU(net.slopes[l]))
    if net.output == "softmax":
        layers.append(nn.Softmax(dim=-1))
    assert reluscope.from_torch(nn.Sequential(*layers)) == net


class _Reordered(nn.Module):
    """Layers registered in a different order from the forward's calls (square, so a wrong order still chains)."""

    def __init__(self, d=5):
        super().__init__()
        self.out = nn.Linear(d, 2)
        self.fc2 = nn.Linear(d, d)
        self.fc1 = nn.Linear(d, d)
        self.drop = nn.Dropout(0.3)

    def forward(self, x):
        x = x.view(x.size(0), -1)
        x = F.relu(self.fc1(x))
        x = self.drop(x)
        x = F.leaky_relu(self.fc2(x), 0.1)
        return self.out(x)


def test_custom_module_follows_forward_order_not_registration_order():
    torch.manual_seed(0)
    model = _Reordered().double().eval()
    net = reluscope.from_torch(model)
    assert net.slopes == (0.0, 0.1) and net.n_outputs == 2
    X = _X(5)
    _assert_matches(net, model, X)
    # the registration order would give a different function: the check above can fail
    wrong = reluscope.from_torch(nn.Sequential(model.fc2, nn.ReLU(), model.fc1, nn.LeakyReLU(0.1), model.out))
    assert np.max(np.abs(wrong.forward(X) - net.forward(X))) > 1e-3


class _Functional(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Flatten(), nn.Linear(6, 8), nn.ReLU())
        self.fc = nn.Linear(8, 8)
        self.head = nn.Linear(8, 3, bias=False)

    def forward(self, x):
        x = self.body(x)
        x = torch.relu(self.fc(x)).relu()
        x = torch.flatten(x, 1)
        x = x.reshape(x.shape[0], -1)
        x = F.dropout(x, 0.2, training=self.training)
        return torch.softmax(self.head(x), dim=1)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_functional_forward_with_softmax_matches_torch(dtype):
    torch.manual_seed(1)
    model = _Functional().to(dtype).eval()
    net = reluscope.from_torch(model, classes=["a", "b", "c"])
    assert net.output == "softmax" and net.hidden_sizes == (8, 8) and list(net.classes) == ["a", "b", "c"]
    assert np.all(net.biases[-1] == 0)  # Linear(bias=False) -> zero bias
    X = _X(6)
    _assert_matches(net, model, X, dtype)
    np.testing.assert_array_equal(net.predict(X), np.array(["a", "b", "c"])[_torch_out(model, X, dtype).argmax(1)])


@pytest.mark.parametrize("affine", [True, False])
def test_batchnorm_before_and_after_relu_is_folded_exactly(affine):
    gen = torch.Generator().manual_seed(2)
    torch.manual_seed(2)
    model = nn.Sequential(
        nn.BatchNorm1d(4, affine=affine),  # at the input: folded into the next Linear
        nn.Linear(4, 10),
        nn.BatchNorm1d(10, affine=affine),  # right after a Linear: folded into it
        nn.ReLU(),
        nn.BatchNorm1d(10, affine=affine),  # after the ReLU: folded into the next Linear
        nn.Dropout(0.5),
        nn.Linear(10, 6),
        nn.LeakyReLU(0.05),
        nn.Linear(6, 1),
        nn.Sigmoid(),
    ).double()
    for m in model:
        if isinstance(m, nn.BatchNorm1d):
            _randomise_bn(m, gen)
    model.eval()
    net = reluscope.from_torch(model)
    assert net.hidden_sizes == (10, 6) and net.output == "sigmoid"
    X = _X(4)
    _assert_matches(net, model, X)
    _assert_matches(reluscope.from_torch(model.float()), model, X, torch.float32)
    assert reluscope.unwrap(net.__class__(net.weights, net.biases, net.slopes), X).max_error_ < 1e-10


def test_consecutive_linears_and_repeated_activations_collapse():
    torch.manual_seed(3)
    model = nn.Sequential(
        nn.ReLU(),  # starts with an activation: identity layer in front
        nn.Linear(3, 7), nn.Identity(), nn.Linear(7, 5),  # no activation between: one layer
        nn.LeakyReLU(0.5), nn.LeakyReLU(0.2),  # one leaky layer of slope 0.1
        nn.ReLU(), nn.ReLU(),
        nn.Linear(5, 4),
        nn.ReLU(),  # ends with an activation: identity output layer
    ).double().eval()
    net = reluscope.from_torch(model)
    assert net.hidden_sizes == (3, 5, 4) and net.slopes == (0.0, 0.0, 0.0) and net.n_outputs == 4
    X = _X(3)
    _assert_matches(net, model, X)
    leaky = nn.Sequential(nn.Linear(3, 5), nn.LeakyReLU(0.5), nn.LeakyReLU(0.2), nn.Linear(5, 1)).double()
    lnet = reluscope.from_torch(leaky)
    assert lnet.slopes == (pytest.approx(0.1),)
    _assert_matches(lnet, leaky, X)


def test_output_override_for_logit_models():
    torch.manual_seed(4)
    model = nn.Sequential(nn.Linear(3, 6), nn.ReLU(), nn.Linear(6, 1)).double()
    net = reluscope.from_torch(model, output="sigmoid", feature_names=["a", "b", "c"], classes=[0, 1])
    assert net.output == "sigmoid" and net.feature_names == ("a", "b", "c")
    X = _X(3)
    np.testing.assert_allclose(net.forward(X), 1 / (1 + np.exp(-_torch_out(model, X)[:, 0])), rtol=1e-12)
    logits = reluscope.from_torch(nn.Sequential(*model, nn.Sigmoid()), output="identity")
    np.testing.assert_allclose(logits.forward(X), _torch_out(model, X)[:, 0], atol=1e-12)


def test_tanh_hidden_is_refused_with_its_path():
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 3), nn.Tanh()), nn.Linear(3, 1))
    with pytest.raises(UnsupportedActivationError, match=r"'1\.3 \(Tanh\)'.*ReLU"):
        reluscope.from_torch(model)


def test_sigmoid_in_the_middle_is_refused_with_its_path():
    model = nn.Sequential(nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 1), nn.Tanh())
    with pytest.raises(UnsupportedActivationError, match=r"'1 \(Sigmoid\)'.*final layer"):
        reluscope.from_torch(model)


class _Encoder(nn.Module):
    def __init__(self, layer):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), layer)

    def forward(self, x):
        return self.encoder(x)


def test_conv_is_refused_with_its_path():
    with pytest.raises(UnsupportedLayerError, match=r"'encoder\.2 \(Conv1d\)'.*[Cc]onvolution"):
        reluscope.from_torch(_Encoder(nn.Conv1d(1, 1, 3)))


def test_training_mode_batchnorm_asks_for_eval():
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 1))
    with pytest.raises(InvalidInputError, match=r"'1 \(BatchNorm1d\)'.*model\.eval\(\)"):
        reluscope.from_torch(model.train())
    model.eval()
    assert reluscope.from_torch(model).hidden_sizes == (3,)
    no_stats = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3, track_running_stats=False)).eval()
    with pytest.raises(UnsupportedLayerError, match="track_running_stats"):
        reluscope.from_torch(no_stats)


class _Bad(nn.Module):
    def __init__(self, kind):
        super().__init__()
        self.kind, self.a, self.b = kind, nn.Linear(3, 3), nn.Linear(3, 1)

    def forward(self, x):
        h = self.a(x)
        if self.kind == "tanh":
            return self.b(torch.tanh(h))
        if self.kind == "skip":
            return self.b(F.relu(h) + x)
        return self.b(F.gelu(h))


@pytest.mark.parametrize(
    "kind, exc, pattern",
    [("tanh", UnsupportedActivationError, r"tanh"), ("skip", UnsupportedLayerError, r"add.*skip connection"),
     ("gelu", UnsupportedActivationError, r"gelu")],
)
def test_functional_unsupported_calls_are_named(kind, exc, pattern):
    with pytest.raises(exc, match=pattern):
        reluscope.from_torch(_Bad(kind))


class _Untraceable(nn.Module):
    """Data-dependent control flow defeats torch.fx; children are in forward order (or reversed)."""

    def __init__(self, reverse=False):
        super().__init__()
        first, second = nn.Linear(4, 4), nn.Linear(4, 2)
        self.reverse = reverse
        if reverse:  # registration order differs from the forward's
            self.l2, self.l1 = nn.Linear(4, 4), first
        else:
            self.l1, self.l2 = first, nn.Linear(4, 4)
        self.act = nn.ReLU()
        self.out = second

    def forward(self, x):
        if x.sum() > 1e9:  # never true, but not traceable
            x = x * 0
        return self.out(self.act(self.l2(self.l1(x))))


def test_untraceable_module_falls_back_to_children_with_a_warning_and_a_check():
    torch.manual_seed(5)
    model = _Untraceable().double()
    with pytest.warns(UserWarning, match="torch.fx could not trace"):
        net = reluscope.from_torch(model)
    _assert_matches(net, model, _X(4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(UnsupportedLayerError, match="does not reproduce"):
            reluscope.from_torch(_Untraceable(reverse=True).double())


def test_not_a_module_is_refused():
    with pytest.raises(InvalidInputError, match="torch.nn.Module"):
        reluscope.from_torch(np.eye(2))


class _Parametric(nn.Module):
    """A user subclass of nn.Linear (traced into F.linear), PReLU, RReLU, an in-place relu, a final log_softmax."""

    class _MyLinear(nn.Linear):
        pass

    def __init__(self):
        super().__init__()
        self.a, self.prelu, self.b, self.rrelu = self._MyLinear(3, 6), nn.PReLU(init=0.3), nn.Linear(6, 6), nn.RReLU(0.1, 0.3)
        self.c = nn.Linear(6, 3)

    def forward(self, x):
        h = self.b(self.prelu(self.a(x)))
        F.relu(h, inplace=True)
        return F.log_softmax(self.c(self.rrelu(h)), dim=-1)


def test_prelu_rrelu_inplace_relu_and_log_softmax():
    torch.manual_seed(6)
    model = _Parametric().double().eval()
    with pytest.raises(InvalidInputError, match="log-softmax.*output='softmax'"):
        reluscope.from_torch(model)
    net = reluscope.from_torch(model, output="softmax")
    # PReLU slope 0.3; relu then RReLU(eval, slope 0.2) collapse to relu
    assert net.slopes == (pytest.approx(0.3), 0.0) and net.output == "softmax"
    X = _X(3)
    np.testing.assert_allclose(np.log(net.forward(X)), _torch_out(model, X), atol=1e-10)
    with pytest.raises(InvalidInputError, match=r"rrelu \(RReLU\).*eval"):
        reluscope.from_torch(model.train())
    with pytest.raises(UnsupportedActivationError, match=r"'1 \(PReLU\)'.*one per unit"):
        reluscope.from_torch(nn.Sequential(nn.Linear(2, 2), nn.PReLU(2), nn.Linear(2, 1)))


def test_negative_leaky_slopes_compose_and_bad_softmax_dim():
    torch.manual_seed(7)
    # leaky(0.3) o leaky(-0.5): for z < 0, -0.5 z > 0 passes the outer unit unchanged -> slope -0.5
    model = nn.Sequential(nn.Linear(2, 6), nn.LeakyReLU(-0.5), nn.LeakyReLU(0.3), nn.Linear(6, 1)).double()
    net = reluscope.from_torch(model)
    assert net.slopes == (-0.5,)
    _assert_matches(net, model, _X(2))
    with pytest.raises(UnsupportedLayerError, match=r"'1 \(Softmax\)'.*dim=0"):
        reluscope.from_torch(nn.Sequential(nn.Linear(2, 2), nn.Softmax(dim=0)))
