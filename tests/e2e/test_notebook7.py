"""The widgets in Jupyter Notebook 7 (``jupyter notebook``, ``/notebooks/<file>``).

FitPlayer's main scenario (the same as in JupyterLab, tests/e2e/test_fit_player.py):
step with the mouse and the keyboard, play to the end, the state reaches Python; and
``%load_ext gmm_widgets`` showing a fitted model as an interactive summary.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_fit_player import SETUP

pytestmark = pytest.mark.e2e

SUMMARY = """\
%load_ext gmm_widgets
from sklearn.mixture import GaussianMixture as SkGaussianMixture
sk = SkGaussianMixture(3, covariance_type="diag", random_state=0).fit(X)
sk
"""


def test_fit_player_and_the_extension_in_notebook7(notebook7):
    nb = notebook7
    nb.open(nb.write_notebook("notebook7.ipynb", [SETUP, "player", SUMMARY]))
    # It really is Notebook 7, not JupyterLab.
    assert "/notebooks/notebook7.ipynb" in nb.page.url
    assert nb.page.evaluate("() => window.jupyterapp.name") == "Jupyter Notebook"
    nb.run_all()
    n_frames = nb.python("player.n_frames")
    assert n_frames > 10

    widget = nb.page.locator(".gmm-fit-player").first
    widget.scroll_into_view_if_needed()
    assert counter_in(nb, widget) == (0, n_frames - 1)
    assert nb.role("ellipse", widget).count() == 6
    nb.role("step", widget).click()
    nb.role("step", widget).click()
    nb.role("step-back", widget).focus()
    nb.page.keyboard.press("Enter")
    assert counter_in(nb, widget)[0] == 1
    assert nb.wait_python("player.frame", 1) == 1

    play = nb.role("play", widget)
    play.click()
    nb.page.wait_for_function(
        "(el) => el.getAttribute('aria-label') === 'Play'",
        arg=play.element_handle(),
        timeout=30_000,
    )
    assert counter_in(nb, widget) == (n_frames - 1, n_frames - 1)
    expected = [n_frames - 1, False]
    assert nb.wait_python("[player.frame, player.playing]", expected) == expected
    nb.screenshot("notebook7_fit_player", widget)

    # %load_ext: the scikit-learn model shows as a summary with its own player.
    summary = nb.page.locator(".gmm-mixture-summary")
    summary.scroll_into_view_if_needed()
    assert summary.locator("th", has_text="covariance").count() == 1
    assert summary.locator("td", has_text="diag(").count() == 3
    assert summary.locator(".gmm-fit-player").count() == 1
    assert nb.role("mean", summary).count() == 3
    assert nb.role("converged-badge", summary).inner_text() == "converged"
    nb.screenshot("notebook7_summary", summary)


def counter_in(nb, widget) -> tuple[int, int]:
    """The player's "iter i / n" read-out, in one widget (the summary has a player too)."""
    text = nb.role("iteration", widget).inner_text()
    m = re.match(r"iter (\d+) / (\d+)", text)
    assert m, f"unexpected counter text {text!r}"
    return int(m.group(1)), int(m.group(2))
