"""Closed forms of thesis ``000`` section 4.3.2-4.3.4, corrected where the thesis is wrong.

For ``x`` uniform on the unit sphere ``S^{n-1}`` (``dA`` normalised to total mass 1):

- Lemma 4.3.9 (holds): ``E |Relu x|^2 = 1/2``.
- Proposition 4.3.10 (holds): ``E |Relu(M x)|^2 = |M|_F^2 / (2 n)``.
- Lemma 4.3.13 (holds): ``E |M x - M y|^2 = |M|_F^2 / n * E |x - y|^2`` with ``E |x - y|^2 = 2``.
- Lemma 4.3.11 (wrong for n >= 2): the thesis states ``E |Relu x - Relu y|^2 = 1/4 E |x - y|^2``.
  The cross term ``E[Relu x] . E[Relu y] = n m_n^2`` does not vanish, with
  ``m_n = E[x_1^+] = Gamma(n/2) / (2 sqrt(pi) Gamma((n+1)/2))``, so the ratio is
  ``(1 - 2 n m_n^2) / 2``: 1/4 only for ``n = 1``; ``(1 - 4/pi^2)/2 = 0.297`` for ``n = 2``,
  ``-> (1 - 1/pi)/2 = 0.341`` as ``n -> inf``.  The proof's "symmetry" step drops the cross term.
- Proposition 4.3.12 (wrong for the same reason): the ratio is ``|M|_F^2 (1/n - 2 m_n^2) / 2``,
  not ``|M|_F^2 / (4 n)`` (row ``i`` contributes ``E[(M_i . x)^+] = |M_i| m_n``).
- Proposition 4.3.16 (holds): ``E_M E|M x|^2 = n sigma^2``, ``E_M E|Relu M x|^2 = n sigma^2 / 2``.
- Proposition 4.3.17 (mislabelled and wrong): the thesis gives ``n sigma^2`` for the ReLU map and
  ``n sigma^2 / 4`` for the linear one.  The linear ratio is ``n sigma^2`` (Lemmas 4.3.13, 4.3.15);
  the ReLU ratio is ``n sigma^2 (1 - 2 n m_n^2) / 2``.
- Remark 4.3.18: with He's ``sigma^2 = 2/n`` the magnitude is preserved (1, holds), but the
  distance ratio is ``1 - 2 n m_n^2`` (0.595 for n = 2, -> 1 - 1/pi = 0.682), not 1/2.
- Theorem 4: ``P(Im_(k) unbounded) >= prod_{i=1..k} (1 - 2^{-n_i})``;
  Theorem 5: ``P(Im_(k) bounded) >= 1 - prod_{i=2..k} (1 - 2^{-n_{i-1} n_i})`` (for weights with
  a sign-symmetric continuous law; checked by Monte Carlo in the tests).
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

__all__ = [
    "sphere_positive_part_mean",
    "relu_distance_ratio",
    "relu_matrix_distance_ratio",
    "expected_relu_distance_ratio",
    "theorem4_unbounded_bound",
    "theorem5_bounded_bound",
]


def sphere_positive_part_mean(n: int) -> float:
    """``m_n = E[max(x_1, 0)]`` for ``x`` uniform on ``S^{n-1}``."""
    return float(np.exp(gammaln(n / 2) - gammaln((n + 1) / 2)) / (2 * np.sqrt(np.pi)))


def relu_distance_ratio(n: int) -> float:
    """``E|Relu x - Relu y|^2 / E|x - y|^2`` on ``S^{n-1}`` (Lemma 4.3.11 corrected)."""
    m = sphere_positive_part_mean(n)
    return (1.0 - 2.0 * n * m * m) / 2.0


def relu_matrix_distance_ratio(M: np.ndarray) -> float:
    """``E|Relu Mx - Relu My|^2 / E|x - y|^2`` for a fixed square ``M`` (Proposition 4.3.12 corrected)."""
    n = M.shape[1]
    m = sphere_positive_part_mean(n)
    return float((M**2).sum() * (1.0 / n - 2.0 * m * m) / 2.0)


def expected_relu_distance_ratio(n: int, sigma2: float) -> float:
    """``E_M`` of the ratio for ``M`` with i.i.d. ``N(0, sigma2)`` entries (Proposition 4.3.17 corrected)."""
    m = sphere_positive_part_mean(n)
    return n * sigma2 * (1.0 - 2.0 * n * m * m) / 2.0


def theorem4_unbounded_bound(widths) -> float:
    """Theorem 4: lower bound of ``P(Im_(k) unbounded)`` for hidden widths ``n_1..n_k``."""
    return float(np.prod([1.0 - 2.0 ** (-int(n)) for n in widths]))


def theorem5_bounded_bound(widths) -> float:
    """Theorem 5: lower bound of ``P(Im_(k) bounded)`` for hidden widths ``n_1..n_k`` (k >= 2)."""
    w = [int(n) for n in widths]
    return float(1.0 - np.prod([1.0 - 2.0 ** (-(a * b)) for a, b in zip(w[:-1], w[1:])]))
