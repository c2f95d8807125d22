"""Why a point has the density it has: its most likely component and each feature's part.

A point's log-density under a Gaussian mixture is dominated by the component that
explains it best; how far it lies from that component is its Mahalanobis distance
``D``, and ``D**2`` splits over the features. The split used here whitens the residual
symmetrically (``z = Sigma^{-1/2} (x - mu)``, the "ZCA" whitening): the parts ``z_j**2``
are non-negative, sum to ``D**2``, keep each feature's identity (each ``z_j`` is the
whitened coordinate closest to feature ``j``) and do not depend on the order of the
features. With a diagonal covariance ``z_j = (x_j - mu_j) / sigma_j``.

>>> import numpy as np
>>> from gmm_widgets.mixture import GaussianMixture
>>> from gmm_widgets.mixture.explain import explain_point
>>> X = np.random.default_rng(0).normal(size=(500, 2)) * [1.0, 10.0]
>>> gm = GaussianMixture(1, covariance_type="diag", random_state=0).fit(X)
>>> e = explain_point(gm, [4.0, 0.0], feature_names=["a", "b"])
>>> e.contributions[0].name, round(e.contributions[0].share, 2)
('a', 1.0)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gmm_widgets.mixture.gaussian_mixture import GaussianMixture
from gmm_widgets.mixture.params import mixture_params

__all__ = ["FeatureContribution", "PointExplanation", "explain_point", "whitened_residual"]


@dataclass(frozen=True)
class FeatureContribution:
    """One feature's part in a point's distance from a component.

    Attributes
    ----------
    name : str
        The feature's name (``"x0"``, ... without names).
    value : float
        The point's coordinate.
    mean : float
        The component's mean for this feature.
    z : float
        The whitened residual's coordinate (signed: above or below the mean).
    contribution : float
        ``z**2``: this feature's part of the squared Mahalanobis distance.
    share : float
        ``contribution / D**2`` (0 when the point sits on the mean).
    """

    name: str
    value: float
    mean: float
    z: float
    contribution: float
    share: float


@dataclass(frozen=True)
class PointExplanation:
    """A point's log-density, its most likely component and the features behind it.

    Attributes
    ----------
    log_density : float
        ``log p(x)`` under the mixture (the core's ``score_samples``).
    component : int
        The component with the highest responsibility for the point.
    responsibility : float
        That component's posterior probability, in [0, 1].
    mahalanobis : float
        ``D``, the Mahalanobis distance from that component's mean.
    contributions : tuple of FeatureContribution
        One per feature, in the features' order.
    """

    log_density: float
    component: int
    responsibility: float
    mahalanobis: float
    contributions: tuple[FeatureContribution, ...]

    def to_dict(self) -> dict[str, Any]:
        """The explanation as plain Python numbers and lists (JSON-ready)."""
        return {
            "log_density": self.log_density,
            "component": self.component,
            "responsibility": self.responsibility,
            "mahalanobis": self.mahalanobis,
            "features": [vars(c).copy() for c in self.contributions],
        }


def whitened_residual(x: Any, mean: Any, covariance: Any) -> np.ndarray:
    """``Sigma^{-1/2} (x - mean)`` with the symmetric inverse square root.

    Parameters
    ----------
    x, mean : array-like of shape (n_features,)
    covariance : array-like of shape (n_features, n_features)
        Symmetric positive definite.

    Returns
    -------
    ndarray of shape (n_features,)
        Its squared norm is the squared Mahalanobis distance.

    Raises
    ------
    ValueError
        If the covariance is not positive definite.
    """
    cov = np.asarray(covariance, dtype=np.float64)
    eigval, eigvec = np.linalg.eigh(cov)
    if not eigval[0] > 0:
        raise ValueError(
            "the covariance is not positive definite (smallest eigenvalue "
            f"{eigval[0]:.3g}); refit the model with a larger reg_covar."
        )
    resid = np.asarray(x, dtype=np.float64) - np.asarray(mean, dtype=np.float64)
    return eigvec @ ((eigvec.T @ resid) / np.sqrt(eigval))


def explain_point(
    model: Any, x: Any, feature_names: Sequence[str] | None = None
) -> PointExplanation:
    """Explain a point's log-density under a fitted Gaussian mixture.

    Parameters
    ----------
    model : fitted mixture
        Ours or scikit-learn's (anything :func:`~gmm_widgets.mixture.mixture_params`
        reads).
    x : array-like of shape (n_features,)
        The point (finite).
    feature_names : sequence of str, optional
        One per feature; ``x0``, ``x1``, ... by default.

    Returns
    -------
    PointExplanation

    Raises
    ------
    ValueError
        For a point of the wrong length or not finite, or names of the wrong length.
    TypeError
        For a model that is not a fitted Gaussian mixture.
    """
    params = mixture_params(model)
    d = params.n_features
    point = np.asarray(x, dtype=np.float64)
    if point.shape != (d,):
        raise ValueError(f"x must have shape ({d},) for this model, got {point.shape}.")
    if not np.all(np.isfinite(point)):
        raise ValueError("x contains NaN or infinity; pass a finite point.")
    names = [f"x{j}" for j in range(d)] if feature_names is None else list(feature_names)
    if len(names) != d:
        raise ValueError(f"feature_names must hold {d} names, got {len(names)}.")
    core = GaussianMixture.from_params(params)
    row = point[None, :]
    resp = core.predict_proba(row)[0]
    k = int(np.argmax(resp))
    mean = params.means[k]
    z = whitened_residual(point, mean, params.full_covariances()[k])
    parts = z * z
    total = float(parts.sum())
    contributions = tuple(
        FeatureContribution(
            name=str(names[j]),
            value=float(point[j]),
            mean=float(mean[j]),
            z=float(z[j]),
            contribution=float(parts[j]),
            share=float(parts[j] / total) if total > 0 else 0.0,
        )
        for j in range(d)
    )
    return PointExplanation(
        log_density=float(core.score_samples(row)[0]),
        component=k,
        responsibility=float(resp[k]),
        mahalanobis=math.sqrt(total),
        contributions=contributions,
    )
