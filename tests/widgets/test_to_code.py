"""Copy as code: pasted into a fresh namespace with the same X, it rebuilds the widget's model."""

from __future__ import annotations

import numpy as np
import pytest

from gmm_widgets import (
    AnomalyInspector,
    FitPlayer,
    GaussianMixture,
    History,
    MixtureExplorer,
    ModelSelector,
)
from gmm_widgets.mixture.code import estimator_code, literal


@pytest.fixture(scope="module")
def X():
    rng = np.random.default_rng(3)
    return np.vstack(
        [
            rng.normal([0, 0], 1, (200, 2)),
            rng.normal([5, 1], 0.7, (150, 2)),
            rng.normal([2, 5], 1, (150, 2)),
        ]
    )


def _run(code: str, X) -> dict:
    namespace = {"X": X.copy()}
    exec(compile(code, "<to_code>", "exec"), namespace)  # a fresh namespace: only X
    return namespace


def _same_model(a, b) -> None:
    for attr in ("weights_", "means_", "covariances_"):
        np.testing.assert_allclose(getattr(a, attr), getattr(b, attr), rtol=1e-12, atol=1e-12)
    assert a.n_iter_ == b.n_iter_


def test_fit_player(X):
    w = FitPlayer(X, n_components=3, covariance_type="diag", random_state=4, tol=1e-5)
    code = w.to_code()
    assert "covariance_type='diag'" in code and "tol=1e-05" in code
    _same_model(_run(code, X)["model"], w.model)


def test_mixture_explorer_after_drags_and_point_edits(X):
    ex = MixtureExplorer(X, n_components=3, random_state=0)
    # What a drag of the handles and point edits in the view amount to.
    with ex.hold_refit():
        ex.handles = np.array([[0.3, -0.2], [4.0, 1.5], [2.5, 4.0]])
        ex.points_added = np.array([[9.0, 9.0], [9.5, 8.7]])
        ex.points_removed = np.array([3, 17, 40])
    assert ex.means_init is not None and ex.removed_rows.size == 3
    code = ex.to_code()
    assert "means_init=np.array(" in code and "np.delete" in code and "np.concatenate" in code
    ns = _run(code, X)
    _same_model(ns["model"], ex.model)
    assert ns["X"].shape[0] == X.shape[0] - 3 + 2


def test_model_selector_selection(X):
    sel = ModelSelector(
        X, n_components=[1, 2, 3, 4], covariance_types=["full", "tied"], random_state=1
    )
    sel.selection = [4, "tied"]
    ns = _run(sel.to_code(), X)
    _same_model(ns["model"], sel.selected)


def test_anomaly_inspector_density_and_threshold(X):
    w = AnomalyInspector(X, n_components=3, random_state=2, contamination=0.03)
    w.threshold = float(np.quantile(w.model.score_samples(X), 0.07))  # a dragged threshold
    ns = _run(w.to_code(), X)
    _same_model(ns["model"], w.model)
    np.testing.assert_array_equal(ns["flagged"], w.model.score_samples(X) < w.threshold)
    assert ns["flagged"].sum() == w.n_anomalies


def test_anomaly_inspector_default_density(X):
    w = AnomalyInspector(X, contamination=0.02)  # the BIC-best model over K and types
    ns = _run(w.to_code(), X)
    _same_model(ns["model"], w.model)
    assert ns["flagged"].sum() == w.n_anomalies


def test_a_given_fitted_model_is_referred_to_not_rebuilt(X):
    gm = GaussianMixture(3, random_state=0).fit(X[:100])  # fitted on other rows
    w = AnomalyInspector(X, model=gm)
    code = w.to_code()
    assert "the fitted model you gave the widget" in code and "GaussianMixture(" not in code
    # In the user's kernel `model` is their model: the rest of the code runs on it.
    namespace = {"X": X.copy(), "model": gm}
    exec(compile(code, "<to_code>", "exec"), namespace)
    assert namespace["flagged"].sum() == w.n_anomalies


def test_a_recorded_history_cannot_be_written(X):
    history = History()
    GaussianMixture(2, random_state=0, callbacks=history).fit(X)
    with pytest.raises(ValueError, match="recorded History"):
        FitPlayer(X, history).to_code()


def test_literals_round_trip_exactly():
    values = [0.1, 1 / 3, -2.5e-308, 1e300, 7, True, None, "full", np.array([[0.1, 1 / 3]])]
    for v in values:
        back = eval(literal(v), {"np": np})
        if isinstance(v, np.ndarray):
            np.testing.assert_array_equal(back, v)
        else:
            assert back == v and type(back) is type(v)
    with pytest.raises(TypeError, match="RandomState"):
        estimator_code(GaussianMixture(random_state=np.random.RandomState(0)))
