"""Reading memory-mapped arrays in blocks without letting the resident set grow.

After a block of a read-only :class:`numpy.memmap` (``mode="r"``) has been read, its
pages are released from this process with ``madvise(MADV_DONTNEED)``. They stay in the OS
page cache, so a later pass reads them back from memory, but a full pass over a file
larger than RAM keeps the process's RSS bounded by the block size.

Only read-only maps are released. In a copy-on-write map (``mode="c"``, what
``np.load(path, mmap_mode="c")`` gives) every page the user has edited is private to
the process, and ``MADV_DONTNEED`` throws it away: the next read would see the file's
original bytes, silently undoing the user's edits (standardising in place, say).
Writable maps (``"r+"``, ``"w+"``) are left alone too.
"""

from __future__ import annotations

import mmap
from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = ["iter_blocks", "release_rows"]


def release_rows(X: Any, start: int, stop: int) -> None:
    """Drop the pages of rows ``start:stop`` of a memmap ``X`` from the RSS (best effort).

    Parameters
    ----------
    X : ndarray
        Anything; only a read-only (``mode="r"``) :class:`numpy.memmap` backed by a
        mapping is touched (see the module's notes on copy-on-write maps).
    start, stop : int
        Row range just read.
    """
    if not isinstance(X, np.memmap) or getattr(X, "mode", None) != "r":
        return
    mm = getattr(X, "_mmap", None)
    if mm is None or not hasattr(mm, "madvise") or not hasattr(mmap, "MADV_DONTNEED"):
        return
    try:
        base = np.frombuffer(mm, dtype=np.uint8).ctypes.data
    except (TypeError, ValueError):  # a closed or unusual mapping
        return
    row_bytes = X.strides[0]
    lo = X.ctypes.data - base + start * row_bytes
    hi = lo + (stop - start) * row_bytes
    page = mmap.PAGESIZE
    lo_al = -(-lo // page) * page  # whole pages inside the rows just read
    hi_al = (hi // page) * page
    if hi_al > lo_al:
        mm.madvise(mmap.MADV_DONTNEED, lo_al, hi_al - lo_al)


def iter_blocks(X: Any, rows: int) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(start, block)`` over row blocks, releasing memmap pages behind the reader.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    rows : int
        Rows per block.

    Yields
    ------
    start : int
    block : ndarray of shape (<= rows, n_features)
        A view for in-memory arrays; valid only until the next iteration for memmaps.
    """
    n = X.shape[0]
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        yield start, X[start:stop]
        release_rows(X, start, stop)
