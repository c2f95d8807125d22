"""The component profile table of a widget's view: its numbers, sent as binary arrays.

The browser's table (``js/src/lib/profile_table.js``) shows, per component of the
widget's model (:meth:`~gmm_widgets.widgets._tables.RowTablesMixin.profile`'s model:
a FitPlayer's final fit, a MixtureExplorer's current fit), its weight, its count, each
feature's mean and standard deviation and which features set it apart: the numbers of
:func:`gmm_widgets.model_profile`, from :func:`gmm_widgets.mixture.profile_arrays`.
They are computed only while the table is shown (``profile_shown``), since the counts
need the model's E-step over every row, and again whenever the model changes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import traitlets

from gmm_widgets.mixture import profile_arrays
from gmm_widgets.widgets._transport import tree_serialization

__all__ = ["ProfileViewMixin", "profile_payload"]


def profile_payload(model: Any, X: Any) -> dict[str, Any]:
    """What the browser's profile table gets: the profile's arrays, binary on the wire.

    Parameters
    ----------
    model : fitted mixture, EMState, MixtureParams or mapping
    X : array-like of shape (n_samples, n_features)

    Returns
    -------
    dict
        ``component`` (R,) int32, ``weight`` (R,), ``count`` (R,) int32, ``mean``,
        ``sd`` and ``effect`` (R, d) float32 on the wire, ``separating`` (R, d) uint8,
        and ``n_samples``; ``R`` is the number of components (plus one for noise).
    """
    arrays = profile_arrays(model, X)
    return {
        "component": arrays["component"].astype(np.int32),
        "weight": arrays["weight"],
        "count": arrays["count"].astype(np.int32),
        "mean": arrays["mean"],
        "sd": arrays["sd"],
        "effect": arrays["effect"],
        "separating": arrays["separating"],
        "n_samples": arrays["n_samples"],
    }


class ProfileViewMixin(traitlets.HasTraits):
    """``profile_shown`` (synced from the view's toggle) and ``profile_table``.

    The widget provides ``_X`` and ``_table_model()``, and calls
    :meth:`_refresh_profile` when its model changes.

    Attributes
    ----------
    profile_shown : bool
        Whether the view shows the profile table (its toggle; settable from Python).
    profile_table : dict
        The numbers of the table (:func:`profile_payload`), ``{}`` while it is hidden
        or there is no model.
    """

    _X: Any

    profile_shown = traitlets.Bool(False).tag(sync=True)
    profile_table = traitlets.Dict().tag(sync=True, **tree_serialization)

    @traitlets.observe("profile_shown")
    def _on_profile_shown(self, change: dict[str, Any]) -> None:
        self._refresh_profile()

    def _refresh_profile(self) -> None:
        """Recompute the table's numbers (when shown) for the widget's current model."""
        if not self.profile_shown:
            if self.profile_table:
                self.profile_table = {}
            return
        try:
            model = self._table_model()  # type: ignore[attr-defined]
        except ValueError:  # no fitted model yet
            self.profile_table = {}
            return
        self.profile_table = profile_payload(model, self._X)
