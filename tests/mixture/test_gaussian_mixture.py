"""Behaviour of GaussianMixture beyond parity: EM, recovery, callbacks, weights, dtypes."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest

from gmm_widgets import ConvergenceWarning, EMState, GaussianMixture, History, PrintProgress
from tests.helpers import make_mixture

COV_TYPES = ["full", "tied", "diag", "spherical"]
INITS = ["kmeans", "k-means++", "random", "random_from_data"]


@pytest.mark.parametrize("ct", COV_TYPES)
@pytest.mark.parametrize("init", INITS)
def test_lower_bound_never_decreases(ct, init):
    X, _ = make_mixture(n_per=150, d=3, K=4, sep=2.0, seed=11)
    gm = GaussianMixture(
        4, covariance_type=ct, init_params=init, tol=0, max_iter=60, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gm.fit(X)
    lbs = np.asarray(gm.lower_bounds_)
    assert len(lbs) == 60
    assert np.all(np.diff(lbs) >= -1e-10 * np.abs(lbs[1:]))


@pytest.mark.parametrize("ct", COV_TYPES)
def test_recovers_true_parameters(ct):
    rng = np.random.default_rng(42)
    K, _d, n = 3, 2, 6000
    true_w = np.array([0.5, 0.3, 0.2])
    true_m = np.array([[0.0, 0.0], [8.0, 0.0], [0.0, 8.0]])
    if ct == "full":
        covs = [
            np.array([[2.0, 0.8], [0.8, 1.0]]),
            np.array([[1.0, -0.5], [-0.5, 1.5]]),
            np.eye(2) * 0.5,
        ]
    elif ct == "tied":
        covs = [np.array([[1.5, 0.6], [0.6, 1.0]])] * 3
    elif ct == "diag":
        covs = [np.diag([2.0, 0.5]), np.diag([0.7, 1.2]), np.diag([1.0, 1.0])]
    else:
        covs = [np.eye(2) * v for v in (1.5, 0.5, 1.0)]
    counts = rng.multinomial(n, true_w)
    X = np.vstack(
        [rng.multivariate_normal(m, c, s) for m, c, s in zip(true_m, covs, counts, strict=True)]
    )
    gm = GaussianMixture(K, covariance_type=ct, random_state=0, n_init=2).fit(X)
    order = np.argsort(gm.means_[:, 0] + 10 * gm.means_[:, 1])  # (0,0), (8,0), (0,8)
    se = 4 * np.sqrt(np.max([np.max(np.diag(c)) for c in covs]) / counts.min())
    np.testing.assert_allclose(gm.means_[order], true_m, atol=se)
    np.testing.assert_allclose(gm.weights_[order], true_w, atol=4 * np.sqrt(0.25 / n))
    full = gm.covariances_full()[order]
    for k in range(K):
        np.testing.assert_allclose(full[k], covs[k], atol=0.15 * np.max(covs[k]) + 0.05)
    assert gm.converged_


def test_callbacks_receive_snapshots():
    X, _ = make_mixture(seed=1)
    states: list[EMState] = []
    gm = GaussianMixture(3, n_init=2, random_state=0, callbacks=states.append).fit(X)
    assert next(s.n_iter for s in states if s.init == 0) == 0
    assert {s.init for s in states} == {0, 1}
    first = states[0]
    assert first.lower_bound == -np.inf and np.isnan(first.change)
    assert first.means.shape == (3, 2) and first.covariances.shape == (3, 2, 2)
    assert not first.means.flags.writeable
    with pytest.raises(ValueError):
        first.means[0, 0] = 1.0
    # Snapshots are copies: later iterations did not change earlier states.
    assert not np.allclose(states[0].means, states[-1].means)
    last_kept = [s for s in states if s.init == History(states=states).best_init][-1]
    np.testing.assert_allclose(last_kept.means, gm.means_)
    assert last_kept.converged and gm.converged_


@pytest.mark.parametrize("how", ["return_true", "raise"])
def test_callback_stops_an_init(how):
    X, _ = make_mixture(seed=2)

    def stop_at_3(state):
        if state.n_iter == 3:
            if how == "raise":
                raise StopIteration
            return True
        return None

    history = History()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # a requested stop does not warn
        gm = GaussianMixture(
            3, n_init=2, tol=0, random_state=0, callbacks=[stop_at_3, history]
        ).fit(X)
    assert gm.n_iter_ == 3
    assert [s.n_iter for s in history.for_init(0)] == [0, 1, 2, 3]
    assert history.inits == [0, 1]  # the next init still ran
    assert not gm.converged_


def test_history_and_verbose_print():
    X, _ = make_mixture(seed=3)
    out = io.StringIO()
    h = History()
    gm = GaussianMixture(3, random_state=0, callbacks=[h, PrintProgress(2, 1, file=out)]).fit(X)
    assert h.n_iter == gm.n_iter_
    np.testing.assert_allclose(h.lower_bounds, gm.lower_bounds_)
    text = out.getvalue()
    assert "Initialization 0" in text and "Iteration 1" in text and "converged" in text


def test_verbose_uses_the_callback_hook(capsys):
    X, _ = make_mixture(seed=3)
    GaussianMixture(3, random_state=0, verbose=2, verbose_interval=1).fit(X)
    text = capsys.readouterr().out
    assert "Initialization 0" in text and "Iteration 2" in text


@pytest.mark.parametrize("ct", COV_TYPES)
def test_integer_sample_weight_equals_repetition(ct):
    X, _ = make_mixture(n_per=80, d=2, K=3, seed=4)
    w = np.random.default_rng(0).integers(0, 4, size=len(X))
    Xrep = np.repeat(X, w, axis=0)
    shape = {"full": (3, 2, 2), "tied": (2, 2), "diag": (3, 2), "spherical": (3,)}[ct]
    prec = np.broadcast_to(np.eye(2), (3, 2, 2)) if ct == "full" else np.eye(2)
    prec = prec if ct in ("full", "tied") else np.ones(shape)
    start = dict(means_init=X[[0, 100, 200]], weights_init=np.ones(3) / 3, precisions_init=prec)
    kw = dict(covariance_type=ct, tol=0, max_iter=15, **start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = GaussianMixture(3, **kw).fit(X, sample_weight=w)
        b = GaussianMixture(3, **kw).fit(Xrep)
    np.testing.assert_allclose(a.means_, b.means_, rtol=1e-9)
    np.testing.assert_allclose(a.covariances_, b.covariances_, rtol=1e-9)
    np.testing.assert_allclose(a.weights_, b.weights_, rtol=1e-9)
    assert a.lower_bound_ == pytest.approx(b.lower_bound_, rel=1e-9)


def test_sample_weight_changes_the_fit():
    X, y = make_mixture(n_per=100, d=2, K=2, seed=5)
    w = np.where(y == 0, 10.0, 1.0)
    gm = GaussianMixture(2, random_state=0).fit(X, sample_weight=w)
    k0 = gm.predict(X[y == 0][:1])[0]
    assert gm.weights_[k0] == pytest.approx(10 / 11, abs=0.02)


@pytest.mark.parametrize("ct", COV_TYPES)
def test_float32_stays_float32_and_accurate_with_offset(ct):
    X64, _ = make_mixture(n_per=500, d=3, K=3, seed=6)
    X64 = X64 + 1e4
    X32 = X64.astype(np.float32)
    start = dict(means_init=X64[[0, 500, 1000]], weights_init=np.ones(3) / 3)
    kw = dict(covariance_type=ct, tol=0, max_iter=20, random_state=0, **start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        g32 = GaussianMixture(3, **kw).fit(X32)
        g64 = GaussianMixture(3, **kw).fit(X32.astype(np.float64))
    for name in ("weights_", "means_", "covariances_", "precisions_cholesky_"):
        assert getattr(g32, name).dtype == np.float32
    assert g32.predict_proba(X32).shape == (1500, 3)
    # The centre is rounded to float32, so centring is exact; full covariances take the
    # quadratic form, whose products of float32 numbers are exact in float64.
    np.testing.assert_allclose(g32.means_, g64.means_, rtol=2e-7)
    cov_rtol = 1e-6 if ct == "full" else 1e-4
    np.testing.assert_allclose(g32.covariances_, g64.covariances_, rtol=cov_rtol)
    np.testing.assert_allclose(g32.weights_, g64.weights_, rtol=1e-5)
    # float32 arithmetic (tol=0 keeps it, see FLOAT32_MIN_TOL): a few float32 epsilons
    # (6e-8 each), whatever the BLAS kernels (1.4e-7 under OPENBLAS_CORETYPE=Sandybridge).
    assert g32.lower_bound_ == pytest.approx(g64.lower_bound_, rel=1e-6)


def test_n_init_keeps_best_lower_bound():
    X, _ = make_mixture(n_per=100, d=2, K=5, sep=1.5, seed=8)
    h = History()
    gm = GaussianMixture(
        5, n_init=4, init_params="random_from_data", random_state=1, callbacks=h
    ).fit(X)
    finals = [h.for_init(i)[-1].lower_bound for i in h.inits]
    assert gm.lower_bound_ == pytest.approx(max(finals))


def test_warm_start_continues():
    X, _ = make_mixture(seed=9)
    gm = GaussianMixture(3, max_iter=2, tol=0, warm_start=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gm.fit(X)
        lb1 = gm.lower_bound_
        gm.fit(X)
    assert gm.lower_bound_ >= lb1
    cold = GaussianMixture(3, max_iter=4, tol=0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        cold.fit(X)
    np.testing.assert_allclose(gm.means_, cold.means_, rtol=1e-10)


def test_icl_is_bic_plus_entropy():
    X, _ = make_mixture(seed=10, sep=1.0)
    gm = GaussianMixture(3, random_state=0).fit(X)
    r = gm.predict_proba(X)
    entropy = -np.sum(r * np.log(np.clip(r, 1e-300, None)))
    assert gm.icl(X) == pytest.approx(gm.bic(X) + 2 * entropy, rel=1e-10)
    assert gm.icl(X) > gm.bic(X)


def test_non_converged_warns():
    X, _ = make_mixture(seed=12)
    with pytest.warns(ConvergenceWarning, match="max_iter=1"):
        GaussianMixture(3, max_iter=1, tol=0, random_state=0).fit(X)


def test_chunking_and_threads_do_not_change_results():
    X, _ = make_mixture(n_per=3000, d=4, K=3, seed=13)
    kw = dict(random_state=0, tol=0, max_iter=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = GaussianMixture(3, chunk_size=100_000, n_jobs=1, **kw).fit(X)
        b = GaussianMixture(3, chunk_size=257, n_jobs=2, **kw).fit(X)
    np.testing.assert_allclose(a.means_, b.means_, rtol=1e-11)
    np.testing.assert_allclose(a.covariances_, b.covariances_, rtol=1e-10)


def test_dataframe_keeps_feature_names():
    pd = pytest.importorskip("pandas")
    X, _ = make_mixture(seed=14)
    df = pd.DataFrame(X, columns=["spend", "visits"])
    gm = GaussianMixture(3, random_state=0).fit(df)
    assert list(gm.feature_names_in_) == ["spend", "visits"]
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        plain = gm.predict(X)
    np.testing.assert_array_equal(gm.predict(df), plain)
    gm.fit(X)
    assert not hasattr(gm, "feature_names_in_")


def test_get_set_params_and_repr():
    gm = GaussianMixture(4, covariance_type="diag")
    params = gm.get_params()
    assert params["n_components"] == 4 and params["covariance_type"] == "diag"
    assert gm.set_params(tol=1e-5) is gm and gm.tol == 1e-5
    assert "n_components=4" in repr(gm) and "tol=1e-05" in repr(gm)
    with pytest.raises(ValueError, match="Invalid parameter 'foo'"):
        gm.set_params(foo=1)


def test_sample_indices_uniform_and_bounded():
    from gmm_widgets.mixture._init import sample_indices

    rs = np.random.RandomState(0)
    idx = sample_indices(rs, 10_000_000, 1000)
    assert idx.shape == (1000,) and np.unique(idx).size == 1000
    assert np.all(np.diff(idx) > 0) and idx.min() >= 0 and idx.max() < 10_000_000
    # every row equally likely: counts over many draws of a small population are flat
    counts = np.zeros(400)
    for _ in range(500):
        counts[sample_indices(rs, 400, 50)] += 1
    assert counts.min() > 30 and counts.max() < 100  # mean 62.5
    np.testing.assert_array_equal(sample_indices(rs, 10, 10), np.arange(10))
