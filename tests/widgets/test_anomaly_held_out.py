"""AnomalyInspector(X, X_new=..., labels_new=...): the threshold on data it was not tuned on."""

from __future__ import annotations

import numpy as np
import pytest

from gmm_widgets.datasets import make_anomalies
from gmm_widgets.mixture.held_out import check_threshold, wilson_interval
from gmm_widgets.widgets import AnomalyInspector


@pytest.fixture(scope="module")
def split():
    X, y = make_anomalies(1600, contamination=0.05, random_state=0)
    rows = np.random.default_rng(0).permutation(1600)  # a random split, as a user makes
    X, y = X[rows], y[rows]
    return X[:1000], y[:1000], X[1000:], y[1000:]


@pytest.mark.parametrize(("k", "n"), [(10, 500), (3, 7), (0, 50), (50, 50), (1, 1)])
def test_wilson_interval_equals_scipys(k, n):
    stats = pytest.importorskip("scipy.stats")
    ci = stats.binomtest(k, n).proportion_ci(method="wilson")
    np.testing.assert_allclose(wilson_interval(k, n), (ci.low, ci.high), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    ("k", "n", "error"), [(5, 3, ValueError), (-1, 3, ValueError), (1, 0, ValueError)]
)
def test_wilson_interval_refuses_bad_counts(k, n, error):
    with pytest.raises(error, match="0 <= k <= n"):
        wilson_interval(k, n)


def test_held_out_is_the_threshold_applied_to_x_new(split):
    X, y, Xn, yn = split
    w = AnomalyInspector(X, labels=y, n_components=3, random_state=0, X_new=Xn, labels_new=yn)
    ho = w.held_out
    flags = w.model.score_samples(Xn) < w.threshold
    assert ho.n_samples == 600 and ho.n_flagged == int(flags.sum())
    assert ho.fraction == flags.mean()
    assert ho.tuning_fraction == w.n_anomalies / 1000
    assert ho.interval == wilson_interval(int(flags.sum()), 600)
    tp = int((flags & (yn == 1)).sum())
    assert ho.metrics.precision == tp / flags.sum()
    assert ho.metrics.recall == tp / (yn == 1).sum()
    # Same source: the tuning fraction lies inside the new data's interval.
    assert ho.consistent
    # The browser gets the new scores sorted (float64) and the labels in that order.
    order = np.argsort(w.model.score_samples(Xn), kind="stable")
    np.testing.assert_array_equal(w._sorted_new_scores, w.model.score_samples(Xn)[order])
    np.testing.assert_array_equal(w._sorted_new_labels, (yn == 1)[order])


def test_the_check_follows_the_threshold_and_refits(split):
    X, _, Xn, _ = split
    w = AnomalyInspector(X, n_components=3, random_state=0, X_new=Xn, contamination=0.02)
    assert w.held_out.metrics is None
    w.contamination = 0.2
    assert w.held_out.tuning_fraction == pytest.approx(0.2)
    assert w.held_out.n_flagged == int((w.model.score_samples(Xn) < w.threshold).sum())
    first = w.model
    w.refit_without_anomalies()
    assert w.model is not first
    assert w.held_out.n_flagged == int((w.model.score_samples(Xn) < w.threshold).sum())
    w.undo_refit()
    assert w.model is first
    np.testing.assert_array_equal(w._sorted_new_scores, np.sort(first.score_samples(Xn)))


def test_another_source_shows_as_inconsistent(split):
    X, _, _, _ = split
    shifted, _ = make_anomalies(600, contamination=0.05, random_state=7)
    w = AnomalyInspector(X, n_components=3, random_state=0, X_new=shifted + 4.0)
    assert not w.held_out.consistent and w.held_out.fraction > 0.5


def test_without_x_new_there_is_no_check(split):
    X, _, _, _ = split
    w = AnomalyInspector(X, n_components=2, random_state=0)
    assert w.held_out is None and w._sorted_new_scores is None


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"X_new": np.zeros((5, 3))}, "X_new has 3 feature"),
        ({"labels_new": np.zeros(5)}, "labels_new needs X_new"),
        ({"X_new": np.zeros((5, 2)), "labels_new": np.zeros(4)}, "labels_new has 4 entries"),
        ({"X_new": np.zeros((5, 2)), "labels_new": [0, 1, 2, 0, 0]}, "labels_new must be binary"),
        ({"X_new": [[0.0, np.nan]]}, "NaN"),
    ],
)
def test_bad_new_data_is_refused_before_display(split, kwargs, match):
    X, _, _, _ = split
    with pytest.raises(ValueError, match=match):
        AnomalyInspector(X, n_components=2, random_state=0, **kwargs)


def test_dataframe_columns_must_match(split):
    pd = pytest.importorskip("pandas")
    X, _, Xn, _ = split
    df = pd.DataFrame(X, columns=["a", "b"])
    ok = AnomalyInspector(
        df, n_components=2, random_state=0, X_new=pd.DataFrame(Xn, columns=["a", "b"])
    )
    assert ok.held_out.n_samples == 600
    with pytest.raises(ValueError, match="same names in another order"):
        AnomalyInspector(df, n_components=2, X_new=pd.DataFrame(Xn, columns=["b", "a"]))
    with pytest.raises(ValueError, match=r"missing \['b'\], unexpected \['c'\]"):
        AnomalyInspector(df, n_components=2, X_new=pd.DataFrame(Xn, columns=["a", "c"]))


def test_check_threshold_refuses_empty_scores():
    with pytest.raises(ValueError, match="non-empty 1-D"):
        check_threshold([], 0.0, 0.1)
