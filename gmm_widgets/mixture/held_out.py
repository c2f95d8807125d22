"""A threshold checked on data it was not tuned on: the flagged fraction with its interval.

A threshold tuned by eye on one data set flags some fraction of it by construction. On
new data from the same source it should flag about the same fraction; how far off is
"about" is the binomial sampling error of that fraction, given here as a Wilson score
interval (it stays inside [0, 1] and behaves at 0 or n flagged, where the textbook
normal interval collapses).

>>> from gmm_widgets.mixture.held_out import wilson_interval
>>> [round(v, 4) for v in wilson_interval(10, 500)]
[0.0109, 0.0364]
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import ndtri

from gmm_widgets.mixture.anomaly import DetectionMetrics, _check_binary, detection_metrics

__all__ = ["HeldOutCheck", "check_new_labels", "check_threshold", "wilson_interval"]


def wilson_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion ``k / n``.

    Parameters
    ----------
    k : int
        Successes (here: flagged points), ``0 <= k <= n``.
    n : int
        Trials (points), ``n >= 1``.
    confidence : float, default=0.95
        In (0, 1).

    Returns
    -------
    low, high : float
        In [0, 1]; ``low == 0`` when ``k == 0`` and ``high == 1`` when ``k == n``.

    Raises
    ------
    ValueError
        For counts outside ``0 <= k <= n``, ``n < 1``, or a confidence outside (0, 1).
    """
    for name, value in (("k", k), ("n", n)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be an int, got {type(value).__name__}.")
    if n < 1 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n and n >= 1, got k={k}, n={n}.")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}.")
    z = float(ndtri(0.5 + confidence / 2))
    p = k / n
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z * math.sqrt(p * (1 - p) / n + z2n / (4 * n)) / (1 + z2n)
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high


@dataclass(frozen=True)
class HeldOutCheck:
    """A threshold applied to new data, beside what it flagged where it was tuned.

    Attributes
    ----------
    n_samples : int
        Points of the new data.
    n_flagged : int
        New points with ``score < threshold``.
    fraction : float
        ``n_flagged / n_samples``.
    interval : tuple of float
        95% Wilson interval of ``fraction``.
    tuning_fraction : float
        The fraction flagged on the data the threshold was tuned on.
    metrics : DetectionMetrics or None
        Precision, recall and F1 on the new points, when their labels are known.
    """

    n_samples: int
    n_flagged: int
    fraction: float
    interval: tuple[float, float]
    tuning_fraction: float
    metrics: DetectionMetrics | None

    @property
    def consistent(self) -> bool:
        """Whether the tuning fraction lies inside the new data's interval."""
        low, high = self.interval
        return low <= self.tuning_fraction <= high


def check_new_labels(labels_new: Any, n_new: int) -> np.ndarray:
    """Validate the labels of new points (1/True = anomaly) as a boolean mask.

    Parameters
    ----------
    labels_new : array-like of shape (n_new,)
    n_new : int

    Returns
    -------
    ndarray of shape (n_new,), bool
    """
    return _check_binary(
        labels_new,
        "labels_new",
        n_new,
        "Use 1 for an anomaly and 0 for an inlier, one per row of X_new.",
    )


def check_threshold(
    scores_new: Any, threshold: float, tuning_fraction: float, labels_new: Any = None
) -> HeldOutCheck:
    """Apply ``threshold`` to new scores: the flagged fraction, its interval and metrics.

    Parameters
    ----------
    scores_new : array-like of shape (n_new,)
        Log-densities of the new points (finite).
    threshold : float
        A point is flagged when its score is below it.
    tuning_fraction : float
        The fraction flagged on the tuning data, for comparison.
    labels_new : array-like of shape (n_new,), optional
        Known anomalies among the new points (1/True = anomaly).

    Returns
    -------
    HeldOutCheck
    """
    scores = np.asarray(scores_new, dtype=np.float64)
    if scores.ndim != 1 or scores.size == 0:
        raise ValueError(f"scores_new must be a non-empty 1-D array, got shape {scores.shape}.")
    flags = scores < threshold
    k, n = int(np.count_nonzero(flags)), int(scores.size)
    metrics = None
    if labels_new is not None:
        metrics = detection_metrics(check_new_labels(labels_new, n), flags)
    return HeldOutCheck(
        n_samples=n,
        n_flagged=k,
        fraction=k / n,
        interval=wilson_interval(k, n),
        tuning_fraction=float(tuning_fraction),
        metrics=metrics,
    )
