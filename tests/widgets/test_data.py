"""Display data: validation, the seeded display subsample and the PCA basis."""

from __future__ import annotations

import numpy as np
import pytest

from gmm_widgets.widgets._data import MAX_DISPLAY_POINTS, display_indices, pca_basis, prepare_data


def test_small_data_is_shown_whole_as_float32():
    X = np.arange(20.0).reshape(10, 2)
    dd = prepare_data(X)
    assert dd.indices is None
    assert dd.display.dtype == np.float32
    np.testing.assert_array_equal(dd.display, X)
    assert dd.feature_names == ["x0", "x1"]
    assert dd.n_samples == 10


def test_large_data_gets_a_seeded_uniform_subsample_for_display_only():
    X = np.random.default_rng(0).normal(size=(5000, 3))
    dd = prepare_data(X, max_points=1000, seed=7)
    assert dd.display.shape == (1000, 3)
    assert dd.X.shape == (5000, 3)  # fitting keeps every row
    idx = dd.indices
    assert np.all(np.diff(idx) > 0)  # sorted, no repeats
    np.testing.assert_array_equal(dd.display, X[idx].astype(np.float32))
    np.testing.assert_array_equal(idx, prepare_data(X, max_points=1000, seed=7).indices)
    assert not np.array_equal(idx, prepare_data(X, max_points=1000, seed=8).indices)
    # Uniform: every part of the data is represented about equally.
    counts = np.bincount(idx // 1000, minlength=5)
    assert counts.min() > 150


def test_default_limit_is_100k():
    assert MAX_DISPLAY_POINTS == 100_000
    assert display_indices(100_000, MAX_DISPLAY_POINTS) is None
    assert display_indices(100_001, MAX_DISPLAY_POINTS).shape == (100_000,)
    with pytest.raises(ValueError, match="max_display_points"):
        display_indices(10, 0)


def test_dataframe_feature_names():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"height": [1.0, 2.0, 3.0], "weight": [3.0, 1.0, 2.0]})
    assert prepare_data(df).feature_names == ["height", "weight"]


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        (np.array([[1.0, np.nan], [2.0, 3.0]]), "NaN"),
        (np.zeros(5), "2-D"),
        (np.array([["a", "b"]]), "numbers"),
    ],
)
def test_invalid_data(bad, match):
    with pytest.raises((ValueError, TypeError), match=match):
        prepare_data(bad)


def test_pca_basis_is_orthonormal_and_ordered():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 4)) * np.array([5.0, 2.0, 1.0, 0.5])
    pca = pca_basis(X)
    C = pca["components"]
    assert C.shape == (2, 4)
    np.testing.assert_allclose(C @ C.T, np.eye(2), atol=1e-10)
    assert abs(C[0, 0]) > 0.99 and abs(C[1, 1]) > 0.99
    r = pca["explained_variance_ratio"]
    assert r[0] > r[1] > 0 and r.sum() < 1
    np.testing.assert_allclose(pca["mean"], X.mean(axis=0))
