"""Partial labels (semi-supervised EM): ``GaussianMixture.fit(X, y)``.

``y[i]`` is the component of row ``i`` when known, ``-1`` when not. Every E-step (and
the final one) gives a labelled row responsibility 1 for its component and 0 for the
others, so EM maximises

    sum over unlabelled rows of  w_i log sum_k w_k N(x_i | mu_k, Sigma_k)
  + sum over labelled rows of    w_i log (w_{y_i} N(x_i | mu_{y_i}, Sigma_{y_i}))

(``w_i`` the sample weights), and ``lower_bound_`` is this divided by the total sample
weight. The per-chunk one-hot responsibilities are in ``_stats.chunk_stats``; here are
the check of ``y`` and the labelled classes' means that start the fit.
"""

from __future__ import annotations

import numbers
from functools import partial
from typing import Any

import numpy as np

from gmm_widgets.mixture._sources import Source
from gmm_widgets.mixture._stats import EMParams, SuffStats, responsibility_stats

__all__ = ["check_labels", "labelled_means", "labelled_start"]


def check_labels(y: Any, n_samples: int, n_components: int) -> np.ndarray | None:
    """``y`` as an int array of shape (n_samples,), or None when no row is labelled.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or None
        Integer-like component indices in ``[0, n_components)``, ``-1`` for unknown.
        Floats are accepted when they hold whole numbers (e.g. ``1.0``).
    n_samples, n_components : int

    Returns
    -------
    ndarray of shape (n_samples,), dtype intp, or None
        None for ``y=None`` or when every entry is ``-1`` (the unsupervised fit).

    Raises
    ------
    TypeError
        If ``y`` is not integer-like (strings, booleans, fractions, NaN).
    ValueError
        If ``y`` has the wrong shape or a label outside ``[-1, n_components)``.
    """
    if y is None:
        return None
    if isinstance(y, (str, bytes, numbers.Number)):
        raise TypeError(
            f"y must be None or an array of shape ({n_samples},) of component indices "
            f"(-1 for unlabelled rows); got {type(y).__name__}."
        )
    if hasattr(y, "to_numpy"):  # pandas Series
        y = y.to_numpy()
    try:
        arr = np.asarray(y)
    except (TypeError, ValueError) as exc:  # ragged lists
        raise TypeError(f"y must be a 1-D array of component indices: {exc}") from exc
    if arr.ndim != 1 or arr.shape[0] != n_samples:
        raise ValueError(
            f"y must have shape ({n_samples},), one label per row of X (-1 for unlabelled "
            f"rows); got shape {arr.shape}."
        )
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise TypeError(
            f"y must hold integer component indices (-1 for unlabelled rows); got dtype "
            f"{arr.dtype}. Map class names to 0..n_components-1 first."
        )
    if np.issubdtype(arr.dtype, np.floating):
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise TypeError(
                "y must hold whole numbers (component indices, -1 for unlabelled rows); "
                "it has NaN, infinity or fractions."
            )
    labels = arr.astype(np.intp)
    bad = (labels < -1) | (labels >= n_components)
    if bad.any():
        raise ValueError(
            f"y holds labels outside [-1, {n_components}) (n_components={n_components}): "
            f"e.g. {labels[bad][0]} at row {int(np.flatnonzero(bad)[0])}. Use -1 for "
            "unlabelled rows."
        )
    if not np.any(labels >= 0):
        return None
    return labels


def _labelled_stats(
    xc: np.ndarray,
    wc: np.ndarray | None,
    start: int,
    *,
    labels: np.ndarray,
    zeros: np.ndarray,
    strategy: Any,
) -> SuffStats:
    """The labelled rows' one-hot statistics (unlabelled rows count nowhere)."""
    K = zeros.shape[0]
    lab = labels[start : start + xc.shape[0]]
    known = np.flatnonzero(lab >= 0)
    rw = np.zeros((K, xc.shape[0]), dtype=xc.dtype)
    rw[lab[known], known] = 1.0 if wc is None else wc[known]
    return responsibility_stats(xc, rw, wc, zeros.astype(xc.dtype), strategy)


def labelled_means(
    source: Source, labels: np.ndarray, n_components: int, strategy: Any
) -> tuple[np.ndarray, np.ndarray]:
    """The (weighted) mean of each class's labelled rows, in centred coordinates.

    Parameters
    ----------
    source : Source
    labels : ndarray of shape (n_samples,)
        Checked by :func:`check_labels`.
    n_components : int
    strategy
        The covariance type's strategy.

    Returns
    -------
    means : ndarray of shape (n_components, n_features)
        NaN rows for classes without labelled weight.
    has : ndarray of shape (n_components,), bool
        Which classes have labelled rows of positive weight.
    """
    zeros = np.zeros((n_components, source.n_features))
    fn = partial(_labelled_stats, labels=labels, zeros=zeros, strategy=strategy)
    stats = source.reduce(fn, n_components * (source.n_features + 1))
    assert isinstance(stats, SuffStats)
    has = stats.nk > 0
    means = np.full_like(stats.sx, np.nan)
    means[has] = stats.sx[has] / stats.nk[has, None]
    return means, has


def labelled_start(
    params: EMParams, means: np.ndarray, has: np.ndarray, *, match: bool = True
) -> EMParams:
    """A start with the means of the classes that have labelled rows put in.

    The init method numbers its components arbitrarily. With ``match`` (no
    ``means_init``), each labelled class first takes, in class order, the init
    component nearest its labelled mean (with that component's weight and covariance),
    and the classes without labels take the remaining init components in their order;
    so an unlabelled class does not start on top of a labelled one. Then every class
    with labelled rows starts at their mean.

    Parameters
    ----------
    params : EMParams
        The init method's start (centred coordinates); not changed.
    means, has
        :func:`labelled_means`.
    match : bool, default=True
        Reorder the init's components as above (False: keep their order, e.g. when
        the user gave ``means_init``).

    Returns
    -------
    EMParams
    """
    K = has.shape[0]
    order = np.arange(K)
    if match and has.any() and not has.all():
        left = list(range(K))
        for k in np.flatnonzero(has):
            dist = np.sum((params.means[left] - means[k]) ** 2, axis=1)
            order[k] = left.pop(int(np.argmin(dist)))
        order[~has] = left
    new_means = np.array(params.means, dtype=np.float64)[order]
    new_means[has] = means[has]
    per_component = params.covariance_type != "tied"
    return EMParams(
        np.asarray(params.weights)[order],
        new_means,
        params.covariances[order] if per_component else params.covariances,
        params.prec_chol[order] if per_component else params.prec_chol,
        params.covariance_type,
        params.noise_weight,
        params.noise_box,
    )
