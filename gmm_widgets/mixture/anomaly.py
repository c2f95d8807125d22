"""Anomaly detection with a density model: thresholds on the log-density.

A point is an **anomaly when its score is strictly below the threshold**,
``score < threshold``, where the score is the model's log-density
(``score_samples``). Every function here uses that one rule.

* :func:`threshold_from_percentile` is ``np.percentile(scores, percentile)``, and
  :func:`threshold_from_contamination` is the same at ``100 * contamination``; for
  ``n`` distinct scores they flag about ``contamination * n`` points. With
  ``sample_weight`` they are weighted percentiles (:func:`weighted_percentile`): the
  threshold flags about that fraction of the total weight.
* :class:`AnomalyDetector` wraps a mixture and a threshold in scikit-learn's
  outlier-detector convention (``predict`` gives -1 for anomalies, 1 for inliers).
* :func:`refit_without_anomalies` refits a mixture without the points it flags, which
  removes the pull that outliers exert on the fitted means and covariances.
* :func:`detection_metrics` and :func:`precision_recall_curve` compare the flags with
  known labels (1 = anomaly).

Only NumPy is needed.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from gmm_widgets.mixture._estimator import EstimatorMixin
from gmm_widgets.mixture._validation import (
    NotFittedError,
    check_feature_names,
    check_sample_weight,
    check_X,
    feature_names_of,
    is_fitted,
    n_features_of,
    unfitted_copy,
)

__all__ = [
    "DEFAULT_CONTAMINATION",
    "AnomalyDetector",
    "DetectionMetrics",
    "RefitResult",
    "detection_metrics",
    "percentile_of_threshold",
    "precision_recall_curve",
    "refit_without_anomalies",
    "threshold_from_contamination",
    "threshold_from_percentile",
    "weighted_percentile",
]

#: Contamination used when neither a threshold nor a contamination is given.
DEFAULT_CONTAMINATION = 0.04


# --------------------------------------------------------------------------- checks


def check_scores(scores: Any, name: str = "scores") -> np.ndarray:
    """Scores as a finite 1-D float array, or a clear error naming ``name``.

    Parameters
    ----------
    scores : array-like of shape (n_samples,)
    name : str, default="scores"
        The argument's name in messages.

    Returns
    -------
    ndarray of shape (n_samples,), float64
    """
    try:
        s = np.asarray(scores, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of numbers: {exc}") from exc
    if s.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D of shape (n_samples,), got shape {np.shape(scores)}; pass "
            "the output of model.score_samples(X)."
        )
    if s.size == 0:
        raise ValueError(f"{name} is empty; at least one score is required.")
    bad = ~np.isfinite(s)
    if bad.any():
        kind = "NaN" if np.isnan(s).any() else "infinity"
        raise ValueError(
            f"{name} contains {kind} ({int(bad.sum())} non-finite value(s), first at index "
            f"{int(np.argmax(bad))}); remove those points or fix the data that produced them."
        )
    return s


def check_contamination(contamination: Any) -> float:
    """``contamination`` as a float in (0, 0.5], or a clear error.

    Parameters
    ----------
    contamination : float

    Returns
    -------
    float
    """
    if not isinstance(contamination, numbers.Real) or isinstance(contamination, bool):
        raise TypeError(
            f"contamination must be a number in (0, 0.5], got {type(contamination).__name__}."
        )
    value = float(contamination)
    if not 0 < value <= 0.5:
        hint = " (a fraction, not a percentage: 4 % is 0.04)" if value > 1 else ""
        raise ValueError(
            f"contamination must be in (0, 0.5]{hint}, got {contamination!r}; it is the "
            "fraction of points to flag as anomalies, e.g. 0.04."
        )
    return value


def _check_percentile(percentile: Any) -> float:
    if not isinstance(percentile, numbers.Real) or isinstance(percentile, bool):
        raise TypeError(
            f"percentile must be a number in (0, 100), got {type(percentile).__name__}."
        )
    value = float(percentile)
    if not 0 < value < 100:
        raise ValueError(
            f"percentile must be in (0, 100) (a percentage: 4 flags the lowest 4 %), "
            f"got {percentile!r}."
        )
    return value


def check_threshold(threshold: Any) -> float:
    """``threshold`` as a finite float (a log-density), or a clear error.

    Parameters
    ----------
    threshold : float

    Returns
    -------
    float
    """
    if not isinstance(threshold, numbers.Real) or isinstance(threshold, bool):
        raise TypeError(
            f"threshold must be a number (a log-density), got {type(threshold).__name__}."
        )
    value = float(threshold)
    if not np.isfinite(value):
        raise ValueError(f"threshold must be finite, got {threshold!r}.")
    return value


def _check_binary(values: Any, name: str, n_samples: int | None, hint: str) -> np.ndarray:
    v = np.asarray(values)
    if v.ndim != 1:
        raise ValueError(f"{name} must be 1-D of shape (n_samples,), got shape {v.shape}.")
    if n_samples is not None and v.shape[0] != n_samples:
        raise ValueError(
            f"{name} has {v.shape[0]} entries but there are {n_samples} samples; pass one "
            "entry per sample, in the same order."
        )
    if v.dtype == bool:
        return v
    if v.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold 0/1 or booleans, got dtype {v.dtype}.")
    ok = (v == 0) | (v == 1)
    if not ok.all():
        found = np.unique(v[~ok])[:5].tolist()
        raise ValueError(f"{name} must be binary (0/1 or booleans); found {found}. {hint}")
    return v == 1


def check_labels(labels: Any, n_samples: int | None) -> np.ndarray:
    """Anomaly labels (1 = anomaly, 0/1 or booleans) as a boolean mask.

    Parameters
    ----------
    labels : array-like of shape (n_samples,)
    n_samples : int or None
        The expected length, or None to accept any.

    Returns
    -------
    ndarray of shape (n_samples,), bool
    """
    return _check_binary(
        labels,
        "labels",
        n_samples,
        "Use 1 for an anomaly and 0 for an inlier; to convert scikit-learn's -1/1 "
        "predictions use labels = (pred == -1).",
    )


def _resolve_threshold(
    scores: np.ndarray, threshold: Any, contamination: Any, sample_weight: Any = None
) -> float:
    if threshold is not None and contamination is not None:
        raise ValueError(
            "pass either threshold or contamination, not both: threshold is a log-density "
            "cut-off, contamination the fraction of points to flag."
        )
    if threshold is not None:
        return check_threshold(threshold)
    if contamination is None:
        contamination = DEFAULT_CONTAMINATION
    return threshold_from_contamination(scores, contamination, sample_weight=sample_weight)


# --------------------------------------------------------------------------- thresholds


def weighted_percentile(scores: Any, percentile: float, sample_weight: Any = None) -> float:
    """``np.percentile`` (linear interpolation) generalised to weighted points.

    With equal weights this is exactly ``np.percentile(scores, percentile)``: the sorted
    scores sit at plotting positions ``k / (n - 1)`` and the percentile interpolates
    linearly between them. With weights, the score of sorted rank ``k`` sits at the
    weight below it, ``(C_k - w_k) / (W - w_last)`` (``C`` the cumulative weight, ``W``
    the total, ``w_last`` the last score's weight), so the percentile depends on the
    weights' proportions only: multiplying them all by a constant changes nothing.
    Points of zero weight are ignored.

    Parameters
    ----------
    scores : array-like of shape (n_samples,)
        Finite scores.
    percentile : float
        In [0, 100].
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative, finite, not all zero. ``None`` means equal weights.

    Returns
    -------
    float

    Notes
    -----
    Unlike repeating each point ``w`` times (frequency weights), this does not depend on
    the weights' absolute scale; the two agree when the weights are equal.

    Examples
    --------
    >>> weighted_percentile([1.0, 2.0, 3.0, 4.0], 50)
    2.5
    >>> weighted_percentile([1.0, 2.0, 3.0, 4.0], 50, sample_weight=[2, 2, 1, 1])
    2.25
    >>> weighted_percentile([1.0, 2.0, 3.0, 4.0], 50, sample_weight=[20, 20, 10, 10])
    2.25
    """
    s = check_scores(scores)
    q = float(percentile)
    if not 0.0 <= q <= 100.0:
        raise ValueError(f"percentile must be in [0, 100], got {percentile!r}.")
    w = check_sample_weight(sample_weight, s.size)
    if w is None or np.all(w == w[0]):
        return float(np.percentile(s, q))
    keep = w > 0
    s, w = s[keep], w[keep]
    order = np.argsort(s, kind="stable")
    s, w = s[order], w[order]
    if s.size == 1:
        return float(s[0])
    below = np.cumsum(w) - w  # the weight strictly before each sorted score
    positions = below / below[-1]
    return float(np.interp(q / 100.0, positions, s))


def threshold_from_percentile(scores: Any, percentile: float, sample_weight: Any = None) -> float:
    """Score threshold at a percentile of the scores.

    Parameters
    ----------
    scores : array-like of shape (n_samples,)
        Scores, lower meaning more anomalous (e.g. ``model.score_samples(X)``). Must be
        finite.
    percentile : float
        In (0, 100): the percentage of points to flag, e.g. ``4`` for 4 %.
    sample_weight : array-like of shape (n_samples,), optional
        The points' weights: the percentage is then of the total weight
        (:func:`weighted_percentile`).

    Returns
    -------
    float
        ``np.percentile(scores, percentile)`` (linear interpolation), weighted when
        ``sample_weight`` is given. Points with ``score < threshold`` are anomalies.

    Raises
    ------
    ValueError
        If ``percentile`` is outside (0, 100) or ``scores`` is empty, not 1-D or holds
        NaN or infinity.

    Examples
    --------
    >>> threshold_from_percentile([1.0, 2.0, 3.0, 4.0, 5.0], 25)
    2.0
    """
    return weighted_percentile(scores, _check_percentile(percentile), sample_weight)


def threshold_from_contamination(
    scores: Any, contamination: float, sample_weight: Any = None
) -> float:
    """Score threshold that flags a fraction ``contamination`` of the points.

    Parameters
    ----------
    scores : array-like of shape (n_samples,)
        Scores, lower meaning more anomalous. Must be finite.
    contamination : float
        In (0, 0.5]: the expected fraction of anomalies.
    sample_weight : array-like of shape (n_samples,), optional
        The points' weights: the fraction is then of the total weight
        (:func:`weighted_percentile`).

    Returns
    -------
    float
        ``np.percentile(scores, 100 * contamination)``, weighted when
        ``sample_weight`` is given. With distinct scores,
        ``score < threshold`` holds for ``floor((n - 1) * contamination) + 1`` of the
        ``n`` points when ``(n - 1) * contamination`` is not an integer (and one fewer
        when it is), that is about ``contamination * n``.

    Raises
    ------
    ValueError
        If ``contamination`` is outside (0, 0.5] or ``scores`` is invalid.

    Examples
    --------
    >>> import numpy as np
    >>> scores = np.arange(100.0)
    >>> t = threshold_from_contamination(scores, 0.05)
    >>> int((scores < t).sum())
    5
    """
    return weighted_percentile(scores, 100.0 * check_contamination(contamination), sample_weight)


def percentile_of_threshold(scores: Any, threshold: float, sample_weight: Any = None) -> float:
    """Percentage of the scores strictly below ``threshold``.

    Parameters
    ----------
    scores : array-like of shape (n_samples,)
        Finite scores.
    threshold : float
        A score cut-off.
    sample_weight : array-like of shape (n_samples,), optional
        The points' weights: the percentage is then of the total weight.

    Returns
    -------
    float
        ``100 * mean(scores < threshold)``, in [0, 100]: the percentage of points (of
        the total weight, with ``sample_weight``) that ``threshold`` flags.
    """
    s = check_scores(scores)
    flagged = s < check_threshold(threshold)
    w = check_sample_weight(sample_weight, s.size)
    if w is None:
        return float(100.0 * np.count_nonzero(flagged) / s.size)
    return float(100.0 * w[flagged].sum() / w.sum())


# --------------------------------------------------------------------------- metrics


@dataclass(frozen=True)
class DetectionMetrics:
    """How well flagged points match known anomaly labels.

    Attributes
    ----------
    precision : float
        Flagged points that are anomalies, as a fraction of flagged points (0 when
        nothing is flagged).
    recall : float
        Anomalies that are flagged, as a fraction of anomalies (0 when there are none).
    f1 : float
        Harmonic mean of precision and recall (0 when both are 0).
    true_positives, false_positives, false_negatives, true_negatives : int
        The confusion counts.
    """

    precision: float
    recall: float
    f1: float
    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int


def detection_metrics(labels: Any, anomalies: Any) -> DetectionMetrics:
    """Precision, recall and F1 of flagged points against known labels.

    Parameters
    ----------
    labels : array-like of shape (n_samples,)
        Truth: 1 (or ``True``) for an anomaly, 0 for an inlier.
    anomalies : array-like of shape (n_samples,)
        Flags: a boolean mask (e.g. ``scores < threshold``) or 0/1.

    Returns
    -------
    DetectionMetrics

    Raises
    ------
    ValueError
        If either is not binary or the lengths differ.

    Examples
    --------
    >>> m = detection_metrics([1, 1, 0, 0], [True, False, True, False])
    >>> m.precision, m.recall, m.f1
    (0.5, 0.5, 0.5)
    """
    n_labels, n_flags = len(np.atleast_1d(labels)), len(np.atleast_1d(anomalies))
    if n_labels != n_flags:
        raise ValueError(
            f"labels has {n_labels} entries but anomalies has {n_flags}; pass one label "
            "per point, in the same order."
        )
    truth = check_labels(labels, None)
    flags = _check_binary(
        anomalies,
        "anomalies",
        truth.shape[0],
        "Pass a boolean mask such as scores < threshold; to convert -1/1 predictions use "
        "pred == -1.",
    )
    tp = int(np.count_nonzero(truth & flags))
    fp = int(np.count_nonzero(~truth & flags))
    fn = int(np.count_nonzero(truth & ~flags))
    tn = int(truth.size - tp - fp - fn)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return DetectionMetrics(precision, recall, f1, tp, fp, fn, tn)


def precision_recall_curve(labels: Any, scores: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision and recall at every threshold that changes the flagged set.

    Parameters
    ----------
    labels : array-like of shape (n_samples,)
        1 (or ``True``) for an anomaly, 0 for an inlier; at least one anomaly.
    scores : array-like of shape (n_samples,)
        Finite scores, lower meaning more anomalous.

    Returns
    -------
    precision : ndarray of shape (n_thresholds,)
    recall : ndarray of shape (n_thresholds,)
        Non-decreasing; the last entry is 1.
    thresholds : ndarray of shape (n_thresholds,)
        Increasing. ``scores < thresholds[i]`` flags exactly the points counted in
        ``precision[i]`` and ``recall[i]``: each threshold is the next float above one
        distinct score.

    Raises
    ------
    ValueError
        If ``labels`` holds no anomaly, is not binary or has the wrong length.
    """
    s = check_scores(scores)
    truth = check_labels(labels, s.shape[0])
    n_pos = int(truth.sum())
    if n_pos == 0:
        raise ValueError("labels contains no anomaly (no 1), so recall is undefined.")
    order = np.argsort(s, kind="stable")
    s_sorted, t_sorted = s[order], truth[order]
    # Last index of every run of equal scores: the flagged set only changes there.
    last = np.r_[np.flatnonzero(np.diff(s_sorted)), s.size - 1]
    tp = np.cumsum(t_sorted)[last]
    flagged = last + 1
    precision = tp / flagged
    recall = tp / n_pos
    thresholds = np.nextafter(s_sorted[last], np.inf)
    return precision, recall, thresholds


# --------------------------------------------------------------------------- helpers


def _default_model() -> Any:
    from gmm_widgets.mixture.gaussian_mixture import GaussianMixture

    return GaussianMixture()


def _check_model(model: Any) -> Any:
    if model is None:
        return _default_model()
    if isinstance(model, type):
        raise TypeError(
            f"model must be an instance, got the class {model.__name__}; pass "
            f"{model.__name__}(...) (e.g. {model.__name__}(n_components=3))."
        )
    if not (hasattr(model, "score_samples") and hasattr(model, "fit")):
        raise TypeError(
            "model must be a density model with fit and score_samples, such as "
            f"gmm_widgets.GaussianMixture; got {type(model).__name__}."
        )
    return model


def _fit(model: Any, X: np.ndarray, sample_weight: np.ndarray | None) -> Any:
    if sample_weight is None:
        return model.fit(X)
    return model.fit(X, sample_weight=sample_weight)


# --------------------------------------------------------------------------- detector


class AnomalyDetector(EstimatorMixin):
    """Flag points whose log-density under a mixture is below a threshold.

    Follows scikit-learn's outlier-detector convention: :meth:`predict` returns -1 for
    anomalies and 1 for inliers, :meth:`score_samples` is the log-density (lower is more
    abnormal) and :meth:`decision_function` is ``score_samples(X) - offset_``, negative
    for anomalies. A point is an anomaly when ``score_samples(x) < threshold_``.

    Two modes, as scikit-learn's ``LocalOutlierFactor``:

    * **outlier detection** (``novelty=False``): the training data holds the anomalies
      you want to find. ``fit_predict(X)`` fits and flags them; ``contamination`` is
      the fraction of the training data that is anomalous.
    * **novelty detection** (``novelty=True``): fit on clean data, then
      ``predict(X_new)``. ``contamination`` is then the fraction of *clean* data that
      would be flagged (a false-alarm rate). ``fit_predict`` is unavailable, as flagging
      the clean training data is almost always a mistake.

    In both modes :meth:`predict`, :meth:`score_samples` and :meth:`decision_function`
    score any new data: a density is defined everywhere.

    Parameters
    ----------
    model : estimator, optional
        A mixture with ``fit`` and ``score_samples``: our
        :class:`~gmm_widgets.GaussianMixture` or scikit-learn's. Default:
        ``GaussianMixture()`` (one Gaussian). Whether it is refitted depends on
        ``prefit``; the passed object is never refitted in place.
    contamination : float, optional
        Fraction of the training points to flag, in (0, 0.5]. Used when ``threshold``
        is not given; the default is :data:`DEFAULT_CONTAMINATION` (0.04).
    threshold : float, optional
        A fixed log-density threshold; excludes ``contamination``.
    novelty : bool, default=False
        Novelty detection (clean training data) instead of outlier detection.
    prefit : {"auto", True, False}, default="auto"
        ``True``: ``model`` is already fitted; :meth:`fit` only sets the threshold.
        ``False``: :meth:`fit` fits an unfitted copy of ``model``. ``"auto"``: prefit
        when ``model`` has fitted attributes (names ending in ``_``).

    Attributes
    ----------
    model_ : estimator
        The fitted mixture (``model`` itself when prefit).
    threshold_ : float
        Log-density threshold; ``score < threshold_`` is an anomaly.
    offset_ : float
        Equal to ``threshold_`` (scikit-learn's name).
    labels_ : ndarray of shape (n_samples,)
        -1/1 flags of the training data.
    percentile_ : float
        Percentage of the training points below ``threshold_``.
    n_features_in_ : int
        Number of features seen in :meth:`fit`.

    Examples
    --------
    >>> import numpy as np
    >>> from gmm_widgets import GaussianMixture
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2))
    >>> det = AnomalyDetector(GaussianMixture(random_state=0), contamination=0.05)
    >>> labels = det.fit_predict(X)
    >>> int((labels == -1).sum())
    10
    """

    _estimator_type = "outlier_detector"

    def __init__(
        self,
        model: Any = None,
        *,
        contamination: float | None = None,
        threshold: float | None = None,
        novelty: bool = False,
        prefit: bool | str = "auto",
    ) -> None:
        self.model = model
        self.contamination = contamination
        self.threshold = threshold
        self.novelty = novelty
        self.prefit = prefit

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> AnomalyDetector:
        """Fit the mixture (unless prefit) and set the threshold from ``X``'s scores.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data: contaminated (``novelty=False``) or clean (``novelty=True``).
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), optional
            Passed to the mixture's ``fit``; the contamination is then a fraction of
            the total weight (a weighted percentile of the scores, see
            :func:`weighted_percentile`), and so is ``percentile_``.

        Returns
        -------
        self
        """
        if self.prefit not in ("auto", True, False):
            raise ValueError(f"prefit must be 'auto', True or False, got {self.prefit!r}.")
        if self.threshold is None and self.contamination is not None:
            check_contamination(self.contamination)
        model = _check_model(self.model)
        fitted = is_fitted(model)
        if self.prefit is True and not fitted:
            raise NotFittedError(
                "prefit=True but model is not fitted; fit it first or pass prefit='auto'."
            )
        use_prefit = fitted and self.prefit is not False
        n_features = n_features_of(model) if use_prefit else None
        if use_prefit:
            check_feature_names(model, X)
        raw, names = X, feature_names_of(X)
        X = check_X(X, n_features=n_features, owner=type(self).__name__)
        # Checked even when the prefit model is used as is: a wrong weight is a bug.
        sample_weight = check_sample_weight(sample_weight, X.shape[0])
        if use_prefit:
            self.model_ = model
        else:
            # Fitted on the named columns, so the model checks them too.
            self.model_ = _fit(
                unfitted_copy(model), raw if names is not None else X, sample_weight
            )
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        scores = check_scores(
            self.model_.score_samples(self._for_model(raw, X)), "model.score_samples(X)"
        )
        self.threshold_ = _resolve_threshold(
            scores, self.threshold, self.contamination, sample_weight
        )
        self.offset_ = self.threshold_
        self.n_features_in_ = int(X.shape[1])
        self.labels_ = np.where(scores < self.threshold_, -1, 1)
        self.percentile_ = percentile_of_threshold(scores, self.threshold_, sample_weight)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "threshold_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet; call fit(X) first."
            )

    def score_samples(self, X: Any) -> np.ndarray:
        """Log-density of each sample under the mixture (lower is more abnormal).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        self._check_fitted()
        check_feature_names(self, X)
        raw, X = X, check_X(X, n_features=self.n_features_in_, owner=type(self).__name__)
        return np.asarray(self.model_.score_samples(self._for_model(raw, X)), dtype=np.float64)

    def _for_model(self, raw: Any, X: np.ndarray) -> Any:
        # A model that keeps column names gets them (already checked to match).
        return raw if getattr(self.model_, "feature_names_in_", None) is not None else X

    def decision_function(self, X: Any) -> np.ndarray:
        """``score_samples(X) - offset_``: negative for anomalies.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return self.score_samples(X) - self.offset_

    def predict(self, X: Any) -> np.ndarray:
        """-1 for anomalies (``score < threshold_``), 1 for inliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,), int
        """
        return np.where(self.decision_function(X) < 0, -1, 1)

    @property
    def fit_predict(self) -> Callable[..., np.ndarray]:
        """Fit on ``X`` and return its -1/1 flags (outlier detection only).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        ndarray of shape (n_samples,), int
        """
        if self.novelty:
            raise AttributeError(
                "fit_predict is not available when novelty=True: fit on clean data with "
                "fit(X_clean), then call predict(X_new). Use novelty=False to flag "
                "anomalies in the training data."
            )
        return self._fit_predict

    def _fit_predict(self, X: Any, y: Any = None, sample_weight: Any = None) -> np.ndarray:
        return self.fit(X, y, sample_weight=sample_weight).labels_.copy()

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.estimator_type = "outlier_detector"
        return tags


# --------------------------------------------------------------------------- refit


@dataclass(frozen=True, eq=False)
class RefitResult:
    """What :func:`refit_without_anomalies` did.

    Attributes
    ----------
    model : estimator
        A new mixture fitted on the points that were not flagged.
    n_removed : int
        Number of points left out.
    n_samples : int
        Number of points in ``X``.
    anomalies : ndarray of shape (n_samples,), bool
        The points left out (``score < threshold`` under ``original_model``).
    threshold : float
        The log-density threshold used, under ``original_model``.
    original_model : estimator
        The model the scores came from (fitted on all of ``X`` if it was unfitted).
    """

    model: Any
    n_removed: int
    n_samples: int
    anomalies: np.ndarray
    threshold: float
    original_model: Any

    @property
    def n_kept(self) -> int:
        """Number of points the new model was fitted on."""
        return self.n_samples - self.n_removed


def refit_without_anomalies(
    model: Any,
    X: Any,
    threshold: float | None = None,
    contamination: float | None = None,
    *,
    sample_weight: Any = None,
) -> RefitResult:
    """Refit a mixture without the points it flags as anomalies.

    Outliers pull a maximum-likelihood fit towards them (wider covariances, shifted
    means). Scoring ``X``, dropping the points with ``score < threshold`` and fitting a
    fresh copy of ``model`` (same parameters, e.g. the same ``random_state``) on the rest
    removes that pull.

    Parameters
    ----------
    model : estimator
        A mixture with ``fit`` and ``score_samples`` (ours or scikit-learn's). If it is
        not fitted, an unfitted copy is first fitted on all of ``X`` to score it. It is
        never modified.
    X : array-like of shape (n_samples, n_features)
        The data, including the anomalies.
    threshold : float, optional
        Log-density threshold under ``model``. Give this or ``contamination``.
    contamination : float, optional
        Fraction of points to remove, in (0, 0.5]; the threshold is
        :func:`threshold_from_contamination` of the scores (weighted by
        ``sample_weight`` when given: a fraction of the total weight).
    sample_weight : array-like of shape (n_samples,), optional
        Passed, restricted to the kept points, to the new model's ``fit`` (and to the
        first fit when ``model`` is unfitted).

    Returns
    -------
    RefitResult
        The new model, ``n_removed`` and the ``anomalies`` mask.

    Raises
    ------
    ValueError
        If neither or both of ``threshold`` and ``contamination`` are given, if
        ``contamination`` is outside (0, 0.5], if ``X`` has another number of features
        than the fitted ``model``, or if the threshold would remove every point.

    Examples
    --------
    >>> import numpy as np
    >>> from gmm_widgets import GaussianMixture
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(size=(190, 2)), rng.uniform(-8, 8, size=(10, 2))])
    >>> result = refit_without_anomalies(
    ...     GaussianMixture(random_state=0), X, contamination=0.05
    ... )
    >>> result.n_removed, result.n_kept
    (10, 190)
    """
    if threshold is None and contamination is None:
        raise ValueError(
            "pass threshold= (a log-density) or contamination= (a fraction in (0, 0.5]) "
            "to say which points to remove."
        )
    if contamination is not None and threshold is None:
        check_contamination(contamination)
    model = _check_model(model)
    fitted = is_fitted(model)
    X = check_X(X, n_features=n_features_of(model) if fitted else None)
    sample_weight = check_sample_weight(sample_weight, X.shape[0])
    original = model if fitted else _fit(unfitted_copy(model), X, sample_weight)
    scores = check_scores(original.score_samples(X), "model.score_samples(X)")
    thr = _resolve_threshold(scores, threshold, contamination, sample_weight)
    anomalies = scores < thr
    n_removed = int(np.count_nonzero(anomalies))
    if n_removed == X.shape[0]:
        raise ValueError(
            f"threshold={thr:g} flags all {X.shape[0]} points, leaving nothing to refit; "
            "lower the threshold."
        )
    keep = ~anomalies
    new = _fit(
        unfitted_copy(model), X[keep], None if sample_weight is None else sample_weight[keep]
    )
    return RefitResult(
        model=new,
        n_removed=n_removed,
        n_samples=int(X.shape[0]),
        anomalies=anomalies,
        threshold=thr,
        original_model=original,
    )
