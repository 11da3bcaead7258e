"""Dependence of the prediction on one feature: from the LLMs, and exactly from the network.

- :func:`partial_effect`: each training row's main effect of a feature under
  its own LLM, ``w~_j^P x_j + b~^P``, with a LOWESS curve (aletheia-dnn ``partial_plot``).
- :func:`partial_dependence`: the partial dependence function (Friedman's PDP)
  ``PD(v) = (1/n) sum_i f(x_i with x_ij = v)``, computed with forward passes
  of the network: exact, with no sampling of the function.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import check_llms, output_name, resolve_output
from ..errors import InvalidInputError
from ..network import ReLUNetwork
from ..unwrap import LocalLinearModels
from ._features import feature_index, lowess_curve
from ._select import select_regions

__all__ = ["PartialEffect", "partial_effect", "PartialDependence", "partial_dependence"]

#: Rows x grid values evaluated per forward pass of :func:`partial_dependence`.
PDP_CHUNK_ROWS = 200_000


# ---------------------------------------------------------- partial effect
@dataclass
class PartialEffect:
    """Main effect of one feature under each row's LLM (aletheia ``partial_plot``).

    Attributes
    ----------
    feature : str
    feature_index : int
    x : (n,)
        The feature's value on the training rows of the shown regions.
    effect : (n,)
        ``w~_j^{P(x)} x_j`` plus ``b~^{P(x)}`` when ``include_intercept``: the
        row's LLM with every other feature set to 0.
    region : (n,)
        Region of each row.
    smooth_x, smooth_y : (g,)
        LOWESS of ``effect`` on ``x`` (statsmodels, ``frac``), at the distinct ``x``.
    include_intercept : bool
    frac : float
    n_regions : int
        Regions shown.
    output, output_name

    Examples
    --------
    >>> import numpy as np, reluscope
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 3)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)], feature_names=["age", "income", "debt"])
    >>> X = rng.normal(size=(300, 3))
    >>> llms = reluscope.unwrap(net, X, net.forward(X) + 0.1 * rng.normal(size=300))
    >>> from reluscope.interpret import partial_effect
    >>> pe = partial_effect(llms, "age", top_k=3)
    >>> pe.n_regions, pe.x.shape, sorted(set(pe.region.tolist()))
    (3, (114,), [0, 1, 2])
    """

    feature: str
    feature_index: int
    x: np.ndarray
    effect: np.ndarray
    region: np.ndarray
    smooth_x: np.ndarray
    smooth_y: np.ndarray
    include_intercept: bool
    frac: float
    n_regions: int
    output: int
    output_name: str


def partial_effect(
    llms: LocalLinearModels,
    feature,
    *,
    top_k: int | None = None,
    frac: float = 2 / 3,
    include_intercept: bool = True,
    output: int = 0,
    delta: float | None = None,
) -> PartialEffect:
    """Main effect of a feature from the LLMs, row by row, with a LOWESS curve (aletheia ``partial_plot``).

    For every training row ``x`` of the ``top_k`` largest regions, the main
    effect of feature ``j`` under the row's own LLM is ``w~_j^P x_j + b~^P``
    (aletheia's "main effect value"; ``include_intercept=False`` drops
    ``b~^P``).  Adding ``sum_{k != j} w~_k^P x_k`` gives back the network's
    ``eta(x)`` exactly (Theorem 1).

    Parameters
    ----------
    llms : LocalLinearModels
    feature : str or int
    top_k : int or None, default None
        Largest regions used (aletheia's ``nllms``); None: all rows.
    frac : float, default 2/3
        LOWESS span.
    include_intercept : bool, default True
    output : int, default 0
    delta : float, optional
        statsmodels' ``delta``; default 0 up to 2,000 rows, else 1% of the
        range of ``x`` (fits at every row cost ``O(n^2)``).

    Returns
    -------
    PartialEffect

    Examples
    --------
    The main effect plus the other features' terms gives back the network's
    output on every row (Theorem 1):

    >>> import numpy as np, reluscope
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 3)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)], feature_names=["age", "income", "debt"])
    >>> X = rng.normal(size=(300, 3))
    >>> llms = reluscope.unwrap(net, X, net.forward(X) + 0.1 * rng.normal(size=300))
    >>> from reluscope.interpret import partial_effect
    >>> pe = partial_effect(llms, "age")
    >>> others = np.einsum("nd,nd->n", X[:, 1:], llms.coef_[llms.labels_, 1:])
    >>> bool(np.allclose(pe.effect + others, net.forward(X)))
    True
    """
    llms = check_llms(llms)
    output = resolve_output(llms, output)
    j = feature_index(llms.feature_names_, feature)
    ids = select_regions(llms, top_k, False)
    keep = np.isin(llms.labels_, ids)
    region = llms.labels_[keep]
    x = llms.X_[keep, j]
    effect = llms.coef_3d[region, output, j] * x
    if include_intercept:
        effect = effect + llms.intercept_2d[region, output]
    sx, sy = lowess_curve(x, effect, frac, delta)
    return PartialEffect(
        feature=llms.feature_names_[j], feature_index=j, x=x, effect=effect, region=region, smooth_x=sx, smooth_y=sy,
        include_intercept=bool(include_intercept), frac=float(frac), n_regions=int(ids.size), output=output,
        output_name=output_name(llms, output),
    )


# ------------------------------------------------------- partial dependence
@dataclass
class PartialDependence:
    """Partial dependence of the network on one feature (Friedman's PDP), computed with the network.

    Attributes
    ----------
    feature : str
    feature_index : int
    grid : (G,)
        Values of the feature.
    average : (G,) or (G, k)
        ``PD(v) = mean_i f(x_i with x_ij = v)``.
    individual : (n, G) or (n, G, k) or None
        The ICE curves ``f(x_i with x_ij = v)`` when requested.
    response : str
        'output' (after the link: probability / value) or 'decision' (``eta``).
    deciles : (9,)
        Deciles of the feature in ``X`` (rug marks, as scikit-learn draws).
    output_names : list of str

    Examples
    --------
    >>> import numpy as np, reluscope
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 3)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)], feature_names=["age", "income", "debt"])
    >>> X = rng.normal(size=(300, 3))
    >>> llms = reluscope.unwrap(net, X, net.forward(X) + 0.1 * rng.normal(size=300))
    >>> from reluscope.interpret import partial_dependence
    >>> pdp = partial_dependence(net, X, "age", kind="both", grid_resolution=20)
    >>> pdp.grid.shape, pdp.average.shape, pdp.individual.shape, pdp.deciles.shape
    ((20,), (20,), (300, 20), (9,))
    """

    feature: str
    feature_index: int
    grid: np.ndarray
    average: np.ndarray
    individual: np.ndarray | None
    response: str
    deciles: np.ndarray
    output_names: list


def _default_grid(col: np.ndarray, grid_resolution: int, percentiles) -> np.ndarray:
    """scikit-learn's grid: the distinct values when fewer than ``grid_resolution``, else equally spaced between percentiles."""
    from scipy.stats.mstats import mquantiles

    uniq = np.unique(col)
    if uniq.size < grid_resolution:
        return uniq.astype(np.float64)
    lo, hi = mquantiles(col, prob=percentiles)
    if np.isclose(lo, hi):
        raise InvalidInputError(f"percentiles {percentiles} give equal values {lo}; widen them.")
    return np.linspace(lo, hi, grid_resolution)


def _feature_names(network: ReLUNetwork, X) -> list[str]:
    if network.feature_names is not None:
        return list(network.feature_names)
    if hasattr(X, "columns"):
        return [str(c) for c in X.columns]
    return [f"x{j + 1}" for j in range(network.n_features)]


def _responses(network: ReLUNetwork, X: np.ndarray, j: int, grid: np.ndarray, response: str) -> np.ndarray:
    """``f(x_i with x_ij = v)`` for every row and grid value: (n, G, k), in chunks of grid values."""
    n, G = X.shape[0], grid.size
    out = np.empty((n, G, network.n_outputs))
    step = max(1, PDP_CHUNK_ROWS // max(n, 1))
    for s in range(0, G, step):
        g = grid[s : s + step]
        Z = np.broadcast_to(X, (g.size, *X.shape)).copy()
        Z[:, :, j] = g[:, None]
        eta = network.decision_function(Z.reshape(-1, X.shape[1])).reshape(g.size * n, -1)
        val = eta if response == "decision" else network.link(eta)
        out[:, s : s + step, :] = np.moveaxis(val.reshape(g.size, n, -1), 0, 1)
    return out


def _check_pdp_args(network, response: str, kind: str) -> ReLUNetwork:
    if isinstance(network, LocalLinearModels):
        network = network.network
    if not isinstance(network, ReLUNetwork):
        raise InvalidInputError(f"partial_dependence takes a reluscope.ReLUNetwork, got {type(network).__name__}.")
    if response not in ("output", "decision"):
        raise InvalidInputError(f"response must be 'output' or 'decision', got {response!r}.")
    if kind not in ("average", "individual", "both"):
        raise InvalidInputError(f"kind must be 'average', 'individual' or 'both', got {kind!r}.")
    return network


def partial_dependence(
    network,
    X,
    feature,
    grid=None,
    *,
    grid_resolution: int = 100,
    percentiles=(0.05, 0.95),
    response: str = "output",
    kind: str = "average",
) -> PartialDependence:
    """Partial dependence of the network on one feature, by forward passes of the network.

    ``PD(v) = (1/n) sum_i f(x_i1, .., v, .., x_id)`` over the rows of ``X``
    (Friedman 2001; scikit-learn's ``method='brute'``).  Each ``f`` is one
    exact forward pass; the rows are evaluated together, a block of grid
    values at a time (no loop over rows).

    Parameters
    ----------
    network : ReLUNetwork or LocalLinearModels (its network)
    X : array-like or DataFrame (n, d)
        The rows averaged over.
    feature : str or int
    grid : array-like, optional
        Feature values; default scikit-learn's rule (``grid_resolution``
        points between the ``percentiles`` of the feature, or its distinct
        values when there are fewer).
    grid_resolution : int, default 100
    percentiles : (float, float), default (0.05, 0.95)
    response : {'output', 'decision'}, default 'output'
        'output': ``f = link(eta)``, the probability of the positive class for
        a sigmoid network and of each class for softmax (what scikit-learn's
        ``partial_dependence`` averages for an ``MLPClassifier``);
        'decision': ``eta``, the logit, where the network is piecewise linear.
    kind : {'average', 'individual', 'both'}, default 'average'
        'individual' / 'both' also keep the ICE curves (n x G values).

    Returns
    -------
    PartialDependence

    References
    ----------
    J. H. Friedman, *Greedy function approximation: a gradient boosting
    machine*, Annals of Statistics 29 (2001), section 8.2.

    Examples
    --------
    Each value is the mean network output with ``age`` set to it on every row:

    >>> import numpy as np, reluscope
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 3)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)], feature_names=["age", "income", "debt"])
    >>> X = rng.normal(size=(300, 3))
    >>> llms = reluscope.unwrap(net, X, net.forward(X) + 0.1 * rng.normal(size=300))
    >>> from reluscope.interpret import partial_dependence
    >>> pdp = partial_dependence(net, X, "age", grid=[-1.0, 0.0, 1.0])
    >>> pdp.average.round(4)
    array([-0.8668, -0.4638, -0.3481])
    >>> X_age0 = X.copy()
    >>> X_age0[:, 0] = 0.0
    >>> bool(np.isclose(pdp.average[1], net.forward(X_age0).mean()))
    True
    """
    network = _check_pdp_args(network, response, kind)
    names = _feature_names(network, X)
    Xa = network.check_X(X)
    j = feature_index(names, feature)
    if grid is None:
        grid = _default_grid(Xa[:, j], int(grid_resolution), percentiles)
    grid = np.asarray(grid, dtype=np.float64).ravel()
    if grid.size == 0 or not np.isfinite(grid).all():
        raise InvalidInputError("grid must hold at least one finite feature value.")
    vals = _responses(network, Xa, j, grid, response)
    k = network.n_outputs
    average = vals.mean(axis=0)
    multi = network.task == "multiclass" and network.classes is not None
    out_names = [f"class {c}" for c in network.classes] if multi else [f"output {i}" for i in range(k)]
    return PartialDependence(
        feature=names[j],
        feature_index=j,
        grid=grid,
        average=average[:, 0] if k == 1 else average,
        individual=None if kind == "average" else (vals[:, :, 0] if k == 1 else vals),
        response=response,
        deciles=np.percentile(Xa[:, j], np.arange(10, 100, 10)),
        output_names=out_names,
    )
