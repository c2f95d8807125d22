"""The EM core: Gaussian mixture models in pure NumPy/SciPy.

This subpackage never imports widget or plotting code. The layers above it (plotting,
widgets, datasets, export) use only the names exported here and its public modules
(``anomaly``, ``callbacks``, ``params``, ``placement``, ...), never its ``_private``
modules: the checks, the option lists and the model-from-parameters constructor
(:meth:`GaussianMixture.from_params`) are this seam.
"""

from gmm_widgets.mixture._covariance import COVARIANCE_TYPES
from gmm_widgets.mixture._init import INIT_METHODS, sample_indices
from gmm_widgets.mixture._missing import MissingValuesWarning, check_missing, refuse_infinity
from gmm_widgets.mixture._repr import mixture_html
from gmm_widgets.mixture._validation import (
    ConvergenceWarning,
    NotFittedError,
    check_choice,
    check_feature_names,
    check_int,
    check_model_features,
    check_random_state,
    check_sample_weight,
    check_X,
    feature_names_of,
    is_dask_array,
    is_fitted,
    n_features_of,
    unfitted_copy,
)
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
from gmm_widgets.mixture.streaming import fit_stream, iter_batches
from gmm_widgets.mixture.tables import (
    assignments,
    least_certain,
    model_profile,
    profile_arrays,
    uncertainty,
)

__all__ = [
    "COVARIANCE_TYPES",
    "INIT_METHODS",
    "AnomalyDetector",
    "BestMixture",
    "ConvergenceWarning",
    "DetectionMetrics",
    "EMState",
    "GaussianMixture",
    "History",
    "MissingValuesWarning",
    "MixtureParams",
    "NotFittedError",
    "PointExplanation",
    "PrintProgress",
    "RefitResult",
    "SelectionResult",
    "assignments",
    "check_X",
    "check_choice",
    "check_feature_names",
    "check_int",
    "check_missing",
    "check_model_features",
    "check_random_state",
    "check_sample_weight",
    "detection_metrics",
    "explain_point",
    "feature_names_of",
    "fit_best_mixture",
    "fit_stream",
    "is_dask_array",
    "is_fitted",
    "iter_batches",
    "least_certain",
    "mixture_html",
    "mixture_params",
    "model_profile",
    "n_features_of",
    "precision_recall_curve",
    "profile_arrays",
    "refit_without_anomalies",
    "refuse_infinity",
    "sample_indices",
    "select_model",
    "silhouette_score",
    "threshold_from_contamination",
    "threshold_from_percentile",
    "uncertainty",
    "unfitted_copy",
    "weighted_percentile",
]
