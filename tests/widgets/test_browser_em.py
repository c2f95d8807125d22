"""The browser EM's parity fixtures (js/tests/fixtures/em_parity.json) are current.

vitest (``js/tests/em.test.js``) checks ``js/src/lib/em.js`` against the file; this
checks that the file is what ``tests.widgets.em_fixture`` builds from the Python core
today, so a change of the core (or of the start rule) that is not regenerated fails.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from tests.widgets.em_fixture import CHECKPOINTS, FIXTURE, build_fixture

#: The fitted numbers differ in their last bits from one BLAS kernel to another
#: (OPENBLAS_CORETYPE), so they are compared to this relative tolerance; everything
#: else (data, starts, iteration counts, messages) must be equal.
RTOL = 1e-11


def _mismatches(old: Any, new: Any, path: str = "") -> list[str]:
    if isinstance(new, dict):
        if not isinstance(old, dict) or old.keys() != new.keys():
            return [f"{path}: keys differ"]
        return [m for k in new for m in _mismatches(old[k], new[k], f"{path}.{k}")]
    if isinstance(new, list):
        if not isinstance(old, list) or len(old) != len(new):
            return [f"{path}: lengths differ"]
        scale = max((abs(v) for v in new if isinstance(v, float)), default=0.0)
        out = []
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            if isinstance(b, float) and isinstance(a, float) and not isinstance(b, bool):
                if abs(a - b) > RTOL * scale:
                    out.append(f"{path}[{i}]: {a!r} != {b!r}")
            else:
                out.extend(_mismatches(a, b, f"{path}[{i}]"))
        return out
    if isinstance(new, float) and isinstance(old, float):
        return (
            []
            if math.isclose(old, new, rel_tol=RTOL, abs_tol=0.0)
            else [f"{path}: {old!r} != {new!r}"]
        )
    return [] if old == new and type(old) is type(new) else [f"{path}: {old!r} != {new!r}"]


@pytest.fixture(scope="module")
def fresh() -> dict[str, Any]:
    return json.loads(json.dumps(build_fixture()))


def test_committed_fixture_is_current(fresh):
    """The committed file equals what the core computes now (regenerate if not)."""
    committed = json.loads(FIXTURE.read_text())
    bad = _mismatches(committed, fresh)
    assert not bad, (
        f"{FIXTURE.name} is stale ({len(bad)} differences, first: {bad[:3]}). "
        "Regenerate it with `python -m tests.widgets.em_fixture`."
    )


def test_fixture_covers_the_issue(fresh):
    """All four types, d in {1, 2, 5}, K in {1, 3, 8}, states after 1, 5 and 30 iterations."""
    seen = {
        (c["covariance_type"], fresh["datasets"][c["dataset"]]["d"], c["n_components"])
        for c in fresh["cases"]
    }
    assert seen == {
        (t, d, k)
        for t in ("full", "tied", "diag", "spherical")
        for d in (1, 2, 5)
        for k in (1, 3, 8)
    }
    assert {1, 5, 30} <= set(CHECKPOINTS)
    for c in fresh["cases"]:
        assert [s["n_iter"] for s in c["states"]] == list(CHECKPOINTS)
    # At least one collapse case carries the core's ill-defined message.
    assert any(c["error"] and "ill-defined" in c["error"] for c in fresh["collapse"])


def test_a_changed_number_is_caught(fresh):
    """The comparison is not vacuous: a change far above BLAS noise is reported."""
    changed = json.loads(json.dumps(fresh))
    changed["cases"][0]["states"][2]["means"][0] *= 1 + 1e-8
    assert _mismatches(changed, fresh)
    changed = json.loads(json.dumps(fresh))
    changed["cases"][3]["fit"]["n_iter"] += 1
    assert _mismatches(changed, fresh)
