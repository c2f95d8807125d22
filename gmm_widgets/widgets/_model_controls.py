"""The settings of a widget's density model that its controls change, and a refit's progress.

AnomalyInspector shows the same K / covariance / seed / n_init controls as
MixtureExplorer (``js/src/lib/mixture_controls.js``). These helpers read those settings
from a model (ours or scikit-learn's GaussianMixture), make the unfitted model a change
asks for, and report a fit's progress to the view at a bounded rate.
"""

from __future__ import annotations

import numbers
import time
from collections.abc import Callable
from typing import Any

from gmm_widgets.mixture import unfitted_copy

__all__ = ["CONTROLLED", "OPTIONAL", "ProgressReporter", "controlled_settings", "with_settings"]

#: The model parameters the controls set.
CONTROLLED = ("n_components", "covariance_type", "random_state", "n_init")
#: Parameters the controls also set when the model has them (ours: the noise component).
OPTIONAL = ("noise",)


def controlled_settings(model: Any) -> dict[str, Any] | None:
    """The controlled parameters of ``model``, or None when it has not all of them.

    Parameters
    ----------
    model : estimator
        With ``get_params`` (scikit-learn's convention), e.g. a GaussianMixture.

    Returns
    -------
    dict or None
        ``n_components``, ``covariance_type``, ``random_state`` (an int, or None for
        None or a ``RandomState``, which cannot be shown in a seed field) and
        ``n_init``; and ``noise`` (a bool: initial noise points count as on) when the
        model has that parameter.
    """
    get_params = getattr(model, "get_params", None)
    if get_params is None:
        return None
    params = get_params(deep=False)
    if not all(name in params for name in CONTROLLED):
        return None
    seed = params["random_state"]
    is_int = isinstance(seed, numbers.Integral) and not isinstance(seed, bool)
    settings = {
        "n_components": int(params["n_components"]),
        "covariance_type": str(params["covariance_type"]),
        "random_state": int(seed) if is_int else None,
        "n_init": int(params["n_init"]),
    }
    if "noise" in params:
        settings["noise"] = _noise_on(params["noise"])
    return settings


def _noise_on(noise: Any) -> bool:
    """Whether a ``noise`` parameter turns the component on (a mask or indices do)."""
    if noise is None or isinstance(noise, (bool, numbers.Integral)):
        return bool(noise)
    return True


def with_settings(model: Any, settings: dict[str, Any]) -> Any:
    """An unfitted copy of ``model`` with ``settings`` (the controlled parameters) set.

    A seed the controls show as None keeps the model's own ``random_state`` when that is
    a ``RandomState`` (it has no int to show).

    Parameters
    ----------
    model : estimator
    settings : dict
        Values for the names in :data:`CONTROLLED`.

    Returns
    -------
    estimator
    """
    fresh = unfitted_copy(model)
    params = dict(settings)
    own = model.get_params(deep=False)
    if params.get("noise") is not None and _noise_on(own.get("noise")) == params["noise"]:
        params.pop("noise")  # unchanged: keep the model's own (e.g. its initial points)
    own_seed = own["random_state"]
    if params.get("random_state") is None and own_seed is not None:
        if not isinstance(own_seed, numbers.Integral):
            params.pop("random_state")
    fresh.set_params(**params)
    return fresh


class ProgressReporter:
    """An EM callback that hands the fit's progress to ``report`` at most every ``interval`` s.

    Parameters
    ----------
    report : callable
        Called with ``{"init": i, "n_init": n, "n_iter": t, "lower_bound": lb}``
        (``init`` counts from 1).
    n_init : int
        Initialisations of the fit.
    interval : float, default=0.1
        Seconds between two reports (the first iteration is always reported).
    """

    def __init__(
        self, report: Callable[[dict[str, Any]], None], n_init: int, interval: float = 0.1
    ) -> None:
        self._report = report
        self._n_init = int(n_init)
        self._interval = float(interval)
        self._last = -float("inf")

    def __call__(self, state: Any) -> None:
        now = time.monotonic()
        if now - self._last < self._interval:
            return
        self._last = now
        lb = float(state.lower_bound)
        self._report(
            {
                "init": int(state.init) + 1,
                "n_init": self._n_init,
                "n_iter": int(state.n_iter),
                "lower_bound": lb if lb == lb and abs(lb) != float("inf") else None,
            }
        )
