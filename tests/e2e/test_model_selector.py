"""ModelSelector in a real JupyterLab: progress while the grid fits, click and keyboard
selection of a model, state back in Python."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def current(lab):
    """The notebook panel shown now (JupyterLab may restore earlier tests' tabs)."""
    panel_id = lab.page.evaluate("() => window.jupyterapp.shell.currentWidget.id")
    return lab.page.locator(f"#{panel_id}")


SETUP = """\
import numpy as np
from gmm_widgets import ModelSelector

rng = np.random.default_rng(4)
X = np.vstack([
    rng.multivariate_normal([0, 0], [[2.0, 1.5], [1.5, 2.0]], 400),
    rng.multivariate_normal([7, 0], [[1.0, -0.6], [-0.6, 1.0]], 400),
    rng.multivariate_normal([3, 7], [[1.5, 0.0], [0.0, 0.3]], 400),
])
sel = ModelSelector(X, n_components=range(1, 7))
print(sel.best)
"""


def point(lab, k: int, ct: str):
    return current(lab).locator(
        f'[data-gmm-role="grid-point"][data-k="{k}"][data-covariance-type="{ct}"]'
    )


def test_click_and_keyboard_select_a_model(lab):
    lab.open(lab.write_notebook("selector.ipynb", [SETUP, "sel"]))
    lab.run_all()
    widget = current(lab).locator(".gmm-model-selector")
    widget.scroll_into_view_if_needed()
    best = lab.python("sel.best")
    assert best == [3, "full"]
    assert lab.role("grid-point", current(lab)).count() == 24
    marker = lab.role("best-marker", current(lab))
    assert [marker.get_attribute("data-k"), marker.get_attribute("data-covariance-type")] == [
        "3",
        "full",
    ]
    assert "BIC (lower is better)" in lab.role("criterion-chart", current(lab)).text_content()
    assert lab.role("ellipse", widget).count() == 6  # the best model is shown at first

    # Click a point: the view shows that model and Python gets it.
    point(lab, 5, "diag").click()
    assert lab.role("ellipse", widget).count() == 10
    assert "K=5, diag" in lab.role("selected-info", current(lab)).inner_text()
    expected = [[5, "diag"], 5, "diag", [3, "full"], 3]
    got = lab.wait_python(
        "[sel.selection, sel.selected.n_components, sel.selected.covariance_type, "
        "sel.best, sel.best_.n_components]",
        expected,
    )
    assert got == expected
    assert lab.python("sel.selected is sel.result.models[(5, 'diag')]") is True
    lab.screenshot("model_selector", widget)

    # From the keyboard: arrow to K=4 on the same curve, Enter selects it.
    point(lab, 5, "diag").focus()
    lab.page.keyboard.press("ArrowLeft")
    assert lab.page.evaluate("() => document.activeElement.getAttribute('data-k')") == "4"
    lab.page.keyboard.press("Enter")
    assert lab.wait_python("sel.selection", [4, "diag"]) == [4, "diag"]
    assert lab.role("ellipse", widget).count() == 8

    # Another criterion: the axis says so, and the best follows in Python.
    lab.role("criterion", current(lab)).select_option("aic")
    assert "AIC (lower is better)" in lab.role("criterion-chart", current(lab)).text_content()
    aic_best = lab.wait_python("sel.best == list(sel.result.best_by('aic').values())[:2]", True)
    assert aic_best is True


LIVE = """\
import numpy as np
from gmm_widgets import ModelSelector

rng = np.random.default_rng(0)
Z = np.vstack([rng.normal(c, 1.0, size=(4000, 2)) for c in ([0, 0], [4, 0], [2, 4])])
live = ModelSelector(Z, n_components=range(1, 7), fit=False, tol=1e-5, max_iter=300)
live
"""


def test_progress_shows_while_the_grid_fits(lab):
    lab.open(lab.write_notebook("selector_live.ipynb", [LIVE]))
    lab.run_all()
    lab.page.evaluate(
        """() => {
            const app = window.jupyterapp;
            const nb = app.shell.currentWidget.content;
            nb.activeCellIndex = nb.widgets.length - 1;
            return app.commands.execute('notebook:insert-cell-below').then(() => {
                nb.activeCell.model.sharedModel.setSource('live.fit(); print(live.best)');
                // Not awaited: run-cell resolves only when the cell has finished.
                app.commands.execute('notebook:run-cell');
            });
        }"""
    )
    # While the kernel is busy fitting, the progress bar moves and points appear. The
    # text is read in the same page evaluation as the condition: a grid that finishes
    # a moment later (a faster machine) cannot change what is asserted.
    text = lab.page.wait_for_function(
        """() => {
            const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
            const node = window.jupyterapp.shell.currentWidget.node;
            const bar = node.querySelector('[data-gmm-role="progress"]');
            const pts = node.querySelectorAll('[data-gmm-role="grid-point"]');
            const text = node.querySelector('[data-gmm-role="progress-text"]');
            const live = k.status === 'busy' && !bar.hidden && Number(bar.value) >= 3
                && pts.length >= 3;
            return live ? text.innerText : null;
        }""",
        timeout=120_000,
        polling=100,
    ).json_value()
    assert text.startswith("fitting K=") and "/ 24)" in text, text
    lab.screenshot("model_selector_fitting", current(lab).locator(".gmm-model-selector"))
    lab.wait_idle(timeout=300)
    assert lab.role("progress", current(lab)).is_hidden()
    assert lab.role("grid-point", current(lab)).count() == 24
    assert lab.python("live.selected is live.best_") is True
