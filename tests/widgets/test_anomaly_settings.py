"""AnomalyInspector's density settings (K, covariance, seed, n_init): refit, rule, undo."""

from __future__ import annotations

import numpy as np
import pytest
import traitlets

from gmm_widgets.datasets import make_anomalies
from gmm_widgets.mixture import GaussianMixture
from gmm_widgets.mixture.anomaly import threshold_from_contamination
from gmm_widgets.widgets import AnomalyInspector
from gmm_widgets.widgets._model_controls import ProgressReporter, controlled_settings


@pytest.fixture(scope="module")
def data():
    return make_anomalies(1500, contamination=0.05, random_state=0)


def test_the_controls_show_the_models_settings(data):
    X, y = data
    w = AnomalyInspector(X, labels=y, n_components=3, random_state=7, n_init=2)
    assert w.model_controls
    assert (w.n_components, w.covariance_type, w.random_state, w.n_init) == (3, "full", 7, 2)
    assert w.k_min == 1 and w.k_max >= 10


def test_a_new_k_refits_on_every_row_and_keeps_the_contamination(data):
    X, y = data
    w = AnomalyInspector(X, labels=y, n_components=3, random_state=0, contamination=0.05)
    first = w.model
    w.n_components = 5
    assert w.model is not first and w.model.n_components == 5
    expected = GaussianMixture(5, random_state=0).fit(X)
    np.testing.assert_allclose(w.model.means_, expected.means_, rtol=1e-10)
    np.testing.assert_array_equal(w.scores, expected.score_samples(X))
    assert w.contamination == 0.05
    assert w.threshold == threshold_from_contamination(w.scores, 0.05)
    assert w.refit_info["kind"] == "settings" and w.refit_info["rule"] == "contamination"
    assert w.n_refits == 1 and w.metrics is not None


def test_a_dragged_threshold_keeps_its_fraction(data):
    X, _ = data
    w = AnomalyInspector(X, n_components=3, random_state=0)
    w.threshold = float(np.sort(w.scores)[123])  # as a drag sets it: 123 points below
    assert w.contamination is None and w.n_anomalies == 123
    w.covariance_type = "diag"
    assert w.model.covariance_type == "diag"
    assert w.n_anomalies == 123 and w.refit_info["rule"] == "percentile"


def test_undo_restores_model_threshold_controls_and_choice(data):
    X, _ = data
    w = AnomalyInspector(X, contamination=0.03)
    choice, model, t = w.model_choice, w.model, w.threshold
    assert choice
    w.n_init = 2
    w.random_state = 11
    assert w.model_choice == "" and w.n_refits == 2
    w.undo_refit()
    w.undo_refit()
    assert w.model is model and w.threshold == t and w.model_choice == choice
    assert (w.n_init, w.random_state) == (1, 0)
    assert controlled_settings(w.model) == {
        "n_components": w.n_components,
        "covariance_type": w.covariance_type,
        "random_state": w.random_state,
        "n_init": w.n_init,
        "noise": w.noise,
    }


def test_a_fit_that_fails_keeps_everything(data):
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(200, 2)), np.tile([[20.0, 20.0]], (60, 1))])
    w = AnomalyInspector(X, n_components=1, reg_covar=0.0, random_state=0, contamination=0.1)
    model, t = w.model, w.threshold
    with pytest.raises(ValueError, match="ill-defined empirical covariance"):
        w.n_components = 2  # the 60 copies collapse a component without reg_covar
    assert w.model is model and w.threshold == t and w.n_components == 1
    assert w.message.startswith("ValueError: ") and w.n_refits == 0
    # From the browser the error goes to the view, not to the kernel's log.
    w.set_state({"n_components": 2})
    assert w.model is model and w.n_components == 1 and "ill-defined" in w.message


def test_a_change_from_the_browser_refits_too(data):
    X, _ = data
    w = AnomalyInspector(X, n_components=2, random_state=0)
    w.set_state({"n_components": 4, "covariance_type": "spherical"})
    assert (w.model.n_components, w.model.covariance_type) == (4, "spherical")


def test_scikit_learns_mixture_is_tuned_too(data):
    mixture = pytest.importorskip("sklearn.mixture")
    X, _ = data
    w = AnomalyInspector(X, model=mixture.GaussianMixture(2, random_state=0).fit(X))
    w.n_components = 3
    assert isinstance(w.model, mixture.GaussianMixture) and w.model.n_components == 3


def test_a_density_without_settings_hides_the_controls(data):
    X, _ = data

    class Nearest:
        def fit(self, X):
            self.X_ = np.asarray(X)
            return self

        def score_samples(self, X):
            return -((np.asarray(X)[:, None, :] - self.X_[None, :50]) ** 2).sum(-1).min(1)

    w = AnomalyInspector(X, model=Nearest().fit(X))
    assert not w.model_controls
    with pytest.raises(traitlets.TraitError, match="has no n_components"):
        w.n_components = 3
    assert w.n_components == 1


@pytest.mark.parametrize(
    ("name", "value", "match"),
    [
        ("n_components", 0, "between 1 and the 1500 samples"),
        ("n_init", 0, "n_init must be between 1 and 50"),
        ("random_state", -1, "random_state must be in"),
        ("covariance_type", "round", "covariance_type"),
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(data, name, value, match):
    X, _ = data
    w = AnomalyInspector(X, n_components=2, random_state=0)
    model = w.model
    with pytest.raises(traitlets.TraitError, match=match):
        setattr(w, name, value)
    assert w.model is model and w.n_refits == 0


@pytest.mark.filterwarnings("ignore:Best performing initialization did not converge")
def test_progress_reaches_the_view_while_fitting(data):
    X, _ = data
    w = AnomalyInspector(X, n_components=2, random_state=0)
    seen = []
    w.observe(lambda change: seen.append(change["new"]), "fit_progress")
    w.n_components = 4
    assert seen and seen[0]["n_iter"] == 0 and seen[0]["init"] == 1
    assert seen[-1] == {}  # cleared when the fit ends

    reports = []
    reporter = ProgressReporter(reports.append, n_init=3, interval=0.0)
    GaussianMixture(3, n_init=3, random_state=0, max_iter=5, callbacks=reporter).fit(X)
    assert [r["init"] for r in reports][::6] == [1, 2, 3]
    assert all(r["n_init"] == 3 for r in reports)
