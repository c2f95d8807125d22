"""Fixtures for the widget tests (no browser: the Python side of each widget)."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def X3() -> np.ndarray:
    """Three overlapping 2-D clusters; EM from random data points takes many iterations."""
    rng = np.random.default_rng(3)
    return np.vstack(
        [
            rng.multivariate_normal([0, 0], [[2.0, 1.4], [1.4, 1.5]], 200),
            rng.multivariate_normal([2.5, 0.5], [[0.6, -0.3], [-0.3, 0.8]], 150),
            rng.multivariate_normal([1.0, 3.0], [[1.5, 0.0], [0.0, 0.4]], 150),
        ]
    )


@pytest.fixture
def sent(monkeypatch):
    """Capture the custom messages a widget sends: returns a function that patches one."""

    def patch(widget):
        messages: list[tuple[dict, list]] = []
        monkeypatch.setattr(
            widget, "send", lambda content, buffers=None: messages.append((content, buffers))
        )
        return messages

    return patch
