// A small line chart of the EM lower bound per iteration, with the current iteration
// highlighted. Clicking or dragging on it asks to show the nearest iteration.

import { drawAxes } from "./axes.js";
import { linePath, svg } from "./dom.js";
import { extent, linearScale, padExtent } from "./scale.js";

export const TRACE_MARGIN = { left: 62, right: 16, top: 10, bottom: 34 };

/**
 * @param {HTMLElement} container element to draw in
 * @param {{onSeek?: (iteration: number) => void, yLabel?: string}} [opts]
 */
export function createTrace(container, opts = {}) {
  const root = svg("svg", { class: "gmm-trace-svg gmm-overlay", "data-gmm-role": "trace", role: "img", "aria-label": "Lower bound per iteration" });
  container.appendChild(root);
  const axes = svg("g", { class: "gmm-trace-axes" }, root);
  const line = svg("path", { class: "gmm-trace-line" }, root);
  const dots = svg("g", { class: "gmm-trace-dots" }, root);
  const rule = svg("line", { class: "gmm-trace-rule" }, root);
  const marker = svg("circle", { class: "gmm-trace-marker", r: 4.5, "data-gmm-role": "trace-marker" }, root);
  const hit = svg("rect", { class: "gmm-trace-hit", fill: "transparent" }, root);
  let x = null;
  let dragging = false;
  let lastKey = "";

  const seekAt = (event) => {
    if (!x || !opts.onSeek) return;
    const rect = root.getBoundingClientRect();
    opts.onSeek(Math.round(x.invert(event.clientX - rect.left)));
  };
  hit.addEventListener("pointerdown", (event) => {
    dragging = true;
    if (hit.setPointerCapture) hit.setPointerCapture(event.pointerId);
    seekAt(event);
  });
  hit.addEventListener("pointermove", (event) => dragging && seekAt(event));
  const stop = () => {
    dragging = false;
  };
  hit.addEventListener("pointerup", stop);
  hit.addEventListener("pointercancel", stop);

  /**
   * @param {{width: number, height: number, iterations: ArrayLike<number>,
   *   values: ArrayLike<number>, current: number, maxIter?: number}} s
   *   `iterations[i]`, `values[i]`: the curve (non-finite values are skipped);
   *   `current`: the iteration to highlight
   */
  function update(s) {
    const { width, height, iterations, values, current } = s;
    const m = TRACE_MARGIN;
    root.setAttribute("width", String(width));
    root.setAttribute("height", String(height));
    const lastIter = iterations.length ? iterations[iterations.length - 1] : 1;
    const xs = linearScale([0, Math.max(1, lastIter)], [m.left, width - m.right]);
    const finite = Array.from(values).filter(Number.isFinite);
    const ys = linearScale(padExtent(finite.length ? extent(finite) : [0, 1], 0.08), [height - m.bottom, m.top]);
    x = xs;
    const key = `${width}x${height}:${xs.domain}:${ys.domain}`;
    if (key !== lastKey) {
      drawAxes(axes, xs, ys, { xLabel: "iteration", yLabel: opts.yLabel ?? "lower bound", xTicks: 8, yTicks: 3, yLabelOffset: 50 });
      lastKey = key;
    }
    const px = Array.from(iterations, (v) => xs(v));
    const py = Array.from(values, (v) => (Number.isFinite(v) ? ys(v) : NaN));
    line.setAttribute("d", linePath(px, py));
    while (dots.firstChild) dots.removeChild(dots.firstChild);
    if (iterations.length <= 80) {
      for (let i = 0; i < px.length; i++) if (Number.isFinite(py[i])) svg("circle", { class: "gmm-trace-dot", cx: px[i], cy: py[i], r: 2 }, dots);
    }
    const ci = Array.prototype.indexOf.call(iterations, current);
    const cx = xs(current);
    rule.setAttribute("x1", String(cx));
    rule.setAttribute("x2", String(cx));
    rule.setAttribute("y1", String(m.top));
    rule.setAttribute("y2", String(height - m.bottom));
    const cy = ci >= 0 ? py[ci] : NaN;
    if (Number.isFinite(cy)) {
      marker.setAttribute("cx", String(cx));
      marker.setAttribute("cy", String(cy));
      marker.removeAttribute("visibility");
    } else {
      marker.setAttribute("visibility", "hidden");
    }
    hit.setAttribute("x", String(m.left));
    hit.setAttribute("y", String(m.top));
    hit.setAttribute("width", String(Math.max(0, width - m.left - m.right)));
    hit.setAttribute("height", String(Math.max(0, height - m.top - m.bottom)));
  }

  return { root, update };
}
