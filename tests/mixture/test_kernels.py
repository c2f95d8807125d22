"""The chunk kernels: the quadratic-feature form, its fallback, chunking and centring."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.stats import multivariate_normal

from gmm_widgets import GaussianMixture
from gmm_widgets.mixture import _moments
from gmm_widgets.mixture._engine import ArraySource, balanced_chunk_size
from gmm_widgets.mixture._init import row_uniforms
from gmm_widgets.mixture._stats import EMParams, MomentStats, chunk_stats
from tests.helpers import make_mixture


def random_params(K, d, seed=0):
    rng = np.random.default_rng(seed)
    means = rng.normal(scale=2.0, size=(K, d))
    A = rng.normal(size=(K, d, d)) * 0.3 + np.eye(d)
    cov = np.einsum("kij,klj->kil", A, A)
    prec_chol = np.stack([np.linalg.cholesky(np.linalg.inv(c)) for c in cov])
    weights = rng.dirichlet(np.ones(K))
    return weights, means, cov, prec_chol


@pytest.mark.parametrize("d", [1, 2, 5, 16])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_quadratic_form_gives_the_weighted_log_densities(d, dtype):
    K = 3
    weights, means, cov, prec_chol = random_params(K, d, seed=d)
    x = np.random.default_rng(1).normal(scale=2.0, size=(50, d)).astype(dtype)
    const = (
        np.log(weights)
        + np.log(np.diagonal(prec_chol, axis1=1, axis2=2)).sum(axis=1)
        - 0.5 * d * np.log(2 * np.pi)
    )
    got = _moments.quad_coefficients(means, prec_chol, const) @ _moments.quad_features(x)
    x64 = x.astype(np.float64)
    want = np.stack(
        [np.log(weights[k]) + multivariate_normal(means[k], cov[k]).logpdf(x64) for k in range(K)]
    ).reshape(K, -1)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


def test_packed_moments_unpack_to_counts_sums_and_second_moments():
    rng = np.random.default_rng(0)
    n, d, K = 40, 4, 3
    x = rng.normal(size=(n, d))
    resp = rng.random((K, n))
    nk, sx, second = _moments.unpack_moments(resp @ _moments.quad_features(x).T, d)
    np.testing.assert_allclose(nk, resp.sum(axis=1))
    np.testing.assert_allclose(sx, resp @ x)
    np.testing.assert_allclose(second, np.einsum("kn,ni,nj->kij", resp, x, x))


def test_features_of_inverts_the_count_and_refuses_other_numbers():
    assert [_moments.features_of(_moments.n_quad(d)) for d in range(1, 40)] == list(range(1, 40))
    with pytest.raises(ValueError, match="not a number of quadratic features"):
        _moments.features_of(7)


def test_the_quadratic_form_is_used_only_while_it_is_accurate():
    _, means, _, prec_chol = random_params(3, 2)
    assert _moments.use_moments(means, prec_chol)
    # A mean 1000 whitened standard deviations from the centre: kappa = 1e6.
    far = means.copy()
    far[0] = np.linalg.solve(prec_chol[0].T, [1000.0, 0.0])
    assert _moments.kappa(far, prec_chol) > _moments.MAX_KAPPA
    assert not _moments.use_moments(far, prec_chol)
    d = _moments.MAX_FEATURES + 1
    _, means, _, prec_chol = random_params(2, d)
    assert not _moments.use_moments(means * 0, prec_chol)


def test_chunk_statistics_agree_between_the_two_forms():
    X, _ = make_mixture(n_per=300, d=3, K=3, seed=4)
    weights, means, cov, prec_chol = random_params(3, 3, seed=2)
    params = EMParams(weights, means, cov, prec_chol, "full")
    quad = params.cast(np.dtype(np.float64))
    assert quad.quad is not None
    whitened = EMParams(weights, means, cov, prec_chol, "full").cast(np.dtype(np.float64))
    whitened.quad = None
    w = np.random.default_rng(3).random(len(X))
    a = chunk_stats(X, w, quad, quad.means)
    b = chunk_stats(X, w, whitened, whitened.means)
    assert isinstance(a, MomentStats)
    a = a.unpack()
    assert a.frame == "origin" and b.frame == "whitened"
    np.testing.assert_allclose(a.nk, b.nk, rtol=1e-13)
    np.testing.assert_allclose(a.sx, b.sx, rtol=1e-12, atol=1e-12)
    assert a.log_lik == pytest.approx(b.log_lik, rel=1e-14)
    assert a.weight == pytest.approx(b.weight, rel=1e-15)


def test_fits_agree_between_the_two_forms(monkeypatch):
    X, _ = make_mixture(n_per=400, d=5, K=4, seed=7)
    kw = dict(covariance_type="full", max_iter=20, tol=0.0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quad = GaussianMixture(4, **kw).fit(X)
        monkeypatch.setattr(_moments, "MAX_KAPPA", -1.0)
        whitened = GaussianMixture(4, **kw).fit(X)
    for name in ("weights_", "means_", "covariances_", "precisions_cholesky_"):
        np.testing.assert_allclose(getattr(quad, name), getattr(whitened, name), rtol=1e-11)
    assert quad.lower_bound_ == pytest.approx(whitened.lower_bound_, rel=1e-13)


def test_a_far_tight_cluster_falls_back_to_the_exact_form_and_matches_sklearn():
    sk_mixture = pytest.importorskip("sklearn.mixture")
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(2000, 3)), 1000 + 0.5 * rng.normal(size=(200, 3))])
    start = dict(
        weights_init=[0.9, 0.1],
        means_init=[X[:2000].mean(axis=0) + 0.05, X[2000:].mean(axis=0) + 0.05],
        precisions_init=np.stack([np.eye(3), 4 * np.eye(3)]),
    )
    kw = dict(covariance_type="full", tol=0.0, max_iter=10, **start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = GaussianMixture(2, **kw).fit(X)
        theirs = sk_mixture.GaussianMixture(2, **kw).fit(X)
    centred = ours.means_ - X.mean(axis=0)
    assert not _moments.use_moments(centred, ours.precisions_cholesky_)
    for name in ("means_", "covariances_", "precisions_"):
        a, b = getattr(ours, name), getattr(theirs, name)
        assert np.max(np.abs(a - b)) <= 1e-12 * np.max(np.abs(b)), name


@pytest.mark.parametrize(
    ("n", "chunk", "workers", "want"),
    [(100_000, 13025, 2, 12500), (100, 300, 2, 100), (1000, 300, 1, 250), (1000, 300, 2, 250)],
)
def test_balanced_chunks_are_at_most_the_size_asked_for(n, chunk, workers, want):
    size = balanced_chunk_size(n, chunk, workers)
    assert size == want and size <= chunk
    n_chunks = -(-n // size)
    assert n_chunks == 1 or n_chunks % workers == 0


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("d", [2, 12])
def test_chunks_are_centred_exactly_whatever_the_layout(order, d):
    X = np.asarray(np.random.default_rng(0).normal(size=(1000, d)) + 100.0, order=order)
    center = X.mean(axis=0)
    src = ArraySource(X, None, center, chunk_size=300, n_jobs=1)
    for start, stop in src.bounds:
        np.testing.assert_array_equal(src.xc(start, stop), X[start:stop] - center)


def test_random_numbers_of_a_row_depend_on_its_values_only():
    X = np.random.default_rng(0).normal(size=(10_000, 3))
    whole = row_uniforms(X, 5, 3)
    pieces = np.vstack([row_uniforms(X[s : s + 333], 5, 3) for s in range(0, 10_000, 333)])
    np.testing.assert_array_equal(whole, pieces)
    order = np.random.default_rng(1).permutation(10_000)
    np.testing.assert_array_equal(row_uniforms(X[order], 5, 3), whole[order])
    assert whole.min() >= 0.0 and whole.max() < 1.0
    assert not np.array_equal(whole, row_uniforms(X, 6, 3))
    assert row_uniforms(X[:0], 5, 3).shape == (0, 3)
    # -0.0 is 0.0; float32 rows draw what their float64 values draw.
    np.testing.assert_array_equal(
        row_uniforms(-np.zeros((1, 3)), 5, 2), row_uniforms(np.zeros((1, 3)), 5, 2)
    )
    X32 = X[:100].astype(np.float32)
    np.testing.assert_array_equal(
        row_uniforms(X32, 5, 3), row_uniforms(X32.astype(np.float64), 5, 3)
    )


def test_random_numbers_of_rows_are_uniform_and_independent():
    # Rows that differ in one last bit get unrelated numbers: a lattice of near-equal
    # rows is as uniform as random rows (mean, variance, correlation between columns).
    base = np.full((20_000, 2), 1.0)
    base[:, 0] = 1.0 + np.arange(20_000) * np.spacing(1.0)
    u = row_uniforms(base, 3, 2)
    assert abs(u.mean() - 0.5) < 4 * np.sqrt(1 / 12 / u.size)
    assert abs(u.var() - 1 / 12) < 0.003
    assert abs(np.corrcoef(u[:, 0], u[:, 1])[0, 1]) < 4 / np.sqrt(20_000)
    counts = np.bincount((u[:, 0] * 10).astype(int), minlength=10)
    chi2 = float(np.sum((counts - 2000) ** 2 / 2000))
    assert chi2 < 27.9  # the 0.999 quantile of chi-square with 9 degrees of freedom


def test_random_init_is_the_same_for_any_chunk_size_and_thread_count():
    X, _ = make_mixture(n_per=3000, d=2, K=3, seed=1)
    kw = dict(init_params="random", max_iter=0, random_state=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = GaussianMixture(3, **kw).fit(X)
        for chunk, jobs in ((97, 1), (1000, 2), (None, 2)):
            other = GaussianMixture(3, chunk_size=chunk, n_jobs=jobs, **kw).fit(X)
            np.testing.assert_allclose(other.means_, ref.means_, rtol=1e-12)
