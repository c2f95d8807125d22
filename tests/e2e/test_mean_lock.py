"""MixtureExplorer's mean lock in a real JupyterLab: L on a handle, the lock button.

The lock travels from the browser to Python (``locked_means``), the kernel refits with
the locked handle as a fixed mean, and the view shows that fit.
"""

from __future__ import annotations

import pytest

from tests.e2e.test_mixture_explorer import current, wait_fitted

pytestmark = pytest.mark.e2e

SETUP = """\
import numpy as np
from gmm_widgets import MixtureExplorer

rng = np.random.default_rng(0)
centres = np.array([[0.0, 0.0], [6.0, 0.0], [3.0, 5.0]])
X = np.vstack([rng.normal(c, 0.8, size=(300, 2)) for c in centres])
handles = np.array([[0.5, 0.5], [5.0, -0.5], [3.0, 4.0]])
ex = MixtureExplorer(X, n_components=3, means_init=handles, animate=False)
print(ex.model.n_iter_)
"""

HELD = "bool(np.allclose(ex.model.means_[1], ex.handles[1], rtol=0, atol=1e-12))"


def test_lock_a_handle_with_l_and_unlock_it_with_its_button(lab):
    lab.open(lab.write_notebook("explorer_lock.ipynb", [SETUP, "ex"]))
    lab.run_all()
    panel = current(lab)
    panel.locator(".gmm-mixture-explorer").scroll_into_view_if_needed()
    handle = panel.locator('[data-gmm-role="mean-handle"][data-component="1"]')
    lock = panel.locator('[data-gmm-role="mean-lock"][data-component="1"]')
    assert lock.get_attribute("aria-pressed") == "false"
    handle.focus()
    lab.page.keyboard.press("l")
    assert lab.wait_python("ex.locked_means", [1]) == [1]
    wait_fitted(lab, 1)
    pressed = lab.page.wait_for_function(
        "(el) => el.getAttribute('aria-pressed') === 'true' && el.getAttribute('aria-pressed')",
        arg=lock.element_handle(),
        timeout=30_000,
    ).json_value()
    assert pressed == "true"
    assert lab.wait_python(HELD, True)
    assert lab.python("sorted(ex.model.fixed_means)") == [1]
    assert lab.python("ex.scores['n_parameters']") == 15  # 17 less the locked mean's 2
    lock.click()
    assert lab.wait_python("ex.locked_means", []) == []
    wait_fitted(lab, 2)
    assert lab.wait_python("ex.model.fixed_means is None", True)
