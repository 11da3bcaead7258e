"""The API reference lists every public name, and nothing else.

``docs/api/index.rst`` holds one ``autosummary`` list per module (after ``.. module::`` or
``.. currentmodule::``).  The names in each list must be exactly ``reluscope.__all__`` and each
sub-package's ``__all__`` (``reluscope._SUBMODULES``): a missing name and an extra name both fail.
The parser is checked on a small page with one name missing and one extra, so it can fail.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from pathlib import Path

import pytest

import reluscope

ROOT = Path(__file__).resolve().parents[2]
API_INDEX = ROOT / "docs" / "api" / "index.rst"
MODULE = re.compile(r"^\.\. (?:current)?module:: +(\S+)\s*$")


def autosummary_lists(text: str) -> dict[str, list[str]]:
    """``{module: [names]}`` of the autosummary lists of an RST page, in order of appearance."""
    lists: dict[str, list[str]] = {}
    module, inside, indent = None, False, None
    for line in text.splitlines():
        m = MODULE.match(line)
        if m:
            module, inside = m.group(1), False
            continue
        if line.strip() == ".. autosummary::":
            assert module is not None, "an autosummary list before any '.. module::'"
            inside, indent = True, None
            lists.setdefault(module, [])
            continue
        if not inside:
            continue
        if not line.strip():
            continue
        if not line[0].isspace():
            inside = False  # the directive's content ends at the first unindented line
            continue
        stripped = line.strip()
        if stripped.startswith(":"):
            continue  # an option such as :toctree:
        current = len(line) - len(line.lstrip())
        indent = indent or current
        if current == indent:
            lists[module].append(stripped.lstrip("~"))
    return lists


def expected_lists() -> dict[str, list[str]]:
    out = {"reluscope": list(reluscope.__all__)}
    for sub in reluscope._SUBMODULES:
        out[f"reluscope.{sub}"] = list(importlib.import_module(f"reluscope.{sub}").__all__)
    return out


def differences(found: dict[str, list[str]], expected: dict[str, list[str]]) -> list[str]:
    problems = [f"no autosummary list for {m}" for m in expected if m not in found]
    problems += [f"a list for {m}, which is not reluscope or in reluscope._SUBMODULES" for m in found if m not in expected]
    for module in sorted(set(found) & set(expected)):
        names, public = found[module], set(expected[module])
        problems += [f"{module}.{n} is public but missing" for n in sorted(public - set(names))]
        problems += [f"{module}.{n} is listed but not in __all__" for n in sorted(set(names) - public)]
        problems += [f"{module}.{n} is listed twice" for n in sorted({n for n in names if names.count(n) > 1})]
    return problems


def test_every_public_name_and_nothing_else_is_in_the_api_reference():
    found = autosummary_lists(API_INDEX.read_text(encoding="utf-8"))
    assert differences(found, expected_lists()) == []


def test_parser_flags_a_missing_and_an_extra_name():
    page = """Title
=====

.. module:: pkg

.. autosummary::
   :toctree: generated/

   alpha
   ~beta
   gamma

Other text.

.. currentmodule:: pkg.sub

.. autosummary::

   one
"""
    found = autosummary_lists(page)
    assert found == {"pkg": ["alpha", "beta", "gamma"], "pkg.sub": ["one"]}
    problems = differences(found, {"pkg": ["alpha", "beta", "delta"], "pkg.sub": ["one"], "pkg.other": ["x"]})
    assert problems == ["no autosummary list for pkg.other", "pkg.delta is public but missing", "pkg.gamma is listed but not in __all__"]


def _conf():
    spec = importlib.util.spec_from_file_location("reluscope_docs_conf", ROOT / "docs" / "conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    return conf


def test_reexported_objects_are_documented_once_and_aliased():
    aliases = _conf().api_aliases()
    assert aliases["reluscope.estimators.ReLUNetClassifier"] == "reluscope.ReLUNetClassifier"
    assert aliases["reluscope.estimators.ReLUNetRegressor"] == "reluscope.ReLUNetRegressor"
    for alias, target in aliases.items():
        a_mod, _, a_name = alias.rpartition(".")
        t_mod, _, t_name = target.rpartition(".")
        assert getattr(importlib.import_module(a_mod), a_name) is getattr(importlib.import_module(t_mod), t_name)
        assert target not in aliases, f"{target} is itself an alias"
    # distinct objects that share a short name (interpret.joint_importance computes, plot.joint_importance draws)
    assert "reluscope.plot.joint_importance" not in aliases


def test_constants_show_their_comment_not_the_docstring_of_their_type():
    pytest.importorskip("sphinx", reason="the docs extra (pip install -e '.[docs]') builds the documentation")
    conf = _conf()
    from reluscope.geometry import LP_TOL
    from reluscope.simplify import DEFAULT_GRID

    lines = [float.__doc__]
    conf._constant_doc(None, "data", "reluscope.geometry.LP_TOL", LP_TOL, {}, lines)
    assert lines and "redundancy" in " ".join(lines)
    lines = [tuple.__doc__]
    conf._constant_doc(None, "data", "reluscope.simplify.DEFAULT_GRID", DEFAULT_GRID, {}, lines)
    assert "n_clusters='auto'" in " ".join(lines)


def test_references_by_a_defining_module_path_find_the_documented_name():
    conf = _conf()
    assert conf._public_name_of("reluscope.simplify.inference.wald_inference") == "reluscope.simplify.wald_inference"
    assert conf._public_name_of("reluscope.estimators.ReLUNetClassifier") == "reluscope.ReLUNetClassifier"
    assert conf._public_name_of("reluscope.unwrap.LocalLinearModels") == "reluscope.LocalLinearModels"
    # private helpers and paths that do not exist have no page: they stay warnings
    assert conf._public_name_of("reluscope.simplify._cluster.absorb_small_clusters") is None
    assert conf._public_name_of("reluscope.no_such_module.thing") is None
