"""Feature and smoothing helpers shared by the coefficient and dependence views of :mod:`reluscope.interpret`.

Private to the package (the module name starts with an underscore).
"""

from __future__ import annotations

import numpy as np

from ..errors import FeatureMismatchError, InvalidInputError

__all__ = ["feature_index", "feature_indices", "lowess_curve", "LOWESS_EXACT_ROWS"]

#: Up to this many points LOWESS fits a local regression at every distinct x (statsmodels ``delta=0``).
LOWESS_EXACT_ROWS = 2000


def feature_index(names, feature) -> int:
    """Index of ``feature`` (a name, or an integer index) among ``names``."""
    names = list(names)
    if isinstance(feature, (int, np.integer)) and not isinstance(feature, (bool, np.bool_)):
        if not 0 <= int(feature) < len(names):
            raise FeatureMismatchError(f"Feature index {feature} is out of range: the network has {len(names)} features.")
        return int(feature)
    if str(feature) not in names:
        raise FeatureMismatchError(
            f"Unknown feature {feature!r}; the network's features are {names[:10]}{'...' if len(names) > 10 else ''}."
        )
    return names.index(str(feature))


def feature_indices(names, features) -> list[int]:
    """Indices of several features (names or indices), in the given order, without repeats."""
    if isinstance(features, (str, int, np.integer)):
        features = [features]
    idx = [feature_index(names, f) for f in features]
    if not idx:
        raise InvalidInputError("Pass at least one feature.")
    if len(set(idx)) != len(idx):
        raise InvalidInputError(f"Features must not repeat, got {list(features)!r}.")
    return idx


def lowess_curve(x: np.ndarray, y: np.ndarray, frac: float, delta: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """LOWESS of ``y`` on ``x`` (statsmodels, robust, 3 iterations) at the distinct values of ``x``.

    ``delta=None``: 0 (a local fit at every distinct x; tied x values share one
    fit) up to :data:`LOWESS_EXACT_ROWS` points, else 1% of the range of ``x``
    (statsmodels' advice for large data: linear interpolation between fits).
    """
    from statsmodels.nonparametric.smoothers_lowess import lowess

    if not (np.isscalar(frac) and 0.0 < float(frac) <= 1.0):
        raise InvalidInputError(f"frac must be a number in (0, 1], the share of rows in each local fit; got {frac!r}.")
    if x.size == 0:
        return np.zeros(0), np.zeros(0)
    if np.ptp(x) == 0:  # one distinct x: the local fit is the mean
        return x[:1].astype(np.float64), np.array([float(np.mean(y))])
    if delta is None:
        delta = 0.0 if x.size <= LOWESS_EXACT_ROWS else 0.01 * float(np.ptp(x))
    fit = lowess(y, x, frac=float(frac), delta=float(delta), return_sorted=True)
    xs, first = np.unique(fit[:, 0], return_index=True)
    return xs, fit[first, 1]
