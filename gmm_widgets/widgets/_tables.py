"""The widget's current model read back per row and per component, in Python.

Every widget shows one mixture (FitPlayer: the fit it plays; MixtureExplorer: the
current fit; ModelSelector: the selected model; AnomalyInspector: the density). These
methods give its numbers for every row of the widget's ``X`` (not only the rows drawn),
aligned to a DataFrame's index, through :mod:`gmm_widgets.mixture.tables`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gmm_widgets.mixture import assignments, least_certain, model_profile, uncertainty

__all__ = ["RowTablesMixin"]


class RowTablesMixin:
    """``assignments()``, ``uncertainty()``, ``least_certain()`` and ``profile()``.

    The widget provides ``_X`` (every row, validated), ``_index`` (a DataFrame's index
    or None), ``feature_names`` and :meth:`_table_model`.
    """

    _X: Any
    _index: Any = None
    feature_names: Any

    def _table_model(self) -> Any:
        """The mixture the widget shows now (override where it is not ``self.model``)."""
        model = getattr(self, "model", None)
        if model is None:
            raise ValueError("this widget shows no fitted mixture yet.")
        return model

    def assignments(self) -> Any:
        """Each row's component, probabilities, log-density and uncertainty.

        Returns
        -------
        pandas.DataFrame of shape (n_samples, n_components + 3)
            As :func:`gmm_widgets.assignments` for the widget's model on all of ``X``,
            indexed like ``X`` when it is a DataFrame (so it joins back onto it).
        """
        frame = assignments(self._table_model(), self._X)
        if self._index is not None:
            frame.index = self._index
        return frame

    def uncertainty(self) -> np.ndarray:
        """``1 - max_k p(k | x)`` of every row of ``X`` under the widget's model.

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return uncertainty(self._table_model(), self._X)

    def least_certain(self, n: int = 10) -> Any:
        """The ``n`` rows of ``X`` the widget's model is least sure of.

        Parameters
        ----------
        n : int, default=10

        Returns
        -------
        ndarray of shape (min(n, n_samples),) or pandas.Index
            Row positions, most uncertain first; ``X``'s index labels when ``X`` is a
            DataFrame.
        """
        rows = least_certain(self._table_model(), self._X, n)
        return rows if self._index is None else self._index[rows]

    def profile(self) -> Any:
        """One row per component: weight, count, each feature's mean and sd, what sets it apart.

        Returns
        -------
        pandas.DataFrame
            As :func:`gmm_widgets.model_profile`, with the widget's feature names.
        """
        return model_profile(self._table_model(), self._X, feature_names=self.feature_names)
