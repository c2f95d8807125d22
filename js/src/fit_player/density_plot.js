// A 1-D plot in SVG: a density histogram whose bars are stacked by soft assignment, the
// weighted density of each component, the mixture density, and each component's mean
// with its 1 and 2 sigma intervals.

import { drawAxes, fitMargin } from "../lib/axes.js";
import { linePath, svg, uniqueId } from "../lib/dom.js";
import { rgbString } from "../lib/colors.js";
import { mixtureDensity1d } from "../lib/gaussian.js";
import { linearScale } from "../lib/scale.js";
import { syncChildren, PLOT_MARGIN } from "../lib/scatter_plot.js";

/** Extra room under the axis area for the mean/sigma markers, in px. */
const MARKER_BAND = 8;

export function createDensityPlot(container) {
  const overlay = svg("svg", {
    class: "gmm-overlay",
    "data-gmm-role": "plot",
    role: "img",
    "aria-label": "Histogram and mixture density",
  });
  container.append(overlay);
  const clipId = uniqueId("gmm-dclip");
  const clipRect = svg("rect", {}, svg("clipPath", { id: clipId }, svg("defs", {}, overlay)));
  const layers = {
    axes: svg("g", { class: "gmm-axes" }, overlay),
    bars: svg("g", { class: "gmm-bars", "clip-path": `url(#${clipId})` }, overlay),
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
    means: svg("g", { class: "gmm-means" }, overlay),
    handles: svg("g", { class: "gmm-handles" }, overlay),
  };
  const state = { width: 0, height: 0, x: null, y: null };

  function layout(width, height, xDomain, yMax, labels = {}) {
    const yDomain = [0, yMax > 0 ? yMax : 1];
    const m = fitMargin(PLOT_MARGIN, yDomain, { yLabel: labels.y ?? "density" });
    state.width = width;
    state.height = height;
    container.style.height = `${height}px`;
    overlay.setAttribute("width", String(width));
    overlay.setAttribute("height", String(height));
    state.x = linearScale(xDomain, [m.left, width - m.right]);
    state.y = linearScale(yDomain, [height - m.bottom, m.top]);
    for (const [k, v] of Object.entries({
      x: m.left,
      y: m.top - 2,
      width: Math.max(0, width - m.left - m.right),
      height: Math.max(0, height - m.top - m.bottom + 2),
    })) {
      clipRect.setAttribute(k, String(v));
    }
    drawAxes(layers.axes, state.x, state.y, { xLabel: labels.x, yLabel: labels.y ?? "density" });
  }

  /**
   * @param {{edges: Float64Array, density: Float64Array, stacked: Float64Array[]|null}} hist
   * @param {{weights: ArrayLike<number>, means: ArrayLike<number>,
   *   variances: ArrayLike<number>}} params
   * @param {import("../lib/colors.js").RGB[]} colors
   * @param {{foreground: import("../lib/colors.js").RGB,
   *   background: import("../lib/colors.js").RGB}} theme
   */
  function draw(hist, params, colors, theme) {
    if (!state.x) return;
    const { x, y } = state;
    const nb = hist.density.length;
    const K = params.weights.length;
    // Bars: one rect per component per bin, stacked bottom-up in component order.
    const stacked = hist.stacked;
    const nRects = stacked ? nb * K : nb;
    syncChildren(layers.bars, nRects, "rect");
    const base = new Float64Array(nb);
    for (let r = 0; r < nRects; r++) {
      const b = r % nb;
      const k = stacked ? Math.floor(r / nb) : -1;
      const h = stacked ? stacked[k][b] : hist.density[b];
      const rect = layers.bars.children[r];
      const x0 = x(hist.edges[b]);
      const x1 = x(hist.edges[b + 1]);
      const yTop = y(base[b] + h);
      const yBot = y(base[b]);
      base[b] += h;
      rect.setAttribute("x", String(x0 + 0.5));
      rect.setAttribute("width", String(Math.max(0, x1 - x0 - 1)));
      rect.setAttribute("y", String(yTop));
      rect.setAttribute("height", String(Math.max(0, yBot - yTop)));
      rect.setAttribute(
        "fill",
        k >= 0 ? rgbString(colors[k], 0.55) : rgbString(theme.foreground, 0.25),
      );
      if (k >= 0) rect.setAttribute("data-component", String(k));
    }
    // Curves.
    const [d0, d1] = x.domain;
    const G = 240;
    const grid = Float64Array.from({ length: G }, (_, i) => d0 + ((d1 - d0) * i) / (G - 1));
    const { components, mixture } = mixtureDensity1d(
      grid,
      params.weights,
      params.means,
      params.variances,
    );
    const gx = Array.from(grid, x);
    syncChildren(layers.curves, K, "path");
    components.forEach((c, k) => {
      const path = layers.curves.children[k];
      path.setAttribute("d", linePath(gx, Array.from(c, y)));
      path.setAttribute("fill", "none");
      path.setAttribute("stroke", rgbString(colors[k]));
      path.setAttribute("stroke-width", "2");
      path.setAttribute("data-gmm-role", "component-density");
      path.setAttribute("data-component", String(k));
    });
    layers.mixture.setAttribute("d", linePath(gx, Array.from(mixture, y)));
    layers.mixture.setAttribute("fill", "none");
    layers.mixture.setAttribute("stroke", rgbString(theme.foreground));
    layers.mixture.setAttribute("stroke-width", "2.2");
    layers.mixture.setAttribute("stroke-dasharray", "6 3");
    // Means with 1 and 2 sigma intervals under the axis line area, staggered.
    syncChildren(layers.means, K, "g");
    const yAxis = y.range[0];
    for (let k = 0; k < K; k++) {
      const g = layers.means.children[k];
      syncChildren(g, 3, "path");
      const mu = params.means[k];
      const sd = Math.sqrt(Math.max(0, params.variances[k]));
      const yy = yAxis - 6 - (k % 3) * MARKER_BAND;
      const color = rgbString(colors[k]);
      const [s2, s1, mark] = g.children;
      const clampX = (v) => Math.max(x.range[0], Math.min(x.range[1], x(v)));
      s2.setAttribute("d", `M${clampX(mu - 2 * sd)},${yy}H${clampX(mu + 2 * sd)}`);
      s2.setAttribute("stroke", color);
      s2.setAttribute("stroke-width", "1.2");
      s2.setAttribute("data-gmm-role", "sigma-interval");
      s2.setAttribute("data-sigma", "2");
      s1.setAttribute("d", `M${clampX(mu - sd)},${yy}H${clampX(mu + sd)}`);
      s1.setAttribute("stroke", color);
      s1.setAttribute("stroke-width", "3.5");
      s1.setAttribute("data-gmm-role", "sigma-interval");
      s1.setAttribute("data-sigma", "1");
      const mx = x(mu);
      const inside = mx >= x.range[0] && mx <= x.range[1];
      mark.setAttribute(
        "d",
        inside ? `M${mx - 6},${yy}L${mx},${yy - 6}L${mx + 6},${yy}L${mx},${yy + 6}Z` : "",
      );
      mark.setAttribute("fill", color);
      mark.setAttribute("stroke", rgbString(theme.background));
      mark.setAttribute("stroke-width", "1.2");
      mark.setAttribute("data-gmm-role", "mean");
      mark.setAttribute("data-component", String(k));
      g.setAttribute("data-component", String(k));
    }
    return { mixtureMax: Math.max(...mixture) };
  }

  return {
    overlay,
    layers,
    layout,
    draw,
    get x() {
      return state.x;
    },
    get y() {
      return state.y;
    },
  };
}
