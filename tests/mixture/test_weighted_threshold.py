"""Anomaly thresholds with sample weights: a fraction of the total weight, at any scale.

Before, AnomalyDetector passed ``sample_weight`` to the mixture but set the threshold
from the unweighted scores, so ``contamination=0.1`` flagged 10 % of the rows however
the weights were spread: with the weight on a few rows, a silently wrong fraction.
"""

from __future__ import annotations

import numpy as np
import pytest

from gmm_widgets import GaussianMixture
from gmm_widgets.mixture import AnomalyDetector
from gmm_widgets.mixture.anomaly import (
    percentile_of_threshold,
    refit_without_anomalies,
    threshold_from_contamination,
    threshold_from_percentile,
    weighted_percentile,
)
from tests.helpers import make_mixture


@pytest.fixture
def scores():
    return np.random.default_rng(0).normal(size=501)


@pytest.mark.parametrize("q", [0.5, 2.0, 4.0, 37.5, 50.0, 99.0])
@pytest.mark.parametrize("scale", [1.0, 1e-12, 3.0, 1e12])
def test_equal_weights_are_np_percentile_exactly(scores, q, scale):
    w = np.full(scores.size, scale)
    assert weighted_percentile(scores, q, w) == np.percentile(scores, q)
    assert threshold_from_percentile(scores, q, w) == threshold_from_percentile(scores, q)


@pytest.mark.parametrize("scale", [1e-15, 1e-6, 7.0, 1e15])
def test_only_the_weights_proportions_matter(scores, scale):
    w = np.random.default_rng(1).uniform(0.1, 5.0, scores.size)
    ref = threshold_from_contamination(scores, 0.05, sample_weight=w)
    assert threshold_from_contamination(scores, 0.05, sample_weight=w * scale) == (
        pytest.approx(ref, rel=1e-12, abs=1e-12)
    )


def test_zero_weight_points_are_ignored(scores):
    w = np.random.default_rng(2).uniform(0.5, 2.0, scores.size)
    w[::3] = 0.0
    kept = w > 0
    assert weighted_percentile(scores, 4.0, w) == pytest.approx(
        weighted_percentile(scores[kept], 4.0, w[kept]), rel=0, abs=0
    )


def test_brute_force_positions():
    """Sorted score k sits at the weight strictly below it over (W - last weight)."""
    s = np.array([4.0, 1.0, 3.0, 2.0])
    w = np.array([1.0, 2.0, 1.0, 2.0])  # sorted: 1 (2), 2 (2), 3 (1), 4 (1)
    # positions 0, 2/5, 4/5, 1 -> the 50th percentile lies 1/4 of the way from 2 to 3
    assert weighted_percentile(s, 50, w) == pytest.approx(2.25, abs=1e-15)
    assert weighted_percentile(s, 0, w) == 1.0
    assert weighted_percentile(s, 100, w) == 4.0
    assert weighted_percentile(s, 40, w) == pytest.approx(2.0, abs=1e-15)


def test_the_flagged_weight_follows_the_weights():
    """The weight on the low scores decides how many rows a contamination flags."""
    s = np.arange(1000.0)
    heavy_low = np.where(s < 100, 10.0, 1.0)  # 1000 of 1900 weight on the lowest 100
    t = threshold_from_contamination(s, 0.2, sample_weight=heavy_low)
    flagged_weight = percentile_of_threshold(s, t, sample_weight=heavy_low)
    assert flagged_weight == pytest.approx(20.0, abs=0.6)
    assert np.count_nonzero(s < t) == 38  # 38 rows of weight 10: 380 / 1900 = 20 %
    assert threshold_from_contamination(s, 0.2) == pytest.approx(199.8)


def test_detector_contamination_is_a_fraction_of_the_weight():
    X, _ = make_mixture(n_per=300, d=2, K=2, seed=3)
    # The 30 most outlying rows (under an unweighted fit) count 4 times each.
    outlying = np.argsort(GaussianMixture(2, random_state=0).fit(X).score_samples(X))[:30]
    w = np.ones(X.shape[0])
    w[outlying] = 4.0
    det = AnomalyDetector(GaussianMixture(2, random_state=0), contamination=0.05)
    det.fit(X, sample_weight=w)
    scores = det.model_.score_samples(X)
    flagged = scores < det.threshold_
    share = 100 * w[flagged].sum() / w.sum()
    # Within one row's weight of 5 %.
    assert share == pytest.approx(5.0, abs=100 * w.max() / w.sum())
    assert det.percentile_ == pytest.approx(share)
    assert np.count_nonzero(flagged) < 15  # heavy rows: 5 % of the weight is ~9 of them
    # The threshold of the unweighted scores (as before) flags 5 % of the rows, the
    # heavy ones for the most part: about 15 % of the weight, three times too much.
    old = scores < threshold_from_contamination(scores, 0.05)
    assert 100 * w[old].sum() / w.sum() > 12.0
    # Multiplying every weight by a constant changes nothing.
    det2 = AnomalyDetector(GaussianMixture(2, random_state=0), contamination=0.05)
    det2.fit(X, sample_weight=w * 1e-8)
    assert det2.threshold_ == pytest.approx(det.threshold_, rel=1e-9)
    np.testing.assert_array_equal(det2.labels_, det.labels_)


def test_refit_without_anomalies_removes_a_fraction_of_the_weight():
    X, _ = make_mixture(n_per=300, d=2, K=2, seed=5)
    w = np.where(np.arange(X.shape[0]) % 10 == 0, 9.0, 1.0)
    gm = GaussianMixture(2, random_state=0).fit(X, sample_weight=w)
    result = refit_without_anomalies(gm, X, contamination=0.1, sample_weight=w)
    assert 100 * w[result.anomalies].sum() / w.sum() == pytest.approx(10.0, abs=1.0)


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        (np.ones(3), r"shape \(5,\)"),
        ([1, 1, np.nan, 1, 1], "contains NaN or infinity"),
        ([1, 1, -1, 1, 1], "must be non-negative; 1 weight"),
        (np.zeros(5), "all zero"),
    ],
)
def test_bad_weights_are_named(weights, match):
    with pytest.raises(ValueError, match=match):
        weighted_percentile(np.arange(5.0), 10, weights)


def test_percentile_outside_0_100_is_named():
    with pytest.raises(ValueError, match=r"\[0, 100\]"):
        weighted_percentile(np.arange(5.0), 101)
