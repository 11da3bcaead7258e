"""Every figure renders for regression, binary and multi-class nets, d = 1, 2, 35, and a one-region net."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import reluscope  # noqa: E402
from reluscope import diagnose, interpret, plot  # noqa: E402
from reluscope.errors import InvalidInputError  # noqa: E402

OUTPUTS = {"regression": (1, "identity"), "binary": (1, "sigmoid"), "multiclass": (3, "softmax")}


def make_llms(task, d, n=80, seed=0):
    rng = np.random.default_rng(seed + d)
    k, out = OUTPUTS[task]
    Ws, bs, m = [], [], d
    for h in (5, 4, k):
        Ws.append(rng.normal(size=(h, m)))
        bs.append(rng.normal(scale=0.5, size=h))
        m = h
    names = [f"feature_{j}" for j in range(d)]
    net = reluscope.from_arrays(Ws, bs, output=out, feature_names=names)
    X = pd.DataFrame(rng.normal(size=(n, d)), columns=names)
    eta = net.decision_function(X)
    if task == "regression":
        y = eta + rng.normal(scale=0.3, size=n)
    elif task == "binary":
        y = (eta + rng.normal(size=n) > 0).astype(int)
    else:
        y = (eta + rng.normal(size=eta.shape)).argmax(axis=1)
    return reluscope.unwrap(net, X, y)


def render(fig):
    assert isinstance(fig, Figure)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=30)
    plt.close(fig)
    assert buf.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"
    return fig


def all_figures(llms, X_test):
    """(name, figure) for every view that applies to the network's dimension."""
    d = llms.n_features
    out = llms.n_outputs - 1
    prof = interpret.local_profile(llms, llms.feature_names_[-1], output=out)
    yield "joint_importance", plot.joint_importance(interpret.joint_importance(llms, output=out))
    yield "squared_importance", plot.joint_importance(interpret.squared_coefficient_importance(llms))
    yield "local_profile", plot.local_profile(prof)
    yield "parallel_coordinates", plot.parallel_coordinates(interpret.parallel_coordinates(llms, output=out))
    yield "parallel_all", plot.parallel_coordinates(interpret.parallel_coordinates(llms, exclude_degenerate=False, include_intercept=True))
    yield "local_explanation", plot.local_explanation(interpret.explain_instance(llms, llms.X_[0], output=out))
    yield "local_explanation_stem", plot.local_explanation(interpret.explain_instance(llms, llms.X_[1], centered=True), kind="stem")
    yield "polar", plot.polar_coordinates(diagnose.polar_coordinates(llms, output=out))
    yield "local_vs_global", plot.local_vs_global(diagnose.local_vs_global(llms))
    yield "pattern_overlap", plot.pattern_overlap(diagnose.pattern_overlap(llms, X_test, None))
    if d == 1:
        yield "llm_curve", plot.llm_curve(prof)
    if d == 2:
        yield "region_map", plot.region_map(diagnose.region_map_2d(llms, resolution=40), llms)
        yield "region_map_bare", plot.region_map(diagnose.region_map_2d(llms, resolution=40))
        yield "llm_field", plot.llm_field(interpret.llm_field_2d(llms, output=out), show_gradients=True)


@pytest.mark.parametrize("d", [1, 2, 35])
@pytest.mark.parametrize("task", ["regression", "binary", "multiclass"])
def test_every_figure_renders(task, d):
    llms = make_llms(task, d)
    X_test = np.random.default_rng(1).normal(scale=2.0, size=(30, d))
    names = []
    for name, fig in all_figures(llms, X_test):
        render(fig)
        names.append(name)
    assert ("region_map" in names) == (d == 2) and ("llm_curve" in names) == (d == 1)


def test_figures_with_35_features_limit_labels():
    llms = make_llms("binary", 35, n=120)
    fig = plot.joint_importance(interpret.joint_importance(llms))
    assert len(fig.axes[0].get_yticklabels()) == 20 and "top 20 of 36" in fig.axes[0].get_title()
    fig = plot.parallel_coordinates(interpret.parallel_coordinates(llms, exclude_degenerate=False))
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ji = interpret.joint_importance(llms)
    assert ticks == [f for f in ji["Feature"] if f != "Intercept"][:10]
    fig = plot.local_explanation(interpret.explain_instance(llms, llms.X_[0]), max_features=8)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(labels) == 9 and labels[-1] == "other 27 features"
    # the bars still add up to decision - intercept
    heights = [p.get_width() for p in fig.axes[0].patches]
    e = interpret.explain_instance(llms, llms.X_[0])
    assert sum(heights) == pytest.approx(e.decision - e.intercept, abs=1e-9)
    plt.close("all")


def test_axis_labels_carry_feature_names():
    llms = make_llms("binary", 2)
    ax = plot.region_map(diagnose.region_map_2d(llms, resolution=20)).axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("feature_0", "feature_1")
    ax = plot.local_profile(interpret.local_profile(llms, "feature_1")).axes[0]
    assert ax.get_xlabel() == "feature_1"
    plt.close("all")


def test_figures_draw_on_given_axes():
    llms = make_llms("regression", 2)
    fig, axes = plt.subplots(1, 3)
    assert plot.joint_importance(interpret.joint_importance(llms), ax=axes[0]) is fig
    assert plot.region_map(diagnose.region_map_2d(llms, resolution=20), llms, ax=axes[1]) is fig
    assert plot.polar_coordinates(diagnose.polar_coordinates(llms), ax=axes[2]) is fig  # Cartesian fallback
    assert axes[2].get_xlabel().startswith("count x direction")
    render(fig)


def test_single_region_network_renders():
    # zero hidden weights: every input has the same pattern, a single constant LLM
    for task in ("regression", "binary"):
        k, out = OUTPUTS[task]
        net = reluscope.from_arrays([np.zeros((3, 2)), np.ones((k, 3))], [np.ones(3), np.zeros(k)], output=out)
        X = np.random.default_rng(0).normal(size=(20, 2))
        y = X[:, 0] if task == "regression" else (X[:, 0] > 0).astype(int)
        llms = reluscope.unwrap(net, X, y)
        assert llms.n_regions == 1
        for _, fig in all_figures(llms, X * 3):
            render(fig)


def test_plots_refuse_wrong_objects():
    llms = make_llms("regression", 1)
    with pytest.raises(InvalidInputError, match="LocalProfile"):
        plot.local_profile(interpret.joint_importance(llms))
    with pytest.raises(InvalidInputError, match="one-feature"):
        plot.llm_curve(interpret.local_profile(make_llms("regression", 2), 0))
    with pytest.raises(InvalidInputError):
        plot.local_vs_global(pd.DataFrame({"a": [1]}))
