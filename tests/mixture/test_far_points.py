"""Points far outside the data: -inf (or a very low finite) log-density, never NaN."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gmm_widgets import AnomalyDetector, GaussianMixture

TYPES = ["full", "tied", "diag", "spherical"]
#: Finite points whose log-densities overflow: NaN (inf - inf) before the fix.
FAR = np.array([[1e300, 1e300], [1e200, -1e200], [-1e308, 1e308], [1e300, 1e-300], [-1e154, 0.0]])


@pytest.fixture(scope="module")
def X():
    rng = np.random.default_rng(0)
    return np.vstack(
        [rng.normal(size=(300, 2)) * [1.0, 3.0], rng.normal(size=(300, 2)) + np.array([6.0, 0.0])]
    )


@pytest.mark.parametrize("ct", TYPES)
def test_far_points_score_minus_infinity_without_warnings(X, ct):
    gm = GaussianMixture(2, covariance_type=ct, random_state=0).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # NumPy's overflow warnings are not the user's
        scores = gm.score_samples(FAR)
        proba = gm.predict_proba(FAR)
        labels = gm.predict(FAR)
    assert not np.isnan(scores).any()
    assert np.all((scores == -np.inf) | (scores < -1e100))
    assert not np.isnan(proba).any()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(labels, proba.argmax(axis=1))
    assert gm.score(FAR) == -np.inf


@pytest.mark.parametrize("ct", TYPES)
def test_far_responsibilities_are_the_limit_along_the_direction(X, ct):
    """Far out along a direction, the component a point belongs to is the one a merely
    distant point in that direction (finite arithmetic) already belongs to."""
    gm = GaussianMixture(2, covariance_type=ct, random_state=0).fit(X)
    for direction in ([1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [1.0, -1.0], [-0.3, 1.0]):
        u = np.array(direction)
        near = gm.predict_proba((200.0 * u)[None])[0]
        far = gm.predict_proba((1e300 * u)[None])[0]
        assert far.argmax() == near.argmax(), (ct, direction, near, far)
        assert far.max() == pytest.approx(1.0)


def test_the_detector_flags_far_points(X):
    detector = AnomalyDetector(GaussianMixture(2, random_state=0)).fit(X)
    np.testing.assert_array_equal(detector.predict(FAR), -1)
    np.testing.assert_array_equal(detector.predict(X[:3]), 1)


def test_ordinary_points_are_untouched(X):
    gm = GaussianMixture(2, random_state=0).fit(X)
    sklearn_mixture = pytest.importorskip("sklearn.mixture")
    sk = sklearn_mixture.GaussianMixture(2, random_state=0).fit(X)  # the same fit (parity)
    np.testing.assert_allclose(gm.means_, sk.means_, rtol=1e-10)
    points = np.array([[0.0, 0.0], [50.0, -40.0], [1e5, 1e5]])
    np.testing.assert_allclose(gm.score_samples(points), sk.score_samples(points), rtol=1e-10)
    np.testing.assert_allclose(gm.predict_proba(points), sk.predict_proba(points), atol=1e-12)
