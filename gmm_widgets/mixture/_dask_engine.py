"""EM statistics computed blockwise on a Dask scheduler.

Only imported when ``fit``/``predict`` receive a Dask array, so nothing imports Dask
otherwise (``pip install gmm_widgets[dask]``). Each EM iteration becomes one Dask graph:
every row block computes its :class:`SuffStats` (in cache-sized sub-chunks, with the same
kernels as in memory) and the driver sums them in block order, so a Dask fit gives the
same parameters as the in-memory fit from the same start. Callbacks fire in the driver
after every iteration, as usual.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

from gmm_widgets.mixture._blas import blas_single_thread
from gmm_widgets.mixture._stats import Stats, SuffStats, add_stats

__all__ = ["DaskSource", "dask_center"]


def dask_center(X: Any, w: np.ndarray | None) -> np.ndarray:
    """Weighted column means of ``X`` and its finiteness, computed in one pass.

    Raises
    ------
    ValueError
        If ``X`` holds NaN or infinity.
    """
    import dask
    import dask.array as da

    if w is None:
        total = X.sum(axis=0, dtype=np.float64)
        denom = float(X.shape[0])
    else:
        wd = da.from_array(w, chunks=(X.chunks[0],))
        total = (X.astype(np.float64) * wd[:, None]).sum(axis=0)
        denom = float(w.sum())
    total, finite = dask.compute(total, da.isfinite(X).all())
    if not finite or not np.all(np.isfinite(total)):
        raise ValueError(
            "X contains NaN or infinity (checked once, before the first iteration). "
            "Remove or impute those values before fitting."
        )
    return np.asarray(total, dtype=np.float64) / denom


def _block_reduce(block, w, center, chunk_size, fn, offset, dtype):
    block = np.asarray(block)
    c = center.astype(block.dtype)
    acc = None
    with blas_single_thread():
        for s in range(0, block.shape[0], chunk_size):
            xc = np.subtract(block[s : s + chunk_size], c, dtype=dtype)
            wc = None if w is None else w[s : s + chunk_size]
            part = fn(xc, wc, offset + s)
            acc = add_stats(acc, part)
    return acc


def _block_map(block, center, chunk_size, fn, dtype):
    block = np.asarray(block)
    c = center.astype(block.dtype)
    with blas_single_thread():
        parts = [
            fn(np.subtract(block[s : s + chunk_size], c, dtype=dtype))
            for s in range(0, block.shape[0], chunk_size)
        ]
    return np.concatenate(parts, axis=0)


class DaskSource:
    """A Dask array as a source of chunks (a :class:`~._sources.Source`).

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features)
        Validated by :func:`~._validation.check_dask_X`.
    sample_weight : ndarray of shape (n_samples,) or None
    center : ndarray of shape (n_features,)
    chunk_size : int
        Rows per sub-chunk inside a block.
    n_jobs : int or None
        Ignored: parallelism is the Dask scheduler's.
    compute_dtype : numpy dtype, optional
        The chunks' dtype (the arithmetic's); the data's by default.
    """

    def __init__(
        self, X, sample_weight, center, chunk_size, n_jobs=None, compute_dtype=None
    ) -> None:
        self.X = X
        self.w = sample_weight
        self.dtype = np.dtype(X.dtype if compute_dtype is None else compute_dtype)
        self.center = np.asarray(center, dtype=np.float64)
        self.n_samples, self.n_features = (int(v) for v in X.shape)
        self.chunk_size = int(chunk_size)
        starts = np.concatenate([[0], np.cumsum(X.chunks[0])]).astype(int)
        # Random initialisation draws per sub-chunk, keyed by first row, like in memory.
        self.bounds = []
        for lo, hi in itertools.pairwise(starts):
            self.bounds += [(s, min(s + self.chunk_size, hi)) for s in range(lo, hi, chunk_size)]
        self._starts = starts
        self._blocks = X.to_delayed().ravel()

    def reduce(self, fn: Callable, work_per_row: int = 1) -> Stats:
        """Sum of ``fn(xc, w, start)`` over all sub-chunks, computed on the scheduler."""
        import dask

        tasks = []
        for block, lo, hi in zip(self._blocks, self._starts[:-1], self._starts[1:], strict=True):
            w = None if self.w is None else self.w[lo:hi]
            tasks.append(
                dask.delayed(_block_reduce)(
                    block, w, self.center, self.chunk_size, fn, int(lo), self.dtype
                )
            )
        parts = dask.compute(*tasks)
        return SuffStats.total([p for p in parts if p is not None])

    def map(self, fn: Callable, work_per_row: int = 1) -> np.ndarray:
        """``fn(xc)`` per sub-chunk, concatenated (computed, in memory)."""
        import dask

        tasks = [
            dask.delayed(_block_map)(b, self.center, self.chunk_size, fn, self.dtype)
            for b in self._blocks
        ]
        return np.concatenate(dask.compute(*tasks), axis=0)

    def sample_rows(self, indices: np.ndarray) -> np.ndarray:
        """Centred rows at ``indices``, float64, in memory."""
        rows = self.X[np.sort(indices)].compute()
        return np.asarray(rows, dtype=np.float64) - self.center

    def sample_weights_at(self, indices: np.ndarray) -> np.ndarray | None:
        """Sample weights at sorted ``indices``."""
        return None if self.w is None else self.w[np.sort(indices)]
