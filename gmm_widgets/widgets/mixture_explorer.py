"""MixtureExplorer: drag the initial means, change K and the covariance type, watch EM refit."""

from __future__ import annotations

import math
import numbers
import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import traitlets

from gmm_widgets.mixture import (
    COVARIANCE_TYPES,
    INIT_METHODS,
    ConvergenceWarning,
    MissingValuesWarning,
    check_choice,
    check_model_features,
)
from gmm_widgets.mixture.callbacks import History
from gmm_widgets.mixture.gaussian_mixture import GaussianMixture
from gmm_widgets.mixture.params import MixtureParams, mixture_params
from gmm_widgets.mixture.placement import extend_means, init_from_means
from gmm_widgets.widgets._base import ProjectedWidget, check_fps
from gmm_widgets.widgets._data import MAX_DISPLAY_POINTS, missing_of, prepare_data
from gmm_widgets.widgets._debounce import Debouncer, Scheduler
from gmm_widgets.widgets._frames import FrameStream, frames_from_states, state_from_params
from gmm_widgets.widgets._marimo import setting_ui_value
from gmm_widgets.widgets._pairs import PairsViewMixin
from gmm_widgets.widgets._transport import array_from_json, encode_array, tree_serialization

__all__ = ["MixtureExplorer"]

#: GaussianMixture parameters that may be passed through ``**gm_params``; the others
#: are the explorer's controls (or depend on K and so cannot stay fixed).
PASS_THROUGH = ("tol", "reg_covar", "max_iter", "chunk_size", "n_jobs", "missing")
#: The controls; a change of any of them refits.
CONTROLS = (
    "n_components",
    "covariance_type",
    "random_state",
    "n_init",
    "init_params",
    "handles",
    "points_added",
    "points_removed",
    "locked_means",
)
#: Most initialisations the n_init control offers.
MAX_N_INIT = 50


def _handles_to_json(value: Any, widget: Any = None) -> dict[str, Any] | None:
    # float64 on the wire: the view compares the handles it asked for with those a fit
    # used, exactly.
    return None if value is None else encode_array(value, "float64")


_handle_serialization = {"to_json": _handles_to_json, "from_json": array_from_json}


def _removed_to_json(value: Any, widget: Any = None) -> dict[str, Any]:
    return encode_array(np.asarray(value, dtype=np.int64), "int32")


_removed_serialization = {"to_json": _removed_to_json, "from_json": array_from_json}


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


class MixtureExplorer(ProjectedWidget, PairsViewMixin):
    """Drag the initial means, change K and the covariance type, and watch EM refit.

    The data are drawn with one draggable handle per initial mean (also movable with
    the arrow keys once focused). Dropping a handle refits from the handles' positions
    (``means_init``), and the EM run plays as in :class:`FitPlayer`. The toolbar holds
    a K slider, the covariance type, the seed, ``n_init``, the init method and "reset to
    automatic init"; a read-out shows the log-likelihood, BIC, AIC, ICL, iterations and
    convergence beside the previous fit's values.

    Changing K keeps the handles: new ones go where the data are least explained by
    the current model (see :func:`~gmm_widgets.mixture.placement.extend_means`), and the
    last added go first when K shrinks. Until a handle is dragged or K changes, the
    init is automatic (``init_params``, seeded by ``random_state``) and the handles show
    where it started.

    Refits run in the kernel. Changes made in the browser are debounced: a burst of
    slider moves or drags gives one refit, for the final state. Changes made from Python
    (``explorer.n_components = 4``) refit at once; :meth:`update` changes several
    controls with one refit. The view shows a fit only while it matches the controls.
    A refit that fails (e.g. a collapsed component) shows its error in the view, puts
    the controls back and keeps the last good model.

    The page also fits, with its own EM (``js/src/lib/em.js``: the same start rule,
    lower bound, ``tol`` rule and ``reg_covar`` as :class:`~gmm_widgets.GaussianMixture`,
    equal to it to about 1e-12) on the displayed points. While a handle is dragged,
    every animation frame runs the iterations that fit in it, warm-started from the
    last frame, so the ellipses follow the hand; a released handle, a new K or
    covariance type starts cold from the handles and is shown ("browser fit") until
    the kernel's answer replaces it, which is the same fit when every point is
    displayed. Without a kernel (an exported page) the browser fit is what the page
    shows. One kernel refit runs per release.

    A handle can be locked (its lock button beside it, or ``L`` on the focused handle;
    :attr:`locked_means` from Python): the refit then holds that component's mean at
    the handle (``GaussianMixture(fixed_means={k: handle})``), and BIC/AIC/ICL count
    only the free parameters. Dragging a locked handle moves where it is held.

    A click on empty space of the plot adds a data point, a shift-click removes the
    nearest one (or, from the keyboard, the point cursor: arrows, Enter, Delete); they
    are :attr:`points_added` and :attr:`points_removed`, and every refit uses them.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Data (NumPy array, memmap, list or DataFrame). Validated before anything is
        displayed. At most ``max_display_points`` rows are drawn; fitting always uses
        every row. With ``missing="em"`` (or a ``model`` fitted with it) NaN marks a
        missing value: the rows with one are drawn hollow at their conditional
        expectation under the fit shown (moving with its frames), starts from handles
        are placed on the complete rows, and only the kernel fits (the page's own EM
        stands aside). Rows whose every value is NaN are left out and not drawn.
    n_components : int, default=3
        Initial K.
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
    random_state : int or None, default=0
        Seed of the automatic initialisation; None draws a fresh one for every fit.
    n_init : int, default=1
        Initialisations per fit; the best is kept (and played).
    init_params : {"kmeans", "k-means++", "random", "random_from_data"}, default="kmeans"
        The automatic initialisation. From handles, the initial weights and
        covariances come from the points nearest each handle instead, so the seed,
        ``n_init`` and ``init_params`` only matter for the automatic init.
    means_init : array-like of shape (n_components, n_features), optional
        Start from these means (handles) instead of the automatic init.
    locked_means : sequence of int, optional
        Components whose means the refits hold at their handles (see above); the
        handles are ``means_init``, or where the automatic init put the means.
    model : fitted mixture, optional
        Start from a fitted model, ours or scikit-learn's: it is shown as it is (one
        frame), its K and covariance type set the controls (``n_components`` and
        ``covariance_type`` are then ignored) and its means become the handles. The
        first change of a control refits with a :class:`~gmm_widgets.GaussianMixture`.
    k_range : (int, int), default=(1, 10)
        Range of the K slider (its top is capped at ``n_samples``).
    animate : bool, default=True
        Play each refit's EM run. With False the view jumps to the fitted state.
    fps : float, default=20.0
        Playback speed in iterations per second.
    debounce : float, default=0.02
        Seconds of quiet that end a burst of changes from the browser.
    stream_interval : float, default=0.25
        A refit that runs longer than this many seconds streams its frames to the view
        (at most one batch per interval), so a long fit plays live.
    max_display_points : int, default=100_000
    display_seed : int, default=0
    scheduler : callable, optional
        ``scheduler(delay, callback) -> handle with .cancel()`` for the debounce (tests);
        by default the kernel's event loop.
    pairs_view : bool, default=False
        Show the scatter matrix of ``pair_features`` (each pair in a panel with the
        marginal ellipses, each feature's 1-D mixture density on the diagonal) instead
        of one plot; the mean handles are dragged in the single plot. Needs 2 features.
    pair_features : sequence of str or int, optional
        Features of the pairs view, by column name or index, at most 8. Default: the
        first ``min(n_features, 8)``.
    uncertainty_view : bool, default=False
        Fade each point by its uncertainty ``1 - max_k p(k | x)``, in both layouts.
    **gm_params
        Other :class:`~gmm_widgets.GaussianMixture` parameters: ``tol``, ``reg_covar``,
        ``max_iter``, ``chunk_size``, ``n_jobs``, ``missing``.

    Attributes
    ----------
    model : GaussianMixture or fitted mixture
        The current model: the last fit that completed (or ``model`` until the first).
    means_init : ndarray of shape (n_components, n_features) or None
        The initial means (handles) the current model was fitted from, or None when it
        used the automatic init.
    history : History or None
        Every EM state of the current model's fit (all its inits).
    scores : dict
        The current model's ``log_likelihood`` (mean per sample), ``bic``, ``aic``,
        ``icl``, ``n_iter``, ``converged``, ``n_parameters``.
    previous_scores : dict or None
        The same for the model before it.
    last_error : str or None
        The message of the last refit that failed, None after a success.
    handles : ndarray of shape (n_components, n_features) or None
        The handles' positions as the view asks for them (None: automatic init).
    locked_means : list of int
        Sorted components whose means are held at their handles in refits; setting it
        refits (a lock set while the init is automatic turns the init's means into
        handles). Locks of components beyond a smaller K are dropped, and every lock
        when the handles are reset to the automatic init.
    n_components, covariance_type, random_state, n_init, init_params
        The controls; setting one refits.
    points_added : ndarray of shape (m, n_features)
        Points the user added (a click on empty space of the plot, or Enter on the
        plot's point cursor). Refits use them as data, after the rows of ``X``.
    points_removed : ndarray of shape (r,)
        Positions, in the displayed rows, of the points the user removed (shift-click,
        or Delete on the point cursor); :attr:`removed_rows` gives the rows of ``X``.
        Refits leave these rows out. Both edits are kept when K or the covariance type
        changes; set them to empty arrays (or call :meth:`reset_points`) to undo them.

    Raises
    ------
    ValueError
        Bad data, a bad control value, or a first fit that fails.
    TypeError
        Unknown keyword arguments or arguments of the wrong type.

    Examples
    --------
    >>> import numpy as np
    >>> from gmm_widgets import MixtureExplorer
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(size=(200, 2)), rng.normal(size=(200, 2)) + 5])
    >>> explorer = MixtureExplorer(X, n_components=2)
    >>> explorer.model.n_components
    2
    >>> explorer.n_components = 3  # refits at once, a third handle is added
    >>> explorer.means_init.shape
    (3, 2)
    """

    _bundle = "mixture_explorer"

    # Controls: set by the view (debounced refit) or from Python (immediate refit).
    n_components = traitlets.Int(3).tag(sync=True)
    covariance_type = traitlets.Enum(COVARIANCE_TYPES, default_value="full").tag(sync=True)
    random_state = traitlets.Int(0, allow_none=True).tag(sync=True)
    n_init = traitlets.Int(1).tag(sync=True)
    init_params = traitlets.Enum(INIT_METHODS, default_value="kmeans").tag(sync=True)
    handles = traitlets.Instance(np.ndarray, allow_none=True).tag(
        sync=True, **_handle_serialization
    )
    #: Points the user added (click on the plot), float64 of shape (m, n_features).
    points_added = traitlets.Instance(np.ndarray, args=((0, 0),)).tag(
        sync=True, to_json=lambda v, w=None: encode_array(v, "float64"), from_json=array_from_json
    )
    #: Positions in the displayed rows (``data``) of the points the user removed
    #: (shift-click), sorted, int32 on the wire. :attr:`removed_rows` gives rows of ``X``.
    points_removed = traitlets.Instance(np.ndarray, args=((0,),), kw={"dtype": np.int64}).tag(
        sync=True, **_removed_serialization
    )
    #: Components whose means refits hold at their handles (``fixed_means``), sorted.
    locked_means = traitlets.List(traitlets.Int()).tag(sync=True)
    #: Counter the view bumps with every change it makes; echoed in ``result``.
    request = traitlets.Int(0).tag(sync=True)

    # Limits of the controls.
    k_min = traitlets.Int(1).tag(sync=True)
    k_max = traitlets.Int(10).tag(sync=True)
    max_n_init = traitlets.Int(MAX_N_INIT).tag(sync=True)

    @traitlets.validate("k_min")
    def _valid_k_min(self, proposal: dict[str, Any]) -> int:
        k = proposal["value"]
        if not 1 <= k <= self.k_max:
            raise traitlets.TraitError(
                f"k_min must be an int from 1 to k_max={self.k_max}, got {k}."
            )
        return k

    @traitlets.validate("k_max")
    def _valid_k_max(self, proposal: dict[str, Any]) -> int:
        k = proposal["value"]
        if k < max(1, self.k_min):
            raise traitlets.TraitError(
                f"k_max must be an int of at least k_min={self.k_min} (and 1), got {k}."
            )
        return k

    # The last good fit and the last error, for the view.
    result = traitlets.Dict().tag(sync=True, **tree_serialization)
    error = traitlets.Dict().tag(sync=True)
    busy = traitlets.Bool(False).tag(sync=True)
    #: ``tol``, ``reg_covar`` and ``max_iter`` of the kernel's fits, for the view's own EM
    #: (js/src/lib/em.js), which previews drags and works without a kernel.
    fit_settings = traitlets.Dict().tag(sync=True)

    # Playback and the 2-D view (as in FitPlayer).
    animate = traitlets.Bool(True).tag(sync=True)
    fps = traitlets.Float(20.0).tag(sync=True)

    def __init__(
        self,
        X: Any,
        n_components: int = 3,
        covariance_type: str = "full",
        *,
        random_state: int | None = 0,
        n_init: int = 1,
        init_params: str = "kmeans",
        means_init: Any = None,
        locked_means: Any = (),
        model: Any = None,
        k_range: tuple[int, int] = (1, 10),
        animate: bool = True,
        fps: float = 20.0,
        debounce: float = 0.02,
        stream_interval: float = 0.25,
        max_display_points: int = MAX_DISPLAY_POINTS,
        display_seed: int = 0,
        scheduler: Scheduler | None = None,
        pairs_view: bool = False,
        pair_features: Sequence[str | int] | None = None,
        uncertainty_view: bool = False,
        **gm_params: Any,
    ) -> None:
        # missing="em" (given, or the given model's): NaN marks a missing value.
        missing = missing_of(None if "missing" in gm_params else model, gm_params)
        data = prepare_data(
            X,
            max_points=max_display_points,
            seed=display_seed,
            min_samples=2,
            missing=missing,
        )
        pairs = self._check_pairs_args(
            pairs_view, pair_features, uncertainty_view, data.feature_names
        )
        self._remember_given_model(model)
        n, d = data.X.shape
        self._X = data.X
        self._display_indices = data.indices
        self._n_display = data.display.shape[0]
        self._gm_params = self._check_gm_params(gm_params)
        if missing == "em":
            self._gm_params["missing"] = "em"
        k_lo, k_hi = self._check_k_range(k_range, n)
        start_params: MixtureParams | None = None
        if model is not None:
            start_params = mixture_params(model)  # refuses unfitted or foreign objects
            check_model_features(start_params, d)
            n_components = start_params.n_components
            covariance_type = start_params.covariance_type
            if means_init is None:
                means_init = start_params.means
            k_lo, k_hi = min(k_lo, n_components), max(k_hi, n_components)
        controls = self._check_controls(
            n_components, covariance_type, random_state, n_init, init_params, k_lo, k_hi, n
        )
        handles = None if means_init is None else self._check_means(means_init, controls[0], d)
        locked = self._check_locked(locked_means, controls[0])
        if locked and handles is None:
            raise ValueError(
                "locked_means holds means at their handles: pass means_init (or a fitted "
                "model) with it."
            )
        check_fps(fps)
        if not (isinstance(stream_interval, (int, float)) and stream_interval >= 0):
            raise ValueError(f"stream_interval must be >= 0 seconds, got {stream_interval!r}.")
        self._debouncer = Debouncer(self._debounced_refit, debounce, scheduler)
        self.stream_interval = float(stream_interval)

        self._ready = False
        self._quiet = 0
        self._from_browser = 0
        self._batch = 0
        self._batch_dirty = False
        self.model: Any = None
        self.history: History | None = None
        self.means_init: np.ndarray | None = None
        self.scores: dict[str, Any] = {}
        self.previous_scores: dict[str, Any] | None = None
        self.last_error: str | None = None
        self._params: MixtureParams | None = None
        self._initial_means: np.ndarray | None = None
        self._good_controls: dict[str, Any] = {}

        super().__init__()
        with self.hold_sync():
            self._set_data(X, validated=data)
            self.k_max, self.k_min = k_hi, k_lo
            (
                self.n_components,
                self.covariance_type,
                self.random_state,
                self.n_init,
                self.init_params,
            ) = controls
            self.handles = handles
            self.locked_means = locked
            self.points_added = np.empty((0, d))
            self.points_removed = np.empty(0, dtype=np.int64)
            self._set_projection(data)
            self._set_pairs(pairs)
            self.animate = bool(animate)
            self.fps = float(fps)
            defaults = GaussianMixture()
            self.fit_settings = {
                name: float(self._gm_params.get(name, getattr(defaults, name)))
                if name != "max_iter"
                else int(self._gm_params.get(name, defaults.max_iter))
                for name in ("tol", "reg_covar", "max_iter")
            }
        if start_params is not None:  # a fitted model was given
            self._publish_model(model, start_params)
        else:
            exc = self._refit()
            if exc is not None:
                raise ValueError(f"The first fit failed: {exc}") from exc
        self._ready = True

    # ------------------------------------------------------------------ checks
    @staticmethod
    def _check_gm_params(gm_params: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(gm_params) - set(PASS_THROUGH))
        if unknown:
            raise TypeError(
                f"MixtureExplorer got unexpected keyword argument(s): {', '.join(unknown)}. "
                f"Its own are the controls (n_components, covariance_type, random_state, "
                f"n_init, init_params, means_init) and the GaussianMixture parameters "
                f"{', '.join(PASS_THROUGH)}."
            )
        GaussianMixture(**gm_params)._check_parameters()  # names the bad argument
        return dict(gm_params)

    @staticmethod
    def _check_k_range(k_range: Any, n_samples: int) -> tuple[int, int]:
        try:
            lo, hi = k_range
        except (TypeError, ValueError):
            raise TypeError(
                f"k_range must be a pair of ints (low, high), got {k_range!r}."
            ) from None
        if not (_is_int(lo) and _is_int(hi)):
            raise TypeError(f"k_range must be a pair of ints (low, high), got {k_range!r}.")
        if not 1 <= lo <= hi:
            raise ValueError(f"k_range must satisfy 1 <= low <= high, got {k_range!r}.")
        return int(lo), int(min(hi, max(lo, n_samples)))

    @staticmethod
    def _check_controls(K, cov_type, seed, n_init, init, k_lo, k_hi, n_samples):
        if not _is_int(K):
            raise TypeError(f"n_components must be an int, got {type(K).__name__} ({K!r}).")
        if not k_lo <= K <= k_hi:
            raise ValueError(f"n_components must be in k_range [{k_lo}, {k_hi}], got {K}.")
        if K > n_samples:
            raise ValueError(f"n_components={K} exceeds the {n_samples} samples of X.")
        check_choice(cov_type, "covariance_type", COVARIANCE_TYPES)
        if seed is not None and not _is_int(seed):
            raise TypeError(
                f"random_state must be an int seed or None, got {type(seed).__name__}."
            )
        if seed is not None and not 0 <= seed < 2**32:
            raise ValueError(f"random_state must be in [0, 2**32), got {seed}.")
        if not _is_int(n_init):
            raise TypeError(f"n_init must be an int, got {type(n_init).__name__}.")
        if not 1 <= n_init <= MAX_N_INIT:
            raise ValueError(f"n_init must be in [1, {MAX_N_INIT}], got {n_init}.")
        check_choice(init, "init_params", INIT_METHODS)
        return int(K), cov_type, None if seed is None else int(seed), int(n_init), init

    @staticmethod
    def _check_means(means: Any, K: int, d: int) -> np.ndarray:
        arr = np.asarray(means, dtype=np.float64)
        if arr.shape != (K, d):
            raise ValueError(
                f"means_init must have shape (n_components, n_features) = ({K}, {d}), "
                f"got {arr.shape}."
            )
        if not np.all(np.isfinite(arr)):
            raise ValueError("means_init contains NaN or infinity.")
        return arr.copy()

    @staticmethod
    def _check_locked(locked: Any, K: int) -> list[int]:
        if isinstance(locked, (str, bytes)) or not hasattr(locked, "__iter__"):
            raise TypeError(
                f"locked_means must be a sequence of component indices, got {locked!r}."
            )
        out = []
        for k in locked:
            if not _is_int(k):
                raise TypeError(f"locked_means must hold ints (component indices), got {k!r}.")
            if not 0 <= k < K:
                raise ValueError(
                    f"locked_means: component {k} is out of range for n_components={K}."
                )
            out.append(int(k))
        return sorted(set(out))

    @traitlets.validate("locked_means")
    def _valid_locked(self, proposal: dict[str, Any]) -> list[int]:
        try:
            return self._check_locked(proposal["value"], self.k_max)
        except (TypeError, ValueError) as exc:
            raise traitlets.TraitError(str(exc)) from None

    @traitlets.validate("n_components")
    def _valid_k(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        if not self.k_min <= value <= self.k_max:
            raise traitlets.TraitError(
                f"n_components must be in [{self.k_min}, {self.k_max}], got {value}."
            )
        return value

    @traitlets.validate("n_init")
    def _valid_n_init(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        if not 1 <= value <= MAX_N_INIT:
            raise traitlets.TraitError(f"n_init must be in [1, {MAX_N_INIT}], got {value}.")
        return value

    @traitlets.validate("random_state")
    def _valid_seed(self, proposal: dict[str, Any]) -> int | None:
        value = proposal["value"]
        if value is not None and not 0 <= value < 2**32:
            raise traitlets.TraitError(f"random_state must be in [0, 2**32), got {value}.")
        return value

    @traitlets.validate("handles")
    def _valid_handles(self, proposal: dict[str, Any]) -> np.ndarray | None:
        value = proposal["value"]
        if value is None:
            return None
        arr = np.asarray(value, dtype=np.float64)
        d = self._X.shape[1]
        if arr.ndim != 2 or arr.shape[1] != d or not 1 <= arr.shape[0] <= self.k_max:
            raise traitlets.TraitError(
                f"handles must have shape (K, {d}) with 1 <= K <= {self.k_max}, got {arr.shape}."
            )
        if not np.all(np.isfinite(arr)):
            raise traitlets.TraitError("handles contain NaN or infinity.")
        return arr

    @traitlets.validate("points_added")
    def _valid_added(self, proposal: dict[str, Any]) -> np.ndarray:
        d = self._X.shape[1]
        try:
            arr = np.asarray(proposal["value"], dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise traitlets.TraitError(f"points_added must be numbers: {exc}") from None
        if arr.size == 0:
            return np.empty((0, d))
        arr = arr.reshape(-1, d) if arr.ndim == 1 and arr.size % d == 0 else arr
        if arr.ndim != 2 or arr.shape[1] != d:
            raise traitlets.TraitError(f"points_added must have shape (m, {d}), got {arr.shape}.")
        if not np.all(np.isfinite(arr)):
            raise traitlets.TraitError("points_added contain NaN or infinity.")
        return arr

    @traitlets.validate("points_removed")
    def _valid_removed(self, proposal: dict[str, Any]) -> np.ndarray:
        arr = np.asarray(proposal["value"]).reshape(-1)
        if arr.size and not np.issubdtype(arr.dtype, np.integer):
            if not np.all(arr == np.round(arr)):
                raise traitlets.TraitError("points_removed must hold integer positions.")
        arr = np.unique(arr.astype(np.int64))
        if arr.size and (arr[0] < 0 or arr[-1] >= self._n_display):
            raise traitlets.TraitError(
                f"points_removed must be positions in the {self._n_display} displayed "
                f"rows, in [0, {self._n_display}); got {arr[0]}..{arr[-1]}."
            )
        if self._X.shape[0] - arr.size + self.points_added.shape[0] < 2:
            raise traitlets.TraitError(
                "points_removed would leave fewer than 2 points to fit; remove fewer."
            )
        return arr

    @property
    def removed_rows(self) -> np.ndarray:
        """Rows of ``X`` the user removed, shape (r,), sorted (from ``points_removed``)."""
        pos = self.points_removed
        return pos.copy() if self._display_indices is None else self._display_indices[pos]

    def _code_data(self) -> list[str]:
        lines = []
        if self.points_removed.size:
            rows = [int(r) for r in self.removed_rows]
            lines.append("# the points removed in the widget (rows of X)")
            lines.append(f"X = np.delete(np.asarray(X), {rows!r}, axis=0)")
        if self.points_added.shape[0]:
            added = self.points_added.tolist()
            lines.append("# the points added in the widget")
            lines.append(
                f"X = np.concatenate([np.asarray(X), np.array({added!r}).astype("
                "np.result_type(np.asarray(X).dtype, np.float32))])"
            )
        return lines

    def _fit_data(self) -> Any:
        """The data the kernel fits: ``X`` without the removed rows, then the added points.

        ``X`` itself (never copied) when nothing was added or removed.
        """
        if not self.points_removed.size and not self.points_added.shape[0]:
            return self._X
        X = np.asarray(self._X)
        kept = np.delete(X, self.removed_rows, axis=0) if self.points_removed.size else X
        if not self.points_added.shape[0]:
            return kept
        dtype = np.result_type(kept.dtype, np.float32)
        return np.concatenate([kept, self.points_added.astype(dtype)], axis=0)

    def _placement_data(self) -> Any:
        """The rows that place means and starts: the fit data, without rows with NaN.

        With ``missing="em"`` a start from handles takes its weights and covariances
        from the complete rows nearest each handle (the fit itself uses every row).
        """
        X = self._fit_data()
        if getattr(self, "_missing", "error") != "em":
            return X
        X = np.asarray(X)
        complete = X[~np.isnan(X).any(axis=1)]
        if complete.shape[0] < 2:
            raise ValueError(
                "a start from means needs rows without missing values to place it, and X "
                f"has {complete.shape[0]}: let the fit start on its own (means_init=None)."
            )
        return complete

    # ------------------------------------------------------------ controls
    def set_state(self, sync_data: dict[str, Any]) -> None:
        """Apply a state update from the browser (its refits are debounced).

        In marimo (``mo.ui.anywidget``) the refit runs at once, before marimo re-runs
        the cells that read the widget (see :mod:`gmm_widgets.widgets._marimo`).
        """
        self._from_browser += 1
        try:
            super().set_state(sync_data)
        finally:
            self._from_browser -= 1
        if setting_ui_value():
            self._debouncer.flush()

    @contextmanager
    def _quietly(self) -> Iterator[None]:
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1

    @traitlets.observe(*CONTROLS)
    def _on_control(self, change: dict[str, Any]) -> None:
        if self._quiet or not self._ready:
            return
        if change["name"] in ("n_components", "handles"):
            self._fit_handles_to_k()
        self._fit_locks(change["name"], change["new"])
        if self._from_browser:
            self._debouncer()
        elif self._batch:
            self._batch_dirty = True
        else:
            self._debouncer.cancel()
            exc = self._refit()
            if exc is not None:
                raise exc

    def _fit_handles_to_k(self) -> None:
        """Give the handles n_components rows: add where least explained, drop last added."""
        K = self.n_components
        base = self.handles
        params = self._params
        if params is None:
            return  # nothing fitted yet: the first fit takes n_components as it is
        if base is None:
            if K == params.n_components and self._initial_means is not None:
                return  # automatic init, K unchanged
            base = self._initial_means if self._initial_means is not None else params.means
        if base.shape[0] == K and self.handles is not None:
            return
        new = extend_means(self._placement_data(), params, base, K)
        with self._quietly():
            self.handles = new

    def _fit_locks(self, name: str, new: Any) -> None:
        """Keep the locks consistent with the handles after a change of control ``name``.

        Handles set to None (back to the automatic init) drop every lock; locks beyond K
        are dropped; a lock while the init is automatic makes its means the handles.
        """
        K = self.n_components
        if name == "handles" and new is None:
            kept: list[int] = []
        else:
            kept = [k for k in self.locked_means if k < K]
        with self._quietly():
            if kept != self.locked_means:
                self.locked_means = kept
            if kept and self.handles is None and self._initial_means is not None:
                if self._initial_means.shape[0] == K:
                    self.handles = self._initial_means.copy()

    @contextmanager
    def hold_refit(self) -> Iterator[None]:
        """Change several controls from Python with one refit at the end.

        Examples
        --------
        >>> with explorer.hold_refit():  # doctest: +SKIP
        ...     explorer.n_components = 4
        ...     explorer.covariance_type = "diag"
        """
        self._batch += 1
        try:
            yield
        finally:
            self._batch -= 1
        if self._batch == 0 and self._batch_dirty:
            self._batch_dirty = False
            exc = self._refit()
            if exc is not None:
                raise exc

    def update(self, **controls: Any) -> MixtureExplorer:
        """Set several controls and refit once.

        Parameters
        ----------
        **controls
            Any of ``n_components``, ``covariance_type``, ``random_state``, ``n_init``,
            ``init_params``, ``means_init`` (the handles; None for automatic init) and
            ``locked_means``.

        Returns
        -------
        self : MixtureExplorer
        """
        allowed = {
            "n_components",
            "covariance_type",
            "random_state",
            "n_init",
            "init_params",
            "locked_means",
        }
        unknown = sorted(set(controls) - allowed - {"means_init"})
        if unknown:
            raise TypeError(
                f"update() got unknown control(s) {', '.join(unknown)}; the controls are "
                f"{', '.join(sorted(allowed | {'means_init'}))}."
            )
        # All or nothing: every value is validated before any is set.
        values: dict[str, Any] = {
            name: self.traits()[name]._validate(self, controls[name])
            for name in sorted(allowed)
            if name in controls
        }
        handles = None
        if controls.get("means_init") is not None:
            K = values.get("n_components", self.n_components)
            handles = self._check_means(controls["means_init"], K, self._X.shape[1])
        with self.hold_refit():
            for name, value in values.items():
                setattr(self, name, value)
            if "means_init" in controls:
                self.handles = handles
        return self

    def reset_points(self) -> MixtureExplorer:
        """Undo every point added or removed in the view (one refit).

        Returns
        -------
        self : MixtureExplorer
        """
        with self.hold_refit():
            self.points_added = np.empty((0, self._X.shape[1]))
            self.points_removed = np.empty(0, dtype=np.int64)
        return self

    def reset_init(self) -> MixtureExplorer:
        """Forget the handles (and their locks) and refit with the automatic init.

        Returns
        -------
        self : MixtureExplorer
        """
        if self.handles is None:
            return self
        self.handles = None
        return self

    def refit(self) -> MixtureExplorer:
        """Refit now with the current controls (runs a pending debounced refit at once).

        Returns
        -------
        self : MixtureExplorer

        Raises
        ------
        ValueError
            If the fit fails (the last good model is kept).
        """
        self._debouncer.cancel()
        exc = self._refit()
        if exc is not None:
            raise exc
        return self

    @property
    def refit_pending(self) -> bool:
        """Whether a debounced refit is scheduled and has not run yet."""
        return self._debouncer.pending

    # ------------------------------------------------------------- fitting
    def _controls(self) -> dict[str, Any]:
        return {
            "n_components": self.n_components,
            "covariance_type": self.covariance_type,
            "random_state": self.random_state,
            "n_init": self.n_init,
            "init_params": self.init_params,
            "handles": None if self.handles is None else self.handles.copy(),
            "points_added": self.points_added.copy(),
            "points_removed": self.points_removed.copy(),
            "locked_means": list(self.locked_means),
        }

    @staticmethod
    def _controls_json(controls: dict[str, Any]) -> dict[str, Any]:
        out = dict(controls)
        out["handles"] = _handles_to_json(controls["handles"])
        out["points_added"] = encode_array(controls["points_added"], "float64")
        out["points_removed"] = _removed_to_json(controls["points_removed"])
        return out

    def _debounced_refit(self) -> None:
        # Runs from the event loop: nobody to raise to, so the error goes to the view.
        self._refit()

    def _refit(self) -> Exception | None:
        """Fit with the current controls; publish it, or report the error and revert."""
        controls = self._controls()
        request = self.request
        wire = self._controls_json(controls)
        history = History()
        gm = None

        def send(start: int, batch: dict[str, Any]) -> None:
            self._send_arrays("frames", request=request, controls=wire, start=start, frames=batch)

        stream = _LateStream(
            FrameStream(send if self._ready else None, interval=self.stream_interval),
            delay=self.stream_interval,
        )
        self.busy = True
        try:
            gm = self._model_for(controls)
            gm.callbacks = [history, stream]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                if self._ready:  # rows with every value missing: said by the first fit
                    warnings.simplefilter("ignore", MissingValuesWarning)
                X = self._fit_data()
                gm.fit(X)
            params = mixture_params(gm)
            # With locked means only the free parameters count: the fitted model's own
            # criteria (a model rebuilt from the parameters would count every one).
            scorer = gm if controls["locked_means"] else GaussianMixture.from_params(params)
            scorer.missing = gm.missing  # missing="em": rows with NaN by their marginals
            scores = scorer.criteria(X)
        except Exception as exc:  # the view shows it; Python callers get it back
            self._fail(exc, controls, request)
            return exc
        finally:
            if gm is not None:
                gm.callbacks = None
            self.busy = False
        kept = history.for_init()
        self._publish(gm, params, history, kept, scores, controls, wire, request)
        return None

    def _model_for(self, controls: dict[str, Any]) -> GaussianMixture:
        """The GaussianMixture a refit fits.

        From handles, the initial weights and covariances come from the points nearest
        each handle (:func:`~gmm_widgets.mixture.placement.init_from_means`), so the fit
        starts exactly where the handles are and the automatic init's settings (seed,
        method, n_init) play no part. Locked handles are ``fixed_means``.
        """
        handles = controls["handles"]
        ct = controls["covariance_type"]
        if handles is None:
            return GaussianMixture(
                n_components=controls["n_components"],
                covariance_type=ct,
                random_state=controls["random_state"],
                n_init=controls["n_init"],
                init_params=controls["init_params"],
                **self._gm_params,
            )
        reg = self._gm_params.get("reg_covar", 1e-6)
        weights, precisions = init_from_means(self._placement_data(), handles, ct, reg)
        locked = {k: handles[k].copy() for k in controls["locked_means"]}
        return GaussianMixture(
            n_components=controls["n_components"],
            covariance_type=ct,
            random_state=controls["random_state"],
            init_params=controls["init_params"],
            means_init=handles,
            weights_init=weights,
            precisions_init=precisions,
            fixed_means=locked or None,
            **self._gm_params,
        )

    def _publish(self, gm, params, history, kept, scores, controls, wire, request) -> None:
        scores = {
            **scores,
            "n_iter": int(gm.n_iter_),
            "converged": bool(gm.converged_),
            "lower_bound": float(gm.lower_bound_),
        }
        initial = np.asarray(kept[0].means, dtype=np.float64)
        self._commit(gm, params, scores, initial, controls)
        self.history = history
        self.means_init = None if controls["handles"] is None else controls["handles"].copy()
        self._send_result(frames_from_states(kept), scores, wire, request, "fit")

    def _publish_model(self, model: Any, params: MixtureParams) -> None:
        """Show a fitted model given by the user, as one frame."""
        scorer = GaussianMixture.from_params(params)
        scorer.missing = self._gm_params.get("missing", "error")  # NaN: the marginals
        scores: dict[str, Any] = dict(scorer.criteria(self._X))
        lower_bound = float(params.lower_bound)
        scores.update(
            n_iter=int(params.n_iter),
            converged=bool(params.converged),
            lower_bound=lower_bound if math.isfinite(lower_bound) else None,
        )
        controls = self._controls()
        self._commit(model, params, scores, params.means.copy(), controls)
        self.history = None
        mi = getattr(model, "means_init", None)
        self.means_init = None if mi is None else np.array(mi, dtype=np.float64)
        frames = frames_from_states([state_from_params(params)])
        self._send_result(frames, scores, self._controls_json(controls), self.request, "model")

    def _commit(self, model, params, scores, initial, controls) -> None:
        self.previous_scores = self.scores or None
        self.scores = scores
        self.model = model
        self._params = params
        self._initial_means = initial
        self._good_controls = controls
        self.last_error = None
        self._refresh_profile()  # the profile table follows the model shown

    def _send_result(self, frames, scores, wire, request, source) -> None:
        with self.hold_sync():
            self.result = {
                "request": request,
                "source": source,
                "controls": wire,
                "frames": frames,
                "initial_means": _handles_to_json(self._initial_means),
                "scores": scores,
                "previous": self.previous_scores,
            }
            self.error = {}

    def _fail(self, exc: Exception, controls: dict[str, Any], request: int) -> None:
        """Report a failed refit and put the controls back to the last good fit's."""
        message = str(exc) or type(exc).__name__
        if not isinstance(exc, ValueError):
            message = f"{type(exc).__name__}: {message}"
        self.last_error = message
        desc = f"K={controls['n_components']}, {controls['covariance_type']}"
        if controls["handles"] is not None:
            desc += ", from the handles"
        if controls["locked_means"]:
            desc += f", means {controls['locked_means']} locked"
        good = self._good_controls
        with self.hold_sync(), self._quietly():
            self.error = {"message": message, "request": request, "controls": desc}
            if good:
                for name in CONTROLS:
                    setattr(self, name, good[name])

    # ------------------------------------------------------------- display
    @property
    def initial_means(self) -> np.ndarray | None:
        """The means the current model's EM started from, shape (n_components, n_features).

        The handles when the fit started from them, else where the automatic init put
        them.
        """
        return None if self._initial_means is None else self._initial_means.copy()


class _LateStream:
    """Pass EM states on to a :class:`FrameStream` only once a fit has run ``delay`` s.

    A quick refit is sent once, as the result; a slow one starts streaming (from its
    first state) after ``delay`` seconds, so the view plays it live.
    """

    def __init__(self, stream: FrameStream, delay: float, clock=time.monotonic) -> None:
        self.stream = stream
        self.delay = float(delay)
        self.clock = clock
        self.t0 = clock()
        self.live = False
        self.buffer: list[Any] = []

    def __call__(self, state: Any) -> None:
        if self.live:
            self.stream(state)
            return
        self.buffer.append(state)
        if self.clock() - self.t0 >= self.delay:
            self.live = True
            self.stream.states.extend(self.buffer)
            self.buffer = []
            self.stream.flush()
