"""Check a model the user gave a widget, or build the widget's own.

The mixture's parameters are read by :func:`gmm_widgets.mixture.mixture_params` (ours,
scikit-learn's, an :class:`~gmm_widgets.EMState`, ...), re-exported here with
:class:`~gmm_widgets.mixture.MixtureParams` and :func:`expand_covariances`.
"""

from __future__ import annotations

from typing import Any

from gmm_widgets.mixture.params import MixtureParams, expand_covariances, mixture_params

__all__ = [
    "MixtureParams",
    "expand_covariances",
    "mixture_params",
    "model_or_new",
]


def model_or_new(model: Any, gm_params: dict[str, Any], owner: str) -> Any:
    """The ``model`` a widget was given, or a new GaussianMixture from ``gm_params``.

    Parameters
    ----------
    model : object or None
    gm_params : dict
        The widget's extra keyword arguments, meant for :class:`GaussianMixture`.
    owner : str
        The widget's name, for error messages.

    Returns
    -------
    object

    Raises
    ------
    TypeError
        If both are given, or ``gm_params`` holds a name GaussianMixture does not take.
    """
    from gmm_widgets.mixture import GaussianMixture

    if model is not None and gm_params:
        raise TypeError(
            "pass either a model or GaussianMixture parameters "
            f"({', '.join(sorted(gm_params))}), not both."
        )
    if model is not None:
        return model
    try:
        return GaussianMixture(**gm_params)
    except TypeError as exc:
        valid = ", ".join(GaussianMixture._param_names())
        raise TypeError(
            f"{owner} got an unexpected keyword argument: {exc}. Keyword arguments other "
            f"than {owner}'s own are GaussianMixture parameters: {valid}."
        ) from None
