"""A fitted mixture read back in the data's own terms: per row and per component.

* :func:`assignments`: one row per data row, aligned to a DataFrame's index: the hard
  label, each component's probability, the log-density and the uncertainty.
* :func:`uncertainty` and :func:`least_certain`: ``1 - max_k p(k | x)``, mclust's
  uncertainty, and the rows the model is least sure of.
* :func:`model_profile`: one row per component: weight, count, each feature's mean and
  standard deviation in the input's units and names, and the features that set the
  component apart.

Every number comes from the core's E-step (:meth:`GaussianMixture.from_params`), so a
scikit-learn model gets the same values as ours. The DataFrames need pandas
(``pip install 'gmm_widgets[pandas]'``); the arrays do not.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gmm_widgets.mixture._missing import refuse_infinity
from gmm_widgets.mixture._validation import check_int, check_model_features, check_X
from gmm_widgets.mixture._validation import feature_names_of as _names_of
from gmm_widgets.mixture.gaussian_mixture import GaussianMixture
from gmm_widgets.mixture.params import MixtureParams, mixture_params

__all__ = [
    "assignments",
    "least_certain",
    "model_profile",
    "profile_arrays",
    "row_index_of",
    "uncertainty",
]

#: Features listed as setting a component apart, at most.
N_SEPARATING = 3
#: A feature sets a component apart when its mean is this many of the data's standard
#: deviations away from the data's mean (Cohen's "large" effect is 0.8).
SEPARATING_SD = 0.8


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - pandas is in every test environment
        raise ImportError(
            "this returns a pandas DataFrame, and pandas is not installed: "
            "pip install 'gmm_widgets[pandas]' (or use uncertainty() / the model's "
            "predict_proba for plain arrays)."
        ) from exc
    return pd


def _prepare(model: Any, X: Any) -> tuple[MixtureParams, GaussianMixture, np.ndarray]:
    params = mixture_params(model)  # refuses unfitted models and non-mixtures
    # A model fitted with missing="em" scores rows with NaN by their observed marginals.
    em = getattr(model, "missing", "error") == "em"
    data = check_X(X, min_samples=1, check_finite=not em)
    if em:
        refuse_infinity(data)
    check_model_features(params, data.shape[1])
    # From the model itself, so that a fitted noise component comes along.
    return params, GaussianMixture.from_params(model), data


def uncertainty(model: Any, X: Any) -> np.ndarray:
    """How unsure the model is of each row's component: ``1 - max_k p(k | x)``.

    0 for a row the model assigns with certainty; at most ``1 - 1/K`` for a row on the
    boundary between all ``K`` components (mclust's ``uncertainty``). With a noise
    component (``GaussianMixture(noise=...)``) it counts as one more component.

    Parameters
    ----------
    model : fitted mixture, EMState, MixtureParams or mapping
        Anything :func:`~gmm_widgets.mixture.mixture_params` reads (ours or
        scikit-learn's).
    X : array-like of shape (n_samples, n_features)

    Returns
    -------
    ndarray of shape (n_samples,), float64

    Examples
    --------
    >>> import numpy as np
    >>> from gmm_widgets import GaussianMixture
    >>> gm = GaussianMixture.from_params(
    ...     {"weights": [0.5, 0.5], "means": [[-2.0], [2.0]],
    ...      "covariances": [1.0, 1.0], "covariance_type": "spherical"}
    ... )
    >>> uncertainty(gm, np.array([[0.0], [5.0]])).round(3).tolist()
    [0.5, 0.0]
    """
    _, core, data = _prepare(model, X)
    return 1.0 - core.predict_proba(data).max(axis=1)


def least_certain(model: Any, X: Any, n: int = 10) -> np.ndarray:
    """Row positions of the ``n`` rows with the highest :func:`uncertainty`.

    Parameters
    ----------
    model : fitted mixture, EMState, MixtureParams or mapping
    X : array-like of shape (n_samples, n_features)
    n : int, default=10
        Rows wanted (all rows when ``n`` exceeds them).

    Returns
    -------
    ndarray of shape (min(n, n_samples),), int
        Most uncertain first; equal uncertainties in row order.
    """
    n = check_int(n, "n", 1)
    u = uncertainty(model, X)
    order = np.argsort(-u, kind="stable")
    return order[:n]


def assignments(model: Any, X: Any) -> Any:
    """Each row's component, probabilities, log-density and uncertainty, as a DataFrame.

    Parameters
    ----------
    model : fitted mixture, EMState, MixtureParams or mapping
    X : array-like or DataFrame of shape (n_samples, n_features)
        A DataFrame's index is kept, so the result joins back onto it.

    Returns
    -------
    pandas.DataFrame of shape (n_samples, n_components + 3)
        ``component`` (the hard label, as ``predict``), ``proba_0`` ...
        ``proba_{K-1}`` (as ``predict_proba``), ``log_density`` (as ``score_samples``)
        and ``uncertainty``; indexed like ``X`` (a RangeIndex for arrays). With a noise
        component, ``component`` is ``-1`` for the rows most likely noise and a
        ``proba_noise`` column follows ``proba_{K-1}``.

    Raises
    ------
    ImportError
        Without pandas.
    ValueError
        If ``X`` has another number of features than the model.
    """
    pd = _pandas()
    params, core, data = _prepare(model, X)
    proba = core.predict_proba(data)
    columns = [f"proba_{k}" for k in range(params.n_components)]
    if proba.shape[1] > params.n_components:
        columns.append("proba_noise")
    frame = pd.DataFrame(proba, columns=columns, index=row_index_of(X))
    frame.insert(0, "component", core.predict(data))
    frame["log_density"] = core.score_samples(data)
    frame["uncertainty"] = 1.0 - proba.max(axis=1)
    return frame


def row_index_of(X: Any) -> Any:
    """``X``'s row index when it is a DataFrame (tables of rows align to it), else None.

    Parameters
    ----------
    X : object

    Returns
    -------
    pandas.Index or None
    """
    index = getattr(X, "index", None)
    return index if index is not None and hasattr(X, "iloc") else None


def model_profile(
    model: Any,
    X: Any,
    *,
    feature_names: Any = None,
    n_separating: int = N_SEPARATING,
) -> Any:
    """What each component means, in the data's own units and names.

    Parameters
    ----------
    model : fitted mixture, EMState, MixtureParams or mapping
    X : array-like or DataFrame of shape (n_samples, n_features)
        The data the model describes: for the counts and the data's own mean and
        spread, against which a component stands out.
    feature_names : sequence of str, optional
        Default: a DataFrame's columns, else ``x0, x1, ...``.
    n_separating : int, default=3
        Features listed per component in ``separating``, at most.

    Returns
    -------
    pandas.DataFrame of shape (n_components, 4 + 2 * n_features)
        Indexed by ``component``. Columns: ``weight`` (the mixture weight), ``count``
        (rows whose most likely component it is), ``share`` (``count / n_samples``),
        ``separating`` (the features whose component mean is at least 0.8 of the
        data's standard deviations from the data's mean, largest first, with that
        distance signed, e.g. ``"income (+2.1 sd), age (-0.9 sd)"``), then
        ``<feature> mean`` and ``<feature> sd`` for each feature (the component's mean
        and standard deviation, from its covariance's diagonal). A noise component
        (``GaussianMixture(noise=...)``) is the last row, labelled ``-1`` as by
        ``predict``: its weight, its rows, and the mean and standard deviation of the
        uniform distribution over its box.

    Raises
    ------
    ImportError
        Without pandas.
    ValueError
        If ``X`` has another number of features than the model, or ``feature_names``
        the wrong length.

    Notes
    -----
    Sort it like any DataFrame, e.g. ``model_profile(gm, X).sort_values("weight")``.
    """
    pd = _pandas()
    arrays = profile_arrays(model, X, n_separating=n_separating)
    names = _feature_names(X, feature_names, arrays["mean"].shape[1])
    counts = arrays["count"]
    columns: dict[str, Any] = {
        "weight": arrays["weight"],
        "count": counts,
        "share": counts / arrays["n_samples"],
        "separating": [
            _separating(effect, flags, names)
            for effect, flags in zip(arrays["effect"], arrays["separating"], strict=True)
        ],
    }
    for j, name in enumerate(names):
        columns[f"{name} mean"] = arrays["mean"][:, j]
        columns[f"{name} sd"] = arrays["sd"][:, j]
    labels = arrays["component"]
    noise = labels.size > 0 and labels[-1] == -1
    rows = pd.Index(labels.tolist()) if noise else pd.RangeIndex(labels.size)
    return pd.DataFrame(columns, index=rows.rename("component"))


def profile_arrays(model: Any, X: Any, *, n_separating: int = N_SEPARATING) -> dict[str, Any]:
    """The numbers of :func:`model_profile` as plain arrays (no pandas needed).

    What the widgets send to the browser's profile table; :func:`model_profile` is
    built on it, so both always agree.

    Parameters
    ----------
    model : fitted mixture, EMState, MixtureParams or mapping
    X : array-like or DataFrame of shape (n_samples, n_features)
    n_separating : int, default=3
        Features flagged per component, at most.

    Returns
    -------
    dict
        With ``R`` rows (``n_components``, plus one for a noise component) and
        ``d = n_features``:

        * ``component``: ndarray of shape (R,), int: the labels (``-1`` for noise);
        * ``weight``: ndarray of shape (R,): the mixture weights;
        * ``count``: ndarray of shape (R,), int: rows whose most likely component it is;
        * ``mean``, ``sd``: ndarrays of shape (R, d): each component's mean and standard
          deviation (the square root of its covariance's diagonal);
        * ``effect``: ndarray of shape (R, d): ``(mean - data mean) / data sd``, the
          distance in the data's standard deviations (0 for a constant feature);
        * ``separating``: ndarray of shape (R, d), bool: the features that set the
          component apart: the ``n_separating`` largest ``|effect|``, kept when at least
          0.8 (never for the noise component);
        * ``n_samples``: int, the rows of ``X``.

    Raises
    ------
    ValueError
        If ``X`` has another number of features than the model.
    """
    n_separating = check_int(n_separating, "n_separating", 0)
    params, core, data = _prepare(model, X)
    K = params.n_components
    labels = core.predict(data)
    counts = np.bincount(labels[labels >= 0], minlength=K)
    sd = np.sqrt(np.einsum("kjj->kj", params.full_covariances()))
    weights, means = params.weights, params.means
    component = np.arange(K)
    if hasattr(core, "noise_weight_"):
        # The uniform noise component: its weight, its rows, and the mean and sd of a
        # uniform distribution over its box.
        lo, hi = core.noise_bounds_
        weights = np.append(weights, core.noise_weight_)
        means = np.vstack([means, (lo + hi) / 2])
        sd = np.vstack([sd, (hi - lo) / np.sqrt(12.0)])
        counts = np.append(counts, np.count_nonzero(labels == -1))
        component = np.append(component, -1)
    center = data.mean(axis=0, dtype=np.float64)
    spread = data.std(axis=0, dtype=np.float64)
    effect = (means - center) / np.where(spread > 0, spread, np.inf)
    flags = np.zeros(effect.shape, dtype=bool)
    for k in range(K):  # the noise row (uniform) sets nothing apart
        order = np.argsort(-np.abs(effect[k]), kind="stable")[:n_separating]
        flags[k, order[np.abs(effect[k, order]) >= SEPARATING_SD]] = True
    return {
        "component": component,
        "weight": np.asarray(weights, dtype=np.float64),
        "count": counts,
        "mean": np.asarray(means, dtype=np.float64),
        "sd": sd,
        "effect": effect,
        "separating": flags,
        "n_samples": int(data.shape[0]),
    }


def _feature_names(X: Any, given: Any, d: int) -> list[str]:
    if given is not None:
        names = [str(n) for n in given]
        if len(names) != d:
            raise ValueError(f"feature_names must hold {d} names, got {len(names)}.")
        return names
    found = _names_of(X)
    return [str(n) for n in found] if found is not None else [f"x{j}" for j in range(d)]


def _separating(effect: np.ndarray, flags: np.ndarray, names: list[str]) -> str:
    order = np.argsort(-np.abs(effect), kind="stable")
    return ", ".join(f"{names[j]} ({effect[j]:+.1f} sd)" for j in order if flags[j])
