"""save_png / to_svg / to_figure: each widget's current state, drawn with matplotlib.

The figures are inspected (titles, points, ellipses, threshold line), so a picture of
the wrong frame, model or threshold fails, not only a missing file.
"""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.patches import Ellipse

from gmm_widgets import GaussianMixture
from gmm_widgets.widgets import (
    AnomalyInspector,
    FitPlayer,
    MixtureExplorer,
    MixtureSummary,
    ModelSelector,
)
from gmm_widgets.widgets._static import MAX_STATIC_POINTS, render_figure


@pytest.fixture(scope="module")
def X():
    rng = np.random.default_rng(11)
    return np.vstack(
        [
            rng.multivariate_normal([0, 0], [[2.0, 1.2], [1.2, 1.5]], 300),
            rng.multivariate_normal([4, 1], [[0.6, -0.2], [-0.2, 0.8]], 200),
            rng.multivariate_normal([1, 4], [[1.0, 0.0], [0.0, 0.3]], 200),
        ]
    )


def png_size(path) -> tuple[int, int]:
    data = open(path, "rb").read(24)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def ellipses(ax) -> list[Ellipse]:
    return [p for p in ax.patches if isinstance(p, Ellipse)]


def points(ax) -> int:
    return sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection))


def test_fit_player_draws_the_frame_shown(X, tmp_path):
    w = FitPlayer(X, n_components=3, init_params="random_from_data", random_state=0)
    assert w.n_frames > 5
    w.frame = 3
    fig = w.to_figure()
    ax, trace = fig.axes
    assert ax.get_title().startswith("iteration 3 of init 0")
    assert len(ellipses(ax)) == 6  # 1 and 2 sigma per component
    assert points(ax) == X.shape[0]
    # The trace holds every iteration of the init, the current one marked.
    line, marker = trace.lines
    assert len(line.get_xdata()) == w.n_frames - 1
    assert marker.get_xdata()[0] == 3
    state = w.current_state
    centres = sorted(tuple(np.round(e.center, 6)) for e in ellipses(ax)[::2])
    assert centres == sorted(tuple(np.round(m, 6)) for m in state.means)
    # Files.
    out = w.save_png(tmp_path / "player.png", dpi=50, width=6)
    assert png_size(out) == (300, round(6 * 0.62 * 50))
    svg = w.to_svg()
    assert ET.fromstring(svg).tag.endswith("svg")


def test_projection_follows_the_view(tmp_path):
    rng = np.random.default_rng(0)
    X4 = np.hstack([rng.normal(size=(400, 2)) * [1, 3], rng.normal(size=(400, 2)) + 10])
    w = FitPlayer(X4, n_components=2, covariance_type="diag", random_state=0)
    w.x_feature, w.y_feature = 2, 3
    ax = w.to_figure().axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x2", "x3")
    assert ax.get_xlim()[0] > 5  # features 2 and 3 sit around 10
    w.projection = "pca"
    ax = w.to_figure().axes[0]
    assert ax.get_xlabel().startswith("PC1 (") and "% var." in ax.get_xlabel()


def test_one_feature_and_no_frames():
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(0, 1, 300), rng.normal(6, 1, 300)])[:, None]
    ax = FitPlayer(x, n_components=2, random_state=0).to_figure().axes[0]
    assert ax.get_xlabel() == "x0" and len(ax.patches) > 10  # histogram bars
    empty = FitPlayer(x, n_components=2, fit=False)
    fig = empty.to_figure()
    assert "no frames" in fig.axes[0].get_title()


def test_mixture_explorer_draws_its_model_and_start(X):
    w = MixtureExplorer(X, n_components=3, random_state=0, animate=False)
    ax = w.to_figure().axes[0]
    assert ax.get_title().startswith("K=3, full, BIC ")
    assert f"{w.scores['bic']:.6g}" in ax.get_title()
    assert len(ellipses(ax)) == 6
    start = ax.collections[-1].get_offsets()
    np.testing.assert_allclose(start, w.initial_means)


def test_model_selector_draws_the_curves_and_the_selection(X):
    sel = ModelSelector(X, n_components=range(1, 5), covariance_types=("full", "diag"))
    sel.select(2, "diag")
    left, right = sel.to_figure().axes
    assert len(left.lines) >= 2  # a curve per covariance type
    assert right.get_title() == "selected: K=2, diag" and len(ellipses(right)) == 4


def test_anomaly_inspector_draws_the_threshold(X):
    w = AnomalyInspector(X, n_components=3, random_state=0, contamination=0.05)
    w.threshold = float(np.quantile(w.scores, 0.1))
    left, right = w.to_figure().axes
    xs = [line.get_xdata()[0] for line in left.lines]
    assert any(np.isclose(x, w.threshold) for x in xs)
    assert right.get_title().startswith(f"{w.n_anomalies:,} anomalies")
    flagged = right.collections[1].get_offsets()
    assert len(flagged) == w.n_anomalies


@pytest.mark.filterwarnings("ignore::gmm_widgets.ConvergenceWarning")
def test_summary_and_large_data_are_subsampled():
    rng = np.random.default_rng(2)
    big = rng.normal(size=(MAX_STATIC_POINTS + 5000, 2))
    gm = GaussianMixture(2, random_state=0, max_iter=5).fit(big)
    ax = render_figure(MixtureSummary(gm, big)).axes[0]
    assert points(ax) == MAX_STATIC_POINTS
    assert "BIC" in ax.get_title()
    assert "drawn from the model" in MixtureSummary(gm).to_figure().axes[0].get_title()


def test_unknown_widget():
    with pytest.raises(TypeError, match="no static picture"):
        render_figure(object())
