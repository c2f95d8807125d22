"""gmm_widgets.plotting: the static matplotlib figures."""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.patches import Ellipse  # noqa: E402

from gmm_widgets import GaussianMixture, History  # noqa: E402
from gmm_widgets.datasets import make_anomalies, make_mixture, make_mixture_params  # noqa: E402
from gmm_widgets.mixture._validation import NotFittedError  # noqa: E402
from gmm_widgets.mixture.anomaly import detection_metrics  # noqa: E402
from gmm_widgets.plotting import (  # noqa: E402
    _log_density,
    full_covariances,
    plot_assignments,
    plot_bic,
    plot_density_contours,
    plot_ellipses,
    plot_mixture_1d,
    plot_threshold_histogram,
)

COV_TYPES = ("full", "tied", "diag", "spherical")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data2d():
    X, y = make_mixture(
        600,
        weights=[0.5, 0.3, 0.2],
        means=[[0, 0], [6, 1], [1, 7]],
        covariances=[[[2.0, 1.2], [1.2, 1.5]], [[1.0, -0.5], [-0.5, 0.8]], [[0.5, 0], [0, 2.0]]],
        random_state=0,
    )
    return X, y


@pytest.fixture(scope="module")
def gm2d(data2d):
    return GaussianMixture(3, random_state=0).fit(data2d[0])


def _png(ax) -> bytes:
    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png")
    return buf.getvalue()


def _ellipse_data_points(patch: Ellipse) -> np.ndarray:
    """Points on the drawn ellipse, in data coordinates (from its centre, axes, angle)."""
    t = np.linspace(0, 2 * np.pi, 37)
    a = np.radians(patch.angle)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    local = np.column_stack([patch.width / 2 * np.cos(t), patch.height / 2 * np.sin(t)])
    return np.asarray(patch.center) + local @ rot.T


# ----------------------------------------------------------------------------- parameters


@pytest.mark.parametrize("covariance_type", COV_TYPES)
def test_full_covariances_all_types(covariance_type, data2d):
    X, _ = data2d
    gm = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    full = full_covariances(gm)
    assert full.shape == (3, 2, 2)
    c = gm.covariances_
    expected = {
        "full": c,
        "tied": np.stack([c] * 3),
        "diag": np.stack([np.diag(v) for v in np.atleast_2d(c)]),
        "spherical": np.stack([v * np.eye(2) for v in np.atleast_1d(c)]),
    }[covariance_type]
    np.testing.assert_array_equal(full, expected)
    np.testing.assert_allclose(full, gm.covariances_full())


@pytest.mark.parametrize("covariance_type", COV_TYPES)
def test_full_covariances_sklearn(covariance_type, data2d):
    mixture = pytest.importorskip("sklearn.mixture")
    sk = mixture.GaussianMixture(3, covariance_type=covariance_type, random_state=0)
    sk.fit(data2d[0])
    full = full_covariances(sk)
    # A full covariance's inverse is the precision sklearn computed.
    prec = sk.precisions_
    if covariance_type == "tied":
        prec = np.stack([prec] * 3)
    elif covariance_type == "diag":
        prec = np.stack([np.diag(p) for p in prec])
    elif covariance_type == "spherical":
        prec = np.stack([p * np.eye(2) for p in prec])
    np.testing.assert_allclose(np.linalg.inv(full), prec, rtol=1e-8)


def test_parameters_from_state_dict_and_params(data2d):
    X, _ = data2d
    history = History()
    gm = GaussianMixture(3, covariance_type="diag", random_state=0, callbacks=history).fit(X)
    last = history[-1]
    assert full_covariances(last).shape == (3, 2, 2)
    as_dict = {
        "weights": gm.weights_,
        "means": gm.means_,
        "covariances": gm.covariances_,
        "covariance_type": "diag",
    }
    np.testing.assert_array_equal(full_covariances(as_dict), full_covariances(gm))
    p = make_mixture_params(covariance_type="tied", random_state=0)
    np.testing.assert_array_equal(full_covariances(p), p.full_covariances())


def test_bad_models():
    with pytest.raises(NotFittedError, match="not fitted"):
        plot_ellipses(GaussianMixture(2))
    with pytest.raises(TypeError, match="expected a fitted GaussianMixture"):
        plot_ellipses(object())
    with pytest.raises(ValueError, match="covariances must have shape"):
        full_covariances({"means": np.zeros((2, 2)), "covariances": np.ones((2, 2)),
                          "covariance_type": "full"})  # fmt: skip
    with pytest.raises(ValueError, match="covariance_type must be one of"):
        full_covariances({"means": np.zeros((1, 2)), "covariances": [1.0],
                          "covariance_type": "round"})  # fmt: skip


def test_log_density_matches_score_samples_and_predict_proba(data2d, gm2d):
    X, _ = data2d
    log_mix, log_comp = _log_density(X, gm2d.weights_, gm2d.means_, full_covariances(gm2d))
    np.testing.assert_allclose(log_mix, gm2d.score_samples(X), rtol=1e-10)
    np.testing.assert_allclose(np.exp(log_comp - log_mix).T, gm2d.predict_proba(X), atol=1e-10)


# ----------------------------------------------------------------------------- ellipses


@pytest.mark.parametrize("n_std", [(1, 2), (1.5,), 3.0])
def test_ellipses_lie_at_the_mahalanobis_radius(gm2d, n_std):
    ax = plot_ellipses(gm2d, n_std=n_std)
    radii = np.atleast_1d(n_std)
    ellipses = [p for p in ax.patches if isinstance(p, Ellipse)]
    assert len(ellipses) == 3 * len(radii)
    covs = full_covariances(gm2d)
    for idx, patch in enumerate(ellipses):
        k, r = divmod(idx, len(radii))
        pts = _ellipse_data_points(patch) - gm2d.means_[k]
        maha = np.sqrt(np.einsum("ni,ij,nj->n", pts, np.linalg.inv(covs[k]), pts))
        np.testing.assert_allclose(maha, radii[r], rtol=1e-6)
    assert ax.get_legend() is not None
    assert _png(ax)[:4] == b"\x89PNG"


def test_ellipses_pick_the_marginal_for_higher_dimensions():
    X, _ = make_mixture(500, n_components=2, n_features=4, random_state=3)
    gm = GaussianMixture(2, random_state=0).fit(X)
    ax = plot_ellipses(gm, n_std=1, dims=(1, 3), label=False)
    cov = full_covariances(gm)
    for k, patch in enumerate(p for p in ax.patches if isinstance(p, Ellipse)):
        sub = cov[k][np.ix_([1, 3], [1, 3])]
        pts = _ellipse_data_points(patch) - gm.means_[k, [1, 3]]
        maha = np.sqrt(np.einsum("ni,ij,nj->n", pts, np.linalg.inv(sub), pts))
        np.testing.assert_allclose(maha, 1.0, rtol=1e-6)
    with pytest.raises(ValueError, match="dims"):
        plot_ellipses(gm, dims=(0, 0))
    with pytest.raises(ValueError, match="out of range"):
        plot_ellipses(gm, dims=(0, 7))


def test_ellipses_sklearn_model_and_existing_axes(data2d):
    mixture = pytest.importorskip("sklearn.mixture")
    sk = mixture.GaussianMixture(3, covariance_type="spherical", random_state=0)
    sk.fit(data2d[0])
    _, ax = plt.subplots()
    out = plot_ellipses(sk, ax=ax)
    assert out is ax
    widths = [p.width for p in ax.patches if isinstance(p, Ellipse)]
    heights = [p.height for p in ax.patches if isinstance(p, Ellipse)]
    np.testing.assert_allclose(widths, heights)  # spherical components are circles


def test_ellipses_bad_n_std(gm2d):
    with pytest.raises(ValueError, match="n_std"):
        plot_ellipses(gm2d, n_std=(1, -2))


def test_ellipses_need_two_features():
    gm = GaussianMixture(2, random_state=0).fit(np.random.default_rng(0).normal(size=(50, 1)))
    with pytest.raises(ValueError, match="plot_mixture_1d"):
        plot_ellipses(gm)


# ----------------------------------------------------------------------------- density


def test_density_contours(data2d, gm2d):
    X, _ = data2d
    ax = plot_density_contours(gm2d, X, resolution=60, levels=8)
    cs = next(c for c in ax.collections if hasattr(c, "levels"))
    assert len(cs.levels) == 8
    # Levels run from the 1st percentile of the data's log-density to the grid maximum
    # of the model's own log-density (the grid spans the data plus 10 % on each side).
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = 0.1 * (hi - lo)
    g = [np.linspace(lo[i] - pad[i], hi[i] + pad[i], 60) for i in range(2)]
    xx, yy = np.meshgrid(*g)
    grid_max = gm2d.score_samples(np.column_stack([xx.ravel(), yy.ravel()])).max()
    assert cs.levels[-1] == pytest.approx(grid_max, rel=1e-10)
    assert cs.levels[0] == pytest.approx(np.percentile(gm2d.score_samples(X), 1))
    assert len(ax.figure.axes) == 2  # the colour bar
    assert _png(ax)[:4] == b"\x89PNG"


def test_density_contours_marginal_integrates_to_one():
    X, _ = make_mixture(400, n_components=2, n_features=3, random_state=1)
    gm = GaussianMixture(2, random_state=0).fit(X)
    cov = full_covariances(gm)[:, [0, 2]][:, :, [0, 2]]
    g = np.linspace(-25, 25, 500)
    xx, yy = np.meshgrid(g, g)
    pts = np.column_stack([xx.ravel(), yy.ravel()])
    dens = np.exp(_log_density(pts, gm.weights_, gm.means_[:, [0, 2]], cov)[0])
    assert dens.sum() * (g[1] - g[0]) ** 2 == pytest.approx(1.0, abs=1e-3)
    ax = plot_density_contours(gm, X, dims=(0, 2), filled=False, colorbar=False)
    assert len(ax.figure.axes) == 1


def test_density_contours_feature_mismatch(gm2d):
    with pytest.raises(ValueError, match=r"fitted on 2 feature\(s\) but X has 3"):
        plot_density_contours(gm2d, np.zeros((10, 3)))


# ----------------------------------------------------------------------------- 1-D


def test_mixture_1d_curves_add_up():
    rng = np.random.default_rng(0)
    x = np.r_[rng.normal(0, 1, 300), rng.normal(5, 0.5, 200)]
    gm = GaussianMixture(2, random_state=0).fit(x[:, None])
    ax = plot_mixture_1d(gm, x)
    lines = ax.get_lines()
    assert [ln.get_label() for ln in lines] == ["component 0", "component 1", "mixture"]
    grid = lines[-1].get_xdata()
    comps = np.sum([ln.get_ydata() for ln in lines[:-1]], axis=0)
    np.testing.assert_allclose(lines[-1].get_ydata(), comps, rtol=1e-10)
    np.testing.assert_allclose(
        lines[-1].get_ydata(), np.exp(gm.score_samples(grid[:, None])), rtol=1e-10
    )
    # Each component curve is weight * normal density: its area is the weight.
    areas = [np.trapezoid(ln.get_ydata(), grid) for ln in lines[:-1]]
    np.testing.assert_allclose(areas, gm.weights_, atol=2e-3)
    # A density histogram: bar areas sum to 1.
    bars = [p for p in ax.patches if p.get_label() == "data" or p.get_height() > 0]
    assert sum(p.get_width() * p.get_height() for p in bars) == pytest.approx(1.0)


def test_mixture_1d_from_2d_data_uses_the_marginal(data2d, gm2d):
    X, _ = data2d
    ax = plot_mixture_1d(gm2d, X, dim=1)
    mix = ax.get_lines()[-1]
    grid = mix.get_xdata()
    sd = np.sqrt(full_covariances(gm2d)[:, 1, 1])
    expected = sum(
        w * np.exp(-0.5 * ((grid - m) / s) ** 2) / (s * np.sqrt(2 * np.pi))
        for w, m, s in zip(gm2d.weights_, gm2d.means_[:, 1], sd, strict=True)
    )
    np.testing.assert_allclose(mix.get_ydata(), expected, rtol=1e-10)
    with pytest.raises(ValueError, match=r"but x has 3\. .* refit it on x"):
        plot_mixture_1d(gm2d, np.zeros((5, 3)))
    with pytest.raises(ValueError, match="NaN"):
        plot_mixture_1d(gm2d, np.array([0.0, np.nan]))


# ----------------------------------------------------------------------------- BIC


def _records(X):
    recs = []
    for ct in ("full", "diag"):
        for k in (1, 2, 3, 4):
            m = GaussianMixture(k, covariance_type=ct, random_state=0).fit(X)
            recs.append(
                {"n_components": k, "covariance_type": ct, "bic": m.bic(X),
                 "aic": m.aic(X), "icl": m.icl(X)}
            )  # fmt: skip
    return recs


def test_plot_bic_curves_and_best(data2d):
    X, _ = data2d
    recs = _records(X)
    rng = np.random.default_rng(0)
    ax = plot_bic([recs[i] for i in rng.permutation(len(recs))], criterion="bic")
    curves = {ln.get_label(): ln for ln in ax.get_lines() if not ln.get_label().startswith("_")}
    assert set(curves) == {"full", "diag"}
    for ct, line in curves.items():
        expected = [r["bic"] for r in recs if r["covariance_type"] == ct]
        np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3, 4])
        np.testing.assert_allclose(line.get_ydata(), expected)
    assert "lower is better" in ax.get_ylabel() and "BIC" in ax.get_ylabel()
    best = min(recs, key=lambda r: r["bic"])
    star = next(ln for ln in ax.get_lines() if ln.get_marker() == "*")
    assert star.get_xdata()[0] == best["n_components"]
    assert f"K={best['n_components']}" in ax.get_title()
    assert best["n_components"] == 3  # the data have three clusters


def test_plot_bic_accepts_frames_and_columns(data2d):
    X, _ = data2d
    recs = _records(X)
    columns = {key: [r[key] for r in recs] for key in recs[0]}
    ax1 = plot_bic(columns, criterion="AIC")
    assert "AIC" in ax1.get_ylabel()
    pd = pytest.importorskip("pandas")
    ax2 = plot_bic(pd.DataFrame(recs), criterion="icl")
    icl_full = next(ln for ln in ax2.get_lines() if ln.get_label() == "full")
    np.testing.assert_allclose(
        icl_full.get_ydata(), [r["icl"] for r in recs if r["covariance_type"] == "full"]
    )


def test_plot_bic_skips_failed_fits_and_rejects_bad_input():
    recs = [
        {"n_components": 1, "covariance_type": "full", "bic": 10.0},
        {"n_components": 2, "covariance_type": "full", "bic": float("nan")},
        {"n_components": 3, "covariance_type": "full", "bic": 7.0},
    ]
    ax = plot_bic(recs)
    line = next(ln for ln in ax.get_lines() if ln.get_label() == "full")
    np.testing.assert_array_equal(line.get_xdata(), [1, 3])
    with pytest.raises(ValueError, match="criterion must be one of"):
        plot_bic(recs, criterion="silhouette_score")
    with pytest.raises(ValueError, match="lacks the key"):
        plot_bic([{"bic": 1.0}])
    with pytest.raises(ValueError, match="no record has a finite"):
        plot_bic(recs, criterion="aic")
    with pytest.raises(TypeError, match="list of dicts"):
        plot_bic(42)


# ----------------------------------------------------------------------------- threshold


def test_threshold_histogram_without_labels():
    scores = np.random.default_rng(0).normal(size=500)
    t = float(np.percentile(scores, 4))
    ax = plot_threshold_histogram(scores, t)
    vlines = [ln for ln in ax.get_lines() if np.allclose(ln.get_xdata(), t)]
    assert len(vlines) == 1
    n = int((scores < t).sum())
    assert f"{n} below" in vlines[0].get_label()
    assert sum(p.get_height() for p in ax.patches if hasattr(p, "get_height")) >= 500


def test_threshold_histogram_with_labels_shows_f1():
    X, y = make_anomalies(800, contamination=0.05, random_state=0)
    gm = GaussianMixture(3, random_state=0).fit(X)
    s = gm.score_samples(X)
    t = float(np.percentile(s, 6))
    ax = plot_threshold_histogram(s, t, labels=y, log=True)
    m = detection_metrics(y, s < t)
    assert f"F1 {m.f1:.2f}" in ax.get_title()
    assert f"precision {m.precision:.2f}" in ax.get_title()
    assert ax.get_yscale() == "log"
    assert _png(ax)[:4] == b"\x89PNG"


def test_threshold_histogram_bad_input():
    s = np.arange(10.0)
    with pytest.raises(ValueError, match="labels has 9 entries but there are 10 samples"):
        plot_threshold_histogram(s, 3.0, labels=np.zeros(9))
    with pytest.raises(ValueError, match="scores contains NaN"):
        plot_threshold_histogram(np.r_[s, np.nan], 3.0)
    with pytest.raises(ValueError, match="threshold must be finite"):
        plot_threshold_histogram(s, float("nan"))


# ----------------------------------------------------------------------------- assignments


def test_assignments_soft_colours_blend_responsibilities(data2d, gm2d):
    X, _ = data2d
    ax = plot_assignments(gm2d, X, soft=True)
    colors = ax.collections[0].get_facecolors()[:, :3]
    palette = np.array([to_rgba(f"C{k}")[:3] for k in range(3)])
    np.testing.assert_allclose(colors, gm2d.predict_proba(X) @ palette, atol=1e-6)


def test_assignments_hard_and_from_parameters(data2d, gm2d):
    X, _ = data2d
    ax = plot_assignments(gm2d, X, soft=False, ellipses=True)
    colors = ax.collections[0].get_facecolors()[:, :3]
    palette = np.array([to_rgba(f"C{k}")[:3] for k in range(3)])
    np.testing.assert_allclose(colors, palette[gm2d.predict(X)])
    assert sum(isinstance(p, Ellipse) for p in ax.patches) == 6
    # Parameters without predict_proba give the same colours.
    params = {
        "weights": gm2d.weights_,
        "means": gm2d.means_,
        "covariances": gm2d.covariances_,
        "covariance_type": "full",
    }
    ax2 = plot_assignments(params, X, soft=True)
    soft = ax2.collections[0].get_facecolors()[:, :3]
    np.testing.assert_allclose(soft, gm2d.predict_proba(X) @ palette, atol=1e-6)


def test_assignments_sklearn_and_custom_colours(data2d):
    mixture = pytest.importorskip("sklearn.mixture")
    X, _ = data2d
    sk = mixture.GaussianMixture(3, covariance_type="tied", random_state=0).fit(X)
    ax = plot_assignments(sk, X, soft=False, colors=["red", "green", "blue"])
    colors = ax.collections[0].get_facecolors()[:, :3]
    palette = np.array([to_rgba(c)[:3] for c in ("red", "green", "blue")])
    np.testing.assert_allclose(colors, palette[sk.predict(X)])
    with pytest.raises(ValueError, match="colors has 2 entries"):
        plot_assignments(sk, X, colors=["red", "blue"])


# ----------------------------------------------------------------------------- layering


def test_plotting_does_not_import_pyplot_or_widgets():
    code = (
        "import sys, gmm_widgets.plotting; "
        "bad = [m for m in ('matplotlib.pyplot', 'traitlets', 'ipywidgets', 'sklearn') "
        "if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
