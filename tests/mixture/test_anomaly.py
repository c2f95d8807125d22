"""gmm_widgets.mixture.anomaly: thresholds, the detector, the refit helper, metrics."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from gmm_widgets import GaussianMixture
from gmm_widgets.datasets import make_anomalies
from gmm_widgets.mixture._validation import NotFittedError
from gmm_widgets.mixture.anomaly import (
    DEFAULT_CONTAMINATION,
    AnomalyDetector,
    RefitResult,
    detection_metrics,
    percentile_of_threshold,
    precision_recall_curve,
    refit_without_anomalies,
    threshold_from_contamination,
    threshold_from_percentile,
)


@pytest.fixture(scope="module")
def data():
    X, y = make_anomalies(600, contamination=0.05, n_components=2, random_state=0)
    return X, y


@pytest.fixture(scope="module")
def fitted(data):
    X, _ = data
    return GaussianMixture(2, random_state=0).fit(X)


# ----------------------------------------------------------------------------- thresholds


@pytest.mark.parametrize("percentile", [0.5, 4.0, 10.0, 33.3, 50.0, 99.0])
def test_threshold_from_percentile_equals_np_percentile(percentile):
    scores = np.random.default_rng(1).normal(size=517)
    assert threshold_from_percentile(scores, percentile) == np.percentile(scores, percentile)


@pytest.mark.parametrize("contamination", [0.01, 0.04, 0.1, 0.25, 0.5])
def test_threshold_from_contamination_flags_about_c_n(contamination):
    rng = np.random.default_rng(2)
    for n in (50, 101, 1000):
        scores = rng.normal(size=n)
        t = threshold_from_contamination(scores, contamination)
        assert t == np.percentile(scores, 100 * contamination)
        n_flagged = int((scores < t).sum())
        assert abs(n_flagged - contamination * n) <= 1
        assert percentile_of_threshold(scores, t) == pytest.approx(100 * n_flagged / n)


def test_threshold_works_on_model_scores(fitted, data):
    X, _ = data
    s = fitted.score_samples(X)
    t = threshold_from_contamination(s, 0.05)
    assert int((s < t).sum()) == 30


@pytest.mark.parametrize("bad", [0, -0.1, 0.51, 4, float("nan")])
def test_contamination_out_of_range(bad):
    with pytest.raises(ValueError, match=r"contamination must be in \(0, 0.5\]"):
        threshold_from_contamination([1.0, 2.0, 3.0], bad)


def test_contamination_percentage_hint():
    with pytest.raises(ValueError, match="not a percentage"):
        threshold_from_contamination([1.0, 2.0, 3.0], 4)


@pytest.mark.parametrize("bad", [0, 100, -1, 150])
def test_percentile_out_of_range(bad):
    with pytest.raises(ValueError, match=r"percentile must be in \(0, 100\)"):
        threshold_from_percentile([1.0, 2.0, 3.0], bad)


def test_bad_types():
    with pytest.raises(TypeError, match="contamination"):
        threshold_from_contamination([1.0, 2.0], "0.1")
    with pytest.raises(TypeError, match="percentile"):
        threshold_from_percentile([1.0, 2.0], None)
    with pytest.raises(TypeError, match="scores"):
        threshold_from_percentile(["a", "b"], 5)


@pytest.mark.parametrize(
    ("scores", "match"),
    [
        ([1.0, np.nan, 2.0], "scores contains NaN"),
        ([1.0, np.inf], "scores contains infinity"),
        ([], "scores is empty"),
        ([[1.0, 2.0], [3.0, 4.0]], "1-D"),
    ],
)
def test_bad_scores(scores, match):
    with pytest.raises(ValueError, match=match):
        threshold_from_contamination(scores, 0.1)


# ----------------------------------------------------------------------------- metrics


def test_detection_metrics_against_hand_counts():
    rng = np.random.default_rng(3)
    labels = rng.random(200) < 0.2
    flags = rng.random(200) < 0.3
    m = detection_metrics(labels.astype(int), flags)
    tp = np.sum(labels & flags)
    fp = np.sum(~labels & flags)
    fn = np.sum(labels & ~flags)
    assert (m.true_positives, m.false_positives, m.false_negatives) == (tp, fp, fn)
    assert m.true_negatives == 200 - tp - fp - fn
    assert m.precision == pytest.approx(tp / (tp + fp))
    assert m.recall == pytest.approx(tp / (tp + fn))
    assert m.f1 == pytest.approx(2 * tp / (2 * tp + fp + fn))


def test_detection_metrics_agree_with_sklearn():
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(4)
    labels = (rng.random(300) < 0.1).astype(int)
    flags = rng.random(300) < 0.15
    m = detection_metrics(labels, flags)
    assert m.precision == pytest.approx(metrics.precision_score(labels, flags))
    assert m.recall == pytest.approx(metrics.recall_score(labels, flags))
    assert m.f1 == pytest.approx(metrics.f1_score(labels, flags))


def test_detection_metrics_nothing_flagged():
    m = detection_metrics([1, 0, 0], [False, False, False])
    assert (m.precision, m.recall, m.f1) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize(
    ("labels", "exc", "match"),
    [
        ([1, 0], ValueError, "labels has 2 entries but"),
        ([1, -1, 1], ValueError, r"pred == -1"),
        ([0, 2, 1], ValueError, "binary"),
        (["a", "b", "c"], TypeError, "labels must hold 0/1"),
    ],
)
def test_bad_labels(labels, exc, match):
    with pytest.raises(exc, match=match):
        detection_metrics(labels, [True, False, True])
    with pytest.raises(exc, match=match):
        precision_recall_curve(labels, [0.1, 0.2, 0.3])


def test_precision_recall_curve_matches_direct_counts():
    rng = np.random.default_rng(5)
    scores = np.round(rng.normal(size=300), 1)  # with ties
    labels = (scores + rng.normal(scale=0.8, size=300) < -1.2).astype(int)
    precision, recall, thresholds = precision_recall_curve(labels, scores)
    assert np.all(np.diff(thresholds) > 0) and np.all(np.diff(recall) >= 0)
    assert recall[-1] == 1.0
    assert len(thresholds) == len(np.unique(scores))
    for i in range(0, len(thresholds), 7):
        m = detection_metrics(labels, scores < thresholds[i])
        assert precision[i] == pytest.approx(m.precision)
        assert recall[i] == pytest.approx(m.recall)


def test_precision_recall_curve_needs_an_anomaly():
    with pytest.raises(ValueError, match="no anomaly"):
        precision_recall_curve([0, 0, 0], [1.0, 2.0, 3.0])


# ----------------------------------------------------------------------------- detector


def test_detector_agrees_with_the_mask(data):
    X, y = data
    det = AnomalyDetector(GaussianMixture(2, random_state=0), contamination=0.05)
    labels = det.fit_predict(X)
    scores = det.score_samples(X)
    mask = scores < threshold_from_contamination(scores, 0.05)
    assert det.threshold_ == det.offset_ == threshold_from_contamination(scores, 0.05)
    np.testing.assert_array_equal(labels == -1, mask)
    np.testing.assert_array_equal(det.predict(X) == -1, mask)
    np.testing.assert_array_equal(det.decision_function(X) < 0, mask)
    np.testing.assert_allclose(det.decision_function(X), scores - det.threshold_)
    assert set(np.unique(labels)) == {-1, 1}
    assert det.percentile_ == pytest.approx(100 * mask.mean())
    assert det.n_features_in_ == 2
    # The mixture finds the planted outliers well.
    assert detection_metrics(y, mask).f1 > 0.7


def test_detector_default_contamination(data):
    X, _ = data
    det = AnomalyDetector(GaussianMixture(2, random_state=0)).fit(X)
    n = (det.labels_ == -1).sum()
    assert abs(n - DEFAULT_CONTAMINATION * len(X)) <= 1


def test_detector_fixed_threshold(data, fitted):
    X, _ = data
    s = fitted.score_samples(X)
    t = float(np.median(s))
    det = AnomalyDetector(fitted, threshold=t).fit(X)
    assert det.threshold_ == t
    assert det.percentile_ == pytest.approx(100 * np.mean(s < t))


def test_detector_prefit_model_is_used_as_is(data, fitted):
    X, _ = data
    means = fitted.means_.copy()
    det = AnomalyDetector(fitted, contamination=0.1).fit(X[:300])
    assert det.model_ is fitted
    np.testing.assert_array_equal(fitted.means_, means)
    np.testing.assert_allclose(det.score_samples(X), fitted.score_samples(X))


def test_detector_unfitted_model_is_not_modified(data):
    X, _ = data
    gm = GaussianMixture(2, random_state=0)
    det = AnomalyDetector(gm).fit(X)
    assert not hasattr(gm, "means_")
    assert det.model_ is not gm and hasattr(det.model_, "means_")


def test_detector_prefit_false_refits_a_copy(data, fitted):
    X, _ = data
    det = AnomalyDetector(fitted, prefit=False).fit(X[:200])
    assert det.model_ is not fitted
    assert not np.allclose(det.model_.means_, fitted.means_)


def test_detector_prefit_true_needs_a_fitted_model(data):
    X, _ = data
    with pytest.raises(NotFittedError, match="prefit=True"):
        AnomalyDetector(GaussianMixture(2), prefit=True).fit(X)
    with pytest.raises(ValueError, match="prefit must be"):
        AnomalyDetector(prefit="yes").fit(X)


def test_novelty_mode(data):
    X, y = data
    clean = X[y == 0]
    det = AnomalyDetector(GaussianMixture(2, random_state=0), contamination=0.01, novelty=True)
    det.fit(clean)
    # On clean data about 1 % is flagged (the false-alarm rate); new outliers are caught.
    assert abs((det.labels_ == -1).sum() - 0.01 * len(clean)) <= 1
    pred = det.predict(X[y == 1])
    assert np.mean(pred == -1) > 0.9
    assert not hasattr(det, "fit_predict")
    with pytest.raises(AttributeError, match="novelty=True"):
        det.fit_predict(X)
    assert hasattr(AnomalyDetector(), "fit_predict")


def test_detector_works_with_sklearn_models(data):
    mixture = pytest.importorskip("sklearn.mixture")
    X, _ = data
    sk = mixture.GaussianMixture(2, random_state=0).fit(X)
    det = AnomalyDetector(sk, contamination=0.05).fit(X)
    s = sk.score_samples(X)
    np.testing.assert_array_equal(det.predict(X) == -1, s < np.percentile(s, 5))
    det2 = AnomalyDetector(mixture.GaussianMixture(2, random_state=0), prefit=False).fit(X)
    assert det2.model_ is not det2.model


def test_detector_bad_input(data, fitted):
    X, _ = data
    with pytest.raises(ValueError, match="contamination must be in"):
        AnomalyDetector(contamination=0.9).fit(X)
    with pytest.raises(ValueError, match="either threshold or contamination"):
        AnomalyDetector(fitted, contamination=0.1, threshold=-3.0).fit(X)
    with pytest.raises(TypeError, match="threshold must be a number"):
        AnomalyDetector(fitted, threshold="low").fit(X)
    with pytest.raises(TypeError, match="model must be a density model"):
        AnomalyDetector(model=object()).fit(X)
    with pytest.raises(
        ValueError, match=r"X has 3 features, but \w+ is expecting 2 features as input"
    ):
        AnomalyDetector(fitted).fit(np.ones((10, 3)))
    det = AnomalyDetector(fitted).fit(X)
    with pytest.raises(ValueError, match="X has 1 features"):
        det.predict(np.ones((10, 1)))
    with pytest.raises(ValueError, match="NaN"):
        det.predict(np.array([[np.nan, 0.0]]))
    with pytest.raises(NotFittedError, match="not fitted"):
        AnomalyDetector().predict(X)


def test_get_set_params():
    det = AnomalyDetector(GaussianMixture(2), contamination=0.1)
    params = det.get_params()
    assert params["contamination"] == 0.1 and params["model__n_components"] == 2
    det.set_params(model__n_components=4, novelty=True)
    assert det.model.n_components == 4 and det.novelty is True
    with pytest.raises(ValueError, match="Invalid parameter"):
        det.set_params(bogus=1)


def test_sklearn_clone_and_tags(data):
    base = pytest.importorskip("sklearn.base")
    X, _ = data
    det = AnomalyDetector(GaussianMixture(2, random_state=0), contamination=0.05).fit(X)
    c = base.clone(det)
    assert c is not det and c.model is not det.model
    assert c.get_params()["contamination"] == 0.05
    assert not hasattr(c, "threshold_") and not hasattr(c.model, "means_")
    np.testing.assert_array_equal(c.fit(X).labels_, det.labels_)
    assert base.is_outlier_detector(det)


def test_anomaly_module_imports_no_plotting_or_widgets():
    code = (
        "import sys, gmm_widgets.mixture.anomaly; "
        "bad = [m for m in ('matplotlib', 'traitlets', 'ipywidgets', 'sklearn') "
        "if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# ----------------------------------------------------------------------------- refit


def test_refit_removes_the_right_count(data):
    X, _ = data
    result = refit_without_anomalies(GaussianMixture(2, random_state=0), X, contamination=0.05)
    assert isinstance(result, RefitResult)
    scores = result.original_model.score_samples(X)
    expected = scores < np.percentile(scores, 5)
    np.testing.assert_array_equal(result.anomalies, expected)
    assert result.n_removed == int(expected.sum()) == 30
    assert result.n_kept == len(X) - 30 and result.n_samples == len(X)
    assert result.threshold == np.percentile(scores, 5)


def test_refit_model_differs_sensibly(data):
    X, y = data
    gm = GaussianMixture(2, random_state=0)
    result = refit_without_anomalies(gm, X, contamination=0.05)
    new, old = result.model, result.original_model
    assert new is not old and not hasattr(gm, "means_")
    assert new.get_params() == gm.get_params()
    # The outliers inflated the covariances; without them the components are tighter
    # (smaller total log-volume), while the means stay near the clusters.
    old_logdet = np.linalg.slogdet(old.covariances_full())[1]
    new_logdet = np.linalg.slogdet(new.covariances_full())[1]
    assert new_logdet.sum() < old_logdet.sum() - 0.5
    order = [np.argmin(np.linalg.norm(old.means_ - m, axis=1)) for m in new.means_]
    assert np.linalg.norm(new.means_ - old.means_[order], axis=1).max() < 1.0
    # And it describes the inliers better.
    assert new.score(X[y == 0]) > old.score(X[y == 0])
    # The refit equals a direct fit of a fresh model on the kept points.
    direct = GaussianMixture(2, random_state=0).fit(X[~result.anomalies])
    np.testing.assert_allclose(new.means_, direct.means_)


def test_refit_with_prefit_model_and_threshold(data, fitted):
    X, _ = data
    s = fitted.score_samples(X)
    t = float(np.percentile(s, 10))
    means = fitted.means_.copy()
    result = refit_without_anomalies(fitted, X, threshold=t)
    assert result.original_model is fitted
    np.testing.assert_array_equal(fitted.means_, means)  # never modified
    assert result.n_removed == int((s < t).sum())


def test_refit_passes_sample_weight(data):
    X, _ = data
    w = np.ones(len(X))
    w[: len(X) // 2] = 2.0
    r1 = refit_without_anomalies(GaussianMixture(2, random_state=0), X, contamination=0.05)
    r2 = refit_without_anomalies(
        GaussianMixture(2, random_state=0), X, contamination=0.05, sample_weight=w
    )
    assert not np.allclose(r1.model.means_, r2.model.means_)


def test_refit_works_with_sklearn(data):
    mixture = pytest.importorskip("sklearn.mixture")
    X, _ = data
    result = refit_without_anomalies(mixture.GaussianMixture(2, random_state=0), X, threshold=-8.0)
    assert type(result.model).__module__.startswith("sklearn")
    assert result.n_removed == int((result.original_model.score_samples(X) < -8.0).sum())


def test_refit_bad_input(data, fitted):
    X, _ = data
    with pytest.raises(ValueError, match=r"pass threshold= .* or contamination="):
        refit_without_anomalies(fitted, X)
    with pytest.raises(ValueError, match="either threshold or contamination"):
        refit_without_anomalies(fitted, X, threshold=-5.0, contamination=0.1)
    with pytest.raises(ValueError, match=r"contamination must be in \(0, 0.5\]"):
        refit_without_anomalies(fitted, X, contamination=0.0)
    with pytest.raises(
        ValueError, match=r"X has 3 features, but \w+ is expecting 2 features as input"
    ):
        refit_without_anomalies(fitted, np.ones((20, 3)), contamination=0.1)
    with pytest.raises(ValueError, match="flags all"):
        refit_without_anomalies(fitted, X, threshold=1e9)
    with pytest.raises(ValueError, match="sample_weight must have shape"):
        refit_without_anomalies(fitted, X, contamination=0.1, sample_weight=np.ones(3))
