"""Certificates carried from region to region during the enumeration (:mod:`reluscope.geometry.enumerate`).

Neighbouring regions share most of their rows, and so most of the answers to "is row ``i`` a
facet?".  Two kinds of evidence are kept, and re-checked from scratch with the rows of each new
region (nothing is assumed from the region it came from):

- **Facet witnesses**: the point ``x*`` where an LP found row ``i`` to be a facet (beyond row ``i``,
  inside the others).  In a later region, a ray from the Chebyshev centre towards ``x*`` that meets
  row ``i`` strictly first certifies the row again (:func:`~._facets._ray_certificates`).
- **Dual bases** (Farkas certificates): the rows ``S`` with positive multipliers at the optimum of
  ``max G_i x`` for a redundant row ``i``.  In a region that has the rows ``S`` (same units, same
  states), solving ``G_S^T lam = G_j`` for any row ``j`` and finding ``lam >= 0`` gives
  ``max_region G_j x <= lam . h_S + max_{x in box} r . x`` with the residual ``r = G_j - lam G_S``
  (round-off only when ``G_S`` has full rank) -- a proof of redundancy when the bound is ``<= h_j``.
  One basis (a vertex of the region) often proves several rows at once; each is tried on every row
  still open.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from .polytope import LP_TOL

__all__ = ["RowMemory", "redundant_by_basis"]


def redundant_by_basis(G: np.ndarray, h: np.ndarray, basis: np.ndarray, rows: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Which of ``rows`` the basis rows ``basis`` prove redundant (Farkas, bound of the module docstring).

    Parameters
    ----------
    G, h : (m, d), (m,)
        The region ``{x : G x <= h}`` (unit-norm rows).
    basis, rows : int arrays
        Indices of the certificate's rows and of the rows to test (a row of the basis is
        never tested: it would certify itself).
    lo, hi : (d,)
        A box that contains the region (bounds the residual term).

    Returns
    -------
    bool array, shape ``rows.shape``
    """
    out = np.zeros(rows.size, bool)
    test = ~np.isin(rows, basis)  # a row is never its own certificate
    if not test.any() or basis.size == 0:
        return out
    rows = rows[test]
    S = G[basis]
    target = G[rows]
    lam = np.linalg.lstsq(S.T, target.T, rcond=None)[0]  # (k, n)
    sign_ok = (lam >= -1e-12).all(axis=0)
    lam = np.maximum(lam, 0.0)
    resid = target - lam.T @ S
    bound = lam.T @ h[basis] + np.where(resid > 0, resid * hi, resid * lo).sum(axis=1)
    out[test] = sign_ok & (bound <= h[rows] + LP_TOL * (1.0 + np.abs(h[rows])))
    return out


class RowMemory:
    """Facet witnesses and dual bases of the rows met so far, keyed by ``(unit, state)``."""

    def __init__(self, lo: np.ndarray, hi: np.ndarray, n_bases: int = 24, n_witnesses: int = 4) -> None:
        self.lo, self.hi = lo, hi
        self.witness: dict = {}
        self.bases: deque = deque(maxlen=n_bases)
        self.n_witnesses = n_witnesses

    @staticmethod
    def row_keys(pattern: np.ndarray, unit: np.ndarray) -> list:
        """``(unit, state)`` for a unit's row, ``("domain", k)`` for the k-th side of the domain."""
        n_box = int((unit < 0).sum())
        return [(int(u), bool(pattern[u])) for u in unit[unit >= 0]] + [("domain", k) for k in range(n_box)]

    def witness_directions(self, keys: list, rows: np.ndarray, center: np.ndarray) -> list:
        """Directions from ``center`` towards the stored witnesses of ``rows``."""
        return [y - center for i in rows for y in self.witness.get(keys[i], ())]

    def add_witness(self, key, x: np.ndarray) -> None:
        self.witness.setdefault(key, deque(maxlen=self.n_witnesses)).appendleft(np.array(x, copy=True))

    def add_basis(self, keys: list, basis: np.ndarray) -> None:
        self.bases.appendleft(tuple(keys[j] for j in basis))

    def prove_redundant(self, G, h, keys: list, open_rows: np.ndarray) -> np.ndarray:
        """Rows among ``open_rows`` (bool mask) proved redundant by a stored basis present in this region."""
        proved = np.zeros(h.size, bool)
        pos = {k: j for j, k in enumerate(keys)}
        for support in self.bases:
            rows = np.flatnonzero(open_rows & ~proved)
            if rows.size == 0:
                break
            idx = [pos.get(k, -1) for k in support]
            if min(idx) < 0:
                continue
            proved[rows] = redundant_by_basis(G, h, np.asarray(idx), rows, self.lo, self.hi)
        return proved
