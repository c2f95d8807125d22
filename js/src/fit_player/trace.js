// A small line chart of the EM lower bound per iteration, with the current iteration
// highlighted. Clicking or dragging on it asks to show the nearest iteration.

import { drawAxes, fitMargin } from "../lib/axes.js";
import { linePath, svg, uniqueId } from "../lib/dom.js";
import { linearScale, padExtent } from "../lib/scale.js";

export const TRACE_MARGIN = { left: 62, right: 16, top: 10, bottom: 34 };

/**
 * The y range of a lower-bound curve, leaving out the first iterations when they are far
 * below the rest (a poor initialisation can start 1e6 below where EM ends, which would
 * flatten everything else into one line). A low value is left out while the gap from it
 * to the top is more than 10 times the range of the values above it.
 * @param {ArrayLike<number>} values
 * @returns {number[]} [NaN, NaN] without finite values
 */
export function robustExtent(values) {
  const v = Array.from(values)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (!v.length) return [NaN, NaN];
  const hi = v[v.length - 1];
  let i = 0;
  while (i < v.length - 2 && hi - v[i] > 10 * (hi - v[i + 1])) i++;
  return [v[i], hi];
}

/**
 * @param {HTMLElement} container element to draw in
 * @param {{onSeek?: (iteration: number) => void, yLabel?: string}} [opts]
 */
export function createTrace(container, opts = {}) {
  const root = svg("svg", {
    class: "gmm-trace-svg gmm-overlay",
    "data-gmm-role": "trace",
    role: "img",
    "aria-label": "Lower bound per iteration",
  });
  container.appendChild(root);
  const axes = svg("g", { class: "gmm-trace-axes" }, root);
  const clipId = uniqueId("gmm-trace-clip");
  const clipRect = svg("rect", {}, svg("clipPath", { id: clipId }, svg("defs", {}, root)));
  const line = svg("path", { class: "gmm-trace-line", "clip-path": `url(#${clipId})` }, root);
  const dots = svg("g", { class: "gmm-trace-dots" }, root);
  const rule = svg("line", { class: "gmm-trace-rule" }, root);
  const marker = svg(
    "circle",
    { class: "gmm-trace-marker", r: 4.5, "data-gmm-role": "trace-marker" },
    root,
  );
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
    root.setAttribute("width", String(width));
    root.setAttribute("height", String(height));
    const lastIter = iterations.length ? iterations[iterations.length - 1] : 1;
    const range = robustExtent(values);
    const yDomain = padExtent(Number.isFinite(range[0]) ? range : [0, 1], 0.08);
    const yLabel = opts.yLabel ?? "lower bound";
    const m = fitMargin(TRACE_MARGIN, yDomain, { yLabel, yTicks: 3 });
    const xs = linearScale([0, Math.max(1, lastIter)], [m.left, width - m.right]);
    const ys = linearScale(yDomain, [height - m.bottom, m.top]);
    const yFloor = ys.range[0];
    x = xs;
    const key = `${width}x${height}:${xs.domain}:${ys.domain}`;
    if (key !== lastKey) {
      drawAxes(axes, xs, ys, {
        xLabel: "iteration",
        yLabel,
        xTicks: 8,
        xInteger: true,
        yTicks: 3,
      });
      lastKey = key;
    }
    const px = Array.from(iterations, (v) => xs(v));
    const py = Array.from(values, (v) => (Number.isFinite(v) ? ys(v) : NaN));
    for (const [k, v] of Object.entries({
      x: m.left - 6,
      y: m.top - 6,
      width: Math.max(0, width - m.left - m.right + 12),
      height: Math.max(0, height - m.top - m.bottom + 12),
    })) {
      clipRect.setAttribute(k, String(v));
    }
    line.setAttribute("d", linePath(px, py));
    while (dots.firstChild) dots.removeChild(dots.firstChild);
    for (let i = 0; i < px.length; i++) {
      if (!Number.isFinite(py[i])) continue;
      if (py[i] > yFloor + 0.5) {
        // Below the axis: a small arrow on the axis says the value is off the scale.
        const x = px[i];
        const y = yFloor;
        svg(
          "path",
          {
            class: "gmm-trace-off",
            "data-gmm-role": "trace-off-scale",
            d: `M${x - 4},${y - 7}L${x + 4},${y - 7}L${x},${y - 1}Z`,
          },
          dots,
        ).appendChild(
          svg("title", { text: `iteration ${iterations[i]}: ${values[i]} (off the scale)` }),
        );
      } else if (iterations.length <= 80) {
        svg("circle", { class: "gmm-trace-dot", cx: px[i], cy: py[i], r: 2 }, dots);
      }
    }
    const ci = Array.prototype.indexOf.call(iterations, current);
    const cx = xs(current);
    rule.setAttribute("x1", String(cx));
    rule.setAttribute("x2", String(cx));
    rule.setAttribute("y1", String(m.top));
    rule.setAttribute("y2", String(height - m.bottom));
    const cy = ci >= 0 ? Math.min(py[ci], yFloor) : NaN;
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
