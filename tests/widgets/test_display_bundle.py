"""The display bundle of every widget: the live view, its text, and a static PNG.

Viewers without the widget front end (GitHub, nbviewer, nbconvert without widget state)
show the ``image/png`` of the bundle; these tests check that it is there, that it is a
real picture of the widget's current state, that it stays small, and that a failing
drawing never prevents the live widget from displaying.
"""

from __future__ import annotations

import base64
import io
import struct

import numpy as np
import pytest
from IPython.core.formatters import DisplayFormatter
from PIL import Image

from gmm_widgets import GaussianMixture
from gmm_widgets.widgets import AnomalyInspector, FitPlayer, MixtureExplorer, ModelSelector
from gmm_widgets.widgets._base import FALLBACK_DPI, FALLBACK_WIDTH

VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(autouse=True)
def fallback_on(monkeypatch):
    """The PNG is opt-in (GMM_WIDGETS_STATIC_FALLBACK=1); these tests turn it on."""
    monkeypatch.setenv("GMM_WIDGETS_STATIC_FALLBACK", "1")


@pytest.fixture(scope="module")
def X():
    rng = np.random.default_rng(5)
    return np.vstack(
        [
            rng.multivariate_normal([0, 0], [[2.0, 1.2], [1.2, 1.5]], 250),
            rng.multivariate_normal([4, 1], [[0.6, -0.2], [-0.2, 0.8]], 150),
            rng.multivariate_normal([1, 4], [[1.0, 0.0], [0.0, 0.3]], 150),
        ]
    )


def make_widgets(X):
    model = GaussianMixture(3, random_state=0).fit(X)
    return {
        "FitPlayer": FitPlayer(X, n_components=3, init_params="random_from_data", random_state=0),
        "MixtureExplorer": MixtureExplorer(X, n_components=3, random_state=0),
        "ModelSelector": ModelSelector(X, n_components=range(1, 4), covariance_types=("full",)),
        "AnomalyInspector": AnomalyInspector(X, model=model, contamination=0.05),
    }


def bundle(widget) -> tuple[dict, dict]:
    """What IPython's display machinery gets from the widget (the path a kernel takes)."""
    data, metadata = DisplayFormatter().format(widget)
    return data, metadata


def decode(data: dict) -> Image.Image:
    raw = base64.b64decode(data["image/png"], validate=True)
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", raw[16:24])
    image = Image.open(io.BytesIO(raw))
    assert image.size == (width, height)
    return image


@pytest.mark.parametrize(
    "name", ["FitPlayer", "MixtureExplorer", "ModelSelector", "AnomalyInspector"]
)
def test_every_widget_display_carries_view_text_and_picture(X, name):
    widget = make_widgets(X)[name]
    data, metadata = bundle(widget)
    assert data[VIEW]["model_id"] == widget.model_id
    assert "object at 0x" not in data["text/plain"]
    image = decode(data)
    assert image.size[0] == round(FALLBACK_WIDTH * FALLBACK_DPI)
    assert metadata["image/png"] == {"width": image.size[0], "height": image.size[1]}
    # A picture, not a blank canvas: several colours, and points and ellipses in colour.
    rgb = np.asarray(image.convert("RGB")).reshape(-1, 3).astype(int)
    coloured = np.ptp(rgb, axis=1) > 60
    assert coloured.mean() > 0.01, f"{name}: almost no coloured pixels in the picture"
    # Small enough to live in a committed notebook.
    assert len(base64.b64decode(data["image/png"])) < 80_000


def test_the_picture_is_the_current_state(X):
    player = make_widgets(X)["FitPlayer"]
    assert player.n_frames > 3
    player.frame = 0
    first = bundle(player)[0]["image/png"]
    player.frame = player.n_frames - 1
    last = bundle(player)[0]["image/png"]
    assert first != last
    player.frame = 0
    assert bundle(player)[0]["image/png"] == first  # the same state draws the same picture

    inspector = make_widgets(X)["AnomalyInspector"]
    before = bundle(inspector)[0]["image/png"]
    inspector.threshold = float(np.percentile(inspector.scores, 20))
    assert bundle(inspector)[0]["image/png"] != before


def test_static_fallback_can_be_switched_off(X):
    widget = make_widgets(X)["MixtureExplorer"]
    widget.static_fallback = False
    data, metadata = bundle(widget)
    assert VIEW in data and "image/png" not in data and "image/png" not in metadata
    assert FitPlayer.static_fallback is None  # an instance setting, not the class's


def test_static_fallback_is_off_by_default_and_on_per_widget(X, monkeypatch):
    """Off unless asked for: drawing it costs matplotlib's time on every display."""
    monkeypatch.delenv("GMM_WIDGETS_STATIC_FALLBACK")
    widget = make_widgets(X)["FitPlayer"]
    data, _ = bundle(widget)
    assert VIEW in data and "image/png" not in data
    widget.static_fallback = True
    assert "image/png" in bundle(widget)[0]


def test_a_failing_drawing_still_displays_the_live_widget(X, monkeypatch):
    widget = make_widgets(X)["FitPlayer"]

    def broken(**kwargs):
        raise ValueError("renderer exploded")

    monkeypatch.setattr(widget, "to_figure", broken)
    with pytest.warns(RuntimeWarning, match="FitPlayer could not be drawn.*renderer exploded"):
        data, _ = bundle(widget)
    assert data[VIEW]["model_id"] == widget.model_id
    assert "image/png" not in data
