"""mixture_params: one reader for fitted models, EM states, parameter objects and dicts."""

from __future__ import annotations

import dataclasses
import types

import numpy as np
import pytest

from gmm_widgets import datasets
from gmm_widgets.mixture import (
    GaussianMixture,
    History,
    MixtureParams,
    NotFittedError,
    mixture_params,
)
from gmm_widgets.mixture.params import expand_covariances
from tests.helpers import make_mixture

COV_TYPES = ("full", "tied", "diag", "spherical")


@pytest.fixture(scope="module")
def X():
    return make_mixture(n_per=100)[0]


def _arrays(p: MixtureParams) -> dict:
    return {"weights": p.weights, "means": p.means, "covariances": p.covariances}


def _assert_same(p: MixtureParams, q: MixtureParams) -> None:
    assert p.covariance_type == q.covariance_type
    for name, arr in _arrays(p).items():
        np.testing.assert_array_equal(arr, getattr(q, name))


# --------------------------------------------------------------------------- inputs


@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_our_fitted_model(X, cov_type):
    gm = GaussianMixture(3, covariance_type=cov_type, random_state=0).fit(X)
    p = mixture_params(gm)
    assert isinstance(p, MixtureParams) and p.covariance_type == cov_type
    np.testing.assert_array_equal(p.weights, gm.weights_)
    np.testing.assert_array_equal(p.means, gm.means_)
    np.testing.assert_array_equal(p.covariances, gm.covariances_)
    np.testing.assert_allclose(p.full_covariances(), gm.covariances_full())
    assert (p.n_components, p.n_features) == (3, 2)
    assert p.n_iter == gm.n_iter_ and p.converged == gm.converged_
    assert p.lower_bound == pytest.approx(gm.lower_bound_)


@pytest.mark.parametrize("kind", ["GaussianMixture", "BayesianGaussianMixture"])
@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_scikit_learn_models(X, kind, cov_type):
    mixture = pytest.importorskip("sklearn.mixture")
    sk = getattr(mixture, kind)(n_components=3, covariance_type=cov_type, random_state=0)
    sk.fit(X)
    p = mixture_params(sk)
    assert p.covariance_type == cov_type and p.n_components == 3
    np.testing.assert_array_equal(p.weights, sk.weights_)
    np.testing.assert_array_equal(p.covariances, sk.covariances_)
    # Its tied BayesianGaussianMixture keeps lower_bound_ as a 1-array: a float here.
    assert isinstance(p.lower_bound, float) and np.isfinite(p.lower_bound)
    assert p.n_iter == sk.n_iter_ and p.converged == sk.converged_


def test_em_state(X):
    history = History()
    GaussianMixture(2, covariance_type="diag", random_state=0, callbacks=history).fit(X)
    state = history[-1]
    p = mixture_params(state)
    assert p.covariance_type == "diag" and p.n_iter == state.n_iter
    assert p.lower_bound == state.lower_bound and p.converged == state.converged
    np.testing.assert_array_equal(p.covariances, state.covariances)
    assert mixture_params(history[0]).lower_bound == -np.inf  # right after init


def test_a_mixture_params_is_returned_as_is():
    p = datasets.make_mixture_params(random_state=0)
    assert mixture_params(p) is p


def test_the_data_generators_return_the_same_class():
    assert datasets.MixtureParams is MixtureParams
    _, _, truth = datasets.make_mixture(20, random_state=0, return_params=True)
    assert isinstance(truth, MixtureParams)


@pytest.mark.parametrize(
    "wrap",
    [dict, types.MappingProxyType, lambda d: types.SimpleNamespace(**d)],
    ids=["dict", "mapping", "attributes"],
)
def test_mappings_and_attribute_objects(wrap):
    truth = datasets.make_mixture_params(covariance_type="tied", random_state=1)
    fields = {**_arrays(truth), "covariance_type": "tied", "n_iter": 7, "converged": True}
    p = mixture_params(wrap(fields))
    _assert_same(p, truth)
    assert p.n_iter == 7 and p.converged and np.isnan(p.lower_bound)


def test_missing_weights_mean_equal_weights_and_missing_type_means_full():
    means = np.zeros((4, 2))
    covs = np.stack([np.eye(2)] * 4)
    for obj in (
        {"means": means, "covariances": covs},
        types.SimpleNamespace(means=means, covariances=covs),
        types.SimpleNamespace(means_=means, covariances_=covs, covariance_type="full"),
    ):
        p = mixture_params(obj)
        np.testing.assert_array_equal(p.weights, np.full(4, 0.25))
        assert p.covariance_type == "full"


# --------------------------------------------------------------------------- errors


def test_unfitted_models_raise_not_fitted():
    with pytest.raises(NotFittedError, match=r"GaussianMixture is not fitted yet.*model\.fit"):
        mixture_params(GaussianMixture(2))
    mixture = pytest.importorskip("sklearn.mixture")
    for kind in (mixture.GaussianMixture, mixture.BayesianGaussianMixture):
        with pytest.raises(NotFittedError, match=r"not fitted yet.*Call model\.fit\(X\)"):
            mixture_params(kind(n_components=2))
    assert issubclass(NotFittedError, ValueError)  # callers catching ValueError still do


@pytest.mark.parametrize(
    "obj",
    [object(), 3.0, None, np.zeros((2, 2)), {"means": [[0.0]]}, {"covariances": [1.0]}],
    ids=["object", "float", "None", "array", "no covariances", "no means"],
)
def test_what_is_not_a_mixture_raises_type_error(obj):
    with pytest.raises(TypeError, match="must be a Gaussian mixture or its parameters"):
        mixture_params(obj)


def test_a_model_without_fit_or_covariance_type_is_not_a_mixture():
    kde = types.SimpleNamespace(fit=lambda X: None, score_samples=lambda X: X)
    with pytest.raises(TypeError, match="expected a fitted GaussianMixture"):
        mixture_params(kde)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"covariance_type": "round"}, r"covariance_type must be one of \['full'"),
        ({"covariance_type": ["diag"]}, "covariance_type must be one of"),
        ({"means": np.zeros(2)}, r"means must have shape \(n_components, n_features\)"),
        ({"means": np.zeros((0, 2))}, "means must have shape"),
        ({"weights": np.ones(3) / 3}, r"weights must have shape \(2,\) to match means"),
        ({"covariances": np.ones((2, 2))}, r"covariances must have shape \(2, 3\).*'diag'"),
        ({"means": np.full((2, 3), np.nan)}, "means contains NaN or infinity"),
        ({"covariances": np.full((2, 3), np.inf)}, "covariances contains NaN or infinity"),
    ],
)
def test_inconsistent_parameters_raise_value_error(change, match):
    fields = {
        "weights": [0.5, 0.5],
        "means": np.zeros((2, 3)),
        "covariances": np.ones((2, 3)),
        "covariance_type": "diag",
    }
    with pytest.raises(ValueError, match=match):
        mixture_params({**fields, **change})
    with pytest.raises(ValueError, match=match):
        MixtureParams(**{**fields, **change})


# --------------------------------------------------------------------------- the class


def test_mixture_params_converts_without_copying_float64():
    means = np.zeros((2, 2))
    p = MixtureParams(np.array([0.5, 0.5], dtype=np.float32), means, [1.0, 2.0], "spherical")
    assert p.weights.dtype == np.float64 and p.covariances.dtype == np.float64
    assert p.means is means
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.means = np.ones((2, 2))  # type: ignore[misc]
    assert p != MixtureParams(p.weights, p.means, p.covariances, "spherical")  # identity
    assert hash(p) == hash(p)


@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_expand_covariances(cov_type):
    truth = datasets.make_mixture_params(
        n_components=3, n_features=2, covariance_type=cov_type, random_state=2
    )
    full = expand_covariances(truth.covariances, cov_type, 3, 2)
    assert full.shape == (3, 2, 2)
    np.testing.assert_array_equal(full, truth.full_covariances())
    diag = np.diagonal(full, axis1=1, axis2=2)
    if cov_type == "diag":
        np.testing.assert_array_equal(diag, truth.covariances)
    elif cov_type == "spherical":
        np.testing.assert_array_equal(diag, np.repeat(truth.covariances[:, None], 2, 1))
    elif cov_type == "tied":
        np.testing.assert_array_equal(full[2], truth.covariances)
    with pytest.raises(ValueError, match="covariances must have shape"):
        expand_covariances(np.ones((5, 5, 5)), cov_type, 3, 2)
    with pytest.raises(ValueError, match="covariance_type must be one of"):
        expand_covariances(truth.covariances, "round", 3, 2)


def test_sample_is_seeded_and_follows_the_weights():
    p = MixtureParams([0.25, 0.75], [[0.0], [10.0]], [1.0, 1.0], "spherical")
    X, y = p.sample(4000, random_state=0)
    X2, y2 = p.sample(4000, random_state=0)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert abs(np.mean(y == 1) - 0.75) < 0.03
    assert abs(X[y == 1].mean() - 10.0) < 0.1
    with pytest.raises(ValueError, match="n_samples must be >= 1"):
        p.sample(0)
    with pytest.raises(TypeError, match="n_samples must be an int"):
        p.sample(2.5)  # type: ignore[arg-type]


def test_sample_normalises_the_weights_it_is_given():
    # Weights that do not sum to 1 (a hand-written dict) give the proportions they state.
    p = MixtureParams([1.0, 3.0], [[0.0], [10.0]], [1.0, 1.0], "spherical")
    _, y = p.sample(4000, random_state=0)
    assert abs(np.mean(y == 1) - 0.75) < 0.03
    for bad in ([-0.5, 1.5], [0.0, 0.0]):
        p = MixtureParams(bad, [[0.0], [10.0]], [1.0, 1.0], "spherical")
        with pytest.raises(ValueError, match="non-negative with a positive sum"):
            p.sample(10)


def test_sample_handles_singular_and_refuses_indefinite_covariances():
    line = np.array([[1.0, 1.0], [1.0, 1.0]])  # positive semi-definite, rank 1
    p = MixtureParams([1.0], [[0.0, 0.0]], line[None], "full")
    X, _ = p.sample(500, random_state=0)
    np.testing.assert_allclose(X[:, 0], X[:, 1], atol=1e-12)  # all on the line x = y
    assert X[:, 0].std() == pytest.approx(1.0, abs=0.1)
    indefinite = np.array([[1.0, 2.0], [2.0, 1.0]])
    p = MixtureParams([1.0], [[0.0, 0.0]], indefinite[None], "full")
    with pytest.raises(ValueError, match="covariance 0 is not symmetric positive semi-definite"):
        p.sample(10)


def test_sample_draws_are_the_cholesky_draws_for_positive_definite_covariances():
    # make_mixture's seeded data must not change: a positive-definite covariance is
    # still sampled through its Cholesky factor.
    cov = np.array([[2.0, 0.9], [0.9, 1.0]])
    p = MixtureParams([1.0], [[1.0, 2.0]], cov[None], "full")
    X, _ = p.sample(50, random_state=3, shuffle=False)
    rng = np.random.RandomState(3)
    rng.multinomial(50, [1.0])
    expected = [1.0, 2.0] + rng.standard_normal((50, 2)) @ np.linalg.cholesky(cov).T
    np.testing.assert_array_equal(X, expected)
