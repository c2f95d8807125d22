"""Point selection (.selection, brush, lasso, component click) and the profile table trait.

Every expected selection is computed here by hand or by an independent method
(matplotlib's Path for polygons, scipy's densities for hard assignments), never by the
code under test.
"""

from __future__ import annotations

import numpy as np
import pytest
import traitlets
from matplotlib.path import Path
from scipy.stats import multivariate_normal

from gmm_widgets import FitPlayer, GaussianMixture, MixtureExplorer, ModelSelector, model_profile
from gmm_widgets.widgets._selection import check_rows, in_polygon, in_rectangle
from gmm_widgets.widgets._transport import decode_array

pd = pytest.importorskip("pandas")

# A small table with a non-trivial index (not sorted, not positions).
LABELS = ["q", "b", "x", "a", "m", "z", "c", "k"]
POINTS = np.array(
    [
        [0.0, 0.0],  # q: a corner of the brush below
        [1.0, 1.0],  # b: inside
        [2.0, 0.5],  # x: on the right edge of the brush
        [3.0, 3.0],  # a: outside
        [0.5, 2.0],  # m: above the brush
        [-1.0, 0.5],  # z: left of it
        [1.5, 0.2],  # c: inside
        [2.5, 2.5],  # k: outside
    ]
)


@pytest.fixture()
def table():
    return pd.DataFrame(POINTS, columns=["u", "v"], index=pd.Index(LABELS, name="id"))


@pytest.fixture()
def player(table):
    return FitPlayer(table, n_components=2, random_state=0)


def _mask_rows(mask):
    return np.flatnonzero(mask).tolist()


# --------------------------------------------------------------------------- hit tests
def test_unit_square_edges_are_half_open():
    square = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=float)
    pts = np.array(
        [
            [0.5, 0.5],  # inside
            [0.0, 0.5],  # left edge: in
            [0.5, 0.0],  # bottom edge: in
            [1.0, 0.5],  # right edge: out
            [0.5, 1.0],  # top edge: out
            [0.0, 0.0],  # bottom-left corner: in
            [1.0, 1.0],  # top-right corner: out
            [1.0, 0.0],  # bottom-right corner: out
            [0.0, 1.0],  # top-left corner: out
        ]
    )
    assert in_polygon(pts, square).tolist() == [1, 1, 1, 0, 0, 1, 0, 0, 0]
    # The vertex order (clockwise) does not change the answer.
    assert in_polygon(pts, square[::-1]).tolist() == [1, 1, 1, 0, 0, 1, 0, 0, 0]


def test_two_squares_sharing_an_edge_hold_each_point_once():
    left = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=float)
    right = left + np.array([1.0, 0.0])
    shared = np.column_stack([np.ones(11), np.linspace(0, 0.99, 11)])
    both = in_polygon(shared, left).astype(int) + in_polygon(shared, right).astype(int)
    assert both.tolist() == [1] * 11


def test_concave_lasso_by_hand():
    # A "U": the notch between the arms (x in (1, 2), y > 1) is outside.
    u_shape = np.array([[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3]], float)
    pts = np.array([[0.5, 2.0], [1.5, 2.0], [2.5, 2.0], [1.5, 0.5], [1.5, 3.5], [-0.5, 1]])
    assert in_polygon(pts, u_shape).tolist() == [True, False, True, True, False, False]


def test_polygon_matches_matplotlib_away_from_edges():
    rng = np.random.default_rng(3)
    angles = np.sort(rng.uniform(0, 2 * np.pi, 40))
    radii = rng.uniform(0.3, 1.0, 40)  # a star-shaped, very concave polygon
    poly = np.column_stack([radii * np.cos(angles), radii * np.sin(angles)])
    pts = rng.uniform(-1.1, 1.1, (20_000, 2))
    expected = Path(poly).contains_points(pts)
    assert np.array_equal(in_polygon(pts, poly), expected)
    assert 0 < expected.sum() < pts.shape[0]


def _crossings_one_by_one(px, py, poly):
    """The half-open crossing rule written out per point and edge (the definition)."""
    inside = False
    m = len(poly)
    for i in range(m):
        (ax, ay), (bx, by) = poly[i - 1], poly[i]
        if (ay > py) != (by > py) and px < ax + (py - ay) * (bx - ax) / (by - ay):
            inside = not inside
    return inside


def test_polygon_equals_the_rule_point_by_point_on_a_grid_of_edge_cases():
    # Integer vertices and integer points: many points lie on edges and vertices,
    # including horizontal edges and a vertex touching the band's top and bottom.
    poly = [(0, 0), (6, 0), (6, 2), (4, 2), (4, 5), (7, 5), (3, 8), (1, 5), (2, 5), (2, 2)]
    pts = np.array([(x, y) for x in range(-1, 9) for y in range(-1, 10)], dtype=float)
    expected = [_crossings_one_by_one(x, y, poly) for x, y in pts]
    assert in_polygon(pts, np.array(poly, dtype=float)).tolist() == expected
    assert 10 < sum(expected) < len(expected) - 10


def test_self_intersecting_lasso_uses_even_odd():
    # A bow tie: the two triangles are in, the points beside the crossing are out.
    bow = np.array([[0, 0], [2, 2], [2, 0], [0, 2]], dtype=float)
    pts = np.array([[0.2, 1.0], [1.8, 1.0], [1.0, 0.2], [1.0, 1.8]])
    assert in_polygon(pts, bow).tolist() == [True, True, False, False]


def test_rectangle_is_closed_and_corner_order_free():
    inside = in_rectangle(POINTS, 2.0, 0.0, 1.0, 0.0)  # corners given swapped
    assert _mask_rows(inside) == [0, 1, 2, 6]


def test_fewer_than_three_vertices_enclose_nothing():
    assert not in_polygon(POINTS, POINTS[:2]).any()


# ------------------------------------------------------------------- positions, labels
def test_positions_and_index_labels(player, table):
    player.selection = [1, 6]
    assert player.selection.tolist() == [1, 6]
    assert list(player.selected_index) == ["b", "c"]
    assert player.selected().equals(table.iloc[[1, 6]])
    player.selected_index = ["k", "q", "x"]  # any order: positions come back sorted
    assert player.selection.tolist() == [0, 2, 7]
    assert player.selected().index.tolist() == ["q", "x", "k"]


def test_array_input_gives_positions_and_rows():
    w = FitPlayer(POINTS, n_components=2, random_state=0)
    w.selection = np.array([3, 5])
    assert w.selected_index.tolist() == [3, 5]
    assert np.array_equal(w.selected(), POINTS[[3, 5]])


def test_a_boolean_mask_selects_its_true_rows(player):
    mask = np.zeros(8, dtype=bool)
    mask[[2, 4]] = True
    player.selection = mask
    assert player.selection.tolist() == [2, 4]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([0, 8], r"in \[0, 7\].*got 8"),
        ([-1], r"in \[0, 7\].*got -1"),
        ([1, 1, 2], "row 1 more than once"),
        ([3, 1], "must be sorted"),
        ([0.5], "integer row positions"),
        ([[0, 1]], "1-D array"),
        (np.ones(5, dtype=bool), "one entry per row of X"),
    ],
)
def test_bad_selections_are_refused_by_name(player, value, message):
    player.selection = [2]
    with pytest.raises(traitlets.TraitError, match=message):
        player.selection = value
    assert player.selection.tolist() == [2]  # unchanged


def test_unknown_labels_are_refused(player):
    with pytest.raises(traitlets.TraitError, match=r"\['nope'\] not in X's index"):
        player.selected_index = ["a", "nope"]


def test_check_rows_of_an_empty_selection():
    assert check_rows([], 5).tolist() == []
    assert check_rows(None, 5).dtype == np.int64


# ------------------------------------------------------------------- regions from views
def _message(w, kind, vertices, mode="replace", **view):
    content = {"type": "select", "kind": kind, "mode": mode, **view}
    w._on_selection_message(w, content, [np.asarray(vertices, "<f8").tobytes()])


def test_brush_and_lasso_messages_select_by_hand(player):
    _message(player, "brush", [[0.0, 0.0], [2.0, 1.0]], projection="features")
    assert list(player.selected_index) == ["q", "b", "x", "c"]
    triangle = [[-2.0, 0.0], [1.0, 3.0], [1.0, 0.1]]  # holds z (-1, 0.5) and m (0.5, 2)
    _message(player, "lasso", triangle, projection="features")
    assert list(player.selected_index) == ["m", "z"]
    _message(player, "brush", [[2.2, 2.2], [3.5, 3.5]], mode="add")  # Shift: adds a, k
    assert list(player.selected_index) == ["a", "m", "z", "k"]
    player._on_selection_message(player, {"type": "select", "kind": "clear"}, [])
    assert player.selection.tolist() == []


def test_region_in_a_chosen_feature_pair_and_in_pca():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4)) * [1.0, 2.0, 0.5, 3.0]
    w = FitPlayer(X, n_components=2, random_state=0)
    poly = np.array([[-1.0, -2.0], [1.5, -1.0], [0.5, 2.5], [-2.0, 1.0]])
    _message(w, "lasso", poly, projection="features", x_feature=3, y_feature=0)
    expected = np.flatnonzero(Path(poly).contains_points(X[:, [3, 0]]))
    assert w.selection.tolist() == expected.tolist()
    assert 10 < expected.size < 290
    # PCA: the points projected by hand on the basis the widget sent.
    mean = np.asarray(w.pca["mean"], dtype=np.float64)
    comps = np.asarray(w.pca["components"], dtype=np.float64)
    xy = (X - mean) @ comps.T
    _message(w, "lasso", poly, projection="pca")
    expected = np.flatnonzero(Path(poly).contains_points(xy))
    assert w.selection.tolist() == expected.tolist()
    assert 10 < expected.size < 290


def test_pca_projection_is_summed_in_feature_order_without_blas():
    from gmm_widgets.widgets._selection import projected_rows
    from gmm_widgets.widgets._static import ViewProjection

    rng = np.random.default_rng(11)
    X = rng.normal(size=(50, 4))
    w = FitPlayer(X, n_components=2, random_state=0)
    w.projection = "pca"
    view = ViewProjection.of(w, 4)
    got = projected_rows(X, view, 0, 50)
    P, m = view.matrix, view.offset
    for i in (0, 17, 49):  # one row at a time, in plain Python floats
        for c in range(2):
            total = 0.0
            for j in range(4):
                if P[j, c] != 0:
                    total += float(P[j, c]) * (float(X[i, j]) - float(m[j]))
            assert got[i, c] == total
    assert np.allclose(got, (X - m) @ P)


def test_region_selects_over_every_row_not_only_the_displayed_ones():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(2_000, 2))
    w = FitPlayer(X, n_components=2, random_state=0, max_display_points=100)
    shown = np.asarray(w.display_rows)
    assert shown.shape == (100,)
    w.select_region([[-0.5, -0.5], [0.5, 0.5]], kind="brush")
    expected = np.flatnonzero((np.abs(X) <= 0.5).all(axis=1))
    assert w.selection.tolist() == expected.tolist()
    assert np.setdiff1d(expected, shown).size > 100  # rows that are not drawn are in


def test_every_request_is_answered(player, monkeypatch):
    # The view previews a gesture until the kernel answers; the answer comes even when
    # the selection does not change (no trait change to sync) or the request fails.
    sent = []
    monkeypatch.setattr(player, "send", lambda content, buffers=None: sent.append(content))
    done = {"type": "selection-done"}
    _message(player, "brush", [[0.0, 0.0], [2.0, 1.0]])
    assert player.selection.tolist() == [0, 1, 2, 6]
    _message(player, "brush", [[0.0, 0.0], [2.0, 1.0]])  # the same rows
    assert sent == [done, done]
    bad = {"type": "select", "kind": "component", "component": 5}
    with pytest.raises(ValueError, match="component must be"):
        player._on_selection_message(player, bad, [])
    assert sent == [done] * 3
    assert player.selection.tolist() == [0, 1, 2, 6]


def test_display_rows_is_none_when_every_row_is_drawn(player):
    assert player.display_rows is None


def test_bad_regions_are_refused(player):
    with pytest.raises(ValueError, match=r"shape \(m, 2\)"):
        player.select_region([1.0, 2.0])
    with pytest.raises(ValueError, match="finite"):
        player.select_region([[0, 0], [np.nan, 1], [1, 1]])
    with pytest.raises(ValueError, match="2 corners"):
        player.select_region([[0, 0], [1, 1], [2, 2]], kind="brush")
    with pytest.raises(ValueError, match="mode must be one of"):
        player.select_region([[0, 0], [1, 1]], kind="brush", mode="xor")


# ------------------------------------------------------------------- components
def _hard_labels(weights, means, covariances, X):
    """argmax_k w_k N(x | m_k, S_k), by scipy."""
    parts = zip(weights, means, covariances, strict=True)
    dens = np.column_stack([w * multivariate_normal(m, S).pdf(X) for w, m, S in parts])
    return dens.argmax(axis=1)


def test_component_click_selects_its_hard_assignment():
    rng = np.random.default_rng(5)
    X = np.vstack([rng.normal([0, 0], 1, (120, 2)), rng.normal([4, 3], 0.7, (80, 2))])
    w = FitPlayer(X, n_components=2, random_state=0)
    gm = w.model
    labels = _hard_labels(gm.weights_, gm.means_, gm.covariances_, X)
    w._on_selection_message(w, {"type": "select", "kind": "component", "component": 1}, [])
    assert w.selection.tolist() == np.flatnonzero(labels == 1).tolist()
    # Under the frame shown (the legend's model): the first frame's parameters.
    w.frame = 0
    s0 = w.states[0]
    labels0 = _hard_labels(s0.weights, s0.means, s0.covariances, X)
    w.select_component(0)
    assert w.selection.tolist() == np.flatnonzero(labels0 == 0).tolist()
    # A profile-table click reads the final model, whatever the frame.
    message = {"type": "select", "kind": "component", "component": 0, "model": "profile"}
    w._on_selection_message(w, message, [])
    assert w.selection.tolist() == np.flatnonzero(labels == 0).tolist()
    # Shift-click adds.
    w.select_component(1, mode="add", shown=False)
    assert w.selection.tolist() == list(range(200))
    with pytest.raises(ValueError, match=r"component must be an integer in \[0, 1\]"):
        w.select_component(2)


# ------------------------------------------------------------------- refits
def test_selection_survives_a_refit(table):
    w = FitPlayer(table, n_components=2, random_state=0)
    w.selected_index = ["b", "k"]
    w.fit()
    assert list(w.selected_index) == ["b", "k"]
    ex = MixtureExplorer(table, n_components=2, random_state=0, animate=False)
    ex.selection = [0, 3, 5]
    ex.update(n_components=3)
    ex.refit()
    assert ex.model.n_components == 3
    assert list(ex.selected_index) == ["q", "a", "z"]


def test_model_selector_keeps_its_own_selection_trait(table):
    ms = ModelSelector(table, n_components=[1, 2], covariance_types=["full"], random_state=0)
    assert ms.selection == [ms.best[0], ms.best[1]]  # the chosen [K, type], as before
    ms.selected_rows = np.array([1, 2])
    assert list(ms.selected_index) == ["b", "x"]
    # Its profile table follows the model it selects.
    ms.profile_shown = True
    ms.select(1, "full")
    assert ms.profile_table["weight"].tolist() == [1.0]
    ms.select(2, "full")
    assert np.allclose(ms.profile_table["weight"], ms.result.models[(2, "full")].weights_)


# ------------------------------------------------------------------- profile table
def test_profile_trait_holds_model_profiles_numbers():
    rng = np.random.default_rng(7)
    X = pd.DataFrame(
        np.vstack([rng.normal([0, 0, 5], 1, (75, 3)), rng.normal([6, 0, 5], 1, (75, 3))]),
        columns=["a", "b", "c"],
    )
    w = FitPlayer(X, n_components=2, random_state=0)
    assert w.profile_table == {}  # computed only while shown
    w.profile_shown = True
    t = w.profile_table
    frame = model_profile(w.model, X)
    assert np.allclose(t["weight"], frame["weight"])
    assert t["count"].tolist() == frame["count"].tolist()
    for j, name in enumerate(["a", "b", "c"]):
        assert np.allclose(t["mean"][:, j], frame[f"{name} mean"])
        assert np.allclose(t["sd"][:, j], frame[f"{name} sd"])
    # By hand: counts from the hard labels, effects from the data's mean and sd.
    gm = w.model
    labels = _hard_labels(gm.weights_, gm.means_, gm.covariances_, X.to_numpy())
    assert t["count"].tolist() == np.bincount(labels, minlength=2).tolist()
    effect = (gm.means_ - X.to_numpy().mean(0)) / X.to_numpy().std(0)
    assert np.allclose(t["effect"], effect)
    # Feature a sets both components apart (about +-0.95 sd), b and c do not.
    assert t["separating"].tolist() == [[True, False, False], [True, False, False]]
    for k in range(2):
        flagged = {n for n, f in zip("abc", t["separating"][k], strict=True) if f}
        named = {part.split(" (")[0] for part in frame["separating"][k].split(", ") if part}
        assert flagged == named
    w.profile_shown = False
    assert w.profile_table == {}


def test_profile_follows_the_explorers_model():
    rng = np.random.default_rng(8)
    X = rng.normal(size=(200, 2))
    ex = MixtureExplorer(X, n_components=2, random_state=0, animate=False)
    ex.profile_shown = True
    assert ex.profile_table["weight"].shape == (2,)
    ex.update(n_components=3)
    ex.refit()
    assert ex.profile_table["weight"].shape == (3,)
    assert np.allclose(ex.profile_table["weight"], ex.model.weights_)


# ------------------------------------------------------------------- transport
def test_selection_and_profile_travel_as_binary(player):
    player.selection = [0, 4, 7]
    player.profile_shown = True
    state = player.get_state()
    rows = state["selected_rows"]
    assert isinstance(rows["buffer"], memoryview) and rows["dtype"] == "int32"
    assert decode_array(rows).tolist() == [0, 4, 7]
    for key in ("weight", "count", "mean", "sd", "effect", "separating"):
        assert isinstance(state["profile_table"][key]["buffer"], memoryview), key
    # The browser never writes a list: what it sends back decodes the same way.
    player.set_state({"selected_rows": rows})
    assert player.selection.tolist() == [0, 4, 7]


def test_selection_from_the_browser_is_validated(player):
    bad = {"shape": [2], "dtype": "int32", "buffer": memoryview(np.array([5, 9], "<i4"))}
    with pytest.raises(traitlets.TraitError, match="got 9"):
        player.set_state({"selected_rows": bad})


def test_summary_player_selects(table):
    gm = GaussianMixture(n_components=2, random_state=0).fit(table)
    from gmm_widgets.widgets.summary import MixtureSummary

    s = MixtureSummary(gm, table)
    s.player.select_component(0, shown=False)
    assert s.player.selection.tolist() == np.flatnonzero(gm.predict(table) == 0).tolist()
