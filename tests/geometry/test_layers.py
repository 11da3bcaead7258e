import numpy as np
import pytest

from reluscope.errors import InvalidInputError
from reluscope.geometry import bent_hyperplanes_2d, depth_experiment, he_network, layer_metrics, sample_inputs, slice_2d

from .conftest import toy_net


def test_layer_metrics_equal_direct_numpy():
    net = he_network(3, [7, 5, 6], bias_std=0.2, random_state=1)
    X = sample_inputs("normal", 400, 3, random_state=2)
    m = layer_metrics(net, X, n_directions=64, random_state=5)
    H = X
    ons = []
    rng = np.random.default_rng(5)
    dirs = rng.normal(size=(64, 7))
    for l in range(3):
        Z = H @ net.weights[l].T + net.biases[l]
        H = np.maximum(Z, 0)
        on = Z > 0
        ons.append(on)
        assert np.array_equal(m.activity[l], on.mean(axis=0))
        assert m.stably_on[l] == (on.all(axis=0)).sum() and m.stably_off[l] == (~on.any(axis=0)).sum()
        assert m.mean_distance[l + 1] == pytest.approx(np.mean(np.sqrt((H**2).sum(1))), rel=1e-12)
        assert m.stable_rank[l + 1] == pytest.approx(np.linalg.norm(H, "fro") ** 2 / np.linalg.norm(H, 2) ** 2, rel=1e-10)
        U = dirs[:, : H.shape[1]] / np.linalg.norm(dirs[:, : H.shape[1]], axis=1, keepdims=True)
        P = H @ U.T
        assert m.spherical_mean_width[l + 1] == pytest.approx(np.mean(P.max(0) - P.min(0)), rel=1e-12)
        ev = np.linalg.eigvalsh(np.cov(H.T, bias=True))
        assert m.n_nonzero_eigenvalues[l + 1] == (ev > 1e-10 * ev.max()).sum()
        assert np.array_equal(m.cell_dimension[:, l], on.sum(axis=1))
        assert m.activity_hist[l].sum() == pytest.approx(1.0)
        # PCA: variance of the first score is the top covariance eigenvalue
        assert np.var(m.pca_scores[l + 1][:, 0]) == pytest.approx(ev.max(), rel=1e-9)
    assert np.array_equal(m.active, np.concatenate(ons, axis=1))  # the activation heatmap


def test_proposition_4_5_4_cell_image_dimension_bound():
    """dim G_(k)(C) <= min(d, min_{l<=k} active_l) (Proposition 4.5.4): exact ranks on random cells.

    The bound is also attained for most cells of a wide layer (d = 3 < width): rank = min(d, active).
    """
    m = depth_experiment(3, 6, 8, distribution="uniform", n_samples=600, random_state=4)
    assert (m.image_dimension <= m.dimension_bound[: m.image_dimension.shape[0]]).all()
    assert (m.image_dimension[:, 0] == m.dimension_bound[: m.image_dimension.shape[0], 0]).mean() > 0.9


def test_depth_drivers_and_bad_input():
    for dist in ("normal", "uniform", "sphere"):
        X = sample_inputs(dist, 50, 4, scale=2.0, random_state=0)
        assert X.shape == (50, 4)
    assert np.allclose(np.linalg.norm(sample_inputs("sphere", 10, 3, scale=2.0), axis=1), 2.0)
    with pytest.raises(InvalidInputError):
        sample_inputs("cauchy", 5, 2)
    with pytest.raises(InvalidInputError):
        layer_metrics(he_network(2, [3]), np.zeros((4, 2)), n_directions=0)


def test_bent_hyperplanes_of_the_toy_net():
    net = toy_net()
    s = slice_2d(net, [0, 0], [1, 0], [0, 1])
    b = bent_hyperplanes_2d(net, s, level=1.0)
    # every segment lies on its unit's zero set (both ends), checked by a forward pass
    from reluscope.geometry.bent import _preactivations

    for end in (0, 1):
        Z = _preactivations(net, b.segments[:, end])
        assert np.abs(Z[np.arange(len(b.unit)), b.unit]).max() < 1e-9
    # first-layer units are straight lines through the box: lengths 2 * sqrt(2) each (the diagonals)
    length = np.linalg.norm(b.segments[:, 1] - b.segments[:, 0], axis=1)
    for j in (0, 1):
        assert length[b.unit == j].sum() == pytest.approx(2 * np.sqrt(2), rel=1e-9)
    # the level set eta = 1: the network equals 1 at both ends of each piece
    from reluscope.patterns import compute_patterns

    for end in (0, 1):
        _, eta = compute_patterns(net, b.boundary[:, end])
        assert np.allclose(eta[:, 0], 1.0, atol=1e-9)
