"""gmm_widgets.export: offline pages of widgets and notebooks (no browser here).

What the browser makes of the pages is tested in tests/e2e/test_offline_export.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import ipywidgets
import nbformat
import numpy as np
import pytest

from gmm_widgets import FitPlayer, GaussianMixture
from gmm_widgets import export as ex
from gmm_widgets.widgets import MixtureSummary

STATE = "application/vnd.jupyter.widget-state+json"
VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def X():
    rng = np.random.default_rng(0)
    return np.vstack([rng.normal(size=(150, 2)), rng.normal(size=(150, 2)) + 4])


def scripts(page: str, kind: str) -> list[str]:
    return re.findall(rf'<script type="{re.escape(kind)}">\s*(.*?)\s*</script>', page, re.S)


def external_references(page: str) -> list[str]:
    """src/href attributes that point at a network resource."""
    return re.findall(r'(?:src|href)\s*=\s*["\']?(?:https?:)?//[^"\'\s>]+', page)


def test_the_renderer_is_built_and_inlinable():
    js, css = ex.embed_assets()
    assert len(js) > 100_000 and "gmmEmbed" in js
    # Nothing in the script can end it early or switch the parser's state.
    assert not re.search(r"</script|<!--|<script", js, re.I)
    assert not re.search(r"</style", css, re.I)
    assert (
        ex._escape_raw_text('x="</SCRIPT>",y="<!--"', "script") == 'x="<\\/SCRIPT>",y="\\x3C!--"'
    )
    assert ex._escape_raw_text("a{}</style>", "style") == "a{}<\\/style>"


def test_bundled_anywidget_front_end_matches_the_python_package():
    """The page carries anywidget's JS from npm: its version must match the kernel's."""
    import anywidget

    lock = json.loads((ex._PACKAGE.parent / "js" / "package-lock.json").read_text())
    npm_version = lock["packages"]["node_modules/anywidget"]["version"]
    assert npm_version.split(".")[:2] == anywidget.__version__.split(".")[:2], (
        f"js/ bundles anywidget {npm_version} but Python has {anywidget.__version__}: "
        "update the npm devDependency (cd js && npm install -D -E anywidget@<version>)."
    )


def test_widgets_page_is_self_contained(X, tmp_path):
    player = FitPlayer(X, n_components=2, random_state=0)
    summary = MixtureSummary(GaussianMixture(2, random_state=0).fit(X))
    label = ipywidgets.HTML("</script><script>alert(1)</script>")
    out = ex.save_widgets_html(tmp_path / "page.html", [player, summary, label], title="a<b")
    page = out.read_text()
    assert "<title>a&lt;b</title>" in page
    assert external_references(page) == []
    assert page.count("<script") == page.count("</script>") == 5  # nothing broke out
    (state_text,) = scripts(page, STATE)
    state = json.loads(state_text)["state"]
    views = [json.loads(v)["model_id"] for v in scripts(page, VIEW)]
    assert views == [player.model_id, summary.model_id, label.model_id]
    # Every widget the views need, with its code (_esm survives drop_defaults=False).
    needed = {player.model_id, summary.model_id, summary.player.model_id, summary.table.model_id}
    assert needed <= set(state)
    esm = state[player.model_id]["state"]["_esm"]
    assert esm == player._esm and len(esm) > 10_000
    assert state[player.model_id]["state"]["_css"] == player._css
    # Arrays travel as base64 buffers, not lists.
    buffers = state[player.model_id]["buffers"]
    assert buffers and all(b["encoding"] == "base64" for b in buffers)
    assert state[label.model_id]["state"]["value"].startswith("</script>")
    with pytest.raises(TypeError, match="Widget"):
        ex.widgets_html([])


def _notebook(tmp_path, cells):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    path = tmp_path / "demo.ipynb"
    nbformat.write(nb, path)
    return path


def test_notebook_without_state_falls_back_to_the_table(X, tmp_path):
    """A notebook saved without widget state: the summary's HTML table still shows."""
    summary = MixtureSummary(GaussianMixture(2, random_state=0).fit(X))
    path = _notebook(tmp_path, ["summary"])
    nb = nbformat.read(path, as_version=4)
    bundle = summary._repr_mimebundle_()
    nb.cells[0].outputs = [
        nbformat.v4.new_output("execute_result", data=bundle, execution_count=1)
    ]
    nbformat.write(nb, path)
    out = ex.export_notebook(path, tmp_path / "static.html")
    page = out.read_text()
    assert ">covariance<" in page and scripts(page, VIEW) == []
    assert "gmmWidgetsEmbed" not in page  # no widgets, no renderer
    assert external_references(page) == []


@pytest.mark.slow
def test_executed_notebook_page(tmp_path, capsys):
    """--execute records the widget state; the page inlines the renderer and the state."""
    path = _notebook(
        tmp_path,
        [
            "import numpy as np\nfrom gmm_widgets import FitPlayer\n"
            "X = np.random.default_rng(0).normal(size=(200, 2))\n"
            "FitPlayer(X, n_components=2, random_state=0)",
        ],
    )
    assert ex.main([str(path), "--execute", "--theme", "dark"]) == 0
    out = path.with_suffix(".html")
    assert f"-> {out}" in capsys.readouterr().out
    page = out.read_text()
    assert 'data-jp-theme-light="false"' in page and "gmmWidgetsEmbed" in page
    assert external_references(page) == []
    (view,) = [json.loads(v) for v in scripts(page, VIEW)]
    state = json.loads(scripts(page, STATE)[0])["state"]
    assert state[view["model_id"]]["model_name"] == "AnyModel"
    assert "_esm" in state[view["model_id"]]["state"]
    with pytest.raises(SystemExit):
        ex.main([str(path), str(path), "-o", "x.html"])


def test_bad_theme(tmp_path):
    with pytest.raises(ValueError, match="theme"):
        ex.export_notebook(_notebook(tmp_path, ["1"]), theme="blue")


def test_nbconvert_finds_the_exporter():
    from nbconvert.exporters import get_exporter

    cls = get_exporter("gmm_widgets.export.OfflineHTMLExporter")
    assert cls.__name__ == "OfflineHTMLExporter" and cls().template_name == "gmm_offline"


@pytest.mark.slow
def test_templates_and_renderer_ship_in_the_wheel(tmp_path):
    import subprocess
    import sys
    import zipfile

    pytest.importorskip("hatchling")
    # Without the JS build hook: the bundles built in the tree are included as artifacts.
    env = {"PATH": str(Path(sys.executable).parent), "HATCH_BUILD_NO_HOOKS": "true"}
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ex._PACKAGE.parent), "--no-deps",
         "--no-build-isolation", "-w", str(tmp_path), "-q"],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    if proc.returncode != 0:
        pytest.skip(f"wheel build not possible here: {proc.stderr[-500:]}")
    (wheel,) = tmp_path.glob("gmm_widgets-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in (
        "gmm_widgets/templates/gmm_offline/index.html.j2",
        "gmm_widgets/templates/gmm_offline/conf.json",
        "gmm_widgets/templates/widgets_page.html",
        "gmm_widgets/static/widgets_embed.js",
        "gmm_widgets/static/widgets_embed.css",
        "gmm_widgets/_ipython.py",
    ):
        assert name in names, f"{name} is missing from the wheel"
