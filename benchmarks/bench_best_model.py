"""The automatic density of AnomalyInspector: fit_best_mixture against scikit-learn's grid.

Usage::

    python benchmarks/bench_best_model.py           # N=20,000, d=2 and d=5
    python benchmarks/bench_best_model.py --quick   # N=5,000, d=2, for a smoke run

The task: the BIC-best Gaussian mixture over K = 1..10 and the four covariance types
(40 models), as mclust does by default. scikit-learn has no such function; its users
write the loop over ``GaussianMixture(k, covariance_type=ct).fit(X).bic(X)``, which is
what is timed for it here, side by side with

* ``fit_best_mixture(X)``: the grid on a seeded 4,000-row sample, the 3 best fitted
  again on every row (what the widget runs), and
* ``fit_best_mixture(X, max_samples=N)``: our grid on every row, same work as the loop.

Printed: median seconds of each (3 repeats), the ratio against scikit-learn, the model
each one chose, and the BIC of that model on all rows, so a faster choice that is a
worse model would show. Also the time to construct ``AnomalyInspector(X)`` (the widget's
whole start: choice, scores, display data).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings

import numpy as np

from gmm_widgets.mixture import fit_best_mixture
from gmm_widgets.widgets import AnomalyInspector

try:
    from sklearn.mixture import GaussianMixture as SkGaussianMixture
except ImportError:  # pragma: no cover
    sys.exit("This benchmark compares against scikit-learn: pip install scikit-learn")

warnings.filterwarnings("ignore")
TYPES = ("full", "tied", "diag", "spherical")
KS = range(1, 11)


def blobs_and_noise(n: int, d: int, seed: int = 0) -> np.ndarray:
    """Three Gaussian blobs and 3% uniform background, as an analyst's data might be."""
    rng = np.random.default_rng(seed)
    n_noise = n * 3 // 100
    per = (n - n_noise) // 3
    centres = rng.normal(0.0, 4.0, (3, d))
    parts = [rng.normal(c, 0.7, (per, d)) for c in centres]
    lo, hi = centres.min() - 3, centres.max() + 3
    parts.append(rng.uniform(lo, hi, (n - 3 * per, d)))
    return np.vstack(parts)


def sklearn_grid(X: np.ndarray) -> tuple[int, str, float]:
    best = (np.inf, 0, "")
    for ct in TYPES:
        for k in KS:
            try:
                bic = SkGaussianMixture(k, covariance_type=ct, random_state=0).fit(X).bic(X)
            except ValueError:
                continue
            best = min(best, (bic, k, ct))
    return best[1], best[2], best[0]


def ours(X: np.ndarray, max_samples: int) -> tuple[int, str, float]:
    b = fit_best_mixture(X, KS, TYPES, max_samples=max_samples)
    return b.n_components, b.covariance_type, b.value


def timed(fn, repeats: int = 3):
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="N=5,000, d=2 only")
    args = parser.parse_args()
    cases = [(5_000, 2)] if args.quick else [(20_000, 2), (20_000, 5)]
    print(f"{'N':>7} {'d':>2}  {'method':<28} {'seconds':>8} {'vs sklearn':>10}  chosen")
    for n, d in cases:
        X = blobs_and_noise(n, d)
        t_sk, (k_sk, ct_sk, bic_sk) = timed(lambda X=X: sklearn_grid(X))
        rows = [
            ("scikit-learn loop, all rows", t_sk, k_sk, ct_sk, bic_sk),
        ]
        t_full, (k, ct, bic) = timed(lambda X=X, n=n: ours(X, n))
        rows.append(("fit_best_mixture, all rows", t_full, k, ct, bic))
        t_fast, (k, ct, bic) = timed(lambda X=X: ours(X, 4000))
        rows.append(("fit_best_mixture (default)", t_fast, k, ct, bic))
        t_widget, widget = timed(lambda X=X: AnomalyInspector(X, contamination=0.03))
        rows.append(
            (
                "AnomalyInspector(X)",
                t_widget,
                widget.model.n_components,
                widget.model.covariance_type,
                widget.model.bic(X),
            )
        )
        for name, t, k, ct, bic in rows:
            print(
                f"{n:>7} {d:>2}  {name:<28} {t:8.2f} {t_sk / t:9.1f}x  K={k}, {ct} (BIC {bic:.1f})"
            )


if __name__ == "__main__":
    main()
