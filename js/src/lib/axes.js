// Axes drawn in SVG: ticks, tick labels, light grid lines and axis titles. Colours come
// from CSS classes (see widget.css), which use JupyterLab's variables.

import { svg } from "./dom.js";
import { formatTick, tickStep } from "./scale.js";

/**
 * Draw x and y axes for a plot area.
 * @param {SVGGElement} g group to draw into (emptied first)
 * @param {import("./scale.js").LinearScale} x linear scale for the x axis (range in px)
 * @param {import("./scale.js").LinearScale} y linear scale for the y axis (range in px,
 *   reversed)
 * @param {{xLabel?: string, yLabel?: string, xTicks?: number, yTicks?: number, grid?: boolean,
 *   xInteger?: boolean, yLabelOffset?: number}} [opts] `xInteger`: only whole numbers on
 *   the x axis (iterations); `yLabelOffset`: px from the axis to the y title (default 40)
 */
export function drawAxes(g, x, y, opts = {}) {
  while (g.firstChild) g.removeChild(g.firstChild);
  const [x0, x1] = x.range;
  const [y0, y1] = y.range; // y0 is the bottom
  let xt = x.ticks(opts.xTicks ?? 6);
  if (opts.xInteger) xt = xt.filter(Number.isInteger);
  const yt = y.ticks(opts.yTicks ?? 5);
  const xStep = opts.xInteger
    ? Math.max(1, tickStep(...x.domain, opts.xTicks ?? 6))
    : tickStep(...x.domain, opts.xTicks ?? 6);
  const yStep = tickStep(...y.domain, opts.yTicks ?? 5);
  const grid = opts.grid ?? true;
  if (grid) {
    for (const v of xt) svg("line", { class: "gmm-grid", x1: x(v), x2: x(v), y1: y0, y2: y1 }, g);
    for (const v of yt) svg("line", { class: "gmm-grid", x1: x0, x2: x1, y1: y(v), y2: y(v) }, g);
  }
  svg("line", { class: "gmm-axis-line", x1: x0, x2: x1, y1: y0, y2: y0 }, g);
  svg("line", { class: "gmm-axis-line", x1: x0, x2: x0, y1: y0, y2: y1 }, g);
  for (const v of xt) {
    svg("line", { class: "gmm-tick", x1: x(v), x2: x(v), y1: y0, y2: y0 + 4 }, g);
    svg(
      "text",
      {
        class: "gmm-tick-label",
        x: x(v),
        y: y0 + 15,
        "text-anchor": "middle",
        text: formatTick(v, xStep),
      },
      g,
    );
  }
  for (const v of yt) {
    svg("line", { class: "gmm-tick", x1: x0 - 4, x2: x0, y1: y(v), y2: y(v) }, g);
    svg(
      "text",
      {
        class: "gmm-tick-label",
        x: x0 - 7,
        y: y(v) + 3.5,
        "text-anchor": "end",
        text: formatTick(v, yStep),
      },
      g,
    );
  }
  if (opts.xLabel) {
    svg(
      "text",
      {
        class: "gmm-axis-title",
        x: (x0 + x1) / 2,
        y: y0 + 31,
        "text-anchor": "middle",
        text: opts.xLabel,
      },
      g,
    );
  }
  if (opts.yLabel) {
    const cy = (y0 + y1) / 2;
    svg(
      "text",
      {
        class: "gmm-axis-title",
        x: 0,
        y: 0,
        "text-anchor": "middle",
        transform: `translate(${x0 - (opts.yLabelOffset ?? 40)},${cy}) rotate(-90)`,
        text: opts.yLabel,
      },
      g,
    );
  }
  return g;
}
