"""Reverse engineering a black-box ReLU network from queries (thesis ``000`` chapter 3).

- :class:`QueryOracle` — counted, budgeted, optionally degraded access to a black box.
- :func:`extract_network` — exact extraction by critical points (returns a ``ReLUNetwork``).
- :func:`fit_local_linear` — the thesis's convex method (section 3.3): a surrogate with ``predict``.
- :func:`align_networks`, :func:`compare_extraction` — weights and function compared after alignment;
  :func:`certify_equal` proves ``f - f_hat = 0`` on a box by enumerating the regions of :func:`difference_network`.
"""

from .align import AlignmentResult, align_networks
from .compare import EqualityCertificate, ExtractionComparison, certify_equal, compare_extraction, difference_network
from .critical_points import ExtractionResult, extract_network
from .local_linear import LocalLinearSurrogate, fit_local_linear, gershgorin_rows, l1_path
from .oracle import OracleStats, QueryOracle

__all__ = ["QueryOracle", "OracleStats", "extract_network", "ExtractionResult", "align_networks", "AlignmentResult", "fit_local_linear", "LocalLinearSurrogate", "gershgorin_rows", "l1_path", "compare_extraction", "ExtractionComparison", "certify_equal", "EqualityCertificate", "difference_network"]
