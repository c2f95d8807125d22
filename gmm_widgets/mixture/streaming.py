"""Online fits of a stream of batches: :func:`fit_stream` and :func:`iter_batches`.

:meth:`GaussianMixture.partial_fit` takes one batch; these feed it a whole stream: a
Python generator (or any iterable) of batches, a NumPy array or memmap cut into
batches, a DataFrame, or a Dask array block by block (each block computed in turn, so
only one block is ever in memory).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any

import numpy as np

from gmm_widgets.mixture._blas import blas_single_thread
from gmm_widgets.mixture._online import online_step
from gmm_widgets.mixture._validation import check_int, is_dask_array
from gmm_widgets.mixture.gaussian_mixture import GaussianMixture, _notify

__all__ = ["fit_stream", "iter_batches"]


def _is_data_set(X: Any) -> bool:
    """Whether ``X`` is one data set to cut into batches (not an iterable of batches)."""
    return isinstance(X, np.ndarray) or is_dask_array(X) or hasattr(X, "iloc")


def iter_batches(
    X: Any, batch_size: int | None = None, sample_weight: Any = None
) -> Iterator[tuple[Any, Any]]:
    """Consecutive batches of rows of ``X``, with their sample weights.

    Parameters
    ----------
    X : ndarray, memmap, DataFrame or dask.array.Array of shape (n_samples, n_features)
        In the order the batches should be seen (shuffle first if the rows are sorted,
        e.g. by cluster: online EM assumes each batch is a fair draw of the stream at
        its time).
    batch_size : int, optional
        Rows per batch (the last may be shorter). Required for in-memory data; for a
        Dask array, ``None`` takes its row blocks as they are, and a number rechunks
        the rows to it first.
    sample_weight : array-like of shape (n_samples,), optional
        Sliced alongside ``X``.

    Yields
    ------
    X_batch : ndarray or DataFrame of shape (batch_rows, n_features)
        In memory (a Dask block is computed).
    w_batch : ndarray of shape (batch_rows,) or None

    Raises
    ------
    TypeError
        If ``X`` is not an array, DataFrame or Dask array.
    ValueError
        If ``batch_size`` is missing for in-memory data, or ``sample_weight`` does not
        have one weight per row.
    """
    if not _is_data_set(X):
        raise TypeError(
            "iter_batches needs a NumPy array, memmap, DataFrame or Dask array, got "
            f"{type(X).__name__}; pass a generator of batches to fit_stream instead."
        )
    if batch_size is not None:
        check_int(batch_size, "batch_size", 1)
    n = int(X.shape[0])
    w = None
    if sample_weight is not None:
        w = np.asarray(sample_weight, dtype=np.float64)
        if w.shape != (n,):
            raise ValueError(
                f"sample_weight must have shape ({n},) to match X's rows, got {w.shape}."
            )
    if is_dask_array(X):
        if X.ndim == 2 and len(X.chunks[1]) > 1:
            X = X.rechunk({1: -1})  # a batch holds whole rows
        if batch_size is not None:
            X = X.rechunk({0: batch_size})
        if any(np.isnan(c) for c in X.chunks[0]):
            X = X.compute_chunk_sizes()
        starts = np.concatenate([[0], np.cumsum(X.chunks[0])]).astype(int)
        for i, (lo, hi) in enumerate(itertools.pairwise(starts)):
            block = X.blocks[i]
            yield np.asarray(block.compute()), None if w is None else w[lo:hi]
        return
    if batch_size is None:
        raise ValueError(
            "iter_batches needs batch_size for in-memory data (rows per batch, e.g. 1000)."
        )
    rows = X.iloc if hasattr(X, "iloc") else X
    for lo in range(0, n, batch_size):
        hi = min(lo + batch_size, n)
        yield rows[lo:hi], None if w is None else w[lo:hi]


def fit_stream(
    model: GaussianMixture,
    batches: Any,
    *,
    sample_weight: Any = None,
    batch_size: int | None = None,
) -> GaussianMixture:
    """Stepwise online EM over a stream: :meth:`~GaussianMixture.partial_fit` per batch.

    Parameters
    ----------
    model : GaussianMixture
        Fresh, fitted, or mid-stream: each batch continues it (see ``partial_fit``).
    batches : iterable of array-like, or ndarray, memmap, DataFrame or dask.array.Array
        A generator (or any iterable) of batches of shape (batch_rows, n_features);
        or one data set, cut by :func:`iter_batches` (a Dask array block by block).
    sample_weight : iterable of array-like, or array-like of shape (n_samples,), optional
        For an iterable of batches: an iterable of the batches' weights, in step (both
        must end together). For one data set: its weights, one per row.
    batch_size : int, optional
        Rows per batch when ``batches`` is one data set (see :func:`iter_batches`).

    Returns
    -------
    GaussianMixture
        ``model``, updated by every batch read. When a callback asks to stop (returns
        True or raises ``StopIteration``), the stream is not read further.

    Raises
    ------
    TypeError
        If ``model`` is not a ``GaussianMixture`` or ``batches`` is not iterable.
    ValueError
        If the stream yields no batch, the weights and the batches do not end together,
        or a batch is refused by ``partial_fit`` (the model then holds the batches
        before it).

    Examples
    --------
    >>> import numpy as np
    >>> from gmm_widgets import GaussianMixture
    >>> from gmm_widgets.mixture import fit_stream
    >>> rng = np.random.default_rng(0)
    >>> stream = (rng.normal(size=(100, 2)) for _ in range(20))
    >>> fit_stream(GaussianMixture(1, random_state=0), stream).n_batches_seen_
    20
    """
    if not isinstance(model, GaussianMixture):
        raise TypeError(
            f"fit_stream needs a gmm_widgets GaussianMixture, got {type(model).__name__}."
        )
    if _is_data_set(batches):
        pairs: Iterator[tuple[Any, Any]] = iter_batches(batches, batch_size, sample_weight)
    else:
        if batch_size is not None:
            raise ValueError(
                "batch_size only applies to one data set (an array, DataFrame or Dask "
                "array); an iterable of batches is used as it comes."
            )
        if not isinstance(batches, Iterable):
            raise TypeError(
                "batches must be an iterable of batches or an array, DataFrame or Dask "
                f"array, got {type(batches).__name__}."
            )
        pairs = _paired(batches, sample_weight)
    callbacks = model._callback_list()
    report = partial(_notify, callbacks) if callbacks else None
    seen = 0
    for X, w in pairs:
        with blas_single_thread():
            stop = online_step(model, X, w, report)
        seen += 1
        if stop:
            break
    if seen == 0:
        raise ValueError("the stream yielded no batch: nothing to fit.")
    return model


_END = object()


def _paired(batches: Iterable[Any], weights: Any) -> Iterator[tuple[Any, Any]]:
    if weights is None:
        for X in batches:
            yield X, None
        return
    if _is_data_set(weights) or not isinstance(weights, Iterable):
        raise TypeError(
            "with an iterable of batches, sample_weight must be an iterable of the "
            "batches' weights (one array per batch), not one array."
        )
    w_iter = iter(weights)
    for X in batches:
        w = next(w_iter, _END)
        if w is _END:
            raise ValueError("sample_weight ended before the batches; give one per batch.")
        yield X, w
    if next(w_iter, _END) is not _END:
        raise ValueError("sample_weight has more entries than there were batches.")
