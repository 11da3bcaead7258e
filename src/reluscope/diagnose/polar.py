"""The polar coordinate plot of the LLM coefficients (Figure 12 of the unwrapping paper, ``001``).

:func:`polar_coordinates` returns, per region, the direction of its
coefficients (themselves for d <= 2, their first two principal components
otherwise) against its size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import check_llms, output_name, resolve_output
from ..unwrap import LocalLinearModels
from .flags import region_flags

__all__ = ["PolarCoordinates", "polar_coordinates"]


@dataclass
class PolarCoordinates:
    """Polar coordinate plot data (Figure 12 of ``001``), one point per region.

    Attributes
    ----------
    regions : int (R,)
    counts, radius : (R,)
        The radius is the region's count.
    components : (R, 2)
        The 2-D representation of the coefficients: the coefficients
        themselves (d = 2), ``(w, 0)`` (d = 1) or their first two principal
        component scores (d > 2).
    direction : (R, 2)
        ``components`` scaled to unit norm; ``(0, 0)`` where they are zero.
    angle : (R,)
        ``atan2`` of the direction in radians, in ``[0, 2 pi)``; NaN where the
        direction is undefined (zero components).
    degenerate : bool (R,)
        Single-instance or single-class region (:func:`region_flags`).
    method : str
        'coefficients' (d <= 2) or 'pca'.
    explained_variance_ratio : (2,) or None
        Of the PCA, when used.
    axis_labels : tuple of two str
    output : int
    output_name : str

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
    >>> polar = diagnose.polar_coordinates(llms)
    >>> polar.method, polar.axis_labels, polar.direction.shape
    ('coefficients', ('x1', 'x2'), (19, 2))
    >>> bool((polar.radius == llms.count_).all()), polar.degenerate_share
    (True, 0.6316)
    """

    regions: np.ndarray
    counts: np.ndarray
    radius: np.ndarray
    components: np.ndarray
    direction: np.ndarray
    angle: np.ndarray
    degenerate: np.ndarray
    method: str
    explained_variance_ratio: np.ndarray | None
    axis_labels: tuple
    output: int
    output_name: str

    @property
    def degenerate_share(self) -> float:
        """Share of the regions flagged degenerate (section 4.1 of ``001``)."""
        return float(self.degenerate.mean())


def _pca_scores(coef: np.ndarray, random_state) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.decomposition import PCA

    R, d = coef.shape
    n_comp = min(2, R, d)
    scores = np.zeros((R, 2))
    ratio = np.zeros(2)
    if R >= 2 and np.ptp(coef, axis=0).max() > 0:
        pca = PCA(n_components=n_comp, random_state=random_state)
        scores[:, :n_comp] = pca.fit_transform(coef)
        ratio[:n_comp] = pca.explained_variance_ratio_
    return scores, ratio


def polar_coordinates(llms: LocalLinearModels, *, output: int = 0, random_state=0) -> PolarCoordinates:
    """Directions of the LLM coefficients against region sizes (Figure 12 of ``001``).

    For two features the coefficient vector ``w~^P`` scaled to unit norm gives
    the direction and ``|R_train^P|`` the radius.  For more features the
    coefficients (one row per region, unweighted) are reduced to their first
    two principal components (:class:`sklearn.decomposition.PCA`, centred), whose
    scores, scaled to unit norm, give the direction.  For one feature the
    direction is 0 or pi by the coefficient's sign.

    Parameters
    ----------
    llms : LocalLinearModels
    output : int, default 0
        Output (logit) whose coefficients are used.
    random_state : int, RandomState or None
        Passed to the PCA.

    Returns
    -------
    PolarCoordinates

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
    >>> polar = diagnose.polar_coordinates(llms)
    >>> polar.method, polar.components.shape
    ('coefficients', (19, 2))

    With two features the direction is the unit coefficient vector and the
    angle its ``atan2``:

    >>> w = llms.coef_
    >>> np.allclose(polar.direction, w / np.linalg.norm(w, axis=1, keepdims=True))
    True
    >>> np.allclose(polar.angle, np.arctan2(w[:, 1], w[:, 0]) % (2 * np.pi))
    True

    With more than two features the coefficients go through a PCA:

    >>> net3 = reluscope.from_arrays([rng.normal(size=(8, 3)), rng.normal(size=(1, 8))],
    ...                              [rng.normal(size=8), rng.normal(size=1)])
    >>> X3 = rng.normal(size=(200, 3))
    >>> polar3 = diagnose.polar_coordinates(reluscope.unwrap(net3, X3))
    >>> polar3.method, polar3.axis_labels
    ('pca', ('PC1', 'PC2'))
    >>> bool(polar3.explained_variance_ratio.sum() <= 1 + 1e-12)
    True
    """
    llms = check_llms(llms)
    output = resolve_output(llms, output)
    coef = llms.coef_3d[:, output, :]
    d = coef.shape[1]
    names = llms.feature_names_
    ratio = None
    if d == 1:
        comps = np.column_stack([coef[:, 0], np.zeros(coef.shape[0])])
        method, labels = "coefficients", (names[0], "")
    elif d == 2:
        comps = coef.copy()
        method, labels = "coefficients", (names[0], names[1])
    else:
        comps, ratio = _pca_scores(coef, random_state)
        method, labels = "pca", ("PC1", "PC2")
    norm = np.linalg.norm(comps, axis=1)
    ok = norm > 0
    direction = np.zeros_like(comps)
    direction[ok] = comps[ok] / norm[ok, None]
    angle = np.full(comps.shape[0], np.nan)
    angle[ok] = np.mod(np.arctan2(direction[ok, 1], direction[ok, 0]), 2 * np.pi)
    return PolarCoordinates(
        regions=np.arange(llms.n_regions),
        counts=llms.count_.copy(),
        radius=llms.count_.astype(np.float64),
        components=comps,
        direction=direction,
        angle=angle,
        degenerate=region_flags(llms)["degenerate"].to_numpy(),
        method=method,
        explained_variance_ratio=ratio,
        axis_labels=labels,
        output=output,
        output_name=output_name(llms, output),
    )
