"""Exact parity with scikit-learn from identical starting points."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gmm_widgets import GaussianMixture, History
from tests.helpers import make_mixture

sk_mixture = pytest.importorskip("sklearn.mixture")

COV_TYPES = ["full", "tied", "diag", "spherical"]
RTOL = 1e-10


def rel(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def starting_point(X, K, ct, seed):
    rng = np.random.default_rng(seed)
    means = X[rng.choice(len(X), K, replace=False)] + rng.normal(scale=0.1, size=(K, X.shape[1]))
    weights = rng.dirichlet(np.ones(K) * 5)
    ref = sk_mixture.GaussianMixture(K, covariance_type=ct, random_state=seed, max_iter=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref.fit(X)
    return dict(weights_init=weights, means_init=means, precisions_init=ref.precisions_)


def fit_both(X, K, ct, max_iter, seed=0):
    kw = dict(covariance_type=ct, tol=0.0, max_iter=max_iter, **starting_point(X, K, ct, seed))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = sk_mixture.GaussianMixture(K, **kw).fit(X)
        ours = GaussianMixture(K, **kw).fit(X)
    return ours, theirs


@pytest.mark.parametrize("ct", COV_TYPES)
@pytest.mark.parametrize("d", [1, 2, 5])
@pytest.mark.parametrize("K", [1, 3, 5])
@pytest.mark.parametrize("max_iter", [1, 5, 30])
def test_parameters_match_sklearn(ct, d, K, max_iter):
    X, _ = make_mixture(n_per=150, d=d, K=4, seed=d * 10 + K)
    ours, theirs = fit_both(X, K, ct, max_iter, seed=K)
    assert ours.n_iter_ == theirs.n_iter_ == max_iter
    for name in ("weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_"):
        assert rel(getattr(ours, name), getattr(theirs, name)) < RTOL, name
    assert abs(ours.lower_bound_ - theirs.lower_bound_) <= RTOL * abs(theirs.lower_bound_)
    np.testing.assert_allclose(ours.lower_bounds_, theirs.lower_bounds_, rtol=RTOL)


@pytest.mark.parametrize("ct", COV_TYPES)
def test_every_iteration_matches_sklearn(ct):
    """Our callback sees, after iteration t, what sklearn has after max_iter=t."""
    X, _ = make_mixture(n_per=120, d=3, K=3, seed=7)
    start = starting_point(X, 3, ct, 1)
    history = History()
    gm = GaussianMixture(3, covariance_type=ct, tol=0, max_iter=8, callbacks=history, **start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gm.fit(X)
    for state in history.states[1:]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = sk_mixture.GaussianMixture(
                3, covariance_type=ct, tol=0, max_iter=state.n_iter, **start
            ).fit(X)
        assert rel(state.means, theirs.means_) < RTOL
        assert rel(state.covariances, theirs.covariances_) < RTOL
        assert rel(state.weights, theirs.weights_) < RTOL
        assert abs(state.lower_bound - theirs.lower_bound_) <= RTOL * abs(theirs.lower_bound_)


@pytest.mark.parametrize("ct", COV_TYPES)
def test_predictions_and_criteria_match_sklearn(ct):
    X, _ = make_mixture(n_per=200, d=2, K=3, seed=3)
    ours, theirs = fit_both(X, 3, ct, max_iter=20, seed=2)
    Xt, _ = make_mixture(n_per=50, d=2, K=3, seed=99)
    assert rel(ours.predict_proba(Xt), theirs.predict_proba(Xt)) < RTOL
    assert rel(ours.score_samples(Xt), theirs.score_samples(Xt)) < RTOL
    np.testing.assert_array_equal(ours.predict(Xt), theirs.predict(Xt))
    assert ours.score(Xt) == pytest.approx(theirs.score(Xt), rel=RTOL)
    assert ours.bic(Xt) == pytest.approx(theirs.bic(Xt), rel=RTOL)
    assert ours.aic(Xt) == pytest.approx(theirs.aic(Xt), rel=RTOL)
    assert ours._n_parameters() == theirs._n_parameters()


@pytest.mark.parametrize("ct", COV_TYPES)
def test_sample_matches_sklearn(ct):
    X, _ = make_mixture(n_per=100, d=2, K=3, seed=4)
    ours, theirs = fit_both(X, 3, ct, max_iter=10, seed=4)
    ours.random_state = theirs.random_state = 123
    Xo, yo = ours.sample(500)
    Xs, ys = theirs.sample(500)
    np.testing.assert_array_equal(yo, ys)
    assert rel(Xo, Xs) < 1e-8


def test_fit_predict_equals_predict_like_sklearn():
    X, _ = make_mixture(n_per=100, d=2, K=3, seed=5)
    gm = GaussianMixture(3, random_state=0, max_iter=2, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        labels = gm.fit_predict(X)
    np.testing.assert_array_equal(labels, gm.predict(X))
