"""Seeded data sets for the tutorials and tests.

* :func:`make_mixture` samples a Gaussian mixture with the weights, means and
  covariances you choose (random ones otherwise), and :func:`make_mixture_params`
  gives the true parameters behind it, a
  :class:`~gmm_widgets.mixture.params.MixtureParams` (also importable from here).
* :func:`make_customer_segments`: synthetic customers (average purchase value, visits
  per month) in three overlapping, elongated segments.
* :func:`make_anomalies`: inliers from a mixture plus labelled outliers (1 = anomaly).
* :func:`load_iris`: Fisher's 150 iris flowers, bundled with the package (no network).

Every generator takes ``random_state`` (``None``, an int, a ``numpy.random.RandomState``
or a ``numpy.random.Generator``); with an int the output is the same on every run.
Only NumPy is needed; pandas is imported, lazily, for ``as_frame=True``.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from importlib import resources
from typing import Any

import numpy as np

from gmm_widgets.mixture import COVARIANCE_TYPES, check_choice, check_int, check_random_state
from gmm_widgets.mixture.params import MixtureParams, expand_covariances

__all__ = [
    "CUSTOMER_FEATURES",
    "CUSTOMER_SEGMENTS",
    "IRIS_FEATURES",
    "IRIS_SPECIES",
    "MixtureParams",
    "load_iris",
    "make_anomalies",
    "make_customer_segments",
    "make_mixture",
    "make_mixture_params",
]

#: Column names of :func:`load_iris`, in centimetres.
IRIS_FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")
#: Species of :func:`load_iris`; ``y == k`` is ``IRIS_SPECIES[k]``.
IRIS_SPECIES = ("setosa", "versicolor", "virginica")

#: Column names of :func:`make_customer_segments`.
CUSTOMER_FEATURES = ("avg_purchase_value", "visits_per_month")
#: Segment names of :func:`make_customer_segments`; ``y == k`` is ``CUSTOMER_SEGMENTS[k]``.
CUSTOMER_SEGMENTS = ("bargain hunters", "regulars", "big spenders")


# --------------------------------------------------------------------------- helpers


def _check_covariances(cov: Any, covariance_type: str, k: int, d: int) -> np.ndarray:
    # A copy: the result is made read-only, and the caller's array must stay theirs.
    cov = np.array(cov, dtype=np.float64, copy=True)
    expand_covariances(cov, covariance_type, k, d)  # checks the shape
    if not np.all(np.isfinite(cov)):
        raise ValueError("covariances contains NaN or infinity.")
    if covariance_type in ("diag", "spherical"):
        if np.any(cov <= 0):
            raise ValueError(
                f"covariances must be positive for covariance_type={covariance_type!r}."
            )
        return cov
    mats = cov[None] if covariance_type == "tied" else cov
    if not np.allclose(mats, np.swapaxes(mats, -1, -2), rtol=1e-8, atol=1e-12):
        raise ValueError("covariances must be symmetric matrices.")
    for i, m in enumerate(mats):
        try:
            np.linalg.cholesky(m)
        except np.linalg.LinAlgError:
            where = "" if covariance_type == "tied" else f" {i}"
            raise ValueError(
                f"covariance matrix{where} is not positive definite; pass symmetric "
                "positive-definite matrices."
            ) from None
    return cov


def _random_covariances(
    rng: np.random.RandomState, covariance_type: str, k: int, d: int, std: float
) -> np.ndarray:
    """Random covariances whose axes have standard deviations in [0.5, 1.5] * std."""

    def one_full() -> np.ndarray:
        q, r = np.linalg.qr(rng.standard_normal((d, d)))
        q = q * np.sign(np.diag(r))  # a uniformly random rotation
        sd = std * rng.uniform(0.5, 1.5, size=d)
        return (q * sd**2) @ q.T

    if covariance_type == "full":
        return np.stack([one_full() for _ in range(k)])
    if covariance_type == "tied":
        return one_full()
    if covariance_type == "diag":
        return (std * rng.uniform(0.5, 1.5, size=(k, d))) ** 2
    return (std * rng.uniform(0.5, 1.5, size=k)) ** 2


def _resolve_params(
    rng: np.random.RandomState,
    weights: Any,
    means: Any,
    covariances: Any,
    covariance_type: str,
    n_components: int,
    n_features: int,
    center_box: tuple[float, float],
    cluster_std: float,
) -> MixtureParams:
    check_choice(covariance_type, "covariance_type", COVARIANCE_TYPES)
    if means is not None:
        means = np.array(means, dtype=np.float64)
        if means.ndim != 2 or means.size == 0:
            raise ValueError(
                "means must have shape (n_components, n_features), got shape "
                f"{means.shape}; use [[x, y], ...] even for one component."
            )
        if not np.all(np.isfinite(means)):
            raise ValueError("means contains NaN or infinity.")
        k, d = means.shape
    else:
        k = check_int(n_components, "n_components", minimum=1)
        d = check_int(n_features, "n_features", minimum=1)
        if weights is not None:
            k = len(np.atleast_1d(weights))
        lo, hi = (float(v) for v in center_box)
        if not hi > lo:
            raise ValueError(f"center_box must be (low, high) with low < high, got {center_box}.")
        means = rng.uniform(lo, hi, size=(k, d))
    if weights is None:
        weights = np.full(k, 1.0 / k)
    else:
        weights = np.array(weights, dtype=np.float64)
        if weights.shape != (k,):
            raise ValueError(
                f"weights must have shape ({k},) to match means, got shape {weights.shape}."
            )
        if not np.all(np.isfinite(weights)) or np.any(weights < 0):
            raise ValueError("weights must be finite and non-negative.")
        if not np.isclose(weights.sum(), 1.0, rtol=0, atol=1e-6):
            raise ValueError(
                f"weights must sum to 1, got {weights.sum():g}; divide them by their sum."
            )
        weights = weights / weights.sum()
    if covariances is None:
        if not (isinstance(cluster_std, numbers.Real) and cluster_std > 0):
            raise ValueError(f"cluster_std must be a positive number, got {cluster_std!r}.")
        covariances = _random_covariances(rng, covariance_type, k, d, float(cluster_std))
    else:
        covariances = _check_covariances(covariances, covariance_type, k, d)
    for a in (weights, means, covariances):
        a.setflags(write=False)
    return MixtureParams(weights, means, covariances, covariance_type)


def _frame(X: np.ndarray, y: np.ndarray, columns: Sequence[str], target: str):
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            "as_frame=True needs pandas; install it with `pip install gmm_widgets[pandas]` "
            "or pass as_frame=False."
        ) from None
    return pd.DataFrame(X, columns=list(columns)), pd.Series(y, name=target)


# --------------------------------------------------------------------------- mixtures


def make_mixture_params(
    *,
    weights: Any = None,
    means: Any = None,
    covariances: Any = None,
    covariance_type: str = "full",
    n_components: int = 3,
    n_features: int = 2,
    center_box: tuple[float, float] = (-10.0, 10.0),
    cluster_std: float = 1.0,
    random_state: Any = None,
) -> MixtureParams:
    """The true parameters that :func:`make_mixture` samples from.

    Anything you pass is used as is (after validation); the rest is drawn at random:
    equal weights, means uniform in ``center_box``, and covariances whose axes have
    standard deviations between 0.5 and 1.5 times ``cluster_std`` (randomly rotated for
    ``"full"`` and ``"tied"``). With the same arguments and an int ``random_state`` this
    returns exactly the parameters :func:`make_mixture` used.

    Parameters
    ----------
    weights : array-like of shape (n_components,), optional
        Non-negative mixture weights summing to 1. Default: equal weights.
    means : array-like of shape (n_components, n_features), optional
        Component means; when given, they fix ``n_components`` and ``n_features``.
    covariances : array-like, optional
        In the shape ``covariance_type`` implies: ``(n_components, n_features,
        n_features)`` for ``"full"``, ``(n_features, n_features)`` for ``"tied"``,
        ``(n_components, n_features)`` for ``"diag"``, ``(n_components,)`` for
        ``"spherical"``. Must be positive definite.
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
        How ``covariances`` is given (and what kind of random covariances to draw).
    n_components : int, default=3
        Number of components when neither ``means`` nor ``weights`` is given.
    n_features : int, default=2
        Number of features when ``means`` is not given.
    center_box : (float, float), default=(-10.0, 10.0)
        Bounding box of the random means.
    cluster_std : float, default=1.0
        Typical standard deviation of the random covariances.
    random_state : None, int, RandomState or Generator, optional
        Seed.

    Returns
    -------
    MixtureParams
        ``weights`` (n_components,), ``means`` (n_components, n_features) and
        ``covariances`` in ``covariance_type``'s shape, all read-only.

    Examples
    --------
    >>> params = make_mixture_params(n_components=2, random_state=0)
    >>> params.means.shape, params.full_covariances().shape
    ((2, 2), (2, 2, 2))
    """
    return _resolve_params(
        check_random_state(random_state),
        weights,
        means,
        covariances,
        covariance_type,
        n_components,
        n_features,
        center_box,
        cluster_std,
    )


def make_mixture(
    n_samples: int = 500,
    *,
    weights: Any = None,
    means: Any = None,
    covariances: Any = None,
    covariance_type: str = "full",
    n_components: int = 3,
    n_features: int = 2,
    center_box: tuple[float, float] = (-10.0, 10.0),
    cluster_std: float = 1.0,
    shuffle: bool = True,
    random_state: Any = None,
    return_params: bool = False,
) -> tuple[Any, ...]:
    """Sample a Gaussian mixture with chosen (or random) weights, means and covariances.

    Like scikit-learn's ``make_blobs``, but every cluster has its own covariance and
    the number of points per component is drawn from a multinomial with ``weights``,
    exactly as a Gaussian mixture generates data.

    Parameters
    ----------
    n_samples : int, default=500
        Number of points.
    weights, means, covariances, covariance_type, n_components, n_features, center_box, \
cluster_std
        The mixture; see :func:`make_mixture_params`.
    shuffle : bool, default=True
        Shuffle the rows; otherwise they are ordered by component.
    random_state : None, int, RandomState or Generator, optional
        Seed.
    return_params : bool, default=False
        Also return the true :class:`MixtureParams`.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        The points.
    y : ndarray of shape (n_samples,), int
        The component each point was drawn from.
    params : MixtureParams
        Only with ``return_params=True``.

    Examples
    --------
    >>> X, y = make_mixture(
    ...     300,
    ...     weights=[0.5, 0.5],
    ...     means=[[0, 0], [4, 0]],
    ...     covariances=[[[1, 0.8], [0.8, 1]], [[1, 0], [0, 0.2]]],
    ...     random_state=0,
    ... )
    >>> X.shape, sorted(set(y.tolist()))
    ((300, 2), [0, 1])
    """
    n_samples = check_int(n_samples, "n_samples", minimum=1)
    rng = check_random_state(random_state)
    params = _resolve_params(
        rng,
        weights,
        means,
        covariances,
        covariance_type,
        n_components,
        n_features,
        center_box,
        cluster_std,
    )
    X, y = params.sample(n_samples, rng, shuffle=shuffle)
    return (X, y, params) if return_params else (X, y)


# --------------------------------------------------------------------------- customers


def _customer_params() -> MixtureParams:
    # (average purchase value in euros, visits per month); every segment is elongated
    # (correlated features) and overlaps its neighbour.
    sds = np.array([[7.0, 1.8], [14.0, 1.3], [25.0, 0.55]])
    corr = np.array([-0.6, 0.75, 0.6])
    cov = np.empty((3, 2, 2))
    cov[:, 0, 0] = sds[:, 0] ** 2
    cov[:, 1, 1] = sds[:, 1] ** 2
    cov[:, 0, 1] = cov[:, 1, 0] = corr * sds[:, 0] * sds[:, 1]
    return MixtureParams(
        weights=np.array([0.4, 0.4, 0.2]),
        means=np.array([[25.0, 7.5], [55.0, 4.5], [100.0, 2.2]]),
        covariances=cov,
        covariance_type="full",
    )


def make_customer_segments(
    n_samples: int = 600,
    *,
    random_state: Any = None,
    as_frame: bool = False,
    return_params: bool = False,
) -> tuple[Any, ...]:
    """Synthetic customers in three overlapping, elongated segments.

    Two features per customer: the average purchase value (in euros) and the number of
    visits per month. The segments (see :data:`CUSTOMER_SEGMENTS`) are

    0. *bargain hunters* (40 %): small baskets, frequent visits, and the more often they
       come the less they spend per visit;
    1. *regulars* (40 %): medium baskets and visits, both rising together;
    2. *big spenders* (20 %): large baskets, about two visits a month.

    Each segment is a correlated Gaussian, so a full-covariance mixture is the true
    model and k-means (round clusters) is not. A customer needs positive values, so the
    rare draws below zero (about 1 in 5,000) are redrawn from the same segment.

    Parameters
    ----------
    n_samples : int, default=600
        Number of customers.
    random_state : None, int, RandomState or Generator, optional
        Seed.
    as_frame : bool, default=False
        Return ``X`` as a pandas DataFrame and ``y`` as a Series named ``"segment"``
        (needs pandas).
    return_params : bool, default=False
        Also return the true :class:`MixtureParams` (before the redraws above).

    Returns
    -------
    X : ndarray of shape (n_samples, 2) or DataFrame
        Columns :data:`CUSTOMER_FEATURES`.
    y : ndarray of shape (n_samples,), int, or Series
        Segment index; ``CUSTOMER_SEGMENTS[y]`` is its name.
    feature_names : list of str
        ``["avg_purchase_value", "visits_per_month"]``.
    params : MixtureParams
        Only with ``return_params=True``.

    Examples
    --------
    >>> X, y, names = make_customer_segments(300, random_state=0)
    >>> X.shape, names
    ((300, 2), ['avg_purchase_value', 'visits_per_month'])
    """
    n_samples = check_int(n_samples, "n_samples", minimum=1)
    rng = check_random_state(random_state)
    params = _customer_params()
    X, y = params.sample(n_samples, rng, shuffle=True)
    chols = np.linalg.cholesky(params.full_covariances())
    bad = np.flatnonzero((X <= 0).any(axis=1))
    while bad.size:
        z = rng.standard_normal((bad.size, 2))
        X[bad] = params.means[y[bad]] + np.einsum("nij,nj->ni", chols[y[bad]], z)
        bad = bad[(X[bad] <= 0).any(axis=1)]
    names = list(CUSTOMER_FEATURES)
    out: tuple = (X, y)
    if as_frame:
        out = _frame(X, y, names, "segment")
    out = (*out, names)
    return (*out, params) if return_params else out


# --------------------------------------------------------------------------- anomalies


def make_anomalies(
    n_samples: int = 1000,
    *,
    contamination: float = 0.05,
    weights: Any = None,
    means: Any = None,
    covariances: Any = None,
    covariance_type: str = "full",
    n_components: int = 3,
    n_features: int = 2,
    center_box: tuple[float, float] = (-10.0, 10.0),
    cluster_std: float = 1.0,
    min_distance: float = 3.0,
    margin: float = 0.25,
    random_state: Any = None,
    return_params: bool = False,
) -> tuple[Any, ...]:
    """Inliers from a Gaussian mixture plus uniformly scattered, labelled outliers.

    ``round(contamination * n_samples)`` points are outliers, drawn uniformly from the
    inliers' bounding box widened by ``margin`` times its size on every side, keeping
    only those at a Mahalanobis distance of at least ``min_distance`` from every
    component (so an outlier is not hidden inside a cluster). The rest are inliers from
    the mixture. Rows are shuffled.

    Parameters
    ----------
    n_samples : int, default=1000
        Total number of points.
    contamination : float, default=0.05
        Fraction of outliers, in [0, 0.5].
    weights, means, covariances, covariance_type, n_components, n_features, center_box, \
cluster_std
        The inlier mixture; see :func:`make_mixture_params`.
    min_distance : float, default=3.0
        Smallest Mahalanobis distance of an outlier to every component; 0 keeps all
        uniform draws.
    margin : float, default=0.25
        How far the outlier box reaches beyond the inliers, as a fraction of their range.
    random_state : None, int, RandomState or Generator, optional
        Seed.
    return_params : bool, default=False
        Also return the inliers' :class:`MixtureParams`.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        The points.
    y : ndarray of shape (n_samples,), int
        1 for an outlier (anomaly), 0 for an inlier.
    params : MixtureParams
        Only with ``return_params=True``.

    Examples
    --------
    >>> X, y = make_anomalies(500, contamination=0.04, random_state=0)
    >>> int(y.sum())
    20
    """
    n_samples = check_int(n_samples, "n_samples", minimum=1)
    if not (isinstance(contamination, numbers.Real) and 0 <= contamination <= 0.5):
        raise ValueError(f"contamination must be in [0, 0.5], got {contamination!r}.")
    if not (isinstance(min_distance, numbers.Real) and min_distance >= 0):
        raise ValueError(f"min_distance must be >= 0, got {min_distance!r}.")
    if not (isinstance(margin, numbers.Real) and margin >= 0):
        raise ValueError(f"margin must be >= 0, got {margin!r}.")
    n_out = round(contamination * n_samples)
    n_in = n_samples - n_out
    if n_in < 1:
        raise ValueError(f"n_samples={n_samples} leaves no inliers; pass more samples.")
    rng = check_random_state(random_state)
    params = _resolve_params(
        rng,
        weights,
        means,
        covariances,
        covariance_type,
        n_components,
        n_features,
        center_box,
        cluster_std,
    )
    X_in, _ = params.sample(n_in, rng, shuffle=False)
    lo, hi = X_in.min(axis=0), X_in.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    lo, hi = lo - margin * span, hi + margin * span
    prec_chol = np.linalg.inv(np.linalg.cholesky(params.full_covariances()))
    outliers: list[np.ndarray] = []
    found = 0
    for _ in range(1000):
        if found >= n_out:
            break
        cand = rng.uniform(lo, hi, size=(max(2 * (n_out - found), 16), params.n_features))
        diff = cand[None, :, :] - params.means[:, None, :]  # (K, m, d)
        maha = np.sqrt((np.einsum("kij,kmj->kmi", prec_chol, diff) ** 2).sum(-1))
        keep = cand[(maha >= min_distance).all(axis=0)]
        outliers.append(keep)
        found += len(keep)
    else:
        raise ValueError(
            f"could not place {n_out} outliers at Mahalanobis distance >= {min_distance} "
            "from every component; lower min_distance or raise margin."
        )
    X_out = np.concatenate(outliers)[:n_out] if n_out else np.empty((0, params.n_features))
    X = np.concatenate([X_in, X_out])
    y = np.r_[np.zeros(n_in, dtype=np.int64), np.ones(n_out, dtype=np.int64)]
    order = rng.permutation(n_samples)
    X, y = X[order], y[order]
    return (X, y, params) if return_params else (X, y)


# --------------------------------------------------------------------------- iris


def load_iris(*, as_frame: bool = False) -> tuple[Any, Any, list[str]]:
    """Fisher's iris data: 150 flowers, 4 measurements in cm, 50 of each species.

    The measurements of Fisher (1936), "The use of multiple measurements in taxonomic
    problems", as printed in the paper (rows 35 and 38 differ from the widespread UCI
    copy, which has two transcription errors there). The data ship with the package as
    ``gmm_widgets/data/iris.csv``; nothing is downloaded.

    Parameters
    ----------
    as_frame : bool, default=False
        Return ``X`` as a pandas DataFrame and ``y`` as a Series named ``"species"``
        (needs pandas).

    Returns
    -------
    X : ndarray of shape (150, 4) or DataFrame
        Columns :data:`IRIS_FEATURES`: sepal length, sepal width, petal length and
        petal width, in cm.
    y : ndarray of shape (150,), int, or Series
        Species index; ``IRIS_SPECIES[y]`` is its name (setosa, versicolor, virginica).
    feature_names : list of str
        ``["sepal_length", "sepal_width", "petal_length", "petal_width"]``.

    Examples
    --------
    >>> X, y, names = load_iris()
    >>> X.shape, X.mean(axis=0).round(3).tolist()
    ((150, 4), [5.843, 3.057, 3.758, 1.199])
    """
    text = resources.files("gmm_widgets").joinpath("data", "iris.csv").read_text("utf-8")
    lines = text.strip().splitlines()
    header = lines[0].split(",")
    if tuple(header[:4]) != IRIS_FEATURES:  # pragma: no cover - guards the bundled file
        raise RuntimeError(f"unexpected header in the bundled iris.csv: {header}")
    rows = [line.split(",") for line in lines[1:]]
    X = np.array([[float(v) for v in r[:4]] for r in rows])
    y = np.array([IRIS_SPECIES.index(r[4]) for r in rows], dtype=np.int64)
    names = list(IRIS_FEATURES)
    if as_frame:
        return (*_frame(X, y, names, "species"), names)
    return X, y, names
