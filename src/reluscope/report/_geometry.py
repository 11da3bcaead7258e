"""The report's "Geometry" section (thesis ``000`` ch. 2 and 4): exact regions and layer metrics."""

from __future__ import annotations

import numpy as np

from ._blocks import Section, Text, embed_figure, key_value_table

__all__ = ["geometry_section", "GEOMETRY_ENUMERATE_MAX_DIM", "GEOMETRY_ENUMERATE_MAX_UNITS", "GEOMETRY_MAX_REGIONS"]

#: Exact box enumeration in the report only for small nets: up to this input dimension ...
GEOMETRY_ENUMERATE_MAX_DIM = 4
#: ... and this many hidden units, stopping at this many regions (then reported as "at least").
GEOMETRY_ENUMERATE_MAX_UNITS = 32
GEOMETRY_MAX_REGIONS = 300
#: Rows of the data used for the layer metrics.
GEOMETRY_MAX_ROWS = 5000


def _exact_count(ctx, box):
    from ..geometry import enumerate_regions, slice_2d

    net = ctx.llms.network
    d = net.n_features
    if d == 2:
        s = slice_2d(net, [0.0, 0.0], [1.0, 0.0], [0.0, 1.0], bounds=box, progress=False)
        return s, s.n_regions, False
    if d <= GEOMETRY_ENUMERATE_MAX_DIM and net.n_hidden_units <= GEOMETRY_ENUMERATE_MAX_UNITS:
        e = enumerate_regions(net, box, max_regions=GEOMETRY_MAX_REGIONS, progress=False)
        return None, e.n_regions, e.truncated
    return None, None, False


def geometry_section(ctx) -> Section:
    """Exact region count in the data's box, the exact 2-D map, and the layer metrics of the training data."""
    from .. import plot
    from ..diagnose.boundaries import resolve_box
    from ..geometry import bent_hyperplanes_2d, layer_metrics

    llms = ctx.llms
    net = llms.network
    box = resolve_box(llms, "data")
    slc, count, truncated = _exact_count(ctx, box)
    pairs = [("Regions visited by the training data", f"{llms.n_regions:,}")]
    if count is not None:
        pairs.append(("Regions in the data box (exact)", f"{'at least ' if truncated else ''}{count:,}"))
        pairs.append(("Share of them with training data", f"{llms.n_regions / count:.1%}" if not truncated else "\u2013"))
    content: list = [key_value_table(pairs, html_id="geometry-counts")]
    if slc is not None:
        bent = bent_hyperplanes_2d(net, slc, level=0.0) if net.task == "binary" else None
        content.append(embed_figure(plot.region_slice(slc, bent=bent, X=llms.X_, y=llms.y_)))
    rows = llms.X_[:: max(1, llms.X_.shape[0] // GEOMETRY_MAX_ROWS)]
    if net.n_hidden_layers:
        m = layer_metrics(net, rows, random_state=0)
        content.append(embed_figure(plot.layer_metric_curves(m)))
        content.append(embed_figure(plot.activity_histograms(m)))
    else:
        content.append(Text("The network has no hidden layer: one region, no layer metrics.", muted=True))
    return Section(
        "Geometry",
        content,
        "Exact regions are every activation region of the network in the data's box (the training data visit only "
        "some of them); the curves follow the training data through the hidden layers (mean distance from the origin, "
        "stable rank, spherical mean width, non-zero covariance eigenvalues, active and stably on/off units; thesis "
        "ch. 4.5), the histograms show each unit's share of inputs on, per layer.",
        group="Diagnostics",
    )
