"""partial_fit: stepwise online EM (Cappé and Moulines, 2009), checked by hand.

Every claim is checked against a direct computation: the responsibilities from
``scipy.stats.multivariate_normal``, the statistics as responsibility-weighted sums, the
blend ``(1 - gamma) s + gamma s_batch`` and the M-step written out; the tolerances of the
convergence and drift tests are derived from the sampling error of the estimates and the
step sizes actually used.
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from scipy.special import logsumexp

from gmm_widgets import GaussianMixture, History
from gmm_widgets.mixture import _moments, _online, fit_stream, iter_batches
from gmm_widgets.mixture._stats import m_step

TYPES = ("full", "tied", "diag", "spherical")


# ----------------------------------------------------------------- direct computations
def full_covariances(cov, ct, K, d):
    """Covariances of any type as (K, d, d) matrices."""
    cov = np.asarray(cov, dtype=np.float64)
    if ct == "full":
        return cov
    if ct == "tied":
        return np.broadcast_to(cov, (K, d, d))
    if ct == "diag":
        return np.stack([np.diag(c) for c in cov])
    return np.stack([c * np.eye(d) for c in cov])


def direct_estep(X, w, weights, means, covs):
    """(resp (n, K), log p(x) (n,)) from scipy's densities."""
    K = len(weights)
    log_p = np.column_stack(
        [
            np.log(weights[k]) + sps.multivariate_normal(means[k], covs[k]).logpdf(X)
            for k in range(K)
        ]
    )
    log_norm = logsumexp(log_p, axis=1)
    return np.exp(log_p - log_norm[:, None]), log_norm


def direct_stats(X, w, resp):
    """Per-unit-weight raw statistics: nk (K,), sx (K, d), sxx (K, d, d), in X's frame."""
    w = np.ones(len(X)) if w is None else np.asarray(w, dtype=np.float64)
    rw = resp * w[:, None] / w.sum()
    nk = rw.sum(axis=0)
    sx = rw.T @ X
    sxx = np.einsum("nk,ni,nj->kij", rw, X, X)
    return nk, sx, sxx


def direct_mstep(nk, sx, sxx, ct, reg):
    """scikit-learn's M-step, written out from raw moments."""
    d = sx.shape[1]
    means = sx / nk[:, None]
    full = sxx / nk[:, None, None] - np.einsum("ki,kj->kij", means, means)
    weights = nk / nk.sum()
    if ct == "full":
        cov = full + reg * np.eye(d)
    elif ct == "tied":
        cov = (sxx.sum(axis=0) - np.einsum("k,ki,kj->ij", nk, means, means)) / nk.sum()
        cov = cov + reg * np.eye(d)
    elif ct == "diag":
        cov = np.diagonal(full, axis1=1, axis2=2) + reg
    else:
        cov = np.diagonal(full, axis1=1, axis2=2).mean(axis=1) + reg
    return weights, means, cov


def start_of(ct, d, K=3):
    """Explicit starting parameters (weights, means, precisions) for ``ct``."""
    rng = np.random.default_rng(7)
    weights = np.array([0.5, 0.3, 0.2])[:K]
    means = rng.normal(scale=3.0, size=(K, d))
    if ct == "full":
        prec = np.stack([np.eye(d) * (0.8 + 0.1 * k) for k in range(K)])
        prec[:, 0, 1] = prec[:, 1, 0] = 0.1
    elif ct == "tied":
        prec = np.eye(d) * 0.9
        prec[0, 1] = prec[1, 0] = 0.2
    elif ct == "diag":
        prec = 0.5 + rng.random((K, d))
    else:
        prec = np.array([0.7, 1.0, 1.3])[:K]
    return weights, means, prec


def mixture_batch(rng, n, d=2, K=3):
    """Rows of a fixed 3-component mixture near the start of :func:`start_of`."""
    centres = np.random.default_rng(7).normal(scale=3.0, size=(K, d))
    labels = rng.choice(K, size=n, p=[0.5, 0.3, 0.2][:K])
    return centres[labels] + rng.normal(size=(n, d)) * (0.7 + 0.2 * labels[:, None])


# ----------------------------------------------------------------------- the step size
def test_step_size_is_t_plus_offset_to_the_minus_decay():
    for t, kappa, t0 in [(1, 0.6, 0.0), (2, 0.6, 0.0), (7, 0.75, 3.0), (100, 1.0, 10.0)]:
        assert _online.step_size(t, kappa, t0) == pytest.approx((t + t0) ** -kappa, rel=1e-15)
    assert _online.step_size(1, 0.6, 0.0) == 1.0  # the first batch replaces s_0


def test_blend_by_hand():
    rng = np.random.default_rng(0)
    a = _online.SuffStats(rng.random(2), rng.random((2, 3)), rng.random((2, 3, 3)), 0.3, 1.0)
    b = _online.SuffStats(rng.random(2), rng.random((2, 3)), rng.random((2, 3, 3)), -1.2, 1.0)
    out = _online.blend(a, b, 0.25)
    for name in ("nk", "sx", "second"):
        np.testing.assert_allclose(
            getattr(out, name), 0.75 * getattr(a, name) + 0.25 * getattr(b, name), rtol=1e-15
        )
    assert out.log_lik == pytest.approx(0.75 * 0.3 + 0.25 * -1.2, rel=1e-15)
    assert out.weight == pytest.approx(1.0)


def test_shift_reference_is_the_scatter_about_the_new_points():
    rng = np.random.default_rng(1)
    X, r = rng.normal(size=(50, 3)), rng.random((50, 2))
    a, b = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    scatter = lambda ref: np.einsum("nk,nki,nkj->kij", r, X[:, None] - ref, X[:, None] - ref)  # noqa: E731
    s = _online.SuffStats(r.sum(axis=0), r.T @ X, scatter(a), frame="ref")
    np.testing.assert_allclose(_online.shift_reference(s, a, b).second, scatter(b), rtol=1e-12)


@pytest.mark.parametrize("ct", TYPES)
def test_expected_stats_give_the_parameters_back(ct):
    """s_0: the M-step of the statistics a start implies returns that start."""
    gm = GaussianMixture(3, covariance_type=ct, random_state=0, reg_covar=1e-3)
    gm.fit(mixture_batch(np.random.default_rng(2), 600))
    params = gm._params_from_attributes(np.zeros(2))
    back = m_step(_online.expected_stats(params, 1e-3), params.means, ct, 1e-3)
    np.testing.assert_allclose(back.weights, gm.weights_, rtol=1e-13)
    np.testing.assert_allclose(back.means, gm.means_, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(back.covariances, gm.covariances_, rtol=1e-12)


# ------------------------------------------------------------ one step, computed by hand
@pytest.mark.parametrize("whitened", [False, True], ids=["quadratic-form", "whitened"])
@pytest.mark.parametrize("ct", TYPES)
def test_two_steps_equal_the_direct_computation(ct, whitened, monkeypatch):
    """Batch 1 (gamma_1 = (1 + t0)^-kappa blends with s_0) and batch 2, weighted, by hand."""
    if whitened:  # full covariances: the whitened pass instead of the quadratic form
        monkeypatch.setattr(_moments, "use_moments", lambda *a: False)
    d, K, reg, kappa, t0 = 2, 3, 1e-4, 0.7, 0.5
    weights0, means0, prec0 = start_of(ct, d)
    rng = np.random.default_rng(3)
    X1, X2 = mixture_batch(rng, 300), mixture_batch(rng, 250)
    w1, w2 = rng.random(300) * 2, rng.integers(0, 4, 250).astype(float)
    gm = GaussianMixture(
        K,
        covariance_type=ct,
        reg_covar=reg,
        weights_init=weights0,
        means_init=means0,
        precisions_init=prec0,
        learning_decay=kappa,
        learning_offset=t0,
    )
    covs0 = np.linalg.inv(full_covariances(prec0, ct, K, d))
    cov0 = {
        "full": covs0,
        "tied": covs0[0],
        "diag": np.diagonal(covs0, axis1=1, axis2=2),
        "spherical": covs0[:, 0, 0],
    }[ct]
    # s_0 from the start (the M-step of s_0 returns it): raw moments of Sigma - reg.
    s_nk = weights0
    s_sx = weights0[:, None] * means0
    base = full_covariances(cov0, ct, K, d) - reg * np.eye(d)
    s_sxx = weights0[:, None, None] * (base + np.einsum("ki,kj->kij", means0, means0))
    params = (weights0, means0, cov0)
    for t, (X, w) in enumerate([(X1, w1), (X2, w2)], start=1):
        gm.partial_fit(X, sample_weight=w)
        resp, log_norm = direct_estep(
            X, w, params[0], params[1], full_covariances(params[2], ct, K, d)
        )
        nk, sx, sxx = direct_stats(X, w, resp)
        gamma = (t + t0) ** -kappa
        s_nk = (1 - gamma) * s_nk + gamma * nk
        s_sx = (1 - gamma) * s_sx + gamma * sx
        s_sxx = (1 - gamma) * s_sxx + gamma * sxx
        params = direct_mstep(s_nk, s_sx, s_sxx, ct, reg)
        assert gm.lower_bound_ == pytest.approx(np.dot(w, log_norm) / w.sum(), rel=1e-10)
        np.testing.assert_allclose(gm.weights_, params[0], rtol=1e-10)
        np.testing.assert_allclose(gm.means_, params[1], rtol=1e-9, atol=1e-11)
        np.testing.assert_allclose(gm.covariances_, params[2], rtol=1e-9, atol=1e-11)
        state = gm._online_state  # the running statistics themselves, in centred coordinates
        np.testing.assert_allclose(state.stats.nk, s_nk, rtol=1e-10)
        np.testing.assert_allclose(
            state.stats.sx + state.stats.nk[:, None] * state.center, s_sx, rtol=1e-9
        )
    assert gm.n_batches_seen_ == 2


@pytest.mark.parametrize("ct", TYPES)
def test_first_batch_with_zero_offset_is_one_em_iteration(ct):
    """gamma_1 = 1: the first step is fit's first EM iteration from the same start."""
    weights0, means0, prec0 = start_of(ct, 2)
    X = mixture_batch(np.random.default_rng(4), 400)
    kw = dict(weights_init=weights0, means_init=means0, precisions_init=prec0)
    online = GaussianMixture(3, covariance_type=ct, **kw).partial_fit(X)
    batch = GaussianMixture(3, covariance_type=ct, max_iter=1, tol=0.0, **kw)
    with pytest.warns(Warning):  # max_iter=1 does not converge
        batch.fit(X)
    for name in ("weights_", "means_", "covariances_", "precisions_cholesky_"):
        np.testing.assert_allclose(getattr(online, name), getattr(batch, name), rtol=1e-10)
    assert online.lower_bound_ == pytest.approx(batch.lower_bound_, rel=1e-12)


# ------------------------------------------------------------------------ convergence
def _smoother_variance_factor(gammas):
    """Var(s_T) / Var(s_batch) for s_t = (1 - g_t) s_{t-1} + g_t xi_t, xi iid."""
    f = 0.0
    for g in gammas:
        f = (1 - g) ** 2 * f + g * g
    return f


TRUTH = {
    # weights, means, covariance in each type's layout; two well separated components
    "full": (
        [0.6, 0.4],
        [[0.0, 0.0], [6.0, 2.0]],
        [[[1.0, 0.4], [0.4, 0.8]], [[0.5, -0.2], [-0.2, 1.5]]],
    ),
    "tied": ([0.6, 0.4], [[0.0, 0.0], [6.0, 2.0]], [[1.0, 0.4], [0.4, 0.8]]),
    "diag": ([0.6, 0.4], [[0.0, 0.0], [6.0, 2.0]], [[1.0, 0.6], [0.5, 1.5]]),
    "spherical": ([0.6, 0.4], [[0.0, 0.0], [6.0, 2.0]], [1.0, 0.6]),
}


def _standard_errors(ct, weights, covs, n):
    """Sampling standard errors of (weights, means, covariances) from ``n`` rows.

    Gaussian sampling theory: var(w_k) = w(1 - w)/n, var(mean_ki) = S_ii / n_k,
    var(S_ij) = (S_ii S_jj + S_ij^2) / n_k with n_k = w_k n (pooled for tied, the mean
    of the d variances for spherical).
    """
    w = np.asarray(weights)
    d = covs.shape[-1]
    nk = w * n
    var = np.diagonal(covs, axis1=1, axis2=2)
    se_w = np.sqrt(w * (1 - w) / n)
    se_mu = np.sqrt(var / nk[:, None])
    wish = (np.einsum("ki,kj->kij", var, var) + covs**2) / nk[:, None, None]
    if ct == "full":
        se_cov = np.sqrt(wish)
    elif ct == "tied":
        se_cov = np.sqrt((var[0][:, None] * var[0][None, :] + covs[0] ** 2) / n)
    elif ct == "diag":
        se_cov = np.sqrt(np.diagonal(wish, axis1=1, axis2=2))
    else:
        se_cov = np.sqrt(2 * var[:, 0] ** 2 / (d * nk))
    return se_w, se_mu, se_cov


@pytest.mark.parametrize("ct", TYPES)
def test_converges_to_the_batch_fit_within_sampling_error(ct):
    """250 batches of 200 rows: online and batch estimates differ by < 4 standard errors.

    The online estimate is, to first order, the batch statistics smoothed by the step
    sizes: its variance is f * (one batch's variance), f from the gammas actually used;
    the batch fit's is one batch's divided by the number of batches. The difference of
    the two has at most the sum of the variances.
    """
    weights, means, cov = (np.asarray(v, dtype=np.float64) for v in TRUTH[ct])
    K, d = means.shape
    covs = full_covariances(cov, ct, K, d)
    rng = np.random.default_rng(11)
    T, B = 250, 200
    batches = []
    for _ in range(T):
        labels = rng.choice(K, size=B, p=weights)
        z = rng.standard_normal((B, d))
        chol = np.linalg.cholesky(covs)
        batches.append(means[labels] + np.einsum("nij,nj->ni", chol[labels], z))
    online = GaussianMixture(K, covariance_type=ct, random_state=0)
    for X in batches:
        online.partial_fit(X)
    X_all = np.vstack(batches)
    batch = GaussianMixture(K, covariance_type=ct, random_state=0, tol=1e-8, max_iter=500)
    batch.fit(X_all)
    order = np.argsort(online.means_[:, 0])
    border = np.argsort(batch.means_[:, 0])
    f = _smoother_variance_factor([(t + 0.0) ** -0.6 for t in range(1, T + 1)])
    one = _standard_errors(ct, weights, covs, B)
    full = _standard_errors(ct, weights, covs, T * B)
    se = [np.sqrt(f * a**2 + b**2) for a, b in zip(one, full, strict=True)]
    cov_o, cov_b = online.covariances_, batch.covariances_
    if ct != "tied":
        cov_o, cov_b = cov_o[order], cov_b[border]
    z_w = np.abs(online.weights_[order] - batch.weights_[border]) / se[0]
    z_mu = np.abs(online.means_[order] - batch.means_[border]) / se[1]
    z_cov = np.abs(cov_o - cov_b) / se[2]
    worst = max(z_w.max(), z_mu.max(), z_cov.max())
    assert worst < 4.0, (z_w, z_mu, z_cov)
    # and both are near the truth (the batch fit within its own sampling error)
    assert np.all(np.abs(batch.means_[border] - means) < 4 * full[1])
    # the tolerance is not vacuous: a mean off by a tenth of its spread would fail it
    assert np.all(0.1 * np.sqrt(np.diagonal(covs, axis1=1, axis2=2)) > 4 * se[1])


def test_tracks_a_drifting_mean():
    """A component whose mean moves by 4 over 300 batches is followed with the lag the
    step sizes predict (a weighted average of the recent means), far below the drift."""
    rng = np.random.default_rng(5)
    T, B, drift = 300, 200, 4.0
    path = np.linspace(0.0, drift, T)  # the moving component's x-mean at batch t
    gm = GaussianMixture(2, random_state=0, learning_decay=0.55)
    for t in range(T):
        labels = rng.random(B) < 0.5
        X = rng.normal(size=(B, 2)) * 0.5
        X[labels, 0] += path[t]
        X[~labels, 1] += 8.0
        gm.partial_fit(X)
    k = int(np.argmin(gm.means_[:, 1]))  # the moving component
    # Predicted: the estimate is sum_t a_t path[t] with a_t = gamma_t prod_{s>t}(1 - gamma_s).
    a = np.zeros(T)
    for t in range(T):
        g = (t + 1) ** -0.55
        a *= 1 - g
        a[t] = g
    predicted = np.dot(a, path)
    se = 0.5 * np.sqrt(np.sum(a**2) / (0.5 * B))  # its sampling error
    error = abs(gm.means_[k, 0] - path[-1])
    assert abs(gm.means_[k, 0] - predicted) < 4 * se + 0.01
    assert error < 0.1 * drift
    # a fit of the whole stream at once sits near the path's average, half the drift off
    assert abs(path.mean() - path[-1]) > 5 * error


# ------------------------------------------------------------------------ weights, dtype
@pytest.mark.parametrize("ct", TYPES)
def test_integer_weights_equal_repeated_rows_within_a_batch(ct):
    weights0, means0, prec0 = start_of(ct, 2)
    kw = dict(covariance_type=ct, weights_init=weights0, means_init=means0, precisions_init=prec0)
    rng = np.random.default_rng(6)
    a, b = GaussianMixture(3, **kw), GaussianMixture(3, **kw)
    for _ in range(3):
        X = mixture_batch(rng, 120)
        reps = rng.integers(0, 4, 120)
        a.partial_fit(X, sample_weight=reps)
        b.partial_fit(np.repeat(X, reps, axis=0))
    for name in ("weights_", "means_", "covariances_"):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=1e-11, atol=1e-13)
    # a batch counts by its step, not its weight: scaling all weights changes nothing
    c = GaussianMixture(3, **kw)
    rng = np.random.default_rng(6)
    for _ in range(3):
        X = mixture_batch(rng, 120)
        c.partial_fit(X, sample_weight=rng.integers(0, 4, 120) * 3.7)
    np.testing.assert_allclose(c.means_, a.means_, rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("ct", TYPES)
def test_float32_stays_float32(ct):
    rng = np.random.default_rng(8)
    batches = [mixture_batch(rng, 300) for _ in range(5)]
    g32 = GaussianMixture(3, covariance_type=ct, random_state=0)
    g64 = GaussianMixture(3, covariance_type=ct, random_state=0)
    for X in batches:
        g32.partial_fit(X.astype(np.float32))
        g64.partial_fit(X)
    for name in ("weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_"):
        assert getattr(g32, name).dtype == np.float32, name
        np.testing.assert_allclose(getattr(g32, name), getattr(g64, name), rtol=2e-4, atol=2e-5)
    assert g32.predict(batches[0].astype(np.float32)).shape == (300,)


# --------------------------------------------------------------------------- bad input
def _started(**kw):
    gm = GaussianMixture(2, random_state=0, **kw)
    return gm.partial_fit(np.random.default_rng(0).normal(size=(50, 3)))


def test_another_number_of_features_is_refused_and_changes_nothing():
    gm = _started()
    means = gm.means_.copy()
    with pytest.raises(ValueError, match="X has 2 features, but GaussianMixture is expecting 3"):
        gm.partial_fit(np.zeros((10, 2)))
    assert gm.n_batches_seen_ == 1 and np.array_equal(gm.means_, means)


def test_feature_names_must_match_the_first_batch():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(40, 2)), columns=["a", "b"])
    gm = GaussianMixture(2, random_state=0).partial_fit(df)
    assert list(gm.feature_names_in_) == ["a", "b"]
    gm.partial_fit(df.sample(frac=1.0, random_state=1))
    with pytest.raises(ValueError, match="same order"):
        gm.partial_fit(df[["b", "a"]])
    with pytest.raises(ValueError, match="unseen"):
        gm.partial_fit(df.rename(columns={"a": "c"}))
    assert gm.n_batches_seen_ == 2


def test_first_batch_smaller_than_n_components():
    with pytest.raises(ValueError, match=r"first batch has 2 sample.*n_components=3.*at least 3"):
        GaussianMixture(3).partial_fit(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="positive weight"):
        GaussianMixture(3).partial_fit(np.eye(4), sample_weight=[1, 1, 0, 0])
    # later batches may be small
    gm = _started()
    gm.partial_fit(np.ones((1, 3)))
    assert gm.n_batches_seen_ == 2


@pytest.mark.parametrize(
    ("kw", "error", "match"),
    [
        ({"learning_decay": 0.5}, ValueError, r"learning_decay must lie in \(0.5, 1\]"),
        ({"learning_decay": 1.2}, ValueError, r"learning_decay must lie in \(0.5, 1\]"),
        ({"learning_decay": float("nan")}, ValueError, "learning_decay must be finite"),
        ({"learning_decay": "0.6"}, TypeError, "learning_decay must be a number"),
        ({"learning_decay": True}, TypeError, "learning_decay must be a number"),
        ({"learning_offset": -1.0}, ValueError, "learning_offset must be >= 0"),
        ({"learning_offset": float("inf")}, ValueError, "learning_offset must be finite"),
        ({"noise": True}, ValueError, "does not support a noise component"),
    ],
)
def test_bad_settings(kw, error, match):
    with pytest.raises(error, match=match):
        GaussianMixture(2, **kw).partial_fit(np.random.default_rng(0).normal(size=(20, 2)))


def test_nan_and_bad_weights_are_refused_mid_stream():
    gm = _started()
    X = np.ones((5, 3))
    X[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"X contains NaN \(first at row 2, column 1\)"):
        gm.partial_fit(X)
    with pytest.raises(ValueError, match=r"sample_weight must have shape \(5,\)"):
        gm.partial_fit(np.ones((5, 3)), sample_weight=np.ones(4))
    with pytest.raises(ValueError, match="non-negative"):
        gm.partial_fit(np.ones((5, 3)), sample_weight=-np.ones(5))
    assert gm.n_batches_seen_ == 1


def test_changing_the_model_mid_stream_is_refused():
    gm = _started()
    gm.set_params(n_components=3)
    with pytest.raises(ValueError, match="started with n_components=2"):
        gm.partial_fit(np.zeros((10, 3)))
    gm.set_params(n_components=2, covariance_type="diag")
    with pytest.raises(ValueError, match="covariance_type='full'"):
        gm.partial_fit(np.zeros((10, 3)))


# -------------------------------------------------------- state: pickling, fit, callbacks
def test_pickling_mid_stream_continues_identically():
    rng = np.random.default_rng(9)
    batches = [mixture_batch(rng, 150) for _ in range(8)]
    gm = GaussianMixture(3, random_state=0)
    for X in batches[:4]:
        gm.partial_fit(X)
    copy = pickle.loads(pickle.dumps(gm))
    assert copy.n_batches_seen_ == 4
    for X in batches[4:]:
        gm.partial_fit(X)
        copy.partial_fit(X)
    for name in ("weights_", "means_", "covariances_"):
        np.testing.assert_allclose(getattr(copy, name), getattr(gm, name), rtol=1e-13)
    np.testing.assert_allclose(copy.lower_bounds_, gm.lower_bounds_, rtol=1e-13)


def test_after_fit_it_continues_from_the_fitted_parameters():
    rng = np.random.default_rng(10)
    gm = GaussianMixture(3, random_state=0).fit(mixture_batch(rng, 3000))
    fitted = GaussianMixture.from_params(gm)
    X = mixture_batch(rng, 200)
    gm.partial_fit(X)
    assert gm.n_batches_seen_ == 2  # the fit counts as batch 1
    # the batch was E-stepped with the fitted parameters
    assert gm.lower_bound_ == pytest.approx(fitted.score(X), rel=1e-12)
    # and blended with gamma_2 = 2^-0.6 into the fitted model's statistics
    params = fitted._params_from_attributes(np.zeros(2))
    resp, _ = direct_estep(X, None, fitted.weights_, fitted.means_, fitted.covariances_)
    nk, sx, _ = direct_stats(X, None, resp)
    g = 2**-0.6
    expected = ((1 - g) * params.weights[:, None] * params.means + g * sx) / (
        (1 - g) * params.weights + g * nk
    )[:, None]
    np.testing.assert_allclose(gm.means_, expected, rtol=1e-10)
    # a later fit starts afresh
    gm.fit(mixture_batch(rng, 500))
    assert not hasattr(gm, "n_batches_seen_") and not hasattr(gm, "_online_state")


def test_callbacks_get_one_state_per_batch():
    history = History()
    gm = GaussianMixture(2, random_state=0, callbacks=history)
    rng = np.random.default_rng(0)
    for _ in range(4):
        gm.partial_fit(rng.normal(size=(30, 2)))
    assert [s.n_iter for s in history.states] == [0, 1, 2, 3, 4]
    last = history.states[-1]
    assert last.lower_bound == gm.lower_bound_
    assert last.change == pytest.approx(gm.lower_bounds_[-1] - gm.lower_bounds_[-2])
    np.testing.assert_allclose(last.means, gm.means_)
    # between batches the model predicts and scores like a fitted one
    X = rng.normal(size=(30, 2))
    resp, log_norm = direct_estep(X, None, gm.weights_, gm.means_, gm.covariances_)
    np.testing.assert_allclose(gm.predict_proba(X), resp, rtol=1e-10)
    assert gm.score(X) == pytest.approx(log_norm.mean(), rel=1e-12)


def test_n_init_keeps_the_start_the_first_batch_likes_best():
    X = mixture_batch(np.random.default_rng(12), 300)
    starts = History()
    gm = GaussianMixture(3, n_init=4, init_params="random", random_state=0, callbacks=starts)
    gm.partial_fit(X)
    assert [s.n_iter for s in starts.states] == [0, 1]  # one start reported: the kept one
    # the kept start's batch log-likelihood is the best of the 4 starts' (drawn in turn)
    rs = np.random.RandomState(0)
    bounds = []
    for _ in range(4):
        one = GaussianMixture(3, init_params="random", random_state=rs, max_iter=1, tol=0)
        with pytest.warns(Warning):
            one.fit(X)
        bounds.append(one.lower_bound_)
    assert gm.lower_bound_ == pytest.approx(max(bounds), rel=1e-12)


# ------------------------------------------------------------------- streams and Dask
def test_fit_stream_of_a_generator_equals_the_loop():
    rng = np.random.default_rng(13)
    batches = [mixture_batch(rng, 100) for _ in range(10)]
    weights = [rng.random(100) for _ in range(10)]
    loop = GaussianMixture(3, random_state=0)
    for X, w in zip(batches, weights, strict=True):
        loop.partial_fit(X, sample_weight=w)
    streamed = fit_stream(
        GaussianMixture(3, random_state=0), (X for X in batches), sample_weight=iter(weights)
    )
    assert streamed.n_batches_seen_ == 10
    np.testing.assert_array_equal(streamed.means_, loop.means_)
    np.testing.assert_array_equal(streamed.covariances_, loop.covariances_)


def test_fit_stream_of_dask_blocks_equals_numpy_batches():
    da = pytest.importorskip("dask.array")
    X = mixture_batch(np.random.default_rng(14), 2000)
    w = np.random.default_rng(15).random(2000)
    on_numpy = fit_stream(GaussianMixture(3, random_state=0), X, batch_size=250, sample_weight=w)
    on_dask = fit_stream(
        GaussianMixture(3, random_state=0), da.from_array(X, chunks=(250, 1)), sample_weight=w
    )
    assert on_dask.n_batches_seen_ == on_numpy.n_batches_seen_ == 8
    np.testing.assert_allclose(on_dask.means_, on_numpy.means_, rtol=1e-12)
    np.testing.assert_allclose(on_dask.covariances_, on_numpy.covariances_, rtol=1e-12)
    # a Dask array is also one batch for partial_fit itself (statistics on the scheduler)
    one_np = GaussianMixture(3, random_state=0).partial_fit(X, sample_weight=w)
    one_da = GaussianMixture(3, random_state=0).partial_fit(
        da.from_array(X, chunks=(500, 2)), sample_weight=w
    )
    np.testing.assert_allclose(one_da.means_, one_np.means_, rtol=1e-10)
    np.testing.assert_allclose(one_da.covariances_, one_np.covariances_, rtol=1e-10)


def test_fit_stream_stops_when_a_callback_asks():
    read = []

    def batches():
        rng = np.random.default_rng(0)
        for i in range(10):
            read.append(i)
            yield rng.normal(size=(40, 2))

    gm = GaussianMixture(2, random_state=0, callbacks=lambda s: s.n_iter == 3)
    fit_stream(gm, batches())
    assert gm.n_batches_seen_ == 3 and read == [0, 1, 2]


def test_fit_stream_bad_input():
    gm = GaussianMixture(2, random_state=0)
    with pytest.raises(ValueError, match="no batch"):
        fit_stream(gm, iter([]))
    with pytest.raises(ValueError, match="needs batch_size"):
        fit_stream(gm, np.zeros((10, 2)))
    with pytest.raises(ValueError, match="batch_size only applies"):
        fit_stream(gm, [np.zeros((10, 2))], batch_size=5)
    with pytest.raises(TypeError, match="iterable of the batches' weights"):
        fit_stream(gm, [np.zeros((10, 2))], sample_weight=np.ones(10))
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="sample_weight ended before the batches"):
        fit_stream(gm, [rng.normal(size=(10, 2))] * 2, sample_weight=[np.ones(10)])
    with pytest.raises(TypeError, match="needs a gmm_widgets GaussianMixture"):
        fit_stream(object(), [np.zeros((10, 2))])
    with pytest.raises(TypeError, match="iterable"):
        fit_stream(gm, 3)


def test_iter_batches_slices_rows_and_weights():
    X = np.arange(20.0).reshape(10, 2)
    out = list(iter_batches(X, 4, sample_weight=np.arange(10.0)))
    assert [len(b) for b, _ in out] == [4, 4, 2]
    np.testing.assert_array_equal(np.vstack([b for b, _ in out]), X)
    np.testing.assert_array_equal(out[2][1], [8.0, 9.0])
    df = pd.DataFrame(X, columns=["a", "b"])
    assert [list(b.columns) for b, _ in iter_batches(df, 5)] == [["a", "b"]] * 2


def test_continues_a_model_built_from_scikit_learn_parameters():
    skm = pytest.importorskip("sklearn.mixture")
    rng = np.random.default_rng(16)
    sk = skm.GaussianMixture(3, covariance_type="diag", random_state=0)
    sk.fit(mixture_batch(rng, 2000))
    gm = GaussianMixture.from_params(sk)
    X = mixture_batch(rng, 300)
    expected_bound = float(sk.score(X))  # the E-step uses scikit-learn's parameters
    gm.partial_fit(X)
    assert gm.n_batches_seen_ == 2
    assert gm.lower_bound_ == pytest.approx(expected_bound, rel=1e-10)
    assert gm.covariances_.shape == (3, 2)


def test_a_later_fit_and_warm_start():
    rng = np.random.default_rng(17)
    gm = GaussianMixture(3, random_state=0, warm_start=True)
    for _ in range(5):
        gm.partial_fit(mixture_batch(rng, 200))
    means = gm.means_.copy()
    X = mixture_batch(rng, 2000)
    history = History()
    gm.set_params(callbacks=history)
    gm.fit(X)  # warm_start: fit continues from the stream's parameters
    np.testing.assert_allclose(history.states[0].means, means)
    assert not hasattr(gm, "n_batches_seen_")
    gm.partial_fit(mixture_batch(rng, 200))  # and a new stream continues the fit
    assert gm.n_batches_seen_ == 2


@pytest.mark.parametrize(
    "kw",
    [
        dict(missing="em"),
        dict(fixed_means={0: [0.0, 0.0]}),
        dict(equal_weights=True),
        dict(fixed_weights=[0.5, 0.5]),
    ],
)
def test_options_partial_fit_does_not_support_are_refused(kw):
    X = np.random.default_rng(0).normal(size=(50, 2))
    with pytest.raises(ValueError, match="partial_fit does not support"):
        GaussianMixture(2, random_state=0, **kw).partial_fit(X)
