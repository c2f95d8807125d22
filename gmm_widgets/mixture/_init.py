"""Initialisation: a small, fast k-means of our own, k-means++ seeding and random picks.

All functions work on an in-memory float64 sample of the (centred) data. For data
larger than :data:`MAX_INIT_SAMPLES` rows, the caller passes a uniform random subsample
and assigns every row to its nearest centre afterwards.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "INIT_METHODS",
    "MAX_INIT_SAMPLES",
    "exact_sq_distances",
    "kmeans",
    "kmeans_plusplus",
    "nearest_centre",
    "random_rows",
    "sample_indices",
]

#: Rows used to place the initial centres; larger data is subsampled uniformly for this
#: step only (every row still takes part in every EM iteration).
MAX_INIT_SAMPLES = 100_000

INIT_METHODS = ("kmeans", "k-means++", "random", "random_from_data")

#: Rows per independently seeded block of :func:`random_rows`.
_RANDOM_BLOCK = 4096


def random_rows(seed: int, start: int, stop: int, n_components: int) -> np.ndarray:
    """Uniform random numbers for rows ``start:stop``, the same however rows are chunked.

    Row ``i`` always gets the same numbers for a given ``seed``: rows are grouped in
    fixed blocks, each drawn from its own generator seeded by ``(seed, block)``. So the
    ``"random"`` init does not depend on the chunk size, the number of worker threads or
    a Dask array's chunks, and needs memory for one block, not for all rows.

    Parameters
    ----------
    seed : int
    start, stop : int
        Row range, ``0 <= start <= stop``.
    n_components : int

    Returns
    -------
    ndarray of shape (stop - start, n_components)
        Values in [0, 1).
    """
    out = np.empty((stop - start, n_components))
    if stop <= start:
        return out
    for block in range(start // _RANDOM_BLOCK, (stop - 1) // _RANDOM_BLOCK + 1):
        lo = block * _RANDOM_BLOCK
        a, b = max(lo, start), min(lo + _RANDOM_BLOCK, stop)
        draws = np.random.default_rng([seed, block]).random((b - lo, n_components))
        out[a - start : b - start] = draws[a - lo :]
    return out


def sample_indices(random_state: np.random.RandomState, n: int, size: int) -> np.ndarray:
    """A uniform random subset of ``size`` row indices out of ``n``, sorted.

    Unlike ``choice(n, size, replace=False)``, memory is O(size), not O(n): random
    integers are drawn with some excess and deduplicated (a uniform random set, given
    its size), then ``size`` of them are kept at random.

    Parameters
    ----------
    random_state : numpy.random.RandomState
    n : int
    size : int
        ``0 <= size <= n``.

    Returns
    -------
    ndarray of shape (size,), int
    """
    if size * 4 >= n:
        return np.sort(random_state.permutation(n)[:size])
    idx = np.unique(random_state.randint(0, n, size=size + size // 4 + 16))
    while idx.size < size:
        idx = np.unique(np.concatenate([idx, random_state.randint(0, n, size=size)]))
    return np.sort(random_state.choice(idx, size, replace=False))


def _sq_norms(X: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", X, X)


#: Relative rounding bound of the expanded distances ``|x|^2 - 2 c.x + |c|^2``: rows
#: whose two nearest centres are closer than this (relative to ``|x|^2 + |c|^2``) are
#: decided again by :func:`exact_sq_distances`. Generous on purpose: a larger bound only
#: sends more rows to the exact path.
_TIE_RTOL = 1e-9


def exact_sq_distances(X: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances computed the same way on every machine.

    The expanded form behind :func:`nearest_centre` runs through BLAS, whose kernels
    round differently on different CPUs, so exact ties (equidistant points, common on
    lattice or duplicated data) would go to different centres on different machines.
    Here every value is a fixed sequence of IEEE operations: differences, squares and a
    sum over the features in order, without BLAS.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    centres : ndarray of shape (K, d)

    Returns
    -------
    ndarray of shape (n, K)
    """
    out = np.zeros((X.shape[0], centres.shape[0]), dtype=np.result_type(X, centres))
    for j in range(X.shape[1]):
        diff = np.subtract.outer(X[:, j], centres[:, j])
        diff *= diff
        out += diff
    return out


def nearest_centre(X: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Index of the nearest centre of each row, with ties broken the same everywhere.

    Distances come from one GEMM (the expanded form); the rows whose two nearest centres
    are within that form's rounding are decided by :func:`exact_sq_distances`, so an
    exact tie goes to the lower index on every CPU and BLAS.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    centres : ndarray of shape (K, d)

    Returns
    -------
    ndarray of shape (n,), int
    """
    # ||x - c||^2 = ||x||^2 - 2 c.x + ||c||^2; ||x||^2 does not change the argmin.
    c_sq = _sq_norms(centres)
    dist = np.dot(centres, X.T)
    dist *= -2.0
    dist += c_sq[:, None]
    labels = dist.argmin(axis=0)
    if centres.shape[0] < 2 or X.shape[0] == 0:
        return labels
    cols = np.arange(X.shape[0])
    best = dist[labels, cols].copy()
    dist[labels, cols] = np.inf
    gap = dist.min(axis=0) - best
    bound = _TIE_RTOL * (_sq_norms(X) + c_sq.max())
    close = np.flatnonzero(gap <= bound)
    if close.size:
        labels[close] = exact_sq_distances(X[close], centres).argmin(axis=1)
    return labels


def kmeans_plusplus(
    X: np.ndarray,
    n_clusters: int,
    random_state: np.random.RandomState,
    sample_weight: np.ndarray | None = None,
    n_local_trials: int | None = None,
) -> np.ndarray:
    """Greedy k-means++ seeding (Arthur & Vassilvitskii, 2007).

    Parameters
    ----------
    X : ndarray of shape (n, d)
    n_clusters : int
    random_state : numpy.random.RandomState
    sample_weight : ndarray of shape (n,), optional
    n_local_trials : int, optional
        Candidates tried per centre; ``2 + log(n_clusters)`` by default.

    Returns
    -------
    ndarray of shape (n_clusters,), int
        Row indices of the chosen centres.
    """
    n = X.shape[0]
    w = np.ones(n) if sample_weight is None else sample_weight
    if n_local_trials is None:
        n_local_trials = 2 + int(np.log(n_clusters))
    # Distances and potentials without BLAS (see exact_sq_distances): equal potentials
    # of two candidates, common on lattice data, pick the same candidate on every CPU.
    indices = np.empty(n_clusters, dtype=np.intp)
    indices[0] = random_state.choice(n, p=w / w.sum())
    closest = exact_sq_distances(X, X[indices[0], None])[:, 0]
    potential = float(np.sum(w * closest))
    for c in range(1, n_clusters):
        if potential <= 0.0:  # every point coincides with a centre: pick any unused row
            unused = np.setdiff1d(np.arange(n), indices[:c])
            indices[c] = unused[0] if unused.size else indices[c - 1]
            continue
        rand = random_state.uniform(size=n_local_trials) * potential
        candidates = np.searchsorted(np.cumsum(w * closest), rand)
        np.clip(candidates, 0, n - 1, out=candidates)
        dist = exact_sq_distances(X, X[candidates]).T
        np.minimum(closest, dist, out=dist)
        pots = np.sum(dist * w, axis=1)
        best = int(np.argmin(pots))
        potential = float(pots[best])
        closest = dist[best]
        indices[c] = candidates[best]
    return indices


def kmeans(
    X: np.ndarray,
    n_clusters: int,
    random_state: np.random.RandomState,
    sample_weight: np.ndarray | None = None,
    max_iter: int = 300,
    tol: float = 1e-4,
) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd's k-means from a k-means++ seeding.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    n_clusters : int
    random_state : numpy.random.RandomState
    sample_weight : ndarray of shape (n,), optional
    max_iter : int, default=300
    tol : float, default=1e-4
        Stop when the centres move by less than ``tol`` times the mean feature
        variance (squared distance), or when no label changes.

    Returns
    -------
    centres : ndarray of shape (n_clusters, d)
    labels : ndarray of shape (n,)
    """
    n, d = X.shape
    w = np.ones(n) if sample_weight is None else sample_weight
    centres = X[kmeans_plusplus(X, n_clusters, random_state, w)].copy()
    tol_abs = tol * float(np.mean(np.var(X, axis=0)))
    labels = nearest_centre(X, centres)
    for _ in range(max_iter):
        wsum = np.bincount(labels, weights=w, minlength=n_clusters)
        new = np.empty_like(centres)
        for j in range(d):
            new[:, j] = np.bincount(labels, weights=w * X[:, j], minlength=n_clusters)
        empty = wsum <= 0
        if empty.any():
            # Move empty clusters to the points farthest from their centres.
            resid = X - centres[labels]
            far = np.argsort(-np.einsum("ij,ij->i", resid, resid), kind="stable")
            new[empty] = X[far[: int(empty.sum())]]
            wsum[empty] = 1.0
        new /= wsum[:, None]
        shift = float(np.sum((new - centres) ** 2))
        centres = new
        new_labels = nearest_centre(X, centres)
        unchanged = np.array_equal(new_labels, labels)
        labels = new_labels
        if unchanged or shift <= tol_abs:
            break
    return centres, labels
