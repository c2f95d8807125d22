"""Full covariances through quadratic features: two GEMMs per chunk.

With the augmented point ``x~ = (x, 1)``, a full-covariance component's weighted
log-density is a quadratic form,

    log w_k + log det P_k - d/2 log(2 pi) - 1/2 |P_k^T (x - mu_k)|^2 = b_k . q(x),

where ``q(x)`` holds the ``m = (d + 1)(d + 2) / 2`` products ``x~_i x~_j`` (i <= j) and
``b_k`` the matching coefficients. Per chunk this needs

* ``Q`` of shape ``(m, n)``: the products, shared by every component (``d^2 / 2`` per row),
* ``log_prob = B @ Q`` of shape ``(K, n)``: the E-step in one GEMM, with a small output,
* ``G = resp @ Q.T`` of shape ``(K, m)``: responsibilities, weighted sums and raw second
  moments of every component in one more GEMM.

The whitened form (``_covariance._Full.whiten``) needs a ``(K, d, n)`` temporary and
several passes over it, so for ``d`` up to a few dozen this is several times faster.

The price is cancellation: the raw moments are taken about the fit's centre, not about
each mean, so the rounding error grows with ``kappa = max_k |P_k^T mu_k|^2``, the squared
whitened distance of the farthest mean from the centre. :func:`use_moments` takes this
form only while ``eps * kappa`` stays far below the agreement we promise with
scikit-learn (1e-10 relative); otherwise the whitened form runs.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

__all__ = [
    "MAX_FEATURES",
    "MAX_KAPPA",
    "MAX_KAPPA_SINGLE",
    "features_of",
    "kappa",
    "moment_chunk_size",
    "quad_coefficients",
    "quad_features",
    "unpack_moments",
    "use_moments",
]

#: Above this many features the ``m x n`` product matrix costs more than it saves.
MAX_FEATURES = 24
#: Largest ``kappa`` for which the quadratic form is used: the relative error of the
#: log-densities and covariances stays near ``eps * kappa`` (measured 1e-12 at 1e4).
MAX_KAPPA = 1e4
#: Largest ``kappa`` for which the compiled kernel may run float32 data in float32
#: arithmetic (see ``_quad_kernel``): the covariances' relative error stays near
#: ``eps32 * kappa``, measured 1e-6 at kappa ~ 200. Beyond, it runs them in float64.
MAX_KAPPA_SINGLE = 1e3
#: Elements of the largest per-chunk temporary (``Q``: ``m`` rows of the chunk's length).
_CHUNK_ELEMENTS = 1 << 21
_MIN_ROWS, _MAX_ROWS = 2048, 16384
#: Rows per block of the transposing copy in :func:`quad_features`.
_TRANSPOSE_ROWS = 4096


def n_quad(n_features: int) -> int:
    """Number of products ``x~_i x~_j`` with ``i <= j`` for ``d`` features."""
    return (n_features + 1) * (n_features + 2) // 2


def features_of(n_products: int) -> int:
    """The ``d`` with ``n_quad(d) == n_products``."""
    d = math.isqrt(8 * n_products + 1) // 2 - 1
    if n_quad(d) != n_products:
        raise ValueError(f"{n_products} is not a number of quadratic features")
    return d


@lru_cache(maxsize=64)
def _layout(n_features: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which pair ``(i, j)`` of ``x~ = (x_0, ..., x_{d-1}, 1)`` each product row holds.

    Rows ``0..d-1`` are the features themselves (``x_i * 1``), row ``d`` is the ``1``,
    then, for each ``i``, the products ``x_i * x_j`` with ``j >= i``. The centred chunk
    is written straight into the first rows, and every product block reads them.

    Returns
    -------
    rows, cols : ndarray of shape (m,)
        The pair of each product row (``i <= j``; index ``d`` is the ``1``).
    lookup : ndarray of shape (d + 1, d + 1)
        The product row of each pair, symmetric.
    """
    d = n_features
    rows = [*range(d), d]
    cols = [d] * (d + 1)
    for i in range(d):
        rows += [i] * (d - i)
        cols += list(range(i, d))
    rows_a, cols_a = np.array(rows, dtype=np.intp), np.array(cols, dtype=np.intp)
    lookup = np.empty((d + 1, d + 1), dtype=np.intp)
    lookup[rows_a, cols_a] = lookup[cols_a, rows_a] = np.arange(rows_a.size)
    for a in (rows_a, cols_a, lookup):
        a.setflags(write=False)
    return rows_a, cols_a, lookup


def moment_chunk_size(n_components: int, n_features: int) -> int:
    """Rows per chunk for the quadratic form: ``Q`` and ``log_prob`` stay a few MB."""
    rows = _CHUNK_ELEMENTS // (n_quad(n_features) + n_components)
    return int(min(_MAX_ROWS, max(_MIN_ROWS, rows)))


def kappa(means: np.ndarray, prec_chol: np.ndarray) -> float:
    """Largest squared whitened distance ``|P_k^T mu_k|^2`` of a mean from the centre.

    Parameters
    ----------
    means : ndarray of shape (K, d)
        Means in the fit's centred coordinates.
    prec_chol : ndarray of shape (K, d, d)

    Returns
    -------
    float
    """
    z = np.einsum("kde,kd->ke", prec_chol, means)
    return float(np.max(np.einsum("ke,ke->k", z, z)))


def use_moments(means: np.ndarray, prec_chol: np.ndarray) -> bool:
    """Whether the quadratic form is both faster and accurate for these parameters.

    The rule does not depend on the data's dtype: the products are formed in float64
    either way (the product of two float32 numbers is exact in float64).

    Parameters
    ----------
    means : ndarray of shape (K, d)
    prec_chol : ndarray of shape (K, d, d)

    Returns
    -------
    bool
    """
    n_features = means.shape[1]
    return n_features <= MAX_FEATURES and kappa(means, prec_chol) + n_features <= MAX_KAPPA


def quad_coefficients(means: np.ndarray, prec_chol: np.ndarray, const: np.ndarray) -> np.ndarray:
    """Coefficients ``B`` with ``B @ q(x)`` equal to the weighted log-densities.

    Parameters
    ----------
    means : ndarray of shape (K, d)
        Centred means (float64).
    prec_chol : ndarray of shape (K, d, d)
        Precision Cholesky factors (float64).
    const : ndarray of shape (K,)
        ``log w_k + log det P_k - d/2 log(2 pi)``.

    Returns
    -------
    ndarray of shape (K, m)
    """
    n_components, n_features = means.shape
    rows, cols, lookup = _layout(n_features)
    # W_k = [P_k^T, -P_k^T mu_k] (d, d+1): W_k x~ = P_k^T (x - mu_k).
    w = np.empty((n_components, n_features, n_features + 1))
    w[:, :, :n_features] = prec_chol.transpose(0, 2, 1)
    w[:, :, n_features] = -np.einsum("kde,kd->ke", prec_chol, means)
    a = np.einsum("kdi,kdj->kij", w, w)  # x~^T A_k x~ = |P_k^T (x - mu_k)|^2
    coef = a[:, rows, cols] * np.where(rows == cols, -0.5, -1.0)
    coef[:, lookup[n_features, n_features]] += np.asarray(const, dtype=np.float64).reshape(-1)
    return coef


def quad_features(xc: np.ndarray) -> np.ndarray:
    """The products ``x~_i x~_j`` (``i <= j``) of a centred chunk, in float64.

    Parameters
    ----------
    xc : ndarray of shape (n, d)
        Centred chunk, float32 or float64 (float32 products are exact in float64).

    Returns
    -------
    ndarray of shape (m, n)
        Row ``lookup[i, j]`` of :func:`_layout` holds ``x~_i * x~_j``.
    """
    n, d = xc.shape
    q = np.empty((n_quad(d), n))
    # The features, transposed and in float64; in row blocks that stay in cache (a
    # single transposing copy of a 16-feature chunk is ~1.5x slower).
    for s in range(0, n, _TRANSPOSE_ROWS):
        q[:d, s : s + _TRANSPOSE_ROWS] = xc[s : s + _TRANSPOSE_ROWS].T
    q[d] = 1.0
    off = d + 1
    for i in range(d):
        np.multiply(q[i:d], q[i], out=q[off : off + d - i])
        off += d - i
    return q


def unpack_moments(g: np.ndarray, n_features: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split ``G = resp @ Q.T`` into counts, first and second raw moments.

    Parameters
    ----------
    g : ndarray of shape (K, m)
    n_features : int

    Returns
    -------
    nk : ndarray of shape (K,)
    sx : ndarray of shape (K, d)
    second : ndarray of shape (K, d, d)
        ``sum_n r_kn x_n x_n^T`` about the fit's centre.
    """
    _, _, lookup = _layout(n_features)
    d = n_features
    return g[:, d], g[:, :d], g[:, lookup[:d, :d]]
