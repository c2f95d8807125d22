"""The quadratic-feature form of one chunk, compiled with numba (the ``fast`` extra).

Importing this module imports numba; :mod:`gmm_widgets.mixture._compiled` does so only
when numba is installed and the fit is large enough to be worth it.

:func:`quad_stats` computes what ``_stats.chunk_stats`` computes for the quadratic
form (see ``_moments``), in blocks of :data:`BLOCK` rows. Each block's product matrix
``Q`` (``m x BLOCK``) is built, multiplied by the coefficients, turned into
responsibilities and multiplied back while it is still in the core's L2 cache, and
nothing of a block's size goes through the Python interpreter. NumPy cannot do that:
it writes a chunk's ``Q`` to memory once and reads it twice, one interpreted call per
product row, and its GEMMs on ``K`` rows then run at a third of the small-matrix rate
of the same GEMMs on cache-resident blocks.

With float64 coefficients the arithmetic is NumPy's (IEEE double, no fast-math): the
products, the GEMMs and the statistics round the same way, only the order of the sums
over rows differs. With float32 coefficients (float32 data, see ``_stats``) a block is
computed in float32, twice as many numbers per vector and half the bytes, and its sums
are added up in float64, so the rounding error is that of 256-row sums. The
exponential is a polynomial (:func:`_exp64`, :func:`_exp32`) because numba's scalar
``exp`` does not vectorise; it agrees with ``np.exp`` to a few units in the last place.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["BLOCK", "quad_stats"]

#: Rows per block: ``Q`` (153 x 256 doubles at 16 features) stays in L2 cache and the
#: GEMMs fall under OpenBLAS's no-packing small-matrix kernels (measured best of
#: 64-1024 at d = 2, 8 and 16).
BLOCK = 256

_LOG2E = 1.4426950408889634
# ln 2 in two parts, so that ``v - k ln 2`` is exact for the k that occur here.
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10


@njit(nogil=True, cache=True, inline="always")
def _build(xc, q, start, nb, d):
    """Write rows ``start:start+nb`` of ``xc`` into ``q`` in ``_moments._layout``."""
    for t in range(nb):
        for i in range(d):
            # float32 data in float64 arithmetic is widened: its products are exact.
            q[i, t] = xc[start + t, i]
    for t in range(nb):
        q[d, t] = 1.0
    off = d + 1
    for i in range(d):
        for j in range(i, d):
            a, b, c = q[i], q[j], q[off]
            for t in range(nb):
                c[t] = a[t] * b[t]
            off += 1


@njit(nogil=True, cache=True, inline="always")
def _exp64(a, bits):
    """``exp`` in place of float64 values in ``[-708, 0]`` (or NaN, which stays NaN).

    ``exp(v) = 2^k exp(r)`` with ``k = round(v / ln 2)`` and ``|r| <= ln 2 / 2``;
    ``exp(r)`` is its Taylor polynomial of degree 13 (truncation below 5e-18), and
    ``2^k`` is built from its exponent bits. Both loops vectorise.
    """
    for i in range(a.size):
        v = a[i]
        k = np.floor(v * _LOG2E + 0.5)
        r = (v - k * _LN2_HI) - k * _LN2_LO
        p = 1.0 / 6227020800.0
        p = p * r + 1.0 / 479001600.0
        p = p * r + 1.0 / 39916800.0
        p = p * r + 1.0 / 3628800.0
        p = p * r + 1.0 / 362880.0
        p = p * r + 1.0 / 40320.0
        p = p * r + 1.0 / 5040.0
        p = p * r + 1.0 / 720.0
        p = p * r + 1.0 / 120.0
        p = p * r + 1.0 / 24.0
        p = p * r + 1.0 / 6.0
        p = p * r + 0.5
        p = p * r + 1.0
        a[i] = p * r + 1.0
        bits[i] = (np.int64(k) + 1023) << 52
    scale = bits.view(np.float64)
    for i in range(a.size):
        a[i] *= scale[i]


@njit(nogil=True, cache=True, inline="always")
def _exp32(a, bits):
    """:func:`_exp64` for float32 values in ``[-87, 0]``, in float32 arithmetic.

    Degree 7 (truncation below 5e-9, a tenth of float32's epsilon); ``ln 2`` in the
    two parts of Cephes' ``expf`` (0.693359375 - 2.12194440e-4).
    """
    for i in range(a.size):
        v = a[i]
        k = np.floor(v * np.float32(_LOG2E) + np.float32(0.5))
        r = (v - k * np.float32(0.693359375)) + k * np.float32(2.12194440e-4)
        p = np.float32(1.0 / 5040.0)
        p = p * r + np.float32(1.0 / 720.0)
        p = p * r + np.float32(1.0 / 120.0)
        p = p * r + np.float32(1.0 / 24.0)
        p = p * r + np.float32(1.0 / 6.0)
        p = p * r + np.float32(0.5)
        p = p * r + np.float32(1.0)
        a[i] = p * r + np.float32(1.0)
        bits[i] = (np.int32(k) + 127) << 23
    scale = bits.view(np.float32)
    for i in range(a.size):
        a[i] *= scale[i]


@njit(nogil=True, cache=True)
def quad_stats(xc, w, coef, floor):
    """E-step and packed statistics ``G = resp @ Q.T`` of one centred chunk.

    Parameters
    ----------
    xc : ndarray of shape (n, d), float32 or float64, C-contiguous
        Centred chunk.
    w : ndarray of shape (n,) or (0,), float64
        Sample weights, or an empty array for none.
    coef : ndarray of shape (K, m), float64 or float32, C-contiguous
        ``_moments.quad_coefficients`` of the current parameters. Its dtype is the
        arithmetic's: the products, the GEMMs and the responsibilities of a block are
        float32 for float32 coefficients; the sums over blocks are float64 either way.
    floor : float
        Floor of the shifted log-densities (``_stats._LOG_FLOOR`` of ``coef``'s dtype).

    Returns
    -------
    g : ndarray of shape (K, m)
        As ``np.dot(resp, Q.T)`` with (weighted) responsibilities ``resp``.
    log_lik : float
        Sum of the (weighted) per-sample log-likelihoods.
    """
    n, d = xc.shape
    K, m = coef.shape
    bs = max(1, min(BLOCK, n))
    dtype = coef.dtype
    single = coef.itemsize == 4
    q = np.empty((m, bs), dtype)
    r = np.empty((K, bs), dtype)
    bits64 = np.empty(K * bs, np.int64)
    bits32 = np.empty(K * bs, np.int32)
    shift = np.empty(bs, dtype)
    scale = np.empty(bs, dtype)
    gt = np.zeros((m, K))
    part = np.empty((m, K), dtype)
    weighted = w.size > 0
    log_lik = 0.0
    for start in range(0, n, bs):
        nb = min(bs, n - start)
        if nb < bs:  # the last, shorter block: new contiguous buffers for BLAS
            q = np.empty((m, nb), dtype)
            r = np.empty((K, nb), dtype)
        _build(xc, q, start, nb, d)
        np.dot(coef, q, r)  # log_prob, (K, nb)
        for t in range(nb):
            shift[t] = r[0, t]
        for k in range(1, K):
            for t in range(nb):
                if r[k, t] > shift[t]:
                    shift[t] = r[k, t]
        for t in range(nb):
            if not np.isfinite(shift[t]):  # as _estep_core: a row of -inf is shifted by 0
                shift[t] = 0
        for k in range(K):
            for t in range(nb):
                v = r[k, t] - shift[t]
                if v < floor:  # NaN is not below the floor: it stays NaN
                    v = floor
                r[k, t] = v
        if single:
            _exp32(r.reshape(K * nb), bits32[: K * nb])
        else:
            _exp64(r.reshape(K * nb), bits64[: K * nb])
        for t in range(nb):
            scale[t] = 0
        for k in range(K):
            for t in range(nb):
                scale[t] += r[k, t]
        for t in range(nb):
            log_norm = np.log(np.float64(scale[t])) + np.float64(shift[t])
            if weighted:
                log_lik += w[start + t] * log_norm
                scale[t] = w[start + t] / scale[t]
            else:
                log_lik += log_norm
                scale[t] = 1.0 / scale[t]
        for k in range(K):
            for t in range(nb):
                r[k, t] *= scale[t]
        np.dot(q, r.T, part)
        gt += part
    return np.ascontiguousarray(gt.T), log_lik
