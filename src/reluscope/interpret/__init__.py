"""LLM-based interpretation of a ReLU network (section 3 of the unwrapping paper, ``001``).

Every function takes the result of :func:`reluscope.unwrap` and returns plain
data (a :class:`pandas.DataFrame` or a dataclass of NumPy arrays); drawing
lives in :mod:`reluscope.plot`.  All values are on the pre-link scale ``eta``
(the logit for classifiers), where the LLMs are exact.

- :func:`joint_importance`: eq. 18; :func:`squared_coefficient_importance`:
  the unweighted variant of the toolbox slides (``004``, ``interpret_fi``).
- :func:`local_profile`: the local linear profile, Definition 2 / eq. 17
  (Figures 4-7).
- :func:`parallel_coordinates`: LLM coefficients of many regions (Figures 8-9).
- :func:`explain_instance`: one prediction as ``intercept + sum_j w_j x_j``,
  optionally centred on the population mean (``004``, local interpretation).
- :func:`llm_field_2d`: each region's LLM line / gradient at its centre
  (Figure 5 left).
- :func:`coefficient_violin`, :func:`coefficient_pairs`,
  :func:`intercept_profile`, :func:`region_pca`: the LLM coefficients across
  regions (PiML ``llm_violin``, aletheia ``pair_plot``, ``intercept_plot``,
  ``pca2D_region_plot``).
- :func:`partial_effect`: LLM main effects with a LOWESS curve (aletheia
  ``partial_plot``); :func:`partial_dependence`: the PDP by exact forward passes.
"""

from __future__ import annotations

from .coefficients import (
    CoefficientPairs,
    CoefficientViolin,
    RegionPCA,
    coefficient_pairs,
    coefficient_violin,
    intercept_profile,
    region_pca,
)
from .dependence import PartialDependence, PartialEffect, partial_dependence, partial_effect
from .field import LLMField2D, llm_field_2d
from .importance import ParallelCoordinates, joint_importance, parallel_coordinates, squared_coefficient_importance
from .local import LocalExplanation, explain_instance
from .profile import LocalProfile, local_profile

__all__ = [
    "joint_importance",
    "squared_coefficient_importance",
    "LocalProfile",
    "local_profile",
    "ParallelCoordinates",
    "parallel_coordinates",
    "LocalExplanation",
    "explain_instance",
    "LLMField2D",
    "llm_field_2d",
    "CoefficientViolin",
    "coefficient_violin",
    "CoefficientPairs",
    "coefficient_pairs",
    "intercept_profile",
    "RegionPCA",
    "region_pca",
    "PartialEffect",
    "partial_effect",
    "PartialDependence",
    "partial_dependence",
]
