"""The README keeps its two opening commands, its pictures exist and its API names are real."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

import gmm_widgets

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_the_two_commands_open_the_readme():
    first_block = re.search(r"```bash\n(.*?)```", README, re.S)
    assert first_block and README.index("```bash") < README.index("\n## ")
    commands = [
        line for line in first_block.group(1).splitlines() if line and not line.startswith("#")
    ]
    assert commands == [
        'python3 -m venv .venv && .venv/bin/pip install -e ".[lab]" && '
        ".venv/bin/jupyter lab --allow-root notebooks/",
        "bash .ci/run",
    ]


def test_gallery_pictures_exist_and_are_small():
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)
    names = {Path(p).stem for p in pictures}
    assert {
        "fit_player",
        "mixture_explorer",
        "model_selector",
        "anomaly_inspector",
        "mixture_summary",
    } <= names
    for rel in pictures:
        path = REPO / rel
        assert path.is_file(), f"README shows {rel}, which does not exist"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size < 150_000, f"{rel} is too big for the repository"


def _api_names() -> list[str]:
    section = README.split("## API overview", 1)[1].split("\n## ", 1)[0]
    names = []
    for row in section.splitlines():
        if not row.startswith("| `"):
            continue
        first_cell = row.split("|")[1]
        for code in re.findall(r"`([^`]+)`", first_cell):
            m = re.match(r"(?:widget\.)?([A-Za-z_][\w.]*)", code)
            if m and not code.startswith("%"):
                names.append(m.group(1))
    return names


@pytest.mark.parametrize("name", _api_names())
def test_api_overview_names_exist(name):
    from gmm_widgets.widgets import FitPlayer

    if name.startswith("gmm_widgets."):
        importlib.import_module(name)
    elif name in ("save_png", "to_svg", "to_figure"):
        assert callable(getattr(FitPlayer, name))
    else:
        assert hasattr(gmm_widgets, name), f"README names gmm_widgets.{name}, which is missing"


def test_api_table_is_found():
    assert len(_api_names()) >= 15
