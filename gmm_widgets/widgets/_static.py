"""Static pictures of the widgets, from Python: ``save_png(path)`` and ``to_svg()``.

The toolbar of each view exports what the browser shows (PNG and SVG downloads). From
Python, a widget may have no view at all (a script, a test, a notebook run by nbconvert),
and a message to the browser would only be answered after the running cell ends (the
kernel is blocked while a cell runs). So the Python side draws the same state again
with matplotlib, through :mod:`gmm_widgets.plotting`: the same data (the displayed
rows), the same frame, model, projection, threshold or selection, in matplotlib's
colours (component ``k`` is ``f"C{k}"``) instead of the browser palette. It needs no
browser and no front end.

:class:`StaticExportMixin` gives every widget :meth:`~StaticExportMixin.to_figure`,
:meth:`~StaticExportMixin.save_png` and :meth:`~StaticExportMixin.to_svg`; the drawing
of each widget class is registered here with :func:`register_renderer`.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from gmm_widgets import plotting
from gmm_widgets.mixture.params import MixtureParams, mixture_params
from gmm_widgets.widgets._data import display_indices
from gmm_widgets.widgets._imputed import place_rows, responsibilities

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "MAX_STATIC_POINTS",
    "StaticExportMixin",
    "ViewProjection",
    "register_renderer",
    "render_figure",
]

#: Most points drawn in a static picture (a seeded uniform subsample above it).
MAX_STATIC_POINTS = 20_000

Renderer = Callable[[Any, Figure], None]
_RENDERERS: dict[str, Renderer] = {}


def register_renderer(class_name: str) -> Callable[[Renderer], Renderer]:
    """Register the function that draws widgets of class ``class_name`` on a Figure.

    Parameters
    ----------
    class_name : str
        Name of the widget class; subclasses use their nearest registered base.

    Returns
    -------
    decorator
    """

    def decorate(fn: Renderer) -> Renderer:
        _RENDERERS[class_name] = fn
        return fn

    return decorate


def render_figure(widget: Any, *, width: float = 9.0, height: float | None = None) -> Figure:
    """Draw a widget's current state on a new matplotlib Figure.

    Parameters
    ----------
    widget : GMMWidget or MixtureSummary
    width : float, default=9.0
        Figure width in inches.
    height : float, optional
        Figure height in inches; each widget has a sensible default.

    Returns
    -------
    matplotlib.figure.Figure
        Not attached to pyplot, so it never shows up as a stray output.

    Raises
    ------
    TypeError
        If no renderer is registered for the widget's class.
    """
    for cls in type(widget).__mro__:
        fn = _RENDERERS.get(cls.__name__)
        if fn is not None:
            break
    else:
        raise TypeError(f"no static picture is defined for {type(widget).__name__}.")
    fig = Figure(figsize=(width, height or width * 0.62), layout="constrained")
    fn(widget, fig)
    return fig


class StaticExportMixin:
    """``to_figure``, ``save_png`` and ``to_svg`` for a widget, drawn with matplotlib.

    These work without a browser: the picture is drawn in Python from the widget's
    state (see :mod:`gmm_widgets.widgets._static`). The toolbar buttons of the view
    export the browser's own rendering instead.
    """

    def to_figure(self, *, width: float = 9.0, height: float | None = None) -> Figure:
        """The widget's current state as a matplotlib Figure.

        Parameters
        ----------
        width : float, default=9.0
            Inches.
        height : float, optional
            Inches; a default per widget.

        Returns
        -------
        matplotlib.figure.Figure
        """
        return render_figure(self, width=width, height=height)

    def save_png(
        self, path: str | os.PathLike[str], *, dpi: float = 120, **figure_kwargs: Any
    ) -> str:
        """Save the widget's current state as a PNG file (drawn with matplotlib).

        Parameters
        ----------
        path : str or path-like
        dpi : float, default=120
        **figure_kwargs
            ``width``/``height`` in inches, see :meth:`to_figure`.

        Returns
        -------
        str
            The path written.
        """
        fig = self.to_figure(**figure_kwargs)
        fig.savefig(os.fspath(path), format="png", dpi=dpi)
        return os.fspath(path)

    def to_svg(self, **figure_kwargs: Any) -> str:
        """The widget's current state as SVG markup (drawn with matplotlib).

        Parameters
        ----------
        **figure_kwargs
            ``width``/``height`` in inches, see :meth:`to_figure`.

        Returns
        -------
        str
            A standalone SVG document.
        """
        buf = io.StringIO()
        self.to_figure(**figure_kwargs).savefig(buf, format="svg", metadata={"Date": None})
        return buf.getvalue()


# ------------------------------------------------------------------ shared pieces
def _shown_rows(X: np.ndarray) -> np.ndarray:
    idx = display_indices(X.shape[0], MAX_STATIC_POINTS, seed=0)
    return X if idx is None else X[idx]


@dataclass(frozen=True)
class ViewProjection:
    """The 2-D view of d-dimensional data that a widget shows: ``(x - offset) @ matrix``.

    One rule for the browser and for the static pictures: :meth:`of` reads the same
    traits as ``chosenProjection`` in ``js/src/lib/projection.js`` (``projection``,
    ``x_feature``, ``y_feature``, ``pca``, ``feature_names``) and gives the same view;
    ``js/tests/fixtures/projections.json`` holds what this class gives for real widget
    states, and vitest checks that the browser gives the same (see
    ``tests/widgets/projection_fixture.py``).

    Attributes
    ----------
    matrix : ndarray of shape (n_features, 2)
        Columns: the x and y directions (unit vectors of two features, or the first two
        principal axes).
    offset : ndarray of shape (n_features,)
        Subtracted before projecting (the PCA mean; zeros for a feature pair).
    labels : tuple of (str, str)
        Axis labels: feature names, or ``"PC1 (42.0% var.)"`` and ``"PC2 (...)"``.
    """

    matrix: np.ndarray
    offset: np.ndarray
    labels: tuple[str, str]

    @classmethod
    def of(cls, widget: Any, d: int) -> ViewProjection:
        """The view that ``widget``'s traits choose for ``d`` features.

        Features 0 and 1 when ``d <= 2``. With ``d > 2``: the principal axes when
        ``projection == "pca"`` and the basis is there, else features ``x_feature`` and
        ``y_feature`` (clamped to ``[0, d)``, as the browser does).

        Parameters
        ----------
        widget : ProjectedWidget or object
            Read for ``feature_names``, ``projection``, ``x_feature``, ``y_feature`` and
            ``pca``; missing ones take the defaults of ProjectedWidget.
        d : int
            Number of features of the data drawn.

        Returns
        -------
        ViewProjection
        """
        names = list(getattr(widget, "feature_names", None) or [])

        def name(i: int) -> str:
            return str(names[i]) if i < len(names) else f"x{i}"

        pca = getattr(widget, "pca", None) or {}
        if d > 2 and getattr(widget, "projection", "features") == "pca":
            if "components" in pca and "mean" in pca:
                comps = np.asarray(pca["components"], dtype=np.float64)
                ratio = np.asarray(pca.get("explained_variance_ratio", [np.nan, np.nan]))
                pc_x, pc_y = (
                    f"PC{i + 1}" + (f" ({100 * r:.1f}% var.)" if math.isfinite(r) else "")
                    for i, r in enumerate(ratio[:2])
                )
                return cls(comps.T, np.asarray(pca["mean"], dtype=np.float64), (pc_x, pc_y))
        if d > 2:
            i = min(max(int(getattr(widget, "x_feature", 0)), 0), d - 1)
            j = min(max(int(getattr(widget, "y_feature", 1)), 0), d - 1)
        else:
            i, j = 0, min(1, d - 1)
        matrix = np.zeros((d, 2))
        matrix[i, 0] = matrix[j, 1] = 1.0
        return cls(matrix, np.zeros(d), (name(i), name(j)))

    def points(self, X: np.ndarray) -> np.ndarray:
        """Project points.

        Parameters
        ----------
        X : ndarray of shape (n, n_features)

        Returns
        -------
        ndarray of shape (n, 2)
        """
        return (np.asarray(X, dtype=np.float64) - self.offset) @ self.matrix

    def mixture(self, params: MixtureParams) -> dict[str, Any]:
        """The mixture in the view's coordinates: means ``P^T (m - offset)`` and
        covariances ``P^T S P``, the marginal (or projected) Gaussians drawn as ellipses.

        Parameters
        ----------
        params : MixtureParams

        Returns
        -------
        dict
            ``weights`` (K,), ``means`` (K, 2), ``covariances`` (K, 2, 2) and
            ``covariance_type="full"``, as :func:`gmm_widgets.plotting.plot_ellipses`
            takes them.
        """
        P = self.matrix
        return {
            "weights": params.weights,
            "means": self.points(params.means),
            "covariances": np.einsum("da,kde,eb->kab", P, params.full_covariances(), P),
            "covariance_type": "full",
        }


def _point_colors(X: np.ndarray, params: Any, widget: Any) -> np.ndarray:
    """Each row's colour, (n, 3) in [0, 1]: grey without a model, else the mix of the
    component colours by its responsibilities, faded by uncertainty when the widget's
    ``uncertainty_view`` is on (the single view's and the pairs view's rule)."""
    if params is None:
        return np.full((X.shape[0], 3), 0.55)
    resp = _responsibilities(X, params)
    rgb = np.clip(resp @ _colors(params.n_components), 0, 1)
    if getattr(widget, "uncertainty_view", False):
        from gmm_widgets.widgets._static_pairs import fade_by_uncertainty

        rgb = fade_by_uncertainty(rgb, resp)
    return rgb


def _responsibilities(X: np.ndarray, params: MixtureParams) -> np.ndarray:
    return responsibilities(X, params)


def _colors(K: int) -> np.ndarray:
    from matplotlib.colors import to_rgb

    return np.array([to_rgb(f"C{k % 10}") for k in range(K)])


def draw_mixture(
    ax: Axes, widget: Any, X: np.ndarray, params: MixtureParams | None, *, size: float = 8
) -> None:
    """Points (coloured by soft assignment) and 1σ/2σ ellipses in the widget's view.

    Parameters
    ----------
    ax : Axes
    widget : object
        Read for its projection traits (``projection``, ``x_feature``, ``y_feature``,
        ``pca``, ``feature_names``).
    X : ndarray of shape (n, d)
    params : MixtureParams or None
        None draws the points in grey.
    size : float
        Marker area.
    """
    X = _shown_rows(np.asarray(X, dtype=np.float64))
    d = X.shape[1]
    if d == 1:
        X = X[~np.isnan(X[:, 0])]  # a row of one feature with NaN has no observed value
        if params is None:
            ax.hist(X[:, 0], bins="auto", density=True, color="0.6")
        else:
            plotting.plot_mixture_1d(_as_dict(params), X[:, 0], ax)
        names = list(getattr(widget, "feature_names", []) or ["x0"])
        ax.set_xlabel(names[0])
        return
    view = ViewProjection.of(widget, d)
    rows = place_rows(X, params)
    X = rows.observed
    Y = view.points(rows.filled)
    rgb = _point_colors(X, params, widget)
    full = ~rows.imputed
    ax.scatter(
        Y[full, 0], Y[full, 1], s=size, c=rgb[full], linewidths=0, alpha=0.75, rasterized=True
    )
    if rows.imputed.any():  # rows with imputed coordinates: hollow, as in the live view
        ax.scatter(
            Y[rows.imputed, 0],
            Y[rows.imputed, 1],
            s=size * 2,
            facecolors="none",
            edgecolors=rgb[rows.imputed],
            linewidths=0.8,
            label=f"{int(rows.imputed.sum())} rows with imputed coordinates (hollow)",
        )
        ax.legend(loc="best", fontsize="small")
    if params is not None:
        colors = [f"C{k % 10}" for k in range(params.n_components)]
        plotting.plot_ellipses(view.mixture(params), ax, colors=colors)
    ax.set_xlabel(view.labels[0])
    ax.set_ylabel(view.labels[1])


def _as_dict(params: MixtureParams) -> dict[str, Any]:
    return {
        "weights": params.weights,
        "means": params.means,
        "covariances": params.covariances,
        "covariance_type": params.covariance_type,
    }


def _empty(ax: Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="0.4")
    ax.set_xticks([])
    ax.set_yticks([])


def _pairs(w: Any, fig: Figure, params: MixtureParams | None, title: str) -> bool:
    """Draw the pairs view (True) when the widget shows it; else leave ``fig`` alone."""
    from gmm_widgets.widgets._static_pairs import draw_pairs, pairs_shown

    if not pairs_shown(w):
        return False
    draw_pairs(fig, w, np.asarray(w.data, dtype=np.float64), params)
    fig.suptitle(title)
    return True


# ---------------------------------------------------------------------- renderers
@register_renderer("FitPlayer")
def _fit_player(w: Any, fig: Figure) -> None:
    state = w.current_state
    if state is None:
        shown = _pairs(w, fig, None, "FitPlayer: no frames yet")
    else:
        shown = _pairs(w, fig, mixture_params(state), f"iteration {state.n_iter}")
    if shown:
        return
    ax, trace = fig.subplots(2, 1, height_ratios=[3, 1])
    X = np.asarray(w.data, dtype=np.float64)
    if state is None:
        draw_mixture(ax, w, X, None)
        _empty(trace, "no frames yet: call .fit()")
        ax.set_title("FitPlayer: no frames yet")
        return
    params = mixture_params(state)
    draw_mixture(ax, w, X, params)
    states = [s for s in w.states if s.init == state.init and s.n_iter > 0]
    if states:
        its = [s.n_iter for s in states]
        lbs = [s.lower_bound for s in states]
        trace.plot(its, lbs, color="0.35", marker="o", markersize=3)
        now = [s for s in states if s.n_iter == state.n_iter]
        if now:
            trace.plot([now[0].n_iter], [now[0].lower_bound], "o", color="C3", markersize=7)
    else:
        _empty(trace, "no iterations")
    trace.set_xlabel("iteration")
    trace.set_ylabel("lower bound")
    trace.ticklabel_format(axis="y", useOffset=False)
    trace.xaxis.set_major_locator(MaxNLocator(integer=True))
    status = " (converged)" if state.converged else ""
    lb = f", lower bound {state.lower_bound:.5g}" if math.isfinite(state.lower_bound) else ""
    ax.set_title(f"iteration {state.n_iter} of init {state.init}{status}{lb}")


@register_renderer("MixtureExplorer")
def _mixture_explorer(w: Any, fig: Figure) -> None:
    X = np.asarray(w.data, dtype=np.float64)
    model = getattr(w, "model", None)
    params = None
    if model is not None and hasattr(model, "means_"):
        params = mixture_params(model)
    if _pairs(w, fig, params, f"K={w.n_components}, {w.covariance_type}"):
        return
    ax = fig.subplots()
    draw_mixture(ax, w, X, params)
    start = w.initial_means
    if start is not None and X.shape[1] >= 2:
        S = ViewProjection.of(w, X.shape[1]).points(start)
        ax.scatter(S[:, 0], S[:, 1], marker="X", s=70, c="k", label="initial means")
        ax.legend(loc="best", fontsize="small")
    title = f"K={w.n_components}, {w.covariance_type}"
    scores = getattr(w, "scores", None) or {}
    for key in ("bic", "aic", "icl"):
        if key in scores and scores[key] is not None:
            title += f", {key.upper()} {scores[key]:.6g}"
    ax.set_title(title)


@register_renderer("ModelSelector")
def _model_selector(w: Any, fig: Figure) -> None:
    left, right = fig.subplots(1, 2)
    records = w.records
    if records:
        plotting.plot_bic(records, w.criterion, left)
    else:
        _empty(left, "the grid is not fitted yet")
    X = np.asarray(w.data, dtype=np.float64)
    model = w.selected
    draw_mixture(right, w, X, None if model is None else mixture_params(model))
    if model is not None:
        right.set_title(f"selected: K={w.selection[0]}, {w.selection[1]}")


@register_renderer("AnomalyInspector")
def _anomaly_inspector(w: Any, fig: Figure) -> None:
    left, right = fig.subplots(1, 2)
    plotting.plot_threshold_histogram(w.scores, w.threshold, left, labels=w.labels)
    X = np.asarray(w.X, dtype=np.float64)
    mask = np.asarray(w.anomalies, dtype=bool)
    idx = display_indices(X.shape[0], MAX_STATIC_POINTS, seed=0)
    if idx is not None:
        X, mask = X[idx], mask[idx]
    model = w.model
    params = None
    if all(hasattr(model, a) for a in ("weights_", "means_", "covariances_", "covariance_type")):
        params = mixture_params(model)
    if X.shape[1] == 1:
        right.hist(X[~mask, 0], bins="auto", color="0.6", label="inliers")
        right.hist(X[mask, 0], bins="auto", color="C3", label="anomalies")
        right.set_xlabel((list(w.feature_names) or ["x0"])[0])
    else:
        view = ViewProjection.of(w, X.shape[1])
        Y = view.points(X)
        right.scatter(*Y[~mask].T, s=6, c="0.6", linewidths=0, rasterized=True, label="inliers")
        right.scatter(*Y[mask].T, s=18, c="C3", linewidths=0, label="anomalies")
        if params is not None:
            colors = ["0.25"] * params.n_components
            plotting.plot_ellipses(view.mixture(params), right, colors=colors, label=False)
        right.set_xlabel(view.labels[0])
        right.set_ylabel(view.labels[1])
    right.legend(loc="best", fontsize="small")
    right.set_title(f"{int(mask.sum()):,} anomalies shown (score < threshold)")


@register_renderer("MixtureSummary")
def _mixture_summary(w: Any, fig: Figure) -> None:
    p = w.params
    if w.player is not None and _pairs(
        w.player, fig, p, f"{type(w.model).__name__}: K={p.n_components}, {p.covariance_type}"
    ):
        return
    ax = fig.subplots()
    if w.player is not None:
        X = np.asarray(w.player.data, dtype=np.float64)
        draw_mixture(ax, w.player, X, w.params)
    else:
        _empty(ax, "no view")
    p = w.params
    title = f"{type(w.model).__name__}: K={p.n_components}, {p.covariance_type}"
    if w.scores is not None:
        title += f", BIC {w.scores['bic']:.6g}"
    elif w.data_source == "samples":
        title += " (points drawn from the model)"
    ax.set_title(title)
