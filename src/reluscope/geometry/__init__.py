"""Geometry of ReLU networks: polytopes, linear regions and layer geometry (thesis ``000`` ch. 2 and 4).

:mod:`reluscope.geometry.polytope` is the one home of the linear-programming
primitives (redundant rows, extent, Chebyshev centre, 2-D vertices) used by
:mod:`reluscope.diagnose`, :mod:`reluscope.probability` and :mod:`reluscope.certify`.
"""

from __future__ import annotations

from .polytope import LP_TOL, chebyshev_center, coordinate_extent, normalize_rows, polygon_vertices, redundant_rows

__all__ = ["LP_TOL", "normalize_rows", "redundant_rows", "coordinate_extent", "chebyshev_center", "polygon_vertices"]
