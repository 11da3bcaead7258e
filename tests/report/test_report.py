"""The HTML report: written for regression / binary / multi-class nets and d = 1, 2, 35; self-contained;
its numbers are the library's (region summary) and scikit-learn's (metrics); every view it should hold."""

from __future__ import annotations

import base64
import math
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from sklearn.metrics import accuracy_score, mean_squared_error, roc_auc_score  # noqa: E402

import reluscope  # noqa: E402
from reluscope.errors import InvalidInputError  # noqa: E402
from reluscope.report import Section, _views, write_report  # noqa: E402
from tests.strategies import random_network  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
OUTPUTS = {"regression": (1, "identity"), "binary": (1, "sigmoid"), "multiclass": (3, "softmax")}
ALWAYS = [
    "Model card",
    "Geometry",  # reluscope.geometry (issue 15): exact regions in the data box and layer metrics
    "Region summary",
    "Joint importance",
    "Local linear profiles",
    "Local explanation of training row 0",
    "Degenerate regions",
    "Polar coordinates",
    "About this report",
]
WITH_Y = ["Local vs global performance"]
ONLY_1D = ["Predicted curve and its local linear models"]
NOT_1D = ["Parallel coordinates"]
ONLY_2D = ["Local linear models in the input plane", "Activation region map", "Stability radius and minimal counterfactual"]
SMALL_NET = ["Monotonicity certificates"]  # nets with at most 12 features
WITH_TEST = ["Training vs test activation patterns"]


class Page(HTMLParser):
    """What the tests read from the report: headings, images, link targets, tables by id."""

    def __init__(self, html: str):
        super().__init__()
        self.h2, self.images, self.links, self.tables = [], [], [], {}
        self._h2 = self._table = self._row = self._cell = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in ("src", "href", "srcset", "poster", "data", "action"):
            if name in a:
                self.links.append((tag, name, a[name] or ""))
        if tag == "img":
            self.images.append(a.get("src", ""))
        elif tag == "h2":
            self._h2 = []
        elif tag == "table":
            self._table = self.tables.setdefault(a.get("id", f"table-{len(self.tables)}"), [])
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "h2" and self._h2 is not None:
            self.h2.append("".join(self._h2).strip())
            self._h2 = None
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        for buf in (self._h2, self._cell):
            if buf is not None:
                buf.append(data)


def make_case(task, d, n=300, seed=0, with_y=True, verify=True, names=None):
    rng = np.random.default_rng(seed + 7 * d)
    k, out = OUTPUTS[task]
    net = random_network(rng, [d, 10, 8, k], output=out)
    names = names or [f"f{j}" for j in range(d)]
    net = reluscope.from_arrays([w for w in net.weights], [b for b in net.biases], output=out, feature_names=names)
    X = pd.DataFrame(rng.normal(size=(n + 100, d)), columns=names)
    eta = net.decision_function(X)
    if task == "regression":
        y = eta + rng.normal(scale=0.3, size=n + 100)
    elif task == "binary":
        y = (eta + rng.normal(size=n + 100) > 0).astype(int)
    else:
        y = (eta + rng.normal(size=eta.shape)).argmax(axis=1)
    llms = reluscope.unwrap(net, X.iloc[:n], y[:n] if with_y else None, verify=verify)
    return llms, X.iloc[n:], y[n:]


# (task, d, test data given, unwrapped with y): every task and every d at least once
CASES = [("regression", 1, True, True), ("binary", 2, True, True), ("multiclass", 35, False, True), ("regression", 35, True, False)]
#: Feature names with markup, for the escaping checks (binary, d = 2 case).
EVIL = ['<img src=x onerror="alert(1)">', "a&b"]


@pytest.fixture(autouse=True, scope="module")
def coarse_region_map():
    """A 40 x 40 region map instead of 300 x 300: these tests check the report, not the map."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_views, "REGION_MAP_RESOLUTION", 40)
        yield


@pytest.fixture(scope="module", params=CASES, ids=lambda c: f"{c[0]}-d{c[1]}{'-test' if c[2] else ''}{'' if c[3] else '-no_y'}")
def written(request, tmp_path_factory, coarse_region_map):
    task, d, with_test, with_y = request.param
    names = EVIL if d == 2 else None
    llms, X_test, y_test = make_case(task, d, with_y=with_y, verify=with_y, names=names)
    path = tmp_path_factory.mktemp("report") / "sub" / "report.html"
    open_before = set(plt.get_fignums())
    kw = dict(X_test=X_test, y_test=y_test) if with_test else {}
    out = write_report(llms, path, title="Test <report>", model_name="<b>random net</b>", **kw)
    leaked = set(plt.get_fignums()) - open_before
    html = path.read_text(encoding="utf-8")
    return dict(task=task, d=d, with_test=with_test, with_y=with_y, llms=llms, X_test=X_test, y_test=y_test,
                out=out, path=path, html=html, page=Page(html), leaked=leaked)


def test_report_is_written_and_closes_its_figures(written):
    assert written["out"] == written["path"] and written["path"].is_file()
    assert written["leaked"] == set()
    assert written["html"].lstrip().startswith("<!DOCTYPE html>")


def test_report_has_every_expected_section_and_only_those(written):
    d, page = written["d"], written["page"]
    expected = set(ALWAYS) | set(ONLY_1D if d == 1 else NOT_1D) | set(ONLY_2D if d == 2 else [])
    expected |= set(WITH_Y if written["with_y"] else []) | set(WITH_TEST if written["with_test"] else [])
    expected |= set(SMALL_NET if d <= 12 else [])
    assert set(page.h2) == expected
    assert len(page.h2) == len(set(page.h2))
    # views that do not apply are listed, with the reason, in the About section
    skipped = {row[0] for row in page.tables["skipped"][1:]}
    assert skipped == set(ONLY_1D + NOT_1D + ONLY_2D + WITH_Y + WITH_TEST + SMALL_NET) - expected


def test_embedded_images_decode_to_png(written):
    images = written["page"].images
    # importance, profiles (min(3, d)), explanation, polar, then parallel coordinates (d > 1) or the curve (d = 1)
    n_expected = 3 + min(3, written["d"]) + 1 + 3 * (written["d"] == 2)  # d = 2: field, region map, certificate
    n_expected += written["with_y"] + written["with_test"]
    n_expected += 2 + (written["d"] == 2)  # Geometry: layer metric curves, activity histograms, exact 2-D map
    assert len(images) == n_expected
    for src in images:
        assert src.startswith("data:image/png;base64,")
        png = base64.b64decode(src.split(",", 1)[1], validate=True)
        assert png[:8] == PNG_MAGIC and len(png) > 2000


def test_report_loads_nothing_from_outside(written):
    page, html = written["page"], written["html"]
    assert page.links, "the parser found no src/href at all"
    for tag, attr, value in page.links:
        assert value.startswith(("data:", "#")), (tag, attr, value[:80])
    lowered = html.lower()
    for needle in ("http://", "https://", "@import", "url(", "<script", "<link", "<iframe"):
        assert needle not in lowered, needle


def _cell_value(text):
    return math.nan if text == "\u2013" else float(text)


def test_region_summary_table_holds_the_summary_numbers(written):
    llms = written["llms"]
    summary = llms.summary()
    rows = written["page"].tables["region-summary"]
    header, body = rows[0], [r for r in rows[1:] if len(r) > 1]
    assert header == ["Region", *summary.columns]
    R = len(summary)
    shown = [int(r[0]) for r in body]
    assert shown == (list(range(R)) if R <= 15 else [*range(10), *range(R - 5, R)])
    assert R > 15 or written["d"] == 1  # the ellipsis case is exercised
    for r in body:
        region = int(r[0])
        for col, text in zip(summary.columns, r[1:]):
            v = summary.loc[region, col]
            if col == "Trivial":
                assert text == ("yes" if v else "no")
            elif col == "Majority Class":
                assert text == str(v)
            elif isinstance(v, (int, np.integer)):
                assert int(text) == v
            elif np.isnan(v):
                assert text == "\u2013"
            else:
                assert _cell_value(text) == pytest.approx(v, rel=1e-3, abs=1e-4)
    if R > 15:
        assert f"{R} rows" in written["html"]


def _sklearn_metrics(task, net, X, y):
    if task == "binary":
        return {"AUC": roc_auc_score(y, net.decision_function(X)), "Accuracy": accuracy_score(y, net.predict(X))}
    if task == "multiclass":
        return {"Accuracy": accuracy_score(y, net.predict(X))}
    return {"MSE": mean_squared_error(y, net.forward(X))}


def test_model_card_metrics_match_sklearn_on_network_outputs(written):
    llms, net, task = written["llms"], written["llms"].network, written["task"]
    if not (written["with_y"] or written["with_test"]):
        assert "metrics" not in written["page"].tables
        return
    rows = written["page"].tables["metrics"]
    assert rows[0] == ["Metric", "Train"] + (["Test"] if written["with_test"] else [])
    table = {r[0]: r[1:] for r in rows[1:]}
    if written["with_y"]:
        for name, value in _sklearn_metrics(task, net, llms.X_, llms.y_).items():
            assert float(table[name][0]) == pytest.approx(value, abs=1e-4), name
    else:  # unwrapped without y: no training metric, but the test one is there
        assert all(r[0] == "\u2013" for r in table.values())
    if written["with_test"]:
        for name, value in _sklearn_metrics(task, net, written["X_test"].to_numpy(), written["y_test"]).items():
            assert float(table[name][1]) == pytest.approx(value, abs=1e-4), name


def test_model_card_states_architecture_and_certificate(written):
    llms, html = written["llms"], written["html"]
    card = {r[0]: r[1] for r in written["page"].tables["model-card"]}
    net = llms.network
    assert card["Architecture [d, n\u2081 \u2026 n_L, k]"] == str([net.n_features, *net.hidden_sizes, net.n_outputs])
    assert card["Parameters"] == f"{net.n_parameters:,}"
    assert card["Task"] == written["task"]
    assert card["Training rows (unwrapped)"] == f"{llms.X_.shape[0]:,}"
    assert card["Activation regions (local linear models)"].startswith(f"{llms.n_regions:,}")
    cert = llms.max_error_ if llms.max_error_ is not None else llms.verify()
    assert card["Exactness certificate, training rows"].endswith(f"{cert:.3e}")
    assert float(card["Exactness certificate, training rows"].split("=")[1]) < 1e-9
    if written["with_test"]:
        assert card["Test rows"] == f"{len(written['X_test']):,}"
        assert card["Exactness certificate, test rows"].endswith(f"{llms.verify(written['X_test'].to_numpy()):.3e}")


def test_user_text_is_escaped(written):
    html = written["html"]
    assert "Test &lt;report&gt;" in html and "Test <report>" not in html
    assert "&lt;b&gt;random net&lt;/b&gt;" in html and "<b>random net</b>" not in html
    if written["d"] == 2:  # feature names with markup end up as text, never as tags
        assert EVIL[0] not in html and "a&b" not in html
        assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html and "a&amp;b" in html


def test_extra_sections_are_appended_and_their_figures_closed(tmp_path):
    llms, _, _ = make_case("binary", 1, n=120)
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    table = pd.DataFrame({"Merged region": [0, 1], "Rows": [70, 50]}).set_index("Merged region")
    extra = [
        Section("Merged model", [fig, table], "Each colour is one merged region.", group="Simplification"),
        Section("Merged model", "Second section with the same title.", "Anchors stay unique."),
    ]
    # through the LocalLinearModels.report shortcut
    out = llms.report(tmp_path / "r.html", extra_sections=extra, explain_rows=(1, 2), top_k=3)
    html = out.read_text(encoding="utf-8")
    page = Page(html)
    assert not plt.fignum_exists(fig.number)
    assert page.h2[-3:] == ["Merged model", "Merged model", "About this report"]
    assert "Local explanation of training row 1" in page.h2 and "Local explanation of training row 2" in page.h2
    assert "Local explanation of training row 0" not in page.h2
    assert 'id="merged-model"' in html and 'id="merged-model-2"' in html
    assert "Each colour is one merged region." in html and "Simplification" in html
    merged = next(t for t in page.tables.values() if t and t[0][:2] == ["Merged region", "Rows"])
    assert merged[1:] == [["0", "70"], ["1", "50"]]
    # top_k: 3 top rows of the summary, 3 regions in the extrapolation table
    assert len(page.tables["extrapolation"]) == 1 + min(3, llms.n_regions)
    assert [r[0] for r in page.tables["region-summary"][1:4]] == ["0", "1", "2"]


def test_single_region_network_gets_a_full_report(tmp_path):
    # zero hidden weights: one pattern everywhere, one constant LLM; nothing may break
    net = reluscope.from_arrays([np.zeros((3, 2)), np.ones((1, 3))], [np.ones(3), np.zeros(1)], output="sigmoid")
    X = np.random.default_rng(0).normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    llms = reluscope.unwrap(net, X, y)
    page = Page(write_report(llms, tmp_path / "r.html", X_test=3 * X, y_test=y).read_text(encoding="utf-8"))
    assert page.tables["region-summary"][1][:2] == ["0", "40"] and len(page.tables["region-summary"]) == 2
    assert {"Activation region map", "Local vs global performance", "Training vs test activation patterns"} <= set(page.h2)
    assert all(base64.b64decode(src.split(",", 1)[1])[:8] == PNG_MAGIC for src in page.images)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(explain_rows=(10_000,)), "explain_rows"),
        (dict(y_test=np.zeros(3)), "y_test was given without X_test"),
        (dict(extra_sections=["not a section"]), "Section"),
        (dict(top_k=0), "top_k"),
        (dict(X_test=np.zeros((3, 5))), "features"),
    ],
)
def test_bad_arguments_raise_clear_errors(tmp_path, kwargs, match):
    llms, _, _ = make_case("binary", 2, n=60)
    with pytest.raises(InvalidInputError, match=match):
        write_report(llms, tmp_path / "r.html", **kwargs)
    assert not (tmp_path / "r.html").exists()
    with pytest.raises(InvalidInputError, match="unwrap"):
        write_report("not llms", tmp_path / "r.html")
