"""EM with missing values (``missing="em"``): per-iteration time, and accuracy against
complete-case and mean-imputation fits.

Usage::

    python benchmarks/missing_values.py            # 1e5 x 8, 20% MCAR, K=4, full
    python benchmarks/missing_values.py --quick    # 2e4 rows, for a smoke run

Table 1 times one EM iteration of ``missing="em"`` on data with 20% of the cells
missing completely at random, against our complete-data fit of the same data before
the cells were removed, and scikit-learn's complete-data fit (which has no missing
values mode), side by side. All three start from the same ``weights_init``/
``means_init``/``precisions_init`` and run with ``tol=0``; the per-iteration time is
``(t(1 + m iterations) - t(1 iteration)) / m`` (medians over repeats). Timing is printed,
never asserted.

Table 2 measures accuracy at 10%, 20% and 30% MCAR: the parameter error of each fit
against the complete-data fit (means and covariances, components matched by their
means), for ``missing="em"``, the complete-case fit (rows with a NaN dropped) and the
mean-imputation fit (NaN replaced by the feature's observed mean), averaged over seeds.
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

try:
    from sklearn.mixture import GaussianMixture as SkGaussianMixture
except ImportError:  # pragma: no cover
    sys.exit("This benchmark compares against scikit-learn: pip install scikit-learn")

warnings.filterwarnings("ignore")


def make_data(n, d, k, seed=0):
    """``k`` clusters with random correlated covariances in ``d`` features."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=4.0, size=(k, d))
    labels = rng.integers(0, k, size=n)
    mixing = rng.normal(size=(k, d, d)) / np.sqrt(d) + np.eye(d)
    noise = np.einsum("nij,nj->ni", mixing[labels], rng.normal(size=(n, d)))
    return centres[labels] + noise


def mcar(X, rate, seed=1):
    """``X`` with each cell missing (NaN) with probability ``rate``."""
    out = X.copy()
    out[np.random.default_rng(seed).random(X.shape) < rate] = np.nan
    return out


def start_params(X, k, seed=0):
    rng = np.random.default_rng(seed)
    d = X.shape[1]
    rows = X[~np.isnan(X).any(axis=1)]
    means = rows[rng.choice(len(rows), k, replace=False)]
    prec = np.broadcast_to(np.eye(d), (k, d, d)).copy()
    return dict(weights_init=np.full(k, 1.0 / k), means_init=means, precisions_init=prec)


def per_iteration(make, X, m, repeats):
    """Median wall-clock and CPU (all threads) seconds per iteration."""
    walls, cpus = [], []
    for _ in range(repeats):
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        make(1).fit(X)
        t1, c1 = time.perf_counter() - t0, time.process_time() - c0
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        make(1 + m).fit(X)
        tm, cm = time.perf_counter() - t0, time.process_time() - c0
        walls.append(max(tm - t1, 1e-9) / m)
        cpus.append(max(cm - c1, 1e-9) / m)
    return statistics.median(walls), statistics.median(cpus)


def bench_iteration(n, d, k, rate, repeats):
    X = make_data(n, d, k)
    Xm = mcar(X, rate)
    start = start_params(Xm, k)
    n_patterns = len(np.unique(np.isnan(Xm), axis=0))
    print(
        f"Per EM iteration at N={n:,}, d={d}, K={k}, full, {rate:.0%} MCAR "
        f"({np.isnan(Xm).mean():.1%} of cells missing, {n_patterns} missingness patterns, "
        f"{(~np.isnan(Xm).any(axis=1)).mean():.1%} complete rows); medians of {repeats} "
        "repeats (ms)"
    )

    def ours(missing):
        return lambda it: GaussianMixture(k, tol=0.0, max_iter=it, missing=missing, **start)

    def sk(it):
        return SkGaussianMixture(k, tol=0.0, max_iter=it, **start)

    ours(missing="error")(2).fit(X)  # warm-up (numba's compile, if installed)
    m = 3
    t_em = per_iteration(ours("em"), Xm, m, repeats)
    t_full = per_iteration(ours("error"), X, m, repeats)
    t_sk = per_iteration(sk, X, m, repeats)
    header = f"{'fit':>34} | {'wall ms/iter':>12} {'ratio':>6} | {'CPU ms/iter':>11} {'ratio':>6}"
    print(header + "\n" + "-" * len(header))
    for name, (wall, cpu) in (
        ("ours, missing='em', data with NaN", t_em),
        ("ours, complete data", t_full),
        ("scikit-learn, complete data", t_sk),
    ):
        print(
            f"{name:>34} | {wall * 1e3:>12.1f} {t_sk[0] / wall:>6.2f} | "
            f"{cpu * 1e3:>11.1f} {t_sk[1] / cpu:>6.2f}"
        )
    print(
        "ratio = scikit-learn's time / this fit's; CPU time sums every thread (ours runs "
        "worker threads, so its CPU time is the cost on a shared machine).\n"
        f"missing='em' costs {t_em[0] / t_full[0]:.1f}x (wall) and {t_em[1] / t_full[1]:.1f}x "
        "(CPU) our complete-data iteration.\n",
        flush=True,
    )


def matched_error(model, ref):
    """Means and covariances error against ``ref``, components matched by their means."""
    order = [int(np.argmin(((model.means_ - mu) ** 2).sum(axis=1))) for mu in ref.means_]
    if sorted(order) != list(range(len(order))):
        return np.nan  # a component lost: no matching
    mean_err = np.linalg.norm(model.means_[order] - ref.means_)
    cov_err = np.linalg.norm(model.covariances_full()[order] - ref.covariances_full())
    return mean_err + cov_err


def bench_accuracy(n, d, k, rates, seeds):
    print(
        f"Parameter error against the complete-data fit (|means| + |covariances|, "
        f"Frobenius), N={n:,}, d={d}, K={k}, full, mean over {seeds} seeds; every fit "
        "starts from the complete-data fit's means"
    )
    header = f"{'MCAR':>5} | {'missing=em':>10} {'complete-case':>13} {'mean-imputed':>12}"
    print(header)
    print("-" * len(header))
    for rate in rates:
        errors = []
        for seed in range(seeds):
            X = make_data(n, d, k, seed=10 + seed)
            Xm = mcar(X, rate, seed=100 + seed)
            ref = GaussianMixture(k, random_state=seed, n_init=2).fit(X)
            start = dict(means_init=ref.means_, max_iter=500, tol=1e-6)
            em = GaussianMixture(k, missing="em", **start).fit(Xm)
            cc = GaussianMixture(k, **start).fit(Xm[~np.isnan(Xm).any(axis=1)])
            imputed = np.where(np.isnan(Xm), np.nanmean(Xm, axis=0), Xm)
            mi = GaussianMixture(k, **start).fit(imputed)
            errors.append([matched_error(f, ref) for f in (em, cc, mi)])
        e = np.nanmean(np.array(errors), axis=0)
        print(f"{rate:>5.0%} | {e[0]:>10.3f} {e[1]:>13.3f} {e[2]:>12.3f}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--timing-only", action="store_true", help="skip the accuracy table")
    args = parser.parse_args()
    n = 20_000 if args.quick else 100_000
    bench_iteration(n, 8, 4, 0.2, args.repeats)
    if not args.timing_only:
        bench_accuracy(
            2_000 if args.quick else 10_000, 6, 3, (0.1, 0.2, 0.3), 2 if args.quick else 4
        )


if __name__ == "__main__":
    main()
