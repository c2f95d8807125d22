"""Fixed parameters and equal weights: their checks, free-parameter count and M-step.

``GaussianMixture(fixed_weights=..., fixed_means=..., fixed_covariances=...,
equal_weights=...)`` holds chosen parameters at given values. Each ``fixed_*`` is
``None`` (all free), an array of the attribute's full shape (all fixed) or a dict
``{k: value}`` fixing component ``k`` only (not for a ``"tied"`` covariance, which all
components share).

The M-step maximises the expected complete-data log-likelihood over the free parameters
only, exactly:

* weights: free weights ``w_k = (1 - A) N_k / sum_free N_j`` with ``A`` the sum of the
  fixed ones (Lagrange on ``sum_free w = 1 - A``); ``equal_weights``: ``1 / K``;
* means: ``mu_k = sum r x / N_k`` whatever the covariances (the gradient of the
  expected log-likelihood in ``mu_k`` is ``P_k sum r (x - mu_k)``, zero there for any
  positive definite ``P_k``, also for a tied ``P``);
* covariances: the scatter about the (fixed or updated) means divided by ``N_k``, plus
  ``reg_covar``: ``sum r (x - mu_k)(x - mu_k)^T / N_k`` (full); its diagonal (diag)
  or mean diagonal (spherical); ``sum_k sum r (x - mu_k)(x - mu_k)^T / n`` (tied),
  all from the sufficient statistics ``N_k, sum r x, sum r x x^T``.

Fixed covariances are used as given (no ``reg_covar`` is added) and their precisions
are computed from them once. Everything inside a fit is in the fit's centred
coordinates: fixed means are stored as given and shifted by the fit's centre.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from gmm_widgets.mixture._covariance import get_strategy
from gmm_widgets.mixture._stats import EMParams, MomentStats, SuffStats, scatter_inputs

__all__ = ["FixedParams", "check_fixed", "constrained_m_step"]


@dataclass(frozen=True)
class FixedParams:
    """Checked fixed parameters of a model (float64, in the data's coordinates).

    Attributes
    ----------
    n_components, n_features : int
    covariance_type : str
    weights : ndarray of shape (K,)
        Fixed weights; NaN where free.
    weight_fixed, mean_fixed, cov_fixed : ndarray of shape (K,), bool
        Which components' weight, mean and covariance are fixed (for ``"tied"`` the
        covariance is fixed for all or none).
    equal_weights : bool
    means : ndarray of shape (K, d)
        Fixed means (rows of free components are NaN).
    covariances : ndarray
        In ``covariance_type``'s shape; fixed components' covariances (free: NaN).
    prec_chol : ndarray
        Precision Cholesky factors of the fixed covariances (free: NaN).
    """

    n_components: int
    n_features: int
    covariance_type: str
    weights: np.ndarray
    weight_fixed: np.ndarray
    equal_weights: bool
    means: np.ndarray
    mean_fixed: np.ndarray
    covariances: np.ndarray
    cov_fixed: np.ndarray
    prec_chol: np.ndarray

    def n_parameters(self) -> int:
        """Free parameters, as BIC/AIC/ICL count them.

        Weights: ``0`` with ``equal_weights``; else ``max(F - 1, 0)`` for ``F`` free
        weights when one or more is fixed (they sum to ``1 - A``), ``K - 1`` when none
        is. Means: ``d`` per free mean. Covariances: per free component ``d (d + 1) / 2``
        (full), ``d`` (diag), ``1`` (spherical); ``d (d + 1) / 2`` for a free tied one.

        Returns
        -------
        int
        """
        K, d = self.n_components, self.n_features
        n_free_w = int(K - self.weight_fixed.sum())
        n_w = 0 if self.equal_weights else max(n_free_w - 1, 0)
        n_mu = int(K - self.mean_fixed.sum()) * d
        strategy = get_strategy(self.covariance_type)
        if self.covariance_type == "tied":
            n_cov = 0 if self.cov_fixed.all() else strategy.n_cov_parameters(K, d)
        else:
            n_cov = int(K - self.cov_fixed.sum()) * strategy.n_cov_parameters(1, d)
        return n_w + n_mu + n_cov

    def start(self, params: EMParams, center: np.ndarray) -> EMParams:
        """``params`` (a start, in centred coordinates) with the fixed values put in.

        Fixed weights replace the start's and the free ones are scaled to sum to the
        rest; ``equal_weights`` gives ``1 / K`` each.

        Parameters
        ----------
        params : EMParams
        center : ndarray of shape (d,)
            The fit's centre.

        Returns
        -------
        EMParams
            A new object; ``params`` is not changed.
        """
        weights = np.array(params.weights, dtype=np.float64)
        means = np.array(params.means, dtype=np.float64)
        cov = np.array(params.covariances, dtype=np.float64)
        prec_chol = np.array(params.prec_chol, dtype=np.float64)
        weights = self._weights(weights)
        means[self.mean_fixed] = self.means[self.mean_fixed] - center
        if self.covariance_type == "tied":
            if self.cov_fixed.all():
                cov, prec_chol = self.covariances.copy(), self.prec_chol.copy()
        else:
            cov[self.cov_fixed] = self.covariances[self.cov_fixed]
            prec_chol[self.cov_fixed] = self.prec_chol[self.cov_fixed]
        return EMParams(weights, means, cov, prec_chol, params.covariance_type)

    def _weights(self, nk: np.ndarray) -> np.ndarray:
        """The constrained maximiser of ``sum N_k log w_k`` (``nk`` positive)."""
        K = self.n_components
        if self.equal_weights:
            return np.full(K, 1.0 / K)
        fixed = self.weight_fixed
        if not fixed.any():
            return nk / nk.sum()
        out = np.where(fixed, self.weights, 0.0)
        free = ~fixed
        if free.any():
            rest = 1.0 - out.sum()
            out[free] = rest * nk[free] / nk[free].sum()
        return out


# ----------------------------------------------------------------------------- checks
def _is_off(value: Any) -> bool:
    return value is None or (isinstance(value, dict) and not value)


def _as_array(value: Any, name: str, shape: tuple[int, ...], what: str) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name}: {what} must be an array of numbers: {exc}") from exc
    if arr.shape != shape:
        raise ValueError(f"{name}: {what} must have shape {shape}, got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: {what} contains NaN or infinity.")
    return arr


def _per_component(
    value: Any, name: str, K: int, item_shape: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """(values of shape (K, *item_shape), NaN where free; fixed mask (K,))."""
    out = np.full((K, *item_shape), np.nan)
    mask = np.zeros(K, dtype=bool)
    if _is_off(value):
        return out, mask
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, bool) or not isinstance(k, numbers.Integral):
                raise TypeError(
                    f"{name}: the keys of a dict are component indices (int), got {k!r}."
                )
            if not 0 <= int(k) < K:
                raise ValueError(
                    f"{name}: component index {k} is out of range for n_components={K}; "
                    f"use keys in [0, {K})."
                )
            out[int(k)] = _as_array(v, name, item_shape, f"the value of component {k}")
            mask[int(k)] = True
        return out, mask
    if isinstance(value, (str, bytes, set)):
        raise TypeError(
            f"{name} must be None, an array of shape {(K, *item_shape)} or a dict "
            f"{{component: value}}; got {type(value).__name__}."
        )
    out[:] = _as_array(value, name, (K, *item_shape), "the array")
    mask[:] = True
    return out, mask


def _check_covariance(cov: np.ndarray, covariance_type: str, label: str) -> None:
    if covariance_type in ("full", "tied"):
        if not np.allclose(cov, cov.T, rtol=1e-10, atol=0.0):
            raise ValueError(f"{label} must be symmetric; pass (S + S.T) / 2.")
        if np.linalg.eigvalsh(cov).min() <= 0.0:
            raise ValueError(
                f"{label} must be positive definite; it has an eigenvalue <= 0 (add a small "
                "multiple of the identity, or leave that covariance free)."
            )
    elif np.any(cov <= 0.0):
        raise ValueError(f"{label} must hold positive variances.")


def check_fixed(
    fixed_weights: Any,
    fixed_means: Any,
    fixed_covariances: Any,
    equal_weights: Any,
    n_components: int,
    covariance_type: str,
    n_features: int,
) -> FixedParams | None:
    """The estimator's fixed parameters, checked against the model's shape.

    Parameters
    ----------
    fixed_weights : None, array-like of shape (K,) or dict {k: float}
    fixed_means : None, array-like of shape (K, d) or dict {k: array of shape (d,)}
    fixed_covariances : None, array-like or dict
        ``covariance_type``'s shape: full ``(K, d, d)`` or ``{k: (d, d)}``; tied
        ``(d, d)`` only; diag ``(K, d)`` or ``{k: (d,)}``; spherical ``(K,)`` or
        ``{k: float}``.
    equal_weights : bool
    n_components, covariance_type, n_features
        The model's.

    Returns
    -------
    FixedParams or None
        None when nothing is fixed and ``equal_weights`` is False.

    Raises
    ------
    TypeError
        If a value is of the wrong kind.
    ValueError
        If a shape or an index is wrong, a value is not finite, fixed weights are not in
        (0, 1] or leave nothing for the free ones (or, all fixed, do not sum to 1), a
        covariance is not positive definite, or ``equal_weights`` is combined with
        ``fixed_weights``.
    """
    if not isinstance(equal_weights, (bool, np.bool_)):
        raise TypeError(f"equal_weights must be True or False, got {equal_weights!r}.")
    K, d = int(n_components), int(n_features)
    if (
        not equal_weights
        and _is_off(fixed_weights)
        and _is_off(fixed_means)
        and _is_off(fixed_covariances)
    ):
        return None
    if equal_weights and not _is_off(fixed_weights):
        raise ValueError(
            "equal_weights=True fixes every weight at 1 / n_components; do not pass "
            "fixed_weights with it (use one or the other)."
        )
    weights, w_fixed = _per_component(fixed_weights, "fixed_weights", K, ())
    if w_fixed.any():
        fw = weights[w_fixed]
        if np.any(fw <= 0.0) or np.any(fw > 1.0):
            raise ValueError(
                "fixed_weights must lie in (0, 1]; a weight of 0 would remove a component."
            )
        total = float(fw.sum())
        if w_fixed.all():
            if abs(total - 1.0) > 1e-6:
                raise ValueError(
                    f"fixed_weights fixes every weight, so they must sum to 1; they sum to "
                    f"{total:.8g}. Divide them by their sum, or leave some free."
                )
            weights = weights / total
        elif total >= 1.0:
            raise ValueError(
                f"fixed_weights sum to {total:.8g}, leaving nothing for the "
                f"{int((~w_fixed).sum())} free weight(s); they must sum to less than 1."
            )
    means, m_fixed = _per_component(fixed_means, "fixed_means", K, (d,))
    strategy = get_strategy(covariance_type)
    if covariance_type == "tied":
        if isinstance(fixed_covariances, dict) and fixed_covariances:
            raise TypeError(
                "fixed_covariances: a tied covariance is shared by every component, so it "
                f"is fixed whole: pass an array of shape ({d}, {d}), not a dict."
            )
        covariances = np.full((d, d), np.nan)
        prec_chol = np.full((d, d), np.nan)
        c_fixed = np.zeros(K, dtype=bool)
        if not _is_off(fixed_covariances):
            covariances = _as_array(fixed_covariances, "fixed_covariances", (d, d), "the array")
            _check_covariance(covariances, covariance_type, "fixed_covariances")
            prec_chol = strategy.precision_cholesky(covariances, 0.0)
            c_fixed[:] = True
    else:
        item = strategy.cov_shape(1, d)[1:]
        covariances, c_fixed = _per_component(fixed_covariances, "fixed_covariances", K, item)
        prec_chol = np.full_like(covariances, np.nan)
        for k in np.flatnonzero(c_fixed):
            _check_covariance(covariances[k], covariance_type, f"fixed_covariances[{k}]")
        if c_fixed.any():
            prec_chol[c_fixed] = strategy.precision_cholesky(covariances[c_fixed], 0.0)
    return FixedParams(
        n_components=K,
        n_features=d,
        covariance_type=covariance_type,
        weights=weights,
        weight_fixed=w_fixed,
        equal_weights=bool(equal_weights),
        means=means,
        mean_fixed=m_fixed,
        covariances=covariances,
        cov_fixed=c_fixed,
        prec_chol=prec_chol,
    )


# ----------------------------------------------------------------------------- M-step
def tied_covariance(
    second: np.ndarray,
    sx: np.ndarray,
    nk_raw: np.ndarray,
    nk: np.ndarray,
    means: np.ndarray,
    reg_covar: float,
) -> np.ndarray:
    """The tied covariance about given means, from the statistics.

    ``sum_k sum_i r_ik (x_i - mu_k)(x_i - mu_k)^T = S - sum_k (s_k mu_k^T + mu_k s_k^T
    - N_k mu_k mu_k^T)`` with ``S = sum_i w_i x_i x_i^T`` and ``s_k = sum_i r_ik x_i``
    (the responsibilities of each row sum to its weight), divided by ``sum N_k``.

    Parameters
    ----------
    second : ndarray of shape (d, d)
        ``sum_i w_i x_i x_i^T``.
    sx : ndarray of shape (K, d)
    nk_raw, nk : ndarray of shape (K,)
        Effective counts, without and with the ``10 eps`` guard.
    means : ndarray of shape (K, d)
    reg_covar : float

    Returns
    -------
    ndarray of shape (d, d)
    """
    cross = np.dot(sx.T, means)
    num = second - cross - cross.T + np.dot(nk_raw * means.T, means)
    cov = num / nk.sum()
    cov = (cov + cov.T) / 2
    cov.flat[:: cov.shape[0] + 1] += reg_covar
    return cov


def constrained_m_step(
    stats: SuffStats | MomentStats,
    ref: np.ndarray,
    covariance_type: str,
    reg_covar: float,
    fixed: FixedParams,
    center: np.ndarray,
    ref_prec_chol: np.ndarray | None = None,
    scale: np.ndarray | None = None,
) -> EMParams:
    """:func:`~._stats.m_step` over the free parameters only (see the module's notes).

    Parameters
    ----------
    stats, ref, covariance_type, reg_covar, ref_prec_chol, scale
        As :func:`~._stats.m_step`.
    fixed : FixedParams
    center : ndarray of shape (d,)
        The fit's centre (fixed means are shifted by it).

    Returns
    -------
    EMParams

    Raises
    ------
    ValueError
        If a free covariance is not positive definite (a collapsed component).
    """
    strategy = get_strategy(covariance_type)
    stats, second, ref = scatter_inputs(stats, ref, strategy, ref_prec_chol)
    eps = 10 * np.finfo(np.float64).eps
    nk = stats.nk + eps
    means = stats.sx / nk[:, None]
    means[fixed.mean_fixed] = fixed.means[fixed.mean_fixed] - center
    if covariance_type == "tied":
        if fixed.cov_fixed.all():
            cov, prec_chol = fixed.covariances.copy(), fixed.prec_chol.copy()
        else:
            cov = tied_covariance(second, stats.sx, stats.nk, nk, means, reg_covar)
            _check_finite(cov)
            floor = None if scale is None else strategy.variance_floor(means, scale)
            prec_chol = strategy.precision_cholesky(cov, reg_covar, floor)
    else:
        cov = strategy.covariances(second, stats.sx, stats.nk, nk, means, ref, reg_covar)
        cov[fixed.cov_fixed] = fixed.covariances[fixed.cov_fixed]
        _check_finite(cov)
        floor = None
        if scale is not None:
            # Fixed covariances were checked when given: only the free ones get the floor
            # of singular covariances (computed over all, so errors name the right k).
            floor = np.array(strategy.variance_floor(means, scale), dtype=np.float64)
            floor[fixed.cov_fixed] = -np.inf
        prec_chol = strategy.precision_cholesky(cov, reg_covar, floor)
        prec_chol[fixed.cov_fixed] = fixed.prec_chol[fixed.cov_fixed]
    weights = fixed._weights(nk)
    return EMParams(weights, means, cov, prec_chol, covariance_type)


def _check_finite(cov: np.ndarray) -> None:
    if not np.all(np.isfinite(cov)):
        raise ValueError(
            "Fitting the mixture model failed: the covariances became non-finite. "
            "Scale the input data (e.g. standardise the features) or increase reg_covar."
        )
