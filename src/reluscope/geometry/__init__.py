"""Geometry of ReLU networks: polytopes, linear regions and layer geometry (thesis ``000`` ch. 2 and 4).

- :mod:`reluscope.geometry.polytope`: the one home of the linear-programming
  primitives (redundant rows, extent, Chebyshev centre, vertices, volume) used
  by :mod:`reluscope.diagnose`, :mod:`reluscope.probability` and :mod:`reluscope.certify`;
- :func:`enumerate_regions`: every region in a box or polytope, exactly;
- :func:`slice_2d`, :func:`slice_through_points`, :func:`regions_on_segment`:
  exact 2-D / 1-D slices by splitting polygons layer by layer (no LP);
- :func:`bent_hyperplanes_2d`: the zero sets of units and of the output on a slice;
- :func:`layer_metrics`, :func:`depth_experiment`: the layer-by-layer metrics of section 4.4-4.5;
- :func:`ray_space`: ray space and boundedness of the layer images (Lemmas 4.3.5-4.3.6).
"""

from __future__ import annotations

from .enumerate import HRegion, RegionEnumeration, enumerate_regions
from .polytope import (
    LP_TOL,
    chebyshev_center,
    coordinate_extent,
    is_feasible,
    normalize_rows,
    polygon_vertices,
    polytope_vertices,
    polytope_volume,
    redundant_rows,
)
from .bent import BentHyperplanes2D, bent_hyperplanes_2d
from .layers import LayerMetrics, depth_experiment, he_network, layer_metrics, sample_inputs
from .rays import RaySpace, bias_free_truncation, ray_space
from .slices import SegmentRegions, Slice2D, regions_on_segment, slice_2d, slice_through_points

# Re-bound here (same object) so that Sphinx's autodata finds the doc comment on the public name.
#: Slack of the LP redundancy and feasibility tests on rows scaled to unit norm (HiGHS works to
#: about 1e-7): a row is redundant when its LP maximum is at most ``c_i + LP_TOL * (1 + |c_i|)``,
#: and a region exists when its Chebyshev radius exceeds ``LP_TOL``
#: (defined in ``reluscope.geometry.polytope``, the one home of the LP primitives).
LP_TOL = LP_TOL

__all__ = [
    "LP_TOL", "normalize_rows", "redundant_rows", "coordinate_extent", "chebyshev_center", "polygon_vertices",
    "is_feasible", "polytope_vertices", "polytope_volume",
    "HRegion", "RegionEnumeration", "enumerate_regions",
    "Slice2D", "slice_2d", "slice_through_points", "SegmentRegions", "regions_on_segment",
    "BentHyperplanes2D", "bent_hyperplanes_2d", "LayerMetrics", "layer_metrics", "he_network", "sample_inputs",
    "depth_experiment", "RaySpace", "ray_space", "bias_free_truncation",
]
