"""partial_fit (stepwise online EM) against fit() and scikit-learn's fit, on the same data.

Usage::

    python benchmarks/partial_fit.py            # N = 200,000
    python benchmarks/partial_fit.py --quick    # N = 20,000, for a smoke run

Two tables, nothing asserted (timings on a shared machine are only indicative):

1. *Cost per row.* One pass of ``partial_fit`` over the data in batches of ``B`` rows
   (median time per batch, and per row), against one EM iteration of ``fit`` (ours and
   scikit-learn's; ``(t(1 + m) - t(1)) / m`` from the same explicit start, as in
   ``bench_em.py``) per row. ``online/fit`` is the ratio of the per-row costs: a batch
   step is one E-step and one small M-step, so it should stay near 1 for large batches
   and grow for small ones (a fixed cost per batch: validation, the M-step).
2. *Whole runs.* One pass of ``partial_fit`` (a k-means start on the first batch), a
   default ``fit`` of ours and of scikit-learn (k-means init, ``tol=1e-3``): wall time
   and the mean log-likelihood of all the data under each result, so that the speed is
   read next to the quality.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import warnings

import numpy as np

from gmm_widgets import GaussianMixture
from gmm_widgets.mixture import iter_batches

try:
    from sklearn.mixture import GaussianMixture as SkGaussianMixture
except ImportError:  # pragma: no cover
    sys.exit("This benchmark compares against scikit-learn: pip install scikit-learn")

warnings.filterwarnings("ignore")

#: (d, K, covariance_type, dtype); N and the batch sizes come from the command line.
SETTINGS = [
    (2, 5, "full", "float64"),
    (8, 8, "full", "float64"),
    (8, 8, "diag", "float64"),
    (8, 8, "tied", "float64"),
    (8, 8, "spherical", "float64"),
    (8, 8, "full", "float32"),
]
QUICK = [(2, 5, "full", "float64"), (8, 8, "diag", "float32")]


def make_data(n, d, k, dtype, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=5.0, size=(k, d))
    labels = rng.integers(0, k, size=n)
    return (centres[labels] + rng.normal(size=(n, d))).astype(dtype)


def start_params(X, k, ct, seed=0):
    rng = np.random.default_rng(seed)
    d = X.shape[1]
    means = X[rng.choice(len(X), k, replace=False)].astype(np.float64)
    prec = {
        "full": np.broadcast_to(np.eye(d), (k, d, d)).copy(),
        "tied": np.eye(d),
        "diag": np.ones((k, d)),
        "spherical": np.ones(k),
    }[ct]
    return dict(weights_init=np.full(k, 1.0 / k), means_init=means, precisions_init=prec)


def per_iteration(cls, X, k, ct, start, m=4, repeats=3):
    """Median seconds of one EM iteration of ``cls.fit`` from ``start``."""

    def timed(n_iter):
        est = cls(k, covariance_type=ct, tol=0.0, max_iter=n_iter, **start)
        gc.collect()
        t0 = time.perf_counter()
        est.fit(X)
        return time.perf_counter() - t0

    return statistics.median(max(timed(1 + m) - timed(1), 1e-9) / m for _ in range(repeats))


def online_pass(X, k, ct, batch_size, **params):
    """One pass of partial_fit: (model, seconds per batch after the first, total seconds)."""
    gm = GaussianMixture(k, covariance_type=ct, random_state=0, **params)
    times = []
    gc.collect()
    t_start = time.perf_counter()
    for batch, _ in iter_batches(X, batch_size):
        t0 = time.perf_counter()
        gm.partial_fit(batch)
        times.append(time.perf_counter() - t0)
    total = time.perf_counter() - t_start
    return gm, statistics.median(times[1:]), total


def bench_per_row(n, batch_sizes, settings):
    print(f"1. Cost per row at N={n:,} (median; us per row); ratio = online / fit")
    header = (
        f"{'d':>3} {'K':>3} {'cov':>9} {'dtype':>7} {'B':>6} | {'ms/batch':>9} "
        f"{'online':>7} | {'fit/iter':>8} {'ratio':>6} | {'sklearn/iter':>12} {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    for d, k, ct, dtype in settings:
        X = make_data(n, d, k, dtype)
        start = start_params(X, k, ct)
        t_us = per_iteration(GaussianMixture, X, k, ct, start) / n
        t_sk = per_iteration(SkGaussianMixture, X, k, ct, start) / n
        for b in batch_sizes:
            _, per_batch, _ = online_pass(X, k, ct, b, **start)
            t_on = per_batch / b
            print(
                f"{d:>3} {k:>3} {ct:>9} {dtype:>7} {b:>6} | {per_batch * 1e3:>9.2f} "
                f"{t_on * 1e6:>7.3f} | {t_us * 1e6:>8.3f} {t_on / t_us:>6.2f} | "
                f"{t_sk * 1e6:>12.3f} {t_on / t_sk:>6.2f}",
                flush=True,
            )


def bench_whole(n, batch_size, settings):
    print(
        f"\n2. Whole runs at N={n:,}: one partial_fit pass (B={batch_size}, k-means start on "
        "the first batch) vs a default fit; seconds and mean log-likelihood of all of X"
    )
    header = (
        f"{'d':>3} {'K':>3} {'cov':>9} {'dtype':>7} | {'online s':>8} {'loglik':>9} | "
        f"{'fit s':>7} {'iters':>5} {'loglik':>9} | {'sklearn s':>9} {'iters':>5} "
        f"{'loglik':>9} | {'sk/online':>9}"
    )
    print(header)
    print("-" * len(header))
    for d, k, ct, dtype in settings:
        X = make_data(n, d, k, dtype, seed=1)
        online, _, t_on = online_pass(X, k, ct, batch_size)
        runs = {}
        for name, cls in (("us", GaussianMixture), ("sk", SkGaussianMixture)):
            est = cls(k, covariance_type=ct, random_state=0)
            gc.collect()
            t0 = time.perf_counter()
            est.fit(X)
            runs[name] = (time.perf_counter() - t0, est.n_iter_, float(est.score(X)))
        (t_us, it_us, ll_us), (t_sk, it_sk, ll_sk) = runs["us"], runs["sk"]
        print(
            f"{d:>3} {k:>3} {ct:>9} {dtype:>7} | {t_on:>8.3f} {float(online.score(X)):>9.4f} | "
            f"{t_us:>7.3f} {it_us:>5} {ll_us:>9.4f} | {t_sk:>9.3f} {it_sk:>5} {ll_sk:>9.4f} | "
            f"{t_sk / t_on:>9.1f}",
            flush=True,
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 20,000 and two settings")
    parser.add_argument("--n", type=int, default=None, help="rows (default 200,000)")
    args = parser.parse_args()
    n = args.n or (20_000 if args.quick else 200_000)
    settings = QUICK if args.quick else SETTINGS
    batch_sizes = (500, 5000) if args.quick else (1000, 10_000)
    bench_per_row(n, batch_sizes, settings)
    bench_whole(n, batch_sizes[-1], settings)


if __name__ == "__main__":
    main()
