"""The parameters EM starts from: the init method's, or the user's ``*_init`` arrays.

``init_params`` places the starting components (``_init`` holds the k-means, k-means++
and random picks, on an in-memory sample); the statistics of that placement over every
row of the source then give the starting weights, means and covariances by one M-step,
as in scikit-learn. ``weights_init``, ``means_init`` and ``precisions_init`` replace
their part. With a noise component, its starting weight is set here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from gmm_widgets.mixture import _init
from gmm_widgets.mixture._covariance import get_strategy
from gmm_widgets.mixture._noise import DEFAULT_NOISE_WEIGHT, NoiseBox
from gmm_widgets.mixture._sources import Source, make_source
from gmm_widgets.mixture._stats import EMParams, SuffStats, m_step, responsibility_stats

__all__ = ["InitSettings", "Inits", "check_inits", "initial_params", "initial_params_with_noise"]

#: ``(weights_init, means_init, precisions_init)`` as checked arrays, or None each.
Inits = tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]


@dataclass(frozen=True)
class InitSettings:
    """The estimator's settings a start depends on.

    Attributes
    ----------
    n_components : int
    covariance_type : str
    init_params : str
        One of ``_init.INIT_METHODS``.
    reg_covar : float
    scale : ndarray of shape (n_features,) or None
        The data's variances (the floor of singular covariances, see ``m_step``).
    """

    n_components: int
    covariance_type: str
    init_params: str
    reg_covar: float
    scale: np.ndarray | None = None


def check_inits(
    weights_init: Any,
    means_init: Any,
    precisions_init: Any,
    n_components: int,
    covariance_type: str,
    n_features: int,
) -> Inits:
    """The user's ``*_init`` arrays, checked against the model's shape.

    Parameters
    ----------
    weights_init : array-like of shape (n_components,) or None
        In [0, 1], summing to 1 (within 1e-6; renormalised exactly).
    means_init : array-like of shape (n_components, n_features) or None
    precisions_init : array-like or None
        In ``covariance_type``'s layout (see ``GaussianMixture``).
    n_components, covariance_type, n_features
        The model's.

    Returns
    -------
    tuple
        :data:`Inits`: float64 arrays, each or None.

    Raises
    ------
    TypeError
        If an array does not convert to numbers.
    ValueError
        If a shape is wrong, a value is not finite, the weights do not sum to 1 or a
        precision matrix is not positive definite.
    """
    K = n_components
    strategy = get_strategy(covariance_type)
    weights = means = precisions = None
    if weights_init is not None:
        try:
            weights = np.asarray(weights_init, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"weights_init must be an array of numbers of shape ({K},); "
                f"converting it failed: {exc}"
            ) from exc
        if weights.shape != (K,):
            raise ValueError(
                f"weights_init must have shape ({K},) for n_components={K}, "
                f"got shape {weights.shape}."
            )
        if not np.all(np.isfinite(weights)) or weights.min() < 0 or weights.max() > 1:
            raise ValueError("weights_init must hold values in [0, 1].")
        if abs(1.0 - weights.sum()) > 1e-6:
            raise ValueError(
                f"weights_init must sum to 1, but its sum is {weights.sum():.8g}; "
                "divide it by its sum."
            )
        weights = weights / weights.sum()
    if means_init is not None:
        try:
            means = np.asarray(means_init, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"means_init must be an array of numbers of shape ({K}, {n_features}); "
                f"converting it failed: {exc}"
            ) from exc
        if means.shape != (K, n_features):
            raise ValueError(
                f"means_init must have shape ({K}, {n_features}) "
                f"(n_components, n_features), got shape {means.shape}."
            )
        if not np.all(np.isfinite(means)):
            raise ValueError("means_init contains NaN or infinity.")
    if precisions_init is not None:
        precisions = strategy.check_precisions(precisions_init, K, n_features)
    return weights, means, precisions


def _random_chunk_stats(
    xc: np.ndarray,
    wc: np.ndarray | None,
    start: int,
    *,
    seed: int,
    zeros: np.ndarray,
    strategy: Any,
) -> SuffStats:
    """Statistics of random soft assignments (``"random"``), drawn from each row's values.

    Equal rows get equal assignments (:func:`_init.row_uniforms`), so the statistics
    do not depend on the rows' order or chunking, and repeated rows equal weights.
    """
    K = zeros.shape[0]
    resp = _init.row_uniforms(xc, seed, K)
    resp /= resp.sum(axis=1)[:, None]
    rw = np.ascontiguousarray(resp.T, dtype=xc.dtype)
    if wc is not None:
        rw *= wc
    return responsibility_stats(xc, rw, wc, zeros.astype(xc.dtype), strategy)


def _nearest_chunk_stats(
    xc: np.ndarray,
    wc: np.ndarray | None,
    start: int,
    *,
    centres: np.ndarray,
    zeros: np.ndarray,
    strategy: Any,
) -> SuffStats:
    """Statistics of every row assigned to its nearest k-means centre (``"kmeans"``)."""
    K = zeros.shape[0]
    labels = _init.nearest_centre(xc, centres.astype(xc.dtype))
    rw = np.zeros((K, xc.shape[0]), dtype=xc.dtype)
    rw[labels, np.arange(xc.shape[0])] = 1.0 if wc is None else wc
    return responsibility_stats(xc, rw, wc, zeros.astype(xc.dtype), strategy)


def initial_params(
    source: Source, rs: np.random.RandomState, inits: Inits, settings: InitSettings
) -> EMParams:
    """The starting parameters of one initialisation, in the source's centred frame.

    Parameters
    ----------
    source : Source
    rs : numpy.random.RandomState
        Draws the init method's random choices (scikit-learn's stream).
    inits : tuple
        ``(weights_init, means_init, precisions_init)``, checked, each or None.
    settings : InitSettings

    Returns
    -------
    EMParams
    """
    weights_init, means_init, precisions_init = inits
    K, d = settings.n_components, source.n_features
    covariance_type, reg_covar = settings.covariance_type, settings.reg_covar
    strategy = get_strategy(covariance_type)
    zeros = np.zeros((K, d))
    if weights_init is None or means_init is None or precisions_init is None:
        stats = _placement_stats(source, rs, settings.init_params, zeros, strategy)
        params = m_step(stats, zeros, covariance_type, reg_covar, scale=settings.scale)
    else:  # everything given: nothing to estimate
        params = EMParams(weights_init, zeros, zeros, zeros, covariance_type)
    if weights_init is not None:
        params.weights = weights_init
    if means_init is not None:
        params.means = means_init - source.center
    if precisions_init is not None:
        params.prec_chol = strategy.prec_chol_from_precisions(precisions_init)
        params.covariances = strategy.covariances_from_precisions(precisions_init)
    else:
        params.prec_chol = strategy.precision_cholesky(params.covariances, reg_covar)
    return params


def _placement_stats(
    source: Source, rs: np.random.RandomState, method: str, zeros: np.ndarray, strategy: Any
) -> Any:
    """The statistics of the init method's assignment of the rows to the components."""
    K, d = zeros.shape
    if method == "random":
        seed = int(rs.randint(2**31 - 1))
        fn = partial(_random_chunk_stats, seed=seed, zeros=zeros, strategy=strategy)
        return source.reduce(fn, K * (d + 1))
    n = source.n_samples
    if n > _init.MAX_INIT_SAMPLES:
        idx = _init.sample_indices(rs, n, _init.MAX_INIT_SAMPLES)
    else:
        idx = np.arange(n)
    # The draws below see the distinct rows, sorted, with their total weights: the
    # start depends on the data as a weighted set of points, not on the rows' order or
    # on repetition versus integer weights.
    sample, sw = _init.distinct_rows(source.sample_rows(idx), source.sample_weights_at(idx))
    if method == "kmeans":
        centres, _ = _init.kmeans(sample, K, rs, sw)
        fn = partial(_nearest_chunk_stats, centres=centres, zeros=zeros, strategy=strategy)
        return source.reduce(fn, K * (d + 1))
    if method == "k-means++":
        chosen = _init.kmeans_plusplus(sample, K, rs, sw)
    else:  # "random_from_data": K distinct points, drawn by weight without replacement
        chosen = _weighted_draw(rs, sw, K)
    return responsibility_stats(sample[chosen], np.eye(K), None, zeros, strategy)


def _weighted_draw(rs: np.random.RandomState, weights: np.ndarray, size: int) -> np.ndarray:
    """``size`` indices drawn by weight without replacement; repeats once all are used.

    Data with fewer distinct points than components (say, 2 values and K=3) still gets
    a start: every point once, then more by weight, as equal rows would give.
    """
    n = weights.shape[0]
    p = weights / weights.sum()
    first = np.asarray(rs.choice(n, size=min(size, n), replace=False, p=p))
    if size <= n:
        return first
    return np.concatenate([first, rs.choice(n, size=size - n, p=p)])


def initial_params_with_noise(
    source: Source,
    X: Any,
    w: np.ndarray | None,
    mask: np.ndarray | None,
    box: NoiseBox,
    rs: np.random.RandomState,
    inits: Inits,
    settings: InitSettings,
    *,
    chunk_size: int,
    n_jobs: int | None,
) -> EMParams:
    """:func:`initial_params`, then the noise component's starting weight.

    With initial noise points (``mask``), the Gaussians start from the other rows (same
    init method, same centre) and the noise weight is the flagged rows' share of the
    sample weight; without, they start from all rows and the noise weight is
    ``DEFAULT_NOISE_WEIGHT``. The Gaussian weights are scaled to sum to the rest.

    Parameters
    ----------
    source : Source
    X : array-like of shape (n_samples, n_features)
        The validated data (rows are taken from it for the Gaussians' start).
    w : ndarray of shape (n_samples,) or None
    mask : ndarray of shape (n_samples,), bool, or None
    box : NoiseBox
    rs, inits, settings
        As :func:`initial_params`.
    chunk_size, n_jobs : int, int or None
        The source's, for the rows that are not initial noise points.

    Returns
    -------
    EMParams

    Raises
    ------
    ValueError
        If the initial noise points carry none or all of the sample weight.
    """
    init_source = source
    if mask is None:
        noise_weight = DEFAULT_NOISE_WEIGHT
    else:
        keep = np.flatnonzero(~mask)
        sub_w = None if w is None else w[keep]
        init_source = make_source(X[keep], sub_w, source.center, chunk_size, n_jobs, source.dtype)
        noise_weight = float(mask.mean()) if w is None else float(w[mask].sum() / w.sum())
        if not 0.0 < noise_weight < 1.0:
            raise ValueError(
                "the initial noise points carry all or none of the sample weight; "
                "flag points with positive weight, and not all of it."
            )
    params = initial_params(init_source, rs, inits, settings)
    params.weights = params.weights * (1.0 - noise_weight)
    params.noise_weight = noise_weight
    params.noise_box = box
    return params
