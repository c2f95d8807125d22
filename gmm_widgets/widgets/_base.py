"""The base class of every gmm_widgets widget.

:class:`GMMWidget` is an :class:`anywidget.AnyWidget` whose front end is the bundle
``gmm_widgets/static/<_bundle>.js`` (and ``.css``) built from ``js/src/<_bundle>.js`` by
the package build (see CONTRIBUTING.md). A subclass sets ``_bundle`` and gets

* the synced data traits ``data`` (the displayed rows, float32, sent once as binary),
  ``n_samples`` and ``feature_names``, filled by :meth:`_set_data`;
* :meth:`_send_arrays` for custom messages whose arrays travel as binary buffers;
* a clear error when the JavaScript was not built;
* ``to_figure()``, ``save_png(path)`` and ``to_svg()``: the current state drawn with
  matplotlib, without a browser (:mod:`gmm_widgets.widgets._static`);
* a static picture in its display bundle: beside the widget view, ``_repr_mimebundle_``
  puts an ``image/png`` of that drawing, which front ends without the widget's
  JavaScript show instead (GitHub, nbviewer, ``nbconvert`` without widget state).
  JupyterLab and Notebook 7 rank the widget view higher and show the live widget.
"""

from __future__ import annotations

import base64
import io
import math
import numbers
import os
import warnings
from pathlib import Path
from typing import Any, ClassVar

import anywidget
import numpy as np
import traitlets

from gmm_widgets.widgets._code import CodeMixin
from gmm_widgets.widgets._data import MAX_DISPLAY_POINTS, DisplayData, pca_basis, prepare_data
from gmm_widgets.widgets._profile_view import ProfileViewMixin
from gmm_widgets.widgets._selection import PointSelectionMixin
from gmm_widgets.widgets._static import StaticExportMixin
from gmm_widgets.widgets._tables import RowTablesMixin
from gmm_widgets.widgets._transport import (
    array_serialization,
    pack_message,
    tree_serialization,
)

__all__ = [
    "FALLBACK_DPI",
    "FALLBACK_WIDTH",
    "STATIC_DIR",
    "GMMWidget",
    "ProjectedWidget",
    "bundle_paths",
    "check_fps",
    "fallback_png",
    "palette_png",
]

#: Where the build puts the bundles.
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

#: Width (inches) and resolution of the static picture in a widget's display bundle:
#: 672 pixels wide, about the width of the live view.
FALLBACK_WIDTH = 7.0
FALLBACK_DPI = 96


def bundle_paths(name: str) -> tuple[Path, Path]:
    """Paths of the JS and CSS bundles of widget ``name``.

    Parameters
    ----------
    name : str
        Entry name, e.g. ``"fit_player"`` for ``js/src/fit_player.js``.

    Returns
    -------
    (Path, Path)
    """
    return STATIC_DIR / f"{name}.js", STATIC_DIR / f"{name}.css"


_MISSING_BUNDLE = (
    "The JavaScript of {cls} ({path}) has not been built. Install the package with pip, "
    "which builds it (`pip install -e .` in a clone; Node.js >= 20 and npm are needed), "
    "or build it by hand: `cd js && npm ci && npm run build`."
)


class GMMWidget(RowTablesMixin, CodeMixin, StaticExportMixin, anywidget.AnyWidget):
    """Base of the gmm_widgets widgets: bundle loading and the data traits.

    Subclasses set ``_bundle`` to the name of their entry in ``js/src``.

    Attributes
    ----------
    data : ndarray of shape (n_display, n_features), float32
        The rows shown (all of ``X``, or a seeded uniform subsample of
        :data:`~gmm_widgets.widgets._data.MAX_DISPLAY_POINTS` rows).
    n_samples : int
        Rows of ``X``.
    feature_names : list of str
    """

    _bundle: ClassVar[str | None] = None
    #: Put a static PNG of the current state into the display bundle (see
    #: :meth:`_repr_mimebundle_`): ``True``, ``False``, or ``None`` (the default) for the
    #: environment variable ``GMM_WIDGETS_STATIC_FALLBACK`` (``1`` turns it on). A plain
    #: attribute: set it on an instance or a class. Off by default because drawing the
    #: picture with matplotlib costs about half a second per display, for a picture that
    #: JupyterLab never shows; turn it on for notebooks that will be read on GitHub or
    #: nbviewer (``notebooks/refresh.py`` does, for the tutorials).
    static_fallback: bool | None = None

    data = traitlets.Instance(np.ndarray, allow_none=True).tag(sync=True, **array_serialization)
    n_samples = traitlets.Int(0).tag(sync=True)
    feature_names = traitlets.List(traitlets.Unicode()).tag(sync=True)

    @traitlets.validate("feature_names")
    def _valid_feature_names(self, proposal: dict[str, Any]) -> list[str]:
        names = proposal["value"]
        d = getattr(self, "_n_features", None)
        if d is not None and len(names) != d:
            raise traitlets.TraitError(
                f"feature_names must hold one name per column of X: {d} names, got {len(names)}."
            )
        return names

    def __init_subclass__(cls, **kwargs: Any) -> None:
        bundle = cls.__dict__.get("_bundle")
        if bundle:
            js, css = bundle_paths(bundle)
            # anywidget turns these paths into file contents (and, with ANYWIDGET_HMR=1,
            # watches them). A missing bundle is reported when the widget is created.
            if js.is_file():
                cls._esm = js
            if css.is_file():
                cls._css = css
        super().__init_subclass__(**kwargs)

    def __init__(self, **kwargs: Any) -> None:
        bundle = type(self)._bundle
        if bundle and "_esm" not in kwargs and not hasattr(type(self), "_esm"):
            raise RuntimeError(
                _MISSING_BUNDLE.format(cls=type(self).__name__, path=bundle_paths(bundle)[0])
            )
        super().__init__(**kwargs)
        self.on_msg(self._on_code_request)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The display bundle: the widget view, its text, and a static PNG of it.

        The PNG (:func:`fallback_png`) is what viewers without the widget front end
        show. It is drawn only when :attr:`static_fallback` (or, when that is ``None``,
        the environment variable ``GMM_WIDGETS_STATIC_FALLBACK=1``) asks for it.
        """
        result = super()._repr_mimebundle_(**kwargs)
        if result is None or not self._wants_fallback():
            return result
        data, metadata = result if isinstance(result, tuple) else (result, {})
        try:
            png, (width, height) = fallback_png(self)
        except Exception as exc:  # the live widget must display even if the drawing fails
            warnings.warn(
                f"gmm_widgets: the static picture of this {type(self).__name__} could not "
                f"be drawn ({type(exc).__name__}: {exc}); only the live view is shown.",
                RuntimeWarning,
                stacklevel=2,
            )
            return result
        data = {**data, "image/png": png}
        metadata = {**metadata, "image/png": {"width": width, "height": height}}
        return data, metadata

    def _wants_fallback(self) -> bool:
        if self.static_fallback is not None:
            return bool(self.static_fallback)
        flag = os.environ.get(FALLBACK_ENV, "").strip().lower()
        return flag in ("1", "true", "yes", "on")

    def __repr__(self) -> str:
        # The text/plain part of the display: what a static view of the notebook shows.
        d = len(self.feature_names)
        return (
            f"<{type(self).__name__}: {self.n_samples} samples x {d} feature"
            f"{'s' if d != 1 else ''}; an interactive widget, run the cell to see it>"
        )

    def _set_data(
        self,
        X: Any,
        *,
        max_display_points: int = MAX_DISPLAY_POINTS,
        display_seed: int = 0,
        validated: DisplayData | None = None,
    ) -> DisplayData:
        """Validate ``X`` and send the rows to display.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        max_display_points : int
        display_seed : int
        validated : DisplayData, optional
            Already prepared data (skips validation).

        Returns
        -------
        DisplayData
        """
        dd = validated or prepare_data(X, max_points=max_display_points, seed=display_seed)
        with self.hold_sync():
            self._n_features = len(dd.feature_names)
            self.feature_names = dd.feature_names
            self.n_samples = dd.n_samples
            self.data = dd.display
        self._index = dd.index
        self._missing = dd.missing
        return dd

    def _send_arrays(self, msg_type: str, **payload: Any) -> None:
        """Send a custom message whose ndarrays travel as binary buffers.

        The view receives ``{"type": msg_type, "state": ..., "buffer_paths": ...}``
        and the buffers; ``unpackMessage`` in ``js/src/lib/codecs.js`` decodes it.
        """
        content, buffers = pack_message(msg_type, **payload)
        self.send(content, buffers)


#: The environment variable that turns the static PNG fallback on for every widget.
FALLBACK_ENV = "GMM_WIDGETS_STATIC_FALLBACK"


def fallback_png(widget: GMMWidget) -> tuple[str, tuple[int, int]]:
    """The widget's current state as a small PNG, for its display bundle.

    The drawing of :meth:`~gmm_widgets.widgets._static.StaticExportMixin.to_figure`,
    :data:`FALLBACK_WIDTH` inches wide at :data:`FALLBACK_DPI`, reduced to a palette of
    at most 256 colours (the figures have few colours; this makes the PNG about three
    times smaller, and notebooks keep it in their outputs).

    Parameters
    ----------
    widget : GMMWidget

    Returns
    -------
    png : str
        The PNG file, base64-encoded (as display bundles carry images).
    size : (int, int)
        Its width and height in pixels.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    fig = widget.to_figure(width=FALLBACK_WIDTH)
    fig.set_dpi(FALLBACK_DPI)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    image = Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3])
    return base64.b64encode(palette_png(image)).decode("ascii"), image.size


def palette_png(image: Any) -> bytes:
    """A PNG of ``image`` with a palette of at most 256 colours, without dithering.

    Figures have few colours, so this is about three times smaller than an RGB PNG and
    looks the same (the notebooks' stored figures go through it too: notebooks/refresh.py).

    Parameters
    ----------
    image : PIL.Image.Image

    Returns
    -------
    bytes
    """
    from PIL import Image

    quantized = image.convert("RGB").quantize(
        colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
    )
    buffer = io.BytesIO()
    quantized.save(buffer, format="PNG")
    return buffer.getvalue()


def check_fps(value: Any) -> float:
    """A frames-per-second value as a positive finite float.

    The one check for ``fps``, in constructors (``ValueError``) and, through the
    widgets' trait validator, when the trait is set (``traitlets.TraitError``).

    Parameters
    ----------
    value : float

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``value`` is not a positive finite number.
    """
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not (ok and math.isfinite(value) and value > 0):
        raise ValueError(f"fps must be a positive number, got {value!r}.")
    return float(value)


class ProjectedWidget(PointSelectionMixin, ProfileViewMixin, GMMWidget):
    """A widget that draws data of any dimension in 2-D.

    With more than two features the view shows a chosen pair of features
    (``x_feature``, ``y_feature``) or the plane of the first two principal axes
    (``projection="pca"``; the basis is sent once in ``pca``). Ellipses are then the
    marginal (or projected) covariances.

    Attributes
    ----------
    projection : {"features", "pca"}
    x_feature, y_feature : int
        Feature indices shown on the axes, in ``[0, n_features)``.
    pca : dict
        ``{"mean": (d,), "components": (2, d)}`` as binary arrays, when ``d > 2``.
    selection, selected_index, selected_rows, display_rows
        The rows selected in the view (brush, lasso, component click) or from Python:
        see :class:`~gmm_widgets.widgets._selection.PointSelectionMixin`.
    profile_shown, profile_table
        The view's component profile table: see
        :class:`~gmm_widgets.widgets._profile_view.ProfileViewMixin`.
    """

    projection = traitlets.Enum(("features", "pca"), default_value="features").tag(sync=True)
    x_feature = traitlets.Int(0).tag(sync=True)
    y_feature = traitlets.Int(1).tag(sync=True)
    pca = traitlets.Dict().tag(sync=True, **tree_serialization)

    # fps is declared by the subclasses that animate (FitPlayer, MixtureExplorer).
    @traitlets.validate("fps")
    def _valid_fps(self, proposal: dict[str, Any]) -> float:
        try:
            return check_fps(proposal["value"])
        except ValueError as exc:
            raise traitlets.TraitError(str(exc)) from None

    def _set_projection(self, data: DisplayData) -> None:
        """Default axes (and the PCA basis for d > 2) for freshly set data."""
        d = data.X.shape[1]
        self.y_feature = 1 if d > 1 else 0
        if d > 2:
            self.pca = pca_basis(data.display)

    @traitlets.validate("x_feature", "y_feature")
    def _valid_feature(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        d = len(self.feature_names) or 1
        if not 0 <= value < d:
            name = proposal["trait"].name
            raise traitlets.TraitError(f"{name} must be in [0, {d - 1}], got {value}.")
        return value
