"""Selecting points in a real JupyterLab: a lasso drawn with the mouse reaches `.selection`."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.e2e

SETUP = """\
import numpy as np
import pandas as pd
from matplotlib.path import Path
from gmm_widgets import FitPlayer, GaussianMixture

rng = np.random.default_rng(4)
X = pd.DataFrame(
    np.vstack([
        rng.normal([0, 0], 1.0, (300, 2)),
        rng.normal([4, 1], 0.8, (200, 2)),
        rng.normal([1, 4], 0.7, (200, 2)),
    ]),
    columns=["u", "v"],
    index=[f"row{i}" for i in range(700)],
)
player = FitPlayer(X, n_components=3, random_state=0)
print("frames:", player.n_frames)
"""

# A concave lasso (a chevron) in data coordinates, over the middle of the cloud.
CHEVRON = [(-1.5, -1.5), (2.5, 0.5), (5.0, -1.0), (3.5, 2.5), (0.5, 3.0), (1.0, 1.0)]

# Where the plot's axes put data values: the tick labels' positions (page pixels) and
# values, read from the SVG the view drew.
AXES = """() => {
  const overlay = document.querySelector('.gmm-fit-player svg.gmm-overlay[data-gmm-role="plot"]');
  const box = overlay.getBoundingClientRect();
  const num = (t) => Number(t.textContent.replace('\\u2212', '-'));
  const labels = [...overlay.querySelectorAll('text.gmm-tick-label')];
  const xs = labels.filter((t) => t.getAttribute('text-anchor') === 'middle')
    .map((t) => [box.left + Number(t.getAttribute('x')), num(t)]);
  const ys = labels.filter((t) => t.getAttribute('text-anchor') === 'end')
    .map((t) => [box.top + Number(t.getAttribute('y')) - 3.5, num(t)]);
  return {xs, ys};
}"""


def _linear(pairs):
    """Pixel -> value and value -> pixel maps through two ticks (the first and the last)."""
    (p0, v0), (p1, v1) = pairs[0], pairs[-1]
    k = (v1 - v0) / (p1 - p0)
    return (lambda p: v0 + (p - p0) * k), (lambda v: p0 + (v - v0) / k)


def test_lasso_with_the_mouse_sets_selection(lab):
    lab.open(lab.write_notebook("selection.ipynb", [SETUP, "player"]))
    lab.run_all()
    widget = lab.page.locator(".gmm-fit-player")
    widget.scroll_into_view_if_needed()
    lab.role("select-lasso").click()
    assert lab.role("select-lasso").get_attribute("aria-pressed") == "true"

    axes = lab.page.evaluate(AXES)
    assert len(axes["xs"]) >= 2 and len(axes["ys"]) >= 2, axes
    x_value, x_pixel = _linear(axes["xs"])
    y_value, y_pixel = _linear(axes["ys"])
    path = [(x_pixel(u), y_pixel(v)) for u, v in CHEVRON]
    mouse = lab.page.mouse
    mouse.move(*path[0])
    mouse.down()
    for p in path[1:]:
        mouse.move(*p, steps=6)
    mouse.up()

    # The kernel decides over every row; wait until it has (the count shows Python's).
    lab.page.wait_for_function(
        """() => /^\\d+ selected$/.test(
            document.querySelector('[data-gmm-role="selection-count"]').textContent)""",
        timeout=60_000,
    )
    result = lab.python(
        "{'vertices': player.last_region['vertices'].tolist(),"
        " 'selection': player.selection.tolist(),"
        " 'inside': np.flatnonzero(Path(player.last_region['vertices'])"
        ".contains_points(X.to_numpy())).tolist(),"
        " 'labels': list(player.selected_index[:3])}"
    )
    vertices = np.array(result["vertices"])
    # The lasso Python got is the one drawn: its corners, to a pixel, in data units.
    px = abs(x_value(1.0) - x_value(0.0))
    py = abs(y_value(1.0) - y_value(0.0))
    for u, v in CHEVRON:
        nearest = np.min(np.hypot((vertices[:, 0] - u) / px, (vertices[:, 1] - v) / py))
        assert nearest < 1.5, (u, v, nearest)
    # The rows inside that polygon, by matplotlib, over all of X: exactly the selection.
    assert result["selection"] == result["inside"]
    assert 50 < len(result["selection"]) < 650
    assert result["labels"] == [f"row{i}" for i in result["selection"][:3]]
    count = lab.role("selection-count").inner_text()
    assert count == f"{len(result['selection'])} selected"
    lab.screenshot("selection_lasso", widget)

    # A click on a legend entry selects that component's rows under the model shown:
    # the frame on screen (the first, here), not the final fit.
    lab.role("select-lasso").click()  # mode off
    lab.role("legend-item").nth(1).click()
    expected = lab.python(
        "np.flatnonzero(GaussianMixture.from_params(player.states[0]).predict(X) == 1).tolist()"
    )
    assert expected != lab.python("np.flatnonzero(player.model.predict(X) == 1).tolist()")
    got = lab.wait_python("player.selection.tolist()", expected, timeout=60)
    assert got == expected

    # The profile table: one row per component, from the kernel.
    lab.role("profile-toggle").click()
    lab.page.wait_for_function(
        """() => document.querySelectorAll('[data-gmm-role="profile-row"]').length === 3""",
        timeout=60_000,
    )
    assert lab.wait_python("player.profile_shown", True) is True
    lab.screenshot("selection_profile", widget)
