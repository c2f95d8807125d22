"""Each widget's model read back in Python, row by row and component by component."""

from __future__ import annotations

import numpy as np
import pytest

from gmm_widgets import (
    AnomalyInspector,
    FitPlayer,
    GaussianMixture,
    History,
    MixtureExplorer,
    ModelSelector,
    assignments,
    model_profile,
)
from gmm_widgets.mixture import uncertainty

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal([0, 0], 1, (150, 2)), rng.normal([5, 1], 1, (100, 2))])
    # A non-default index: the tables must align to it, not to row positions.
    return pd.DataFrame(X, columns=["height", "weight"], index=[f"r{i}" for i in range(250)])


def _widgets(frame):
    yield "FitPlayer", FitPlayer(frame, n_components=2, random_state=0)
    yield "MixtureExplorer", MixtureExplorer(frame, n_components=2, random_state=0)
    yield "AnomalyInspector", AnomalyInspector(frame, n_components=2, random_state=0)
    sel = ModelSelector(frame, n_components=[1, 2, 3], covariance_types=["full"], random_state=0)
    yield "ModelSelector", sel


def test_every_widget_gives_its_models_tables_on_the_frames_index(frame):
    for name, w in _widgets(frame):
        model = w._table_model()
        got = w.assignments()
        assert got.index.equals(frame.index), name
        want = assignments(model, frame)
        pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12)
        np.testing.assert_allclose(w.uncertainty(), uncertainty(model, frame), rtol=1e-12)
        labels = w.least_certain(5)
        assert list(labels) == list(got["uncertainty"].sort_values(ascending=False).index[:5])
        prof = w.profile()
        assert "height mean" in prof.columns, name
        pd.testing.assert_frame_equal(prof, model_profile(model, frame))


def test_model_selector_tables_follow_the_selection(frame):
    sel = ModelSelector(frame, n_components=[1, 2, 3], covariance_types=["full"], random_state=0)
    assert sel.assignments().shape[1] == sel.best_.n_components + 3
    sel.selection = [3, "full"]
    assert sel.assignments().shape[1] == 3 + 3


def test_a_player_of_a_recorded_fit_reads_its_last_state(frame):
    history = History()
    gm = GaussianMixture(2, random_state=0, callbacks=history).fit(frame)
    player = FitPlayer(frame, history)
    assert player.source == "history" and player.model is None
    np.testing.assert_allclose(
        player.assignments()["log_density"], gm.score_samples(frame), rtol=1e-10
    )


def test_arrays_give_positions(frame):
    player = FitPlayer(frame.to_numpy(), n_components=2, random_state=0)
    assert player.assignments().index[0] == 0
    rows = player.least_certain(3)
    assert rows.dtype.kind == "i" and len(rows) == 3


def test_a_density_that_is_not_a_mixture_is_refused_clearly(frame):
    kde = pytest.importorskip("sklearn.neighbors").KernelDensity().fit(frame)
    inspector = AnomalyInspector(frame, model=kde)
    with pytest.raises(TypeError, match="Gaussian mixture"):
        inspector.assignments()
