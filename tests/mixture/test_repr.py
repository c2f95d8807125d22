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


def test_covariances_of_every_type_in_the_summary_table():
    import re

    from gmm_widgets.mixture import mixture_html
    from gmm_widgets.mixture._repr import covariance_html

    X, _ = make_mixture(seed=2)
    for cov_type in ("full", "tied", "diag", "spherical"):
        gm = GaussianMixture(3, covariance_type=cov_type, random_state=0).fit(X)
        plain = gm._repr_html_()
        text = mixture_html(gm, covariances=True, facts=[("BIC", "1.5"), ("<x>", "y")])
        assert ">covariance<" not in plain  # the plain repr stays as it was
        assert "BIC <b>1.5</b>" in text and "&lt;x&gt;" in text
        cov = gm.covariances_
        if cov_type == "full":
            assert f"{cov[0][0, 1]:.3g}" in text and text.count("display:inline-table") == 3
        elif cov_type == "tied":
            assert "shared by all components" in text
            assert text.count("display:inline-table") == 1  # shown once, not per row
        elif cov_type == "diag":
            assert text.count("diag(") == 3
        else:
            assert len(re.findall("σ² = ", text)) == 3
            assert covariance_html(cov, "spherical", 1) == f"σ² = {cov[1]:.4g}"


def test_large_covariances_are_summarised():
    from gmm_widgets.mixture._repr import covariance_html

    rng = np.random.default_rng(0)
    A = rng.normal(size=(6, 6))
    cov = (A @ A.T + np.eye(6))[None]
    text = covariance_html(cov, "full", 0)
    _, logdet = np.linalg.slogdet(cov[0])
    assert text == f"tr {np.trace(cov[0]):.4g}, log det {logdet:.4g}"
    assert "diag(" in covariance_html(np.ones((1, 8)), "diag", 0)
    assert covariance_html(np.ones((1, 9)), "diag", 0).startswith("tr 9")


def test_parameters_without_an_estimator_are_summarised_not_called_unfitted():
    from gmm_widgets.mixture._repr import mixture_html
    from gmm_widgets.mixture.params import MixtureParams

    params = {
        "weights": [0.25, 0.75],
        "means": [[0.0, 1.0], [4.0, 5.0]],
        "covariances": [1.0, 2.0],
        "covariance_type": "spherical",
    }
    for obj in (params, MixtureParams(**params)):
        text = mixture_html(obj, covariances=True)
        assert "not fitted" not in text and "iterations" not in text
        assert "2 components, 2 features" in text and "0.750" in text
        assert "σ² = 2" in text
    # Parameters that carry their iteration and lower bound (as an EMState does) show them.
    state = MixtureParams(**params, n_iter=7, lower_bound=-1.25, converged=True)
    assert "7 iterations (converged), lower bound -1.25" in mixture_html(state)


def test_a_diverged_fit_shows_why_instead_of_raising():
    from gmm_widgets.mixture._repr import mixture_html

    X, _ = make_mixture(seed=3)
    gm = GaussianMixture(2, random_state=0).fit(X)
    gm.means_ = np.full_like(gm.means_, np.nan)
    text = gm._repr_html_()
    assert "GaussianMixture" in text and "NaN or infinity" in text
    assert "NaN or infinity" in mixture_html(gm, covariances=True)
