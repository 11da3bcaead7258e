"""Shared drawing helpers of :mod:`reluscope.plot` (no computation of results here)."""

from __future__ import annotations

import numpy as np

from ..errors import InvalidInputError

#: Colour of single-instance / single-class regions, blue as in Figure 12 of ``001``.
DEGENERATE_COLOR = "tab:blue"
#: Colour of the regular regions.
REGULAR_COLOR = "tab:orange"
#: Colour of the input space without training data (Figure 5 middle: "uncharted domain").
UNSEEN_COLOR = (0.78, 0.86, 0.96)


def get_axes(ax=None, *, figsize=(7.0, 4.5), projection=None):
    """Return ``(fig, ax)``: the given axes and its figure, or a new figure."""
    if ax is not None:
        return ax.figure, ax
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=figsize)
    ax = fig.add_subplot(111, projection=projection)
    return fig, ax


def _qualitative() -> np.ndarray:
    import matplotlib as mpl

    base = np.vstack([mpl.colormaps[name](np.arange(20)) for name in ("tab20", "tab20b", "tab20c")])
    bluish = (base[:, 2] > base[:, 0] + 0.15) & (base[:, 2] > base[:, 1] + 0.05) & (base[:, :3].mean(axis=1) > 0.55)
    return base[~bluish]


def region_palette(n: int) -> np.ndarray:
    """``n`` RGBA colours cycling through qualitative colour maps (tab20, tab20b, tab20c).

    Light blues are left out: they mean "no training data" in the region map.
    """
    base = _qualitative()
    return base[np.arange(max(n, 0)) % base.shape[0]]


def region_colors(ids: np.ndarray) -> np.ndarray:
    """Colour of each region id; consecutive ids get well-separated colours."""
    base = _qualitative()
    ids = np.asarray(ids, np.int64)
    step = 23 if np.gcd(23, base.shape[0]) == 1 else 29
    return base[(ids * step) % base.shape[0]]


def short(value: float) -> str:
    """A number in 4 significant digits."""
    return f"{value:.4g}"


def require(obj, cls, name: str):
    """Raise a clear error when a plot gets the wrong result object."""
    if not isinstance(obj, cls):
        raise InvalidInputError(
            f"plot.{name} takes the result of the matching computation ({cls.__name__}), got {type(obj).__name__}."
        )
    return obj


def scatter_data(ax, X: np.ndarray, y, *, max_points: int = 5000, size: float = 8.0, alpha: float = 0.6):
    """Overlay two-feature data, coloured by the response (classes: qualitative; numbers: viridis)."""
    n = X.shape[0]
    idx = np.arange(n) if n <= max_points else np.linspace(0, n - 1, max_points).astype(int)
    if y is None:
        ax.scatter(X[idx, 0], X[idx, 1], s=size, c="k", alpha=alpha, linewidths=0)
        return None
    y = np.asarray(y)
    if y.ndim == 1 and (not np.issubdtype(y.dtype, np.floating) or np.unique(y).size <= 10):
        import matplotlib as mpl

        classes = np.unique(y)
        cols = ["tab:red", "tab:blue"] if len(classes) <= 2 else mpl.colormaps["tab10"](np.arange(len(classes)) % 10)
        for c, col in zip(classes, cols):
            sel = idx[y[idx] == c]
            ax.scatter(X[sel, 0], X[sel, 1], s=size, color=col, alpha=alpha, edgecolors="k", linewidths=0.2, label=f"y = {c}")
        ax.legend(loc="upper right", fontsize="small", framealpha=0.8)
        return None
    yy = y if y.ndim == 1 else y.mean(axis=1)
    return ax.scatter(X[idx, 0], X[idx, 1], s=size, c=yy[idx], cmap="viridis", alpha=alpha, linewidths=0)
