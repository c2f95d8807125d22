"""Per-iteration EM time of gmm_widgets against scikit-learn, side by side in one run.

Usage::

    python benchmarks/bench_em.py            # the settings of issue 3
    python benchmarks/bench_em.py --quick    # smaller sizes, for a smoke run

Both libraries start from the same ``weights_init``/``means_init``/``precisions_init``,
so neither runs an initialisation, and both run with ``tol=0``. The per-iteration time
is ``(t(1 + m iterations) - t(1 iteration)) / m``, which cancels each library's fixed
costs (validation, scikit-learn's final E-step). Medians over repeats are printed with
their ratio, plus peak RSS growth of one fit of each and the largest relative
difference of the fitted means (they must agree). With numba installed
(``pip install gmm_widgets[fast]``), full-covariance fits large enough run the compiled
kernel (form ``quad+numba``), and the ``numpy`` columns time the same fit without it.

A last table times a whole default fit (k-means init, ``tol=1e-3``) at N=20,000, d=2:
what a user waits for when moving a K slider.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import warnings
from contextlib import contextmanager

import numpy as np

from gmm_widgets import GaussianMixture
from gmm_widgets.mixture import _compiled, _moments

try:
    from sklearn.mixture import GaussianMixture as SkGaussianMixture
except ImportError:  # pragma: no cover
    sys.exit("This benchmark compares against scikit-learn: pip install scikit-learn")

warnings.filterwarnings("ignore")

SETTINGS = [
    # (N, d, K, covariance_type, dtype)
    (100_000, 2, 5, "full", "float64"),
    (1_000_000, 2, 5, "full", "float64"),
    (100_000, 16, 8, "full", "float64"),
    (1_000_000, 8, 10, "full", "float64"),
    (100_000, 64, 16, "full", "float64"),
    (1_000_000, 2, 5, "tied", "float64"),
    (1_000_000, 2, 5, "diag", "float64"),
    (1_000_000, 2, 5, "spherical", "float64"),
    (1_000_000, 8, 10, "tied", "float64"),
    (1_000_000, 8, 10, "diag", "float64"),
    (1_000_000, 8, 10, "spherical", "float64"),
    (1_000_000, 2, 5, "full", "float32"),
    (1_000_000, 8, 10, "full", "float32"),
]
QUICK = [(20_000, 2, 5, "full", "float64"), (20_000, 8, 4, "diag", "float32")]


def make_data(n, d, k, dtype, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=5.0, size=(k, d))
    labels = rng.integers(0, k, size=n)
    X = centres[labels] + rng.normal(size=(n, d))
    return X.astype(dtype)


def start_params(X, k, ct, seed=0):
    rng = np.random.default_rng(seed)
    d = X.shape[1]
    means = X[rng.choice(len(X), k, replace=False)].astype(np.float64)
    shapes = {"full": (k, d, d), "tied": (d, d), "diag": (k, d), "spherical": (k,)}
    if ct == "full":
        prec = np.broadcast_to(np.eye(d), shapes[ct]).copy()
    elif ct == "tied":
        prec = np.eye(d)
    else:
        prec = np.ones(shapes[ct])
    return dict(weights_init=np.full(k, 1.0 / k), means_init=means, precisions_init=prec)


def timed_fit(cls, X, k, ct, n_iter, start):
    est = cls(k, covariance_type=ct, tol=0.0, max_iter=n_iter, **start)
    gc.collect()
    t0 = time.perf_counter()
    est.fit(X)
    return time.perf_counter() - t0, est


def per_iteration(cls, X, k, ct, start, m, repeats):
    times = []
    for _ in range(repeats):
        t1, _ = timed_fit(cls, X, k, ct, 1, start)
        tm, est = timed_fit(cls, X, k, ct, 1 + m, start)
        times.append(max(tm - t1, 1e-9) / m)
    return statistics.median(times), est


def bench_iterations(settings, repeats):
    print("Per EM iteration, medians of", repeats, "repeats (ms); ratio = sklearn / ours")
    numba = _compiled.compiled_kernel() is not None
    print(
        "numba (gmm_widgets[fast]):",
        "installed; 'numpy' times the same fit without it" if numba else "not installed",
    )
    header = (
        f"{'N':>9} {'d':>3} {'K':>3} {'cov':>9} {'dtype':>7} | "
        f"{'sklearn':>9} {'ours':>8} {'ratio':>6} | {'numpy':>8} {'ratio':>6} | "
        f"{'max rel diff':>12} {'form':>10}"
    )
    print(header)
    print("-" * len(header))
    for n, d, k, ct, dtype in settings:
        X = make_data(n, d, k, dtype)
        start = start_params(X, k, ct)
        m = 3 if n * d * k >= 5e7 else 5
        t_sk, sk = per_iteration(SkGaussianMixture, X, k, ct, start, m, repeats)
        t_us, us = per_iteration(GaussianMixture, X, k, ct, start, m, repeats)
        kind = form(us, X)
        plain = f"{'':>8} {'':>6}"
        if kind == "quad+numba":
            with compiled_from(sys.maxsize):
                t_np, _ = per_iteration(GaussianMixture, X, k, ct, start, m, repeats)
            plain = f"{t_np * 1e3:>8.1f} {t_sk / t_np:>6.1f}"
        diff = np.max(np.abs(us.means_ - sk.means_)) / np.max(np.abs(sk.means_))
        print(
            f"{n:>9} {d:>3} {k:>3} {ct:>9} {dtype:>7} | {t_sk * 1e3:>9.1f} {t_us * 1e3:>8.1f}"
            f" {t_sk / t_us:>6.1f} | {plain} | {diff:>12.1e} {kind:>10}",
            flush=True,
        )


def form(est, X):
    """Which full-covariance form the last iteration ran: quadratic (with numba or
    not) or whitened."""
    if est.covariance_type != "full":
        return "-"
    centred = est.means_ - X.mean(axis=0, dtype=np.float64)
    quad = _moments.use_moments(centred, est.precisions_cholesky_.astype(np.float64))
    if not quad:
        return "whitened"
    n, d = X.shape
    compiled = _compiled.use_compiled(n, _moments.n_quad(d), est.n_components)
    return "quad+numba" if compiled else "quadratic"


@contextmanager
def compiled_from(min_work):
    """Fits in this context run the compiled kernel from ``min_work`` (see ``_compiled``):
    ``sys.maxsize`` keeps the NumPy form everywhere, ``0`` takes the kernel everywhere."""
    saved = _compiled.MIN_WORK
    _compiled.MIN_WORK = min_work
    try:
        yield
    finally:
        _compiled.MIN_WORK = saved


_MEMORY_SCRIPT = """
import os, re, sys, warnings
if {lib!r} == "ours, NumPy only":
    os.environ["GMM_WIDGETS_NUMBA"] = "0"
import numpy as np
sys.path.insert(0, {here!r})
from bench_em import make_data, start_params
warnings.filterwarnings("ignore")
def hwm(field="VmHWM"):
    status = open("/proc/self/status").read()
    return int(re.search(field + r":\\s+(\\d+)", status).group(1)) / 1024
X = make_data({n}, {d}, {k}, "float64")
start = start_params(X, {k}, "full")
import gc; gc.collect()
loaded = hwm("VmRSS")
if {lib!r} == "sklearn":
    from sklearn.mixture import GaussianMixture as cls
else:
    from gmm_widgets import GaussianMixture as cls
    from gmm_widgets.mixture import _compiled
    from bench_em import compiled_from
    if _compiled.compiled_kernel() is not None:  # numba: import and compile, once
        with compiled_from(0):
            cls({k}, covariance_type="full", max_iter=1, **start).fit(X[:1000])
gc.collect()
loaded = hwm("VmRSS") - loaded
open("/proc/self/clear_refs", "w").write("5")  # reset the peak to the current RSS
before = hwm()
cls({k}, covariance_type="full", tol=0.0, max_iter=3, **start).fit(X)
print(hwm() - before, loaded)
"""


def bench_memory(n=1_000_000, d=8, k=10):
    """Peak RSS growth of one fit, each library in a fresh process (VmHWM, not ru_maxrss,
    which a child inherits from its parent)."""
    import os
    import subprocess

    here = os.path.dirname(os.path.abspath(__file__))
    print(
        f"\nPeak RSS growth of one 3-iteration fit at N={n:,}, d={d}, K={k} (X is "
        f"{n * d * 8 / 2**20:.0f} MB in float64), each in a fresh process, after the "
        "library's import (and numba's compile of the kernel)"
    )
    for lib in ("ours", "ours, NumPy only", "sklearn"):
        code = _MEMORY_SCRIPT.format(here=here, n=n, d=d, k=k, lib=lib)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        growth, loaded = (
            (float(v) for v in out.stdout.split()) if out.returncode == 0 else (np.nan, np.nan)
        )
        print(f"  {lib:>16}: +{growth:.0f} MB beyond X (the import took {loaded:.0f} MB)")


def bench_default_fit(repeats):
    print("\nWhole default fit (kmeans init, tol=1e-3) at N=20,000, d=2 (ms, median)")
    print(f"{'K':>3} | {'sklearn':>9} {'ours':>8} {'ratio':>6} | {'iters sk/ours':>13}")
    for k in (2, 4, 8):
        X = make_data(20_000, 2, k, "float64", seed=k)
        res = {}
        for name, cls in (("sk", SkGaussianMixture), ("us", GaussianMixture)):
            times, iters = [], []
            for r in range(repeats):
                est = cls(k, random_state=r)
                t0 = time.perf_counter()
                est.fit(X)
                times.append(time.perf_counter() - t0)
                iters.append(est.n_iter_)
            res[name] = (statistics.median(times), statistics.median(iters))
        (ts, its), (tu, itu) = res["sk"], res["us"]
        print(f"{k:>3} | {ts * 1e3:>9.1f} {tu * 1e3:>8.1f} {ts / tu:>6.1f} | {its:>6}/{itu:<6}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--only", default="", help="comma-separated covariance types, e.g. 'full' (tables 1 only)"
    )
    args = parser.parse_args()
    settings = QUICK if args.quick else SETTINGS
    if args.only:
        settings = [s for s in settings if s[3] in args.only.split(",")]
    bench_iterations(settings, args.repeats)
    if not args.quick and not args.only:
        bench_default_fit(7)
        bench_memory()


if __name__ == "__main__":
    main()
