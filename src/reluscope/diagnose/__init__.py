"""LLM-based network diagnostics (section 4 of the unwrapping paper, ``001``).

Each function takes the result of :func:`reluscope.unwrap` and returns plain
data (a :class:`pandas.DataFrame` or a dataclass of NumPy arrays); drawing
lives in :mod:`reluscope.plot`.

- :func:`region_flags`, :func:`degenerate_share`: single-instance and
  single-class regions (section 4.1; 84.9% of the CoCircles regions).
- :func:`polar_coordinates`: the polar coordinate plot (Figure 12).
- :func:`local_vs_global`: extrapolation strength of the top LLMs (section
  4.2, Figure 13).
- :func:`pattern_overlap`: training versus test activation patterns
  (Figure 3, eq. 14).
- :func:`region_map_2d`: the activation region of every point of a grid over
  a two-feature input box (Figure 2, Figure 5 middle).
- :func:`local_boundaries`: the non-redundant half-spaces of one region
  (Lemma 1; aletheia ``get_local_boundaries``); :func:`region_polygon_2d`,
  :func:`llm_line_2d`, :func:`llm_lines_2d`: one region / LLM level lines of a
  two-feature network (aletheia ``visualize2D_one_region``, ``_one_line``, ``_lines``).
"""

from __future__ import annotations

# Kept importable from here for existing callers; new code imports them from reluscope._checks.
from .._checks import check_llms, output_name, require_n_features, resolve_output  # noqa: F401
from .boundaries import RegionBoundaries, RegionPolygon2D, local_boundaries, region_polygon_2d
from .flags import degenerate_share, region_flags
from .lines import LLMLine2D, LLMLines2D, llm_line_2d, llm_lines_2d
from .performance import local_vs_global
from .polar import PolarCoordinates, polar_coordinates
from .regions import PatternOverlap, RegionMap2D, pattern_overlap, region_map_2d

__all__ = [
    "region_flags",
    "degenerate_share",
    "PolarCoordinates",
    "polar_coordinates",
    "local_vs_global",
    "PatternOverlap",
    "pattern_overlap",
    "RegionMap2D",
    "region_map_2d",
    "RegionBoundaries",
    "local_boundaries",
    "RegionPolygon2D",
    "region_polygon_2d",
    "LLMLine2D",
    "llm_line_2d",
    "LLMLines2D",
    "llm_lines_2d",
]
