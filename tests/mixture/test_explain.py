"""explain_point: the most likely component and each feature's part of D², by hand."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

from gmm_widgets.mixture import GaussianMixture, explain
from gmm_widgets.mixture.explain import explain_point, whitened_residual


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(0)
    A = np.array([[2.0, 0.8, 0.0], [0.0, 1.0, 0.5], [0.0, 0.0, 0.3]])
    X = np.vstack([rng.normal(size=(300, 3)) @ A, rng.normal(size=(300, 3)) @ A + 6.0])
    return X, GaussianMixture(2, random_state=0).fit(X)


def test_numbers_equal_a_hand_computation(fitted):
    _, gm = fitted
    x = np.array([9.0, 4.0, 7.5])
    e = explain_point(gm, x, feature_names=["a", "b", "c"])
    k = int(np.argmax(gm.predict_proba(x[None])[0]))
    assert e.component == k
    assert e.responsibility == pytest.approx(gm.predict_proba(x[None])[0, k], rel=1e-12)
    assert e.log_density == pytest.approx(gm.score_samples(x[None])[0], rel=1e-12)
    resid = x - gm.means_[k]
    d2 = resid @ np.linalg.solve(gm.covariances_[k], resid)
    assert e.mahalanobis == pytest.approx(np.sqrt(d2), rel=1e-10)
    parts = np.array([c.contribution for c in e.contributions])
    assert parts.sum() == pytest.approx(d2, rel=1e-10)
    assert np.all(parts >= 0)
    assert sum(c.share for c in e.contributions) == pytest.approx(1.0, rel=1e-12)
    # z is the symmetric whitening: z = V diag(1/sqrt(l)) V^T resid.
    lam, V = np.linalg.eigh(gm.covariances_[k])
    z = V @ np.diag(lam**-0.5) @ V.T @ resid
    np.testing.assert_allclose([c.z for c in e.contributions], z, rtol=1e-10, atol=1e-12)
    assert [c.name for c in e.contributions] == ["a", "b", "c"]
    assert [c.value for c in e.contributions] == list(x)


def test_diagonal_covariance_gives_standardised_residuals():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(400, 2)) * [1.0, 5.0]
    gm = GaussianMixture(1, covariance_type="diag", random_state=0).fit(X)
    x = np.array([3.0, -10.0])
    e = explain_point(gm, x)
    expected = (x - gm.means_[0]) / np.sqrt(gm.covariances_[0])
    np.testing.assert_allclose([c.z for c in e.contributions], expected, rtol=1e-12)
    assert [c.name for c in e.contributions] == ["x0", "x1"]


def test_reordering_the_features_reorders_the_parts(fitted):
    X, gm = fitted
    order = [2, 0, 1]
    gm2 = GaussianMixture(2, random_state=0).fit(X[:, order])
    x = np.array([9.0, 4.0, 7.5])
    a = explain_point(gm, x)
    b = explain_point(gm2, x[order])
    assert a.mahalanobis == pytest.approx(b.mahalanobis, rel=1e-6)
    np.testing.assert_allclose(
        np.array([c.contribution for c in a.contributions])[order],
        [c.contribution for c in b.contributions],
        rtol=1e-5,
    )


def test_scikit_learns_models_are_explained_too(fitted):
    sklearn_mixture = pytest.importorskip("sklearn.mixture")
    X, _ = fitted
    sk = sklearn_mixture.GaussianMixture(2, covariance_type="tied", random_state=0).fit(X)
    e = explain_point(sk, X[0])
    assert e.log_density == pytest.approx(sk.score_samples(X[:1])[0], rel=1e-10)
    assert e.component == int(sk.predict(X[:1])[0])


def test_a_point_on_the_mean_has_no_parts(fitted):
    _, gm = fitted
    k = 1
    e = explain_point(gm, gm.means_[k])
    assert e.component == k and e.mahalanobis == pytest.approx(0.0, abs=1e-12)
    assert all(c.share == 0.0 or c.contribution < 1e-20 for c in e.contributions)


@pytest.mark.parametrize(
    ("x", "names", "match"),
    [
        ([1.0, 2.0], None, r"x must have shape \(3,\)"),
        ([1.0, np.nan, 2.0], None, "NaN or infinity"),
        ([1.0, 2.0, 3.0], ["a"], "feature_names must hold 3 names"),
    ],
)
def test_bad_input_is_named(fitted, x, names, match):
    _, gm = fitted
    with pytest.raises(ValueError, match=match):
        explain_point(gm, x, feature_names=names)


def test_an_unfitted_or_foreign_model_is_a_type_error():
    with pytest.raises(TypeError):
        explain_point(object(), [0.0])


def test_a_singular_covariance_is_refused():
    with pytest.raises(ValueError, match="not positive definite"):
        whitened_residual([1.0, 1.0], [0.0, 0.0], [[1.0, 1.0], [1.0, 1.0]])


def test_module_example_runs():
    failures, _ = doctest.testmod(explain)
    assert failures == 0
