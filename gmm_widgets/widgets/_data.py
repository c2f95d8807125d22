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

from gmm_widgets.mixture import (
    check_missing,
    check_X,
    feature_names_of,
    is_dask_array,
    refuse_infinity,
    sample_indices,
)
from gmm_widgets.mixture.tables import row_index_of

__all__ = [
    "MAX_DISPLAY_POINTS",
    "DisplayData",
    "display_indices",
    "missing_of",
    "pca_basis",
    "prepare_data",
]

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
    missing : {"error", "em"}
        ``"em"``: NaN in ``X`` marks a missing value (``GaussianMixture(missing="em")``);
        ``"error"``: ``X`` has none.
    """

    X: np.ndarray
    display: np.ndarray
    indices: np.ndarray | None
    feature_names: list[str]
    index: Any = None
    missing: str = "error"

    @property
    def has_missing(self) -> bool:
        """Whether the displayed rows hold a NaN (a missing value)."""
        return bool(np.isnan(self.display).any())

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
    X: Any,
    *,
    max_points: int = MAX_DISPLAY_POINTS,
    seed: int = 0,
    min_samples: int = 1,
    missing: str | None = None,
) -> DisplayData:
    """Validate ``X`` as the core does, and pick the rows to display.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        NumPy array, memmap, list or DataFrame; no infinity, and no NaN unless
        ``missing="em"``.
    max_points : int, default=MAX_DISPLAY_POINTS
    seed : int, default=0
    min_samples : int, default=1
    missing : {None, "error", "em"}, default=None
        ``"em"``: NaN marks a missing value (as ``GaussianMixture(missing="em")``
        takes it) and is kept; NaN travels to the browser as NaN. ``"error"``: NaN is
        refused with a message that names the option. None: refused as the core does
        (for widgets without the option).

    Returns
    -------
    DisplayData

    Raises
    ------
    ValueError
        Bad data, or NaN without ``missing="em"``.
    """
    mode = "error" if missing is None else check_missing(missing)
    names = feature_names_of(X)
    # A Dask array stays lazy: the fit runs on the Dask scheduler; only the shown rows
    # are computed.
    index = row_index_of(X)
    if mode == "em":
        if is_dask_array(X):
            raise ValueError(
                "missing='em' does not support Dask arrays: compute the array into "
                "memory (X.compute()) or use missing='error'."
            )
        X = check_X(X, min_samples=min_samples, check_finite=False)
        refuse_infinity(X)
    else:
        try:
            X = check_X(X, min_samples=min_samples, allow_dask=True)
        except ValueError as exc:
            if missing is None or "NaN" not in str(exc):
                raise
            raise ValueError(
                f"{exc} Or pass missing='em' to fit with the NaN as missing values "
                "(their rows are drawn at their imputed coordinates)."
            ) from None
    idx = display_indices(X.shape[0], int(max_points), seed)
    shown = X if idx is None else X[idx]
    if is_dask_array(shown):
        shown = shown.compute()
    display = np.ascontiguousarray(shown, dtype=np.float32)
    if names is None:
        feature_names = [f"x{j}" for j in range(X.shape[1])]
    else:
        feature_names = [str(n) for n in names]
    return DisplayData(X, display, idx, feature_names, index, mode)


def missing_of(model: Any, gm_params: dict[str, Any]) -> str:
    """How a widget's data may hold NaN: the ``missing`` of the model it fits or shows.

    Parameters
    ----------
    model : object or None
        The model given to the widget (None: one is built from ``gm_params``).
    gm_params : dict
        The widget's GaussianMixture keyword arguments.

    Returns
    -------
    {"error", "em"}
        ``"em"`` when the model (or ``gm_params``) says ``missing="em"``; else
        ``"error"`` (a foreign model, a History, or the default).

    Raises
    ------
    ValueError
        A bad ``missing`` in ``gm_params``, naming the allowed values.
    """
    if model is None:
        return check_missing(gm_params.get("missing", "error"))
    return "em" if getattr(model, "missing", None) == "em" else "error"


def pca_basis(X: np.ndarray) -> dict[str, np.ndarray]:
    """First two principal axes of ``X``, for a 2-D view of d > 2 features.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        NaN (a missing value) is replaced by its column's mean of the observed values
        (mean imputation), so a few missing values tilt the axes little.

    Returns
    -------
    dict
        ``components`` (2, n_features) orthonormal rows, ``mean`` (n_features,), and
        ``explained_variance_ratio`` (2,).
    """
    X = np.asarray(X, dtype=np.float64)
    nan = np.isnan(X)
    if nan.any():
        counts = (~nan).sum(axis=0)
        col_mean = np.where(nan, 0.0, X).sum(axis=0) / np.maximum(counts, 1)
        X = np.where(nan, col_mean, X)
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
