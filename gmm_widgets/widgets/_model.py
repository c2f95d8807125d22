"""Turn any fitted Gaussian mixture into plain arrays the widgets can draw.

Accepted: our :class:`~gmm_widgets.GaussianMixture`, scikit-learn's
``GaussianMixture`` (or any object with its fitted attributes ``weights_``,
``means_``, ``covariances_`` and ``covariance_type``), and an
:class:`~gmm_widgets.EMState` snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from gmm_widgets.mixture._covariance import COVARIANCE_TYPES, get_strategy
from gmm_widgets.mixture.callbacks import EMState

__all__ = [
    "MixtureParams",
    "check_model_features",
    "expand_covariances",
    "mixture_params",
    "model_or_new",
]


@dataclass(frozen=True)
class MixtureParams:
    """The parameters of a Gaussian mixture as float64 arrays.

    Attributes
    ----------
    weights : ndarray of shape (n_components,)
    means : ndarray of shape (n_components, n_features)
    covariances : ndarray
        In ``covariance_type``'s layout: ``(n_components, n_features, n_features)``
        for ``"full"``, ``(n_features, n_features)`` for ``"tied"``,
        ``(n_components, n_features)`` for ``"diag"``, ``(n_components,)`` for
        ``"spherical"``.
    covariance_type : str
    lower_bound : float
        The fit's final lower bound, or NaN if unknown.
    n_iter : int
        Iterations the fit ran, or 0 if unknown.
    converged : bool
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    covariance_type: str
    lower_bound: float = float("nan")
    n_iter: int = 0
    converged: bool = False

    @property
    def n_components(self) -> int:
        """Number of components."""
        return int(self.weights.shape[0])

    @property
    def n_features(self) -> int:
        """Number of features."""
        return int(self.means.shape[1])

    @property
    def full_covariances(self) -> np.ndarray:
        """Covariances as full matrices, shape (n_components, n_features, n_features)."""
        return expand_covariances(
            self.covariances, self.covariance_type, self.n_components, self.n_features
        )


def expand_covariances(
    covariances: Any, covariance_type: str, n_components: int, n_features: int
) -> np.ndarray:
    """Expand covariances of any type to full matrices.

    Parameters
    ----------
    covariances : array-like
        ``(K, d, d)`` for ``"full"``, ``(d, d)`` for ``"tied"``, ``(K, d)`` for
        ``"diag"``, ``(K,)`` for ``"spherical"``.
    covariance_type : {"full", "tied", "diag", "spherical"}
    n_components : int
    n_features : int

    Returns
    -------
    ndarray of shape (n_components, n_features, n_features)
    """
    strategy = get_strategy(covariance_type)
    cov = np.asarray(covariances, dtype=np.float64)
    expected = strategy.cov_shape(n_components, n_features)
    if cov.shape != expected:
        raise ValueError(
            f"covariances of a {covariance_type!r} mixture with {n_components} components "
            f"and {n_features} features must have shape {expected}, got {cov.shape}."
        )
    return strategy.to_full(cov, n_components, n_features)


def mixture_params(model: Any) -> MixtureParams:
    """Read the parameters of a fitted mixture.

    Parameters
    ----------
    model : GaussianMixture, sklearn.mixture.GaussianMixture, EMState or similar
        A fitted object with ``weights_``, ``means_``, ``covariances_`` and
        ``covariance_type`` (``lower_bound_``, ``n_iter_``, ``converged_`` are read
        when present), or an :class:`~gmm_widgets.EMState`.

    Returns
    -------
    MixtureParams

    Raises
    ------
    ValueError
        If the model is not fitted, or its arrays have inconsistent shapes.
    TypeError
        If ``model`` is not a Gaussian mixture at all.
    """
    if isinstance(model, EMState):
        weights, means, cov = model.weights, model.means, model.covariances
        cov_type = model.covariance_type
        extra = {
            "lower_bound": float(model.lower_bound),
            "n_iter": int(model.n_iter),
            "converged": bool(model.converged),
        }
    else:
        cov_type = getattr(model, "covariance_type", None)
        if cov_type is None or not hasattr(model, "fit"):
            raise TypeError(
                "model must be a Gaussian mixture with weights_, means_, covariances_ and "
                f"covariance_type (ours or scikit-learn's), got {type(model).__name__}."
            )
        missing = [a for a in ("weights_", "means_", "covariances_") if not hasattr(model, a)]
        if missing:
            raise ValueError(
                f"This {type(model).__name__} is not fitted yet (it has no "
                f"{', '.join(missing)}). Call model.fit(X) first, or pass no model and the "
                "GaussianMixture parameters to watch the fit."
            )
        weights, means, cov = model.weights_, model.means_, model.covariances_
        # scikit-learn's tied BayesianGaussianMixture stores lower_bound_ as a 1-array.
        lb = np.asarray(getattr(model, "lower_bound_", np.nan), dtype=np.float64).reshape(-1)
        extra = {
            "lower_bound": float(lb[-1]) if lb.size else float("nan"),
            "n_iter": int(getattr(model, "n_iter_", 0) or 0),
            "converged": bool(getattr(model, "converged_", False)),
        }
    if cov_type not in COVARIANCE_TYPES:
        raise ValueError(
            f"covariance_type must be one of {list(COVARIANCE_TYPES)}, got {cov_type!r}."
        )
    weights = np.asarray(weights, dtype=np.float64).reshape(-1)
    means = np.asarray(means, dtype=np.float64)
    if means.ndim != 2 or means.shape[0] != weights.shape[0]:
        raise ValueError(
            f"means_ must have shape (n_components, n_features) = ({weights.shape[0]}, d), "
            f"got {means.shape}."
        )
    cov = np.asarray(cov, dtype=np.float64)
    expand_covariances(cov, cov_type, means.shape[0], means.shape[1])  # checks the shape
    for name, arr in (("weights_", weights), ("means_", means), ("covariances_", cov)):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"the model's {name} contain NaN or infinity.")
    return MixtureParams(weights, means, cov, cov_type, **extra)


def check_model_features(params: MixtureParams, n_features: int, name: str = "model") -> None:
    """Refuse a model fitted on a different number of features than the data has.

    Parameters
    ----------
    params : MixtureParams
    n_features : int
        Columns of ``X``.
    name : str
        How the model is called in the message.
    """
    if params.n_features != n_features:
        raise ValueError(
            f"{name} was fitted on {params.n_features} feature(s) but X has {n_features}. "
            f"Pass the data the model was fitted on (same columns), or refit it on X."
        )


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
