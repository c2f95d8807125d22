"""What a failing e2e test prints: the widgets' traits and the kernel's last output."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import _failure_report

pytestmark = pytest.mark.e2e

CELL = """\
import numpy as np
from gmm_widgets import AnomalyInspector

X = np.random.default_rng(0).normal(size=(300, 2))
insp = AnomalyInspector(X, n_components=2, random_state=0, contamination=0.05)
for i in range(25):
    print("line", i)
insp
"""


def test_the_report_names_traits_and_the_last_output(lab):
    lab.open(lab.write_notebook("report.ipynb", [CELL]))
    lab.run_all()
    report = _failure_report(lab)
    assert "insp = AnomalyInspector" in report
    assert "    n_components: 2" in report and "    contamination: 0.05" in report
    assert "    _sorted_scores" not in report  # the view's private arrays stay out
    tail = report.split("last 20 lines of the notebook's output:\n", 1)[1]
    tail = tail.split("widget traits in the kernel:", 1)[0]
    assert tail.splitlines() == [f"line {i}" for i in range(5, 25)]
    assert "last 20 lines of the server and kernel log:" in report
