"""The 2-D view of d-dimensional data: one rule (ViewProjection) for the static pictures,
the same as the browser's (js/src/lib/projection.js, checked through a shared fixture)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from gmm_widgets.mixture.params import mixture_params
from gmm_widgets.widgets import AnomalyInspector, FitPlayer
from gmm_widgets.widgets._static import ViewProjection
from tests.widgets.js_fixtures import is_current
from tests.widgets.projection_fixture import FIXTURE, build_fixture


def test_js_fixture_matches_the_python_rule():
    """js/tests/fixtures/projections.json is what ViewProjection gives today."""
    assert is_current(FIXTURE, build_fixture())


def test_feature_pair_picks_the_columns():
    view = ViewProjection.of(
        SimpleNamespace(feature_names=["a", "b", "c", "d"], x_feature=3, y_feature=1), 4
    )
    X = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(view.points(X), X[:, [3, 1]])
    assert view.labels == ("d", "b")


def test_defaults_and_clamping_follow_the_browser():
    """Missing traits take ProjectedWidget's defaults; indices out of range are clamped."""
    assert ViewProjection.of(SimpleNamespace(), 3).labels == ("x0", "x1")
    assert ViewProjection.of(SimpleNamespace(x_feature=7, y_feature=-2), 3).labels == ("x2", "x0")
    # Two features or fewer: always the pair (0, 1), whatever the traits say.
    two = ViewProjection.of(SimpleNamespace(projection="pca", x_feature=1, y_feature=0), 2)
    assert two.labels == ("x0", "x1")
    one = ViewProjection.of(SimpleNamespace(), 1)
    np.testing.assert_array_equal(one.points(np.array([[2.5]])), [[2.5, 2.5]])


def test_pca_view_projects_around_the_mean():
    comps = np.array([[0.6, 0.8, 0.0], [0.0, 0.0, 1.0]])
    mean = np.array([1.0, 2.0, 3.0])
    widget = SimpleNamespace(
        projection="pca",
        pca={"components": comps, "mean": mean, "explained_variance_ratio": np.array([0.7, 0.25])},
    )
    view = ViewProjection.of(widget, 3)
    assert view.labels == ("PC1 (70.0% var.)", "PC2 (25.0% var.)")
    X = np.array([[1.0, 2.0, 3.0], [4.0, 6.0, 3.0]])
    np.testing.assert_allclose(view.points(X), [[0.0, 0.0], [5.0, 0.0]])
    # Without a ratio the labels are bare; without a basis the feature pair is shown.
    bare = {"components": comps, "mean": mean}
    assert ViewProjection.of(SimpleNamespace(projection="pca", pca=bare), 3).labels == (
        "PC1",
        "PC2",
    )
    assert ViewProjection.of(SimpleNamespace(projection="pca", pca={}), 3).labels == ("x0", "x1")


def test_projected_mixture_is_the_marginal_of_the_pair():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(200, 4))
    player = FitPlayer(X, n_components=2, covariance_type="diag", random_state=0)
    params = mixture_params(player.model)
    player.x_feature, player.y_feature = 2, 0
    projected = ViewProjection.of(player, 4).mixture(params)
    full = params.full_covariances()
    np.testing.assert_array_equal(projected["means"], params.means[:, [2, 0]])
    np.testing.assert_array_equal(projected["covariances"], full[:, [2, 0]][:, :, [2, 0]])
    assert projected["covariance_type"] == "full"
    np.testing.assert_array_equal(projected["weights"], params.weights)


@pytest.mark.parametrize("projection", ["features", "pca"])
def test_static_pictures_draw_the_view_of_the_widget(projection):
    """The matplotlib picture of each widget labels its axes with the widget's view."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(150, 3))
    for widget in (
        FitPlayer(X, n_components=2, random_state=0),
        AnomalyInspector(X, n_components=2),
    ):
        widget.projection = projection
        widget.x_feature, widget.y_feature = 2, 1
        labels = ViewProjection.of(widget, 3).labels
        ax = widget.to_figure().axes[0 if isinstance(widget, FitPlayer) else 1]
        assert (ax.get_xlabel(), ax.get_ylabel()) == labels
