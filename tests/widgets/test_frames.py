"""EM states to frames, and the throttled stream of frames."""

from __future__ import annotations

import numpy as np
import pytest

from gmm_widgets import GaussianMixture, History
from gmm_widgets.widgets._frames import FrameStream, frames_from_states


@pytest.mark.parametrize(
    ("cov_type", "shape"),
    [("full", (3, 2, 2)), ("tied", (2, 2)), ("diag", (3, 2)), ("spherical", (3,))],
)
def test_frames_stack_every_state(X3, cov_type, shape):
    h = History()
    GaussianMixture(3, covariance_type=cov_type, random_state=0, callbacks=h).fit(X3)
    f = frames_from_states(h.states)
    F = len(h)
    assert f["covariance_type"] == cov_type
    assert (f["n_components"], f["n_features"], f["max_iter"]) == (3, 2, 100)
    assert f["weights"].shape == (F, 3)
    assert f["means"].shape == (F, 3, 2)
    assert f["covariances"].shape == (F, *shape)
    for key in ("lower_bound", "change", "n_iter", "init", "converged", "elapsed"):
        assert f[key].shape == (F,)
    for i, s in enumerate(h.states):
        np.testing.assert_array_equal(f["means"][i], s.means)
        np.testing.assert_array_equal(f["covariances"][i], s.covariances)
        assert f["lower_bound"][i] == s.lower_bound or (i == 0 and s.lower_bound == -np.inf)
    assert f["n_iter"].tolist() == list(range(F))
    assert f["converged"][-1] and not f["converged"][:-1].any()


def test_no_states_no_frames():
    assert frames_from_states([]) == {}


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def test_stream_throttles_and_flushes_at_the_end_of_each_init(X3):
    h = History()
    GaussianMixture(3, init_params="random_from_data", random_state=0, callbacks=h).fit(X3)
    states = h.states
    assert len(states) > 10
    clock = Clock()
    sent = []
    stream = FrameStream(lambda start, f: sent.append((start, f["n_iter"].tolist())), 1.0, clock)
    for s in states:
        clock.t += 0.3  # a state every 0.3 s, at most one send per second
        stream(s)
    stream.flush()
    starts = [s for s, _ in sent]
    assert starts[0] == 0
    # Contiguous chunks that cover every state once.
    flat = [i for _, chunk in sent for i in chunk]
    assert flat == [s.n_iter for s in states]
    assert starts == sorted(set(starts))
    assert len(sent) <= len(states) * 0.3 + 2
    # The converged state was sent at once, not left for flush().
    assert sent[-1][1][-1] == states[-1].n_iter


def test_stream_without_send_only_records(X3):
    stream = FrameStream(None)
    GaussianMixture(2, random_state=0, callbacks=stream).fit(X3)
    assert len(stream.states) >= 2
    stream.flush()  # nothing to send to, no error
    with pytest.raises(ValueError, match="interval"):
        FrameStream(None, interval=-1)
