"""ModelSelector: the grid against independently computed criteria, selection, progress."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import traitlets

from gmm_widgets import GaussianMixture
from gmm_widgets.mixture.selection import select_model
from gmm_widgets.widgets._transport import decode_array, tree_to_json
from gmm_widgets.widgets.model_selector import FAILED, FITTED, ModelSelector

KS = range(1, 6)
TYPES = ("full", "diag", "spherical")


@pytest.fixture(scope="module")
def blobs3():
    """Three elongated clusters: full covariances at K=3 should win by BIC."""
    rng = np.random.default_rng(4)
    parts = [
        rng.multivariate_normal([0, 0], [[2.0, 1.5], [1.5, 2.0]], 300),
        rng.multivariate_normal([7, 0], [[1.0, -0.6], [-0.6, 1.0]], 300),
        rng.multivariate_normal([3, 7], [[1.5, 0.0], [0.0, 0.3]], 300),
    ]
    return np.vstack(parts)


@pytest.fixture(scope="module")
def selector(blobs3):
    return ModelSelector(blobs3, n_components=KS, covariance_types=TYPES)


def decoded_table(sel, key):
    value = sel.scores[key]
    return decode_array(value) if isinstance(value, dict) else np.asarray(value)


def test_grid_matches_independently_computed_criteria(selector, blobs3):
    X = blobs3
    n = X.shape[0]
    assert len(selector.records) == len(KS) * len(TYPES)
    bic, ks, cts = selector.table("bic")
    assert ks == list(KS) and cts == list(TYPES)
    for i, k in enumerate(ks):
        for j, ct in enumerate(cts):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                gm = GaussianMixture(k, covariance_type=ct, random_state=0).fit(X)
            # BIC from its definition, not from the code under test.
            K, d = gm.means_.shape
            n_cov = {"full": K * d * (d + 1) / 2, "diag": K * d, "spherical": K}[ct]
            p = n_cov + K * d + K - 1
            expected = -2.0 * gm.score(X) * n + p * np.log(n)
            assert bic[i, j] == pytest.approx(expected, rel=1e-9)
            rec = next(
                r for r in selector.records if (r["n_components"], r["covariance_type"]) == (k, ct)
            )
            assert rec["aic"] == pytest.approx(-2.0 * gm.score(X) * n + 2 * p, rel=1e-9)
            assert rec["icl"] == pytest.approx(gm.icl(X), rel=1e-9)
            assert rec["n_parameters"] == p
    i, j = np.unravel_index(np.nanargmin(bic), bic.shape)
    assert selector.best == [ks[i], cts[j]] == [3, "full"]


def test_scores_travel_as_binary_tables(selector):
    wire = tree_to_json(selector.scores)
    for key in ("bic", "aic", "icl", "log_likelihood"):
        assert wire[key]["dtype"] == "float64"
        assert isinstance(wire[key]["buffer"], memoryview)
    np.testing.assert_array_equal(decoded_table(selector, "bic"), selector.table("bic")[0])
    assert (decoded_table(selector, "status") == FITTED).all()
    assert isinstance(tree_to_json(selector.ks)["values"]["buffer"], memoryview)
    frames = tree_to_json(selector.models)["3|full"]
    assert frames["means"]["shape"] == [1, 3, 2]
    assert set(selector.models) == {f"{k}|{ct}" for k in KS for ct in TYPES}


def test_selected_and_best(blobs3):
    sel = ModelSelector(blobs3, n_components=KS, covariance_types=TYPES)
    assert sel.selection == sel.best == [3, "full"]
    assert sel.selected is sel.best_ is sel.result.models[(3, "full")]
    assert sel.best_ is sel.result.best_model
    # A click from the browser (a state update) selects another model.
    sel.set_state({"selection": [4, "diag"]})
    assert sel.selected is sel.result.models[(4, "diag")]
    assert sel.selected.n_components == 4 and sel.selected.covariance_type == "diag"
    assert sel.best_.n_components == 3
    # Another criterion moves the best; an explicit selection stays.
    sel.criterion = "aic"
    aic, ks, cts = sel.table("aic")
    i, j = np.unravel_index(np.nanargmin(aic), aic.shape)
    assert sel.best == [ks[i], cts[j]]
    assert sel.selection == [4, "diag"]
    assert sel.select(2, "spherical") is sel
    assert sel.selected is sel.result.models[(2, "spherical")]
    with pytest.raises(traitlets.TraitError, match="no fitted model"):
        sel.selection = [9, "full"]
    with pytest.raises(traitlets.TraitError, match="criterion"):
        sel.criterion = "silhouette"


def test_selection_follows_the_best_until_a_click(blobs3):
    sel = ModelSelector(blobs3, n_components=range(1, 4), covariance_types=("spherical",))
    assert sel.selection == sel.best
    sel.criterion = "icl"
    assert sel.selection == sel.best


def test_progress_and_models_stream_while_fitting(blobs3):
    sel = ModelSelector(
        blobs3, n_components=range(1, 4), covariance_types=("full", "tied"), fit=False
    )
    assert sel.status == "idle" and sel.result is None
    assert sel.selected is None and sel.best_ is None and sel.records == []
    assert (decoded_table(sel, "status") == 0).all()
    sent, progress, statuses = [], [], []
    sel.send = lambda content, buffers=None: sent.append((content, buffers))
    sel.observe(lambda ch: progress.append(dict(ch["new"])), "progress")
    sel.observe(lambda ch: statuses.append(ch["new"]), "status")
    synced = []
    sel.observe(lambda ch: synced.append(decode_array(ch["new"]["bic"])), "scores")
    sel.fit()
    # Every step reached the view (a change notification is what ipywidgets syncs).
    assert len(synced) >= 7
    assert [int(np.isfinite(t).sum()) for t in synced[1:7]] == [1, 2, 3, 4, 5, 6]
    np.testing.assert_array_equal(synced[-1], sel.table("bic")[0])
    assert statuses == ["fitting", "done"]
    assert [p["done"] for p in progress] == [0, 1, 2, 3, 4, 5, 6, 6]
    assert progress[0]["current"] == "K=1, full" and progress[3]["current"] == "K=1, tied"
    models = [c for c, _ in sent if c["type"] == "model"]
    assert [c["state"]["key"] for c in models] == [
        "1|full",
        "2|full",
        "3|full",
        "1|tied",
        "2|tied",
        "3|tied",
    ]
    assert all(["frames", "means", "buffer"] in c["buffer_paths"] for c in models)
    # The streamed final state is the fitted model's.
    content, buffers = [pair for pair in sent if pair[0]["type"] == "model"][2]
    means_at = content["buffer_paths"].index(["frames", "means", "buffer"])
    means = np.frombuffer(buffers[means_at], dtype="<f4").reshape(3, 2)
    np.testing.assert_allclose(means, sel.result.models[(3, "full")].means_, rtol=1e-6)
    assert sel.result.models[(3, "full")].callbacks is None
    with pytest.raises(ValueError, match="not fitted yet"):
        ModelSelector(blobs3, n_components=[1], covariance_types=["full"], fit=False).table()


@pytest.fixture
def lattice():
    return np.random.default_rng(0).integers(0, 3, size=(300, 2)).astype(float)


def test_failed_fits_are_marked_and_skipped(lattice):
    sel = ModelSelector(
        lattice, n_components=range(1, 4), covariance_types=("full",), reg_covar=0.0
    )
    status = decoded_table(sel, "status")
    assert status[:, 0].tolist() == [FITTED, FAILED, FAILED]
    assert set(sel.errors) == {"2|full", "3|full"}
    assert "ill-defined" in sel.errors["2|full"]
    assert np.isnan(decoded_table(sel, "bic")[1:, 0]).all()
    assert sel.best == [1, "full"]
    with pytest.raises(traitlets.TraitError):
        sel.selection = [2, "full"]
    with pytest.raises(ValueError, match="No model of the grid"):
        ModelSelector(lattice, n_components=[2, 3], covariance_types=("full",), reg_covar=0.0)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"criterion": "silhouette"}, ValueError, "silhouette=True"),
        ({"criterion": "loglik"}, ValueError, "criterion"),
        ({"n_components": []}, ValueError, "empty"),
        ({"n_components": [1, 1]}, ValueError, "repeated"),
        ({"n_components": [0, 2]}, ValueError, ">= 1"),
        ({"n_components": [2.5]}, ValueError, ">= 1"),
        ({"n_components": 3}, TypeError, "iterable"),
        ({"n_components": [5000]}, ValueError, "exceeds"),
        ({"covariance_types": "full"}, TypeError, "sequence"),
        ({"covariance_types": ("full", "round")}, ValueError, "covariance_types"),
        ({"covariance_types": ()}, ValueError, "empty"),
        ({"random_state": 1.5}, TypeError, "random_state"),
        ({"covariance_type": "full"}, TypeError, "sets covariance_type itself"),
        ({"callbacks": print}, TypeError, "sets callbacks itself"),
        ({"colour": "red"}, TypeError, "unexpected keyword"),
        ({"tol": -1.0}, ValueError, "tol"),
    ],
)
def test_bad_arguments_fail_before_display(blobs3, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        ModelSelector(blobs3, fit=False, **kwargs)


def test_bad_data(blobs3):
    X = blobs3.copy()
    X[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        ModelSelector(X)


def test_compares_given_scikit_learn_models(blobs3):
    mixture = pytest.importorskip("sklearn.mixture")
    X = blobs3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        models = [
            mixture.GaussianMixture(k, covariance_type=ct, random_state=0).fit(X)
            for k in (2, 3, 4)
            for ct in ("full", "diag")
        ]
    sel = ModelSelector(X, models=models)
    assert sel.covariance_types == ["full", "diag"]
    assert sel.ks["values"].tolist() == [2, 3, 4]
    for m in models:
        rec = next(
            r
            for r in sel.records
            if (r["n_components"], r["covariance_type"]) == (m.n_components, m.covariance_type)
        )
        assert rec["bic"] == pytest.approx(m.bic(X), rel=1e-8)
        assert rec["aic"] == pytest.approx(m.aic(X), rel=1e-8)
    assert sel.best == [3, "full"]
    assert sel.selected is models[2]
    with pytest.raises(TypeError, match="no grid to fit"):
        sel.fit()
    with pytest.raises(ValueError, match="two models"):
        ModelSelector(X, models=[models[0], models[0]])
    with pytest.raises(TypeError, match="only apply"):
        ModelSelector(X, models=models, n_init=2)
    with pytest.raises(ValueError, match="empty"):
        ModelSelector(X, models=[])


def test_shows_a_result_from_select_model(blobs3):
    result = select_model(blobs3, range(1, 4), ("full", "tied"), silhouette=False)
    sel = ModelSelector(blobs3, result=result)
    assert sel.result is result
    assert sel.selected is result.best_model
    with pytest.raises(TypeError, match="SelectionResult"):
        ModelSelector(blobs3, result={"records": []})


def test_silhouette_criterion_prefers_the_highest(blobs3):
    sel = ModelSelector(
        blobs3, n_components=range(2, 5), covariance_types=("full",), silhouette=True
    )
    assert "silhouette" in sel.criteria
    sel.criterion = "silhouette"
    sil, ks, _ = sel.table("silhouette")
    assert sel.best == [ks[int(np.nanargmax(sil[:, 0]))], "full"]


def test_to_frame(selector):
    pd = pytest.importorskip("pandas")
    frame = selector.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == len(KS) * len(TYPES)
