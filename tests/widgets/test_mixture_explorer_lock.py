"""MixtureExplorer's mean locks: ``locked_means`` holds components' means at their handles."""

from __future__ import annotations

import numpy as np
import pytest
import traitlets

from gmm_widgets import GaussianMixture, MixtureExplorer
from gmm_widgets.mixture._covariance import n_mixture_parameters


class FakeScheduler:
    """Records the debounce timers; `run()` fires them."""

    def __init__(self):
        self.callbacks = []

    def __call__(self, delay, callback):
        outer = self

        class Timer:
            def cancel(self):
                if callback in outer.callbacks:
                    outer.callbacks.remove(callback)

        self.callbacks.append(callback)
        return Timer()

    def run(self):
        todo, self.callbacks = self.callbacks, []
        for cb in todo:
            cb()


@pytest.fixture(scope="module")
def X():
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [6.0, 0.0], [3.0, 5.0]])
    return np.vstack([rng.normal(c, 0.8, size=(300, 2)) for c in centres])


HANDLES = np.array([[0.5, 0.5], [5.0, -0.5], [3.0, 4.0]])


def test_a_locked_handle_is_a_fixed_mean_of_the_refit(X):
    w = MixtureExplorer(X, n_components=3, means_init=HANDLES, locked_means=[1])
    assert w.locked_means == [1]
    model = w.model
    assert set(model.fixed_means) == {1}
    np.testing.assert_array_equal(model.fixed_means[1], HANDLES[1])
    np.testing.assert_allclose(model.means_[1], HANDLES[1], rtol=1e-14, atol=1e-15)
    # The free means moved to their clusters.
    assert np.linalg.norm(model.means_[0] - [0.0, 0.0]) < 0.2
    # Scores count only the free parameters: one mean (2 numbers) fewer.
    free = n_mixture_parameters("full", 3, 2) - 2
    assert w.scores["n_parameters"] == model.n_parameters_ == free
    assert w.scores["bic"] == pytest.approx(model.bic(X), rel=1e-10)
    n = X.shape[0]
    total = model.score(X) * n
    assert w.scores["bic"] == pytest.approx(-2 * total + free * np.log(n), rel=1e-10)
    assert w.scores["aic"] == pytest.approx(-2 * total + 2 * free, rel=1e-10)


def test_locking_from_python_on_the_automatic_init_uses_the_shown_handles(X):
    w = MixtureExplorer(X, n_components=3)
    assert w.handles is None and w.locked_means == []
    initial = w.initial_means
    w.locked_means = [2]
    # The init's means became the handles (where the view drew them), and mean 2 is held.
    np.testing.assert_array_equal(w.handles, initial)
    np.testing.assert_allclose(w.model.means_[2], initial[2], rtol=1e-14, atol=1e-15)
    assert w.model.fixed_means.keys() == {2}


def test_dragging_a_locked_handle_moves_where_it_is_held(X):
    w = MixtureExplorer(X, n_components=3, means_init=HANDLES, locked_means=[0])
    moved = HANDLES.copy()
    moved[0] = [1.0, -1.0]
    w.handles = moved
    np.testing.assert_allclose(w.model.means_[0], [1.0, -1.0], rtol=1e-14, atol=1e-15)
    assert w.locked_means == [0]


def test_a_lock_from_the_browser_refits_once_debounced(X):
    sched = FakeScheduler()
    w = MixtureExplorer(X, n_components=3, means_init=HANDLES, scheduler=sched)
    before = w.model
    w.set_state({"locked_means": [0, 2], "request": 1})
    assert w.model is before  # debounced
    sched.run()
    assert w.model is not before
    assert sorted(w.model.fixed_means) == [0, 2]
    assert w.result["controls"]["locked_means"] == [0, 2]
    # Handles reset to the automatic init in the view: the locks go with them.
    w.set_state({"handles": None, "request": 2})
    sched.run()
    assert w.locked_means == [] and w.handles is None
    assert w.model.fixed_means is None


def test_locks_beyond_a_smaller_k_are_dropped(X):
    w = MixtureExplorer(X, n_components=3, means_init=HANDLES, locked_means=[0, 2])
    w.n_components = 2
    assert w.locked_means == [0]
    assert list(w.model.fixed_means) == [0]


def test_reset_init_drops_the_locks(X):
    w = MixtureExplorer(X, n_components=3, means_init=HANDLES, locked_means=[1])
    w.reset_init()
    assert w.locked_means == [] and w.handles is None
    assert w.model.fixed_means is None
    assert w.scores["n_parameters"] == n_mixture_parameters("full", 3, 2)


def test_update_sets_locks_with_the_other_controls_in_one_refit(X):
    w = MixtureExplorer(X, n_components=3, means_init=HANDLES)
    w.update(covariance_type="diag", locked_means=[1])
    assert w.model.covariance_type == "diag"
    np.testing.assert_allclose(w.model.means_[1], HANDLES[1], rtol=1e-14, atol=1e-15)


def test_to_code_rebuilds_the_locked_model(X):
    w = MixtureExplorer(X, n_components=3, means_init=HANDLES, locked_means=[1])
    code = w.to_code()
    assert "fixed_means={1: np.array([5.0, -0.5])}" in code
    namespace = {"X": X.copy()}
    exec(compile(code, "<to_code>", "exec"), namespace)
    rebuilt = namespace["model"]
    assert isinstance(rebuilt, GaussianMixture)
    for attr in ("weights_", "means_", "covariances_"):
        np.testing.assert_allclose(getattr(rebuilt, attr), getattr(w.model, attr), rtol=1e-12)


@pytest.mark.parametrize(
    ("kw", "error", "match"),
    [
        ({"locked_means": [0]}, ValueError, "pass means_init"),
        ({"locked_means": [3], "means_init": HANDLES}, ValueError, "out of range"),
        ({"locked_means": ["a"], "means_init": HANDLES}, TypeError, "ints"),
        ({"locked_means": 1, "means_init": HANDLES}, TypeError, "sequence"),
    ],
)
def test_bad_locks_are_refused_before_the_widget_exists(X, kw, error, match):
    with pytest.raises(error, match=match):
        MixtureExplorer(X, n_components=3, **kw)


def test_a_bad_lock_trait_is_a_trait_error(X):
    w = MixtureExplorer(X, n_components=3, means_init=HANDLES)
    with pytest.raises(traitlets.TraitError, match="out of range"):
        w.locked_means = [99]
    assert w.locked_means == []
