"""Fixed weights, means and covariances, and ``equal_weights`` (``_constraints``).

Every M-step claim is checked against a direct computation: the E-step's
responsibilities from ``scipy.stats.multivariate_normal`` and the constrained
estimates from weighted sums over the rows, written out here.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.stats import multivariate_normal

from gmm_widgets import GaussianMixture, History
from gmm_widgets.mixture import _constraints
from gmm_widgets.mixture._covariance import get_strategy
from gmm_widgets.mixture._validation import ConvergenceWarning
from tests.helpers import covariances_from_scatter

TYPES = ("full", "tied", "diag", "spherical")
K, D = 3, 2
REG = 1e-6


def blobs(n=240, seed=0, offset=0.0):
    """Three overlapping 2-D blobs (so every row has mass on several components)."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [2.5, 0.5], [1.0, 2.5]])
    X = np.vstack([rng.normal(c, [1.0, 0.7], size=(n // 3, D)) for c in centres])
    return X + offset


START_W = np.array([0.3, 0.3, 0.4])
START_MU = np.array([[0.2, -0.1], [2.0, 0.8], [1.2, 2.0]])
START_FULL = np.array(
    [[[1.0, 0.2], [0.2, 0.8]], [[0.9, -0.1], [-0.1, 1.1]], [[1.2, 0.0], [0.0, 0.6]]]
)


def start_covariances(ct):
    """Start covariances in ``ct``'s shape."""
    if ct == "full":
        return START_FULL.copy()
    if ct == "tied":
        return START_FULL[0].copy()
    if ct == "diag":
        return np.array([np.diag(c) for c in START_FULL])
    return np.array([np.diag(c).mean() for c in START_FULL])


def precisions_of(ct, cov):
    if ct in ("full",):
        return np.linalg.inv(cov)
    if ct == "tied":
        return np.linalg.inv(cov)
    return 1.0 / cov


def full_covs(ct, cov):
    return get_strategy(ct).to_full(np.asarray(cov, dtype=np.float64), K, D)


def direct_resp(X, weights, means, covs_full):
    """Responsibilities, shape (n, K), from scipy's densities."""
    log_p = np.column_stack(
        [
            np.log(w) + multivariate_normal(m, c).logpdf(X)
            for w, m, c in zip(weights, means, covs_full, strict=True)
        ]
    )
    log_p -= log_p.max(axis=1, keepdims=True)
    r = np.exp(log_p)
    return r / r.sum(axis=1, keepdims=True)


def direct_m_step(X, r, ct, fixed_w=None, equal=False, fixed_mu=None, fixed_cov=None, sw=None):
    """The constrained M-step written out row by row.

    ``fixed_w``/``fixed_mu``/``fixed_cov`` are dicts ``{k: value}`` (tied: ``fixed_cov``
    the matrix itself).
    """
    sw = np.ones(len(X)) if sw is None else sw
    rw = r * sw[:, None]
    nk = rw.sum(axis=0)
    means = np.array([(rw[:, k, None] * X).sum(axis=0) / nk[k] for k in range(K)])
    for k, m in (fixed_mu or {}).items():
        means[k] = m
    scatter = np.array(
        [
            sum(rw[i, k] * np.outer(X[i] - means[k], X[i] - means[k]) for i in range(len(X)))
            for k in range(K)
        ]
    )
    cov = covariances_from_scatter(scatter, nk, ct, sw.sum(), REG)
    if ct == "tied":
        if fixed_cov is not None:
            cov = np.asarray(fixed_cov, dtype=np.float64)
    else:
        for k, c in (fixed_cov or {}).items():
            cov[k] = c
    if equal:
        weights = np.full(K, 1.0 / K)
    elif fixed_w:
        weights = np.zeros(K)
        free = [k for k in range(K) if k not in fixed_w]
        for k, w in fixed_w.items():
            weights[k] = w
        rest = 1.0 - sum(fixed_w.values())
        weights[free] = rest * nk[free] / nk[free].sum()
    else:
        weights = nk / nk.sum()
    return weights, means, cov


FIXED_COV = {
    "full": np.array([[0.5, 0.1], [0.1, 0.4]]),
    "tied": np.array([[0.9, 0.05], [0.05, 0.7]]),
    "diag": np.array([0.5, 0.4]),
    "spherical": 0.45,
}

CASES = {
    "means": dict(fixed_mu={1: np.array([2.2, 0.3])}),
    "means-all": dict(fixed_mu={k: START_MU[k] + 0.1 for k in range(K)}),
    "covariances": dict(fixed_cov="one"),
    "weights": dict(fixed_w={0: 0.25}),
    "equal": dict(equal=True),
    "means+covariances": dict(fixed_mu={0: np.array([0.1, 0.0])}, fixed_cov="one"),
    "all-three": dict(fixed_w={2: 0.4}, fixed_mu={2: np.array([1.0, 2.4])}, fixed_cov="one"),
}


def _case(ct, case):
    """(estimator kwargs, direct_m_step kwargs) for a case."""
    spec = dict(CASES[case])
    if spec.get("fixed_cov") == "one":
        spec["fixed_cov"] = FIXED_COV[ct] if ct == "tied" else {2: FIXED_COV[ct]}
    kw = {}
    if "fixed_w" in spec:
        kw["fixed_weights"] = spec["fixed_w"]
    if "equal" in spec:
        kw["equal_weights"] = True
    if "fixed_mu" in spec:
        kw["fixed_means"] = spec["fixed_mu"]
    if "fixed_cov" in spec:
        kw["fixed_covariances"] = spec["fixed_cov"]
    return kw, spec


def _start_with_fixed(ct, spec):
    """The start the fit uses: the given inits with the fixed values put in."""
    weights = START_W.copy()
    if spec.get("equal"):
        weights[:] = 1.0 / K
    if spec.get("fixed_w"):
        fw = spec["fixed_w"]
        free = [k for k in range(K) if k not in fw]
        rest = 1.0 - sum(fw.values())
        weights[free] = rest * weights[free] / weights[free].sum()
        for k, w in fw.items():
            weights[k] = w
    means = START_MU.copy()
    for k, m in (spec.get("fixed_mu") or {}).items():
        means[k] = m
    cov = start_covariances(ct)
    fc = spec.get("fixed_cov")
    if ct == "tied" and fc is not None:
        cov = np.asarray(fc, dtype=np.float64)
    elif fc is not None:
        for k, c in fc.items():
            cov[k] = c
    return weights, means, cov


def _one_iteration(X, ct, kw, sample_weight=None, max_iter=1):
    gm = GaussianMixture(
        K,
        covariance_type=ct,
        weights_init=START_W,
        means_init=START_MU,
        precisions_init=precisions_of(ct, start_covariances(ct)),
        reg_covar=REG,
        tol=0.0,
        max_iter=max_iter,
        **kw,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return gm.fit(X, sample_weight=sample_weight)


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("ct", TYPES)
def test_one_m_step_matches_direct_computation(ct, case):
    X = blobs(offset=3.0)  # off the origin: the fit's centring must not show
    kw, spec = _case(ct, case)
    gm = _one_iteration(X, ct, kw)
    weights, means, cov = _start_with_fixed(ct, spec)
    r = direct_resp(X, weights, means, full_covs(ct, cov))
    w_exp, mu_exp, cov_exp = direct_m_step(
        X,
        r,
        ct,
        spec.get("fixed_w"),
        spec.get("equal", False),
        spec.get("fixed_mu"),
        spec.get("fixed_cov"),
    )
    np.testing.assert_allclose(gm.weights_, w_exp, rtol=1e-10, atol=0)
    np.testing.assert_allclose(gm.means_, mu_exp, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gm.covariances_, cov_exp, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(gm.weights_.sum(), 1.0, rtol=1e-14)
    # Precisions are those of the covariances (fixed ones too).
    np.testing.assert_allclose(
        full_covs(ct, gm.precisions_) @ full_covs(ct, gm.covariances_),
        np.broadcast_to(np.eye(D), (K, D, D)),
        atol=1e-10,
    )


@pytest.mark.parametrize("ct", TYPES)
def test_one_m_step_with_sample_weight(ct):
    X = blobs(seed=1)
    sw = np.random.default_rng(3).uniform(0.2, 2.0, len(X))
    kw, spec = _case(ct, "all-three")
    gm = _one_iteration(X, ct, kw, sample_weight=sw)
    weights, means, cov = _start_with_fixed(ct, spec)
    r = direct_resp(X, weights, means, full_covs(ct, cov))
    w_exp, mu_exp, cov_exp = direct_m_step(
        X, r, ct, spec["fixed_w"], False, spec["fixed_mu"], spec["fixed_cov"], sw=sw
    )
    np.testing.assert_allclose(gm.weights_, w_exp, rtol=1e-10)
    np.testing.assert_allclose(gm.means_, mu_exp, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gm.covariances_, cov_exp, rtol=1e-10, atol=1e-13)


def _q(X, r, weights, means, covs_full):
    """Expected complete-data log-likelihood sum_i sum_k r_ik log(w_k N(x_i | k))."""
    return sum(
        np.dot(r[:, k], np.log(weights[k]) + multivariate_normal(means[k], covs_full[k]).logpdf(X))
        for k in range(K)
    )


@pytest.mark.parametrize("ct", TYPES)
def test_constrained_m_step_maximises_q_over_the_free_parameters(ct):
    """Brute force: random feasible perturbations of the free parameters never raise Q."""
    X = blobs(seed=2)
    kw, spec = _case(ct, "all-three")
    gm = _one_iteration(X, ct, kw)
    weights, means, cov = _start_with_fixed(ct, spec)
    r = direct_resp(X, weights, means, full_covs(ct, cov))
    best = _q(X, r, gm.weights_, gm.means_, full_covs(ct, gm.covariances_ - reg_offset(ct)))
    # Q without reg_covar is maximised by the estimates without it: compare like with like.
    rng = np.random.default_rng(0)
    free_cov = [0, 1] if ct != "tied" else None
    for _ in range(60):
        w = gm.weights_.copy()
        t = rng.uniform(-0.05, 0.05)
        w[0] += t
        w[1] -= t  # component 2's weight is fixed; 0 and 1 share the rest
        mu = gm.means_.copy()
        mu[:2] += rng.normal(scale=0.05, size=(2, D))
        c = np.array(gm.covariances_ - reg_offset(ct), dtype=np.float64)
        if free_cov is not None:
            c[free_cov] *= rng.uniform(0.9, 1.1)
        q = _q(X, r, w, mu, full_covs(ct, c))
        assert q <= best + 1e-9 * abs(best)


def reg_offset(ct):
    """reg_covar as added to ``ct``'s free covariances (component 2's is fixed)."""
    if ct == "full":
        out = np.broadcast_to(REG * np.eye(D), (K, D, D)).copy()
        out[2] = 0.0
        return out
    if ct == "tied":
        return np.zeros((D, D))  # fixed whole
    if ct == "diag":
        out = np.full((K, D), REG)
        out[2] = 0.0
        return out
    return np.array([REG, REG, 0.0])


@pytest.mark.parametrize("case", ["means", "covariances", "all-three", "equal"])
@pytest.mark.parametrize("ct", TYPES)
def test_lower_bound_never_decreases(ct, case):
    X = blobs(seed=4, offset=-2.0)
    kw, _ = _case(ct, case)
    history = History()
    gm = GaussianMixture(
        K, covariance_type=ct, tol=0.0, max_iter=40, random_state=1, callbacks=history, **kw
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gm.fit(X)
    bounds = [s.lower_bound for s in history.states if s.n_iter > 0]
    assert len(bounds) == 40
    steps = np.diff(bounds)
    assert steps.min() >= -1e-12 * abs(bounds[-1]), steps.min()


@pytest.mark.parametrize("ct", TYPES)
def test_fixed_values_are_held_and_reported(ct):
    X = blobs(seed=5, offset=100.0)
    fm = {0: np.array([100.0, 100.0])}
    fc = FIXED_COV[ct] if ct == "tied" else {1: FIXED_COV[ct]}
    history = History()
    gm = GaussianMixture(
        K,
        covariance_type=ct,
        fixed_means=fm,
        fixed_covariances=fc,
        fixed_weights={2: 0.2},
        random_state=0,
        callbacks=history,
    ).fit(X)
    np.testing.assert_allclose(gm.means_[0], fm[0], rtol=1e-14)
    if ct == "tied":
        np.testing.assert_array_equal(gm.covariances_, FIXED_COV[ct])
    else:
        np.testing.assert_array_equal(gm.covariances_[1], FIXED_COV[ct])
    assert gm.weights_[2] == 0.2
    for state in history.states:  # also the start (n_iter=0) and every iteration
        np.testing.assert_allclose(state.means[0], fm[0], rtol=1e-14)
        assert state.weights[2] == 0.2
        assert state.weights.sum() == pytest.approx(1.0, abs=1e-14)


def test_equal_weights_hold_one_over_k():
    X = blobs(seed=6)
    history = History()
    gm = GaussianMixture(K, equal_weights=True, random_state=0, callbacks=history).fit(X)
    for state in history.states:
        np.testing.assert_array_equal(state.weights, np.full(K, 1.0 / K))
    np.testing.assert_array_equal(gm.weights_, np.full(K, 1.0 / K))


def test_fixed_weights_array_equals_the_same_dict():
    X = blobs(seed=7)
    w = np.array([0.2, 0.3, 0.5])
    a = GaussianMixture(K, fixed_weights=w, random_state=0).fit(X)
    b = GaussianMixture(K, fixed_weights=dict(enumerate(w)), random_state=0).fit(X)
    np.testing.assert_array_equal(a.weights_, w)
    np.testing.assert_array_equal(a.means_, b.means_)
    np.testing.assert_array_equal(a.covariances_, b.covariances_)


@pytest.mark.parametrize("ct", TYPES)
def test_nothing_fixed_is_todays_fit_bit_for_bit(ct):
    X = blobs(seed=8)
    plain = GaussianMixture(K, covariance_type=ct, random_state=0).fit(X)
    empty = GaussianMixture(
        K, covariance_type=ct, random_state=0, fixed_means={}, fixed_weights=None
    ).fit(X)
    np.testing.assert_array_equal(plain.means_, empty.means_)
    np.testing.assert_array_equal(plain.covariances_, empty.covariances_)
    assert plain.lower_bounds_ == empty.lower_bounds_
    assert plain.bic(X) == empty.bic(X)


# ------------------------------------------------------------------- parameter counts
def _count(ct, d, **kw):
    X = np.random.default_rng(0).normal(size=(60, d))
    gm = GaussianMixture(K, covariance_type=ct, random_state=0, max_iter=3, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gm.fit(X)
    return gm


@pytest.mark.parametrize(
    ("ct", "kw", "expected"),
    [
        # d = 3, K = 3. Unconstrained: full 3*6 + 9 + 2 = 29; tied 6 + 9 + 2 = 17;
        # diag 9 + 9 + 2 = 20; spherical 3 + 9 + 2 = 14.
        ("full", {}, 29),
        ("full", {"equal_weights": True}, 27),  # no weight parameter
        ("full", {"fixed_weights": {0: 0.2}}, 28),  # 2 free weights summing to 0.8: 1
        ("full", {"fixed_weights": {0: 0.2, 1: 0.3}}, 27),  # 1 free weight: determined
        ("full", {"fixed_weights": [0.2, 0.3, 0.5]}, 27),
        ("full", {"fixed_means": {1: [0, 0, 0]}}, 26),  # 3 mean parameters fewer
        ("full", {"fixed_covariances": {2: np.eye(3)}}, 23),  # 6 fewer
        ("tied", {"fixed_covariances": np.eye(3)}, 11),  # the 6 shared ones
        ("tied", {"fixed_means": {0: [0, 0, 0], 2: [1, 1, 1]}}, 11),
        ("diag", {"fixed_covariances": {0: [1, 1, 1]}, "equal_weights": True}, 15),
        ("spherical", {"fixed_covariances": [1.0, 2.0, 3.0]}, 11),
        ("spherical", {"fixed_means": np.zeros((3, 3)), "fixed_weights": {1: 0.5}}, 4),
    ],
)
def test_free_parameter_counts(ct, kw, expected):
    gm = _count(ct, 3, **kw)
    assert gm.n_parameters_ == expected
    X = np.random.default_rng(1).normal(size=(50, 3))
    n = len(X)
    total = gm.score(X) * n
    assert gm.bic(X) == pytest.approx(-2 * total + expected * np.log(n), rel=1e-12)
    assert gm.aic(X) == pytest.approx(-2 * total + 2 * expected, rel=1e-12)
    crit = gm.criteria(X)
    assert crit["n_parameters"] == expected
    r = gm.predict_proba(X)
    entropy = -np.sum(r * np.log(r, where=r > 0, out=np.zeros_like(r)))
    assert crit["icl"] == pytest.approx(gm.bic(X) + 2 * entropy, rel=1e-10)


def test_unconstrained_count_is_scikit_learns():
    gm = _count("full", 3)
    from gmm_widgets.mixture._covariance import n_mixture_parameters

    assert gm.n_parameters_ == n_mixture_parameters("full", K, 3) == 29


# ------------------------------------------------------------------------- bad input
X_BAD = np.random.default_rng(0).normal(size=(30, 2))


@pytest.mark.parametrize(
    ("kw", "error", "match"),
    [
        ({"equal_weights": True, "fixed_weights": {0: 0.2}}, ValueError, "equal_weights"),
        ({"equal_weights": "yes"}, TypeError, "equal_weights must be True or False"),
        ({"fixed_weights": [0.5, 0.5]}, ValueError, r"shape \(3,\)"),
        ({"fixed_weights": [0.2, 0.2, 0.2]}, ValueError, "must sum to 1"),
        ({"fixed_weights": {0: 0.6, 1: 0.5}}, ValueError, "leaving nothing"),
        ({"fixed_weights": {0: 0.0}}, ValueError, r"\(0, 1\]"),
        ({"fixed_weights": {0: -0.1}}, ValueError, r"\(0, 1\]"),
        ({"fixed_weights": {3: 0.1}}, ValueError, "out of range"),
        ({"fixed_weights": {"a": 0.1}}, TypeError, "component indices"),
        ({"fixed_weights": "0.5"}, TypeError, "fixed_weights must be None"),
        ({"fixed_means": np.zeros((3, 3))}, ValueError, r"shape \(3, 2\)"),
        ({"fixed_means": {0: [0.0]}}, ValueError, r"component 0 must have shape \(2,\)"),
        ({"fixed_means": {0: [np.nan, 0.0]}}, ValueError, "NaN"),
        ({"fixed_means": {0: ["a", "b"]}}, TypeError, "array of numbers"),
        ({"fixed_covariances": {0: [[1.0, 2.0], [2.0, 1.0]]}}, ValueError, "positive definite"),
        ({"fixed_covariances": {0: [[1.0, 0.5], [0.0, 1.0]]}}, ValueError, "symmetric"),
        ({"fixed_covariances": {1: np.eye(3)}}, ValueError, r"shape \(2, 2\)"),
        (
            {"covariance_type": "tied", "fixed_covariances": {0: np.eye(2)}},
            TypeError,
            "fixed whole",
        ),
        (
            {"covariance_type": "diag", "fixed_covariances": {0: [1.0, 0.0]}},
            ValueError,
            "positive",
        ),
        (
            {"covariance_type": "spherical", "fixed_covariances": [1.0, -1.0, 1.0]},
            ValueError,
            "pos",
        ),
        ({"noise": True, "fixed_means": {0: [0.0, 0.0]}}, ValueError, "noise"),
    ],
)
def test_bad_fixed_input_is_refused_before_fitting(kw, error, match):
    gm = GaussianMixture(K, **kw)
    with pytest.raises(error, match=match):
        gm.fit(X_BAD)
    with pytest.raises(error, match=match):
        gm.check_fit_args(X_BAD)
    assert not hasattr(gm, "means_")


# ---------------------------------------------------------------- engines and dtypes
@pytest.mark.parametrize("ct", ["full", "diag"])
def test_chunked_threaded_fit_equals_one_chunk(ct):
    X = blobs(n=3000, seed=9)
    kw = {"fixed_means": {0: [0.0, 0.0]}, "fixed_weights": {1: 0.3}}
    one = GaussianMixture(K, covariance_type=ct, random_state=0, n_jobs=1, **kw).fit(X)
    many = GaussianMixture(
        K, covariance_type=ct, random_state=0, n_jobs=2, chunk_size=256, **kw
    ).fit(X)
    np.testing.assert_allclose(one.means_, many.means_, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(one.covariances_, many.covariances_, rtol=1e-11)


def test_float32_data_keep_the_fixed_mean():
    X = blobs(seed=10, offset=50.0).astype(np.float32)
    gm = GaussianMixture(K, fixed_means={0: [50.0, 50.0]}, random_state=0).fit(X)
    assert gm.means_.dtype == np.float32
    np.testing.assert_allclose(gm.means_[0], [50.0, 50.0], rtol=1e-7)


def test_warm_start_keeps_fixed_values():
    X = blobs(seed=11)
    gm = GaussianMixture(K, fixed_means={2: [1.0, 2.5]}, warm_start=True, random_state=0)
    gm.fit(X)
    gm.fit(X)
    np.testing.assert_allclose(gm.means_[2], [1.0, 2.5], rtol=1e-14)


def test_get_params_and_clone_carry_the_options():
    sklearn_base = pytest.importorskip("sklearn.base")
    gm = GaussianMixture(K, fixed_means={0: [0.0, 0.0]}, equal_weights=True)
    params = gm.get_params()
    assert params["equal_weights"] is True
    assert params["fixed_means"] == {0: [0.0, 0.0]}
    clone = sklearn_base.clone(gm)
    assert clone.equal_weights is True
    assert "equal_weights=True" in repr(gm)


def test_check_fixed_returns_none_when_nothing_is_fixed():
    assert _constraints.check_fixed(None, {}, None, False, 3, "full", 2) is None


def test_estimator_code_writes_the_fixed_parameters():
    from gmm_widgets.mixture.code import estimator_code

    X = blobs(seed=12)
    gm = GaussianMixture(
        K,
        fixed_means={1: np.array([2.5, 0.5])},
        fixed_weights={0: 0.3},
        equal_weights=False,
        random_state=0,
    ).fit(X)
    code = estimator_code(gm)
    assert "fixed_means={1: np.array([2.5, 0.5])}" in code
    assert code.startswith("import numpy as np")
    namespace = {"X": X}
    exec(code, namespace)
    rebuilt = namespace["model"]
    np.testing.assert_array_equal(rebuilt.means_, gm.means_)
    np.testing.assert_array_equal(rebuilt.covariances_, gm.covariances_)


def test_a_collapsed_free_component_is_named_by_its_own_index():
    """With component 0's covariance fixed, a collapse of component 2 names component 2."""
    rng = np.random.default_rng(13)
    X = np.vstack([rng.normal(size=(40, 2)), rng.normal(5, 1, size=(40, 2)), np.full((3, 2), 9.0)])
    gm = GaussianMixture(
        3,
        reg_covar=0.0,
        means_init=[[0.0, 0.0], [5.0, 5.0], [9.0, 9.0]],
        weights_init=[0.45, 0.45, 0.1],
        precisions_init=np.array([np.eye(2)] * 3),
        fixed_covariances={0: np.eye(2)},
        max_iter=5,
    )
    with pytest.raises(ValueError, match="component 2 has an ill-defined"):
        gm.fit(X)


@pytest.mark.parametrize("ct", TYPES)
def test_float32_fit_matches_float64_with_fixed_covariances(ct):
    X = blobs(seed=14, offset=20.0)
    fc = FIXED_COV[ct] if ct == "tied" else {0: FIXED_COV[ct]}
    kw = dict(covariance_type=ct, fixed_covariances=fc, fixed_weights={1: 0.3}, random_state=0)
    a = GaussianMixture(K, **kw).fit(X.astype(np.float32))
    b = GaussianMixture(K, **kw).fit(X)
    assert a.covariances_.dtype == np.float32
    np.testing.assert_allclose(a.means_, b.means_, rtol=1e-5)
    np.testing.assert_allclose(a.covariances_, b.covariances_, rtol=1e-4)
