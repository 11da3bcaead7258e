"""Receptive fields, top-k receptive-field maps, activation maximisation, PCA colours, overlays."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from reluscope.practical import cnn  # noqa: E402


def _constructed_cnn():
    """Strides, padding, dilation and three kinds of pooling in one stack."""
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(3, 4, 5, stride=2, padding=2, dilation=2), nn.ReLU(),
        nn.Conv2d(4, 2, 3), nn.AvgPool2d(3, stride=2, padding=1),
    ).eval()


@pytest.mark.parametrize("position", [(0, 0), (2, 4), (3, 3)])
def test_receptive_field_formula_equals_the_empirical_gradient_field(position):
    net, H = _constructed_cnn(), 64
    table = cnn.receptive_fields(net)
    assert list(table.rf_h) == [3, 3, 4, 20, 20, 28, 36]
    for layer in table.layer:
        mask = cnn.empirical_receptive_field(net, layer, (1, H, H), position, random_state=0)
        r0, r1, c0, c1 = cnn.receptive_field_box(table, layer, *position, (H, H))
        box = np.zeros((H, H), bool)
        box[r0:r1, c0:c1] = True
        np.testing.assert_array_equal(mask, box, err_msg=f"layer {layer} at {position}")


def test_topk_heatmap_counts_each_box_once():
    net = _constructed_cnn()
    X = np.random.default_rng(0).standard_normal((2, 1, 32, 32)).astype(np.float32)
    k = 7
    heat = cnn.topk_receptive_field_heatmap(net, "3", X, k=k)
    A = cnn.layer_activations(net, "3", X)
    table = cnn.receptive_fields(net)
    for n in range(2):  # brute force: paint each of the k largest activations' boxes
        top = np.argsort(-A[n].ravel())[:k]
        ref = np.zeros((32, 32))
        for t in top:
            _, i, j = np.unravel_index(t, A[n].shape)
            r0, r1, c0, c1 = cnn.receptive_field_box(table, "3", i, j, (32, 32))
            ref[r0:r1, c0:c1] += 1
        np.testing.assert_allclose(heat[n], ref)


def test_feature_map_pca_and_overlays():
    net = _constructed_cnn()
    x = np.random.default_rng(1).standard_normal((1, 32, 32)).astype(np.float32)
    pca = cnn.feature_map_pca_rgb(net, "1", x)
    assert pca.rgb.shape == (32, 32, 3) and pca.rgb.min() >= 0 and pca.rgb.max() <= 1
    A = cnn.layer_activations(net, "1", x[None])[0].reshape(3, -1).T
    ev = np.linalg.eigvalsh(np.cov(A.T))[::-1]
    np.testing.assert_allclose(pca.explained_variance_ratio, ev / ev.sum(), atol=1e-10)
    over = cnn.filter_overlays(net, "3", x, top=2)
    assert over.maps.shape == (2, 32, 32) and over.maps.max() <= 1


@pytest.mark.slow
def test_activation_maximisation_increases_the_activation_tenfold(mnistnet):
    model, X, _ = mnistnet
    noise = 0.1 * np.random.default_rng(0).standard_normal((8, 1, 28, 28)).astype(np.float32)
    start = cnn.layer_activations(model, "features.1", noise).mean(axis=(0, 2, 3))
    channel = int(np.argmax(start))  # the most active channel at random starts: the hardest for a ratio
    res = cnn.activation_maximisation(model, "features.1", channel, (1, 28, 28), steps=100, lr=0.1,
                                      value_range=(float(X.min()), float(X.max())), random_state=0)
    assert res.start_activation > 0
    assert res.final_activation >= 10 * res.start_activation
    assert res.image.min() >= X.min() - 1e-6 and res.image.max() <= X.max() + 1e-6
    again = cnn.activation_maximisation(model, "features.1", channel, (1, 28, 28), steps=5, random_state=0)
    first = cnn.activation_maximisation(model, "features.1", channel, (1, 28, 28), steps=5, random_state=0)
    np.testing.assert_array_equal(again.image, first.image)
