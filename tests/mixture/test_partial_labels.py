"""Partial labels: ``GaussianMixture.fit(X, y)`` with ``-1`` for unlabelled rows."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.stats import multivariate_normal

from gmm_widgets import GaussianMixture, History
from gmm_widgets.mixture import gaussian_mixture as gm_module
from gmm_widgets.mixture._covariance import get_strategy
from gmm_widgets.mixture._validation import ConvergenceWarning
from tests.helpers import covariances_from_scatter

TYPES = ("full", "tied", "diag", "spherical")
K, D = 3, 2
REG = 1e-6
CENTRES = np.array([[0.0, 0.0], [3.0, 0.5], [1.0, 3.0]])


def blobs(n_per=100, seed=0, offset=0.0, spread=(1.0, 0.7)):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(c, spread, size=(n_per, D)) for c in CENTRES]) + offset
    truth = np.repeat(np.arange(K), n_per)
    return X, truth


def some_labels(truth, fraction=0.2, seed=0):
    rng = np.random.default_rng(seed)
    y = np.full(truth.shape, -1)
    keep = rng.random(truth.shape[0]) < fraction
    y[keep] = truth[keep]
    return y


def quiet_fit(gm, X, y=None, sample_weight=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return gm.fit(X, y, sample_weight=sample_weight)


def closed_form(X, y, ct, sw):
    """Per-class weighted estimates (+ reg_covar), written out row by row."""
    nk = np.array([sw[y == k].sum() for k in range(K)])
    means = np.array([(sw[y == k, None] * X[y == k]).sum(axis=0) / nk[k] for k in range(K)])
    scatter = np.array(
        [
            sum(
                s * np.outer(x - means[k], x - means[k])
                for x, s in zip(X[y == k], sw[y == k], strict=True)
            )
            for k in range(K)
        ]
    )
    cov = covariances_from_scatter(scatter, nk, ct, sw.sum(), REG)
    return nk / nk.sum(), means, cov


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ct", TYPES)
def test_all_labelled_gives_the_closed_form_after_one_m_step(ct, weighted):
    X, truth = blobs(seed=1, offset=7.0)
    # Shuffle so classes interleave across chunks.
    order = np.random.default_rng(2).permutation(len(X))
    X, y = X[order], truth[order]
    sw = np.random.default_rng(3).uniform(0.5, 2.0, len(X)) if weighted else np.ones(len(X))
    gm = quiet_fit(
        GaussianMixture(
            K,
            partial_labels=True,
            covariance_type=ct,
            reg_covar=REG,
            max_iter=1,
            tol=0.0,
            random_state=0,
        ),
        X,
        y,
        sample_weight=sw if weighted else None,
    )
    w, mu, cov = closed_form(X, y, ct, sw)
    np.testing.assert_allclose(gm.weights_, w, rtol=1e-12)
    np.testing.assert_allclose(gm.means_, mu, rtol=1e-12)
    np.testing.assert_allclose(gm.covariances_, cov, rtol=1e-12)
    # And it stays there: the E-step is the labels, so the next M-step gives the same
    # parameters, and the bound of iteration 3 equals that of iteration 2.
    gm2 = GaussianMixture(
        K, partial_labels=True, covariance_type=ct, reg_covar=REG, random_state=0, tol=1e-12
    )
    gm2.fit(X, y, sample_weight=sw if weighted else None)
    assert gm2.converged_ and gm2.n_iter_ == 3
    assert gm2.lower_bounds_[2] == pytest.approx(gm2.lower_bounds_[1], rel=1e-14)
    np.testing.assert_allclose(gm2.means_, mu, rtol=1e-12)
    np.testing.assert_allclose(gm2.covariances_, cov, rtol=1e-12)


def _direct_objective(X, y, weights, means, covs_full, sw):
    """sum_unlabelled w log sum_k pi_k N + sum_labelled w log(pi_y N_y), per unit weight."""
    log_p = np.column_stack(
        [
            np.log(p) + multivariate_normal(m, c).logpdf(X)
            for p, m, c in zip(weights, means, covs_full, strict=True)
        ]
    )
    mx = log_p.max(axis=1)
    mix = mx + np.log(np.exp(log_p - mx[:, None]).sum(axis=1))
    per_row = np.where(y >= 0, log_p[np.arange(len(X)), np.maximum(y, 0)], mix)
    return float(np.dot(sw, per_row) / sw.sum())


def _direct_m_step(X, y, ct, weights, means, covs_full, sw):
    log_p = np.column_stack(
        [
            np.log(p) + multivariate_normal(m, c).logpdf(X)
            for p, m, c in zip(weights, means, covs_full, strict=True)
        ]
    )
    r = np.exp(log_p - log_p.max(axis=1, keepdims=True))
    r /= r.sum(axis=1, keepdims=True)
    known = y >= 0
    r[known] = np.eye(K)[y[known]]
    rw = r * sw[:, None]
    nk = rw.sum(axis=0)
    mu = rw.T @ X / nk[:, None]
    scatter = np.array([(rw[:, k, None] * (X - mu[k])).T @ (X - mu[k]) for k in range(K)])
    cov = covariances_from_scatter(scatter, nk, ct, sw.sum(), REG)
    return nk / nk.sum(), mu, cov


START_W = np.array([0.3, 0.3, 0.4])
START_MU = np.array([[0.5, 0.2], [2.5, 0.0], [1.5, 2.5]])


def _start_precisions(ct):
    if ct == "full":
        return np.array([np.eye(D)] * K)
    if ct == "tied":
        return np.eye(D)
    if ct == "diag":
        return np.ones((K, D))
    return np.ones(K)


@pytest.mark.parametrize("ct", TYPES)
def test_one_step_and_lower_bound_match_direct_computation(ct):
    X, truth = blobs(seed=4)
    y = some_labels(truth, 0.3, seed=5)
    sw = np.random.default_rng(6).uniform(0.5, 1.5, len(X))
    history = History()
    gm = GaussianMixture(
        K,
        partial_labels=True,
        covariance_type=ct,
        weights_init=START_W,
        means_init=START_MU,
        precisions_init=_start_precisions(ct),
        reg_covar=REG,
        max_iter=1,
        tol=0.0,
        callbacks=history,
    )
    quiet_fit(gm, X, y, sample_weight=sw)
    start = history.states[0]
    # The start: the labelled classes' means replace means_init (every class has labels).
    label_means = np.array([np.average(X[y == k], axis=0, weights=sw[y == k]) for k in range(K)])
    np.testing.assert_allclose(start.means, label_means, rtol=1e-12)
    covs = get_strategy(ct).to_full(start.covariances, K, D)
    expected_bound = _direct_objective(X, y, start.weights, start.means, covs, sw)
    assert gm.lower_bound_ == pytest.approx(expected_bound, rel=1e-12)
    w, mu, cov = _direct_m_step(X, y, ct, start.weights, start.means, covs, sw)
    np.testing.assert_allclose(gm.weights_, w, rtol=1e-10)
    np.testing.assert_allclose(gm.means_, mu, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gm.covariances_, cov, rtol=1e-10)


@pytest.mark.parametrize("ct", TYPES)
def test_lower_bound_never_decreases_with_labels(ct):
    X, truth = blobs(seed=7, spread=(1.3, 1.1))
    y = some_labels(truth, 0.1, seed=8)
    history = History()
    gm = GaussianMixture(
        K,
        partial_labels=True,
        covariance_type=ct,
        tol=0.0,
        max_iter=40,
        random_state=0,
        callbacks=history,
    )
    quiet_fit(gm, X, y)
    bounds = [s.lower_bound for s in history.states if s.n_iter > 0]
    assert len(bounds) == 40
    assert np.diff(bounds).min() >= -1e-12 * abs(bounds[-1])


@pytest.mark.parametrize("ct", TYPES)
def test_no_labels_is_todays_fit_bit_for_bit(ct):
    X, _ = blobs(seed=9)
    plain = GaussianMixture(K, covariance_type=ct, random_state=0).fit(X)
    for y in (None, np.full(len(X), -1), [-1.0] * len(X)):
        gm = GaussianMixture(K, partial_labels=True, covariance_type=ct, random_state=0).fit(X, y)
        np.testing.assert_array_equal(gm.means_, plain.means_)
        np.testing.assert_array_equal(gm.covariances_, plain.covariances_)
        assert gm.lower_bounds_ == plain.lower_bounds_
        np.testing.assert_array_equal(gm.fit_predict(X, y), plain.predict(X))


def test_predict_agrees_with_labels_inside_the_classes():
    X, truth = blobs(seed=10, spread=(0.5, 0.5))
    y = some_labels(truth, 0.2, seed=11)
    gm = GaussianMixture(K, partial_labels=True, random_state=3).fit(X, y)
    known = y >= 0
    # Well inside: within 1.5 sd of the true centre.
    inside = known & (np.linalg.norm(X - CENTRES[truth], axis=1) < 0.75)
    assert inside.sum() > 20
    np.testing.assert_array_equal(gm.predict(X[inside]), y[inside])
    # The labels name the components: component k sits at class k's centre.
    np.testing.assert_allclose(gm.means_, CENTRES, atol=0.15)


def test_fit_predict_returns_the_labels_of_labelled_rows():
    X, truth = blobs(seed=12, spread=(0.5, 0.5))
    y = some_labels(truth, 0.2, seed=13)
    y[0] = 2  # a point of class 0 labelled 2: the label wins in the fit's last E-step
    gm = GaussianMixture(K, partial_labels=True, random_state=0)
    out = gm.fit_predict(X, y)
    known = y >= 0
    np.testing.assert_array_equal(out[known], y[known])
    np.testing.assert_array_equal(out[~known], gm.predict(X[~known]))
    assert gm.predict(X[:1])[0] == 0  # the model's own answer for that point


def test_sample_weight_integers_equal_repeated_rows():
    X, truth = blobs(n_per=40, seed=14)
    y = some_labels(truth, 0.3, seed=15)
    reps = np.random.default_rng(16).integers(1, 4, len(X))
    kw = dict(
        weights_init=START_W,
        means_init=START_MU,
        precisions_init=_start_precisions("full"),
        tol=0.0,
        max_iter=30,
    )
    a = quiet_fit(
        GaussianMixture(K, partial_labels=True, **kw), X, y, sample_weight=reps.astype(float)
    )
    b = quiet_fit(
        GaussianMixture(K, partial_labels=True, **kw),
        np.repeat(X, reps, axis=0),
        np.repeat(y, reps),
    )
    np.testing.assert_allclose(a.means_, b.means_, rtol=1e-9)
    np.testing.assert_allclose(a.covariances_, b.covariances_, rtol=1e-9)


def test_chunked_threaded_fit_equals_one_chunk():
    X, truth = blobs(n_per=1500, seed=17)
    y = some_labels(truth, 0.1, seed=18)
    one = GaussianMixture(K, partial_labels=True, random_state=0, n_jobs=1).fit(X, y)
    many = GaussianMixture(K, partial_labels=True, random_state=0, n_jobs=2, chunk_size=300).fit(
        X, y
    )
    np.testing.assert_allclose(one.means_, many.means_, rtol=1e-12)
    np.testing.assert_allclose(one.covariances_, many.covariances_, rtol=1e-11)
    assert one.lower_bound_ == pytest.approx(many.lower_bound_, rel=1e-13)


def test_dask_fit_with_labels_equals_numpy():
    da = pytest.importorskip("dask.array")
    X, truth = blobs(n_per=200, seed=19)
    y = some_labels(truth, 0.2, seed=20)
    kw = dict(
        weights_init=START_W,
        means_init=START_MU,
        precisions_init=_start_precisions("full"),
        tol=0.0,
        max_iter=30,
    )
    ref = quiet_fit(GaussianMixture(K, partial_labels=True, **kw), X, y)
    gm = quiet_fit(GaussianMixture(K, partial_labels=True, **kw), da.from_array(X, chunks=130), y)
    np.testing.assert_allclose(gm.means_, ref.means_, rtol=1e-10)


def test_labelled_fits_never_run_the_compiled_kernel(monkeypatch):
    """Labels route full-covariance fits to the NumPy passes (the kernel has no labels)."""

    def no_kernel(dtype):
        raise AssertionError("the compiled kernel was asked for in a labelled fit")

    monkeypatch.setattr(gm_module, "use_compiled", lambda *a, **k: True)
    monkeypatch.setattr(gm_module, "compiled_kernel", no_kernel)
    X, truth = blobs(seed=21)
    y = some_labels(truth, 0.2)
    GaussianMixture(K, partial_labels=True, random_state=0).fit(
        X, y
    )  # would raise if the kernel were used
    with pytest.raises(AssertionError, match="compiled kernel"):
        GaussianMixture(K, random_state=0).fit(X, y)  # y ignored: the kernel is asked for


def test_labels_with_fixed_means():
    X, truth = blobs(seed=22)
    y = some_labels(truth, 0.3)
    gm = GaussianMixture(K, partial_labels=True, fixed_means={1: CENTRES[1]}, random_state=0).fit(
        X, y
    )
    np.testing.assert_allclose(gm.means_[1], CENTRES[1], rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("ct", TYPES)
def test_y_is_ignored_without_partial_labels(ct):
    """scikit-learn's behaviour: pipelines and searches pass their y to every step."""
    X, truth = blobs(seed=24)
    plain = GaussianMixture(K, covariance_type=ct, random_state=0).fit(X)
    for y in (truth, np.full(len(X), 7), ["a"] * len(X)):
        gm = GaussianMixture(K, covariance_type=ct, random_state=0).fit(X, y)
        np.testing.assert_array_equal(gm.means_, plain.means_)
        assert gm.lower_bounds_ == plain.lower_bounds_
        np.testing.assert_array_equal(gm.fit_predict(X, y), plain.predict(X))


def test_partial_labels_must_be_a_bool():
    X, truth = blobs()
    with pytest.raises(TypeError, match="partial_labels must be True or False"):
        GaussianMixture(K, partial_labels="yes").fit(X, truth)


def test_check_fit_args_checks_the_labels():
    X, _ = blobs()
    gm = GaussianMixture(K, partial_labels=True)
    with pytest.raises(ValueError, match=r"outside \[-1, 3\)"):
        gm.check_fit_args(X, y=np.full(len(X), 5))
    gm.check_fit_args(X, y=np.full(len(X), -1))  # fine
    GaussianMixture(K).check_fit_args(X, y=np.full(len(X), 5))  # ignored without the option


def test_pipeline_passes_y_none():
    pipeline = pytest.importorskip("sklearn.pipeline")
    preprocessing = pytest.importorskip("sklearn.preprocessing")
    X, truth = blobs(seed=23)
    pipe = pipeline.make_pipeline(
        preprocessing.StandardScaler(), GaussianMixture(K, partial_labels=True, random_state=0)
    )
    pipe.fit(X)
    labelled = pipeline.make_pipeline(
        preprocessing.StandardScaler(), GaussianMixture(K, partial_labels=True, random_state=0)
    )
    labelled.fit(X, truth)  # y reaches GaussianMixture.fit
    np.testing.assert_array_equal(labelled.predict(X[truth >= 0][:5]), truth[:5])


@pytest.mark.parametrize(
    ("y", "error", "match"),
    [
        (np.zeros(10, dtype=int), ValueError, r"shape \(300,\)"),
        (np.zeros((300, 1), dtype=int), ValueError, r"shape \(300,\)"),
        (np.full(300, 3), ValueError, r"outside \[-1, 3\)"),
        (np.full(300, -2), ValueError, r"outside \[-1, 3\)"),
        (np.array(["a"] * 300), TypeError, "integer component indices"),
        (np.zeros(300, dtype=bool), TypeError, "integer component indices"),
        (np.full(300, 0.5), TypeError, "whole numbers"),
        (np.full(300, np.nan), TypeError, "whole numbers"),
        (3, TypeError, "must be None or an array"),
    ],
)
def test_bad_labels_are_refused(y, error, match):
    X, _ = blobs()
    gm = GaussianMixture(K, partial_labels=True)
    with pytest.raises(error, match=match):
        gm.fit(X, y)
    assert not hasattr(gm, "means_")


def test_labels_with_noise_are_refused():
    X, truth = blobs()
    with pytest.raises(ValueError, match="noise"):
        GaussianMixture(K, partial_labels=True, noise=True).fit(X, truth)


def test_float32_data_with_labels():
    """float32 data run in float32 with labels too; labelled classes keep their names."""
    X, truth = blobs(seed=25, offset=1000.0, spread=(0.5, 0.5))
    y = some_labels(truth, 0.2, seed=26)
    gm = GaussianMixture(K, partial_labels=True, random_state=0).fit(X.astype(np.float32), y)
    ref = GaussianMixture(K, partial_labels=True, random_state=0).fit(X, y)
    assert gm.means_.dtype == np.float32
    np.testing.assert_allclose(gm.means_, ref.means_, rtol=1e-6)
    np.testing.assert_allclose(gm.means_, CENTRES + 1000.0, atol=0.15)


def test_init_matches_the_init_components_to_the_labelled_classes():
    """Labels for classes 0 and 1 only: class 2 starts on the init component they leave."""
    from gmm_widgets.mixture._labels import labelled_start
    from gmm_widgets.mixture._stats import EMParams

    A, B, C = np.array([0.0, 0.0]), np.array([5.0, 0.0]), np.array([0.0, 5.0])
    init = EMParams(
        weights=np.array([0.2, 0.3, 0.5]),
        means=np.array([C, A + 0.1, B - 0.1]),  # the init method's arbitrary order
        covariances=np.array([np.eye(2) * 3.0, np.eye(2) * 1.0, np.eye(2) * 2.0]),
        prec_chol=np.array([np.eye(2) / np.sqrt(3.0), np.eye(2), np.eye(2) / np.sqrt(2.0)]),
        covariance_type="full",
    )
    label_means = np.array([A, B, [np.nan, np.nan]])
    has = np.array([True, True, False])
    start = labelled_start(init, label_means, has)
    np.testing.assert_array_equal(start.means, [A, B, C])
    # Each class took its init component's weight and covariance along.
    np.testing.assert_array_equal(start.weights, [0.3, 0.5, 0.2])
    np.testing.assert_array_equal(start.covariances[2], np.eye(2) * 3.0)
    np.testing.assert_array_equal(start.prec_chol[0], np.eye(2))
    # Without matching (the user's means_init), the order is kept.
    kept = labelled_start(init, label_means, has, match=False)
    np.testing.assert_array_equal(kept.means, [A, B, B - 0.1])
    np.testing.assert_array_equal(kept.weights, init.weights)
    # A tied covariance is shared: only weights and means are reordered.
    tied = EMParams(init.weights, init.means, np.eye(2), np.eye(2), "tied")
    np.testing.assert_array_equal(labelled_start(tied, label_means, has).covariances, np.eye(2))


def test_a_class_without_labels_starts_on_the_unlabelled_cluster():
    """Whatever order k-means gives its centres, class 2 starts on the third blob."""
    X, truth = blobs(seed=27, spread=(0.5, 0.5))
    y = some_labels(truth, 0.2, seed=28)
    y[y == 2] = -1  # class 2 has no labels
    for seed in range(6):
        history = History()
        gm = GaussianMixture(K, partial_labels=True, random_state=seed, callbacks=history)
        gm.fit(X, y)
        start = history.states[0]
        assert np.linalg.norm(start.means[2] - CENTRES[2]) < 0.3, (seed, start.means)
        np.testing.assert_allclose(gm.means_, CENTRES, atol=0.15)
