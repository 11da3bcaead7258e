"""LLM-based network simplification (section 5 of the unwrapping paper, ``001``).

=========================  =====================================  ============================
Name                       What                                   Paper
=========================  =====================================  ============================
``MergedModel``            Merge-Net estimator                    Algorithm 1, section 5.1
``merge_llms``             Merge already-unwrapped LLMs           Algorithm 1
``wald_inference``         Wald tables per merged cluster         section 5.2, Table 2
``bootstrap_inference``    Bootstrap of (penalised) refits        section 5.2, Figure 19
``FlattenedNet``           FL-Net / SLFN estimator                Algorithm 2, Table 3
``flatten``                Flatten a Merge-Net                    Algorithm 2
``slfn_baseline``          Randomly initialised SLFN              Table 3
``merged_regions``         Merge-Net on a 1-D / 2-D grid          Figures 14, 15, 18
``connectivity_graph``     T-NN graph of region centres           eq. 19, Algorithm 1 step 2
``PrunedModel``            top-k core LLMs, the rest to nearest   aletheia's Pruner; eq. 19
``prune_llms``             Prune already-unwrapped LLMs           (as above)
=========================  =====================================  ============================
"""

from ._cluster import connectivity_graph, cut_tree
from .flatten import FlattenedNet, flatten, slfn_baseline
from .inference import BootstrapResult, bootstrap_inference, cluster_metrics, wald_inference
from . import merge as _merge
from .merge import MergedModel, merge_llms
from .prune import PrunedModel, nearest_center, prune_llms
from .regions import MergedRegions, merged_regions

# Re-bound here (the same object as merge.DEFAULT_GRID) so that autodoc finds its doc comment.
#: Grid of ``K`` searched by ``MergedModel(n_clusters='auto')`` (section 5.1 of ``001``):
#: ``(1, 2, ..., 10, 15, 20)``; values above the number of LLMs are skipped.
DEFAULT_GRID = _merge.DEFAULT_GRID

__all__ = [
    "MergedModel",
    "merge_llms",
    "DEFAULT_GRID",
    "wald_inference",
    "bootstrap_inference",
    "BootstrapResult",
    "cluster_metrics",
    "FlattenedNet",
    "flatten",
    "slfn_baseline",
    "MergedRegions",
    "merged_regions",
    "connectivity_graph",
    "cut_tree",
    "PrunedModel",
    "prune_llms",
    "nearest_center",
]
