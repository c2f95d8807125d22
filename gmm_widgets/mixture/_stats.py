"""Per-chunk log-densities, responsibilities and sufficient statistics.

Everything here works on one chunk of *centred* data ``xc`` of shape ``(n, d)`` and
lays per-component arrays out component-major, ``(K, n)``, so that reductions run over
the long axis. The hot loop stays in the data's dtype (float32 or float64); the
statistics that cross chunks are float64.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from gmm_widgets.mixture import _moments
from gmm_widgets.mixture._covariance import get_strategy
from gmm_widgets.mixture._noise import NoiseBox

__all__ = [
    "ChunkParams",
    "EMParams",
    "MomentStats",
    "Stats",
    "SuffStats",
    "chunk_estep",
    "chunk_stats",
    "m_step",
]

_LOG_2PI = np.log(2.0 * np.pi)


@dataclass
class EMParams:
    """The parameters one EM run updates, in the fit's centred coordinates (float64).

    The working form of a mixture inside a fit: what the M-step returns and the next
    E-step reads (cast per chunk by :meth:`cast`). The public, validated form of a
    mixture is :class:`~gmm_widgets.mixture.MixtureParams`.

    Attributes
    ----------
    weights : ndarray of shape (K,)
    means : ndarray of shape (K, d)
        Means minus the fit's centre.
    covariances : ndarray
        scikit-learn's shape for ``covariance_type``.
    prec_chol : ndarray
        Precision Cholesky factors, same shape as ``covariances``.
    covariance_type : str
    noise_weight : float or None
        Weight of the uniform noise component (``None``: no noise component); then
        ``weights.sum() + noise_weight == 1``.
    noise_box : NoiseBox or None
        The noise component's box in centred coordinates.
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    prec_chol: np.ndarray
    covariance_type: str
    noise_weight: float | None = None
    noise_box: NoiseBox | None = None

    def cast(self, dtype: np.dtype) -> ChunkParams:
        """The arrays the chunk kernels need, in the data's dtype."""
        strategy = get_strategy(self.covariance_type)
        n_features = self.means.shape[1]
        with np.errstate(divide="ignore"):
            log_w = np.log(self.weights)
        const = (
            log_w
            + strategy.log_det_chol(self.prec_chol, n_features)
            - 0.5 * (n_features * _LOG_2PI)
        )
        quad = quad_single = None
        if self.covariance_type == "full" and _moments.use_moments(self.means, self.prec_chol):
            quad = _moments.quad_coefficients(self.means, self.prec_chol, const)
            if (
                np.dtype(dtype) == np.float32
                and _moments.kappa(self.means, self.prec_chol) + n_features
                <= _moments.MAX_KAPPA_SINGLE
            ):
                quad_single = quad.astype(np.float32)
        return ChunkParams(
            means=self.means.astype(dtype),
            prec_chol=self.prec_chol.astype(dtype),
            const=np.asarray(const, dtype=dtype).reshape(-1, 1),
            covariance_type=self.covariance_type,
            quad=quad,
            quad_single=quad_single,
            noise_box=self.noise_box if self.noise_weight is not None else None,
            noise_log_weight=_log_or_inf(self.noise_weight),
        )


def _log_or_inf(weight: float | None) -> float:
    if weight is None or weight <= 0:
        return -np.inf
    return float(np.log(weight))


@dataclass
class ChunkParams:
    """Parameters cast to the data dtype, with the per-component log constant.

    ``quad`` holds the float64 coefficients of the quadratic-feature form of full
    covariances (see ``_moments``) when that form is used for these parameters, and
    ``quad_single`` the same in float32 when the compiled kernel may run float32 data
    in float32 arithmetic (``_moments.MAX_KAPPA_SINGLE``).
    """

    means: np.ndarray
    prec_chol: np.ndarray
    const: np.ndarray  # (K, 1): log w_k + log det P_k - d/2 log(2 pi)
    covariance_type: str
    quad: np.ndarray | None = None
    quad_single: np.ndarray | None = None
    noise_box: NoiseBox | None = None
    noise_log_weight: float = -np.inf

    def noise_row(self, xc: np.ndarray) -> np.ndarray | None:
        """The noise component's weighted log-density per sample, shape (1, n), or None."""
        if self.noise_box is None:
            return None
        return self.noise_box.log_density(xc, self.noise_log_weight)[None, :]


@dataclass
class SuffStats:
    """Float64 sufficient statistics accumulated over chunks.

    Attributes
    ----------
    nk : ndarray of shape (K,)
        Sum of (weighted) responsibilities.
    sx : ndarray of shape (K, d)
        Responsibility-weighted sums of the centred data.
    second : ndarray
        Type-specific second-order statistics (see ``_covariance``).
    log_lik : float
        Sum of weighted per-sample log-likelihoods.
    weight : float
        Sum of sample weights.
    noise_nk : float
        Sum of (weighted) responsibilities of the noise component (0 without one).
    frame : {"ref", "whitened", "origin"}
        What ``second`` is taken about: the reference points (the current means);
        the same in the whitened coordinates of the reference parameters,
        ``sum r P_k^T (x - mu_k)(x - mu_k)^T P_k``; or the fit's centre (raw moments).
    """

    nk: np.ndarray
    sx: np.ndarray
    second: np.ndarray
    log_lik: float = 0.0
    weight: float = 0.0
    frame: str = "ref"
    noise_nk: float = 0.0

    def __iadd__(self, other: SuffStats) -> SuffStats:
        self.nk += other.nk
        self.sx += other.sx
        self.second += other.second
        self.log_lik += other.log_lik
        self.weight += other.weight
        self.noise_nk += other.noise_nk
        return self

    @classmethod
    def total(cls, parts: list[Stats]) -> Stats:
        """Sum of a list of statistics (all of one kind), in list order."""
        out: Stats | None = None
        for p in parts:
            out = add_stats(out, p)
        if out is None:
            raise ValueError("no statistics to add: the data has no rows.")
        return out


@dataclass
class MomentStats:
    """Statistics of the quadratic-feature form, still packed (see ``_moments``).

    Attributes
    ----------
    g : ndarray of shape (K, m)
        ``resp @ Q.T`` summed over chunks: counts, first and raw second moments.
    log_lik, weight, noise_nk : float
        As in :class:`SuffStats`.

    Chunks add the packed ``g``; it is unpacked once per iteration, in :func:`m_step`.
    """

    g: np.ndarray
    log_lik: float = 0.0
    weight: float = 0.0
    noise_nk: float = 0.0

    def __iadd__(self, other: MomentStats) -> MomentStats:
        self.g += other.g
        self.log_lik += other.log_lik
        self.weight += other.weight
        self.noise_nk += other.noise_nk
        return self

    def unpack(self) -> SuffStats:
        """The same statistics as a :class:`SuffStats` about the fit's centre."""
        n_features = _moments.features_of(self.g.shape[1])
        nk, sx, second = _moments.unpack_moments(self.g, n_features)
        return SuffStats(
            nk, sx, second, self.log_lik, self.weight, frame="origin", noise_nk=self.noise_nk
        )


#: What a chunk's statistics pass returns and what a source sums (both add with ``+=``).
Stats = SuffStats | MomentStats


def add_stats(acc: Stats | None, part: Stats) -> Stats:
    """``acc += part`` for statistics of one kind (``acc`` None: the first part).

    Parameters
    ----------
    acc : SuffStats, MomentStats or None
        The running sum, updated in place.
    part : SuffStats or MomentStats
        Of the same kind as ``acc``.

    Returns
    -------
    SuffStats or MomentStats
        ``acc``, or ``part`` when ``acc`` is None.
    """
    if acc is None:
        return part
    if isinstance(acc, SuffStats) and isinstance(part, SuffStats):
        acc += part
        return acc
    if isinstance(acc, MomentStats) and isinstance(part, MomentStats):
        acc += part
        return acc
    raise TypeError(f"cannot add {type(part).__name__} to {type(acc).__name__}.")


#: Floor of the shifted log-densities before ``exp`` in the statistics pass. Without it,
#: far-away points give subnormal responsibilities, and arithmetic on subnormals is
#: 3-5x slower. ``exp(floor)`` is still far below rounding of any statistic.
_LOG_FLOOR = {np.dtype(np.float64): -460.0, np.dtype(np.float32): -60.0}


def _log_prob(xc: np.ndarray, cp: ChunkParams, maha=None, quad=None) -> np.ndarray:
    """Weighted log-densities ``log w_k + log N(x | mu_k, Sigma_k)``, shape (K, n)."""
    if quad is not None:
        assert cp.quad is not None, "quadratic features need the packed coefficients"
        return np.dot(cp.quad, quad)
    if maha is None:
        maha = get_strategy(cp.covariance_type).maha(xc, cp.means, cp.prec_chol)
    log_prob = maha
    log_prob *= -0.5
    log_prob += cp.const
    return log_prob


def _estep_core(log_prob: np.ndarray, for_stats: bool = False):
    """Shifted log-densities (in place), their shift, exponentials and column sums.

    With ``for_stats`` the shifted values are floored (see ``_LOG_FLOOR``) and
    exponentiated in place: the statistics need only the exponentials.
    """
    amax = log_prob.max(axis=0)
    amax[~np.isfinite(amax)] = 0.0
    log_prob -= amax
    if for_stats:
        np.maximum(log_prob, _LOG_FLOOR[log_prob.dtype], out=log_prob)
    expo = np.exp(log_prob, out=log_prob if for_stats else None)
    total = expo.sum(axis=0)
    return log_prob, amax, expo, total


def chunk_estep(xc: np.ndarray, cp: ChunkParams) -> tuple[np.ndarray, np.ndarray]:
    """E-step on one chunk.

    Parameters
    ----------
    xc : ndarray of shape (n, d)
        Centred data chunk.
    cp : ChunkParams

    Returns
    -------
    log_norm : ndarray of shape (n,)
        ``log p(x)`` per sample.
    log_resp : ndarray of shape (K, n), or (K + 1, n) with a noise component
        Log-responsibilities; the noise component's is the last row.
    """
    # Points far outside the data overflow the quadratic forms (NaN from inf - inf, or
    # -inf everywhere): handled below, so NumPy's warnings about them are not the user's.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        quad = None if cp.quad is None else _moments.quad_features(xc)
        raw = _log_prob(xc, cp, quad=quad)
        noise = cp.noise_row(xc)
        if noise is not None:
            raw = np.concatenate([raw, noise.astype(raw.dtype)])
        # Beyond |log p| ~ 1e100 only the quadratic term is left after rounding (the
        # terms that tell components apart are lost): such points get the limit too.
        far = np.isnan(raw).any(axis=0) | ~(np.abs(raw) < _FAR_LOG_DENSITY).any(axis=0)
        if far.any():
            raw[:, far] = np.where(np.isnan(raw[:, far]), -np.inf, raw[:, far])
        log_prob, amax, _, total = _estep_core(raw)
        log_total = np.log(total)
        log_prob -= log_total
    log_norm = log_total + amax
    if far.any():
        log_norm[far] = np.where(np.isfinite(amax[far]) & (total[far] > 0), log_norm[far], -np.inf)
        far_resp = _far_log_resp(xc[far], cp)
        if noise is not None:  # far points lie outside the box: noise density 0
            far_resp = np.concatenate([far_resp, np.full((1, far_resp.shape[1]), -np.inf)])
        log_prob[:, far] = far_resp
    return log_norm, log_prob


#: Log-densities beyond this magnitude (all components) mark a point "far": see chunk_estep.
_FAR_LOG_DENSITY = 1e100


def _far_log_resp(xf: np.ndarray, cp: ChunkParams) -> np.ndarray:
    """Log-responsibilities of points so far out that their densities under/overflow.

    Finite inputs whose log-densities came out NaN (``inf - inf`` in a quadratic form) or
    all ``-inf``: the limit of the responsibilities along the point's direction ``u``
    (``x = s u``, ``s`` to infinity): ``log p_k = -s**2/2 u'P_k u + s u'P_k mu_k + c_k``.
    The component with the smallest ``u' P_k u`` takes all of it; among exact ties (a
    tied covariance) the largest ``u' P_k mu_k``, then the constant ``c_k`` (``log w_k
    + log det P_k / 2 - mu_k' P_k mu_k / 2``) shares it. Shape (K, n).
    """
    x64 = np.asarray(xf, dtype=np.float64)
    scale = np.abs(x64).max(axis=1, keepdims=True)
    scale[scale == 0] = 1.0
    u = x64 / scale
    means = np.asarray(cp.means, dtype=np.float64)
    prec_chol = np.asarray(cp.prec_chol, dtype=np.float64)
    strategy = get_strategy(cp.covariance_type)
    q = strategy.maha(u, np.zeros_like(means), prec_chol)  # (K, n): u' P_k u
    # u' P_k mu_k from (u - mu)' P (u - mu) = q - 2 u'P mu + mu'P mu.
    mu_p_mu = strategy.maha(np.zeros((1, means.shape[1])), means, prec_chol)  # (K, 1)
    lin = 0.5 * (q + mu_p_mu - strategy.maha(u, means, prec_chol))
    const = np.asarray(cp.const, dtype=np.float64).reshape(-1, 1) - 0.5 * mu_p_mu
    log_resp = far_limit_log_resp(q, lin, const)
    return log_resp.astype(np.asarray(cp.const).dtype, copy=False)


def far_limit_log_resp(q: np.ndarray, lin: np.ndarray, const: np.ndarray) -> np.ndarray:
    """The limit of the log-responsibilities along a direction ``u``, far out.

    With ``log p_k(s u) = -s**2/2 q_k + s lin_k + const_k`` and ``s`` to infinity, the
    components with the smallest ``q_k = u' P_k u`` take everything; among exact ties the
    largest ``lin_k = u' P_k mu_k``; the rest share by ``const_k``. Used for complete rows
    (:func:`_far_log_resp`) and for rows with missing values (their observed part).

    Parameters
    ----------
    q, lin : ndarray of shape (K, n)
    const : ndarray of shape (K, 1) or (K, n)

    Returns
    -------
    ndarray of shape (K, n)
    """
    best = q <= q.min(axis=0) * (1 + 1e-12)
    lin = np.where(best, lin, -np.inf)
    top_lin = lin.max(axis=0)
    best &= lin >= top_lin - 1e-12 * np.maximum(1.0, np.abs(top_lin))
    logits = np.where(best, const, -np.inf)
    log_resp = logits - logits.max(axis=0)
    return log_resp - np.log(np.exp(log_resp).sum(axis=0))


def chunk_stats(
    xc: np.ndarray,
    w: np.ndarray | None,
    cp: ChunkParams,
    ref: np.ndarray,
    compiled: Callable | None = None,
    labels: np.ndarray | None = None,
) -> SuffStats | MomentStats:
    """E-step and M-step statistics of one chunk, in one pass.

    Parameters
    ----------
    xc : ndarray of shape (n, d)
        Centred data chunk.
    w : ndarray of shape (n,) or None
        Sample weights of the chunk.
    cp : ChunkParams
        Current parameters.
    ref : ndarray of shape (K, d)
        Reference points for the scatter (the current means), in the data dtype.
    compiled : callable, optional
        ``_quad_kernel.quad_stats``, to run the quadratic form compiled (see
        ``_compiled``); ignored when ``cp`` does not take the quadratic form.
    labels : ndarray of shape (n,), int, optional
        Partial labels of the chunk's rows (``-1``: unknown): a labelled row's
        responsibilities are one-hot on its label and its log-likelihood term is
        ``log w_y + log N(x | y)`` (the compiled kernel is then not used).

    Returns
    -------
    SuffStats or MomentStats
    """
    if labels is not None and not np.any(labels >= 0):
        labels = None
    if compiled is not None and cp.quad is not None and cp.noise_box is None and labels is None:
        return _compiled_stats(compiled, xc, w, cp)
    strategy = get_strategy(cp.covariance_type)
    y = quad = maha = None
    if cp.quad is not None:
        quad = _moments.quad_features(xc)
    elif strategy.whitened:
        maha, y = strategy.whiten(xc, cp.means, cp.prec_chol)
    log_prob = _log_prob(xc, cp, maha=maha, quad=quad)
    noise = cp.noise_row(xc)
    if noise is not None:
        log_prob = np.concatenate([log_prob, noise.astype(log_prob.dtype)])
    known = np.flatnonzero(labels >= 0) if labels is not None else None
    if known is not None:
        assert labels is not None
        known_labels = labels[known]
        known_log_prob = log_prob[known_labels, known]  # a copy, before the in-place shift
    _, amax, resp, total = _estep_core(log_prob, for_stats=True)
    with np.errstate(divide="ignore"):
        log_norm = np.log(total)
    log_norm += amax
    if known is not None:  # labelled rows: one-hot, their complete-data term
        resp[:, known] = 0.0
        resp[known_labels, known] = 1.0
        total[known] = 1.0
        log_norm[known] = known_log_prob
    scale = np.reciprocal(total)
    if w is not None:
        w = w.astype(total.dtype, copy=False)
        scale *= w
        log_lik = float(np.dot(w.astype(np.float64), log_norm))
        weight = float(w.sum(dtype=np.float64))
    else:
        log_lik = float(log_norm.sum(dtype=np.float64))
        weight = float(xc.shape[0])
    resp *= scale
    noise_nk = 0.0
    if noise is not None:
        noise_nk = float(resp[-1].sum(dtype=np.float64))
        resp = resp[:-1]
    if quad is not None:
        return MomentStats(np.dot(resp, quad.T), log_lik=log_lik, weight=weight, noise_nk=noise_nk)
    if y is None:
        out = responsibility_stats(xc, resp, w, ref, strategy, log_lik, weight)
        out.noise_nk = noise_nk
        return out
    nk = resp.sum(axis=1, dtype=np.float64)
    sx = np.dot(resp, xc).astype(np.float64)
    second = strategy.whitened_second(y, resp).astype(np.float64)
    return SuffStats(
        nk, sx, second, log_lik=log_lik, weight=weight, frame="whitened", noise_nk=noise_nk
    )


def _compiled_stats(
    kernel: Callable, xc: np.ndarray, w: np.ndarray | None, cp: ChunkParams
) -> MomentStats:
    """:func:`chunk_stats` of the quadratic form through the compiled kernel.

    float32 data run in float32 arithmetic while ``cp.quad_single`` allows (about
    twice as fast, covariances to ~1e-6); otherwise in float64, as NumPy's form does.
    """
    coef = cp.quad
    assert coef is not None, "the compiled kernel needs the packed coefficients"
    if xc.dtype == np.float32 and cp.quad_single is not None:
        coef = cp.quad_single
    if w is None:
        weights, weight = _NO_WEIGHTS, float(xc.shape[0])
    else:
        weights = _writable(np.ascontiguousarray(w, dtype=np.float64))
        weight = float(weights.sum())
    xc = _writable(np.ascontiguousarray(xc))
    g, log_lik = kernel(xc, weights, coef, _LOG_FLOOR[coef.dtype])
    return MomentStats(g, log_lik=float(log_lik), weight=weight)


_NO_WEIGHTS = np.empty(0)


def _writable(a: np.ndarray) -> np.ndarray:
    """``a``, or a copy when it is read-only: numba types read-only arrays apart, and
    compiling a new version in a chunk worker is what ``_compiled`` rules out."""
    return a if a.flags.writeable else a.copy()


def responsibility_stats(xc, rw, w, ref, strategy, log_lik=0.0, weight=None) -> SuffStats:
    """Sufficient statistics of a chunk for given (weighted) responsibilities ``rw`` (K, n)."""
    nk = rw.sum(axis=1, dtype=np.float64)
    sx = np.dot(rw, xc).astype(np.float64)
    second = np.asarray(strategy.second_moment(xc, rw, w, ref), dtype=np.float64)
    if weight is None:
        weight = float(xc.shape[0]) if w is None else float(w.sum(dtype=np.float64))
    return SuffStats(nk=nk, sx=sx, second=second, log_lik=log_lik, weight=weight)


def scatter_inputs(
    stats: SuffStats | MomentStats,
    ref: np.ndarray,
    strategy: Any,
    ref_prec_chol: np.ndarray | None = None,
) -> tuple[SuffStats, np.ndarray, np.ndarray]:
    """The statistics unpacked, their second-order term and the point it is taken about.

    Parameters
    ----------
    stats : SuffStats or MomentStats
    ref : ndarray of shape (K, d)
        The reference points of the chunk pass.
    strategy
        The covariance type's strategy (``_covariance.get_strategy``).
    ref_prec_chol : ndarray, optional
        The factors a whitened scatter was whitened with.

    Returns
    -------
    stats : SuffStats
    second : ndarray
        ``stats.second`` unwhitened where it was whitened.
    ref : ndarray of shape (K, d)
        What ``second`` is about: ``ref``, or zeros for raw moments.
    """
    if isinstance(stats, MomentStats):
        stats = stats.unpack()
    second = stats.second
    if stats.frame == "whitened":
        assert ref_prec_chol is not None, "whitened statistics need the reference factors"
        second = strategy.unwhiten(second, ref_prec_chol)
    elif stats.frame == "origin":
        ref = np.zeros_like(ref)
    return stats, second, ref


def m_step(
    stats: SuffStats | MomentStats,
    ref: np.ndarray,
    covariance_type: str,
    reg_covar: float,
    ref_prec_chol: np.ndarray | None = None,
    scale: np.ndarray | None = None,
    noise_box: NoiseBox | None = None,
) -> EMParams:
    """Parameters from accumulated statistics, with scikit-learn's formulas.

    Parameters
    ----------
    stats : SuffStats or MomentStats
    ref : ndarray of shape (K, d)
        The reference points the scatter was accumulated around (float64).
    covariance_type : str
    reg_covar : float
    ref_prec_chol : ndarray, optional
        Precision Cholesky factors the scatter was whitened with, when
        ``stats.frame == "whitened"``.
    scale : ndarray of shape (d,), optional
        The data's variance of each feature. With it, a covariance that is singular to
        working precision (see ``_covariance.SINGULAR_RTOL``) is refused whatever the
        last bits of the BLAS products, so the verdict is the same on every CPU.
    noise_box : NoiseBox, optional
        With a noise component: its weight is the mean noise responsibility
        ``stats.noise_nk`` over the total, and the Gaussian weights share the rest.

    Returns
    -------
    EMParams

    Raises
    ------
    ValueError
        If a covariance is not positive definite (a collapsed component).
    """
    strategy = get_strategy(covariance_type)
    stats, second, ref = scatter_inputs(stats, ref, strategy, ref_prec_chol)
    eps = 10 * np.finfo(np.float64).eps
    nk = stats.nk + eps
    means = stats.sx / nk[:, None]
    cov = strategy.covariances(second, stats.sx, stats.nk, nk, means, ref, reg_covar)
    if not np.all(np.isfinite(cov)):
        raise ValueError(
            "Fitting the mixture model failed: the covariances became non-finite. "
            "Scale the input data (e.g. standardise the features) or increase reg_covar."
        )
    floor = None if scale is None else strategy.variance_floor(means, scale)
    prec_chol = strategy.precision_cholesky(cov, reg_covar, floor)
    if noise_box is None:
        weights = nk / nk.sum()
        return EMParams(weights, means, cov, prec_chol, covariance_type)
    total = nk.sum() + stats.noise_nk
    weights = nk / total
    return EMParams(
        weights, means, cov, prec_chol, covariance_type, stats.noise_nk / total, noise_box
    )
