"""The browser EM's parity fixtures (js/tests/fixtures/em_parity.json) are current.

vitest (``js/tests/em.test.js``) checks ``js/src/lib/em.js`` against the file; this
checks that the file is what ``tests.widgets.em_fixture`` builds from the Python core
today, so a change of the core (or of the start rule) that is not regenerated fails.
"""

from __future__ import annotations

import json
import math
import warnings
from typing import Any

import numpy as np
import pytest
import traitlets

from gmm_widgets import GaussianMixture, MixtureExplorer
from gmm_widgets.mixture._validation import ConvergenceWarning
from gmm_widgets.mixture.placement import init_from_means
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


# ----------------------------------------------------- points added and removed
def _blobs(n: int = 300, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.vstack(
        [rng.normal(size=(n // 2, 2)), rng.normal(size=(n - n // 2, 2)) * 0.7 + [4.0, 1.0]]
    )


def _reference(X_eff, handles, covariance_type="full"):
    weights, precisions = init_from_means(X_eff, handles, covariance_type, 1e-6)
    gm = GaussianMixture(
        handles.shape[0],
        covariance_type=covariance_type,
        means_init=handles,
        weights_init=weights,
        precisions_init=precisions,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return gm.fit(X_eff)


def test_points_added_and_removed_are_fitted():
    X = _blobs()
    handles = np.array([[0.0, 0.0], [4.0, 1.0]])
    ex = MixtureExplorer(X, n_components=2, means_init=handles)
    added = np.array([[8.0, 8.0], [8.5, 7.5], [9.0, 8.2]])
    with ex.hold_refit():
        ex.points_added = added
        ex.points_removed = np.array([5, 0, 7, 5])  # unsorted, repeated: kept sorted, once
    np.testing.assert_array_equal(ex.points_removed, [0, 5, 7])
    X_eff = np.vstack([np.delete(X, [0, 5, 7], axis=0), added])
    ref = _reference(X_eff, handles)
    np.testing.assert_allclose(ex.model.means_, ref.means_, rtol=1e-12)
    assert ex.scores["n_samples"] == X_eff.shape[0]
    # The edits travel with the result's controls, so the view can tell fits apart.
    wire = ex.result["controls"]
    assert wire["points_added"]["dtype"] == "float64"
    assert wire["points_removed"]["dtype"] == "int32"


def test_edits_survive_a_k_change_and_reset_undoes_them():
    X = _blobs()
    ex = MixtureExplorer(X, n_components=2, means_init=[[0.0, 0.0], [4.0, 1.0]])
    ex.points_added = np.array([[8.0, 8.0], [8.2, 8.1], [7.9, 8.3], [8.1, 7.8]])
    ex.points_removed = np.arange(10)
    ex.n_components = 3
    assert ex.points_added.shape == (4, 2) and ex.points_removed.size == 10
    assert ex.scores["n_samples"] == X.shape[0] - 10 + 4
    X_eff = np.vstack([X[10:], ex.points_added])
    ref = _reference(X_eff, ex.means_init)
    np.testing.assert_allclose(ex.model.means_, ref.means_, rtol=1e-12)
    ex.reset_points()
    assert ex.points_added.shape == (0, 2) and ex.points_removed.size == 0
    assert ex.scores["n_samples"] == X.shape[0]


def test_removed_positions_map_to_rows_of_x_when_subsampled():
    X = _blobs(400)
    ex = MixtureExplorer(X, n_components=2, max_display_points=100, display_seed=3)
    ex.points_removed = np.array([0, 10])
    shown = ex._display_indices
    np.testing.assert_array_equal(ex.removed_rows, shown[[0, 10]])
    assert ex.scores["n_samples"] == 398


@pytest.mark.parametrize(
    ("name", "value", "match"),
    [
        ("points_added", np.array([[1.0, np.nan]]), "NaN"),
        ("points_added", np.zeros((2, 3)), r"shape \(m, 2\)"),
        ("points_removed", np.array([0, 300]), r"in \[0, 300\)"),
        ("points_removed", np.array([-1]), r"in \[0, 300\)"),
        ("points_removed", np.array([0.5]), "integer"),
    ],
)
def test_bad_edits_are_refused_with_a_clear_message(name, value, match):
    ex = MixtureExplorer(_blobs(), n_components=2)
    before = ex.model
    with pytest.raises(traitlets.TraitError, match=match):
        setattr(ex, name, value)
    assert ex.model is before


def test_removing_almost_everything_is_refused():
    X = _blobs(6)
    ex = MixtureExplorer(X, n_components=1)
    with pytest.raises(traitlets.TraitError, match="fewer than 2 points"):
        ex.points_removed = np.arange(5)


def test_fit_settings_tell_the_page_the_kernel_fit_settings():
    ex = MixtureExplorer(_blobs(), n_components=2, tol=1e-4, reg_covar=1e-3, max_iter=50)
    assert ex.fit_settings == {"tol": 1e-4, "reg_covar": 1e-3, "max_iter": 50}
    default = MixtureExplorer(_blobs(), n_components=2)
    assert default.fit_settings == {"tol": 1e-3, "reg_covar": 1e-6, "max_iter": 100}
