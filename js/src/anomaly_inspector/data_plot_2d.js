// The data in 2-D (two features, a chosen pair, or the principal axes): every point on
// a canvas drawn once per layout, and above it the layers a threshold drag redraws:
//   zone     the region log p(x) < threshold, shaded (2-D data only)
//   flagged  the points below the threshold, as markers (O(flagged) per frame)
//   rings    the labelled anomalies (drawn once)
// and the SVG overlay of the shared scatter plot (axes, ellipses, means) with the
// decision boundary log p(x) = threshold and the hover ring.

import { contourSegments, paintBelow, segmentsPath } from "./contour.js";
import { svg } from "../lib/dom.js";
import { MarkerLayer } from "./markers.js";
import { GridIndex } from "../lib/nearest.js";
import { createScatterPlot } from "../lib/scatter_plot.js";
import { sizeCanvas } from "../lib/scatter.js";

function layerCanvas(role) {
  const c = document.createElement("canvas");
  c.className = "gmm-layer";
  c.setAttribute("data-gmm-role", role);
  return c;
}

/**
 * Markers of the flagged points: one look at every count, a disc in the anomaly colour
 * with a thin rim of a darker shade of it (never the background colour, which turned
 * dense flagged regions white). Only the size changes, smoothly: 3.2 px up to 3,000
 * markers, down to 1.8 px at 30,000 and more, so a dense cloud still reads as red.
 * @param {number} count
 * @param {{anomaly: import("../lib/colors.js").RGB}} colors
 * @returns {{radius: number, fill: import("../lib/colors.js").RGB,
 *   outline: import("../lib/colors.js").RGB, ring: number}}
 */
export function flaggedStyle(count, colors) {
  const t = Math.max(0, Math.min(1, Math.log10(Math.max(1, count) / 3000)));
  const radius = Math.round((3.2 - 1.4 * t) * 10) / 10; // few distinct footprints
  const rim = /** @type {import("../lib/colors.js").RGB} */ (
    colors.anomaly.map((c) => Math.round(c * 0.55))
  );
  return { radius, fill: colors.anomaly, outline: rim, ring: 0.75 };
}

export function createDataPlot2d(container) {
  const plot = createScatterPlot(container);
  const zoneCanvas = layerCanvas("anomaly-zone");
  const flaggedCanvas = layerCanvas("flagged-points");
  const ringCanvas = layerCanvas("labelled-anomalies");
  for (const c of [zoneCanvas, flaggedCanvas, ringCanvas]) container.insertBefore(c, plot.overlay);
  const flagged = new MarkerLayer(flaggedCanvas);
  const rings = new MarkerLayer(ringCanvas);
  const clip = plot.layers.ellipses.getAttribute("clip-path");
  const boundary = svg(
    "path",
    { class: "gmm-boundary", "data-gmm-role": "decision-boundary", "clip-path": clip },
    plot.overlay,
  );
  plot.overlay.insertBefore(boundary, plot.layers.handles);
  const hoverRing = svg(
    "circle",
    { class: "gmm-hover-ring", "data-gmm-role": "hover-ring", r: 6, visibility: "hidden" },
    plot.layers.handles,
  );

  const state = {
    px: null,
    py: null,
    grid: null,
    zoneCtx: null,
    small: null,
    smallCtx: null,
    image: null,
    index: null,
    width: 0,
    height: 0,
    lastT: NaN,
  };

  /**
   * Lay out and draw the points.
   * @param {{width: number, height: number, xs: Float32Array, ys: Float32Array,
   *   xDomain: number[], yDomain: number[], labels: {x: string, y: string},
   *   rgb: Uint8ClampedArray, order: Uint32Array}} opts
   */
  function layout(opts) {
    const { width, height, xs, ys } = opts;
    plot.layout(width, height, opts.xDomain, opts.yDomain, opts.labels);
    plot.points(xs, ys, opts.rgb, opts.order);
    const n = xs.length;
    const px = new Float32Array(n);
    const py = new Float32Array(n);
    const { x, y } = plot;
    for (let i = 0; i < n; i++) {
      px[i] = x(xs[i]);
      py[i] = y(ys[i]);
    }
    state.px = px;
    state.py = py;
    state.width = width;
    state.height = height;
    state.index = new GridIndex(px, py, width, height);
    const dpr = globalThis.devicePixelRatio || 1;
    state.zoneCtx = sizeCanvas(zoneCanvas, width, height, dpr);
    flagged.resize(width, height, dpr);
    rings.resize(width, height, dpr);
    state.lastT = NaN;
  }

  /**
   * The log-density grid of the mixture over the plot (2-D data), or null.
   * @param {ReturnType<import("./contour.js").logDensityGrid>|null} grid
   */
  function setGrid(grid) {
    state.grid = grid;
    state.small = null;
    if (grid && typeof document !== "undefined") {
      const c = document.createElement("canvas");
      c.width = grid.nx;
      c.height = grid.ny;
      let ctx = null;
      try {
        ctx = c.getContext ? c.getContext("2d") : null;
      } catch {
        ctx = null;
      }
      if (ctx && typeof ctx.createImageData === "function") {
        state.small = c;
        state.smallCtx = ctx;
        state.image = ctx.createImageData(grid.nx, grid.ny);
      }
    }
    if (!grid) boundary.setAttribute("d", "");
    state.lastT = NaN;
  }

  /** Ring the labelled anomalies (indices into the displayed points), finer when many. */
  function setRings(indices, color, background) {
    if (!state.px) return;
    const n = indices.length;
    const style =
      n > 1000
        ? { radius: 3, ring: 0.8, alpha: 0.55 }
        : n > 200
          ? { radius: 3.8, ring: 1, alpha: 0.8 }
          : { radius: 4.6, ring: 1.3, alpha: 1 };
    const mix = color.map((v, j) =>
      Math.round(style.alpha * v + (1 - style.alpha) * background[j]),
    );
    rings.draw(state.px, state.py, indices, n, {
      radius: style.radius,
      fill: null,
      outline: mix,
      ring: style.ring,
    });
  }

  /**
   * Show threshold t: shade the zone, draw the boundary and the flagged points.
   * @param {number} t
   * @param {Uint32Array} order displayed points by ascending score
   * @param {number} count how many of them are below t
   * @param {{anomaly: import("../lib/colors.js").RGB,
   *   background: import("../lib/colors.js").RGB}} colors
   */
  function set(t, order, count, colors) {
    if (!state.px) return;
    const { grid } = state;
    if (grid && t !== state.lastT) {
      const { x, y } = plot;
      boundary.setAttribute("d", segmentsPath(contourSegments(grid, t), x, y));
      const ctx = state.zoneCtx;
      if (ctx && state.small) {
        paintBelow(state.image.data, grid, t, colors.anomaly, 34);
        state.smallCtx.putImageData(state.image, 0, 0);
        ctx.clearRect(0, 0, state.width, state.height);
        const left = x(grid.x0 - grid.dx / 2);
        const right = x(grid.x0 + (grid.nx - 0.5) * grid.dx);
        const top = y(grid.y0 + (grid.ny - 0.5) * grid.dy);
        const bottom = y(grid.y0 - grid.dy / 2);
        ctx.imageSmoothingEnabled = true;
        ctx.drawImage(state.small, left, top, right - left, bottom - top);
      }
    }
    state.lastT = t;
    flagged.draw(state.px, state.py, order, count, flaggedStyle(count, colors));
  }

  /** Index of the displayed point under (clientX, clientY), or -1. */
  function pick(clientX, clientY) {
    if (!state.index) return -1;
    const rect = plot.overlay.getBoundingClientRect();
    return state.index.nearest(clientX - rect.left, clientY - rect.top, 8);
  }

  function hover(i) {
    if (i < 0 || !state.px) {
      hoverRing.setAttribute("visibility", "hidden");
      return;
    }
    hoverRing.setAttribute("cx", String(state.px[i]));
    hoverRing.setAttribute("cy", String(state.py[i]));
    hoverRing.removeAttribute("visibility");
  }

  return {
    plot,
    layout,
    setGrid,
    setRings,
    set,
    pick,
    hover,
    components: (comps, opts) => plot.components(comps, opts),
    /** Pixel position of displayed point i (CSS px in the plot). */
    position: (i) => (state.px ? [state.px[i], state.py[i]] : [NaN, NaN]),
    layers: () => [
      { element: plot.canvas },
      { element: zoneCanvas },
      { element: flaggedCanvas },
      { element: ringCanvas },
      { element: plot.overlay },
    ],
  };
}
