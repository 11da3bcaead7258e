"""Sphinx configuration of the reluscope documentation (built offline: ``make docs``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
# One BLAS/OpenMP thread per example process: the gallery runs two examples at a time on 2 cores
# (``parallel`` below), and oversubscribed torch/BLAS threads made single examples 3-20x slower.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HERE))  # docs/_gallery_reset.py

import reluscope  # noqa: E402

project = "reluscope"
author = "the reluscope developers"
copyright = "2026, the reluscope developers"
release = reluscope.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    # MathJax 3 bundled in the wheel and copied into _static/mathjax: math renders with no CDN (offline).
    "sphinx-mathjax-offline",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

# Offline: no intersphinx, nothing fetched at build time.
nitpicky = True
templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
autosummary_generate = True
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# No intersphinx (offline build): names of other libraries stay plain text, not links.
nitpick_ignore_regex = [("py:.*", r"(numpy|np|scipy|sklearn|pandas|pd|torch|matplotlib|dask|distributed|statsmodels|networkx|highspy|jinja2|markupsafe|tqdm|transformers|onnx)(\..*)?")]

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py|/_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "matplotlib_animations": False,
    "within_subsection_order": "FileNameSortKey",
    # Its pages of run times load a table library from a CDN: the built site must work offline.
    "write_computation_times": False,
    "parallel": 2,
    # pandas options and torch threads back to their defaults between examples (docs/_gallery_reset.py):
    # examples share a process, so one page's pd.set_option would change every later page's tables.
    "reset_modules": ("matplotlib", "_gallery_reset.reset"),
}



# Development knobs (never set in CI): run only the gallery examples whose path matches a regex,
# and/or leave the API reference out for a faster build of the prose pages.
if os.environ.get("RELUSCOPE_GALLERY_PATTERN"):
    sphinx_gallery_conf["filename_pattern"] = os.environ["RELUSCOPE_GALLERY_PATTERN"]
if os.environ.get("RELUSCOPE_DOCS_SKIP_API"):
    exclude_patterns.append("api/*")



# --- API reference plumbing -------------------------------------------------------------------------
# 1. A class or function re-exported under a second public name (reluscope.ReLUNetClassifier is
#    reluscope.estimators.ReLUNetClassifier) is documented once, under the first name in the order of
#    ``reluscope.__all__`` then ``reluscope._SUBMODULES``; the other name gets a short page that links
#    to it (templates ``autosummary/base.rst`` and ``class.rst`` read ``aliases``), so there is no
#    "duplicate object description" and every name keeps its own entry in the autosummary lists.
# 2. A constant (``DEFAULT_GRID``) shows its ``#:`` comment from the module that defines it, not the
#    docstring of ``tuple`` / ``int`` / ``float``.
# 3. Estimator pages show reluscope's own members: the scikit-learn plumbing (``get_params``,
#    ``set_output``, metadata routing, ``score``) is left to scikit-learn's documentation, and private
#    base classes are replaced by their public bases in "Bases:".


def _public_names():
    """(full name, object) of every public name, in API-reference order."""
    import importlib

    yield from ((f"reluscope.{n}", getattr(reluscope, n)) for n in reluscope.__all__)
    for sub in reluscope._SUBMODULES:
        mod = importlib.import_module(f"reluscope.{sub}")
        yield from ((f"reluscope.{sub}.{n}", getattr(mod, n)) for n in mod.__all__)


def api_aliases() -> dict:
    """``{second public name: first public name}`` for classes and functions exported twice."""
    first, aliases = {}, {}
    for name, obj in _public_names():
        if not (isinstance(obj, type) or callable(obj)):
            continue  # constants: equal ints are not the same thing
        if id(obj) in first:
            aliases[name] = first[id(obj)]
        else:
            first[id(obj)] = name
    return aliases


autosummary_context = {"aliases": api_aliases()}


def _constant_doc(app, what, name, obj, options, lines):
    """A module constant keeps its ``#:`` comment even when documented from the package that re-exports it."""
    if what != "data" or not name.startswith("reluscope."):
        return
    if lines and getattr(obj, "__doc__", None) != type(obj).__doc__:
        return
    from sphinx.pycode import ModuleAnalyzer

    package, _, attr = name.rpartition(".")
    for modname in sorted(m for m in sys.modules if m == package or m.startswith(package + ".")):
        try:
            docs = ModuleAnalyzer.for_module(modname).find_attr_docs()
        except Exception:  # compiled or source-less module
            continue
        if ("", attr) in docs:
            lines[:] = list(docs[("", attr)])
            return
    lines[:] = []


def _skip_sklearn_plumbing(app, what, name, obj, skip, options):
    """Members defined by scikit-learn (get_params, score, set_*_request, ...) stay off our pages."""
    module = getattr(obj, "__module__", None) or ""
    if module.split(".")[0] == "sklearn" or (name.startswith("set_") and name.endswith("_request")):
        return True
    return None


def _public_bases(app, name, obj, options, bases):
    """Replace private reluscope base classes (``reluscope.estimators._base.BaseReLUNet``) by their bases."""

    def private(cls):
        parts = f"{cls.__module__}.{cls.__qualname__}".split(".")
        return parts[0] == "reluscope" and any(p.startswith("_") for p in parts)

    out, todo = [], list(bases)
    while todo:
        cls = todo.pop(0)
        if private(cls):
            todo[:0] = [b for b in cls.__bases__ if b is not object]
        elif cls not in out:
            out.append(cls)
    bases[:] = out or [object]

html_theme = "pydata_sphinx_theme"
html_title = "reluscope"
html_static_path = ["_static"]
html_css_files = ["reluscope.css"]
# Pages without sub-pages get the whole width (no empty "Section Navigation" sidebar).
html_sidebars = {"index": [], "getting_started": [], "coming_from_aletheia": []}
# An explicit default colour mode: without it the theme logs "Got invalid theme mode" (console.error)
# on a first visit (empty localStorage), which the browser test counts as an error.
html_context = {"default_mode": "auto"}
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}


def _public_name_of(path: str):
    """The documented public name of the object a dotted ``reluscope...`` path names, or None."""
    import importlib

    parts = path.split(".")
    for cut in range(len(parts), 0, -1):  # the longest importable module, then attributes
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
            break
        except (ImportError, AttributeError):
            continue
    else:
        return None
    if not (isinstance(obj, type) or callable(obj)):
        return None
    return next((name for name, public in _public_names() if public is obj), None)


def _resolve_reluscope_names(app, env, node, contnode):
    """Cross-references that name a documented object by another path resolve to its page.

    ``ReLUNetwork`` or ``LocalLinearModels.region_of`` (written without ``reluscope.``) resolve to
    ``reluscope.<name>``; ``reluscope.simplify.inference.wald_inference`` (the module that defines it)
    resolves to ``reluscope.simplify.wald_inference`` (where it is documented). Anything else (a
    private helper, a module without a page) stays a warning.
    """
    target = node.get("reftarget", "")
    if node.get("refdomain") != "py" or node.get("reftype") == "mod":
        return None
    if target.split(".")[0] in reluscope.__all__:
        candidate = f"reluscope.{target}"
    elif target.startswith("reluscope."):
        candidate = _public_name_of(target)
    else:
        return None
    if candidate is None or candidate == target:
        return None
    py = env.get_domain("py")
    return py.resolve_xref(env, node["refdoc"], app.builder, node["reftype"], candidate, node, contnode)


def setup(app):
    app.connect("missing-reference", _resolve_reluscope_names)
    app.connect("autodoc-process-docstring", _constant_doc)
    app.connect("autodoc-skip-member", _skip_sklearn_plumbing)
    app.connect("autodoc-process-bases", _public_bases)
