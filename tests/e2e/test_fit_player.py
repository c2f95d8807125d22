"""FitPlayer in a real JupyterLab: playback in the browser, state back in Python."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

# Three overlapping, elongated clusters, started from random data points: EM needs a
# couple of dozen iterations, so there is something to play.
SETUP = """\
import numpy as np
from gmm_widgets import FitPlayer

rng = np.random.default_rng(3)
X = np.vstack([
    rng.multivariate_normal([0, 0], [[2.0, 1.4], [1.4, 1.5]], 400),
    rng.multivariate_normal([2.5, 0.5], [[0.6, -0.3], [-0.3, 0.8]], 300),
    rng.multivariate_normal([1.0, 3.0], [[1.5, 0.0], [0.0, 0.4]], 300),
])
player = FitPlayer(X, n_components=3, init_params="random_from_data", random_state=1, fps=40)
print("frames:", player.n_frames, "converged:", player.model.converged_)
"""


def counter(lab) -> tuple[int, int]:
    text = lab.role("iteration").inner_text()
    m = re.match(r"iter (\d+) / (\d+)", text)
    assert m, f"unexpected counter text {text!r}"
    return int(m.group(1)), int(m.group(2))


def test_play_and_step_reach_python(lab):
    lab.open(lab.write_notebook("fit_player.ipynb", [SETUP, "player"]))
    lab.run_all()
    n_frames = lab.python("player.n_frames")
    assert n_frames > 10, "the data should need many EM iterations"

    widget = lab.page.locator(".gmm-fit-player")
    widget.scroll_into_view_if_needed()
    assert counter(lab) == (0, n_frames - 1)
    assert lab.role("empty").is_hidden()
    assert lab.role("ellipse").count() == 6  # 1 and 2 sigma for 3 components
    assert lab.role("mean").count() == 3

    # Step twice with the mouse, once back with the keyboard; the index reaches Python.
    lab.role("step").click()
    lab.role("step").click()
    lab.role("step").click()
    lab.role("step-back").focus()
    lab.page.keyboard.press("Enter")
    assert counter(lab)[0] == 2
    # Arrow keys on the focused widget step too (JupyterLab's shortcuts stay out of it).
    widget.focus()
    lab.page.keyboard.press("ArrowRight")
    lab.page.keyboard.press("ArrowRight")
    lab.page.keyboard.press("ArrowLeft")
    assert counter(lab)[0] == 3
    lab.role("step-back").click()
    assert counter(lab)[0] == 2
    assert lab.wait_python("player.frame", 2) == 2

    # Play: the animation runs in the browser to the last frame and stops.
    lab.role("play").click()
    # Wait on what is asserted: stopped (the button offers Play again) at the last frame.
    lab.page.wait_for_function(
        """(last) => document.querySelector('[data-gmm-role="play"]')
                 .getAttribute('aria-label') === 'Play'
             && document.querySelector('[data-gmm-role="iteration"]').textContent
                 .startsWith(`iter ${last} / ${last}`)""",
        arg=n_frames - 1,
        timeout=30_000,
    )
    assert counter(lab) == (n_frames - 1, n_frames - 1)
    assert lab.role("converged-badge").inner_text() == "converged"
    expected = [n_frames - 1, False, n_frames - 1]
    state = lab.wait_python(
        "[player.frame, player.playing, player.current_state.n_iter]", expected
    )
    assert state == expected
    lab.role("scrub").fill(str(n_frames // 3))  # a frame mid-fit, for the picture
    shot = lab.screenshot("fit_player", widget)
    assert shot.stat().st_size > 10_000

    # The toolbar exports the view as PNG and as SVG.
    with lab.page.expect_download() as png:
        lab.role("export-png").click()
    assert png.value.suggested_filename == f"fit_player_frame_{n_frames // 3}.png"
    data = Path(png.value.path()).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    (ARTIFACTS / "fit_player_export.png").write_bytes(data)
    with lab.page.expect_download() as svg:
        lab.role("export-svg").click()
    text = Path(svg.value.path()).read_text()
    assert text.startswith("<svg") and "data:image/png;base64" in text
    assert text.count('data-gmm-role="ellipse"') == 6


LIVE = """\
import time
import numpy as np
from gmm_widgets import FitPlayer

rng = np.random.default_rng(1)
X = np.vstack([rng.normal(c, 1.0, size=(300, 2)) for c in ([0, 0], [2, 2], [0, 3], [3, -1])])
live = FitPlayer(X, n_components=4, fit=False, tol=1e-6, max_iter=60, random_state=0,
                 init_params="random", stream_interval=0.05)
live.model.callbacks = [lambda state: time.sleep(0.1)]  # a slow fit
live
"""


def test_live_fit_streams_while_the_cell_runs(lab):
    lab.open(lab.write_notebook("live.ipynb", [LIVE]))
    lab.run_all()
    assert lab.role("empty").is_visible()
    lab.page.evaluate(
        """() => {
            const app = window.jupyterapp;
            const nb = app.shell.currentWidget.content;
            nb.activeCellIndex = nb.widgets.length - 1;
            return app.commands.execute('notebook:insert-cell-below').then(() => {
                nb.activeCell.model.sharedModel.setSource('live.fit(); print(live.n_frames)');
                // Not awaited: the command resolves only when the cell has finished.
                app.commands.execute('notebook:run-cell');
                return true;
            });
        }"""
    )
    # While the kernel is still busy with fit(), frames arrive and play: observed at one
    # instant, several frames are there, the view says it is fitting, the kernel is busy.
    lab.page.wait_for_function(
        """() => {
            const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
            const scrub = document.querySelector('[data-gmm-role="scrub"]');
            const badge = document.querySelector('[data-gmm-role="converged-badge"]');
            return k.status === 'busy' && Number(scrub.max) >= 5
                && badge.textContent === 'fitting\u2026' && !badge.hidden;
        }""",
        timeout=60_000,
        polling=50,
    )
    lab.wait_idle()
    n = lab.python("live.n_frames")
    assert n > 5
    lab.page.wait_for_function(
        f"""() => Number(document.querySelector('[data-gmm-role="scrub"]').max) === {n - 1}"""
    )
    lab.screenshot("fit_player_live", lab.page.locator(".gmm-fit-player"))


VIEWS = """\
import numpy as np
from gmm_widgets import FitPlayer

rng = np.random.default_rng(0)
x1 = np.concatenate([rng.normal(-2, 0.7, 500), rng.normal(1.5, 1.0, 700)])[:, None]
one_d = FitPlayer(x1, n_components=2, random_state=0)
X4 = np.hstack([rng.normal(size=(600, 2)) + rng.integers(0, 3, size=(600, 1)) * 3,
                rng.normal(size=(600, 2))])
four_d = FitPlayer(X4, n_components=3, covariance_type="diag", random_state=0)
"""


def test_one_and_four_features_in_the_dark_theme(lab):
    lab.open(lab.write_notebook("views.ipynb", [VIEWS, "one_d", "four_d"]))
    lab.run_all()
    players = lab.page.locator(".gmm-fit-player")
    assert players.count() == 2
    one, four = players.nth(0), players.nth(1)
    # d = 1: a histogram stacked by component, component and mixture densities.
    assert lab.role("component-density", one).count() == 2
    assert lab.role("mixture-density", one).count() == 1
    assert one.locator(".gmm-bars rect").count() >= 20
    # d = 4: choose the features, or PCA; the choice reaches Python.
    four.scroll_into_view_if_needed()
    lab.role("x-feature", four).select_option("2")
    lab.role("projection", four).select_option("pca")
    assert "PC1" in four.locator(".gmm-axis-title").first.text_content()
    assert lab.wait_python("[four_d.x_feature, four_d.projection]", [2, "pca"]) == [2, "pca"]
    # The dark theme: the widget follows JupyterLab's colours.
    lab.set_theme(dark=True)
    bg = four.evaluate("el => getComputedStyle(el).backgroundColor")
    fg = four.evaluate("el => getComputedStyle(el.querySelector('.gmm-counter')).color")
    lum = [sum(int(v) for v in re.findall(r"\d+", c)[:3]) / 3 for c in (bg, fg)]
    assert lum[0] < 80 < lum[1], f"background {bg} and text {fg} should be dark and light"
    lab.screenshot("fit_player_dark_1d", one)
    lab.screenshot("fit_player_dark_4d", four)
    lab.set_theme(dark=False)
