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

#: Checks expected to fail, per estimator, each with its reason.
#:
#: check_sample_weight_equivalence_on_dense_data fits weighted rows *in shuffled order*
#: against the repeated rows in their first order. GaussianMixture's k-means and
#: k-means++ inits draw by cumulative weight (``choice(p=w / w.sum())``, then potentials
#: weighted as in scikit-learn's k-means++), so a weight of 2 and a repeated row give the
#: same fit to 1e-15 when the rows keep their order (test_integer_weights_equal_repeated_
#: rows below); but a seeded draw picks a row by its position, so shuffling the rows
#: changes the draw and, on this check's 15 points in 30 dimensions, the local optimum
#: EM reaches. Passing would take inits that sort the rows first (order-invariant),
#: which moves every seeded fit of the tutorials and tests: not done.
#:
#: AnomalyDetector's threshold is a weighted percentile that equals ``np.percentile`` for
#: equal weights and depends only on the weights' proportions (a fraction of the total
#: weight, whatever its scale); repeating rows instead changes the interpolation between
#: order statistics (``np.percentile`` interpolates over ``n - 1`` gaps), so the two can
#: only agree for a percentile that depends on the weights' scale. scikit-learn expects
#: the same failure of IsolationForest, whose threshold is a percentile too.
_SHUFFLED = "seeded inits pick rows by position: shuffled rows reach another optimum"
EXPECTED_FAILURES = {
    "GaussianMixture": {"check_sample_weight_equivalence_on_dense_data": _SHUFFLED},
    "AnomalyDetector": {
        "check_sample_weight_equivalence_on_dense_data": (
            f"{_SHUFFLED}; and the threshold is a scale-invariant weighted percentile"
        ),
    },
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
        expected = EXPECTED_FAILURES[type(estimator).__name__]
        results = estimator_checks.check_estimator(
            estimator, on_fail=None, expected_failed_checks=expected
        )
    failed = {r["check_name"]: repr(r["exception"]) for r in results if r["status"] == "failed"}
    assert failed == {}
    xfailed = {r["check_name"] for r in results if r["status"] == "xfail"}
    assert xfailed <= set(expected)
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


@pytest.mark.parametrize("init_params", ["kmeans", "k-means++"])
def test_integer_weights_equal_repeated_rows(init_params):
    """The check above without its shuffle: weights of 0-4 are removed/repeated rows."""
    rng = np.random.RandomState(42)
    X = rng.rand(15, 30)
    sw = rng.randint(0, 5, size=15)
    kw = dict(n_components=2, random_state=0, init_params=init_params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weighted = GaussianMixture(**kw).fit(X, sample_weight=sw)
        repeated = GaussianMixture(**kw).fit(X.repeat(sw, axis=0))
    np.testing.assert_allclose(weighted.means_, repeated.means_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(weighted.weights_, repeated.weights_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-7, atol=1e-9
    )
    assert weighted.lower_bound_ == pytest.approx(repeated.lower_bound_, rel=1e-12)
