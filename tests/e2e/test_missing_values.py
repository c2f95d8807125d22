"""FitPlayer with missing values (missing="em") in a real JupyterLab.

The rows with NaN are drawn as hollow rings at their conditional expectation under the
frame's parameters (js/src/lib/impute.js); stepping a frame moves them to where
Python's ``GaussianMixture.impute`` puts them for that frame's parameters.
"""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.e2e

SETUP = """\
import json
import warnings
import numpy as np
from gmm_widgets import FitPlayer, GaussianMixture

rng = np.random.default_rng(5)
X = np.vstack([
    rng.multivariate_normal([0, 0], [[2.0, 1.4], [1.4, 1.5]], 300),
    rng.multivariate_normal([4, 1], [[0.6, -0.3], [-0.3, 0.8]], 300),
])
X[rng.random(X.shape) < 0.1] = np.nan
X[0] = np.nan  # nothing observed: not drawn
warnings.simplefilter("ignore")
player = FitPlayer(X, n_components=2, missing="em", init_params="random_from_data",
                   random_state=0)
n_imputed = int((np.isnan(X).any(axis=1) & ~np.isnan(X).all(axis=1)).sum())
n_empty = int(np.isnan(X).all(axis=1).sum())

def placed(frame, rows):
    # Where Python puts the rows for a frame: impute under that frame's parameters.
    gm = GaussianMixture.from_params(player.states[frame])
    filled = gm.impute(X.astype(np.float32).astype(np.float64)[rows])
    return json.dumps(filled.tolist())
print("frames:", player.n_frames, "imputed:", n_imputed)
"""

IMPUTED = """() => {
  const p = document.querySelector('.gmm-fit-player').gmmImputed;
  return p && {frame: p.frame, rows: Array.from(p.rows.slice(0, 6)),
               values: Array.from(p.values.slice(0, 12))};
}"""


def _compare(lab, shown) -> None:
    rows = shown["rows"]
    want = json.loads(lab.python(f"placed({shown['frame']}, {rows!r})"))
    got = [shown["values"][2 * i : 2 * i + 2] for i in range(len(rows))]
    for g, w in zip(got, want, strict=True):
        assert g == pytest.approx(w, rel=1e-6, abs=1e-6)


def test_imputed_rows_are_drawn_hollow_and_move_with_the_frames(lab):
    lab.open(lab.write_notebook("missing_values.ipynb", [SETUP, "player"]))
    lab.run_all()
    n_frames = lab.python("player.n_frames")
    n_imputed = lab.python("n_imputed")
    n_empty = lab.python("n_empty")
    assert n_frames > 3 and n_imputed > 50

    widget = lab.page.locator(".gmm-fit-player")
    widget.scroll_into_view_if_needed()
    points = lab.role("points", widget)
    lab.page.wait_for_function(
        """(n) => document.querySelector('.gmm-fit-player [data-gmm-role="points"]')
                 ?.getAttribute('data-imputed') === String(n)""",
        arg=n_imputed,
        timeout=30_000,
    )
    assert points.get_attribute("data-imputed") == str(n_imputed)
    info = lab.role("imputed-info", widget).inner_text()
    assert info == (
        f"{n_imputed} rows with imputed coordinates (hollow); "
        f"{n_empty} rows with no observed value not drawn"
    )

    first = lab.page.evaluate(IMPUTED)
    assert first["frame"] == 0
    _compare(lab, first)

    lab.role("step", widget).click()
    lab.page.wait_for_function(
        "() => document.querySelector('.gmm-fit-player').gmmImputed?.frame === 1",
        timeout=30_000,
    )
    second = lab.page.evaluate(IMPUTED)
    assert second["rows"] == first["rows"]
    assert second["values"] != first["values"]  # the rings moved
    _compare(lab, second)
    assert lab.wait_python("player.frame", 1) == 1
    lab.screenshot("missing_values", widget)
