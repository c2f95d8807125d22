"""Fixtures for the end-to-end tests: a real JupyterLab server driven by Chromium.

Everything here is reusable by the tests of every widget. The server and the browser
are package-scoped: started once for all of tests/e2e and
stopped as soon as its last test is done, because Playwright's sync API keeps an
asyncio loop marked as running in the main thread while it is open, which would break
later tests that call ``asyncio.run``.

* ``lab_server``: JupyterLab on a free port, in its own process group, with
  a fresh settings/workspaces directory (news pop-up off, notebook windowing off so
  every cell is rendered). Stopped with ``killpg``.
* ``browser``: Debian's Chromium (``/usr/bin/chromium``, or
  ``$GMM_CHROMIUM``) launched headless by Playwright with a fresh profile. Missing
  Chromium fails with the command that installs it.
* ``notebook_server``: the same with Jupyter Notebook 7 (``jupyter notebook``), started
  only when a test asks for it.
* ``lab`` (per test): a :class:`Lab` page with helpers to write and open a notebook,
  run all cells, run code and read what it prints (state that has travelled from the
  browser to Python), find cells of the notebook shown (``panel``, ``cell``; JupyterLab
  restores earlier tests' tabs), find elements by ``data-gmm-role`` and save screenshots into
  ``.ci/artifacts/e2e/``. A failing test leaves a screenshot of the page there too.
  Each test gets its own browser context; its kernels are shut down afterwards.
* ``notebook7`` (per test): the same helpers on Notebook 7 (:class:`Notebook7`, which
  opens ``/notebooks/<file>``), to run a scenario in both front ends.

Mark the tests ``@pytest.mark.e2e``. Run them alone with ``pytest -m e2e``, or skip
them with ``pytest -m "not e2e"``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
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

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / ".ci" / "artifacts" / "e2e"
CHROMIUM = os.environ.get("GMM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Seconds to wait for the server, for a kernel, for a cell.
SERVER_TIMEOUT = 90.0
KERNEL_TIMEOUT = 90.0
CELL_TIMEOUT = 120.0

_INSTALL_CHROMIUM = (
    "The end-to-end tests need Debian's Chromium at {path}, which is missing. Install it "
    "with `sudo apt-get update && sudo apt-get install -y chromium` (bash .ci/run does "
    "this), or point GMM_CHROMIUM at a Chromium binary. Skip these tests with "
    "`pytest -m 'not e2e'`."
)


def page_probe(name: str) -> str:
    """The in-page probe ``tests/e2e/<name>`` for ``locator.evaluate``, with colors.js.

    A probe file is one function ``(root) => {...}`` that uses colors.js's names
    (``parse``, ``luminance``, ``contrast``, ``over``); this wraps the two in one
    expression.
    """
    here = Path(__file__).parent
    colors = (here / "colors.js").read_text(encoding="utf-8")
    probe = (here / name).read_text(encoding="utf-8").strip().rstrip(";")  # an expression
    return f"(root) => {{\n{colors}\nreturn ({probe})(root);\n}}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _write_json(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj))


@dataclass
class LabServer:
    """A running JupyterLab server."""

    url: str
    token: str
    root: Path
    log: Path
    proc: subprocess.Popen

    def api(self, path: str, method: str = "GET") -> Any:
        """Call the REST API; returns the decoded JSON (None for an empty body)."""
        req = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def log_tail(self, n: int = 40) -> str:
        """The last lines of the server's log."""
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    def shutdown_kernels(self) -> None:
        """Shut down every session (and so every kernel)."""
        try:
            for session in self.api("/api/sessions"):
                self.api(f"/api/sessions/{session['id']}", method="DELETE")
        except (urllib.error.URLError, OSError):
            pass


#: The two front ends under test: the command and its app's configurable class.
APPS = {
    "lab": ("JupyterLab", ["lab"], "LabApp"),
    "notebook": ("Jupyter Notebook 7", ["notebook"], "JupyterNotebookApp"),
}


@contextlib.contextmanager
def _jupyter_server(tmp_path_factory: pytest.TempPathFactory, app: str) -> Iterator[LabServer]:
    """A Jupyter server with the ``app`` front end, on a free port, in its own process group."""
    title, subcommand, cls = APPS[app]
    base = tmp_path_factory.mktemp(f"jupyter{app}")
    root = base / "notebooks"
    settings = base / "settings"
    workspaces = base / "workspaces"
    for d in (root, settings, workspaces):
        d.mkdir()
    _write_json(
        settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings",
        {"fetchNews": "false", "checkForUpdates": False},
    )
    # Render every cell, not only those near the viewport.
    _write_json(
        settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings",
        {"windowingMode": "none"},
    )
    port = _free_port()
    token = secrets.token_hex(16)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["JUPYTER_RUNTIME_DIR"] = str(base / "runtime")
    env["IPYTHONDIR"] = str(base / "ipython")
    env.pop("ANYWIDGET_HMR", None)
    log = base / "server.log"
    cmd = [
        sys.executable, "-m", "jupyter", *subcommand, "--no-browser", "--allow-root",
        "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}", f"--{cls}.expose_app_in_browser=True",
        f"--{cls}.workspaces_dir={workspaces}", f"--{cls}.user_settings_dir={settings}",
    ]  # fmt: skip
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = LabServer(f"http://127.0.0.1:{port}", token, root, log, proc)
    deadline = time.monotonic() + SERVER_TIMEOUT
    while True:
        if proc.poll() is not None:
            pytest.fail(f"{title} exited with {proc.returncode}:\n{server.log_tail()}")
        try:
            server.api("/api/status")
            break
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                pytest.fail(
                    f"{title} did not start in {SERVER_TIMEOUT:.0f} s:\n{server.log_tail()}"
                )
            time.sleep(0.3)
    try:
        yield server
    finally:
        server.shutdown_kernels()
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture(scope="package")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """JupyterLab on a free port, in its own process group."""
    with _jupyter_server(tmp_path_factory, "lab") as server:
        yield server


@pytest.fixture(scope="package")
def notebook_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """Jupyter Notebook 7 (``jupyter notebook``) on a free port, in its own process group.

    Started only by the tests that use it (the ``notebook7`` fixture).
    """
    with _jupyter_server(tmp_path_factory, "notebook") as server:
        yield server


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's) driven by Playwright, with a fresh profile."""
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        pytest.fail(_INSTALL_CHROMIUM.format(path=CHROMIUM), pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def _check_bundles() -> None:
    if not any((REPO / "gmm_widgets" / "static").glob("*.js")):
        pytest.fail(
            "gmm_widgets/static has no built JavaScript. Install the package "
            "(`pip install -e .` builds it) or run `cd js && npm ci && npm run build`.",
            pytrace=False,
        )


class Lab:
    """A JupyterLab page with helpers for notebooks and widgets.

    Parameters
    ----------
    page : playwright.sync_api.Page
    server : LabServer
    name : str
        Used to name screenshots.
    """

    def __init__(self, page: Any, server: LabServer, name: str) -> None:
        self.page = page
        self.server = server
        self.name = name
        self.console: list[str] = []
        page.on("console", lambda msg: self.console.append(f"{msg.type}: {msg.text}"))
        page.on("pageerror", lambda exc: self.console.append(f"pageerror: {exc}"))

    # -------------------------------------------------------------- notebooks
    def write_notebook(self, name: str, cells: list[str]) -> str:
        """Write a notebook of code cells into the server's root; returns its name."""
        nb = {
            "cells": [
                {
                    "cell_type": "code",
                    "execution_count": None,
                    "id": f"cell-{i}",
                    "metadata": {},
                    "outputs": [],
                    "source": src,
                }
                for i, src in enumerate(cells)
            ],
            "metadata": {
                "kernelspec": {
                    "display_name": "Python 3 (ipykernel)",
                    "language": "python",
                    "name": "python3",
                },
                "language_info": {"name": "python"},
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        }
        (self.server.root / name).write_text(json.dumps(nb))
        return name

    #: Where the front end opens a notebook file.
    tree = "/lab/tree/"

    def open(self, name: str) -> None:
        """Open a notebook and wait until its kernel is ready."""
        self.page.goto(f"{self.server.url}{self.tree}{name}?token={self.server.token}")
        self.page.wait_for_function(
            """(name) => {
                const app = window.jupyterapp;
                const w = app && app.shell.currentWidget;
                const ctx = w && w.sessionContext;
                return !!(w && w.context && w.context.path === name && ctx && ctx.session
                          && ctx.session.kernel && ctx.session.kernel.status === 'idle'
                          && w.content && w.content.widgets.length > 0);
            }""",
            arg=name,
            timeout=KERNEL_TIMEOUT * 1000,
        )

    def command(self, command: str, args: dict[str, Any] | None = None) -> None:
        """Execute a JupyterLab command (e.g. ``notebook:run-all-cells``)."""
        self.page.evaluate(
            "([c, a]) => window.jupyterapp.commands.execute(c, a)", [command, args or {}]
        )

    def set_theme(self, dark: bool) -> None:
        """Switch JupyterLab's theme and wait until every widget shows it.

        Waits on the condition itself: the body says the theme, every gmm widget with a
        background has a dark (or light) one, and two animation frames have passed, so
        the redraw the theme change scheduled (``watchTheme``) has run.
        """
        name = "JupyterLab Dark" if dark else "JupyterLab Light"
        self.command("apputils:change-theme", {"theme": name})
        self.page.wait_for_function(
            """(dark) => {
                if (document.body.dataset.jpThemeLight !== String(!dark)) return false;
                return [...document.querySelectorAll('.gmm-widget')].every((el) => {
                    const v = (getComputedStyle(el).backgroundColor.match(/[\\d.]+/g) || [])
                        .map(Number);
                    if (v.length < 3 || v[3] === 0) return true; // transparent: no say
                    const lum = (v[0] + v[1] + v[2]) / 3;
                    return dark ? lum < 80 : lum > 175;
                });
            }""",
            arg=dark,
            timeout=30_000,
        )
        self.page.evaluate(
            "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )

    def run_all(self, timeout: float = CELL_TIMEOUT) -> None:
        """Run every cell and wait until all have finished."""
        self.command("notebook:run-all-cells")
        self.wait_idle(timeout)

    def wait_idle(self, timeout: float = CELL_TIMEOUT) -> None:
        """Wait until the kernel is idle and every code cell has run."""
        self.page.wait_for_function(
            """() => {
                const w = window.jupyterapp.shell.currentWidget;
                const k = w.sessionContext.session && w.sessionContext.session.kernel;
                if (!k || k.status !== 'idle') return false;
                return w.content.widgets.every(c => c.model.type !== 'code'
                    || (c.model.executionCount !== null
                        && (c.model.executionState === undefined
                            || c.model.executionState === 'idle')));
            }""",
            timeout=timeout * 1000,
            polling=250,
        )
        self.check_errors()

    def cell_outputs(self, index: int) -> list[dict[str, Any]]:
        """The outputs of cell ``index`` (nbformat dicts)."""
        return self.page.evaluate(
            """(i) => window.jupyterapp.shell.currentWidget.content.widgets[i]
                         .model.outputs.toJSON()""",
            index,
        )

    def check_errors(self) -> None:
        """Fail if any cell shows a Python error."""
        n = self.page.evaluate(
            "() => window.jupyterapp.shell.currentWidget.content.widgets.length"
        )
        for i in range(n):
            for out in self.cell_outputs(i):
                if out.get("output_type") == "error":
                    tb = "\n".join(out.get("traceback", []))
                    raise AssertionError(
                        f"cell {i} raised {out.get('ename')}: {out.get('evalue')}\n{tb}"
                    )

    def run_code(self, code: str, timeout: float = CELL_TIMEOUT) -> str:
        """Append a cell with ``code`` at the end, run it, and return what it printed."""
        index = self.page.evaluate(
            """async (code) => {
                const app = window.jupyterapp;
                const nb = app.shell.currentWidget.content;
                nb.activeCellIndex = nb.widgets.length - 1;
                await app.commands.execute('notebook:insert-cell-below');
                const index = nb.activeCellIndex;
                nb.activeCell.model.sharedModel.setSource(code);
                await app.commands.execute('notebook:run-cell');
                return index;
            }""",
            code,
        )
        self.wait_idle(timeout)
        text = []
        for out in self.cell_outputs(index):
            if out.get("output_type") == "stream":
                text.append("".join(out["text"]) if isinstance(out["text"], list) else out["text"])
        return "".join(text)

    def python(self, expression: str) -> Any:
        """Evaluate an expression in the kernel (in a new cell) and return it via JSON."""
        marker = "@@GMM@@"
        out = self.run_code(f"import json as _j\nprint({marker!r}, _j.dumps({expression}))")
        for line in out.splitlines():
            if line.startswith(marker):
                return json.loads(line[len(marker) :])
        raise AssertionError(f"no result printed for {expression!r}; output was {out!r}")

    def wait_python(self, expression: str, expected: Any, timeout: float = 30.0) -> Any:
        """Evaluate ``expression`` in the kernel until it equals ``expected``.

        Widget state from the browser is eventually consistent: ipywidgets keeps at most
        one update per model in flight and buffers the rest until the kernel is idle,
        so an execute request can overtake the last buffered update. Returns the last
        value (the caller asserts on it).
        """
        deadline = time.monotonic() + timeout
        value = self.python(expression)
        while value != expected and time.monotonic() < deadline:
            self.page.wait_for_timeout(300)
            value = self.python(expression)
        return value

    # ----------------------------------------------------------------- widgets
    def panel(self) -> Any:
        """Locator of the notebook shown now (JupyterLab may restore earlier tests' tabs)."""
        panel_id = self.page.evaluate("() => window.jupyterapp.shell.currentWidget.id")
        return self.page.locator(f"[id='{panel_id}']")

    def cell(self, index: int) -> Any:
        """Locator of cell ``index`` of the notebook shown now."""
        return self.panel().locator(".jp-Cell").nth(index)

    def role(self, role: str, within: Any = None) -> Any:
        """Locator of the elements with ``data-gmm-role=role``."""
        scope = within if within is not None else self.page
        return scope.locator(f'[data-gmm-role="{role}"]')

    def screenshot(self, name: str, locator: Any = None) -> Path:
        """Save a PNG of the page (or of one element) into .ci/artifacts/e2e/."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        if locator is not None:
            locator.scroll_into_view_if_needed()
            locator.screenshot(path=str(path))
        else:
            self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


#: Run in the kernel after a failure: every gmm widget of the notebook and its synced
#: traits (arrays as dtype and shape, long values cut), one line per trait.
_TRAIT_DUMP = """\
def _gmm_trait_dump():
    import anywidget, numpy as np
    for name, obj in list(get_ipython().user_ns.items()):
        if name.startswith("_") or not isinstance(obj, anywidget.AnyWidget):
            continue
        print(f"{name} = {type(obj).__name__}")
        for trait in sorted(obj.traits(sync=True)):
            if trait.startswith("_") or trait in ("layout", "tabbable", "tooltip"):
                continue
            v = getattr(obj, trait)
            text = f"ndarray {v.dtype} {v.shape}" if isinstance(v, np.ndarray) else repr(v)
            print(f"    {trait}: {text[:160]}")
_gmm_trait_dump()
"""


def _failure_report(helper: Lab) -> str:
    """The last 20 lines the kernel printed and the widgets' traits (asked of the kernel)."""
    parts = []
    try:  # first, before the question below adds its own cell
        outputs = helper.page.evaluate(
            """() => window.jupyterapp.shell.currentWidget.content.widgets
                .filter((c) => c.model.type === 'code')
                .flatMap((c) => c.model.outputs.toJSON())"""
        )
        lines = []
        for out in outputs:
            if out.get("output_type") == "stream":
                text = out["text"]
                lines += ("".join(text) if isinstance(text, list) else text).splitlines()
            elif out.get("output_type") == "error":
                lines.append(f"{out.get('ename')}: {out.get('evalue')}")
        parts.append("last 20 lines of the notebook's output:\n" + "\n".join(lines[-20:]))
    except Exception as exc:  # the page may be gone
        parts.append(f"no notebook output ({type(exc).__name__})")
    try:
        parts.append("widget traits in the kernel:\n" + helper.run_code(_TRAIT_DUMP, timeout=15))
    except Exception as exc:  # a busy or dead kernel: say so and go on
        parts.append(f"widget traits: the kernel did not answer ({type(exc).__name__})")
    parts.append("last 20 lines of the server and kernel log:\n" + helper.server.log_tail(20))
    return "\n".join(parts)


class Notebook7(Lab):
    """A Jupyter Notebook 7 page: the notebook opens at ``/notebooks/<file>``.

    Notebook 7 is built from JupyterLab's components, so every :class:`Lab` helper
    works unchanged (``window.jupyterapp``, the same commands and cell models).
    """

    tree = "/notebooks/"


@contextlib.contextmanager
def _page(
    browser: Any, server: LabServer, request: pytest.FixtureRequest, cls: type[Lab]
) -> Iterator[Lab]:
    """A fresh browser page on ``server``; a failure leaves a screenshot and the console."""
    _check_bundles()
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    helper = cls(page, server, request.node.name)
    try:
        yield helper
    finally:
        rep = getattr(request.node, "rep_call", None)
        if rep is not None and rep.failed:
            try:
                path = helper.screenshot(f"FAILED-{request.node.name}")
                print(f"screenshot of the failure: {path}")
                print("browser console:\n" + "\n".join(helper.console[-30:]))
            except Exception as exc:  # the page may be gone
                print(f"no failure screenshot: {exc}")
            print(_failure_report(helper))
        context.close()
        server.shutdown_kernels()


@pytest.fixture
def lab(browser: Any, lab_server: LabServer, request: pytest.FixtureRequest) -> Iterator[Lab]:
    """A fresh browser page on the JupyterLab server."""
    with _page(browser, lab_server, request, Lab) as helper:
        yield helper


@pytest.fixture
def notebook7(
    browser: Any, notebook_server: LabServer, request: pytest.FixtureRequest
) -> Iterator[Lab]:
    """A fresh browser page on the Jupyter Notebook 7 server (``/notebooks/<file>``)."""
    with _page(browser, notebook_server, request, Notebook7) as helper:
        yield helper
