// Axes drawn in SVG: ticks, tick labels, light grid lines and axis titles. Colours come
// from CSS classes (see widget.css), which use JupyterLab's variables.
//
// Tick labels carry only the digits that tell the ticks apart (lib/ticks.js); what they
// share goes into a note: above the y axis, after the x title. `fitMargin` sizes the left
// margin to the widest y tick label, so the labels and the rotated title always fit.

import { svg } from "./dom.js";
import { linearScale } from "./scale.js";
import { powerOfTen, tickLabels } from "./ticks.js";

/** Font size of tick labels, px (`.gmm-tick-label` in widget.css). */
export const TICK_FONT_PX = 10.5;
/** Between the axis line and the right end of a y tick label, px. */
const TICK_GAP = 7;
/** Between the widest y tick label and the rotated y title's baseline, px. */
const TITLE_GAP = 8;
/** The y title's glyphs left of its baseline (about the ascent of 11.5 px text), px. */
const TITLE_ASCENT = 10;
/** The y note sits this far above the plot area, px; a margin with a note is this tall. */
const NOTE_RISE = 6;
const NOTE_TOP = 20;

/**
 * A generous estimate of the width of a tick label, px: 0.62 em for digits and letters,
 * 0.84 em for the minus sign (U+2212), 0.32 em for separators. Layout must not depend on measuring text (happy-dom
 * and the static export cannot), and a few px too many only widen the margin.
 * @param {string} text
 * @param {number} [fontPx]
 */
export function labelWidth(text, fontPx = TICK_FONT_PX) {
  let em = 0;
  for (const c of text) em += ".,: ".includes(c) ? 0.32 : c === "\u2212" ? 0.84 : 0.62;
  return em * fontPx;
}

/**
 * The ticks of one axis and their labels.
 * @param {{domain: number[], ticks: (n?: number) => number[], log?: boolean}} scale a
 *   linear scale, or one with `log: true` whose ticks are powers of ten
 * @param {number} count about how many ticks
 * @param {boolean} [integer] only whole numbers
 * @returns {{values: number[], labels: string[], note: string}}
 */
export function axisTicks(scale, count, integer = false) {
  let values = scale.ticks(count);
  if (integer) {
    values = values.filter(Number.isInteger);
    if (!values.length) values = scale.ticks(count);
  }
  if ("log" in scale && scale.log) {
    // Powers of ten: each label on its own (an offset means nothing on a log axis).
    const labels = values.map((v) => (v < 1e4 ? String(v) : powerOfTen(Math.round(Math.log10(v)))));
    return { values, labels, note: "" };
  }
  const { labels, note } = tickLabels(values, scale.domain);
  return { values, labels, note };
}

/**
 * Margins that fit the y tick labels: the left margin grows to the widest label (plus
 * the title when there is one), the top one makes room for the note above the axis.
 * @param {{left: number, right: number, top: number, bottom: number}} base the margins
 *   without tick labels in mind (`left` is the least left margin)
 * @param {number[]} yDomain [lo, hi] of the y axis, as given to `linearScale`
 * @param {{yTicks?: number, yLabel?: string, yScale?: {domain: number[],
 *   ticks: (n?: number) => number[]}}} [opts] `yScale`: a scale whose ticks to use
 *   (log axes); the same `yTicks` must go to `drawAxes`
 * @returns {{left: number, right: number, top: number, bottom: number}}
 */
export function fitMargin(base, yDomain, opts = {}) {
  const scale = opts.yScale ?? linearScale(yDomain, [1, 0]);
  const { labels, note } = axisTicks(scale, opts.yTicks ?? 5);
  const widest = Math.max(0, ...labels.map((t) => labelWidth(t)));
  const title = opts.yLabel ? TITLE_GAP + TITLE_ASCENT : 0;
  const left = Math.ceil(TICK_GAP + widest + title + 3);
  return {
    ...base,
    left: Math.max(base.left, left),
    top: note ? Math.max(base.top, NOTE_TOP) : base.top,
  };
}

/**
 * Draw x and y axes for a plot area.
 * @param {SVGGElement} g group to draw into (emptied first)
 * @param {import("./scale.js").LinearScale} x linear scale for the x axis (range in px)
 * @param {import("./scale.js").LinearScale} y linear scale for the y axis (range in px,
 *   reversed)
 * @param {{xLabel?: string, yLabel?: string, xTicks?: number, yTicks?: number, grid?: boolean,
 *   xInteger?: boolean}} [opts] `xInteger`: only whole numbers on the x axis (iterations)
 */
export function drawAxes(g, x, y, opts = {}) {
  while (g.firstChild) g.removeChild(g.firstChild);
  const [x0, x1] = x.range;
  const [y0, y1] = y.range; // y0 is the bottom
  const xt = axisTicks(x, opts.xTicks ?? 6, opts.xInteger);
  const yt = axisTicks(y, opts.yTicks ?? 5);
  const grid = opts.grid ?? true;
  if (grid) {
    for (const v of xt.values)
      svg("line", { class: "gmm-grid", x1: x(v), x2: x(v), y1: y0, y2: y1 }, g);
    for (const v of yt.values)
      svg("line", { class: "gmm-grid", x1: x0, x2: x1, y1: y(v), y2: y(v) }, g);
  }
  svg("line", { class: "gmm-axis-line", x1: x0, x2: x1, y1: y0, y2: y0 }, g);
  svg("line", { class: "gmm-axis-line", x1: x0, x2: x0, y1: y0, y2: y1 }, g);
  xt.values.forEach((v, i) => {
    svg("line", { class: "gmm-tick", x1: x(v), x2: x(v), y1: y0, y2: y0 + 4 }, g);
    const attrs = { class: "gmm-tick-label", x: x(v), y: y0 + 15, "text-anchor": "middle" };
    svg("text", { ...attrs, text: xt.labels[i] }, g);
  });
  let widest = 0;
  yt.values.forEach((v, i) => {
    svg("line", { class: "gmm-tick", x1: x0 - 4, x2: x0, y1: y(v), y2: y(v) }, g);
    const attrs = { class: "gmm-tick-label", x: x0 - TICK_GAP, y: y(v) + 3.5 };
    svg("text", { ...attrs, "text-anchor": "end", text: yt.labels[i] }, g);
    widest = Math.max(widest, labelWidth(yt.labels[i]));
  });
  if (yt.note) {
    const attrs = { class: "gmm-tick-label gmm-axis-note", "data-gmm-role": "y-axis-note" };
    const nx = Math.max(2, x0 - TICK_GAP - widest);
    svg("text", { ...attrs, x: nx, y: y1 - NOTE_RISE, "text-anchor": "start", text: yt.note }, g);
  }
  if (opts.xLabel || xt.note) {
    const text = [opts.xLabel, xt.note].filter(Boolean).join("\u2003");
    const attrs = { class: "gmm-axis-title", x: (x0 + x1) / 2, y: y0 + 31 };
    svg("text", { ...attrs, "text-anchor": "middle", text }, g);
  }
  if (opts.yLabel) {
    const cy = (y0 + y1) / 2;
    const tx = x0 - TICK_GAP - widest - TITLE_GAP;
    svg(
      "text",
      {
        class: "gmm-axis-title",
        x: 0,
        y: 0,
        "text-anchor": "middle",
        transform: `translate(${tx.toFixed(1)},${cy}) rotate(-90)`,
        text: opts.yLabel,
      },
      g,
    );
  }
  return g;
}
