"""Seeded data sets shared by the tests."""

from __future__ import annotations

import numpy as np


def make_mixture(n_per=200, d=2, K=3, sep=4.0, seed=0, dtype=np.float64):
    """Seeded, well separated Gaussian clusters with random full covariances."""
    rng = np.random.default_rng(seed)
    means = rng.normal(scale=sep, size=(K, d))
    blocks, labels = [], []
    for k in range(K):
        A = rng.normal(size=(d, d)) * 0.5 + np.eye(d)
        blocks.append(rng.normal(size=(n_per, d)) @ A.T + means[k])
        labels.append(np.full(n_per, k))
    return np.vstack(blocks).astype(dtype), np.concatenate(labels)
