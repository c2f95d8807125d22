"""The locked-means parity fixture (js/tests/fixtures/em_locked_parity.json) is current.

vitest (``js/tests/em_locked.test.js``) checks the browser EM's ``lockedMeans`` against
the file; this checks that the file is what ``tests.widgets.em_locked_fixture`` builds
from the Python core now (``GaussianMixture(fixed_means=...)``).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from gmm_widgets.mixture._covariance import n_mixture_parameters
from tests.widgets.em_locked_fixture import FIXTURE, build_fixture
from tests.widgets.test_browser_em import _mismatches


@pytest.fixture(scope="module")
def fresh() -> dict[str, Any]:
    return json.loads(json.dumps(build_fixture()))


def test_committed_fixture_is_current(fresh):
    committed = json.loads(FIXTURE.read_text())
    bad = _mismatches(committed, fresh)
    assert not bad, (
        f"{FIXTURE.name} is stale ({len(bad)} differences, first: {bad[:3]}). "
        "Regenerate it with `python -m tests.widgets.em_locked_fixture`."
    )


def test_locked_means_stay_at_their_handles_in_the_fixture(fresh):
    """The reference itself holds the locked means (every checkpoint, every case)."""
    for case in fresh["cases"]:
        d = fresh["datasets"][case["dataset"]]["d"]
        handles = np.reshape(case["handles"], (case["n_components"], d))
        for state in case["states"]:
            means = np.reshape(state["means"], handles.shape)
            for k in case["locked"]:
                np.testing.assert_allclose(means[k], handles[k], rtol=1e-13, atol=1e-13)
        # The count: the type's parameters with d fewer per locked mean.
        full_count = n_mixture_parameters(case["covariance_type"], case["n_components"], d)
        assert case["fit"]["scores"]["n_parameters"] == full_count - d * len(case["locked"])
