"""Feature importance from the LLM coefficients (section 3 of the unwrapping paper, ``001``).

- :func:`joint_importance`: eq. 18; :func:`squared_coefficient_importance`:
  the unweighted variant of the toolbox slides (``004``, ``interpret_fi``).
- :func:`parallel_coordinates`: LLM coefficients of many regions, the most
  important features first (Figures 8-9).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._checks import check_llms, output_name, resolve_output
from ..diagnose import region_flags
from ..errors import InvalidInputError
from ..unwrap import LocalLinearModels
from ._select import select_regions

__all__ = [
    "joint_importance",
    "squared_coefficient_importance",
    "ParallelCoordinates",
    "parallel_coordinates",
]


def _importance_frame(names, values, total, method: str, output: int, llms) -> pd.DataFrame:
    imp = values / total if total > 0 else np.zeros_like(values)
    df = pd.DataFrame({"Feature": list(names), "Importance": imp})
    df = df.sort_values("Importance", ascending=False, kind="stable").reset_index(drop=True)
    df.attrs.update(method=method, output=output, output_name=output_name(llms, output))
    return df


# ------------------------------------------------------------ importance
def joint_importance(llms: LocalLinearModels, *, output: int = 0) -> pd.DataFrame:
    """Joint importance of the intercept and each feature (eq. 18 of ``001``).

    ``JI(x_j) = sum_P |R^P| (w~_j^P)^2 / T`` and
    ``JI(b_0) = sum_P |R^P| (b~^P)^2 / T``, with ``T`` the sum of all the
    numerators: count-weighted squared LLM coefficients, normalised to sum
    to one.

    Parameters
    ----------
    llms : LocalLinearModels
    output : int, default 0
        Output (logit) whose LLMs are used.

    Returns
    -------
    pandas.DataFrame with columns 'Feature' and 'Importance', an 'Intercept'
    row included, sorted by decreasing importance (ties keep the order
    intercept, then features).  All zeros if every LLM is identically zero.

    References
    ----------
    Sudjianto et al., *Unwrapping the black box of deep ReLU networks*, eq. 18.

    Examples
    --------
    >>> import numpy as np, reluscope
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 3)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)], feature_names=["age", "income", "debt"])
    >>> X = rng.normal(size=(300, 3))
    >>> llms = reluscope.unwrap(net, X, net.forward(X) + 0.1 * rng.normal(size=300))
    >>> from reluscope.interpret import joint_importance
    >>> joint_importance(llms).round(3)
         Feature  Importance
    0       debt       0.281
    1  Intercept       0.271
    2     income       0.242
    3        age       0.206

    The same numbers from eq. 18 written out:

    >>> w = llms.count_
    >>> num = np.r_[w @ llms.intercept_**2, w @ llms.coef_**2]
    >>> (num / num.sum()).round(3)
    array([0.271, 0.206, 0.242, 0.281])
    """
    llms = check_llms(llms)
    output = resolve_output(llms, output)
    w = llms.count_.astype(np.float64)
    coef = llms.coef_3d[:, output, :]
    values = np.concatenate([[w @ llms.intercept_2d[:, output] ** 2], w @ coef**2])
    return _importance_frame(["Intercept", *llms.feature_names_], values, values.sum(), "joint importance (eq. 18)", output, llms)


def squared_coefficient_importance(
    llms: LocalLinearModels, *, output: int = 0, include_intercept: bool = False, exclude_degenerate: bool = False
) -> pd.DataFrame:
    """Squared sum of LLM coefficients, normalised (the toolbox slides, ``004``, ``interpret_fi``).

    ``FI(x_j) = sum_P (w~_j^P)^2 / sum_k sum_P (w~_k^P)^2``: every region
    counts once, whatever its size (unlike :func:`joint_importance`, eq. 18,
    with which it coincides when all regions have equal counts).

    Parameters
    ----------
    llms : LocalLinearModels
    output : int, default 0
    include_intercept : bool, default False
        Add an 'Intercept' row (``sum_P (b~^P)^2``) to the sum.
    exclude_degenerate : bool, default False
        Leave out single-instance / single-class regions
        (:func:`reluscope.diagnose.region_flags`).

    Returns
    -------
    pandas.DataFrame with columns 'Feature', 'Importance' (sum to one), sorted
    by decreasing importance.

    Examples
    --------
    Every region counts once, so the small regions' steep ``age`` slopes
    move ``age`` to the top (compare :func:`joint_importance`):

    >>> import numpy as np, reluscope
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 3)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)], feature_names=["age", "income", "debt"])
    >>> X = rng.normal(size=(300, 3))
    >>> llms = reluscope.unwrap(net, X, net.forward(X) + 0.1 * rng.normal(size=300))
    >>> from reluscope.interpret import squared_coefficient_importance
    >>> squared_coefficient_importance(llms).round(3)
      Feature  Importance
    0     age       0.435
    1    debt       0.335
    2  income       0.230
    >>> bool(np.allclose(squared_coefficient_importance(llms).set_index("Feature").loc[["age", "income", "debt"], "Importance"],
    ...                  (llms.coef_**2).sum(axis=0) / (llms.coef_**2).sum()))
    True
    """
    llms = check_llms(llms)
    output = resolve_output(llms, output)
    keep = np.ones(llms.n_regions, bool)
    if exclude_degenerate:
        keep = ~region_flags(llms)["degenerate"].to_numpy()
    values = (llms.coef_3d[keep, output, :] ** 2).sum(axis=0)
    names = list(llms.feature_names_)
    if include_intercept:
        values = np.concatenate([[(llms.intercept_2d[keep, output] ** 2).sum()], values])
        names = ["Intercept", *names]
    return _importance_frame(names, values, values.sum(), "squared coefficient importance", output, llms)


# ------------------------------------------------- parallel coordinates
@dataclass
class ParallelCoordinates:
    """LLM coefficients of many regions, one line per region (Figures 8-9 of ``001``).

    Attributes
    ----------
    coefficients : pandas.DataFrame (m, p)
        Indexed by region id, columns the shown features ordered by joint
        importance (``'Intercept'`` first when included).
    counts : (m,)
    features : list of str
    importance : (p,)
        Joint importance (eq. 18, all regions) of the shown columns.
    excluded_regions : (e,)
        Regions left out as single-instance / single-class.
    n_regions_total : int
    output, output_name

    Examples
    --------
    >>> import numpy as np, reluscope
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 3)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)], feature_names=["age", "income", "debt"])
    >>> X = rng.normal(size=(300, 3))
    >>> llms = reluscope.unwrap(net, X, net.forward(X) + 0.1 * rng.normal(size=300))
    >>> from reluscope.interpret import parallel_coordinates
    >>> pc = parallel_coordinates(llms, top_features=2)
    >>> pc.features, pc.n_regions_total, pc.excluded_regions
    (['debt', 'income'], 21, array([20]))
    """

    coefficients: pd.DataFrame
    counts: np.ndarray
    features: list
    importance: np.ndarray
    excluded_regions: np.ndarray
    n_regions_total: int
    output: int
    output_name: str

    @property
    def regions(self) -> np.ndarray:
        """Region ids of the lines, by decreasing count."""
        return self.coefficients.index.to_numpy()


def parallel_coordinates(
    llms: LocalLinearModels,
    *,
    top_features: int = 10,
    include_intercept: bool = False,
    exclude_degenerate: bool = True,
    output: int = 0,
    max_regions: int | None = None,
) -> ParallelCoordinates:
    """Coefficients of the LLMs for a parallel coordinate plot (Figures 8-9 of ``001``).

    Parameters
    ----------
    llms : LocalLinearModels
    top_features : int, default 10
        Features shown, the most important by :func:`joint_importance`, in that
        order (the slides' "top 10 important features").
    include_intercept : bool, default False
        Add the intercepts as a first axis.
    exclude_degenerate : bool, default True
        Leave out single-instance / single-class regions, as the paper does.
    output : int, default 0
    max_regions : int, optional
        Keep only the largest regions (after exclusion).

    Returns
    -------
    ParallelCoordinates

    References
    ----------
    Sudjianto et al., *Unwrapping the black box of deep ReLU networks*,
    section 3, Figures 8-9.

    Examples
    --------
    The two most important features, one row per region (the one-row region 20
    is left out as degenerate):

    >>> import numpy as np, reluscope
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 3)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)], feature_names=["age", "income", "debt"])
    >>> X = rng.normal(size=(300, 3))
    >>> llms = reluscope.unwrap(net, X, net.forward(X) + 0.1 * rng.normal(size=300))
    >>> from reluscope.interpret import parallel_coordinates
    >>> pc = parallel_coordinates(llms, top_features=2)
    >>> pc.coefficients.round(3).head(3)
             debt  income
    Region
    0       0.354  -0.176
    1       0.529  -0.804
    2       1.415  -1.510
    >>> bool(np.array_equal(pc.coefficients.to_numpy(), llms.coef_[pc.regions][:, [2, 1]]))
    True
    """
    llms = check_llms(llms)
    output = resolve_output(llms, output)
    if not isinstance(top_features, (int, np.integer)) or top_features < 1:
        raise InvalidInputError(f"top_features must be a positive integer, got {top_features!r}.")
    ji = joint_importance(llms, output=output)
    feats = ji[ji["Feature"] != "Intercept"].iloc[: int(top_features)]
    names = list(feats["Feature"])
    importance = feats["Importance"].to_numpy()
    ids = select_regions(llms, max_regions, exclude_degenerate)
    all_kept = select_regions(llms, None, exclude_degenerate)
    excluded = np.setdiff1d(np.arange(llms.n_regions), all_kept)
    idx = [llms.feature_names_.index(f) for f in names]
    table = pd.DataFrame(llms.coef_3d[np.ix_(ids, [output], idx)][:, 0, :], columns=names, index=pd.Index(ids, name="Region"))
    if include_intercept:
        table.insert(0, "Intercept", llms.intercept_2d[ids, output])
        importance = np.concatenate([ji.loc[ji["Feature"] == "Intercept", "Importance"].to_numpy(), importance])
    return ParallelCoordinates(
        coefficients=table,
        counts=llms.count_[ids].copy(),
        features=list(table.columns),
        importance=importance,
        excluded_regions=excluded,
        n_regions_total=llms.n_regions,
        output=output,
        output_name=output_name(llms, output),
    )
