"""Ctrl-C that never leaves a lock held: SIGINT deferred around the engine's lock work.

Python runs a SIGINT handler (KeyboardInterrupt) in the main thread between two
bytecodes, including inside ``threading`` and ``concurrent.futures`` code that holds a
lock: raised between a lock's acquire and the ``with`` block that releases it, the
exception leaves the lock held for good, and the next fit waits on it forever (seen
once in CI: the main thread stopped inside ``ThreadPoolExecutor.submit`` holding the
pool's idle semaphore, and every worker then blocked on it). :func:`sigint_deferred`
puts a recording handler in place of the SIGINT handler while the engine takes such
locks (masking the signal would not do: a process-directed SIGINT goes to any thread
that does not block it, BLAS's and the workers' included, and Python then runs the
handler in the main thread all the same); a Ctrl-C that arrives meanwhile is noticed
with :func:`sigint_pending`, and the original handler is called (KeyboardInterrupt is
raised) when the block ends, where no lock is held. Outside the main thread it does
nothing: Python runs signal handlers in the main thread only.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["sigint_deferred", "sigint_pending"]

_depth = 0
_pending = False
_saved: Any = None


def _record(signum: int, frame: Any) -> None:
    global _pending
    _pending = True


@contextmanager
def sigint_deferred() -> Iterator[None]:
    """A Ctrl-C during the block is held back and delivered when the block ends.

    Only in the main thread, and only when SIGINT has a Python handler (the default
    one raises KeyboardInterrupt); nested blocks deliver at the outermost's end.
    """
    global _depth, _pending, _saved
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    if _depth == 0:
        handler = signal.getsignal(signal.SIGINT)
        if not callable(handler):  # SIG_IGN, SIG_DFL or not set from Python
            yield
            return
        _pending, _saved = False, handler
        signal.signal(signal.SIGINT, _record)
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0:
            handler, _saved = _saved, None
            signal.signal(signal.SIGINT, handler)
            if _pending:
                _pending = False
                handler(signal.SIGINT, None)


def sigint_pending() -> bool:
    """Whether a Ctrl-C arrived inside :func:`sigint_deferred` and waits for its end."""
    return _pending
