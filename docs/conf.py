"""Sphinx configuration of the gmm_widgets documentation site.

Build it with ``python -m sphinx -W --keep-going -b html docs docs/_build/html`` (see
CONTRIBUTING.md). The tutorials are the notebooks of ``notebooks/``, executed by myst-nb
at build time (so the pages always show what the code does now) and rendered with their
live widgets by gmm_widgets' offline renderer (``_ext/gmm_docs.py``): the pages need no
network and no kernel.
"""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

import gmm_widgets  # noqa: E402

project = "gmm_widgets"
author = "gmm_widgets developers"
copyright = "gmm_widgets developers"
release = version = gmm_widgets.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
    "gmm_docs",
]

exclude_patterns = ["_build", "_ext", "gallery/README*", "**.ipynb_checkpoints"]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}

# --- MyST and notebooks -------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath"]
# Math is typeset by a local MathJax 2 (jupyter-server-mathjax's files, copied into
# _static/mathjax by gmm_docs), which finds the \(...\) and \[...\] that Sphinx writes;
# myst's MathJax 3/4 options would not apply to it.
myst_update_mathjax = False
mathjax_path = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
mathjax2_config = {
    "tex2jax": {"processEnvironments": False},
    "showMathMenu": False,
    # jupyter-server-mathjax ships the STIX-Web fonts (not MathJax's TeX fonts).
    "HTML-CSS": {"availableFonts": [], "webFont": "STIX-Web", "imageFont": None},
}
myst_heading_anchors = 3
# Run every tutorial when the site is built; a cell that raises fails the build.
nb_execution_mode = "cache"
nb_execution_cache_path = str(DOCS / "_build" / ".jupyter_cache")
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
# The widgets' front end: gmm_widgets' offline renderer instead of require.js and the
# html-manager from a CDN (gmm_docs copies it into _static).
nb_ipywidgets_js = {"gmm_widgets/widgets_embed.js": {}}

# --- API reference --------------------------------------------------------------------
autosummary_generate = False
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"  # numpydoc shows the types from the docstrings
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# --- HTML -----------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = "gmm_widgets"
html_static_path: list[str] = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": True,
    # No external resources: the site works offline.
    "icon_links": [],
}
html_last_updated_fmt = None
