"""sample_weight: only relative weights matter, and wrong weights are refused everywhere."""

from __future__ import annotations

import numpy as np
import pytest

from gmm_widgets import AnomalyDetector, GaussianMixture


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(300, 2)), rng.normal(size=(300, 2)) + np.array([5.0, 0])])
    return X, rng.uniform(0.5, 2.0, 600)


@pytest.mark.parametrize("ct", ["full", "tied", "diag", "spherical"])
@pytest.mark.parametrize("scale", [1e-300, 1e-15, 1e-12, 1e12, 1e300])
def test_the_fit_does_not_depend_on_the_weights_scale(data, ct, scale):
    X, w = data
    ref = GaussianMixture(2, covariance_type=ct, random_state=0).fit(X, sample_weight=w)
    gm = GaussianMixture(2, covariance_type=ct, random_state=0).fit(X, sample_weight=w * scale)
    np.testing.assert_allclose(gm.means_, ref.means_, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gm.covariances_, ref.covariances_, rtol=1e-10)
    np.testing.assert_allclose(gm.weights_, ref.weights_, rtol=1e-10)
    assert gm.lower_bound_ == pytest.approx(ref.lower_bound_, rel=1e-12)
    assert gm.n_iter_ == ref.n_iter_


def test_huge_weights_do_not_overflow(data):
    X, w = data
    ref = GaussianMixture(2, random_state=0).fit(X, sample_weight=w)
    gm = GaussianMixture(2, random_state=0).fit(X, sample_weight=w * 1e307)  # sum > 1e308
    np.testing.assert_allclose(gm.means_, ref.means_, rtol=1e-10)


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        (np.ones(5), r"shape \(600,\)"),
        (np.zeros(600), "all zero"),
        (np.r_[np.nan, np.ones(599)], "NaN or infinity"),
        (-np.ones(600), "non-negative"),
    ],
)
def test_a_prefit_detector_checks_the_weights_too(data, weights, match):
    X, _ = data
    model = GaussianMixture(2, random_state=0).fit(X)
    with pytest.raises(ValueError, match=match):
        AnomalyDetector(model, prefit=True).fit(X, sample_weight=weights)
    with pytest.raises(ValueError, match=match):
        AnomalyDetector(GaussianMixture(2, random_state=0)).fit(X, sample_weight=weights)
