// The pairs view (scatter matrix) of a mixture over p <= 8 features: panel (row r, col c)
// shows feature features[c] across and features[r] up; off the diagonal the points
// coloured by responsibility and each component's 1 and 2 sigma ellipses of its 2 x 2
// marginal covariance, on the diagonal a histogram of the feature with the 1-D marginal
// mixture density (and each weighted component's).
//
// Drawing: the points of every panel go into ONE canvas, through one ImageData: each
// point adds its colour to its pixel's sums (accumulatePoints, a few additions per point
// and no per-point canvas call, in any order), then each pixel gets the mean colour and
// the opacity of the points on it (resolvePixels); the ellipses, densities and means into a second
// canvas (a few hundred paths per frame: canvas, no DOM work per frame), and an SVG on
// top holds what must be DOM: the panels (data-gmm-role="pair-panel", data-x, data-y:
// hover and click targets), the feature names and the hovered point's markers
// (data-gmm-role="pair-highlight", data-row). The data are the widget's `data` rows, read
// in place: nothing is copied per pair. Only the first PAIRS_MAX_POINTS rows of the
// view's shuffled draw order are drawn (a uniform subsample of the display sample).

import { decodeArray, encodeArray, isEncodedArray } from "./codecs.js";
import { rgbString } from "./colors.js";
import { h, svg } from "./dom.js";
import { ellipsePoints } from "./ellipse.js";
import { mixtureDensity1d } from "./gaussian.js";
import { histogram } from "./histogram.js";
import { setNow } from "./model.js";
import { GridIndex } from "./nearest.js";
import { RenderProbe } from "./perf.js";
import { featureLabel } from "./projection.js";
import { extent, linearScale, padExtent } from "./scale.js";
import { sizeCanvas } from "./scatter.js";

/** Most features a pairs view shows (as Python's MAX_PAIR_FEATURES). */
export const MAX_PAIR_FEATURES = 8;
/**
 * Most points drawn in each panel: the first ones of the view's shuffled draw order (a
 * uniform subsample of the display sample). 56 panels of 100,000 points are 5.6 million
 * point draws per frame, about 120 ms here; 20,000 still put several points on each pixel
 * of a panel of 8 x 8 (under 80 px a side), where more add nothing visible.
 */
export const PAIRS_MAX_POINTS = 20_000;
/** Room around the grid and between panels (CSS px); points keep INSET from the edges. */
export const PAIRS_MARGIN = { left: 4, top: 4, right: 4, bottom: 4 };
export const PAIRS_GAP = 6;
export const PANEL_INSET = 4;
/** Points of the grid on which the diagonal densities are drawn. */
export const DENSITY_GRID = 64;
/** Bars of the diagonal histograms. */
export const DIAGONAL_BINS = 24;

/**
 * @typedef {object} Panel
 * @property {number} row
 * @property {number} col
 * @property {number} fx feature across (features[col])
 * @property {number} fy feature up (features[row])
 * @property {number} x0 left edge (CSS px)
 * @property {number} y0 top edge
 * @property {number} size side
 * @property {boolean} diagonal
 */

/**
 * The grid of panels for `features` in a box of width x height CSS px: square panels of
 * equal size, `gap` apart, inside `margin`.
 * @param {number[]} features feature indices, in order (rows top to bottom, columns left
 *   to right)
 * @param {number} width
 * @param {number} height
 * @returns {{p: number, size: number, gap: number, width: number, height: number,
 *   panels: Panel[]}} `width`/`height`: the box the grid needs
 */
export function pairsLayout(features, width, height, margin = PAIRS_MARGIN, gap = PAIRS_GAP) {
  const p = features.length;
  const room = Math.min(width - margin.left - margin.right, height - margin.top - margin.bottom);
  const size = Math.max(12, Math.floor((room - gap * (p - 1)) / Math.max(1, p)));
  const panels = [];
  for (let row = 0; row < p; row++) {
    for (let col = 0; col < p; col++) {
      panels.push({
        row,
        col,
        fx: features[col],
        fy: features[row],
        x0: margin.left + col * (size + gap),
        y0: margin.top + row * (size + gap),
        size,
        diagonal: row === col,
      });
    }
  }
  const side = p * size + (p - 1) * gap;
  return {
    p,
    size,
    gap,
    width: margin.left + side + margin.right,
    height: margin.top + side + margin.bottom,
    panels,
  };
}

/**
 * The panel under (x, y) (CSS px in the grid's box), or -1 in a gap or outside.
 * @param {{panels: Panel[]}} layout
 */
export function panelAt(layout, x, y) {
  for (let i = 0; i < layout.panels.length; i++) {
    const q = layout.panels[i];
    if (x >= q.x0 && x < q.x0 + q.size && y >= q.y0 && y < q.y0 + q.size) return i;
  }
  return -1;
}

/**
 * Each feature's range over the rows, widened by `pad` of its length on each side.
 * @param {ArrayLike<number>} X row-major n x d
 * @param {number} d
 * @param {number[]} features
 * @returns {number[][]} one [lo, hi] per entry of `features`
 */
export function featureDomains(X, d, features, pad = 0.04) {
  return features.map((f) => padExtent(extent(X, d, f), pad));
}

/**
 * The scales of a panel: data to CSS px, `inset` px inside its edges. On the diagonal
 * `yDomain` is [0, the largest density shown].
 * @param {Panel} panel
 * @param {number[]} xDomain
 * @param {number[]} yDomain
 */
export function panelScales(panel, xDomain, yDomain, inset = PANEL_INSET) {
  const { x0, y0, size } = panel;
  return {
    x: linearScale(xDomain, [x0 + inset, x0 + size - inset]),
    y: linearScale(yDomain, [y0 + size - inset, y0 + inset]),
  };
}

/**
 * The 2 x 2 marginal covariance of features i and j from a full d x d covariance
 * (row-major): [S_ii, S_ij, S_ji, S_jj].
 * @param {ArrayLike<number>} cov
 * @param {number} d
 * @param {number} i
 * @param {number} j
 */
export function marginalCovariance(cov, d, i, j) {
  return Float64Array.of(cov[i * d + i], cov[i * d + j], cov[j * d + i], cov[j * d + j]);
}

/**
 * The 1-D marginal mixture of feature f on a grid: each weighted component density
 * w_k N(x; mu_kf, S_k,ff) and their sum.
 * @param {ArrayLike<number>} grid
 * @param {ArrayLike<number>} weights K
 * @param {ArrayLike<number>} means K x d, row-major
 * @param {ArrayLike<number>[]} covariances K full d x d
 * @param {number} d
 * @param {number} f
 * @returns {{components: Float64Array[], mixture: Float64Array}}
 */
export function marginalDensity(grid, weights, means, covariances, d, f) {
  const K = weights.length;
  const mu = new Float64Array(K);
  const variances = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    mu[k] = means[k * d + f];
    variances[k] = covariances[k][f * d + f];
  }
  return mixtureDensity1d(grid, weights, mu, variances);
}

/**
 * Panel-local device-pixel coordinates of the drawn rows for one feature, across (as x)
 * and up (as y): what every panel of that feature's column and row uses.
 * @param {ArrayLike<number>} X row-major n x d
 * @param {number} d
 * @param {number} f
 * @param {ArrayLike<number>} rows the rows drawn
 * @param {number[]} domain [lo, hi] of the feature
 * @param {number} size panel side (CSS px)
 * @param {number} dpr
 * @returns {{across: Float32Array, up: Float32Array}}
 */
export function featurePixels(X, d, f, rows, domain, size, dpr, inset = PANEL_INSET) {
  const m = rows.length;
  const across = new Float32Array(m);
  const up = new Float32Array(m);
  const sx = linearScale(domain, [inset, size - inset]);
  const sy = linearScale(domain, [size - inset, inset]);
  for (let t = 0; t < m; t++) {
    const v = X[rows[t] * d + f];
    across[t] = sx(v) * dpr;
    up[t] = sy(v) * dpr;
  }
  return { across, up };
}

/** Point radius and opacity for m points in panels of `size` CSS px. */
export function pairsPointStyle(m, size) {
  const density = m / Math.max(1, size * size);
  if (m <= 1000) return { radius: 2.0, alpha: 0.85 };
  if (density < 0.25) return { radius: 1.2, alpha: 0.7 };
  if (density < 1) return { radius: 0.8, alpha: 0.55 };
  return { radius: 0.5, alpha: 0.45 }; // one pixel per point
}

/**
 * @typedef {object} PairsFrame
 * @property {ArrayLike<number>} rgb m x 3 colours of the drawn rows, in the order of
 *   `rows` (see sampleRows)
 * @property {ArrayLike<number>} weights K
 * @property {ArrayLike<number>} means K x d
 * @property {ArrayLike<number>[]} covariances K full d x d
 * @property {import("./colors.js").RGB[]} colors K component colours
 * @property {{values: ArrayLike<number>, rgb: ArrayLike<number>}|null} [imputed] rows
 *   with missing values at their imputed place (m x d, missing="em"), drawn as hollow
 *   rings with their m x 3 colours (lib/impute.js)
 */

/**
 * Hollow rings at rows' imputed places in one panel (features fx across, fy up).
 * @param {CanvasRenderingContext2D} ctx
 * @param {{x: (v: number) => number, y: (v: number) => number}} s the panel's scales
 * @param {{values: ArrayLike<number>, rgb: ArrayLike<number>}} imputed m x d, m x 3
 * @param {number} d
 * @param {number} fx
 * @param {number} fy
 */
function strokeRings(ctx, s, imputed, d, fx, fy) {
  const { values, rgb } = imputed;
  const m = rgb.length / 3;
  ctx.lineWidth = 1;
  ctx.setLineDash([]);
  for (let i = 0; i < m; i++) {
    const px = s.x(values[i * d + fx]);
    const py = s.y(values[i * d + fy]);
    if (!Number.isFinite(px) || !Number.isFinite(py)) continue;
    ctx.strokeStyle = `rgb(${rgb[i * 3]}, ${rgb[i * 3 + 1]}, ${rgb[i * 3 + 2]})`;
    ctx.beginPath();
    ctx.arc(px, py, 2.5, 0, 2 * Math.PI);
    ctx.stroke();
  }
}

/**
 * The pairs view in `container` (a positioned element).
 * @param {HTMLElement} container
 * @param {{onSelect?: (fx: number, fy: number) => void}} [opts] `onSelect`: a panel off
 *   the diagonal was clicked (or Enter pressed on it)
 */
export function createPairsPlot(container, opts = {}) {
  const canvas = document.createElement("canvas");
  canvas.className = "gmm-points";
  canvas.setAttribute("data-gmm-role", "points");
  const marks = document.createElement("canvas");
  marks.className = "gmm-pairs-marks";
  marks.setAttribute("data-gmm-role", "pairs-marks");
  const overlay = svg("svg", {
    class: "gmm-overlay gmm-pairs-overlay",
    "data-gmm-role": "pairs",
    role: "group",
    "aria-label": "Pairs of features",
  });
  container.append(canvas, marks, overlay);
  const gPanels = svg("g", { class: "gmm-pairs-panels" }, overlay);
  const gLabels = svg("g", { class: "gmm-pairs-labels" }, overlay);
  const gHighlight = svg("g", { class: "gmm-pairs-highlight" }, overlay);
  // Render times (el.gmmPerf): the whole frame on the container, the points and the
  // marks (ellipses, densities, means) on their canvases.
  const probe = new RenderProbe();
  probe.attach(container);
  const pointsProbe = new RenderProbe();
  pointsProbe.attach(canvas);
  const marksProbe = new RenderProbe();
  marksProbe.attach(marks);

  const state = {
    /** @type {ReturnType<typeof pairsLayout>|null} */
    layout: null,
    X: /** @type {ArrayLike<number>} */ (new Float32Array(0)),
    d: 0,
    features: /** @type {number[]} */ ([]),
    rows: /** @type {Uint32Array} */ (new Uint32Array(0)),
    /** position in `rows` of each displayed row (-1: not drawn) */
    slot: new Int32Array(0),
    domains: /** @type {number[][]} */ ([]),
    pixels: /** @type {{across: Float32Array, up: Float32Array}[]} */ ([]),
    hists: /** @type {ReturnType<typeof histogram>[]} */ ([]),
    indexes: new Map(),
    dpr: 1,
    ctx: /** @type {CanvasRenderingContext2D|null} */ (null),
    mctx: /** @type {CanvasRenderingContext2D|null} */ (null),
    theme: /** @type {any} */ (null),
    hover: -1,
    /** per feature: the drawn rows' pixel column in a panel, and pixel row times W */
    cols: /** @type {Int32Array[]} */ ([]),
    rowsW: /** @type {Int32Array[]} */ ([]),
    image: /** @type {ImageData|null} */ (null),
    acc: new Float32Array(0),
    cnt: new Float32Array(0),
  };

  /**
   * Lay the grid out for new data, features, size or theme.
   * @param {{X: ArrayLike<number>, n: number, d: number}} data displayed rows
   * @param {ArrayLike<number>} order draw order of the rows (a permutation)
   * @param {number[]} features
   * @param {string[]} names feature names
   * @param {number} width
   * @param {number} height
   * @param {any} theme readTheme's result
   */
  function layout(data, order, features, names, width, height, theme) {
    const { X, n, d } = data;
    const lay = pairsLayout(features, width, height);
    state.layout = lay;
    state.X = X;
    state.d = d;
    state.features = features.slice();
    state.theme = theme;
    state.dpr = globalThis.devicePixelRatio || 1;
    state.rows = sampleRows(order, n);
    const m = state.rows.length;
    state.slot = new Int32Array(n).fill(-1);
    for (let t = 0; t < m; t++) state.slot[state.rows[t]] = t;
    state.domains = featureDomains(X, d, features);
    state.pixels = features.map((f, a) =>
      featurePixels(X, d, f, state.rows, state.domains[a], lay.size, state.dpr),
    );
    state.hists = features.map((f, a) => {
      const column = new Float32Array(n);
      for (let i = 0; i < n; i++) column[i] = X[i * d + f];
      return histogram(column, DIAGONAL_BINS, state.domains[a]);
    });
    state.indexes.clear();
    state.hover = -1;
    container.style.height = `${lay.height}px`;
    state.ctx = sizeCanvas(canvas, width, lay.height, state.dpr);
    state.cols = state.pixels.map((p) => pixelOffsets(p.across, 1));
    state.rowsW = state.pixels.map((p) => pixelOffsets(p.up, canvas.width));
    state.mctx = sizeCanvas(marks, width, lay.height, state.dpr);
    overlay.setAttribute("width", String(width));
    overlay.setAttribute("height", String(lay.height));
    gPanels.replaceChildren();
    gLabels.replaceChildren();
    gHighlight.replaceChildren();
    for (const q of lay.panels) {
      const xName = featureLabel(names, q.fx);
      const yName = featureLabel(names, q.fy);
      const rect = svg(
        "rect",
        {
          class: `gmm-pair-panel${q.diagonal ? " gmm-pair-diagonal" : ""}`,
          "data-gmm-role": "pair-panel",
          "data-x": q.fx,
          "data-y": q.fy,
          x: q.x0,
          y: q.y0,
          width: q.size,
          height: q.size,
          fill: "transparent",
          stroke: theme.grid,
        },
        gPanels,
      );
      if (q.diagonal) {
        rect.setAttribute("aria-label", `${xName}: density`);
        const label = svg(
          "text",
          { class: "gmm-pairs-label", x: q.x0 + 4, y: q.y0 + 12, fill: theme.text },
          gLabels,
        );
        label.textContent = xName;
      } else {
        rect.setAttribute("tabindex", "0");
        rect.setAttribute("role", "button");
        rect.setAttribute("aria-label", `${xName} across, ${yName} up: show large`);
        const title = svg("title", {}, rect);
        title.textContent = `${yName} vs ${xName} \u2014 click to enlarge`;
      }
    }
    canvas.setAttribute("aria-label", `${m} points in each panel`);
  }

  /** Draw a frame: the points of every panel, ellipses, means and the diagonal densities. */
  function draw(/** @type {PairsFrame} */ frame) {
    const lay = state.layout;
    if (!lay) return;
    const t0 = probe.start();
    drawPoints(frame.rgb);
    const t1 = probe.start();
    pointsProbe.stop(t0);
    drawMarks(frame);
    marksProbe.stop(t1);
    probe.stop(t0);
  }

  function drawPoints(colours) {
    const { ctx, layout: lay, rows, dpr } = state;
    if (!ctx || !lay) return;
    const m = rows.length;
    if (typeof ctx.createImageData !== "function") return;
    const W = canvas.width;
    const H = canvas.height;
    if (!state.image || state.image.width !== W || state.image.height !== H) {
      state.image = ctx.createImageData(W, H);
      state.acc = new Float32Array(W * H * 3);
      state.cnt = new Float32Array(W * H);
    }
    const { acc, cnt } = state;
    acc.fill(0);
    cnt.fill(0);
    const style = pairsPointStyle(m, lay.size);
    const footprint = discFootprint(style.radius * dpr, W);
    for (const q of lay.panels) {
      if (q.diagonal) continue;
      const base = Math.round(q.y0 * dpr) * W + Math.round(q.x0 * dpr);
      accumulatePoints(acc, cnt, base, state.cols[q.col], state.rowsW[q.row], colours, footprint);
    }
    resolvePixels(acc, cnt, state.image.data, style.alpha);
    ctx.putImageData(state.image, 0, 0);
  }

  function drawMarks(/** @type {PairsFrame} */ frame) {
    const { mctx: ctx, layout: lay, d, theme } = state;
    marks.setAttribute("data-imputed", String(frame.imputed ? frame.imputed.rgb.length / 3 : 0));
    if (!ctx || !lay) return;
    ctx.clearRect(0, 0, marks.width, marks.height);
    const K = frame.weights.length;
    const fg = theme.rgb.foreground;
    const bg = theme.rgb.background;
    for (const q of lay.panels) {
      ctx.save();
      ctx.beginPath();
      ctx.rect(q.x0, q.y0, q.size, q.size);
      ctx.clip();
      if (q.diagonal) {
        const a = q.col;
        const dom = state.domains[a];
        const grid = Float64Array.from(
          { length: DENSITY_GRID },
          (_, g) => dom[0] + ((dom[1] - dom[0]) * g) / (DENSITY_GRID - 1),
        );
        const dens = marginalDensity(grid, frame.weights, frame.means, frame.covariances, d, q.fx);
        const hist = state.hists[a];
        let top = 0;
        for (const v of hist.density) top = Math.max(top, v);
        for (const v of dens.mixture) if (Number.isFinite(v)) top = Math.max(top, v);
        const s = panelScales(q, dom, [0, top * 1.1 || 1]);
        ctx.fillStyle = rgbString(fg, 0.14);
        for (let j = 0; j < hist.density.length; j++) {
          const x0 = s.x(hist.edges[j]);
          const x1 = s.x(hist.edges[j + 1]);
          const y = s.y(hist.density[j]);
          ctx.fillRect(x0, y, Math.max(0.5, x1 - x0 - 0.5), s.y(0) - y);
        }
        for (let k = 0; k < dens.components.length; k++)
          strokeCurve(ctx, grid, dens.components[k], s, rgbString(frame.colors[k]), 1.2);
        strokeCurve(ctx, grid, dens.mixture, s, rgbString(fg, 0.85), 1.6);
      } else {
        const s = panelScales(q, state.domains[q.col], state.domains[q.row]);
        if (frame.imputed) strokeRings(ctx, s, frame.imputed, d, q.fx, q.fy);
        for (let k = 0; k < K; k++) {
          const mean = [frame.means[k * d + q.fx], frame.means[k * d + q.fy]];
          if (!(Number.isFinite(mean[0]) && Number.isFinite(mean[1]))) continue;
          const cov = marginalCovariance(frame.covariances[k], d, q.fx, q.fy);
          const color = frame.colors[k];
          for (const [sigma, width, dash] of [
            [2, 1, [3, 3]],
            [1, 1.5, []],
          ]) {
            const e = ellipsePoints(mean, cov, /** @type {number} */ (sigma), 48);
            ctx.beginPath();
            for (let v = 0; v < e.xs.length; v++) {
              const px = s.x(e.xs[v]);
              const py = s.y(e.ys[v]);
              v === 0 ? ctx.moveTo(px, py) : ctx.lineTo(px, py);
            }
            ctx.closePath();
            ctx.setLineDash(/** @type {number[]} */ (dash));
            ctx.lineWidth = /** @type {number} */ (width) + 1.6;
            ctx.strokeStyle = rgbString(bg, 0.7);
            ctx.stroke();
            ctx.lineWidth = /** @type {number} */ (width);
            ctx.strokeStyle = rgbString(color);
            ctx.stroke();
          }
          ctx.setLineDash([]);
          const mx = s.x(mean[0]);
          const my = s.y(mean[1]);
          const r = 3.5;
          ctx.beginPath();
          ctx.moveTo(mx - r, my);
          ctx.lineTo(mx, my - r);
          ctx.lineTo(mx + r, my);
          ctx.lineTo(mx, my + r);
          ctx.closePath();
          ctx.fillStyle = rgbString(color);
          ctx.strokeStyle = rgbString(bg);
          ctx.lineWidth = 1;
          ctx.fill();
          ctx.stroke();
        }
      }
      ctx.restore();
    }
  }

  /** The drawn row nearest to (x, y) (CSS px in the grid's box), or -1. */
  function pointAt(x, y, radius = 6) {
    const lay = state.layout;
    if (!lay) return -1;
    const p = panelAt(lay, x, y);
    if (p < 0 || lay.panels[p].diagonal) return -1;
    const q = lay.panels[p];
    let index = state.indexes.get(p);
    if (!index) {
      const { dpr } = state;
      const xs = state.pixels[q.col].across.map((v) => v / dpr);
      const ys = state.pixels[q.row].up.map((v) => v / dpr);
      index = new GridIndex(xs, ys, q.size, q.size, 8);
      state.indexes.set(p, index);
    }
    const t = index.nearest(x - q.x0, y - q.y0, radius);
    return t < 0 ? -1 : state.rows[t];
  }

  /**
   * Mark displayed row `row` in every panel (a ring off the diagonal, a line on it);
   * -1 clears. Rows that are not drawn are not marked.
   */
  function highlight(row) {
    const lay = state.layout;
    if (!lay) return;
    const t = row >= 0 && row < state.slot.length ? state.slot[row] : -1;
    state.hover = t < 0 ? -1 : row;
    container.dataset.hoverRow = String(state.hover);
    gHighlight.replaceChildren();
    if (t < 0) return;
    const { dpr, theme } = state;
    for (const q of lay.panels) {
      const x = q.x0 + state.pixels[q.col].across[t] / dpr;
      const attrs = {
        "data-gmm-role": "pair-highlight",
        "data-row": row,
        "data-x": q.fx,
        "data-y": q.fy,
        stroke: theme.foreground,
        "pointer-events": "none",
      };
      if (q.diagonal) {
        svg(
          "line",
          { ...attrs, x1: x, x2: x, y1: q.y0, y2: q.y0 + q.size, "stroke-width": 1.5 },
          gHighlight,
        );
      } else {
        const y = q.y0 + state.pixels[q.row].up[t] / dpr;
        svg(
          "circle",
          { ...attrs, cx: x, cy: y, r: 4, fill: "none", "stroke-width": 2 },
          gHighlight,
        );
      }
    }
  }

  const local = (event) => {
    const box = overlay.getBoundingClientRect();
    return [event.clientX - box.left, event.clientY - box.top];
  };
  const onMove = (event) => {
    const [x, y] = local(event);
    const row = pointAt(x, y);
    if (row !== state.hover) highlight(row);
  };
  const onLeave = () => highlight(-1);
  const select = (target) => {
    const el = /** @type {Element} */ (target);
    if (el?.getAttribute?.("data-gmm-role") !== "pair-panel") return;
    const fx = Number(el.getAttribute("data-x"));
    const fy = Number(el.getAttribute("data-y"));
    if (fx !== fy && opts.onSelect) opts.onSelect(fx, fy);
  };
  const onClick = (event) => select(event.target);
  const onKey = (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      select(event.target);
    }
  };
  overlay.addEventListener("pointermove", onMove);
  overlay.addEventListener("pointerleave", onLeave);
  overlay.addEventListener("click", onClick);
  overlay.addEventListener("keydown", onKey);

  return {
    canvas,
    marks,
    overlay,
    probe,
    layout,
    draw,
    pointAt,
    highlight,
    get grid() {
      return state.layout;
    },
    get rows() {
      return state.rows;
    },
    destroy() {
      overlay.removeEventListener("pointermove", onMove);
      overlay.removeEventListener("pointerleave", onLeave);
      overlay.removeEventListener("click", onClick);
      overlay.removeEventListener("keydown", onKey);
      container.replaceChildren();
    },
  };
}

/**
 * The rows the pairs view draws: the first PAIRS_MAX_POINTS of the draw order.
 * @param {ArrayLike<number>} order a permutation of the n displayed rows
 * @param {number} n
 * @returns {Uint32Array}
 */
export function sampleRows(order, n) {
  const m = Math.min(n, PAIRS_MAX_POINTS);
  return Uint32Array.from({ length: m }, (_, t) => order[t]);
}

/**
 * The drawn rows' values, gathered (row-major m x d): their responsibilities are all
 * the pairs view needs per frame.
 * @param {{X: ArrayLike<number>, n: number, d: number}} data
 * @param {ArrayLike<number>} rows
 */
export function gatherRows(data, rows) {
  const { X, d } = data;
  const out = new Float32Array(rows.length * d);
  for (let t = 0; t < rows.length; t++) {
    const i = rows[t] * d;
    for (let j = 0; j < d; j++) out[t * d + j] = X[i + j];
  }
  return { X: out, n: rows.length, d };
}

/**
 * Whole-pixel offsets of panel-local device-pixel coordinates, times `stride` (1 for
 * columns, the canvas width for rows), so that a point's pixel is base + col + rowW.
 * @param {Float32Array} coords
 * @param {number} stride
 */
export function pixelOffsets(coords, stride) {
  const out = new Int32Array(coords.length);
  for (let t = 0; t < coords.length; t++) {
    const v = coords[t];
    // A missing value (NaN, missing="em") lands far before the buffer: not drawn.
    out[t] = Number.isFinite(v) ? Math.round(v) * stride : OFF_BUFFER;
  }
  return out;
}

/** Offset of a missing coordinate: with any other offset, still below 0 (not drawn). */
const OFF_BUFFER = -0x40000000;

/**
 * The pixels a disc of radius `r` (device px) covers around its centre, with the share
 * covered (a one-pixel soft edge, as splatPoints): [offset, cover, offset, cover, ...]
 * with offset = dy * W + dx. A radius up to 0.5 is the centre pixel alone.
 * @param {number} r
 * @param {number} W width of the pixel buffer
 * @returns {Float64Array}
 */
export function discFootprint(r, W) {
  if (r <= 0.5) return Float64Array.of(0, 1);
  const R = Math.ceil(r + 0.5);
  const out = [];
  for (let dy = -R; dy <= R; dy++) {
    for (let dx = -R; dx <= R; dx++) {
      const cover = Math.max(0, Math.min(1, r + 0.5 - Math.hypot(dx, dy)));
      if (cover > 0) out.push(dy * W + dx, cover);
    }
  }
  return Float64Array.from(out);
}

/**
 * Add one panel's points to the colour sums `acc` (3 per pixel) and coverage `cnt` (1
 * per pixel): the pixel of point t is base + cols[t] + rowsW[t], plus each footprint
 * offset. Sums do not depend on the order of the points, so neither does the picture.
 * @param {Float32Array} acc
 * @param {Float32Array} cnt
 * @param {number} base pixel index of the panel's top-left corner
 * @param {Int32Array} cols
 * @param {Int32Array} rowsW
 * @param {ArrayLike<number>} rgb m*3 colours of the points
 * @param {Float64Array} footprint from discFootprint
 */
export function accumulatePoints(acc, cnt, base, cols, rowsW, rgb, footprint) {
  const m = cols.length;
  if (footprint.length === 2) {
    for (let t = 0; t < m; t++) {
      const k = base + cols[t] + rowsW[t];
      const c = t * 3;
      acc[k * 3] += rgb[c];
      acc[k * 3 + 1] += rgb[c + 1];
      acc[k * 3 + 2] += rgb[c + 2];
      cnt[k] += 1;
    }
    return;
  }
  for (let t = 0; t < m; t++) {
    const k0 = base + cols[t] + rowsW[t];
    const c = t * 3;
    for (let o = 0; o < footprint.length; o += 2) {
      const k = k0 + footprint[o];
      const w = footprint[o + 1];
      acc[k * 3] += w * rgb[c];
      acc[k * 3 + 1] += w * rgb[c + 1];
      acc[k * 3 + 2] += w * rgb[c + 2];
      cnt[k] += w;
    }
  }
}

/**
 * RGBA pixels from the sums: the mean colour of the points on each pixel, with the
 * opacity of `cover` points of opacity `alpha` stacked, 1 - (1 - alpha)^cover.
 * @param {Float32Array} acc
 * @param {Float32Array} cnt
 * @param {Uint8ClampedArray} pixels RGBA, 4 per pixel
 * @param {number} alpha
 */
export function resolvePixels(acc, cnt, pixels, alpha) {
  const steps = 16; // the opacity table's resolution in coverage
  const table = new Float64Array(64 * steps + 1);
  for (let j = 0; j < table.length; j++) table[j] = 255 * (1 - (1 - alpha) ** (j / steps));
  const top = table.length - 1;
  for (let k = 0; k < cnt.length; k++) {
    const c = cnt[k];
    const p = k * 4;
    if (c === 0) {
      pixels[p + 3] = 0;
      continue;
    }
    pixels[p] = acc[k * 3] / c;
    pixels[p + 1] = acc[k * 3 + 1] / c;
    pixels[p + 2] = acc[k * 3 + 2] / c;
    pixels[p + 3] = table[Math.min(top, Math.round(c * steps))];
  }
  return pixels;
}

/** Stroke the curve (grid[i], values[i]) through the scales. */
function strokeCurve(ctx, grid, values, s, color, width) {
  ctx.beginPath();
  let pen = false;
  for (let i = 0; i < grid.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      pen = false;
      continue;
    }
    const x = s.x(grid[i]);
    const y = s.y(v);
    pen ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
    pen = true;
  }
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.stroke();
}

/**
 * The features of the pairs view from the trait (an encoded int32 array, or a plain
 * array): valid distinct indices in [0, d), at most MAX_PAIR_FEATURES; the first
 * min(d, 8) when the trait is empty or missing.
 * @param {unknown} value
 * @param {number} d
 * @returns {number[]}
 */
export function chosenPairFeatures(value, d) {
  const out = [];
  const list = isEncodedArray(value)
    ? Array.from(/** @type {any} */ (decodeArray(/** @type {any} */ (value))).data)
    : value;
  if (Array.isArray(list)) {
    for (const v of list) {
      const f = Number(v);
      if (Number.isInteger(f) && f >= 0 && f < d && !out.includes(f)) out.push(f);
      if (out.length === MAX_PAIR_FEATURES) break;
    }
  }
  if (out.length >= Math.min(2, d)) return out;
  return Array.from({ length: Math.min(d, MAX_PAIR_FEATURES) }, (_, i) => i);
}

/**
 * Fill `box` with the pairs view's controls, which set the traits: a "pairs" toggle
 * (data-gmm-role="view-pairs"), an "uncertainty" toggle ("uncertainty-toggle") and,
 * in the pairs view of d > 2 features, a chooser of the features shown (checkboxes
 * "pair-feature" with data-feature, at most MAX_PAIR_FEATURES, at least 2). Hidden when
 * the model has no pairs traits (a player embedded in a widget without them) or d < 2.
 * @param {HTMLElement} box
 * @param {import("./traits.js").WidgetModel<import("./traits.js").PairsViewTraits &
 *   import("./traits.js").ProjectedWidgetTraits>} model
 * @param {number} d
 */
export function buildPairsControls(box, model, d) {
  box.replaceChildren();
  const has = model.get("pair_features") != null;
  box.hidden = !has || d < 2;
  if (box.hidden) return;
  const toggle = (role, text, key, title) => {
    const on = Boolean(model.get(key));
    const b = h("button", {
      type: "button",
      class: `gmm-button gmm-toggle${on ? " gmm-toggle-on" : ""}`,
      "data-gmm-role": role,
      "aria-pressed": on ? "true" : "false",
      title,
      text,
    });
    b.addEventListener("click", () => setNow(model, key, !model.get(key)));
    return b;
  };
  box.append(
    toggle("view-pairs", "pairs", "pairs_view", "Show every pair of features (scatter matrix)"),
    toggle(
      "uncertainty-toggle",
      "uncertainty",
      "uncertainty_view",
      "Fade each point by its uncertainty, 1 \u2212 max responsibility",
    ),
  );
  if (!model.get("pairs_view") || d <= 2) return;
  const names = model.get("feature_names") || [];
  const chosen = chosenPairFeatures(model.get("pair_features"), d);
  const list = h("div", { class: "gmm-pairs-chooser-list" });
  const boxes = [];
  for (let f = 0; f < d; f++) {
    const input = h("input", {
      type: "checkbox",
      "data-gmm-role": "pair-feature",
      "data-feature": f,
    });
    input.checked = chosen.includes(f);
    boxes.push(input);
    list.append(h("label", { class: "gmm-label" }, [input, featureLabel(names, f)]));
  }
  const limit = () => {
    const count = boxes.filter((b) => b.checked).length;
    for (const b of boxes)
      b.disabled = (!b.checked && count >= MAX_PAIR_FEATURES) || (b.checked && count <= 2);
  };
  limit();
  list.addEventListener("change", () => {
    limit();
    const features = boxes.flatMap((b, f) => (b.checked ? [f] : []));
    if (features.length >= 2)
      setNow(model, "pair_features", encodeArray(features, [features.length], "int32"));
  });
  const details = h("details", { class: "gmm-pairs-chooser", "data-gmm-role": "pair-features" }, [
    h("summary", { text: `features (${chosen.length}/${d})` }),
    list,
  ]);
  // The controls are rebuilt on every relayout: the chooser stays open across them.
  details.open = box.dataset.chooserOpen === "true";
  details.addEventListener("toggle", () => {
    box.dataset.chooserOpen = String(details.open);
  });
  box.append(details);
}
