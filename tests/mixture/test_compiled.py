"""The compiled kernel of the quadratic form (the ``fast`` extra, numba)."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest

from gmm_widgets import GaussianMixture
from gmm_widgets.mixture import _compiled, _moments
from gmm_widgets.mixture import gaussian_mixture as gm_module
from gmm_widgets.mixture._stats import EMParams, chunk_stats
from tests.helpers import make_mixture
from tests.mixture.test_kernels import random_params

pytest.importorskip("numba")
_quad_kernel = pytest.importorskip("gmm_widgets.mixture._quad_kernel")


def rel(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


@pytest.fixture
def forced(monkeypatch):
    """Every fit of full covariances runs the kernel, however small."""
    monkeypatch.setattr(_compiled, "MIN_WORK", 0)
    assert _compiled.compiled_kernel() is not None


@pytest.fixture
def counted(monkeypatch, forced):
    """Count the kernel's calls from fits."""
    calls = []
    kernel = _compiled.compiled_kernel()

    def spy(*args):
        calls.append(args[0].shape[0])
        return kernel(*args)

    monkeypatch.setattr(gm_module, "compiled_kernel", lambda *dtype: spy)
    return calls


def chunk_params(K, d, weights=None, seed=0):
    w, means, cov, prec_chol = random_params(K, d, seed=seed)
    params = EMParams(w if weights is None else weights, means, cov, prec_chol, "full")
    return params.cast(np.dtype(np.float64))


@pytest.mark.parametrize("d", [1, 2, 5, 16])
@pytest.mark.parametrize("n", [1, 255, 256, 700])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_kernel_gives_the_numpy_statistics(d, n, weighted, dtype):
    K = 4 if d < 16 else 8
    cp = chunk_params(K, d, seed=d)
    assert cp.quad is not None
    rng = np.random.default_rng(n)
    xc = rng.normal(scale=2.0, size=(n, d)).astype(dtype)
    w = rng.random(n) * 3 if weighted else None
    want = chunk_stats(xc, w, cp, cp.means)
    got = chunk_stats(xc, w, cp, cp.means, _compiled.compiled_kernel())
    assert rel(got.g, want.g) < 1e-13
    assert got.log_lik == pytest.approx(want.log_lik, rel=1e-13)
    assert got.weight == pytest.approx(want.weight, rel=1e-15)


def test_kernel_of_no_rows_is_zero():
    cp = chunk_params(3, 2)
    g, log_lik = _quad_kernel.quad_stats(np.empty((0, 2)), np.empty(0), cp.quad, -460.0)
    assert g.shape == cp.quad.shape and not g.any() and log_lik == 0.0


def test_kernel_floors_far_rows_and_zero_weight_components_as_numpy_does():
    d, K = 3, 3
    cp = chunk_params(K, d, weights=np.array([0.5, 0.5, 0.0]), seed=1)
    xc = np.random.default_rng(2).normal(size=(300, d))
    xc[::7] *= 1e3  # densities far below exp(-460) relative to the best component
    want = chunk_stats(xc, None, cp, cp.means)
    got = chunk_stats(xc, None, cp, cp.means, _compiled.compiled_kernel())
    assert np.all(np.isfinite(got.g)) and np.isfinite(got.log_lik)
    assert rel(got.g, want.g) < 1e-13
    assert got.log_lik == pytest.approx(want.log_lik, rel=1e-13)


def test_kernel_propagates_nan_instead_of_flooring_it():
    cp = chunk_params(2, 2)
    cp.quad = cp.quad.copy()
    cp.quad[1, 0] = np.nan
    xc = np.random.default_rng(0).normal(size=(10, 2))
    got = chunk_stats(xc, None, cp, cp.means, _compiled.compiled_kernel())
    want = chunk_stats(xc, None, cp, cp.means)
    assert np.isnan(want.log_lik) and np.isnan(got.log_lik)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_exp_polynomial_agrees_with_numpy(dtype):
    low = -708.0 if dtype == np.float64 else -87.0
    v = np.concatenate(
        [np.linspace(low, 0.0, 200_001), [0.0, -0.0, -1e-30, -60.0, -0.34657359027997264]]
    ).astype(dtype)
    out = v.copy()
    if dtype == np.float64:
        _quad_kernel._exp64(out, np.empty(v.size, np.int64))
    else:
        _quad_kernel._exp32(out, np.empty(v.size, np.int32))
    want = np.exp(v.astype(np.float64))
    # float64: a few units in the last place; float32: correctly rounded from float64.
    tol = 1e-15 if dtype == np.float64 else np.finfo(np.float32).eps
    assert np.max(np.abs(out - want) / want) < tol


@pytest.mark.parametrize("d", [1, 2, 5])
@pytest.mark.parametrize("K", [1, 3, 5])
def test_fits_through_the_kernel_match_sklearn(d, K, counted):
    sk_mixture = pytest.importorskip("sklearn.mixture")
    from tests.mixture.test_parity import RTOL, fit_both

    X, _ = make_mixture(n_per=150, d=d, K=4, seed=d * 10 + K)
    ours, theirs = fit_both(X, K, "full", 30, seed=K)
    assert counted, "the kernel did not run"
    assert isinstance(theirs, sk_mixture.GaussianMixture)
    for name in ("weights_", "means_", "covariances_", "precisions_cholesky_"):
        assert rel(getattr(ours, name), getattr(theirs, name)) < RTOL, name
    np.testing.assert_allclose(ours.lower_bounds_, theirs.lower_bounds_, rtol=RTOL)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_kernel_and_numpy_fits_agree(dtype, n_jobs, monkeypatch):
    X, _ = make_mixture(n_per=3000, d=6, K=4, seed=3, dtype=dtype)
    X = X + 1e3
    w = np.random.default_rng(0).random(X.shape[0]) + 0.5
    kw = dict(covariance_type="full", tol=0, max_iter=15, random_state=0, n_jobs=n_jobs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = GaussianMixture(4, **kw).fit(X, sample_weight=w)
        monkeypatch.setattr(_compiled, "MIN_WORK", 0)
        fast = GaussianMixture(4, **kw).fit(X, sample_weight=w)
    tol = 1e-12 if dtype == np.float64 else 1e-6  # float32 results are rounded to float32
    for name in ("weights_", "means_", "covariances_"):
        assert rel(getattr(fast, name), getattr(plain, name)) < tol, name
    assert fast.lower_bound_ == pytest.approx(plain.lower_bound_, rel=1e-12)


def test_small_fits_keep_numpy_and_large_ones_take_the_kernel(counted, monkeypatch):
    monkeypatch.setattr(_compiled, "MIN_WORK", 1 << 22)
    assert not _compiled.use_compiled(20_000, _moments.n_quad(2), 8)  # a K-slider refit
    assert _compiled.use_compiled(100_000, _moments.n_quad(16), 8)
    X, _ = make_mixture(n_per=500, d=2, K=3, seed=0)
    GaussianMixture(3, random_state=0).fit(X)
    assert counted == []
    monkeypatch.setattr(_compiled, "MIN_WORK", 0)
    GaussianMixture(3, covariance_type="diag", random_state=0).fit(X)
    assert counted == []  # only full covariances take the quadratic form


@pytest.mark.parametrize("value", ["0", "false", "OFF"])
def test_the_environment_variable_turns_numba_off(value, monkeypatch):
    monkeypatch.setenv(_compiled.ENV_VAR, value)
    _compiled.reset_kernel()
    try:
        assert _compiled.compiled_kernel() is None
        assert not _compiled.use_compiled(10**9, 10, 10)
    finally:
        monkeypatch.delenv(_compiled.ENV_VAR)
        _compiled.reset_kernel()
    assert _compiled.compiled_kernel() is not None


def test_without_numba_fits_run_in_numpy(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)  # import numba -> ImportError
    monkeypatch.delitem(sys.modules, "gmm_widgets.mixture._quad_kernel")
    monkeypatch.setattr(_compiled, "MIN_WORK", 0)
    _compiled.reset_kernel()
    try:
        assert _compiled.compiled_kernel() is None
        X, _ = make_mixture(n_per=300, d=3, K=3, seed=1)
        gm = GaussianMixture(3, random_state=0).fit(X)
        assert gm.converged_
    finally:
        _compiled.reset_kernel()


@pytest.fixture
def arithmetic(monkeypatch, forced):
    """For each kernel call: the chunk's dtype, and whether it ran in float32 arithmetic."""
    from gmm_widgets.mixture import _stats

    seen = []
    original = _stats._compiled_stats

    def spy(kernel, xc, w, cp):
        seen.append((xc.dtype, xc.dtype == np.float32 and cp.quad_single is not None))
        return original(kernel, xc, w, cp)

    monkeypatch.setattr(_stats, "_compiled_stats", spy)
    return seen


def fit_float32_and_float64(X32, K):
    kw = dict(covariance_type="full", tol=0, max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g32 = GaussianMixture(K, **kw).fit(X32)
        g64 = GaussianMixture(K, **kw).fit(X32.astype(np.float64))
    return g32, g64


def test_float32_runs_in_float32_and_stays_accurate_with_offset(arithmetic):
    X, _ = make_mixture(n_per=4000, d=4, K=3, sep=2.5, seed=4)
    g32, g64 = fit_float32_and_float64((X + 1e4).astype(np.float32), 3)
    single = [s for dtype, s in arithmetic if dtype == np.float32]
    assert single and all(single)
    assert g32.covariances_.dtype == np.float32
    # scikit-learn's own float32 fit is off by 1e-6 to 1e-5 on such data.
    np.testing.assert_allclose(g32.means_, g64.means_, rtol=2e-7)
    assert rel(g32.covariances_, g64.covariances_) < 5e-6
    assert rel(g32.weights_, g64.weights_) < 5e-6
    assert g32.lower_bound_ == pytest.approx(g64.lower_bound_, rel=1e-6)


def test_float32_far_from_the_centre_keeps_float64_arithmetic(arithmetic):
    # Tight clusters far apart: kappa (about 8600) is above MAX_KAPPA_SINGLE.
    X, _ = make_mixture(n_per=3000, d=6, K=4, seed=3)
    g32, g64 = fit_float32_and_float64((X + 1e3).astype(np.float32), 4)
    single = [s for dtype, s in arithmetic if dtype == np.float32]
    assert single and not any(single)
    assert rel(g32.covariances_, g64.covariances_) < 2e-7
    np.testing.assert_allclose(g32.means_, g64.means_, rtol=2e-7)


def test_a_broken_numba_warns_and_fits_run_in_numpy(monkeypatch):
    def broken(*args):
        raise RuntimeError("no locator available for the cache")

    monkeypatch.setattr(_quad_kernel, "quad_stats", broken)
    monkeypatch.setattr(_compiled, "MIN_WORK", 0)
    _compiled.reset_kernel()
    try:
        with pytest.warns(RuntimeWarning, match="compiled kernel cannot run here.*NumPy"):
            assert _compiled.compiled_kernel() is None
        X, _ = make_mixture(n_per=300, d=3, K=3, seed=1)
        assert GaussianMixture(3, random_state=0).fit(X).converged_
    finally:
        _compiled.reset_kernel()
