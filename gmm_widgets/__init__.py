"""gmm_widgets: Gaussian mixture models you can watch, touch and tune in Jupyter.

The EM core lives in :mod:`gmm_widgets.mixture` and needs only NumPy and SciPy. The
widgets (:mod:`gmm_widgets.widgets`) are imported lazily, on first use of their names.
"""

from __future__ import annotations

from typing import Any

from gmm_widgets._version import __version__
from gmm_widgets.mixture import (
    AnomalyDetector,
    ConvergenceWarning,
    EMState,
    GaussianMixture,
    History,
    NotFittedError,
    PrintProgress,
    select_model,
)

_WIDGETS = ("FitPlayer", "MixtureExplorer", "ModelSelector", "AnomalyInspector")

__all__ = [
    "AnomalyDetector",
    "ConvergenceWarning",
    "EMState",
    "GaussianMixture",
    "History",
    "NotFittedError",
    "PrintProgress",
    "__version__",
    "select_model",
    *_WIDGETS,
]


def __getattr__(name: str) -> Any:
    if name in _WIDGETS:
        from gmm_widgets import widgets

        return getattr(widgets, name)
    raise AttributeError(f"module 'gmm_widgets' has no attribute {name!r}")
