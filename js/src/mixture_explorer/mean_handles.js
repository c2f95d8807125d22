// Draggable handles for the initial means of a mixture, drawn in the SVG overlay of a
// plot. Each handle is a focusable SVG group (data-gmm-role="mean-handle",
// data-component="k"): drag it with the pointer, or focus it and move it with the
// arrow keys (Shift: larger steps, Alt: finer). The handles do not own the positions:
// they report previews while a move is under way and a commit when it ends, and the
// widget redraws them from its state.
//
// With `onLock`, each handle also has a lock button beside it (data-gmm-role="mean-lock",
// data-component="k", aria-pressed), and "L" on a focused handle toggles the same lock:
// the widget then holds that component's mean at the handle in its refits.

import { svg } from "../lib/dom.js";
import { rgbString } from "../lib/colors.js";
import { syncChildren } from "../lib/scatter_plot.js";

/** Fraction of the axis span that one arrow key moves a handle (Shift x5, Alt /5). */
export const KEY_STEP = 0.02;
/** Milliseconds after the last arrow key before a keyboard move is committed. */
export const KEY_COMMIT_DELAY = 450;
/** A pointer that moved less than this many px between down and up did not drag. */
export const DRAG_THRESHOLD = 2;
/** Pixel offset of a handle's lock button from the handle's centre. */
export const LOCK_OFFSET = [15, -15];
// The padlock's shackle, closed and open.
const SHACKLE_CLOSED = "M-2.5,-1V-3.5a2.5,2.5 0 0 1 5,0V-1";
const SHACKLE_OPEN = "M-2.5,-1V-3.5a2.5,2.5 0 0 1 5,0V-2.5";

/**
 * The d-vector that a mean becomes when its 2-D view is moved to `target`, for a
 * projection y = P (x - c) with P of shape 2 x d (a feature pair or orthonormal axes):
 * m' = m + P^T (P P^T)^-1 (target - P (m - c)), the smallest change of m that projects
 * onto `target`. A degenerate P (the same feature on both axes) moves along x only.
 * @param {ArrayLike<number>} mean d values
 * @param {{P: Float64Array, offset: Float64Array, d: number}} proj
 * @param {number[]} target
 * @returns {Float64Array}
 */
export function moveMean(mean, proj, target) {
  const { P, offset, d } = proj;
  const cur = [0, 0];
  for (let j = 0; j < d; j++) {
    const v = mean[j] - offset[j];
    cur[0] += P[j] * v;
    cur[1] += P[d + j] * v;
  }
  const r0 = target[0] - cur[0];
  const r1 = Number.isFinite(target[1]) ? target[1] - cur[1] : 0;
  let a = 0;
  let b = 0;
  let c = 0;
  for (let j = 0; j < d; j++) {
    a += P[j] * P[j];
    b += P[j] * P[d + j];
    c += P[d + j] * P[d + j];
  }
  const det = a * c - b * b;
  let u0;
  let u1;
  if (Math.abs(det) > 1e-12 * Math.max(1, a * c)) {
    u0 = (c * r0 - b * r1) / det;
    u1 = (a * r1 - b * r0) / det;
  } else {
    u0 = a > 0 ? r0 / a : 0;
    u1 = 0;
  }
  const out = Float64Array.from({ length: d }, (_, j) => mean[j] + P[j] * u0 + P[d + j] * u1);
  return out;
}

/**
 * Data-space step of an arrow key, or null for other keys.
 * @param {KeyboardEvent|{key: string, shiftKey?: boolean, altKey?: boolean}} event
 * @param {number[]} span widths of the x and y domains
 * @returns {number[]|null}
 */
export function keyStep(event, span) {
  const f = KEY_STEP * (event.shiftKey ? 5 : 1) * (event.altKey ? 0.2 : 1);
  switch (event.key) {
    case "ArrowLeft":
      return [-f * span[0], 0];
    case "ArrowRight":
      return [f * span[0], 0];
    case "ArrowUp":
      return [0, f * span[1]];
    case "ArrowDown":
      return [0, -f * span[1]];
    default:
      return null;
  }
}

const clamp = (v, lo, hi) => Math.max(Math.min(lo, hi), Math.min(Math.max(lo, hi), v));

/**
 * @typedef {object} HandleItem
 * @property {number[]} point position in the plot's data coordinates (y is
 *   ignored with `axis: "x"`)
 * @property {import("../lib/colors.js").RGB} color
 * @property {string} label accessible description
 * @property {boolean} [locked] whether the mean is locked (drawn, and the lock's state)
 */

/**
 * Handles in an SVG layer.
 * @param {SVGGElement} layer e.g. `scatterPlot.layers.handles`
 * @param {object} opts
 * @param {(k: number, point: number[]) => void} opts.onPreview a move under way
 * @param {(k: number, point: number[]) => void} opts.onCommit a move that ended
 * @param {(k: number) => void} [opts.onCancel] a move abandoned (Escape, pointercancel)
 * @param {(k: number) => void} [opts.onLock] toggle the lock of handle k (lock buttons
 *   and the "L" key exist only with it)
 * @param {import("../lib/timing.js").Timers} [opts.timers]
 */
export function createMeanHandles(layer, opts) {
  const timers = opts.timers || globalThis;
  const trails = svg("g", { class: "gmm-trails", "aria-hidden": "true" }, layer);
  const group = svg("g", { class: "gmm-mean-handles" }, layer);
  const locks = opts.onLock ? svg("g", { class: "gmm-mean-locks" }, layer) : null;
  let scales = null;
  let axis = "xy";
  let items = [];
  let drag = null; // {k, pointerId, dx, dy, startX, startY, moved, point}
  let keyMove = null; // {k, point, timer}

  const svgRoot = () => layer.ownerSVGElement || layer;
  const fixedY = () => scales.y.range[0] - 22;
  const toPx = (p) => [scales.x(p[0]), axis === "x" ? fixedY() : scales.y(p[1])];
  const toData = (px, py) => {
    const [x0, x1] = scales.x.range;
    const [y0, y1] = scales.y.range;
    const cx = clamp(px, x0, x1);
    const cy = clamp(py, y0, y1);
    return [scales.x.invert(cx), axis === "x" ? NaN : scales.y.invert(cy)];
  };
  const localPoint = (event) => {
    const rect = svgRoot().getBoundingClientRect();
    return [event.clientX - rect.left, event.clientY - rect.top];
  };

  function place(node, k, offset = [0, 0]) {
    const item = items[k];
    const [px, py] = toPx(item.point);
    const ok = Number.isFinite(px) && Number.isFinite(py);
    node.setAttribute(
      "transform",
      ok
        ? `translate(${(px + offset[0]).toFixed(2)},${(py + offset[1]).toFixed(2)})`
        : "translate(-9999,-9999)",
    );
  }

  function buildLock(node) {
    node.setAttribute("class", "gmm-mean-lock");
    node.setAttribute("data-gmm-role", "mean-lock");
    node.setAttribute("tabindex", "0");
    node.setAttribute("role", "button");
    node.setAttribute("focusable", "true");
    svg("rect", { class: "gmm-lock-hit", x: -8, y: -8, width: 16, height: 16, rx: 3 }, node);
    svg("path", { class: "gmm-lock-shackle", d: SHACKLE_OPEN }, node);
    svg("rect", { class: "gmm-lock-body", x: -4, y: -1, width: 8, height: 6, rx: 1 }, node);
    const toggle = (event) => {
      event.preventDefault();
      event.stopPropagation(); // not a click on the plot (which adds a point)
      flushKeys();
      opts.onLock?.(indexOf(node));
    };
    node.addEventListener("click", toggle);
    node.addEventListener("pointerdown", (event) => event.stopPropagation());
    node.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") toggle(event);
    });
  }

  function renderLocks() {
    if (!locks) return;
    syncChildren(locks, items.length, "g");
    items.forEach((item, k) => {
      const node = locks.children[k];
      if (!node.firstChild) buildLock(node);
      const on = Boolean(item.locked);
      node.setAttribute("data-component", String(k));
      node.setAttribute("aria-pressed", on ? "true" : "false");
      node.setAttribute(
        "aria-label",
        `${on ? "Unlock" : "Lock"} the mean of component ${k + 1} ` +
          `(${on ? "refits fit it again" : "refits hold it at its handle"})`,
      );
      node.classList.toggle("gmm-locked", on);
      node.children[1].setAttribute("d", on ? SHACKLE_CLOSED : SHACKLE_OPEN);
      node.children[1].setAttribute("stroke", rgbString(item.color));
      node.children[2].setAttribute("stroke", rgbString(item.color));
      // A locked padlock is filled with the component's colour.
      /** @type {SVGElement} */ (node.children[2]).style.fill = on ? rgbString(item.color) : "";
      place(node, k, LOCK_OFFSET);
    });
  }

  function build(node) {
    node.setAttribute("class", "gmm-mean-handle");
    node.setAttribute("data-gmm-role", "mean-handle");
    node.setAttribute("tabindex", "0");
    node.setAttribute("role", "button");
    node.setAttribute("aria-roledescription", "draggable handle");
    node.setAttribute("focusable", "true");
    svg("circle", { class: "gmm-handle-hit", r: 14 }, node);
    svg("circle", { class: "gmm-handle-ring", r: 8 }, node);
    svg("path", { class: "gmm-handle-cross", d: "M-4,0H4M0,-4V4" }, node);
    node.addEventListener("pointerdown", (event) => onPointerDown(event, node));
    node.addEventListener("pointermove", onPointerMove);
    node.addEventListener("pointerup", onPointerUp);
    node.addEventListener("pointercancel", () => cancelDrag());
    node.addEventListener("lostpointercapture", () => drag && finishDrag());
    node.addEventListener("keydown", (event) => onKey(event, node));
    node.addEventListener("blur", () => flushKeys());
  }

  const indexOf = (node) => Number(node.getAttribute("data-component"));

  function onPointerDown(event, node) {
    if (event.button !== undefined && event.button !== 0) return;
    if (!scales) return;
    const k = indexOf(node);
    flushKeys();
    const [px, py] = localPoint(event);
    const [hx, hy] = toPx(items[k].point);
    drag = {
      k,
      pointerId: event.pointerId,
      dx: hx - px,
      dy: hy - py,
      startX: px,
      startY: py,
      moved: false,
      point: items[k].point,
    };
    if (node.setPointerCapture && event.pointerId !== undefined) {
      try {
        node.setPointerCapture(event.pointerId);
      } catch {
        // capture is an optimisation; moves still arrive while the pointer is over it
      }
    }
    node.classList.add("gmm-dragging");
    if (node.focus) node.focus({ preventScroll: true });
    event.preventDefault();
    event.stopPropagation();
  }

  function onPointerMove(event) {
    if (!drag) return;
    const [px, py] = localPoint(event);
    if (!drag.moved && Math.hypot(px - drag.startX, py - drag.startY) < DRAG_THRESHOLD) return;
    drag.moved = true;
    drag.point = toData(px + drag.dx, py + drag.dy);
    opts.onPreview(drag.k, drag.point);
    event.preventDefault();
  }

  function onPointerUp(event) {
    if (!drag) return;
    if (event) onPointerMove(event);
    finishDrag();
  }

  function finishDrag() {
    const d = drag;
    drag = null;
    for (const n of group.querySelectorAll(".gmm-dragging")) n.classList.remove("gmm-dragging");
    if (d?.moved) opts.onCommit(d.k, d.point);
  }

  function cancelDrag() {
    const d = drag;
    drag = null;
    for (const n of group.querySelectorAll(".gmm-dragging")) n.classList.remove("gmm-dragging");
    if (d?.moved && opts.onCancel) opts.onCancel(d.k);
  }

  function flushKeys() {
    if (!keyMove) return;
    const m = keyMove;
    keyMove = null;
    timers.clearTimeout(m.timer);
    opts.onCommit(m.k, m.point);
  }

  function onKey(event, node) {
    if (!scales) return;
    const k = indexOf(node);
    const plain = !(event.ctrlKey || event.metaKey || event.altKey);
    if (opts.onLock && plain && (event.key === "l" || event.key === "L")) {
      flushKeys();
      opts.onLock(k);
      event.preventDefault();
      event.stopPropagation();
      return;
    }
    if (event.key === "Escape") {
      if (drag) cancelDrag();
      else if (keyMove) {
        timers.clearTimeout(keyMove.timer);
        keyMove = null;
        if (opts.onCancel) opts.onCancel(k);
      } else return;
    } else if (event.key === "Enter" || event.key === " ") {
      if (!keyMove) return;
      flushKeys();
    } else {
      const span = [
        Math.abs(scales.x.domain[1] - scales.x.domain[0]),
        Math.abs(scales.y.domain[1] - scales.y.domain[0]),
      ];
      const step = keyStep(event, span);
      if (!step) return;
      if (axis === "x" && step[0] === 0) return;
      if (keyMove && keyMove.k !== k) flushKeys();
      const from = keyMove ? keyMove.point : items[k].point;
      // Only the axis that moved changes (and stays inside the plot).
      const inside = (v, domain) => clamp(v, domain[0], domain[1]);
      const point = [
        step[0] ? inside(from[0] + step[0], scales.x.domain) : from[0],
        axis === "x" ? NaN : step[1] ? inside(from[1] + step[1], scales.y.domain) : from[1],
      ];
      if (keyMove) timers.clearTimeout(keyMove.timer);
      keyMove = { k, point, timer: timers.setTimeout(flushKeys, KEY_COMMIT_DELAY) };
      opts.onPreview(k, point);
    }
    event.preventDefault();
    event.stopPropagation(); // the player's arrow keys and JupyterLab's shortcuts stay out
  }

  /**
   * Draw the handles.
   * @param {HandleItem[]} next
   * @param {{x: Function, y: Function}} s the plot's scales
   * @param {{axis?: "xy"|"x", disabled?: boolean}} [o]
   */
  function render(next, s, o = {}) {
    items = next;
    scales = s;
    axis = o.axis || "xy";
    syncChildren(group, items.length, "g");
    items.forEach((item, k) => {
      const node = group.children[k];
      if (!node.firstChild) build(node);
      node.setAttribute("data-component", String(k));
      node.setAttribute("aria-label", item.label);
      node.setAttribute("aria-disabled", o.disabled ? "true" : "false");
      node.classList.toggle("gmm-locked", Boolean(item.locked));
      const ring = node.children[1];
      ring.setAttribute("stroke", rgbString(item.color));
      node.children[2].setAttribute("stroke", rgbString(item.color));
      place(node, k);
    });
    renderLocks();
  }

  /**
   * Draw each component's path from its initial mean through the EM iterations shown.
   * @param {{xs: number[], ys: number[], color: import("../lib/colors.js").RGB}[]} paths
   *   pixel coordinates
   */
  function drawTrails(paths) {
    syncChildren(trails, paths.length, "path");
    paths.forEach((p, k) => {
      const node = trails.children[k];
      let d = "";
      for (let i = 0; i < p.xs.length; i++) {
        if (!(Number.isFinite(p.xs[i]) && Number.isFinite(p.ys[i]))) continue;
        d += `${d ? "L" : "M"}${p.xs[i].toFixed(1)},${p.ys[i].toFixed(1)}`;
      }
      node.setAttribute("d", d);
      node.setAttribute("class", "gmm-trail");
      node.setAttribute("data-component", String(k));
      node.setAttribute("stroke", rgbString(p.color));
    });
  }

  return {
    group,
    trails,
    render,
    drawTrails,
    /** Whether a drag or a keyboard move is under way (previews not yet committed). */
    get active() {
      return drag !== null || keyMove !== null;
    },
    /** Commit a pending keyboard move now. */
    flush: flushKeys,
    destroy() {
      if (keyMove) timers.clearTimeout(keyMove.timer);
      keyMove = null;
      drag = null;
      layer.removeChild(trails);
      layer.removeChild(group);
      if (locks) layer.removeChild(locks);
    },
  };
}
