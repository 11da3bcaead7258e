"""Certificates a validator can sign (exact, by LP / QP / MILP over the activation regions).

- :func:`stability_radius`: how far a row can move before its local linear explanation changes;
- :func:`counterfactual`: the exact closest input with the other decision (:func:`counterfactuals`: many rows,
  one per worker process);
- :func:`monotonicity`: the sign of one feature's coefficient over every region of a box;
- :func:`robustness` / :func:`max_output_change`: exact local robustness and output ranges (MILP).
"""

from __future__ import annotations

from ._cf_batch import counterfactuals
from .counterfactual import CounterfactualResult, counterfactual
from .monotonicity import MonotonicityResult, monotonicity, monotonicity_table
from .robustness import OutputRange, RobustnessResult, max_output_change, robustness
from .stability import StabilityResult, stability_radius
from .view import RegionView, region_view

__all__ = [
    "stability_radius",
    "StabilityResult",
    "counterfactual",
    "CounterfactualResult",
    "counterfactuals",
    "monotonicity",
    "monotonicity_table",
    "MonotonicityResult",
    "robustness",
    "RobustnessResult",
    "max_output_change",
    "OutputRange",
    "region_view",
    "RegionView",
]
