"""The LLMs of a two-feature network in the input plane (Figure 5 left of the unwrapping paper, ``001``).

:func:`llm_field_2d` gives each region's LLM line (a level set) and gradient
at the region's centre.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import check_llms, output_name, require_n_features, resolve_output
from ..unwrap import LocalLinearModels
from ._select import select_regions

__all__ = ["LLMField2D", "llm_field_2d"]


@dataclass
class LLMField2D:
    """Each region's LLM drawn at its centre in the input plane (Figure 5 left of ``001``).

    Segment ``i`` lies on the line ``{x : w_i . x + b_i = level_i}``, centred
    at the point of the line nearest the region centre (eq. 19), with length
    ``segment_length``; regions with ``w_i = 0`` have no line (NaN).

    Attributes
    ----------
    regions, counts : (R,)
    centers : (R, 2)
    gradient : (R, 2)
        ``w~^P`` of the chosen output (the direction of steepest increase).
    intercept, level : (R,)
    line_start, line_end : (R, 2)
    segment_length : float
    bounds : ((x_min, x_max), (y_min, y_max)), the data box
    feature_names : tuple of two str
    X, y : the unwrapped data (for an overlay), y may be None
    output, output_name, task

    Examples
    --------
    >>> import numpy as np, reluscope
    >>> from reluscope.datasets import make_cocircles
    >>> from reluscope.interpret import llm_field_2d
    >>> X, y = make_cocircles(200, random_state=0)
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 2)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)], output="sigmoid")
    >>> field = llm_field_2d(reluscope.unwrap(net, X, y))
    >>> field.centers.shape, field.line_start.shape, field.task
    ((8, 2), (8, 2), 'binary')
    """

    regions: np.ndarray
    counts: np.ndarray
    centers: np.ndarray
    gradient: np.ndarray
    intercept: np.ndarray
    level: np.ndarray
    line_start: np.ndarray
    line_end: np.ndarray
    segment_length: float
    bounds: tuple
    feature_names: tuple
    X: np.ndarray
    y: np.ndarray | None
    output: int
    output_name: str
    task: str


def llm_field_2d(
    llms: LocalLinearModels,
    *,
    output: int = 0,
    level: float | None = None,
    segment_length: float | None = None,
    top_k: int | None = None,
    exclude_degenerate: bool = False,
) -> LLMField2D:
    """Decision lines and gradients of the LLMs of a two-feature network (Figure 5 left).

    Parameters
    ----------
    llms : LocalLinearModels
        Of a network with two input features.
    output : int, default 0
    level : float, optional
        Level of the drawn line.  Default: 0 for binary classifiers (the LLM's
        decision boundary, probability 0.5); otherwise each LLM's value at its
        own centre (the contour through the centre).
    segment_length : float, optional
        Default: 5% of the diagonal of the data box.
    top_k : int, optional
        Largest regions only (default all).
    exclude_degenerate : bool, default False

    Returns
    -------
    LLMField2D

    References
    ----------
    Sudjianto et al., *Unwrapping the black box of deep ReLU networks*,
    Figure 5 (left); region centres, eq. 19.

    Examples
    --------
    For a binary classifier each segment lies on its LLM's decision boundary
    ``w . x + b = 0`` and has the default length, 5% of the data box's diagonal:

    >>> import numpy as np, reluscope
    >>> from reluscope.datasets import make_cocircles
    >>> from reluscope.interpret import llm_field_2d
    >>> X, y = make_cocircles(200, random_state=0)
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 2)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)], output="sigmoid")
    >>> field = llm_field_2d(reluscope.unwrap(net, X, y))
    >>> ends = np.concatenate([field.line_start, field.line_end])
    >>> w, b = np.tile(field.gradient, (2, 1)), np.tile(field.intercept, 2)
    >>> bool(np.allclose(np.einsum("rd,rd->r", w, ends) + b, 0))
    True
    >>> bool(np.allclose(np.linalg.norm(field.line_end - field.line_start, axis=1), field.segment_length))
    True
    """
    llms = check_llms(llms)
    require_n_features(llms, 2, "llm_field_2d")
    output = resolve_output(llms, output)
    ids = select_regions(llms, top_k, exclude_degenerate)
    c = llms.centers_[ids]
    w = llms.coef_3d[ids, output, :]
    b = llms.intercept_2d[ids, output]
    lev = _levels(llms.network.task, c, w, b, level)
    bounds, length = _box_and_length(llms.X_, segment_length)
    line_start, line_end = _level_segments(c, w, b, lev, length)
    return LLMField2D(
        regions=ids,
        counts=llms.count_[ids].copy(),
        centers=c,
        gradient=w,
        intercept=b,
        level=lev,
        line_start=line_start,
        line_end=line_end,
        segment_length=length,
        bounds=bounds,
        feature_names=tuple(llms.feature_names_),
        X=llms.X_,
        y=llms.y_,
        output=output,
        output_name=output_name(llms, output),
        task=llms.network.task,
    )


def _levels(task: str, c: np.ndarray, w: np.ndarray, b: np.ndarray, level: float | None) -> np.ndarray:
    """Level of each drawn line: ``level``, else 0 for binary classifiers, else the LLM's value at its centre."""
    if level is None:
        return np.zeros(b.size) if task == "binary" else np.einsum("rd,rd->r", w, c) + b
    return np.full(b.size, float(level))


def _box_and_length(X: np.ndarray, segment_length: float | None) -> tuple[tuple, float]:
    """The data box ``((x_min, x_max), (y_min, y_max))`` and the segment length (default 5% of its diagonal)."""
    lo, hi = X.min(axis=0), X.max(axis=0)
    length = float(0.05 * np.hypot(*(hi - lo))) if segment_length is None else float(segment_length)
    if not length > 0:
        length = 0.1
    return tuple((float(a), float(z)) for a, z in zip(lo, hi)), length


def _level_segments(
    c: np.ndarray, w: np.ndarray, b: np.ndarray, lev: np.ndarray, length: float
) -> tuple[np.ndarray, np.ndarray]:
    """Ends of the segments on ``{x : w_i . x + b_i = lev_i}`` of the given length (eq. 19).

    Each segment is centred at the foot of the perpendicular from ``c_i`` to
    its line and runs along the line; both ends are NaN where ``w_i = 0``.
    """
    n2 = np.einsum("rd,rd->r", w, w)
    ok = n2 > 0
    foot = np.full_like(c, np.nan)
    foot[ok] = c[ok] - ((np.einsum("rd,rd->r", w, c) + b - lev)[ok] / n2[ok])[:, None] * w[ok]
    tangent = np.full_like(c, np.nan)
    tangent[ok] = np.column_stack([-w[ok, 1], w[ok, 0]]) / np.sqrt(n2[ok])[:, None]
    return foot - 0.5 * length * tangent, foot + 0.5 * length * tangent
