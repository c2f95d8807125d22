"""The best mixture by a criterion, cheaply: a grid on a sample, the finalists on all rows.

:func:`fit_best_mixture` is what a widget uses when it has to pick a density for the
user (mclust's default behaviour): every K x covariance type is fitted on a seeded
sample of at most ``max_samples`` rows, the few best by the criterion are fitted again
on every row, and the best of those on every row wins. Below ``max_samples`` rows it is
exactly :func:`~gmm_widgets.mixture.selection.select_model`'s best.

>>> import numpy as np
>>> from gmm_widgets.mixture.best_model import fit_best_mixture
>>> rng = np.random.default_rng(0)
>>> X = np.vstack([rng.normal(size=(200, 2)), rng.normal(size=(200, 2)) + 6])
>>> best = fit_best_mixture(X, n_components=range(1, 5))
>>> best.summary
'K=2, spherical: best BIC of 16 fits'
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gmm_widgets.mixture._covariance import COVARIANCE_TYPES
from gmm_widgets.mixture._validation import (
    ConvergenceWarning,
    check_choice,
    check_random_state,
    check_X,
)
from gmm_widgets.mixture.gaussian_mixture import GaussianMixture
from gmm_widgets.mixture.selection import (
    SelectionResult,
    check_fit_params,
    check_grid,
    select_model,
)

__all__ = ["DEFAULT_MAX_SAMPLES", "BestMixture", "fit_best_mixture"]

#: Rows the grid is fitted on (a seeded sample above it).
DEFAULT_MAX_SAMPLES = 4000
#: Criteria a best mixture can be chosen by (lower is better).
_CRITERIA = ("bic", "aic", "icl")


@dataclass(frozen=True)
class BestMixture:
    """The mixture :func:`fit_best_mixture` chose, and how it was chosen.

    Attributes
    ----------
    model : GaussianMixture
        Fitted on every row of ``X``.
    criterion : {"bic", "aic", "icl"}
        What chose it (lower is better).
    value : float
        ``model``'s criterion on every row.
    n_candidates : int
        Models of the grid (K values x covariance types).
    n_grid_samples : int
        Rows the grid was fitted on: all of them, or the seeded sample.
    grid : SelectionResult
        The grid's fits (on ``n_grid_samples`` rows).
    finalists : list of dict
        The candidates fitted again on every row, best first: ``n_components``,
        ``covariance_type``, the criterion's ``value`` on every row (``nan`` for a fit
        that failed) and ``error``. Empty when the grid used every row.
    """

    model: GaussianMixture
    criterion: str
    value: float
    n_candidates: int
    n_grid_samples: int
    grid: SelectionResult = field(repr=False)
    finalists: list[dict[str, Any]] = field(default_factory=list, repr=False)

    @property
    def n_components(self) -> int:
        """K of the chosen model."""
        return int(self.model.n_components)

    @property
    def covariance_type(self) -> str:
        """Covariance type of the chosen model."""
        return str(self.model.covariance_type)

    @property
    def summary(self) -> str:
        """One line for a view, e.g. ``"K=3, full: best BIC of 40 fits"``."""
        return (
            f"K={self.n_components}, {self.covariance_type}: best "
            f"{self.criterion.upper()} of {self.n_candidates} fits"
        )


def _check_max_samples(max_samples: Any) -> int:
    if isinstance(max_samples, bool) or not isinstance(max_samples, numbers.Integral):
        raise TypeError(f"max_samples must be an int, got {type(max_samples).__name__}.")
    if max_samples < 2:
        raise ValueError(f"max_samples must be at least 2, got {max_samples}.")
    return int(max_samples)


def _check_n_finalists(n_finalists: Any) -> int:
    if isinstance(n_finalists, bool) or not isinstance(n_finalists, numbers.Integral):
        raise TypeError(f"n_finalists must be an int, got {type(n_finalists).__name__}.")
    if n_finalists < 1:
        raise ValueError(f"n_finalists must be at least 1, got {n_finalists}.")
    return int(n_finalists)


def fit_best_mixture(
    X: Any,
    n_components: Iterable[int] = range(1, 11),
    covariance_types: Sequence[str] = COVARIANCE_TYPES,
    criterion: str = "bic",
    *,
    max_samples: int = DEFAULT_MAX_SAMPLES,
    n_finalists: int = 3,
    random_state: Any = 0,
    **gaussian_mixture_params: Any,
) -> BestMixture:
    """Fit the best :class:`GaussianMixture` of a K x covariance-type grid by BIC, AIC or ICL.

    With at most ``max_samples`` rows this is ``select_model(X, ...).best_model``. With
    more, the grid is fitted on a seeded uniform sample of ``max_samples`` rows, its
    ``n_finalists`` best models by ``criterion`` are fitted again on every row (same
    K, covariance type and parameters), and the one with the best criterion on every
    row is returned. The sample decides only which few candidates deserve a fit on all
    the data; the final comparison is always on all of it.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_components : iterable of int, default=range(1, 11)
        Distinct K values, each at most ``min(n_samples, max_samples)``.
    covariance_types : sequence of str, default=("full", "tied", "diag", "spherical")
    criterion : {"bic", "aic", "icl"}, default="bic"
    max_samples : int, default=4000
        Rows the grid is fitted on.
    n_finalists : int, default=3
        Candidates fitted again on every row when the grid used a sample.
    random_state : int, RandomState or None, default=0
        Seeds the sample and every fit.
    **gaussian_mixture_params
        Other :class:`GaussianMixture` parameters (``n_init``, ``tol``, ...).

    Returns
    -------
    BestMixture

    Raises
    ------
    ValueError
        For a bad grid, criterion or parameter value, or when no model of the grid can
        be fitted.
    TypeError
        For ``max_samples`` or ``n_finalists`` that are not ints, an unknown
        parameter, or one that fixes K (``n_components``, ``means_init``, ...).
    """
    check_choice(criterion, "criterion", _CRITERIA, hint=" (lower is better)")
    max_samples = _check_max_samples(max_samples)
    n_finalists = _check_n_finalists(n_finalists)
    check_fit_params(gaussian_mixture_params, random_state)
    X = check_X(X)
    n = X.shape[0]
    sampled = n > max_samples
    if sampled:
        rng = check_random_state(random_state)
        rows = np.sort(rng.choice(n, max_samples, replace=False))
        X_grid = X[rows]
    else:
        X_grid = X
    ks, cts = check_grid(n_components, covariance_types, X_grid.shape[0])
    grid = select_model(
        X_grid,
        ks,
        cts,
        criterion,
        random_state=random_state,
        silhouette=False,
        **gaussian_mixture_params,
    )
    n_candidates = len(ks) * len(cts)
    ranked = sorted(
        (r for r in grid.records if r["error"] is None and math.isfinite(r[criterion])),
        key=lambda r: r[criterion],
    )
    if not ranked:
        errors = {r["error"] for r in grid.records if r["error"]}
        raise ValueError(
            f"none of the {n_candidates} models of the grid could be fitted "
            f"({'; '.join(sorted(errors))}). Pass a larger reg_covar or fewer components."
        )
    if not sampled:
        best = grid.best
        model = grid.models[(best["n_components"], best["covariance_type"])]
        return BestMixture(model, criterion, float(best[criterion]), n_candidates, n, grid)

    finalists: list[dict[str, Any]] = []
    fitted: list[tuple[float, GaussianMixture]] = []
    for rec in ranked[:n_finalists]:
        gm = GaussianMixture(
            rec["n_components"],
            covariance_type=rec["covariance_type"],
            random_state=random_state,
            **gaussian_mixture_params,
        )
        row = {"n_components": rec["n_components"], "covariance_type": rec["covariance_type"]}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                gm.fit(X)
        except ValueError as exc:
            row.update(value=math.nan, error=str(exc))
        else:
            value = float(gm.criteria(X)[criterion])
            row.update(value=value, error=None)
            if math.isfinite(value):
                fitted.append((value, gm))
        finalists.append(row)
    finalists.sort(key=lambda r: (r["error"] is not None, r["value"]))
    if not fitted:
        raise ValueError(
            f"the {len(finalists)} best models of the grid failed on all {n} rows "
            f"({'; '.join(str(r['error']) for r in finalists)}). Pass a larger reg_covar."
        )
    value, model = min(fitted, key=lambda item: item[0])
    return BestMixture(model, criterion, value, n_candidates, X_grid.shape[0], grid, finalists)
