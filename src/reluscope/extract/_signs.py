"""0/1 flips from a linear system ``A xi = b``: a linear solve, else lattice reduction (LLL); never a search.

Where it is used.  With a layer's rows known up to sign, ``relu(-z) = relu(z) - z`` moves every flipped
neuron into a linear term, so the flips ``xi`` (``xi_k = 1``: neuron ``k`` points the wrong way) solve a
linear system whose columns are known.  For the last hidden layer (``_assemble.fit_last_layer``)

    f = sum_k p_k relu(z_k) + q . u + c,   and   sum_k xi_k p_k W_k = -q,

with ``u`` the layer's input (``m`` values) and ``h`` neurons: ``A = W^T diag(p)`` is ``m x h``.  Nothing
else in ``f`` depends on ``xi``, so when the layer is wider than its input (``h > m``) sign recovery *is*
an ``m``-dimensional subset-sum problem; no choice of queries adds an equation.  Subset sum is NP-hard in
general, but these instances have real-valued data measured to about ``1e-11``: each of the ``m``
equations carries some 36 bits, so the *density* ``h / (36 m)`` is low (0.09 for 10-32-1), and low-density
subset sums are solved in polynomial time by lattice reduction (Lagarias & Odlyzko 1985; the embedding of
Coster, Joux, LaMacchia, Odlyzko, Schnorr & Stern 1992): in the lattice spanned by the rows

    (2 e_k,  round(K A[:, k]))   k = 1..h,        (1, ..., 1,  round(K b)),

the vector ``(2 xi - 1, K (A xi - b))`` has entries ``+-1`` and a small tail, much shorter than any other
lattice vector when the density is low, and LLL (polynomial time) finds it.  ``K`` is set from the noise
level so that the true solution's tail stays of order one.  Every candidate is checked on the real-valued
system (``max |A xi - b| <= tol``); the lattice never decides alone.

LLL is SymPy's (``DomainMatrix.lll``), which runs on FLINT when ``python-flint`` is installed (the
``extract`` extra; 4 s instead of about 4 minutes for a 128-neuron layer over 50 inputs).

Limit, measured (``benchmarks/extraction.py --signs``): LLL finds the flips when the layer is at most
about 64 wide and the density at most about 0.2-0.4 (10-64: 5 of 5 random instances, 0.1 s; 20-128 and
50-128: 5 of 5); it misses at 10-128, 4-64, 2-64.  There the flips raise ``ExtractionError`` and the
caller falls back to a stand-in that keeps the function exact (``sign_recovery`` says so).  A HiGHS
branch and bound on the same 0/1 program was tried as a last resort and dropped: it found nothing LLL
missed within 60 s (2-64, 4-64, 4-128, 10-128: 3 of 3 time-outs each) and took 1.6-60 s where LLL takes
0.01-0.1 s.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import ExtractionError

__all__ = ["binary_solve", "lattice_flips", "LINEAR_SOLVE", "LATTICE"]

LINEAR_SOLVE = "linear solve"
LATTICE = "lattice (LLL)"

# Noise levels relative to the scale of b, finest first: a smaller level means a larger scale K, a lower
# density and an easier lattice (extracted weights are accurate to about 1e-11); every candidate is
# checked at its rung's tolerance.
_TOLERANCES = (1e-11, 1e-10, 1e-9, 1e-7, 1e-5)


def binary_solve(A: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, str]:
    """Flips ``xi`` in ``{0, 1}^n`` with ``A xi = b`` and the method that found them.

    Full column rank: one least-squares solve, rounded (the flips must come out within 1e-3 of 0/1).
    Otherwise lattice reduction (:func:`lattice_flips`).  Raises ``ExtractionError`` when neither finds a
    0/1 vector that solves the system (a neuron was missed or mis-estimated, or the subset sum is too
    dense for LLL).
    """
    A = np.asarray(A, dtype=float); b = np.asarray(b, dtype=float)
    n = A.shape[1]
    scale = 1.0 + float(np.abs(b).max(initial=0.0))
    if np.linalg.matrix_rank(A, tol=1e-9 * (np.abs(A).max(initial=0.0) + 1e-300)) == n:
        xi, *_ = np.linalg.lstsq(A, b, rcond=None)
        xi_round = np.round(xi)
        if np.abs(xi - xi_round).max() <= 1e-3 and np.isin(xi_round, (0.0, 1.0)).all():
            return xi_round, LINEAR_SOLVE
        raise ExtractionError(
            f"Sign recovery of the last hidden layer gave non-binary flips (max distance to 0/1: {np.abs(xi - xi_round).max():.2e}): "
            "some neuron was missed or mis-estimated. Query more lines (n_lines) or check the architecture."
        )
    for tol in _TOLERANCES:
        xi = lattice_flips(A, b, tol * scale)
        if xi is not None:
            return xi, LATTICE
    raise ExtractionError(
        "Lattice reduction found no 0/1 sign assignment of the last hidden layer that reproduces the linear part of the fit: "
        f"a neuron was missed or mis-estimated, or the layer is too wide for its input ({n} neurons over "
        f"{A.shape[0]} inputs) for LLL to find the signs."
    )


def lattice_flips(A: np.ndarray, b: np.ndarray, tol: float) -> np.ndarray | None:
    """A 0/1 vector ``xi`` with ``max |A xi - b| <= tol`` found by LLL on the CJLOSS embedding; None if LLL misses it.

    Parameters
    ----------
    A : (m, n) array
        Columns known to about ``tol``; any rank.
    b : (m,) array
    tol : float
        Absolute accuracy of ``A`` and ``b``: sets the lattice scale ``K`` (the true solution's tail
        ``K (A xi - b)`` is then of order one) and is the acceptance test of every candidate.
    """
    A = np.asarray(A, dtype=float); b = np.asarray(b, dtype=float)
    n = A.shape[1]
    # equal solution sets in fewer coordinates: an orthonormal basis of the span of [A b]
    Q, s, _ = np.linalg.svd(np.column_stack([A, b]), full_matrices=False)
    Q = Q[:, s > 1e-12 * s[0]] if s.size and s[0] > 0 else Q[:, :0]
    As, bs = Q.T @ A, Q.T @ b
    K = 0.25 / max(tol, 1e-300)
    if not np.isfinite(K * np.abs(As).max(initial=0.0)) or K * np.abs(As).max(initial=0.0) > 2.0 ** 62:
        return None
    tail = np.rint(K * np.column_stack([As, bs])).astype(np.int64)  # (r, n + 1)
    rows = np.zeros((n + 1, n + tail.shape[0]), np.int64)
    rows[:n, :n] = 2 * np.eye(n, dtype=np.int64)
    rows[n, :n] = 1
    rows[:, n:] = tail.T
    reduced = _lll(rows)
    best, best_err = None, np.inf
    for row in reduced:
        v = row[:n]
        if not np.all(np.abs(v) == 1):
            continue
        for xi in ((1 + v) // 2, (1 - v) // 2):
            xi = xi.astype(float)
            err = float(np.abs(A @ xi - b).max(initial=0.0))
            if err <= tol and err < best_err:
                best, best_err = xi, err
    return best


def _lll(rows: np.ndarray) -> np.ndarray:
    """LLL-reduced basis (delta = 0.99) of the integer rows, by SymPy (on FLINT when python-flint is installed)."""
    from sympy import QQ, ZZ
    from sympy.polys.matrices import DomainMatrix

    M = DomainMatrix([[ZZ(int(v)) for v in r] for r in rows], rows.shape, ZZ)
    if rows.shape[0] > 40 and type(M.rep).__name__ != "DFM":  # DFM: SymPy's FLINT-backed matrices
        warnings.warn(
            f"Lattice reduction of a {rows.shape[0]}-dimensional lattice runs in pure Python (python-flint is not "
            "installed) and can take minutes; `pip install reluscope[extract]` makes it about 1,000x faster.",
            UserWarning, stacklevel=4)
    return np.array([[int(v) for v in r] for r in M.lll(delta=QQ(99, 100)).to_list()], dtype=object)
