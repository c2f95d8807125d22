"""Reference numbers from gmm_widgets.mixture.anomaly for the JavaScript tests.

``js/tests/fixtures/anomaly_metrics.json`` holds scores, labels and thresholds with the
counts, percentiles, metrics, percentiles of the scores and precision-recall curves
that Python computes for them. vitest checks that
``js/src/anomaly_inspector/threshold.js`` gives the same doubles;
``test_anomaly_inspector.py`` checks that the file is what this module builds from the
current Python code. Regenerate it with::

    python -m tests.widgets.anomaly_fixture
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gmm_widgets.mixture.anomaly import (
    detection_metrics,
    percentile_of_threshold,
    precision_recall_curve,
    threshold_from_contamination,
)
from tests.widgets.js_fixtures import FIXTURES, write_fixture

FIXTURE = FIXTURES / "anomaly_metrics.json"


def _case(name: str, scores: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    rng = np.random.default_rng(len(scores))
    s_sorted = np.sort(scores)
    thresholds = sorted(
        {
            *rng.uniform(scores.min() - 1, scores.max() + 1, size=12).tolist(),
            *scores[rng.choice(scores.size, size=6, replace=False)].tolist(),  # on a score
            *(np.nextafter(s_sorted[:3], np.inf)).tolist(),
            float(scores.min()),
            float(scores.max()),
        }
    )
    checks = []
    for t in thresholds:
        flags = scores < t
        m = detection_metrics(labels, flags)
        checks.append(
            {
                "threshold": float(t),
                "count": int(flags.sum()),
                "percentile": percentile_of_threshold(scores, t),
                "precision": m.precision,
                "recall": m.recall,
                "f1": m.f1,
                "tp": m.true_positives,
                "fp": m.false_positives,
                "fn": m.false_negatives,
                "tn": m.true_negatives,
            }
        )
    contaminations = [0.001, 0.01, 0.04, 0.05, 0.1, 0.123, 0.25, 1 / 3, 0.5]
    percentiles = [0.0, 0.5, 1.0, 2.5, 4.0, 33.3, 50.0, 99.9, 100.0]
    precision, recall, pr_thresholds = precision_recall_curve(labels, scores)
    order = np.argsort(scores, kind="stable")
    return {
        "name": name,
        "scores": scores.tolist(),
        "labels": labels.astype(int).tolist(),
        "sorted_labels": labels[order].astype(int).tolist(),
        "checks": checks,
        "contamination": [
            {"contamination": c, "threshold": threshold_from_contamination(scores, c)}
            for c in contaminations
        ],
        "percentiles": [{"p": p, "value": float(np.percentile(scores, p))} for p in percentiles],
        "pr_curve": {
            "precision": precision.tolist(),
            "recall": recall.tolist(),
            "thresholds": pr_thresholds.tolist(),
        },
    }


def build_fixture() -> dict[str, Any]:
    """The reference cases (deterministic)."""
    rng = np.random.default_rng(20240601)
    cases = []
    # Log-densities of a mixture: a bulk and a long lower tail, anomalies mostly low.
    bulk = -0.5 * rng.chisquare(2, size=300) - 2.0
    tail = -rng.uniform(6, 40, size=20)
    scores = np.concatenate([bulk, tail])
    labels = np.concatenate([rng.random(300) < 0.03, rng.random(20) < 0.85])
    cases.append(_case("mixture-like", scores, labels))
    # Many ties: scores rounded to one decimal.
    s = np.round(rng.normal(size=200), 1)
    cases.append(_case("ties", s, rng.random(200) < s.clip(-3, 3) ** 2 / 9))
    # Tiny and awkward: six points, two anomalies, repeated values.
    cases.append(
        _case(
            "tiny", np.array([-3.0, -1.0, -1.0, 0.5, 2.0, 2.0]), np.array([1, 0, 1, 0, 0, 0]) == 1
        )
    )
    return {"generated_by": "python -m tests.widgets.anomaly_fixture", "cases": cases}


def main() -> None:
    write_fixture(FIXTURE, build_fixture())


if __name__ == "__main__":
    main()
