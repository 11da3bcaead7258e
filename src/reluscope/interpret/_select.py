"""Region selection shared by the views of :mod:`reluscope.interpret`.

Private to the package (the module name starts with an underscore).
"""

from __future__ import annotations

import numpy as np

from ..diagnose import region_flags
from ..errors import InvalidInputError
from ..unwrap import LocalLinearModels

__all__ = ["select_regions"]


def select_regions(llms: LocalLinearModels, top_k, exclude_degenerate: bool) -> np.ndarray:
    """Region ids by decreasing count, degenerate ones left out on request, the first ``top_k`` (None: all)."""
    if top_k is not None and (not isinstance(top_k, (int, np.integer)) or top_k < 1):
        raise InvalidInputError(f"top_k must be a positive integer or None, got {top_k!r}.")
    ids = np.arange(llms.n_regions)
    if exclude_degenerate:
        ids = ids[~region_flags(llms)["degenerate"].to_numpy()]
    return ids if top_k is None else ids[: int(top_k)]
