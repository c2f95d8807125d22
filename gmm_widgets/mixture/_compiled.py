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
import warnings
from collections.abc import Callable
from functools import lru_cache

import numpy as np

__all__ = ["ENV_VAR", "MIN_WORK", "compiled_kernel", "use_compiled"]

#: Set to ``0`` (or ``false``, ``no``, ``off``) to keep numba out of every fit.
ENV_VAR = "GMM_WIDGETS_NUMBA"
#: Rows x (products + components) from which a fit uses the compiled kernel: 1e5 rows
#: at 8 features, 7e5 at 2. Below, an iteration takes milliseconds in NumPy anyway.
MIN_WORK = 1 << 22


@lru_cache(maxsize=1)
def compiled_kernel() -> Callable | None:
    """The compiled ``quad_stats``, or None when numba is missing, disabled or broken.

    The first call imports numba and runs the kernel once on a tiny input, so that a
    numba that cannot compile or cache it here (an incompatible release, no writable
    cache directory) costs a warning and the NumPy form, never a failed fit.

    Returns
    -------
    callable or None
    """
    if os.environ.get(ENV_VAR, "1").strip().lower() in ("0", "false", "no", "off"):
        return None
    try:
        from gmm_widgets.mixture._quad_kernel import quad_stats
    except ImportError:  # numba missing, or too old or new for this NumPy
        return None
    except Exception as exc:  # any failure of the optional accelerator
        return _unusable(exc)
    try:
        quad_stats(np.zeros((1, 1)), np.empty(0), np.zeros((1, 3)), -460.0)
    except Exception as exc:
        return _unusable(exc)
    return quad_stats


def _unusable(exc: Exception) -> None:
    warnings.warn(
        f"numba is installed but the compiled kernel cannot run here "
        f"({type(exc).__name__}: {exc}); fits use NumPy instead. Set "
        f"{ENV_VAR}=0 to skip numba, or update numba (or set NUMBA_CACHE_DIR to a "
        "writable directory).",
        RuntimeWarning,
        stacklevel=2,
    )
    return None


def use_compiled(n_samples: int, n_products: int, n_components: int) -> bool:
    """Whether a fit of this size should run the compiled kernel.

    Parameters
    ----------
    n_samples, n_products, n_components : int
        Rows, quadratic features ``m`` and components of the fit.

    Returns
    -------
    bool
    """
    return n_samples * (n_products + n_components) >= MIN_WORK and compiled_kernel() is not None
