"""The call map of ``docs/coming_from_aletheia.rst`` stays true: every row names resolvable reluscope calls and existing tests.

The page holds one ``list-table`` per peer class family, under a section title that names the peer
(``aletheia-dnn: ...`` or ``PiML: ...``); its columns are "Their call", "reluscope", "What differs",
"Tests".  A test id ``path.py::name`` (or ``path.py::Class::name``) must be a test function found with
:mod:`ast` in that file; every ``reluscope.a.b.c`` path in the "reluscope" column (role targets and
literal text alike) must resolve by attribute access from :mod:`reluscope`, importing a sub-module
where no attribute of that name exists, and a cross-reference ``:role:`title <target>``` must name
its target in its title.  The aletheia-dnn 1.3.5 API listed below (read from the installed package
with ``inspect``) must be covered row by row.
"""

from __future__ import annotations

import ast
import importlib
import re
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CALL_MAP = ROOT / "docs" / "coming_from_aletheia.rst"
COLUMNS = ["Their call", "reluscope", "What differs", "Tests"]
PEERS = {"aletheia-dnn": "aletheia", "PiML": "PiML"}
XREF = re.compile(r":(?:py:)?(\w+):`([^`<]*?)(?:\s*<([^`>]+)>)?`")

#: Public methods of aletheia-dnn 1.3.5 (``inspect`` on the installed classes), by class family.
ALETHEIA_API = {
    "Unwrapper": [
        "fit", "summary", "evaluate", "predict", "predict_proba", "decision_function", "score", "lookup_table",
        "get_confs", "mask_conf", "update_eqns", "get_local_boundaries", "local_inference_wald",
        "local_inference_bootstrap", "profile_plot", "pc_plot", "polar_plot", "pair_plot", "intercept_plot",
        "partial_plot", "pdp_plot", "feature_importance_plot", "diagperf_bar", "diagperf_bubble",
        "pca2D_region_plot", "visualize2D_regions", "visualize2D_lines", "visualize2D_one_line",
        "visualize2D_one_region", "get_params", "set_params",
    ],
    "Merger": [
        "fit", "summary", "evaluate", "predict", "predict_proba", "score", "lookup_table", "flatten",
        "dendrogram_plot", "local_inference_wald", "local_inference_bootstrap", "profile_plot", "pc_plot",
        "polar_plot", "pca2D_region_plot", "diagperf_bar", "diagperf_bubble", "visualize2D_regions",
        "visualize2D_lines", "visualize2D_one_line",
    ],
    "Pruner": ["fit", "predict", "predict_proba", "score", "lookup_table", "flatten"],
    "Flatten": ["fit", "predict", "predict_proba", "score"],
}
PIML_API = [
    "ReluDNNClassifier(", "ReluDNNRegressor(", "get_llm_summary", "get_llm_profile", "get_llm_pair", "get_llm_pc",
    "get_llm_violin", "local_feature_explain", "global_fi",
]


def _rows() -> list[dict]:
    rows, peer, table = [], None, None
    lines = CALL_MAP.read_text(encoding="utf-8").splitlines()

    def flush():
        if not table:
            return
        assert [c.strip() for c in table[0]] == COLUMNS, f"list-table header {table[0]} is not {COLUMNS}"
        for cells in table[1:]:
            assert len(cells) == len(COLUMNS), f"call-map row with {len(cells)} cells: {cells}"
            assert peer is not None, f"a call-map row outside an 'aletheia-dnn: ...' or 'PiML: ...' section: {cells}"
            rows.append({"Peer": peer, **dict(zip(COLUMNS, (c.strip() for c in cells)))})

    for i, line in enumerate(lines):
        if i + 1 < len(lines) and line and re.fullmatch(r"-{3,}", lines[i + 1]) and len(lines[i + 1]) >= len(line):
            flush()
            table = None
            peer = next((p for key, p in PEERS.items() if line.startswith(key)), None)
            continue
        if line.startswith(".. list-table::"):
            flush()
            table = []
            continue
        if table is None or not line.strip() or line.strip().startswith(":"):
            continue
        if not line[0].isspace():
            flush()
            table = None
            continue
        if m := re.match(r"^   \* - ?(.*)$", line):
            table.append([m.group(1)])
        elif (m := re.match(r"^     - ?(.*)$", line)) and table:
            table[-1].append(m.group(1))
        elif line.startswith("       ") and table:
            table[-1][-1] += "\n" + line.strip()
        else:
            raise AssertionError(f"unexpected line in a list-table of {CALL_MAP.name}: {line!r}")
    flush()
    return rows


ROWS = _rows()


@lru_cache(maxsize=None)
def _tests_in(path: str) -> frozenset:
    """Test ids ``name`` and ``Class::name`` defined in a test file."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    out = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            out.add(node.name)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            out.update(f"{node.name}::{f.name}" for f in node.body if isinstance(f, ast.FunctionDef) and f.name.startswith("test"))
    return frozenset(out)


def _resolve(path: str):
    """The object a dotted ``reluscope...`` path names: attributes first, a sub-module where none exists."""
    parts = path.split(".")
    obj = importlib.import_module(parts[0])
    for i, attr in enumerate(parts[1:], start=2):
        try:
            obj = getattr(obj, attr)
        except AttributeError:
            obj = importlib.import_module(".".join(parts[:i]))  # raises ModuleNotFoundError when gone
    return obj


def _test_ids(cell: str) -> list[str]:
    """The ``literal`` test ids of a "Tests" cell; any other text in the cell is malformed."""
    ids = re.findall(r"``([^`]+)``", cell)
    rest = re.sub(r"``[^`]+``", "", cell).replace(",", "").strip()
    assert not rest, f"text outside the ``test ids`` of a Tests cell: {rest!r}"
    return ids


def test_call_map_has_rows_for_both_peers():
    peers = {r["Peer"] for r in ROWS}
    assert peers == {"aletheia", "PiML"} and len(ROWS) >= 50


@pytest.mark.parametrize("row", ROWS, ids=[r["Their call"][:60] for r in ROWS])
def test_every_named_test_exists(row):
    ids = _test_ids(row["Tests"])
    assert ids, f"row {row['Their call']!r} names no test"
    for tid in ids:
        path, _, name = tid.partition("::")
        assert path.startswith("tests/") and path.endswith(".py") and name, f"malformed test id {tid!r}"
        assert (ROOT / path).is_file(), f"{path} does not exist"
        assert name in _tests_in(path), f"{tid} is not a test function in {path}"


@pytest.mark.parametrize("row", ROWS, ids=[r["Their call"][:60] for r in ROWS])
def test_every_reluscope_call_resolves(row):
    paths = re.findall(r"reluscope(?:\.[A-Za-z_]\w*)+", row["reluscope"])
    assert paths, f"row {row['Their call']!r} names no reluscope call"
    for p in paths:
        _resolve(p)  # raises ModuleNotFoundError / AttributeError when the path is gone


@pytest.mark.parametrize("row", ROWS, ids=[r["Their call"][:60] for r in ROWS])
def test_cross_references_show_their_target_and_fit_their_role(row):
    for role, title, target in XREF.findall(row["reluscope"] + " " + row["What differs"]):
        target = target or title
        assert title.strip().startswith(target), f"link text {title!r} does not start with its target {target!r}"
        obj = _resolve(target)
        if role == "class":
            assert isinstance(obj, type), f":class: on {target}, which is not a class"
        elif role in ("func", "meth"):
            assert callable(obj) and not isinstance(obj, type), f":{role}: on {target}, which is not a function"


def test_every_public_peer_call_is_mapped():
    cells = [r["Their call"] for r in ROWS]
    missing = []
    for family, methods in ALETHEIA_API.items():
        fam = [c for c in cells if family in c]
        if not any(re.search(rf"\b{family}\w*\(", c) for c in fam):
            missing.append(f"{family} constructor")
        missing += [f"{family}.{m}" for m in methods if not any(re.search(rf"\.{m}\b", c) for c in fam)]
    missing += [p for p in PIML_API if not any(p in c for c in cells)]
    assert not missing, f"{CALL_MAP.name} lacks rows for {missing}"
