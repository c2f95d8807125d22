"""The marimo notebooks of notebooks/marimo/ run as scripts and say what is true.

They are marimo apps (Python files), not ipynb: nbval and tests/test_tutorials.py never
see them (both take ``notebooks/*.ipynb``), so they are run here, headless, twice:

* as a script (``python notebooks/marimo/<name>.py``, what a reader can run), which must
  exit cleanly;
* in this process through ``app.run()``, whose definitions are checked against direct
  computations (the BIC grid, the flags from ``score_samples``, the grading).

``marimo check`` (marimo's own linter) must find nothing. The browser side (a drag that
reaches Python, a refit, the reactive cells) is tests/e2e/test_marimo.py.
"""

from __future__ import annotations

import html
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("marimo")

REPO = Path(__file__).resolve().parents[1]
MARIMO_NOTEBOOKS = sorted((REPO / "notebooks" / "marimo").glob("*.py"))
TUTORIAL = REPO / "notebooks" / "marimo" / "anomaly_tuning.py"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("ANYWIDGET_HMR", None)
    return env


def _text(output: Any) -> str:
    """The visible text of a cell's output (marimo's Html: tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", getattr(output, "text", "") or ""))


@pytest.fixture(scope="module")
def run() -> tuple[tuple[Any, ...], dict[str, Any]]:
    """``app.run()`` of the tutorial: (the cells' outputs, the definitions)."""
    spec = importlib.util.spec_from_file_location("marimo_anomaly_tuning", TUTORIAL)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    outputs, defs = module.app.run()
    return outputs, defs


def test_the_notebooks_are_listed_with_the_command_that_opens_them():
    assert TUTORIAL in MARIMO_NOTEBOOKS
    readme = (REPO / "notebooks" / "README.md").read_text(encoding="utf-8")
    for path in MARIMO_NOTEBOOKS:
        rel = path.relative_to(REPO / "notebooks").as_posix()
        assert f"]({rel})" in readme, f"notebooks/README.md does not list {rel}"
        assert f"marimo edit notebooks/{rel}" in readme


@pytest.mark.parametrize("path", MARIMO_NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_as_a_script(path):
    proc = subprocess.run(
        [sys.executable, str(path)],
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]


@pytest.mark.parametrize("path", MARIMO_NOTEBOOKS, ids=lambda p: p.stem)
def test_marimo_check_finds_nothing(path):
    proc = subprocess.run(
        [sys.executable, "-m", "marimo", "check", str(path)],
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


def test_widgets_are_marimo_ui_elements(run):
    import marimo as mo

    _, defs = run
    for name in ("selector", "player", "explorer", "inspector"):
        assert isinstance(defs[name], mo.ui.anywidget), name


def test_the_selection_is_the_best_bic_of_a_direct_grid(run):
    from gmm_widgets import GaussianMixture

    _, defs = run
    X = defs["X"]
    bic = {
        (k, ct): GaussianMixture(k, covariance_type=ct, random_state=0).fit(X).bic(X)
        for k in range(1, 7)
        for ct in ("full", "tied", "diag", "spherical")
    }
    best = min(bic, key=bic.__getitem__)
    assert list(best) == defs["selector"].widget.best == defs["selector"].widget.selection
    assert (defs["n_components"], defs["covariance_type"]) == best
    for name in ("player", "explorer"):
        model = defs[name].widget.model
        assert (model.n_components, model.covariance_type) == best, name
    assert defs["explorer"].widget.means_init is None  # no handle dragged yet
    # The text: "BIC may spend a component on the scattered anomalies: a wide one with a
    # small weight". Here it does: the widest component (largest covariance determinant)
    # has the smallest weight, under 10 %, and most of the labelled anomalies.
    gm = defs["selector"].widget.selected
    widest = int(np.argmax(np.linalg.det(gm.covariances_)))
    assert widest == int(np.argmin(gm.weights_)) and gm.weights_[widest] < 0.1
    anomalies = defs["labels"] == 1
    assert np.mean(gm.predict(X[anomalies]) == widest) > 0.5


def test_the_flags_and_their_grading(run):
    outputs, defs = run
    X, labels = defs["X"], defs["labels"]
    inspector = defs["inspector"].widget
    assert inspector.model is defs["explorer"].widget.model
    # Flags: the scores of the explorer's model below the threshold, 4 % of the points.
    scores = defs["explorer"].widget.model.score_samples(X)
    flagged = defs["flagged"]
    np.testing.assert_array_equal(flagged, scores < inspector.threshold)
    assert flagged.sum() == round(0.04 * len(X))
    truth = labels == 1
    tp = int(np.sum(flagged & truth))
    text = _text(outputs[-1])
    assert f"Flagged {flagged.sum()} of {len(X)} points" in text
    assert f"{tp} of the {truth.sum()} labelled anomalies" in text
    assert f"precision {tp / flagged.sum():.2f}, recall {tp / truth.sum():.2f}" in text


def test_the_explorer_summary_reads_the_widget(run):
    outputs, defs = run
    ex = defs["explorer"].widget
    text = next(_text(o) for o in outputs if "Python sees:" in _text(o))
    assert f"K = {ex.model.n_components}" in text
    assert "means_init = automatic (k-means)" in text
    assert f"BIC = {ex.model.bic(defs['X']):.1f}" in text


def test_nbval_and_the_tutorial_checks_leave_them_alone():
    """.ci/run's `pytest --nbval-lax notebooks` collects no test from notebooks/marimo."""
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "--nbval-lax", "notebooks/marimo"],
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert proc.returncode == 5, proc.stdout[-2000:] + proc.stderr[-2000:]  # no tests
    assert "no tests collected" in proc.stdout
    from tests.test_tutorials import NOTEBOOKS

    assert not any("marimo" in p.parts for p in NOTEBOOKS)
