"""Reading fitted mixtures, ours and scikit-learn's, into plain arrays."""

from __future__ import annotations

import numpy as np
import pytest

from gmm_widgets import GaussianMixture
from gmm_widgets.mixture import check_model_features
from gmm_widgets.widgets._model import expand_covariances, mixture_params

COV_TYPES = ["full", "tied", "diag", "spherical"]


def _manual_full(cov, cov_type, K, d):
    if cov_type == "full":
        return cov
    if cov_type == "tied":
        return np.repeat(cov[None], K, axis=0)
    if cov_type == "diag":
        return np.stack([np.diag(c) for c in cov])
    return np.stack([np.eye(d) * c for c in cov])


@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_ours(X3, cov_type):
    gm = GaussianMixture(3, covariance_type=cov_type, random_state=0).fit(X3)
    p = mixture_params(gm)
    assert p.covariance_type == cov_type
    np.testing.assert_allclose(p.weights, gm.weights_)
    np.testing.assert_allclose(p.means, gm.means_)
    assert p.full_covariances().shape == (3, 2, 2)
    np.testing.assert_allclose(p.full_covariances(), gm.covariances_full())
    assert p.n_iter == gm.n_iter_ and p.converged == gm.converged_
    assert p.lower_bound == pytest.approx(gm.lower_bound_)


@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_sklearn(X3, cov_type):
    sklearn_mixture = pytest.importorskip("sklearn.mixture")
    sk = sklearn_mixture.GaussianMixture(3, covariance_type=cov_type, random_state=0).fit(X3)
    p = mixture_params(sk)
    np.testing.assert_allclose(p.means, sk.means_)
    np.testing.assert_allclose(
        p.full_covariances(), _manual_full(sk.covariances_, cov_type, 3, 2), rtol=1e-12
    )
    assert p.n_components == 3 and p.n_features == 2


def test_unfitted_and_foreign_objects_are_refused():
    with pytest.raises(ValueError, match="not fitted yet"):
        mixture_params(GaussianMixture(2))
    with pytest.raises(TypeError, match="must be a Gaussian mixture"):
        mixture_params(object())
    sklearn_mixture = pytest.importorskip("sklearn.mixture")
    with pytest.raises(ValueError, match=r"Call model\.fit"):
        mixture_params(sklearn_mixture.GaussianMixture(2))


def test_inconsistent_shapes_are_refused():
    class Fake:
        covariance_type = "diag"
        weights_ = np.array([0.5, 0.5])
        means_ = np.zeros((2, 3))
        covariances_ = np.ones((2, 2))

        def fit(self, X):
            return self

    with pytest.raises(ValueError, match=r"must have shape \(2, 3\)"):
        mixture_params(Fake())
    Fake.covariances_ = np.ones((2, 3))
    Fake.covariance_type = "banana"
    with pytest.raises(ValueError, match="covariance_type must be one of"):
        mixture_params(Fake())
    Fake.covariance_type = "diag"
    Fake.means_ = np.full((2, 3), np.nan)
    with pytest.raises(ValueError, match="NaN"):
        mixture_params(Fake())


def test_expand_and_feature_check():
    full = expand_covariances([2.0, 3.0], "spherical", 2, 3)
    np.testing.assert_array_equal(full[1], 3 * np.eye(3))
    with pytest.raises(ValueError, match="must have shape"):
        expand_covariances(np.ones((2, 3)), "full", 2, 3)
    p = mixture_params(
        GaussianMixture(2, random_state=0).fit(np.random.default_rng(0).normal(size=(50, 2)))
    )
    check_model_features(p, 2)
    with pytest.raises(ValueError, match=r"fitted on 2 feature.*X has 3"):
        check_model_features(p, 3)
