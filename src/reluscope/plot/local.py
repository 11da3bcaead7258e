"""Figure of one prediction's exact local explanation (``004``, local interpretation)."""

from __future__ import annotations

import numpy as np

from ..errors import InvalidInputError
from ..interpret import LocalExplanation
from ._base import get_axes, require, short

__all__ = ["local_explanation"]


def local_explanation(expl: LocalExplanation, ax=None, *, max_features: int = 15, kind: str = "bar"):
    """Contributions of the features to one prediction, largest first.

    The features beyond ``max_features`` are summed into one "other" bar, so
    that the bars still add up to ``decision - baseline``.

    Parameters
    ----------
    expl : LocalExplanation
        From :func:`reluscope.interpret.explain_instance`.
    ax : matplotlib Axes, optional
    max_features : int, default 15
        Bars shown; the others are summed into one.
    kind : {'bar', 'stem'}
        Horizontal bars, or a stem plot.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import interpret, plot
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 3)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)])
    >>> X = rng.normal(size=(300, 3))
    >>> y = net.forward(X) + rng.normal(scale=0.1, size=300)
    >>> llms = reluscope.unwrap(net, X, y)
    >>> explanation = interpret.explain_instance(llms, X[0])
    >>> fig = plot.local_explanation(explanation)
    >>> ax = fig.axes[0]
    >>> print(ax.get_title())
    Local explanation: region 0 (n = 44)
    intercept -2.616 + contributions -3.817 = -6.432 (output)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['x2 = 1.346  (w = -1.787)', 'x1 = 1.514  (w = -1.547)', 'x3 = 0.7813  (w = 1.192)']

    The bars are ``w_j x_j``; with the intercept they add up to the network's output:

    >>> bars = np.array([p.get_width() for p in ax.patches])
    >>> bool(np.isclose(explanation.baseline + bars.sum(), net.forward(X[:1])[0]))
    True
    """
    require(expl, LocalExplanation, "local_explanation")
    if kind not in ("bar", "stem"):
        raise InvalidInputError(f"kind must be 'bar' or 'stem', got {kind!r}.")
    order = np.argsort(-np.abs(expl.contributions), kind="stable")
    top, rest = order[:max_features], order[max_features:]
    values = list(expl.contributions[top])
    labels = [f"{expl.feature_names[j]} = {short(expl.x[j])}  (w = {short(expl.coef[j])})" for j in top]
    if rest.size:
        values.append(float(expl.contributions[rest].sum()))
        labels.append(f"other {rest.size} features")
    values = np.asarray(values)
    fig, ax = get_axes(ax, figsize=(8.0, max(2.5, 0.32 * len(values) + 1.6)))
    pos = np.arange(len(values))[::-1]
    colors = np.where(values >= 0, "tab:red", "tab:blue")
    if kind == "bar":
        ax.barh(pos, values, color=colors)
    else:
        ax.hlines(pos, 0, values, color=colors, lw=1.5)
        ax.scatter(values, pos, color=colors, zorder=3)
    ax.axvline(0.0, color="0.3", lw=0.8)
    ax.set_yticks(pos, labels)
    what = "w_j (x_j - mean_j)" if expl.centered else "w_j x_j"
    ax.set_xlabel(f"Contribution {what} to the {expl.output_name}")
    where = f"region {expl.region} (n = {expl.count})" if expl.seen else "a region unseen in training"
    base = "baseline (LLM at the mean)" if expl.centered else "intercept"
    pred = f", predicted probability {short(expl.prediction)}" if expl.task != "regression" else ""
    ax.set_title(
        f"Local explanation: {where}{pred}\n{base} {short(expl.baseline)} + contributions "
        f"{short(float(expl.contributions.sum()))} = {short(expl.decision)} ({expl.output_name})",
        fontsize="medium",
    )
    fig.tight_layout()
    return fig
