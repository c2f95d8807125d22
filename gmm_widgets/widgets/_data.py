"""The data a widget shows: validation, the display subsample, and a PCA basis.

The data go to the browser once, as float32. At most :data:`MAX_DISPLAY_POINTS` rows
are sent: above that, a uniform random subsample without replacement (seeded, so the
same rows are shown every time) is drawn **for display only**; fitting always uses
every row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from gmm_widgets.mixture import check_X, feature_names_of, is_dask_array, sample_indices
from gmm_widgets.mixture.tables import row_index_of

__all__ = ["MAX_DISPLAY_POINTS", "DisplayData", "display_indices", "pca_basis", "prepare_data"]

#: Rows drawn in full; above this a uniform random subsample of this size is drawn.
MAX_DISPLAY_POINTS = 100_000


@dataclass(frozen=True)
class DisplayData:
    """Validated data and what the browser gets of it.

    Attributes
    ----------
    X : ndarray or dask.array.Array of shape (n_samples, n_features)
        The validated data (float32 or float64), every row. A Dask array stays lazy:
        fits run on its scheduler and only ``display`` is computed.
    display : ndarray of shape (n_display, n_features)
        float32 rows sent to the browser.
    indices : ndarray of shape (n_display,) or None
        Rows of ``X`` in ``display`` (sorted), or None when every row is shown.
    feature_names : list of str
        Column names of a DataFrame, else ``["x0", "x1", ...]``.
    index : pandas.Index or None
        A DataFrame's row index (tables of rows are aligned to it), else None.
    """

    X: np.ndarray
    display: np.ndarray
    indices: np.ndarray | None
    feature_names: list[str]
    index: Any = None

    @property
    def n_samples(self) -> int:
        """Rows of ``X``."""
        return int(self.X.shape[0])


def display_indices(n_samples: int, max_points: int, seed: int = 0) -> np.ndarray | None:
    """Rows to display: None if all fit, else a sorted uniform sample without replacement.

    Parameters
    ----------
    n_samples : int
    max_points : int
        Most rows to display.
    seed : int
        Seed of the subsample.

    Returns
    -------
    ndarray of shape (max_points,) or None
    """
    if max_points < 1:
        raise ValueError(f"max_display_points must be >= 1, got {max_points}.")
    if n_samples <= max_points:
        return None
    # O(max_points) memory, so that a huge memmap or Dask array is never indexed whole.
    return sample_indices(np.random.RandomState(seed), n_samples, max_points)


def prepare_data(
    X: Any, *, max_points: int = MAX_DISPLAY_POINTS, seed: int = 0, min_samples: int = 1
) -> DisplayData:
    """Validate ``X`` as the core does, and pick the rows to display.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        NumPy array, memmap, list or DataFrame; no NaN or infinity.
    max_points : int, default=MAX_DISPLAY_POINTS
    seed : int, default=0
    min_samples : int, default=1

    Returns
    -------
    DisplayData
    """
    names = feature_names_of(X)
    # A Dask array stays lazy: the fit runs on the Dask scheduler; only the shown rows
    # are computed.
    index = row_index_of(X)
    X = check_X(X, min_samples=min_samples, allow_dask=True)
    idx = display_indices(X.shape[0], int(max_points), seed)
    shown = X if idx is None else X[idx]
    if is_dask_array(shown):
        shown = shown.compute()
    display = np.ascontiguousarray(shown, dtype=np.float32)
    if names is None:
        feature_names = [f"x{j}" for j in range(X.shape[1])]
    else:
        feature_names = [str(n) for n in names]
    return DisplayData(X, display, idx, feature_names, index)


def pca_basis(X: np.ndarray) -> dict[str, np.ndarray]:
    """First two principal axes of ``X``, for a 2-D view of d > 2 features.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)

    Returns
    -------
    dict
        ``components`` (2, n_features) orthonormal rows, ``mean`` (n_features,), and
        ``explained_variance_ratio`` (2,).
    """
    X = np.asarray(X, dtype=np.float64)
    mean = X.mean(axis=0)
    cov = np.atleast_2d(np.cov(X - mean, rowvar=False))
    values, vectors = np.linalg.eigh(cov)
    order = np.argsort(values)[::-1][:2]
    comps = vectors[:, order].T.copy()
    # Deterministic signs: the largest |loading| of each axis is positive.
    signs = np.sign(comps[np.arange(comps.shape[0]), np.abs(comps).argmax(axis=1)])
    comps *= np.where(signs == 0, 1.0, signs)[:, None]
    total = values.sum()
    ratio = values[order] / total if total > 0 else np.zeros(len(order))
    return {"components": comps, "mean": mean, "explained_variance_ratio": ratio}
