"""Sphinx configuration of the reluscope documentation (built offline: ``make docs``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

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
nitpick_ignore_regex = [("py:.*", r"(numpy|np|scipy|sklearn|pandas|pd|torch|matplotlib|dask|distributed|statsmodels|networkx|highspy|jinja2|tqdm|transformers|onnx)(\..*)?")]

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py|/_|practical_",  # the practical_* CLI scripts: gallery helper converts them
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "matplotlib_animations": False,
    "within_subsection_order": "FileNameSortKey",
}
# Development knobs (never set in CI): run only the gallery examples whose path matches a regex,
# and/or leave the API reference out for a faster build of the prose pages.
if os.environ.get("RELUSCOPE_GALLERY_PATTERN"):
    sphinx_gallery_conf["filename_pattern"] = os.environ["RELUSCOPE_GALLERY_PATTERN"]
if os.environ.get("RELUSCOPE_DOCS_SKIP_API"):
    exclude_patterns.append("api/*")

html_theme = "pydata_sphinx_theme"
html_title = "reluscope"
html_static_path = ["_static"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
