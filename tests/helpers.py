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


def covariances_from_scatter(scatter, nk, covariance_type, total_weight, reg_covar):
    """The M-step's covariances from per-component scatter matrices, written out.

    The tests' reference: ``scatter`` (K, d, d) is each component's responsibility-
    weighted scatter about its mean, ``nk`` (K,) its weight, ``total_weight`` the sum
    of the sample weights; ``reg_covar`` is added to the diagonal (to every variance for
    diag and spherical). Returns the covariances in ``covariance_type``'s layout.
    """
    d = scatter.shape[-1]
    if covariance_type == "full":
        return scatter / nk[:, None, None] + reg_covar * np.eye(d)
    if covariance_type == "tied":
        return scatter.sum(axis=0) / total_weight + reg_covar * np.eye(d)
    if covariance_type == "diag":
        return np.array([np.diag(s) / n for s, n in zip(scatter, nk, strict=True)]) + reg_covar
    return np.array([np.diag(s).mean() / n for s, n in zip(scatter, nk, strict=True)]) + reg_covar
