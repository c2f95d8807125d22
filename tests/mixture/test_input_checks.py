"""Issue 14: inputs that gave a silently wrong answer now give the right one or a clear error."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gmm_widgets import GaussianMixture
from gmm_widgets.mixture import AnomalyDetector
from tests.helpers import make_mixture

COV_TYPES = ["full", "tied", "diag", "spherical"]
X, _ = make_mixture(n_per=60, d=2, K=3, seed=11)


# ----------------------------------------------------------------- item 3: weight scale
@pytest.mark.parametrize("ct", COV_TYPES)
@pytest.mark.parametrize("scale", [1e-15, 1e-300, 1e300])
def test_fit_does_not_depend_on_the_weights_scale(ct, scale):
    w = np.random.default_rng(0).uniform(0.5, 2.0, size=len(X))
    kw = dict(covariance_type=ct, random_state=0, max_iter=50)
    ref = GaussianMixture(3, **kw).fit(X, sample_weight=w)
    scaled = GaussianMixture(3, **kw).fit(X, sample_weight=w * scale)
    # Before the fix, a total weight near 1e-12 collapsed every mean onto the data's centre.
    assert np.ptp(scaled.means_[:, 0]) > 1.0
    np.testing.assert_allclose(scaled.means_, ref.means_, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(scaled.weights_, ref.weights_, rtol=1e-9)
    assert scaled.n_iter_ == ref.n_iter_


def test_unit_and_integer_weights_are_left_exact():
    from gmm_widgets.mixture._validation import check_sample_weight

    w = np.random.default_rng(1).integers(1, 3, size=len(X)).astype(float)
    np.testing.assert_array_equal(check_sample_weight(w, len(X)), w)
    np.testing.assert_array_equal(check_sample_weight(np.ones(5), 5), np.ones(5))


@pytest.mark.parametrize(
    ("w", "match"),
    [
        (np.zeros(len(X)), "all zero"),
        (np.full(len(X), np.nan), "NaN or infinity"),
        (np.full(len(X), np.inf), "NaN or infinity"),
    ],
)
def test_degenerate_weights_are_still_refused(w, match):
    with pytest.raises(ValueError, match=match):
        GaussianMixture(2).fit(X, sample_weight=w)


@pytest.mark.parametrize("prefit", [True, "auto"])
def test_prefit_detector_checks_sample_weight_length(prefit):
    model = GaussianMixture(2, random_state=0).fit(X)
    with pytest.raises(ValueError, match=rf"sample_weight must have shape \({len(X)},\)"):
        AnomalyDetector(model, prefit=prefit).fit(X, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="NaN or infinity"):
        AnomalyDetector(model, prefit=prefit).fit(X, sample_weight=np.full(len(X), np.nan))


# ----------------------------------------------------------------- item 2: extreme points
FAR = np.array([[1e300, 1e300], [-1e300, 1e300], [1e200, 0.0], [1.7e308, -1.7e308]])


@pytest.mark.parametrize("ct", COV_TYPES)
def test_extreme_points_score_minus_inf_never_nan(ct):
    gm = GaussianMixture(3, covariance_type=ct, random_state=0).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        scores = gm.score_samples(FAR)
        proba = gm.predict_proba(FAR)
        labels = gm.predict(FAR)
    assert not np.isnan(scores).any()
    assert np.all(scores < gm.score_samples(X).min() - 1e6)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(labels) <= {0, 1, 2}


@pytest.mark.parametrize("ct", COV_TYPES)
def test_detector_flags_extreme_points(ct):
    gm = GaussianMixture(3, covariance_type=ct, random_state=0).fit(X)
    detector = AnomalyDetector(gm, contamination=0.05).fit(X)
    np.testing.assert_array_equal(detector.predict(FAR), -1)


# ----------------------------------------------------------------- item 1: feature names
pd = pytest.importorskip("pandas")
DF = pd.DataFrame(X, columns=["a", "b"])


def _estimators():
    gm = GaussianMixture(3, random_state=0).fit(DF)
    return [
        ("GaussianMixture", gm, ["score_samples", "predict", "predict_proba", "score"]),
        (
            "AnomalyDetector",
            AnomalyDetector(GaussianMixture(3, random_state=0)).fit(DF),
            ["score_samples", "predict", "decision_function"],
        ),
        (
            "AnomalyDetector-prefit",
            AnomalyDetector(gm, prefit=True).fit(DF),
            ["score_samples", "predict", "decision_function"],
        ),
    ]


@pytest.mark.parametrize("index", range(3))
def test_reordered_or_renamed_columns_are_refused(index):
    _, est, methods = _estimators()[index]
    np.testing.assert_array_equal(est.feature_names_in_, ["a", "b"])
    for method in methods:
        getattr(est, method)(DF)  # the same columns pass
        with pytest.raises(ValueError, match="same order as they were in fit"):
            getattr(est, method)(DF[["b", "a"]])
        with pytest.raises(ValueError, match=r"unseen at fit time:\n- c\n.*missing:\n- b"):
            getattr(est, method)(DF.rename(columns={"b": "c"}))


def test_names_on_one_side_warn_like_sklearn():
    gm = GaussianMixture(2, random_state=0).fit(DF)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        gm.predict(X)
    plain = GaussianMixture(2, random_state=0).fit(X)
    with pytest.warns(UserWarning, match="fitted without feature names"):
        plain.predict(DF)


def test_prefit_detector_checks_names_at_fit():
    gm = GaussianMixture(2, random_state=0).fit(DF)
    with pytest.raises(ValueError, match="should match those that were passed during fit"):
        AnomalyDetector(gm, prefit=True).fit(DF[["b", "a"]])


# ----------------------------------------------------------------- item 5: messages
def test_sparse_input_says_so_and_how_to_densify():
    sparse = pytest.importorskip("scipy.sparse")
    with pytest.raises(TypeError, match=r"sparse.*X\.toarray\(\)"):
        GaussianMixture(2).fit(sparse.csr_matrix(X))


def test_pandas_na_is_missing_data():
    df = DF.astype("Float64")
    df.iloc[3, 1] = pd.NA
    with pytest.raises(ValueError, match="NaN"):
        GaussianMixture(2).fit(df)
    # Nullable columns without NA are just numbers.
    GaussianMixture(2, random_state=0).fit(DF.astype("Float64"))


def test_detector_given_a_class_says_to_instantiate_it():
    with pytest.raises(
        TypeError, match=r"instance, got the class GaussianMixture.*GaussianMixture\("
    ):
        AnomalyDetector(GaussianMixture).fit(X)


def test_means_init_of_strings():
    with pytest.raises(
        TypeError, match=r"means_init must be an array of numbers of shape \(2, 2\)"
    ):
        GaussianMixture(2, means_init=[["a", "b"], ["c", "d"]]).fit(X)


def test_select_model_checks_shared_parameters_up_front():
    from gmm_widgets.mixture import select_model

    with pytest.raises(ValueError, match="tol"):
        select_model(X, n_components=[1, 2], covariance_types=["full"], tol=float("nan"))


@pytest.mark.parametrize("change", [{"n_components": 3}, {"covariance_type": "diag"}])
def test_warm_start_after_changing_the_model_raises(change):
    gm = GaussianMixture(2, warm_start=True, random_state=0).fit(X)
    gm.set_params(**change)
    with pytest.raises(ValueError, match="warm_start=False"):
        gm.fit(X)
    gm.set_params(warm_start=False).fit(X)  # and the fix works
    assert len(gm.weights_) == gm.n_components
