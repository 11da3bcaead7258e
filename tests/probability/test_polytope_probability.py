"""The kernel P(A x <= c) against closed forms, SciPy and high-precision references."""

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import ndtr
from scipy.stats import multivariate_normal

from reluscope.errors import InvalidInputError, ShapeMismatchError
from reluscope.geometry.polytope import chebyshev_center, normalize_rows, polygon_vertices
from reluscope.probability import GaussianMixture, polytope_probability

mpmath = pytest.importorskip("mpmath", reason="high-precision references need mpmath (installed with torch, via sympy)")


def _polygon_reference(V):
    """Independent mass of a convex polygon under N(0, I): 1-D quad over x of phi(x) [Phi(upper) - Phi(lower)]."""
    xs = np.unique(V[:, 0])
    n = len(V)

    def limits(x):
        ys = []
        for i in range(n):
            a, b = V[i], V[(i + 1) % n]
            if min(a[0], b[0]) <= x <= max(a[0], b[0]) and a[0] != b[0]:
                ys.append(a[1] + (x - a[0]) * (b[1] - a[1]) / (b[0] - a[0]))
        return min(ys), max(ys)

    f = lambda x: np.exp(-x * x / 2) / np.sqrt(2 * np.pi) * max(ndtr(limits(x)[1]) - ndtr(limits(x)[0]), 0.0)
    return sum(quad(f, a, b, epsabs=0, epsrel=1e-12)[0] for a, b in zip(xs[:-1], xs[1:]))


def test_interval_in_one_dimension_is_exact():
    gm = GaussianMixture.normal([0.5], 2.0)
    r = polytope_probability([[1.0], [-1.0], [1.0]], [1.5, 0.2, 3.0], gm)
    sd = np.sqrt(2.0)
    assert r.method == "exact-1d" and r.n_constraints == 2
    assert r.probability == pytest.approx(ndtr((1.5 - 0.5) / sd) - ndtr((-0.2 - 0.5) / sd), rel=1e-14)


def test_orthogonal_rows_give_the_product_of_half_spaces():
    gm = GaussianMixture.normal(np.zeros(4), 1.0)
    Q = np.linalg.qr(np.random.default_rng(0).normal(size=(4, 4)))[0]
    c = np.array([0.3, -0.5, 1.0, 0.1])
    r = polytope_probability(Q[:3], c[:3], gm)
    assert r.method == "exact-product"
    assert r.probability == pytest.approx(np.prod(ndtr(c[:3])), rel=1e-13)


def test_polygon_with_many_rows_matches_an_independent_quadrature():
    # 12 half-planes in 2-D (hidden >> d), a correlated Gaussian, redundant rows included
    rng = np.random.default_rng(3)
    A = rng.normal(size=(12, 2))
    c = np.abs(rng.normal(size=12)) + 0.3
    S = np.array([[1.0, 0.6], [0.6, 2.0]])
    gm = GaussianMixture.normal([0.2, -0.1], S)
    r = polytope_probability(A, c, gm)
    assert r.method == "exact-2d"
    L = np.linalg.cholesky(S)
    G, h = A @ L, c - A @ gm.means[0]
    Gn, hn, _ = normalize_rows(G, h)
    box = np.array([[-40.0, 40.0]] * 2)
    V = polygon_vertices(Gn, hn, box, chebyshev_center(Gn, hn, box)[0])
    assert r.probability == pytest.approx(_polygon_reference(V), rel=1e-9)


def test_tail_polygon_below_1e_9_has_relative_accuracy():
    # the triangle (9, 0), (12, 1), (10, 4) under N(0, I): about 1.5e-20; mpmath at 30 digits
    V = np.array([[9.0, 0.0], [12.0, 1.0], [10.0, 4.0]])
    A = np.array([[V[1, 1] - V[0, 1], V[0, 0] - V[1, 0]], [V[2, 1] - V[1, 1], V[1, 0] - V[2, 0]], [V[0, 1] - V[2, 1], V[2, 0] - V[0, 0]]])
    A = -A  # counter-clockwise: interior on the left
    c = np.einsum("ij,ij->i", A, V)
    mpmath.mp.dps = 30
    up = lambda x: 4 * (x - 9) if x <= 10 else 4 - 1.5 * (x - 10)
    f = lambda x: mpmath.npdf(x) * (mpmath.ncdf(up(x)) - mpmath.ncdf((x - 9) / 3))
    ref = float(mpmath.quad(f, [9, 10, 12]))
    r = polytope_probability(A, c, GaussianMixture.normal([0.0, 0.0], 1.0))
    assert 1e-21 < ref < 1e-19
    assert r.probability == pytest.approx(ref, rel=1e-10)
    assert r.std_error < 1e-12 * ref


def test_qmc_matches_scipy_genz_on_a_full_rank_orthant():
    rng = np.random.default_rng(1)
    S = rng.normal(size=(4, 4))
    S = S @ S.T + np.eye(4)
    b = np.array([0.5, 1.0, -0.3, 2.0])
    r = polytope_probability(np.eye(4), b, GaussianMixture.normal(np.zeros(4), S), random_state=0)
    ref = multivariate_normal(np.zeros(4), S, maxpts=10**6, abseps=1e-7, releps=1e-7).cdf(b)
    assert r.method == "qmc"
    assert abs(r.probability - ref) < 4 * r.std_error + 4e-7
    assert r.std_error < 1e-3 * r.probability


@pytest.mark.parametrize("t0", [4.0, 6.0])
def test_tiny_orthant_probability_against_a_high_precision_reference(t0):
    # P(X_i > t0, i = 1..3), X equicorrelated (rho = 1/2): a 1-D integral at 30 digits; 4e-8 and 5e-15
    rho, d = 0.5, 3
    S = np.full((d, d), rho) + np.eye(d) * (1 - rho)
    mpmath.mp.dps = 30
    ref = float(
        mpmath.quad(
            lambda z: mpmath.npdf(z) * mpmath.ncdf((mpmath.sqrt(rho) * z - t0) / mpmath.sqrt(1 - rho)) ** d,
            [-mpmath.inf, 0, t0, mpmath.inf],
        )
    )
    r = polytope_probability(-np.eye(d), -np.full(d, t0), GaussianMixture.normal(np.zeros(d), S), random_state=0)
    assert ref < 1e-7
    assert r.method == "qmc-tilted"
    assert r.probability > 0 and r.std_error < 2e-3 * r.probability
    assert abs(r.probability - ref) < 4 * r.std_error


@pytest.mark.slow
def test_rank_deficient_polytope_in_3d_matches_nested_quadrature():
    # 10 rows in 3-D: the stacked covariance of Proposition 1 would be rank 3 of 10
    rng = np.random.default_rng(5)
    A = rng.normal(size=(10, 3))
    c = np.abs(rng.normal(size=10)) * 0.8 + 0.2
    gm = GaussianMixture.normal(np.zeros(3), 1.0)
    r = polytope_probability(A, c, gm, random_state=0, rtol=2e-4)

    def inner(x3):  # slice at x3: polygon {A[:, :2] y <= c - A[:, 2] x3}
        h = c - A[:, 2] * x3
        An, hn, _ = normalize_rows(A[:, :2], h)
        box = np.array([[-12.0, 12.0]] * 2)
        ctr, rad = chebyshev_center(An, hn, box)
        if rad <= 1e-12:
            return 0.0
        return _polygon_reference(polygon_vertices(An, hn, box, ctr))

    xs, ws = np.polynomial.legendre.leggauss(48)
    edges = np.linspace(-8, 8, 17)
    ref = 0.0
    for a, b in zip(edges[:-1], edges[1:]):
        for x, w in zip((a + b) / 2 + (b - a) / 2 * xs, (b - a) / 2 * ws):
            ref += w * np.exp(-x * x / 2) / np.sqrt(2 * np.pi) * inner(x)
    assert r.method.startswith("qmc")
    assert abs(r.probability - ref) < 4 * r.std_error + 1e-6 * ref


def test_mixture_adds_components():
    gm = GaussianMixture([0.25, 0.75], [[0.0], [2.0]], [[[1.0]], [[0.25]]])
    r = polytope_probability([[1.0]], [1.0], gm)
    assert r.probability == pytest.approx(0.25 * ndtr(1.0) + 0.75 * ndtr(-2.0), rel=1e-13)


def test_empty_polytope_has_probability_zero():
    r = polytope_probability([[1.0, 0.0], [-1.0, 0.0]], [-1.0, -1.0], GaussianMixture.normal([0.0, 0.0], 1.0))
    assert r.probability == 0.0


def test_bad_polytopes_raise_typed_errors():
    gm = GaussianMixture.normal([0.0, 0.0], 1.0)
    with pytest.raises(ShapeMismatchError):
        polytope_probability(np.ones((2, 3)), np.ones(2), gm)
    with pytest.raises(InvalidInputError):
        polytope_probability(np.ones((2, 2)), [np.inf, 1.0], gm)
    with pytest.raises(InvalidInputError, match="GaussianMixture"):
        polytope_probability(np.ones((2, 2)), np.ones(2), "normal")
