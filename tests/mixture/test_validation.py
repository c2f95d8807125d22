"""Bad input is refused up front with messages that name the argument and the fix."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gmm_widgets import GaussianMixture, NotFittedError
from tests.helpers import make_mixture

X, _ = make_mixture(n_per=30, seed=0)


def fit(**kw):
    return GaussianMixture(**{"n_components": 2, "random_state": 0, **kw}).fit(X)


@pytest.mark.parametrize(
    ("data", "exc", "match"),
    [
        (np.where(np.arange(X.size).reshape(X.shape) == 5, np.nan, X), ValueError, "NaN"),
        (np.where(np.arange(X.size).reshape(X.shape) == 5, np.inf, X), ValueError, "infinity"),
        (X[:, 0], ValueError, r"reshape\(-1, 1\)"),
        (X[None], ValueError, "must be 2-D"),
        (np.array([["a", "b"], ["c", "d"]]), TypeError, "numbers"),
        (X.astype(complex), ValueError, "Complex data not supported"),
        (X[:1], ValueError, "at least 2"),
        (None, TypeError, "X is None"),
    ],
)
def test_bad_X(data, exc, match):
    with pytest.raises(exc, match=match):
        GaussianMixture(2).fit(data)


def test_too_few_samples_for_components():
    with pytest.raises(ValueError, match="n_components=5 needs at least 5"):
        GaussianMixture(5).fit(X[:4])


@pytest.mark.parametrize(
    ("kw", "exc", "match"),
    [
        ({"n_components": 0}, ValueError, "n_components must be >= 1"),
        ({"n_components": 2.5}, TypeError, "n_components must be an int"),
        ({"covariance_type": "fulll"}, ValueError, "covariance_type must be one of"),
        ({"init_params": "kmean"}, ValueError, "init_params must be one of"),
        ({"tol": -1.0}, ValueError, "tol must be"),
        ({"reg_covar": -1e-6}, ValueError, "reg_covar must be"),
        ({"max_iter": -1}, ValueError, "max_iter must be >= 0"),
        ({"n_init": 0}, ValueError, "n_init must be >= 1"),
        ({"callbacks": 3}, TypeError, "callbacks must be a callable"),
        ({"callbacks": [print, 3]}, TypeError, "must be callable"),
        ({"means_init": np.zeros((3, 2))}, ValueError, r"means_init must have shape \(2, 2\)"),
        ({"weights_init": [0.5, 0.6]}, ValueError, "weights_init must sum to 1"),
        ({"weights_init": [1.0]}, ValueError, r"weights_init must have shape \(2,\)"),
        ({"weights_init": [1.5, -0.5]}, ValueError, r"\[0, 1\]"),
        ({"precisions_init": np.ones((2, 2))}, ValueError, "precisions_init must have shape"),
        ({"precisions_init": np.array([np.eye(2), -np.eye(2)])}, ValueError, "positive definite"),
        ({"precisions_init": np.array([np.eye(2), [[1, 2], [0, 1]]])}, ValueError, "symmetric"),
        ({"covariance_type": "diag", "precisions_init": -np.ones((2, 2))}, ValueError, "positive"),
        ({"random_state": "seed"}, TypeError, "random_state"),
        ({"chunk_size": 0}, ValueError, "chunk_size must be >= 1"),
    ],
)
def test_bad_parameters(kw, exc, match):
    with pytest.raises(exc, match=match):
        fit(**kw)


@pytest.mark.parametrize(
    ("w", "match"),
    [
        (np.ones(5), r"shape \(90,\)"),
        (-np.ones(90), "non-negative"),
        (np.zeros(90), "all zero"),
        (np.r_[1.0, np.zeros(89)], "only 1 positive"),
        (np.r_[np.nan, np.ones(89)], "NaN"),
    ],
)
def test_bad_sample_weight(w, match):
    with pytest.raises(ValueError, match=match):
        GaussianMixture(2).fit(X, sample_weight=w)


def test_not_fitted():
    for method in ("predict", "predict_proba", "score_samples", "score", "bic", "aic", "icl"):
        with pytest.raises(NotFittedError, match="not fitted yet"):
            getattr(GaussianMixture(2), method)(X)
    with pytest.raises(NotFittedError):
        GaussianMixture(2).sample(3)


def test_wrong_number_of_features_after_fit():
    gm = fit()
    with pytest.raises(
        ValueError, match="3 features, but GaussianMixture is expecting 2 features"
    ):
        gm.predict(np.zeros((4, 3)))


def test_sample_needs_positive_n():
    with pytest.raises(ValueError, match="n_samples must be >= 1"):
        fit().sample(0)


@pytest.mark.parametrize("ct", ["full", "tied", "diag", "spherical"])
def test_collapsed_components_give_clear_error(ct):
    Xd = np.vstack([np.zeros((10, 2)), np.ones((10, 2))])
    with pytest.raises(ValueError, match=r"ill-defined empirical covariance.*reg_covar"):
        GaussianMixture(2, covariance_type=ct, reg_covar=0, random_state=0).fit(Xd)


def test_constant_column_without_reg_covar():
    Xc = X.copy()
    Xc[:, 1] = 3.0
    with pytest.raises(ValueError, match="increase reg_covar"):
        GaussianMixture(2, reg_covar=0.0, random_state=0).fit(Xc)
    # the default reg_covar handles it
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        GaussianMixture(2, random_state=0).fit(Xc)


def test_duplicate_points_more_components_than_distinct_values():
    Xd = np.repeat(np.array([[0.0, 0.0], [5.0, 5.0]]), 20, axis=0)
    with pytest.raises(ValueError, match="ill-defined"):
        GaussianMixture(3, reg_covar=0, random_state=0).fit(Xd)
