"""The K x covariance-type grid."""

from __future__ import annotations

import numpy as np
import pytest

from gmm_widgets.mixture.selection import select_model, silhouette_score
from tests.helpers import make_mixture


@pytest.fixture(scope="module")
def result():
    rng = np.random.default_rng(3)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    X = np.vstack([rng.normal(size=(150, 2)) @ np.diag([1.5, 0.7]) + c for c in centres])
    return X, select_model(X, range(1, 6), ("full", "diag", "spherical"), random_state=0)


def test_records_match_the_models(result):
    X, res = result
    assert len(res.records) == 15
    for rec in res.records:
        gm = res.models[(rec["n_components"], rec["covariance_type"])]
        assert rec["bic"] == pytest.approx(gm.bic(X), rel=1e-12)
        assert rec["aic"] == pytest.approx(gm.aic(X), rel=1e-12)
        assert rec["icl"] == pytest.approx(gm.icl(X), rel=1e-12)
        assert rec["n_parameters"] == gm.n_parameters_
        assert rec["error"] is None


def test_best_is_the_true_k(result):
    _, res = result
    assert res.best["n_components"] == 3
    assert res.best_by("icl")["n_components"] == 3
    assert res.best_by("silhouette")["n_components"] == 3
    assert res.best_model.n_components == 3
    bics = [r["bic"] for r in res.records]
    assert res.best["bic"] == min(bics)


def test_table_and_frame(result):
    _, res = result
    values, ks, cts = res.table("aic")
    assert (
        values.shape == (5, 3) and ks == [1, 2, 3, 4, 5] and cts == ["full", "diag", "spherical"]
    )
    rec = next(r for r in res.records if r["n_components"] == 4 and r["covariance_type"] == "diag")
    assert values[3, 1] == rec["aic"]
    pd = pytest.importorskip("pandas")
    frame = res.to_frame()
    assert isinstance(frame, pd.DataFrame) and len(frame) == 15 and "icl" in frame


def test_failed_fits_are_recorded_not_raised():
    # Three distinct points: K=1 fits, but any component on fewer than 3 of them is flat.
    X = np.repeat(np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]]), 10, axis=0)
    res = select_model(X, [1, 2, 3], ("full",), reg_covar=0.0)
    errors = [r for r in res.records if r["error"]]
    assert len(errors) == 2 and "reg_covar" in errors[0]["error"] and np.isnan(errors[0]["bic"])
    assert res.best["n_components"] == 1 and res.best["error"] is None


def test_progress_reports_every_fit():
    X, _ = make_mixture(n_per=40, seed=1)
    seen = []
    select_model(X, [1, 2], ("full", "tied"), progress=lambda d, t, r: seen.append((d, t)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"n_components": []}, "empty"),
        ({"n_components": [0, 1]}, ">= 1"),
        ({"covariance_types": ("ful",)}, "covariance_types"),
        ({"criterion": "bicc"}, "criterion must be one of"),
    ],
)
def test_bad_grid(kw, match):
    X, _ = make_mixture(n_per=20, seed=2)
    with pytest.raises(ValueError, match=match):
        select_model(X, **kw)


def test_silhouette_matches_sklearn():
    metrics = pytest.importorskip("sklearn.metrics")
    X, y = make_mixture(n_per=100, seed=4, sep=2.0)
    assert silhouette_score(X, y) == pytest.approx(metrics.silhouette_score(X, y), rel=1e-10)
    assert np.isnan(silhouette_score(X, np.zeros(len(X))))
