"""Stepwise online EM (Cappé and Moulines, 2009): ``GaussianMixture.partial_fit``.

The model keeps running sufficient statistics *per unit of sample weight*, ``s``. Each
batch ``t = 1, 2, ...``:

1. E-step of the batch with the current parameters (the engine's per-chunk statistics,
   :func:`~._stats.chunk_stats`: all four covariance types, float32 and sample
   weights), divided by the batch's total weight: ``s_batch``;
2. ``s <- (1 - gamma_t) s + gamma_t s_batch`` with ``gamma_t = (t + t0) ** -kappa``
   (``kappa = learning_decay`` in (0.5, 1], ``t0 = learning_offset >= 0``);
3. M-step from ``s`` (:func:`~._stats.m_step`, the same formulas and ``reg_covar`` as a
   batch fit).

``s_0``, the statistics before the first batch, are those the starting parameters
imply (:func:`expected_stats`: the M-step of ``s_0`` gives the starting parameters
back). With ``t0 = 0``, ``gamma_1 = 1`` and the first batch replaces them.

The statistics live in fixed coordinates: every batch is centred with the same
``center`` (the first batch's weighted mean, or the fitted model's centre), rounded to
20 significant bits (``_sources.round_center``), so that float32 and float64 batches
subtract the very same vector. Full
covariances keep their scatter about reference points (the means the last E-step used),
shifted exactly to each new E-step's means before blending, so no sum of squares about
a far origin ever cancels; tied, diag and spherical keep scikit-learn's raw second
moments about the centre.
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import numpy as np

from gmm_widgets.mixture._covariance import get_strategy
from gmm_widgets.mixture._engine import auto_chunk_size, feature_scale
from gmm_widgets.mixture._initial import InitSettings, check_inits, initial_params
from gmm_widgets.mixture._sources import Source, data_center, make_source, round_center
from gmm_widgets.mixture._stats import EMParams, MomentStats, Stats, SuffStats, chunk_stats, m_step
from gmm_widgets.mixture._validation import (
    check_feature_names,
    check_random_state,
    check_sample_weight,
    check_X,
    feature_names_of,
    is_dask_array,
)
from gmm_widgets.mixture.callbacks import EMState

__all__ = [
    "OnlineState",
    "blend",
    "check_learning_rate",
    "drop_online_state",
    "expected_stats",
    "online_step",
    "per_unit_weight",
    "shift_reference",
    "step_size",
    "to_reference",
]

#: ``report(state) -> stop``: what ``GaussianMixture`` passes (its callbacks), or None
#: when there are none (no state is built then).
Report = Callable[[EMState], bool] | None

#: The private attribute that holds a model's :class:`OnlineState`.
STATE_ATTRIBUTE = "_online_state"


@dataclass
class OnlineState:
    """The running state of a stream: what the next batch blends into.

    A plain dataclass of arrays, so a model pickles (and unpickles) mid-stream.

    Attributes
    ----------
    center : ndarray of shape (n_features,)
        The fixed coordinates' origin, float64 holding a float32 value.
    stats : SuffStats
        The running statistics per unit weight (``stats.weight == 1``), in the centred
        coordinates. Full covariances: ``second`` is the scatter about ``ref``; the
        other types: scikit-learn's raw second moments about ``center``.
    ref : ndarray of shape (n_components, n_features)
        The reference points of a full scatter (the means of the last E-step, centred).
    scale : ndarray of shape (n_features,)
        The first batch's variance of each feature: the floor of singular covariances
        (see ``m_step``).
    n_batches : int
        Batches blended so far (a model fitted by ``fit`` counts as one).
    covariance_type : str
    lower_bounds : list of float
        Each batch's mean log-likelihood under the parameters it was E-stepped with.
    """

    center: np.ndarray
    stats: SuffStats
    ref: np.ndarray
    scale: np.ndarray
    n_batches: int
    covariance_type: str
    lower_bounds: list[float] = field(default_factory=list)


# --------------------------------------------------------------------------- step size
def check_learning_rate(learning_decay: Any, learning_offset: Any) -> tuple[float, float]:
    """``learning_decay`` in (0.5, 1] and ``learning_offset >= 0``, as floats.

    Parameters
    ----------
    learning_decay : float
        ``kappa``: Cappé and Moulines' condition (``sum gamma_t`` infinite, ``sum
        gamma_t**2`` finite) holds exactly for ``0.5 < kappa <= 1``.
    learning_offset : float
        ``t0``; ``>= 0`` keeps every step in (0, 1].

    Returns
    -------
    (float, float)

    Raises
    ------
    TypeError
        If either is not a real number.
    ValueError
        If either is out of range or not finite.
    """
    out = []
    for value, name in ((learning_decay, "learning_decay"), (learning_offset, "learning_offset")):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a number, got {type(value).__name__} ({value!r}).")
        if not math.isfinite(float(value)):
            raise ValueError(f"{name} must be finite, got {value}.")
        out.append(float(value))
    kappa, t0 = out
    if not 0.5 < kappa <= 1.0:
        raise ValueError(
            f"learning_decay must lie in (0.5, 1], got {kappa}: the step sizes "
            "gamma_t = (t + learning_offset) ** -learning_decay must sum to infinity with "
            "a finite sum of squares (Cappé and Moulines, 2009). 0.6 is a common choice."
        )
    if t0 < 0:
        raise ValueError(
            f"learning_offset must be >= 0, got {t0}: with a negative offset the first "
            "steps exceed 1. Raise it (e.g. 10) to make the early steps smaller."
        )
    return kappa, t0


def step_size(t: int, learning_decay: float, learning_offset: float) -> float:
    """``gamma_t = (t + learning_offset) ** -learning_decay`` for batch ``t >= 1``.

    Parameters
    ----------
    t : int
        The batch's number, from 1.
    learning_decay, learning_offset : float
        Checked by :func:`check_learning_rate`.

    Returns
    -------
    float
        In (0, 1].
    """
    return float((t + learning_offset) ** -learning_decay)


# --------------------------------------------------------------------------- statistics
def per_unit_weight(stats: SuffStats) -> SuffStats:
    """``stats`` divided by their total sample weight (``weight`` becomes 1).

    Parameters
    ----------
    stats : SuffStats

    Returns
    -------
    SuffStats
        A new object; ``log_lik`` becomes the mean log-likelihood.
    """
    total = stats.weight
    return SuffStats(
        nk=stats.nk / total,
        sx=stats.sx / total,
        second=stats.second / total,
        log_lik=stats.log_lik / total,
        weight=1.0,
        frame=stats.frame,
        noise_nk=stats.noise_nk / total,
    )


def shift_reference(stats: SuffStats, ref: np.ndarray, new_ref: np.ndarray) -> SuffStats:
    """Full covariances' scatter about ``ref`` re-expressed about ``new_ref`` (exact).

    ``sum r (x - b)(x - b)^T = S_a - s_a d^T - d s_a^T + n d d^T`` with ``d = b - a`` and
    ``s_a = sum r (x - a)``, per component.

    Parameters
    ----------
    stats : SuffStats
        With ``frame == "ref"`` and ``second`` of shape (K, d, d).
    ref, new_ref : ndarray of shape (K, d)

    Returns
    -------
    SuffStats
        A new object, ``second`` about ``new_ref``.
    """
    delta = new_ref - ref
    s_a = stats.sx - stats.nk[:, None] * ref
    cross = np.einsum("ki,kj->kij", s_a, delta)
    second = (
        stats.second
        - cross
        - cross.transpose(0, 2, 1)
        + stats.nk[:, None, None] * np.einsum("ki,kj->kij", delta, delta)
    )
    return replace(stats, second=second)


def to_reference(
    stats: Stats, ref: np.ndarray, ref_prec_chol: np.ndarray, covariance_type: str
) -> SuffStats:
    """A batch's statistics in the running statistics' frame.

    Full covariances: the scatter about ``ref`` (from whitened statistics, or from the
    raw moments of the quadratic form); the other types are already in their frame.

    Parameters
    ----------
    stats : SuffStats or MomentStats
        A batch's sum over its chunks.
    ref : ndarray of shape (K, d)
        The means the batch's E-step used (float64).
    ref_prec_chol : ndarray
        The precision Cholesky factors it used (float64).
    covariance_type : str

    Returns
    -------
    SuffStats
    """
    if isinstance(stats, MomentStats):
        stats = stats.unpack()
    if covariance_type != "full":
        return stats
    if stats.frame == "whitened":
        second = get_strategy("full").unwhiten(stats.second, ref_prec_chol)
        return replace(stats, second=second, frame="ref")
    if stats.frame == "origin":
        return replace(shift_reference(stats, np.zeros_like(ref), ref), frame="ref")
    return stats


def blend(running: SuffStats, batch: SuffStats, gamma: float) -> SuffStats:
    """``(1 - gamma) * running + gamma * batch``, field by field (same frame).

    Parameters
    ----------
    running, batch : SuffStats
        Per unit weight.
    gamma : float
        The step size, in (0, 1].

    Returns
    -------
    SuffStats
        A new object.
    """
    keep = 1.0 - gamma
    return SuffStats(
        nk=keep * running.nk + gamma * batch.nk,
        sx=keep * running.sx + gamma * batch.sx,
        second=keep * running.second + gamma * batch.second,
        log_lik=keep * running.log_lik + gamma * batch.log_lik,
        weight=keep * running.weight + gamma * batch.weight,
        frame=running.frame,
        noise_nk=keep * running.noise_nk + gamma * batch.noise_nk,
    )


def expected_stats(params: EMParams, reg_covar: float) -> SuffStats:
    """The statistics per unit weight that ``params`` imply: ``s_0`` of a stream.

    ``nk = w``, ``sx = w mu`` and the second moments of ``Sigma - reg_covar`` (the
    M-step adds ``reg_covar`` back), so that ``m_step`` of the result returns
    ``params`` (up to the M-step's ``10 * eps`` guard).

    Parameters
    ----------
    params : EMParams
        In the stream's centred coordinates.
    reg_covar : float

    Returns
    -------
    SuffStats
        Full: the scatter about ``params.means`` (``frame="ref"``); the others: raw
        second moments about the centre.
    """
    w = np.asarray(params.weights, dtype=np.float64)
    mu = np.asarray(params.means, dtype=np.float64)
    cov = np.asarray(params.covariances, dtype=np.float64)
    d = mu.shape[1]
    ct = params.covariance_type
    if ct == "full":
        second = w[:, None, None] * (cov - reg_covar * np.eye(d))
    elif ct == "tied":
        second = (cov - reg_covar * np.eye(d)) * w.sum() + np.dot(w * mu.T, mu)
    elif ct == "diag":
        second = w[:, None] * (cov - reg_covar + mu * mu)
    else:  # spherical
        second = w[:, None] * (cov[:, None] - reg_covar + mu * mu)
    return SuffStats(nk=w.copy(), sx=w[:, None] * mu, second=second, weight=float(w.sum()))


# --------------------------------------------------------------------------- the step
def drop_online_state(model: Any) -> None:
    """Forget a stream's running statistics (``fit`` starts afresh).

    Parameters
    ----------
    model : GaussianMixture
    """
    for name in (STATE_ATTRIBUTE, "n_batches_seen_"):
        model.__dict__.pop(name, None)


def _e_step(source: Source, params: EMParams, ct: str) -> tuple[SuffStats, np.ndarray]:
    """The batch's statistics per unit weight in the running frame, and the ``ref``."""
    cp = params.cast(source.dtype)
    ref = cp.means.astype(np.float64)
    work = params.means.shape[0] * (source.n_features + 1)
    fn = partial(_chunk_stats, cp=cp, ref=cp.means)
    raw = source.reduce(fn, work)
    stats = to_reference(raw, ref, cp.prec_chol.astype(np.float64), ct)
    return per_unit_weight(stats), ref


def _chunk_stats(xc: np.ndarray, wc: np.ndarray | None, start: int, *, cp: Any, ref: Any) -> Stats:
    return chunk_stats(xc, wc, cp, ref)


def _check_batch(model: Any, X: Any, sample_weight: Any, n_features: int | None):
    """(X, w, feature names) of one batch, checked."""
    if is_dask_array(X):
        X = check_X(X, n_features=n_features, allow_dask=True, owner=type(model).__name__)
        names = None
    else:
        names = feature_names_of(X)
        X = check_X(X, n_features=n_features, owner=type(model).__name__)
    w = check_sample_weight(sample_weight, X.shape[0])
    return X, w, names


def _source(model: Any, X: Any, w: np.ndarray | None, center: np.ndarray) -> Source:
    K, d = model.n_components, X.shape[1]
    chunk = model.chunk_size or auto_chunk_size(K, d, model.covariance_type)
    return make_source(X, w, center, chunk, model.n_jobs)


def _check_model(model: Any) -> None:
    """The estimator's settings that partial_fit reads, checked."""
    model._check_parameters()
    if model.noise is not False and model.noise is not None:
        raise ValueError(
            "partial_fit does not support a noise component (noise="
            f"{model.noise!r}): its box is the training data's bounding box, which a "
            "stream does not know in advance. Set noise=False, or use fit."
        )
    if model.missing != "error":
        raise ValueError(
            "partial_fit does not support missing='em' yet: impute each batch first "
            "(a fitted model's impute(X)), or use fit."
        )
    constrained = [
        name
        for name in ("fixed_weights", "fixed_means", "fixed_covariances")
        if getattr(model, name) is not None
    ]
    if model.equal_weights:
        constrained.append("equal_weights")
    if constrained:
        raise ValueError(
            f"partial_fit does not support fixed parameters ({', '.join(constrained)}) "
            "yet: its M-step is the unconstrained one. Use fit, or leave them unset."
        )


def _check_continuation(model: Any, state: OnlineState) -> None:
    K = len(state.stats.nk)
    if model.n_components != K or model.covariance_type != state.covariance_type:
        raise ValueError(
            f"partial_fit: the stream was started with n_components={K} and "
            f"covariance_type={state.covariance_type!r}, but the model now has "
            f"n_components={model.n_components} and covariance_type="
            f"{model.covariance_type!r}. Restore them, or start a new stream on a fresh "
            "model (sklearn.base.clone(model), or call fit)."
        )


def _start_from_fitted(model: Any, X: Any, w: np.ndarray | None) -> tuple[OnlineState, EMParams]:
    """A stream that continues a model fitted by ``fit`` (or built by ``from_params``)."""
    if hasattr(model, "noise_weight_"):
        raise ValueError(
            "partial_fit cannot continue a model fitted with a noise component; fit a "
            "model with noise=False, or use fit."
        )
    K = len(model.weights_)
    fitted_type = getattr(model, "_fitted_covariance_type", model.covariance_type)
    if model.n_components != K or model.covariance_type != fitted_type:
        raise ValueError(
            f"partial_fit continues the fitted model, which has n_components={K} and "
            f"covariance_type={fitted_type!r}, but the estimator now has "
            f"n_components={model.n_components} and covariance_type="
            f"{model.covariance_type!r}. Restore them, or start a new stream on a fresh "
            "model (sklearn.base.clone(model))."
        )
    center = getattr(model, "_fit_center", None)
    if center is None:
        center = np.dot(model.weights_, model.means_)
    center = round_center(center)
    params = model._params_from_attributes(center)
    source = _source(model, X, w, center)
    state = OnlineState(
        center=center,
        stats=expected_stats(params, model.reg_covar),
        ref=np.asarray(params.means, dtype=np.float64),
        scale=feature_scale(source),
        n_batches=1,
        covariance_type=model.covariance_type,
    )
    return state, params


def _start_fresh(
    model: Any, X: Any, w: np.ndarray | None, report: Report, t_start: float
) -> tuple[OnlineState, EMParams, Source, SuffStats, np.ndarray]:
    """A new stream initialised from its first batch (``n_init`` starts, the best kept).

    Returns the state, the chosen start, the batch's source, and the batch's E-step
    statistics under that start with their reference (reused by the first step).
    """
    K = model.n_components
    n = X.shape[0]
    if n < max(2, K):
        raise ValueError(
            f"partial_fit: the first batch has {n} sample(s), but initialising "
            f"n_components={K} components needs at least {max(2, K)}. Pass a larger "
            "first batch, or lower n_components."
        )
    if w is not None and np.count_nonzero(w) < K:
        raise ValueError(
            f"partial_fit: the first batch's sample_weight has only {np.count_nonzero(w)} "
            f"positive weight(s), fewer than n_components={K}."
        )
    inits = check_inits(
        model.weights_init,
        model.means_init,
        model.precisions_init,
        K,
        model.covariance_type,
        X.shape[1],
    )
    center = data_center(X, w)  # rounded: see round_center
    source = _source(model, X, w, center)
    scale = feature_scale(source)
    settings = InitSettings(K, model.covariance_type, model.init_params, model.reg_covar, scale)
    rs = check_random_state(model.random_state)
    best = None
    for _ in range(model.n_init):
        params = initial_params(source, rs, inits, settings)
        stats, ref = _e_step(source, params, model.covariance_type)
        if best is None or stats.log_lik > best[1].log_lik:
            best = (params, stats, ref)
    assert best is not None  # n_init >= 1
    params, stats, ref = best
    state = OnlineState(
        center=center,
        stats=expected_stats(params, model.reg_covar),
        ref=np.asarray(params.means, dtype=np.float64),
        scale=scale,
        n_batches=0,
        covariance_type=model.covariance_type,
    )
    if report is not None:
        report(_state(model, 0, params, center, -np.inf, np.nan, t_start))
    return state, params, source, stats, ref


def _state(model, n_iter, params, center, lower_bound, change, t_start) -> EMState:
    """A batch's EMState: init 0, never converged, ``max_iter=0`` (a stream has no end)."""
    return model._state(0, n_iter, params, center, lower_bound, change, False, t_start, 0)


def online_step(model: Any, X: Any, sample_weight: Any, report: Report) -> bool:
    """One stepwise EM update of ``model`` from the batch ``X`` (see the module's doc).

    Nothing of the model changes when this raises.

    Parameters
    ----------
    model : GaussianMixture
    X : array-like of shape (n_samples, n_features)
        The batch: NumPy array, memmap, DataFrame or Dask array.
    sample_weight : array-like of shape (n_samples,) or None
    report : callable or None
        Called with an :class:`EMState` after the start (first call of a fresh stream
        only, ``n_iter=0``) and after the update (``n_iter`` = the batch's number);
        returns True when a callback asked to stop.

    Returns
    -------
    bool
        Whether a callback asked to stop (the update is applied either way).
    """
    t_start = time.perf_counter()
    _check_model(model)
    kappa, t0 = check_learning_rate(model.learning_decay, model.learning_offset)
    state: OnlineState | None = getattr(model, STATE_ATTRIBUTE, None)
    fitted = hasattr(model, "precisions_cholesky_")
    n_features = model.n_features_in_ if (state is not None or fitted) else None
    if state is not None or fitted:
        check_feature_names(model, X)  # on the input as given: a DataFrame's columns
    X, w, names = _check_batch(model, X, sample_weight, n_features)
    batch: SuffStats | None = None
    if state is not None:
        _check_continuation(model, state)
        params = model._params_from_attributes(state.center)
    elif fitted:
        state, params = _start_from_fitted(model, X, w)
    else:
        state, params, source, batch, ref = _start_fresh(model, X, w, report, t_start)
    if batch is None:
        source = _source(model, X, w, state.center)
        batch, ref = _e_step(source, params, model.covariance_type)
    running = state.stats
    if model.covariance_type == "full":
        running = shift_reference(running, state.ref, ref)
    t = state.n_batches + 1
    gamma = step_size(t, kappa, t0)
    blended = blend(running, batch, gamma)
    new_params = m_step(blended, ref, model.covariance_type, model.reg_covar, scale=state.scale)
    lower_bound = float(batch.log_lik)
    previous = state.lower_bounds[-1] if state.lower_bounds else np.nan
    # Every check passed and the M-step succeeded: commit. The list of lower bounds is
    # shared with ``lower_bounds_`` and grows in place (no copy per batch).
    new_state = replace(state, stats=blended, ref=ref, n_batches=t)
    new_state.lower_bounds.append(lower_bound)
    dtype = np.dtype(X.dtype)
    if state.n_batches == 0 and not fitted:
        if names is not None:
            model.feature_names_in_ = names
        elif hasattr(model, "feature_names_in_"):
            del model.feature_names_in_
    model._set_attributes(new_params, state.center, dtype)
    setattr(model, STATE_ATTRIBUTE, new_state)
    model.n_features_in_ = X.shape[1]
    model.n_batches_seen_ = t
    model.n_iter_ = t
    model.converged_ = False
    model.lower_bound_ = lower_bound
    model.lower_bounds_ = new_state.lower_bounds
    if report is None:
        return False
    change = lower_bound - previous
    return bool(report(_state(model, t, new_params, state.center, lower_bound, change, t_start)))
