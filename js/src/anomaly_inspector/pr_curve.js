// A small precision-recall curve (one point per distinct score, simplified for drawing)
// with the current threshold marked. Clicking the curve moves the threshold to the
// nearest point of it.

import { drawAxes, fitMargin } from "../lib/axes.js";
import { linePath, svg } from "../lib/dom.js";
import { linearScale } from "../lib/scale.js";

export const PR_MARGIN = { left: 40, right: 10, top: 8, bottom: 32 };

/**
 * @param {HTMLElement} container
 * @param {{onPick?: (count: number) => void}} [opts] called with the number of points to flag
 */
export function createPRCurve(container, opts = {}) {
  const root = svg("svg", {
    class: "gmm-overlay gmm-pr-curve",
    "data-gmm-role": "pr-curve",
    role: "img",
    "aria-label": "Precision-recall curve",
  });
  container.append(root);
  const axes = svg("g", { class: "gmm-axes" }, root);
  const line = svg("path", { class: "gmm-pr-line", "data-gmm-role": "pr-line" }, root);
  const best = svg("path", { class: "gmm-pr-best", "data-gmm-role": "pr-best" }, root);
  const marker = svg(
    "circle",
    { class: "gmm-pr-marker", r: 4.5, "data-gmm-role": "pr-marker" },
    root,
  );
  const empty = svg("text", { class: "gmm-pr-empty", "text-anchor": "middle" }, root);
  const state = { x: null, y: null, curve: null, px: null, py: null };

  /**
   * @param {number} width
   * @param {number} height
   * @param {{recall: Float64Array, precision: Float64Array, count: Int32Array}|null} curve
   * @param {{recall: number, precision: number}|null} [bestPoint]
   */
  function layout(width, height, curve, bestPoint = null) {
    const m = fitMargin(PR_MARGIN, [0, 1.02], { yLabel: "precision", yTicks: 4 });
    root.setAttribute("width", String(width));
    root.setAttribute("height", String(height));
    const x = linearScale([0, 1], [m.left, width - m.right]);
    const y = linearScale([0, 1.02], [height - m.bottom, m.top]);
    state.x = x;
    state.y = y;
    state.curve = curve;
    drawAxes(axes, x, y, {
      xLabel: "recall",
      yLabel: "precision",
      xTicks: 4,
      yTicks: 4,
    });
    if (!curve) {
      line.setAttribute("d", "");
      best.setAttribute("d", "");
      marker.setAttribute("visibility", "hidden");
      empty.setAttribute("x", String((m.left + width - m.right) / 2));
      empty.setAttribute("y", String((m.top + height - m.bottom) / 2));
      empty.textContent = "no labelled anomaly";
      return;
    }
    empty.textContent = "";
    marker.removeAttribute("visibility");
    state.px = Array.from(curve.recall, x);
    state.py = Array.from(curve.precision, y);
    line.setAttribute("d", linePath(state.px, state.py));
    if (bestPoint) {
      const bx = x(bestPoint.recall);
      const by = y(bestPoint.precision);
      best.setAttribute("d", `M${bx - 4},${by}L${bx},${by - 4}L${bx + 4},${by}L${bx},${by + 4}Z`);
    } else best.setAttribute("d", "");
  }

  /** Mark the operating point of the current threshold. */
  function set(metrics) {
    if (!state.x || !state.curve || !metrics) return;
    marker.setAttribute("cx", String(state.x(metrics.recall)));
    marker.setAttribute("cy", String(state.y(metrics.precision)));
  }

  root.addEventListener("pointerdown", (event) => {
    if (!state.curve || !opts.onPick) return;
    const rect = root.getBoundingClientRect();
    const mx = event.clientX - rect.left;
    const my = event.clientY - rect.top;
    let bestI = -1;
    let bestD = Infinity;
    for (let i = 0; i < state.px.length; i++) {
      const d = (state.px[i] - mx) ** 2 + (state.py[i] - my) ** 2;
      if (d < bestD) {
        bestD = d;
        bestI = i;
      }
    }
    if (bestI >= 0 && bestD <= 20 * 20) opts.onPick(state.curve.count[bestI]);
  });

  return { root, layout, set };
}
