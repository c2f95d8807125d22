"""The pairs view and the uncertainty toggle: traits, validation, constructors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import traitlets

from gmm_widgets import GaussianMixture
from gmm_widgets.widgets import FitPlayer, MixtureExplorer, MixtureSummary
from gmm_widgets.widgets._pairs import MAX_PAIR_FEATURES, feature_index, pair_indices


@pytest.fixture(scope="module")
def frame10() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (60, 10)), rng.normal(4, 1, (60, 10))])
    return pd.DataFrame(X, columns=[f"c{i}" for i in range(10)])


@pytest.fixture(scope="module")
def player(frame10):
    return FitPlayer(frame10, n_components=2, random_state=0)


def test_defaults_are_off_and_the_first_eight(player):
    assert player.pairs_view is False
    assert player.uncertainty_view is False
    assert player.pair_features == list(range(8))


def test_default_for_few_features():
    X = np.random.default_rng(1).normal(size=(50, 3))
    p = FitPlayer(X, n_components=2, random_state=0)
    assert p.pair_features == [0, 1, 2]


def test_constructor_takes_names_and_indices(frame10):
    p = FitPlayer(
        frame10,
        n_components=2,
        random_state=0,
        max_iter=3,
        pairs_view=True,
        pair_features=["c3", 0, "c9"],
        uncertainty_view=True,
    )
    assert p.pair_features == [3, 0, 9]
    assert p.pairs_view is True
    assert p.uncertainty_view is True


def test_assigning_names_stores_indices(player):
    player.pair_features = ["c1", "c4"]
    assert player.pair_features == [1, 4]
    player.pair_features = [7, 2, 5]
    assert player.pair_features == [7, 2, 5]


def test_a_missing_column_names_it_and_the_columns(player, frame10):
    with pytest.raises(traitlets.TraitError, match=r"'nope'.*columns are 'c0', 'c1'"):
        player.pair_features = ["c0", "nope"]
    # In the constructors: a ValueError, before anything is fitted or displayed.
    with pytest.raises(ValueError, match=r"'nope'.*columns are 'c0'"):
        FitPlayer(frame10, n_components=2, pair_features=["nope", 0])
    with pytest.raises(ValueError, match=r"column 'zz'"):
        MixtureExplorer(frame10, pair_features=["zz"])
    with pytest.raises(ValueError, match=r"columns are 'x0', 'x1'"):
        FitPlayer(frame10.to_numpy(), n_components=2, pair_features=["c0", "c1"])


def test_more_than_eight_is_refused_with_the_limit(player):
    with pytest.raises(traitlets.TraitError, match=r"9 features.*at most 8"):
        player.pair_features = list(range(9))
    assert MAX_PAIR_FEATURES == 8


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([0, 0], "twice"),
        ([3], "at least 2"),
        ([0, 10], r"index 10, outside \[0, 9\]"),
        ([0, -1], r"index -1"),
        ([0, 1.5], "names \\(str\\) or indices \\(int\\)"),
        ([True, 1], "names \\(str\\) or indices \\(int\\)"),
    ],
)
def test_bad_subsets(player, value, message):
    before = list(player.pair_features)
    with pytest.raises(traitlets.TraitError, match=message):
        player.pair_features = value
    assert player.pair_features == before


def test_a_string_is_not_a_list_of_names():
    with pytest.raises(TypeError, match="list of column names"):
        pair_indices("c0", ["c0", "c1"])


def test_bad_toggles_in_constructors(frame10):
    with pytest.raises(TypeError, match="pairs_view must be True or False"):
        FitPlayer(frame10, n_components=2, pairs_view="yes")
    with pytest.raises(TypeError, match="uncertainty_view must be True or False"):
        FitPlayer(frame10, n_components=2, uncertainty_view=1)
    one = np.random.default_rng(0).normal(size=(40, 1))
    with pytest.raises(ValueError, match="needs at least 2 features"):
        FitPlayer(one, n_components=2, pairs_view=True)


def test_indices_only_before_the_data():
    from gmm_widgets.widgets._pairs import PairsViewMixin

    class Bare(PairsViewMixin):
        feature_names = traitlets.List([])

    b = Bare()
    b.pair_features = [2, 0]
    assert b.pair_features == [2, 0]
    with pytest.raises(traitlets.TraitError, match="set the data before naming"):
        b.pair_features = ["a"]


def test_one_feature_keeps_the_single_view():
    one = np.random.default_rng(0).normal(size=(40, 1))
    p = FitPlayer(one, n_components=2, random_state=0)
    assert p.pair_features == [0]
    with pytest.raises(traitlets.TraitError, match="needs at least 2 features"):
        p.pairs_view = True


def test_show_pairs_and_show_pair(frame10):
    p = FitPlayer(frame10, n_components=2, random_state=0)
    p.projection = "pca"
    p.show_pairs(["c2", "c5", "c6"])
    assert (p.pairs_view, p.pair_features) == (True, [2, 5, 6])
    p.show_pair("c6", 2)
    assert (p.x_feature, p.y_feature, p.projection, p.pairs_view) == (6, 2, "features", False)
    with pytest.raises(traitlets.TraitError, match="column 'q'"):
        p.show_pair("q", 0)


def test_feature_index():
    assert feature_index("b", ["a", "b"], "x") == 1
    assert feature_index(np.int64(0), ["a", "b"], "x") == 0
    with pytest.raises(ValueError, match="x names the column 'c'"):
        feature_index("c", ["a", "b"], "x")


def test_the_data_is_sent_once_and_the_pairs_traits_are_small(frame10):
    p = FitPlayer(frame10, n_components=2, random_state=0, pairs_view=True)
    state = p.get_state()
    buffers = [k for k, v in state.items() if isinstance(v, dict) and "buffer" in v]
    assert "data" in buffers
    # the features travel as a binary int32 array too, and come back as a list
    assert isinstance(state["pair_features"]["buffer"], memoryview)
    assert state["pair_features"]["dtype"] == "int32"
    assert p.trait_metadata("pair_features", "from_json")(state["pair_features"], p) == list(
        range(8)
    )
    assert state["pairs_view"] is True and state["uncertainty_view"] is False


def test_mixture_explorer_has_the_traits(frame10):
    e = MixtureExplorer(frame10, 2, pairs_view=True, pair_features=["c1", "c0"])
    assert (e.pairs_view, e.pair_features, e.uncertainty_view) == (True, [1, 0], False)
    e.uncertainty_view = True
    assert e.uncertainty_view is True


def test_summary_passes_them_to_its_player(frame10):
    gm = GaussianMixture(2, random_state=0).fit(frame10)
    s = MixtureSummary(gm, frame10, pairs_view=True, pair_features=["c4", "c1"])
    assert s.player is not None
    assert (s.player.pairs_view, s.player.pair_features) == (True, [4, 1])
    assert s.player.feature_names[4] == "c4"
    # without X, the model's column names are resolved
    s2 = MixtureSummary(gm, pair_features=["c9", "c8"], uncertainty_view=True)
    assert s2.player is not None
    assert s2.player.pair_features == [9, 8] and s2.player.uncertainty_view is True
    with pytest.raises(ValueError, match="column 'zz'"):
        MixtureSummary(gm, pair_features=["zz", "c1"])


# ------------------------------------------------------------------ static pictures
def test_static_picture_of_the_pairs_view(frame10):
    p = FitPlayer(
        frame10, n_components=2, random_state=0, pairs_view=True, pair_features=[0, 3, 5]
    )
    fig = p.to_figure()
    assert len(fig.axes) == 9  # 3 x 3 panels, no trace
    # panel (row 1, column 2): feature 5 across, feature 3 up; the bottom row is labelled
    assert [ax.get_xlabel() for ax in fig.axes[6:]] == ["c0", "c3", "c5"]
    assert [fig.axes[3 * r].get_ylabel() for r in (1, 2)] == ["c3", "c5"]
    scatter = fig.axes[1 * 3 + 2].collections[0]
    offsets = np.asarray(scatter.get_offsets())
    np.testing.assert_allclose(offsets, frame10[["c5", "c3"]].to_numpy(), rtol=1e-6)
    p.pairs_view = False
    assert len(p.to_figure().axes) == 2  # the single view and the trace


def test_static_pictures_of_explorer_and_summary(frame10):
    e = MixtureExplorer(frame10, 2, pairs_view=True, pair_features=[1, 2])
    assert len(e.to_figure().axes) == 4
    gm = GaussianMixture(2, random_state=0).fit(frame10)
    s = MixtureSummary(gm, frame10, pairs_view=True, pair_features=["c1", "c2", "c3"])
    assert len(s.to_figure().axes) == 9


def test_fade_by_uncertainty_by_hand():
    from gmm_widgets.mixture import uncertainty
    from gmm_widgets.widgets._static_pairs import CERTAIN_STRENGTH, fade_by_uncertainty

    resp = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3]])
    rgb = np.array([[0.2, 0.4, 0.6]] * 3)
    out = fade_by_uncertainty(rgb, resp)
    s = [CERTAIN_STRENGTH, CERTAIN_STRENGTH + (1 - CERTAIN_STRENGTH) * 0.5 / (2 / 3), 1.0]
    for i in range(3):
        np.testing.assert_allclose(out[i], 1 + s[i] * (rgb[i] - 1), rtol=1e-12)
    # the same u as the core's uncertainty(): 1 - max responsibility
    gm = GaussianMixture.from_params(
        {
            "weights": [0.5, 0.5],
            "means": [[-2.0], [2.0]],
            "covariances": [1.0, 1.0],
            "covariance_type": "spherical",
        }
    )
    X = np.array([[0.0], [5.0], [1.0]])
    r = gm.predict_proba(X)
    u = uncertainty(gm, X)
    faded = fade_by_uncertainty(np.zeros((3, 3)), r)
    np.testing.assert_allclose(
        faded[:, 0], 1 - (CERTAIN_STRENGTH + (1 - CERTAIN_STRENGTH) * u / 0.5), rtol=1e-12
    )


def test_uncertainty_view_fades_the_static_single_view(frame10):
    p = FitPlayer(frame10, n_components=2, random_state=0)
    plain = np.asarray(p.to_figure().axes[0].collections[0].get_facecolors())
    p.uncertainty_view = True
    faded = np.asarray(p.to_figure().axes[0].collections[0].get_facecolors())
    assert plain.shape == faded.shape
    # fading mixes toward white: every channel moves up or stays
    assert (faded[:, :3] >= plain[:, :3] - 1e-12).all()
    assert (faded[:, :3] > plain[:, :3] + 1e-3).any()
