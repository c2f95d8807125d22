"""Initialisation: a small, fast k-means of our own, k-means++ seeding and random picks.

All functions work on an in-memory float64 sample of the (centred) data. For data
larger than :data:`MAX_INIT_SAMPLES` rows, the caller passes a uniform random subsample
and assigns every row to its nearest centre afterwards.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "INIT_METHODS",
    "MAX_INIT_SAMPLES",
    "distinct_rows",
    "exact_sq_distances",
    "kmeans",
    "kmeans_plusplus",
    "nearest_centre",
    "row_uniforms",
    "sample_indices",
]

#: Rows used to place the initial centres; larger data is subsampled uniformly for this
#: step only (every row still takes part in every EM iteration).
MAX_INIT_SAMPLES = 100_000

INIT_METHODS = ("kmeans", "k-means++", "random", "random_from_data")

#: SplitMix64's constants (Steele, Lea & Flood, 2014): the row hash of :func:`row_uniforms`.
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def _mix64(z: Any) -> Any:
    """SplitMix64's finaliser, elementwise on uint64 (wrapping arithmetic)."""
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


def row_uniforms(X: np.ndarray, seed: int, n_components: int) -> np.ndarray:
    """Uniform random numbers drawn from each row's values: equal rows get equal numbers.

    Each row's numbers are a hash of ``seed`` and the row's values (as float64 bits,
    with ``-0.0`` read as ``0.0``), so the ``"random"`` init does not depend on the
    rows' order, the chunk size, the number of worker threads or a Dask array's chunks,
    and a row repeated ``m`` times starts exactly like the row once with weight ``m``.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    seed : int
    n_components : int

    Returns
    -------
    ndarray of shape (n, n_components)
        Values in [0, 1), with 53 random bits each.
    """
    bits = (np.asarray(X, dtype=np.float64) + 0.0).view(np.uint64)
    with np.errstate(over="ignore"):
        h = np.full(X.shape[0], _mix64(np.uint64(seed) * _GOLDEN + _GOLDEN))
        for j in range(X.shape[1]):
            h = _mix64(h ^ bits[:, j])
        out = np.empty((X.shape[0], n_components))
        for k in range(n_components):
            draw = _mix64(h + np.uint64(k + 1) * _GOLDEN)
            out[:, k] = (draw >> np.uint64(11)).astype(np.float64) * 2.0**-53
    return out


def distinct_rows(
    X: np.ndarray, sample_weight: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of ``X`` in sorted order, each with its total weight.

    The k-means, k-means++ and random-from-data inits draw from this form, so their
    start depends on the data as a weighted set of points: not on the rows' order, and
    not on whether a point is one row of weight ``m`` or ``m`` equal rows.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    sample_weight : ndarray of shape (n,) or None
        None counts each row once.

    Returns
    -------
    rows : ndarray of shape (m, d)
        The distinct rows of positive total weight, in lexicographic order (``-0.0``
        equals ``0.0``).
    weights : ndarray of shape (m,)
        Each distinct row's total weight.
    """
    w = np.ones(X.shape[0]) if sample_weight is None else sample_weight
    rows, inverse = np.unique(X + 0.0, axis=0, return_inverse=True)
    totals = np.bincount(inverse.reshape(-1), weights=w, minlength=rows.shape[0])
    keep = totals > 0
    return rows[keep], totals[keep]


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
        Stop when the centres move by less than ``tol`` times the mean (weighted)
        feature variance (squared distance), or when no label changes.

    Returns
    -------
    centres : ndarray of shape (n_clusters, d)
    labels : ndarray of shape (n,)
    """
    n, d = X.shape
    w = np.ones(n) if sample_weight is None else sample_weight
    centres = X[kmeans_plusplus(X, n_clusters, random_state, w)].copy()
    mean = np.dot(w, X) / w.sum()
    tol_abs = tol * float(np.mean(np.dot(w, (X - mean) ** 2) / w.sum()))
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
