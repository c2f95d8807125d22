"""The in-memory source of chunks (a NumPy array or a memmap) and its worker threads.

:class:`ArraySource` is one implementation of :class:`~._sources.Source` (the other is
``_dask_engine.DaskSource``; ``_sources.make_source`` picks one). In memory, chunks are
handed to worker threads, each with BLAS limited to one thread (``_blas``): small GEMMs
are faster single-threaded, and two workers scale close to 2x on two cores. Each worker
accumulates its own float64 partial statistics over a fixed set of chunks, and the
partials are summed in worker order, so results are reproducible run to run.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

import numpy as np

from gmm_widgets.mixture._blas import blas_single_thread
from gmm_widgets.mixture._memmap import iter_blocks, release_rows
from gmm_widgets.mixture._moments import MAX_FEATURES, moment_chunk_size
from gmm_widgets.mixture._signals import sigint_deferred, sigint_pending
from gmm_widgets.mixture._stats import Stats, SuffStats, add_stats

__all__ = ["ArraySource", "auto_chunk_size", "feature_scale", "weighted_center"]

#: Elements of the largest per-chunk temporary (K * (d + 1) * rows); 8 MB in float64.
#: Chunks this long keep the per-chunk Python overhead, which holds the GIL, small
#: enough for two workers to scale: at (N, d, K) = (1e6, 8, 10), diag, 2 workers took
#: 112 ms per iteration with 2912-row chunks and 75 ms with 16384-row chunks.
_CHUNK_ELEMENTS = 1 << 20
_MIN_ROWS, _MAX_ROWS = 256, 32768
#: Row block for gathering samples out of a memmap.
_SAMPLE_ROWS = 1 << 16
#: Below this many rows * components * features, threads cost more than they save.
_THREAD_MIN_WORK = 400_000
#: Up to this many features, chunks are centred against a tiled centre (see ``xc``).
_TILED_MAX_FEATURES = 8


def balanced_chunk_size(n_samples: int, chunk_size: int, n_workers: int) -> int:
    """At most ``chunk_size`` rows, with a number of chunks the workers share evenly.

    A short last chunk, or one chunk more than a multiple of the workers, leaves a
    worker idle at the end of every pass.

    Parameters
    ----------
    n_samples, chunk_size, n_workers : int

    Returns
    -------
    int
    """
    chunk_size = max(1, chunk_size)
    n_chunks = -(-n_samples // chunk_size)
    if n_workers > 1 and n_chunks > 1:
        n_chunks = -(-n_chunks // n_workers) * n_workers
    return max(1, -(-n_samples // max(1, n_chunks)))


def auto_chunk_size(n_components: int, n_features: int, covariance_type: str = "") -> int:
    """Rows per chunk so that the largest temporary stays a few MB.

    Parameters
    ----------
    n_components, n_features : int
    covariance_type : str, optional
        Full covariances with few features take the quadratic-feature form, whose
        temporaries are shaped differently (see ``_moments``).

    Returns
    -------
    int
    """
    if covariance_type == "full" and n_features <= MAX_FEATURES:
        return moment_chunk_size(n_components, n_features)
    rows = _CHUNK_ELEMENTS // max(1, n_components * (n_features + 1))
    return int(min(_MAX_ROWS, max(_MIN_ROWS, rows)))


class _WorkerPool:
    """The process's worker threads, recreated in a forked child.

    Starting threads on every pass costs, so one pool serves every fit. A child made by
    ``fork`` inherits the pool object but none of its threads: work submitted there
    would wait forever. The pool is therefore tied to the process that made it and
    dropped in the child (``os.register_at_fork``, and a pid check for forks that skip
    the handlers).
    """

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._pid = -1

    def get(self) -> ThreadPoolExecutor:
        with sigint_deferred(), self._lock:
            if self._pool is None or self._pid != os.getpid():
                self._pool = ThreadPoolExecutor(
                    max_workers=_n_workers(None), thread_name_prefix="gmm-em"
                )
                self._pid = os.getpid()
            return self._pool

    def _after_fork(self) -> None:
        self._reset()


_POOL = _WorkerPool()


def _pool() -> ThreadPoolExecutor:
    """One pool of worker threads for the process (see :class:`_WorkerPool`)."""
    return _POOL.get()


def _after_fork_in_child() -> None:
    _POOL._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _run_workers(run: Callable[[int, int, threading.Event], Any], n_workers: int) -> list:
    """``run(i, n_workers, cancel)`` on the pool for each worker ``i``; their results.

    An exception in the caller's thread while it waits (Ctrl-C's KeyboardInterrupt)
    or in a worker sets ``cancel``, so every worker stops at its next chunk, and
    returns only once no worker is busy: the next fit finds the pool idle.
    """
    # Every lock is taken with Ctrl-C held back (see _signals); a Ctrl-C while the
    # workers run is noticed within _POLL seconds, stops them, and is delivered once
    # they are idle and no lock is held: KeyboardInterrupt is raised from here. (A
    # handler of the user's that does not raise gets the pass run again.)
    while True:
        cancel = threading.Event()
        with sigint_deferred():
            futures = [_pool().submit(run, i, n_workers, cancel) for i in range(n_workers)]
            try:
                while wait(futures, timeout=_POLL).not_done:
                    if sigint_pending():
                        raise _Interrupted
                return [f.result() for f in futures]
            except BaseException as exc:
                cancel.set()
                for f in futures:
                    f.cancel()
                wait(futures)
                if not isinstance(exc, _Interrupted):
                    raise


class _Interrupted(Exception):
    """A Ctrl-C is pending: stop the workers, then let the handler raise."""


#: Seconds between two looks for a pending Ctrl-C while the workers run.
_POLL = 0.05


def _n_workers(n_jobs: int | None) -> int:
    cpus = os.cpu_count() or 1
    if n_jobs is None or n_jobs == -1:
        return max(1, min(cpus, 8))
    return max(1, min(int(n_jobs), cpus))


class ArraySource:
    """A NumPy array or memmap, centred chunk by chunk on the fly.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        float32 or float64; never copied whole.
    sample_weight : ndarray of shape (n_samples,) or None
    center : ndarray of shape (n_features,)
        Subtracted from every chunk (float64; cast to the data dtype).
    chunk_size : int
        At most this many rows per chunk (see :func:`balanced_chunk_size`).
    n_jobs : int or None
        Worker threads; ``None`` uses every core (at most 8).
    compute_dtype : numpy dtype, optional
        The chunks' dtype, that is the arithmetic's: the data's by default; float64
        for float32 data when a fit needs float64 resolution (see ``GaussianMixture``'s
        notes on ``tol``). Centring a float32 value in float64 is exact.
    """

    def __init__(
        self,
        X: np.ndarray,
        sample_weight: np.ndarray | None,
        center: np.ndarray,
        chunk_size: int,
        n_jobs: int | None = None,
        compute_dtype: Any = None,
    ) -> None:
        self.X = X
        self.w = sample_weight
        self.dtype = np.dtype(X.dtype if compute_dtype is None else compute_dtype)
        self.center = np.asarray(center, dtype=np.float64)
        # The centre as the data's dtype, so that it is what the fit subtracts.
        self._center_cast = self.center.astype(X.dtype)
        self.n_samples, self.n_features = X.shape
        self.n_workers = _n_workers(n_jobs)
        self.chunk_size = balanced_chunk_size(self.n_samples, int(chunk_size), self.n_workers)
        self.bounds = [
            (s, min(s + self.chunk_size, self.n_samples))
            for s in range(0, self.n_samples, self.chunk_size)
        ]
        self.n_workers = min(self.n_workers, len(self.bounds))
        # Centring subtracts a short row vector from every row, an inner loop of only d
        # elements; for few features, subtracting a tiled copy from the flat rows is
        # 5-9x faster (measured at d = 2, 16k rows).
        self._tiled_center = None
        if self.n_features <= _TILED_MAX_FEATURES and X.flags.c_contiguous:
            self._tiled_center = np.tile(self._center_cast, self.chunk_size)

    def xc(self, start: int, stop: int) -> np.ndarray:
        """Centred rows ``start:stop`` in the data dtype."""
        rows = self.X[start:stop]
        if self._tiled_center is not None:
            flat = np.subtract(rows.reshape(-1), self._tiled_center[: rows.size], dtype=self.dtype)
            out = flat.reshape(rows.shape)
        else:
            out = np.subtract(rows, self._center_cast, dtype=self.dtype)
        release_rows(self.X, start, stop)
        return np.asarray(out)

    def _weights(self, start: int, stop: int) -> np.ndarray | None:
        return None if self.w is None else self.w[start:stop]

    def _use_threads(self, work_per_row: int) -> bool:
        return self.n_workers > 1 and self.n_samples * work_per_row >= _THREAD_MIN_WORK

    def reduce(
        self, fn: Callable[[np.ndarray, np.ndarray | None, int], Stats], work_per_row: int = 1
    ) -> Stats:
        """:meth:`~._sources.Source.reduce`: each worker sums its chunks in float64, and
        the workers' sums are added in worker order."""

        def run(worker: int, n_workers: int, cancel: threading.Event) -> Stats | None:
            acc: Stats | None = None
            for start, stop in self.bounds[worker::n_workers]:
                if cancel.is_set():
                    return None
                part = fn(self.xc(start, stop), self._weights(start, stop), start)
                acc = add_stats(acc, part)
            return acc

        with blas_single_thread():
            if self._use_threads(work_per_row):
                parts = _run_workers(run, self.n_workers)
            else:
                parts = [run(0, 1, threading.Event())]
        return SuffStats.total([p for p in parts if p is not None])

    def map(self, fn: Callable[[np.ndarray], np.ndarray], work_per_row: int = 1) -> np.ndarray:
        """``fn(xc)`` for every chunk, concatenated along the first axis."""
        out: list[Any] = [None] * len(self.bounds)

        def run(worker: int, n_workers: int, cancel: threading.Event) -> None:
            for i in range(worker, len(self.bounds), n_workers):
                if cancel.is_set():
                    return
                start, stop = self.bounds[i]
                out[i] = fn(self.xc(start, stop))

        with blas_single_thread():
            if not self._use_threads(work_per_row):
                run(0, 1, threading.Event())
            else:
                _run_workers(run, self.n_workers)
        return np.concatenate(out, axis=0)

    def sample_rows(self, indices: np.ndarray) -> np.ndarray:
        """Centred rows at sorted ``indices``, float64, in memory."""
        idx = np.sort(indices)
        if not isinstance(self.X, np.memmap):
            return np.asarray(self.X[idx], dtype=np.float64) - self.center
        # Gather block by block, releasing each block's pages: a uniform sample touches
        # nearly every page of the file.
        out = np.empty((idx.size, self.n_features))
        bounds = np.searchsorted(idx, np.arange(0, self.n_samples + _SAMPLE_ROWS, _SAMPLE_ROWS))
        for b, (lo, hi) in enumerate(itertools.pairwise(bounds)):
            if hi > lo:
                out[lo:hi] = self.X[idx[lo:hi]]
                release_rows(self.X, b * _SAMPLE_ROWS, min((b + 1) * _SAMPLE_ROWS, self.n_samples))
        out -= self.center
        return out

    def sample_weights_at(self, indices: np.ndarray) -> np.ndarray | None:
        """Sample weights at sorted ``indices``."""
        return None if self.w is None else self.w[np.sort(indices)]


def weighted_center(X: np.ndarray, w: np.ndarray | None, chunk: int = 1 << 16) -> np.ndarray:
    """Column means of ``X`` (weighted), computed in float64 chunk by chunk."""
    total = np.zeros(X.shape[1])
    for s, block in iter_blocks(X, chunk):
        block = np.asarray(block, dtype=np.float64)
        total += block.sum(axis=0) if w is None else np.dot(w[s : s + chunk], block)
    return total / (X.shape[0] if w is None else w.sum())


#: Rows of the evenly spaced sample that :func:`feature_scale` reads.
_SCALE_ROWS = 1 << 15


def feature_scale(source: Any) -> np.ndarray:
    """The data's (weighted) variance of each feature, from an evenly spaced sample.

    The scale that rounding errors of the fitted variances are proportional to (see
    ``_covariance.SINGULAR_RTOL``). Deterministic and cheap: it reads at most
    ``_SCALE_ROWS`` rows and draws no random numbers, so the initialisation's random
    stream stays scikit-learn's.

    Parameters
    ----------
    source : Source
        See :class:`~._sources.Source`.

    Returns
    -------
    ndarray of shape (n_features,)
    """
    n = source.n_samples
    idx = np.unique(np.linspace(0, n - 1, min(n, _SCALE_ROWS)).astype(np.intp))
    rows = source.sample_rows(idx)
    w = source.sample_weights_at(idx)
    if w is None or not np.any(w > 0):
        w = np.ones(idx.size)
    mean = np.sum(rows * w[:, None], axis=0) / w.sum()
    rows -= mean
    rows *= rows
    return np.sum(rows * w[:, None], axis=0) / w.sum()
