"""Every label readable in every state (issue #20): tests/e2e/layout_probe.js on every widget.

One notebook holds all widgets (FitPlayer d=1, 2, 5 with PCA; MixtureExplorer K=1 and
K=10; ModelSelector K=1..10; AnomalyInspector d=1, 2, 5); the probe runs on each of them
in each state: initial, threshold at both extremes (after a key press on the handle),
light and dark theme, a wide and a narrow (500 px) notebook. Every visible text must lie
inside its SVG or container, no two may overlap, and each must reach 4.5:1 contrast.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import page_probe

pytestmark = pytest.mark.e2e

PROBE = page_probe("layout_probe.js")

SETUP = """\
import numpy as np
from gmm_widgets import AnomalyInspector, FitPlayer, MixtureExplorer, ModelSelector

rng = np.random.default_rng(20)
X = np.vstack([
    rng.multivariate_normal([0, 0], [[2.0, 1.4], [1.4, 1.5]], 1200),
    rng.multivariate_normal([6.5, 0.5], [[0.6, -0.3], [-0.3, 0.8]], 900),
    rng.multivariate_normal([1.0, 7.0], [[1.5, 0.0], [0.0, 0.4]], 900),
])
X1 = X[:, :1]
X5 = np.hstack([X, rng.normal(size=(len(X), 3))])
"""
#: (source, widget selector); kmeans starts make the lower bound span a narrow range.
CELLS = [
    ("FitPlayer(X, n_components=3, random_state=0)", ".gmm-fit-player"),
    ("FitPlayer(X1, n_components=2, random_state=0)", ".gmm-fit-player"),
    ("FitPlayer(X5, n_components=3, random_state=0)", ".gmm-fit-player"),
    ("MixtureExplorer(X, n_components=1, random_state=0)", ".gmm-mixture-explorer"),
    ("MixtureExplorer(X, n_components=10, random_state=0)", ".gmm-mixture-explorer"),
    (
        "ModelSelector(X, n_components=range(1, 11), "
        "covariance_types=('full', 'diag', 'spherical'))",
        ".gmm-model-selector",
    ),
    ("AnomalyInspector(X, n_components=3, random_state=0)", ".gmm-anomaly-inspector"),
    ("AnomalyInspector(X1, n_components=2, random_state=0)", ".gmm-anomaly-inspector"),
    ("AnomalyInspector(X5, n_components=3, random_state=0)", ".gmm-anomaly-inspector"),
]
WIDE, NARROW = 1400, 500


def probe_all(lab, state: str) -> tuple[int, list[str]]:
    """Run the probe on every widget; returns (texts checked, problems)."""
    checked, problems = 0, []
    for i, (_, selector) in enumerate(CELLS, start=1):
        widget = lab.cell(i).locator(selector).first
        widget.scroll_into_view_if_needed()
        lab.page.wait_for_timeout(150)
        result = widget.evaluate(PROBE)
        checked += result["checked"]
        problems += [f"{state} / {CELLS[i - 1][0][:40]}: {p}" for p in result["problems"]]
    return checked, problems


def set_threshold_end(lab, key: str) -> None:
    for i, (_, selector) in enumerate(CELLS, start=1):
        if "anomaly" not in selector:
            continue
        handle = lab.role("threshold-handle", lab.cell(i))
        handle.scroll_into_view_if_needed()
        handle.focus()
        handle.press(key)
    lab.page.wait_for_timeout(300)


def test_every_label_readable_in_every_state(lab):
    lab.open(lab.write_notebook("layout.ipynb", [SETUP, *(src for src, _ in CELLS)]))
    lab.run_all(timeout=240)
    states = 0
    checked = 0
    problems: list[str] = []
    for theme in ("JupyterLab Light", "JupyterLab Dark"):
        lab.command("apputils:change-theme", {"theme": theme})
        light = "true" if theme.endswith("Light") else "false"
        lab.page.wait_for_function(f"() => document.body.dataset.jpThemeLight === '{light}'")
        for width in (WIDE, NARROW):
            lab.page.set_viewport_size({"width": width + 120, "height": 1200})
            lab.page.wait_for_timeout(600)
            for step, key in (
                ("initial", None),
                ("threshold-all", "End"),
                ("threshold-none", "Home"),
            ):
                if key:
                    set_threshold_end(lab, key)
                n, found = probe_all(lab, f"{theme}, {width}px, {step}")
                states += 1
                checked += n
                problems += found
    lab.command("apputils:change-theme", {"theme": "JupyterLab Light"})
    print(
        f"layout: {states} states x {len(CELLS)} widgets, {checked} texts checked, "
        f"{len(problems)} problems"
    )
    for p in problems[:60]:
        print(p)
    assert not problems, f"{len(problems)} layout problems, first: {problems[:10]}"
