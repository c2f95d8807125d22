"""The plain HTML repr works with and without a fit, and escapes what it shows."""

from __future__ import annotations

import numpy as np

from gmm_widgets import GaussianMixture
from tests.helpers import make_mixture


def test_html_repr_unfitted_and_fitted():
    gm = GaussianMixture(3, covariance_type="diag", random_state=0)
    text = gm._repr_html_()
    assert "GaussianMixture" in text and "not fitted" in text
    assert "covariance_type=&#x27;diag&#x27;" in text
    X, _ = make_mixture(seed=0)
    gm.fit(X)
    text = gm._repr_html_()
    assert "3 components, 2 features" in text and "converged" in text
    for w in gm.weights_:
        assert f"{w:.3f}" in text
    assert "<script" not in text


def test_html_repr_escapes_feature_names():
    pd = __import__("pytest").importorskip("pandas")
    X, _ = make_mixture(seed=1)
    gm = GaussianMixture(2, random_state=0).fit(pd.DataFrame(X, columns=["<b>", "ok"]))
    text = gm._repr_html_()
    assert "mean &lt;b&gt;" in text and "mean <b>" not in text


def test_html_repr_many_features_and_components():
    rng = np.random.default_rng(0)
    gm = GaussianMixture(14, covariance_type="spherical", random_state=0).fit(
        rng.normal(size=(300, 8))
    )
    text = gm._repr_html_()
    assert "|mean|" in text and "2 more components" in text
