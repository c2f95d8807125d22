"""Callbacks that watch an EM fit: the :class:`EMState` snapshot and two ready-made hooks.

Every callback is a callable ``callback(state: EMState) -> bool | None``. It is called
right after each initialisation (``state.n_iter == 0``) and after every EM iteration of
every init. Returning ``True`` or raising :class:`StopIteration` stops *that* init
cleanly; the fit then goes on with the next init (if any) and keeps the best one.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

import numpy as np

__all__ = ["EMState", "History", "PrintProgress"]


class MixtureShape:
    """``n_components`` and ``n_features`` read from ``weights`` and ``means``.

    Shared by :class:`EMState` and :class:`~gmm_widgets.mixture.params.MixtureParams`.
    """

    weights: np.ndarray
    means: np.ndarray

    @property
    def n_components(self) -> int:
        """Number of mixture components."""
        return int(self.weights.shape[0])

    @property
    def n_features(self) -> int:
        """Number of features."""
        return int(self.means.shape[1])


@dataclass(frozen=True, eq=False)
class EMState(MixtureShape):
    """A frozen snapshot of an EM fit after initialisation or after one iteration.

    The arrays are the snapshot's own read-only copies, so a callback may keep them.

    Attributes
    ----------
    init : int
        Index of the initialisation (``0 <= init < n_init``).
    n_iter : int
        Iterations completed in this init; ``0`` right after initialisation.
    weights : ndarray of shape (n_components,)
        Mixture weights.
    means : ndarray of shape (n_components, n_features)
        Component means.
    covariances : ndarray
        Covariances in the shape that ``covariance_type`` implies: ``(n_components,
        n_features, n_features)`` for ``"full"``, ``(n_features, n_features)`` for
        ``"tied"``, ``(n_components, n_features)`` for ``"diag"`` and ``(n_components,)``
        for ``"spherical"``.
    covariance_type : str
        One of ``"full"``, ``"tied"``, ``"diag"``, ``"spherical"``.
    lower_bound : float
        Mean per-sample log-likelihood computed in this iteration's E-step (that is, of
        the parameters before this iteration's M-step, as in scikit-learn). ``-inf`` at
        ``n_iter == 0``.
    change : float
        ``lower_bound`` minus the previous iteration's; ``nan`` at ``n_iter == 0``.
    converged : bool
        Whether ``abs(change) < tol`` was reached at this iteration.
    elapsed : float
        Seconds since this init started.
    max_iter : int
        The fit's ``max_iter``; ``n_iter == max_iter`` marks an init's last iteration.
    noise_weight : float or None
        Weight of the uniform noise component (``GaussianMixture(noise=...)``), then
        ``weights.sum() + noise_weight == 1``; ``None`` without one.
    """

    init: int
    n_iter: int
    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    covariance_type: str
    lower_bound: float
    change: float
    converged: bool
    elapsed: float = 0.0
    max_iter: int = 0
    noise_weight: float | None = None

    def __post_init__(self) -> None:
        for name in ("weights", "means", "covariances"):
            arr = np.array(getattr(self, name), dtype=np.float64, copy=True)
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    def __repr__(self) -> str:
        return (
            f"EMState(init={self.init}, n_iter={self.n_iter}, "
            f"lower_bound={self.lower_bound:.6g}, change={self.change:.3g}, "
            f"converged={self.converged}, n_components={self.n_components})"
        )


@dataclass
class History:
    """A callback that records every :class:`EMState` of a fit.

    Pass it in ``callbacks=`` and read it afterwards, or give it to a widget to replay.

    Parameters
    ----------
    keep_all_inits : bool, default=True
        Record the states of every init. With ``False`` only the latest init is kept.

    Attributes
    ----------
    states : list of EMState
        The recorded states in the order they were reported.

    Examples
    --------
    >>> from gmm_widgets import GaussianMixture, History
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(200, 2))
    >>> history = History()
    >>> gm = GaussianMixture(2, random_state=0, callbacks=history).fit(X)
    >>> history.n_iter == gm.n_iter_
    True
    """

    keep_all_inits: bool = True
    states: list[EMState] = field(default_factory=list)

    def __call__(self, state: EMState) -> None:
        if not self.keep_all_inits and self.states and state.init != self.states[-1].init:
            self.states.clear()
        self.states.append(state)

    def __len__(self) -> int:
        return len(self.states)

    def __iter__(self) -> Iterator[EMState]:
        return iter(self.states)

    def __getitem__(self, index: int) -> EMState:
        return self.states[index]

    def clear(self) -> None:
        """Forget every recorded state."""
        self.states.clear()

    @property
    def inits(self) -> list[int]:
        """Sorted indices of the inits that were recorded."""
        return sorted({s.init for s in self.states})

    def for_init(self, init: int | None = None) -> list[EMState]:
        """States of one init.

        Parameters
        ----------
        init : int, optional
            Index of the init. By default, the init with the highest final lower bound
            (the one the fit kept, when every init ran to its end).

        Returns
        -------
        list of EMState
        """
        if not self.states:
            return []
        if init is None:
            init = self.best_init
        return [s for s in self.states if s.init == init]

    @property
    def best_init(self) -> int:
        """Index of the init whose last state has the highest lower bound."""
        if not self.states:
            raise ValueError("History is empty: pass it in `callbacks=` and fit first.")
        last: dict[int, EMState] = {}
        for s in self.states:
            last[s.init] = s
        return max(last, key=lambda i: (last[i].lower_bound, -i))

    @property
    def n_iter(self) -> int:
        """Iterations of the best init."""
        return self.for_init()[-1].n_iter if self.states else 0

    @property
    def lower_bounds(self) -> np.ndarray:
        """Lower bounds of the best init's iterations, shape (n_iter,)."""
        return np.array([s.lower_bound for s in self.for_init() if s.n_iter > 0])


class PrintProgress:
    """A callback that prints progress, as ``verbose=1`` or ``verbose=2`` does.

    Parameters
    ----------
    verbose : int, default=1
        ``1`` prints the start and end of each init and, while an init runs longer than
        ``every`` seconds, its iteration and lower bound every ``every`` seconds; ``2``
        also prints every ``interval``-th iteration with its lower bound, its change and
        timing.
    interval : int, default=10
        Print every ``interval``-th iteration when ``verbose >= 2``.
    file : file-like, default=sys.stdout
        Where to print.
    every : float, default=1.0
        Seconds between two progress lines of a long init at ``verbose=1``.
    clock : callable, default=time.perf_counter
        The time source (seconds), for tests.
    """

    def __init__(
        self,
        verbose: int = 1,
        interval: int = 10,
        file: TextIO | None = None,
        every: float = 1.0,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        if int(interval) < 1:
            raise ValueError(f"interval must be a positive integer, got {interval!r}.")
        if not every > 0:
            raise ValueError(f"every must be a positive number of seconds, got {every!r}.")
        self.verbose = int(verbose)
        self.interval = int(interval)
        self.file = file
        self.every = float(every)
        self._clock = clock
        self._t_last = clock()
        self._t_shown = self._t_last

    def _print(self, msg: str) -> None:
        print(msg, file=self.file if self.file is not None else sys.stdout, flush=True)

    def __call__(self, state: EMState) -> None:
        if self.verbose <= 0:
            return
        now = self._clock()
        if state.n_iter == 0:
            self._print(f"Initialization {state.init}")
            self._t_last = self._t_shown = now
            return
        if self.verbose >= 2 and state.n_iter % self.interval == 0:
            self._print(
                f"  Iteration {state.n_iter}\t time lapse {now - self._t_last:.5f}s"
                f"\t ll change {state.change:.5f}\t lower bound {state.lower_bound:.5f}"
            )
            self._t_last = self._t_shown = now
        elif now - self._t_shown >= self.every and not state.converged:
            # A long init: show that it is alive, and where it is.
            self._print(
                f"  Iteration {state.n_iter}\t lower bound {state.lower_bound:.5f}"
                f"\t ({state.elapsed:.1f}s)"
            )
            self._t_shown = now
        if state.converged or state.n_iter == state.max_iter:
            status = "converged" if state.converged else "did not converge"
            self._print(
                f"Initialization {status}. time lapse {state.elapsed:.5f}s"
                f"\t lower bound {state.lower_bound:.5f}."
            )
