"""Single-instance and single-class regions (section 4.1 of the unwrapping paper, ``001``).

- :func:`region_flags`: flags each region as single-instance, single-class
  or either (degenerate).
- :func:`degenerate_share`: the share of degenerate regions (84.9% of the
  CoCircles regions) or of the rows in them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import check_llms
from ..unwrap import LocalLinearModels

__all__ = ["region_flags", "degenerate_share"]


def _distinct_per_region(labels: np.ndarray, y: np.ndarray, n_regions: int) -> np.ndarray:
    """Number of distinct response values (rows of 2-D y) in each region, vectorised."""
    y = np.asarray(y)
    if y.ndim == 1:
        _, codes = np.unique(y, return_inverse=True)
    else:
        _, codes = np.unique(y, axis=0, return_inverse=True)
    codes = codes.ravel().astype(np.int64)
    pairs = np.unique(labels.astype(np.int64) * (codes.max() + 1) + codes)
    return np.bincount(pairs // (codes.max() + 1), minlength=n_regions)


# ------------------------------------------------------------ region flags
def region_flags(llms: LocalLinearModels) -> pd.DataFrame:
    """Flag the single-instance and single-class regions (section 4.1 of ``001``).

    Parameters
    ----------
    llms : LocalLinearModels

    Returns
    -------
    pandas.DataFrame indexed by region id ('Region') with columns

    - ``Count``: ``|R_train^P|``;
    - ``single_instance``: the region holds one row;
    - ``single_class``: every row of the region has the same response: one
      class (classification) or ``Response Std == 0``, i.e. all responses
      exactly equal (regression; one-row regions count as well).  Without a
      response (``llms.y_ is None``) only one-row regions are single-class;
    - ``degenerate``: either flag.  The paper marks these regions blue in the
      polar coordinate plot and excludes them from the parallel coordinate
      plot: their LLMs are not supported by enough data to be interpreted.

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import diagnose
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)], output="sigmoid")
    >>> X = rng.uniform(-2, 2, size=(300, 2))
    >>> y = (X[:, 0] * X[:, 1] > 0).astype(int)
    >>> llms = reluscope.unwrap(net, X, y)
    >>> flags = diagnose.region_flags(llms)
    >>> flags.shape, int(flags["Count"].sum())
    ((19, 4), 300)
    >>> flags.loc[17:18]
            Count  single_instance  single_class  degenerate
    Region
    17          1             True          True        True
    18          1             True          True        True

    A region is single-class when its rows carry one label:

    >>> one_label = [len(set(y[llms.labels_ == r])) == 1 for r in range(llms.n_regions)]
    >>> bool((flags["single_class"] == one_label).all())
    True
    """
    llms = check_llms(llms)
    R = llms.n_regions
    single_instance = llms.count_ == 1
    if llms.y_ is None:
        single_class = single_instance.copy()
    else:
        single_class = _distinct_per_region(llms.labels_, llms.y_, R) == 1
    df = pd.DataFrame(
        {
            "Count": llms.count_,
            "single_instance": single_instance,
            "single_class": single_class,
            "degenerate": single_instance | single_class,
        },
        index=pd.Index(np.arange(R), name="Region"),
    )
    df.attrs["has_response"] = llms.y_ is not None
    return df


def degenerate_share(llms: LocalLinearModels, *, weighted: bool = False) -> float:
    """Share of degenerate (single-instance or single-class) regions.

    Parameters
    ----------
    llms : LocalLinearModels
    weighted : bool, default False
        False: share of regions, as reported in section 4.1 of ``001`` (84.9%
        for CoCircles); True: share of the rows that lie in such regions.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import diagnose
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)], output="sigmoid")
    >>> X = rng.uniform(-2, 2, size=(300, 2))
    >>> y = (X[:, 0] * X[:, 1] > 0).astype(int)
    >>> llms = reluscope.unwrap(net, X, y)
    >>> diagnose.degenerate_share(llms)  # 12 of the 19 regions
    0.6316
    >>> flags = diagnose.region_flags(llms)
    >>> bool(diagnose.degenerate_share(llms, weighted=True) == flags.loc[flags["degenerate"], "Count"].sum() / 300)
    True
    """
    flags = region_flags(llms)
    deg = flags["degenerate"].to_numpy()
    if weighted:
        return float(llms.count_[deg].sum() / llms.count_.sum())
    return float(deg.mean())
