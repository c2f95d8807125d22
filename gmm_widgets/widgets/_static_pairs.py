"""Static pictures of the pairs view and the uncertainty toggle (matplotlib).

What ``js/src/lib/pairs.js`` and ``js/src/lib/uncertainty.js`` draw in the browser, for
``to_figure``/``save_png``/``to_svg`` and the display bundle's PNG of widgets with
``pairs_view`` or ``uncertainty_view`` on (see :mod:`gmm_widgets.widgets._static`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from gmm_widgets import plotting
from gmm_widgets.mixture.params import MixtureParams
from gmm_widgets.widgets._imputed import place_rows
from gmm_widgets.widgets._pairs import MAX_PAIR_FEATURES

if TYPE_CHECKING:
    from matplotlib.figure import Figure, SubFigure

__all__ = ["CERTAIN_STRENGTH", "draw_pairs", "fade_by_uncertainty", "pairs_shown"]

#: Weight of a certain point's colour against the background (js/src/lib/uncertainty.js).
CERTAIN_STRENGTH = 0.18


def pairs_shown(widget: Any) -> bool:
    """Whether the widget shows its pairs view (``pairs_view`` on, 2 features or more)."""
    return bool(getattr(widget, "pairs_view", False)) and len(widget.feature_names) >= 2


def fade_by_uncertainty(
    rgb: np.ndarray, resp: np.ndarray, background: tuple[float, float, float] = (1.0, 1.0, 1.0)
) -> np.ndarray:
    """Point colours faded toward the background by their uncertainty, as the views do.

    ``out = bg + s * (rgb - bg)`` with ``s = 0.18 + 0.82 * u / (1 - 1/K)`` and
    ``u = 1 - max_k resp[i, k]``: certain points pale, the most uncertain in full colour.

    Parameters
    ----------
    rgb : ndarray of shape (n, 3)
        Colours in [0, 1].
    resp : ndarray of shape (n, K)
        Responsibilities.
    background : (float, float, float)

    Returns
    -------
    ndarray of shape (n, 3)
    """
    K = resp.shape[1]
    u = 1.0 - resp.max(axis=1)
    top = 1.0 - 1.0 / K if K > 1 else 1.0
    s = CERTAIN_STRENGTH + (1.0 - CERTAIN_STRENGTH) * np.clip(u / top, 0.0, 1.0)
    bg = np.asarray(background, dtype=np.float64)
    return bg + s[:, None] * (np.asarray(rgb, dtype=np.float64) - bg)


def draw_pairs(
    fig: Figure | SubFigure,
    widget: Any,
    X: np.ndarray,
    params: MixtureParams | None,
    *,
    size: float = 3.0,
) -> None:
    """The scatter matrix of ``widget.pair_features`` on ``fig``.

    Off the diagonal the points coloured by soft assignment (faded by uncertainty when
    ``widget.uncertainty_view``) with each component's 1σ/2σ ellipses of the marginal
    covariance; on the diagonal a histogram of the feature with the marginal mixture
    density.

    Parameters
    ----------
    fig : Figure or SubFigure
    widget : object
        Read for ``pair_features``, ``feature_names`` and ``uncertainty_view``.
    X : ndarray of shape (n, d)
        The displayed rows.
    params : MixtureParams or None
        None draws the points in grey.
    size : float
        Marker area.
    """
    from gmm_widgets.widgets._static import _as_dict, _point_colors, _shown_rows

    rows = place_rows(_shown_rows(np.asarray(X, dtype=np.float64)), params)
    X = rows.observed
    d = X.shape[1]
    features = [int(f) for f in widget.pair_features if 0 <= int(f) < d]
    if len(features) < 2:
        features = list(range(min(d, MAX_PAIR_FEATURES)))
    names = list(widget.feature_names)
    p = len(features)
    axes = fig.subplots(p, p, squeeze=False)
    rgb = _point_colors(X, params, widget)
    colors = [f"C{k % 10}" for k in range(params.n_components)] if params is not None else []
    for r, fy in enumerate(features):
        for c, fx in enumerate(features):
            ax = axes[r][c]
            if r == c:
                Xf = X[~np.isnan(X[:, fx])]  # the histogram of the observed values
                if params is None:
                    ax.hist(Xf[:, fx], bins="auto", density=True, color="0.6")
                else:
                    plotting.plot_mixture_1d(_as_dict(params), Xf, ax, dim=fx, colors=colors)
                ax.set_yticks([])
            else:
                F, full, hollow = rows.filled, ~rows.imputed, rows.imputed
                ax.scatter(
                    F[full, fx], F[full, fy], s=size, c=rgb[full], linewidths=0, rasterized=True
                )
                if hollow.any():  # imputed coordinates, as in the live view
                    ax.scatter(
                        F[hollow, fx],
                        F[hollow, fy],
                        s=size * 2,
                        facecolors="none",
                        edgecolors=rgb[hollow],
                        linewidths=0.6,
                    )
                if params is not None:
                    plotting.plot_ellipses(
                        _as_dict(params),
                        ax,
                        dims=(fx, fy),
                        colors=colors,
                        label=False,
                        linewidth=1.0,
                    )
            ax.set_xlabel(names[fx] if r == p - 1 else "")
            ax.set_ylabel(names[fy] if c == 0 and r != c else "")
            if r != p - 1:
                ax.set_xticklabels([])
            if c != 0:
                ax.set_yticklabels([])
            ax.tick_params(labelsize="x-small")
            legend = ax.get_legend()
            if legend is not None:
                legend.remove()
