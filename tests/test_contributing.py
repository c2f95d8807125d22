"""Every command in CONTRIBUTING.md runs as written.

Each command of its ``bash`` blocks, and each inline command that starts with
``.venv/bin/``, is checked in the way that fits it:

* ``run``: run as written, in a scratch copy of the repository's notebooks where it
  writes files;
* ``collect``: a pytest command: it must select tests (``--collect-only``); ``.ci/run``
  runs the tests themselves;
* ``serve``: a long-running command (a watcher, a server): started, checked to do its
  job, stopped;
* ``ci``: what ``.ci/run`` itself runs (the set-up, vitest, the docs build): it must be
  there, as written.

A command that fits none of these fails the test, so a new command cannot go unchecked.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CONTRIBUTING = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
CI = (REPO / ".ci" / "run").read_text(encoding="utf-8")
TIMEOUT = 600


def _commands() -> list[str]:
    out = []
    for block in re.findall(r"```bash\n(.*?)```", CONTRIBUTING, re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line and not line.startswith("#"):
                out.append(line)
    for span in re.findall(r"`(\.venv/bin/[^`]+)`", re.sub(r"\n\s*", " ", CONTRIBUTING)):
        if span not in out:
            out.append(span)
    return out


def _kind(command: str) -> str:
    if command in ("bash .ci/run", 'python3 -m venv .venv && .venv/bin/pip install -e ".[test]"'):
        return "ci"
    if command.startswith("(cd js && npx vitest run)") or " -m sphinx " in command:
        return "ci"
    if " -m pytest" in command:
        return "collect"
    if command.startswith("(cd js && npm run dev)") or "bin/jupyter lab" in command:
        return "serve"
    if command.startswith((".venv/bin/ruff ", ".venv/bin/pip install ", ".venv/bin/python ")):
        return "run"
    return "unknown"


COMMANDS = _commands()


def test_commands_are_found():
    assert len(COMMANDS) >= 10
    unknown = [c for c in COMMANDS if _kind(c) == "unknown"]
    assert not unknown, f"CONTRIBUTING commands this test does not know how to check: {unknown}"


@pytest.fixture
def scratch() -> Iterator[Path]:
    """Where commands that write run: a copy of notebooks/ and .venv (this one)."""
    path = Path(tempfile.mkdtemp(prefix="gmm-contributing-"))
    try:
        shutil.copytree(REPO / "notebooks", path / "notebooks")
        (path / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _bash(command: str, cwd: Path, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", command], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.parametrize("command", [c for c in COMMANDS if _kind(c) == "ci"])
def test_ci_runs_it(command):
    if command == "bash .ci/run":
        return
    if "pip install" in command:
        assert '-e ".[test]"' in CI and "python3 -m venv .venv" in CI
    elif "vitest" in command:
        scripts = json.loads((REPO / "js" / "package.json").read_text())["scripts"]
        assert scripts["test"] == "vitest run" and "npm test" in CI
    else:
        assert command.replace("-W --keep-going", "-W --keep-going -q") in CI


@pytest.mark.parametrize("command", [c for c in COMMANDS if _kind(c) == "collect"])
def test_pytest_commands_select_tests(command):
    # Without nbval: it selects no test here, and importing it (nbformat -> jsonschema ->
    # rfc3987_syntax, which builds a parser at import) costs 3-6 s per command.
    proc = _bash(f"{command} --collect-only -q -p no:cacheprovider -p no:nbval", REPO)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    m = re.search(r"(\d+)(?:/\d+)? tests? (?:collected|selected)", proc.stdout)
    assert m and int(m.group(1)) > 0, proc.stdout[-1000:]


@pytest.mark.parametrize("command", [c for c in COMMANDS if _kind(c) == "run"])
def test_runs_as_written(command, scratch):
    cwd = scratch if "notebooks/" in command else REPO
    if command.startswith(".venv/bin/ruff format") and "--check" not in command:
        command += " --check"  # as written it would rewrite files: check, same selection
    proc = _bash(command, cwd)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    for out in re.findall(r"-o (\S+\.html)", command):
        assert Path(out).stat().st_size > 10_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _wait_until(check, proc: subprocess.Popen, what: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if proc.poll() is not None:
            pytest.fail(f"{what} exited with {proc.returncode}: {proc.stdout.read()[-2000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not get there within {timeout} s")
        time.sleep(0.5)


def test_npm_run_dev_rebuilds_on_save(tmp_path):
    command = next(c for c in COMMANDS if c.startswith("(cd js && npm run dev)"))
    src = REPO / "js" / "src" / "fit_player.js"
    bundle = REPO / "gmm_widgets" / "static" / "fit_player.js"
    original_src, original_bundle = src.read_bytes(), bundle.read_bytes()
    proc = subprocess.Popen(
        ["bash", "-c", command],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        # The watcher's first build (unminified, with an inline source map), then a new
        # bundle after a save (the saved source is in the source map).
        _wait_until(lambda: b"sourceMappingURL" in bundle.read_bytes(), proc, command)
        first = bundle.read_bytes()
        src.write_text(original_src.decode() + f"// saved by test_contributing {time.time()}\n")
        _wait_until(lambda: bundle.read_bytes() != first, proc, command)
    finally:
        _stop(proc)
        src.write_bytes(original_src)
        bundle.write_bytes(original_bundle)


def test_jupyter_lab_with_hot_reload_starts(tmp_path):
    command = next(c for c in COMMANDS if "bin/jupyter lab" in c)
    port, token = _free_port(), "contributing-test"
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "jupyter_server_config.json").write_text(
        json.dumps(
            {
                "ServerApp": {"open_browser": False, "ip": "127.0.0.1"},
                "LabApp": {
                    "workspaces_dir": str(tmp_path / "ws"),
                    "user_settings_dir": str(tmp_path / "settings"),
                },
            }
        )
    )
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_PORT": str(port),
        "JUPYTER_TOKEN": token,
    }
    argv = shlex.split(command)
    assert argv[0] == "ANYWIDGET_HMR=1"
    env["ANYWIDGET_HMR"] = "1"
    proc = subprocess.Popen(
        argv[1:],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )

    def serving() -> bool:
        try:
            url = f"http://127.0.0.1:{port}/api/status?token={token}"
            with urllib.request.urlopen(url, timeout=5) as resp:
                return resp.status == 200
        except OSError:
            return False

    try:
        _wait_until(serving, proc, command)
    finally:
        _stop(proc)
