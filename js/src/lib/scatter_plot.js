// A 2-D plot: points on a canvas, with an SVG overlay on top for axes, component
// ellipses (1 and 2 sigma) and mean markers. Widgets that add draggable handles put them
// in `layers.handles`.

import { drawAxes, fitMargin } from "./axes.js";
import { linePath, svg, uniqueId } from "./dom.js";
import { ellipsePoints } from "./ellipse.js";
import { rgbString } from "./colors.js";
import { drawPoints, pointStyle, sizeCanvas } from "./scatter.js";
import { linearScale } from "./scale.js";

export const PLOT_MARGIN = { left: 56, right: 14, top: 10, bottom: 40 };

/**
 * @param {HTMLElement} container positioned element that receives the canvas and the SVG
 */
export function createScatterPlot(container) {
  const canvas = document.createElement("canvas");
  canvas.className = "gmm-points";
  canvas.setAttribute("data-gmm-role", "points");
  const overlay = svg("svg", {
    class: "gmm-overlay",
    "data-gmm-role": "plot",
    role: "img",
    "aria-label": "Data and mixture components",
  });
  container.append(canvas, overlay);
  const clipId = uniqueId("gmm-clip");
  const defs = svg("defs", {}, overlay);
  const clip = svg("clipPath", { id: clipId }, defs);
  const clipRect = svg("rect", {}, clip);
  const layers = {
    axes: svg("g", { class: "gmm-axes" }, overlay),
    ellipses: svg("g", { class: "gmm-ellipses", "clip-path": `url(#${clipId})` }, overlay),
    means: svg("g", { class: "gmm-means", "clip-path": `url(#${clipId})` }, overlay),
    handles: svg("g", { class: "gmm-handles" }, overlay),
  };
  const state = {
    width: 0,
    height: 0,
    x: null,
    y: null,
    ctx: null,
    dpr: 1,
    labels: {},
    margin: PLOT_MARGIN,
  };

  /** Resize to width x height CSS px and set the data domains; redraws the axes. */
  function layout(width, height, xDomain, yDomain, labels = {}) {
    const m = fitMargin(PLOT_MARGIN, yDomain, { yLabel: labels.y });
    state.margin = m;
    state.width = width;
    state.height = height;
    state.labels = labels;
    state.dpr = globalThis.devicePixelRatio || 1;
    container.style.height = `${height}px`;
    state.ctx = sizeCanvas(canvas, width, height, state.dpr);
    overlay.setAttribute("width", String(width));
    overlay.setAttribute("height", String(height));
    state.x = linearScale(xDomain, [m.left, width - m.right]);
    state.y = linearScale(yDomain, [height - m.bottom, m.top]);
    for (const [k, v] of Object.entries({
      x: m.left,
      y: m.top,
      width: Math.max(0, width - m.left - m.right),
      height: Math.max(0, height - m.top - m.bottom),
    })) {
      clipRect.setAttribute(k, String(v));
    }
    drawAxes(layers.axes, state.x, state.y, { xLabel: labels.x, yLabel: labels.y });
  }

  /**
   * Draw points given in data coordinates with n x 3 sRGB colours.
   * @param {ArrayLike<number>} xs
   * @param {ArrayLike<number>} ys
   * @param {ArrayLike<number>} rgb
   * @param {ArrayLike<number>} [order] draw order
   */
  function points(xs, ys, rgb, order) {
    if (!state.ctx || !state.x) return;
    const n = xs.length;
    const px = new Float32Array(n);
    const py = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      px[i] = state.x(xs[i]);
      py[i] = state.y(ys[i]);
    }
    drawPoints(state.ctx, {
      xs: px,
      ys: py,
      rgb,
      width: state.width,
      height: state.height,
      dpr: state.dpr,
      order,
    });
  }

  /**
   * Draw hollow rings (points with imputed coordinates) over the points, in data
   * coordinates with n x 3 sRGB colours. Call after `points` (which clears the canvas).
   * The canvas's `data-imputed` attribute counts the rings drawn.
   * @param {ArrayLike<number>} xs
   * @param {ArrayLike<number>} ys
   * @param {ArrayLike<number>} rgb
   */
  function rings(xs, ys, rgb) {
    canvas.setAttribute("data-imputed", String(xs.length));
    if (!state.ctx || !state.x) return;
    const ctx = state.ctx;
    const radius = pointStyle(xs.length).radius + 1.5;
    ctx.lineWidth = 1.3;
    for (let i = 0; i < xs.length; i++) {
      const px = state.x(xs[i]);
      const py = state.y(ys[i]);
      if (!Number.isFinite(px) || !Number.isFinite(py)) continue;
      ctx.strokeStyle = `rgb(${rgb[i * 3]}, ${rgb[i * 3 + 1]}, ${rgb[i * 3 + 2]})`;
      ctx.beginPath();
      ctx.arc(px, py, radius, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }

  /**
   * Draw one ellipse per sigma level and a mean marker per component.
   * @param {{mean: number[], cov: ArrayLike<number>, color: import("./colors.js").RGB,
   *   weight?: number}[]} comps
   *   projected means and 2x2 covariances (data coordinates)
   * @param {{sigmas?: number[], background?: import("./colors.js").RGB}} [opts]
   */
  function components(comps, opts = {}) {
    if (!state.x) return;
    const sigmas = opts.sigmas ?? [1, 2];
    const bg = opts.background ?? [255, 255, 255];
    const { x, y } = state;
    syncChildren(layers.ellipses, comps.length, "g");
    syncChildren(layers.means, comps.length, "path");
    comps.forEach((c, k) => {
      const group = layers.ellipses.children[k];
      group.setAttribute("data-component", String(k));
      // Per sigma level a halo in the background colour under the coloured line, so the
      // ellipse stays visible over a dense cloud of points of its own colour.
      const nS = sigmas.length;
      syncChildren(group, 2 * nS, "path");
      sigmas.forEach((s, j) => {
        const { xs, ys } = ellipsePoints(c.mean, c.cov, s);
        const halo = group.children[j];
        const path = group.children[nS + j];
        const ok = Number.isFinite(c.mean[0]) && Number.isFinite(c.mean[1]);
        const d = ok ? `${linePath(Array.from(xs, x), Array.from(ys, y))}Z` : "";
        halo.setAttribute("d", d);
        halo.setAttribute("class", "gmm-ellipse-halo");
        halo.setAttribute("fill", "none");
        halo.setAttribute("stroke", rgbString(bg));
        halo.setAttribute("stroke-width", j === 0 ? "4.4" : "3.4");
        halo.setAttribute("stroke-opacity", "0.8");
        halo.setAttribute("stroke-dasharray", j === 0 ? "" : "5 4");
        path.setAttribute("d", d);
        path.setAttribute("data-gmm-role", "ellipse");
        path.setAttribute("data-component", String(k));
        path.setAttribute("data-sigma", String(s));
        path.setAttribute("stroke", rgbString(c.color));
        path.setAttribute("fill", j === 0 ? rgbString(c.color, 0.1) : "none");
        path.setAttribute("stroke-width", j === 0 ? "2" : "1.3");
        path.setAttribute("stroke-dasharray", j === 0 ? "" : "5 4");
        path.setAttribute("stroke-opacity", j === 0 ? "0.95" : "0.8");
      });
      const mx = x(c.mean[0]);
      const my = y(c.mean[1]);
      const marker = layers.means.children[k];
      const r = 6;
      marker.setAttribute(
        "d",
        Number.isFinite(mx) && Number.isFinite(my)
          ? `M${mx - r},${my}L${mx},${my - r}L${mx + r},${my}L${mx},${my + r}Z`
          : "",
      );
      marker.setAttribute("data-gmm-role", "mean");
      marker.setAttribute("data-component", String(k));
      marker.setAttribute("fill", rgbString(c.color));
      marker.setAttribute("stroke", rgbString(bg));
      marker.setAttribute("stroke-width", "1.8");
    });
  }

  return {
    canvas,
    overlay,
    layers,
    layout,
    points,
    rings,
    components,
    get x() {
      return state.x;
    },
    get y() {
      return state.y;
    },
    get size() {
      return { width: state.width, height: state.height };
    },
  };
}

/** Make `parent` have exactly `n` children of the given SVG tag (reusing existing ones). */
export function syncChildren(parent, n, tag) {
  while (parent.children.length > n) parent.removeChild(parent.lastChild);
  while (parent.children.length < n) svg(tag, {}, parent);
}
