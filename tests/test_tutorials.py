"""The tutorial notebooks keep the promises of notebooks/README.md.

Static checks of the committed notebooks (nbval runs them; this reads them): every
exercise has a worked solution, the nbval markers are cell tags (out of the learner's
sight), the cells that check quoted numbers are hidden, the stored outputs come from the
current widgets (a PNG beside each widget view, no ``object at 0x`` reprs), and the docs
site and CI build the site with the same command.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
VIEW = "application/vnd.jupyter.widget-view+json"
CHECK_HEADER = "# The text quotes these numbers"


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def test_the_tutorials_are_all_listed():
    assert len(NOTEBOOKS) >= 10
    table = (REPO / "notebooks" / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert f"]({path.name})" in table, f"notebooks/README.md does not list {path.name}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_exercise_has_a_solution(path):
    cells = read(path).cells
    headings = [i for i, c in enumerate(cells) if c.cell_type == "markdown"]
    exercises = [i for i in headings if re.search(r"^## Exercises", cells[i].source, re.M)]
    solutions = [i for i in headings if cells[i].source.lstrip().startswith("## Solutions")]
    assert len(exercises) == 1 and len(solutions) == 1, path.name
    listed = cells[exercises[0]].source.split("## Exercises", 1)[1]
    numbered = re.findall(r"^(\d+)\. \*\*", listed, re.M)
    assert numbered == [str(k) for k in range(1, len(numbered) + 1)] and numbered
    assert cells[solutions[0]].metadata.get("jp-MarkdownHeadingCollapsed") is True
    answered = [
        m.group(1)
        for c in cells[solutions[0] :]
        if c.cell_type == "markdown"
        for m in [re.match(r"### (\d+)\. ", c.source)]
        if m
    ]
    assert answered == numbered, f"{path.name}: exercises {numbered}, solutions {answered}"
    # A solution is worked: each has code after its heading.
    starts = [i for i, c in enumerate(cells) if re.match(r"### \d+\. ", c.source)]
    for a, b in zip(starts, [*starts[1:], len(cells)], strict=True):
        assert any(c.cell_type == "code" for c in cells[a:b]), cells[a].source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_nbval_markers_are_tags_and_checks_are_hidden(path):
    cells = [c for c in read(path).cells if c.cell_type == "code"]
    assert not any("NBVAL_CHECK_OUTPUT" in c.source for c in cells)
    assert any("nbval-check-output" in c.metadata.get("tags", []) for c in cells)
    for c in cells:
        if c.source.startswith(CHECK_HEADER):
            assert "remove-cell" in c.metadata.get("tags", []), c.source
            assert c.metadata.get("jupyter", {}).get("source_hidden") is True, c.source
            assert "assert" in c.source and not c.outputs


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_outputs_come_from_the_current_widgets(path):
    nb = read(path)
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    models = state.get("state", {})
    views = [
        out
        for c in nb.cells
        if c.cell_type == "code"
        for out in c.outputs
        if VIEW in out.get("data", {})
    ]
    ours = [
        out
        for out in views
        if models.get(out.data[VIEW]["model_id"], {}).get("model_name") == "AnyModel"
    ]
    for out in views:
        assert out.data[VIEW]["model_id"] in models, "a widget view without its state"
    for out in ours:
        assert "image/png" in out.data, "a widget output without its static picture"
        assert "object at 0x" not in out.data["text/plain"]
    for c in nb.cells:
        if c.cell_type == "code":
            assert "execution" not in c.metadata  # refresh.py drops the timings
            assert not any(o.output_type == "error" for o in c.outputs)


def test_ci_and_contributing_build_the_site_the_same_way():
    contributing = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    command = ".venv/bin/python -m sphinx -W --keep-going -b html docs docs/_build/html"
    assert command in contributing
    assert command.replace("-W --keep-going", "-W --keep-going -q") in ci
    conf = (REPO / "docs" / "conf.py").read_text(encoding="utf-8")
    assert 'nb_ipywidgets_js = {"gmm_widgets/widgets_embed.js": {}}' in conf  # no CDN
