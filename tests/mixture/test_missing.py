"""missing="em": EM with missing values, each claim against a direct computation."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate, stats

from gmm_widgets import GaussianMixture, MissingValuesWarning

TYPES = ("full", "tied", "diag", "spherical")


def _blobs(n=400, seed=0, d=3):
    """Two correlated Gaussian clusters in ``d`` features."""
    rng = np.random.default_rng(seed)
    a = np.full((d, d), 0.6) + 0.4 * np.eye(d)
    b = np.eye(d) * 0.5
    X = np.concatenate(
        [
            rng.multivariate_normal(np.zeros(d), a, n // 2),
            rng.multivariate_normal(np.full(d, 3.0), b, n - n // 2),
        ]
    )
    return X


def _mcar(X, rate, seed=1):
    rng = np.random.default_rng(seed)
    Xm = X.copy()
    Xm[rng.random(X.shape) < rate] = np.nan
    return Xm


def _params(covariance_type, d=2):
    """A hand-made mixture: (weights, means, covariances in the type's shape)."""
    weights = np.array([0.35, 0.65])
    means = np.array([[0.0, 1.0, -0.5][:d], [2.0, -1.0, 1.5][:d]])
    full = np.array(
        [
            [[1.0, 0.6, 0.2], [0.6, 2.0, -0.3], [0.2, -0.3, 1.5]],
            [[0.8, -0.3, 0.1], [-0.3, 0.5, 0.2], [0.1, 0.2, 1.2]],
        ]
    )[:, :d, :d]
    covs = {
        "full": full,
        "tied": full[0],
        "diag": np.array([[1.0, 2.0, 1.5], [0.8, 0.5, 1.2]])[:, :d],
        "spherical": np.array([1.3, 0.7]),
    }[covariance_type]
    return weights, means, covs


def _full_covs(covariance_type, covs, K, d):
    if covariance_type == "full":
        return np.asarray(covs)
    if covariance_type == "tied":
        return np.stack([covs] * K)
    if covariance_type == "diag":
        return np.stack([np.diag(c) for c in covs])
    return np.stack([c * np.eye(d) for c in covs])


def _model(covariance_type, d=2):
    weights, means, covs = _params(covariance_type, d)
    gm = GaussianMixture.from_params(
        {
            "weights": weights,
            "means": means,
            "covariances": covs,
            "covariance_type": covariance_type,
        }
    )
    return gm.set_params(missing="em")


# ----------------------------------------------------------------- the observed marginals
@pytest.mark.parametrize("covariance_type", TYPES)
def test_observed_log_density_is_the_integral_of_the_full_density(covariance_type):
    """In 2-D, p(x_1) = integral over x_2 of the mixture density, by quadrature."""
    weights, means, covs = _params(covariance_type)
    full = _full_covs(covariance_type, covs, 2, 2)
    gm = _model(covariance_type)

    def density(x):
        return sum(
            w * stats.multivariate_normal(m, c).pdf(x)
            for w, m, c in zip(weights, means, full, strict=True)
        )

    rows = np.array([[0.3, np.nan], [np.nan, -0.7], [2.5, np.nan], [np.nan, 4.0]])
    got = gm.score_samples(rows)
    for row, value in zip(rows, got, strict=True):
        if np.isnan(row[1]):
            integral, _ = integrate.quad(lambda t, a=row[0]: density([a, t]), -np.inf, np.inf)
        else:
            integral, _ = integrate.quad(lambda t, b=row[1]: density([t, b]), -np.inf, np.inf)
        assert_allclose(value, np.log(integral), rtol=1e-9)
    # Rows without NaN: the full density, exactly as missing="error" scores them.
    complete = np.array([[0.3, 0.2], [1.0, -2.0]])
    assert_allclose(gm.score_samples(complete), np.log([density(r) for r in complete]), rtol=1e-12)
    assert_allclose(
        gm.score_samples(complete), gm.set_params(missing="error").score_samples(complete), rtol=0
    )


def test_predict_proba_with_nan_is_the_posterior_of_the_observed_marginal():
    weights, means, covs = _params("full", 3)
    gm = _model("full", 3)
    row = np.array([[0.5, np.nan, 1.0]])
    obs = [0, 2]
    dens = np.array(
        [
            w * stats.multivariate_normal(m[obs], c[np.ix_(obs, obs)]).pdf(row[0, obs])
            for w, m, c in zip(weights, means, covs, strict=True)
        ]
    )
    assert_allclose(gm.predict_proba(row)[0], dens / dens.sum(), rtol=1e-12)
    assert gm.predict(row)[0] == np.argmax(dens)
    assert_allclose(gm.score_samples(row)[0], np.log(dens.sum()), rtol=1e-12)


# ------------------------------------------------------------------- one EM step, by hand
def _direct_em_step(X, w, weights, means, covs, covariance_type, reg_covar):
    """One E-step and M-step by a loop over rows: the textbook formulas."""
    n, d = X.shape
    K = len(weights)
    r = np.zeros((n, K))
    xhat = np.zeros((n, K, d))
    cond = np.zeros((n, K, d, d))
    log_lik = np.zeros(n)
    for i in range(n):
        o = np.flatnonzero(~np.isnan(X[i]))
        m = np.flatnonzero(np.isnan(X[i]))
        dens = np.zeros(K)
        for k in range(K):
            s = covs[k]
            dens[k] = weights[k] * stats.multivariate_normal(means[k][o], s[np.ix_(o, o)]).pdf(
                X[i, o]
            )
            b = np.linalg.solve(s[np.ix_(o, o)], s[np.ix_(o, m)]).T  # S_mo S_oo^-1
            xhat[i, k, o] = X[i, o]
            xhat[i, k, m] = means[k][m] + b @ (X[i, o] - means[k][o])
            cond[i, k][np.ix_(m, m)] = s[np.ix_(m, m)] - b @ s[np.ix_(o, m)]
        r[i] = dens / dens.sum()
        log_lik[i] = np.log(dens.sum())
    rw = r * w[:, None]
    nk = rw.sum(axis=0)
    new_means = np.einsum("nk,nkd->kd", rw, xhat) / nk[:, None]
    scatter = np.zeros((K, d, d))
    for k in range(K):
        for i in range(n):
            dev = xhat[i, k] - new_means[k]
            scatter[k] += rw[i, k] * (np.outer(dev, dev) + cond[i, k])
    if covariance_type == "full":
        cov = scatter / nk[:, None, None] + reg_covar * np.eye(d)
    elif covariance_type == "tied":
        cov = scatter.sum(axis=0) / nk.sum() + reg_covar * np.eye(d)
    elif covariance_type == "diag":
        cov = np.diagonal(scatter, axis1=1, axis2=2) / nk[:, None] + reg_covar
    else:
        cov = np.diagonal(scatter, axis1=1, axis2=2).mean(axis=1) / nk + reg_covar
    lower_bound = np.dot(w, log_lik) / w.sum()
    return nk / nk.sum(), new_means, cov, lower_bound


def _precisions(covariance_type, covs):
    if covariance_type in ("full",):
        return np.linalg.inv(covs)
    if covariance_type == "tied":
        return np.linalg.inv(covs)
    return 1.0 / np.asarray(covs)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("covariance_type", TYPES)
def test_one_em_step_equals_the_direct_computation(covariance_type, weighted):
    rng = np.random.default_rng(3)
    weights, means, covs = _params(covariance_type, 3)
    X = _mcar(rng.normal(size=(60, 3)) * 1.5 + 0.5, 0.3, seed=4)
    X[5] = [np.nan, 0.2, np.nan]  # one observed value
    X[6] = [1.0, 2.0, 3.0]  # complete
    X[np.isnan(X).all(axis=1), 0] = 0.25  # no row without an observed value here
    w = rng.uniform(0.2, 3.0, size=len(X)) if weighted else np.ones(len(X))
    reg = 1e-6
    gm = GaussianMixture(
        2,
        covariance_type=covariance_type,
        missing="em",
        weights_init=weights,
        means_init=means,
        precisions_init=_precisions(covariance_type, covs),
        max_iter=1,
        reg_covar=reg,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gm.fit(X, sample_weight=w if weighted else None)
    full = _full_covs(covariance_type, covs, 2, 3)
    want_w, want_m, want_c, want_lb = _direct_em_step(
        X, w, weights, means, full, covariance_type, reg
    )
    assert_allclose(gm.weights_, want_w, rtol=1e-10)
    assert_allclose(gm.means_, want_m, rtol=1e-10, atol=1e-12)
    assert_allclose(gm.covariances_, want_c, rtol=1e-10, atol=1e-12)
    assert_allclose(gm.lower_bound_, want_lb, rtol=1e-12)


# ------------------------------------------------------------------------ the EM loop
@pytest.mark.parametrize("covariance_type", TYPES)
def test_lower_bound_never_decreases(covariance_type):
    X = _mcar(_blobs(300, seed=5), 0.25, seed=6)
    bounds = []
    gm = GaussianMixture(
        3,
        covariance_type=covariance_type,
        missing="em",
        tol=0,
        max_iter=60,
        random_state=0,
        callbacks=lambda s: bounds.append(s.lower_bound),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gm.fit(X)
    steps = np.diff(bounds[1:])  # bounds[0] is the -inf of the start
    assert len(steps) == 59
    assert steps.min() >= -1e-12 * abs(bounds[-1]), steps.min()
    assert bounds[-1] > bounds[1] + 1e-3  # it did climb
    # The fitted bound is the mean observed-data log-likelihood of the last E-step:
    # one more E-step under the final parameters scores at least as high.
    assert gm.score(X) >= gm.lower_bound_ - 1e-12


@pytest.mark.parametrize("covariance_type", TYPES)
def test_without_nan_the_fit_is_todays(covariance_type):
    X = _blobs(300, seed=7)
    kw = dict(covariance_type=covariance_type, random_state=2, n_init=2)
    a = GaussianMixture(3, **kw).fit(X)
    b = GaussianMixture(3, missing="em", **kw).fit(X)
    for name in ("weights_", "means_", "covariances_", "precisions_cholesky_"):
        assert_allclose(getattr(b, name), getattr(a, name), rtol=1e-12, atol=1e-14)
    assert_allclose(b.lower_bounds_, a.lower_bounds_, rtol=1e-12)
    assert b.n_iter_ == a.n_iter_
    assert_allclose(b.score_samples(X), a.score_samples(X), rtol=1e-12)
    assert_allclose(b.predict_proba(X), a.predict_proba(X), rtol=1e-12, atol=1e-300)


def _matched_error(model, ref):
    """Parameter error against a reference fit, components matched by their means."""
    order = [int(np.argmin(((model.means_ - m) ** 2).sum(axis=1))) for m in ref.means_]
    assert sorted(order) == list(range(len(order)))
    mean_err = np.linalg.norm(model.means_[order] - ref.means_)
    cov_err = np.linalg.norm(model.covariances_full()[order] - ref.covariances_full())
    return mean_err + cov_err


@pytest.mark.parametrize("rate", [0.1, 0.3])
def test_em_is_closer_to_the_complete_fit_than_complete_case_or_mean_imputation(rate):
    """Parameter error against the complete-data fit, summed over three seeded draws.

    Per draw, EM's error was 0.2-0.6 times complete-case's and under 0.15 times mean
    imputation's (see benchmarks/missing_values.py for the table).
    """
    errors = np.zeros(3)
    for seed in range(3):
        X = _blobs(1500, seed=11 + seed, d=4)
        Xm = _mcar(X, rate, seed=100 + seed)
        ref = GaussianMixture(2, random_state=0).fit(X)
        start = dict(means_init=ref.means_, random_state=0, max_iter=500, tol=1e-6)
        em = GaussianMixture(2, missing="em", **start).fit(Xm)
        cc = GaussianMixture(2, **start).fit(Xm[~np.isnan(Xm).any(axis=1)])
        mean_imputed = np.where(np.isnan(Xm), np.nanmean(Xm, axis=0), Xm)
        mi = GaussianMixture(2, **start).fit(mean_imputed)
        errors += [_matched_error(m, ref) for m in (em, cc, mi)]
    e_em, e_cc, e_mi = errors
    assert e_em < 0.75 * e_cc, errors
    assert e_em < 0.3 * e_mi, errors


def test_integer_weights_equal_repeated_rows():
    X = _mcar(_blobs(120, seed=13), 0.25, seed=14)
    X = X[~np.isnan(X).all(axis=1)]
    counts = np.random.default_rng(15).integers(0, 4, size=len(X))
    weights, means, covs = _params("full", 3)
    kw = dict(
        missing="em",
        weights_init=weights,
        means_init=means,
        precisions_init=np.linalg.inv(covs),
        tol=0,
        max_iter=15,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = GaussianMixture(2, **kw).fit(X, sample_weight=counts)
        b = GaussianMixture(2, **kw).fit(np.repeat(X, counts, axis=0))
    for name in ("weights_", "means_", "covariances_"):
        assert_allclose(getattr(a, name), getattr(b, name), rtol=1e-9)
    assert_allclose(a.lower_bounds_, b.lower_bounds_, rtol=1e-10)


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_chunks_and_memmap_give_the_same_fit(tmp_path, covariance_type):
    X = _mcar(_blobs(2000, seed=16), 0.2, seed=17)
    kw = dict(covariance_type=covariance_type, missing="em", random_state=0, tol=1e-8)
    one = GaussianMixture(2, chunk_size=10_000, **kw).fit(X)
    many = GaussianMixture(2, chunk_size=128, n_jobs=2, **kw).fit(X)
    path = tmp_path / "x.npy"
    np.save(path, X)
    mm = np.load(path, mmap_mode="r")
    mapped = GaussianMixture(2, chunk_size=128, **kw).fit(mm)
    for other in (many, mapped):
        assert_allclose(other.means_, one.means_, rtol=1e-9, atol=1e-12)
        assert_allclose(other.covariances_, one.covariances_, rtol=1e-9, atol=1e-12)
    assert_allclose(mapped.score_samples(mm), one.score_samples(X), rtol=1e-12)
    assert_allclose(mapped.impute(mm), one.impute(X), rtol=1e-9)


def test_float32_data_with_nan():
    X = _mcar(_blobs(500, seed=18), 0.2, seed=19)
    a = GaussianMixture(2, missing="em", random_state=0, tol=1e-6).fit(X)
    b = GaussianMixture(2, missing="em", random_state=0, tol=1e-6).fit(X.astype(np.float32))
    assert b.means_.dtype == np.float32
    assert_allclose(b.means_, a.means_, atol=1e-4)
    assert b.impute(X.astype(np.float32)).dtype == np.float32


def test_warm_start_and_repeat_fits_are_deterministic():
    X = _mcar(_blobs(300, seed=20), 0.2, seed=21)
    kw = dict(missing="em", random_state=3, n_init=2, init_params="k-means++")
    a = GaussianMixture(2, **kw).fit(X)
    b = GaussianMixture(2, **kw).fit(X)
    assert_allclose(a.means_, b.means_, rtol=0)
    warm = GaussianMixture(2, warm_start=True, tol=1e-10, max_iter=300, **kw).fit(X)
    bound = warm.lower_bound_
    warm.fit(X)  # continues from the fitted parameters
    assert warm.lower_bound_ >= bound - 1e-12


def test_fit_predict_agrees_with_predict():
    X = _mcar(_blobs(300, seed=22), 0.3, seed=23)
    gm = GaussianMixture(2, missing="em", random_state=0)
    assert np.array_equal(gm.fit_predict(X), gm.predict(X))


# -------------------------------------------------------------------------- criteria
def test_bic_aic_use_the_observed_likelihood_and_the_same_parameter_count():
    X = _mcar(_blobs(300, seed=24), 0.2, seed=25)
    gm = GaussianMixture(2, missing="em", random_state=0).fit(X)
    complete = GaussianMixture(2, random_state=0).fit(_blobs(300, seed=24))
    assert gm.n_parameters_ == complete.n_parameters_
    total = gm.score_samples(X).sum()
    n = len(X)
    assert_allclose(gm.bic(X), -2 * total + gm.n_parameters_ * np.log(n), rtol=1e-12)
    assert_allclose(gm.aic(X), -2 * total + 2 * gm.n_parameters_, rtol=1e-12)
    crit = gm.criteria(X)
    assert_allclose(crit["bic"], gm.bic(X), rtol=1e-12)
    r = gm.predict_proba(X)
    entropy = -np.sum(r * np.log(r, where=r > 0, out=np.zeros_like(r)))
    assert_allclose(crit["icl"], gm.bic(X) + 2 * entropy, rtol=1e-10)


# --------------------------------------------------------------------------- impute
def _direct_impute(gm, X):
    """E[x_m | x_o] by a loop over rows and components."""
    weights, means, covs = gm.weights_, gm.means_, gm.covariances_full()
    out = X.copy()
    for i, row in enumerate(X):
        m = np.flatnonzero(np.isnan(row))
        o = np.flatnonzero(~np.isnan(row))
        if m.size == 0:
            continue
        dens = np.array(
            [
                w
                * (stats.multivariate_normal(mu[o], s[np.ix_(o, o)]).pdf(row[o]) if o.size else 1)
                for w, mu, s in zip(weights, means, covs, strict=True)
            ]
        )
        r = dens / dens.sum()
        cond = [
            mu[m] + s[np.ix_(m, o)] @ np.linalg.solve(s[np.ix_(o, o)], row[o] - mu[o])
            if o.size
            else mu[m]
            for mu, s in zip(means, covs, strict=True)
        ]
        out[i, m] = np.dot(r, np.array(cond))
    return out


@pytest.mark.parametrize("covariance_type", TYPES)
def test_impute_is_the_conditional_expectation(covariance_type):
    X = _mcar(_blobs(200, seed=26), 0.3, seed=27)
    X[0] = np.nan  # nothing observed: the mixture's mean
    with pytest.warns(MissingValuesWarning):
        gm = GaussianMixture(2, covariance_type=covariance_type, missing="em", random_state=0)
        gm.fit(X)
    got = gm.impute(X)
    assert_allclose(got, _direct_impute(gm, X), rtol=1e-10, atol=1e-12)
    observed = ~np.isnan(X)
    assert np.array_equal(got[observed], X[observed])
    assert_allclose(got[0], gm.weights_ @ gm.means_, rtol=1e-12)
    # A model fitted without missing="em" imputes too.
    assert_allclose(gm.set_params(missing="error").impute(X), got, rtol=0)


def test_impute_draws_follow_the_conditional_mixture():
    gm = _model("full", 3)
    row = np.array([0.8, np.nan, np.nan])
    n = 40_000
    draws = gm.impute(np.tile(row, (n, 1)), draw=True, random_state=0)
    assert np.all(draws[:, 0] == 0.8)
    # Moments of the conditional mixture, by hand.
    weights, means, covs = _params("full", 3)
    o, m = [0], [1, 2]
    dens = np.array(
        [
            w * stats.norm(mu[0], np.sqrt(s[0, 0])).pdf(0.8)
            for w, mu, s in zip(weights, means, covs, strict=True)
        ]
    )
    r = dens / dens.sum()
    cm = [
        mu[m] + s[np.ix_(m, o)] @ np.linalg.solve(s[np.ix_(o, o)], [0.8 - mu[0]])
        for mu, s in zip(means, covs, strict=True)
    ]
    cc = [
        s[np.ix_(m, m)] - s[np.ix_(m, o)] @ np.linalg.solve(s[np.ix_(o, o)], s[np.ix_(o, m)])
        for s in covs
    ]
    mean = r @ np.array(cm)
    cov = sum(rk * (c + np.outer(mk, mk)) for rk, c, mk in zip(r, cc, cm, strict=True)) - np.outer(
        mean, mean
    )
    assert_allclose(gm.impute(row[None])[0, m], mean, rtol=1e-12)
    se = np.sqrt(np.diag(cov) / n)
    assert np.all(np.abs(draws[:, m].mean(axis=0) - mean) < 5 * se)
    assert_allclose(np.cov(draws[:, m].T), cov, rtol=0.05, atol=0.01)
    again = gm.impute(np.tile(row, (n, 1)), draw=True, random_state=0)
    assert np.array_equal(again, draws)


# ------------------------------------------------------------------------ bad input
def test_rows_all_nan_are_dropped_with_a_warning_naming_their_count():
    X = _mcar(_blobs(200, seed=28), 0.2, seed=29)
    X = X[~np.isnan(X).all(axis=1)]
    with_empty = np.insert(X, [3, 50, 50], np.nan, axis=0)
    weights, means, covs = _params("full", 3)
    kw = dict(
        missing="em",
        weights_init=weights,
        means_init=means,
        precisions_init=np.linalg.inv(covs),
        max_iter=20,
        tol=0,
    )
    with pytest.warns(MissingValuesWarning, match=r"X has 3 row\(s\) with every feature missing"):
        a = GaussianMixture(2, **kw).fit(with_empty)
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingValuesWarning)
        b = GaussianMixture(2, **kw).fit(X)
    assert_allclose(a.means_, b.means_, rtol=1e-12)
    assert_allclose(a.covariances_, b.covariances_, rtol=1e-12)
    assert_allclose(a.lower_bounds_, b.lower_bounds_, rtol=1e-12)
    # In prediction such a row has no information: log p = 0, the weights, the heaviest.
    empty = np.full((2, 3), np.nan)
    assert_allclose(a.score_samples(empty), 0.0, atol=0)
    assert_allclose(a.predict_proba(empty), np.tile(a.weights_, (2, 1)), rtol=1e-12)
    assert np.all(a.predict(empty) == np.argmax(a.weights_))


def test_too_few_rows_left_or_a_feature_never_observed():
    X = np.full((5, 2), np.nan)
    X[0] = [1.0, 2.0]
    with (
        pytest.warns(MissingValuesWarning),
        pytest.raises(ValueError, match="1 row\\(s\\) with an observed value"),
    ):
        GaussianMixture(2, missing="em").fit(X)
    Y = _blobs(50, seed=30)
    Y[:, 1] = np.nan
    with pytest.raises(ValueError, match=r"feature\(s\) \[1\] of X have no observed value"):
        GaussianMixture(2, missing="em").fit(Y)


def test_infinity_is_still_refused():
    X = _mcar(_blobs(100, seed=31), 0.2, seed=32)
    X[7, 1] = np.inf
    with pytest.raises(ValueError, match=r"infinity \(first at row 7, column 1\)"):
        GaussianMixture(2, missing="em").fit(X)
    gm = GaussianMixture(2, missing="em", random_state=0).fit(np.nan_to_num(X, posinf=0.0))
    for method in (gm.score_samples, gm.predict, gm.predict_proba, gm.impute):
        with pytest.raises(ValueError, match="infinity"):
            method(X)


def test_default_still_refuses_nan_with_todays_message():
    X = _mcar(_blobs(100, seed=33), 0.2, seed=34)
    with pytest.raises(ValueError, match="X contains NaN"):
        GaussianMixture(2).fit(X)
    gm = GaussianMixture(2, random_state=0).fit(_blobs(100, seed=33))
    with pytest.raises(ValueError, match="X contains NaN"):
        gm.predict(X)


@pytest.mark.parametrize("value", ["bogus", True, None, "EM"])
def test_bad_missing_values(value):
    with pytest.raises(ValueError, match=r"missing must be one of \['error', 'em'\]"):
        GaussianMixture(2, missing=value).fit(_blobs(50))


def test_missing_refuses_noise_and_dask():
    X = _mcar(_blobs(100, seed=35), 0.1, seed=36)
    with pytest.raises(ValueError, match="missing='em' cannot be combined with a noise"):
        GaussianMixture(2, missing="em", noise=True).fit(X)
    da = pytest.importorskip("dask.array")
    with pytest.raises(ValueError, match="missing='em' does not support Dask arrays"):
        GaussianMixture(2, missing="em").fit(da.from_array(X, chunks=50))


def test_impute_bad_input():
    gm = _model("diag", 2)
    with pytest.raises(TypeError, match="draw must be True or False"):
        gm.impute(np.zeros((2, 2)), draw="yes")
    with pytest.raises(ValueError, match="expecting 2 features"):
        gm.impute(np.zeros((2, 3)))
    with pytest.raises(Exception, match="not fitted"):
        GaussianMixture(2).impute(np.zeros((2, 2)))


def test_missing_is_a_parameter():
    gm = GaussianMixture(2, missing="em")
    assert gm.get_params()["missing"] == "em"
    assert GaussianMixture(2).get_params()["missing"] == "error"
    assert "missing='em'" in repr(gm)
    sklearn_base = pytest.importorskip("sklearn.base")
    assert sklearn_base.clone(gm).missing == "em"
    fitted = gm.set_params(random_state=0).fit(_mcar(_blobs(100, seed=37), 0.2, seed=38))
    again = pickle.loads(pickle.dumps(fitted))
    X = _mcar(_blobs(20, seed=39), 0.3, seed=40)
    assert_allclose(again.score_samples(X), fitted.score_samples(X), rtol=0)


@pytest.mark.parametrize("init_params", ["kmeans", "k-means++", "random", "random_from_data"])
def test_every_init_method_starts_on_mean_imputed_data(init_params):
    """The start is the init method run on the data with each NaN replaced by its
    feature's observed mean: the same start as that of missing="error" on that data."""
    X = _mcar(_blobs(300, seed=41), 0.2, seed=42)
    X = X[~np.isnan(X).all(axis=1)]
    # The fit's centre is the observed means rounded (round_center), and the NaN are
    # imputed by it: exactly that value, so the "random" init, which draws from each
    # row's bits, reads the same rows.
    from gmm_widgets.mixture._sources import round_center

    imputed = np.where(np.isnan(X), round_center(np.nanmean(X, axis=0)), X)
    starts = {}
    for name, data, missing in (("em", X, "em"), ("imputed", imputed, "error")):
        states = []
        GaussianMixture(
            2,
            init_params=init_params,
            missing=missing,
            random_state=5,
            max_iter=0,
            callbacks=states.append,
        ).fit(data)
        starts[name] = states[0]
    assert_allclose(starts["em"].means, starts["imputed"].means, rtol=1e-10, atol=1e-12)
    assert_allclose(
        starts["em"].covariances, starts["imputed"].covariances, rtol=1e-10, atol=1e-12
    )
    a = GaussianMixture(2, init_params=init_params, missing="em", random_state=5).fit(X)
    b = GaussianMixture(2, init_params=init_params, missing="em", random_state=5).fit(X)
    assert_allclose(a.means_, b.means_, rtol=0)


def test_pattern_groups_with_many_features():
    """Over 62 features the patterns are told apart by their packed bits, not a code."""
    from gmm_widgets.mixture._missing import _groups

    rng = np.random.default_rng(43)
    for d in (3, 70):
        X = rng.normal(size=(500, d))
        X[rng.random(X.shape) < 0.02] = np.nan
        X[::7, -1] = np.nan  # the last column in every 7th row: beyond 64 bits for d=70
        order, groups = _groups(X)
        assert np.array_equal(np.sort(order), np.arange(len(X)))
        masks = [tuple(m) for m, _, _ in groups]
        assert len(set(masks)) == len(masks)
        for missing, a, b in groups:
            assert np.array_equal(np.isnan(X[order[a:b]]), np.tile(missing, (b - a, 1)))


def test_noise_model_with_missing_em_refuses_nan_in_prediction():
    noisy = GaussianMixture(2, noise=True, random_state=0).fit(_blobs(200, seed=44))
    model = GaussianMixture.from_params(noisy).set_params(missing="em")
    with pytest.raises(ValueError, match="X contains NaN"):
        model.score_samples(np.array([[0.0, np.nan, 1.0]]))


def test_check_fit_args_raises_what_fit_raises():
    Y = _blobs(50, seed=45)
    Y[:, 1] = np.nan
    gm = GaussianMixture(2, missing="em")
    with pytest.raises(ValueError, match=r"feature\(s\) \[1\] of X have no observed value"):
        gm.check_fit_args(Y)
    Y[:, 1] = 0.0
    Y[3, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        gm.check_fit_args(Y)
    Y[3, 0] = np.nan
    gm.check_fit_args(Y)  # fine: NaN is a missing value
    with pytest.raises(ValueError, match="X contains NaN"):
        GaussianMixture(2).check_fit_args(Y)


@pytest.mark.parametrize(
    "kw, y",
    [
        (dict(fixed_means={0: [0.0, 0.0]}), None),
        (dict(equal_weights=True), None),
        (dict(partial_labels=True), "labels"),
    ],
)
def test_missing_values_with_constraints_or_labels_are_refused(kw, y):
    X = np.random.default_rng(0).normal(size=(60, 2))
    X[::7, 1] = np.nan
    labels = np.full(60, -1)
    labels[:5] = 0
    gm = GaussianMixture(2, missing="em", random_state=0, **kw)
    with pytest.raises(ValueError, match="cannot be combined with fixed parameters"):
        gm.fit(X, labels if y else None)
    # Without NaN, missing="em" is the plain fit, constraints included.
    gm.fit(np.nan_to_num(X), labels if y else None)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_far_rows_with_missing_values_score_minus_inf_and_never_nan(covariance_type):
    """Issue 14 item 2 for rows with NaN: far out, log p = -inf and the responsibilities
    are the limit along the row's direction (what the same direction gives at 1e6)."""
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (200, 3)), rng.normal([4, 0, 2], [0.5, 2, 1], (200, 3))])
    X[rng.random(X.shape) < 0.1] = np.nan
    gm = GaussianMixture(2, missing="em", covariance_type=covariance_type, random_state=0)
    gm.fit(X)
    directions = rng.normal(size=(20, 3))
    directions[::2, 1] = np.nan
    directions[1::2, 2] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning reaches the user
        far = gm.predict_proba(directions * 1e300)
        near = gm.predict_proba(directions * 1e6)
        assert np.all(gm.score_samples(directions * 1e300) == -np.inf)
    assert not np.isnan(far).any()
    np.testing.assert_allclose(far.sum(axis=1), 1.0)
    np.testing.assert_array_equal(far.argmax(axis=1), near.argmax(axis=1))


def test_imputed_draws_of_a_seed_do_not_depend_on_the_chunk_size():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(10_000, 3))
    X[rng.random(X.shape) < 0.2] = np.nan
    kw = dict(n_components=2, missing="em", random_state=0, max_iter=5, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        small = GaussianMixture(chunk_size=500, **kw).fit(X)
        large = GaussianMixture(chunk_size=100_000, **kw).fit(X)
    a = small.impute(X, draw=True, random_state=7)
    b = large.impute(X, draw=True, random_state=7)
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)
    assert not np.allclose(a, small.impute(X, draw=True, random_state=8))
