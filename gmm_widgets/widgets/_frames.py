"""Frames: the parameters of an EM fit at each reported state, packed for the browser.

A frame batch is a dict of stacked arrays (F frames, K components, d features)::

    covariance_type  str
    n_components     K
    n_features       d
    max_iter         int (0 if unknown)
    weights          (F, K)
    means            (F, K, d)
    covariances      (F, K, d, d) full | (F, d, d) tied | (F, K, d) diag | (F, K) spherical
    lower_bound      (F,)   -inf at n_iter == 0
    change           (F,)   NaN at n_iter == 0
    n_iter           (F,)   int
    init             (F,)   int
    converged        (F,)   bool
    elapsed          (F,)   seconds since the init started

It is serialized with :data:`~gmm_widgets.widgets._transport.tree_serialization`, so
every array crosses as binary float32/int32/uint8. The data points are never part of it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from gmm_widgets.mixture.callbacks import EMState
from gmm_widgets.mixture.params import MixtureParams

__all__ = [
    "FrameStream",
    "empty_frames",
    "frames_from_params",
    "frames_from_states",
    "state_from_params",
]


def empty_frames() -> dict[str, Any]:
    """A batch with no frames (the view shows an empty plot)."""
    return {}


def frames_from_states(states: Sequence[EMState]) -> dict[str, Any]:
    """Stack EM states into a frame batch.

    Parameters
    ----------
    states : sequence of EMState
        All of the same covariance type and shapes, in order.

    Returns
    -------
    dict
        See the module docstring; empty if ``states`` is.
    """
    if len(states) == 0:
        return empty_frames()
    first = states[0]
    return {
        "covariance_type": first.covariance_type,
        "n_components": first.n_components,
        "n_features": first.n_features,
        "max_iter": int(first.max_iter),
        "weights": np.stack([s.weights for s in states]),
        "means": np.stack([s.means for s in states]),
        "covariances": np.stack([s.covariances for s in states]),
        "lower_bound": np.array([s.lower_bound for s in states], dtype=np.float64),
        "change": np.array([s.change for s in states], dtype=np.float64),
        "n_iter": np.array([s.n_iter for s in states], dtype=np.int32),
        "init": np.array([s.init for s in states], dtype=np.int32),
        "converged": np.array([s.converged for s in states], dtype=bool),
        "elapsed": np.array([s.elapsed for s in states], dtype=np.float64),
    }


def frames_from_params(params: MixtureParams) -> dict[str, Any]:
    """A one-frame batch holding a fitted model's final state.

    Parameters
    ----------
    params : MixtureParams

    Returns
    -------
    dict
    """
    state = state_from_params(params)
    return frames_from_states([state])


def state_from_params(params: MixtureParams) -> EMState:
    """An :class:`EMState` holding a fitted model's parameters."""
    return EMState(
        init=0,
        n_iter=params.n_iter,
        weights=params.weights,
        means=params.means,
        covariances=params.covariances,
        covariance_type=params.covariance_type,
        lower_bound=params.lower_bound,
        change=float("nan"),
        converged=params.converged,
        elapsed=0.0,
        max_iter=0,
    )


class FrameStream:
    """An EM callback that records states and sends them on in throttled chunks.

    Parameters
    ----------
    send : callable or None
        ``send(start, frames)`` with the index of the chunk's first frame and a frame
        batch (see :func:`frames_from_states`). Called at most once per ``interval``,
        at the end of each init, and by :meth:`flush`. None only records.
    interval : float, default=0.1
        Minimum seconds between two sends while states keep coming.
    clock : callable, default=time.monotonic

    Attributes
    ----------
    states : list of EMState
        Every state received.
    """

    def __init__(
        self,
        send: Callable[[int, dict[str, Any]], None] | None,
        interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not interval >= 0:
            raise ValueError(f"interval must be >= 0 seconds, got {interval!r}.")
        self.send = send
        self.interval = float(interval)
        self.clock = clock
        self.states: list[EMState] = []
        self._sent = 0
        self._last = -np.inf

    def __call__(self, state: EMState) -> None:
        self.states.append(state)
        if self.send is None:
            return
        end_of_init = state.converged or (state.max_iter and state.n_iter >= state.max_iter)
        if end_of_init or self.clock() - self._last >= self.interval:
            self.flush()

    def flush(self) -> None:
        """Send the states not sent yet, if any."""
        if self.send is None or self._sent >= len(self.states):
            return
        start = self._sent
        chunk = self.states[start:]
        self._sent = len(self.states)
        self._last = self.clock()
        self.send(start, frames_from_states(chunk))
