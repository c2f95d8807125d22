"""Issue 14 item 6: the export CLI answers usage mistakes with one line and exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import gmm_widgets

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbconvert")


@pytest.fixture
def notebook(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# hi")])
    path = tmp_path / "demo.ipynb"
    nbformat.write(nb, path)
    return path


def run_cli(*args: str, cwd) -> subprocess.CompletedProcess[str]:
    # The package under test, whichever checkout it was imported from.
    root = str(Path(gmm_widgets.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-m", "gmm_widgets.export", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


def _cases(tmp_path, notebook):
    (tmp_path / "notjson.ipynb").write_text("this is not json")
    (tmp_path / "folder.ipynb").mkdir()
    (tmp_path / "a_file").write_text("x")
    return [
        ([str(tmp_path / "missing.ipynb")], "does not exist"),
        ([str(tmp_path / "notjson.ipynb")], "is not a Jupyter notebook"),
        ([str(tmp_path / "folder.ipynb")], "is a directory"),
        ([str(notebook), "-o", str(tmp_path / "a_file" / "out.html")], "output folder"),
        ([str(notebook), "-o", str(tmp_path)], "is a directory"),
        ([str(notebook), "--execute", "--kernel", "no-such-kernel-xyz"], "no kernel named"),
    ]


@pytest.mark.parametrize("case", range(6))
def test_usage_errors_are_one_line_and_exit_2(tmp_path, notebook, case):
    args, phrase = _cases(tmp_path, notebook)[case]
    before = sorted(p.name for p in tmp_path.rglob("*"))
    proc = run_cli(*args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert phrase in lines[0] and "Traceback" not in proc.stderr
    # No page (or partial page) was written.
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_a_good_notebook_still_exports(tmp_path, notebook):
    proc = run_cli(str(notebook), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "demo.html").read_text().startswith("<!DOCTYPE html>")
    assert not list(tmp_path.glob(".*.tmp"))
