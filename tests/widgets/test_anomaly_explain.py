"""AnomalyInspector: the density it chooses without a model, and explain(i)."""

from __future__ import annotations

import numpy as np
import pytest
import traitlets

from gmm_widgets.mixture import GaussianMixture
from gmm_widgets.mixture.explain import explain_point
from gmm_widgets.widgets import AnomalyInspector


def blobs_and_noise(n_per: int = 600, noise: int = 60, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = ([0.0, 0.0], [6.0, 0.0], [0.0, 6.0])
    parts = [rng.normal(c, 0.5, (n_per, 2)) for c in centres]
    parts.append(rng.uniform(-3.0, 9.0, (noise, 2)))
    return np.vstack(parts)


@pytest.fixture(scope="module")
def X():
    return blobs_and_noise()


@pytest.fixture(scope="module")
def auto(X):
    return AnomalyInspector(X, contamination=0.02)


def test_without_n_components_the_bic_best_density_is_used(X, auto):
    sel = auto.model_selection
    assert sel is not None and sel.criterion == "bic" and sel.n_candidates == 40
    assert auto.model is sel.model
    assert auto.model.n_components >= 3  # a single Gaussian (the old default) is not it
    assert auto.model_choice == sel.summary
    assert auto.model_choice.startswith(f"K={auto.model.n_components}, ")
    # It beats the old default's density on these data by far.
    assert sel.value < GaussianMixture(1).fit(X).bic(X) - 1000
    np.testing.assert_allclose(auto.scores, auto.model.score_samples(X), rtol=1e-12)


def test_a_given_k_or_model_is_kept(X):
    w = AnomalyInspector(X, n_components=2, random_state=0)
    assert w.model.n_components == 2 and w.model_choice == "" and w.model_selection is None
    gm = GaussianMixture(4, random_state=0).fit(X)
    w = AnomalyInspector(X, model=gm)
    assert w.model is gm and w.model_choice == ""


def test_a_given_covariance_type_limits_the_grid(X):
    w = AnomalyInspector(X, covariance_type="diag", random_state=3, n_init=2)
    assert w.model.covariance_type == "diag" and w.model.n_init == 2
    assert w.model_selection.n_candidates == 10
    assert w.model_choice.endswith("best BIC of 10 fits")


def test_tiny_data_caps_k_at_the_number_of_rows():
    X = np.array([[0.0, 0.0], [1.0, 0.5], [3.0, 1.0], [0.5, 2.0]])
    w = AnomalyInspector(X, contamination=0.25)
    assert w.model_selection.n_candidates == 4 * 4


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"covariance_type": "round"}, ValueError, "covariance_type must be one of"),
        ({"tol": -1.0}, ValueError, "tol must be"),
        ({"bogus": 1}, TypeError, "AnomalyInspector got an unexpected keyword argument"),
    ],
)
def test_bad_parameters_of_the_automatic_density(X, kwargs, error, match):
    with pytest.raises(error, match=match):
        AnomalyInspector(X, **kwargs)


def test_explain_matches_the_core_and_the_histogram(X, auto):
    i = int(np.argmin(auto.scores))
    e = auto.explain(i)
    core = explain_point(auto.model, X[i], auto.feature_names)
    assert e["row"] == i and e["flagged"] is True
    assert e["log_density"] == auto.scores[i]
    assert e["percentile"] == 0.0  # the lowest score
    assert e["component"] == core.component
    assert e["mahalanobis"] == core.mahalanobis
    assert [f["contribution"] for f in e["features"]] == [
        c.contribution for c in core.contributions
    ]
    j = int(np.argsort(auto.scores)[len(X) // 2])
    assert auto.explain(j)["percentile"] == pytest.approx(100 * (len(X) // 2) / len(X))
    assert auto.explain(-1)["row"] == len(X) - 1


def test_explain_row_fills_the_explanation_and_follows_changes(X):
    w = AnomalyInspector(X, n_components=3, random_state=0, contamination=0.05)
    assert w.explanation == {}
    i = int(np.argmin(w.scores))
    w.explain_row = i
    assert w.explanation == w.explain(i) and w.explanation["flagged"] is True
    w.threshold = float(w.scores[i]) - 1.0
    assert w.explanation["flagged"] is False
    w.contamination = 0.05
    w.refit_without_anomalies()
    assert w.explanation == w.explain(i)
    assert w.explanation["log_density"] == w.scores[i]
    w.explain_row = None
    assert w.explanation == {}


def test_a_density_that_is_not_a_mixture_is_explained_by_its_score(X):
    class Kde:
        def fit(self, X):
            self.X_ = np.asarray(X)
            return self

        def score_samples(self, X):
            d2 = ((np.asarray(X)[:, None, :] - self.X_[None, :200, :]) ** 2).sum(-1)
            return np.log(np.exp(-d2 / 2).mean(1) + 1e-300)

    w = AnomalyInspector(X, model=Kde().fit(X))
    e = w.explain(5)
    assert e["component"] is None and e["features"] == []
    assert e["log_density"] == w.scores[5]


@pytest.mark.parametrize(
    ("row", "match"),
    [(1.5, "expected an int"), (10**6, "out of range"), (True, "must be an int")],
)
def test_bad_rows_are_refused_and_the_old_one_kept(X, row, match):
    w = AnomalyInspector(X, n_components=2, random_state=0)
    w.explain_row = 3
    with pytest.raises(traitlets.TraitError, match=match):
        w.explain_row = row
    assert w.explain_row == 3 and w.explanation["row"] == 3
    with pytest.raises((TypeError, IndexError)):
        w.explain(row if row is not True else "3")
