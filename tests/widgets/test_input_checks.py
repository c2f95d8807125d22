"""Issue 14: widgets refuse inputs that would silently give a wrong picture."""

from __future__ import annotations

import numpy as np
import pytest
import traitlets

from gmm_widgets import (
    AnomalyInspector,
    FitPlayer,
    GaussianMixture,
    MixtureExplorer,
    ModelSelector,
)
from tests.helpers import make_mixture

pd = pytest.importorskip("pandas")
X, _ = make_mixture(n_per=60, d=2, K=3, seed=11)
DF = pd.DataFrame(X, columns=["a", "b"])


def test_anomaly_inspector_refuses_reordered_columns():
    model = GaussianMixture(3, random_state=0).fit(DF)
    AnomalyInspector(DF, model=model)  # same columns: fine
    with pytest.raises(ValueError, match="same order as they were in fit"):
        AnomalyInspector(DF[["b", "a"]], model=model)


# ----------------------------------------------------------------- item 4: widget state
def test_explorer_update_is_all_or_nothing():
    w = MixtureExplorer(X, n_components=2, random_state=0)
    means = np.array(w.result["means"]) if "means" in w.result else None
    with pytest.raises(traitlets.TraitError):
        w.update(n_components=4, covariance_type="FULL")
    assert w.n_components == 2 and w.covariance_type == "full"
    with w.hold_refit():  # an empty batch must not apply the refused update
        pass
    assert w.n_components == 2
    if means is not None:
        np.testing.assert_array_equal(np.array(w.result["means"]), means)
    with pytest.raises(ValueError, match="means_init"):
        w.update(n_components=3, means_init=np.zeros((2, 2)))
    assert w.n_components == 2
    w.update(n_components=3, covariance_type="diag")  # and the widget still works
    assert w.n_components == 3 and w.covariance_type == "diag"


@pytest.mark.parametrize(("trait", "value"), [("k_max", 0), ("k_min", 0), ("k_min", 50)])
def test_explorer_k_limits_are_validated(trait, value):
    w = MixtureExplorer(X, n_components=2, random_state=0)
    before = (w.k_min, w.k_max)
    with pytest.raises(traitlets.TraitError, match=trait):
        setattr(w, trait, value)
    assert (w.k_min, w.k_max) == before


@pytest.fixture(scope="module")
def selector():
    sel = ModelSelector(X, n_components=[1, 2], covariance_types=("full", "diag"))
    assert sel.best  # the grid is fitted in the constructor
    return sel


@pytest.mark.parametrize("trait", ["best", "selection"])
@pytest.mark.parametrize("value", [[99, "full"], ["x", "full"], [2, "FULL"], [2]])
def test_selector_keys_are_validated(selector, trait, value):
    before = list(getattr(selector, trait))
    with pytest.raises(traitlets.TraitError, match=rf"{trait} must be \[\] or"):
        setattr(selector, trait, value)
    assert getattr(selector, trait) == before
    assert selector.best_ is not None


def test_fit_player_feature_names_must_match_columns():
    p = FitPlayer(X, n_components=2, random_state=0)
    with pytest.raises(traitlets.TraitError, match="one name per column of X: 2 names, got 1"):
        p.feature_names = ["a"]
    p.feature_names = ["u", "v"]
    assert "u" in p.to_svg()
