"""``%load_ext gmm_widgets``: fitted mixtures display as an interactive summary.

The extension registers a MIME-bundle formatter for our
:class:`~gmm_widgets.GaussianMixture` and for scikit-learn's mixtures
(``GaussianMixture``, ``BayesianGaussianMixture`` and anything derived from
``sklearn.mixture._base.BaseMixture``), by class name, so scikit-learn is never
imported. A fitted model that is a cell's last expression (or passed to ``display``)
then shows as a :class:`~gmm_widgets.widgets.MixtureSummary`: the table of weights,
means and covariances with the fit's iterations, convergence, lower bound and number of
parameters, and a FitPlayer view of the model over points drawn from it.

BIC, AIC and ICL need the data, which a fitted model does not keep: call
``gmm_widgets.summary(model, X)`` for them (and to draw ``X`` itself).

The bundle also carries the static HTML table (``text/html``), so a page without the
widget state (GitHub, nbconvert without ``--execute``) still shows the parameters.
Unfitted models, and every model outside a Jupyter kernel (the terminal IPython has no
widget front end), keep their usual repr. ``%unload_ext gmm_widgets`` restores the
formatters that were there before.
"""

from __future__ import annotations

import warnings
from typing import Any

__all__ = [
    "MIXTURE_CLASSES",
    "is_fitted_mixture",
    "load_ipython_extension",
    "mixture_mimebundle",
    "unload_ipython_extension",
]

#: (module, class name) of the foreign mixtures the extension formats.
MIXTURE_CLASSES: tuple[tuple[str, str], ...] = (
    ("sklearn.mixture._base", "BaseMixture"),
    ("sklearn.mixture._gaussian_mixture", "GaussianMixture"),
    ("sklearn.mixture._bayesian_mixture", "BayesianGaussianMixture"),
)

_FITTED = ("weights_", "means_", "covariances_", "covariance_type")


def is_fitted_mixture(obj: Any) -> bool:
    """Whether ``obj`` has the fitted attributes of a Gaussian mixture.

    Parameters
    ----------
    obj : object

    Returns
    -------
    bool
    """
    return all(hasattr(obj, a) for a in _FITTED)


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of ipywidgets
        return False
    ip = get_ipython()
    return ip is not None and getattr(ip, "kernel", None) is not None


def _own_bundle(obj: Any) -> dict[str, Any] | None:
    """What the object shows without the extension (e.g. scikit-learn's diagram)."""
    method = getattr(type(obj), "_repr_mimebundle_", None)
    if method is None:
        return None
    result = method(obj)
    return result[0] if isinstance(result, tuple) else result


def mixture_mimebundle(obj: Any) -> dict[str, Any] | None:
    """The MIME bundle of a mixture with the extension loaded.

    Parameters
    ----------
    obj : mixture model

    Returns
    -------
    dict or None
        For a fitted model in a kernel: the MixtureSummary's widget view, its HTML
        table and a text repr. Otherwise the object's own bundle (or None, and IPython
        uses the other formatters).
    """
    if not is_fitted_mixture(obj) or not _in_kernel():
        return _own_bundle(obj)
    from gmm_widgets.widgets.summary import MixtureSummary

    try:
        widget = MixtureSummary(obj)
    except (ValueError, TypeError) as exc:
        # A broken model should still display: say why, and fall back.
        warnings.warn(
            f"gmm_widgets could not summarise this {type(obj).__name__}: {exc}",
            stacklevel=2,
        )
        return _own_bundle(obj)
    result = widget._repr_mimebundle_()
    data = result[0] if isinstance(result, tuple) else result
    return {**data, "text/plain": repr(obj)}


def _formatter(ipython: Any) -> Any:
    return ipython.display_formatter.mimebundle_formatter


def load_ipython_extension(ipython: Any) -> None:
    """Register the mixture formatters (``%load_ext gmm_widgets``).

    Parameters
    ----------
    ipython : IPython.core.interactiveshell.InteractiveShell
    """
    from gmm_widgets.mixture.gaussian_mixture import GaussianMixture

    fmt = _formatter(ipython)
    saved = getattr(ipython, "_gmm_widgets_saved_formatters", None)
    if saved is None:  # loading twice keeps the first record of what was there
        saved = {"type": fmt.type_printers.get(GaussianMixture), "names": {}}
        for module, name in MIXTURE_CLASSES:
            saved["names"][(module, name)] = fmt.deferred_printers.get((module, name))
        ipython._gmm_widgets_saved_formatters = saved
    fmt.for_type(GaussianMixture, mixture_mimebundle)
    for module, name in MIXTURE_CLASSES:
        fmt.for_type_by_name(module, name, mixture_mimebundle)


def unload_ipython_extension(ipython: Any) -> None:
    """Remove the mixture formatters and restore earlier ones (``%unload_ext gmm_widgets``).

    Parameters
    ----------
    ipython : IPython.core.interactiveshell.InteractiveShell
    """
    from gmm_widgets.mixture.gaussian_mixture import GaussianMixture

    fmt = _formatter(ipython)
    saved = getattr(ipython, "_gmm_widgets_saved_formatters", None) or {
        "type": None,
        "names": {},
    }
    fmt.type_printers.pop(GaussianMixture, None)
    if saved["type"] is not None:
        fmt.type_printers[GaussianMixture] = saved["type"]
    for module, name in MIXTURE_CLASSES:
        fmt.deferred_printers.pop((module, name), None)
        # A deferred printer moves to type_printers once its class has been seen.
        for cls in [c for c in fmt.type_printers if (c.__module__, c.__name__) == (module, name)]:
            if fmt.type_printers[cls] is mixture_mimebundle:
                del fmt.type_printers[cls]
        old = saved["names"].get((module, name))
        if old is not None:
            fmt.deferred_printers[(module, name)] = old
    if hasattr(ipython, "_gmm_widgets_saved_formatters"):
        del ipython._gmm_widgets_saved_formatters
