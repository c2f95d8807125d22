"""Where a fit's chunks come from: the :class:`Source` interface, and the choice of one.

A *source* wraps the data and hands the EM loop centred chunks; the loop never touches
the data otherwise. Two implementations: ``_engine.ArraySource`` (a NumPy array or a
memmap, chunks on the process's worker threads) and ``_dask_engine.DaskSource`` (a Dask
array, one task per block on the Dask scheduler; imported only for Dask input).
:func:`make_source` picks one. The engines import nothing from each other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from gmm_widgets.mixture._engine import ArraySource, weighted_center
from gmm_widgets.mixture._stats import Stats
from gmm_widgets.mixture._validation import is_dask_array

__all__ = ["Source", "data_center", "make_source"]


class Source(Protocol):
    """The data of a fit, as centred chunks.

    Attributes
    ----------
    n_samples, n_features : int
        Shape of the data.
    dtype : numpy.dtype
        The chunks' dtype, that is the fit's arithmetic (float32 or float64).
    center : ndarray of shape (n_features,), float64
        Subtracted from every row of every chunk: the fit works in centred
        coordinates, which keeps float32 sums accurate.
    bounds : list of (int, int)
        ``(start, stop)`` rows of every chunk, in row order.
    """

    n_samples: int
    n_features: int
    dtype: np.dtype
    center: np.ndarray
    bounds: list[tuple[int, int]]

    def reduce(
        self, fn: Callable[[np.ndarray, np.ndarray | None, int], Stats], work_per_row: int = 1
    ) -> Stats:
        """The sum over chunks of ``fn(xc, w, start)``.

        Parameters
        ----------
        fn : callable
            ``fn(xc, w, start)``: ``xc`` a centred chunk of shape (rows, n_features) in
            :attr:`dtype`, ``w`` its sample weights of shape (rows,) or None, ``start``
            its first row; returns the chunk's statistics (a ``SuffStats`` or a
            ``MomentStats``, which add with ``+=``).
        work_per_row : int, default=1
            Rough cost of one row (e.g. ``K * (d + 1)``): whether threads pay off.

        Returns
        -------
        SuffStats or MomentStats
            The sum, added in a fixed order (the same result run after run).
        """
        ...

    def map(self, fn: Callable[[np.ndarray], np.ndarray], work_per_row: int = 1) -> np.ndarray:
        """``fn(xc)`` for every chunk, concatenated along the first axis in row order.

        Parameters
        ----------
        fn : callable
            ``fn(xc) -> ndarray`` of shape (rows, ...) for a centred chunk.
        work_per_row : int, default=1

        Returns
        -------
        ndarray of shape (n_samples, ...)
        """
        ...

    def sample_rows(self, indices: np.ndarray) -> np.ndarray:
        """Centred rows at ``indices`` (in sorted order), float64, in memory.

        Parameters
        ----------
        indices : ndarray of int

        Returns
        -------
        ndarray of shape (len(indices), n_features)
        """
        ...

    def sample_weights_at(self, indices: np.ndarray) -> np.ndarray | None:
        """Sample weights at ``indices`` (sorted), or None for unweighted data.

        Parameters
        ----------
        indices : ndarray of int

        Returns
        -------
        ndarray of shape (len(indices),) or None
        """
        ...


def make_source(
    X: Any,
    sample_weight: np.ndarray | None,
    center: np.ndarray,
    chunk_size: int,
    n_jobs: int | None,
    compute_dtype: Any = None,
) -> Source:
    """The source for ``X``: in memory or a memmap, or a Dask array.

    The centre is rounded to the data's dtype first, so that centring a float32 chunk
    is exact and the fit's parameters are mapped back with the very centre subtracted.

    Parameters
    ----------
    X : ndarray, memmap or dask.array.Array of shape (n_samples, n_features)
        Validated.
    sample_weight : ndarray of shape (n_samples,) or None
    center : array-like of shape (n_features,)
    chunk_size : int
        Rows per chunk, at most.
    n_jobs : int or None
        Worker threads in memory (ignored for Dask: the scheduler's).
    compute_dtype : numpy dtype, optional
        The chunks' dtype (the data's by default).

    Returns
    -------
    Source
    """
    center = np.asarray(center, dtype=X.dtype).astype(np.float64)
    if is_dask_array(X):
        from gmm_widgets.mixture._dask_engine import DaskSource

        return DaskSource(X, sample_weight, center, chunk_size, n_jobs, compute_dtype)
    return ArraySource(X, sample_weight, center, chunk_size, n_jobs, compute_dtype)


def data_center(X: Any, sample_weight: np.ndarray | None) -> np.ndarray:
    """The (weighted) mean row of ``X``, float64: the centre a fit works about.

    Parameters
    ----------
    X : ndarray, memmap or dask.array.Array of shape (n_samples, n_features)
    sample_weight : ndarray of shape (n_samples,) or None

    Returns
    -------
    ndarray of shape (n_features,)
    """
    if is_dask_array(X):
        from gmm_widgets.mixture._dask_engine import dask_center

        mean = dask_center(X, sample_weight)
    else:
        mean = weighted_center(X, sample_weight)
    return round_center(mean)


#: Significant bits the centre keeps (see :func:`round_center`).
CENTER_BITS = 20


def round_center(mean: np.ndarray) -> np.ndarray:
    """``mean`` rounded to :data:`CENTER_BITS` significant bits.

    A row of weight ``m`` and ``m`` equal rows give means that differ in their last
    bits (the sums are rounded in another order); rounded, they are the same centre, so
    the centred rows are bitwise equal and the inits, which read rows' values, draw the
    same start (see ``_init.row_uniforms`` and ``_init.distinct_rows``). Centring only
    needs a point near the mean: the rows about it keep at least ``2**(CENTER_BITS -
    1)`` times finer resolution than their own rounding (float32 or float64).

    Parameters
    ----------
    mean : ndarray of shape (n_features,)

    Returns
    -------
    ndarray of shape (n_features,)
    """
    mantissa, exponent = np.frexp(mean)
    with np.errstate(over="ignore"):
        rounded = np.ldexp(np.round(mantissa * 2.0**CENTER_BITS) / 2.0**CENTER_BITS, exponent)
    # Next to the largest float, rounding up overflows: that mean stays as it is.
    return np.where(np.isfinite(rounded), rounded, mean)
