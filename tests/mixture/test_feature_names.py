"""DataFrame columns are checked like scikit-learn: renamed or reordered columns are refused."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gmm_widgets import AnomalyDetector, GaussianMixture

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(0)
    values = np.vstack([rng.normal(size=(200, 3)), rng.normal(size=(200, 3)) * [1, 5, 9] + 4])
    return pd.DataFrame(values, columns=["spend", "visits", "age"])


@pytest.fixture(scope="module")
def fitted(frame):
    return GaussianMixture(2, random_state=0).fit(frame)


METHODS = ["score_samples", "predict", "predict_proba", "score"]


@pytest.mark.parametrize("method", METHODS)
def test_reordered_columns_are_refused(fitted, frame, method):
    with pytest.raises(ValueError, match="same order as they were in fit") as err:
        getattr(fitted, method)(frame[["visits", "spend", "age"]])
    assert "The feature names should match those that were passed during fit" in str(err.value)
    assert "X[model.feature_names_in_]" in str(err.value)


@pytest.mark.parametrize("method", METHODS)
def test_renamed_columns_name_what_is_missing_and_unexpected(fitted, frame, method):
    with pytest.raises(ValueError) as err:
        getattr(fitted, method)(frame.rename(columns={"age": "years"}))
    text = str(err.value)
    assert "Feature names unseen at fit time:\n- years" in text
    assert "Feature names seen at fit time, yet now missing:\n- age" in text


def test_arrays_and_frames_warn_as_in_scikit_learn(fitted, frame):
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        fitted.score_samples(frame.to_numpy())
    plain = GaussianMixture(2, random_state=0).fit(frame.to_numpy())
    with pytest.warns(UserWarning, match="X has feature names, but GaussianMixture was fitted"):
        plain.score_samples(frame)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fitted.score_samples(frame)  # the same columns: silent


def test_the_detector_keeps_and_checks_the_names(frame):
    detector = AnomalyDetector(GaussianMixture(2, random_state=0), contamination=0.05)
    detector.fit(frame)
    assert list(detector.feature_names_in_) == ["spend", "visits", "age"]
    assert (detector.predict(frame) == -1).mean() == pytest.approx(0.05)
    for method in ("predict", "score_samples", "decision_function"):
        with pytest.raises(ValueError, match="same order"):
            getattr(detector, method)(frame[["age", "visits", "spend"]])


def test_a_prefit_detector_checks_against_its_model(fitted, frame):
    with pytest.raises(ValueError, match="unseen at fit time"):
        AnomalyDetector(fitted, prefit=True).fit(frame.rename(columns={"spend": "cost"}))


def test_widgets_given_a_model_check_the_columns(fitted, frame):
    pytest.importorskip("anywidget")
    from gmm_widgets import AnomalyInspector, MixtureSummary

    swapped = frame[["age", "visits", "spend"]]
    with pytest.raises(ValueError, match="same order"):
        AnomalyInspector(swapped, model=fitted)
    with pytest.raises(ValueError, match="same order"):
        MixtureSummary(fitted, swapped)
    AnomalyInspector(frame, model=fitted)  # the same columns work
