"""``benchmarks/peers/CALL_MAP.md`` stays true: every row names resolvable reluscope calls and existing tests.

The table is parsed as markdown; a test id ``path.py::name`` (or ``path.py::Class::name``) must be
a test function found with :mod:`ast` in that file, and every ``reluscope.a.b.c`` path in the
"reluscope call" column must resolve by importing the longest module prefix and reading the rest
as attributes.  The aletheia-dnn 1.3.5 API listed below (read from the installed package with
``inspect``) must be covered row by row.
"""

from __future__ import annotations

import ast
import importlib
import re
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CALL_MAP = ROOT / "benchmarks" / "peers" / "CALL_MAP.md"
COLUMNS = ["Peer", "Peer call", "reluscope call", "Test", "Notes"]

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
    rows = []
    for line in CALL_MAP.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|") or line.startswith("|---"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells == COLUMNS:
            continue
        assert len(cells) == len(COLUMNS), f"CALL_MAP row with {len(cells)} cells (use no '|' inside cells): {line}"
        rows.append(dict(zip(COLUMNS, cells)))
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
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(path)


def test_call_map_has_rows_for_both_peers():
    peers = {r["Peer"] for r in ROWS}
    assert peers == {"aletheia", "PiML"} and len(ROWS) >= 50


@pytest.mark.parametrize("row", ROWS, ids=[r["Peer call"][:60] for r in ROWS])
def test_every_named_test_exists(row):
    ids = [t.strip() for t in re.split(r"<br>|,", row["Test"]) if t.strip()]
    assert ids, f"row {row['Peer call']!r} names no test"
    for tid in ids:
        path, _, name = tid.partition("::")
        assert path.startswith("tests/") and path.endswith(".py") and name, f"malformed test id {tid!r}"
        assert (ROOT / path).is_file(), f"{path} does not exist"
        assert name in _tests_in(path), f"{tid} is not a test function in {path}"


@pytest.mark.parametrize("row", ROWS, ids=[r["Peer call"][:60] for r in ROWS])
def test_every_reluscope_call_resolves(row):
    paths = re.findall(r"reluscope(?:\.[A-Za-z_]\w*)+", row["reluscope call"])
    assert paths, f"row {row['Peer call']!r} names no reluscope call"
    for p in paths:
        _resolve(p)  # raises ModuleNotFoundError / AttributeError when the path is gone


def test_every_public_peer_call_is_mapped():
    cells = [r["Peer call"] for r in ROWS]
    missing = []
    for family, methods in ALETHEIA_API.items():
        fam = [c for c in cells if family in c]
        if not any(re.search(rf"\b{family}\w*\(", c) for c in fam):
            missing.append(f"{family} constructor")
        missing += [f"{family}.{m}" for m in methods if not any(re.search(rf"\.{m}\b", c) for c in fam)]
    missing += [p for p in PIML_API if not any(p in c for c in cells)]
    assert not missing, f"CALL_MAP.md lacks rows for {missing}"
