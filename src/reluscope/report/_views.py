"""The report's view sections: each computes a result (interpret / diagnose) and embeds its figure.

Every builder takes a :class:`Context` and returns one :class:`Section` (or a
list).  Builders never draw on their own: the figures come from
:mod:`reluscope.plot`, the numbers from :mod:`reluscope.interpret` and
:mod:`reluscope.diagnose`.  Each figure is embedded (and closed) right away,
so at most one figure is open at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import diagnose, interpret, plot
from . import _certify
from ._blocks import Section, Text, embed_figure, format_value, frame_table, key_value_table
from ._geometry import geometry_section

__all__ = ["Context", "VIEWS"]

#: Regions drawn at most in the parallel coordinate plot (the largest ones).
PC_MAX_REGIONS = 500
#: Regions of the local linear profile (the paper uses 30 for ChirpWave, 10 for tabular data).
PROFILE_TOP_K = 30
#: Size (inches) of each local linear profile figure: two fit side by side.
PROFILE_FIGSIZE = (4.6, 3.5)
#: Grid points per axis of the 2-D region map.
REGION_MAP_RESOLUTION = 300
#: Region boundaries are drawn only when the map holds at most this many patterns (else they hide the colours).
BOUNDARY_MAX_PATTERNS = 300

INTERPRETATION, DIAGNOSTICS = "Interpretation", "Diagnostics"


@dataclass
class Context:
    """What the view builders share."""

    llms: object
    X_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    top_k: int = 10
    explain_rows: tuple = (0,)
    cache: dict = field(default_factory=dict)

    def importance(self) -> pd.DataFrame:
        if "ji" not in self.cache:
            self.cache["ji"] = interpret.joint_importance(self.llms)
        return self.cache["ji"]

    def top_features(self, n: int) -> list:
        ji = self.importance()
        feats = ji[(ji["Feature"] != "Intercept")]
        nonzero = feats[feats["Importance"] > 0]
        return list((nonzero if len(nonzero) else feats)["Feature"].iloc[:n])


# -------------------------------------------------------- interpretation
def importance_section(ctx: Context) -> Section:
    ji = ctx.importance()
    return Section(
        "Joint importance",
        [
            embed_figure(plot.joint_importance(ji)),
            frame_table(ji.set_index("Feature"), head=10, html_id="joint-importance", footer=f"top 10 of {len(ji)}" if len(ji) > 10 else ""),
        ],
        "Each bar is a feature's share of the count-weighted squared LLM coefficients (eq. 18 of the unwrapping "
        "paper), so a long bar marks a feature with steep local slopes in the large regions; the grey bar is the "
        "intercept, and the shares add up to 1.",
        group=INTERPRETATION,
    )


def profile_section(ctx: Context) -> Section:
    import matplotlib.pyplot as plt

    llms = ctx.llms
    figs, shown = [], 0
    for f in ctx.top_features(min(3, llms.n_features)):
        prof = interpret.local_profile(llms, f, top_k=PROFILE_TOP_K)
        shown = max(shown, prof.regions.size)
        _, ax = plt.subplots(figsize=PROFILE_FIGSIZE)  # small enough for two side by side
        figs.append(embed_figure(plot.local_profile(prof, ax=ax)))
    which = "the most important feature" if len(figs) == 1 else f"the {len(figs)} most important features"
    return Section(
        "Local linear profiles",
        figs,
        f"For {which}, each segment is the slope of one of the {shown} largest regions' LLMs, centred on the "
        "region's mean and drawn over the region's range of the feature (Definition 2), with the region's "
        "distribution of the feature shaded below: parallel segments mean a consistent effect, crossing slopes a "
        "nonlinear effect or an interaction.",
        group=INTERPRETATION,
    )


def curve_section(ctx: Context) -> Section:
    prof = interpret.local_profile(ctx.llms, 0, top_k=PROFILE_TOP_K)
    return Section(
        "Predicted curve and its local linear models",
        embed_figure(plot.llm_curve(prof)),
        f"The dashed grey curve is the network's output over the range of the feature; the coloured pieces are the "
        f"exact LLMs of the {prof.regions.size} largest regions, each drawn where it holds (Figure 4 of the paper).",
        group=INTERPRETATION,
    )


def parallel_section(ctx: Context) -> Section:
    pc = interpret.parallel_coordinates(ctx.llms, top_features=10, exclude_degenerate=True, max_regions=PC_MAX_REGIONS)
    kept = ctx.llms.n_regions - len(pc.excluded_regions)
    more = f" (the {PC_MAX_REGIONS} largest of {kept})" if kept > len(pc.coefficients) else ""
    return Section(
        "Parallel coordinates",
        embed_figure(plot.parallel_coordinates(pc)),
        f"Each line is one region's LLM{more}, its coefficients on the {len(pc.features)} most important features; "
        "single-instance and single-class regions are left out: coefficients of one sign mean a monotone effect, "
        "both signs an inconsistent (nonlinear or interacting) effect, values near zero an unimportant feature.",
        group=INTERPRETATION,
    )


def _explanation(ctx: Context, row: int) -> Section:
    llms = ctx.llms
    e = interpret.explain_instance(llms, llms.X_[row], centered=True)
    table = e.to_frame().set_index("Feature")
    where = f"region {e.region} ({e.count} training row{'' if e.count == 1 else 's'})" if e.seen else "a region unseen in training"
    facts = [("Region", where), ("Baseline: LLM at the data mean", format_value(e.baseline)),
             ("Sum of contributions", format_value(float(e.contributions.sum()))),
             (f"Network {e.output_name}", format_value(e.decision))]
    if e.task != "regression":
        facts.append(("Predicted probability", format_value(e.prediction)))
    facts += _certify.explanation_facts(ctx, row)
    return Section(
        f"Local explanation of training row {row}",
        [
            embed_figure(plot.local_explanation(e)),
            key_value_table(facts),
            frame_table(table, head=10, footer=f"top 10 of {len(table)} features by |contribution|" if len(table) > 10 else ""),
        ],
        "The row's prediction written exactly as its region's LLM, centred on the data mean: each bar is "
        "w\u2c7c (x\u2c7c \u2212 mean\u2c7c), red raising and blue lowering the pre-link output \u03b7, and the baseline "
        "plus the bars equals the network output.",
        group=INTERPRETATION,
    )


def explanation_sections(ctx: Context) -> list:
    return [_explanation(ctx, int(r)) for r in ctx.explain_rows]


def field_section(ctx: Context) -> Section:
    f = interpret.llm_field_2d(ctx.llms)
    return Section(
        "Local linear models in the input plane",
        embed_figure(plot.llm_field(f)),
        "Each short black line is one region's LLM drawn at the region centre (green dot, larger for more rows): "
        "for a classifier its own decision line (logit = 0), otherwise its level line; together they trace how the "
        "network bends its boundary piece by piece (Figure 5 left).",
        group=INTERPRETATION,
    )


# ----------------------------------------------------------- diagnostics
def degenerate_section(ctx: Context) -> Section:
    llms = ctx.llms
    flags = diagnose.region_flags(llms)
    share = diagnose.degenerate_share(llms)
    rows_share = diagnose.degenerate_share(llms, weighted=True)
    pairs = [
        ("Regions", f"{llms.n_regions:,}"),
        ("Single-instance regions (one row)", f"{int(flags['single_instance'].sum()):,}"),
        ("Single-class regions (one response value)", f"{int(flags['single_class'].sum()):,}"),
        ("Degenerate regions (either)", f"{int(flags['degenerate'].sum()):,} ({share:.1%} of regions)"),
        ("Training rows in degenerate regions", f"{rows_share:.1%}"),
    ]
    content: list = [key_value_table(pairs, html_id="degenerate")]
    if llms.y_ is None:
        content.append(Text("Unwrapped without y: only single-instance regions can be flagged.", muted=True))
    return Section(
        "Degenerate regions",
        content,
        f"{share:.1%} of the regions hold a single row or a single response value (section 4.1 of the paper): their "
        "LLMs are not supported by enough data to be interpreted, and a high share is a sign of an over-parameterised "
        "network.",
        group=DIAGNOSTICS,
    )


def polar_section(ctx: Context) -> Section:
    p = diagnose.polar_coordinates(ctx.llms)
    how = "the first two principal components of the coefficients" if p.method == "pca" else "the LLM coefficients"
    return Section(
        "Polar coordinates",
        embed_figure(plot.polar_coordinates(p)),
        f"Each dot is one region: the angle is the direction of {how}, the radius its number of training rows, "
        "blue dots are degenerate regions; large dots pointing the same way are similar LLMs (candidates for "
        "merging), blue dots near the centre are the unreliable small regions (Figure 12).",
        group=DIAGNOSTICS,
    )


def local_global_section(ctx: Context) -> Section:
    df = diagnose.local_vs_global(ctx.llms, top_k=ctx.top_k)
    metric, thr = df.attrs["metric"], df.attrs["threshold"]
    better = "at least" if df.attrs["higher_is_better"] else "at most"
    return Section(
        "Local vs global performance",
        [embed_figure(plot.local_vs_global(df)), frame_table(df, html_id="extrapolation")],
        f"For the {len(df)} largest regions, Local {metric} is the network on the region's own rows and Global "
        f"{metric} the region's LLM applied to every training row (good: {better} {thr:.4g}); "
        "'poor' extrapolation means good only locally, 'good' good on both, 'extraordinary' good globally despite "
        "a poor local fit (section 4.2).",
        group=DIAGNOSTICS,
    )


def region_map_section(ctx: Context) -> Section:
    rm = diagnose.region_map_2d(ctx.llms, resolution=REGION_MAP_RESOLUTION)
    few = rm.n_regions_on_grid + rm.n_unseen_patterns <= BOUNDARY_MAX_PATTERNS
    return Section(
        "Activation region map",
        embed_figure(plot.region_map(rm, ctx.llms, show_boundaries=few)),
        f"Each colour patch is one activation region, where the network is one affine map; light blue is input "
        f"space whose patterns never occur in the training data ({rm.unseen_share:.1%} of the box), where no LLM "
        "was unwrapped and the network extrapolates (Figure 5 middle).",
        group=DIAGNOSTICS,
    )


def patterns_section(ctx: Context) -> Section:
    o = diagnose.pattern_overlap(ctx.llms, ctx.X_test, ctx.y_test)
    pairs = [
        ("Training patterns |P_train|", f"{o.n_train_patterns:,}"),
        ("Test patterns |P_test|", f"{o.n_test_patterns:,}"),
        ("Shared", f"{o.n_shared:,}"),
        ("Test rows in regions unseen in training", f"{o.unseen_row_share:.1%} of {o.n_test_rows:,}"),
    ]
    if o.metric is not None:
        pairs += [(f"Test {o.metric}, rows in seen regions", format_value(o.metric_seen)),
                  (f"Test {o.metric}, rows in unseen regions", format_value(o.metric_unseen))]
    return Section(
        "Training vs test activation patterns",
        [embed_figure(plot.pattern_overlap(o)), key_value_table(pairs, html_id="patterns")],
        "Test rows whose activation pattern never occurred in training have no unwrapped LLM behind them (Figure 3): "
        "a large unseen share, or a worse metric on unseen rows, means the network is extrapolating on new data.",
        group=DIAGNOSTICS,
    )


def _d(n: int):
    def check(ctx: Context):
        d = ctx.llms.n_features
        return None if d == n else f"needs a network with {n} input feature{'s' if n > 1 else ''}; this one has {d}"

    return check


def _at_least_2(ctx: Context):
    d = ctx.llms.n_features
    return None if d >= 2 else f"draws one axis per feature: needs at least 2 input features; this one has {d}"


def _needs_y(ctx: Context):
    return None if ctx.llms.y_ is not None else "needs the response: unwrap with reluscope.unwrap(network, X, y)"


def _needs_test(ctx: Context):
    return None if ctx.X_test is not None else "needs test data: pass X_test (and y_test) to write_report"


#: (title, builder, applicability check returning None or the reason the view does not apply).
VIEWS = [
    ("Joint importance", importance_section, None),
    ("Local linear profiles", profile_section, None),
    ("Predicted curve and its local linear models", curve_section, _d(1)),
    ("Parallel coordinates", parallel_section, _at_least_2),
    ("Local explanation", explanation_sections, None),
    ("Local linear models in the input plane", field_section, _d(2)),
    ("Stability radius and minimal counterfactual", _certify.certificate_section, _d(2)),
    ("Monotonicity certificates", _certify.monotonicity_section, _certify.small_net),
    ("Degenerate regions", degenerate_section, None),
    ("Polar coordinates", polar_section, None),
    ("Local vs global performance", local_global_section, _needs_y),
    ("Activation region map", region_map_section, _d(2)),
    ("Training vs test activation patterns", patterns_section, _needs_test),
    ("Geometry", geometry_section, None),
]
