"""The documentation site's tutorial pages show working widgets with the network cut off.

The site (``docs/``, Sphinx + myst-nb) is built with the command of CONTRIBUTING.md;
Sphinx rebuilds only what changed (and myst-nb's cache re-runs only changed notebooks),
so after ``.ci/run``'s docs step this is quick. A tutorial page is then opened from
``file://`` in Chromium with every other request aborted: the widget renderer and each
widget's code must come from the page itself.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import ARTIFACTS, REPO

pytestmark = pytest.mark.e2e

#: CONTRIBUTING.md's command (and .ci/run's), with this interpreter.
BUILD = [
    sys.executable,
    "-m",
    "sphinx",
    "-W",
    "--keep-going",
    "-b",
    "html",
    "docs",
    "docs/_build/html",
]
SITE = REPO / "docs" / "_build" / "html"
#: Seconds for a build that has to run every notebook.
BUILD_TIMEOUT = 1200
LOCAL = ("file:", "data:", "blob:", "about:")


@pytest.fixture(scope="module")
def site() -> Path:
    done = subprocess.run(
        BUILD, cwd=REPO, capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False
    )
    assert done.returncode == 0, (
        f"the docs build failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    )
    return SITE


def open_offline(browser, path: Path):
    """``path`` in a new page, every non-local request aborted; returns (page, blocked, errors)."""
    context = browser.new_context(viewport={"width": 1300, "height": 900})
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
    # A file the site lacks (a missing asset) fails its request: that is an error too.
    # Only file: URLs name assets; Chromium may also report an about:blank frame (MathJax
    # makes one) or a revoked blob: as failed, which says nothing about the site's files.
    page.on(
        "requestfailed",
        lambda req: (
            errors.append(f"missing: {req.url}")
            if req.url.startswith("file:") and req.url not in blocked
            else None
        ),
    )
    page.goto(path.as_uri())
    page.wait_for_function(
        "() => ['done', 'error'].includes(document.body.dataset.gmmEmbed)", timeout=60_000
    )
    return page, blocked, errors


def drawn_pixels(locator) -> int:
    return locator.evaluate(
        """(root) => [...root.querySelectorAll('canvas')].reduce((n, c) => {
            if (!c.width || !c.height) return n;
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n += 1;
            return n;
        }, 0)"""
    )


def test_tutorial_page_plays_its_fit_offline(browser, site):
    page_path = site / "tutorials" / "02_em_step_by_step.html"
    assert page_path.is_file(), f"the site has no {page_path.name}"
    html = page_path.read_text(encoding="utf-8")
    assert "application/vnd.jupyter.widget-state+json" in html
    assert not re.search(r"<script[^>]+src=\"(https?:|//)", html)  # every script is the site's
    page, blocked, errors = open_offline(browser, page_path)
    try:
        assert page.evaluate("document.body.dataset.gmmEmbed") == "done", errors
        assert errors == []
        assert blocked == [], f"the page asked the network for {blocked}"
        players = page.locator(".gmm-fit-player")
        assert players.count() >= 2  # the replayed History and the n_init=4 player
        player = players.first
        player.scroll_into_view_if_needed()
        assert player.locator('[data-gmm-role="ellipse"]').count() == 6  # 3 x (1σ, 2σ)
        assert drawn_pixels(player) > 2000  # the 500 points
        # Playback runs in the page, from the frames the page carries.
        counter = player.locator('[data-gmm-role="iteration"]')
        shown, total = map(int, re.match(r"iter (\d+) / (\d+)", counter.inner_text()).groups())
        assert total >= 10 and shown < total
        player.locator('[data-gmm-role="step"]').click()
        page.wait_for_function(
            "([el, want]) => el.textContent.startsWith(`iter ${want} /`)",
            arg=[counter.element_handle(), shown + 1],
        )
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        player.screenshot(path=str(ARTIFACTS / "docs_site_fit_player.png"))
    finally:
        page.context.close()


def test_theory_page_typesets_its_math_offline(browser, site):
    page, blocked, errors = open_offline(browser, site / "tutorials" / "10_why_em_works.html")
    try:
        assert errors == [] and blocked == [], (errors, blocked)
        # MathJax (served by the site) replaces the TeX of every formula by its rendering.
        page.wait_for_function(
            "() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0"
            " && document.querySelectorAll('.MathJax_Display').length >= 5",
            timeout=60_000,
        )
        assert page.locator("script[type^='math/tex']").count() > 20
        assert page.locator(".MathJax_Error").count() == 0
        page.locator(".MathJax_Display").first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "docs_site_theory.png"))
    finally:
        page.context.close()
