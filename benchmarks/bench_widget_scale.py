"""Widgets at scale: a DataFrame of 1e6 rows x 10 columns.

Usage::

    python benchmarks/bench_widget_scale.py            # 1,000,000 x 10
    python benchmarks/bench_widget_scale.py --quick    # 100,000 x 10, a smoke run

Targets (issue #17, item 7): constructing a widget costs under 2 s of kernel time and
sends under 50 MB to the browser. Printed, each the median of ``--repeats`` runs:

* the fit alone (``GaussianMixture(4).fit(X)``), which the widgets that fit at
  construction include;
* ``FitPlayer(X, model=<fitted>)`` and ``FitPlayer(X, model=<History>)`` (no fit: what
  the widget itself costs), and ``FitPlayer(X, n_components=4)`` (with its fit);
* ``MixtureExplorer(X, model=<fitted>)`` (no fit) and ``MixtureExplorer(X, 4)``;
* for each widget, the bytes of its synced state as ipywidgets sends them: the binary
  buffers, the JSON of the rest, and the JavaScript/CSS bundles (``_esm``/``_css``,
  sent once per widget), with the pairs view on (``pairs_view=True``, 8 features).

Only ``MAX_DISPLAY_POINTS`` (100,000) rows go to the browser, as float32: 4 MB for 10
features. The per-frame redraw time of the pairs view is measured in the browser by
``tests/e2e/test_pairs.py::test_pairs_redraw_time`` (it prints its figures).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from ipywidgets.widgets.widget import _remove_buffers

from gmm_widgets import GaussianMixture, History
from gmm_widgets.widgets import FitPlayer, MixtureExplorer

warnings.filterwarnings("ignore")

K = 4
MAX_ITER = 20


def make_frame(n: int, d: int, seed: int = 0) -> pd.DataFrame:
    """Four Gaussian blobs in d dimensions, as a DataFrame with named columns."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0.0, 1.0, (K, d))  # overlapping: EM needs some iterations
    labels = rng.integers(0, K, n)
    X = centres[labels] + rng.normal(0.0, 1.0, (n, d))
    return pd.DataFrame(X, columns=[f"f{j}" for j in range(d)])


def timed(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Median wall-clock seconds of ``fn()`` over ``repeats`` runs, and its last result."""
    times = []
    result = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def sent_bytes(widget: Any) -> dict[str, int]:
    """Bytes of the widget's state as ipywidgets sends it: buffers, JSON, bundles."""
    state = widget.get_state()
    bundles = sum(len(str(state.pop(k, "") or "").encode()) for k in ("_esm", "_css"))
    rest, _paths, buffers = _remove_buffers(state)
    return {
        "buffers": sum(memoryview(b).nbytes for b in buffers),
        "json": len(json.dumps(rest).encode()),
        "bundles": bundles,
    }


def report(name: str, seconds: float, widget: Any | None = None) -> None:
    line = f"{name:<44} {seconds:7.3f} s"
    if widget is not None:
        b = sent_bytes(widget)
        total = sum(b.values())
        line += (
            f"   sent {total / 1e6:6.2f} MB (buffers {b['buffers'] / 1e6:.2f} MB, "
            f"JSON {b['json'] / 1e3:.1f} kB, JS/CSS {b['bundles'] / 1e3:.0f} kB)"
        )
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 rows instead of 1e6")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    n, d = (100_000, 10) if args.quick else (1_000_000, 10)
    X = make_frame(n, d)
    print(f"data: DataFrame {n:,} x {d} float64 ({X.memory_usage().sum() / 1e6:.0f} MB)")
    print(f"K={K}, max_iter={MAX_ITER}, repeats={args.repeats}\n")

    # The first fit in a process pays one-time costs (imports, compiling the kernels).
    t_warm, _ = timed(lambda: GaussianMixture(K, random_state=0).fit(X.iloc[:2000]), 1)
    report("warm-up: a first fit on 2,000 rows", t_warm)
    history = History()
    gm_params = {
        "n_components": K,
        "random_state": 0,
        "max_iter": MAX_ITER,
        "init_params": "random_from_data",
    }
    t_fit, gm = timed(lambda: GaussianMixture(**gm_params, callbacks=[history]).fit(X), repeats=1)
    report(f"fit: GaussianMixture(4, max_iter={MAX_ITER}).fit(X)", t_fit)
    states = history.for_init()
    print(f"  ({len(states)} EM states recorded)")
    pairs = {"pairs_view": True}

    t, w = timed(lambda: FitPlayer(X, gm, **pairs), args.repeats)
    report("FitPlayer(X, model=fitted gm)", t, w)
    t, w = timed(lambda: FitPlayer(X, History(states=states), **pairs), args.repeats)
    report(f"FitPlayer(X, model=History of {len(states)})", t, w)
    t, w = timed(lambda: FitPlayer(X, **gm_params, **pairs), 1)
    report("FitPlayer(X, n_components=4)  [fits]", t, w)
    t, w = timed(lambda: MixtureExplorer(X, model=gm, **pairs), args.repeats)
    report("MixtureExplorer(X, model=fitted gm)", t, w)
    t, w = timed(lambda: MixtureExplorer(X, K, max_iter=MAX_ITER, random_state=0, **pairs), 1)
    report("MixtureExplorer(X, 4)  [fits]", t, w)


if __name__ == "__main__":
    main()
