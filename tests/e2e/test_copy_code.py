"""Copy as code in a real JupyterLab: the "Code" button shows what ``to_code()`` gives in
the kernel, for a widget with its own model and one that embeds the player."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

SETUP = """\
import numpy as np
from gmm_widgets import AnomalyInspector, MixtureExplorer

rng = np.random.default_rng(7)
X = np.vstack([rng.normal([0, 0], 1, (300, 2)), rng.normal([5, 2], 0.8, (200, 2))])
ex = MixtureExplorer(X, n_components=2, random_state=3)
insp = AnomalyInspector(X, n_components=2, random_state=3, contamination=0.05)
"""


def _shown_code(lab, widget_class: str) -> str:
    """Click the widget's Code button and return the code once the panel shows it."""
    root = lab.page.locator(f".jp-NotebookPanel:not(.lm-mod-hidden) .{widget_class}")
    root.scroll_into_view_if_needed()
    root.locator('[data-gmm-role="copy-code"]').first.click()
    panel = root.locator('[data-gmm-role="code-panel"]').first
    return lab.page.wait_for_function(
        """(el) => el.dataset.gmmCode === 'ready'
            && el.querySelector('[data-gmm-role="code-text"]').textContent""",
        arg=panel.element_handle(),
        timeout=30_000,
    ).json_value()


def test_the_code_button_shows_the_kernels_code(lab):
    lab.open(lab.write_notebook("copy_code.ipynb", [SETUP, "ex", "insp"]))
    lab.run_all()
    shown = _shown_code(lab, "gmm-mixture-explorer")
    assert shown == lab.python("ex.to_code()")
    assert "model = GaussianMixture(" in shown
    shown = _shown_code(lab, "gmm-anomaly-inspector")
    assert shown == lab.python("insp.to_code()")
    assert "threshold = " in shown and "flagged = " in shown
