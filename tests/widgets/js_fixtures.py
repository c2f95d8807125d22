"""Reference numbers from Python for the JavaScript tests, committed as JSON.

Each ``*_fixture`` module of this folder builds one file of ``js/tests/fixtures/`` from
the current Python code; vitest checks the browser against it, and a pytest checks that
the file is what the module builds today (so a change on either side fails a test).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: Where the fixtures live (read by vitest).
FIXTURES = Path(__file__).resolve().parents[2] / "js" / "tests" / "fixtures"


def write_fixture(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as one line of JSON (how the committed files are laid out)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=None) + "\n")
    print(f"wrote {path}")


def is_current(path: Path, data: dict[str, Any]) -> bool:
    """Whether the committed file holds ``data`` (compared as JSON values)."""
    return json.loads(path.read_text()) == json.loads(json.dumps(data))
