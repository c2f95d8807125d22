"""AnomalyInspector with a noise component: the toggle, and flagging by P(noise)."""

from __future__ import annotations

import numpy as np
import pytest
import traitlets

from gmm_widgets.mixture import GaussianMixture
from gmm_widgets.mixture.anomaly import threshold_from_contamination
from gmm_widgets.widgets import AnomalyInspector
from tests.mixture.test_noise import blobs_with_background


@pytest.fixture(scope="module")
def data():
    X, _, n_noise = blobs_with_background(n=2000, seed=21)
    y = np.zeros(X.shape[0], dtype=int)
    y[-n_noise:] = 1  # the uniform background, last
    return X, y


def away_from_the_cut(p, cut, rel=1e-9):
    """Rows whose P(noise) is not within rounding of ``cut`` (the comparison there is
    decided by the last bits, which differ between CPUs)."""
    return np.abs(p - cut) > rel


def test_the_toggle_refits_with_the_noise_component_and_keeps_the_rule(data):
    X, y = data
    w = AnomalyInspector(X, labels=y, n_components=3, random_state=0, contamination=0.05)
    assert w.noise_controls and not w.noise
    assert "noise_log_density" not in w._mixture
    w.noise = True
    assert w.model.noise is True and hasattr(w.model, "noise_weight_")
    assert w.refit_info["noise"] is True and w.refit_info["rule"] == "contamination"
    assert w.n_anomalies == 100  # the same contamination under the new model
    payload = w._mixture
    assert payload["noise_log_density"] == pytest.approx(
        np.log(w.model.noise_weight_ / w.model.noise_volume_), rel=1e-12
    )
    np.testing.assert_array_equal(payload["noise_bounds"], w.model.noise_bounds_)
    # Off again: the plain model, and the settings show it.
    w.noise = False
    assert not hasattr(w.model, "noise_weight_") and "noise_log_density" not in w._mixture
    w.undo_refit()
    assert w.noise and hasattr(w.model, "noise_weight_")


@pytest.mark.parametrize("cut", [0.5, 0.9, 0.1])
def test_flag_noise_flags_exactly_the_points_likely_noise(data, cut):
    X, y = data
    w = AnomalyInspector(X, labels=y, model=GaussianMixture(3, noise=True, random_state=0))
    w.flag_noise(cut)
    p = w.noise_probability()
    np.testing.assert_allclose(p, w.model.predict_proba(X)[:, -1], rtol=0, atol=0)
    keep = away_from_the_cut(p, cut)
    np.testing.assert_array_equal(w.anomalies[keep], (p > cut)[keep])
    assert w.noise_cut == cut and w.contamination is None
    # By hand: inside the box P(noise | x) = (w0 / V) / p(x).
    level = np.log(w.model.noise_weight_) - np.log(w.model.noise_volume_)
    assert w.threshold == pytest.approx(level - np.log(cut), rel=1e-12)
    np.testing.assert_allclose(np.exp(level - w.scores), p, rtol=1e-9)


def test_the_noise_rule_is_kept_by_refits_and_dropped_by_a_drag(data):
    X, y = data
    w = AnomalyInspector(X, labels=y, model=GaussianMixture(3, noise=True, random_state=0))
    w.flag_noise(0.5)
    w.n_components = 4  # a settings refit
    assert w.refit_info["rule"] == "noise_cut" and w.noise_cut == 0.5
    p = w.noise_probability()
    keep = away_from_the_cut(p, 0.5)
    np.testing.assert_array_equal(w.anomalies[keep], (p > 0.5)[keep])
    w.refit_without_anomalies()
    assert w.refit_info["rule"] == "noise_cut"
    # The refit's box is that of the rows kept: a removed row outside it has no noise
    # probability (the uniform density is 0 there) and is judged by its log-density.
    p = w.noise_probability()
    lo, hi = w.model.noise_bounds_
    inside = np.all((X >= lo) & (X <= hi), axis=1)
    assert 0 < (~inside).sum() < w.last_refit.n_removed
    assert np.all(p[~inside] == 0)
    keep = away_from_the_cut(p, 0.5) & inside
    np.testing.assert_array_equal(w.anomalies[keep], (p > 0.5)[keep])
    w.undo_refit()
    w.undo_refit()
    assert w.noise_cut == 0.5 and w.model.n_components == 3
    # Turning the noise off keeps the fraction flagged instead (nothing to cut).
    n = w.n_anomalies
    w.noise = False
    assert w.noise_cut is None and w.refit_info["rule"] == "percentile"
    assert abs(w.n_anomalies - n) <= 1
    # A dragged threshold is the user's own rule.
    w.noise = True
    w.flag_noise(0.5)
    w.threshold = w.threshold - 0.5
    assert w.noise_cut is None
    w.contamination = 0.02
    assert w.noise_cut is None
    assert w.threshold == threshold_from_contamination(w.scores, 0.02)


def test_the_background_ties_at_the_noise_level(data):
    """Where the Gaussians are negligible the density is w0 / V exactly: those rows
    tie, P(noise) = 1 for all of them, and flag_noise flags them all."""
    X, _ = data
    w = AnomalyInspector(X, model=GaussianMixture(3, noise=True, random_state=0))
    level = np.log(w.model.noise_weight_) - np.log(w.model.noise_volume_)
    tied = np.isclose(w.scores, level, rtol=1e-12, atol=0)
    assert tied.sum() > 40
    w.flag_noise(0.5)
    assert np.all(w.anomalies[tied])


def test_the_browser_sets_the_cut_and_the_toggle(data):
    X, _ = data
    w = AnomalyInspector(X, n_components=3, random_state=0)
    w.set_state({"noise": True})
    assert hasattr(w.model, "noise_weight_")
    w.set_state({"noise_cut": 0.5})
    assert w.noise_cut == 0.5
    assert w.threshold == pytest.approx(
        np.log(w.model.noise_weight_ / w.model.noise_volume_) - np.log(0.5), rel=1e-12
    )


def test_explain_gives_the_noise_probability(data):
    X, _ = data
    w = AnomalyInspector(X, model=GaussianMixture(3, noise=True, random_state=0))
    proba = w.model.predict_proba(X)
    for row in (0, int(np.argmax(proba[:, -1]))):
        e = w.explain(row)
        assert e["noise_probability"] == pytest.approx(proba[row, -1], rel=1e-12)
        assert e["component"] == int(np.argmax(proba[row, :-1]))
        assert e["responsibility"] == pytest.approx(proba[row, e["component"]], rel=1e-12)
    plain = AnomalyInspector(X, n_components=3, random_state=0)
    assert "noise_probability" not in plain.explain(0)
    assert plain.noise_probability() is None


def test_bad_input_gets_a_clear_error_and_keeps_the_state(data):
    X, _ = data
    w = AnomalyInspector(X, n_components=3, random_state=0)
    before = (w.threshold, w.n_anomalies)
    with pytest.raises(ValueError, match="has no noise component: turn it on first"):
        w.flag_noise()
    with pytest.raises(traitlets.TraitError, match="no noise component"):
        w.noise_cut = 0.5
    assert (w.threshold, w.n_anomalies, w.noise_cut) == (*before, None)
    w.noise = True
    for bad in (0.0, 1.0, 1.5, -0.2):
        with pytest.raises(ValueError, match="strictly between 0 and 1"):
            w.flag_noise(bad)
    # A model without a noise parameter (scikit-learn's) has no toggle.
    mixture = pytest.importorskip("sklearn.mixture")
    s = AnomalyInspector(X, model=mixture.GaussianMixture(3, random_state=0).fit(X))
    assert s.model_controls and not s.noise_controls
    with pytest.raises(traitlets.TraitError, match="has no noise to set"):
        s.noise = True
    assert not s.noise


def test_a_constant_feature_refuses_the_noise_and_keeps_the_model():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=300), np.ones(300)])
    w = AnomalyInspector(X, n_components=2, random_state=0, reg_covar=1e-3)
    model = w.model
    with pytest.raises(ValueError, match="box has volume 0"):
        w.noise = True
    assert w.model is model and not w.noise
    assert "box has volume 0" in w.message
