"""Issue 14 item 7: scikit-learn's own conformance suite, check_estimator, in full."""

from __future__ import annotations

import pickle
import sys
import warnings

import numpy as np
import pytest

from gmm_widgets import GaussianMixture, NotFittedError
from gmm_widgets.mixture import AnomalyDetector
from tests.helpers import make_mixture

estimator_checks = pytest.importorskip("sklearn.utils.estimator_checks")

#: Checks expected to fail, each with its reason. The sample-weight equivalence check
#: fits with a random init, which draws different points for a weight of 2 than for a
#: repeated row until every init is weight-aware (inverse-CDF sampling over cumulative
#: weights). That change moves every seeded fit, so it waits for the notebooks and the
#: e2e tests that depend on seeded fits to be updated with it (issue 14, item 7).
EXPECTED_FAILURES = {
    "check_sample_weight_equivalence_on_dense_data": "random inits are not weight-aware yet",
}


@pytest.mark.parametrize(
    "estimator",
    [
        GaussianMixture(n_components=2),
        # The nested model carries the seed: check_fit_idempotent needs a seeded fit, and
        # set_random_state only seeds the outer estimator's own parameters.
        AnomalyDetector(GaussianMixture(n_components=2, random_state=0)),
    ],
    ids=["GaussianMixture", "AnomalyDetector"],
)
def test_check_estimator(estimator):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = estimator_checks.check_estimator(
            estimator, on_fail=None, expected_failed_checks=EXPECTED_FAILURES
        )
    failed = {r["check_name"]: repr(r["exception"]) for r in results if r["status"] == "failed"}
    assert failed == {}
    xfailed = {r["check_name"] for r in results if r["status"] == "xfail"}
    assert xfailed <= set(EXPECTED_FAILURES)
    passed = [r for r in results if r["status"] == "passed"]
    assert len(passed) >= 40


def test_not_fitted_error_is_sklearns_when_sklearn_is_loaded():
    from sklearn.exceptions import NotFittedError as SkNotFittedError

    with pytest.raises(SkNotFittedError) as info:
        GaussianMixture(2).predict(np.zeros((2, 2)))
    assert isinstance(info.value, NotFittedError)
    assert isinstance(info.value, ValueError) and isinstance(info.value, AttributeError)
    again = pickle.loads(pickle.dumps(info.value))
    assert isinstance(again, NotFittedError) and again.args == info.value.args


def test_gmm_widgets_does_not_import_sklearn():
    import subprocess

    code = (
        "import sys, numpy as np, gmm_widgets as g\n"
        "try:\n    g.GaussianMixture(2).predict(np.zeros((2, 2)))\n"
        "except g.NotFittedError:\n    pass\n"
        "assert 'sklearn' not in sys.modules, 'sklearn was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_score_of_float32_data_is_float32():
    X, _ = make_mixture(n_per=50, d=2, K=2, seed=1)
    X32 = X.astype(np.float32)
    gm = GaussianMixture(2, random_state=0).fit(X32)
    assert np.asarray(gm.score(X32)).dtype == np.float32
    assert np.asarray(GaussianMixture(2, random_state=0).fit(X).score(X)).dtype == np.float64
