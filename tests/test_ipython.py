"""%load_ext gmm_widgets: formatter registration, the bundles, and a real kernel."""

from __future__ import annotations

import warnings

import nbformat
import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell
from ipywidgets.widgets.widget import _instances

import gmm_widgets
from gmm_widgets import GaussianMixture, History
from gmm_widgets import _ipython as ext
from gmm_widgets.widgets import FitPlayer, MixtureSummary
from tests.helpers import make_mixture

VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture
def ip():
    shell = InteractiveShell.instance()
    yield shell
    if "gmm_widgets" in shell.extension_manager.loaded:
        shell.run_line_magic("unload_ext", "gmm_widgets")


@pytest.fixture
def kernel(monkeypatch):
    """Pretend the shell runs in a kernel (widgets have a front end)."""
    monkeypatch.setattr(ext, "_in_kernel", lambda: True)


@pytest.fixture(scope="module")
def fitted():
    X, _ = make_mixture(seed=0)
    return X, GaussianMixture(3, random_state=0).fit(X)


def _summary_of(data) -> MixtureSummary:
    widget = _instances[data[VIEW]["model_id"]]
    assert isinstance(widget, MixtureSummary)
    return widget


def test_the_package_is_an_ipython_extension():
    assert gmm_widgets.load_ipython_extension.__module__ == "gmm_widgets"
    assert callable(gmm_widgets.unload_ipython_extension)
    assert "load_ipython_extension" in gmm_widgets.__all__


def test_load_registers_and_unload_restores_what_was_there(ip):
    fmt = ip.display_formatter.mimebundle_formatter

    def earlier(obj):
        return {"text/plain": "earlier"}

    fmt.for_type(GaussianMixture, earlier)
    fmt.for_type_by_name("sklearn.mixture._gaussian_mixture", "GaussianMixture", earlier)
    try:
        ip.run_line_magic("load_ext", "gmm_widgets")
        assert fmt.lookup_by_type(GaussianMixture) is ext.mixture_mimebundle
        for module, name in ext.MIXTURE_CLASSES:
            assert fmt.deferred_printers[(module, name)] is ext.mixture_mimebundle
        # Loading twice does not forget what was there first.
        ext.load_ipython_extension(ip)
        ip.run_line_magic("unload_ext", "gmm_widgets")
        assert fmt.lookup_by_type(GaussianMixture) is earlier
        key = ("sklearn.mixture._gaussian_mixture", "GaussianMixture")
        assert fmt.deferred_printers[key] is earlier
        assert ("sklearn.mixture._base", "BaseMixture") not in fmt.deferred_printers
    finally:
        fmt.type_printers.pop(GaussianMixture, None)
        fmt.deferred_printers.pop(("sklearn.mixture._gaussian_mixture", "GaussianMixture"), None)


def test_fitted_model_displays_as_a_summary_widget(ip, kernel, fitted):
    _, gm = fitted
    ip.run_line_magic("load_ext", "gmm_widgets")
    data, _ = ip.display_formatter.format(gm)
    assert set(data) == {VIEW, "text/html", "text/plain"}
    assert data["text/plain"] == repr(gm)
    summary = _summary_of(data)
    assert summary.model is gm and summary.scores is None and summary.data_source == "samples"
    # The table: weights, means, covariances, and the facts without X.
    html = data["text/html"]
    assert ">covariance<" in html and "parameters" in html and html == summary.html
    for w in gm.weights_:
        assert f"{w:.3f}" in html
    assert "BIC" not in html  # no data at display time
    # The view: a FitPlayer on points drawn from the model, showing its final state.
    player = summary.player
    assert isinstance(player, FitPlayer) and player in summary.children
    assert player.source == "model" and player.n_frames == 1
    np.testing.assert_allclose(player.current_state.means, gm.means_)


def test_unfitted_models_keep_the_plain_repr(ip, kernel):
    ip.run_line_magic("load_ext", "gmm_widgets")
    gm = GaussianMixture(2, covariance_type="diag")
    data, _ = ip.display_formatter.format(gm)
    assert VIEW not in data
    assert data["text/html"] == gm._repr_html_() and "not fitted" in data["text/html"]


def test_outside_a_kernel_the_plain_repr_is_used(ip, fitted):
    _, gm = fitted
    ip.run_line_magic("load_ext", "gmm_widgets")
    data, _ = ip.display_formatter.format(gm)
    assert VIEW not in data
    assert data["text/html"] == gm._repr_html_()


def test_without_the_extension_nothing_changes(ip, kernel, fitted):
    _, gm = fitted
    data, _ = ip.display_formatter.format(gm)
    assert VIEW not in data and data["text/html"] == gm._repr_html_()


@pytest.mark.parametrize("kind", ["GaussianMixture", "BayesianGaussianMixture"])
def test_scikit_learn_mixtures(ip, kernel, fitted, kind):
    mixture = pytest.importorskip("sklearn.mixture")
    X, _ = fitted
    cls = getattr(mixture, kind)
    ip.run_line_magic("load_ext", "gmm_widgets")
    # Unfitted: scikit-learn's own diagram, no widget.
    data, _ = ip.display_formatter.format(cls(n_components=3))
    assert VIEW not in data and "sk-" in data["text/html"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = cls(n_components=3, covariance_type="diag", random_state=0).fit(X)
    data, _ = ip.display_formatter.format(model)
    summary = _summary_of(data)
    assert summary.model is model
    assert summary.params.covariance_type == "diag"
    assert f"{model.weights_.max():.3f}" in data["text/html"]
    assert "diag(" in data["text/html"]
    np.testing.assert_allclose(summary.player.current_state.means, model.means_)


def test_a_broken_model_still_displays(ip, kernel):
    class Broken:
        covariance_type = "full"
        weights_ = np.array([1.0])
        means_ = np.zeros((1, 2))
        covariances_ = np.zeros((1, 3, 3))  # wrong shape

        def fit(self, X):
            return self

    ip.display_formatter.mimebundle_formatter.for_type(Broken, ext.mixture_mimebundle)
    try:
        with pytest.warns(UserWarning, match="could not summarise"):
            data, _ = ip.display_formatter.format(Broken())
        assert VIEW not in data and "Broken" in data["text/plain"]
    finally:
        ip.display_formatter.mimebundle_formatter.type_printers.pop(Broken, None)


def test_a_recorded_fit_is_replayed(ip, kernel, fitted):
    X, _ = fitted
    history = History()
    gm = GaussianMixture(3, init_params="random_from_data", random_state=1, callbacks=history)
    gm.fit(X)
    ip.run_line_magic("load_ext", "gmm_widgets")
    summary = _summary_of(ip.display_formatter.format(gm)[0])
    assert summary.player.source == "history"
    assert summary.player.n_frames == gm.n_iter_ + 1


# ------------------------------------------------------------------- real kernel
@pytest.mark.slow
def test_in_a_real_kernel(tmp_path):
    """%load_ext in an IPython kernel: the last expression's output is the widget."""
    from nbclient import NotebookClient

    cells = [
        "import numpy as np\nfrom gmm_widgets import GaussianMixture\n"
        "from sklearn.mixture import BayesianGaussianMixture\n"
        "X = np.random.default_rng(0).normal(size=(300, 2))\n"
        "gm = GaussianMixture(2, random_state=0).fit(X)\n"
        "bgm = BayesianGaussianMixture(n_components=3, random_state=0).fit(X)",
        "%load_ext gmm_widgets",
        "gm",
        "bgm",
        "GaussianMixture(4)",
        "%unload_ext gmm_widgets\ngm",
        "bgm",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = [c.outputs for c in nb.cells]
    assert not any(o.output_type == "error" for out in outputs for o in out)

    def result(i):
        (out,) = [o for o in outputs[i] if o.output_type == "execute_result"]
        return out.data

    for i in (2, 3):
        data = result(i)
        assert VIEW in data and ">covariance<" in data["text/html"]
        assert (
            data[VIEW]["model_id"]
            in nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
        )
    assert VIEW not in result(4) and "not fitted" in result(4)["text/html"]
    assert VIEW not in result(5) and ">covariance<" not in result(5)["text/html"]
    # scikit-learn's classes were looked up by name while loaded: unloading undoes that too.
    assert VIEW not in result(6) and "sk-" in result(6)["text/html"]
