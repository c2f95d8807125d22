"""The uniform noise component: ``GaussianMixture(noise=...)``."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import multivariate_normal

from gmm_widgets import GaussianMixture, History
from gmm_widgets.mixture._covariance import get_strategy

TRUE_MEANS = np.array([[0.0, 0.0], [6.0, 0.0], [3.0, 5.0]])
TRUE_COVS = np.array(
    [[[0.6, 0.2], [0.2, 0.4]], [[0.5, -0.1], [-0.1, 0.5]], [[0.3, 0.0], [0.0, 0.8]]]
)
LO, HI = np.array([-5.0, -5.0]), np.array([11.0, 10.0])


def blobs_with_background(n=6000, fraction=0.15, seed=0):
    """3 Gaussian blobs plus ``fraction`` of the points uniform in the box [LO, HI]."""
    rng = np.random.default_rng(seed)
    n_noise = round(fraction * n)
    per = (n - n_noise) // 3
    pairs = zip(TRUE_MEANS, TRUE_COVS, strict=True)
    parts = [rng.multivariate_normal(m, c, per) for m, c in pairs]
    parts.append(rng.uniform(LO, HI, size=(n - 3 * per, 2)))
    return np.vstack(parts), per, n - 3 * per


def _match(means):
    """Order of fitted components matching TRUE_MEANS."""
    return [int(np.argmin(np.linalg.norm(means - m, axis=1))) for m in TRUE_MEANS]


def test_recovery_on_blobs_with_uniform_background():
    X, per, n_noise = blobs_with_background()
    n = X.shape[0]
    gm = GaussianMixture(3, noise=True, random_state=0, tol=1e-6, max_iter=500).fit(X)
    plain = GaussianMixture(3, random_state=0, tol=1e-6, max_iter=500).fit(X)
    order = _match(gm.means_)
    assert sorted(order) == [0, 1, 2]
    # Tolerances from the analytic sampling error of each blob's own estimates
    # (n_k = per points): mean SE = sqrt(Sigma_jj / n_k), variance/covariance SE
    # = sqrt((Sigma_ij**2 + Sigma_ii Sigma_jj) / n_k) (Wishart); 4 SE allowed.
    err_mean = err_cov = 0.0
    for k, j in enumerate(order):
        S = TRUE_COVS[k]
        se_mean = np.sqrt(np.diag(S) / per)
        se_cov = np.sqrt((S**2 + np.outer(np.diag(S), np.diag(S))) / per)
        z_mean = np.abs(gm.means_[j] - TRUE_MEANS[k]) / se_mean
        z_cov = np.abs(gm.covariances_[j] - S) / se_cov
        assert z_mean.max() < 4, (k, z_mean)
        assert z_cov.max() < 4, (k, z_cov)
        err_mean = max(err_mean, z_mean.max())
        err_cov = max(err_cov, z_cov.max())
    p = n_noise / n
    se_w = np.sqrt(p * (1 - p) / n)
    assert abs(gm.noise_weight_ - p) < 3 * se_w, (gm.noise_weight_, p, se_w)
    assert gm.weights_.sum() + gm.noise_weight_ == pytest.approx(1.0, abs=1e-12)
    # Plain GMM absorbs the background into the blobs: its covariances are off by
    # many standard errors (measured: see the printout with -s).
    plain_z = 0.0
    for k, j in enumerate(_match(plain.means_)):
        S = TRUE_COVS[k]
        se_cov = np.sqrt((S**2 + np.outer(np.diag(S), np.diag(S))) / per)
        plain_z = max(plain_z, (np.abs(plain.covariances_[j] - S) / se_cov).max())
    print(
        f"max |error|/SE: noise model means {err_mean:.2f}, covariances {err_cov:.2f}; "
        f"plain GMM covariances {plain_z:.1f}; noise weight {gm.noise_weight_:.4f} "
        f"(true {p:.4f}, SE {se_w:.4f})"
    )
    assert plain_z > 10 * max(err_cov, 1.0)


def _brute_force_density(gm, X):
    K, d = gm.means_.shape
    covs = get_strategy(gm.covariance_type).to_full(gm.covariances_, K, d)
    dens = sum(
        w * multivariate_normal(m, c).pdf(X)
        for w, m, c in zip(gm.weights_, gm.means_, covs, strict=True)
    )
    lo, hi = gm.noise_bounds_
    inside = np.all((X >= lo) & (X <= hi), axis=1)
    return dens + inside * gm.noise_weight_ / np.prod(hi - lo)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_score_samples_equals_brute_force(covariance_type):
    X, _, _ = blobs_with_background(n=1200, seed=1)
    gm = GaussianMixture(3, covariance_type=covariance_type, noise=True, random_state=0).fit(X)
    Y = np.vstack([X[::5], [[20.0, 20.0], [-9.0, 0.0]]])  # two points outside the box
    expected = np.log(_brute_force_density(gm, Y))
    np.testing.assert_allclose(gm.score_samples(Y), expected, rtol=1e-10, atol=1e-12)
    assert gm.noise_volume_ == pytest.approx(np.prod(X.max(0) - X.min(0)), rel=1e-12)
    np.testing.assert_allclose(gm.noise_bounds_, [X.min(0), X.max(0)], rtol=1e-12, atol=1e-12)
    proba = gm.predict_proba(Y)
    assert proba.shape == (Y.shape[0], 4)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    assert np.all(proba[-2:, -1] == 0.0)  # outside the box: noise density 0
    labels = gm.predict(Y)
    expected_labels = proba.argmax(axis=1)
    expected_labels[expected_labels == 3] = -1
    np.testing.assert_array_equal(labels, expected_labels)
    assert (labels == -1).any()


def test_bic_counts_one_more_parameter():
    X, _, _ = blobs_with_background(n=1200, seed=2)
    gm = GaussianMixture(3, noise=True, random_state=0).fit(X)
    plain_count = GaussianMixture(3, random_state=0).fit(X).n_parameters_
    assert gm.n_parameters_ == plain_count + 1
    n = X.shape[0]
    ll = gm.score(X) * n
    assert gm.bic(X) == pytest.approx(-2 * ll + (plain_count + 1) * np.log(n), rel=1e-12)
    assert gm.aic(X) == pytest.approx(-2 * ll + 2 * (plain_count + 1), rel=1e-12)


def test_noise_false_is_todays_fit():
    X, _, _ = blobs_with_background(n=1500, seed=3)
    a = GaussianMixture(3, random_state=0).fit(X)
    b = GaussianMixture(3, random_state=0, noise=False).fit(X)
    for name in ("weights_", "means_", "covariances_", "lower_bounds_"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert not hasattr(b, "noise_weight_")
    assert b.predict_proba(X).shape == (X.shape[0], 3)
    # Refitting a noise model with noise=False drops the noise attributes.
    b.set_params(noise=True).fit(X)
    assert hasattr(b, "noise_weight_")
    b.set_params(noise=False).fit(X)
    assert not hasattr(b, "noise_bounds_")
    np.testing.assert_array_equal(a.means_, b.means_)


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_chunked_threaded_and_dask_paths_agree(covariance_type):
    X, _, _ = blobs_with_background(n=3000, seed=4)
    kw = dict(covariance_type=covariance_type, noise=True, random_state=0, tol=0, max_iter=15)
    ref = GaussianMixture(3, n_jobs=1, chunk_size=10**6, **kw).fit(X)
    fits = [GaussianMixture(3, n_jobs=2, chunk_size=257, **kw).fit(X)]
    # A memmap-like non-contiguous view goes through the per-row centring path.
    fits.append(GaussianMixture(3, chunk_size=500, **kw).fit(np.asfortranarray(X)))
    da = pytest.importorskip("dask.array")
    fits.append(GaussianMixture(3, chunk_size=300, **kw).fit(da.from_array(X, chunks=700)))
    for gm in fits:
        np.testing.assert_allclose(gm.means_, ref.means_, rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(gm.covariances_, ref.covariances_, rtol=1e-10, atol=1e-10)
        assert gm.noise_weight_ == pytest.approx(ref.noise_weight_, rel=1e-10)
        np.testing.assert_allclose(gm.lower_bounds_, ref.lower_bounds_, rtol=1e-10)


def test_sample_weight_integer_equals_repeated_rows():
    X, _, _ = blobs_with_background(n=900, seed=5)
    # Weights 1-3 (no zero: a zero-weight row still widens the box, a dropped row not).
    w = np.random.default_rng(0).integers(1, 4, X.shape[0])
    kw = dict(noise=True, means_init=TRUE_MEANS, random_state=0, tol=0, max_iter=10)
    a = GaussianMixture(3, **kw).fit(X, sample_weight=w)
    b = GaussianMixture(3, **kw).fit(np.repeat(X, w, axis=0))
    np.testing.assert_allclose(a.noise_bounds_, b.noise_bounds_, rtol=0, atol=0)
    np.testing.assert_allclose(a.means_, b.means_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(a.covariances_, b.covariances_, rtol=1e-9, atol=1e-12)
    assert a.noise_weight_ == pytest.approx(b.noise_weight_, rel=1e-9)
    # The weights' scale does not matter; their proportions do.
    c = GaussianMixture(3, **kw).fit(X, sample_weight=w * 1e-9)
    np.testing.assert_allclose(c.means_, a.means_, rtol=1e-9, atol=1e-12)
    assert c.noise_weight_ == pytest.approx(a.noise_weight_, rel=1e-9)
    # Initial noise points by weight: their share of the total weight.
    mask = np.zeros(X.shape[0], dtype=bool)
    mask[-100:] = True
    hist = History()
    GaussianMixture(3, noise=mask, random_state=0, max_iter=1, callbacks=hist).fit(
        X, sample_weight=w
    )
    assert hist.states[0].noise_weight == pytest.approx(w[mask].sum() / w.sum(), rel=1e-12)


def test_initial_noise_points_and_callbacks():
    X, per, _ = blobs_with_background(n=1500, seed=6)
    mask = np.zeros(X.shape[0], dtype=bool)
    mask[3 * per :] = True
    hist = History()
    gm = GaussianMixture(3, noise=mask, random_state=0, callbacks=hist).fit(X)
    first = hist.states[0]
    assert first.n_iter == 0
    assert first.noise_weight == pytest.approx(mask.mean(), rel=1e-12)
    assert first.weights.sum() + first.noise_weight == pytest.approx(1.0, abs=1e-12)
    assert hist.states[-1].noise_weight == pytest.approx(gm.noise_weight_, rel=1e-12)
    # The same points as indices give the same fit.
    gi = GaussianMixture(3, noise=np.flatnonzero(mask), random_state=0).fit(X)
    np.testing.assert_array_equal(gi.means_, gm.means_)


def test_sample_draws_noise_in_the_box():
    X, _, _ = blobs_with_background(n=1500, seed=7)
    gm = GaussianMixture(3, noise=True, random_state=0).fit(X)
    Xs, ys = gm.sample(4000)
    noise = ys == -1
    assert abs(noise.mean() - gm.noise_weight_) < 4 * np.sqrt(gm.noise_weight_ / 4000)
    lo, hi = gm.noise_bounds_
    assert np.all((Xs[noise] >= lo) & (Xs[noise] <= hi))


def test_noise_volume_override():
    X, _, _ = blobs_with_background(n=1200, seed=8)
    gm = GaussianMixture(3, noise=True, noise_volume=500.0, random_state=0).fit(X)
    assert gm.noise_volume_ == pytest.approx(500.0)
    np.testing.assert_allclose(
        gm.score_samples(X[:50]), np.log(_brute_force_density_vol(gm, X[:50])), rtol=1e-10
    )


def _brute_force_density_vol(gm, X):
    d = _brute_force_density(gm, X)
    lo, hi = gm.noise_bounds_
    inside = np.all((X >= lo) & (X <= hi), axis=1)
    return d - inside * gm.noise_weight_ / np.prod(hi - lo) + inside * gm.noise_weight_ / 500.0


@pytest.mark.parametrize(
    ("noise", "exc", "match"),
    [
        ("yes", TypeError, "noise must be False, True"),
        (np.zeros((3, 2), dtype=bool), ValueError, "1-D"),
        (np.array([0.5, 1.0]), TypeError, "boolean mask or integer"),
        (np.ones(10, dtype=bool), ValueError, "mask has 10 entries"),
        (np.array([0, 5000]), ValueError, "indices must lie in"),
        (np.zeros(300, dtype=bool), ValueError, "flags no initial noise point"),
        (np.ones(300, dtype=bool), ValueError, "flags every sample"),
    ],
)
def test_validation(noise, exc, match):
    X, _, _ = blobs_with_background(n=300, seed=9)
    with pytest.raises(exc, match=match):
        GaussianMixture(2, noise=noise).fit(X)


def test_validation_volume_and_constant_feature():
    X, _, _ = blobs_with_background(n=300, seed=9)
    with pytest.raises(ValueError, match="noise_volume must be positive"):
        GaussianMixture(2, noise=True, noise_volume=-1.0).fit(X)
    with pytest.raises(TypeError, match="noise_volume must be a positive number"):
        GaussianMixture(2, noise=True, noise_volume="big").fit(X)
    Xc = X.copy()
    Xc[:, 1] = 1.0
    with pytest.raises(ValueError, match="box has volume 0"):
        GaussianMixture(2, noise=True, reg_covar=1e-3).fit(Xc)


def test_warm_start_continues_the_noise_fit():
    X, _, _ = blobs_with_background(n=600, seed=10)
    gm = GaussianMixture(3, warm_start=True, random_state=0).fit(X)
    with pytest.raises(ValueError, match="fitted without a noise component"):
        gm.set_params(noise=True).fit(X)
    gn = GaussianMixture(3, noise=True, warm_start=True, random_state=0).fit(X)
    with pytest.raises(ValueError, match="fitted with a noise component"):
        gn.set_params(noise=False).fit(X)
    # Three iterations, then three more from there, are six iterations from the start:
    # the warm start keeps the noise weight and the box.
    kw = dict(noise=True, random_state=0, tol=0)
    six = GaussianMixture(3, max_iter=6, **kw).fit(X)
    warm = GaussianMixture(3, max_iter=3, warm_start=True, **kw)
    warm.fit(X)
    warm.fit(X[::-1])  # the same rows in another order: the same box
    np.testing.assert_allclose(warm.means_, six.means_, rtol=1e-10, atol=1e-12)
    assert warm.noise_weight_ == pytest.approx(six.noise_weight_, rel=1e-10)
    np.testing.assert_array_equal(warm.noise_bounds_, six.noise_bounds_)


def test_tied_covariance_absorbs_background_at_its_optimum():
    """Tied is misspecified here (the blobs' shapes differ): its shared covariance takes
    in part of the background, so its noise weight is lower; the same optimum is
    reached from the true noise points, so it is the tied model's fit, not a bad init."""
    X, per, _ = blobs_with_background(n=3000, seed=11)
    mask = np.zeros(X.shape[0], dtype=bool)
    mask[3 * per :] = True
    kw = dict(covariance_type="tied", tol=1e-8, max_iter=1000, random_state=0)
    a = GaussianMixture(3, noise=True, **kw).fit(X)
    b = GaussianMixture(3, noise=mask, **kw).fit(X)
    assert a.lower_bound_ == pytest.approx(b.lower_bound_, abs=1e-6)
    assert a.noise_weight_ < 0.15


def test_anomaly_detector_and_clone_keep_the_noise_settings():
    from gmm_widgets import AnomalyDetector

    X, _, _ = blobs_with_background(n=1200, seed=12)
    gm = GaussianMixture(3, noise=True, noise_volume=300.0, random_state=0)
    assert gm.get_params()["noise"] is True
    det = AnomalyDetector(gm, contamination=0.05).fit(X)
    assert det.model_.noise_volume_ == pytest.approx(300.0)
    flagged = det.predict(X) == -1
    expected = det.model_.score_samples(X) < det.threshold_
    np.testing.assert_array_equal(flagged, expected)
    sklearn = pytest.importorskip("sklearn.base")
    c = sklearn.clone(gm)
    assert c.get_params()["noise_volume"] == 300.0 and c.noise is True


def test_too_few_samples():
    X, _, _ = blobs_with_background(n=300, seed=9)
    with pytest.raises(ValueError, match="at least 2"):
        GaussianMixture(1, noise=True).fit(X[:1])


def test_from_params_and_tables_keep_the_noise_component():
    pd = pytest.importorskip("pandas")
    from gmm_widgets import assignments, model_profile
    from gmm_widgets.mixture import uncertainty

    X, _, _ = blobs_with_background(n=1500, seed=13)
    gm = GaussianMixture(3, noise=True, random_state=0).fit(X)
    copy = GaussianMixture.from_params(gm)
    np.testing.assert_allclose(copy.score_samples(X), gm.score_samples(X), rtol=1e-12)
    np.testing.assert_array_equal(copy.predict(X), gm.predict(X))

    proba = gm.predict_proba(X)
    table = assignments(gm, pd.DataFrame(X, columns=["a", "b"]))
    assert list(table.columns) == [
        "component", "proba_0", "proba_1", "proba_2", "proba_noise", "log_density",
        "uncertainty",
    ]  # fmt: skip
    np.testing.assert_array_equal(table["component"], gm.predict(X))
    assert (table["component"] == -1).sum() > 0
    np.testing.assert_allclose(table["proba_noise"], proba[:, -1], rtol=1e-12)
    np.testing.assert_allclose(table["log_density"], gm.score_samples(X), rtol=1e-12)
    np.testing.assert_allclose(uncertainty(gm, X), 1 - proba.max(axis=1), rtol=1e-12)

    profile = model_profile(gm, X)
    assert list(profile.index) == [0, 1, 2, -1]
    noise = profile.loc[-1]
    assert noise["weight"] == pytest.approx(gm.noise_weight_)
    assert noise["count"] == (gm.predict(X) == -1).sum()
    assert profile["count"].sum() == X.shape[0]
    lo, hi = gm.noise_bounds_
    assert noise["x0 mean"] == pytest.approx((lo[0] + hi[0]) / 2)
    assert noise["x1 sd"] == pytest.approx((hi[1] - lo[1]) / np.sqrt(12))
    assert noise["separating"] == ""
