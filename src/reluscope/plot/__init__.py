"""Figures of reluscope: each takes a result object, accepts ``ax=None`` and returns the Figure.

Computation lives in :mod:`reluscope.interpret` and :mod:`reluscope.diagnose`;
these functions only draw what the result holds and never call the model
(scikit-learn ``inspection`` style).

=============================  ==============================================  =====================
Figure                         Result from                                      Paper (``001``)
=============================  ==============================================  =====================
``joint_importance``           ``interpret.joint_importance`` (or squared)      Figures 6-7 left
``local_profile``              ``interpret.local_profile``                      Figures 4-7 right
``llm_curve``                  ``interpret.local_profile`` (d = 1)              Figure 4 left
``parallel_coordinates``       ``interpret.parallel_coordinates``               Figures 8-9
``local_explanation``          ``interpret.explain_instance``                   slides ``004``
``llm_field``                  ``interpret.llm_field_2d``                       Figure 5 left
``region_map``                 ``diagnose.region_map_2d``                       Figure 2, 5 middle
``polar_coordinates``          ``diagnose.polar_coordinates``                   Figure 12
``local_vs_global``            ``diagnose.local_vs_global``                     Figure 13
``pattern_overlap``            ``diagnose.pattern_overlap``                     Figure 3
``coefficient_violin``         ``interpret.coefficient_violin``                 PiML ``llm_violin``
``coefficient_pairs``          ``interpret.coefficient_pairs``                  aletheia ``pair_plot``
``intercept_profile``          ``interpret.intercept_profile``                  Definition 2
``region_pca``                 ``interpret.region_pca``                         aletheia ``pca2D_region_plot``
``local_vs_global_bubble``     ``diagnose.local_vs_global``                     aletheia ``diagperf_bubble``
``partial_effect``             ``interpret.partial_effect``                     aletheia ``partial_plot``
``partial_dependence``         ``interpret.partial_dependence``                 PDP (exact)
``region_polygon``             ``diagnose.region_polygon_2d``                   Lemma 1, one region
``llm_line``, ``llm_lines``    ``diagnose.llm_line_2d`` / ``llm_lines_2d``      Figure 5 left
``pattern_pmf``                ``probability.pattern_pmf`` (+ ``monte_carlo``)  ``002`` Figure 1
``output_cdf``                 ``probability.output_cdf`` (+ ``monte_carlo``)   ``002`` Figure 1-2
``support_coverage``           ``probability.coverage_curve``                   ``002`` Table 1
``singular_values``            ``probability.jacobian_singular_values``         ``002`` Figure 3
``region_slice``               ``geometry.slice_2d``                            Figure 2 (exact)
``activity_histograms``        ``geometry.layer_metrics``                       thesis Fig. 4.1-4.6
``layer_metric_curves``        ``geometry.layer_metrics``                       thesis Fig. 4.12-4.16
``layer_pca``                  ``geometry.layer_metrics``                       thesis Fig. 4.7-4.10
``activation_heatmap``         ``geometry.layer_metrics``                       thesis sec. 4.5.2
``certificate``                ``certify.region_view``                          stability radius, counterfactual
=============================  ==============================================  =====================
"""

from .boundaries import llm_line, llm_lines, region_polygon
from .certify import certificate
from .coefficients import coefficient_pairs, coefficient_violin, intercept_profile, local_vs_global_bubble, region_pca
from .dependence import partial_dependence, partial_effect
from .diagnostics import local_vs_global, pattern_overlap, polar_coordinates
from .extract import recovered_weights
from .importance import joint_importance, parallel_coordinates
from .local import local_explanation
from .probability import output_cdf, pattern_pmf, singular_values, support_coverage
from .profile import llm_curve, local_profile
from .geometry import activation_heatmap, activity_histograms, layer_metric_curves, layer_pca, region_slice
from .regions import llm_field, region_map
from .simplify import bootstrap_coefficients, merge_dendrogram, merged_cluster, merged_parallel_coordinates, merged_regions

__all__ = [
    "certificate",
    "recovered_weights",
    "bootstrap_coefficients",
    "merge_dendrogram",
    "merged_cluster",
    "merged_parallel_coordinates",
    "merged_regions",
    "joint_importance",
    "local_profile",
    "llm_curve",
    "parallel_coordinates",
    "local_explanation",
    "llm_field",
    "region_map",
    "polar_coordinates",
    "local_vs_global",
    "pattern_overlap",
    "coefficient_violin",
    "coefficient_pairs",
    "intercept_profile",
    "region_pca",
    "local_vs_global_bubble",
    "partial_effect",
    "partial_dependence",
    "region_polygon",
    "llm_line",
    "llm_lines",
    "pattern_pmf",
    "output_cdf",
    "support_coverage",
    "singular_values",
    "region_slice",
    "activity_histograms",
    "layer_metric_curves",
    "layer_pca",
    "activation_heatmap",
]
