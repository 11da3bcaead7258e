"""Level lines of the LLMs of a two-feature network, clipped to a box (aletheia-dnn ``visualize2D_one_line`` / ``visualize2D_lines``).

A line ``{x : w~^P . x + b~^P = level}`` is clipped to a convex polygon
``{x : G x <= h}`` by intersecting its parameter interval with every
half-space, vectorised over lines.  For one LLM, the part inside its own
region (:func:`~reluscope.diagnose.region_polygon_2d`) is where the network
itself equals ``level`` along that line (Theorem 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import check_llms, output_name, require_n_features, resolve_output
from ..errors import InvalidInputError
from ..unwrap import LocalLinearModels
from .boundaries import region_polygon_2d, resolve_box

__all__ = ["LLMLine2D", "llm_line_2d", "LLMLines2D", "llm_lines_2d", "clip_lines"]


def _box_halfspaces(box: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    eye = np.eye(2)
    return np.vstack([eye, -eye]), np.concatenate([box[:, 1], -box[:, 0]])


def clip_lines(w: np.ndarray, t: np.ndarray, G: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Segments of the lines ``{x : w_i . x = t_i}`` inside ``{x : G x <= h}``: (m, 2, 2), NaN where empty or ``w_i = 0``.

    Each line is ``p_i + s u_i`` with ``p_i`` its point nearest the origin and
    ``u_i`` a unit direction; every half-space bounds ``s`` from one side.
    """
    w = np.atleast_2d(np.asarray(w, np.float64))
    n2 = np.einsum("md,md->m", w, w)
    ok = n2 > 0
    safe = np.where(ok, n2, 1.0)
    p = w * (np.asarray(t, np.float64) / safe)[:, None]
    u = np.column_stack([-w[:, 1], w[:, 0]]) / np.sqrt(safe)[:, None]
    gu = u @ G.T  # (m, H)
    slack = h[None, :] - p @ G.T
    with np.errstate(divide="ignore", invalid="ignore"):
        bound = slack / gu
    lo = np.where(gu < 0, bound, -np.inf).max(axis=1)
    hi = np.where(gu > 0, bound, np.inf).min(axis=1)
    parallel_out = ((np.abs(gu) <= 1e-15) & (slack < 0)).any(axis=1)
    ok &= (lo < hi) & np.isfinite(lo) & np.isfinite(hi) & ~parallel_out
    lo, hi = np.where(ok, lo, 0.0), np.where(ok, hi, 0.0)
    seg = np.stack([p + lo[:, None] * u, p + hi[:, None] * u], axis=1)
    seg[~ok] = np.nan
    return seg


def _levels(llms: LocalLinearModels, ids: np.ndarray, output: int, level) -> np.ndarray:
    """``level``, else 0 for binary classifiers (the decision boundary), else each LLM at its region centre."""
    if level is not None:
        return np.full(ids.size, float(level))
    if llms.network.task == "binary":
        return np.zeros(ids.size)
    return np.einsum("rd,rd->r", llms.coef_3d[ids, output, :], llms.centers_[ids]) + llms.intercept_2d[ids, output]


@dataclass
class LLMLine2D:
    """The level line of one LLM of a two-feature network (aletheia ``visualize2D_one_line``).

    Attributes
    ----------
    region, count : int
    coef : (2,); intercept, level : float
    segment : (2, 2)
        The line ``coef . x + intercept = level`` inside the box (NaN if it misses it).
    segment_in_region : (2, 2)
        Its part inside the region: there the network's own output equals
        ``level`` (NaN if the line misses the region).
    polygon : (V, 2)
        The region cut by the box.
    bounds, feature_names, X_region, y_region, output_name, task

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
    >>> line = diagnose.llm_line_2d(llms, 0)
    >>> line.level, line.segment.shape, line.polygon.shape
    (0.0, (2, 2), (5, 2))
    """

    region: int
    count: int
    coef: np.ndarray
    intercept: float
    level: float
    segment: np.ndarray
    segment_in_region: np.ndarray
    polygon: np.ndarray
    bounds: tuple
    feature_names: tuple
    X_region: np.ndarray
    y_region: np.ndarray | None
    output_name: str
    task: str


def llm_line_2d(llms: LocalLinearModels, region: int, *, box="data", level: float | None = None, output: int = 0) -> LLMLine2D:
    """The level line of one region's LLM, over the box and inside the region.

    Parameters
    ----------
    llms : LocalLinearModels
        Of a network with two input features.
    region : int
    box : 'data' or ((x_min, x_max), (y_min, y_max)), default 'data'
    level : float, optional
        Default 0 for binary classifiers (the LLM's decision boundary,
        probability 0.5), else the LLM's value at the region centre.
    output : int, default 0

    Returns
    -------
    LLMLine2D

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
    >>> line = diagnose.llm_line_2d(llms, 0)  # binary: level 0, probability 0.5
    >>> line.segment_in_region.round(3)
    array([[ 2.378, -0.923],
           [ 0.429,  1.145]])

    Inside its region the LLM's level line is the network's own decision
    boundary (Theorem 1):

    >>> mid = line.segment_in_region.mean(axis=0, keepdims=True)
    >>> llms.region_of(mid).tolist(), np.round(net.forward(mid), 12).tolist()
    ([0], [0.5])
    """
    llms = check_llms(llms)
    require_n_features(llms, 2, "llm_line_2d")
    output = resolve_output(llms, output)
    poly = region_polygon_2d(llms, region, box=box)
    b = poly.boundaries
    w = llms.coef_3d[region, output, :]
    icpt = float(llms.intercept_2d[region, output])
    lev = float(_levels(llms, np.array([region]), output, level)[0])
    G, h = _box_halfspaces(b.box)
    seg = clip_lines(w[None, :], np.array([lev - icpt]), G, h)[0]
    seg_in = clip_lines(w[None, :], np.array([lev - icpt]), np.vstack([b.A, G]), np.concatenate([b.c, h]))[0]
    return LLMLine2D(
        region=poly.region, count=poly.count, coef=w.copy(), intercept=icpt, level=lev, segment=seg,
        segment_in_region=seg_in, polygon=poly.vertices, bounds=poly.bounds, feature_names=poly.feature_names,
        X_region=poly.X_region, y_region=poly.y_region, output_name=output_name(llms, output), task=llms.network.task,
    )


@dataclass
class LLMLines2D:
    """The level lines of many LLMs of a two-feature network over a box (aletheia ``visualize2D_lines``).

    Attributes
    ----------
    regions, counts : (m,)
    coef : (m, 2); intercept, level : (m,)
    segments : (m, 2, 2)
        Each line inside the box, NaN where it misses the box or ``coef = 0``.
    bounds, feature_names
    X, y : the unwrapped data (y may be None)
    output_name, task

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
    >>> lines = diagnose.llm_lines_2d(llms)
    >>> int(lines.counts.sum()), lines.coef.shape, lines.level.shape
    (300, (19, 2), (19,))
    """

    regions: np.ndarray
    counts: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    level: np.ndarray
    segments: np.ndarray
    bounds: tuple
    feature_names: tuple
    X: np.ndarray
    y: np.ndarray | None
    output_name: str
    task: str


def llm_lines_2d(
    llms: LocalLinearModels, *, top_k: int | None = None, box="data", level: float | None = None, output: int = 0
) -> LLMLines2D:
    """Level lines of the ``top_k`` largest LLMs (default all) over the box; see :func:`llm_line_2d`.

    Parameters
    ----------
    llms : LocalLinearModels
        Of a network with two input features.
    top_k : int, optional
        Number of largest regions (by count); default all.
    box : 'data' or ((x_min, x_max), (y_min, y_max)), default 'data'
    level : float, optional
        As in :func:`llm_line_2d`: default 0 for binary classifiers, else each
        LLM's value at its region centre.
    output : int, default 0

    Returns
    -------
    LLMLines2D

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
    >>> lines = diagnose.llm_lines_2d(llms, top_k=5, box=[[-2, 2], [-2, 2]])
    >>> lines.regions.tolist(), lines.segments.shape
    ([0, 1, 2, 3, 4], (5, 2, 2))

    Both end points of each segment lie on the line ``coef . x + intercept = level``:

    >>> ends = np.einsum("md,mkd->mk", lines.coef, lines.segments) + lines.intercept[:, None]
    >>> np.allclose(ends[~np.isnan(ends)], 0)
    True
    """
    llms = check_llms(llms)
    require_n_features(llms, 2, "llm_lines_2d")
    output = resolve_output(llms, output)
    if top_k is not None and (isinstance(top_k, (bool, np.bool_)) or not isinstance(top_k, (int, np.integer)) or top_k < 1):
        raise InvalidInputError(f"top_k must be a positive integer or None, got {top_k!r}.")
    ids = np.arange(llms.n_regions if top_k is None else min(int(top_k), llms.n_regions))
    box = resolve_box(llms, box)
    w = llms.coef_3d[ids, output, :]
    b = llms.intercept_2d[ids, output]
    lev = _levels(llms, ids, output, level)
    G, h = _box_halfspaces(box)
    return LLMLines2D(
        regions=ids, counts=llms.count_[ids].copy(), coef=w, intercept=b, level=lev, segments=clip_lines(w, lev - b, G, h),
        bounds=tuple((float(lo), float(hi)) for lo, hi in box), feature_names=tuple(llms.feature_names_), X=llms.X_,
        y=llms.y_, output_name=output_name(llms, output), task=llms.network.task,
    )
