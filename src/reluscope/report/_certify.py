"""Certificates in the report: stability radius and counterfactual beside each local explanation,
the 2-D certificate figure and the monotonicity table (:mod:`reluscope.certify`)."""

from __future__ import annotations

import numpy as np

from .. import certify, plot
from ._blocks import Section, embed_figure, format_value, frame_table

#: Search limits of the report's counterfactuals (seconds, regions): past them the bound is shown.
CF_TIME_LIMIT, CF_MAX_REGIONS = 5.0, 2_000
#: Monotonicity table only for nets this small (hidden units, features): one MILP pair per feature.
MONO_MAX_UNITS, MONO_MAX_FEATURES = 64, 12


def data_box(ctx) -> np.ndarray:
    X = ctx.llms.X_
    return np.column_stack([X.min(axis=0), X.max(axis=0)])


def explanation_facts(ctx, row: int) -> list:
    """(label, value) pairs: the L2 stability radius and the L1 counterfactual of a training row."""
    net, x = ctx.llms.network, ctx.llms.X_[row]
    st = certify.stability_radius(net, x[None, :], norm=2)
    facts = [("Stability radius (L2: distance to the nearest facet)", format_value(float(st.radius[0]))),
             ("Nearest facet: unit (layer, index)", f"{int(st.layer[0]) + 1}, {int(st.unit_in_layer[0])}" if st.unit[0] >= 0 else "none")]
    if net.task in ("binary", "multiclass"):
        try:
            import highspy  # noqa: F401  (the counterfactual's LPs)
        except ImportError:
            return facts + [("Minimal counterfactual", "needs highspy: pip install 'reluscope[certify]'")]
        cf = certify.counterfactual(net, x, norm=1, box=data_box(ctx), time_limit=CF_TIME_LIMIT, max_regions=CF_MAX_REGIONS)
        if cf.found:
            names = net.feature_names or [f"x{j}" for j in range(net.n_features)]
            ch = cf.changes(names)
            top = ", ".join(f"{k} {v:+.3g}" for k, v in ch["change"].abs().sort_values(ascending=False).head(3).items())
            proof = "optimal" if cf.optimal else f"best found, lower bound {format_value(cf.lower_bound)}"
            facts.append(("Minimal counterfactual (L1, data box)", f"distance {format_value(cf.distance)} ({proof}); {top}"))
        else:
            facts.append(("Minimal counterfactual (L1, data box)", cf.message))
    return facts


def certificate_section(ctx) -> Section:
    row = int(ctx.explain_rows[0]) if len(ctx.explain_rows) else 0
    view = certify.region_view(ctx.llms.network, ctx.llms.X_[row], data_box(ctx), norm=2, time_limit=CF_TIME_LIMIT)
    return Section(
        "Stability radius and minimal counterfactual",
        embed_figure(plot.certificate(view)),
        f"Training row {row} (black dot) in its activation region (outline): its local linear explanation holds "
        "exactly inside the dashed ball, whose radius is the distance to the nearest facet (thick); the arrow is the "
        "closest input with the other decision, found by a best-first search over regions with one convex "
        "programme per region.",
        group="Interpretation",
    )


def monotonicity_section(ctx) -> Section:
    net = ctx.llms.network
    table = certify.monotonicity_table(net, data_box(ctx), output=0)
    return Section(
        "Monotonicity certificates",
        frame_table(table.set_index("Feature")),
        "For each feature, the smallest and largest LLM coefficient over every activation region that meets the "
        "data's bounding box (exact, by a mixed-integer programme over the box): 'increasing' or 'decreasing' is a "
        "certificate over the whole box, 'neither' means regions of both signs exist.",
        group="Interpretation",
    )


def small_net(ctx):
    net = ctx.llms.network
    if net.n_hidden_units > MONO_MAX_UNITS or net.n_features > MONO_MAX_FEATURES:
        return f"is computed for small nets (at most {MONO_MAX_UNITS} hidden units and {MONO_MAX_FEATURES} features)"
    return None
