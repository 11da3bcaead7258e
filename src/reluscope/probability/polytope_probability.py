"""Probability of a polytope ``{x : A x <= c}`` under a Gaussian mixture: the kernel of :mod:`reluscope.probability`.

Proposition 1 of ``002`` writes a pattern's probability as Gaussian orthant
probabilities of the stacked pre-activations ``C x + d``.  With more hidden
units than inputs that stacked covariance ``C Sigma C^T`` is rank-deficient,
so we work in input space instead (the paper's "suitable transformation",
section 3.1): drop the redundant rows by LP
(:func:`reluscope.geometry.redundant_rows`), whiten each component
``x = mu_k + L_k u`` so the region becomes ``{u : G u <= h}`` with
``G = A L_k``, ``h = c - A mu_k``, and project ``u`` on the row space of ``G``
(rank ``k``).  Then:

=================  =========================================================
method             when
=================  =========================================================
``exact-1d``       rank 1: an interval, ``Phi(hi) - Phi(lo)``
``exact-2d``       rank 2: a polygon, triangles from the origin, Owen's T
``exact-product``  orthogonal rows: the product of half-space probabilities
``qmc``            otherwise: randomised QMC, separation of variables
``qmc-tilted``     the same with exponential tilting, for tail regions
``empty``          the rows contradict each other
=================  =========================================================

The error column is a standard error for the QMC methods and a round-off
bound for the exact ones.  Tail regions keep a relative accuracy (Owen's T
terms, never ``1 - (1 - p)``; tilted QMC): probabilities of 1e-12 and far
below come out positive with a relative error bar; only regions beyond about
37 standard deviations (probability under 1e-300) underflow to 0.  A mixture adds its components (weights ``alpha_k``)
and their variances.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from ..errors import InvalidInputError, ShapeMismatchError
from ..geometry.polytope import normalize_rows, redundant_rows
from ._polygon import BOX_SIGMAS, box_polygon, clip_polygon, polygons_mass
from ._sov import interval_mass, sov_probability
from .distributions import GaussianMixture

__all__ = ["PolytopeProbability", "polytope_probability", "whitened_probability", "combine_methods", "non_redundant"]

_EPS = np.finfo(float).eps
#: Singular values below this fraction of the largest count as zero when projecting on the row space.
RANK_TOL = 1e-10


@dataclass(frozen=True)
class PolytopeProbability:
    """``P(x in {A x <= c})`` with its error.

    Attributes
    ----------
    probability : float
    std_error : float
        Standard error (QMC) or round-off bound (exact methods).
    method : str
        See the module docstring; components with different methods are joined by '+'.
    n_constraints : int
        Rows left after removing the redundant ones.
    n_points : int
        QMC points spent (0 for exact methods).

    Examples
    --------
    The positive orthant of ``N(0, I_3)`` has probability ``1/2^3``, computed exactly:

    >>> from reluscope.probability import GaussianMixture, polytope_probability
    >>> res = polytope_probability(-np.eye(3), np.zeros(3), GaussianMixture.normal(np.zeros(3)))
    >>> res.probability, res.method, res.n_constraints, res.n_points
    (0.125, 'exact-product', 3, 0)
    """

    probability: float
    std_error: float
    method: str
    n_constraints: int
    n_points: int


def combine_methods(methods) -> str:
    """One label for several components' methods (sorted, unique, '+'-joined)."""
    return "+".join(sorted(set(methods)))


def _rank1(g: np.ndarray, h: np.ndarray) -> tuple[float, float]:
    with np.errstate(divide="ignore"):
        b = h / g
    hi = b[g > 0].min() if (g > 0).any() else np.inf
    lo = b[g < 0].max() if (g < 0).any() else -np.inf
    p = float(interval_mass(np.array(lo), np.array(hi)))
    return p, 8 * _EPS * p


def _rank2(G: np.ndarray, h: np.ndarray) -> tuple[float, float]:
    V = box_polygon(np.array([[-BOX_SIGMAS, BOX_SIGMAS]] * 2))
    for g, b in zip(G, h):
        V = clip_polygon(V, g, b)
        if V.shape[0] < 3:
            return 0.0, 0.0
    m, e = polygons_mass([V])
    return float(m[0]), float(e[0])


def whitened_probability(
    G: np.ndarray, h: np.ndarray, *, rtol: float = 1e-3, max_points: int = 2**18, rng: np.random.Generator | None = None
) -> tuple[float, float, str, int]:
    """``P(G u <= h)`` for ``u ~ N(0, I_r)``: ``(probability, error, method, n_points)``.

    ``G`` (m, r) may have any rank and more rows than columns.
    """
    rng = np.random.default_rng(rng)
    norms = np.linalg.norm(G, axis=1)
    top = norms.max() if norms.size else 0.0
    zero = norms <= RANK_TOL * max(top, 1.0)
    if (h[zero] < -1e-12).any():
        return 0.0, 0.0, "empty", 0
    G, h = G[~zero] / norms[~zero, None], h[~zero] / norms[~zero]
    if G.shape[0] == 0:
        return 1.0, 0.0, "exact-1d", 0
    _, s, Vt = np.linalg.svd(G, full_matrices=False)
    k = int((s > RANK_TOL * s[0]).sum())
    Gk = G @ Vt[:k].T  # coordinates on the row space: u_k = Vt[:k] u ~ N(0, I_k)
    if k == 1:
        p, e = _rank1(Gk[:, 0], h)
        return p, e, "exact-1d", 0
    if k == 2:
        p, e = _rank2(Gk, h)
        return p, e, "exact-2d", 0
    gram = Gk @ Gk.T
    if G.shape[0] <= k and np.abs(gram - np.diag(np.diag(gram))).max() < 1e-12:
        p = float(np.prod(ndtr(h)))
        return p, 8 * G.shape[0] * _EPS * p, "exact-product", 0
    p, se, method, n = sov_probability(Gk, h, rtol=rtol, max_points=max_points, rng=rng)
    return p, se, method, n


def non_redundant(A: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(A, c)`` without its redundant rows (LP, :func:`reluscope.geometry.redundant_rows`).

    With fewer independent rows than dimensions the polytope is a cylinder over
    its projection on the row space of ``A``; redundancy is the same there, so
    the LPs run in ``rank(A)`` dimensions (96 instead of 784 for an MNIST net).
    Contradictory rows give one row ``0 <= -1`` (an empty region).
    """
    if A.shape[0] <= 1:
        return A, c
    _, s, Vt = np.linalg.svd(A, full_matrices=False)
    k = int((s > RANK_TOL * max(s[0], 1e-300)).sum())
    B = A @ Vt[:k].T if k < A.shape[1] else A
    Bn, cn, _ = normalize_rows(B, c)
    try:
        red, _ = redundant_rows(Bn, cn)
    except InvalidInputError:
        return np.zeros((1, A.shape[1])), np.array([-1.0])
    return A[~red], c[~red]


def _check_system(A, c, d: int) -> tuple[np.ndarray, np.ndarray]:
    A = np.asarray(A, dtype=np.float64)
    c = np.asarray(c, dtype=np.float64)
    if A.ndim == 1 and d == 1:
        A = A[:, None]
    if A.ndim != 2 or A.shape[1] != d or c.shape != (A.shape[0],):
        raise ShapeMismatchError(
            f"A polytope {{A x <= c}} in {d} dimensions needs A (m, {d}) and c (m,); got {A.shape} and {c.shape}."
        )
    if not (np.isfinite(A).all() and np.isfinite(c).all()):
        raise InvalidInputError("The polytope's A and c must be finite.")
    return A, c


def polytope_probability(
    A,
    c,
    distribution: GaussianMixture,
    *,
    remove_redundant: bool = True,
    rtol: float = 1e-3,
    max_points: int = 2**18,
    random_state=None,
) -> PolytopeProbability:
    """Probability that ``x ~ distribution`` lies in ``{x : A x <= c}`` (eq. 8 of ``002``).

    Parameters
    ----------
    A : array (m, d)
    c : array (m,)
    distribution : GaussianMixture
    remove_redundant : bool, default True
        Drop rows implied by the others first (one LP each,
        :func:`reluscope.geometry.redundant_rows`); fewer rows make
        QMC faster and more accurate, and often make the exact methods apply.
    rtol : float, default 1e-3
        Target relative standard error of the QMC methods.
    max_points : int
        QMC budget per mixture component.
    random_state : int, Generator or None
        Seeds the scrambled Sobol' points.

    Returns
    -------
    PolytopeProbability

    References
    ----------
    Chaudhari & Moura, *ReLU networks as random functions*, eq. 8, Proposition 1
    and the rank-deficient remark of section 3.1; Genz & Bretz (2009); Botev (2017).

    Examples
    --------
    Under ``N(0, I)`` a cone from the origin has the share of the full angle it spans: the
    45-degree wedge ``{0 <= x2 <= x1}`` has probability 1/8 (exact, Owen's T):

    >>> from reluscope.probability import GaussianMixture, polytope_probability
    >>> A = np.array([[0.0, -1.0], [-1.0, 1.0]])
    >>> res = polytope_probability(A, np.zeros(2), GaussianMixture.normal(np.zeros(2)))
    >>> res.probability, res.method
    (0.125, 'exact-2d')

    In 4-D the ordering ``x1 <= x2 <= x3 <= x4`` of exchangeable coordinates has probability
    ``1/4! = 0.041667``; the rows are not orthogonal, so it is estimated by randomised QMC,
    within a few standard errors:

    >>> A = np.array([[1.0, -1, 0, 0], [0, 1, -1, 0], [0, 0, 1, -1]])
    >>> res = polytope_probability(A, np.zeros(3), GaussianMixture.normal(np.zeros(4)), random_state=0)
    >>> res.method, bool(abs(res.probability - 1 / 24) < 4 * res.std_error), bool(res.std_error < 1e-4)
    ('qmc', True, True)

    Tail regions keep their relative accuracy: ``P(x >= 10) = 1 - Phi(10) = 7.62e-24``.

    >>> res = polytope_probability(np.array([[-1.0]]), np.array([-10.0]), GaussianMixture.normal([0.0]))
    >>> res.probability
    7.61985e-24
    """
    if not isinstance(distribution, GaussianMixture):
        raise InvalidInputError(f"distribution must be a reluscope.probability.GaussianMixture, got {type(distribution).__name__}.")
    A, c = _check_system(A, c, distribution.n_features)
    if remove_redundant:
        A, c = non_redundant(A, c)
    rng = np.random.default_rng(random_state)
    p = var = 0.0
    methods, spent = [], 0
    for w, mu, L in zip(distribution.weights, distribution.means, distribution.factors):
        pk, ek, mk, nk = whitened_probability(A @ L, c - A @ mu, rtol=rtol, max_points=max_points, rng=rng)
        p += w * pk
        var += (w * ek) ** 2
        methods.append(mk)
        spent += nk
    return PolytopeProbability(float(p), float(np.sqrt(var)), combine_methods(methods), int(A.shape[0]), spent)
