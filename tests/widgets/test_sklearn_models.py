"""Every widget accepts scikit-learn's GaussianMixture and BayesianGaussianMixture.

The numbers are checked against scikit-learn itself or against densities computed here
with SciPy from the model's attributes, not against the code under test. A
BayesianGaussianMixture is shown as the mixture of its point estimates (``weights_``,
``means_``, ``covariances_``); its ``score_samples`` (used by AnomalyInspector) is
scikit-learn's own variational one.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.stats import multivariate_normal

from gmm_widgets.widgets import (
    AnomalyInspector,
    FitPlayer,
    MixtureExplorer,
    MixtureSummary,
    ModelSelector,
)
from gmm_widgets.widgets._model import expand_covariances

mixture = pytest.importorskip("sklearn.mixture")

COV_TYPES = ("full", "tied", "diag", "spherical")
KINDS = ("GaussianMixture", "BayesianGaussianMixture")


@pytest.fixture(scope="module")
def X():
    rng = np.random.default_rng(7)
    return np.vstack(
        [
            rng.multivariate_normal([0, 0], [[1.5, 0.8], [0.8, 1.0]], 250),
            rng.multivariate_normal([5, 1], [[0.5, 0.0], [0.0, 1.5]], 200),
            rng.multivariate_normal([2, 5], [[1.0, -0.4], [-0.4, 0.6]], 150),
        ]
    )


def fit(kind: str, X: np.ndarray, k: int = 3, cov_type: str = "full"):
    cls = getattr(mixture, kind)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # BGM may not converge in max_iter; fine here
        return cls(n_components=k, covariance_type=cov_type, random_state=0).fit(X)


def full_covs(model) -> np.ndarray:
    K, d = model.means_.shape
    return expand_covariances(model.covariances_, model.covariance_type, K, d)


def log_density(model, X: np.ndarray) -> np.ndarray:
    """log sum_k w_k N(x | mu_k, S_k), from the attributes, with SciPy."""
    covs = full_covs(model)
    comp = np.array(
        [
            np.log(w) + multivariate_normal(m, c).logpdf(X)
            for w, m, c in zip(model.weights_, model.means_, covs, strict=True)
        ]
    )
    top = comp.max(axis=0)
    return top + np.log(np.exp(comp - top).sum(axis=0))


def bic_aic(model, X: np.ndarray) -> tuple[float, float]:
    K, d = model.means_.shape
    n_cov = {
        "full": K * d * (d + 1) / 2,
        "tied": d * (d + 1) / 2,
        "diag": K * d,
        "spherical": K,
    }[model.covariance_type]
    p = n_cov + K * d + K - 1
    ll = log_density(model, X).sum()
    return -2 * ll + p * np.log(X.shape[0]), -2 * ll + 2 * p


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_fit_player_shows_the_model(X, kind, cov_type):
    model = fit(kind, X, 3, cov_type)
    w = FitPlayer(X, model)
    assert w.source == "model" and w.n_frames == 1 and w.model is model
    state = w.current_state
    np.testing.assert_allclose(state.weights, model.weights_)
    np.testing.assert_allclose(state.means, model.means_)
    np.testing.assert_allclose(state.covariances, model.covariances_)
    assert state.covariance_type == cov_type
    assert state.lower_bound == pytest.approx(model.lower_bound_)
    with pytest.raises(TypeError, match="only run EM"):
        w.fit()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_mixture_explorer_starts_from_the_model(X, kind, cov_type):
    model = fit(kind, X, 3, cov_type)
    w = MixtureExplorer(X, model=model)
    assert w.model is model
    assert (w.n_components, w.covariance_type) == (3, cov_type)
    np.testing.assert_allclose(w.handles, model.means_)
    bic, aic = bic_aic(model, X)
    assert w.scores["bic"] == pytest.approx(bic, rel=1e-8)
    assert w.scores["aic"] == pytest.approx(aic, rel=1e-8)
    if kind == "GaussianMixture":
        assert w.scores["bic"] == pytest.approx(model.bic(X), rel=1e-8)


@pytest.mark.parametrize("kind", KINDS)
def test_model_selector_compares_the_models(X, kind):
    models = [fit(kind, X, k, ct) for k in (2, 3) for ct in ("full", "spherical")]
    sel = ModelSelector(X, models=models)
    assert sorted(sel.covariance_types) == ["full", "spherical"]
    for m in models:
        rec = next(
            r
            for r in sel.records
            if (r["n_components"], r["covariance_type"]) == (m.n_components, m.covariance_type)
        )
        bic, aic = bic_aic(m, X)
        assert rec["bic"] == pytest.approx(bic, rel=1e-8)
        assert rec["aic"] == pytest.approx(aic, rel=1e-8)
    best = min(models, key=lambda m: bic_aic(m, X)[0])
    assert sel.best == [best.n_components, best.covariance_type]
    sel.select(2, "spherical")
    assert sel.selected is models[1]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("cov_type", ("full", "tied"))
def test_anomaly_inspector_uses_the_models_scores(X, kind, cov_type):
    model = fit(kind, X, 3, cov_type)
    w = AnomalyInspector(X, model=model, contamination=0.05)
    np.testing.assert_allclose(w.scores, model.score_samples(X))
    assert w.n_anomalies == int(np.sum(w.scores < w.threshold))
    assert w.anomalies.sum() == pytest.approx(0.05 * X.shape[0], abs=2)
    det = w.to_detector()
    np.testing.assert_array_equal(det.predict(X) == -1, w.anomalies)
    result = w.refit_without_anomalies()
    assert type(result.model) is type(model)
    assert result.model.covariance_type == cov_type
    assert result.model is not model  # a clone, the given model is untouched


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_summary_of_the_model(X, kind, cov_type):
    model = fit(kind, X, 3, cov_type)
    s = MixtureSummary(model, X)
    bic, aic = bic_aic(model, X)
    assert s.scores["bic"] == pytest.approx(bic, rel=1e-8)
    assert s.scores["aic"] == pytest.approx(aic, rel=1e-8)
    assert s.scores["log_likelihood"] == pytest.approx(log_density(model, X).mean(), rel=1e-9)
    if kind == "GaussianMixture":
        assert s.scores["bic"] == pytest.approx(model.bic(X), rel=1e-8)
    assert f"{bic:.6g}" in s.html and s.player.source == "model"


def test_fitted_on_a_data_frame_keeps_the_feature_names(X):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X, columns=["height", "weight"])
    model = fit("GaussianMixture", frame, 2)
    s = MixtureSummary(model)
    assert s.player.feature_names == ["height", "weight"]
    assert "mean height" in s.html
    for widget in (FitPlayer(frame, model), MixtureExplorer(frame, model=model)):
        assert widget.feature_names == ["height", "weight"]


@pytest.mark.parametrize(
    "make",
    [
        lambda X, m: FitPlayer(X, m),
        lambda X, m: MixtureExplorer(X, model=m),
        lambda X, m: AnomalyInspector(X, model=m),
        lambda X, m: MixtureSummary(m, X),
    ],
    ids=["FitPlayer", "MixtureExplorer", "AnomalyInspector", "MixtureSummary"],
)
def test_a_model_of_other_features_is_refused(X, make):
    model = fit("BayesianGaussianMixture", np.hstack([X, X[:, :1]]), 2)
    with pytest.raises(ValueError, match="feature"):
        make(X, model)


@pytest.mark.parametrize("kind", KINDS)
def test_unfitted_scikit_learn_models_are_refused_where_nothing_fits_them(X, kind):
    unfitted = getattr(mixture, kind)(n_components=2)
    with pytest.raises(ValueError, match="not fitted"):
        FitPlayer(X, unfitted)
    with pytest.raises(ValueError, match="not fitted"):
        MixtureSummary(unfitted)
