"""Progress in plain Python: verbose prints the iteration and the lower bound of long fits."""

from __future__ import annotations

import io

import numpy as np
import pytest

from gmm_widgets import GaussianMixture, PrintProgress
from gmm_widgets.mixture.callbacks import EMState
from tests.helpers import make_mixture


def state(n_iter: int, lb: float, converged: bool = False, elapsed: float = 0.0) -> EMState:
    return EMState(
        init=0,
        n_iter=n_iter,
        weights=np.ones(1),
        means=np.zeros((1, 1)),
        covariances=np.ones(1),
        covariance_type="spherical",
        lower_bound=lb,
        change=0.1,
        converged=converged,
        elapsed=elapsed,
        max_iter=100,
    )


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_a_long_fit_shows_its_iteration_and_lower_bound_every_second():
    clock, out = Clock(), io.StringIO()
    progress = PrintProgress(1, file=out, clock=clock)
    progress(state(0, -np.inf))
    for i in range(1, 25):  # 24 iterations of 0.125 s: 3 s
        clock.t += 0.125
        progress(state(i, -2.0 + i / 100, elapsed=clock.t))
    lines = out.getvalue().splitlines()
    assert lines[0] == "Initialization 0"
    shown = [line for line in lines[1:] if line.strip().startswith("Iteration")]
    assert len(shown) == 3  # at 1, 2 and 3 s
    assert shown[0].split() == ["Iteration", "8", "lower", "bound", "-1.92000", "(1.0s)"]


def test_a_short_fit_prints_only_its_start_and_end():
    clock, out = Clock(), io.StringIO()
    progress = PrintProgress(1, file=out, clock=clock)
    progress(state(0, -np.inf))
    for i in range(1, 5):
        clock.t += 0.01
        progress(state(i, -1.5, converged=i == 4, elapsed=clock.t))
    lines = out.getvalue().splitlines()
    assert lines[0] == "Initialization 0" and lines[1].startswith("Initialization converged")
    assert len(lines) == 2


def test_verbose_2_lines_carry_the_lower_bound(capsys):
    X, _ = make_mixture(seed=3)
    gm = GaussianMixture(3, random_state=0, verbose=2, verbose_interval=1).fit(X)
    lines = [line for line in capsys.readouterr().out.splitlines() if "Iteration 1\t" in line]
    assert len(lines) == 1 and "lower bound" in lines[0]
    assert gm.n_iter_ >= 1


def test_bad_every():
    with pytest.raises(ValueError, match="every"):
        PrintProgress(1, every=0)
