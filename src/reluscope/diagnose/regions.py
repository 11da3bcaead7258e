"""Where new inputs fall among the training regions (the unwrapping paper, ``001``).

- :func:`pattern_overlap`: training versus test activation patterns
  (Figure 3, eq. 14), with the network's metric in seen and unseen regions.
- :func:`region_map_2d`: the activation region of every point of a grid over
  a two-feature input box (Figure 2, Figure 5 middle).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import check_llms, require_n_features
from ..errors import InvalidInputError
from ..patterns import PatternIndex, compute_patterns, unique_patterns
from ..summary import binary_response
from ..unwrap import LocalLinearModels

__all__ = ["PatternOverlap", "pattern_overlap", "RegionMap2D", "region_map_2d"]


# ------------------------------------------------------- pattern overlap
@dataclass
class PatternOverlap:
    """Training versus test activation patterns (Figure 3, eq. 14 of ``001``).

    Attributes
    ----------
    n_train_patterns : int
        ``|P_train|``, the regions of the unwrapped data.
    n_test_patterns : int
        ``|P_test|``, distinct patterns of the test rows.
    n_shared : int
        ``|P_train & P_test|``.
    n_test_only, n_train_only : int
    unseen_row_share : float
        Share of test rows whose pattern is not in ``P_train`` (no LLM was
        unwrapped for them).
    test_region : int (n_test,)
        Training region of each test row, -1 where unseen.
    metric : str or None
        'MSE', 'AUC' or 'Accuracy' of the network on the test rows, when
        ``y_test`` was given.
    metric_seen, metric_unseen : float
        That metric on test rows in seen / unseen regions (NaN when undefined).

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
    >>> X_test = rng.uniform(-3, 3, size=(100, 2))
    >>> y_test = (X_test[:, 0] * X_test[:, 1] > 0).astype(int)
    >>> overlap = diagnose.pattern_overlap(llms, X_test, y_test)
    >>> overlap.n_train_patterns, overlap.n_test_patterns, overlap.n_shared, overlap.n_test_rows
    (19, 13, 12, 100)
    >>> overlap.unseen_row_share, overlap.metric
    (0.01, 'AUC')
    """

    n_train_patterns: int
    n_test_patterns: int
    n_shared: int
    n_test_only: int
    n_train_only: int
    unseen_row_share: float
    test_region: np.ndarray
    metric: str | None = None
    metric_seen: float = np.nan
    metric_unseen: float = np.nan

    @property
    def n_test_rows(self) -> int:
        """Number of test rows."""
        return int(self.test_region.size)


def _network_metric(llms: LocalLinearModels, eta: np.ndarray, y, mask: np.ndarray) -> tuple[str, float]:
    from sklearn.metrics import roc_auc_score

    task = llms.network.task
    if not mask.any():
        return {"regression": "MSE", "binary": "AUC"}.get(task, "Accuracy"), np.nan
    if task == "regression":
        Y = np.asarray(y, np.float64).reshape(eta.shape[0], -1)
        return "MSE", float(((Y[mask] - eta[mask]) ** 2).mean())
    if task == "binary":
        yb = binary_response(np.asarray(y), llms.network.classes)[mask]
        if yb.min() == yb.max():
            return "AUC", np.nan
        return "AUC", float(roc_auc_score(yb, eta[mask, 0]))
    if task == "multiclass":
        classes = np.asarray(llms.network.classes if llms.network.classes is not None else np.arange(llms.n_outputs))
        pred = classes[eta[mask].argmax(axis=1)]
        return "Accuracy", float((pred == np.asarray(y)[mask]).mean())
    raise InvalidInputError(f"pattern_overlap cannot score a {task!r} network; omit y_test.")


def pattern_overlap(llms: LocalLinearModels, X_test, y_test=None) -> PatternOverlap:
    """Compare the activation patterns of test data with the training ones (Figure 3 of ``001``).

    Parameters
    ----------
    llms : LocalLinearModels
        Unwrapped on the training data (``P_train``).
    X_test : array-like or DataFrame (n_test, n_features)
    y_test : array-like (n_test,), optional
        When given, the network's metric (MSE / AUC / accuracy) is reported
        separately on test rows in seen and unseen regions.

    Returns
    -------
    PatternOverlap

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
    >>> X_test = rng.uniform(-3, 3, size=(100, 2))
    >>> y_test = (X_test[:, 0] * X_test[:, 1] > 0).astype(int)
    >>> overlap = diagnose.pattern_overlap(llms, X_test, y_test)
    >>> overlap.n_shared + overlap.n_test_only == overlap.n_test_patterns
    True

    Each test row's region is the one :meth:`~reluscope.LocalLinearModels.region_of` gives:

    >>> bool((overlap.test_region == llms.region_of(X_test)).all())
    True
    >>> overlap.unseen_row_share == float((overlap.test_region < 0).mean())
    True
    """
    llms = check_llms(llms)
    X = llms.check_X(X_test, name="X_test")
    packed, eta = compute_patterns(llms.network, X)
    uniq = unique_patterns(packed)
    region = PatternIndex(llms.pattern_keys_).lookup(packed)
    key_region = PatternIndex(llms.pattern_keys_).lookup(uniq.keys)
    n_shared = int((key_region >= 0).sum())
    out = PatternOverlap(
        n_train_patterns=llms.n_regions,
        n_test_patterns=int(uniq.counts.size),
        n_shared=n_shared,
        n_test_only=int(uniq.counts.size - n_shared),
        n_train_only=int(llms.n_regions - n_shared),
        unseen_row_share=float((region < 0).mean()),
        test_region=region,
    )
    if y_test is not None:
        from ..validation import check_target

        y = check_target(y_test, X.shape[0], name="y_test", network=llms.network)
        out.metric, out.metric_seen = _network_metric(llms, eta, y, region >= 0)
        _, out.metric_unseen = _network_metric(llms, eta, y, region < 0)
    return out


# ----------------------------------------------------------- region map
@dataclass
class RegionMap2D:
    """Activation regions over a grid of a two-feature input box (Figure 2, Figure 5 middle).

    Attributes
    ----------
    x_grid, y_grid : (nx,), (ny,)
        Grid coordinates of the first and second feature.
    region_id : int (ny, nx)
        Training region of each grid point (as :meth:`~reluscope.LocalLinearModels.region_of`),
        -1 where its pattern was never seen in the unwrapped data.
    unseen_id : int (ny, nx)
        For unseen points, a number ``0, 1, ...`` per distinct unseen pattern
        (ordered by decreasing grid area); -1 on seen points.
    n_unseen_patterns : int
    boundary : bool (ny, nx)
        The point's pattern differs from its right or upper neighbour's.
    decision : (ny, nx, n_outputs)
        Network pre-link output on the grid.
    bounds : ((x_min, x_max), (y_min, y_max))
    feature_names : tuple of two str
    n_regions : int
        Number of training regions ``|P_train|``.
    exact : reluscope.geometry.Slice2D or None
        The exact polygons of every region in the box (:func:`reluscope.geometry.slice_2d`),
        used for the drawn boundaries; None for networks above ``EXACT_MAX_UNITS`` hidden units.

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
    >>> rmap = diagnose.region_map_2d(llms, resolution=50)
    >>> rmap.region_id.shape, rmap.decision.shape, rmap.n_regions_on_grid
    ((50, 50), (50, 50, 1), 19)
    >>> rmap.unseen_share, rmap.n_unseen_patterns
    (0.0104, 5)
    """

    x_grid: np.ndarray
    y_grid: np.ndarray
    region_id: np.ndarray
    unseen_id: np.ndarray
    n_unseen_patterns: int
    boundary: np.ndarray
    decision: np.ndarray
    bounds: tuple
    feature_names: tuple
    n_regions: int
    exact: object = None

    @property
    def unseen_share(self) -> float:
        """Share of the grid (area of the box) in regions without training data."""
        return float((self.region_id < 0).mean())

    @property
    def n_regions_on_grid(self) -> int:
        """Training regions that the grid hits."""
        return int(np.unique(self.region_id[self.region_id >= 0]).size)


def _box(X: np.ndarray, bounds, padding: float) -> tuple:
    if bounds is not None:
        b = np.asarray(bounds, dtype=np.float64)
        if b.shape != (2, 2) or not np.isfinite(b).all() or not (b[:, 0] < b[:, 1]).all():
            raise InvalidInputError(
                f"bounds must be ((x_min, x_max), (y_min, y_max)) with min < max, got {bounds!r}."
            )
        return tuple(tuple(map(float, r)) for r in b)
    if not padding >= 0:
        raise InvalidInputError(f"padding must be a non-negative fraction of the data range, got {padding!r}.")
    lo, hi = X.min(axis=0), X.max(axis=0)
    span = hi - lo
    pad = np.where(span > 0, padding * span, 0.5)
    return tuple((float(a), float(b)) for a, b in zip(lo - pad, hi + pad))


#: The exact polygons (geometry.slice_2d) are computed up to this many hidden units.
EXACT_MAX_UNITS = 2048


def region_map_2d(llms: LocalLinearModels, *, resolution: int = 300, bounds=None, padding: float = 0.1) -> RegionMap2D:
    """Activation region of every point of a grid over a two-feature input box.

    The grid's patterns come from one forward pass of the network; they are
    matched with the training patterns (``P_train``), and the patterns never
    seen in training are numbered separately (``unseen_id``).  This is the
    computation behind Figure 2 and Figure 5 (middle) of ``001``.

    Parameters
    ----------
    llms : LocalLinearModels
        Of a network with two input features.
    resolution : int, default 300
        Grid points per axis.
    bounds : ((x_min, x_max), (y_min, y_max)), optional
        Default: the data box of ``llms.X_`` widened by ``padding``.
    padding : float, default 0.1
        Fraction of each feature's range added on both sides.

    Returns
    -------
    RegionMap2D

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
    >>> rmap = diagnose.region_map_2d(llms, resolution=40, bounds=((-2, 2), (-2, 2)))
    >>> rmap.x_grid.shape, rmap.bounds
    ((40,), ((-2.0, 2.0), (-2.0, 2.0)))

    The grid's regions are those :meth:`~reluscope.LocalLinearModels.region_of` gives, and
    ``decision`` is the network's pre-link output there:

    >>> XX, YY = np.meshgrid(rmap.x_grid, rmap.y_grid)
    >>> grid = np.column_stack([XX.ravel(), YY.ravel()])
    >>> bool((rmap.region_id.ravel() == llms.region_of(grid)).all())
    True
    >>> np.allclose(rmap.decision.reshape(-1, 1), net.decision_function(grid).reshape(-1, 1))
    True
    """
    llms = check_llms(llms)
    require_n_features(llms, 2, "region_map_2d")
    if not isinstance(resolution, (int, np.integer)) or resolution < 2:
        raise InvalidInputError(f"resolution must be an integer >= 2, got {resolution!r}.")
    box = _box(llms.X_, bounds, padding)
    xs = np.linspace(*box[0], int(resolution))
    ys = np.linspace(*box[1], int(resolution))
    XX, YY = np.meshgrid(xs, ys)
    pts = np.column_stack([XX.ravel(), YY.ravel()])
    packed, eta = compute_patterns(llms.network, pts)
    region = PatternIndex(llms.pattern_keys_).lookup(packed)
    unseen = np.full(region.shape, -1, np.int64)
    miss = region < 0
    n_unseen = 0
    if miss.any():
        u = unique_patterns(packed[miss])
        unseen[miss] = u.inverse
        n_unseen = int(u.counts.size)
    exact = None
    if llms.network.n_hidden_units <= EXACT_MAX_UNITS:
        from ..geometry.slices import slice_2d

        exact = slice_2d(llms.network, [0.0, 0.0], [1.0, 0.0], [0.0, 1.0], bounds=box, progress=False)
    shape = XX.shape
    code = np.where(miss, llms.n_regions + unseen, region).reshape(shape)
    boundary = np.zeros(shape, bool)
    boundary[:, :-1] |= code[:, :-1] != code[:, 1:]
    boundary[:-1, :] |= code[:-1, :] != code[1:, :]
    return RegionMap2D(
        x_grid=xs,
        y_grid=ys,
        region_id=region.reshape(shape),
        unseen_id=unseen.reshape(shape),
        n_unseen_patterns=n_unseen,
        boundary=boundary,
        decision=eta.reshape(*shape, -1),
        bounds=box,
        feature_names=tuple(llms.feature_names_),
        n_regions=llms.n_regions,
        exact=exact,
    )
