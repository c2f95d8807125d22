"""The PNG/SVG toolbar buttons of MixtureExplorer, ModelSelector and MixtureSummary.

(FitPlayer's and AnomalyInspector's exports are checked in their own e2e tests.) Each
download is opened: a PNG of the widget's size, an SVG that parses and holds what the
view shows (ellipses, handles, the criterion curves, the read-outs).
"""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET

import pytest

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

SETUP = """\
import numpy as np
from gmm_widgets import GaussianMixture, MixtureExplorer, ModelSelector

rng = np.random.default_rng(3)
X = np.vstack([
    rng.multivariate_normal([0, 0], [[2.0, 1.4], [1.4, 1.5]], 300),
    rng.multivariate_normal([4.5, 0.5], [[0.6, -0.3], [-0.3, 0.8]], 250),
    rng.multivariate_normal([1.0, 4.0], [[1.5, 0.0], [0.0, 0.4]], 250),
])
"""
WIDGETS = {
    "mixture_explorer": ("MixtureExplorer(X, n_components=3, random_state=0)", 3),
    "model_selector": (
        "ModelSelector(X, n_components=range(1, 5), covariance_types=('full', 'diag'))",
        None,
    ),
    "mixture_summary": ("%load_ext gmm_widgets\nGaussianMixture(3, random_state=0).fit(X)", 3),
}
SVG = "{http://www.w3.org/2000/svg}"


def download(lab, button, name: str) -> bytes:
    with lab.page.expect_download() as info:
        button.click()
    data = open(info.value.path(), "rb").read()
    (ARTIFACTS / name).write_bytes(data)
    return data


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def roles(tree: ET.Element, role: str) -> list[ET.Element]:
    return [e for e in tree.iter() if e.get("data-gmm-role") == role]


def test_toolbar_exports(lab):
    cells = [SETUP, *(src for src, _ in WIDGETS.values())]
    lab.open(lab.write_notebook("exports.ipynb", cells))
    lab.run_all(timeout=180)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for i, (name, (_, k)) in enumerate(WIDGETS.items(), start=1):
        cell = lab.cell(i)
        cell.scroll_into_view_if_needed()
        png = download(lab, lab.role("export-png", cell).first, f"{name}_toolbar.png")
        width, height = png_size(png)
        player = cell.locator(".gmm-fit-player").first
        box = player.bounding_box()
        assert width >= box["width"] and height >= 200, (name, width, height)
        svg = download(lab, lab.role("export-svg", cell).first, f"{name}_toolbar.svg")
        tree = ET.fromstring(svg)
        assert tree.tag == f"{SVG}svg"
        images = [e for e in tree.iter(f"{SVG}image") if e.get("href", "").startswith("data:")]
        assert images, f"{name}: the points (canvas) are missing from the SVG"
        texts = " ".join(t.text or "" for t in tree.iter(f"{SVG}text"))
        if k is not None:
            assert len(roles(tree, "ellipse")) == 2 * k, name
        if name == "mixture_explorer":
            assert len(roles(tree, "mean-handle")) == k
        if name == "model_selector":
            # The whole selector: curves, legend, read-outs, and the model over the data.
            assert len(roles(tree, "grid-point")) == 8
            assert "best by BIC" in texts and "Shown: K=" in texts
            assert "full" in texts and "diag" in texts
            assert "number of components K" in texts
            assert roles(tree, "ellipse")
            selector = cell.locator(".gmm-model-selector")
            assert abs(width - 2 * selector.bounding_box()["width"]) <= 2  # the whole view
