"""Inputs that used to fail with a message naming nothing now name the problem and the fix."""

from __future__ import annotations

import numpy as np
import pytest

from gmm_widgets import AnomalyDetector, GaussianMixture, select_model
from gmm_widgets.mixture import fit_best_mixture

X = np.random.default_rng(0).normal(size=(120, 2))


def test_sparse_input_says_to_densify():
    sparse = pytest.importorskip("scipy.sparse")
    for matrix in (sparse.csr_matrix(X), sparse.coo_matrix(X)):
        with pytest.raises(TypeError, match=r"Sparse data was passed .* Use X.toarray\(\)"):
            GaussianMixture(2).fit(matrix)
    gm = GaussianMixture(2, random_state=0).fit(X)
    with pytest.raises(TypeError, match="dense data is required"):
        gm.predict(sparse.csr_matrix(X))


def test_nullable_missing_values_are_missing_data():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {"a": pd.array([1.0, None, 2.0] * 20, dtype="Float64"), "b": np.arange(60.0)}
    )
    with pytest.raises(ValueError, match=r"X contains NaN .* Remove or impute"):
        GaussianMixture(2).fit(frame)
    with pytest.raises(ValueError, match="Remove or impute"):
        GaussianMixture(2).fit(pd.DataFrame({"a": [1.0, np.nan, 3.0], "b": [1.0, 2.0, 3.0]}))
    complete = frame.dropna()
    assert GaussianMixture(2, random_state=0).fit(complete).n_features_in_ == 2


def test_a_class_is_not_a_model():
    with pytest.raises(TypeError, match=r"must be an instance, got the class GaussianMixture"):
        AnomalyDetector(GaussianMixture).fit(X)


@pytest.mark.parametrize("name", ["means_init", "weights_init"])
def test_initial_parameters_of_strings(name):
    value = [["a", "b"], ["c", "d"]] if name == "means_init" else ["a", "b"]
    with pytest.raises(TypeError, match=f"{name} must be an array of numbers"):
        GaussianMixture(2, **{name: value}).fit(X)


@pytest.mark.parametrize("grid", [select_model, fit_best_mixture])
def test_a_grid_checks_shared_parameters_once_up_front(grid):
    with pytest.raises(ValueError, match="tol must be a finite number"):
        grid(X, range(1, 3), tol=float("nan"))
    with pytest.raises(TypeError, match="unknown GaussianMixture parameter"):
        grid(X, range(1, 3), n_inits=3)


@pytest.mark.parametrize("change", [{"n_components": 3}, {"covariance_type": "diag"}])
def test_warm_start_after_changing_the_model_refuses(change):
    gm = GaussianMixture(2, warm_start=True, random_state=0).fit(X)
    before = gm.means_.copy()
    gm.set_params(**change)
    with pytest.raises(ValueError, match="set warm_start=False to fit the new settings"):
        gm.fit(X)
    np.testing.assert_array_equal(gm.means_, before)  # the fitted model is kept
    gm.set_params(warm_start=False).fit(X)
    assert gm.means_.shape[0] == change.get("n_components", 2)


def test_warm_start_with_the_same_model_continues():
    gm = GaussianMixture(2, warm_start=True, random_state=0, max_iter=200).fit(X)
    gm.fit(X)
    assert gm.n_iter_ <= 2  # it starts from the converged fit


def test_non_numeric_dataframe_columns_are_named():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(
        {
            "a": np.arange(20.0),
            "city": ["x"] * 20,
            "b": np.linspace(0, 1, 20),
            "when": pd.date_range("2020", periods=20),
        }
    )
    with pytest.raises(TypeError, match=r"column\(s\) 'city', 'when' are not numeric") as info:
        GaussianMixture(2).fit(df)
    assert "X.drop(columns=['city', 'when'])" in str(info.value)
    # Numbers, booleans and nullable numbers are fine.
    ok = pd.DataFrame(
        {"a": np.arange(20.0), "flag": [True, False] * 10, "n": pd.array(range(20), dtype="Int64")}
    )
    GaussianMixture(2, random_state=0).fit(ok)
