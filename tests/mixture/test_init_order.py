"""Issue 14 item 7: a seeded start depends on the data as a weighted set of points.

Not on the rows' order, and not on whether a point is one row of weight ``m`` or ``m``
equal rows: every init method draws from the distinct rows (sorted, with their total
weights) or from each row's values, about a centre rounded so that both forms of the
data centre to the same bits.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gmm_widgets import GaussianMixture
from gmm_widgets.mixture._init import distinct_rows
from gmm_widgets.mixture._sources import CENTER_BITS, data_center, round_center
from tests.helpers import make_mixture

INITS = ["kmeans", "k-means++", "random", "random_from_data"]


def _fit(X, init, sample_weight=None, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gm = GaussianMixture(3, init_params=init, random_state=7, **kw)
        return gm.fit(X, sample_weight=sample_weight)


def _weighted_and_repeated(seed=0, n=60, d=3):
    X, _ = make_mixture(n_per=n // 3, d=d, K=3, seed=seed)
    rng = np.random.default_rng(seed)
    sw = rng.integers(0, 5, size=X.shape[0])
    repeated = X.repeat(sw, axis=0)
    return X, sw, repeated[rng.permutation(repeated.shape[0])]


@pytest.mark.parametrize("init", INITS)
def test_start_is_the_same_for_shuffled_repeated_rows_as_for_weights(init):
    X, sw, shuffled = _weighted_and_repeated()
    # max_iter=0 is the start itself: bitwise the same.
    weighted = _fit(X, init, sw, max_iter=0)
    repeated = _fit(shuffled, init, max_iter=0)
    np.testing.assert_allclose(weighted.means_, repeated.means_, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(weighted.weights_, repeated.weights_, rtol=1e-12)
    np.testing.assert_allclose(weighted.covariances_, repeated.covariances_, rtol=1e-10)


@pytest.mark.parametrize("init", INITS)
@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_fit_is_the_same_for_shuffled_repeated_rows_as_for_weights(init, covariance_type):
    X, sw, shuffled = _weighted_and_repeated(seed=3)
    weighted = _fit(X, init, sw, covariance_type=covariance_type)
    repeated = _fit(shuffled, init, covariance_type=covariance_type)
    np.testing.assert_allclose(weighted.means_, repeated.means_, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), atol=1e-9)
    assert weighted.n_iter_ == repeated.n_iter_
    assert weighted.lower_bound_ == pytest.approx(repeated.lower_bound_, rel=1e-9)


@pytest.mark.parametrize("init", INITS)
def test_fit_does_not_depend_on_the_rows_order(init):
    X, _ = make_mixture(n_per=80, d=2, K=3, seed=5)
    order = np.random.default_rng(0).permutation(X.shape[0])
    a, b = _fit(X, init), _fit(X[order], init)
    np.testing.assert_allclose(a.means_, b.means_, rtol=1e-10, atol=1e-10)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


def test_weights_scale_does_not_move_the_start():
    X, sw, _ = _weighted_and_repeated(seed=4)
    a = _fit(X, "k-means++", sw, max_iter=0)
    b = _fit(X, "k-means++", sw * 1e-9, max_iter=0)
    np.testing.assert_allclose(a.means_, b.means_, rtol=1e-10, atol=1e-12)


def test_random_from_data_draws_by_weight_and_without_repeating_points():
    # Two distinct points, one of weight 1 and one of weight 1e6: the heavy one is
    # almost always drawn first; K=2 takes both, K=3 repeats one (no error).
    X = np.array([[0.0, 0.0], [10.0, 10.0]])
    sw = np.array([1.0, 1e6])
    firsts = []
    for seed in range(20):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gm = GaussianMixture(
                2, init_params="random_from_data", random_state=seed, max_iter=0
            ).fit(X, sample_weight=sw)
        assert sorted(gm.means_[:, 0].round(6)) == [0.0, 10.0]
        firsts.append(gm.means_[0, 0])
    assert np.mean(np.isclose(firsts, 10.0)) >= 0.95


def test_distinct_rows_sum_the_weights_of_equal_rows_in_sorted_order():
    X = np.array([[1.0, 2.0], [0.0, 5.0], [1.0, 2.0], [-0.0, 5.0], [3.0, 0.0]])
    w = np.array([1.0, 2.0, 3.0, 4.0, 0.0])
    rows, totals = distinct_rows(X, w)
    np.testing.assert_array_equal(rows, [[0.0, 5.0], [1.0, 2.0]])
    np.testing.assert_array_equal(totals, [6.0, 4.0])
    rows, totals = distinct_rows(X, None)
    np.testing.assert_array_equal(totals, [2.0, 2.0, 1.0])
    assert rows.shape == (3, 2)


def test_centre_is_rounded_to_a_few_bits_and_stays_close():
    rng = np.random.default_rng(0)
    mean = rng.normal(size=1000) * 10.0 ** rng.integers(-30, 30, size=1000)
    rounded = round_center(mean)
    assert np.all(np.abs(rounded - mean) <= np.abs(mean) * 2.0**-CENTER_BITS)
    mantissa = np.frexp(rounded)[0] * 2.0**CENTER_BITS
    np.testing.assert_array_equal(mantissa, np.round(mantissa))
    # Zero stays zero; a mean that would round past the largest float is kept as it is.
    edge = np.array([0.0, np.finfo(np.float64).max, -1e-308])
    out = round_center(edge)
    assert out[0] == 0.0 and out[1] == edge[1] and np.isfinite(out).all()
    assert abs(out[2] - edge[2]) <= 1e-308 * 2.0**-CENTER_BITS


def test_weighted_and_repeated_data_centre_to_the_same_bits():
    X, sw, shuffled = _weighted_and_repeated(seed=6, d=5)
    X = X + 1e4  # far from zero: the unrounded means differ in their last bits
    shuffled = shuffled + 1e4
    np.testing.assert_array_equal(data_center(X, sw.astype(float)), data_center(shuffled, None))
