"""clone, Pipeline and GridSearchCV, when scikit-learn is installed."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from gmm_widgets import GaussianMixture
from tests.helpers import make_mixture

sklearn = pytest.importorskip("sklearn")


def test_clone():
    from sklearn.base import clone

    gm = GaussianMixture(3, covariance_type="tied", random_state=1, means_init=np.zeros((3, 2)))
    c = clone(gm)
    assert c is not gm and c.get_params()["covariance_type"] == "tied"
    assert not hasattr(c, "means_")


def test_pipeline():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, _y = make_mixture(seed=1)
    pipe = make_pipeline(StandardScaler(), GaussianMixture(3, random_state=0)).fit(X)
    labels = pipe.predict(X)
    assert labels.shape == (len(X),)
    assert np.isfinite(pipe.score(X))


def test_grid_search_picks_true_k():
    from sklearn.model_selection import GridSearchCV, KFold

    X, _ = make_mixture(n_per=150, K=3, sep=6.0, seed=2)

    def neg_bic(est, X, y=None):
        return -est.bic(X)

    search = GridSearchCV(
        GaussianMixture(random_state=0),
        {"n_components": [1, 2, 3, 4], "covariance_type": ["full", "spherical"]},
        scoring=neg_bic,
        cv=KFold(3, shuffle=True, random_state=0),
    ).fit(X)
    assert search.best_params_["n_components"] == 3
    GridSearchCV(GaussianMixture(random_state=0), {"n_components": [1, 3]}, cv=2).fit(X)


def test_core_never_imports_sklearn_or_widgets():
    # numba too: a small fit must not pay for loading the compiled kernel.
    code = (
        "import sys, numpy as np; import gmm_widgets; from gmm_widgets import GaussianMixture;"
        "GaussianMixture(2, random_state=0).fit(np.random.default_rng(0).normal(size=(50, 2)));"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('sklearn', 'matplotlib', 'ipywidgets', 'anywidget', 'traitlets', 'dask', 'numba')];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
