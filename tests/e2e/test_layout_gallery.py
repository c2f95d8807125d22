"""Before/after pictures of the layout defects of issue 20, for docs/gallery/.

Each defect is shown twice in one notebook: by the current widgets ("after") and by the
same Python widget drawn with the bundles of commit 001a8ce, before any of the fixes
("before"; a widget's ``_esm``/``_css`` are replaced in the kernel, the rest is the
same). The pictures are ``docs/gallery/layout_<defect>_{before,after}.png``.

Refresh them with::

    git worktree add --detach /tmp/gmm_before 001a8ce
    (cd /tmp/gmm_before/js && npm ci && npm run build)
    GMM_UPDATE_GALLERY=1 GMM_BEFORE_BUNDLES=/tmp/gmm_before/gmm_widgets/static \\
        .venv/bin/python -m pytest -m e2e tests/e2e/test_layout_gallery.py

With ``GMM_UPDATE_GALLERY=1`` alone only the "after" pictures are taken. Without it the
test is skipped: it only takes pictures (tests/e2e/test_layout.py is the check).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.test_dark_theme import save_gallery

pytestmark = pytest.mark.e2e

BEFORE = os.environ.get("GMM_BEFORE_BUNDLES")

SETUP = """\
import numpy as np
from pathlib import Path
from gmm_widgets import AnomalyInspector, FitPlayer, GaussianMixture, MixtureExplorer
from gmm_widgets import ModelSelector

BEFORE = {before!r}

def before(widget, bundle):
    # The same widget drawn by the bundles from before the fixes.
    static = Path(BEFORE)
    widget._esm = (static / f"{{bundle}}.js").read_text()
    widget._css = (static / f"{{bundle}}.css").read_text()
    return widget

rng = np.random.default_rng(5)
X = np.vstack([
    rng.multivariate_normal([0, 0], [[2.0, 1.4], [1.4, 1.5]], 8000),
    rng.multivariate_normal([4.5, 0.5], [[0.6, -0.3], [-0.3, 0.8]], 6000),
    rng.multivariate_normal([1.0, 4.0], [[1.5, 0.0], [0.0, 0.4]], 6000),
])
# Round blobs: every covariance type fits about as well, so markers crowd the best one.
iso = np.vstack([rng.normal(c, 1.0, (150, 2)) for c in ([0, 0], [6, 0], [3, 5])])
# Near the optimum: the lower bound moves in its 5th-7th digits (a narrow trace).
near = GaussianMixture(3, random_state=0, tol=1e-3).fit(X)
start = dict(weights_init=near.weights_, means_init=near.means_,
             precisions_init=near.precisions_)
"""

#: defect -> (code making the widget, bundle, CSS selector of the part photographed,
#: whether the cell is narrow, what to do in the page first)
DEFECTS = {
    "ticks": (
        "FitPlayer(X, n_components=3, **start, tol=1e-12, max_iter=12)",
        "fit_player",
        ".gmm-trace",
    ),
    "best_label": (
        "ModelSelector(iso, n_components=range(1, 7), random_state=0)",
        "model_selector",
        '[data-gmm-role="criterion-chart"]',
    ),
    "threshold_end": (
        "AnomalyInspector(X, n_components=3, random_state=0, contamination=0.03)",
        "anomaly_inspector",
        ".gmm-ai-left",
    ),
    "flagged_style": (
        "AnomalyInspector(X, n_components=3, random_state=0, contamination=0.4)",
        "anomaly_inspector",
        ".gmm-plot",
    ),
    "drag_path": (
        "ex = MixtureExplorer(X[::4], n_components=3, random_state=0, animate=False)\n"
        "ex.handles = ex.initial_means + np.array([[2.0, 1.5], [-1.5, 1.0], [1.0, -2.0]])\n"
        "ex",
        "mixture_explorer",
        ".gmm-plot",
    ),
    "narrow_cell": (
        "MixtureExplorer(X[::4], n_components=3, random_state=0, animate=False)",
        "mixture_explorer",
        None,
    ),
}
NARROW = {"narrow_cell"}
WIDE = 1300


def _cell_code(code: str, bundle: str, old: bool) -> str:
    *lines, last = code.split("\n")
    return "\n".join([*lines, f"before({last}, {bundle!r})" if old else last])


@pytest.mark.skipif(
    os.environ.get("GMM_UPDATE_GALLERY") != "1",
    reason="takes the gallery pictures only (GMM_UPDATE_GALLERY=1); test_layout.py checks",
)
def test_before_and_after_pictures(lab):
    versions = [False, True] if BEFORE else [False]
    cells, names = [SETUP.format(before=BEFORE)], []
    for defect, (code, bundle, _) in DEFECTS.items():
        for old in versions:
            cells.append(_cell_code(code, bundle, old))
            names.append((defect, old))
    lab.open(lab.write_notebook("layout_gallery.ipynb", cells))
    lab.run_all(timeout=240)
    for index, (defect, old) in enumerate(names, start=1):
        code, bundle, part = DEFECTS[defect]
        width = 500 if defect in NARROW else WIDE
        lab.page.set_viewport_size({"width": width + 120, "height": 1400})
        widget = lab.cell(index).locator(f".gmm-{bundle.replace('_', '-')}").first
        widget.scroll_into_view_if_needed()
        if defect == "threshold_end":
            handle = lab.role("threshold-handle", lab.cell(index))
            handle.focus()
            handle.press("End")
        target = widget if part is None else widget.locator(part).first
        # Wait for the widget to have drawn (a canvas or an SVG with content).
        lab.page.wait_for_function(
            "(el) => el.getBoundingClientRect().height > 40", arg=target.element_handle()
        )
        lab.page.wait_for_timeout(400)  # a picture, not an assert: let transitions end
        name = f"layout_{defect}_{'before' if old else 'after'}"
        shot = lab.screenshot(name, target)
        assert Path(shot).stat().st_size > 2000
        save_gallery(name, shot)
