// The histogram of the scores (log-densities) with the threshold handle.
//
// Bars are drawn twice, once plain and once in the anomaly colour clipped to the left of
// the threshold, so a drag moves one clip rectangle, one line and the handle: O(1) DOM
// work per frame, whatever the number of points. The handle is a real, focusable
// element (role="slider", data-gmm-role="threshold-handle") moved with the pointer or
// the keyboard:
//   Left/Down, Right/Up   1/200 of the score range      Shift+arrow  one point
//   PageDown, PageUp      1/20 of the range             Home, End    nothing, everything
// Scores far below the rest are gathered in an underflow bar at the left; across it the
// handle moves by rank, so every point stays reachable.

import { drawAxes, fitMargin, labelWidth } from "../lib/axes.js";
import { h, svg, uniqueId } from "../lib/dom.js";
import { formatNumber, linearScale } from "../lib/scale.js";
import {
  binScores,
  scoreBinCount,
  scoreDomain,
  stepByPoint,
  thresholdForCount,
} from "./threshold.js";
import { ariaValueText, formatCount, handleLabel } from "./readouts.js";

// The top margin leaves the log toggle (top left, 18 px tall) clear of the y tick labels.
export const HIST_MARGIN = { left: 58, right: 14, top: 28, bottom: 40 };
/** Width of the underflow bar's zone, px. */
const UNDER_ZONE = 18;
const UNDER_GAP = 5;
/** From the threshold line to the near edge of its tag, px (`.gmm-threshold-tag`). */
const TAG_OFFSET = 9;

/**
 * A y scale for counts on log10(1 + count), with ticks at the powers of ten, so
 * that a tail of a few points shows beside a bulk of thousands.
 * @param {number} max
 * @param {Iterable<number>} range [r0, r1] in px
 */
export function logCountScale(max, [r0, r1]) {
  const top = Math.max(1, max);
  const L = Math.log10(1 + top);
  const scale = (v) => r0 + (Math.log10(1 + Math.max(0, v)) / L) * (r1 - r0);
  scale.invert = (p) => 10 ** (((p - r0) / (r1 - r0)) * L) - 1;
  scale.domain = [0, top];
  scale.range = [r0, r1];
  scale.log = true;
  scale.ticks = () => {
    const out = [];
    for (let p = 1; p <= top; p *= 10) out.push(p);
    return out;
  };
  return scale;
}

/**
 * @param {HTMLElement} container
 * @param {{onInput: (t: number) => void, onCommit: (t: number) => void,
 *   onKeyCommit: (t: number) => void, onScale?: (logY: boolean) => void}} callbacks
 *   onInput on every move, onCommit when a drag ends, onKeyCommit after a key press,
 *   onScale when the count axis toggle is pressed
 */
export function createScoreHistogram(container, callbacks) {
  const root = h("div", { class: "gmm-score-hist", "data-gmm-role": "score-histogram" });
  const overlay = svg("svg", {
    class: "gmm-overlay",
    role: "img",
    "aria-label": "Histogram of the log-densities",
  });
  const clipId = uniqueId("gmm-thr-clip");
  const areaId = uniqueId("gmm-thr-area");
  const defs = svg("defs", {}, overlay);
  const clipRect = svg(
    "rect",
    { x: 0, y: 0, width: 0, height: 0 },
    svg("clipPath", { id: clipId }, defs),
  );
  const areaRect = svg("rect", {}, svg("clipPath", { id: areaId }, defs));
  const layers = {
    zone: svg("rect", { class: "gmm-anomaly-zone", "data-gmm-role": "anomaly-zone" }, overlay),
    axes: svg("g", { class: "gmm-axes" }, overlay),
    bars: svg("g", { class: "gmm-score-bars" }, overlay),
    flagged: svg(
      "g",
      { class: "gmm-score-bars gmm-flagged-bars", "clip-path": `url(#${clipId})` },
      overlay,
    ),
    line: svg("line", { class: "gmm-threshold-line", "data-gmm-role": "threshold-line" }, overlay),
  };
  layers.zone.setAttribute("clip-path", `url(#${areaId})`);
  const handle = h("div", {
    class: "gmm-threshold-handle",
    "data-gmm-role": "threshold-handle",
    role: "slider",
    tabindex: 0,
    "aria-label": "Anomaly threshold (log-density)",
    "aria-orientation": "horizontal",
    title: "Drag, or use the arrow keys (Shift: one point at a time)",
  });
  const tag = h("div", {
    class: "gmm-threshold-tag",
    "data-gmm-role": "threshold-tag",
    "aria-hidden": "true",
  });
  handle.append(h("div", { class: "gmm-threshold-grip" }), tag);
  const scaleButton = h("button", {
    type: "button",
    class: "gmm-scale-toggle",
    "data-gmm-role": "hist-scale",
    title: "Count axis: linear or logarithmic",
    "aria-label": "Logarithmic count axis",
    "aria-pressed": "false",
    text: "log",
  });
  scaleButton.addEventListener("pointerdown", (event) => event.stopPropagation());
  scaleButton.addEventListener("click", () => callbacks.onScale?.(!state.logY));
  root.append(overlay, handle, scaleButton);
  container.append(root);

  const state = {
    margin: HIST_MARGIN,
    width: 0,
    height: 0,
    index: null,
    x: null,
    y: null,
    lo: 0,
    hi: 1,
    under: 0,
    underLeft: 0,
    logY: false,
    t: NaN,
    latest: NaN,
    dragging: false,
    pointerId: null,
  };

  /** Pixel x of threshold t (by rank across the underflow zone). */
  function toX(t) {
    const { x, lo, under, index, underLeft } = state;
    if (!x) return 0;
    if (t >= lo || under === 0) {
      const right = Math.min(x.range[1], x(topThreshold()));
      return Math.max(x.range[0], Math.min(right, x(t)));
    }
    const c = index.count(t);
    return underLeft + (c / under) * (x(lo) - underLeft);
  }

  /** Threshold at pixel x. */
  function fromX(px) {
    const { x, lo, hi, under, index, underLeft } = state;
    const left = under > 0 ? underLeft : x.range[0];
    const p = Math.max(left, Math.min(x.range[1], px));
    if (under > 0 && p < x(lo)) {
      const frac = (p - underLeft) / (x(lo) - underLeft);
      return thresholdForCount(index.sorted, Math.round(frac * under));
    }
    return Math.min(hi, topThreshold(), x.invert(p));
  }

  /** The threshold that flags every point: the handle goes no further right. */
  function topThreshold() {
    const { index } = state;
    return index?.n ? thresholdForCount(index.sorted, index.n) : state.hi;
  }

  /**
   * Size the plot and bin the scores.
   * @param {number} width
   * @param {number} height
   * @param {import("./threshold.js").ScoreIndex} index
   * @param {{logY?: boolean}} [opts] logarithmic count axis
   */
  function layout(width, height, index, opts = {}) {
    const [lo, hi] = scoreDomain(index.sorted);
    const nBins = scoreBinCount(index.sorted, [lo, hi]);
    const bins = binScores(index.sorted, nBins, [lo, hi]);
    let yMax = 1;
    for (const c of bins.counts) yMax = Math.max(yMax, c);
    yMax = Math.max(yMax, bins.under);
    state.logY = Boolean(opts.logY);
    const yLabel = state.logY ? "points (log)" : "points";
    const yScale = (range) =>
      state.logY ? logCountScale(yMax * 1.15, range) : linearScale([0, yMax * 1.08], range);
    // The margin fits the y tick labels, which depend on the counts, not on the pixels.
    const probe = yScale([1, 0]);
    const m = fitMargin(HIST_MARGIN, probe.domain, { yLabel, yTicks: 4, yScale: probe });
    state.margin = m;
    state.width = width;
    state.height = height;
    state.index = index;
    root.style.height = `${height}px`;
    overlay.setAttribute("width", String(width));
    overlay.setAttribute("height", String(height));
    state.lo = lo;
    state.hi = hi;
    state.under = bins.under;
    const plotLeft = m.left + (bins.under > 0 ? UNDER_ZONE + UNDER_GAP : 0);
    state.underLeft = m.left;
    const x = linearScale([lo, hi], [plotLeft, width - m.right]);
    scaleButton.setAttribute("aria-pressed", state.logY ? "true" : "false");
    scaleButton.classList.toggle("gmm-active", state.logY);
    const yRange = [height - m.bottom, m.top];
    const y = yScale(yRange);
    state.x = x;
    state.y = y;
    // With an underflow bar, the y axis stands left of it: the axes' x scale reaches
    // out to the margin but keeps the bins' mapping and ticks.
    const axisX =
      bins.under > 0
        ? Object.assign((v) => x(v), {
            range: [m.left, x.range[1]],
            domain: x.domain,
            ticks: x.ticks,
            invert: x.invert,
          })
        : x;
    drawAxes(layers.axes, axisX, y, {
      xLabel: "log-density (score_samples)",
      yLabel,
      xTicks: 6,
      yTicks: 4,
    });
    // Bars, with a minimum height so that a lone outlier stays visible.
    const rects = [];
    const yBase = y.range[0];
    const barHeight = (c) => (c > 0 ? Math.max(1.5, yBase - y(c)) : 0);
    for (let b = 0; b < nBins; b++) {
      const x0 = x(bins.edges[b]);
      const x1 = x(bins.edges[b + 1]);
      rects.push({
        x: x0 + 0.5,
        w: Math.max(0.5, x1 - x0 - 1),
        h: barHeight(bins.counts[b]),
        title:
          `${formatCount(bins.counts[b])} points with ` +
          `${formatNumber(bins.edges[b])} \u2264 score < ${formatNumber(bins.edges[b + 1])}`,
      });
    }
    if (bins.under > 0) {
      rects.push({
        x: m.left + 2,
        w: UNDER_ZONE - 2,
        h: barHeight(bins.under),
        under: true,
        title:
          `${formatCount(bins.under)} points with score < ${formatNumber(lo)} ` +
          `(down to ${formatNumber(index.min)}), gathered here`,
      });
    }
    for (const group of [layers.bars, layers.flagged]) {
      while (group.firstChild) group.removeChild(group.firstChild);
      for (const r of rects) {
        const rect = svg(
          "rect",
          {
            x: r.x,
            width: r.w,
            y: yBase - r.h,
            height: r.h,
            class: r.under ? "gmm-under-bar" : null,
          },
          group,
        );
        if (group === layers.bars) svg("title", { text: r.title }, rect);
      }
    }
    if (bins.under > 0) {
      svg(
        "text",
        {
          class: "gmm-tick-label",
          x: m.left + UNDER_ZONE / 2,
          y: yBase + 15,
          "text-anchor": "middle",
          text: "\u226a",
        },
        layers.axes,
      );
    }
    for (const [k, v] of Object.entries({
      x: m.left,
      y: m.top - 4,
      width: Math.max(0, width - m.left - m.right),
      height: Math.max(0, yBase - m.top + 4),
    })) {
      areaRect.setAttribute(k, String(v));
    }
    clipRect.setAttribute("y", String(m.top - 4));
    clipRect.setAttribute("height", String(Math.max(0, yBase - m.top + 4)));
    clipRect.setAttribute("x", String(0));
    layers.zone.setAttribute("y", String(m.top - 4));
    layers.zone.setAttribute("height", String(Math.max(0, yBase - m.top + 4)));
    layers.zone.setAttribute("x", String(m.left));
    layers.line.setAttribute("y1", String(m.top - 6));
    layers.line.setAttribute("y2", String(yBase));
    handle.style.top = `${m.top - 16}px`;
    handle.style.height = `${yBase - m.top + 16}px`;
    handle.setAttribute("aria-valuemin", String(index.min));
    handle.setAttribute(
      "aria-valuemax",
      String(index.n ? thresholdForCount(index.sorted, index.n) : 1),
    );
    state.t = NaN;
    state.latest = NaN;
  }

  /** Tell the view about a new threshold; it is drawn on the next frame. */
  function input(t) {
    state.latest = t;
    callbacks.onInput(t);
  }

  /**
   * Show threshold t.
   * @param {{threshold: number, count: number, n: number, percentile: number}} summary
   */
  function set(summary) {
    const t = summary.threshold;
    state.t = t;
    state.latest = t;
    if (!state.x) return;
    const px = toX(t);
    clipRect.setAttribute("width", String(Math.max(0, px)));
    layers.zone.setAttribute("width", String(Math.max(0, px - state.margin.left)));
    layers.line.setAttribute("x1", String(px));
    layers.line.setAttribute("x2", String(px));
    handle.style.transform = `translateX(${px}px)`;
    handle.setAttribute("aria-valuenow", String(t));
    handle.setAttribute("aria-valuetext", ariaValueText(summary));
    tag.textContent = handleLabel(summary);
    // Keep the tag inside the plot: flip it to the left of the line when it would pass
    // the right edge (its width estimated from the text, without a layout).
    const tagWidth = labelWidth(tag.textContent, 11) + 14;
    const left = px + TAG_OFFSET + tagWidth > state.width;
    tag.classList.toggle("gmm-tag-left", left);
    // Never under the "log" toggle: the tag drops one row where the two would meet.
    const from = left ? px - TAG_OFFSET - tagWidth : px + TAG_OFFSET;
    const b0 = scaleButton.offsetLeft;
    const b1 = b0 + (scaleButton.offsetWidth || 32);
    tag.classList.toggle(
      "gmm-tag-low",
      !scaleButton.hidden && from < b1 + 2 && from + tagWidth > b0 - 2,
    );
  }

  // ---------------------------------------------------------------- pointer
  const localX = (event) => {
    const rect = root.getBoundingClientRect();
    return event.clientX - rect.left;
  };
  const onDown = (event) => {
    if (!state.x || event.button > 0) return;
    state.dragging = true;
    state.pointerId = event.pointerId;
    if (root.setPointerCapture) {
      try {
        root.setPointerCapture(event.pointerId);
      } catch {
        /* not capturable (synthetic event) */
      }
    }
    root.classList.add("gmm-dragging");
    handle.focus({ preventScroll: true });
    event.preventDefault();
    input(fromX(localX(event)));
  };
  const onMove = (event) => {
    if (!state.dragging) return;
    input(fromX(localX(event)));
  };
  const onUp = (event) => {
    if (!state.dragging) return;
    state.dragging = false;
    root.classList.remove("gmm-dragging");
    if (event.type !== "pointercancel") state.latest = fromX(localX(event));
    callbacks.onCommit(state.latest);
  };
  root.addEventListener("pointerdown", onDown);
  root.addEventListener("pointermove", onMove);
  root.addEventListener("pointerup", onUp);
  root.addEventListener("pointercancel", onUp);
  root.addEventListener("lostpointercapture", (event) => state.dragging && onUp(event));

  // --------------------------------------------------------------- keyboard
  handle.addEventListener("keydown", (event) => {
    const next = keyStep(event.key, event.shiftKey, state.latest, state);
    if (next === null) return;
    event.preventDefault();
    event.stopPropagation(); // keep JupyterLab's notebook shortcuts out of it
    input(next);
    callbacks.onKeyCommit(next);
  });

  return {
    root,
    overlay,
    handle,
    layout,
    set,
    toX,
    fromX,
    get dragging() {
      return state.dragging;
    },
    get domain() {
      return [state.lo, state.hi];
    },
    get logY() {
      return state.logY;
    },
  };
}

/**
 * The threshold after a key press, or null if the key does not move it.
 * @param {string} key
 * @param {boolean} shift one point at a time
 * @param {number} t current threshold
 * @param {{index: import("./threshold.js").ScoreIndex, lo: number, hi: number}} s
 */
export function keyStep(key, shift, t, s) {
  const { index, lo, hi } = s;
  if (!index || index.n === 0) return null;
  const span = hi - lo;
  const up = key === "ArrowRight" || key === "ArrowUp";
  const down = key === "ArrowLeft" || key === "ArrowDown";
  if (up || down) {
    if (shift) return stepByPoint(index.sorted, t, up ? 1 : -1);
    return clampThreshold(t + (up ? 1 : -1) * (span / 200), index, hi);
  }
  if (key === "PageUp") return clampThreshold(t + span / 20, index, hi);
  if (key === "PageDown") return clampThreshold(t - span / 20, index, hi);
  if (key === "Home") return index.min;
  if (key === "End") return thresholdForCount(index.sorted, index.n);
  return null;
}

function clampThreshold(t, index, hi) {
  return Math.max(index.min, Math.min(Math.max(hi, thresholdForCount(index.sorted, index.n)), t));
}
