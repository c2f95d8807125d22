"""The widgets in marimo: notebooks/marimo/anomaly_tuning.py served headless, in Chromium.

``marimo run --headless --no-token`` (and, once, ``marimo edit``) serves a copy of the
tutorial on a free port, in its own process group (stopped with ``killpg``), with fresh
config and cache directories. Every page load of ``marimo run`` is a fresh session (its
own kernel), so the tests do not share widget state. The checks:

* all four widgets render (each with its ``data-gmm-role`` controls and a drawn plot),
  the "Code" button gets its code from the kernel (custom messages), the PNG/SVG buttons
  download, and the browser console has no error;
* a mean handle of the MixtureExplorer dragged with the mouse reaches Python: the cell
  under the explorer, which marimo re-runs when the widget changes, prints the
  ``means_init`` of the refit, and those are the coordinates the handle shows after the
  drop (a value only a refit in the kernel from the dragged means produces); the K
  slider refits in Python (the same cell prints the new K) and the view shows the new
  K. The same in ``marimo edit``, where the arrow keys on a focused handle move it too
  (the editor's shortcuts do not take them);
* a model clicked in the ModelSelector re-runs the cells that read the selection: the
  explorer is rebuilt with the clicked K;
* a dragged threshold of the AnomalyInspector reaches the cell that grades the flags
  with NumPy: its count, threshold, precision and recall are the view's;
* in marimo's dark theme (no --jp-* variables there) the widgets are dark and readable,
  measured as tests/e2e/test_dark_theme.py measures them in JupyterLab.

Every wait is on the very condition asserted, read in the same ``wait_for_function``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import (
    ARTIFACTS,
    REPO,
    SERVER_TIMEOUT,
    _check_bundles,
    _free_port,
    page_probe,
)

pytest.importorskip("marimo")

pytestmark = pytest.mark.e2e

TUTORIAL = REPO / "notebooks" / "marimo" / "anomaly_tuning.py"
#: Seconds for the page to show the widgets (kernel start, four fits, the bundles).
PAGE_TIMEOUT = 120.0
#: The widget roots, in the tutorial's order.
WIDGETS = ("model-selector", "fit-player", "mixture-explorer", "anomaly-inspector")
#: What tests/e2e/test_dark_theme.py measures in JupyterLab's dark theme.
PROBE = page_probe("theme_probe.js")
#: Roles of areas meant to be a faint tint (the anomaly zone), and the widget whose
#: canvas also paints such an area under the points.
SHADING = {"anomaly-zone"}
SHADED_CANVAS = {"anomaly-inspector"}
#: Milliseconds for one round trip through the kernel (a refit and the cells after it).
ROUND_TRIP_MS = 60_000


@dataclass
class MarimoServer:
    """A running ``marimo run`` server."""

    url: str
    log: Path
    proc: subprocess.Popen

    def log_tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"


@contextlib.contextmanager
def _marimo(
    tmp_path_factory: pytest.TempPathFactory, theme: str, mode: str = "run"
) -> Iterator[MarimoServer]:
    """``marimo <mode>`` of a copy of the tutorial, headless, on a free port, in ``theme``.

    ``mode`` is ``run`` (the app) or ``edit`` (the editor, which runs the cells on
    opening only when told to: ``auto_instantiate``).
    """
    base = tmp_path_factory.mktemp(f"marimo_{mode}_{theme}")
    notebook = base / TUTORIAL.name
    shutil.copy(TUTORIAL, notebook)
    config = base / "config" / "marimo" / "marimo.toml"  # marimo's user config: a fresh one
    config.parent.mkdir(parents=True)
    config.write_text(f'[display]\ntheme = "{theme}"\n\n[runtime]\nauto_instantiate = true\n')
    port = _free_port()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["XDG_CONFIG_HOME"] = str(base / "config")
    env["XDG_CACHE_HOME"] = str(base / "cache")
    env["MARIMO_SKIP_UPDATE_CHECK"] = "1"  # no network here
    env.pop("ANYWIDGET_HMR", None)
    log = base / "server.log"
    cmd = [
        sys.executable, "-m", "marimo", mode, "--headless", "--no-token",
        "--host", "127.0.0.1", "--port", str(port), "--no-sandbox",
        # A closed page ends its session (and kernel) at once.
        "--session-ttl", "0", str(notebook),
    ]  # fmt: skip
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=base, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = MarimoServer(f"http://127.0.0.1:{port}", log, proc)
    deadline = time.monotonic() + SERVER_TIMEOUT
    while True:
        if proc.poll() is not None:
            pytest.fail(f"marimo exited with {proc.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.url}/health", timeout=5) as resp:
                if resp.status == 200:
                    break
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail(f"marimo did not start in {SERVER_TIMEOUT:.0f} s:\n{server.log_tail()}")
        time.sleep(0.3)
    try:
        yield server
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture(scope="module")
def marimo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MarimoServer]:
    """The tutorial in marimo's light theme."""
    with _marimo(tmp_path_factory, "light") as server:
        yield server


@pytest.fixture(scope="module")
def marimo_dark_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MarimoServer]:
    """The tutorial in marimo's dark theme."""
    with _marimo(tmp_path_factory, "dark") as server:
        yield server


@pytest.fixture(scope="module")
def marimo_edit_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MarimoServer]:
    """The tutorial in marimo's editor (``marimo edit``), light theme."""
    with _marimo(tmp_path_factory, "light", mode="edit") as server:
        yield server


class MarimoPage:
    """A page of the marimo app, with the browser console kept."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.console: list[str] = []
        page.on("console", lambda msg: self.console.append(f"{msg.type}: {msg.text}"))
        page.on("pageerror", lambda exc: self.console.append(f"pageerror: {exc}"))

    def errors(self) -> list[str]:
        return [c for c in self.console if c.startswith(("error:", "pageerror:"))]

    def widget(self, cls: str) -> Any:
        """Locator of the widget root ``.gmm-<cls>`` (Playwright pierces marimo's shadow DOM).

        The explorer and the selector embed a FitPlayer view: a root is a ``.gmm-widget``
        inside no other.
        """
        return self.page.locator(f".gmm-{cls}:not(.gmm-widget .gmm-widget)")

    def wait_text(self, pattern: str, timeout: float = ROUND_TRIP_MS) -> list[str]:
        """Wait until the page's text matches ``pattern``; return the groups of the match."""
        return self.page.wait_for_function(
            """(pattern) => {
                const m = document.body.innerText.match(new RegExp(pattern));
                return m ? m.slice(1) : false;
            }""",
            arg=pattern,
            timeout=timeout,
        ).json_value()


@contextlib.contextmanager
def _open(browser: Any, server: MarimoServer, request: pytest.FixtureRequest):
    """A fresh page (and so a fresh marimo session) on the app; the widgets are shown."""
    _check_bundles()
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    helper = MarimoPage(page)
    try:
        page.goto(server.url)
        for cls in WIDGETS:
            helper.widget(cls).wait_for(state="attached", timeout=PAGE_TIMEOUT * 1000)
        yield helper
    finally:
        rep = getattr(request.node, "rep_call", None)
        if rep is None or rep.failed:
            try:
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                path = ARTIFACTS / f"FAILED-{request.node.name}.png"
                page.screenshot(path=str(path), full_page=True)
                print(f"screenshot of the failure: {path}")
            except Exception as exc:  # the page may be gone
                print(f"no failure screenshot: {exc}")
            print("browser console:\n" + "\n".join(helper.console[-30:]))
            print("marimo log:\n" + server.log_tail())
        context.close()


@pytest.fixture
def app(browser: Any, marimo_server: MarimoServer, request: pytest.FixtureRequest):
    """A page of the tutorial in marimo's light theme."""
    with _open(browser, marimo_server, request) as helper:
        yield helper


@pytest.fixture
def edit_app(browser: Any, marimo_edit_server: MarimoServer, request: pytest.FixtureRequest):
    """A page of the tutorial in marimo's editor."""
    with _open(browser, marimo_edit_server, request) as helper:
        yield helper


@pytest.fixture
def dark_app(browser: Any, marimo_dark_server: MarimoServer, request: pytest.FixtureRequest):
    """A page of the tutorial in marimo's dark theme."""
    with _open(browser, marimo_dark_server, request) as helper:
        yield helper


def role(scope: Any, name: str) -> Any:
    return scope.locator(f'[data-gmm-role="{name}"]')


def handle_coords(explorer: Any, k: int) -> list[float]:
    """The data coordinates a mean handle shows (its aria-label)."""
    handle = explorer.locator(f'[data-gmm-role="mean-handle"][data-component="{k}"]')
    text = handle.get_attribute("aria-label")
    number = r"= ([-\u2212]?\d+(?:\.\d+)?(?:e[-+]?\d+)?)"
    return [float(v.replace("\u2212", "-")) for v in re.findall(number, text)]


def drag(page: Any, explorer: Any, k: int, dx: float, dy: float) -> None:
    ring = explorer.locator(
        f'[data-gmm-role="mean-handle"][data-component="{k}"] .gmm-handle-ring'
    )
    ring.scroll_into_view_if_needed()
    box = ring.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    mouse = page.mouse
    mouse.move(x, y)
    mouse.down()
    for i in range(1, 6):
        mouse.move(x + dx * i / 5, y + dy * i / 5)
    mouse.up()


def test_the_four_widgets_render_without_console_errors(app):
    drawn = {
        "model-selector": ["criterion", "copy-code", "export-png"],
        "fit-player": ["play", "step", "copy-code", "export-png", "export-svg"],
        "mixture-explorer": ["k-slider", "covariance-type", "mean-handle", "copy-code"],
        "anomaly-inspector": ["threshold-handle", "copy-code"],
    }
    for cls, roles in drawn.items():
        root = app.widget(cls)
        root.scroll_into_view_if_needed()
        # Rendered: laid out, every control there, something drawn (a canvas of points or
        # SVG marks). Read in the wait: the views fill in after their root is attached.
        box = app.page.wait_for_function(
            """([root, roles]) => {
                const r = root.getBoundingClientRect();
                const ready = r.width > 300 && r.height > 200
                    && roles.every((n) => root.querySelector(`[data-gmm-role="${n}"]`))
                    && root.querySelector('canvas, svg circle, svg path');
                return ready ? {width: r.width, height: r.height} : false;
            }""",
            arg=[root.element_handle(), roles],
            timeout=ROUND_TRIP_MS,
        ).json_value()
        assert box["width"] > 300 and box["height"] > 200, (cls, box)
    # Python's text cells ran too (the first fit, the first flags).
    k, cov = app.wait_text(r"Selected: K = (\d+), covariance (\w+)")
    assert app.wait_text(rf"Python sees: K = ({k}), means_init = automatic") == [k]
    assert app.wait_text(r"Flagged (\d+) of 1000 points") == ["40"]
    # The "Code" button asks the kernel through a custom message, and gets the code.
    explorer = app.widget("mixture-explorer")
    role(explorer, "copy-code").click()
    code = app.page.wait_for_function(
        """(root) => {
            const panel = root.querySelector('[data-gmm-role="code-panel"]');
            return panel && panel.dataset.gmmCode === 'ready'
                && root.querySelector('[data-gmm-role="code-text"]').textContent;
        }""",
        arg=explorer.element_handle(),
        timeout=ROUND_TRIP_MS,
    ).json_value()
    assert "GaussianMixture(" in code and f"n_components={k}" in code, code
    assert cov == "full" or f'covariance_type="{cov}"' in code, code
    # The toolbar's downloads work from marimo's page too: a PNG and an SVG of the player.
    player = app.widget("fit-player")
    for name, check in (("png", b"\x89PNG\r\n\x1a\n"), ("svg", b"<svg")):
        with app.page.expect_download() as info:
            role(player, f"export-{name}").click()
        data = Path(info.value.path()).read_bytes()
        assert check in data[:200] and len(data) > 2_000, (name, data[:80])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for cls in drawn:
        app.widget(cls).screenshot(path=str(ARTIFACTS / f"marimo_{cls}.png"))
    assert not app.errors(), "\n".join(app.errors())


def test_a_dragged_mean_reaches_python_and_k_refits(app):
    drag_mean_and_change_k(app)


def test_in_the_editor_too(edit_app):
    """``marimo edit`` (what notebooks/README.md says to run): the same round trips."""
    drag_mean_and_change_k(edit_app)


def drag_mean_and_change_k(app: MarimoPage) -> None:
    explorer = app.widget("mixture-explorer")
    (k,) = app.wait_text(r"Python sees: K = (\d+), means_init = automatic")
    k = int(k)
    before = handle_coords(explorer, 0)

    drag(app.page, explorer, 0, 90, -70)
    # The cell under the explorer re-runs after the refit and prints its means_init.
    (means_text,) = app.wait_text(r"means_init = (\[\[[^`]*?\]\])")
    means_init = [[float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", row)]
                  for row in re.findall(r"\[([^\[\]]+)\]", means_text)]  # fmt: skip
    after = handle_coords(explorer, 0)
    assert len(means_init) == k and all(len(row) == 2 for row in means_init)
    assert after[0] > before[0] + 0.3 and after[1] > before[1] + 0.3, (before, after)
    # Python's means_init (3 decimals) are where the handle was dropped (4 digits shown).
    assert means_init[0] == pytest.approx(after, abs=2e-3 + 1e-3 * max(map(abs, after)))
    for j in range(1, k):
        assert means_init[j] == pytest.approx(handle_coords(explorer, j), abs=5e-3)

    # The K slider: Python refits with K + 1 and the view shows K + 1 components.
    slider = role(explorer, "k-slider")
    slider.fill(str(k + 1))
    slider.dispatch_event("change")
    assert app.wait_text(rf"Python sees: K = ({k + 1}),") == [str(k + 1)]
    shown = app.page.wait_for_function(
        """([root, k]) => {
            const handles = root.querySelectorAll('[data-gmm-role="mean-handle"]').length;
            const fitted = root.dataset.gmmState === 'fitted';
            return fitted && handles === k ? handles : false;
        }""",
        arg=[explorer.element_handle(), k + 1],
        timeout=ROUND_TRIP_MS,
    ).json_value()
    assert shown == k + 1
    assert not app.errors(), "\n".join(app.errors())


def test_the_widgets_follow_marimos_dark_theme(app, dark_app):
    """marimo defines no --jp-* variables: its dark theme is read from <body>'s classes."""
    light = {}
    for cls in WIDGETS:
        root = app.widget(cls)
        root.scroll_into_view_if_needed()
        light[cls] = root.evaluate(PROBE)["luminance"]
    assert all(lum > 0.8 for lum in light.values()), light
    assert "dark-theme" in dark_app.page.evaluate("() => document.body.className")
    report = {}
    for cls in WIDGETS:
        root = dark_app.widget(cls)
        root.scroll_into_view_if_needed()
        # Measured once the view is marked dark and has drawn its points and texts (the
        # probe runs inside the wait, and its last result is the one asserted on).
        report[cls] = dark_app.page.wait_for_function(
            f"""(root) => {{
                if (root.dataset.gmmHostTheme !== 'dark') return false;
                const probe = ({PROBE})(root);
                const drawn = probe.canvases.some((c) => c.drawn > 0);
                return drawn && probe.texts.length >= 5 ? probe : false;
            }}""",
            arg=root.element_handle(),
            timeout=ROUND_TRIP_MS,
        ).json_value()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        root.screenshot(path=str(ARTIFACTS / f"marimo_{cls}_dark.png"))
    for name, probe in report.items():
        bg = probe["background"]
        assert probe["luminance"] < 0.05, f"{name}: background {bg} is not dark"
        texts = probe["texts"]
        assert len(texts) >= 5, f"{name}: too little text found: {texts}"
        worst = sorted(texts, key=lambda t: t["contrast"])[:5]
        assert worst[0]["contrast"] >= 3.0, f"{name}: hard to read on {bg}: {worst}"
        median = statistics.median(t["contrast"] for t in texts)
        assert median >= 4.5, f"{name}: median text contrast {median:.2f} on {bg}"
        marks = [m for m in probe["marks"] if m["contrast"] > 0]
        assert marks, f"{name}: no marks found"
        faint = [m for m in marks if m["contrast"] < 1.5 and m["role"] not in SHADING]
        assert not faint, f"{name}: marks that vanish into the background: {faint[:5]}"
        canvases = [c for c in probe["canvases"] if c["drawn"] > 0]
        assert canvases, f"{name}: no points drawn"
        standing = sum(c["standing"] for c in canvases)
        drawn = sum(c["drawn"] for c in canvases)
        assert standing >= 1000, f"{name}: only {standing} visible point pixels"
        if name not in SHADED_CANVAS:
            assert standing / drawn >= 0.8, f"{name}: {standing}/{drawn} point pixels visible"
    assert not dark_app.errors(), "\n".join(dark_app.errors())


def test_a_dragged_threshold_reaches_the_grading_cell(app):
    inspector = app.widget("anomaly-inspector")
    assert app.wait_text(r"Flagged (\d+) of 1000 points") == ["40"]
    handle = role(inspector, "threshold-handle")
    handle.scroll_into_view_if_needed()
    start = float(handle.get_attribute("aria-valuenow"))
    box = handle.bounding_box()
    x0, y0 = box["x"] + box["width"] / 2, box["y"] + 8
    mouse = app.page.mouse
    mouse.move(x0, y0)
    mouse.down()
    for step in range(1, 13):
        mouse.move(x0 + 6 * step, y0)
    mouse.up()
    # The view's own count and precision/recall, once the handle has settled.
    shown = app.page.wait_for_function(
        """([root, start]) => {
            const q = (r) => root.querySelector(`[data-gmm-role="${r}"]`);
            const t = Number(q('threshold-handle').getAttribute('aria-valuenow'));
            if (!(t > start)) return false;
            return {threshold: t, count: Number(q('anomaly-count').dataset.value),
                    precision: Number(q('precision').dataset.value),
                    recall: Number(q('recall').dataset.value)};
        }""",
        arg=[inspector.element_handle(), start],
        timeout=ROUND_TRIP_MS,
    ).json_value()
    assert shown["count"] > 40
    # Python's cell, re-run by marimo with the flags it received, says the same.
    count, threshold, precision, recall = app.wait_text(
        rf"Flagged ({shown['count']}) of 1000 points \(threshold (-?[\d.]+)\).*?"
        r"precision (\d+\.\d+), recall (\d+\.\d+)"
    )
    assert int(count) == shown["count"]
    assert float(threshold) == pytest.approx(shown["threshold"], abs=1e-3)
    assert float(precision) == pytest.approx(shown["precision"], abs=0.006)
    assert float(recall) == pytest.approx(shown["recall"], abs=0.006)
    assert not app.errors(), "\n".join(app.errors())


def test_a_model_clicked_in_the_selector_rebuilds_the_cells_after_it(app):
    """The selection is read by the player's and the explorer's cells: marimo re-runs them."""
    k, _ = app.wait_text(r"Selected: K = (\d+), covariance (\w+)")
    new_k = 2 if k != "2" else 3
    selector = app.widget("model-selector")
    point = selector.locator(
        f'[data-gmm-role="grid-point"][data-k="{new_k}"][data-covariance-type="diag"]'
    )
    point.scroll_into_view_if_needed()
    point.click()
    assert app.wait_text(rf"Selected: K = ({new_k}), covariance (diag)") == [str(new_k), "diag"]
    assert app.wait_text(rf"Python sees: K = ({new_k}), means_init = automatic") == [str(new_k)]
    # The rebuilt explorer shows the new K: as many mean handles, and a fitted state.
    shown = app.page.wait_for_function(
        """(k) => {
            const roots = [...document.querySelectorAll('marimo-anywidget')]
                .map((el) => el.shadowRoot && el.shadowRoot.querySelector(
                    '.gmm-mixture-explorer'))
                .filter(Boolean);
            if (roots.length !== 1) return false;
            const root = roots[0];
            const n = root.querySelectorAll('[data-gmm-role="mean-handle"]').length;
            return root.dataset.gmmState === 'fitted' && n === k ? n : false;
        }""",
        arg=new_k,
        timeout=ROUND_TRIP_MS,
    ).json_value()
    assert shown == new_k
    assert not app.errors(), "\n".join(app.errors())


def test_keys_in_the_editor_move_a_handle_not_marimo(edit_app):
    """In ``marimo edit`` the arrow keys on a focused handle move it (keepKeys keeps them
    from the editor's shortcuts), and the move reaches Python as a drag does."""
    app = edit_app
    explorer = app.widget("mixture-explorer")
    app.wait_text(r"Python sees: K = (\d+), means_init = automatic")
    handle = explorer.locator('[data-gmm-role="mean-handle"][data-component="1"]')
    handle.scroll_into_view_if_needed()
    before = handle_coords(explorer, 1)
    handle.focus()
    for _ in range(4):
        app.page.keyboard.press("ArrowRight")
    (means_text,) = app.wait_text(r"means_init = (\[\[[^`]*?\]\])")
    rows = re.findall(r"\[([^\[\]]+)\]", means_text)
    means_init = [[float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", row)] for row in rows]
    after = handle_coords(explorer, 1)
    assert after[0] > before[0] and after[1] == pytest.approx(before[1], abs=1e-3)
    assert means_init[1] == pytest.approx(after, abs=2e-3 + 1e-3 * max(map(abs, after)))
    # The focus stayed on the handle: the editor did not take the keys.
    assert handle.evaluate("(el) => el.getRootNode().activeElement === el")
    assert not app.errors(), "\n".join(app.errors())
