"""Rows with missing values (NaN) in the widgets' static pictures.

With ``missing="em"`` a widget's rows may hold NaN. The live view places each such row
at its conditional expectation under the shown parameters (``js/src/lib/impute.js``);
the static pictures (:mod:`gmm_widgets.widgets._static`) do the same here with
:meth:`GaussianMixture.impute`, and draw those rows hollow. Rows whose every value is
missing are not drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gmm_widgets.mixture.gaussian_mixture import GaussianMixture
from gmm_widgets.mixture.params import MixtureParams

__all__ = ["PlacedRows", "place_rows", "responsibilities"]


@dataclass(frozen=True)
class PlacedRows:
    """The rows a picture draws, with the missing values filled in.

    Attributes
    ----------
    observed : ndarray of shape (n, d)
        The rows drawn, as given (NaN marks a missing value).
    filled : ndarray of shape (n, d)
        The same rows with each missing value at its conditional expectation.
    imputed : ndarray of shape (n,), bool
        Rows with a filled-in value (drawn hollow).
    """

    observed: np.ndarray
    filled: np.ndarray
    imputed: np.ndarray


def responsibilities(X: np.ndarray, params: MixtureParams) -> np.ndarray:
    """``p(k | x)`` of each row; a row with NaN from its observed marginal densities.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    params : MixtureParams

    Returns
    -------
    ndarray of shape (n, n_components)
    """
    core = GaussianMixture.from_params(params)
    if np.isnan(X).any():
        core.missing = "em"
    return core.predict_proba(X)


def place_rows(X: np.ndarray, params: MixtureParams | None) -> PlacedRows:
    """Rows to draw: every row with an observed value, missing values imputed.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        NaN marks a missing value.
    params : MixtureParams or None
        The mixture shown. None (nothing fitted yet): rows with a NaN cannot be placed
        and are left out.

    Returns
    -------
    PlacedRows
    """
    X = np.asarray(X, dtype=np.float64)
    nan = np.isnan(X)
    if not nan.any():
        return PlacedRows(X, X, np.zeros(X.shape[0], dtype=bool))
    if params is None:
        keep = ~nan.any(axis=1)
        X = X[keep]
        return PlacedRows(X, X, np.zeros(X.shape[0], dtype=bool))
    keep = ~nan.all(axis=1)
    X = X[keep]
    filled = GaussianMixture.from_params(params).impute(X)
    return PlacedRows(X, filled, nan[keep].any(axis=1))
