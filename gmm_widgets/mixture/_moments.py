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

from functools import lru_cache

import numpy as np

__all__ = [
    "MAX_FEATURES",
    "MAX_KAPPA",
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
#: Elements of the largest per-chunk temporary (``Q``: ``m`` rows of the chunk's length).
_CHUNK_ELEMENTS = 1 << 20
_MIN_ROWS, _MAX_ROWS = 4096, 32768


def n_quad(n_features: int) -> int:
    """Number of products ``x~_i x~_j`` with ``i <= j`` for ``d`` features."""
    return (n_features + 1) * (n_features + 2) // 2


@lru_cache(maxsize=64)
def _layout(n_features: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Index arrays into the product rows: pairs ``(i, j)``, the ``x`` rows, the ``1`` row."""
    rows, cols = np.triu_indices(n_features + 1)
    lookup = np.empty((n_features + 1, n_features + 1), dtype=np.intp)
    lookup[rows, cols] = lookup[cols, rows] = np.arange(rows.size)
    for a in (rows, cols, lookup):
        a.setflags(write=False)
    return rows, cols, lookup, lookup[:n_features, n_features]


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


def use_moments(dtype: np.dtype, means: np.ndarray, prec_chol: np.ndarray) -> bool:
    """Whether the quadratic form is both faster and accurate for these parameters.

    Parameters
    ----------
    dtype : numpy dtype
        The data's dtype. The products are formed in float64 either way (the product
        of two float32 numbers is exact in float64), so the rule does not depend on it.
    means : ndarray of shape (K, d)
    prec_chol : ndarray of shape (K, d, d)

    Returns
    -------
    bool
    """
    del dtype  # the arithmetic is float64 for both float32 and float64 data
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
    rows, cols, _, _ = _layout(n_features)
    # W_k = [P_k^T, -P_k^T mu_k] (d, d+1): W_k x~ = P_k^T (x - mu_k).
    w = np.empty((n_components, n_features, n_features + 1))
    w[:, :, :n_features] = prec_chol.transpose(0, 2, 1)
    w[:, :, n_features] = -np.einsum("kde,kd->ke", prec_chol, means)
    a = np.einsum("kdi,kdj->kij", w, w)  # x~^T A_k x~ = |P_k^T (x - mu_k)|^2
    coef = a[:, rows, cols] * np.where(rows == cols, -0.5, -1.0)
    coef[:, -1] += np.asarray(const, dtype=np.float64).reshape(-1)
    return coef


def quad_features(xc: np.ndarray) -> np.ndarray:
    """The products ``x~_i x~_j`` (``i <= j``) of a centred chunk, in float64.

    Parameters
    ----------
    xc : ndarray of shape (n, d)
        Centred chunk, float32 or float64.

    Returns
    -------
    ndarray of shape (m, n)
        Row ``lookup[i, j]`` holds ``x~_i * x~_j``; the last row is all ones.
    """
    n, n_features = xc.shape
    xt = np.array(xc.T, dtype=np.float64, order="C")
    q = np.empty((n_quad(n_features), n))
    off = 0
    for i in range(n_features):
        np.multiply(xt[i:], xt[i], out=q[off : off + n_features - i])
        off += n_features - i
        q[off] = xt[i]
        off += 1
    q[off] = 1.0
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
    _, _, lookup, x_rows = _layout(n_features)
    return g[:, -1], g[:, x_rows], g[:, lookup[:n_features, :n_features]]
