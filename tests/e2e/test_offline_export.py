"""Exported pages open in Chromium with the network cut off, and the widgets work.

Every request that is not file:, data: or blob: is aborted and recorded, so a page
that needs a CDN fails here (the stock ipywidgets embed would render nothing).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from gmm_widgets import export
from tests.e2e.conftest import ARTIFACTS, page_probe

pytestmark = pytest.mark.e2e

PROBE = page_probe("theme_probe.js")
LOCAL = ("file:", "data:", "blob:", "about:")

CELLS = [
    """\
import numpy as np
import ipywidgets
from gmm_widgets import FitPlayer, GaussianMixture, MixtureExplorer

rng = np.random.default_rng(3)
X = np.vstack([
    rng.multivariate_normal([0, 0], [[2.0, 1.4], [1.4, 1.5]], 300),
    rng.multivariate_normal([4.5, 0.5], [[0.6, -0.3], [-0.3, 0.8]], 250),
])""",
    "FitPlayer(X, n_components=2, init_params='random_from_data', random_state=0)",
    "%load_ext gmm_widgets\nGaussianMixture(2, random_state=0).fit(X)",
    "MixtureExplorer(X, n_components=2, random_state=0)",
    "ipywidgets.IntSlider(7, description='plain ipywidget')",
]


def open_offline(browser, path: Path):
    """A page of ``path`` with every non-local request aborted; returns (page, blocked)."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    blocked: list[str] = []

    def route(r):
        if r.request.url.startswith(LOCAL):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path.as_uri())
    page.wait_for_function(
        "() => ['done', 'error'].includes(document.body.dataset.gmmEmbed)", timeout=60_000
    )
    assert page.evaluate("document.body.dataset.gmmEmbed") == "done", errors
    assert errors == []
    return page, blocked


def drawn_pixels(locator) -> int:
    return locator.evaluate(
        """(root) => [...root.querySelectorAll('canvas')].reduce((n, c) => {
            if (!c.width || !c.height) return n;
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n += 1;
            return n;
        }, 0)"""
    )


@pytest.fixture(scope="module")
def notebook(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("offline") / "offline.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(nb, path)
    return path


def test_exported_notebook_works_offline(browser, notebook):
    page_path = export.export_notebook(notebook, execute=True)
    html = page_path.read_text()
    assert not re.search(r"<script[^>]+src=", html)  # everything inline
    page, blocked = open_offline(browser, page_path)
    try:
        assert blocked == [], f"the page asked the network for {blocked}"
        first = page.locator(".jp-Cell").nth(1).locator(".gmm-fit-player")
        assert first.count() == 1
        first.scroll_into_view_if_needed()
        assert first.locator('[data-gmm-role="ellipse"]').count() == 4
        assert drawn_pixels(first) > 2000  # the points
        # Playback runs in the page, without a kernel.
        counter = first.locator('[data-gmm-role="iteration"]')
        n = int(re.match(r"iter 0 / (\d+)", counter.inner_text()).group(1))
        assert n > 2
        first.locator('[data-gmm-role="step"]').click()
        first.locator('[data-gmm-role="step"]').click()
        assert counter.inner_text().startswith("iter 2 /")
        first.locator('[data-gmm-role="play"]').click()
        page.wait_for_function(
            "(el) => el.textContent.startsWith(`iter ${el.textContent.split('/ ')[1]} /`)",
            arg=counter.element_handle(),
            timeout=20_000,
        )
        # %load_ext: the summary (its table and its own player).
        summary = page.locator(".gmm-mixture-summary")
        assert summary.locator("th", has_text="covariance").count() == 1
        assert summary.locator(".gmm-fit-player").count() == 1
        assert drawn_pixels(summary) > 2000
        # MixtureExplorer shows its fit and handles; an ipywidgets control renders too.
        explorer = page.locator(".gmm-mixture-explorer")
        assert explorer.locator('[data-gmm-role="mean-handle"]').count() == 2
        assert page.locator(".widget-slider .widget-readout").inner_text() == "7"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "offline_notebook.png"), full_page=True)
    finally:
        page.context.close()


def test_dark_export_is_readable_offline(browser, notebook, tmp_path):
    page_path = export.export_notebook(
        notebook, tmp_path / "dark.html", execute=True, theme="dark"
    )
    page, blocked = open_offline(browser, page_path)
    try:
        assert blocked == []
        widget = page.locator(".jp-Cell").nth(1).locator(".gmm-fit-player")
        widget.scroll_into_view_if_needed()
        probe = widget.evaluate(PROBE)
        assert probe["luminance"] < 0.05, probe["background"]
        assert min(t["contrast"] for t in probe["texts"]) >= 3.0
        assert sum(c["standing"] for c in probe["canvases"]) > 2000
        widget.screenshot(path=str(ARTIFACTS / "offline_dark_fit_player.png"))
    finally:
        page.context.close()


def test_widgets_page_works_offline(browser, tmp_path):
    from gmm_widgets import AnomalyInspector, ModelSelector

    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(300, 2)), rng.normal(size=(300, 2)) * 0.6 + [4, 2]])
    selector = ModelSelector(X, n_components=range(1, 5), covariance_types=("full", "diag"))
    inspector = AnomalyInspector(X, n_components=2, random_state=0, contamination=0.05)
    path = export.save_widgets_html(tmp_path / "widgets.html", [selector, inspector])
    page, blocked = open_offline(browser, path)
    try:
        assert blocked == []
        sel = page.locator(".gmm-model-selector")
        assert sel.locator('[data-gmm-role="grid-point"]').count() == 8
        assert "best by BIC" in sel.locator('[data-gmm-role="best"]').inner_text()
        # Clicking a point shows that model (from the frames in the page).
        sel.locator('[data-gmm-role="grid-point"]').first.click()
        page.wait_for_function(
            "(el) => el.dataset.gmmShown === '1|full'", arg=sel.element_handle()
        )
        ai = page.locator(".gmm-anomaly-inspector")
        count = ai.locator('[data-gmm-role="anomaly-count"]')
        assert int(count.get_attribute("data-value")) == inspector.n_anomalies
        assert drawn_pixels(ai) > 1000
        page.screenshot(path=str(ARTIFACTS / "offline_widgets.png"), full_page=True)
    finally:
        page.context.close()
