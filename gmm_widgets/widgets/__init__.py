"""Jupyter widgets built on anywidget.

* :class:`FitPlayer`: watch EM fit a mixture, iteration by iteration.
* :class:`AnomalyInspector`: tune a log-density threshold on a score histogram, with the
  flagged points, the counts and (with labels) precision, recall and F1 beside it.
* :class:`MixtureExplorer`: drag the initial means, change K and the covariance type,
  and watch EM refit, with BIC/AIC/ICL beside the previous fit's.
* :class:`ModelSelector`: BIC/AIC/ICL against K per covariance type; click a point to
  see that model over the data.
* :class:`MixtureSummary` (and :func:`summary`): a fitted mixture's table and a
  FitPlayer view; what ``%load_ext gmm_widgets`` shows for fitted mixtures.

Every widget has ``save_png(path)``, ``to_svg()`` and ``to_figure()`` (matplotlib, no
browser needed); the toolbar of each view downloads the browser's rendering.

Shared pieces for widget authors: :mod:`._base` (:class:`GMMWidget`, bundle loading and
the data traits), :mod:`._transport` (binary arrays), :mod:`._model` (reading any fitted
mixture, ours or scikit-learn's), :mod:`._data` (validation, display subsample, PCA) and
:mod:`._frames` (EM states to frames, throttled streaming).
"""

from gmm_widgets.widgets._base import GMMWidget
from gmm_widgets.widgets.anomaly_inspector import AnomalyInspector
from gmm_widgets.widgets.fit_player import FitPlayer
from gmm_widgets.widgets.mixture_explorer import MixtureExplorer
from gmm_widgets.widgets.model_selector import ModelSelector
from gmm_widgets.widgets.summary import MixtureSummary, summary

__all__ = [
    "AnomalyInspector",
    "FitPlayer",
    "GMMWidget",
    "MixtureExplorer",
    "MixtureSummary",
    "ModelSelector",
    "summary",
]
