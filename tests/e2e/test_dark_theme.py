"""All five widgets in JupyterLab's light and dark themes: readable text, visible points.

One notebook shows FitPlayer, MixtureExplorer, ModelSelector, AnomalyInspector and a
fitted model through ``%load_ext gmm_widgets`` (MixtureSummary). In the light theme each
is photographed for the README gallery; after switching to JupyterLab Dark, what a
reader sees is measured in the page (tests/e2e/theme_probe.js): the background must be
dark, every visible text must keep a WCAG contrast of at least 3:1 against it (4.5:1
for most), the marks (ellipses, means, criterion points) must stand out, and the
canvas points must differ from the background.

``GMM_UPDATE_GALLERY=1 pytest -m e2e tests/e2e/test_dark_theme.py`` also refreshes the
small PNGs of docs/gallery/ from the light screenshots.
"""

from __future__ import annotations

import os
import statistics
from pathlib import Path

import pytest

from tests.e2e.conftest import ARTIFACTS, REPO, page_probe

pytestmark = pytest.mark.e2e

PROBE = page_probe("theme_probe.js")
GALLERY = REPO / "docs" / "gallery"
GALLERY_WIDTH = 720
#: Roles of areas that are meant to be a faint tint behind the data, not marks.
SHADING = {"anomaly-zone"}
#: Widgets whose canvas also paints a faint area (the anomaly region) under the points.
SHADED_CANVAS = {"anomaly_inspector"}

SETUP = """\
import numpy as np
from gmm_widgets import (AnomalyInspector, FitPlayer, GaussianMixture, MixtureExplorer,
                         ModelSelector)

rng = np.random.default_rng(3)
X = np.vstack([
    rng.multivariate_normal([0, 0], [[2.0, 1.4], [1.4, 1.5]], 400),
    rng.multivariate_normal([4.5, 0.5], [[0.6, -0.3], [-0.3, 0.8]], 300),
    rng.multivariate_normal([1.0, 4.0], [[1.5, 0.0], [0.0, 0.4]], 300),
    rng.uniform(-5, 9, size=(25, 2)),
])
"""
CELLS = {
    "fit_player": (
        "player = FitPlayer(X, n_components=3, init_params='random_from_data', "
        "random_state=0)\nplayer.frame = 4\nplayer",
        ".gmm-fit-player",
    ),
    "mixture_explorer": (
        "MixtureExplorer(X, n_components=3, random_state=0)",
        ".gmm-mixture-explorer",
    ),
    "model_selector": (
        "ModelSelector(X, n_components=range(1, 7), covariance_types=('full', 'diag', "
        "'spherical'))",
        ".gmm-model-selector",
    ),
    "anomaly_inspector": (
        "AnomalyInspector(X, n_components=3, random_state=0, contamination=0.03)",
        ".gmm-anomaly-inspector",
    ),
    "mixture_summary": (
        "%load_ext gmm_widgets\nGaussianMixture(3, random_state=0).fit(X)",
        ".gmm-mixture-summary",
    ),
}


def widget_in_cell(lab, index: int, selector: str):
    cell = lab.cell(index)
    widget = cell.locator(selector).first
    widget.scroll_into_view_if_needed()
    return widget


def save_gallery(name: str, shot: Path) -> None:
    """Shrink a screenshot into docs/gallery/ (only with GMM_UPDATE_GALLERY=1)."""
    if os.environ.get("GMM_UPDATE_GALLERY") != "1":
        return
    from PIL import Image

    GALLERY.mkdir(parents=True, exist_ok=True)
    with Image.open(shot) as img:
        img = img.convert("RGB")
        if img.width > GALLERY_WIDTH:
            img = img.resize(
                (GALLERY_WIDTH, round(img.height * GALLERY_WIDTH / img.width)), Image.LANCZOS
            )
        img.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(
            GALLERY / f"{name}.png", optimize=True
        )


def test_light_gallery_and_dark_theme_readability(lab):
    sources = [SETUP, *(src for src, _ in CELLS.values())]
    lab.open(lab.write_notebook("themes.ipynb", sources))
    lab.run_all(timeout=180)

    # Light: the gallery pictures, in a window tall enough for the tallest widget (an
    # element taller than the window is photographed under JupyterLab's sticky toolbar).
    lab.page.set_viewport_size({"width": 1300, "height": 1900})
    for i, (name, (_, selector)) in enumerate(CELLS.items(), start=1):
        widget = widget_in_cell(lab, i, selector)
        lab.page.wait_for_timeout(200)
        save_gallery(name, lab.screenshot(name, widget))

    lab.set_theme(dark=True)
    report = {}
    try:
        for i, (name, (_, selector)) in enumerate(CELLS.items(), start=1):
            widget = widget_in_cell(lab, i, selector)
            lab.page.wait_for_timeout(300)
            lab.screenshot(f"{name}_dark", widget)
            report[name] = widget.evaluate(PROBE)
    finally:
        lab.set_theme(dark=False)

    for name, probe in report.items():
        bg = probe["background"]
        assert probe["luminance"] < 0.05, f"{name}: background {bg} is not dark"
        texts = probe["texts"]
        assert len(texts) >= 5, f"{name}: too little text found: {texts}"
        worst = sorted(texts, key=lambda t: t["contrast"])[:5]
        assert worst[0]["contrast"] >= 3.0, f"{name}: hard to read on {bg}: {worst}"
        median = statistics.median(t["contrast"] for t in texts)
        assert median >= 4.5, f"{name}: median text contrast {median:.2f} on {bg}"
        # Marks drawn in SVG: ellipses, means, criterion points, threshold.
        marks = [m for m in probe["marks"] if m["contrast"] > 0]
        assert marks, f"{name}: no marks found"
        faint = [m for m in marks if m["contrast"] < 1.5 and m["role"] not in SHADING]
        assert not faint, f"{name}: marks that vanish into the background: {faint[:5]}"
        # Points drawn on canvas (the selector draws its points in the embedded player).
        canvases = [c for c in probe["canvases"] if c["drawn"] > 0]
        assert canvases, f"{name}: no points drawn"
        standing = sum(c["standing"] for c in canvases)
        drawn = sum(c["drawn"] for c in canvases)
        assert standing >= 1000, f"{name}: only {standing} visible point pixels"
        if name not in SHADED_CANVAS:
            assert standing / drawn >= 0.8, f"{name}: {standing}/{drawn} point pixels visible"
    for name, probe in report.items():
        roles = {}
        for m in probe["marks"]:
            roles[m["role"]] = min(roles.get(m["role"], 99), round(m["contrast"], 2))
        low = round(min(t["contrast"] for t in probe["texts"]), 2)
        print(f"{name}: lowest text contrast {low}, marks {roles}, canvases {probe['canvases']}")
    assert (ARTIFACTS / "mixture_summary_dark.png").stat().st_size > 10_000
