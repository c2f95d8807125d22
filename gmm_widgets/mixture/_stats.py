"""Per-chunk log-densities, responsibilities and sufficient statistics.

Everything here works on one chunk of *centred* data ``xc`` of shape ``(n, d)`` and
lays per-component arrays out component-major, ``(K, n)``, so that reductions run over
the long axis. The hot loop stays in the data's dtype (float32 or float64); the
statistics that cross chunks are float64.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gmm_widgets.mixture import _moments
from gmm_widgets.mixture._covariance import get_strategy

__all__ = [
    "ChunkParams",
    "MomentStats",
    "Params",
    "SuffStats",
    "chunk_estep",
    "chunk_stats",
    "m_step",
]

_LOG_2PI = np.log(2.0 * np.pi)


@dataclass
class Params:
    """Mixture parameters in the centred coordinates of a fit (float64).

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
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    prec_chol: np.ndarray
    covariance_type: str

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
        )


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

    def __iadd__(self, other: SuffStats) -> SuffStats:
        self.nk += other.nk
        self.sx += other.sx
        self.second += other.second
        self.log_lik += other.log_lik
        self.weight += other.weight
        return self

    @classmethod
    def total(cls, parts: list) -> SuffStats | MomentStats:
        """Sum of a list of statistics (all of one kind), in list order."""
        it = iter(parts)
        out = next(it)
        for p in it:
            out += p
        return out


@dataclass
class MomentStats:
    """Statistics of the quadratic-feature form, still packed (see ``_moments``).

    Attributes
    ----------
    g : ndarray of shape (K, m)
        ``resp @ Q.T`` summed over chunks: counts, first and raw second moments.
    log_lik, weight : float
        As in :class:`SuffStats`.

    Chunks add the packed ``g``; it is unpacked once per iteration, in :func:`m_step`.
    """

    g: np.ndarray
    log_lik: float = 0.0
    weight: float = 0.0

    def __iadd__(self, other: MomentStats) -> MomentStats:
        self.g += other.g
        self.log_lik += other.log_lik
        self.weight += other.weight
        return self

    def unpack(self) -> SuffStats:
        """The same statistics as a :class:`SuffStats` about the fit's centre."""
        n_features = _moments.features_of(self.g.shape[1])
        nk, sx, second = _moments.unpack_moments(self.g, n_features)
        return SuffStats(nk, sx, second, self.log_lik, self.weight, frame="origin")


#: Floor of the shifted log-densities before ``exp`` in the statistics pass. Without it,
#: far-away points give subnormal responsibilities, and arithmetic on subnormals is
#: 3-5x slower. ``exp(floor)`` is still far below rounding of any statistic.
_LOG_FLOOR = {np.dtype(np.float64): -460.0, np.dtype(np.float32): -60.0}


def _log_prob(xc: np.ndarray, cp: ChunkParams, maha=None, quad=None) -> np.ndarray:
    """Weighted log-densities ``log w_k + log N(x | mu_k, Sigma_k)``, shape (K, n)."""
    if quad is not None:
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
    log_resp : ndarray of shape (K, n)
        Log-responsibilities.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        quad = None if cp.quad is None else _moments.quad_features(xc)
        raw = _log_prob(xc, cp, quad=quad)
    # Finite data with finite parameters gives NaN only when the Mahalanobis
    # distance overflows (inf - inf): such a point lies infinitely far out.
    np.copyto(raw, -np.inf, where=np.isnan(raw))
    log_prob, amax, _, total = _estep_core(raw)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_total = np.log(total)
        log_prob -= log_total
    far = total == 0
    if far.any():
        log_prob[:, far] = _far_log_resp(xc[far], cp)
    return log_total + amax, log_prob


def _far_log_resp(xc: np.ndarray, cp: ChunkParams) -> np.ndarray:
    """Log-responsibilities of points whose density underflows in every component.

    Such points are pulled in along their direction from the centre to a distance
    where the log-densities are finite, and take those points' responsibilities:
    the limit of the posterior along that ray, in practice the component with the
    widest spread in that direction. Never NaN.

    Parameters
    ----------
    xc : ndarray of shape (n, d)
        Centred points whose log-density is ``-inf`` under every component.
    cp : ChunkParams

    Returns
    -------
    log_resp : ndarray of shape (K, n)
    """
    reach = np.finfo(xc.dtype).max ** 0.25
    with np.errstate(over="ignore", invalid="ignore"):
        size = np.abs(xc).max(axis=1, keepdims=True)
    size[~(size > reach)] = reach  # points already within reach stay as they are
    near = xc * (reach / size)
    with np.errstate(over="ignore", invalid="ignore"):
        quad = None if cp.quad is None else _moments.quad_features(near)
        raw = _log_prob(near, cp, quad=quad)
    np.copyto(raw, -np.inf, where=np.isnan(raw))
    log_prob, _, _, total = _estep_core(raw)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_prob -= np.log(total)
    # Still nothing finite (a degenerate model): share the point equally.
    log_prob[:, total == 0] = -np.log(log_prob.shape[0])
    return log_prob


def chunk_stats(
    xc: np.ndarray,
    w: np.ndarray | None,
    cp: ChunkParams,
    ref: np.ndarray,
    compiled: Callable | None = None,
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

    Returns
    -------
    SuffStats or MomentStats
    """
    if compiled is not None and cp.quad is not None:
        return _compiled_stats(compiled, xc, w, cp)
    strategy = get_strategy(cp.covariance_type)
    y = quad = maha = None
    if cp.quad is not None:
        quad = _moments.quad_features(xc)
    elif strategy.whitened:
        maha, y = strategy.whiten(xc, cp.means, cp.prec_chol)
    _, amax, resp, total = _estep_core(_log_prob(xc, cp, maha=maha, quad=quad), for_stats=True)
    with np.errstate(divide="ignore"):
        log_norm = np.log(total)
    log_norm += amax
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
    if quad is not None:
        return MomentStats(np.dot(resp, quad.T), log_lik=log_lik, weight=weight)
    if y is None:
        return responsibility_stats(xc, resp, w, ref, strategy, log_lik, weight)
    nk = resp.sum(axis=1, dtype=np.float64)
    sx = np.dot(resp, xc).astype(np.float64)
    second = strategy.whitened_second(y, resp).astype(np.float64)
    return SuffStats(nk, sx, second, log_lik=log_lik, weight=weight, frame="whitened")


def _compiled_stats(
    kernel: Callable, xc: np.ndarray, w: np.ndarray | None, cp: ChunkParams
) -> MomentStats:
    """:func:`chunk_stats` of the quadratic form through the compiled kernel.

    float32 data run in float32 arithmetic while ``cp.quad_single`` allows (about
    twice as fast, covariances to ~1e-6); otherwise in float64, as NumPy's form does.
    """
    coef = cp.quad
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


def m_step(
    stats: SuffStats | MomentStats,
    ref: np.ndarray,
    covariance_type: str,
    reg_covar: float,
    ref_prec_chol: np.ndarray | None = None,
    scale: np.ndarray | None = None,
) -> Params:
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

    Returns
    -------
    Params

    Raises
    ------
    ValueError
        If a covariance is not positive definite (a collapsed component).
    """
    strategy = get_strategy(covariance_type)
    if isinstance(stats, MomentStats):
        stats = stats.unpack()
    eps = 10 * np.finfo(np.float64).eps
    nk = stats.nk + eps
    means = stats.sx / nk[:, None]
    second = stats.second
    if stats.frame == "whitened":
        second = strategy.unwhiten(second, ref_prec_chol)
    elif stats.frame == "origin":
        ref = np.zeros_like(ref)
    cov = strategy.covariances(second, stats.sx, stats.nk, nk, means, ref, reg_covar)
    if not np.all(np.isfinite(cov)):
        raise ValueError(
            "Fitting the mixture model failed: the covariances became non-finite. "
            "Scale the input data (e.g. standardise the features) or increase reg_covar."
        )
    floor = None if scale is None else strategy.variance_floor(means, scale)
    prec_chol = strategy.precision_cholesky(cov, reg_covar, floor)
    weights = nk / nk.sum()
    return Params(weights, means, cov, prec_chol, covariance_type)
