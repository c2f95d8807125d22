"""Sphinx extension of the gmm_widgets site: the tutorials and their offline widgets.

* The tutorials are the notebooks of ``notebooks/``: they are copied into
  ``docs/tutorials/`` (generated, git-ignored) when the build starts, so that they have
  one home and the site can never show an old copy. Their links to the README become
  links to the site's home page.
* Widget outputs are rendered by gmm_widgets' offline renderer
  (``gmm_widgets/static/widgets_embed.js``, built from ``js/embed``; see
  :mod:`gmm_widgets.export`): html-manager and anywidget's front end in one classic
  script, which reads the widget state that myst-nb writes into each page. Each widget's
  own code travels in that state (its ``_esm`` trait).
* Math is typeset by MathJax 2 from the files of ``jupyter-server-mathjax`` (the ``docs``
  extra), copied into ``_static/mathjax``. Nothing is loaded from a CDN: the site works
  offline.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

from gmm_widgets.export import EMBED_CSS, EMBED_JS, embed_assets

logger = logging.getLogger(__name__)

DOCS = Path(__file__).resolve().parents[1]
NOTEBOOKS = DOCS.parent / "notebooks"
TUTORIALS = DOCS / "tutorials"


#: Links of the notebooks to files outside notebooks/, and their pages on the site.
SITE_LINKS = {"](../README.md)": "](../index.md)"}


def _copy_if_changed(src: Path, dst: Path, links: dict[str, str] | None = None) -> None:
    data = src.read_bytes()
    for old, new in (links or {}).items():
        data = data.replace(old.encode(), new.encode())
    if dst.is_file() and dst.read_bytes() == data:
        return  # an unchanged copy keeps its mtime, and Sphinx does not re-read it
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(data)


def copy_tutorials(app: Sphinx) -> None:
    """Mirror ``notebooks/*.ipynb`` into ``docs/tutorials/``."""
    sources = sorted(NOTEBOOKS.glob("*.ipynb"))
    if not sources:
        raise RuntimeError(f"no notebooks found in {NOTEBOOKS}")
    wanted = {src.name for src in sources}
    for src in sources:
        _copy_if_changed(src, TUTORIALS / src.name, SITE_LINKS)
    for stale in TUTORIALS.glob("*.ipynb"):
        if stale.name not in wanted:
            stale.unlink()


def add_widget_renderer(app: Sphinx) -> None:
    """Serve the offline renderer from ``_static/gmm_widgets/`` on every page."""
    embed_assets()  # raises a clear FileNotFoundError when the JS was not built
    static = Path(app.outdir).parent / "gmm_static"
    target = static / "gmm_widgets"
    target.mkdir(parents=True, exist_ok=True)
    for src in (EMBED_JS, EMBED_CSS):
        _copy_if_changed(src, target / src.name)
    app.config.html_static_path.append(str(static))
    app.add_css_file("gmm_widgets/widgets_embed.css")


def add_local_mathjax(app: Sphinx) -> None:
    """Serve MathJax from ``_static/mathjax`` (``mathjax_path`` in conf.py points there)."""
    try:
        import jupyter_server_mathjax
    except ImportError as exc:
        raise RuntimeError(
            "The docs need jupyter-server-mathjax (MathJax served by the site itself): "
            'install the docs extra, `pip install -e ".[docs]"`.'
        ) from exc
    source = Path(jupyter_server_mathjax.__file__).resolve().parent / "static"
    target = Path(app.outdir).parent / "gmm_static" / "mathjax"
    marker = target / ".from"
    if not marker.is_file() or marker.read_text() != str(source):
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)
        marker.write_text(str(source))


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", copy_tutorials)
    app.connect("builder-inited", add_local_mathjax)
    app.connect("builder-inited", add_widget_renderer)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
