// Pure logic of the ModelSelector view: the grid of scores as the kernel sends it, the
// curves to draw, which way a criterion is better, keyboard moves between points, and
// the texts. Tested without a DOM.

import { decodeTree } from "../lib/codecs.js";
import { formatScore } from "../lib/format.js";
import { formatNumber } from "../lib/scale.js";

/** Per-cell status codes (gmm_widgets/widgets/model_selector.py). */
export const PENDING = 0;
export const FITTED = 1;
export const FAILED = 2;
export const ABSENT = 3;

export const CRITERIA = {
  bic: { name: "BIC", better: "lower" },
  aic: { name: "AIC", better: "lower" },
  icl: { name: "ICL", better: "lower" },
  silhouette: { name: "silhouette", better: "higher" },
};

/** Marker shape of each covariance type (so the curves read without colour too). */
export const SHAPES = { full: "circle", tied: "square", diag: "triangle", spherical: "diamond" };

/** "BIC (lower is better)". */
export function axisLabel(criterion) {
  const c = CRITERIA[criterion] || { name: criterion, better: "lower" };
  return `${c.name} (${c.better} is better)`;
}

/**
 * The grid from the model's traits.
 * @param {import("./traits.js").ModelSelectorModel} model
 * @returns {{ks: number[], cts: string[],
 *   tables: Record<string, import("../lib/codecs.js").TypedArray>,
 *   errors: Record<string, string>, nK: number, nC: number}}
 */
export function readGrid(model) {
  const ksTree = decodeTree(model.get("ks") || {});
  const ks = ksTree.values ? Array.from(ksTree.values.data) : [];
  const cts = model.get("covariance_types") || [];
  const raw = decodeTree(model.get("scores") || {});
  /** @type {Record<string, import("../lib/codecs.js").TypedArray>} */
  const tables = {};
  for (const [key, value] of Object.entries(raw)) if (value?.data) tables[key] = value.data;
  return { ks, cts, tables, errors: model.get("errors") || {}, nK: ks.length, nC: cts.length };
}

/** Index into the (nK, nC) row-major tables. */
export const cell = (grid, i, j) => i * grid.nC + j;

/** Status of cell (i, j). */
export function statusAt(grid, i, j) {
  const s = grid.tables.status;
  return s ? s[cell(grid, i, j)] : PENDING;
}

/** The key "K|type" Python uses for a model. */
export const modelKey = (k, ct) => `${k}|${ct}`;

/** [i, j] of a [K, type] pair, or null. */
export function indexOf(grid, pair) {
  if (pair?.length !== 2) return null;
  const i = grid.ks.indexOf(Number(pair[0]));
  const j = grid.cts.indexOf(pair[1]);
  return i >= 0 && j >= 0 ? [i, j] : null;
}

/**
 * One curve per covariance type: the fitted points in order of K with a finite value.
 * @returns {{ct: string, j: number, points: {i: number, k: number, value: number}[]}[]}
 */
export function curves(grid, criterion) {
  const values = grid.tables[criterion];
  return grid.cts.map((ct, j) => {
    const points = [];
    for (let i = 0; i < grid.nK; i++) {
      const v = values ? values[cell(grid, i, j)] : NaN;
      if (statusAt(grid, i, j) === FITTED && Number.isFinite(v))
        points.push({ i, k: grid.ks[i], value: v });
    }
    return { ct, j, points };
  });
}

/** [lo, hi] of the finite values of a criterion over fitted cells. */
export function valueExtent(grid, criterion) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of curves(grid, criterion)) {
    for (const p of c.points) {
      lo = Math.min(lo, p.value);
      hi = Math.max(hi, p.value);
    }
  }
  return lo <= hi ? [lo, hi] : [NaN, NaN];
}

/**
 * The point an arrow key moves to from (i, j): Left/Right along K on the same curve,
 * Up/Down to the next curve at the same K (or the nearest K on it). Only points that
 * can be selected (fitted, finite) are visited.
 * @returns {number[]|null}
 */
export function neighbour(grid, criterion, i, j, key) {
  const points = curves(grid, criterion);
  const onCurve = (jj) => points[jj].points;
  if (key === "ArrowLeft" || key === "ArrowRight") {
    const pts = onCurve(j);
    const pos = pts.findIndex((p) => p.i === i);
    const next = pos + (key === "ArrowRight" ? 1 : -1);
    return pos >= 0 && next >= 0 && next < pts.length ? [pts[next].i, j] : null;
  }
  if (key === "ArrowUp" || key === "ArrowDown") {
    const dir = key === "ArrowDown" ? 1 : -1;
    for (let jj = j + dir; jj >= 0 && jj < grid.nC; jj += dir) {
      const pts = onCurve(jj);
      if (!pts.length) continue;
      let best = pts[0];
      for (const p of pts) if (Math.abs(p.i - i) < Math.abs(best.i - i)) best = p;
      return [best.i, jj];
    }
    return null;
  }
  return null;
}

/** The accessible name of a point. */
export function pointLabel(grid, criterion, i, j, { best = false, selected = false } = {}) {
  const c = grid.tables[criterion];
  const name = (CRITERIA[criterion] || { name: criterion }).name;
  const score = formatScore(c ? c[cell(grid, i, j)] : NaN, 6);
  let text = `${grid.cts[j]} covariance, K = ${grid.ks[i]}: ${name} ${score}`;
  if (best) text += ", the best";
  if (selected) text += ", shown";
  return text;
}

/**
 * Summary of one model:
 * "K=3, full · BIC 1234 · AIC … · 17 parameters · 12 iterations, converged".
 */
export function modelSummary(grid, i, j) {
  const t = grid.tables;
  const at = (key) => (t[key] ? t[key][cell(grid, i, j)] : NaN);
  const parts = [`K=${grid.ks[i]}, ${grid.cts[j]}`];
  for (const key of ["bic", "aic", "icl"])
    parts.push(`${CRITERIA[key].name} ${formatScore(at(key), 6)}`);
  if (Number.isFinite(at("silhouette")))
    parts.push(`silhouette ${formatNumber(at("silhouette"), 3)}`);
  parts.push(`log-lik./sample ${formatNumber(at("log_likelihood"), 5)}`);
  parts.push(`${at("n_parameters")} parameters`);
  parts.push(`${at("n_iter")} iterations, ${at("converged") ? "converged" : "not converged"}`);
  return parts.join(" \u00b7 ");
}

/** "fitting K=4, diag (13 / 36)". */
export function progressText(progress, status) {
  if (!progress?.total) return "";
  if (status !== "fitting") return `${progress.done} models fitted`;
  const cur = progress.current ? `fitting ${progress.current}` : "fitting";
  return `${cur} (${progress.done} / ${progress.total})`;
}

/** [K, type] of the best fitted cell so far by `criterion` (while the grid fits), or null. */
export function bestSoFar(grid, criterion) {
  const sign = (CRITERIA[criterion] || { better: "lower" }).better === "higher" ? -1 : 1;
  let best = null;
  for (const c of curves(grid, criterion)) {
    for (const p of c.points)
      if (!best || sign * p.value < sign * best.value) best = { k: p.k, ct: c.ct, value: p.value };
  }
  return best ? [best.k, best.ct] : null;
}
