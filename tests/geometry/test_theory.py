"""Monte Carlo and exact checks of the statements of thesis 000 section 4.3 (see reluscope.geometry.theory).

Each Monte Carlo check states its standard error and asserts within 4 standard errors.
Where the thesis is wrong, the test asserts the correct value and that the thesis' value
is rejected by the same Monte Carlo.
"""

import numpy as np
import pytest

from reluscope.geometry import he_network, ray_space
from reluscope.geometry import theory as th
from reluscope.patterns import compute_patterns


def _sphere(rng, N, n):
    Z = rng.normal(size=(N, n))
    return Z / np.linalg.norm(Z, axis=1, keepdims=True)


def _mc(values):
    return values.mean(), values.std(ddof=1) / np.sqrt(values.size)


def test_lemma_4_3_9_and_proposition_4_3_10():
    rng = np.random.default_rng(0)
    n = 5
    x = _sphere(rng, 200_000, n)
    mean, se = _mc((np.maximum(x, 0) ** 2).sum(1))
    assert abs(mean - 0.5) < 4 * se
    M = rng.normal(size=(n, n))
    mean, se = _mc((np.maximum(x @ M.T, 0) ** 2).sum(1))
    sig = np.linalg.svd(M, compute_uv=False)
    assert abs(mean - (sig**2).sum() / (2 * n)) < 4 * se
    assert (sig**2).sum() == pytest.approx((M**2).sum(), rel=1e-12)  # Lemma 4.3.14


@pytest.mark.parametrize("n", [1, 2, 3, 10])
def test_lemma_4_3_11_corrected(n):
    """The thesis states ratio 1/4; the correct ratio is (1 - 2 n m_n^2) / 2 (1/4 only for n = 1)."""
    rng = np.random.default_rng(n)
    x, y = _sphere(rng, 200_000, n), _sphere(rng, 200_000, n)
    num = ((np.maximum(x, 0) - np.maximum(y, 0)) ** 2).sum(1)
    mean, se = _mc(num / 2.0)  # E|x - y|^2 = 2 exactly
    assert abs(mean - th.relu_distance_ratio(n)) < 4 * se
    if n >= 2:
        assert abs(mean - 0.25) > 10 * se  # the thesis' value is rejected
    assert th.relu_distance_ratio(1) == pytest.approx(0.25)
    assert th.relu_distance_ratio(2) == pytest.approx((1 - 4 / np.pi**2) / 2)


def test_proposition_4_3_12_and_lemma_4_3_13_corrected():
    rng = np.random.default_rng(7)
    n = 4
    M = rng.normal(size=(n, n))
    x, y = _sphere(rng, 200_000, n), _sphere(rng, 200_000, n)
    lin, se_lin = _mc(((x - y) @ M.T) ** 2 @ np.ones(n) / 2.0)
    assert abs(lin - (M**2).sum() / n) < 4 * se_lin  # Lemma 4.3.13 holds
    rel, se = _mc(((np.maximum(x @ M.T, 0) - np.maximum(y @ M.T, 0)) ** 2).sum(1) / 2.0)
    assert abs(rel - th.relu_matrix_distance_ratio(M)) < 4 * se
    assert abs(rel - (M**2).sum() / (4 * n)) > 10 * se  # the thesis' 1/(4n) sum sigma^2 is rejected


def test_propositions_4_3_16_17_and_remark_4_3_18_with_he_weights():
    """Over random M ~ N(0, 2/n): magnitude ratio 1 (holds); distance ratio 1 - 2 n m_n^2, not 1/2."""
    rng = np.random.default_rng(11)
    n, n_mat, n_pts = 3, 2000, 200
    sigma2 = 2.0 / n
    mags, dists, lins = [], [], []
    for _ in range(n_mat):
        M = rng.normal(0, np.sqrt(sigma2), (n, n))
        x, y = _sphere(rng, n_pts, n), _sphere(rng, n_pts, n)
        Rx, Ry = np.maximum(x @ M.T, 0), np.maximum(y @ M.T, 0)
        mags.append((Rx**2).sum(1).mean())
        dists.append(((Rx - Ry) ** 2).sum(1).mean() / 2.0)
        lins.append((((x - y) @ M.T) ** 2).sum(1).mean() / 2.0)
    for values, expected in ((mags, n * sigma2 / 2), (dists, th.expected_relu_distance_ratio(n, sigma2)), (lins, n * sigma2)):
        mean, se = _mc(np.array(values))
        assert abs(mean - expected) < 4 * se
    mean, se = _mc(np.array(dists))
    assert abs(mean - 0.5) > 10 * se  # Remark 4.3.18's "halved" is rejected
    assert th.expected_relu_distance_ratio(n, sigma2) == pytest.approx(1 - 2 * n * th.sphere_positive_part_mean(n) ** 2)


def test_lemma_4_3_5_boundedness_matches_far_away_outputs():
    """Ray_(k) = {0} (exact enumeration) iff the k-th layer image stays bounded far from the origin."""
    seen = set()
    for seed in range(40):
        net = he_network(2, [2, 2, 2, 2], bias_std=0.5, random_state=seed)
        rs = ray_space(net)
        rng = np.random.default_rng(seed)
        U = _sphere(rng, 400, 2)
        for k in range(1, 5):
            H = [1e3 * U, 1e6 * U]
            norms = []
            for X in H:
                for l in range(k):
                    X = np.maximum(X @ net.weights[l].T + net.biases[l], 0)
                norms.append(np.linalg.norm(X, axis=1).max())
            grows = norms[1] > 100 * max(norms[0], 1.0)
            assert grows == (not rs.bounded[k - 1])
            seen.add(bool(rs.bounded[k - 1]))
    assert seen == {True, False}  # both cases occurred


def test_theorems_4_and_5_by_monte_carlo():
    """P(unbounded) >= prod (1 - 2^-n_i) (Thm 4), P(bounded) >= 1 - prod (1 - 2^-(n_{i-1} n_i)) (Thm 5)."""
    widths = [2, 1, 2, 1]
    N = 300
    bounded = np.array([ray_space(he_network(2, widths, random_state=s), layers=[4]).bounded[0] for s in range(N)])
    p_b = bounded.mean()
    se = np.sqrt(p_b * (1 - p_b) / N)
    assert 1 - p_b >= th.theorem4_unbounded_bound(widths) - 4 * se
    assert p_b >= th.theorem5_bounded_bound(widths) - 4 * se
    assert 0.05 < p_b < 0.95  # a non-trivial check
