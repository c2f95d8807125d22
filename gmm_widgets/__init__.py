"""gmm_widgets: Gaussian mixture models you can watch, touch and tune in Jupyter.

The EM core lives in :mod:`gmm_widgets.mixture` and needs only NumPy and SciPy. The
widgets (:mod:`gmm_widgets.widgets`) are imported lazily, on first use of their names.
``%load_ext gmm_widgets`` makes fitted mixtures (ours and scikit-learn's) display as an
interactive summary (:mod:`gmm_widgets._ipython`).
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
    MissingValuesWarning,
    NotFittedError,
    PrintProgress,
    assignments,
    fit_best_mixture,
    model_profile,
    select_model,
)

_WIDGETS = (
    "FitPlayer",
    "MixtureExplorer",
    "ModelSelector",
    "AnomalyInspector",
    "MixtureSummary",
    "summary",
)

__all__ = [
    "AnomalyDetector",
    "ConvergenceWarning",
    "EMState",
    "GaussianMixture",
    "History",
    "MissingValuesWarning",
    "NotFittedError",
    "PrintProgress",
    "__version__",
    "assignments",
    "fit_best_mixture",
    "load_ipython_extension",
    "model_profile",
    "select_model",
    "unload_ipython_extension",
    *_WIDGETS,
]


def __getattr__(name: str) -> Any:
    if name in _WIDGETS:
        from gmm_widgets import widgets

        return getattr(widgets, name)
    raise AttributeError(f"module 'gmm_widgets' has no attribute {name!r}")


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext gmm_widgets``: fitted mixtures display as an interactive summary.

    See :mod:`gmm_widgets._ipython`.

    Parameters
    ----------
    ipython : IPython.core.interactiveshell.InteractiveShell
    """
    from gmm_widgets import _ipython

    _ipython.load_ipython_extension(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext gmm_widgets``: restore the formatters from before the extension.

    Parameters
    ----------
    ipython : IPython.core.interactiveshell.InteractiveShell
    """
    from gmm_widgets import _ipython

    _ipython.unload_ipython_extension(ipython)
