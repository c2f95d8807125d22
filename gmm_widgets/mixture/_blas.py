"""BLAS at one thread while a fit runs, for every thread and process that fits.

Small GEMMs are faster single-threaded, and the fit's own worker threads are the
parallelism: after a multi-threaded BLAS call OpenBLAS's idle threads busy-wait and
take the cores the workers need. :func:`blas_single_thread` limits BLAS (through a
cached threadpoolctl controller) while at least one fit runs and restores the caller's
setting exactly after the last, whichever threads they run on; a child made by
``fork`` starts with no fit running.
"""

from __future__ import annotations

import os
import threading
from contextlib import AbstractContextManager
from functools import lru_cache
from typing import Any

from gmm_widgets.mixture._signals import sigint_deferred

__all__ = ["blas_single_thread"]


@lru_cache(maxsize=1)
def _controller() -> Any:
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        return None
    return ThreadpoolController()


def _release_blas_control() -> None:
    """Let any thread set OpenBLAS's thread count again (threadpoolctl >= 3.6).

    With OpenBLAS's pthreads pool, threadpoolctl lets only one "controlling" Python
    thread change the (process-wide) count and silently ignores the others. A fit may
    start in one thread and the last overlapping fit end in another, so the limiter
    below takes control explicitly, under its own lock, and gives it back.
    """
    try:
        from threadpoolctl import OpenBLASController
    except ImportError:  # pragma: no cover - older threadpoolctl: no controlling thread
        return
    clear = getattr(OpenBLASController, "clear_controlling_thread", None)
    if clear is not None:
        clear(force=True)


class _BlasSingleThread:
    """BLAS at one thread while at least one fit runs; restored exactly.

    BLAS's thread count is process-wide, so overlapping fits (two threads fitting at
    once) share one limit: the first to enter records the caller's setting and limits
    BLAS, the last to leave restores it, whatever the order in which they finish and
    whichever threads they run on. (Nested ``threadpoolctl`` limits, each restoring what
    it saw on entry, left BLAS at one thread for good when two fits overlapped.)
    """

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._limiter: Any = None

    def __enter__(self) -> None:
        entered = False
        try:
            with sigint_deferred(), self._lock:
                if self._depth == 0:
                    ctl = _controller()
                    if ctl is not None:
                        _release_blas_control()
                        self._limiter = ctl.limit(limits=1, user_api="blas")
                self._depth += 1
                entered = True
        except BaseException:
            # A Ctrl-C delivered as the block ended: the limit was taken but the caller's
            # ``with`` never starts, so give it back here.
            if entered:
                self.__exit__()
            raise

    def __exit__(self, *exc: object) -> None:
        with sigint_deferred(), self._lock:
            self._depth -= 1
            if self._depth == 0 and self._limiter is not None:
                _release_blas_control()
                self._limiter.restore_original_limits()
                _release_blas_control()
                self._limiter = None

    def _after_fork(self) -> None:
        # A fork taken while another thread was fitting: the child has no such fit.
        self._reset()


_BLAS_LIMIT = _BlasSingleThread()


def blas_single_thread() -> AbstractContextManager:
    """A context in which BLAS uses one thread (cheap: the controller is cached).

    Reference-counted across threads, see :class:`_BlasSingleThread`.
    """
    return _BLAS_LIMIT


def _after_fork_in_child() -> None:
    _BLAS_LIMIT._after_fork()
    _controller.cache_clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
