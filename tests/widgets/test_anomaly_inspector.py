"""AnomalyInspector, Python side: traits, binary transport, threshold consistency,
to_detector, the refit button path and bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
import traitlets

from gmm_widgets import AnomalyDetector, AnomalyInspector, GaussianMixture
from gmm_widgets.datasets import make_anomalies
from gmm_widgets.mixture.anomaly import (
    detection_metrics,
    percentile_of_threshold,
    refit_without_anomalies,
    threshold_from_contamination,
    threshold_from_percentile,
)
from gmm_widgets.widgets._transport import decode_array, remove_buffers
from tests.widgets.anomaly_fixture import FIXTURE, build_fixture


@pytest.fixture(scope="module")
def data():
    X, y = make_anomalies(600, contamination=0.05, n_components=3, random_state=0)
    return X, y


@pytest.fixture
def insp(data):
    X, y = data
    return AnomalyInspector(X, labels=y, n_components=3, random_state=0)


def _consistent(w: AnomalyInspector) -> None:
    """threshold, percentile, n_anomalies and anomalies all say the same thing."""
    scores = w.model.score_samples(w.X)
    np.testing.assert_array_equal(w.scores, scores)
    assert w.anomalies.dtype == bool and w.anomalies.shape == scores.shape
    np.testing.assert_array_equal(w.anomalies, scores < w.threshold)
    assert w.n_anomalies == int(w.anomalies.sum())
    assert w.percentile == percentile_of_threshold(scores, w.threshold)


def _lists_of_numbers(obj, path="state"):
    found = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k != "shape":
                found += _lists_of_numbers(v, f"{path}.{k}")
    elif isinstance(obj, (list, tuple)):
        if obj and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in obj):
            found.append(path)
        for i, v in enumerate(obj):
            found += _lists_of_numbers(v, f"{path}[{i}]")
    return found


# --------------------------------------------------------------------------- defaults


def test_starts_at_the_contamination_percentile(insp, data):
    _X, y = data
    assert isinstance(insp.model, GaussianMixture) and insp.model.n_components == 3
    assert insp.contamination == 0.04
    assert insp.threshold == threshold_from_contamination(insp.scores, 0.04)
    assert insp.threshold == float(np.percentile(insp.scores, 4.0))
    _consistent(insp)
    assert insp.n_anomalies == 24  # floor(599 * 0.04) + 1 distinct scores below
    assert insp.n_samples == 600 and insp.feature_names == ["x0", "x1"]
    assert insp.labels.dtype == bool and insp.labels.sum() == y.sum()
    m = insp.metrics
    assert m == detection_metrics(y, insp.anomalies)
    assert m.precision > 0.9 and m.recall > 0.6


def test_threshold_argument_and_other_contamination(data):
    X, _ = data
    w = AnomalyInspector(X, n_components=3, random_state=0, threshold=-9.5)
    assert w.threshold == -9.5 and w.contamination is None
    _consistent(w)
    w2 = AnomalyInspector(X, n_components=3, random_state=0, contamination=0.1)
    assert w2.threshold == threshold_from_percentile(w2.scores, 10.0)
    assert w2.metrics is None
    _consistent(w2)


def test_fitted_models_ours_and_sklearn_like(data):
    X, y = data
    gm = GaussianMixture(3, random_state=1).fit(X)
    w = AnomalyInspector(X, model=gm, labels=y)
    assert w.model is gm
    np.testing.assert_array_equal(w.scores, gm.score_samples(X))
    assert w._mixture["covariances"].shape == (3, 2, 2)
    # An unfitted model is fitted in place.
    unfitted = GaussianMixture(2, covariance_type="diag", random_state=0)
    w2 = AnomalyInspector(X, model=unfitted)
    assert w2.model is unfitted and hasattr(unfitted, "weights_")
    assert w2._mixture["covariance_type"] == "diag"
    np.testing.assert_allclose(
        w2._mixture["covariances"], np.stack([np.diag(c) for c in unfitted.covariances_])
    )


def test_scikit_learn_mixture(data):
    mixture = pytest.importorskip("sklearn.mixture")
    X, y = data
    sk = mixture.GaussianMixture(3, covariance_type="tied", random_state=0).fit(X)
    w = AnomalyInspector(X, model=sk, labels=y)
    np.testing.assert_array_equal(w.scores, sk.score_samples(X))
    _consistent(w)
    det = w.to_detector()
    np.testing.assert_array_equal(det.predict(X) == -1, w.anomalies)
    result = w.refit_without_anomalies()
    assert type(result.model) is type(sk) and result.model.covariance_type == "tied"


def test_density_model_without_mixture_parameters(data):
    neighbors = pytest.importorskip("sklearn.neighbors")
    X, _ = data
    kde = neighbors.KernelDensity(bandwidth=0.8).fit(X)
    w = AnomalyInspector(X, model=kde, contamination=0.05)
    assert w._mixture == {}
    _consistent(w)


# -------------------------------------------------------------------------- transport


def test_state_is_binary_float64_scores_never_json_lists(insp, data):
    _X, y = data
    state = insp.get_state()
    assert _lists_of_numbers(state) == []
    for key in ("_display_scores", "_sorted_scores"):
        enc = state[key]
        assert enc["dtype"] == "float64" and isinstance(enc["buffer"], memoryview)
    np.testing.assert_array_equal(decode_array(state["_sorted_scores"]), np.sort(insp.scores))
    np.testing.assert_array_equal(decode_array(state["_display_scores"]), insp.scores)
    order = np.argsort(insp.scores, kind="stable")
    np.testing.assert_array_equal(decode_array(state["_sorted_labels"]), y[order])
    assert state["_sorted_labels"]["dtype"] == "uint8"
    assert state["_mixture"]["means"]["dtype"] == "float64"
    assert state["data"]["dtype"] == "float32"
    json_state, paths, buffers = remove_buffers(state)
    json.dumps(json_state)  # the rest is plain JSON
    assert ["_sorted_scores", "buffer"] in paths and len(buffers) >= 8
    # The anomaly mask is derived in Python, never shipped.
    assert "anomalies" not in state


def test_display_subsample_keeps_every_score(data):
    X, y = data
    w = AnomalyInspector(X, labels=y, n_components=3, random_state=0, max_display_points=100)
    assert w.data.shape == (100, 2) and w.n_samples == 600
    rows = w._display_rows
    assert rows.dtype == np.int32 and rows.shape == (100,)
    np.testing.assert_array_equal(w._display_scores, w.scores[rows])
    np.testing.assert_array_equal(w._display_labels, y[rows])
    assert w._sorted_scores.shape == (600,)
    _consistent(w)


# ------------------------------------------------------------------ threshold syncing


def test_threshold_from_the_browser_updates_everything(insp):
    t = float(np.sort(insp.scores)[40]) + 1e-9
    insp.set_state({"threshold": t})  # what a drag release sends
    assert insp.threshold == t
    assert insp.contamination is None  # the user picked the threshold
    _consistent(insp)
    assert insp.n_anomalies == 41


def test_python_threshold_and_contamination_move_each_other(insp):
    insp.threshold = -8.0
    assert insp.contamination is None
    _consistent(insp)
    insp.contamination = 0.1
    assert insp.threshold == threshold_from_contamination(insp.scores, 0.1)
    _consistent(insp)
    # After a hand-set threshold, setting the old contamination again moves it back.
    insp.contamination = 0.04
    t4 = insp.threshold
    insp.threshold = t4 - 1
    insp.contamination = 0.04
    assert insp.threshold == t4


def test_percentile_and_anomalies_are_read_only(insp):
    with pytest.raises(traitlets.TraitError):
        insp.percentile = 10.0
    with pytest.raises(traitlets.TraitError):
        insp.anomalies = np.zeros(600, bool)
    with pytest.raises(traitlets.TraitError):
        insp.n_anomalies = 3


def test_bad_values_from_python_are_refused(insp):
    before = insp.threshold
    for bad in (float("nan"), float("inf")):
        with pytest.raises(traitlets.TraitError, match="finite"):
            insp.threshold = bad
    for bad in (0.0, 0.6, -0.1, 4.0):
        with pytest.raises(traitlets.TraitError, match=r"\(0, 0.5\]"):
            insp.contamination = bad
    assert insp.threshold == before
    _consistent(insp)


def test_unrelated_changes_keep_the_users_threshold(insp, data):
    _X, y = data
    insp.set_state({"threshold": -7.25})
    insp.set_state({"y_feature": 0, "projection": "pca"})
    insp.x_feature = 1
    insp.labels = 1 - y
    insp.message = "something"
    assert insp.threshold == -7.25 and insp.contamination is None
    assert insp.metrics == detection_metrics(1 - y, insp.anomalies)
    _consistent(insp)


def test_threshold_changes_are_observable(insp):
    seen = []
    insp.observe(lambda c: seen.append(int(c["new"].sum())), "anomalies")
    insp.contamination = 0.2
    assert seen and seen[-1] == insp.n_anomalies


# ------------------------------------------------------------------------ to_detector


def test_to_detector_uses_the_chosen_threshold(insp, data):
    X, _ = data
    insp.set_state({"threshold": -8.3})
    det = insp.to_detector()
    assert isinstance(det, AnomalyDetector)
    assert det.threshold_ == -8.3 and det.model_ is insp.model
    np.testing.assert_array_equal(det.labels_, np.where(insp.anomalies, -1, 1))
    np.testing.assert_array_equal(det.predict(X) == -1, insp.anomalies)
    assert det.percentile_ == insp.percentile
    X_new = np.array([[0.0, 0.0], [1e3, -1e3]])
    assert det.predict(X_new)[1] == -1
    np.testing.assert_allclose(det.decision_function(X_new), insp.model.score_samples(X_new) + 8.3)


# ----------------------------------------------------------------------------- refit


def test_refit_button_path(insp, data, sent):
    X, _ = data
    sent(insp)
    old_model, old_threshold = insp.model, insp.threshold
    flagged = insp.anomalies.copy()
    expected = refit_without_anomalies(old_model, X, threshold=old_threshold)
    states = []
    insp.observe(lambda c: states.append(c["new"]), "busy")
    insp._on_custom_msg(insp, {"type": "refit"}, [])  # the button
    assert states == [True, False] and insp.message == ""
    assert insp.model is not old_model
    np.testing.assert_allclose(insp.model.means_, expected.model.means_)
    info = insp.refit_info
    assert info["n_removed"] == int(flagged.sum()) == insp.last_refit.n_removed
    assert info["n_kept"] == 600 - info["n_removed"] and info["n_samples"] == 600
    assert info["rule"] == "contamination" and info["n_refits"] == insp.n_refits == 1
    # The contamination carries over: same fraction, threshold on the new scores.
    assert insp.contamination == 0.04
    assert insp.threshold == threshold_from_contamination(insp.scores, 0.04)
    np.testing.assert_array_equal(insp.scores, insp.model.score_samples(X))
    _consistent(insp)
    assert info["n_flagged_after"] == insp.n_anomalies
    assert info["n_removed_still_flagged"] == int((insp.anomalies & flagged).sum())
    # The new scores went to the browser.
    np.testing.assert_array_equal(insp._sorted_scores, np.sort(insp.scores))
    np.testing.assert_allclose(insp._mixture["means"], insp.model.means_)
    # Undo restores everything.
    insp._on_custom_msg(insp, {"type": "undo"}, [])
    assert insp.model is old_model and insp.threshold == old_threshold
    assert insp.n_refits == 0 and insp.refit_info == {}
    _consistent(insp)


def test_refit_after_a_drag_keeps_the_fraction(insp):
    insp.set_state({"threshold": float(np.sort(insp.scores)[29]) + 1e-9})  # 30 flagged
    assert insp.contamination is None and insp.percentile == 5.0
    insp.refit_without_anomalies()
    assert insp.refit_info["rule"] == "percentile"
    assert insp.contamination is None
    assert insp.threshold == threshold_from_percentile(insp.scores, 5.0)
    assert abs(insp.n_anomalies - 30) <= 1
    _consistent(insp)
    # Refits stack, undo pops one at a time.
    insp.refit_without_anomalies()
    assert insp.n_refits == 2 and insp.refit_info["n_refits"] == 2
    insp.undo_refit()
    assert insp.n_refits == 1 and insp.refit_info["n_refits"] == 1
    insp.undo_refit()
    with pytest.raises(ValueError, match="no refit to undo"):
        insp.undo_refit()


def test_refit_errors_are_shown_not_raised_from_the_button(insp):
    insp.threshold = float(insp.scores.min()) - 1  # nothing flagged
    with pytest.raises(ValueError, match="nothing to remove"):
        insp.refit_without_anomalies()
    insp._on_custom_msg(insp, {"type": "refit"}, [])
    assert insp.message.startswith("ValueError: no point is below the threshold")
    assert insp.busy is False and insp.n_refits == 0
    insp.threshold = float(insp.scores.max()) + 1  # everything flagged
    insp._on_custom_msg(insp, {"type": "refit"}, [])
    assert "leaving nothing to refit" in insp.message
    insp._on_custom_msg(insp, {"type": "something else"}, [])
    insp._on_custom_msg(insp, "not a dict", [])


# ---------------------------------------------------------------------------- shapes


def test_one_feature_and_many_features():
    rng = np.random.default_rng(0)
    X1 = np.concatenate([rng.normal(size=300), [9.0, -9.0]])[:, None]
    w1 = AnomalyInspector(X1, n_components=1, contamination=0.01)
    assert w1._mixture["covariances"].shape == (1, 1, 1)
    assert w1.anomalies[-2:].all()
    X5 = rng.normal(size=(200, 5))
    w5 = AnomalyInspector(X5, n_components=2, random_state=0)
    assert set(w5.pca) == {"components", "mean", "explained_variance_ratio"}
    w5.x_feature, w5.y_feature = 3, 4
    with pytest.raises(traitlets.TraitError, match=r"\[0, 4\]"):
        w5.x_feature = 5
    _consistent(w5)


def test_float32_and_dataframe_input(data):
    pd = pytest.importorskip("pandas")
    X, y = data
    df = pd.DataFrame(X.astype(np.float32), columns=["income", "spend"])
    w = AnomalyInspector(df, labels=pd.Series(y), n_components=3, random_state=0)
    assert w.feature_names == ["income", "spend"]
    assert w.scores.dtype == np.float64
    _consistent(w)


# ------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"labels": np.zeros(599)}, ValueError, "599 entries but there are 600"),
        ({"labels": np.full(600, 2)}, ValueError, "binary"),
        ({"labels": np.array(["a"] * 600)}, TypeError, "0/1 or booleans"),
        ({"labels": np.zeros((600, 1))}, ValueError, "1-D"),
        ({"contamination": 0.0}, ValueError, r"\(0, 0.5\]"),
        ({"contamination": 0.6}, ValueError, r"\(0, 0.5\]"),
        ({"contamination": 4}, ValueError, "not a percentage"),
        ({"contamination": "5%"}, TypeError, "contamination must be a number"),
        ({"contamination": None}, ValueError, "contamination= .* or threshold="),
        ({"threshold": float("nan")}, ValueError, "finite"),
        ({"threshold": "low"}, TypeError, "threshold must be a number"),
        ({"n_compnents": 3}, TypeError, "unexpected keyword argument"),
        ({"n_components": 0}, ValueError, "n_components"),
    ],
)
def test_bad_input_is_refused_before_display(data, kwargs, error, match):
    X, _ = data
    with pytest.raises(error, match=match):
        AnomalyInspector(X, **kwargs)


def test_bad_models_are_refused(data):
    X, _ = data
    gm3 = GaussianMixture(2, random_state=0).fit(np.random.default_rng(0).normal(size=(50, 3)))
    with pytest.raises(ValueError, match="fitted on 3 feature"):
        AnomalyInspector(X, model=gm3)
    with pytest.raises(TypeError, match="not both"):
        AnomalyInspector(X, model=GaussianMixture(2), n_components=3)
    with pytest.raises(TypeError, match="density model"):
        AnomalyInspector(X, model=object())
    with pytest.raises(TypeError, match="instance, not the class"):
        AnomalyInspector(X, model=GaussianMixture)
    with pytest.raises(ValueError, match="NaN"):
        AnomalyInspector(np.array([[0.0, np.nan], [1.0, 2.0]]))


def test_labels_setter_validates(insp):
    with pytest.raises(ValueError, match="entries"):
        insp.labels = [1, 0]
    insp.labels = None
    assert insp.metrics is None and insp._sorted_labels is None


# ------------------------------------------------------------- JS reference numbers


def test_js_fixture_matches_the_python_core():
    """js/tests/fixtures/anomaly_metrics.json is what anomaly.py computes today."""
    assert json.loads(FIXTURE.read_text()) == json.loads(json.dumps(build_fixture()))
