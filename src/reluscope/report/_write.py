"""``write_report``: the self-contained HTML report of an unwrap result."""

from __future__ import annotations

import platform
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from .._checks import check_llms
from ..errors import InvalidInputError
from ..validation import check_target
from ._blocks import Download, Section, Table, Text, format_value, frame_table, key_value_table, render_blocks
from ._card import ModelCard, model_card, model_card_section
from ._views import VIEWS, Context

__all__ = ["write_report", "summary_section"]

#: Bottom rows of the region summary shown under the top ones (Figure 10 shows 5 + 5).
SUMMARY_TAIL = 5
#: The full region summary is embedded as a CSV download up to this many regions.
CSV_MAX_REGIONS = 20_000

#: matplotlib style while the report's figures are drawn (the user's settings are restored after).
_RC = {
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
}


def summary_section(llms, top_k: int = 10) -> Section:
    """The region summary table (section 4 of the unwrapping paper, Figure 10): top and bottom rows."""
    s = llms.summary()
    R = len(s)
    metric = next((c[6:] for c in s.columns if c.startswith("Local ")), None)
    content: list = [frame_table(s, head=top_k, tail=SUMMARY_TAIL, html_id="region-summary")]
    computed = s.attrs.get("global_regions", R)
    if metric and computed < R:
        note = f"Global {metric} was computed for the {computed:,} largest regions only (the others show \u2013)."
        content.append(Text(note, muted=True))
    if R <= CSV_MAX_REGIONS:
        content.append(Download.csv(s, "region_summary.csv", f"Download the full table ({R:,} regions, CSV)"))
    what = {
        "AUC": "AUC",
        "MSE": "MSE",
        "Accuracy": "accuracy",
    }.get(metric or "", "performance")
    return Section(
        "Region summary",
        content,
        f"One row per activation region, largest first: Count is the number of training rows in the region, "
        f"Local {what} the network's on those rows, Global {what} the region's LLM applied to all training rows, "
        "and \u2013 marks an undefined value (an AUC needs both classes, a standard deviation two rows); Trivial "
        "regions have a hidden layer switched off entirely.",
        group="Model",
    )


def _check_rows(explain_rows, n: int) -> tuple:
    if isinstance(explain_rows, (int, np.integer)):
        explain_rows = (explain_rows,)
    rows = tuple(explain_rows)
    for r in rows:
        if isinstance(r, (bool, np.bool_)) or not isinstance(r, (int, np.integer)) or not 0 <= r < n:
            raise InvalidInputError(f"explain_rows holds {r!r}; use row numbers of the unwrapped data, 0..{n - 1}.")
    return tuple(int(r) for r in rows)


def _check_test(llms, X_test, y_test):
    if X_test is None:
        if y_test is not None:
            raise InvalidInputError("y_test was given without X_test; pass both (or neither).")
        return None, None
    X = llms.check_X(X_test, name="X_test")  # the feature-name rule of LocalLinearModels.check_X
    y = None if y_test is None else check_target(y_test, X.shape[0], name="y_test", network=llms.network)
    return X, y


def _headline(card: ModelCard) -> list:
    tiles = [("Regions", f"{card.n_regions:,}")]
    metric = next(iter({**card.train_metrics, **card.test_metrics}), None)
    if metric in card.train_metrics:
        tiles.append((f"Train {metric}", format_value(card.train_metrics[metric])))
    if metric in card.test_metrics:
        tiles.append((f"Test {metric}", format_value(card.test_metrics[metric])))
    tiles.append(("Exactness: max |\u03b7 \u2212 LLM|", f"{card.max_error_train:.1e}"))
    return tiles


def _about_section(skipped: list, card: ModelCard) -> Section:
    import matplotlib
    import sklearn

    from .. import __version__

    pairs = [
        ("Generated", datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
        ("reluscope", __version__),
        (
            "Python / NumPy / scikit-learn / matplotlib",
            f"{platform.python_version()} / {np.__version__} / {sklearn.__version__} / {matplotlib.__version__}",
        ),
    ]
    content: list = [
        Text(
            "A ReLU network is piecewise affine: every input falls in an activation region where the network is one "
            "affine map, its local linear model (LLM). reluscope computes these maps exactly from the weights "
            "(Theorem 1 of Sudjianto et al., Unwrapping the black box of deep ReLU networks); every number in this "
            "report is computed from them on the pre-link scale \u03b7 (the logit for classifiers)."
        ),
        key_value_table(pairs, html_id="provenance"),
    ]
    if card.certificate_computed:
        content.append(
            Text("The network was unwrapped with verify=False; the exactness certificate was computed for this report.", muted=True)
        )
    if skipped:
        content.append(
            Table(
                columns=["Why not"],
                rows=[[why] for _, why in skipped],
                index=[t for t, _ in skipped],
                index_name="View not shown",
                numeric=[False],
                html_id="skipped",
            )
        )
    return Section(
        "About this report",
        content,
        "Views listed as not shown do not apply to this network or these data; nothing else was left out.",
        group="About",
    )


def _build_views(ctx: Context) -> tuple[list, list]:
    import matplotlib.pyplot as plt

    sections, skipped = [], []
    for title, builder, check in VIEWS:
        reason = check(ctx) if check is not None else None
        if reason:
            skipped.append((title, reason))
            continue
        before = set(plt.get_fignums())
        try:
            out = builder(ctx)
        except InvalidInputError as exc:  # a view that does not apply to this network (e.g. multi-label)
            skipped.append((title, str(exc)))
            continue
        finally:
            for num in set(plt.get_fignums()) - before:
                plt.close(num)
        sections.extend(out if isinstance(out, list) else [out])
    return sections, skipped


def _unique_anchors(sections: list) -> None:
    seen: dict = {}
    for s in sections:
        base = s.anchor
        seen[base] = seen.get(base, 0) + 1
        if seen[base] > 1:
            s.anchor = f"{base}-{seen[base]}"


def _close_figures(obj) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    if isinstance(obj, Section):  # figures of a Section not yet embedded (an error on the way)
        _close_figures(obj.content)
    elif isinstance(obj, Figure):
        plt.close(obj)
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            _close_figures(o)


def _render(title: str, card: ModelCard, sections: list) -> str:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("reluscope.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.tests["table"] = lambda b: isinstance(b, Table)
    env.tests["text"] = lambda b: isinstance(b, Text)
    env.tests["download"] = lambda b: isinstance(b, Download)
    env.tests["embedded_figure"] = lambda b: type(b).__name__ == "EmbeddedFigure"
    subtitle = f"{card.model_name} \u00b7 {card.task} \u00b7 [" + ", ".join(map(str, card.architecture)) + "]"
    return env.get_template("report.html").render(title=title, subtitle=subtitle, tiles=_headline(card), sections=sections)


def write_report(
    llms,
    path,
    *,
    X_test=None,
    y_test=None,
    title: str | None = None,
    model_name: str | None = None,
    top_k: int = 10,
    extra_sections: Sequence[Section] = (),
    explain_rows: Sequence[int] = (0,),
    distribution=None,
) -> Path:
    """Write one self-contained HTML report of an unwrapped ReLU network.

    The file holds everything (CSS inline, figures as embedded PNG, no
    scripts, no external requests), so it can be archived and handed on:

    1. model card: architecture ``[d, n_1 .. n_L, k]``, activations, output
       link, parameters, task, data sizes, train / test metrics
       (:mod:`sklearn.metrics` on the network's outputs), number of regions
       and the exactness certificate ``max |eta(x) - LLM(x)|``;
    2. the region summary (Figure 10 of the unwrapping paper), top and bottom
       rows, with the full table as an embedded CSV download;
    3. interpretation (section 3): joint importance (eq. 18), local linear
       profiles of the top features (Definition 2), parallel coordinates,
       the centred local explanation of ``explain_rows``, the predicted curve
       (one feature) and the LLM field (two features);
    4. diagnostics (section 4): degenerate regions, polar coordinates, local
       vs global performance with the extrapolation table, the activation
       region map (two features) and training vs test patterns (``X_test``);
    5. ``extra_sections``, then provenance and the views that did not apply.

    Views that do not apply to the network or the data are skipped and listed
    at the end, never drawn broken.

    Parameters
    ----------
    llms : LocalLinearModels
        From :func:`reluscope.unwrap`.
    path : str or Path
        The HTML file to write (parent folders are created).
    X_test, y_test : array-like, optional
        Test data, for test metrics and the training vs test patterns.
    title : str, optional
        Page title (default "Model report: <model_name>").
    model_name : str, optional
        Name of the model in the model card (default "ReLU network").
    top_k : int, default 10
        Top rows of the region summary and regions of the local vs global view.
    extra_sections : sequence of Section
        Appended after the built-in views (e.g. by merging / simplification).
    explain_rows : sequence of int, default (0,)
        Rows of the unwrapped data ``llms.X_`` explained one by one.
    distribution : reluscope.probability.GaussianMixture, optional
        An input distribution: adds the "Random inputs" section (pattern PMF
        and output CDF under it, ``002``) before ``extra_sections``.

    Returns
    -------
    pathlib.Path of the written file.

    Notes
    -----
    Every figure is closed once embedded; text is escaped by jinja2's
    autoescaping, so feature names cannot inject markup.

    Examples
    --------
    The report of ``f(x) = |x|`` unwrapped on 40 points (two regions), with a
    section of our own at the end:

    >>> import pathlib, re, tempfile
    >>> import numpy as np, reluscope
    >>> from reluscope.report import Section, write_report
    >>> net = reluscope.from_arrays([np.array([[1.0], [-1.0]]), np.array([[1.0, 1.0]])], [np.zeros(2), np.zeros(1)])
    >>> X = np.linspace(-1, 1, 40)[:, None]
    >>> llms = reluscope.unwrap(net, X, np.abs(X[:, 0]))
    >>> path = write_report(llms, pathlib.Path(tempfile.mkdtemp()) / "report.html",
    ...                     extra_sections=[Section("Data", "40 evenly spaced points on [-1, 1].")])
    >>> html = path.read_text()
    >>> re.findall(r"<h2[^>]*>(.*?)</h2>", html)[:3], "Data" in re.findall(r"<h2[^>]*>(.*?)</h2>", html)
    (['Model card', 'Region summary', 'Joint importance'], True)
    >>> "http://" in html or "https://" in html  # self-contained: nothing is fetched
    False
    """
    import matplotlib

    llms = check_llms(llms)
    if isinstance(top_k, (bool, np.bool_)) or not isinstance(top_k, (int, np.integer)) or top_k < 1:
        raise InvalidInputError(f"top_k must be a positive integer, got {top_k!r}.")
    rows = _check_rows(explain_rows, llms.X_.shape[0])
    extra = list(extra_sections)
    bad = [type(s).__name__ for s in extra if not isinstance(s, Section)]
    if bad:
        raise InvalidInputError(f"extra_sections must hold reluscope.report.Section objects, got {bad[:3]}.")
    X_test, y_test = _check_test(llms, X_test, y_test)
    if distribution is not None:
        from ._random import random_inputs_section

        extra = [random_inputs_section(llms, distribution), *extra]
    path = Path(path)
    ctx = Context(llms=llms, X_test=X_test, y_test=y_test, top_k=int(top_k), explain_rows=rows)
    try:
        with matplotlib.rc_context(_RC):
            card = model_card(llms, X_test, y_test, model_name)
            views, skipped = _build_views(ctx)
            sections = [model_card_section(card), summary_section(llms, int(top_k)), *views, *extra, _about_section(skipped, card)]
            rendered = [render_blocks(s) for s in sections]
            _unique_anchors(rendered)
    finally:
        _close_figures(extra)
    html = _render(title or f"Model report: {card.model_name}", card, rendered)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
