"""One small HiGHS model per polytope, re-solved with warm starts (``highspy``).

A SciPy ``linprog`` call builds a new model each time (about 2 ms here); the
region enumeration solves many LPs over the same rows ``G x <= h``, so it
keeps one :class:`highspy.Highs` model per region and only changes the
objective and one row bound between solves (a few hundred microseconds each,
the simplex basis carried over).  No hand-written solver.

Variables: ``x`` (d, free) and ``r`` (the Chebyshev radius, 0 <= r <= r_cap).
Row ``j``: ``G_j x + |G_j| r <= h_j`` (rows scaled to unit norm, so ``|G_j| = 1``).
"""

from __future__ import annotations

import contextlib
import os
import threading

import numpy as np

__all__ = ["PolytopeLP", "new_highs"]


@contextlib.contextmanager
def _quiet_stdout():
    """Silence the banner HiGHS prints on construction (file descriptor 1)."""
    try:
        fd = os.dup(1)
    except OSError:  # no real stdout (some notebooks): nothing to silence
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(fd, 1)
        os.close(fd)


_LOCAL = threading.local()


def new_highs(presolve: bool = True):
    """A silent, single-threaded ``highspy.Highs`` -- the one way reluscope makes a HiGHS model.

    Every model asks for ``threads = 1``: HiGHS fixes the size of its process-wide thread
    pool at the first solve, and a later model asking for another size fails every solve
    ("the scheduler has already been initialized"), which a caller could read as
    "infeasible".  One thread is also what these small programmes want.
    """
    import highspy

    with _quiet_stdout():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    if not presolve:
        h.setOptionValue("presolve", "off")
    return h


def _solver():
    """One HiGHS model per thread: a ``Highs`` object is not safe to share between threads
    (Dask's threaded scheduler runs sub-box enumerations concurrently)."""
    h = getattr(_LOCAL, "solver", None)
    if h is None:
        h = _LOCAL.solver = new_highs(presolve=False)
    return h


class PolytopeLP:
    """LPs over ``{x : G x <= h}`` (unit-norm rows) sharing one warm-started HiGHS model."""

    def __init__(self, G: np.ndarray, h: np.ndarray, r_cap: float) -> None:
        import highspy

        self._hs = highspy
        self.G, self.h = G, h
        m, d = G.shape
        self.d = d
        inf = highspy.kHighsInf
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = d + 1, m
        lp.col_cost_ = np.r_[np.zeros(d), -1.0]
        lp.col_lower_ = np.r_[np.full(d, -inf), 0.0]
        lp.col_upper_ = np.r_[np.full(d, inf), float(r_cap)]
        lp.row_lower_ = np.full(m, -inf)
        lp.row_upper_ = np.asarray(h, dtype=np.float64)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = np.arange(0, m * (d + 1) + 1, d + 1)
        lp.a_matrix_.index_ = np.tile(np.arange(d + 1), m)
        lp.a_matrix_.value_ = np.column_stack([G, np.linalg.norm(G, axis=1)]).ravel()
        self.h_solver = _solver()
        self.h_solver.passModel(lp)
        self.n_lp = 0

    def _run(self):
        hs = self.h_solver
        hs.run()
        self.n_lp += 1
        ok = hs.getModelStatus() == self._hs.HighsModelStatus.kOptimal
        return ok, np.array(hs.getSolution().col_value) if ok else None

    def chebyshev(self) -> tuple[np.ndarray, float]:
        """Centre and radius of the largest ball inside (radius 0, centre NaN when empty)."""
        ok, sol = self._run()
        if not ok:
            return np.full(self.d, np.nan), 0.0
        return sol[: self.d], float(max(sol[-1], 0.0))

    def row_max(self, i: int, lift: float = 1.0) -> float:
        """``max G_i x`` over the other rows with row ``i`` relaxed to ``h_i + lift`` (radius fixed to 0).

        Row ``i`` is a facet (non-redundant) iff the value exceeds ``h_i``.
        """
        hs, d = self.h_solver, self.d
        inf = self._hs.kHighsInf
        hs.changeColBounds(d, 0.0, 0.0)
        hs.changeColsCost(d + 1, np.arange(d + 1, dtype=np.int32), np.r_[-self.G[i], 0.0])
        hs.changeRowBounds(int(i), -inf, float(self.h[i] + lift))
        ok, sol = self._run()
        hs.changeRowBounds(int(i), -inf, float(self.h[i]))
        if not ok:  # infeasible / numerical trouble: keep the row (the safe side)
            self.last_x = self.last_dual = None
            return np.inf
        self.last_x = sol[:d]
        self.last_dual = np.asarray(hs.getSolution().row_dual)
        return float(self.G[i] @ sol[:d])

    def multipliers(self, i: int) -> np.ndarray | None:
        """Farkas-type multipliers ``lam >= 0`` of the last :meth:`row_max` of row ``i``.

        At the optimum of ``max G_i x`` over the other rows, LP duality gives
        ``G_i = sum_j lam_j G_j`` with ``max = sum_j lam_j h_j``: a certificate that a
        redundant row stays redundant wherever the rows ``j`` with ``lam_j > 0`` recur
        (checked with the rows at hand, residual included, by the caller).
        """
        if self.last_dual is None:
            return None
        lam = np.maximum(-self.last_dual, 0.0)
        lam[i] = 0.0
        return lam
