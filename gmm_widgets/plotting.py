"""Static matplotlib figures of Gaussian mixtures: the pictures the widgets show.

Every function draws on ``ax`` (a new figure's axes when ``None``) and returns the
:class:`~matplotlib.axes.Axes`, so a notebook still reads well when exported to HTML or
PDF, where widgets do not render.

Each accepts our :class:`~gmm_widgets.GaussianMixture` or any fitted object with
scikit-learn's attributes (``weights_``, ``means_``, ``covariances_``,
``covariance_type``), e.g. :class:`sklearn.mixture.GaussianMixture`. Functions taking
``model_or_params`` also accept objects with ``weights``, ``means``, ``covariances`` and
``covariance_type`` (an :class:`~gmm_widgets.EMState` from a fit's
:class:`~gmm_widgets.History`, or a :class:`~gmm_widgets.mixture.MixtureParams`) and
dicts with those keys; :func:`~gmm_widgets.mixture.mixture_params` reads them all.

Component ``k`` is drawn in colour ``f"C{k}"`` of matplotlib's default cycle in every
function, so ellipses, curves and assignments of one model match.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import matplotlib.colors as mcolors
import numpy as np
from matplotlib.patches import Ellipse
from matplotlib.ticker import MaxNLocator

from gmm_widgets.mixture import COVARIANCE_TYPES, check_choice, check_model_features, check_X
from gmm_widgets.mixture.anomaly import check_labels, check_scores, check_threshold
from gmm_widgets.mixture.params import mixture_params

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "full_covariances",
    "plot_assignments",
    "plot_bic",
    "plot_density_contours",
    "plot_ellipses",
    "plot_mixture_1d",
    "plot_threshold_histogram",
]

_CRITERIA = ("bic", "aic", "icl")


# --------------------------------------------------------------------------- parameters


def _components(model: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(weights (K,), means (K, d), covariances (K, d, d))`` of a model or parameters."""
    params = mixture_params(model)
    return params.weights, params.means, params.full_covariances()


def full_covariances(model_or_params: Any) -> np.ndarray:
    """Covariances of a mixture expanded to full matrices, whatever the covariance type.

    Parameters
    ----------
    model_or_params : fitted mixture, parameters object or dict
        See the module docstring.

    Returns
    -------
    ndarray of shape (n_components, n_features, n_features)
        ``"tied"`` is repeated for every component, ``"diag"`` and ``"spherical"``
        become diagonal matrices.

    Examples
    --------
    >>> full_covariances({"means": [[0, 0]], "covariances": [2.0],
    ...                   "covariance_type": "spherical"}).tolist()
    [[[2.0, 0.0], [0.0, 2.0]]]
    """
    return _components(model_or_params)[2]


def _select(
    means: np.ndarray, covs: np.ndarray, dims: Sequence[int]
) -> tuple[np.ndarray, np.ndarray]:
    """Marginal means and covariances of the features ``dims``."""
    d = means.shape[1]
    dims = [int(i) for i in dims]
    for i in dims:
        if not -d <= i < d:
            raise ValueError(f"dims={tuple(dims)} is out of range for {d} feature(s).")
    return means[:, dims], covs[:, dims][:, :, dims]


def _pair(dims: Any, d: int) -> tuple[int, int]:
    if d < 2:
        raise ValueError("this plot needs at least 2 features; for 1-D data use plot_mixture_1d.")
    dims = tuple(int(i) for i in dims)
    if len(dims) != 2 or dims[0] == dims[1]:
        raise ValueError(f"dims must be two different feature indices, got {dims}.")
    return dims


def _log_density(
    points: np.ndarray, weights: np.ndarray, means: np.ndarray, covs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mixture log-density (n,) and weighted log component densities (K, n)."""
    d = means.shape[1]
    chol = np.linalg.cholesky(covs)
    log_det = 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
    diff = points[None, :, :] - means[:, None, :]  # (K, n, d)
    z = np.linalg.solve(chol, np.swapaxes(diff, 1, 2))  # (K, d, n)
    with np.errstate(divide="ignore"):
        log_w = np.log(weights)
    log_comp = log_w[:, None] - 0.5 * (
        d * np.log(2 * np.pi) + log_det[:, None] + (z**2).sum(axis=1)
    )
    top = log_comp.max(axis=0)
    top = np.where(np.isfinite(top), top, 0.0)
    log_mix = top + np.log(np.exp(log_comp - top).sum(axis=0))
    return log_mix, log_comp


def _ax(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt  # only when we make the figure: keeps the backend free

    return plt.subplots()[1]


def _colors(n: int, colors: Sequence[Any] | None) -> np.ndarray:
    if colors is None:
        colors = [f"C{k % 10}" for k in range(n)]
    elif len(colors) < n:
        raise ValueError(f"colors has {len(colors)} entries but the model has {n} components.")
    return np.array([mcolors.to_rgba(c) for c in colors[:n]])


def _features(X: Any, name: str = "X") -> np.ndarray:
    return check_X(X, name=name, dtype_keep=False)


# --------------------------------------------------------------------------- ellipses


def plot_ellipses(
    model_or_params: Any,
    ax: Axes | None = None,
    n_std: float | Sequence[float] = (1, 2),
    *,
    dims: Sequence[int] = (0, 1),
    colors: Sequence[Any] | None = None,
    show_means: bool = True,
    label: bool = True,
    linewidth: float = 1.8,
) -> Axes:
    """Draw each component as ellipses at ``n_std`` standard deviations.

    An ellipse at ``n`` standard deviations is the set of points at Mahalanobis
    distance ``n`` from the component's mean: its axes point along the covariance's
    eigenvectors, with half-lengths ``n * sqrt(eigenvalue)``.

    Parameters
    ----------
    model_or_params : fitted mixture, parameters object or dict
        See the module docstring. Needs at least 2 features.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when ``None``.
    n_std : float or sequence of float, default=(1, 2)
        Radii in standard deviations; the first is solid, the others dashed.
    dims : (int, int), default=(0, 1)
        The two features to draw (the marginal of the mixture on them).
    colors : sequence of colours, optional
        One per component; default ``C0, C1, ...``.
    show_means : bool, default=True
        Mark each mean with a cross.
    label : bool, default=True
        Add a legend entry per component with its weight.
    linewidth : float, default=1.8
        Width of the ellipse outlines.

    Returns
    -------
    matplotlib.axes.Axes
    """
    weights, means, covs = _components(model_or_params)
    i, j = _pair(dims, means.shape[1])
    means, covs = _select(means, covs, (i, j))
    radii = np.atleast_1d(np.asarray(n_std, dtype=np.float64))
    if radii.ndim != 1 or radii.size == 0 or np.any(radii <= 0) or not np.all(np.isfinite(radii)):
        raise ValueError(f"n_std must be positive numbers, got {n_std!r}.")
    ax = _ax(ax)
    rgba = _colors(len(weights), colors)
    for k, (mean, cov) in enumerate(zip(means, covs, strict=True)):
        vals, vecs = np.linalg.eigh(cov)
        vals = np.clip(vals, 0.0, None)
        angle = np.degrees(np.arctan2(vecs[1, -1], vecs[0, -1]))
        for r_i, r in enumerate(radii):
            ax.add_patch(
                Ellipse(
                    mean,
                    width=2 * r * np.sqrt(vals[-1]),
                    height=2 * r * np.sqrt(vals[0]),
                    angle=angle,
                    facecolor=(*rgba[k, :3], 0.12 if r_i == 0 else 0.0),
                    edgecolor=rgba[k],
                    linewidth=linewidth,
                    linestyle="-" if r_i == 0 else "--",
                    label=f"component {k} (weight {weights[k]:.2f})"
                    if label and r_i == 0
                    else None,
                )
            )
        if show_means:
            ax.plot(*mean, marker="X", markersize=9, color=rgba[k], markeredgecolor="white")
    ax.autoscale_view()
    if label:
        ax.legend(loc="best", fontsize="small")
    return ax


# --------------------------------------------------------------------------- density


def plot_density_contours(
    model: Any,
    X: Any,
    ax: Axes | None = None,
    *,
    dims: Sequence[int] = (0, 1),
    levels: int = 12,
    resolution: int = 150,
    filled: bool = True,
    cmap: str = "viridis",
    show_points: bool = True,
    colorbar: bool = True,
) -> Axes:
    """Contours of the mixture's log-density over the range of ``X``.

    With more than 2 features the contours are those of the marginal density of the
    features ``dims`` (a mixture of the marginal Gaussians).

    Parameters
    ----------
    model : fitted mixture, parameters object or dict
        See the module docstring.
    X : array-like of shape (n_samples, n_features)
        Data; sets the plotted range and, with ``show_points``, is drawn on top.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when ``None``.
    dims : (int, int), default=(0, 1)
        The two features to draw.
    levels : int, default=12
        Number of contour levels, evenly spaced in log-density from the 1st percentile
        of the data's log-density to the maximum on the grid; lower densities are left
        blank.
    resolution : int, default=150
        Grid points per axis.
    filled : bool, default=True
        Filled contours (``contourf``) or lines (``contour``).
    cmap : str, default="viridis"
        Colour map of the levels.
    show_points : bool, default=True
        Scatter ``X`` (the two features) over the contours.
    colorbar : bool, default=True
        Add a colour bar labelled "log-density".

    Returns
    -------
    matplotlib.axes.Axes
    """
    weights, means, covs = _components(model)
    X = _features(X)
    check_model_features(means.shape[1], X.shape[1])
    i, j = _pair(dims, means.shape[1])
    means2, covs2 = _select(means, covs, (i, j))
    if int(levels) < 2 or int(resolution) < 2:
        raise ValueError("levels and resolution must be at least 2.")
    pts = X[:, [i, j]]
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    pad = 0.1 * np.where(hi > lo, hi - lo, 1.0)
    gx = np.linspace(lo[0] - pad[0], hi[0] + pad[0], int(resolution))
    gy = np.linspace(lo[1] - pad[1], hi[1] + pad[1], int(resolution))
    xx, yy = np.meshgrid(gx, gy)
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    zz = _log_density(grid, weights, means2, covs2)[0].reshape(xx.shape)
    floor = float(np.percentile(_log_density(pts, weights, means2, covs2)[0], 1))
    top = float(zz.max())
    if not top > floor:
        floor = top - 1.0
    lv = np.linspace(floor, top, int(levels))
    ax = _ax(ax)
    if filled:
        cs = ax.contourf(xx, yy, zz, levels=lv, cmap=cmap, alpha=0.85)
    else:
        cs = ax.contour(xx, yy, zz, levels=lv, cmap=cmap)
    if show_points:
        ax.scatter(pts[:, 0], pts[:, 1], s=6, c="k", alpha=0.5, linewidths=0)
    if colorbar:
        ax.figure.colorbar(cs, ax=ax, label="log-density", format="%.1f")
    return ax


def plot_mixture_1d(
    model: Any,
    x: Any,
    ax: Axes | None = None,
    *,
    dim: int = 0,
    bins: int | str = "auto",
    n_points: int = 400,
    colors: Sequence[Any] | None = None,
) -> Axes:
    """Histogram of ``x`` with the weighted component densities and the mixture density.

    Component ``k`` is drawn as ``weights[k] * N(x | mean_k, var_k)``, so the
    components add up to the mixture density (black), on the scale of a density
    histogram.

    Parameters
    ----------
    model : fitted mixture, parameters object or dict
        See the module docstring. With several features, the marginal on ``dim``.
    x : array-like of shape (n_samples,) or (n_samples, n_features)
        Data; a 2-D array is reduced to its column ``dim``.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when ``None``.
    dim : int, default=0
        The feature to draw.
    bins : int or str, default="auto"
        Histogram bins, as for :func:`numpy.histogram`.
    n_points : int, default=400
        Points on the curves.
    colors : sequence of colours, optional
        One per component; default ``C0, C1, ...``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    weights, means, covs = _components(model)
    x = np.asarray(x)
    if x.ndim == 2:
        check_model_features(means.shape[1], x.shape[1], data="x")
        x = x[:, dim]
    elif x.ndim != 1:
        raise ValueError(
            f"x must have shape (n_samples,) or (n_samples, n_features), got {x.shape}."
        )
    x_col = _features(x[:, None], "x")[:, 0]
    mu, cov = _select(means, covs, (dim,))
    mu, sd = mu[:, 0], np.sqrt(cov[:, 0, 0])
    lo = min(x_col.min(), (mu - 3 * sd).min())
    hi = max(x_col.max(), (mu + 3 * sd).max())
    grid = np.linspace(lo, hi, int(n_points))
    log_mix, log_comp = _log_density(grid[:, None], weights, mu[:, None], cov[:, :1, :1])
    ax = _ax(ax)
    ax.hist(x_col, bins=bins, density=True, color="0.75", edgecolor="white", label="data")
    rgba = _colors(len(weights), colors)
    for k in range(len(weights)):
        ax.plot(grid, np.exp(log_comp[k]), color=rgba[k], lw=1.6, label=f"component {k}")
        ax.fill_between(grid, np.exp(log_comp[k]), color=rgba[k], alpha=0.12, lw=0)
    ax.plot(grid, np.exp(log_mix), color="k", lw=2.2, label="mixture")
    ax.set_ylabel("density")
    ax.legend(loc="best", fontsize="small")
    return ax


# --------------------------------------------------------------------------- selection


def _records(table: Any) -> list[Mapping[str, Any]]:
    if hasattr(table, "to_dict") and hasattr(table, "columns"):  # pandas DataFrame
        return list(table.to_dict("records"))
    for attr in ("records", "records_"):
        if hasattr(table, attr) and not isinstance(table, Mapping):
            value = getattr(table, attr)
            return _records(value() if callable(value) else value)
    if isinstance(table, Mapping):  # columns: {"n_components": [...], ...}
        keys = list(table)
        columns = [np.atleast_1d(np.asarray(table[k], dtype=object)) for k in keys]
        return [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]
    if isinstance(table, Iterable) and not isinstance(table, str | bytes):
        rows = list(table)
        if all(isinstance(r, Mapping) for r in rows):
            return rows
    raise TypeError(
        "plot_bic expects a list of dicts with keys n_components, covariance_type and the "
        "criterion (e.g. bic), a dict of such columns, or a DataFrame; got "
        f"{type(table).__name__}."
    )


def plot_bic(
    selection_table_or_records: Any,
    criterion: str = "bic",
    ax: Axes | None = None,
    *,
    mark_best: bool = True,
) -> Axes:
    """Information criterion against the number of components, one curve per covariance type.

    Parameters
    ----------
    selection_table_or_records : list of dict, dict of columns or DataFrame
        One record per fitted model, with keys ``n_components``, ``covariance_type``
        and ``criterion`` (``bic``, ``aic`` or ``icl``). Records whose criterion is
        missing or not finite (a failed fit) are skipped.
    criterion : {"bic", "aic", "icl"}, default="bic"
        Which criterion to draw; lower is better for all three.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when ``None``.
    mark_best : bool, default=True
        Mark the lowest value with a star and name it in the title.

    Returns
    -------
    matplotlib.axes.Axes
    """
    key = str(criterion).lower()
    check_choice(key, "criterion", _CRITERIA)
    records = _records(selection_table_or_records)
    curves: dict[str, list[tuple[int, float]]] = {}
    for i, rec in enumerate(records):
        missing = {"n_components", "covariance_type"} - set(rec)
        if missing:
            raise ValueError(f"record {i} lacks the key(s) {sorted(missing)}: {dict(rec)}.")
        value = rec.get(key)
        if value is None or not np.isfinite(float(value)):
            continue
        curves.setdefault(str(rec["covariance_type"]), []).append(
            (int(rec["n_components"]), float(value))
        )
    if not curves:
        raise ValueError(f"no record has a finite {key!r} value; nothing to plot.")
    order = [c for c in COVARIANCE_TYPES if c in curves] + sorted(
        c for c in curves if c not in COVARIANCE_TYPES
    )
    ax = _ax(ax)
    best = None
    for n, ctype in enumerate(order):
        pts = sorted(curves[ctype])
        ks, vals = zip(*pts, strict=True)
        ax.plot(ks, vals, marker="o", color=f"C{n % 10}", label=ctype)
        i_min = int(np.argmin(vals))
        if best is None or vals[i_min] < best[2]:
            best = (ctype, ks[i_min], vals[i_min])
    assert best is not None
    if mark_best:
        ax.plot(
            best[1],
            best[2],
            marker="*",
            markersize=18,
            color="gold",
            markeredgecolor="k",
            zorder=5,
            linestyle="none",
        )
        ax.set_title(f"best: K={best[1]}, {best[0]} ({key.upper()} {best[2]:.1f})")
    ax.set_xlabel("number of components K")
    ax.set_ylabel(f"{key.upper()} (lower is better)")
    locator = ax.xaxis.get_major_locator()
    if isinstance(locator, MaxNLocator):  # the default AutoLocator is one
        locator.set_params(integer=True)
    ax.legend(title="covariance type", fontsize="small")
    return ax


# --------------------------------------------------------------------------- anomalies


def plot_threshold_histogram(
    scores: Any,
    threshold: float,
    ax: Axes | None = None,
    labels: Any = None,
    *,
    bins: int | str = 50,
    log: bool = False,
) -> Axes:
    """Histogram of scores with the anomaly threshold, the count and percentile below it.

    A point is an anomaly when ``score < threshold`` (see
    :mod:`gmm_widgets.mixture.anomaly`).

    Parameters
    ----------
    scores : array-like of shape (n_samples,)
        Finite scores, e.g. ``model.score_samples(X)`` (log-densities).
    threshold : float
        The cut-off, drawn as a vertical line.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when ``None``.
    labels : array-like of shape (n_samples,), optional
        Known labels (1 = anomaly). Then inliers and anomalies are stacked in two
        colours and precision, recall and F1 are shown in the title.
    bins : int or str, default=50
        Histogram bins, as for :func:`numpy.histogram`.
    log : bool, default=False
        Logarithmic count axis, which shows the few points in the low-score tail.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from gmm_widgets.mixture.anomaly import detection_metrics

    s = check_scores(scores)
    t = check_threshold(threshold)
    edges = np.histogram_bin_edges(s, bins=bins)
    ax = _ax(ax)
    flagged = s < t
    if labels is None:
        ax.hist(s, bins=list(edges), color="C0", alpha=0.8, label="all points")
    else:
        truth = check_labels(labels, s.shape[0])
        ax.hist(
            [s[~truth], s[truth]],
            bins=list(edges),
            stacked=True,
            color=["C0", "C3"],
            alpha=0.8,
            label=["inliers (label 0)", "anomalies (label 1)"],
        )
        m = detection_metrics(truth, flagged)
        ax.set_title(f"precision {m.precision:.2f}   recall {m.recall:.2f}   F1 {m.f1:.2f}")
    ax.axvspan(min(edges[0], t), t, color="C3", alpha=0.08, lw=0)
    n = int(flagged.sum())
    ax.axvline(
        t,
        color="C3",
        lw=2,
        label=f"threshold {t:.3g}: {n} below ({100.0 * n / s.size:.1f} %)",
    )
    ax.set_xlabel("score (log-density); anomaly when below the threshold")
    ax.set_ylabel("count")
    if log:
        ax.set_yscale("log")
    ax.legend(loc="upper left", fontsize="small")
    return ax


# --------------------------------------------------------------------------- assignments


def plot_assignments(
    model: Any,
    X: Any,
    ax: Axes | None = None,
    soft: bool = True,
    *,
    dims: Sequence[int] = (0, 1),
    colors: Sequence[Any] | None = None,
    size: float = 12,
    ellipses: bool = False,
) -> Axes:
    """Scatter ``X`` coloured by the mixture's assignment of each point.

    Soft: a point's colour is the responsibility-weighted blend of the component
    colours, so points on a boundary look mixed. Hard: the colour of the most likely
    component (``predict``).

    Parameters
    ----------
    model : fitted mixture, parameters object or dict
        See the module docstring. A model with ``predict_proba`` is asked for the
        responsibilities; otherwise they are computed from the parameters.
    X : array-like of shape (n_samples, n_features)
        Data, with the model's number of features.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when ``None``.
    soft : bool, default=True
        Blend colours by responsibility (``True``) or use the hard assignment.
    dims : (int, int), default=(0, 1)
        The two features to draw.
    colors : sequence of colours, optional
        One per component; default ``C0, C1, ...``.
    size : float, default=12
        Marker size.
    ellipses : bool, default=False
        Also draw :func:`plot_ellipses` at 1 and 2 standard deviations.

    Returns
    -------
    matplotlib.axes.Axes
    """
    weights, means, covs = _components(model)
    given = X  # the model sees the data as given (a DataFrame's columns are checked)
    X = _features(X)
    check_model_features(means.shape[1], X.shape[1])
    i, j = _pair(dims, means.shape[1])
    if hasattr(model, "predict_proba"):
        resp = np.asarray(model.predict_proba(given), dtype=np.float64)
    else:
        log_mix, log_comp = _log_density(X, weights, means, covs)
        resp = np.exp(log_comp - log_mix).T
    rgba = _colors(len(weights), colors)
    if soft:
        point_colors = np.clip(resp @ rgba[:, :3], 0.0, 1.0)
    else:
        point_colors = rgba[resp.argmax(axis=1), :3]
    ax = _ax(ax)
    ax.scatter(X[:, i], X[:, j], c=point_colors, s=size, linewidths=0)
    if ellipses:
        plot_ellipses(model, ax=ax, dims=(i, j), colors=colors)
    return ax
