// Point selection and the profile table, wired into a 2-D view (the FitPlayer view, which
// MixtureExplorer, ModelSelector and MixtureSummary embed):
// - toolbar: brush and lasso modes (data-gmm-role="select-brush" / "select-lasso",
//   toggles), "clear selection" ("select-clear"), and the profile toggle
//   ("profile-toggle");
// - a gesture over the plot (mode on): the shape is drawn, the drawn points inside are
//   previewed at once, and the region (data coordinates, the view's projection) goes to
//   the kernel as a "select" message, which decides over every row of X
//   (widgets/_selection.py) and sets `selected_rows`; Shift adds to the selection;
// - a click on a legend entry (data-gmm-role="legend-item") or a profile row selects that
//   component's rows (its hard assignment under the model shown);
// - the selected points are drawn on top, the others faded (`decorate`).
// Pure rules: selection.js; the table: profile_table.js.

import { h, svg } from "./dom.js";
import { createProfileTable } from "./profile_table.js";
import {
  combine,
  countSelected,
  decodeRows,
  encodeRegion,
  fadeUnselected,
  hitTest,
  modeOf,
  selectedMask,
  selectedOnTop,
} from "./selection.js";

/**
 * What the selection needs of its view.
 * @typedef {object} SelectableView
 * @property {import("./traits.js").WidgetModel<any>} model its traits (selected_rows,
 *   display_rows, profile_shown, profile_table, projection, x_feature, y_feature)
 * @property {{send?: Function, on?: Function, off?: Function}} kernel what exchanges
 *   custom messages with the kernel
 * @property {HTMLElement} plotEl the plot's container (gestures land here)
 * @property {HTMLElement} legend the legend (<li data-component=k> entries)
 * @property {HTMLElement} [pointsInfo] the footer's read-out of the points shown
 * @property {any} scatter the scatter plot (null in 1-D)
 * @property {any} projected the drawn points in the view's coordinates (xs, ys, dims)
 * @property {() => import("./colors.js").RGB[]} colors the component colours
 * @property {any} theme the theme read at the last layout (colours need it)
 * @property {() => void} renderFrame redraws
 */

/** The view a region is drawn in, as the kernel reads it (widgets/_selection.py). */
function viewOf(model, projected) {
  return projected?.dims
    ? { projection: "features", x_feature: projected.dims[0], y_feature: projected.dims[1] }
    : { projection: model.get("projection") };
}

function toggleButton(role, label, title) {
  return h("button", {
    type: "button",
    class: "gmm-button gmm-select-mode",
    "data-gmm-role": role,
    "aria-pressed": "false",
    title,
    text: label,
  });
}

/**
 * @param {SelectableView} view
 * @param {{rowsOfPoints?: () => ArrayLike<number>|null}} [opts] `rowsOfPoints`: the row
 *   of X's displayed rows each drawn point is (an embedding view that edits the points);
 *   default: the drawn points are the displayed rows
 */
export function attachSelection(view, opts = {}) {
  const model = view.model;
  const doc = view.plotEl.ownerDocument;
  /** @type {"brush"|"lasso"|null} */
  let mode = null;
  /** @type {Uint8Array|null} preview of a gesture until the kernel answers */
  let preview = null;
  /** @type {Uint8Array|null} */
  let mask = null;
  let gesture = null;
  let lastColorCount = -1;

  const brush = toggleButton("select-brush", "Brush", "Select points in a rectangle (Shift adds)");
  const lasso = toggleButton(
    "select-lasso",
    "Lasso",
    "Select points in a freehand shape (Shift adds)",
  );
  const clear = h("button", {
    type: "button",
    class: "gmm-button",
    "data-gmm-role": "select-clear",
    title: "Clear the selection",
    text: "Clear",
  });
  const count = h("span", { class: "gmm-select-count", "data-gmm-role": "selection-count" });
  const profileToggle = h("button", {
    type: "button",
    class: "gmm-button",
    "data-gmm-role": "profile-toggle",
    "aria-pressed": "false",
    title: "Show the component profile table",
    text: "Profile",
  });
  const controls = h("span", { class: "gmm-select-controls" }, [
    brush,
    lasso,
    clear,
    profileToggle,
  ]);
  // The count goes to the footer, beside the number of points (the toolbar is full).
  view.pointsInfo?.before(count);
  const tableBox = h("div", { class: "gmm-profile-box" });
  const profile = createProfileTable(tableBox, {
    onSelect: (k, event) => sendComponent(k, event, "profile"),
  });

  function send(content, buffers) {
    view.kernel?.send?.({ type: "select", ...content }, undefined, buffers);
  }

  function sendComponent(k, event, source) {
    send({ kind: "component", component: k, mode: modeOf(event), model: source });
  }

  function setMode(next) {
    mode = mode === next ? null : next;
    brush.setAttribute("aria-pressed", String(mode === "brush"));
    lasso.setAttribute("aria-pressed", String(mode === "lasso"));
    view.plotEl.classList.toggle("gmm-selecting", mode !== null);
    if (!mode) cancel();
  }

  /** The drawn points' rows of X (display rows mapped through the embedding's edits). */
  function drawnRows() {
    const display = decodeRows(model.get("display_rows"));
    const hasDisplay = model.get("display_rows") != null;
    const edited = opts.rowsOfPoints ? opts.rowsOfPoints() : null;
    if (!edited) return hasDisplay ? display : null;
    return Int32Array.from(edited, (r) => (r < 0 ? -1 : hasDisplay ? display[r] : r));
  }

  /** The mask of Python's selection, recomputed only when one of its inputs changed
   * (it is asked for at every frame drawn during playback). */
  let memo = { inputs: /** @type {any[]} */ ([]), mask: /** @type {Uint8Array|null} */ (null) };
  function pythonMask(n) {
    const inputs = [
      model.get("selected_rows"),
      model.get("display_rows"),
      opts.rowsOfPoints ? opts.rowsOfPoints() : null,
      n,
    ];
    if (inputs.some((v, i) => v !== memo.inputs[i])) {
      const rows = decodeRows(inputs[0]);
      memo = { inputs, mask: rows.length ? selectedMask(rows, drawnRows(), n) : null };
    }
    return memo.mask;
  }

  function refreshMask() {
    const n = view.projected ? view.projected.n : 0;
    mask = preview ?? pythonMask(n);
    const value = model.get("selected_rows");
    const total = value?.shape ? Number(value.shape[0]) : 0;
    count.textContent = total ? `${total} selected` : "";
    clear.disabled = total === 0 && !preview;
    // Brush and lasso need the 2-D plot (a 1-D view selects through its legend).
    brush.hidden = lasso.hidden = !view.scatter;
  }

  // ------------------------------------------------------------------ gestures
  function local(event) {
    const overlay = view.scatter?.overlay;
    const rect = overlay ? overlay.getBoundingClientRect() : { left: 0, top: 0 };
    return [event.clientX - rect.left, event.clientY - rect.top];
  }

  function shapeLayer() {
    const overlay = view.scatter.overlay;
    let layer = overlay.querySelector(".gmm-select-shape");
    if (!layer)
      layer = svg(
        "path",
        { class: "gmm-select-shape", "data-gmm-role": "select-shape", "fill-rule": "evenodd" },
        overlay,
      );
    return layer;
  }

  function drawShape() {
    if (!gesture) return;
    const [a, b] = [gesture.points[0], gesture.points[gesture.points.length - 1]];
    const d =
      gesture.kind === "brush"
        ? `M${a[0]},${a[1]}H${b[0]}V${b[1]}H${a[0]}Z`
        : `M${gesture.points.map((p) => p.join(",")).join("L")}Z`;
    shapeLayer().setAttribute("d", d);
  }

  function cancel() {
    gesture = null;
    view.scatter?.overlay.querySelector(".gmm-select-shape")?.remove();
  }

  function onDown(event) {
    if (!mode || !view.scatter || !view.projected || event.button > 0) return;
    event.preventDefault();
    event.stopPropagation();
    gesture = { kind: mode, points: [local(event)], mode: modeOf(event) };
    view.plotEl.setPointerCapture?.(event.pointerId);
    drawShape();
  }

  function onMove(event) {
    if (!gesture) return;
    event.stopPropagation();
    const p = local(event);
    if (gesture.kind === "brush") gesture.points = [gesture.points[0], p];
    else {
      const q = gesture.points[gesture.points.length - 1];
      if (Math.hypot(p[0] - q[0], p[1] - q[1]) >= 2) gesture.points.push(p);
    }
    drawShape();
  }

  function onUp(event) {
    if (!gesture) return;
    event.stopPropagation();
    const g = gesture;
    cancel();
    const { x, y } = view.scatter;
    const pts = g.points.map(([px, py]) => [x.invert(px), y.invert(py)]);
    /** @type {import("./selection.js").Region|null} */
    let region = null;
    if (g.kind === "brush" && pts.length === 2) {
      const [[x0, y0], [x1, y1]] = pts;
      if (x0 !== x1 && y0 !== y1) region = { kind: "brush", x0, y0, x1, y1 };
    } else if (g.kind === "lasso" && pts.length >= 3) {
      region = { kind: "lasso", xs: pts.map((p) => p[0]), ys: pts.map((p) => p[1]) };
    }
    if (!region) return;
    const hits = hitTest(view.projected.xs, view.projected.ys, region);
    preview = combine(mask, hits, g.mode);
    refreshMask();
    view.renderFrame();
    send({ kind: region.kind, mode: g.mode, ...viewOf(model, view.projected) }, [
      encodeRegion(region),
    ]);
  }

  // Capture phase: with a mode on, the plot's own pointer handling (handles, the point
  // editor's clicks) does not see the gesture.
  const plot = view.plotEl;
  const swallowClick = (event) => {
    if (mode) event.stopPropagation();
  };
  const onKey = (event) => {
    if (event.key === "Escape" && gesture) {
      cancel();
      event.stopPropagation();
    }
  };
  plot.addEventListener("pointerdown", onDown, true);
  plot.addEventListener("pointermove", onMove, true);
  plot.addEventListener("pointerup", onUp, true);
  plot.addEventListener("pointercancel", cancel, true);
  plot.addEventListener("click", swallowClick, true);
  doc.addEventListener("keydown", onKey);

  brush.addEventListener("click", () => setMode("brush"));
  lasso.addEventListener("click", () => setMode("lasso"));
  clear.addEventListener("click", () => {
    preview = null;
    send({ kind: "clear" });
  });
  profileToggle.addEventListener("click", () => {
    model.set("profile_shown", !model.get("profile_shown"));
    model.save_changes();
  });
  const onLegend = (event) => {
    const li = /** @type {HTMLElement} */ (event.target).closest?.("[data-component]");
    if (!li || !view.legend.contains(li)) return;
    sendComponent(Number(li.getAttribute("data-component")), event, "shown");
  };
  const onLegendKey = (event) => {
    if (event.key !== "Enter" && event.key !== " ") return;
    event.preventDefault();
    event.stopPropagation(); // not the player's keys
    onLegend(event);
  };
  view.legend.addEventListener("click", onLegend);
  view.legend.addEventListener("keydown", onLegendKey);

  function updateProfile() {
    const shown = Boolean(model.get("profile_shown"));
    profileToggle.setAttribute("aria-pressed", String(shown));
    tableBox.hidden = !shown;
    profile.update({
      table: shown ? model.get("profile_table") : {},
      featureNames: model.get("feature_names") || [],
      colors: view.theme ? view.colors() : [],
    });
  }

  const onRows = () => {
    preview = null;
    refreshMask();
    view.renderFrame();
  };
  // The kernel answers every request (even when the rows did not change): the preview
  // of a gesture ends there. Custom messages reach the kernel's model (an embedding
  // view's own), not an embedded player's local one.
  const onAnswer = (content) => {
    if (content?.type === "selection-done" && preview) onRows();
  };
  view.kernel?.on?.("msg:custom", onAnswer);
  model.on("change:selected_rows", onRows);
  model.on("change:display_rows", onRows);
  model.on("change:profile_table", updateProfile);
  model.on("change:profile_shown", updateProfile);
  refreshMask();
  updateProfile();

  return {
    controls,
    tableBox,
    profile,
    /** The brush/lasso mode now. */
    get mode() {
      return mode;
    },
    /** Which drawn points are selected (null: none), after the last refresh. */
    get mask() {
      return mask;
    },
    /**
     * Colours and draw order of the points with the selection shown: the selected on
     * top, the others faded towards the background.
     * @param {Uint8ClampedArray} rgb
     * @param {ArrayLike<number>} order
     * @param {ArrayLike<number>} background
     */
    decorate(rgb, order, background) {
      refreshMask();
      if (mask && mask.length !== rgb.length / 3) return { rgb, order };
      return { rgb: fadeUnselected(rgb, mask, background), order: selectedOnTop(order, mask) };
    },
    /** Mark legend entries as selectable (after the view rebuilt them). */
    decorateLegend() {
      for (const li of view.legend.children) {
        li.setAttribute("data-gmm-role", "legend-item");
        li.setAttribute("title", "Select this component's rows (Shift adds)");
        li.setAttribute("tabindex", "0");
        li.setAttribute("role", "button");
      }
      updateProfileColors();
    },
    /** The number of drawn points selected now. */
    shownCount: () => countSelected(mask),
    destroy() {
      plot.removeEventListener("pointerdown", onDown, true);
      plot.removeEventListener("pointermove", onMove, true);
      plot.removeEventListener("pointerup", onUp, true);
      plot.removeEventListener("pointercancel", cancel, true);
      plot.removeEventListener("click", swallowClick, true);
      doc.removeEventListener("keydown", onKey);
      view.legend.removeEventListener("click", onLegend);
      view.legend.removeEventListener("keydown", onLegendKey);
      view.kernel?.off?.("msg:custom", onAnswer);
      model.off("change:selected_rows", onRows);
      model.off("change:display_rows", onRows);
      model.off("change:profile_table", updateProfile);
      model.off("change:profile_shown", updateProfile);
      profile.destroy();
      count.remove();
    },
  };

  function updateProfileColors() {
    const n = view.colors().length;
    if (n !== lastColorCount) {
      lastColorCount = n;
      updateProfile();
    }
  }
}
