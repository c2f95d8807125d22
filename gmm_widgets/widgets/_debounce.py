"""Debounced work in the kernel: a burst of calls runs the work once, for the last state.

Widget observers fire for every message from the browser: a slider dragged across five
values, or a handle nudged ten times with the arrow keys, arrives as a burst. Refitting
for each would queue stale fits behind one another. :class:`Debouncer` runs the work
``delay`` seconds after the last call of a burst instead.

The timer is the kernel's own event loop (``asyncio.get_running_loop().call_later``),
so the work runs on the main thread between two messages, never concurrently with a
cell or another observer. Without a running loop (a plain script), the work runs at
once. Tests pass their own ``scheduler``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol

__all__ = ["Debouncer", "Handle", "loop_scheduler"]


class Handle(Protocol):
    """What a scheduler returns: something that can be cancelled."""

    def cancel(self) -> Any: ...


#: ``scheduler(delay, callback) -> Handle`` runs ``callback()`` after ``delay`` seconds.
Scheduler = Callable[[float, Callable[[], None]], Handle]


class _Immediate:
    def cancel(self) -> None:
        pass


def loop_scheduler(delay: float, callback: Callable[[], None]) -> Handle:
    """Run ``callback`` after ``delay`` seconds on the running event loop.

    Parameters
    ----------
    delay : float
        Seconds.
    callback : callable
        Called without arguments.

    Returns
    -------
    Handle
        The loop's timer, or a no-op handle when there is no running loop, in which case
        ``callback`` has already run.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        callback()
        return _Immediate()
    return loop.call_later(delay, callback)


class Debouncer:
    """Call ``fn`` once, ``delay`` seconds after the last of a burst of triggers.

    Parameters
    ----------
    fn : callable
        The work; called without arguments.
    delay : float
        Quiet time in seconds that ends a burst. ``0`` still waits for the next turn of
        the event loop.
    scheduler : callable, optional
        ``scheduler(delay, callback) -> handle with .cancel()``; by default
        :func:`loop_scheduler`.

    Examples
    --------
    >>> calls = []
    >>> d = Debouncer(lambda: calls.append(1), 0.05)
    >>> d(); d(); d()  # no event loop here: each call runs at once
    >>> len(calls)
    3
    """

    def __init__(self, fn: Callable[[], None], delay: float, scheduler: Scheduler | None = None):
        if not (isinstance(delay, (int, float)) and delay >= 0):
            raise ValueError(f"debounce must be a number of seconds >= 0, got {delay!r}.")
        self.fn = fn
        self.delay = float(delay)
        self.scheduler = scheduler or loop_scheduler
        self._handle: Handle | None = None
        #: Triggers since the work last ran.
        self.triggers = 0

    @property
    def pending(self) -> bool:
        """Whether the work is scheduled and has not run yet."""
        return self._handle is not None

    def __call__(self) -> None:
        """Trigger: (re)start the quiet period."""
        self.triggers += 1
        if self._handle is not None:
            self._handle.cancel()
        self._handle = None
        handle = self.scheduler(self.delay, self._fire)
        # An immediate scheduler has already fired (and cleared the state).
        if self.triggers:
            self._handle = handle

    def _fire(self) -> None:
        self._handle = None
        self.triggers = 0
        self.fn()

    def flush(self) -> bool:
        """Run the pending work now.

        Returns
        -------
        bool
            Whether there was pending work.
        """
        if self._handle is None:
            return False
        self._handle.cancel()
        self._fire()
        return True

    def cancel(self) -> None:
        """Drop the pending work."""
        if self._handle is not None:
            self._handle.cancel()
        self._handle = None
        self.triggers = 0
