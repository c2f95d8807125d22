"""Self-contained HTML pages, with live widgets, that work offline.

``ipywidgets.embed`` and ``jupyter nbconvert --to html`` load the widget renderer
(``@jupyter-widgets/html-manager``) and every third-party widget's front end from CDNs,
so their pages show no widgets without a network. Here the renderer is a bundle built
with the package (``js/embed/`` -> ``gmm_widgets/static/widgets_embed.js`` and ``.css``:
html-manager, ipywidgets' controls and anywidget's front end), inlined into the page.
Each gmm_widgets widget carries its own code in its ``_esm`` trait, which is kept
(``drop_defaults=False``), so the page needs nothing else: open it from disk, attach it
to an e-mail, put it on a server without internet access.

In the page, the widgets are live in the browser (playback, scrubbing, hovering, view
changes, export buttons) but there is no kernel: nothing that runs Python (a refit
after dragging a mean, a new K in MixtureExplorer) happens.

Two ways in:

* :func:`save_widgets_html` / :func:`widgets_html`: a page of widgets from the running
  kernel (what ``ipywidgets.embed.embed_minimal_html`` does, offline).
* :func:`export_notebook` (or ``python -m gmm_widgets.export notebook.ipynb``): a
  notebook as JupyterLab's HTML export, with its widgets. The widget state comes from
  the notebook's metadata (``execute=True`` runs it first with nbclient, which records
  the state; or save it from JupyterLab with *Settings > Save Widget State
  Automatically*). The same exporter works with nbconvert itself:
  ``jupyter nbconvert --to gmm_widgets.export.OfflineHTMLExporter notebook.ipynb``.

Limits: widgets from other packages with their own front end (not anywidget, not
ipywidgets' controls) do not render offline; their outputs fall back to their text.
MathJax is loaded (from its CDN) only with ``mathjax=True``, otherwise math stays TeX.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from string import Template
from typing import Any

__all__ = [
    "EMBED_CSS",
    "EMBED_JS",
    "UsageError",
    "embed_assets",
    "export_notebook",
    "main",
    "save_widgets_html",
    "widgets_html",
]

_PACKAGE = Path(__file__).resolve().parent
#: The offline widget renderer built from js/embed (see CONTRIBUTING.md).
EMBED_JS = _PACKAGE / "static" / "widgets_embed.js"
EMBED_CSS = _PACKAGE / "static" / "widgets_embed.css"
TEMPLATES = _PACKAGE / "templates"

_MISSING = (
    "The offline widget renderer ({path}) has not been built. Install the package with "
    "pip, which builds it (`pip install -e .`; Node.js >= 20 and npm are needed), or "
    "build it by hand: `cd js && npm ci && npm run build`."
)


def _escape_raw_text(text: str, tag: str) -> str:
    """Make ``text`` safe inside a raw-text element (``<script>`` or ``<style>``).

    Such an element ends at the first ``</tag``, and in a script ``<!--`` followed by
    ``<script`` changes how the parser looks for the end. The bundles have these only
    inside string and regular-expression literals, where ``<\\/`` and ``\\x3C`` mean
    the same characters.
    """
    text = re.sub(rf"</({tag})", r"<\\/\1", text, flags=re.IGNORECASE)
    if tag == "script":
        text = re.sub(r"<(!--|script)", r"\\x3C\1", text, flags=re.IGNORECASE)
    return text


def _json_script(obj: Any) -> str:
    """JSON for a ``<script type="...+json">`` element: no ``<`` at all."""
    return json.dumps(obj, separators=(",", ":")).replace("<", "\\u003c")


def embed_assets() -> tuple[str, str]:
    """The inlinable JavaScript and CSS of the offline widget renderer.

    Returns
    -------
    (str, str)
        The script and the stylesheet, escaped for ``<script>`` and ``<style>``.

    Raises
    ------
    FileNotFoundError
        If the bundle was not built.
    """
    for path in (EMBED_JS, EMBED_CSS):
        if not path.is_file():
            raise FileNotFoundError(_MISSING.format(path=path))
    js = _escape_raw_text(EMBED_JS.read_text(encoding="utf-8"), "script")
    css = _escape_raw_text(EMBED_CSS.read_text(encoding="utf-8"), "style")
    return js, css


# --------------------------------------------------------------------- widgets
def widgets_html(widgets: Any, *, title: str = "gmm_widgets") -> str:
    """A self-contained HTML page showing ``widgets``, live and offline.

    Parameters
    ----------
    widgets : widget or sequence of widgets
        Any ipywidgets widgets (gmm_widgets' widgets, MixtureSummary, boxes of them,
        ipywidgets controls), shown one after the other.
    title : str, default="gmm_widgets"
        The page's title and heading.

    Returns
    -------
    str
        The page.

    Examples
    --------
    >>> import numpy as np
    >>> from gmm_widgets import FitPlayer
    >>> from gmm_widgets.export import widgets_html
    >>> X = np.random.default_rng(0).normal(size=(200, 2))
    >>> page = widgets_html(FitPlayer(X, n_components=2, random_state=0))
    >>> "application/vnd.jupyter.widget-state+json" in page
    True
    """
    from ipywidgets import Widget
    from ipywidgets.embed import dependency_state, embed_data

    views = [widgets] if isinstance(widgets, Widget) else list(widgets)
    if not views or not all(isinstance(w, Widget) for w in views):
        raise TypeError("widgets must be an ipywidgets Widget or a non-empty list of them.")
    # drop_defaults=False: the class-level defaults include anywidget's _esm and _css,
    # the code of each widget.
    state = dependency_state(views, drop_defaults=False)
    data = embed_data(views, drop_defaults=False, state=state)
    js, css = embed_assets()
    view_tags = "\n".join(
        '<div class="gmm-page-widget"><script type="application/vnd.jupyter.widget-view+json">'
        f"{_json_script(spec)}</script></div>"
        for spec in data["view_specs"]
    )
    page = Template((TEMPLATES / "widgets_page.html").read_text(encoding="utf-8"))
    return page.substitute(
        title=html.escape(title),
        heading=html.escape(title),
        css=css,
        js=js,
        views=view_tags,
        state=_json_script(data["manager_state"]),
    )


def save_widgets_html(
    path: str | os.PathLike[str], widgets: Any, *, title: str = "gmm_widgets"
) -> Path:
    """Write :func:`widgets_html` to ``path``.

    Parameters
    ----------
    path : str or path-like
    widgets : widget or sequence of widgets
    title : str, default="gmm_widgets"

    Returns
    -------
    Path
    """
    out = Path(path)
    out.write_text(widgets_html(widgets, title=title), encoding="utf-8")
    return out


# -------------------------------------------------------------------- notebooks
def _require(module: str) -> Any:
    """Import one of the notebook export's optional dependencies, or say how to get it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"Exporting notebooks needs {module}, which is not installed: "
            "pip install 'gmm_widgets[export]' (nbformat, nbconvert, nbclient and "
            "ipykernel; the lab extra includes them). save_widgets_html needs none of them."
        ) from exc


def _exporter_class() -> type:
    _require("nbconvert.exporters")  # or say how to install it
    from nbconvert.exporters import HTMLExporter
    from traitlets import Bool, default

    class OfflineHTMLExporter(HTMLExporter):
        """JupyterLab's HTML export with the widget renderer inlined (works offline).

        Use it from nbconvert with
        ``jupyter nbconvert --to gmm_widgets.export.OfflineHTMLExporter nb.ipynb``.
        Images are embedded, require.js is not loaded, and MathJax only with
        ``--OfflineHTMLExporter.mathjax=True``.
        """

        export_from_notebook = "HTML (offline widgets)"
        mathjax = Bool(False, help="Load MathJax (from its CDN) to typeset math.").tag(config=True)

        @default("template_name")
        def _template_name_default(self) -> str:
            return "gmm_offline"

        @default("extra_template_basedirs")
        def _extra_template_basedirs_default(self) -> list[str]:
            return [str(TEMPLATES)]

        @default("embed_images")
        def _embed_images_default(self) -> bool:
            return True

        def from_notebook_node(  # type: ignore[override]
            self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any
        ) -> tuple[str, dict[str, Any]]:
            js, css = embed_assets()
            resources = dict(resources or {})
            resources.update(gmm_embed_js=js, gmm_embed_css=css, gmm_mathjax=self.mathjax)
            return super().from_notebook_node(nb, resources, **kw)

    return OfflineHTMLExporter


def __getattr__(name: str) -> Any:
    # nbconvert is imported only when the exporter is used.
    if name == "OfflineHTMLExporter":
        cls = _exporter_class()
        globals()[name] = cls
        return cls
    raise AttributeError(f"module 'gmm_widgets.export' has no attribute {name!r}")


def export_notebook(
    notebook: str | os.PathLike[str],
    output: str | os.PathLike[str] | None = None,
    *,
    execute: bool = False,
    theme: str = "light",
    timeout: float = 600,
    kernel_name: str | None = None,
    mathjax: bool = False,
) -> Path:
    """Export a notebook, with its widgets, to a self-contained HTML page that works offline.

    Parameters
    ----------
    notebook : str or path-like
        The ``.ipynb`` file.
    output : str or path-like, optional
        The page to write; default: the notebook's path with ``.html``.
    execute : bool, default=False
        Run the notebook first (nbclient, in its directory), which records the widget
        state. Without it, the state saved in the notebook is used; widget outputs
        whose state is missing show their text fallback (for MixtureSummary: the
        parameter table).
    theme : {"light", "dark"}, default="light"
        JupyterLab theme of the page.
    timeout : float, default=600
        Seconds per cell when executing.
    kernel_name : str, optional
        Kernel to execute with; default: the notebook's.
    mathjax : bool, default=False
        Load MathJax from its CDN for math (needs a network when viewed).

    Returns
    -------
    Path
        The page written.

    Raises
    ------
    UsageError
        (a ``ValueError``) If the notebook is missing, a folder or not a notebook, the
        output cannot be written, or ``kernel_name`` is not installed. Nothing is written.
    ImportError
        If nbformat/nbconvert (or nbclient, to execute) are missing: ``pip install
        gmm_widgets[export]``.
    """
    nbformat = _require("nbformat")

    if theme not in ("light", "dark"):
        raise ValueError(f"theme must be 'light' or 'dark', got {theme!r}.")
    src = Path(notebook)
    out = Path(output) if output is not None else src.with_suffix(".html")
    nb = _read_notebook(nbformat, src)
    _check_output(out)
    if execute and kernel_name:
        _check_kernel(kernel_name)
    if execute:
        NotebookClient = _require("nbclient").NotebookClient

        options: dict[str, Any] = {"timeout": timeout, "resources": {}}
        options["resources"]["metadata"] = {"path": str(src.parent.resolve())}
        if kernel_name:
            options["kernel_name"] = kernel_name
        NotebookClient(nb, store_widget_state=True, **options).execute()
    exporter = _exporter_class()(theme=theme, mathjax=mathjax)
    body, _ = exporter.from_notebook_node(nb, {"metadata": {"name": src.stem}})
    # Written next to the target and renamed: a failure never leaves a partial page.
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(body, encoding="utf-8")
        os.replace(tmp, out)
    except OSError as exc:
        raise UsageError(f"cannot write output {str(out)!r}: {exc.strerror or exc}.") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return out


class UsageError(ValueError):
    """A command-line or argument mistake: a missing notebook, an unwritable output..."""


def _read_notebook(nbformat: Any, src: Path) -> Any:
    if not src.exists():
        raise UsageError(f"notebook {str(src)!r} does not exist.")
    if src.is_dir():
        raise UsageError(f"notebook {str(src)!r} is a directory; pass an .ipynb file.")
    try:
        return nbformat.read(src, as_version=4)
    except OSError as exc:
        raise UsageError(f"cannot read notebook {str(src)!r}: {exc.strerror or exc}.") from exc
    except Exception as exc:  # nbformat raises JSON, validation and reader errors
        raise UsageError(
            f"{str(src)!r} is not a Jupyter notebook (.ipynb JSON): "
            f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        ) from exc


def _check_output(out: Path) -> None:
    if out.is_dir():
        raise UsageError(f"output {str(out)!r} is a directory; pass a file name ending in .html.")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"the output folder {str(folder)!r} does not exist or is not a folder.")
    if not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise UsageError(f"output {str(out)!r} is not writable; pick another path with -o.")


def _check_kernel(name: str) -> None:
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    except ImportError:  # pragma: no cover - nbclient brings jupyter_client
        return
    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel as exc:
        known = ", ".join(sorted(KernelSpecManager().find_kernel_specs())) or "none"
        raise UsageError(f"no kernel named {name!r}; installed kernels: {known}.") from exc


def main(argv: Sequence[str] | Iterable[str] | None = None) -> int:
    """``python -m gmm_widgets.export``: export notebooks to offline HTML pages.

    Parameters
    ----------
    argv : sequence of str, optional
        Command-line arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status.
    """
    parser = argparse.ArgumentParser(
        prog="python -m gmm_widgets.export",
        description="Export notebooks with their widgets to self-contained HTML pages "
        "that render offline.",
    )
    parser.add_argument("notebooks", nargs="+", help=".ipynb files")
    parser.add_argument("-o", "--output", help="output file (one notebook only)")
    parser.add_argument("--execute", action="store_true", help="run the notebook first")
    parser.add_argument("--theme", choices=("light", "dark"), default="light")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per cell")
    parser.add_argument("--kernel", default=None, help="kernel name for --execute")
    parser.add_argument("--mathjax", action="store_true", help="load MathJax from its CDN")
    args = parser.parse_args(None if argv is None else list(argv))
    if args.output and len(args.notebooks) > 1:
        parser.error("--output needs exactly one notebook")
    for name in args.notebooks:
        try:
            out = export_notebook(
                name,
                args.output,
                execute=args.execute,
                theme=args.theme,
                timeout=args.timeout,
                kernel_name=args.kernel,
                mathjax=args.mathjax,
            )
        except UsageError as exc:  # one line, not a traceback, for a usage mistake
            print(f"{parser.prog}: error: {exc}", file=sys.stderr)
            return 2
        print(f"{name} -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
