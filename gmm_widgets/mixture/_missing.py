"""Missing values (NaN) in EM, under missing at random: ``GaussianMixture(missing="em")``.

A row with missing coordinates is scored by the marginal density of its observed
coordinates, which for a Gaussian component is the Gaussian of the observed sub-vector
of the mean and the observed block of the covariance. The E-step's responsibilities
come from these marginals; the M-step maximises the expected complete-data
log-likelihood, whose sufficient statistics replace each missing coordinate by its
conditional mean given the observed ones (per component) and add the conditional
covariance of the missing coordinates to the second moment. This is exact EM, so the
observed-data log-likelihood (the lower bound) never decreases.

For component ``k`` and a row with observed set ``o`` and missing set ``m``, with
``L`` the Cholesky factor of ``S_oo`` (``S`` the covariance) and ``z = L^-1 (x_o -
mu_o)`` the whitened observed difference:

* ``log p_k(x_o) = log w_k - (|o| log 2 pi + log det S_oo + |z|^2) / 2``;
* ``E[x_m | x_o, k] = mu_m + G z`` with ``G = S_mo L^-T``;
* ``Cov[x_m | x_o, k] = C = S_mm - G G^T``.

The statistics per covariance type (``r`` the weighted responsibility, ``x^`` the row
completed by the conditional means):

* full: ``sum r (x^ - ref)(x^ - ref)^T + (sum r) C`` about the reference means;
* tied: ``sum_k sum r x^ x^T + (sum r) C`` (pooled; the M-step subtracts the means);
* diag and spherical: ``sum r x^**2 + (sum r) diag(C)`` (spherical then averages the
  M-step's diagonal over the coordinates, which is its exact maximiser).

Rows are grouped by missingness pattern within each chunk: each pattern's factors (one
batched Cholesky over the components) are computed once per iteration and cached, and
every group is processed by batched products over its rows. Rows whose every
coordinate is missing carry no information (their marginal density is 1): a fit leaves
them out with a warning; prediction gives them a log-density of 0 and the weights as
responsibilities.
"""

from __future__ import annotations

import itertools
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from gmm_widgets.mixture._covariance import get_strategy
from gmm_widgets.mixture._em import EMRun, IterationHook, end_iteration
from gmm_widgets.mixture._engine import _n_workers
from gmm_widgets.mixture._memmap import iter_blocks
from gmm_widgets.mixture._sources import Source, round_center
from gmm_widgets.mixture._stats import (
    ChunkParams,
    EMParams,
    Stats,
    SuffStats,
    chunk_estep,
    far_limit_log_resp,
    m_step,
)
from gmm_widgets.mixture._validation import check_choice, is_dask_array

__all__ = [
    "MISSING_MODES",
    "GapParams",
    "Gaps",
    "ImputedSource",
    "check_gaps",
    "check_missing",
    "find_gaps",
    "gap_estep",
    "impute_rows",
    "missing_chunk_size",
    "refuse_infinity",
    "run_missing_em",
]

#: The values of ``GaussianMixture(missing=...)``.
MISSING_MODES = ("error", "em")

_LOG_2PI = np.log(2.0 * np.pi)
#: Bytes of one chunk of a fit with missing values (see ``missing_chunk_size``).
_MISSING_CHUNK_BYTES = 1 << 25
#: Rows scanned at a time when looking for NaN and infinity.
_SCAN_ROWS = 1 << 16


class MissingValuesWarning(UserWarning):
    """``fit`` with ``missing="em"`` left out rows whose every feature is NaN.

    Such rows carry no information about the mixture (the probability of observing
    nothing is 1 under every component); the message says how many there were.
    """


def check_missing(value: Any) -> str:
    """``missing`` checked: ``"error"`` or ``"em"``.

    Parameters
    ----------
    value : Any

    Returns
    -------
    str

    Raises
    ------
    ValueError or TypeError
        Naming the allowed values.
    """
    return check_choice(
        value,
        "missing",
        MISSING_MODES,
        ' ("error" refuses NaN, "em" treats NaN as missing at random)',
    )


def refuse_infinity(X: np.ndarray, name: str = "X") -> None:
    """Raise if ``X`` holds infinity (NaN is allowed: it marks a missing value).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    name : str, default="X"

    Raises
    ------
    ValueError
        Naming the first infinite entry.
    """
    for start, block in iter_blocks(X, _SCAN_ROWS):
        bad = np.isinf(block)
        if bad.any():
            row, col = np.argwhere(bad)[0]
            raise ValueError(
                f"{name} contains infinity (first at row {start + row}, column {col}); "
                f"{int(bad.sum())} infinite value(s) in rows {start}..{start + len(block) - 1}. "
                "missing='em' treats NaN as a missing value, but infinity is not one: "
                "replace it with NaN or a finite value."
            )


@dataclass
class Gaps:
    """Where a fit's data has missing values.

    Attributes
    ----------
    weights : ndarray of shape (n_samples,)
        The sample weights (ones without ``sample_weight``) with 0 for every row whose
        every feature is missing.
    center : ndarray of shape (n_features,)
        The weighted mean of each feature over its observed values, rounded to
        ``_sources.CENTER_BITS`` significant bits (see ``_sources.round_center``).
    n_empty : int
        Rows with every feature missing.
    n_missing : int
        Missing cells.
    """

    weights: np.ndarray
    center: np.ndarray
    n_empty: int
    n_missing: int


def find_gaps(X: Any, sample_weight: np.ndarray | None, min_rows: int) -> Gaps | None:
    """Scan ``X`` for NaN; None when there is none (the fit is then today's).

    Parameters
    ----------
    X : ndarray or memmap of shape (n_samples, n_features)
        Checked (float32 or float64, no infinity).
    sample_weight : ndarray of shape (n_samples,) or None
    min_rows : int
        Rows with an observed value (and positive weight) the fit needs.

    Returns
    -------
    Gaps or None

    Raises
    ------
    ValueError
        For a Dask array, when too few rows are left, or when a feature has no
        observed value.

    Warns
    -----
    MissingValuesWarning
        When rows with every feature missing are left out, with their number.
    """
    if is_dask_array(X):
        raise ValueError(
            "missing='em' does not support Dask arrays: compute the array into memory "
            "(X.compute()) or save it as a NumPy memmap, or use missing='error'."
        )
    n, d = X.shape
    w = np.ones(n) if sample_weight is None else np.array(sample_weight, dtype=np.float64)
    sums = np.zeros(d)
    counts = np.zeros(d)
    n_missing = 0
    empty_rows = []
    for start, block in iter_blocks(X, _SCAN_ROWS):
        nan = np.isnan(block)
        n_nan = int(nan.sum())
        wb = w[start : start + len(block)]
        if n_nan == 0:
            sums += np.dot(wb, np.asarray(block, dtype=np.float64))
            counts += wb.sum()
            continue
        n_missing += n_nan
        empty = nan.all(axis=1)
        if empty.any():
            empty_rows.append(start + np.flatnonzero(empty))
        obs = ~nan
        sums += np.dot(wb, np.where(obs, block, 0.0).astype(np.float64))
        counts += np.dot(wb, obs.astype(np.float64))
    if n_missing == 0:
        return None
    n_empty = 0
    if empty_rows:
        rows = np.concatenate(empty_rows)
        n_empty = int(rows.size)
        w[rows] = 0.0
        warnings.warn(
            f"X has {n_empty} row(s) with every feature missing (NaN); they carry no "
            "information and are left out of the fit (as if their sample_weight were 0).",
            MissingValuesWarning,
            stacklevel=5,
        )
    n_kept = int(np.count_nonzero(w))
    if n_kept < min_rows:
        raise ValueError(
            f"X has {n_kept} row(s) with an observed value (and positive weight), fewer "
            f"than the {min_rows} the fit needs: lower n_components or pass more data."
        )
    unobserved = np.flatnonzero(counts <= 0)
    if unobserved.size:
        raise ValueError(
            f"feature(s) {unobserved.tolist()} of X have no observed value (every entry "
            "is NaN, or only rows of zero weight have one); drop those columns."
        )
    # Rounded as every fit's centre is (round_center): the NaN are imputed by it.
    return Gaps(w, round_center(sums / counts), n_empty, n_missing)


def check_gaps(X: Any, sample_weight: np.ndarray | None, min_rows: int) -> None:
    """Raise what :func:`find_gaps` would raise, without its warning.

    Parameters
    ----------
    X, sample_weight, min_rows
        As :func:`find_gaps`'s.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingValuesWarning)
        find_gaps(X, sample_weight, min_rows)


class ImputedSource:
    """A source whose chunks have NaN replaced by 0: mean imputation of centred data.

    The fit's centre is the mean of each feature's observed values, so 0 in centred
    coordinates is the feature's mean. The initialisation (k-means, k-means++, random)
    reads the data through this source, so it places the starting components on the
    mean-imputed data, deterministically under ``random_state``.

    Parameters
    ----------
    source : Source
        The fit's source, with NaN in its chunks.
    """

    def __init__(self, source: Source) -> None:
        self.source = source
        self.n_samples = source.n_samples
        self.n_features = source.n_features
        self.dtype = source.dtype
        self.center = source.center
        self.bounds = source.bounds

    def reduce(
        self, fn: Callable[[np.ndarray, np.ndarray | None, int], Stats], work_per_row: int = 1
    ) -> Stats:
        """As :meth:`Source.reduce <._sources.Source.reduce>`, on mean-imputed chunks."""
        return self.source.reduce(lambda xc, w, s: fn(_filled(xc), w, s), work_per_row)

    def map(self, fn: Callable[[np.ndarray], np.ndarray], work_per_row: int = 1) -> np.ndarray:
        """As :meth:`Source.map <._sources.Source.map>`, on mean-imputed chunks."""
        return self.source.map(lambda xc: fn(_filled(xc)), work_per_row)

    def sample_rows(self, indices: np.ndarray) -> np.ndarray:
        """Mean-imputed centred rows at ``indices``."""
        return _filled(self.source.sample_rows(indices))

    def sample_weights_at(self, indices: np.ndarray) -> np.ndarray | None:
        """Sample weights at ``indices``."""
        return self.source.sample_weights_at(indices)


def _filled(xc: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(xc), xc.dtype.type(0), xc)


@dataclass
class _Pattern:
    """One missingness pattern's factors for every component (float64).

    ``obs``/``mis``: index arrays; ``const`` (K,): ``log w_k - (p log 2 pi + log det
    S_oo) / 2``; ``winv`` (K, p, p): ``L^-1``; ``gain`` (K, q, p): ``G = S_mo L^-T``;
    ``cond`` (K, q, q): ``C = S_mm - G G^T``; ``perm`` (d,): ``obs`` then ``mis``;
    ``lift`` (K, d, p): ``T = [I; S_mo S_oo^-1]``, which maps ``x_o - mu_o`` to the
    completed row minus the mean, in ``perm``'s order.
    """

    obs: np.ndarray
    mis: np.ndarray
    const: np.ndarray
    winv: np.ndarray
    gain: np.ndarray
    cond: np.ndarray
    perm: np.ndarray
    lift: np.ndarray


class GapParams:
    """A mixture's parameters for rows with missing values, with a cache per pattern.

    Parameters
    ----------
    params : EMParams
        In the centred frame of the chunks it will score.
    """

    def __init__(self, params: EMParams) -> None:
        K, d = params.means.shape
        self.n_components, self.n_features = K, d
        self.means = np.asarray(params.means, dtype=np.float64)
        strategy = get_strategy(params.covariance_type)
        self.cov = strategy.to_full(np.asarray(params.covariances, dtype=np.float64), K, d)
        with np.errstate(divide="ignore"):
            self.log_weights = np.log(np.asarray(params.weights, dtype=np.float64))
        self._cache: dict[bytes, _Pattern] = {}
        self._lock = threading.Lock()

    def pattern(self, missing: np.ndarray) -> _Pattern:
        """The factors of the pattern with missing coordinates ``missing`` (bool, (d,))."""
        key = np.packbits(missing).tobytes()
        found = self._cache.get(key)
        if found is not None:
            return found
        self.prepare([missing])
        return self._cache[key]

    def prepare(self, masks: list[np.ndarray]) -> None:
        """Factor every pattern of ``masks`` not yet cached, batched by its size.

        Patterns with the same numbers of observed and missing features share one
        batched Cholesky, inverse and product over (patterns, components).

        Parameters
        ----------
        masks : list of ndarray of shape (d,), bool
            Missing coordinates of each pattern.
        """
        todo: dict[tuple[int, int], dict[bytes, np.ndarray]] = {}
        for missing in masks:
            key = np.packbits(missing).tobytes()
            if key not in self._cache:
                n_mis = int(missing.sum())
                todo.setdefault((self.n_features - n_mis, n_mis), {})[key] = missing
        made: dict[bytes, _Pattern] = {}
        for (n_obs, _), by_key in todo.items():
            stack = np.array(list(by_key.values()))
            for key, pat in zip(by_key, self._factor(stack, n_obs), strict=True):
                made[key] = pat
        with self._lock:
            for key, pat in made.items():
                self._cache.setdefault(key, pat)

    def _factor(self, missing: np.ndarray, n_obs: int) -> list[_Pattern]:
        """The factors of patterns ``missing`` (P, d), each with ``n_obs`` observed."""
        K = self.n_components
        order = np.argsort(missing, axis=1, kind="stable")  # observed first, in order
        obs, mis = order[:, :n_obs], order[:, n_obs:]
        if n_obs == 0:  # nothing observed: the prior
            empty, gain = np.zeros((K, 0, 0)), np.zeros((K, self.n_features, 0))
            return [
                _Pattern(o, m, self.log_weights.copy(), empty, gain, self.cov.copy(), m, gain)
                for o, m in zip(obs, mis, strict=True)
            ]
        # (P, K, ., .) blocks of every component's covariance.
        cov = self.cov
        s_oo = np.moveaxis(cov[:, obs[:, :, None], obs[:, None, :]], 0, 1)
        s_mo = np.moveaxis(cov[:, mis[:, :, None], obs[:, None, :]], 0, 1)
        s_mm = np.moveaxis(cov[:, mis[:, :, None], mis[:, None, :]], 0, 1)
        try:
            chol = np.linalg.cholesky(s_oo)
        except np.linalg.LinAlgError:
            raise ValueError(
                "a covariance's block of observed features is not positive definite; "
                "increase reg_covar or scale the input data."
            ) from None
        winv = np.linalg.inv(chol)
        log_det = 2.0 * np.log(np.diagonal(chol, axis1=-2, axis2=-1)).sum(axis=-1)
        const = self.log_weights - 0.5 * (n_obs * _LOG_2PI + log_det)
        gain = np.matmul(s_mo, np.swapaxes(winv, -1, -2))
        cond = s_mm - np.matmul(gain, np.swapaxes(gain, -1, -2))
        cond = (cond + np.swapaxes(cond, -1, -2)) / 2
        eye = np.broadcast_to(np.eye(n_obs), winv.shape)
        lift = np.concatenate([eye, np.matmul(gain, winv)], axis=-2)
        return [
            _Pattern(obs[i], mis[i], const[i], winv[i], gain[i], cond[i], order[i], lift[i])
            for i in range(len(missing))
        ]


def _groups(xc: np.ndarray) -> tuple[np.ndarray, list[tuple[np.ndarray, int, int]]]:
    """The chunk's rows grouped by missingness pattern.

    Returns
    -------
    order : ndarray of shape (n,)
        The rows sorted by pattern: ``xc[order]`` holds each group contiguously.
    groups : list of (missing, start, stop)
        Each pattern's missing coordinates (bool, (d,)) and its rows
        ``order[start:stop]``.
    """
    nan = np.isnan(xc)
    packed = np.packbits(nan, axis=1, bitorder="little")  # (n, ceil(d / 8)) bytes
    width = packed.shape[1]
    if width <= 8:  # one integer code per row: a fast sort (radix for up to 16 features)
        size = 2 if width <= 2 else 8
        padded = np.zeros((len(packed), size), dtype=np.uint8)
        padded[:, :width] = packed
        codes = padded.view(np.uint16 if size == 2 else np.uint64)[:, 0]
    else:
        _, codes = np.unique(packed, axis=0, return_inverse=True)
        codes = codes.reshape(-1)
    order = np.argsort(codes, kind="stable")
    cuts = [0, *(np.flatnonzero(np.diff(codes[order])) + 1).tolist(), len(order)]
    return order, [(nan[order[a]], a, b) for a, b in itertools.pairwise(cuts) if b > a]


def missing_chunk_size(n_samples: int, n_features: int, n_jobs: int | None) -> int:
    """Rows per chunk of a fit with missing values.

    The work per chunk is a loop over its missingness patterns, so chunks longer than
    ``auto_chunk_size``'s mean fewer, larger groups (less Python overhead per row):
    one chunk per worker thread, as long as a chunk stays under
    ``_MISSING_CHUNK_BYTES`` (the temporaries are per group, a fraction of that).

    Parameters
    ----------
    n_samples, n_features : int
    n_jobs : int or None
        As ``GaussianMixture``'s.

    Returns
    -------
    int
    """
    per_worker = -(-n_samples // _n_workers(n_jobs))
    cap = max(1024, _MISSING_CHUNK_BYTES // (8 * max(1, n_features)))
    return max(1, min(per_worker, cap))


@dataclass
class _Group:
    """One pattern group's E-step: ``log_prob`` (K, n) weighted log-densities, ``z``
    (K, n, p) whitened observed differences, ``diff`` (K, n, p) the observed values
    minus each component's mean."""

    pat: _Pattern
    diff: np.ndarray
    z: np.ndarray
    log_prob: np.ndarray


def _group_estep(xg: np.ndarray, gp: GapParams, missing: np.ndarray) -> _Group:
    pat = gp.pattern(missing)
    xo = np.asarray(xg[:, pat.obs], dtype=np.float64)
    diff = xo[None, :, :] - gp.means[:, None, pat.obs]
    z = np.matmul(diff, pat.winv.transpose(0, 2, 1))
    maha = np.einsum("knp,knp->kn", z, z)
    log_prob = pat.const[:, None] - 0.5 * maha
    return _Group(pat, diff, z, log_prob)


def _normalise(log_prob: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(log p(x), log responsibilities)`` of weighted log-densities (K, n)."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        amax = log_prob.max(axis=0)
        amax = np.where(np.isfinite(amax), amax, 0.0)
        shifted = log_prob - amax
        total = np.exp(shifted).sum(axis=0)
        log_total = np.log(total)
        return log_total + amax, shifted - log_total


def gap_stats(
    xc: np.ndarray, w: np.ndarray | None, gp: GapParams, covariance_type: str
) -> SuffStats:
    """Expected sufficient statistics of one chunk with missing values (float64).

    Parameters
    ----------
    xc : ndarray of shape (n, d)
        Centred chunk; NaN marks a missing value.
    w : ndarray of shape (n,) or None
        Sample weights (0 for rows to leave out).
    gp : GapParams
        The current parameters (the reference of the full scatter is ``gp.means``).
    covariance_type : str

    Returns
    -------
    SuffStats
        ``frame="ref"``; ``second`` in ``covariance_type``'s layout (see the module's
        notes).
    """
    K, d = gp.n_components, gp.n_features
    nk = np.zeros(K)
    sx = np.zeros((K, d))
    if covariance_type == "full":
        second = np.zeros((K, d, d))
    elif covariance_type == "tied":
        second = np.zeros((d, d))
    else:
        second = np.zeros((K, d))
    weight = float(xc.shape[0]) if w is None else float(np.sum(w, dtype=np.float64))
    order, groups = _groups(xc)
    gp.prepare([missing for missing, _, _ in groups])
    xs = xc[order]
    # E-step: every group's log-densities into one (K, n) array, normalised at once.
    log_prob = np.zeros((K, len(order)))
    parts = []
    for missing, a, b in groups:
        if missing.all():  # no information (weight 0 in a fit): log p = 0, r = w
            log_prob[:, a:b] = gp.log_weights[:, None]
            continue
        g = _group_estep(xs[a:b], gp, missing)
        log_prob[:, a:b] = g.log_prob
        parts.append((g, a, b))
    log_norm, log_resp = _normalise(log_prob)
    resp = np.exp(log_resp, out=log_resp)
    if w is not None:
        ws = np.asarray(w, dtype=np.float64)[order]
        resp *= ws
        log_lik = float(np.dot(ws, log_norm))
    else:
        log_lik = float(log_norm.sum())
    # M-step statistics, group by group; an empty group's rows (weight 0) add nothing.
    for g, a, b in parts:
        r = resp[:, a:b]
        pat = g.pat
        p, perm, lift = pat.obs.size, pat.perm, pat.lift
        nk_g = r.sum(axis=1)
        nk += nk_g
        # Sums over the group of r (x_o - mu_o) and r (x_o - mu_o)(x_o - mu_o)^T, lifted
        # by T to the completed rows (x^ - mu = T (x_o - mu_o)), in perm's order.
        s1 = np.matmul(lift, np.matmul(r[:, None, :], g.diff).transpose(0, 2, 1))[:, :, 0]
        rdiff = g.diff * r[:, :, None]
        s2 = np.matmul(
            np.matmul(lift, np.matmul(rdiff.transpose(0, 2, 1), g.diff)), lift.transpose(0, 2, 1)
        )
        s2[:, p:, p:] += nk_g[:, None, None] * pat.cond  # sum r C
        means = gp.means[:, perm]
        sx[:, perm] += s1 + nk_g[:, None] * means
        if covariance_type == "full":
            second[:, perm[:, None], perm] += s2
        else:
            # About the centre: sum r x^ x^T = s2 + mu s1^T + s1 mu^T + n_k mu mu^T.
            cross = np.einsum("ki,kj->kij", means, s1)
            raw = s2 + cross + cross.transpose(0, 2, 1)
            raw += nk_g[:, None, None] * np.einsum("ki,kj->kij", means, means)
            if covariance_type == "tied":
                second[perm[:, None], perm] += raw.sum(axis=0)
            else:
                second[:, perm] += np.diagonal(raw, axis1=1, axis2=2)
    return SuffStats(nk, sx, second, log_lik=log_lik, weight=weight, frame="ref")


def _chunk_gap_stats(
    xc: np.ndarray, w: np.ndarray | None, start: int, *, gp: GapParams, covariance_type: str
) -> SuffStats:
    return gap_stats(xc, w, gp, covariance_type)


def run_missing_em(
    source: Source,
    params: EMParams,
    *,
    covariance_type: str,
    reg_covar: float,
    tol: float,
    max_iter: int,
    scale: np.ndarray | None = None,
    noise_box: Any = None,
    kernel: Any = None,
    lower_bound: float = -np.inf,
    on_iteration: IterationHook | None = None,
) -> EMRun:
    """EM with missing values from ``params``: ``_em.run_em``'s loop and contract.

    Parameters
    ----------
    source : Source
        Chunks with NaN for the missing values; weights 0 for rows left out.
    params : EMParams
    covariance_type, reg_covar, tol, max_iter, scale, lower_bound, on_iteration
        As :func:`~._em.run_em`'s. The lower bound is the weighted mean observed-data
        log-likelihood.
    noise_box, kernel
        Must be None (no noise component, no compiled kernel with missing values).

    Returns
    -------
    EMRun
    """
    assert noise_box is None, "missing='em' has no noise component"
    run = EMRun(params, lower_bound=lower_bound)
    K = params.means.shape[0]
    work = K * (source.n_features + 1) * (source.n_features + 1)
    while run.n_iter < max_iter:
        run.n_iter += 1
        gp = GapParams(run.params)
        stats = source.reduce(
            partial(_chunk_gap_stats, gp=gp, covariance_type=covariance_type), work
        )
        previous, run.lower_bound = run.lower_bound, stats.log_lik / stats.weight
        run.params = m_step(stats, gp.means, covariance_type, reg_covar, scale=scale)
        if end_iteration(run, previous, tol, on_iteration):
            break
    return run


def gap_estep(xc: np.ndarray, cp: ChunkParams, gp: GapParams) -> tuple[np.ndarray, np.ndarray]:
    """``chunk_estep`` for chunks that may hold NaN: rows with one use the marginals.

    Rows without NaN go through :func:`~._stats.chunk_estep` (today's numbers). A row
    whose every value is missing gets ``log p(x) = 0`` (the density of observing
    nothing is 1) and the weights as responsibilities.

    Parameters
    ----------
    xc : ndarray of shape (n, d)
        Centred chunk.
    cp : ChunkParams
    gp : GapParams
        The same parameters, for the marginals.

    Returns
    -------
    log_norm : ndarray of shape (n,)
    log_resp : ndarray of shape (K, n)
    """
    nan_rows = np.isnan(xc).any(axis=1)
    if not nan_rows.any():
        return chunk_estep(xc, cp)
    n = xc.shape[0]
    log_norm = np.empty(n)
    log_resp = np.empty((gp.n_components, n))
    done = ~nan_rows
    if done.any():
        ln, lr = chunk_estep(xc[done], cp)
        log_norm[done], log_resp[:, done] = ln, lr
    part = np.flatnonzero(nan_rows)
    order, groups = _groups(xc[part])
    gp.prepare([missing for missing, _, _ in groups])
    for missing, a, b in groups:
        idx = part[order[a:b]]
        if missing.all():
            log_norm[idx] = 0.0
            log_resp[:, idx] = gp.log_weights[:, None] - np.log(np.exp(gp.log_weights).sum())
            continue
        with np.errstate(over="ignore", invalid="ignore"):
            log_prob = _group_estep(xc[idx], gp, missing).log_prob
        ln, lr = _normalise(log_prob)
        # Far outside the data the quadratic forms overflow (inf, or NaN from inf - inf):
        # log p(x) is -inf and the responsibilities are their limit along the row's
        # direction, as for complete rows (_stats.chunk_estep).
        far = np.isnan(log_prob).any(axis=0) | ~(np.abs(log_prob) < _FAR_LOG_DENSITY).any(axis=0)
        if far.any():
            ln[far] = -np.inf
            lr[:, far] = _far_log_resp(xc[idx][far], gp, gp.pattern(missing))
        log_norm[idx], log_resp[:, idx] = ln, lr
    return log_norm, log_resp


#: As ``_stats._FAR_LOG_DENSITY``: log-densities beyond it (every component) mark a row
#: too far out for its density to be computed.
_FAR_LOG_DENSITY = 1e100


def _far_log_resp(xg: np.ndarray, gp: GapParams, pat: Any) -> np.ndarray:
    """Limit of the responsibilities of rows far out, from their observed features.

    ``_stats.far_limit_log_resp`` along the observed part's direction ``u`` (``x_o = s
    u``), with ``P_k`` the observed block's precision and the constant ``log w_k - log
    det S_k / 2 - mu_k' P_k mu_k / 2``: the complete rows' rule. Shape (K, n).
    """
    xo = np.asarray(xg[:, pat.obs], dtype=np.float64)
    scale = np.abs(xo).max(axis=1, keepdims=True)
    scale[scale == 0] = 1.0
    u = xo / scale
    wu = np.matmul(u[None, :, :], np.swapaxes(pat.winv, -1, -2))  # (K, n, p)
    wmu = np.einsum("kpq,kq->kp", pat.winv, gp.means[:, pat.obs])  # (K, p)
    q = np.einsum("knp,knp->kn", wu, wu)
    lin = np.einsum("knp,kp->kn", wu, wmu)
    const = pat.const[:, None] - 0.5 * np.sum(wmu**2, axis=1)[:, None]
    return far_limit_log_resp(q, lin, const)


def impute_rows(
    xc: np.ndarray, gp: GapParams, rng: np.random.RandomState | None = None
) -> np.ndarray:
    """Missing values of a centred chunk filled in (centred, float64, a new array).

    Parameters
    ----------
    xc : ndarray of shape (n, d)
        NaN marks a missing value.
    gp : GapParams
    rng : numpy.random.RandomState, optional
        None: the conditional expectation ``sum_k p(k | x_o) E[x_m | x_o, k]``. Given:
        one draw from the conditional mixture: a component from ``p(k | x_o)``, then
        ``x_m`` from its conditional Gaussian.

    Returns
    -------
    ndarray of shape (n, d)
        Observed values as given.
    """
    out = np.array(xc, dtype=np.float64)
    nan_rows = np.flatnonzero(np.isnan(xc).any(axis=1))
    if nan_rows.size == 0:
        return out
    order, groups = _groups(xc[nan_rows])
    gp.prepare([missing for missing, _, _ in groups])
    for missing, a, b in groups:
        idx = nan_rows[order[a:b]]
        pat = gp.pattern(missing)
        if missing.all():
            log_resp = np.broadcast_to(
                (gp.log_weights - np.log(np.exp(gp.log_weights).sum()))[:, None],
                (gp.n_components, idx.size),
            )
            cmean = np.broadcast_to(
                gp.means[:, None, :], (gp.n_components, idx.size, pat.mis.size)
            )
        else:
            g = _group_estep(xc[idx], gp, missing)
            _, log_resp = _normalise(g.log_prob)
            cmean = gp.means[:, None, pat.mis] + np.matmul(g.z, pat.gain.transpose(0, 2, 1))
        resp = np.exp(log_resp)
        if rng is None:
            filled = np.einsum("kn,knq->nq", resp, cmean)
        else:
            # One component per row, by inverse CDF of its responsibilities.
            cdf = np.cumsum(resp, axis=0)
            u = rng.uniform(size=idx.size) * cdf[-1]
            comp = np.minimum((cdf < u).sum(axis=0), gp.n_components - 1)
            noise = rng.standard_normal(size=(idx.size, pat.mis.size))
            root = _psd_root(pat.cond)
            filled = cmean[comp, np.arange(idx.size)] + np.einsum("nij,nj->ni", root[comp], noise)
        block = out[idx]
        block[:, pat.mis] = filled
        out[idx] = block
    return out


def _psd_root(cov: np.ndarray) -> np.ndarray:
    """``R`` with ``R R^T = cov`` for each symmetric PSD matrix of a stack (K, q, q)."""
    vals, vecs = np.linalg.eigh(cov)
    return vecs * np.sqrt(np.clip(vals, 0.0, None))[:, None, :]
