"""Flattening (Algorithm 2 of ``001``) and the SLFN baseline of Table 3."""

from __future__ import annotations

import numpy as np
import pytest

import reluscope
from reluscope.simplify import FlattenedNet, MergedModel, flatten, merge_llms, slfn_baseline
from tests.simplify import abs_network, binary_case, one_torch_thread, regression_case


_torch_threads = pytest.fixture(autouse=True)(one_torch_thread)


def _gapped_x(rng, n):
    """x in [-3, -1] or [1, 3]: the two regions of |x| with a gap between them."""
    return (rng.uniform(1.0, 3.0, size=n) * rng.choice([-1.0, 1.0], size=n))[:, None]


def test_flattened_net_equals_merge_net_on_separable_regression_regions():
    rng = np.random.default_rng(0)
    X = _gapped_x(rng, 800)
    y = np.abs(X[:, 0]) + rng.normal(scale=0.2, size=800)
    m = MergedModel(abs_network(), n_clusters=2, min_samples=30).fit(X, y)
    assert m.n_clusters_ == 2
    f = flatten(m, X, y, max_epochs=0)
    # each training row activates exactly its own cluster's unit: the regions are separable ...
    assert f.init_agreement_ == 1.0
    # ... so the output GLM is v = 1, c = 0 and the flattened net is the Merge-Net on these rows
    np.testing.assert_allclose(f.network_init_.weights[1], [[1.0, 1.0]], rtol=1e-9)
    np.testing.assert_allclose(f.network_init_.biases[1], [0.0], atol=1e-9)
    np.testing.assert_allclose(f.network_init_.decision_function(X), m.decision_function(X), rtol=1e-10, atol=1e-10)
    np.testing.assert_array_equal(f.network_init_.weights[0], m.coef_)
    assert f.network_ == f.network_init_  # max_epochs=0: no fine-tuning


def test_flattened_net_equals_merge_net_on_separable_binary_regions():
    rng = np.random.default_rng(1)
    net = reluscope.ReLUNetwork([np.array([[1.0], [-1.0]]), np.array([[1.5, 1.5]])], [np.zeros(2), np.zeros(1)], output="sigmoid", classes=[0, 1])
    X = _gapped_x(rng, 1200)
    y = (rng.uniform(size=1200) < net.forward(X)).astype(int)
    m = MergedModel(net, n_clusters=2, min_samples=30).fit(X, y)
    f = flatten(m, X, y, max_epochs=0)
    assert f.init_agreement_ == 1.0
    np.testing.assert_allclose(f.network_init_.decision_function(X), m.decision_function(X), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(f.predict_proba(X), m.predict_proba(X), atol=1e-6)


def test_flattened_net_differs_from_merge_net_when_regions_overlap():
    net, X, y = binary_case(seed=3, n=700)
    m = merge_llms(reluscope.unwrap(net, X, y), n_clusters=4, min_samples=30)
    f = flatten(m, X, y, max_epochs=0)
    assert f.init_agreement_ < 1.0
    assert np.max(np.abs(f.network_init_.decision_function(X) - m.decision_function(X))) > 1e-3


def test_fine_tuning_lowers_the_training_loss_and_is_reproducible():
    net, X, y = regression_case(seed=5, n=500)
    m = merge_llms(reluscope.unwrap(net, X, y), n_clusters=3, min_samples=30)
    f = flatten(m, X, y, max_epochs=40, val_ratio=0.0, batch_size=50, learning_rate=1e-2, random_state=0, progress=False)
    mse0 = np.mean((f.network_init_.forward(X) - y) ** 2)
    mse1 = np.mean((f.predict(X) - y) ** 2)
    assert mse1 < mse0
    assert len(f.history_["train_loss"]) == 40
    g = flatten(m, X, y, max_epochs=40, val_ratio=0.0, batch_size=50, learning_rate=1e-2, random_state=0, progress=False)
    assert g.network_ == f.network_
    assert f.network_.hidden_sizes == (m.n_clusters_,)
    np.testing.assert_allclose(f.predict(X), f.network_.forward(X))


def test_early_stopping_keeps_the_best_validation_weights():
    net, X, y = regression_case(seed=6, n=400)
    m = merge_llms(reluscope.unwrap(net, X, y), n_clusters=2, min_samples=30)
    f = flatten(m, X, y, max_epochs=300, patience=3, learning_rate=0.5, val_ratio=0.25, random_state=1)
    h = f.history_
    assert len(h["val_loss"]) < 300  # stopped early at a large learning rate
    best = h["best_epoch"]
    if best > 0:
        assert h["val_loss"][best - 1] == min(h["val_loss"])


def test_slfn_baseline_has_the_merge_width_and_random_init():
    net, X, y = binary_case(seed=2, n=500)
    m = merge_llms(reluscope.unwrap(net, X, y), n_clusters=3, min_samples=30)
    s = slfn_baseline(m, X, y, max_epochs=5, random_state=4)
    assert s.network_init_.hidden_sizes == (m.n_clusters_,)
    assert s.init_agreement_ is None
    bound = 1 / np.sqrt(2)
    assert np.abs(s.network_init_.weights[0]).max() <= bound
    t = slfn_baseline(m, X, y, max_epochs=5, random_state=4)
    assert t.network_ == s.network_
    np.testing.assert_allclose(s.predict_proba(X)[:, 1], s.network_.forward(X))
    assert set(np.unique(s.predict(X))) <= {"no", "yes"}
    u = FlattenedNet(init="random", task="regression", n_hidden=6, max_epochs=2, random_state=0).fit(X, np.arange(len(X)) * 0.01)
    assert u.network_.hidden_sizes == (6,)


def test_unfitted_merge_net_is_fitted_on_the_same_data():
    net, X, y = regression_case(seed=7, n=300)
    f = FlattenedNet(MergedModel(net, n_clusters=2, min_samples=30), max_epochs=0).fit(X, y)
    ref = MergedModel(net, n_clusters=2, min_samples=30).fit(X, y)
    np.testing.assert_allclose(f.merged_.coef_, ref.coef_)
    assert not hasattr(f.merged, "llms_")  # the given estimator is left unfitted (cloned)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(init="merged"), "needs a MergedModel"),
        (dict(init="random"), "task="),
        (dict(init="random", task="regression"), "n_hidden"),
        (dict(init="bogus"), "init="),
    ],
)
def test_flattened_net_bad_parameters(kwargs, match):
    X, y = np.zeros((10, 2)), np.zeros(10)
    with pytest.raises(reluscope.InvalidInputError, match=match):
        FlattenedNet(**kwargs).fit(X, y)


def test_flattened_net_bad_training_parameters():
    net, X, y = regression_case(seed=8, n=200)
    m = merge_llms(reluscope.unwrap(net, X, y), n_clusters=2, min_samples=30)
    for kw, match in [(dict(max_epochs=-1), "max_epochs"), (dict(learning_rate=0), "learning_rate"), (dict(val_ratio=1.0), "val_ratio")]:
        with pytest.raises(ValueError, match=match):
            flatten(m, X, y, **kw)
    with pytest.raises(reluscope.FeatureMismatchError):
        flatten(m, X[:, :1], y)
