"""Whether a fit runs the compiled kernel of the quadratic form (the ``fast`` extra).

With numba installed (``pip install gmm_widgets[fast]``), large fits with full
covariances run :func:`gmm_widgets.mixture._quad_kernel.quad_stats` instead of the
NumPy form of ``_stats.chunk_stats``: about twice as fast per iteration, with the
same numbers up to the order of the sums (relative differences near 1e-16). float32
data are computed in float32 there while the means stay close to the centre
(``_moments.MAX_KAPPA_SINGLE``): faster again, with covariances within about 1e-6 of
the float64 fit's, as scikit-learn's float32 fits are.

Small fits keep the NumPy form: numba compiles the kernel on the first call of a
process (about 2 s; later processes load it from numba's cache), and an interactive
refit should never wait for that. Set the environment variable
``GMM_WIDGETS_NUMBA=0`` to never use numba.
"""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import Future

import numpy as np

__all__ = ["ENV_VAR", "MIN_WORK", "compiled_kernel", "reset_kernel", "use_compiled"]

#: Set to ``0`` (or ``false``, ``no``, ``off``) to keep numba out of every fit.
ENV_VAR = "GMM_WIDGETS_NUMBA"
#: Rows x (products + components) from which a fit uses the compiled kernel: 1e5 rows
#: at 8 features, 7e5 at 2. Below, an iteration takes milliseconds in NumPy anyway.
MIN_WORK = 1 << 22

#: The argument types the kernel is compiled for, per data dtype: float64 data in
#: float64 arithmetic; float32 data in float64 or float32 arithmetic (``_stats``).
_SIGNATURES = {
    np.dtype(np.float64): ((np.float64, np.float64),),
    np.dtype(np.float32): ((np.float32, np.float64), (np.float32, np.float32)),
}


class _Compiler:
    """Compiles the kernel once per process and data dtype, off the main thread.

    numba compiles on a function's first call for each argument type, under locks of
    its own and llvmlite's. A Ctrl-C that lands in the middle (the main thread's
    KeyboardInterrupt raised inside llvmlite's ctypes callbacks) could leave such a
    lock held, so that the next fit deadlocked, or be swallowed ("Exception ignored on
    calling ctypes callback"). So every type a fit can call the kernel with is compiled
    up front, by calls on tiny inputs in a thread of its own, which signals never
    interrupt; the caller waits for it, and a Ctrl-C interrupts only that wait. The
    compile goes on to the end and the next fit uses it. Chunk workers only ever call
    compiled code.

    A child made by ``fork`` during a compile would inherit numba's compile lock held by
    a thread it does not have: there, that dtype runs in NumPy instead.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[np.dtype, Future] = {}
        #: dtypes whose failed compile has been reported (once per process).
        self.warned: set[np.dtype] = set()

    def job(self, dtype: np.dtype) -> Future:
        with self._lock:
            fut = self._jobs.get(dtype)
            if fut is None:
                fut = self._jobs[dtype] = Future()
                thread = threading.Thread(
                    target=_compile, args=(dtype, fut), name="gmm-numba-compile", daemon=True
                )
                thread.start()
            return fut

    def reset(self) -> None:
        with self._lock:
            self._jobs = {}
            self.warned = set()

    def after_fork_in_child(self) -> None:
        self._lock = threading.Lock()
        for dtype, fut in list(self._jobs.items()):
            if not fut.done():
                unusable: Future = Future()
                unusable.set_result((None, None))
                self._jobs[dtype] = unusable


def _compile(dtype: np.dtype, fut: Future) -> None:
    """Import the kernel and run it once per argument type; ``(kernel, error)``."""
    try:
        from gmm_widgets.mixture._quad_kernel import quad_stats
    except ImportError:  # numba missing, or too old or new for this NumPy
        fut.set_result((None, None))
        return
    except Exception as exc:  # any failure of the optional accelerator
        fut.set_result((None, exc))
        return
    try:
        for data_type, coef_type in _SIGNATURES[dtype]:
            xc = np.zeros((1, 1), dtype=data_type)
            coef = np.zeros((1, 3), dtype=coef_type)
            quad_stats(xc, np.empty(0), coef, -60.0)
    except Exception as exc:
        fut.set_result((None, exc))
        return
    fut.set_result((quad_stats, None))


_COMPILER = _Compiler()

if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=lambda: _COMPILER.after_fork_in_child())


def _disabled() -> bool:
    return os.environ.get(ENV_VAR, "1").strip().lower() in ("0", "false", "no", "off")


def compiled_kernel(dtype: np.dtype | type = np.float64) -> Callable | None:
    """The compiled ``quad_stats`` for data of ``dtype``, or None without usable numba.

    The first call per dtype imports numba and compiles the kernel for every argument
    type a fit of that dtype uses (see :class:`_Compiler`), about 2 s cold, then from
    numba's disk cache. A numba that cannot compile or cache it here (an incompatible
    release, no writable cache directory) costs a warning and the NumPy form, never a
    failed fit. A KeyboardInterrupt while waiting leaves the compile running, and the
    next call waits for it.

    Parameters
    ----------
    dtype : numpy dtype, default float64
        The data's dtype (float32 or float64).

    Returns
    -------
    callable or None
    """
    if _disabled():
        return None
    dtype = np.dtype(dtype)
    if dtype not in _SIGNATURES:
        return None
    kernel, error = _COMPILER.job(dtype).result()
    if error is not None and dtype not in _COMPILER.warned:
        _COMPILER.warned.add(dtype)
        _unusable(error)
    return kernel


def reset_kernel() -> None:
    """Forget the compiled kernels, so the next call compiles or re-checks (for tests)."""
    _COMPILER.reset()


def _unusable(exc: Exception) -> None:
    warnings.warn(
        f"numba is installed but the compiled kernel cannot run here "
        f"({type(exc).__name__}: {exc}); fits use NumPy instead. Set "
        f"{ENV_VAR}=0 to skip numba, or update numba (or set NUMBA_CACHE_DIR to a "
        "writable directory).",
        RuntimeWarning,
        stacklevel=3,
    )


def use_compiled(
    n_samples: int, n_products: int, n_components: int, dtype: np.dtype | type = np.float64
) -> bool:
    """Whether a fit of this size should run the compiled kernel.

    Parameters
    ----------
    n_samples, n_products, n_components : int
        Rows, quadratic features ``m`` and components of the fit.
    dtype : numpy dtype, default float64
        The data's dtype.

    Returns
    -------
    bool
    """
    if n_samples * (n_products + n_components) < MIN_WORK:
        return False
    return compiled_kernel(dtype) is not None
