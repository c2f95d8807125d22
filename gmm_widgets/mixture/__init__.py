"""The EM core: Gaussian mixture models in pure NumPy/SciPy.

This subpackage never imports widget or plotting code.
"""

from gmm_widgets.mixture._validation import ConvergenceWarning, NotFittedError
from gmm_widgets.mixture.anomaly import (
    AnomalyDetector,
    DetectionMetrics,
    RefitResult,
    detection_metrics,
    precision_recall_curve,
    refit_without_anomalies,
    threshold_from_contamination,
    threshold_from_percentile,
    weighted_percentile,
)
from gmm_widgets.mixture.best_model import BestMixture, fit_best_mixture
from gmm_widgets.mixture.callbacks import EMState, History, PrintProgress
from gmm_widgets.mixture.explain import PointExplanation, explain_point
from gmm_widgets.mixture.gaussian_mixture import GaussianMixture
from gmm_widgets.mixture.params import MixtureParams, mixture_params
from gmm_widgets.mixture.selection import SelectionResult, select_model, silhouette_score

__all__ = [
    "AnomalyDetector",
    "BestMixture",
    "ConvergenceWarning",
    "DetectionMetrics",
    "EMState",
    "GaussianMixture",
    "History",
    "MixtureParams",
    "NotFittedError",
    "PointExplanation",
    "PrintProgress",
    "RefitResult",
    "SelectionResult",
    "detection_metrics",
    "explain_point",
    "fit_best_mixture",
    "mixture_params",
    "precision_recall_curve",
    "refit_without_anomalies",
    "select_model",
    "silhouette_score",
    "threshold_from_contamination",
    "threshold_from_percentile",
    "weighted_percentile",
]
