"""Every command and code block of README.md runs as written.

* The first command's last step, ``jupyter lab``, starts and serves the tutorials, as
  root (the usual case in a container) and, when the tests run as root, as an ordinary
  user too. (Its install step is what ``.ci/run`` does; the second command *is*
  ``.ci/run``.)
* The Python blocks run in order in one IPython shell (they use ``%load_ext``), in a
  scratch directory holding a copy of ``notebooks/``.
* The shell commands of the export section run with bash in such a directory, with
  ``.venv`` pointing at this environment.
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
README = (REPO / "README.md").read_text(encoding="utf-8")
VENV_BIN = Path(sys.executable).parent
SERVER_TIMEOUT = 120


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, re.S)


def _commands(block: str) -> list[str]:
    return [ln for ln in block.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A directory like a fresh clone's: ``notebooks/`` and a ``.venv`` (this one).

    Made world-readable under the system's temporary directory (pytest's ``tmp_path``
    sits in a private one), so that another user can run in it too.
    """
    path = Path(tempfile.mkdtemp(prefix="gmm-readme-"))
    try:
        path.chmod(0o755)
        shutil.copytree(REPO / "notebooks", path / "notebooks")
        (path / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


# ------------------------------------------------------------------ first command
def _first_command() -> str:
    return _commands(_blocks("bash")[0])[0]


def test_first_command_installs_the_lab_extra_and_starts_jupyter_lab():
    steps = [s.strip() for s in _first_command().split("&&")]
    assert steps[0] == "python3 -m venv .venv"
    assert steps[1] == '.venv/bin/pip install -e ".[lab]"'
    assert steps[2].startswith(".venv/bin/jupyter lab ")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_user_prefix(uid: int, gid: int) -> list[str]:
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv (util-linux) is needed to run a command as another user")
    return [setpriv, f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--"]


def _serve_as_written(scratch: Path, prefix: list[str], owner: int | None) -> dict:
    """Run the README's ``jupyter lab`` step in ``scratch``; the tutorials it lists."""
    lab_step = _first_command().split("&&")[-1].strip()
    argv = shlex.split(lab_step)
    home = scratch / "home"
    home.mkdir()
    port, token = _free_port(), "readme-test"
    # Only where to listen, the token and no browser come from the environment: the
    # command line is the README's.
    config = home / "config"
    config.mkdir()
    (config / "jupyter_server_config.json").write_text(
        json.dumps(
            {
                "ServerApp": {"open_browser": False, "ip": "127.0.0.1"},
                "LabApp": {
                    "workspaces_dir": str(home / "workspaces"),
                    "user_settings_dir": str(home / "settings"),
                },
            }
        )
    )
    if owner is not None:
        for path in [home, *home.rglob("*")]:
            os.chown(path, owner, owner)
    env = {
        **os.environ,
        "HOME": str(home),
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTER_PORT": str(port),
        "JUPYTER_TOKEN": token,
        "BROWSER": "true",
    }
    if owner is not None:  # that user's PATH cannot hold this user's private directories
        env["PATH"] = os.pathsep.join(
            d
            for d in env.get("PATH", "").split(os.pathsep)
            if d and os.access(d, os.X_OK) and not d.startswith(str(Path.home()))
        )
    proc = subprocess.Popen(
        prefix + argv,
        cwd=scratch,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + SERVER_TIMEOUT
        # `jupyter lab notebooks/` serves that directory: its root lists the tutorials.
        url = f"http://127.0.0.1:{port}/api/contents?token={token}"
        while True:
            if proc.poll() is not None:
                out = proc.stdout.read()
                pytest.fail(f"`{lab_step}` exited with {proc.returncode}:\n{out[-3000:]}")
            try:
                with urllib.request.urlopen(url, timeout=5) as resp:
                    return json.load(resp)
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"`{lab_step}` did not serve within {SERVER_TIMEOUT} s")
                time.sleep(0.5)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def _tutorials(listing: dict) -> set[str]:
    return {item["name"] for item in listing["content"] if item["name"].endswith(".ipynb")}


def test_first_command_serves_the_tutorials_as_this_user(scratch):
    """As root in CI (and in containers): no 'Running as root is not recommended'."""
    listing = _serve_as_written(scratch, [], None)
    assert _tutorials(listing) == {p.name for p in (REPO / "notebooks").glob("*.ipynb")}


def test_first_command_serves_the_tutorials_as_an_ordinary_user(scratch):
    """``--allow-root`` changes nothing for other users: the same command as 'nobody'."""
    if os.geteuid() != 0:
        pytest.skip("the tests do not run as root: the test above ran as an ordinary user")
    import pwd

    user = pwd.getpwnam("nobody")
    prefix = _as_user_prefix(user.pw_uid, user.pw_gid)
    # That user must be able to run this environment's Python (not so when it lives in
    # root's home, as pyenv's does on this project's CI machines).
    probe = subprocess.run(
        [*prefix, "env", "PATH=/usr/bin:/bin", str(scratch / ".venv/bin/jupyter"), "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if probe.returncode != 0:
        pytest.skip(f"'nobody' cannot run this environment's Python: {probe.stderr[-200:]}")
    listing = _serve_as_written(scratch, prefix, user.pw_uid)
    assert _tutorials(listing) == {p.name for p in (REPO / "notebooks").glob("*.ipynb")}


# ------------------------------------------------------------------ Python blocks
def test_python_blocks_run_in_order_in_ipython(scratch, monkeypatch):
    pytest.importorskip("sklearn", reason="the README's examples use scikit-learn (lab extra)")
    from IPython.core.interactiveshell import InteractiveShell

    monkeypatch.chdir(scratch)
    shell = InteractiveShell.instance()
    try:
        blocks = _blocks("python")
        assert len(blocks) >= 3
        for i, code in enumerate(blocks):
            result = shell.run_cell(code, store_history=False)
            assert result.success, f"README python block {i + 1} failed:\n{code}"
        assert (scratch / "bgm.png").stat().st_size > 1000
        assert "gmm_widgets" in (scratch / "fit.html").read_text(encoding="utf-8")
        assert (scratch / "01.html").stat().st_size > 10_000
    finally:
        shell.run_line_magic("unload_ext", "gmm_widgets")
        InteractiveShell.clear_instance()


# ------------------------------------------------------------------ shell commands
def _export_commands() -> list[str]:
    section = README.split("## Sharing", 1)[1]
    commands = [c for b in re.findall(r"```bash\n(.*?)```", section, re.S) for c in _commands(b)]
    assert commands, "the export section lost its commands"
    return commands


@pytest.mark.parametrize("command", _export_commands())
def test_export_commands_run_as_written(scratch, command):
    proc = subprocess.run(
        ["bash", "-c", command], cwd=scratch, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    nb = next(a for a in shlex.split(command) if a.endswith(".ipynb"))
    page = (scratch / nb).with_suffix(".html")
    html = page.read_text(encoding="utf-8")  # next to the notebook, as the README says
    assert "widget-view" in html or "application/vnd.jupyter.widget-state+json" in html
