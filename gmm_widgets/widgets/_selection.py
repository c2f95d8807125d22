"""Point selection: rows picked in a widget's 2-D view (brush, lasso, component click).

Where a selection is decided
----------------------------
The view may draw a subsample of ``X`` (at most ``max_display_points`` rows, see
:mod:`gmm_widgets.widgets._data`). A region drawn over the plot is a region of the
plane of the view, so it is decided **in Python, over every row of X**: the browser
sends the shape in the view's data coordinates (a rectangle, or the lasso's vertices)
with the projection it was drawn in, and :class:`PointSelectionMixin` projects all rows
the same way (:class:`~gmm_widgets.widgets._static.ViewProjection`, the browser's rule)
and tests each one. The browser only previews the displayed rows while the kernel
answers (``js/src/lib/selection.js`` has the same rules); what it highlights afterwards
is what Python set. The request is a custom message ``{"type": "select", "kind":
"brush" | "lasso" | "component" | "clear", "mode": "replace" | "add", ...}`` (the
vertices as one buffer of little-endian float64), and every one is answered with
``{"type": "selection-done"}`` after ``selected_rows`` is set, so the preview ends even
when the rows did not change. A click on a component (legend, profile table) selects the rows
whose most likely component it is under the model shown, again over all rows.

The rules on the boundary are exact and the same in both languages:

* rectangle (brush): closed, ``x0 <= x <= x1 and y0 <= y <= y1``;
* polygon (lasso): the even-odd rule with a half-open crossing test (an edge counts
  when ``(ay > y) != (by > y)`` and ``x < ax + (y - ay) * (bx - ax) / (by - ay)``),
  so of two polygons sharing an edge exactly one holds a point on it (for the unit
  square: the left and bottom edges are in, the right and top edges out).

Selections are row positions of ``X`` (sorted, unique); with a DataFrame ``X`` they
also read as its index labels. A refit does not change the rows, so it keeps the
selection.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import numpy as np
import traitlets

from gmm_widgets.mixture import GaussianMixture
from gmm_widgets.mixture.tables import row_index_of
from gmm_widgets.widgets._data import DisplayData
from gmm_widgets.widgets._static import ViewProjection
from gmm_widgets.widgets._transport import array_serialization

__all__ = [
    "PointSelectionMixin",
    "check_rows",
    "in_polygon",
    "in_rectangle",
    "projected_rows",
]

#: Rows projected at a time when a region is tested over all of X (bounded memory for a
#: memmap or a Dask array).
CHUNK_ROWS = 65_536

#: Ways a new selection combines with the current one.
MODES = ("replace", "add")


def in_rectangle(xy: np.ndarray, x0: float, x1: float, y0: float, y1: float) -> np.ndarray:
    """Which points lie in the closed rectangle spanned by ``x0, x1`` and ``y0, y1``.

    Parameters
    ----------
    xy : ndarray of shape (n, 2)
        Points in the view's coordinates.
    x0, x1, y0, y1 : float
        The corners, in either order.

    Returns
    -------
    ndarray of shape (n,), bool
        Points on an edge are inside.
    """
    xy = np.asarray(xy, dtype=np.float64)
    lo_x, hi_x = min(x0, x1), max(x0, x1)
    lo_y, hi_y = min(y0, y1), max(y0, y1)
    x, y = xy[:, 0], xy[:, 1]
    return (x >= lo_x) & (x <= hi_x) & (y >= lo_y) & (y <= hi_y)


def in_polygon(xy: np.ndarray, vertices: np.ndarray) -> np.ndarray:
    """Which points lie in a polygon (even-odd rule, half-open crossings).

    The polygon may be concave or self-intersecting; it is closed from the last vertex
    back to the first. The arithmetic is the one of ``pointInPolygon`` in
    ``js/src/lib/selection.js``, operation for operation, so that both give the same
    answer on the same float64 numbers.

    Parameters
    ----------
    xy : ndarray of shape (n, 2)
    vertices : ndarray of shape (m, 2)
        ``m >= 3`` vertices; fewer enclose nothing.

    Returns
    -------
    ndarray of shape (n,), bool
    """
    xy = np.asarray(xy, dtype=np.float64)
    v = np.asarray(vertices, dtype=np.float64)
    inside = np.zeros(xy.shape[0], dtype=bool)
    if v.shape[0] < 3:
        return inside
    # Edge a -> b straddles y, `(ay > y) != (by > y)`, exactly when
    # min(ay, by) <= y < max(ay, by): with the rows sorted by y, a contiguous run. Only
    # rows with min_y <= y < max_y can be inside at all.
    band = np.flatnonzero((xy[:, 1] >= v[:, 1].min()) & (xy[:, 1] < v[:, 1].max()))
    order = np.argsort(xy[band, 1], kind="stable")
    band = band[order]
    x, y = xy[band, 0], xy[band, 1]
    odd = np.zeros(band.size, dtype=bool)
    for i in range(v.shape[0]):
        ax, ay = v[i - 1]  # the edge from the previous vertex (the last for i = 0)
        bx, by = v[i]
        if ay == by:
            continue  # horizontal: straddles nothing
        start, stop = np.searchsorted(y, [min(ay, by), max(ay, by)], side="left")
        ys = y[start:stop]
        cross = ax + (ys - ay) * (bx - ax) / (by - ay)
        odd[start:stop] ^= x[start:stop] < cross
    inside[band] = odd
    return inside


def projected_rows(
    X: Any,
    view: ViewProjection,
    start: int,
    stop: int,
    fill: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """Rows ``start:stop`` of ``X`` in the view's coordinates, float64.

    Parameters
    ----------
    X : ndarray, memmap or dask.array.Array of shape (n_samples, n_features)
    view : ViewProjection
    start, stop : int
    fill : callable, optional
        Fills in the missing values (NaN) of a block (``GaussianMixture.impute`` of the
        mixture shown: where the view draws those rows). Without it such rows project
        to NaN and are inside no region.

    Returns
    -------
    ndarray of shape (stop - start, 2)
    """
    block = np.asarray(X[start:stop], dtype=np.float64)
    if fill is not None:
        nan = np.isnan(block)
        if nan.any():
            empty = nan.all(axis=1)
            block = fill(block)
            block[empty] = np.nan  # nothing observed: not drawn, in no region
    dims = _feature_pair(view)
    if dims is not None:  # exactly the two columns (as the browser takes them)
        return block[:, list(dims)]
    # Principal axes: sums in feature order, elementwise, as projectPoints in
    # js/src/lib/projection.js adds them; no BLAS product, whose last bits vary with the
    # machine and would move points that lie on a lasso's edge.
    out = np.zeros((block.shape[0], 2))
    for c in range(2):
        for j in np.flatnonzero(view.matrix[:, c]):
            out[:, c] += view.matrix[j, c] * (block[:, j] - view.offset[j])
    return out


def _feature_pair(view: ViewProjection) -> tuple[int, int] | None:
    m = view.matrix
    if np.any(view.offset != 0):
        return None
    cols = []
    for c in range(2):
        nz = np.flatnonzero(m[:, c])
        if nz.size != 1 or m[nz[0], c] != 1.0:
            return None
        cols.append(int(nz[0]))
    return cols[0], cols[1]


def check_rows(value: Any, n_samples: int, name: str = "selection") -> np.ndarray:
    """Validate a selection: row positions of X, unique and sorted.

    Parameters
    ----------
    value : array-like of int, or bool of shape (n_samples,)
        Row positions, or a boolean mask over the rows.
    n_samples : int
        Rows of X.
    name : str
        Named in the error messages.

    Returns
    -------
    ndarray of shape (n_selected,), int64

    Raises
    ------
    traitlets.TraitError
        Not one-dimensional, not integers, out of ``[0, n_samples)``, repeated or not
        sorted (with the fix in the message), or a mask of the wrong length.
    """
    arr = np.asarray([] if value is None else value)
    if arr.ndim != 1:
        raise traitlets.TraitError(
            f"{name} must be a 1-D array of row positions, got an array of shape {arr.shape}."
        )
    if arr.dtype == bool:
        if arr.size != n_samples:
            raise traitlets.TraitError(
                f"{name} as a boolean mask must have one entry per row of X "
                f"({n_samples}), got {arr.size}."
            )
        return np.flatnonzero(arr).astype(np.int64)
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.dtype.kind not in "iu":
        raise traitlets.TraitError(
            f"{name} must hold integer row positions of X, got dtype {arr.dtype} "
            "(for index labels, set selected_index instead)."
        )
    rows = arr.astype(np.int64)
    bad = (rows < 0) | (rows >= n_samples)
    if bad.any():
        raise traitlets.TraitError(
            f"{name} must hold row positions in [0, {n_samples - 1}] (X has {n_samples} "
            f"rows), got {rows[bad][0]}."
        )
    steps = np.diff(rows)
    if np.any(steps == 0):
        raise traitlets.TraitError(
            f"{name} holds row {rows[:-1][steps == 0][0]} more than once; "
            "pass np.unique(rows) instead."
        )
    if np.any(steps < 0):
        raise traitlets.TraitError(
            f"{name} must be sorted (row {rows[1:][steps < 0][0]} comes after a larger "
            "one); pass np.unique(rows) instead."
        )
    return rows


class PointSelectionMixin(traitlets.HasTraits):
    """The rows selected in the view, synced with the browser as binary int32.

    The widget provides ``_X`` (every row, validated), ``_index``, ``n_samples``,
    ``feature_names``, the projection traits and ``_table_model()``.

    Attributes
    ----------
    selected_rows : ndarray of shape (n_selected,), int
        The selection as row positions of X, sorted (synced; the browser reads it to
        highlight the rows it draws). :attr:`selection` is the same.
    display_rows : ndarray of shape (n_display,), int, or None
        Rows of X that ``data`` holds when the view draws a subsample, else None.
    """

    _X: Any
    _index: Any
    n_samples: Any
    _source_frame: Any = None

    selected_rows = traitlets.Instance(np.ndarray, args=((0,),), kw={"dtype": np.int64}).tag(
        sync=True, **array_serialization
    )
    display_rows = traitlets.Instance(np.ndarray, allow_none=True).tag(
        sync=True, **array_serialization
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.last_region: dict[str, Any] | None = None
        self.on_msg(self._on_selection_message)  # type: ignore[attr-defined]

    @traitlets.validate("selected_rows")
    def _valid_selected_rows(self, proposal: dict[str, Any]) -> np.ndarray:
        return check_rows(proposal["value"], int(self.n_samples), "selection")

    def _set_data(self, X: Any, **kwargs: Any) -> DisplayData:
        dd: DisplayData = super()._set_data(X, **kwargs)  # type: ignore[misc]
        self._source_frame = X if row_index_of(X) is not None else None
        with self.hold_sync():  # type: ignore[attr-defined]
            self.display_rows = dd.indices
            self.selected_rows = np.zeros(0, dtype=np.int64)
        return dd

    # ------------------------------------------------------------------ public API
    @property
    def selection(self) -> np.ndarray:
        """The selected rows: positions in X, sorted (a copy).

        Set it from Python with row positions (or a boolean mask over the rows); the
        views highlight them. Brushing or lassoing points in a 2-D view, or clicking a
        component in the legend or the profile table, sets it from the browser.

        Returns
        -------
        ndarray of shape (n_selected,), int64
        """
        return np.array(self.selected_rows, dtype=np.int64)

    @selection.setter
    def selection(self, rows: Any) -> None:
        self.selected_rows = check_rows(rows, int(self.n_samples))

    @property
    def selected_index(self) -> Any:
        """The selection as X's index labels (a DataFrame's), else as row positions.

        Returns
        -------
        pandas.Index or ndarray of shape (n_selected,)
        """
        # selected_rows, not .selection: ModelSelector's own `selection` trait hides it.
        rows = np.array(self.selected_rows, dtype=np.int64)
        return rows if self._index is None else self._index[rows]

    @selected_index.setter
    def selected_index(self, labels: Any) -> None:
        if self._index is None:
            self.selected_rows = check_rows(labels, int(self.n_samples), "selected_index")
            return
        if not self._index.is_unique:
            raise traitlets.TraitError(
                "selected_index needs X's index to be unique; set selection (row "
                "positions) instead."
            )
        labels = list(labels)
        positions = self._index.get_indexer(labels)
        missing = [label for label, p in zip(labels, positions, strict=True) if p < 0]
        if missing:
            raise traitlets.TraitError(
                f"selected_index: {missing[:5]!r} not in X's index "
                f"({len(missing)} label(s) missing)."
            )
        self.selected_rows = np.unique(positions)

    def selected(self) -> Any:
        """The selected rows of X.

        Returns
        -------
        pandas.DataFrame or ndarray of shape (n_selected, n_features)
            A DataFrame's rows (``X.iloc[selection]``, index and dtypes kept), else the
            rows of the validated array.
        """
        rows = np.array(self.selected_rows, dtype=np.int64)
        if self._source_frame is not None:
            return self._source_frame.iloc[rows]
        return np.asarray(self._X[rows])

    def clear_selection(self) -> None:
        """Select nothing."""
        self.selected_rows = np.zeros(0, dtype=np.int64)

    def select_component(self, k: int, *, mode: str = "replace", shown: bool = True) -> None:
        """Select the rows whose most likely component is ``k``.

        Parameters
        ----------
        k : int
            Component in ``[0, n_components)``.
        mode : {"replace", "add"}, default="replace"
        shown : bool, default=True
            Under the model the plot shows (a FitPlayer: the frame shown), else under
            the widget's model (the one of :meth:`profile`).
        """
        model = self._shown_model() if shown else self._table_model()  # type: ignore[attr-defined]
        core = GaussianMixture.from_params(model)
        if getattr(self, "_missing", "error") == "em":
            core.missing = "em"  # a frame's state scores rows with NaN by their marginals
        K = int(core.weights_.shape[0])
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k < K:
            raise ValueError(f"component must be an integer in [0, {K - 1}], got {k!r}.")
        hits = []
        for start in range(0, int(self.n_samples), CHUNK_ROWS):
            block = np.asarray(self._X[start : start + CHUNK_ROWS])
            hits.append(np.flatnonzero(core.predict(block) == k) + start)
        self._combine(np.concatenate(hits) if hits else np.zeros(0, np.int64), mode)

    def select_region(
        self,
        vertices: Any,
        *,
        kind: str = "lasso",
        mode: str = "replace",
        projection: str | None = None,
        x_feature: int | None = None,
        y_feature: int | None = None,
    ) -> None:
        """Select the rows of X inside a region of the view's plane.

        What the browser's brush and lasso call; usable from Python too.

        Parameters
        ----------
        vertices : array-like of shape (m, 2)
            In the view's data coordinates: the lasso's vertices (``kind="lasso"``),
            or two opposite corners of a rectangle (``kind="brush"``).
        kind : {"lasso", "brush"}, default="lasso"
        mode : {"replace", "add"}, default="replace"
        projection, x_feature, y_feature : optional
            The view the region was drawn in (default: the widget's current one).
        """
        v = np.asarray(vertices, dtype=np.float64)
        if v.ndim != 2 or v.shape[1] != 2 or not np.isfinite(v).all():
            raise ValueError(
                f"vertices must be a finite array of shape (m, 2), got shape {v.shape}."
            )
        if kind not in ("lasso", "brush"):
            raise ValueError(f"kind must be 'lasso' or 'brush', got {kind!r}.")
        if kind == "brush" and v.shape[0] != 2:
            raise ValueError(f"a brush has 2 corners, got {v.shape[0]} vertices.")
        view = ViewProjection.of(
            types.SimpleNamespace(
                feature_names=self.feature_names,  # type: ignore[attr-defined]
                projection=projection or self.projection,  # type: ignore[attr-defined]
                x_feature=self.x_feature if x_feature is None else x_feature,  # type: ignore[attr-defined]
                y_feature=self.y_feature if y_feature is None else y_feature,  # type: ignore[attr-defined]
                pca=self.pca,  # type: ignore[attr-defined]
            ),
            int(self._X.shape[1]),
        )
        fill = None
        if getattr(self, "_missing", "error") == "em":
            # Rows with NaN are drawn at their imputed place under the mixture shown.
            try:
                fill = GaussianMixture.from_params(self._shown_model()).impute
            except (ValueError, TypeError):  # nothing fitted yet: such rows are not drawn
                fill = None
        hits = []
        for start in range(0, int(self.n_samples), CHUNK_ROWS):
            xy = projected_rows(self._X, view, start, start + CHUNK_ROWS, fill)
            if kind == "brush":
                inside = in_rectangle(xy, v[0, 0], v[1, 0], v[0, 1], v[1, 1])
            else:
                inside = in_polygon(xy, v)
            hits.append(np.flatnonzero(inside) + start)
        self.last_region = {"kind": kind, "vertices": v, "view": view}
        self._combine(np.concatenate(hits) if hits else np.zeros(0, np.int64), mode)

    # ------------------------------------------------------------------- internals
    def _shown_model(self) -> Any:
        """The mixture the plot shows now (FitPlayer overrides: the frame shown)."""
        return self._table_model()  # type: ignore[attr-defined]

    def _combine(self, hits: np.ndarray, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}.")
        if mode == "add":
            hits = np.union1d(self.selected_rows, hits)
        self.selected_rows = hits.astype(np.int64)

    def _on_selection_message(self, _: Any, content: dict[str, Any], buffers: Any) -> None:
        if not isinstance(content, dict) or content.get("type") != "select":
            return
        try:
            self._handle_selection_request(content, buffers)
        finally:
            # The view shows its preview of a gesture until this answer (sent after the
            # new selected_rows, if they changed at all), so it is always sent.
            self.send({"type": "selection-done"})  # type: ignore[attr-defined]

    def _handle_selection_request(self, content: dict[str, Any], buffers: Any) -> None:
        kind = content.get("kind")
        mode = content.get("mode", "replace")
        if kind == "clear":
            self.clear_selection()
        elif kind == "component":
            self.select_component(
                int(content["component"]), mode=mode, shown=content.get("model") != "profile"
            )
        elif kind in ("lasso", "brush") and buffers:
            vertices = np.frombuffer(bytes(buffers[0]), dtype="<f8").reshape(-1, 2)
            self.select_region(
                vertices,
                kind=kind,
                mode=mode,
                projection=content.get("projection"),
                x_feature=content.get("x_feature"),
                y_feature=content.get("y_feature"),
            )
