"""gmm_widgets.datasets: seeded generators and the bundled iris data."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from gmm_widgets import GaussianMixture
from gmm_widgets.datasets import (
    CUSTOMER_FEATURES,
    CUSTOMER_SEGMENTS,
    IRIS_FEATURES,
    IRIS_SPECIES,
    MixtureParams,
    load_iris,
    make_anomalies,
    make_customer_segments,
    make_mixture,
    make_mixture_params,
)

ROOT = Path(__file__).resolve().parents[1]
COV_TYPES = ("full", "tied", "diag", "spherical")


# ----------------------------------------------------------------------------- iris


def test_iris_known_statistics():
    X, y, names = load_iris()
    assert X.shape == (150, 4) and X.dtype == np.float64
    assert names == list(IRIS_FEATURES)
    # Published column means of Fisher's data (Fisher 1936, as in the paper).
    np.testing.assert_allclose(X.mean(axis=0), [5.843333, 3.057333, 3.758, 1.199333], atol=1e-5)
    assert np.bincount(y).tolist() == [50, 50, 50]
    assert len(IRIS_SPECIES) == 3
    # Known per-species means of petal length (cm).
    np.testing.assert_allclose(
        [X[y == k, 2].mean() for k in range(3)], [1.462, 4.260, 5.552], atol=1e-9
    )
    # The rows 35 and 38 as printed by Fisher (the UCI copy has them wrong).
    np.testing.assert_array_equal(X[34], [4.9, 3.1, 1.5, 0.2])
    np.testing.assert_array_equal(X[37], [4.9, 3.6, 1.4, 0.1])


def test_iris_matches_scikit_learn_copy():
    datasets = pytest.importorskip("sklearn.datasets")
    ref = datasets.load_iris()
    X, y, _ = load_iris()
    np.testing.assert_array_equal(X, ref.data)
    np.testing.assert_array_equal(y, ref.target)


def test_iris_as_frame():
    pd = pytest.importorskip("pandas")
    X, y, names = load_iris(as_frame=True)
    assert isinstance(X, pd.DataFrame) and list(X.columns) == names
    assert isinstance(y, pd.Series) and y.name == "species"
    np.testing.assert_array_equal(X.to_numpy(), load_iris()[0])


def test_iris_is_read_without_network():
    # The CSV is package data, read through importlib.resources.
    from importlib import resources

    text = resources.files("gmm_widgets").joinpath("data", "iris.csv").read_text("utf-8")
    assert text.count("\n") == 151


def test_iris_csv_ships_in_the_wheel(tmp_path):
    pytest.importorskip("hatchling")
    # Build the wheel without the JS build hook: we only care about the package data.
    env = {"PATH": str(Path(sys.executable).parent), "HATCH_BUILD_NO_HOOKS": "true"}
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
         "-w", str(tmp_path), "-q"],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    if proc.returncode != 0:
        pytest.skip(f"wheel build not possible here: {proc.stderr[-500:]}")
    (wheel,) = tmp_path.glob("gmm_widgets-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        assert "gmm_widgets/data/iris.csv" in zf.namelist()
        assert zf.read("gmm_widgets/data/iris.csv").count(b"\n") == 151


# ----------------------------------------------------------------------------- mixtures


@pytest.mark.parametrize("covariance_type", COV_TYPES)
def test_make_mixture_recovers_the_given_parameters(covariance_type):
    weights = np.array([0.5, 0.3, 0.2])
    means = np.array([[0.0, 0.0, 0.0], [6.0, 0.0, 1.0], [0.0, 7.0, -2.0]])
    cov = make_mixture_params(
        means=means, covariance_type=covariance_type, random_state=3
    ).covariances
    X, y, params = make_mixture(
        30_000,
        weights=weights,
        means=means,
        covariances=cov,
        covariance_type=covariance_type,
        random_state=0,
        return_params=True,
    )
    assert X.shape == (30_000, 3) and y.shape == (30_000,)
    assert params.covariance_type == covariance_type
    np.testing.assert_array_equal(params.means, means)
    np.testing.assert_allclose(np.bincount(y) / len(y), weights, atol=0.01)
    full = params.full_covariances()
    for k in range(3):
        np.testing.assert_allclose(X[y == k].mean(axis=0), means[k], atol=0.06)
        np.testing.assert_allclose(np.cov(X[y == k].T), full[k], atol=0.12)


def test_make_mixture_is_seeded_and_params_helper_agrees():
    X1, y1, p1 = make_mixture(
        200, n_components=4, n_features=3, random_state=7, return_params=True
    )
    X2, y2 = make_mixture(200, n_components=4, n_features=3, random_state=7)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    p3 = make_mixture_params(n_components=4, n_features=3, random_state=7)
    for a in ("weights", "means", "covariances"):
        np.testing.assert_array_equal(getattr(p1, a), getattr(p3, a))
    X3, _ = make_mixture(200, n_components=4, n_features=3, random_state=8)
    assert not np.allclose(X1, X3)
    assert p1.n_components == 4 and p1.n_features == 3


@pytest.mark.parametrize("covariance_type", COV_TYPES)
def test_make_mixture_params_leaves_the_callers_arrays_alone(covariance_type):
    means = np.array([[0.0, 0.0], [5.0, 5.0]])
    covariances = {
        "full": np.array([np.eye(2), 2 * np.eye(2)]),
        "tied": np.eye(2),
        "diag": np.ones((2, 2)),
        "spherical": np.ones(2),
    }[covariance_type]
    weights = np.array([0.25, 0.75])
    before = [a.copy() for a in (weights, means, covariances)]
    p = make_mixture_params(
        weights=weights, means=means, covariances=covariances, covariance_type=covariance_type
    )
    for mine, old in zip((weights, means, covariances), before, strict=True):
        assert mine.flags.writeable
        np.testing.assert_array_equal(mine, old)
    covariances *= 2  # the caller may go on editing; the params keep their copy
    np.testing.assert_array_equal(p.covariances, before[2])
    assert not p.covariances.flags.writeable


def test_random_covariances_are_positive_definite_and_elongated():
    p = make_mixture_params(n_components=5, n_features=4, cluster_std=2.0, random_state=0)
    eig = np.linalg.eigvalsh(p.full_covariances())
    assert np.all(eig > 0)
    assert np.all(np.sqrt(eig) >= 2.0 * 0.5 - 1e-12) and np.all(np.sqrt(eig) <= 2.0 * 1.5)
    assert np.all(eig[:, -1] / eig[:, 0] > 1.0)
    assert np.all((p.means >= -10) & (p.means <= 10))


def test_mixture_params_sample_matches_weights():
    p = MixtureParams(
        np.array([0.9, 0.1]), np.array([[0.0], [10.0]]), np.array([1.0, 1.0]), "spherical"
    )
    X, y = p.sample(2000, random_state=0)
    assert X.shape == (2000, 1)
    assert abs(np.mean(y == 1) - 0.1) < 0.03
    _, ys = p.sample(50, random_state=0, shuffle=False)
    assert np.all(np.diff(ys) >= 0)


def test_make_mixture_unshuffled_is_ordered_by_component():
    _, y = make_mixture(300, random_state=0, shuffle=False)
    assert np.all(np.diff(y) >= 0)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"weights": [0.5, 0.6], "means": [[0, 0], [1, 1]]}, ValueError, "weights must sum to 1"),
        ({"weights": [1.0], "means": [[0, 0], [1, 1]]}, ValueError, r"weights must have shape"),
        ({"means": [0, 1]}, ValueError, "means must have shape"),
        ({"means": [[0, 0]], "covariances": np.eye(3)[None]}, ValueError, "covariances must"),
        (
            {"means": [[0, 0]], "covariances": [[[1, 2], [2, 1]]]},
            ValueError,
            "not positive definite",
        ),
        ({"covariance_type": "round"}, ValueError, "covariance_type"),
        ({"n_components": 0}, ValueError, "n_components"),
        ({"n_components": 2.5}, TypeError, "n_components"),
        ({"cluster_std": -1.0}, ValueError, "cluster_std"),
    ],
)
def test_make_mixture_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        make_mixture(10, random_state=0, **kwargs)


def test_make_mixture_bad_n_samples():
    with pytest.raises(ValueError, match="n_samples"):
        make_mixture(0)


# ----------------------------------------------------------------------------- customers


def test_customer_segments_shape_and_meaning():
    X, y, names = make_customer_segments(3000, random_state=0)
    assert X.shape == (3000, 2) and names == list(CUSTOMER_FEATURES)
    assert set(np.unique(y)) == {0, 1, 2} and len(CUSTOMER_SEGMENTS) == 3
    assert np.all(X > 0)
    value = [X[y == k, 0].mean() for k in range(3)]
    visits = [X[y == k, 1].mean() for k in range(3)]
    # bargain hunters < regulars < big spenders in spend; the opposite in visits.
    assert value[0] < value[1] < value[2]
    assert visits[0] > visits[1] > visits[2]
    # Elongated: every segment has strongly correlated features.
    for k in range(3):
        assert abs(np.corrcoef(X[y == k].T)[0, 1]) > 0.45


def test_customer_segments_overlap():
    X, y, _, params = make_customer_segments(2000, random_state=1, return_params=True)
    # Even a well-fitted mixture misclassifies some customers: the segments overlap.
    gm = GaussianMixture(3, random_state=0)
    gm.fit(X)
    from itertools import permutations

    pred = gm.predict(X)
    acc = max(np.mean(np.asarray(p)[pred] == y) for p in permutations(range(3)))
    assert 0.9 < acc < 0.995
    assert params.n_components == 3


def test_customer_segments_seeded_and_as_frame():
    X1, y1, _ = make_customer_segments(100, random_state=5)
    X2, y2, _ = make_customer_segments(100, random_state=5)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    pd = pytest.importorskip("pandas")
    Xf, yf, names = make_customer_segments(100, random_state=5, as_frame=True)
    assert isinstance(Xf, pd.DataFrame) and list(Xf.columns) == names
    assert yf.name == "segment"
    np.testing.assert_array_equal(Xf.to_numpy(), X1)


# ----------------------------------------------------------------------------- anomalies


@pytest.mark.parametrize("contamination", [0.0, 0.04, 0.1])
def test_make_anomalies_counts_and_distance(contamination):
    X, y, params = make_anomalies(
        800, contamination=contamination, random_state=2, return_params=True
    )
    assert X.shape == (800, 2)
    assert set(np.unique(y)) <= {0, 1}
    assert int(y.sum()) == round(contamination * 800)
    if y.sum():
        # Every outlier is at least 3 standard deviations (Mahalanobis) from every component.
        L = np.linalg.cholesky(params.full_covariances())
        for k in range(params.n_components):
            z = np.linalg.solve(L[k], (X[y == 1] - params.means[k]).T)
            assert np.all(np.sqrt((z**2).sum(axis=0)) >= 3.0 - 1e-9)


def test_make_anomalies_outliers_score_lower():
    X, y = make_anomalies(1500, contamination=0.05, n_features=3, random_state=4)
    gm = GaussianMixture(3, random_state=0).fit(X)
    s = gm.score_samples(X)
    assert np.median(s[y == 1]) < np.percentile(s[y == 0], 5)


def test_make_anomalies_bad_contamination():
    with pytest.raises(ValueError, match="contamination"):
        make_anomalies(100, contamination=0.7)
    with pytest.raises(ValueError, match="min_distance"):
        make_anomalies(100, min_distance=-1)
