// The criterion chart of the ModelSelector: one curve per covariance type against K,
// every fitted model a focusable point (data-gmm-role="grid-point"), failed fits a cross
// at the top, the best model ringed. Click a point, or focus it and press Enter or
// Space, to select it; arrow keys move between points.

import { drawAxes, fitMargin, labelWidth } from "../lib/axes.js";
import { discBox, placeLabel } from "./placement.js";
import { linePath, svg } from "../lib/dom.js";
import { rgbString } from "../lib/colors.js";
import { linearScale, padExtent } from "../lib/scale.js";
import { syncChildren } from "../lib/scatter_plot.js";
import {
  FAILED,
  SHAPES,
  axisLabel,
  cell,
  curves,
  indexOf,
  neighbour,
  pointLabel,
  statusAt,
  valueExtent,
} from "./grid.js";

export const CHART_MARGIN = { left: 70, right: 16, top: 26, bottom: 40 };
/** The "best" label: 11 px bold (`.gmm-best-label`), px. */
const BEST_FONT_PX = 11;
const BEST_RING_R = 10;

/** SVG path of a marker of `shape` centred at (x, y) with radius r. */
export function markerPath(shape, x, y, r) {
  const f = (v) => v.toFixed(2);
  switch (shape) {
    case "square":
      return `M${f(x - r * 0.85)},${f(y - r * 0.85)}h${f(1.7 * r)}v${f(1.7 * r)}h${f(-1.7 * r)}Z`;
    case "triangle":
      return (
        `M${f(x)},${f(y - r * 1.1)}L${f(x + r)},${f(y + r * 0.75)}` +
        `L${f(x - r)},${f(y + r * 0.75)}Z`
      );
    case "diamond":
      return (
        `M${f(x)},${f(y - r * 1.15)}L${f(x + r)},${f(y)}` +
        `L${f(x)},${f(y + r * 1.15)}L${f(x - r)},${f(y)}Z`
      );
    default:
      return (
        `M${f(x - r)},${f(y)}a${f(r)},${f(r)} 0 1,0 ${f(2 * r)},0` +
        `a${f(r)},${f(r)} 0 1,0 ${f(-2 * r)},0Z`
      );
  }
}

/**
 * @param {HTMLElement} container
 * @param {{onSelect: (k: number, ct: string) => void}} opts
 */
export function createCriterionChart(container, opts) {
  const root = svg("svg", {
    class: "gmm-overlay gmm-criterion-chart",
    "data-gmm-role": "criterion-chart",
    role: "group",
    "aria-label": "Criterion against K",
  });
  container.appendChild(root);
  const axes = svg("g", { class: "gmm-axes" }, root);
  const lines = svg("g", { class: "gmm-curves" }, root);
  const failed = svg("g", { class: "gmm-failed" }, root);
  const bestG = svg(
    "g",
    { class: "gmm-best", "data-gmm-role": "best-marker", "aria-hidden": "true" },
    root,
  );
  const bestRing = svg("circle", { class: "gmm-best-ring", r: BEST_RING_R }, bestG);
  const bestText = svg(
    "text",
    { class: "gmm-best-label", "text-anchor": "middle", text: "best" },
    bestG,
  );
  const points = svg("g", { class: "gmm-points-layer" }, root);
  const nodes = new Map(); // "i,j" -> <g>
  let state = null;
  let focusKey = null; // the roving tab stop

  function focusPoint(i, j) {
    const node = nodes.get(`${i},${j}`);
    if (!node) return;
    focusKey = `${i},${j}`;
    for (const [key, n] of nodes) n.setAttribute("tabindex", key === focusKey ? "0" : "-1");
    node.focus();
  }

  function makeNode(key) {
    const g = svg(
      "g",
      { class: "gmm-grid-point", "data-gmm-role": "grid-point", role: "button" },
      points,
    );
    svg("circle", { class: "gmm-point-hit", r: 7 }, g);
    svg("path", { class: "gmm-point-marker" }, g);
    svg("title", {}, g);
    const ij = () => key.split(",").map(Number);
    g.addEventListener("click", () => {
      const [i, j] = ij();
      focusKey = key;
      opts.onSelect(state.grid.ks[i], state.grid.cts[j]);
    });
    g.addEventListener("keydown", (event) => {
      const [i, j] = ij();
      if (event.key === "Enter" || event.key === " ") {
        opts.onSelect(state.grid.ks[i], state.grid.cts[j]);
      } else {
        const next = neighbour(state.grid, state.criterion, i, j, event.key);
        if (!next) {
          if (!event.key.startsWith("Arrow")) return;
        } else focusPoint(next[0], next[1]);
      }
      event.preventDefault();
      event.stopPropagation();
    });
    nodes.set(key, g);
    return g;
  }

  /**
   * @param {{width: number, height: number, grid: object, criterion: string,
   *   best: Array|null, selection: Array|null,
   *   colors: Record<string, import("../lib/colors.js").RGB>}} s
   */
  function update(s) {
    state = s;
    const { width, height, grid, criterion } = s;
    const yDomain = padExtent(valueExtent(grid, criterion), 0.08);
    const yLabel = axisLabel(criterion);
    const m = fitMargin(CHART_MARGIN, yDomain, { yLabel });
    root.setAttribute("width", String(width));
    root.setAttribute("height", String(height));
    const kLo = grid.ks.length ? grid.ks[0] : 1;
    const kHi = grid.ks.length ? grid.ks[grid.ks.length - 1] : 1;
    const x = linearScale([kLo - 0.5, kHi + 0.5], [m.left, width - m.right]);
    x.ticks = () => grid.ks.slice();
    const y = linearScale(yDomain, [height - m.bottom, m.top]);
    drawAxes(axes, x, y, {
      xLabel: "number of components K",
      yLabel,
      xTicks: kHi - kLo + 1,
    });

    // Dodge: each covariance type a few px aside, so equal values stay apart to click.
    const perK = Math.abs(x(kLo + 1) - x(kLo));
    const dodge = Math.min(10, perK * 0.18);
    const px = (k, j) => x(k) + (j - (grid.nC - 1) / 2) * dodge;
    const cs = curves(grid, criterion);
    syncChildren(lines, cs.length, "path");
    cs.forEach((c, j) => {
      const path = lines.children[j];
      path.setAttribute(
        "d",
        linePath(
          c.points.map((p) => px(p.k, c.j)),
          c.points.map((p) => y(p.value)),
        ),
      );
      path.setAttribute("stroke", rgbString(s.colors[c.ct]));
      path.setAttribute("data-covariance-type", c.ct);
      path.setAttribute("class", "gmm-criterion-line");
    });

    // Failed fits: a cross at the top of the plot, with the error as its tooltip.
    const fails = [];
    for (let i = 0; i < grid.nK; i++)
      for (let j = 0; j < grid.nC; j++) if (statusAt(grid, i, j) === FAILED) fails.push([i, j]);
    syncChildren(failed, fails.length, "g");
    fails.forEach(([i, j], n) => {
      const g = failed.children[n];
      if (!g.firstChild) {
        svg("path", { class: "gmm-failed-mark" }, g);
        svg("title", {}, g);
      }
      const fx = px(grid.ks[i], j);
      const fy = m.top - 12 + (j % 2) * 6;
      g.firstChild.setAttribute(
        "d",
        `M${fx - 4},${fy - 4}L${fx + 4},${fy + 4}M${fx - 4},${fy + 4}L${fx + 4},${fy - 4}`,
      );
      g.firstChild.setAttribute("stroke", rgbString(s.colors[grid.cts[j]]));
      g.setAttribute("data-gmm-role", "grid-failed");
      g.setAttribute("data-k", String(grid.ks[i]));
      g.setAttribute("data-covariance-type", grid.cts[j]);
      const error = grid.errors[`${grid.ks[i]}|${grid.cts[j]}`] || "";
      g.lastChild.textContent = `${grid.cts[j]}, K = ${grid.ks[i]}: the fit failed. ${error}`;
    });

    const best = indexOf(grid, s.best);
    const sel = indexOf(grid, s.selection);
    const seen = new Set();
    const values = grid.tables[criterion];
    /** @type {import("./placement.js").Box[]} every marker, for the label */
    const markerBoxes = [];
    for (const c of cs) {
      for (const p of c.points) {
        const key = `${p.i},${c.j}`;
        seen.add(key);
        const g = nodes.get(key) || makeNode(key);
        const isBest = best && best[0] === p.i && best[1] === c.j;
        const isSel = sel && sel[0] === p.i && sel[1] === c.j;
        const cx = px(p.k, c.j);
        const cy = y(values[cell(grid, p.i, c.j)]);
        g.setAttribute("data-k", String(p.k));
        g.setAttribute("data-covariance-type", c.ct);
        g.setAttribute("aria-pressed", isSel ? "true" : "false");
        g.setAttribute(
          "aria-label",
          pointLabel(grid, criterion, p.i, c.j, { best: isBest, selected: isSel }),
        );
        g.classList.toggle("gmm-selected", Boolean(isSel));
        g.classList.toggle("gmm-is-best", Boolean(isBest));
        g.children[0].setAttribute("cx", cx.toFixed(2));
        g.children[0].setAttribute("cy", cy.toFixed(2));
        const marker = g.children[1];
        marker.setAttribute("d", markerPath(SHAPES[c.ct], cx, cy, isSel ? 6.5 : 4.5));
        markerBoxes.push(discBox(cx, cy, (isSel ? 6.5 : 4.5) * 1.15 + 1));
        marker.setAttribute("fill", rgbString(s.colors[c.ct]));
        g.children[2].textContent = pointLabel(grid, criterion, p.i, c.j, {
          best: isBest,
          selected: isSel,
        });
      }
    }
    for (const [key, node] of nodes) {
      if (!seen.has(key)) {
        node.remove();
        nodes.delete(key);
      }
    }
    // Put the points back in grid order, so Tab order follows the curves.
    [...nodes.keys()]
      .sort((a, b) => {
        const [ai, aj] = a.split(",").map(Number);
        const [bi, bj] = b.split(",").map(Number);
        return aj - bj || ai - bi;
      })
      .forEach((key) => {
        points.appendChild(nodes.get(key));
      });
    if (!focusKey || !nodes.has(focusKey))
      focusKey =
        sel && nodes.has(`${sel[0]},${sel[1]}`)
          ? `${sel[0]},${sel[1]}`
          : nodes.keys().next().value || null;
    for (const [key, n] of nodes) n.setAttribute("tabindex", key === focusKey ? "0" : "-1");

    if (best && Number.isFinite(values?.[cell(grid, best[0], best[1])])) {
      const bx = px(grid.ks[best[0]], best[1]);
      const by = y(values[cell(grid, best[0], best[1])]);
      bestG.removeAttribute("visibility");
      bestRing.setAttribute("cx", bx.toFixed(2));
      bestRing.setAttribute("cy", by.toFixed(2));
      bestRing.setAttribute("stroke", rgbString(s.colors[grid.cts[best[1]]]));
      // The label beside the ring where no marker (of another covariance type at the
      // same K, say) covers it, inside the plot and its top margin.
      const size = { width: labelWidth("best", BEST_FONT_PX) * 1.1, height: 12 };
      const ring = discBox(bx, by, BEST_RING_R + 1.5);
      const failedBoxes = fails.map(([i, j]) =>
        discBox(px(grid.ks[i], j), m.top - 12 + (j % 2) * 6, 5),
      );
      const bounds = { x0: m.left + 1, y0: 1, x1: width - 1, y1: height - m.bottom - 1 };
      const box = placeLabel(ring, size, [...markerBoxes, ...failedBoxes], bounds);
      bestText.setAttribute("x", ((box.x0 + box.x1) / 2).toFixed(2));
      bestText.setAttribute("y", (box.y1 - 2.5).toFixed(2));
      bestG.setAttribute("data-k", String(grid.ks[best[0]]));
      bestG.setAttribute("data-covariance-type", grid.cts[best[1]]);
    } else {
      bestG.setAttribute("visibility", "hidden");
    }
  }

  return { root, update, focusPoint };
}
