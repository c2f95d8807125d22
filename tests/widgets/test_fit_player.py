"""FitPlayer, Python side: frames from the callback hook, traits, transport, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import traitlets
from ipywidgets.widgets.widget import _instances

from gmm_widgets import FitPlayer, GaussianMixture, History
from gmm_widgets.widgets import GMMWidget


def _lists_of_numbers(obj, path="state"):
    """Paths of every list of numbers in a JSON-able state (array shapes excepted)."""
    found = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k != "shape":
                found += _lists_of_numbers(v, f"{path}.{k}")
    elif isinstance(obj, (list, tuple)):
        if obj and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in obj):
            found.append(path)
        for i, v in enumerate(obj):
            found += _lists_of_numbers(v, f"{path}[{i}]")
    return found


def test_fit_records_a_frame_per_em_state(X3):
    p = FitPlayer(X3, n_components=3, init_params="random_from_data", random_state=0)
    gm = p.model
    assert isinstance(gm, GaussianMixture) and gm.converged_
    assert p.n_frames == gm.n_iter_ + 1 > 10
    assert p.frames["weights"].shape == (p.n_frames, 3)
    assert p.frames["n_iter"].tolist() == list(range(p.n_frames))
    # The last frame is the fitted model.
    np.testing.assert_allclose(p.frames["weights"][-1], gm.weights_)
    np.testing.assert_allclose(p.frames["means"][-1], gm.means_)
    np.testing.assert_allclose(p.frames["covariances"][-1], gm.covariances_)
    assert p.frames["converged"][-1]
    assert p.status == "done" and p.source == "fit" and p.frame == 0
    assert p.history is not None and len(p.history) == p.n_frames
    assert p.current_state.n_iter == 0
    p.frame = 5
    assert p.current_state.n_iter == 5
    assert p.states[5] is p.current_state


def test_serialized_state_is_binary_not_json_lists(X3):
    p = FitPlayer(X3, n_components=3, random_state=0)
    state = p.get_state()
    assert isinstance(state["data"]["buffer"], memoryview)
    assert state["data"]["dtype"] == "float32" and state["data"]["shape"] == [500, 2]
    for key in ("weights", "means", "covariances", "lower_bound"):
        assert isinstance(state["frames"][key]["buffer"], memoryview), key
    assert _lists_of_numbers(state) == []
    # What goes over the wire: the buffers are lifted out of the JSON.
    from gmm_widgets.widgets._transport import remove_buffers

    json_state, paths, buffers = remove_buffers(state)
    assert len(buffers) >= 10
    assert ["data", "buffer"] in paths
    assert len(bytes(buffers[paths.index(["data", "buffer"])])) == 500 * 2 * 4
    assert _lists_of_numbers(json_state) == []


def test_user_callbacks_still_run_and_are_restored(X3):
    seen = []
    gm = GaussianMixture(3, random_state=0, callbacks=seen.append)
    p = FitPlayer(X3, gm)
    assert p.model is gm
    assert len(seen) == p.n_frames
    assert gm.callbacks == seen.append


def test_n_init_best_or_all(X3):
    best = FitPlayer(X3, n_components=3, n_init=3, init_params="random", random_state=1)
    allp = FitPlayer(
        X3, n_components=3, n_init=3, init_params="random", random_state=1, inits="all"
    )
    assert allp.frames["init"].tolist() == sorted(allp.frames["init"].tolist())
    assert set(allp.frames["init"].tolist()) == {0, 1, 2}
    assert len(set(best.frames["init"].tolist())) == 1
    assert best.n_frames < allp.n_frames
    np.testing.assert_allclose(best.frames["means"][-1], best.model.means_)
    assert best.frames["lower_bound"][-1] == pytest.approx(best.model.lower_bound_)


def test_replay_a_history(X3):
    h = History()
    GaussianMixture(3, random_state=0, callbacks=h).fit(X3)
    p = FitPlayer(X3, h)
    assert p.source == "history" and p.model is None
    assert p.n_frames == len(h)
    p2 = FitPlayer(X3, list(h.states))
    np.testing.assert_array_equal(p2.frames["means"], p.frames["means"])
    with pytest.raises(TypeError, match="can only run EM"):
        p.fit()
    with pytest.raises(ValueError, match="recorded on 2 feature"):
        FitPlayer(np.hstack([X3, X3]), h)
    with pytest.raises(ValueError, match="non-empty History"):
        FitPlayer(X3, History())


def test_a_fitted_model_is_shown_as_its_final_state(X3):
    gm = GaussianMixture(3, covariance_type="diag", random_state=0).fit(X3)
    p = FitPlayer(X3, gm)
    assert p.source == "model" and p.n_frames == 1
    np.testing.assert_allclose(p.frames["covariances"][0], gm.covariances_)
    assert p.frames["converged"][0] == gm.converged_


@pytest.mark.parametrize("cov_type", ["full", "tied", "diag", "spherical"])
def test_a_fitted_sklearn_model_is_accepted(X3, cov_type):
    sklearn_mixture = pytest.importorskip("sklearn.mixture")
    sk = sklearn_mixture.GaussianMixture(3, covariance_type=cov_type, random_state=0).fit(X3)
    p = FitPlayer(X3, sk)
    assert p.source == "model" and p.frames["covariance_type"] == cov_type
    np.testing.assert_allclose(p.frames["means"][0], sk.means_, rtol=1e-6)
    np.testing.assert_allclose(p.frames["covariances"][0], sk.covariances_, rtol=1e-6)
    assert p.frames["lower_bound"][0] == pytest.approx(sk.lower_bound_)
    with pytest.raises(TypeError, match="gmm_widgets GaussianMixture"):
        p.fit()


def test_a_model_with_other_features_is_refused(X3):
    sklearn_mixture = pytest.importorskip("sklearn.mixture")
    sk = sklearn_mixture.GaussianMixture(2, random_state=0).fit(np.hstack([X3, X3[:, :1]]))
    with pytest.raises(ValueError, match=r"fitted on 3 feature.*X has 2"):
        FitPlayer(X3, sk)
    with pytest.raises(ValueError, match="not fitted yet"):
        FitPlayer(X3, sklearn_mixture.GaussianMixture(2))


def _n_widgets():
    return len(_instances)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((np.array([[0.0, np.nan]] * 5),), {"n_components": 2}, ValueError, "NaN"),
        ((np.array([[0.0, np.inf]] * 5),), {}, ValueError, "infinity"),
        ((np.arange(10.0),), {}, ValueError, "reshape"),
        ((np.zeros((3, 2)),), {"n_components": 5}, ValueError, "n_components=5"),
        ((np.zeros((30, 2)),), {"n_components": 0}, ValueError, "n_components"),
        ((np.zeros((30, 2)),), {"covariance_type": "bogus"}, ValueError, "bogus"),
        ((np.zeros((30, 2)),), {"tol": -1.0}, ValueError, "tol"),
        (
            (np.zeros((30, 2)),),
            {"n_components": 2, "means_init": np.zeros((2, 3))},
            ValueError,
            "means_init",
        ),
        (
            (np.zeros((30, 2)),),
            {"n_components": 2, "fit": False, "means_init": np.zeros((3, 2))},
            ValueError,
            "means_init",
        ),
        ((np.zeros((30, 2)),), {"fit": False, "max_iter": -2}, ValueError, "max_iter"),
        ((np.zeros((30, 2)),), {"colour": "red"}, TypeError, "GaussianMixture parameters"),
        ((np.zeros((30, 2)), GaussianMixture(2)), {"n_components": 2}, TypeError, "not both"),
        ((np.zeros((30, 2)),), {"inits": "some"}, ValueError, "inits"),
        ((np.zeros((30, 2)),), {"fps": 0}, ValueError, "fps"),
        ((np.zeros((30, 2)),), {"max_display_points": 0}, ValueError, "max_display_points"),
        ((np.zeros((30, 2)), object()), {}, TypeError, "Gaussian mixture"),
    ],
)
def test_bad_input_is_refused_before_any_widget_exists(args, kwargs, error, match):
    before = _n_widgets()
    with pytest.raises(error, match=match):
        FitPlayer(*args, **kwargs)
    assert _n_widgets() == before


def test_fit_false_then_live_fit_streams_binary_chunks(X3, sent):
    p = FitPlayer(X3, n_components=3, fit=False, init_params="random_from_data",
                  random_state=0, stream_interval=0.0)  # fmt: skip
    assert p.status == "idle" and p.n_frames == 0 and p.frames == {}
    messages = sent(p)
    statuses = []
    p.observe(lambda ch: statuses.append(ch["new"]), "status")
    assert p.fit() is p
    assert statuses == ["fitting", "done"]
    assert len(messages) == p.n_frames  # interval 0: one chunk per state
    starts = [m[0]["state"]["start"] for m in messages]
    assert starts == list(range(p.n_frames))
    content, buffers = messages[3]
    assert content["type"] == "frames"
    assert content["state"]["frames"]["covariance_type"] == "full"
    assert all(isinstance(b, memoryview) for b in buffers)
    assert len(buffers) == len(content["buffer_paths"]) >= 9
    assert _lists_of_numbers(content) == []
    assert p.n_frames == p.model.n_iter_ + 1


def test_live_fit_is_throttled(X3, sent):
    p = FitPlayer(X3, n_components=3, fit=False, init_params="random_from_data",
                  random_state=0, stream_interval=60.0)  # fmt: skip
    messages = sent(p)
    p.fit()
    # The first state goes at once; the rest waits for the end of the init.
    assert [m[0]["state"]["start"] for m in messages] == [0, 1]
    assert p.n_frames > 10


def test_playback_and_view_traits(X3):
    p = FitPlayer(X3, n_components=2, random_state=0, autoplay=True, fps=12)
    assert p.playing and p.fps == 12
    p.pause()
    assert not p.playing
    p.play()
    assert p.playing
    with pytest.raises(traitlets.TraitError, match="frame must be in"):
        p.frame = p.n_frames
    with pytest.raises(traitlets.TraitError, match="x_feature"):
        p.x_feature = 2
    with pytest.raises(traitlets.TraitError, match="fps"):
        p.fps = -1
    with pytest.raises(traitlets.TraitError):
        p.projection = "tsne"
    # An update from the browser goes through the same traits.
    p.set_state({"frame": 1, "playing": False})
    assert p.frame == 1 and not p.playing


def test_one_feature_and_many_features():
    rng = np.random.default_rng(0)
    one = FitPlayer(rng.normal(size=(200, 1)), n_components=2, random_state=0)
    assert one.y_feature == 0 and one.pca == {}
    X5 = rng.normal(size=(300, 5))
    five = FitPlayer(X5, n_components=2, random_state=0)
    assert (five.x_feature, five.y_feature) == (0, 1)
    assert five.pca["components"].shape == (2, 5)
    assert five.pca["explained_variance_ratio"].shape == (2,)
    five.projection = "pca"
    five.x_feature, five.y_feature = 4, 2


def test_dataframe_feature_names():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(100, 3)), columns=["a", "b", "c"])
    p = FitPlayer(df, n_components=2, random_state=0)
    assert p.feature_names == ["a", "b", "c"]


def test_large_data_is_subsampled_for_display_only():
    X = np.random.default_rng(0).normal(size=(150_000, 2)).astype(np.float32)
    p = FitPlayer(X, n_components=2, fit=False)
    assert p.data.shape == (100_000, 2) and p.data.dtype == np.float32
    assert p.n_samples == 150_000
    small = FitPlayer(X[:5000], n_components=2, max_display_points=1000, random_state=0)
    assert small.data.shape == (1000, 2)
    assert small.n_samples == 5000


def test_missing_bundle_gives_a_clear_error():
    class Broken(GMMWidget):
        _bundle = "no_such_widget"

    with pytest.raises(RuntimeError, match=r"has not been built.*npm run build"):
        Broken()


def test_lazy_import_from_the_package():
    import gmm_widgets

    assert gmm_widgets.FitPlayer is FitPlayer


def test_a_dask_array_stays_lazy_and_fits_on_the_scheduler(X3):
    da = pytest.importorskip("dask.array")
    Xd = da.from_array(X3, chunks=(len(X3) // 3 + 1, X3.shape[1]))
    kw = dict(n_components=3, init_params="random_from_data", random_state=0)
    lazy = FitPlayer(Xd, max_display_points=len(X3) // 2, **kw)
    eager = FitPlayer(X3, max_display_points=len(X3) // 2, **kw)
    assert type(lazy._X).__module__.startswith("dask")  # never loaded whole
    assert isinstance(lazy.data, np.ndarray) and lazy.data.shape == eager.data.shape
    np.testing.assert_array_equal(lazy.data, eager.data)  # the same documented subsample
    np.testing.assert_allclose(lazy.frames["means"], eager.frames["means"], rtol=1e-10)
    np.testing.assert_allclose(lazy.model.means_, eager.model.means_, rtol=1e-10)
    Xd_bad = da.from_array(np.where(np.arange(X3.size).reshape(X3.shape) == 3, np.nan, X3))
    with pytest.raises(ValueError, match="NaN or infinity"):
        FitPlayer(Xd_bad, **kw)


def test_plain_text_repr_says_what_the_widget_is(X3):
    p = FitPlayer(X3, n_components=2, random_state=0)
    text = repr(p)
    assert text.startswith("<FitPlayer: ")
    assert f"{len(X3)} samples x {X3.shape[1]} features" in text
    assert "object at 0x" not in text
    data, _metadata = p._repr_mimebundle_()
    assert data["text/plain"] == text
