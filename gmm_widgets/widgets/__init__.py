"""Jupyter widgets built on anywidget.

* :class:`FitPlayer`: watch EM fit a mixture, iteration by iteration.
* :class:`AnomalyInspector`: tune a log-density threshold on a score histogram, with the
  flagged points, the counts and (with labels) precision, recall and F1 beside it.

Shared pieces for widget authors: :mod:`._base` (:class:`GMMWidget`, bundle loading and
the data traits), :mod:`._transport` (binary arrays), :mod:`._model` (reading any fitted
mixture, ours or scikit-learn's), :mod:`._data` (validation, display subsample, PCA) and
:mod:`._frames` (EM states to frames, throttled streaming).
"""

from gmm_widgets.widgets._base import GMMWidget
from gmm_widgets.widgets.anomaly_inspector import AnomalyInspector
from gmm_widgets.widgets.fit_player import FitPlayer

__all__ = ["AnomalyInspector", "FitPlayer", "GMMWidget"]
