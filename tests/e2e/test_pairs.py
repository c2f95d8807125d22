"""The pairs view (scatter matrix) of FitPlayer in a real JupyterLab: hover and click."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.e2e

# Four features, three clusters, and one far-away row (the last) that the test hovers:
# nothing else is drawn near it in any panel.
SETUP = """\
import numpy as np
from gmm_widgets import FitPlayer

rng = np.random.default_rng(5)
X = np.vstack([
    rng.normal([0, 0, 0, 0], 0.6, (150, 4)),
    rng.normal([3, 1, -2, 2], 0.6, (150, 4)),
    rng.normal([-2, 3, 2, -1], 0.6, (150, 4)),
    [[7.0, -5.0, 6.0, 7.0]],
])
player = FitPlayer(X, n_components=3, random_state=0, pairs_view=True)
print("frames:", player.n_frames)
"""

SVG = "{http://www.w3.org/2000/svg}"
INSET = 4  # PANEL_INSET of js/src/lib/pairs.js
PAD = 0.04  # featureDomains' padding


def pixel(box: dict, column: np.ndarray, value: float, across: bool) -> float:
    """Where a value is drawn in a panel, computed here from the data (float32, as sent)."""
    lo, hi = float(column.min()), float(column.max())
    lo, hi = lo - PAD * (hi - lo), hi + PAD * (hi - lo)
    t = (value - lo) / (hi - lo)
    size = box["width"]
    if across:
        return box["x"] + INSET + t * (size - 2 * INSET)
    return box["y"] + size - INSET - t * (size - 2 * INSET)


def test_hover_marks_the_row_everywhere_and_a_click_enlarges(lab):
    lab.open(lab.write_notebook("pairs.ipynb", [SETUP, "player"]))
    lab.run_all()
    assert lab.python("player.pairs_view") is True
    view = lab.role("pairs-view")
    view.scroll_into_view_if_needed()
    panels = lab.role("pair-panel")
    assert panels.count() == 16
    assert lab.role("view-pairs").get_attribute("aria-pressed") == "true"

    X = np.asarray(lab.python("player.data.astype(float).tolist()"), dtype=np.float32)
    row = len(X) - 1
    fx, fy = 2, 0  # feature 2 across, feature 0 up
    box = lab.page.locator(f'[data-gmm-role="pair-panel"][data-x="{fx}"][data-y="{fy}"]')
    box.scroll_into_view_if_needed()  # the cells run above moved the page
    rect = box.bounding_box()
    assert rect is not None
    x = pixel(rect, X[:, fx], float(X[row, fx]), across=True)
    y = pixel(rect, X[:, fy], float(X[row, fy]), across=False)
    lab.page.mouse.move(x, y)
    marks = lab.page.wait_for_function(
        """(row) => {
            const marks = [...document.querySelectorAll('[data-gmm-role="pair-highlight"]')];
            if (marks.length !== 16) return null;
            return marks.map((m) => [m.dataset.row, m.dataset.x, m.dataset.y, m.tagName]);
        }""",
        arg=row,
        timeout=20_000,
    ).json_value()
    # The hovered row, marked once in each of the 16 panels (a line on the diagonal).
    assert {m[0] for m in marks} == {str(row)}
    assert sorted((int(m[1]), int(m[2])) for m in marks) == [
        (i, j) for i in range(4) for j in range(4)
    ]
    assert sum(m[3].lower() == "line" for m in marks) == 4
    lab.screenshot("pairs_hover")  # the page as it is (scrolling would move the pointer)

    # Click the panel of feature 1 across and 3 up: it becomes the single view, in Python.
    lab.page.locator('[data-gmm-role="pair-panel"][data-x="1"][data-y="3"]').click()
    got = lab.wait_python(
        "[player.x_feature, player.y_feature, player.projection, player.pairs_view]",
        [1, 3, "features", False],
    )
    assert got == [1, 3, "features", False]
    lab.page.wait_for_function(
        """() => document.querySelector('[data-gmm-role="pairs-view"]').hidden
             && document.querySelector('[data-gmm-role="x-feature"]').value === '1'
             && document.querySelector('[data-gmm-role="y-feature"]').value === '3'""",
        timeout=20_000,
    )
    # Back to the pairs view from Python; the uncertainty toggle from the toolbar.
    lab.run_code("player.show_pairs()")
    lab.page.wait_for_function(
        """() => !document.querySelector('[data-gmm-role="pairs-view"]').hidden""",
        timeout=20_000,
    )
    lab.role("uncertainty-toggle").click()
    assert lab.wait_python("player.uncertainty_view", True) is True

    # The SVG button exports the pairs view: both canvases (points, marks) and the panels.
    with lab.page.expect_download() as info:
        lab.role("export-svg").click()
    tree = ET.fromstring(Path(info.value.path()).read_bytes())
    images = [e for e in tree.iter(f"{SVG}image") if e.get("href", "").startswith("data:")]
    assert len(images) == 2
    panels = [e for e in tree.iter() if e.get("data-gmm-role") == "pair-panel"]
    assert len(panels) == 16


# The scale of issue #17: 1e6 rows x 10 columns; 100,000 of them (MAX_DISPLAY_POINTS)
# are sent and drawn, in 8 x 8 panels.
SCALE = """\
import numpy as np, pandas as pd
from gmm_widgets import FitPlayer

rng = np.random.default_rng(0)
centres = rng.normal(0.0, 1.0, (4, 10))
X = pd.DataFrame(centres[rng.integers(0, 4, 1_000_000)] + rng.normal(0, 1, (1_000_000, 10)),
                 columns=[f"f{j}" for j in range(10)])
big = FitPlayer(X, n_components=4, init_params="random_from_data", random_state=0,
                max_iter=20, pairs_view=True, fps=30)
print("frames:", big.n_frames, "shown:", big.data.shape)
"""

PERF = """() => {
    const view = document.querySelector('[data-gmm-role="pairs-view"]');
    const player = view.closest('[data-gmm-role="fit-player"]');
    return {
        points: view.querySelector('canvas.gmm-points').gmmPerf.renderTimes(),
        marks: view.querySelector('canvas.gmm-pairs-marks').gmmPerf.renderTimes(),
        draw: view.gmmPerf.renderTimes(),
        frame: player.gmmPerf.renderTimes(),
    };
}"""


def test_pairs_redraw_time(lab):
    """Per-frame time of the pairs view of the display sample, while playing (printed).

    ``draw``: the pairs view's drawing of a frame (every panel's points, ellipses,
    densities); ``frame``: the whole redraw of a frame (also the responsibilities of the
    100,000 rows under the frame's parameters and their colours), as el.gmmPerf records.
    """
    lab.open(lab.write_notebook("pairs_scale.ipynb", [SCALE, "big"]))
    lab.run_all(timeout=300)
    n_frames = lab.python("big.n_frames")
    assert lab.python("list(big.data.shape)") == [100_000, 10]
    view = lab.role("pairs-view")
    view.scroll_into_view_if_needed()
    assert lab.role("pair-panel").count() == 64
    lab.page.evaluate(
        """() => {
            const view = document.querySelector('[data-gmm-role="pairs-view"]');
            view.gmmPerf.reset();
            view.closest('[data-gmm-role="fit-player"]').gmmPerf.reset();
        }"""
    )
    lab.role("play").click()
    lab.page.wait_for_function(
        """(last) => document.querySelector('[data-gmm-role="play"]')
                 .getAttribute('aria-label') === 'Play'
             && document.querySelector('[data-gmm-role="iteration"]').textContent
                 .startsWith(`iter ${last} / ${last}`)""",
        arg=n_frames - 1,
        timeout=120_000,
    )
    perf = lab.page.evaluate(PERF)
    times = {k: np.array(v) for k, v in perf.items()}
    assert all(len(v) >= n_frames - 1 for v in times.values())
    print(f"\npairs view of the display sample (8 x 8 panels), {len(times['draw'])} frames:")
    for name, what in [
        ("points", "the points of 56 panels"),
        ("marks", "ellipses, means, diagonal densities"),
        ("draw", "the pairs view's whole drawing"),
        ("frame", "the player's redraw: also the frame's responsibilities and colours"),
    ]:
        v = times[name]
        print(
            f"  {name:<6}: median {np.median(v):6.1f} ms, p90 {np.percentile(v, 90):6.1f} ms, "
            f"max {v.max():6.1f} ms  ({what})"
        )
    lab.screenshot("pairs_scale")
