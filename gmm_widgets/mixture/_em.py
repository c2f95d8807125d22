"""One EM run from a starting point: E-step statistics over the chunks, M-step, repeat.

:func:`run_em` is the loop of one initialisation; ``GaussianMixture.fit`` runs it once
per init, reports each iteration to the callbacks (through ``on_iteration``) and keeps
the run with the highest lower bound.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from gmm_widgets.mixture._constraints import FixedParams, constrained_m_step
from gmm_widgets.mixture._noise import NoiseBox
from gmm_widgets.mixture._sources import Source
from gmm_widgets.mixture._stats import ChunkParams, EMParams, Stats, chunk_stats, m_step

__all__ = ["EMRun", "IterationHook", "end_iteration", "run_em"]

#: ``on_iteration(n_iter, params, lower_bound, change, converged) -> stop``: called after
#: every M-step; a true result stops the run (a callback asked to).
IterationHook = Callable[[int, EMParams, float, float, bool], bool]


@dataclass
class EMRun:
    """How one EM run ended.

    Attributes
    ----------
    params : EMParams
        The last M-step's parameters (the start's when no iteration ran).
    n_iter : int
        Iterations run.
    lower_bound : float
        The last E-step's mean log-likelihood per unit of sample weight (the start's
        bound when no iteration ran: ``-inf`` for a fresh start).
    lower_bounds : list of float
        The lower bound of every iteration.
    converged : bool
        Whether the last change was below ``tol``.
    stopped : bool
        Whether ``on_iteration`` stopped the run.
    """

    params: EMParams
    n_iter: int = 0
    lower_bound: float = -np.inf
    lower_bounds: list[float] = field(default_factory=list)
    converged: bool = False
    stopped: bool = False


def _chunk_stats(
    xc: np.ndarray,
    wc: np.ndarray | None,
    start: int,
    *,
    cp: ChunkParams,
    ref: np.ndarray,
    kernel: Any,
    labels: np.ndarray | None = None,
) -> Stats:
    chunk_labels = None if labels is None else labels[start : start + xc.shape[0]]
    return chunk_stats(xc, wc, cp, ref, kernel, chunk_labels)


def end_iteration(
    run: EMRun, previous: float, tol: float, on_iteration: IterationHook | None
) -> bool:
    """Close one iteration of ``run``: record its bound, test convergence, report it.

    Parameters
    ----------
    run : EMRun
        With this iteration's ``n_iter``, ``params`` and ``lower_bound`` set.
    previous : float
        The bound before this iteration.
    tol : float
    on_iteration : IterationHook or None

    Returns
    -------
    bool
        True when the run ends here: converged, or stopped by ``on_iteration``
        (``run.stopped``).
    """
    run.lower_bounds.append(run.lower_bound)
    change = run.lower_bound - previous
    run.converged = bool(abs(change) < tol)
    if on_iteration is not None and on_iteration(
        run.n_iter, run.params, run.lower_bound, change, run.converged
    ):
        run.stopped = True
        return True
    return run.converged


def run_em(
    source: Source,
    params: EMParams,
    *,
    covariance_type: str,
    reg_covar: float,
    tol: float,
    max_iter: int,
    scale: np.ndarray | None = None,
    noise_box: NoiseBox | None = None,
    kernel: Any = None,
    lower_bound: float = -np.inf,
    on_iteration: IterationHook | None = None,
    fixed: FixedParams | None = None,
    labels: np.ndarray | None = None,
) -> EMRun:
    """EM from ``params`` until the lower bound changes by less than ``tol``.

    Parameters
    ----------
    source : Source
    params : EMParams
        The start, in the source's centred frame.
    covariance_type, reg_covar, tol, max_iter
        As ``GaussianMixture``'s.
    scale : ndarray of shape (n_features,), optional
        The data's variances (see ``m_step``).
    noise_box : NoiseBox, optional
        With a noise component: its box (its weight is in ``params``).
    kernel : callable, optional
        The compiled statistics kernel (full covariances in memory), or None.
    lower_bound : float, default=-inf
        The start's lower bound (a warm start's last one).
    on_iteration : callable, optional
        See :data:`IterationHook`.
    fixed : FixedParams, optional
        Fixed parameters: the M-step is ``_constraints.constrained_m_step``.
    labels : ndarray of shape (n_samples,), int, optional
        Partial labels (``-1``: unknown), fixing the labelled rows' responsibilities.

    Returns
    -------
    EMRun
    """
    run = EMRun(params, lower_bound=lower_bound)
    work = params.means.shape[0] * (source.n_features + 1)
    while run.n_iter < max_iter:
        run.n_iter += 1
        cp = run.params.cast(source.dtype)
        ref = cp.means
        fn = partial(_chunk_stats, cp=cp, ref=ref, kernel=kernel, labels=labels)
        stats = source.reduce(fn, work)
        previous, run.lower_bound = run.lower_bound, stats.log_lik / stats.weight
        if fixed is None:
            run.params = m_step(
                stats,
                ref.astype(np.float64),
                covariance_type,
                reg_covar,
                ref_prec_chol=cp.prec_chol.astype(np.float64),
                scale=scale,
                noise_box=noise_box,
            )
        else:
            run.params = constrained_m_step(
                stats,
                ref.astype(np.float64),
                covariance_type,
                reg_covar,
                fixed,
                source.center,
                ref_prec_chol=cp.prec_chol.astype(np.float64),
                scale=scale,
            )
        if end_iteration(run, previous, tol, on_iteration):
            break
    return run
