"""The parameters of a Gaussian mixture, read from whatever holds them.

:func:`mixture_params` turns a fitted estimator (ours or scikit-learn's, including
``BayesianGaussianMixture``), an :class:`~gmm_widgets.mixture.callbacks.EMState`, a
:class:`MixtureParams`, any object with ``weights``, ``means``, ``covariances`` and
``covariance_type`` attributes, or a mapping with those keys into one validated
:class:`MixtureParams`. Plotting, the widgets and the data generators all read
mixtures through it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from gmm_widgets.mixture._covariance import (
    COVARIANCE_TYPES,
    get_strategy,
    n_mixture_parameters,
)
from gmm_widgets.mixture._validation import (
    NotFittedError,
    check_choice,
    check_int,
    check_random_state,
)
from gmm_widgets.mixture.callbacks import MixtureShape

__all__ = ["MixtureParams", "expand_covariances", "mixture_params"]

_NOT_A_MIXTURE = (
    "The object must be a Gaussian mixture or its parameters: expected a fitted "
    "GaussianMixture (ours or scikit-learn's), an EMState, a MixtureParams, an object "
    "with weights, means, covariances and covariance_type attributes, or a dict with "
    "those keys; got {}."
)


@dataclass(frozen=True, eq=False)
class MixtureParams(MixtureShape):
    """The parameters of a Gaussian mixture as validated float64 arrays.

    Build one directly, or read one from a fitted model with :func:`mixture_params`.
    The arrays are not copied when they already are float64.

    Parameters
    ----------
    weights : array-like of shape (n_components,)
        Mixture weights.
    means : array-like of shape (n_components, n_features)
        Component means.
    covariances : array-like
        In ``covariance_type``'s own layout (as in scikit-learn):
        ``(n_components, n_features, n_features)`` for ``"full"``,
        ``(n_features, n_features)`` for ``"tied"``, ``(n_components, n_features)`` for
        ``"diag"`` and ``(n_components,)`` for ``"spherical"``.
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
        How ``covariances`` is stored.
    lower_bound : float, default=nan
        The fit's final lower bound, or NaN if unknown.
    n_iter : int, default=0
        Iterations the fit ran, or 0 if unknown.
    converged : bool, default=False
        Whether the fit converged.

    Raises
    ------
    ValueError
        If ``covariance_type`` is unknown, the shapes do not match each other, or an
        array holds NaN or infinity.
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    covariance_type: str = "full"
    lower_bound: float = float("nan")
    n_iter: int = 0
    converged: bool = False

    def __post_init__(self) -> None:
        _check_covariance_type(self.covariance_type)
        means = np.asarray(self.means, dtype=np.float64)
        if means.ndim != 2 or 0 in means.shape:
            raise ValueError(
                f"means must have shape (n_components, n_features), got {means.shape}; "
                "use [[x, y], ...] even for one component."
            )
        k, d = means.shape
        weights = np.asarray(self.weights, dtype=np.float64)
        if weights.shape != (k,):
            raise ValueError(
                f"weights must have shape ({k},) to match means, got {weights.shape}."
            )
        cov = np.asarray(self.covariances, dtype=np.float64)
        _check_covariance_shape(cov, self.covariance_type, k, d)
        for name, arr in (("weights", weights), ("means", means), ("covariances", cov)):
            if not np.all(np.isfinite(arr)):
                raise ValueError(
                    f"{name} contains NaN or infinity; pass finite parameters (a fit "
                    "that diverged has none to read: refit it, e.g. with a larger "
                    "reg_covar)."
                )
        fields = {
            "weights": weights,
            "means": means,
            "covariances": cov,
            "covariance_type": str(self.covariance_type),
            "lower_bound": float(self.lower_bound),
            "n_iter": int(self.n_iter),
            "converged": bool(self.converged),
        }
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    @property
    def n_parameters(self) -> int:
        """Free parameters, as BIC and AIC count them (scikit-learn's count)."""
        return n_mixture_parameters(self.covariance_type, self.n_components, self.n_features)

    def full_covariances(self) -> np.ndarray:
        """Covariances expanded to full matrices (a new array on every call).

        Returns
        -------
        ndarray of shape (n_components, n_features, n_features)
        """
        return expand_covariances(
            self.covariances, self.covariance_type, self.n_components, self.n_features
        )

    def sample(
        self, n_samples: int, random_state: Any = None, *, shuffle: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """Draw samples from the mixture.

        Parameters
        ----------
        n_samples : int
            Number of samples; the count per component is multinomial with ``weights``.
        random_state : None, int, RandomState or Generator, optional
            Seed.
        shuffle : bool, default=True
            Shuffle the rows; otherwise they are ordered by component.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
        y : ndarray of shape (n_samples,), int
            The component each sample was drawn from.
        """
        n_samples = check_int(n_samples, "n_samples", minimum=1)
        weights = self.weights
        if np.any(weights < 0) or not weights.sum() > 0:
            raise ValueError(
                f"weights must be non-negative with a positive sum to sample, got {weights}."
            )
        factors = _sampling_factors(self.full_covariances())
        rng = check_random_state(random_state)
        # Normalised here, so weights that sum to 1 only up to rounding (or not at all,
        # as in a hand-written dict) give the proportions they state.
        counts = rng.multinomial(n_samples, weights / weights.sum())
        X = np.empty((n_samples, self.n_features))
        y = np.repeat(np.arange(self.n_components), counts)
        start = 0
        for k, n_k in enumerate(counts):
            z = rng.standard_normal((n_k, self.n_features))
            X[start : start + n_k] = self.means[k] + z @ factors[k].T
            start += n_k
        if shuffle:
            order = rng.permutation(n_samples)
            X, y = X[order], y[order]
        return X, y


def expand_covariances(
    covariances: Any, covariance_type: str, n_components: int, n_features: int
) -> np.ndarray:
    """Expand covariances of any type to full matrices.

    Parameters
    ----------
    covariances : array-like
        ``(n_components, n_features, n_features)`` for ``"full"``,
        ``(n_features, n_features)`` for ``"tied"``, ``(n_components, n_features)`` for
        ``"diag"``, ``(n_components,)`` for ``"spherical"``.
    covariance_type : {"full", "tied", "diag", "spherical"}
        How ``covariances`` is stored.
    n_components : int
        Number of components.
    n_features : int
        Number of features.

    Returns
    -------
    ndarray of shape (n_components, n_features, n_features)
        A new array: the tied matrix once per component, diagonal matrices for
        ``"diag"`` and ``"spherical"``.

    Raises
    ------
    ValueError
        If ``covariance_type`` is unknown or ``covariances`` has the wrong shape.
    """
    _check_covariance_type(covariance_type)
    cov = np.asarray(covariances, dtype=np.float64)
    _check_covariance_shape(cov, covariance_type, n_components, n_features)
    return get_strategy(covariance_type).to_full(cov, n_components, n_features)


def mixture_params(obj: Any) -> MixtureParams:
    """Read the parameters of a Gaussian mixture from whatever holds them.

    Parameters
    ----------
    obj : fitted estimator, EMState, MixtureParams, object or mapping
        One of

        * a fitted mixture, ours or scikit-learn's (``GaussianMixture``,
          ``BayesianGaussianMixture``): ``weights_``, ``means_``, ``covariances_``,
          ``covariance_type`` and, when present, ``lower_bound_``, ``n_iter_`` and
          ``converged_`` are read;
        * an :class:`~gmm_widgets.mixture.callbacks.EMState`, a :class:`MixtureParams`
          or any object with ``weights``, ``means``, ``covariances`` and
          ``covariance_type`` attributes (``lower_bound``, ``n_iter`` and
          ``converged`` are read when present);
        * a mapping (e.g. a dict) with those keys.

        Without weights the components weigh the same; without a covariance type it
        is ``"full"``.

    Returns
    -------
    MixtureParams
        ``obj`` itself when it already is one.

    Raises
    ------
    NotFittedError
        If ``obj`` is an estimator that is not fitted yet.
    TypeError
        If ``obj`` is not a Gaussian mixture or its parameters at all.
    ValueError
        If the parameters have inconsistent shapes, NaN or infinity, or an unknown
        covariance type.

    Examples
    --------
    >>> p = mixture_params({"means": [[0.0, 0.0], [3.0, 0.0]], "covariances": [1.0, 2.0],
    ...                     "covariance_type": "spherical"})
    >>> p.weights.tolist(), p.full_covariances().shape
    ([0.5, 0.5], (2, 2, 2))
    """
    if isinstance(obj, MixtureParams):
        return obj
    get = _getter(obj)
    means = np.asarray(get("means", None), dtype=np.float64)
    weights = get("weights", None)
    if weights is None and means.ndim == 2 and means.shape[0] > 0:
        weights = np.full(means.shape[0], 1.0 / means.shape[0])
    # scikit-learn's tied BayesianGaussianMixture stores lower_bound_ as a 1-array.
    lower_bound = np.asarray(get("lower_bound", np.nan), dtype=np.float64).reshape(-1)
    return MixtureParams(
        weights=weights,
        means=means,
        covariances=get("covariances", None),
        covariance_type=get("covariance_type", "full"),
        lower_bound=float(lower_bound[-1]) if lower_bound.size else float("nan"),
        n_iter=int(get("n_iter", 0) or 0),
        converged=bool(get("converged", False)),
    )


# --------------------------------------------------------------------------- helpers


def _getter(obj: Any) -> Callable[[str, Any], Any]:
    """``get(name, default)`` reading ``obj``'s parameter ``name``, whatever ``obj`` is."""
    if isinstance(obj, Mapping):
        missing = [key for key in ("means", "covariances") if key not in obj]
        if missing:
            raise TypeError(_NOT_A_MIXTURE.format(f"a {type(obj).__name__} without {missing}"))
        return lambda name, default: obj.get(name, default)
    if hasattr(obj, "means_") and hasattr(obj, "covariances_"):  # a fitted estimator
        # Fitted values end in "_", the covariance_type parameter does not.
        return lambda name, default: getattr(
            obj, name if name == "covariance_type" else name + "_", default
        )
    if hasattr(obj, "means") and hasattr(obj, "covariances"):  # EMState and the like
        return lambda name, default: getattr(obj, name, default)
    if hasattr(obj, "fit") and hasattr(obj, "covariance_type"):
        raise NotFittedError(
            f"This {type(obj).__name__} is not fitted yet (it has no means_ and "
            "covariances_). Call model.fit(X) first, or pass its parameters (a dict or "
            "MixtureParams) instead."
        )
    raise TypeError(_NOT_A_MIXTURE.format(type(obj).__name__))


def _sampling_factors(covs: np.ndarray) -> np.ndarray:
    """``L_k`` with ``L_k L_k^T = covs[k]``, for drawing ``mu_k + L_k z``.

    The Cholesky factor when it exists; for a covariance that is only positive
    semi-definite (a component collapsed onto a line, say) ``V sqrt(L)`` from its
    ``eigh``, with eigenvalues that rounding made slightly negative set to 0.

    Raises
    ------
    ValueError
        If a covariance is not symmetric positive semi-definite.
    """
    factors = np.empty_like(covs)
    for k, cov in enumerate(covs):
        try:
            factors[k] = np.linalg.cholesky(cov)
            continue
        except np.linalg.LinAlgError:
            pass
        vals, vecs = np.linalg.eigh(cov)
        tol = 1e-10 * max(float(np.max(np.abs(vals))), np.finfo(np.float64).tiny)
        if not np.allclose(cov, cov.T, rtol=1e-8, atol=1e-12) or vals[0] < -tol:
            raise ValueError(
                f"covariance {k} is not symmetric positive semi-definite, so the mixture "
                "cannot be sampled; pass valid covariances (a fitted model's are)."
            )
        factors[k] = vecs * np.sqrt(np.clip(vals, 0.0, None))
    return factors


def _check_covariance_type(covariance_type: Any) -> None:
    check_choice(covariance_type, "covariance_type", COVARIANCE_TYPES)


def _check_covariance_shape(cov: np.ndarray, covariance_type: str, k: int, d: int) -> None:
    expected = tuple(get_strategy(covariance_type).cov_shape(k, d))
    if cov.shape != expected:
        raise ValueError(
            f"covariances must have shape {expected} for "
            f"covariance_type={covariance_type!r} with {k} components and {d} features, "
            f"got {cov.shape}."
        )
