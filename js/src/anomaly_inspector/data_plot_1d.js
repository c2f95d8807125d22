// The data in 1-D: a density histogram of the feature, the mixture density and its
// weighted components, the x intervals where log p(x) < threshold shaded, and a rug of
// the flagged points (one mark per pixel column, so the cost per frame is O(flagged)
// plus O(width)).

import { drawAxes, fitMargin } from "../lib/axes.js";
import { intervalsBelow, logDensity1d } from "./contour.js";
import { addNoise1d } from "./noise.js";
import { linePath, svg, uniqueId } from "../lib/dom.js";
import { rgbString } from "../lib/colors.js";
import { mixtureDensity1d } from "../lib/gaussian.js";
import { binCount, histogram } from "../lib/histogram.js";
import { linearScale } from "../lib/scale.js";
import { PLOT_MARGIN, syncChildren } from "../lib/scatter_plot.js";
import { sizeCanvas } from "../lib/scatter.js";
import { argsort, countBelow } from "./threshold.js";

const RUG = 12;
export function createDataPlot1d(container) {
  const zone = document.createElement("canvas");
  zone.className = "gmm-layer";
  zone.setAttribute("data-gmm-role", "anomaly-zone");
  const overlay = svg("svg", {
    class: "gmm-overlay",
    "data-gmm-role": "plot",
    role: "img",
    "aria-label": "Histogram of the feature and mixture density",
  });
  const rug = document.createElement("canvas");
  rug.className = "gmm-layer";
  rug.setAttribute("data-gmm-role", "flagged-points");
  container.append(zone, overlay, rug);
  const clipId = uniqueId("gmm-1d-clip");
  const clipRect = svg("rect", {}, svg("clipPath", { id: clipId }, svg("defs", {}, overlay)));
  const layers = {
    axes: svg("g", { class: "gmm-axes" }, overlay),
    bars: svg("g", { class: "gmm-data-bars", "clip-path": `url(#${clipId})` }, overlay),
    curves: svg("g", { class: "gmm-curves", "clip-path": `url(#${clipId})` }, overlay),
    mixture: svg(
      "path",
      {
        class: "gmm-mixture-curve",
        "data-gmm-role": "mixture-density",
        "clip-path": `url(#${clipId})`,
      },
      overlay,
    ),
    hover: svg(
      "line",
      { class: "gmm-hover-rule", "data-gmm-role": "hover-ring", visibility: "hidden" },
      overlay,
    ),
  };
  const state = {
    margin: PLOT_MARGIN,
    x: null,
    y: null,
    width: 0,
    height: 0,
    values: null,
    sortedX: null,
    xOrder: null,
    grid: null,
    logp: null,
    zoneCtx: null,
    rugCtx: null,
    columns: null,
    lastT: NaN,
  };

  /**
   * @param {{width: number, height: number, values: ArrayLike<number>, domain: number[],
   *   label: string, mixture: object|null, colors: import("../lib/colors.js").RGB[],
   *   foreground: import("../lib/colors.js").RGB}} opts
   */
  function layout(opts) {
    const { width, height, values, domain, mixture } = opts;
    state.width = width;
    state.height = height;
    state.values = values;
    container.style.height = `${height}px`;
    overlay.setAttribute("width", String(width));
    overlay.setAttribute("height", String(height));
    const dpr = globalThis.devicePixelRatio || 1;
    state.zoneCtx = sizeCanvas(zone, width, height, dpr);
    state.rugCtx = sizeCanvas(rug, width, height, dpr);
    const hist = histogram(values, binCount(values), domain);
    let yMax = 1e-12;
    for (const v of hist.density) yMax = Math.max(yMax, v);
    const G = 400;
    const grid = Float64Array.from(
      { length: G },
      (_, i) => domain[0] + ((domain[1] - domain[0]) * i) / (G - 1),
    );
    let curves = null;
    if (mixture) {
      const variances = mixture.covariances.map((c) => c[0]);
      curves = mixtureDensity1d(grid, mixture.weights, mixture.means, variances);
      for (const v of curves.mixture) yMax = Math.max(yMax, v);
      state.logp = logDensity1d(mixture, grid);
      if (mixture.noise) addNoise1d(state.logp, grid, mixture.noise);
    } else state.logp = null;
    state.grid = grid;
    const m = fitMargin(PLOT_MARGIN, [0, yMax * 1.12], { yLabel: "density" });
    state.margin = m;
    const x = linearScale(domain, [m.left, width - m.right]);
    const y = linearScale([0, yMax * 1.12], [height - m.bottom - RUG, m.top]);
    state.x = x;
    state.y = y;
    for (const [k, v] of Object.entries({
      x: m.left,
      y: m.top,
      width: Math.max(0, width - m.left - m.right),
      height: Math.max(0, height - m.top - m.bottom),
    })) {
      clipRect.setAttribute(k, String(v));
    }
    drawAxes(layers.axes, x, y, { xLabel: opts.label, yLabel: "density" });
    const nb = hist.density.length;
    syncChildren(layers.bars, nb, "rect");
    for (let b = 0; b < nb; b++) {
      const r = layers.bars.children[b];
      const x0 = x(hist.edges[b]);
      const x1 = x(hist.edges[b + 1]);
      const top = y(hist.density[b]);
      r.setAttribute("x", String(x0 + 0.5));
      r.setAttribute("width", String(Math.max(0, x1 - x0 - 1)));
      r.setAttribute("y", String(top));
      r.setAttribute("height", String(Math.max(0, y.range[0] - top)));
    }
    const gx = Array.from(grid, x);
    if (curves) {
      syncChildren(layers.curves, curves.components.length, "path");
      curves.components.forEach((c, k) => {
        const p = layers.curves.children[k];
        p.setAttribute("d", linePath(gx, Array.from(c, y)));
        p.setAttribute("stroke", rgbString(opts.colors[k]));
        p.setAttribute("fill", "none");
        p.setAttribute("stroke-width", "1.5");
        p.setAttribute("data-gmm-role", "component-density");
        p.setAttribute("data-component", String(k));
      });
      layers.mixture.setAttribute("d", linePath(gx, Array.from(curves.mixture, y)));
      layers.mixture.setAttribute("stroke", rgbString(opts.foreground));
    } else {
      syncChildren(layers.curves, 0, "path");
      layers.mixture.setAttribute("d", "");
    }
    state.xOrder = argsort(values);
    state.sortedX = Float64Array.from(state.xOrder, (i) => values[i]);
    state.columns = new Uint8Array(Math.ceil(width) + 1);
    state.lastT = NaN;
  }

  /**
   * Show threshold t.
   * @param {number} t
   * @param {Uint32Array} order displayed points by ascending score
   * @param {number} count how many are below t
   * @param {{anomaly: import("../lib/colors.js").RGB}} colors
   */
  function set(t, order, count, colors) {
    if (!state.x) return;
    const { x, y, width, height } = state;
    const m = state.margin;
    const yBase = y.range[0];
    if (state.zoneCtx && t !== state.lastT) {
      const ctx = state.zoneCtx;
      ctx.clearRect(0, 0, width, height);
      if (state.logp) {
        ctx.fillStyle = rgbString(colors.anomaly, 0.13);
        for (const [a, b] of intervalsBelow(state.grid, state.logp, t)) {
          const x0 = Math.max(m.left, x(a));
          const x1 = Math.min(width - m.right, x(b));
          if (x1 > x0) ctx.fillRect(x0, m.top, x1 - x0, yBase + RUG - m.top);
        }
      }
    }
    state.lastT = t;
    const ctx = state.rugCtx;
    if (!ctx) return;
    ctx.clearRect(0, 0, width, height);
    const cols = state.columns;
    cols.fill(0);
    const values = state.values;
    for (let k = 0; k < count; k++) {
      const c = Math.round(x(values[order[k]]));
      if (c >= 0 && c < cols.length) cols[c] = 1;
    }
    ctx.fillStyle = rgbString(colors.anomaly);
    for (let c = 0; c < cols.length; c++)
      if (cols[c]) ctx.fillRect(c - 0.75, yBase + 2, 1.5, RUG - 3);
  }

  /** Displayed point nearest to clientX (within 6 px), or -1. */
  function pick(clientX, clientY) {
    if (!state.x || !state.sortedX || state.sortedX.length === 0) return -1;
    const rect = overlay.getBoundingClientRect();
    const px = clientX - rect.left;
    const py = clientY - rect.top;
    if (py < state.margin.top || py > state.y.range[0] + RUG) return -1;
    const v = state.x.invert(px);
    const s = state.sortedX;
    const j = countBelow(s, v);
    let best = -1;
    let bestD = 6;
    for (const c of [j - 1, j]) {
      if (c < 0 || c >= s.length) continue;
      const d = Math.abs(state.x(s[c]) - px);
      if (d <= bestD) {
        bestD = d;
        best = state.xOrder[c];
      }
    }
    return best;
  }

  function hover(i) {
    if (i < 0 || !state.x) {
      layers.hover.setAttribute("visibility", "hidden");
      return;
    }
    const px = state.x(state.values[i]);
    layers.hover.setAttribute("x1", String(px));
    layers.hover.setAttribute("x2", String(px));
    layers.hover.setAttribute("y1", String(state.margin.top));
    layers.hover.setAttribute("y2", String(state.y.range[0] + RUG));
    layers.hover.removeAttribute("visibility");
  }

  return {
    overlay,
    layout,
    set,
    pick,
    hover,
    position: (i) =>
      state.x ? [state.x(state.values[i]), state.y.range[0] + RUG / 2] : [NaN, NaN],
    layers: () => [{ element: zone }, { element: overlay }, { element: rug }],
  };
}
