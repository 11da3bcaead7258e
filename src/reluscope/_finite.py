"""Finite checks of the exactness certificate (no number is certified unless it is finite).

Private to the package.  :func:`reluscope.unwrap` and
:meth:`LocalLinearModels.verify` compute ``max |eta - LLM(x)|`` and the scale of
the tolerance chunk by chunk; an overflowing forward pass (inputs or weights
near 1e308) makes ``eta`` or the LLM value NaN / infinite, and a NaN error or an
infinite tolerance would otherwise pass the comparison ``err <= rtol * scale``.
"""

from __future__ import annotations

import numpy as np

from .errors import NotExactError
from .patterns import DEFAULT_CHUNK_SIZE

__all__ = ["nonfinite_rows", "certify_finite"]


def nonfinite_rows(X, eta, coef, intercept, region, chunk_size: int = DEFAULT_CHUNK_SIZE) -> np.ndarray:
    """Rows whose output, LLM value, error or scale ``sum_j |w_j x_j|`` is NaN or infinite."""
    bad = np.zeros(X.shape[0], bool)
    with np.errstate(all="ignore"):
        for s in range(0, X.shape[0], chunk_size):
            Xs, rs, es = X[s : s + chunk_size], region[s : s + chunk_size], eta[s : s + chunk_size]
            for j in range(coef.shape[1]):
                W = coef[rs, j, :]
                llm = np.einsum("nd,nd->n", Xs, W) + intercept[rs, j]
                size = np.einsum("nd,nd->n", np.abs(Xs), np.abs(W))
                bad[s : s + chunk_size] |= ~(np.isfinite(es[:, j]) & np.isfinite(llm) & np.isfinite(es[:, j] - llm) & np.isfinite(size))
    return np.flatnonzero(bad)


def certify_finite(err: float, scale: float, rows_of, name: str) -> None:
    """Raise :class:`NotExactError` naming the rows when the error or the tolerance is not finite."""
    if np.isfinite(err) and np.isfinite(scale):
        return
    rows = rows_of()
    shown = ", ".join(map(str, rows[:10].tolist())) + (", ..." if rows.size > 10 else "")
    raise NotExactError(
        f"The network output or its local linear model is NaN or infinite on {rows.size} row(s) of {name} "
        f"(row {shown}), so exactness cannot be certified there (max error {err}, tolerance scale {scale}). "
        "The inputs or weights overflow float64: rescale the data, check the weights for huge values, or drop "
        "those rows."
    )
