"""Missing values (NaN) in the widgets: ``FitPlayer(X, missing="em")``.

NaN is accepted only with ``missing="em"`` (or a model with it), travels to the browser
as NaN in the float32 data, and every method that reads X works with those rows. The
browser places the rows at their conditional expectation (js/src/lib/impute.js), checked
against the committed fixture ``js/tests/fixtures/impute_parity.json``, which is checked
here to be what the core computes today.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from gmm_widgets import FitPlayer, GaussianMixture
from gmm_widgets.mixture._missing import MissingValuesWarning
from gmm_widgets.mixture.params import mixture_params
from gmm_widgets.widgets._imputed import place_rows, responsibilities
from tests.widgets.impute_fixture import COVARIANCE_TYPES, DIMENSIONS, FIXTURE, build_fixture

#: The fitted numbers differ in their last bits between BLAS kernels.
RTOL = 1e-11


@pytest.fixture(scope="module")
def X() -> np.ndarray:
    rng = np.random.default_rng(11)
    X = np.vstack([rng.normal([0, 0, 0], 1, (150, 3)), rng.normal([5, 1, -2], 0.8, (150, 3))])
    X[rng.random(X.shape) < 0.2] = np.nan
    X[7] = np.nan  # every value missing: left out of the fit, not drawn
    return X


def _player(X, **kwargs) -> FitPlayer:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingValuesWarning)
        return FitPlayer(X, n_components=2, missing="em", random_state=0, **kwargs)


# ------------------------------------------------------------------- the fixture
def _close(old, new) -> bool:
    if isinstance(new, dict):
        return old.keys() == new.keys() and all(_close(old[k], new[k]) for k in new)
    if isinstance(new, list):
        return len(old) == len(new) and all(_close(a, b) for a, b in zip(old, new, strict=True))
    if isinstance(new, float) and isinstance(old, float):
        return abs(old - new) <= RTOL * max(1.0, abs(new))
    return old == new and type(old) is type(new)


@pytest.fixture(scope="module")
def fresh():
    return json.loads(json.dumps(build_fixture()))


def test_committed_impute_fixture_is_current(fresh):
    committed = json.loads(FIXTURE.read_text())
    assert _close(committed, fresh), (
        f"{FIXTURE.name} is stale: regenerate it with `python -m tests.widgets.impute_fixture`."
    )


def test_impute_fixture_covers_the_types_and_is_not_vacuous(fresh):
    assert {(c["covariance_type"], c["d"]) for c in fresh["cases"]} == {
        (t, d) for t in COVARIANCE_TYPES for d in DIMENSIONS
    }
    for s in fresh["datasets"].values():
        assert s["X"][: s["d"]] == [None] * s["d"]  # a row with nothing observed
        assert 0 < sum(v is None for v in s["X"]) < len(s["X"]) / 2
    changed = json.loads(json.dumps(fresh))
    changed["cases"][0]["imputed"][5] *= 1 + 1e-8
    assert not _close(changed, fresh)


# ------------------------------------------------------------------- acceptance
def test_nan_is_refused_without_missing_em_and_the_message_names_it(X):
    with pytest.raises(ValueError, match=r"contains NaN .*missing='em'"):
        FitPlayer(X, n_components=2)
    with pytest.raises(ValueError, match="missing='em'"):
        FitPlayer(X, GaussianMixture(2))


def test_fit_player_with_missing_em_sends_nan_as_nan(X):
    n_empty = int(np.isnan(X).all(axis=1).sum())
    assert n_empty >= 1
    with pytest.warns(MissingValuesWarning, match=f"{n_empty} row"):
        w = FitPlayer(X, n_components=2, missing="em", random_state=0)
    assert w.data.dtype == np.float32
    np.testing.assert_array_equal(np.isnan(w.data), np.isnan(X))
    np.testing.assert_array_equal(w.data[~np.isnan(X)], X[~np.isnan(X)].astype(np.float32))
    assert w.n_samples == X.shape[0]
    assert w.n_frames == w.model.n_iter_ + 1 and w.model.missing == "em"
    # Frames hold parameters only (no per-row arrays).
    assert all(v["shape"][0] == w.n_frames for v in w.frames.values() if isinstance(v, dict))
    # The frames are the states of the core's fit on the same data.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingValuesWarning)
        ref = GaussianMixture(2, missing="em", random_state=0).fit(X)
    np.testing.assert_allclose(w.model.means_, ref.means_, rtol=1e-12)


def test_a_given_model_with_missing_em_is_fitted_or_shown(X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingValuesWarning)
        w = FitPlayer(X, GaussianMixture(2, missing="em", random_state=1))
        fitted = GaussianMixture(2, missing="em", random_state=1).fit(X)
    assert w.source == "fit" and w.model.missing == "em"
    shown = FitPlayer(X, fitted)
    assert shown.source == "model" and shown.n_frames == 1


def test_pca_basis_of_data_with_nan_is_finite_and_orthonormal(X):
    w = _player(X)
    C = w.pca["components"]
    assert np.isfinite(C).all() and np.isfinite(w.pca["mean"]).all()
    np.testing.assert_allclose(C @ C.T, np.eye(2), atol=1e-12)


# ---------------------------------------------------- methods that read X
def test_tables_selection_and_code_work_with_nan_rows(X):
    w = _player(X)
    proba = w.model.predict_proba(X)
    table = w.assignments()
    assert table.shape[0] == X.shape[0]
    np.testing.assert_allclose(table[[f"proba_{k}" for k in range(2)]].to_numpy(), proba)
    np.testing.assert_allclose(w.uncertainty(), 1 - proba.max(axis=1))
    assert w.profile().shape[0] == 2
    w.frame = 1
    w.select_component(0)
    first = GaussianMixture.from_params(w.current_state)
    first.missing = "em"
    np.testing.assert_array_equal(w.selection, np.flatnonzero(first.predict(X) == 0))


def test_to_code_writes_missing_em_and_reproduces_the_model(X):
    w = _player(X)
    code = w.to_code()
    assert "missing='em'" in code
    ns = {"X": X.copy()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingValuesWarning)
        exec(compile(code, "<to_code>", "exec"), ns)
    for attr in ("weights_", "means_", "covariances_"):
        np.testing.assert_allclose(
            getattr(ns["model"], attr), getattr(w.model, attr), rtol=1e-12, atol=1e-12
        )
    assert ns["model"].n_iter_ == w.model.n_iter_


@pytest.mark.parametrize("view", ["single", "pca", "pairs"])
def test_static_export_draws_imputed_rows_hollow(X, view):
    w = _player(X)
    if view == "pca":
        w.projection = "pca"
    if view == "pairs":
        w.show_pairs()
    svg = w.to_svg()
    assert svg.startswith("<?xml")
    fig = w.to_figure()
    n_imputed = int((np.isnan(X).any(axis=1) & ~np.isnan(X).all(axis=1)).sum())
    hollow = [
        c
        for ax in fig.axes
        for c in ax.collections
        if len(c.get_offsets()) == n_imputed and len(c.get_facecolors()) == 0
    ]
    assert hollow, "the imputed rows are drawn as hollow markers"


def test_place_rows_is_impute_and_marginal_responsibilities(X):
    w = _player(X)
    params = mixture_params(w.model)
    rows = place_rows(X, params)
    keep = ~np.isnan(X).all(axis=1)
    np.testing.assert_array_equal(rows.observed, X[keep])
    np.testing.assert_allclose(rows.filled, w.model.impute(X)[keep], rtol=1e-12)
    assert rows.imputed.sum() == (np.isnan(X[keep]).any(axis=1)).sum()
    # Direct: a row with x1 missing, under one full Gaussian component.
    mu, S = w.model.means_, w.model.covariances_
    i = int(np.flatnonzero(np.isnan(X[:, 1]) & ~np.isnan(X[:, 0]) & ~np.isnan(X[:, 2]))[0])
    o = [0, 2]
    dens = []
    cond = []
    for k in range(2):
        Soo = S[k][np.ix_(o, o)]
        diff = X[i, o] - mu[k, o]
        sol = np.linalg.solve(Soo, diff)
        dens.append(
            w.model.weights_[k]
            * np.exp(-0.5 * diff @ sol)
            / np.sqrt((2 * np.pi) ** 2 * np.linalg.det(Soo))
        )
        cond.append(mu[k, 1] + S[k][1, o] @ sol)
    r = np.array(dens) / sum(dens)
    np.testing.assert_allclose(responsibilities(X[i : i + 1], params)[0], r, rtol=1e-10)
    assert w.model.impute(X[i : i + 1])[0, 1] == pytest.approx(r @ np.array(cond), rel=1e-10)


# ------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"missing": "drop"}, ValueError, "missing"),
        ({"missing": 1}, ValueError, "missing must be one of"),
    ],
)
def test_bad_missing_option_is_refused(X, kwargs, error, match):
    with pytest.raises(error, match=match):
        FitPlayer(X, n_components=2, **kwargs)


def test_infinity_is_refused_with_missing_em(X):
    Y = X.copy()
    Y[3, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        FitPlayer(Y, n_components=2, missing="em")


def test_a_column_with_no_observed_value_is_refused(X):
    Y = X.copy()
    Y[:, 2] = np.nan
    with pytest.raises(ValueError, match=r"feature\(s\) \[2\]"):
        _player(Y)


# ------------------------------------------------------------- MixtureExplorer
def _explorer(X, **kwargs):
    from gmm_widgets import MixtureExplorer

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingValuesWarning)
        return MixtureExplorer(X, n_components=2, missing="em", **kwargs)


def test_mixture_explorer_refuses_nan_without_missing_em(X):
    from gmm_widgets import MixtureExplorer

    with pytest.raises(ValueError, match=r"contains NaN .*missing='em'"):
        MixtureExplorer(X, n_components=2)


def test_mixture_explorer_fits_with_missing_em_as_the_core_does(X):
    ex = _explorer(X)
    assert ex.model.missing == "em"
    np.testing.assert_array_equal(np.isnan(ex.data), np.isnan(X))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingValuesWarning)
        ref = GaussianMixture(2, missing="em", random_state=0).fit(X)
    np.testing.assert_allclose(ex.model.means_, ref.means_, rtol=1e-12)
    # The criteria count the rows with NaN by their observed marginals.
    assert ex.scores["bic"] == pytest.approx(ref.bic(X), rel=1e-12)


def test_mixture_explorer_handles_k_change_and_code_with_missing_em(X):
    ex = _explorer(X)
    ex.handles = np.array([[0.0, 0.0, 0.0], [5.0, 1.0, -2.0]])
    assert ex.last_error is None
    np.testing.assert_allclose(ex.model.means_[1], [5.0, 1.0, -2.0], atol=0.5)
    ex.n_components = 3
    assert ex.last_error is None and ex.model.n_components == 3
    ex.points_removed = np.array([1, 2])
    code = ex.to_code()
    assert "missing='em'" in code
    ns = {"X": X.copy()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingValuesWarning)
        exec(compile(code, "<to_code>", "exec"), ns)
    np.testing.assert_allclose(ns["model"].means_, ex.model.means_, rtol=1e-12, atol=1e-12)
    assert ex.to_svg().startswith("<?xml")
    assert ex.assignments().shape[0] == X.shape[0]


def test_mixture_explorer_takes_missing_em_from_a_given_model(X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingValuesWarning)
        fitted = GaussianMixture(2, missing="em", random_state=0).fit(X)
        from gmm_widgets import MixtureExplorer

        ex = MixtureExplorer(X, model=fitted)
    assert ex.scores["bic"] == pytest.approx(fitted.bic(X), rel=1e-12)
    ex.n_components = 3
    assert ex.last_error is None and ex.model.missing == "em"


def test_a_brush_selects_rows_with_nan_where_the_view_draws_them(X):
    w = _player(X)
    w.frame = 2
    placed = GaussianMixture.from_params(w.current_state).impute(X)
    w.select_region([[-0.5, -1.0], [1.5, 1.0]], kind="brush")  # features 0 and 1
    inside = (
        (placed[:, 0] >= -0.5) & (placed[:, 0] <= 1.5) & (placed[:, 1] >= -1) & (placed[:, 1] <= 1)
    )
    inside &= ~np.isnan(X).all(axis=1)  # rows with nothing observed are not drawn
    np.testing.assert_array_equal(w.selection, np.flatnonzero(inside))
    assert np.isnan(X[w.selection]).any()  # some of them are imputed rows


def test_rows_with_nothing_observed_are_in_no_region(X):
    w = _player(X)
    centre = w.model.weights_ @ w.model.means_  # where impute puts such rows
    lo, hi = centre[:2] - 0.3, centre[:2] + 0.3
    w.select_region([lo.tolist(), hi.tolist()], kind="brush")
    assert w.selection.size > 0
    assert not np.isnan(X[w.selection]).all(axis=1).any()
