"""Per-row and per-component tables of a fitted mixture, against hand computations."""

from __future__ import annotations

import numpy as np
import pytest

from gmm_widgets import GaussianMixture, NotFittedError, assignments, model_profile
from gmm_widgets.mixture import least_certain, uncertainty

pd = pytest.importorskip("pandas")


def _two_spheres():
    """Two 1-D unit Gaussians at -2 and +2, equal weights."""
    return GaussianMixture.from_params(
        {
            "weights": [0.5, 0.5],
            "means": [[-2.0], [2.0]],
            "covariances": [1.0, 1.0],
            "covariance_type": "spherical",
        }
    )


@pytest.fixture
def table():
    """Customers: two segments that differ in income (a lot) and age (a little)."""
    rng = np.random.default_rng(0)
    a = rng.normal([30.0, 40_000.0, 5.0], [5.0, 4_000.0, 1.0], (300, 3))
    b = rng.normal([34.0, 90_000.0, 5.0], [5.0, 6_000.0, 1.0], (200, 3))
    X = pd.DataFrame(
        np.vstack([a, b]), columns=["age", "income", "visits"], index=pd.RangeIndex(100, 600)
    )
    gm = GaussianMixture(2, covariance_type="diag", random_state=0).fit(X)
    return X, gm


def test_uncertainty_by_hand():
    x = np.array([[0.0], [2.0], [-6.0]])
    # p(k | x) for equal weights and variances: a logistic in 4x (means -2, +2).
    p1 = 1.0 / (1.0 + np.exp(-4.0 * x[:, 0]))
    want = 1.0 - np.maximum(p1, 1.0 - p1)
    np.testing.assert_allclose(uncertainty(_two_spheres(), x), want, rtol=1e-12, atol=1e-15)
    assert uncertainty(_two_spheres(), x)[0] == pytest.approx(0.5)  # 1 - 1/K on the boundary


def test_least_certain_orders_by_uncertainty_then_row():
    x = np.array([[3.0], [0.0], [-0.5], [0.5], [-3.0]])
    # 0.5 and -0.5 are equally uncertain: row order breaks the tie.
    assert least_certain(_two_spheres(), x, n=3).tolist() == [1, 2, 3]
    assert least_certain(_two_spheres(), x, n=99).tolist() == [1, 2, 3, 0, 4]
    with pytest.raises(ValueError, match="n must be >= 1"):
        least_certain(_two_spheres(), x, n=0)


def test_assignments_are_the_models_numbers_on_the_frames_index(table):
    X, gm = table
    frame = assignments(gm, X)
    assert list(frame.columns) == ["component", "proba_0", "proba_1", "log_density", "uncertainty"]
    assert frame.index.equals(X.index)  # joins back onto the table
    np.testing.assert_array_equal(frame["component"], gm.predict(X))
    np.testing.assert_allclose(frame[["proba_0", "proba_1"]], gm.predict_proba(X), rtol=1e-12)
    np.testing.assert_allclose(frame["log_density"], gm.score_samples(X), rtol=1e-12)
    np.testing.assert_allclose(frame["uncertainty"], 1 - gm.predict_proba(X).max(axis=1))
    arr = assignments(gm, X.to_numpy())
    assert isinstance(arr.index, pd.RangeIndex) and arr.index[0] == 0


def test_scikit_learns_model_gets_the_same_tables(table):
    sk = pytest.importorskip("sklearn.mixture")
    X, _ = table
    theirs = sk.GaussianMixture(2, covariance_type="diag", random_state=0).fit(X.to_numpy())
    frame = assignments(theirs, X)
    np.testing.assert_allclose(
        frame["log_density"], theirs.score_samples(X.to_numpy()), rtol=1e-10
    )
    np.testing.assert_allclose(
        frame[["proba_0", "proba_1"]], theirs.predict_proba(X.to_numpy()), atol=1e-12
    )


def test_profile_by_hand(table):
    X, gm = table
    prof = model_profile(gm, X)
    assert prof.index.name == "component" and len(prof) == 2
    labels = gm.predict(X)
    np.testing.assert_array_equal(prof["count"], np.bincount(labels, minlength=2))
    np.testing.assert_allclose(prof["share"], np.bincount(labels, minlength=2) / len(X))
    np.testing.assert_allclose(prof["weight"], gm.weights_)
    for j, name in enumerate(X.columns):
        np.testing.assert_allclose(prof[f"{name} mean"], gm.means_[:, j])
        np.testing.assert_allclose(prof[f"{name} sd"], np.sqrt(gm.covariances_[:, j]))
    # What sets each segment apart: income, by (mean_k - mean) / sd of the data.
    effect = (gm.means_[:, 1] - X["income"].mean()) / X["income"].std(ddof=0)
    high = int(np.argmax(gm.means_[:, 1]))
    assert prof.loc[high, "separating"].startswith(f"income ({effect[high]:+.1f} sd)")
    assert prof.loc[1 - high, "separating"].startswith(f"income ({effect[1 - high]:+.1f} sd)")
    assert "visits" not in prof.loc[high, "separating"]  # the same in both segments
    # Sortable as any DataFrame.
    assert prof.sort_values("weight").index[-1] == int(np.argmax(gm.weights_))


def test_profile_names_and_bad_input(table):
    X, gm = table
    prof = model_profile(gm, X.to_numpy(), feature_names=["A", "B", "C"], n_separating=1)
    assert "B mean" in prof.columns and prof["separating"].str.count(r"\(").max() <= 1
    assert "x1 mean" in model_profile(gm, X.to_numpy()).columns
    with pytest.raises(ValueError, match="feature_names must hold 3 names"):
        model_profile(gm, X, feature_names=["a"])
    with pytest.raises(ValueError, match=r"fitted on 3 feature\(s\) but X has 2"):
        model_profile(gm, X.iloc[:, :2])
    with pytest.raises(NotFittedError):
        assignments(GaussianMixture(2), X)
    with pytest.raises(ValueError, match="NaN"):
        uncertainty(gm, np.full((2, 3), np.nan))
