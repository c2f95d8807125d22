"""FitPlayer: watch EM fit a Gaussian mixture, iteration by iteration, in the browser."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import traitlets

from gmm_widgets.mixture import check_model_features
from gmm_widgets.mixture.callbacks import EMState, History
from gmm_widgets.mixture.gaussian_mixture import GaussianMixture
from gmm_widgets.mixture.params import mixture_params
from gmm_widgets.widgets._base import ProjectedWidget, check_fps
from gmm_widgets.widgets._data import MAX_DISPLAY_POINTS, missing_of, prepare_data
from gmm_widgets.widgets._frames import (
    FrameStream,
    empty_frames,
    frames_from_states,
    state_from_params,
)
from gmm_widgets.widgets._model import model_or_new
from gmm_widgets.widgets._pairs import PairsViewMixin
from gmm_widgets.widgets._transport import tree_serialization

__all__ = ["FitPlayer"]


def _callback_list(callbacks: Any) -> list[Any]:
    if callbacks is None:
        return []
    if callable(callbacks):
        return [callbacks]
    return list(callbacks)


class FitPlayer(ProjectedWidget, PairsViewMixin):
    """Watch EM fit a Gaussian mixture: an animation that plays in the browser.

    The data are sent to the browser once; each frame holds only the parameters of
    one EM state (weights, means, covariances, lower bound), recorded through the
    ``callbacks`` hook of :class:`~gmm_widgets.GaussianMixture`. Playback (play, pause,
    step, scrub, speed) runs in the browser without the kernel, and the index of the
    frame shown is synced back to :attr:`frame`.

    The view draws the points coloured by their soft assignment under the frame's
    parameters (the component colours mixed by responsibility, computed in the
    browser), each component's 1 and 2 sigma ellipses and its mean, and the lower bound
    per iteration with the current one highlighted. With one feature it draws a
    histogram stacked by soft assignment, each weighted component density and the
    mixture density; with more than two, a pair of features chosen in the view (the
    ellipses are then the marginal covariances) or the first two principal axes (the
    ellipses are the projected covariances).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Data (NumPy array, memmap, list or DataFrame). Validated as
        :meth:`GaussianMixture.fit` does, before anything is displayed. At most
        ``max_display_points`` rows are drawn; fitting always uses every row. With
        ``missing="em"`` (or a model with it) NaN marks a missing value: each row with
        one is drawn hollow at its conditional expectation under the frame's parameters
        (what :meth:`GaussianMixture.impute` computes), and moves with the frames; rows
        whose every value is NaN are left out of the fit and not drawn.
    model : GaussianMixture, History, list of EMState, or fitted mixture, optional
        * ``None`` (default): a :class:`~gmm_widgets.GaussianMixture` is built from
          ``**gm_params`` and fitted.
        * an unfitted :class:`~gmm_widgets.GaussianMixture`: it is fitted on ``X``
          (and stays fitted, as ``model.fit(X)`` would leave it).
        * a :class:`~gmm_widgets.History` (or a list of :class:`~gmm_widgets.EMState`)
          recorded during an earlier fit: it is replayed.
        * a fitted mixture, ours or scikit-learn's (or any object with ``weights_``,
          ``means_``, ``covariances_`` and ``covariance_type``): its final state is
          shown as a single frame.
    fit : bool, default=True
        Fit at construction. With ``False`` nothing is fitted until :meth:`fit` is
        called; display the player first and the frames stream in live while the fit
        runs in the kernel.
    inits : {"best", "all"}, default="best"
        With ``n_init > 1``: keep the frames of the init the model kept, or of every
        init, one after the other.
    autoplay : bool, default=False
        Start playing as soon as the view is shown.
    fps : float, default=5.0
        Playback speed in frames (iterations) per second.
    max_display_points : int, default=100_000
        Most points drawn. Above it, a uniform random subsample of this many rows
        (without replacement, seeded by ``display_seed``) is drawn, for display only.
    display_seed : int, default=0
        Seed of the display subsample.
    stream_interval : float, default=0.1
        While :meth:`fit` streams, the least time in seconds between two messages of
        frames to the browser.
    pairs_view : bool, default=False
        Show the scatter matrix (pairs view) of ``pair_features`` instead of one plot:
        every pair in its own panel with the components' marginal 1 and 2 sigma
        ellipses, and each feature's 1-D mixture density on the diagonal. Needs 2
        features or more.
    pair_features : sequence of str or int, optional
        Features of the pairs view, by column name or index, at most 8. Default: the
        first ``min(n_features, 8)``.
    uncertainty_view : bool, default=False
        Fade each point by its uncertainty ``1 - max_k p(k | x)`` (mclust's
        uncertainty plot), in both layouts.
    **gm_params
        Parameters of :class:`~gmm_widgets.GaussianMixture` (``n_components``,
        ``covariance_type``, ``random_state``, ...), when ``model`` is None.

    Attributes
    ----------
    model : GaussianMixture or object or None
        The fitted model (None when replaying a History).
    history : History or None
        Every EM state recorded by the last fit run here, or the History replayed.
    frame : int
        Index of the frame shown, synced from the browser (debounced while playing).
        Set it to show another frame.
    frames : dict
        The frames sent to the browser, stacked arrays (see
        ``gmm_widgets.widgets._frames``).
    playing : bool
        Whether the view is playing. Set it to play or pause from Python.
    status : {"idle", "fitting", "done"}
        ``"fitting"`` while :meth:`fit` streams frames.
    projection : {"features", "pca"}
        With ``n_features > 2``: a pair of features or the first two principal axes.
    x_feature, y_feature : int
        Features on the axes when ``projection == "features"``.
    pairs_view, pair_features, uncertainty_view
        The pairs view and the uncertainty toggle (see
        :class:`~gmm_widgets.widgets._pairs.PairsViewMixin`); :meth:`show_pairs` and
        :meth:`show_pair` switch between the layouts.
    selection : ndarray of shape (n_selected,), int
        Rows of ``X`` selected in the view (brush, lasso, a click on a legend entry or a
        profile-table row) or set from Python; ``selected_index`` gives them as a
        DataFrame's index labels and ``selected()`` as rows. A brush or lasso selects
        every row of ``X`` inside it, not only the rows drawn.
    profile_shown : bool
        Whether the view shows the component profile table (of the final model).

    Raises
    ------
    ValueError
        Bad data (NaN/inf, wrong shape, too few rows for ``n_components``), bad
        GaussianMixture parameters, or a model fitted on a different number of
        features than ``X`` has.
    TypeError
        Unknown keyword arguments, or ``model`` together with ``**gm_params``.

    Examples
    --------
    >>> import numpy as np
    >>> from gmm_widgets import FitPlayer
    >>> X = np.random.default_rng(0).normal(size=(300, 2))
    >>> player = FitPlayer(X, n_components=3, random_state=0)
    >>> player.n_frames == player.model.n_iter_ + 1
    True

    Live: display first, then fit; the frames stream while the cell runs.

    >>> player = FitPlayer(X, n_components=3, fit=False)
    >>> # display(player); player.fit()
    """

    _bundle = "fit_player"

    frames = traitlets.Dict().tag(sync=True, **tree_serialization)
    frame = traitlets.Int(0).tag(sync=True)
    playing = traitlets.Bool(False).tag(sync=True)
    fps = traitlets.Float(5.0).tag(sync=True)
    status = traitlets.Enum(("idle", "fitting", "done"), default_value="idle").tag(sync=True)
    source = traitlets.Enum(("fit", "history", "model"), default_value="fit").tag(sync=True)

    def __init__(
        self,
        X: Any,
        model: Any = None,
        *,
        fit: bool = True,
        inits: Literal["best", "all"] = "best",
        autoplay: bool = False,
        fps: float = 5.0,
        max_display_points: int = MAX_DISPLAY_POINTS,
        display_seed: int = 0,
        stream_interval: float = 0.1,
        pairs_view: bool = False,
        pair_features: Sequence[str | int] | None = None,
        uncertainty_view: bool = False,
        **gm_params: Any,
    ) -> None:
        if inits not in ("best", "all"):
            raise ValueError(f"inits must be 'best' or 'all', got {inits!r}.")
        check_fps(fps)
        if not (isinstance(stream_interval, (int, float)) and stream_interval >= 0):
            raise ValueError(f"stream_interval must be >= 0 seconds, got {stream_interval!r}.")
        data = prepare_data(
            X,
            max_points=max_display_points,
            seed=display_seed,
            missing=missing_of(model, gm_params),
        )
        pairs = self._check_pairs_args(
            pairs_view, pair_features, uncertainty_view, data.feature_names
        )
        self._remember_given_model(model)
        self.inits = inits
        self.stream_interval = float(stream_interval)
        self.history: History | None = None
        self._states: list[EMState] = []
        self._X = data.X
        model, source = self._resolve_model(data.X, model, gm_params)
        self.model = model

        super().__init__()
        with self.hold_sync():
            self._set_data(X, validated=data)
            self._set_projection(data)
            self._set_pairs(pairs)
            self.fps = float(fps)
            self.source = source
        if source == "history" and self.history is not None:
            self._publish(self._select(self.history.states), "done")
        elif source == "model":
            self._states = [state_from_params(mixture_params(model))]
            self._publish(self._states, "done")
        elif fit:
            self._fit(stream=False)
        if autoplay:
            self.playing = True

    # ---------------------------------------------------------------- set-up
    def _resolve_model(self, X: np.ndarray, model: Any, gm_params: dict[str, Any]):
        """Validate the model argument; return (model, source)."""
        model = model_or_new(model, gm_params, "FitPlayer")
        d = X.shape[1]
        if isinstance(model, (History, list, tuple)):
            states = list(model)
            if not states or not all(isinstance(s, EMState) for s in states):
                raise ValueError(
                    "model must be a non-empty History or list of EMState to replay; "
                    "record one with GaussianMixture(callbacks=History()).fit(X)."
                )
            if states[0].n_features != d:
                raise ValueError(
                    f"the History was recorded on {states[0].n_features} feature(s) but X "
                    f"has {d}. Pass the data it was recorded on."
                )
            self.history = History(states=states)
            return None, "history"
        if isinstance(model, GaussianMixture) and not hasattr(model, "weights_"):
            # Same checks as fit(), before anything is displayed.
            model.check_fit_args(X)
            return model, "fit"
        params = mixture_params(model)  # refuses unfitted or non-mixture objects
        check_model_features(params, d)
        return model, "model"

    def _select(self, states: Sequence[EMState]) -> list[EMState]:
        if self.inits == "all" or not states:
            return list(states)
        return History(states=list(states)).for_init()

    def _publish(self, states: Sequence[EMState], status: str) -> None:
        """Send a complete batch of frames."""
        self._states = list(states)
        batch = frames_from_states(self._states)
        with self.hold_sync():
            self.frame = min(self.frame, max(0, len(self._states) - 1))
            self.frames = batch
            self.status = status
        self._refresh_profile()  # the profile table shows the final model

    # ----------------------------------------------------------------- fitting
    def _fit(self, stream: bool) -> None:
        gm = self.model
        recorder = FrameStream(
            self._send_chunk if stream else None,
            interval=self.stream_interval,
        )
        old = gm.callbacks
        gm.callbacks = [*_callback_list(old), recorder]
        try:
            gm.fit(self._X)
        finally:
            gm.callbacks = old
            recorder.flush()
            self.history = History(states=list(recorder.states))
            self._publish(self._select(recorder.states), "done" if recorder.states else "idle")

    def _send_chunk(self, start: int, batch: dict[str, Any]) -> None:
        self._send_arrays("frames", start=start, frames=batch)

    def fit(self) -> FitPlayer:
        """Run EM on ``X`` again, streaming the frames to the views as they come.

        Display the player first: while the fit runs in the kernel, chunks of frames
        are sent to the browser (at most every ``stream_interval`` seconds), where they
        play as they arrive. At the end the complete batch replaces them (only the
        kept init's frames with ``inits="best"``).

        Returns
        -------
        self : FitPlayer
        """
        if not isinstance(self.model, GaussianMixture):
            kind = "a History replay" if self.model is None else type(self.model).__name__
            raise TypeError(
                f"FitPlayer can only run EM with a gmm_widgets GaussianMixture, not {kind}. "
                "To watch a fit, pass the GaussianMixture parameters instead: "
                "FitPlayer(X, n_components=..., ...)."
            )
        with self.hold_sync():
            self.playing = False
            self.frame = 0
            self.frames = empty_frames()
            self._states = []
            self.source = "fit"
            self.status = "fitting"
        self._fit(stream=True)
        return self

    # -------------------------------------------------------------- playback
    def play(self) -> None:
        """Start playing in the views."""
        self.playing = True

    def pause(self) -> None:
        """Pause the views."""
        self.playing = False

    @property
    def n_frames(self) -> int:
        """Number of frames."""
        return len(self._states)

    def _code_model(self) -> Any:
        if self.model is None:
            raise ValueError(
                "this FitPlayer plays a recorded History, which holds EM states, not an "
                "estimator: write the code of the estimator that recorded it instead."
            )
        return self.model

    def _table_model(self) -> Any:
        """The fit played: the model, or the last recorded state of a History."""
        if self.model is not None:
            return self.model
        if self._states:
            return self._states[-1]
        raise ValueError("this FitPlayer has no fit to read yet.")

    def _shown_model(self) -> Any:
        """The mixture of the frame shown (what a click on the legend selects under)."""
        state = self.current_state
        return state if state is not None else self._table_model()

    @property
    def states(self) -> list[EMState]:
        """The EM states of the frames, in order (a copy of the list)."""
        return list(self._states)

    @property
    def current_state(self) -> EMState | None:
        """The EM state of the frame shown (None without frames)."""
        if not self._states:
            return None
        return self._states[self.frame]

    # ------------------------------------------------------------ validation
    @traitlets.validate("frame")
    def _valid_frame(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        n = len(self._states) if hasattr(self, "_states") else 0
        if not 0 <= value < max(1, n):
            raise traitlets.TraitError(
                f"frame must be in [0, {max(0, n - 1)}] (there are {n} frames), got {value}."
            )
        return value
