"""Model selection over a grid of K x covariance type: BIC, AIC, ICL and silhouette.

>>> import numpy as np
>>> from gmm_widgets.mixture.selection import select_model
>>> rng = np.random.default_rng(0)
>>> X = np.vstack([rng.normal(size=(100, 2)), rng.normal(size=(100, 2)) + 6])
>>> result = select_model(X, n_components=range(1, 4), covariance_types=("full",))
>>> result.best["n_components"]
2
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Iterable, Sequence
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

__all__ = [
    "CRITERIA",
    "SelectionResult",
    "check_fit_params",
    "check_grid",
    "select_model",
    "silhouette_score",
]

#: Criteria a grid can be ranked by; lower is better for all but ``silhouette``.
CRITERIA = ("bic", "aic", "icl", "silhouette")
#: Rows used for the silhouette (it is quadratic in the number of rows).
SILHOUETTE_MAX_SAMPLES = 2000


def silhouette_score(
    X: Any, labels: Any, *, max_samples: int = SILHOUETTE_MAX_SAMPLES, random_state: Any = 0
) -> float:
    """Mean silhouette coefficient of a hard clustering (higher is better, in [-1, 1]).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    labels : array-like of shape (n_samples,)
    max_samples : int, default=2000
        Above this many rows, a seeded uniform subsample is scored (the silhouette costs
        ``O(n^2)``).
    random_state : int, RandomState or None, default=0
        Seeds the subsample.

    Returns
    -------
    float
        ``nan`` when fewer than two clusters are present.
    """
    X = check_X(X, dtype_keep=False)
    labels = np.asarray(labels)
    if labels.shape != (X.shape[0],):
        raise ValueError(f"labels must have shape ({X.shape[0]},), got {labels.shape}.")
    if X.shape[0] > max_samples:
        idx = check_random_state(random_state).choice(X.shape[0], max_samples, replace=False)
        X, labels = X[idx], labels[idx]
    uniq, lab = np.unique(labels, return_inverse=True)
    if uniq.size < 2:
        return float("nan")
    sq = np.einsum("ij,ij->i", X, X)
    dist = np.sqrt(np.maximum(sq[:, None] - 2 * X @ X.T + sq[None, :], 0.0))
    onehot = np.zeros((X.shape[0], uniq.size))
    onehot[np.arange(X.shape[0]), lab] = 1.0
    sums = dist @ onehot  # (n, n_clusters): summed distance to each cluster
    counts = onehot.sum(axis=0)
    own = counts[lab]
    a = sums[np.arange(X.shape[0]), lab] / np.maximum(own - 1, 1)
    other = sums / counts
    other[np.arange(X.shape[0]), lab] = np.inf
    b = other.min(axis=1)
    s = np.where(own > 1, (b - a) / np.maximum(a, b), 0.0)
    return float(np.mean(s))


@dataclass
class SelectionResult:
    """The fitted grid.

    Attributes
    ----------
    records : list of dict
        One per (n_components, covariance_type) with keys ``n_components``,
        ``covariance_type``, ``bic``, ``aic``, ``icl``, ``silhouette``,
        ``log_likelihood`` (mean per sample), ``n_parameters``, ``converged``,
        ``n_iter`` and ``error`` (the message of a fit that failed, else ``None``).
    models : dict
        ``(n_components, covariance_type) -> GaussianMixture`` for the fits that worked.
    criterion : str
        The criterion ``best`` was chosen by.
    """

    records: list[dict[str, Any]]
    models: dict[tuple[int, str], GaussianMixture] = field(repr=False)
    criterion: str = "bic"

    @property
    def best(self) -> dict[str, Any]:
        """The record that is best by :attr:`criterion`."""
        return self.best_by(self.criterion)

    @property
    def best_model(self) -> GaussianMixture:
        """The fitted model of :attr:`best`."""
        rec = self.best
        return self.models[(rec["n_components"], rec["covariance_type"])]

    def best_by(self, criterion: str) -> dict[str, Any]:
        """The best record by ``criterion`` (lowest BIC/AIC/ICL, highest silhouette).

        Parameters
        ----------
        criterion : {"bic", "aic", "icl", "silhouette"}

        Returns
        -------
        dict
        """
        _check_criterion(criterion)
        sign = -1.0 if criterion == "silhouette" else 1.0
        ok = [r for r in self.records if r["error"] is None and np.isfinite(r[criterion])]
        if not ok:
            raise ValueError(f"No model of the grid has a finite {criterion}.")
        return min(ok, key=lambda r: sign * r[criterion])

    def table(self, criterion: str | None = None) -> tuple[np.ndarray, list[int], list[str]]:
        """The criterion as a matrix.

        Parameters
        ----------
        criterion : str, optional
            Defaults to :attr:`criterion`.

        Returns
        -------
        values : ndarray of shape (n_K, n_covariance_types)
            ``nan`` where the fit failed.
        n_components : list of int
        covariance_types : list of str
        """
        criterion = criterion or self.criterion
        _check_criterion(criterion)
        ks = sorted({r["n_components"] for r in self.records})
        cts = list(dict.fromkeys(r["covariance_type"] for r in self.records))
        values = np.full((len(ks), len(cts)), np.nan)
        for r in self.records:
            values[ks.index(r["n_components"]), cts.index(r["covariance_type"])] = r[criterion]
        return values, ks, cts

    def to_frame(self) -> Any:
        """The records as a pandas DataFrame (needs pandas)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("to_frame() needs pandas: pip install pandas") from exc
        return pd.DataFrame.from_records(self.records)


def _check_criterion(criterion: str) -> None:
    check_choice(criterion, "criterion", CRITERIA)


#: Parameters that fix K, so they cannot go with a grid of K values.
_FIXED_K = ("n_components", "covariance_type", "weights_init", "means_init", "precisions_init")


def check_fit_params(params: dict[str, Any], random_state: Any) -> None:
    """Fail before a grid on a parameter that every fit of it would refuse.

    Parameters
    ----------
    params : dict
        GaussianMixture parameters shared by every fit of the grid.
    random_state : int, RandomState or None

    Raises
    ------
    TypeError
        For an unknown parameter, or one that fixes K or the covariance type.
    ValueError
        For a bad value (the message names the parameter).
    """
    fixed = sorted(set(params) & set(_FIXED_K))
    if fixed:
        raise TypeError(
            f"{', '.join(fixed)} cannot be passed to a grid: the grid sets K and "
            "the covariance type (pass n_components=range(...) and covariance_types=(...)), "
            "and initial parameters fix K."
        )
    valid = GaussianMixture._param_names()
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise TypeError(
            f"unknown GaussianMixture parameter(s) {', '.join(unknown)}; "
            f"valid ones are {', '.join(n for n in valid if n not in _FIXED_K)}."
        )
    GaussianMixture(random_state=random_state, **params)._check_parameters()


def check_grid(
    n_components: Any, covariance_types: Any, n_samples: int
) -> tuple[list[int], list[str]]:
    """Validate a K x covariance-type grid.

    Parameters
    ----------
    n_components : iterable of int
        Distinct values, each in ``[1, n_samples]``.
    covariance_types : sequence of str
        Distinct names out of ``("full", "tied", "diag", "spherical")``.
    n_samples : int
        Rows of the data.

    Returns
    -------
    ks : list of int
        In the given order.
    covariance_types : list of str

    Raises
    ------
    TypeError, ValueError
        Naming the argument at fault.
    """
    if isinstance(n_components, (str, bytes)) or not isinstance(n_components, Iterable):
        raise TypeError(
            f"n_components must be an iterable of ints such as range(1, 10), got {n_components!r}."
        )
    ks = list(n_components)
    if not ks:
        raise ValueError("n_components is empty; pass e.g. range(1, 10).")
    for k in ks:
        if isinstance(k, bool) or not isinstance(k, numbers.Integral) or int(k) < 1:
            raise ValueError(f"every n_components must be an int >= 1, got {k!r}.")
        if int(k) > n_samples:
            raise ValueError(f"n_components={k} exceeds the {n_samples} samples of X.")
    if len(set(ks)) != len(ks):
        raise ValueError(f"n_components has repeated values: {ks}.")
    if isinstance(covariance_types, str):
        raise TypeError(
            "covariance_types must be a sequence of names, e.g. ('full', 'diag'), "
            f"not the string {covariance_types!r}."
        )
    cts = list(covariance_types)
    if not cts:
        raise ValueError("covariance_types is empty.")
    for ct in cts:
        if ct not in COVARIANCE_TYPES:
            raise ValueError(
                f"covariance_types must hold values of {list(COVARIANCE_TYPES)}, got {ct!r}."
            )
    if len(set(cts)) != len(cts):
        raise ValueError(f"covariance_types has repeated values: {cts}.")
    return [int(k) for k in ks], cts


def select_model(
    X: Any,
    n_components: Iterable[int] = range(1, 10),
    covariance_types: Sequence[str] = COVARIANCE_TYPES,
    criterion: str = "bic",
    *,
    random_state: Any = 0,
    silhouette: bool = True,
    progress: Callable[[int, int, dict[str, Any]], Any] | None = None,
    **gaussian_mixture_params: Any,
) -> SelectionResult:
    """Fit a GaussianMixture for every K x covariance type and score each.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_components : iterable of int, default=range(1, 10)
    covariance_types : sequence of str, default=("full", "tied", "diag", "spherical")
    criterion : {"bic", "aic", "icl", "silhouette"}, default="bic"
        What :attr:`SelectionResult.best` ranks by.
    random_state : int, RandomState or None, default=0
        Passed to every fit, so the grid is reproducible.
    silhouette : bool, default=True
        Also compute the silhouette of each model's hard labels.
    progress : callable, optional
        Called as ``progress(done, total, record)`` after each fit.
    **gaussian_mixture_params
        Other :class:`GaussianMixture` parameters (``n_init``, ``tol``, ...).

    Returns
    -------
    SelectionResult

    Raises
    ------
    ValueError
        For an empty grid, a bad K or covariance type, or an unknown criterion.
    """
    _check_criterion(criterion)
    # Checked once, up front: a bad tol is one error, not the same error recorded in
    # every cell and a failure later in ``best``.
    check_fit_params(gaussian_mixture_params, random_state)
    X = check_X(X)
    ks, cts = check_grid(n_components, covariance_types, X.shape[0])
    records: list[dict[str, Any]] = []
    models: dict[tuple[int, str], GaussianMixture] = {}
    total = len(ks) * len(cts)
    for ct in cts:
        for k in ks:
            gm = GaussianMixture(
                int(k), covariance_type=ct, random_state=random_state, **gaussian_mixture_params
            )
            rec: dict[str, Any] = {"n_components": int(k), "covariance_type": ct}
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    gm.fit(X)
            except ValueError as exc:
                nan = math.nan
                rec.update(
                    bic=nan,
                    aic=nan,
                    icl=nan,
                    silhouette=nan,
                    log_likelihood=nan,
                    n_parameters=None,
                    converged=False,
                    n_iter=0,
                    error=str(exc),
                )
            else:
                crit = gm.criteria(X)  # one pass for all of them
                rec.update(
                    bic=crit["bic"],
                    aic=crit["aic"],
                    icl=crit["icl"],
                    silhouette=silhouette_score(X, gm.predict(X)) if silhouette else math.nan,
                    log_likelihood=crit["log_likelihood"],
                    n_parameters=crit["n_parameters"],
                    converged=bool(gm.converged_),
                    n_iter=int(gm.n_iter_),
                    error=None,
                )
                models[(int(k), ct)] = gm
            records.append(rec)
            if progress is not None:
                progress(len(records), total, rec)
    return SelectionResult(records=records, models=models, criterion=criterion)
