"""MixtureExplorer: controls, debounced refits, handles, failures, scores (no browser)."""

from __future__ import annotations

import asyncio
import warnings

import numpy as np
import pytest

import gmm_widgets.widgets.mixture_explorer as mx
from gmm_widgets import GaussianMixture
from gmm_widgets.mixture.placement import extend_means, init_from_means
from gmm_widgets.widgets._debounce import Debouncer, loop_scheduler
from gmm_widgets.widgets._frames import FrameStream
from gmm_widgets.widgets._model import mixture_params
from gmm_widgets.widgets._transport import decode_array, encode_array, tree_to_json
from gmm_widgets.widgets.mixture_explorer import MixtureExplorer, _LateStream


class FakeTimer:
    def __init__(self, delay, callback):
        self.delay = delay
        self.callback = callback
        self.cancelled = False

    def cancel(self):
        self.cancelled = True


class FakeScheduler:
    """Records the timers instead of running them; `run()` fires the live ones."""

    def __init__(self):
        self.timers: list[FakeTimer] = []

    def __call__(self, delay, callback):
        timer = FakeTimer(delay, callback)
        self.timers.append(timer)
        return timer

    def live(self):
        return [t for t in self.timers if not t.cancelled]

    def run(self):
        for t in self.live():
            t.cancelled = True
            t.callback()


@pytest.fixture
def three_blobs():
    """Three well separated round clusters of 600 points each."""
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [8.0, 0.0], [4.0, 7.0]])
    return np.vstack([rng.normal(c, 0.8, size=(600, 2)) for c in centres]), centres


@pytest.fixture
def fits(monkeypatch):
    """Count the fits the explorer runs."""
    calls = []

    class Counting(GaussianMixture):
        def fit(self, X, y=None, sample_weight=None):
            calls.append((self.n_components, self.covariance_type))
            return super().fit(X, y, sample_weight)

    monkeypatch.setattr(mx, "GaussianMixture", Counting)
    return calls


def browser(widget, **state):
    """Apply a state update as if it came from the view (JSON-decoded like ipywidgets)."""
    if "handles" in state and state["handles"] is not None:
        enc = encode_array(np.asarray(state["handles"]), "float64")
        state["handles"] = {**enc, "buffer": bytes(enc["buffer"])}
    widget.set_state(state)


def nearest_centre(point, centres):
    return int(np.argmin(np.linalg.norm(centres - point, axis=1)))


# ----------------------------------------------------------------------- construction
def test_construction_fits_and_sends_binary_frames(three_blobs):
    X, _ = three_blobs
    w = MixtureExplorer(X, n_components=3, random_state=0)
    assert w.model.n_components == 3 and w.model.converged_
    assert w.handles is None and w.means_init is None
    kept = w.history.for_init()
    assert w.result["frames"]["means"].shape == (len(kept), 3, 2)
    np.testing.assert_array_equal(w.initial_means, kept[0].means)
    # Everything array-like in the synced result travels as binary buffers.
    wire = tree_to_json(w.result)
    for key in ("weights", "means", "covariances", "lower_bound"):
        assert isinstance(wire["frames"][key]["buffer"], memoryview)
    assert isinstance(wire["initial_means"]["buffer"], memoryview)
    assert wire["initial_means"]["dtype"] == "float64"
    assert w.result["controls"]["n_components"] == 3
    assert w.result["previous"] is None
    assert w.scores["bic"] == pytest.approx(w.model.bic(X), rel=1e-10)
    assert w.scores["icl"] == pytest.approx(w.model.icl(X), rel=1e-10)
    assert w.scores["n_iter"] == w.model.n_iter_
    assert w.k_min == 1 and w.k_max == 10
    assert w.error == {} and w.last_error is None


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"n_components": 0}, ValueError, "k_range"),
        ({"n_components": 11}, ValueError, "k_range"),
        ({"n_components": 2.0}, TypeError, "n_components must be an int"),
        ({"covariance_type": "round"}, ValueError, "covariance_type"),
        ({"random_state": 1.5}, TypeError, "random_state"),
        ({"random_state": -1}, ValueError, "random_state"),
        ({"n_init": 0}, ValueError, "n_init"),
        ({"init_params": "magic"}, ValueError, "init_params"),
        ({"means_init": np.zeros((2, 2))}, ValueError, r"\(3, 2\)"),
        ({"means_init": [[0, 0], [1, np.nan], [2, 2]]}, ValueError, "NaN"),
        ({"k_range": (3, 1)}, ValueError, "k_range"),
        ({"k_range": 5}, TypeError, "k_range"),
        ({"fps": 0}, ValueError, "fps"),
        ({"debounce": -1}, ValueError, "debounce"),
        ({"warm_start": True}, TypeError, "unexpected keyword"),
        ({"tol": -1.0}, ValueError, "tol"),
    ],
)
def test_bad_arguments_fail_before_display(three_blobs, kwargs, exc, match):
    X, _ = three_blobs
    with pytest.raises(exc, match=match):
        MixtureExplorer(X, **kwargs)


def test_bad_data_and_models_fail_before_display(three_blobs):
    X, _ = three_blobs
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        MixtureExplorer(bad)
    with pytest.raises(ValueError):
        MixtureExplorer(X[:1])
    with pytest.raises(ValueError, match="not fitted"):
        MixtureExplorer(X, model=GaussianMixture(2))
    with pytest.raises(TypeError, match="Gaussian mixture"):
        MixtureExplorer(X, model=object())
    other = GaussianMixture(2, random_state=0).fit(np.hstack([X, X[:, :1]]))
    with pytest.raises(ValueError, match="3 feature"):
        MixtureExplorer(X, model=other)


def test_k_range_is_capped_by_the_samples():
    X = np.random.default_rng(1).normal(size=(6, 2))
    w = MixtureExplorer(X, n_components=2)
    assert (w.k_min, w.k_max) == (1, 6)


# ----------------------------------------------------------------------------- K
def test_k_up_adds_a_handle_in_the_unexplained_cluster(three_blobs):
    X, centres = three_blobs
    w = MixtureExplorer(X, n_components=2, random_state=0)
    start = w.initial_means
    before = w.model.means_.copy()
    w.n_components = 3  # from Python: refits at once
    assert w.model.n_components == 3
    assert w.handles.shape == (3, 2)
    np.testing.assert_array_equal(w.handles[:2], start)  # the old handles stay put
    np.testing.assert_array_equal(w.means_init, w.handles)
    np.testing.assert_array_equal(w.model.means_init, w.handles)
    # The K=2 model sits one component on a cluster and spreads the other over two. The
    # new handle lands on a data cluster that no old component sits on.
    owned = {
        nearest_centre(m, centres)
        for m in before
        if np.min(np.linalg.norm(centres - m, axis=1)) < 1.0
    }
    assert owned, "the K=2 fit should sit one component on a cluster"
    new = nearest_centre(w.handles[2], centres)
    assert np.linalg.norm(w.handles[2] - centres[new]) < 2.5
    assert new not in owned
    # Each cluster ends with its own component.
    assert sorted(nearest_centre(m, centres) for m in w.model.means_) == [0, 1, 2]


def test_k_down_removes_the_last_added_first(three_blobs):
    X, _ = three_blobs
    w = MixtureExplorer(X, n_components=2, random_state=0)
    w.n_components = 4
    four = w.handles.copy()
    w.n_components = 3
    np.testing.assert_array_equal(w.handles, four[:3])
    w.n_components = 1
    np.testing.assert_array_equal(w.handles, four[:1])
    assert w.model.n_components == 1


def test_new_handles_avoid_a_lone_outlier(three_blobs):
    X, centres = three_blobs
    X = np.vstack([X, [[60.0, -60.0]]])  # the point of lowest density by far
    w = MixtureExplorer(X, n_components=2, random_state=0)
    w.n_components = 3
    assert np.linalg.norm(w.handles[2] - [60.0, -60.0]) > 10
    assert min(np.linalg.norm(centres - w.handles[2], axis=1)) < 2.5


def test_extend_means_adds_several_without_stacking_them(three_blobs):
    X, _ = three_blobs
    gm = GaussianMixture(1, random_state=0).fit(X)
    params = mixture_params(gm)
    out = extend_means(X, params, gm.means_, 3)
    assert out.shape == (3, 2)
    np.testing.assert_array_equal(out[0], gm.means_[0])
    # The two new means are apart from each other and on data.
    assert np.linalg.norm(out[1] - out[2]) > 3
    assert extend_means(X, params, out, 2).tolist() == out[:2].tolist()


# ------------------------------------------------------------------------ debounce
def test_a_burst_from_the_browser_gives_one_refit_for_the_final_state(three_blobs, fits):
    X, _ = three_blobs
    sched = FakeScheduler()
    w = MixtureExplorer(X, n_components=3, debounce=0.05, scheduler=sched)
    assert len(fits) == 1
    model_before = w.model
    browser(w, n_components=4, request=1)
    browser(w, n_components=5, request=2)
    browser(w, covariance_type="diag", request=3)
    browser(w, n_components=4, request=4)
    # Nothing fitted yet; one timer is live, the earlier ones were cancelled.
    assert len(fits) == 1 and w.model is model_before and w.refit_pending
    assert len(sched.live()) == 1 and len(sched.timers) == 4
    assert all(t.delay == 0.05 for t in sched.timers)
    sched.run()
    assert fits[1:] == [(4, "diag")]
    assert w.model.n_components == 4 and w.model.covariance_type == "diag"
    assert w.result["request"] == 4
    assert w.result["controls"]["n_components"] == 4
    assert w.result["controls"]["covariance_type"] == "diag"
    assert not w.refit_pending


def test_python_changes_refit_at_once_and_update_refits_once(three_blobs, fits):
    X, _ = three_blobs
    sched = FakeScheduler()
    w = MixtureExplorer(X, n_components=3, scheduler=sched)
    w.covariance_type = "tied"
    assert fits[-1] == (3, "tied") and not sched.timers
    n = len(fits)
    w.update(covariance_type="spherical", n_init=2, random_state=7, init_params="k-means++")
    assert fits[n:] == [(3, "spherical")]
    assert (w.model.n_init, w.model.random_state, w.model.init_params) == (2, 7, "k-means++")
    w.update(n_components=2, covariance_type="diag")
    assert fits[n + 1 :] == [(2, "diag")]
    with pytest.raises(TypeError, match="unknown control"):
        w.update(colour="red")


def test_refit_runs_a_pending_browser_change_now(three_blobs, fits):
    X, _ = three_blobs
    sched = FakeScheduler()
    w = MixtureExplorer(X, n_components=3, scheduler=sched)
    browser(w, n_components=2, request=1)
    assert w.refit_pending
    w.refit()
    assert not w.refit_pending and not sched.live()
    assert w.model.n_components == 2 and len(fits) == 2


def test_debouncer_on_a_real_event_loop():
    calls = []

    async def burst():
        d = Debouncer(lambda: calls.append(len(calls)), 0.02, loop_scheduler)
        for _ in range(5):
            d()
            await asyncio.sleep(0.002)
        assert calls == [] and d.pending
        await asyncio.sleep(0.06)
        assert calls == [0] and not d.pending
        d()
        d.cancel()
        await asyncio.sleep(0.04)
        assert calls == [0]
        d()
        assert d.flush() and calls == [0, 1]
        assert not d.flush()

    asyncio.run(burst())


def test_debouncer_without_a_loop_runs_at_once():
    calls = []
    d = Debouncer(lambda: calls.append(1), 1.0)
    d()
    d()
    assert calls == [1, 1] and not d.pending


# ------------------------------------------------------------------ handles / drags
def test_a_drag_refits_from_the_dropped_means(three_blobs):
    X, _ = three_blobs
    sched = FakeScheduler()
    w = MixtureExplorer(X, n_components=3, random_state=0, scheduler=sched)
    handles = w.initial_means.copy()
    handles[0] = [1.0, 6.5]  # drop handle 0 somewhere new
    browser(w, handles=handles, request=9)
    sched.run()
    np.testing.assert_array_equal(w.means_init, handles)
    np.testing.assert_array_equal(w.model.means_init, handles)
    np.testing.assert_array_equal(w.history.for_init()[0].means, handles)
    np.testing.assert_array_equal(decode_array(w.result["controls"]["handles"]), handles)
    assert w.result["request"] == 9


def test_handles_with_the_wrong_row_count_are_fitted_to_k(three_blobs):
    X, _ = three_blobs
    sched = FakeScheduler()
    w = MixtureExplorer(X, n_components=3, scheduler=sched)
    browser(w, handles=w.initial_means[:2], request=1)  # the view still had K=2 handles
    assert w.handles.shape == (3, 2)
    sched.run()
    assert w.model.n_components == 3
    with pytest.raises(Exception, match="handles must have shape"):
        w.handles = np.zeros((3, 5))


def test_reset_to_automatic_init(three_blobs):
    X, _ = three_blobs
    w = MixtureExplorer(X, n_components=3, random_state=0)
    auto = w.model.means_.copy()
    w.update(means_init=w.initial_means + 0.5)
    assert w.means_init is not None
    w.reset_init()
    assert w.handles is None and w.means_init is None and w.model.means_init is None
    np.testing.assert_allclose(w.model.means_, auto)
    assert w.reset_init() is w  # nothing to reset


# --------------------------------------------------------------------------- failures
@pytest.fixture
def lattice():
    """Nine distinct points, repeated: with reg_covar=0, K >= 2 collapses a component."""
    return np.random.default_rng(0).integers(0, 3, size=(300, 2)).astype(float)


def test_a_failed_refit_keeps_the_last_good_model_python_side(lattice):
    w = MixtureExplorer(lattice, n_components=1, reg_covar=0.0)
    good, good_result = w.model, w.result
    with pytest.raises(ValueError, match="ill-defined"):
        w.n_components = 2
    assert w.model is good and w.result is good_result
    assert w.n_components == 1 and w.handles is None  # controls put back
    assert "ill-defined" in w.error["message"]
    assert w.error["controls"] == "K=2, full, from the handles"
    assert w.last_error == w.error["message"]


def test_a_failed_refit_from_the_browser_is_shown_not_raised(lattice, fits):
    sched = FakeScheduler()
    w = MixtureExplorer(lattice, n_components=1, reg_covar=0.0, scheduler=sched)
    good = w.model
    browser(w, n_components=2, request=1)
    sched.run()  # no exception escapes the event loop callback
    assert w.model is good and w.n_components == 1
    assert w.error["request"] == 1 and "ill-defined" in w.error["message"]
    # The next good refit clears it and has the failed one's predecessor as "previous".
    w.covariance_type = "spherical"
    assert w.error == {} and w.last_error is None
    assert w.result["previous"]["bic"] == pytest.approx(good.bic(lattice))


def test_first_fit_failure_is_a_value_error(lattice):
    with pytest.raises(ValueError, match="first fit failed"):
        MixtureExplorer(lattice, n_components=3, reg_covar=0.0)


# ---------------------------------------------------------------------- read-out
def test_scores_and_previous_scores(three_blobs):
    X, _ = three_blobs
    w = MixtureExplorer(X, n_components=2, random_state=0)
    first = dict(w.scores)
    w.n_components = 3
    assert w.previous_scores == first
    assert w.result["previous"] == first
    assert w.scores["bic"] < first["bic"]  # three clusters: K=3 is better
    for key in ("bic", "aic", "icl"):
        assert w.scores[key] == pytest.approx(getattr(w.model, key)(X), rel=1e-10)
    assert w.scores["log_likelihood"] == pytest.approx(w.model.score(X), rel=1e-12)


@pytest.mark.parametrize("cov", ["full", "tied", "diag", "spherical"])
def test_criteria_from_params_equal_the_core(three_blobs, cov):
    X, _ = three_blobs
    gm = GaussianMixture(3, covariance_type=cov, random_state=0).fit(X)
    s = GaussianMixture.from_params(mixture_params(gm)).criteria(X)
    assert s["bic"] == pytest.approx(gm.bic(X), rel=1e-10)
    assert s["aic"] == pytest.approx(gm.aic(X), rel=1e-10)
    assert s["icl"] == pytest.approx(gm.icl(X), rel=1e-10)
    assert s["n_parameters"] == gm.n_parameters_


# --------------------------------------------------------------- foreign models
def test_starts_from_a_scikit_learn_model(three_blobs):
    sklearn = pytest.importorskip("sklearn.mixture")
    X, _ = three_blobs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk = sklearn.GaussianMixture(4, covariance_type="diag", random_state=0).fit(X)
    w = MixtureExplorer(X, model=sk)
    assert w.model is sk and w.history is None
    assert (w.n_components, w.covariance_type) == (4, "diag")
    np.testing.assert_allclose(w.handles, sk.means_)
    assert w.result["source"] == "model"
    assert w.scores["bic"] == pytest.approx(sk.bic(X), rel=1e-8)
    w.n_components = 3  # the first change refits with our GaussianMixture
    assert isinstance(w.model, GaussianMixture) and w.model.n_components == 3
    np.testing.assert_allclose(w.means_init, sk.means_[:3])


# -------------------------------------------------------------------- streaming
def test_frames_stream_to_the_view_with_their_request(three_blobs, monkeypatch):
    X, _ = three_blobs
    w = MixtureExplorer(X, n_components=3, stream_interval=0.0)
    sent = []
    monkeypatch.setattr(w, "send", lambda content, buffers=None: sent.append((content, buffers)))
    browser(w, n_components=2, request=12)  # no event loop in tests: refits at once
    frames = [c for c, _ in sent if c["type"] == "frames"]
    assert frames and all(c["state"]["request"] == 12 for c in frames)
    assert frames[0]["state"]["start"] == 0
    assert frames[0]["state"]["controls"]["n_components"] == 2
    # Arrays are binary buffers, listed by path.
    assert ["frames", "means", "buffer"] in frames[0]["buffer_paths"]
    total = sum(c["state"]["frames"]["n_iter"]["shape"][0] for c in frames)
    assert total == len(w.history)


def test_a_fit_from_handles_starts_exactly_there(three_blobs):
    X, centres = three_blobs
    handles = centres + np.array([[0.5, -0.3], [-0.4, 0.2], [0.1, 0.6]])
    w = MixtureExplorer(X, n_components=3, means_init=handles, n_init=5, random_state=3)
    first = w.history.for_init()[0]
    np.testing.assert_allclose(first.means, handles)
    # Each handle owns its cluster: weights 1/3, covariances of the clusters.
    np.testing.assert_allclose(first.weights, [1 / 3] * 3, atol=1e-12)
    for k in range(3):
        part = X[600 * k : 600 * (k + 1)]
        np.testing.assert_allclose(first.covariances[k], np.cov(part.T, bias=True), atol=1e-5)
    assert w.history.inits == [0]  # identical inits would be wasted: one is run


@pytest.mark.parametrize("cov", ["full", "tied", "diag", "spherical"])
def test_init_from_means_layouts(three_blobs, cov):
    X, centres = three_blobs
    far = np.vstack([centres, [[100.0, 100.0]]])  # a handle no point is nearest to
    weights, prec = init_from_means(X, far, cov, 1e-6)
    assert weights.sum() == pytest.approx(1.0) and weights[3] == pytest.approx(
        1 / (X.shape[0] + 1)
    )
    shape = {"full": (4, 2, 2), "tied": (2, 2), "diag": (4, 2), "spherical": (4,)}[cov]
    assert prec.shape == shape and np.all(np.isfinite(prec))
    gm = GaussianMixture(
        4, covariance_type=cov, means_init=far, weights_init=weights, precisions_init=prec
    )
    gm.check_fit_args(X)  # accepted as a GaussianMixture init


def test_late_stream_sends_only_slow_fits():
    sent = []
    now = [0.0]
    clock = lambda: now[0]  # noqa: E731
    fast = _LateStream(FrameStream(lambda s, b: sent.append((s, b)), 0.1, clock), 0.25, clock)
    rng = np.random.default_rng(0)
    gm = GaussianMixture(2, random_state=0, callbacks=fast)
    gm.fit(rng.normal(size=(100, 2)))
    assert sent == [] and len(fast.buffer) == gm.n_iter_ + 1
    slow_sent = []
    now[0] = 0.0
    slow = _LateStream(FrameStream(lambda s, b: slow_sent.append((s, b)), 0.1, clock), 0.25, clock)

    def tick(state):
        now[0] += 0.1

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tol=0 never converges
        GaussianMixture(2, random_state=0, callbacks=[tick, slow], max_iter=8, tol=0).fit(
            rng.normal(size=(100, 2))
        )
    assert slow_sent and slow_sent[0][0] == 0  # from the first state on
    assert sum(b["n_iter"].shape[0] for _, b in slow_sent) == len(slow.stream.states)


def test_one_and_four_features():
    rng = np.random.default_rng(2)
    x1 = np.concatenate([rng.normal(-3, 0.7, 400), rng.normal(2, 1.0, 600)])[:, None]
    w1 = MixtureExplorer(x1, n_components=1)
    w1.n_components = 2
    assert w1.handles.shape == (2, 1) and w1.model.n_components == 2
    assert sorted(np.round(w1.model.means_[:, 0])) == [-3.0, 2.0]
    assert w1.y_feature == 0 and w1.pca == {}
    X4 = np.hstack(
        [rng.normal(size=(500, 2)) + rng.integers(0, 2, (500, 1)) * 5, rng.normal(size=(500, 2))]
    )
    w4 = MixtureExplorer(X4, n_components=2, covariance_type="diag")
    assert w4.pca["components"].shape == (2, 4)
    w4.x_feature = 3
    with pytest.raises(Exception, match="x_feature must be in"):
        w4.x_feature = 4
    with pytest.raises(Exception, match="fps"):
        w4.fps = 0
