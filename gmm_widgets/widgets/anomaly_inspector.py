"""AnomalyInspector: tune a log-density threshold by eye, with the numbers beside it."""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import traitlets

from gmm_widgets.mixture import (
    COVARIANCE_TYPES,
    ConvergenceWarning,
    check_choice,
    check_feature_names,
    check_model_features,
    check_X,
    feature_names_of,
    is_fitted,
)
from gmm_widgets.mixture.anomaly import (
    DEFAULT_CONTAMINATION,
    AnomalyDetector,
    DetectionMetrics,
    RefitResult,
    check_contamination,
    check_labels,
    check_scores,
    detection_metrics,
    refit_without_anomalies,
    threshold_from_contamination,
    threshold_from_percentile,
)
from gmm_widgets.mixture.best_model import BestMixture, fit_best_mixture
from gmm_widgets.mixture.explain import explain_point
from gmm_widgets.mixture.gaussian_mixture import GaussianMixture
from gmm_widgets.mixture.held_out import HeldOutCheck, check_new_labels, check_threshold
from gmm_widgets.mixture.params import mixture_params
from gmm_widgets.widgets._base import ProjectedWidget
from gmm_widgets.widgets._data import MAX_DISPLAY_POINTS, prepare_data
from gmm_widgets.widgets._debounce import Debouncer
from gmm_widgets.widgets._marimo import setting_ui_value
from gmm_widgets.widgets._model import model_or_new
from gmm_widgets.widgets._model_controls import (
    CONTROLLED,
    OPTIONAL,
    ProgressReporter,
    controlled_settings,
    with_settings,
)
from gmm_widgets.widgets._transport import (
    array_serialization,
    encode_array,
    tree_from_json,
    tree_to_json,
)

__all__ = ["AnomalyInspector"]


def _to_json64(value: Any, widget: Any = None) -> Any:
    """Like ``tree_to_json``, but floating-point arrays travel as float64.

    The browser counts the points below a threshold with the same float64 comparisons
    as NumPy, so the count it shows while dragging is the one Python computes.
    """
    if value is None:
        return None
    if isinstance(value, np.ndarray):
        return encode_array(value, "float64" if value.dtype.kind == "f" else None)
    if isinstance(value, Mapping):
        return {str(k): _to_json64(v) for k, v in value.items()}
    return tree_to_json(value)


#: Serializers for a trait holding an array (or a dict of arrays) sent as float64.
float64_serialization: dict[str, Any] = {"to_json": _to_json64, "from_json": tree_from_json}


def _check_new_data(
    X: Any, X_valid: np.ndarray, X_new: Any, labels_new: Any
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Validate the held-out data against the tuning data (same columns)."""
    if X_new is None:
        if labels_new is not None:
            raise ValueError("labels_new needs X_new: pass the new points they label.")
        return None, None
    new = check_X(X_new, name="X_new")
    d, d_new = X_valid.shape[1], new.shape[1]
    if d_new != d:
        raise ValueError(
            f"X_new has {d_new} feature(s) but X has {d}; pass new rows with the same "
            "columns as X."
        )
    names, names_new = feature_names_of(X), feature_names_of(X_new)
    if names is not None and names_new is not None and list(names) != list(names_new):
        missing = [c for c in names if c not in set(names_new)]
        unexpected = [c for c in names_new if c not in set(names)]
        detail = (
            f"missing {missing}, unexpected {unexpected}"
            if missing or unexpected
            else "same names in another order"
        )
        raise ValueError(
            f"X_new's columns must be X's, in the same order ({detail}); select them "
            "with X_new[X.columns]."
        )
    truth_new = None if labels_new is None else check_new_labels(labels_new, new.shape[0])
    return new, truth_new


#: GaussianMixture parameters that fix K: with one of them, the widget does not choose K.
_FIXES_K = ("n_components", "weights_init", "means_init", "precisions_init")
#: K values the automatic density is chosen from (at most the number of rows).
AUTO_N_COMPONENTS = range(1, 11)


def _best_density(X: np.ndarray, gm_params: dict[str, Any]) -> BestMixture:
    """The BIC-best mixture of X over K (and the covariance types not fixed by gm_params)."""
    params = dict(gm_params)
    random_state = params.pop("random_state", 0)
    fixed_type = params.pop("covariance_type", None)
    types = COVARIANCE_TYPES if fixed_type is None else (fixed_type,)
    if fixed_type is not None:
        check_choice(fixed_type, "covariance_type", COVARIANCE_TYPES)
    ks = range(1, min(AUTO_N_COMPONENTS.stop - 1, X.shape[0]) + 1)
    return fit_best_mixture(X, ks, types, random_state=random_state, **params)


@dataclass(frozen=True)
class _Snapshot:
    """What an undo of a refit restores."""

    model: Any
    scores: np.ndarray
    scores_new: np.ndarray | None
    threshold: float
    contamination: float | None
    refit_info: dict[str, Any]
    model_choice: str
    noise_cut: float | None = None


def _score(model: Any, X: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        # scikit-learn models fitted on a DataFrame warn when scored on its array.
        warnings.filterwarnings("ignore", message=".*feature names.*", category=UserWarning)
        raw = model.score_samples(X)
    return check_scores(raw, "model.score_samples(X)")


def _mixture_payload(model: Any, n_features: int) -> dict[str, Any]:
    """Parameters the view draws (ellipses, boundary, responsibilities), or {}.

    A density model that is not a Gaussian mixture (no ``covariance_type``) is still
    inspected through its scores, without the mixture drawn.
    """
    try:
        params = mixture_params(model)
    except TypeError:
        return {}
    check_model_features(params, n_features)
    payload = {
        "covariance_type": params.covariance_type,
        "n_components": params.n_components,
        "n_features": params.n_features,
        "weights": params.weights,
        "means": params.means,
        "covariances": params.full_covariances(),
    }
    level = _noise_level(model)
    if level is not None:  # the uniform noise component (GaussianMixture(noise=...))
        payload["noise_log_density"] = level
        payload["noise_bounds"] = np.asarray(model.noise_bounds_, dtype=np.float64)
    return payload


#: The traits that set the threshold by a rule; a threshold set otherwise drops them.
_THRESHOLD_RULES = ("contamination", "noise_cut")


def _noise_level(model: Any) -> float | None:
    """``log(noise_weight_ / noise_volume_)``: the noise component's weighted
    log-density inside its box, or None for a model without one."""
    weight = getattr(model, "noise_weight_", None)
    if weight is None:
        return None
    with np.errstate(divide="ignore"):
        return float(np.log(weight) - np.log(model.noise_volume_))


class AnomalyInspector(ProjectedWidget):
    """Tune an anomaly threshold on a mixture's log-densities, with the numbers beside it.

    Left: the histogram of the log-densities ``model.score_samples(X)`` with a
    draggable threshold (also movable with the arrow keys), the number and percentage
    of points below it and, with ``labels``, precision, recall and F1 and a small
    precision-recall curve with the current threshold on it. Right: the data (1-D,
    2-D, or a chosen pair of features or the principal axes when d > 2) with the
    flagged points highlighted, the mixture's ellipses and, in 2-D, the decision
    boundary ``log p(x) = threshold``. Hovering a point shows its log-density and its
    responsibilities.

    The drag runs in the browser: the scores are sent once (float64 binary, sorted, so
    the count is a binary search), and :attr:`threshold`, :attr:`percentile` and
    :attr:`anomalies` are updated here when the handle is released. A point is an
    anomaly when ``score < threshold``, as everywhere in
    :mod:`gmm_widgets.mixture.anomaly`.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Data (NumPy array, memmap, list or DataFrame), validated before anything is
        displayed. Every row is scored; at most ``max_display_points`` rows are drawn.
    model : estimator, optional
        * ``None`` (default): a :class:`~gmm_widgets.GaussianMixture` fitted on ``X``.
          With ``n_components`` (or ``means_init``, ``weights_init``,
          ``precisions_init``) in ``**gaussian_mixture_params``, it is built from them.
          Without, it is the BIC-best model over K = 1..10 and the four covariance
          types (only ``covariance_type`` when that is given), found by
          :func:`~gmm_widgets.fit_best_mixture` (the grid on a seeded 4,000-row sample,
          the three best fitted again on every row); the view says which it chose.
        * an unfitted mixture (ours or scikit-learn's): fitted on ``X`` in place.
        * a fitted mixture, ours or scikit-learn's (or any fitted density model with
          ``fit`` and ``score_samples``; the mixture is drawn when it has
          ``weights_``, ``means_``, ``covariances_`` and ``covariance_type``).
    contamination : float, default=0.04
        Fraction of the points to flag at first, in (0, 0.5]: the threshold starts at
        ``np.percentile(scores, 100 * contamination)``.
    labels : array-like of shape (n_samples,), optional
        Known anomalies: 1 (or ``True``) for an anomaly, 0 for an inlier. Turns on the
        precision, recall and F1 read-outs and the precision-recall curve.
    threshold : float, optional
        Start at this log-density threshold instead (``contamination`` is then None).
    X_new : array-like of shape (n_new, n_features), optional
        Data the threshold was not tuned on, from the same source (a held-out split,
        next month's records). The view shows, for the current threshold, the fraction
        of these points flagged with its 95% interval beside the fraction flagged in
        ``X`` (see :attr:`held_out`), live while dragging. Same columns as ``X``.
    labels_new : array-like of shape (n_new,), optional
        Known anomalies among ``X_new`` (1/True = anomaly): adds precision, recall and
        F1 on the new points.
    max_display_points : int, default=100_000
        Most points drawn; above it a seeded uniform subsample is drawn. The histogram,
        the counts and the metrics always use every point.
    display_seed : int, default=0
        Seed of the display subsample.
    **gaussian_mixture_params
        Parameters of :class:`~gmm_widgets.GaussianMixture` (``n_components``,
        ``covariance_type``, ``random_state``, ...), when ``model`` is None. Without
        ``random_state``, the automatic choice of the density is seeded with 0.

    Attributes
    ----------
    model : estimator
        The mixture whose scores are shown (a new one after
        :meth:`refit_without_anomalies`).
    threshold : float
        Log-density threshold; set it to move the handle.
    contamination : float or None
        The fraction that set the threshold, or None once the threshold was set
        directly (dragged, typed, or assigned). Set it to move the handle to
        ``np.percentile(scores, 100 * contamination)``.
    percentile : float
        Read-only: percentage of the points below the threshold, ``100 * n_anomalies /
        n_samples``.
    n_anomalies : int
        Read-only: number of points below the threshold.
    anomalies : ndarray of shape (n_samples,), bool
        Read-only: ``scores < threshold``, updated with the threshold.
    scores : ndarray of shape (n_samples,)
        ``model.score_samples(X)`` (float64, read-only).
    labels : ndarray of shape (n_samples,), bool, or None
        The known anomalies; assign new labels to replace them.
    metrics : DetectionMetrics or None
        Precision, recall and F1 of :attr:`anomalies` against :attr:`labels`.
    model_choice : str
        How the density was chosen when the widget chose it, e.g. ``"K=3, full: best
        BIC of 40 fits"`` (shown in the view); ``""`` for a model given or specified.
    model_selection : BestMixture or None
        The automatic choice in full (its grid and finalists), or None.
    n_components, covariance_type, random_state, n_init
        The density model's settings, shown as the controls above the histogram (as in
        MixtureExplorer) when the model is a Gaussian mixture (ours or scikit-learn's).
        Changing one (in the view, or here) refits the model on ``X`` with it; the
        threshold keeps its rule (the same ``contamination`` when that set it, else
        the same fraction flagged), :meth:`undo_refit` goes back, and a fit that fails
        leaves the model and the controls as they were (the view shows why).
    model_controls : bool
        Read-only: whether the model has those settings (the controls are shown).
    fit_progress : dict
        Read-only: during a refit, ``init``, ``n_init``, ``n_iter`` and
        ``lower_bound`` of the fit under way (the view shows them); ``{}`` otherwise.
    explain_row : int or None
        The row whose explanation the view shows (set by clicking a point, or here);
        None hides it.
    explanation : dict
        Read-only: :meth:`explain` of :attr:`explain_row` (kept current through
        refits and threshold changes), or ``{}``.
    held_out : HeldOutCheck or None
        Read-only: the current threshold on ``X_new`` (None without it).
    refit_info : dict
        After a refit: ``n_samples``, ``n_removed``, ``n_kept``, ``n_flagged_after``,
        ``n_removed_still_flagged``, ``n_refits`` and the ``rule`` that carried the
        threshold over (``"contamination"`` or ``"percentile"``); empty before.
    projection : {"features", "pca"}
        With ``n_features > 2``: a pair of features or the first two principal axes.
    x_feature, y_feature : int
        Features on the axes when ``projection == "features"``.

    Raises
    ------
    ValueError
        Bad data (NaN/inf, wrong shape), ``contamination`` outside (0, 0.5], labels of
        the wrong length or not binary, a model fitted on another number of features,
        or scores that are not finite.
    TypeError
        A ``model`` that is not a density model, ``model`` together with
        ``**gaussian_mixture_params``, or unknown keyword arguments.

    Examples
    --------
    >>> from gmm_widgets.datasets import make_anomalies
    >>> X, y = make_anomalies(500, contamination=0.05, random_state=0)
    >>> insp = AnomalyInspector(X, labels=y, n_components=3, random_state=0)
    >>> insp.n_anomalies == int((insp.scores < insp.threshold).sum())
    True
    >>> insp.contamination = 0.05        # moves the handle in the view
    >>> detector = insp.to_detector()    # ready for new data
    """

    _bundle = "anomaly_inspector"

    # Sent once per model, as binary (float64 for scores, see float64_serialization).
    _display_scores = traitlets.Instance(np.ndarray, allow_none=True).tag(
        sync=True, **float64_serialization
    )
    _sorted_scores = traitlets.Instance(np.ndarray, allow_none=True).tag(
        sync=True, **float64_serialization
    )
    _sorted_labels = traitlets.Instance(np.ndarray, allow_none=True).tag(
        sync=True, **array_serialization
    )
    _display_labels = traitlets.Instance(np.ndarray, allow_none=True).tag(
        sync=True, **array_serialization
    )
    _display_rows = traitlets.Instance(np.ndarray, allow_none=True).tag(
        sync=True, **array_serialization
    )
    _mixture = traitlets.Dict().tag(sync=True, **float64_serialization)
    # The held-out data's scores, sorted (float64), and their labels in that order.
    _sorted_new_scores = traitlets.Instance(np.ndarray, allow_none=True).tag(
        sync=True, **float64_serialization
    )
    _sorted_new_labels = traitlets.Instance(np.ndarray, allow_none=True).tag(
        sync=True, **array_serialization
    )

    threshold = traitlets.Float(0.0).tag(sync=True)
    contamination = traitlets.Float(None, allow_none=True).tag(sync=True)
    noise_cut = traitlets.Float(None, allow_none=True).tag(sync=True)
    percentile = traitlets.Float(0.0, read_only=True).tag(sync=True)
    n_anomalies = traitlets.Int(0, read_only=True).tag(sync=True)
    anomalies = traitlets.Instance(np.ndarray, read_only=True)

    busy = traitlets.Bool(False).tag(sync=True)
    message = traitlets.Unicode("").tag(sync=True)
    refit_info = traitlets.Dict().tag(sync=True)
    model_choice = traitlets.Unicode("", read_only=True).tag(sync=True)
    # The density model's settings (js/src/lib/mixture_controls.js shows them).
    n_components = traitlets.Int(1).tag(sync=True)
    covariance_type = traitlets.Enum(COVARIANCE_TYPES, default_value="full").tag(sync=True)
    random_state = traitlets.Int(None, allow_none=True).tag(sync=True)
    n_init = traitlets.Int(1).tag(sync=True)
    noise = traitlets.Bool(False).tag(sync=True)
    noise_controls = traitlets.Bool(False, read_only=True).tag(sync=True)
    k_min = traitlets.Int(1, read_only=True).tag(sync=True)
    k_max = traitlets.Int(10, read_only=True).tag(sync=True)
    max_n_init = traitlets.Int(50, read_only=True).tag(sync=True)
    model_controls = traitlets.Bool(False, read_only=True).tag(sync=True)
    fit_progress = traitlets.Dict(read_only=True).tag(sync=True)
    explain_row = traitlets.Int(None, allow_none=True).tag(sync=True)
    explanation = traitlets.Dict(read_only=True).tag(sync=True)
    n_refits = traitlets.Int(0, read_only=True).tag(sync=True)

    def __init__(
        self,
        X: Any,
        model: Any = None,
        contamination: float | None = DEFAULT_CONTAMINATION,
        labels: Any = None,
        *,
        threshold: float | None = None,
        X_new: Any = None,
        labels_new: Any = None,
        max_display_points: int = MAX_DISPLAY_POINTS,
        display_seed: int = 0,
        debounce: float = 0.15,
        **gaussian_mixture_params: Any,
    ) -> None:
        # Everything is checked before the widget exists, so bad input never displays.
        if model is not None and getattr(model, "feature_names_in_", None) is not None:
            if feature_names_of(X) is not None:  # reordered or renamed columns: refuse
                check_feature_names(model, X)
        data = prepare_data(X, max_points=max_display_points, seed=display_seed)
        self._remember_given_model(model)
        n, d = data.X.shape
        if threshold is not None:
            threshold = self._check_threshold_value(threshold)
            contamination = None
        elif contamination is None:
            raise ValueError(
                "pass contamination= (a fraction in (0, 0.5]) or threshold= (a log-density) "
                "to place the first threshold."
            )
        else:
            contamination = check_contamination(contamination)
        truth = None if labels is None else check_labels(labels, n)
        X_new, truth_new = _check_new_data(X, data.X, X_new, labels_new)
        selection = None
        if model is None and not set(gaussian_mixture_params) & set(_FIXES_K):
            model_or_new(None, gaussian_mixture_params, "AnomalyInspector")  # names checked
            selection = _best_density(data.X, gaussian_mixture_params)
            model = selection.model
        else:
            model = self._resolve_model(data.X, model, gaussian_mixture_params)
        mixture = _mixture_payload(model, d)
        scores = _score(model, data.X)
        scores_new = None if X_new is None else _score(model, X_new)

        self._data = data
        self._X = data.X
        self._labels: np.ndarray | None = truth
        self._X_new = X_new
        self._labels_new = truth_new
        self._scores_new = scores_new
        self._scores = scores
        self._sorted = np.sort(scores)
        self._undo: list[_Snapshot] = []
        self._threshold_rule: str | None = None  # the rule trait setting the threshold now
        self.model = model
        self._quiet = 0
        self._from_browser = 0
        self._ready = False
        self._debouncer = Debouncer(self._debounced_model_refit, debounce)
        self.model_selection: BestMixture | None = selection
        self.last_refit: RefitResult | None = None

        super().__init__()
        with self.hold_sync():
            self._set_data(X, validated=data)
            self._set_projection(data)
            self._mixture = mixture
            self._send_scores()
            self._send_labels()
            self._send_new_scores()
            if selection is not None:
                self.set_trait("model_choice", selection.summary)
            self._show_settings(model)
            if contamination is not None:
                self.contamination = contamination  # sets the threshold
            elif threshold is not None:  # one of the two is given (checked above)
                self.threshold = threshold
            self._apply_threshold()
        self.on_msg(self._on_custom_msg)
        self._ready = True

    # ------------------------------------------------------------------ set-up
    @staticmethod
    def _resolve_model(X: np.ndarray, model: Any, gm_params: dict[str, Any]) -> Any:
        model = model_or_new(model, gm_params, "AnomalyInspector")
        d = X.shape[1]
        if isinstance(model, type):
            raise TypeError(
                f"model must be an estimator instance, not the class {model.__name__}; "
                f"pass {model.__name__}(...)."
            )
        if not (hasattr(model, "score_samples") and hasattr(model, "fit")):
            raise TypeError(
                "model must be a density model with fit and score_samples, such as "
                f"gmm_widgets.GaussianMixture; got {type(model).__name__}."
            )
        if is_fitted(model):
            check_model_features(model, d)
            return model
        if isinstance(model, GaussianMixture):
            model.check_fit_args(X)  # clear errors before the fit
        model.fit(X)
        return model

    @staticmethod
    def _check_threshold_value(value: Any) -> float:
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            raise TypeError(
                f"threshold must be a number (a log-density), got {type(value).__name__}."
            )
        if not math.isfinite(value):
            raise ValueError(f"threshold must be finite, got {value!r}.")
        return float(value)

    def _send_scores(self) -> None:
        idx = self._data.indices
        shown = self._scores if idx is None else self._scores[idx]
        self._display_scores = shown
        self._sorted_scores = self._sorted
        self._display_rows = None if idx is None else idx.astype(np.int32)

    def _send_new_scores(self) -> None:
        if self._scores_new is None:
            self._sorted_new_scores = None
            self._sorted_new_labels = None
            return
        order = np.argsort(self._scores_new, kind="stable")
        self._sorted_new_scores = self._scores_new[order]
        labels = self._labels_new
        self._sorted_new_labels = None if labels is None else labels[order]

    def _send_labels(self) -> None:
        if self._labels is None:
            self._sorted_labels = None
            self._display_labels = None
            return
        order = np.argsort(self._scores, kind="stable")
        self._sorted_labels = self._labels[order]  # bool: 1 byte per row on the wire
        idx = self._data.indices
        shown = self._labels if idx is None else self._labels[idx]
        self._display_labels = shown

    # --------------------------------------------------------------- threshold
    def _count_below(self, threshold: float) -> int:
        return int(np.searchsorted(self._sorted, threshold, side="left"))

    def _apply_threshold(self) -> None:
        """Derive percentile, n_anomalies and anomalies from the threshold."""
        t = self.threshold
        count = self._count_below(t)
        with self.hold_trait_notifications():
            self.set_trait("anomalies", self._scores < t)
            self.set_trait("n_anomalies", count)
            self.set_trait("percentile", 100.0 * count / self._scores.size)

    @traitlets.validate("threshold")
    def _valid_threshold(self, proposal: dict[str, Any]) -> float:
        try:
            return self._check_threshold_value(proposal["value"])
        except (TypeError, ValueError) as exc:
            raise traitlets.TraitError(str(exc)) from None

    @traitlets.validate("contamination")
    def _valid_contamination(self, proposal: dict[str, Any]) -> float | None:
        value = proposal["value"]
        if value is None:
            return None
        try:
            return check_contamination(value)
        except (TypeError, ValueError) as exc:
            raise traitlets.TraitError(str(exc)) from None

    @traitlets.observe("threshold")
    def _on_threshold(self, change: dict[str, Any]) -> None:
        if not hasattr(self, "_scores"):
            return
        self._apply_threshold()
        if self.explain_row is not None:
            self._update_explanation()  # "flagged" follows the threshold
        # A threshold set by anything but a rule (contamination, noise_cut) drops the rules.
        for rule in _THRESHOLD_RULES:
            if rule != self._threshold_rule:
                setattr(self, rule, None)

    @contextmanager
    def _rule_sets_threshold(self, rule: str | None) -> Iterator[None]:
        """Threshold changes in the block come from ``rule``, which they keep."""
        outer, self._threshold_rule = self._threshold_rule, rule
        try:
            yield
        finally:
            self._threshold_rule = outer

    @traitlets.observe("contamination")
    def _on_contamination(self, change: dict[str, Any]) -> None:
        value = change["new"]
        if value is None or not hasattr(self, "_scores"):
            return
        with self._rule_sets_threshold("contamination"):
            self.threshold = threshold_from_contamination(self._scores, value)

    @traitlets.validate("noise_cut")
    def _valid_noise_cut(self, proposal: dict[str, Any]) -> float | None:
        value = proposal["value"]
        if value is None:
            return None
        if not 0.0 < value < 1.0:
            raise traitlets.TraitError(
                f"noise_cut is a probability strictly between 0 and 1, got {value}."
            )
        if _noise_level(self.model) is None:
            raise traitlets.TraitError(
                "noise_cut flags the points whose posterior probability of noise exceeds "
                "it, but this model has no noise component: turn it on first "
                "(insp.noise = True, the 'noise' box in the settings, or "
                "GaussianMixture(noise=True))."
            )
        return float(value)

    @traitlets.observe("noise_cut")
    def _on_noise_cut(self, change: dict[str, Any]) -> None:
        value = change["new"]
        if value is None or not hasattr(self, "_scores"):
            return
        with self._rule_sets_threshold("noise_cut"):
            self.threshold = self._noise_threshold(self.model, value)

    @staticmethod
    def _noise_threshold(model: Any, cut: float) -> float:
        """The log-density below which a point's posterior probability of noise exceeds
        ``cut``: inside the noise box ``P(noise | x) = (w_0 / V) / p(x)``."""
        level = _noise_level(model)
        assert level is not None
        return level - float(np.log(cut))

    def flag_noise(self, cut: float = 0.5) -> None:
        """Flag the points whose posterior probability of noise exceeds ``cut``.

        The model's noise component (``GaussianMixture(noise=...)``, or the settings'
        noise box) has the density ``w_0 / V`` inside the data's box, so a point's
        posterior probability of noise is ``(w_0 / V) / p(x)``: above ``cut`` exactly
        when its log-density is below ``log(w_0 / V) - log(cut)``, the threshold this
        sets. Every row of ``X`` lies in the box, so on ``X`` the two readings flag the
        same points; a new point outside the box has no noise probability (the uniform
        component is 0 there) and is flagged by its log-density, as far out as it is.
        The rule is kept by refits (:attr:`noise_cut`), as ``contamination`` is.

        Parameters
        ----------
        cut : float, default=0.5
            In (0, 1); 0.5 flags the points more likely noise than not.

        Raises
        ------
        ValueError
            If the model has no noise component, or ``cut`` is not in (0, 1).
        """
        try:
            self.noise_cut = cut
        except traitlets.TraitError as exc:
            raise ValueError(str(exc)) from None

    def noise_probability(self) -> np.ndarray | None:
        """Each row's posterior probability of being noise, or None without a noise
        component.

        Returns
        -------
        ndarray of shape (n_samples,) or None
        """
        if _noise_level(self.model) is None:
            return None
        return np.asarray(self.model.predict_proba(self._X)[:, -1], dtype=np.float64)

    # ---------------------------------------------------------- model settings
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

    def _show_settings(self, model: Any) -> None:
        """Put the model's settings in the controls, without refitting."""
        settings = controlled_settings(model)
        with self._quietly(), self.hold_trait_notifications():
            self.set_trait("model_controls", settings is not None)
            if settings is None:
                return
            self.set_trait("k_max", max(10, min(self._scores.size, 50), settings["n_components"]))
            self.set_trait("max_n_init", max(50, settings["n_init"]))
            for name in CONTROLLED:
                setattr(self, name, settings[name])
            self.set_trait("noise_controls", "noise" in settings)
            self.noise = bool(settings.get("noise", False))

    @traitlets.validate("n_components")
    def _valid_n_components(self, proposal: dict[str, Any]) -> int:
        k = proposal["value"]
        n = self._scores.size if hasattr(self, "_scores") else None
        if k < 1 or (n is not None and k > n):
            raise traitlets.TraitError(
                f"n_components must be between 1 and the {n} samples of X, got {k}."
            )
        return k

    @traitlets.validate("n_init")
    def _valid_n_init(self, proposal: dict[str, Any]) -> int:
        v = proposal["value"]
        if not 1 <= v <= self.max_n_init:
            raise traitlets.TraitError(f"n_init must be between 1 and {self.max_n_init}, got {v}.")
        return v

    @traitlets.validate("random_state")
    def _valid_random_state(self, proposal: dict[str, Any]) -> int | None:
        v = proposal["value"]
        if v is not None and not 0 <= v < 2**32:
            raise traitlets.TraitError(f"random_state must be in [0, 2**32) or None, got {v}.")
        return v

    @traitlets.observe(*CONTROLLED, *OPTIONAL)
    def _on_setting(self, change: dict[str, Any]) -> None:
        if self._quiet or not self._ready:
            return
        if not self.model_controls or (change["name"] == "noise" and not self.noise_controls):
            with self._quietly():
                setattr(self, change["name"], change["old"])
            raise traitlets.TraitError(
                f"this model ({type(self.model).__name__}) has no {change['name']} to set; "
                "give the widget a GaussianMixture to tune it here."
            )
        if self._from_browser:
            self._debouncer()
            return
        self._debouncer.cancel()
        exc = self._refit_model()
        if exc is not None:
            raise exc

    def _debounced_model_refit(self) -> None:
        # Runs from the event loop: nobody to raise to, so the error goes to the view.
        self._refit_model()

    def _refit_model(self) -> Exception | None:
        """Fit the model with the controls' settings on X; show it or report and revert."""
        settings = {name: getattr(self, name) for name in CONTROLLED}
        if self.noise_controls:
            settings["noise"] = self.noise
        if settings == controlled_settings(self.model):
            return None
        new = with_settings(self.model, settings)

        def report(progress: dict[str, Any]) -> None:
            self.set_trait("fit_progress", progress)

        if isinstance(new, GaussianMixture):
            new.set_params(callbacks=ProgressReporter(report, settings["n_init"]))
        self.busy = True
        self.message = ""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                new.fit(self._X)
            scores = _score(new, self._X)
            scores_new = None if self._X_new is None else _score(new, self._X_new)
        except Exception as exc:  # the view shows it; Python callers get it back
            self._show_settings(self.model)  # the controls go back to the model shown
            self.message = f"{type(exc).__name__}: {exc}"
            return exc
        finally:
            if isinstance(new, GaussianMixture):
                new.set_params(callbacks=None)
            self.set_trait("fit_progress", {})
            self.busy = False
        rule, threshold, contamination, noise_cut = self._carried_rule(new, scores)
        self._undo.append(self._snapshot())
        info = {
            "kind": "settings",
            "n_samples": int(self._scores.size),
            "n_refits": len(self._undo),
            "rule": rule,
            **settings,
        }
        self.last_refit = None
        self.set_trait("model_choice", "")
        self._set_model(new, scores, scores_new, threshold, contamination, info, noise_cut)
        return None

    def _carried_rule(
        self, model: Any, scores: np.ndarray
    ) -> tuple[str, float, float | None, float | None]:
        """The threshold under a new model that means what the current one meant.

        Returns ``(rule, threshold, contamination, noise_cut)``: the same contamination,
        the same posterior probability of noise (when the new model has a noise
        component), or else the same fraction of points.
        """
        if self.contamination is not None:
            threshold = threshold_from_contamination(scores, self.contamination)
            return "contamination", threshold, self.contamination, None
        if self.noise_cut is not None and _noise_level(model) is not None:
            threshold = self._noise_threshold(model, self.noise_cut)
            return "noise_cut", threshold, None, self.noise_cut
        return "percentile", threshold_from_percentile(scores, self.percentile), None, None

    def _snapshot(self) -> _Snapshot:
        return _Snapshot(
            self.model,
            self._scores,
            self._scores_new,
            self.threshold,
            self.contamination,
            dict(self.refit_info),
            self.model_choice,
            self.noise_cut,
        )

    # ------------------------------------------------------------- explanation
    def explain(self, i: int) -> dict[str, Any]:
        """Why row ``i`` has its log-density, and whether it is flagged.

        Parameters
        ----------
        i : int
            A row of ``X`` (negative counts from the end).

        Returns
        -------
        dict
            ``row``, ``log_density`` (the score the histogram shows), ``percentile``
            (percentage of the rows with a lower log-density), ``flagged``
            (``log_density < threshold``) and, when the model is a Gaussian mixture,
            ``component`` (the most likely one), ``responsibility``, ``mahalanobis``
            (``D`` from that component) and ``features``: per feature its ``name``,
            ``value``, the component's ``mean``, ``z`` (the symmetrically whitened
            residual), ``contribution`` (``z**2``, summing to ``D**2``) and ``share``
            (of ``D**2``); see :func:`gmm_widgets.mixture.explain.explain_point`.
            Without a mixture, ``component`` is None and ``features`` is empty. With a
            noise component, also ``noise_probability`` (the row's posterior probability
            of noise); ``component`` is then the most likely Gaussian, and
            ``responsibility`` its posterior with the noise counted.

        Raises
        ------
        TypeError
            If ``i`` is not an int.
        IndexError
            If ``i`` is not a row of ``X``.
        """
        row = self._check_row(i)
        score = float(self._scores[row])
        out: dict[str, Any] = {
            "row": row,
            "log_density": score,
            "percentile": 100.0 * self._count_below(score) / self._scores.size,
            "flagged": bool(score < self.threshold),
            "component": None,
            "responsibility": None,
            "mahalanobis": None,
            "features": [],
        }
        if self._mixture:
            detail = explain_point(self.model, self._X[row], self.feature_names).to_dict()
            detail.pop("log_density")  # the model's own score_samples is shown
            out.update(detail)
        if _noise_level(self.model) is not None:
            proba = self.model.predict_proba(self._X[row : row + 1])[0]
            out["noise_probability"] = float(proba[-1])
            if out["component"] is not None:  # its posterior with the noise counted
                out["responsibility"] = float(proba[out["component"]])
        return out

    def _code_after(self) -> list[str]:
        return [
            f"threshold = {float(self.threshold)!r}  # the log-density threshold of the widget",
            "flagged = model.score_samples(X) < threshold  # the anomalies",
        ]

    def _check_row(self, i: Any) -> int:
        if isinstance(i, bool) or not isinstance(i, numbers.Integral):
            raise TypeError(f"a row must be an int, got {type(i).__name__}.")
        n, row = self._scores.size, int(i)
        if not -n <= row < n:
            raise IndexError(f"row {i} is out of range for X with {n} rows.")
        return row % n

    @traitlets.validate("explain_row")
    def _valid_explain_row(self, proposal: dict[str, Any]) -> int | None:
        value = proposal["value"]
        if value is None:
            return None
        try:
            return self._check_row(value)
        except (TypeError, IndexError) as exc:
            raise traitlets.TraitError(str(exc)) from None

    @traitlets.observe("explain_row")
    def _on_explain_row(self, change: dict[str, Any]) -> None:
        self._update_explanation()

    def _update_explanation(self) -> None:
        if not hasattr(self, "_scores"):
            return
        row = self.explain_row
        self.set_trait("explanation", {} if row is None else self.explain(row))

    # ---------------------------------------------------------------- features

    # ------------------------------------------------------------ public data
    @property
    def X(self) -> np.ndarray:
        """The validated data, shape (n_samples, n_features)."""
        return self._X

    @property
    def scores(self) -> np.ndarray:
        """Log-density of every row under :attr:`model`, shape (n_samples,), read-only."""
        view = self._scores.view()
        view.flags.writeable = False
        return view

    @property
    def labels(self) -> np.ndarray | None:
        """Known anomalies as a bool mask of shape (n_samples,), or None."""
        return None if self._labels is None else self._labels.copy()

    @labels.setter
    def labels(self, value: Any) -> None:
        self._labels = None if value is None else check_labels(value, self._scores.size)
        with self.hold_sync():
            self._send_labels()

    @property
    def metrics(self) -> DetectionMetrics | None:
        """Precision, recall and F1 of :attr:`anomalies` against :attr:`labels`."""
        if self._labels is None:
            return None
        return detection_metrics(self._labels, self.anomalies)

    @property
    def held_out(self) -> HeldOutCheck | None:
        """The current threshold applied to ``X_new``, or None without it.

        Returns
        -------
        HeldOutCheck or None
            ``n_flagged``, ``fraction`` with its 95% Wilson ``interval``, the
            ``tuning_fraction`` flagged in ``X``, and ``metrics`` with ``labels_new``.
        """
        if self._scores_new is None:
            return None
        return check_threshold(
            self._scores_new, self.threshold, self.percentile / 100.0, self._labels_new
        )

    # ----------------------------------------------------------------- actions
    def to_detector(self) -> AnomalyDetector:
        """An :class:`~gmm_widgets.AnomalyDetector` with the model and threshold chosen here.

        Returns
        -------
        AnomalyDetector
            Fitted (prefit) on ``X``: ``predict(X_new)`` flags ``score < threshold``
            with -1, and ``labels_`` equals ``np.where(anomalies, -1, 1)``.
        """
        return AnomalyDetector(self.model, threshold=self.threshold, prefit=True).fit(self._X)

    def refit_without_anomalies(self) -> RefitResult:
        """Refit the mixture without the flagged points and show the new model.

        Uses :func:`~gmm_widgets.mixture.anomaly.refit_without_anomalies` with the
        current threshold: a fresh copy of the model (same parameters) is fitted on the
        points that are not flagged, and every point is scored again under it.

        The log-densities of a new model are on another scale, so the threshold is
        carried over by what it meant: the same ``contamination`` when that set it,
        otherwise the same fraction of points (``percentile``). :attr:`refit_info`
        tells how many points were removed and how many of them the new model still
        flags. :meth:`undo_refit` goes back.

        Returns
        -------
        RefitResult

        Raises
        ------
        ValueError
            If no point is flagged, or every point is.
        """
        if self.n_anomalies == 0:
            raise ValueError(
                "no point is below the threshold, so there is nothing to remove; raise "
                "the threshold first."
            )
        result = refit_without_anomalies(self.model, self._X, threshold=self.threshold)
        snapshot = self._snapshot()
        new_scores = _score(result.model, self._X)
        new_scores_new = None if self._X_new is None else _score(result.model, self._X_new)
        rule, new_threshold, contamination, noise_cut = self._carried_rule(
            result.model, new_scores
        )
        flagged_after = new_scores < new_threshold
        info = {
            "n_samples": result.n_samples,
            "n_removed": result.n_removed,
            "n_kept": result.n_kept,
            "n_flagged_before": int(self.n_anomalies),
            "n_flagged_after": int(flagged_after.sum()),
            "n_removed_still_flagged": int((flagged_after & result.anomalies).sum()),
            "n_refits": len(self._undo) + 1,
            "rule": rule,
        }
        self._undo.append(snapshot)
        self.last_refit = result
        self._set_model(
            result.model, new_scores, new_scores_new, new_threshold, contamination, info, noise_cut
        )
        return result

    def undo_refit(self) -> None:
        """Go back to the model, threshold and contamination before the last refit.

        Raises
        ------
        ValueError
            If there is no refit to undo.
        """
        if not self._undo:
            raise ValueError("there is no refit to undo.")
        snap = self._undo.pop()
        self.last_refit = None
        self.set_trait("model_choice", snap.model_choice)
        self._set_model(
            snap.model,
            snap.scores,
            snap.scores_new,
            snap.threshold,
            snap.contamination,
            snap.refit_info,
            snap.noise_cut,
        )

    def _set_model(
        self,
        model: Any,
        scores: np.ndarray,
        scores_new: np.ndarray | None,
        threshold: float,
        contamination: float | None,
        info: dict[str, Any],
        noise_cut: float | None = None,
    ) -> None:
        mixture = _mixture_payload(model, self._X.shape[1])
        self.model = model
        self._scores = scores
        self._scores_new = scores_new
        self._sorted = np.sort(scores)
        with self.hold_sync():
            self._mixture = mixture
            self._send_scores()
            self._send_labels()
            self._send_new_scores()
            rule = (
                "contamination"
                if contamination is not None
                else "noise_cut"
                if noise_cut is not None
                else None
            )
            with self._rule_sets_threshold(rule):
                self.threshold = threshold
                self.contamination = contamination
                self.noise_cut = noise_cut
            self._apply_threshold()  # the scores changed even if the threshold did not
            self._update_explanation()
            self._show_settings(model)
            self.refit_info = info
            self.set_trait("n_refits", len(self._undo))
            self.message = ""

    # ------------------------------------------------------------- the view
    def _on_custom_msg(self, widget: Any, content: Any, buffers: Any) -> None:
        kind = content.get("type") if isinstance(content, Mapping) else None
        actions = {"refit": self.refit_without_anomalies, "undo": self.undo_refit}
        if kind not in actions:
            return
        self.busy = True
        self.message = ""
        try:
            actions[kind]()
        except Exception as exc:  # shown in the view; the kernel keeps running
            self.message = f"{type(exc).__name__}: {exc}"
        finally:
            self.busy = False
