"""MixtureSummary: criteria on X, samples from the model, replay of a recorded fit."""

from __future__ import annotations

import numpy as np
import pytest

from gmm_widgets import GaussianMixture, History, summary
from gmm_widgets.widgets import FitPlayer, MixtureSummary


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(5)
    X = np.vstack([rng.normal(size=(300, 2)), rng.normal(size=(200, 2)) * 0.5 + [4, 1]])
    return X, GaussianMixture(2, random_state=0).fit(X)


def test_criteria_equal_the_models_own(fitted):
    X, gm = fitted
    s = summary(gm, X)
    assert isinstance(s, MixtureSummary) and s.data_source == "X"
    assert s.scores["bic"] == pytest.approx(gm.bic(X), rel=1e-10)
    assert s.scores["aic"] == pytest.approx(gm.aic(X), rel=1e-10)
    assert s.scores["icl"] == pytest.approx(gm.icl(X), rel=1e-10)
    assert s.scores["n_parameters"] == gm.n_parameters_
    for name, value in [("BIC", gm.bic(X)), ("AIC", gm.aic(X)), ("ICL", gm.icl(X))]:
        assert f"{name} <b>{value:.6g}</b>" in s.html
    assert f"parameters <b>{gm.n_parameters_}</b>" in s.html
    # The view draws X itself.
    np.testing.assert_allclose(s.player.data, X.astype(np.float32))
    assert "rows of X" in s.children[-1].value


def test_without_data_the_view_draws_samples_of_the_model(fitted):
    _, gm = fitted
    state = gm.random_state
    s = MixtureSummary(gm, n_samples=4000, seed=3)
    assert s.scores is None and s.data_source == "samples"
    assert "BIC" not in s.html and "draws from the model" in s.children[-1].value
    assert s.player.n_samples == 4000
    assert gm.random_state == state  # the model's random state is left alone
    # The draws follow the model: component sizes and means.
    pts = np.asarray(s.player.data, dtype=np.float64)
    labels = gm.predict(pts)
    for k in range(2):
        assert np.mean(labels == k) == pytest.approx(gm.weights_[k], abs=0.03)
        np.testing.assert_allclose(pts[labels == k].mean(axis=0), gm.means_[k], atol=0.15)
    # Seeded: the same draws every time, other draws with another seed.
    again = MixtureSummary(gm, n_samples=4000, seed=3)
    np.testing.assert_array_equal(again.player.data, s.player.data)
    assert not np.array_equal(MixtureSummary(gm, n_samples=4000, seed=4).player.data, pts)


def test_samples_follow_the_models_covariance():
    gm = GaussianMixture(1, covariance_type="full").fit(
        np.random.default_rng(0).multivariate_normal([1, 2], [[2.0, 0.9], [0.9, 1.0]], 2000)
    )
    s = MixtureSummary(gm, n_samples=20000)
    pts = np.asarray(s.player.data, dtype=np.float64)
    np.testing.assert_allclose(np.cov(pts, rowvar=False), gm.covariances_[0], atol=0.06)
    with pytest.raises(ValueError, match="n_samples must be >= 1"):
        MixtureSummary(gm, n_samples=0)


def test_a_recorded_fit_is_replayed_only_if_it_is_the_models_last(fitted):
    X, _ = fitted
    history = History()
    gm = GaussianMixture(2, init_params="random_from_data", random_state=0, callbacks=[history])
    gm.fit(X)
    first = len(history)
    s = MixtureSummary(gm, X)
    assert s.player.source == "history" and s.player.n_frames == gm.n_iter_ + 1
    # A refit appends to the same History: only the last fit is replayed.
    gm.set_params(random_state=1).fit(X)
    assert len(history) > first
    s = MixtureSummary(gm, X)
    assert s.player.n_frames == gm.n_iter_ + 1
    np.testing.assert_allclose(s.player.states[-1].means, gm.means_)
    # A History that no longer matches the model (cleared and refilled elsewhere).
    history.clear()
    GaussianMixture(3, random_state=0, callbacks=history).fit(X)
    assert MixtureSummary(gm, X).player.source == "model"


def test_a_model_fitted_with_one_plain_callback_is_summarised(fitted):
    """callbacks may be one callable (not only a History or a list): it was list()-ed."""
    X, _ = fitted
    seen = []
    gm = GaussianMixture(2, random_state=0, callbacks=lambda state: seen.append(state.n_iter))
    gm.fit(X)
    assert seen
    s = MixtureSummary(gm, X)
    assert s.player.source == "model"


def test_table_only_and_bad_input(fitted):
    X, gm = fitted
    s = MixtureSummary(gm, player=False)
    assert s.player is None and len(s.children) == 1
    with pytest.raises(ValueError, match="feature"):
        MixtureSummary(gm, X[:, :1])
    with pytest.raises(ValueError, match="not fitted"):
        MixtureSummary(GaussianMixture(2))
    with pytest.raises(TypeError, match="Gaussian mixture"):
        MixtureSummary(object())


def test_one_and_many_features():
    rng = np.random.default_rng(0)
    x1 = np.concatenate([rng.normal(0, 1, 300), rng.normal(5, 1, 300)])[:, None]
    s1 = MixtureSummary(GaussianMixture(2, random_state=0).fit(x1))
    assert isinstance(s1.player, FitPlayer) and len(s1.player.feature_names) == 1
    X6 = rng.normal(size=(400, 6))
    s6 = MixtureSummary(GaussianMixture(2, random_state=0).fit(X6))
    assert "log det" in s6.html and "|mean|" not in s6.html  # 6 features: means listed
    assert s6.player.pca["components"].shape == (2, 6)


def test_bundle_carries_the_static_table(fitted):
    _, gm = fitted
    s = MixtureSummary(gm)
    bundle = s._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/html"].startswith("<div") and ">covariance<" in bundle["text/html"]
    expected = f"<MixtureSummary of {gm!r} over points drawn from it>"
    assert bundle["text/plain"] == repr(s) == expected


def test_summary_of_plain_parameters_lists_their_components():
    params = {
        "weights": [0.4, 0.6],
        "means": [[0.0, 0.0], [5.0, 1.0]],
        "covariances": [np.eye(2), 0.5 * np.eye(2)],
    }
    s = MixtureSummary(params, n_samples=500)
    assert "not fitted" not in s.html
    assert "2 components, 2 features" in s.html and "0.600" in s.html
    assert s.data_source == "samples" and s.player.n_samples == 500
