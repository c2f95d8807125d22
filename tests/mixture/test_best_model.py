"""fit_best_mixture: the grid on a sample, the finalists on every row."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

from gmm_widgets.mixture import GaussianMixture, best_model, select_model
from gmm_widgets.mixture.best_model import fit_best_mixture


def blobs_and_noise(n_per: int = 1500, noise: int = 300, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = ([0.0, 0.0], [5.0, 0.0], [0.0, 5.0])
    parts = [rng.normal(c, 0.6, (n_per, 2)) for c in centres]
    parts.append(rng.uniform(-3.0, 8.0, (noise, 2)))
    return np.vstack(parts)


def test_small_data_is_select_models_best():
    X = blobs_and_noise(100, 20)
    best = fit_best_mixture(X, range(1, 6), max_samples=10_000)
    grid = select_model(X, range(1, 6), silhouette=False)
    assert best.n_grid_samples == X.shape[0] and best.finalists == []
    assert (best.n_components, best.covariance_type) == (
        grid.best["n_components"],
        grid.best["covariance_type"],
    )
    assert best.value == pytest.approx(grid.best["bic"], rel=1e-12)
    assert best.n_candidates == 20
    assert best.summary == f"K={best.n_components}, {best.covariance_type}: best BIC of 20 fits"


def test_sampled_grid_refits_the_finalists_on_every_row():
    X = blobs_and_noise()
    best = fit_best_mixture(X, range(1, 7), max_samples=800, n_finalists=3, random_state=1)
    assert best.n_grid_samples == 800
    assert len(best.finalists) == 3
    # The three candidates are the sample's three best, each fitted again on every row.
    ranked = sorted((r for r in best.grid.records if r["error"] is None), key=lambda r: r["bic"])[
        :3
    ]
    assert {(f["n_components"], f["covariance_type"]) for f in best.finalists} == {
        (r["n_components"], r["covariance_type"]) for r in ranked
    }
    # The winner is the best of them on every row, and its value is its BIC on every row.
    assert best.value == min(f["value"] for f in best.finalists)
    assert best.value == pytest.approx(best.model.bic(X), rel=1e-12)
    assert best.model.n_features_in_ == 2
    refit = GaussianMixture(
        best.n_components, covariance_type=best.covariance_type, random_state=1
    ).fit(X)
    np.testing.assert_allclose(best.model.means_, refit.means_, rtol=1e-12)
    assert best.n_components >= 3  # three blobs at least


def test_the_sample_finds_the_full_grids_choice_here():
    X = blobs_and_noise()
    sampled = fit_best_mixture(X, range(1, 7), max_samples=1000)
    full = fit_best_mixture(X, range(1, 7), max_samples=X.shape[0])
    assert (sampled.n_components, sampled.covariance_type) == (
        full.n_components,
        full.covariance_type,
    )
    assert sampled.value == pytest.approx(full.value, rel=1e-9)


def test_other_criteria_and_parameters_pass_through():
    X = blobs_and_noise(200, 30)
    best = fit_best_mixture(X, range(1, 4), ("full",), "aic", n_init=2, tol=1e-4)
    assert best.criterion == "aic" and best.summary.endswith("best AIC of 3 fits")
    assert best.model.n_init == 2 and best.model.tol == 1e-4


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"criterion": "silhouette"}, ValueError, "criterion must be one of"),
        ({"max_samples": 1}, ValueError, "max_samples must be at least 2"),
        ({"max_samples": 2.5}, TypeError, "max_samples must be an int"),
        ({"n_finalists": 0}, ValueError, "n_finalists must be at least 1"),
        ({"n_components": range(1, 3), "covariance_type": "full"}, TypeError, "grid sets K"),
        ({"means_init": [[0.0, 0.0]]}, TypeError, "means_init cannot be passed"),
        ({"bogus": 1}, TypeError, "unknown GaussianMixture parameter"),
        ({"tol": -1.0}, ValueError, "tol must be"),
        ({"covariance_types": ("full", "banana")}, ValueError, "covariance_types must hold"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, match):
    X = blobs_and_noise(50, 10)
    with pytest.raises(error, match=match):
        fit_best_mixture(X, **kwargs)


def test_a_grid_that_cannot_be_fitted_says_so():
    X = np.zeros((30, 2))
    X[:15] = 1.0  # two points repeated: every component collapses without reg_covar
    with pytest.raises(ValueError, match="none of the 2 models of the grid could be fitted"):
        fit_best_mixture(X, range(3, 5), ("full",), reg_covar=0.0)


def test_module_example_runs():
    failures, _ = doctest.testmod(best_model)
    assert failures == 0
