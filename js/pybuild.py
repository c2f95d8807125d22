"""Build the widgets' JavaScript from the Python build (hatch-jupyter-builder hook).

``pyproject.toml`` names :func:`build` as the ``build-function`` of the
``jupyter-builder`` hook, so ``pip install .``, ``pip install -e .`` and
``python -m build`` run ``npm ci`` (only when ``node_modules`` is missing or older than
``package-lock.json``) and ``npm run build`` (esbuild: ``js/src/<widget>.js`` ->
``gmm_widgets/static/<widget>.js``). Set ``HATCH_JUPYTER_BUILDER_SKIP_NPM=1`` to skip
it (e.g. when the bundles are already built).

This file runs in pip's isolated build environment, which has only the standard
library, hatchling and hatch-jupyter-builder; keep it free of other imports.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


def _run(cmd: list[str], cwd: Path) -> None:
    print(f"[gmm_widgets js build] {' '.join(cmd)}  (in {cwd})", flush=True)
    subprocess.run(cmd, cwd=cwd, check=True)


def _needs_install(js: Path) -> bool:
    marker = js / "node_modules" / ".package-lock.json"
    lock = js / "package-lock.json"
    return not marker.is_file() or marker.stat().st_mtime < lock.stat().st_mtime


def build(target_name: str, version: str, path: str = "js", force: bool = False) -> None:
    """Install the npm dependencies (``npm ci``) and bundle the widgets.

    Parameters
    ----------
    target_name : str
        ``"wheel"`` or ``"sdist"``; an sdist ships sources only, so nothing is built.
    version : str
        ``"standard"`` or ``"editable"``.
    path : str
        The npm package's directory, relative to the project root.
    force : bool
        Run ``npm ci`` even when ``node_modules`` is up to date.
    """
    if target_name == "sdist":
        return
    if os.environ.get("HATCH_JUPYTER_BUILDER_SKIP_NPM") == "1":
        print("[gmm_widgets js build] skipped (HATCH_JUPYTER_BUILDER_SKIP_NPM=1)", flush=True)
        return
    js = Path(path).resolve()
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            "Building gmm_widgets needs npm (Node.js >= 20) to bundle the widgets' "
            "JavaScript, and it was not found on PATH. Install Node.js (e.g. "
            "`apt-get install nodejs npm`) and retry."
        )
    if force or _needs_install(js):
        _run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], js)
    _run([npm, "run", "build"], js)
