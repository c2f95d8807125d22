// Missing values (NaN) placed at their conditional expectation under a mixture, in the
// browser: what GaussianMixture.impute computes (gmm_widgets/mixture/_missing.py). For a
// row with observed coordinates o and missing ones m,
//
//   E[x_m | x_o] = sum_k r_k(x_o) (mu_k,m + S_k,mo S_k,oo^-1 (x_o - mu_k,o)),
//
// with r_k(x_o) the responsibilities from the observed marginal densities
// w_k N(x_o | mu_k,o, S_k,oo). Rows are grouped by missingness pattern; per frame each
// pattern gets one Cholesky factor L of S_k,oo and one gain G = S_k,mo L^-T per
// component, and each row then costs O(K (|o|^2 + |m| |o|)). FitPlayer and
// MixtureExplorer use it to draw (and move) the rows with imputed coordinates.

import { cholesky } from "./gaussian.js";
import { projectPoints } from "./projection.js";

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * @typedef {object} MissingGroup
 * @property {string} key the pattern, one "1" (missing) or "0" per feature
 * @property {Int32Array} obs observed features
 * @property {Int32Array} mis missing features
 * @property {Uint32Array} rows the rows with this pattern
 */

/**
 * @typedef {object} MissingPatterns
 * @property {number} n rows of the data
 * @property {number} d features
 * @property {MissingGroup[]} groups the patterns with an observed value, in order of
 *   first appearance
 * @property {Uint32Array} rows every row of the groups, group after group
 * @property {Uint32Array} empty rows whose every value is missing
 * @property {Uint8Array} kind per row: 0 complete, 1 with an imputed value, 2 empty
 */

/**
 * Whether data hold a missing value (NaN).
 * @param {ArrayLike<number>} X
 */
export function hasMissing(X) {
  for (let i = 0; i < X.length; i++) if (Number.isNaN(X[i])) return true;
  return false;
}

/**
 * Find the rows with missing values and group them by pattern.
 * @param {ArrayLike<number>} X row-major n x d, NaN marks a missing value
 * @param {number} n
 * @param {number} d
 * @returns {MissingPatterns}
 */
export function missingPatterns(X, n, d) {
  /** @type {Map<string, number[]>} */
  const byKey = new Map();
  const empty = [];
  const kind = new Uint8Array(n);
  const flags = new Array(d);
  for (let i = 0; i < n; i++) {
    let count = 0;
    const o = i * d;
    for (let j = 0; j < d; j++) {
      const nan = Number.isNaN(X[o + j]);
      flags[j] = nan ? "1" : "0";
      if (nan) count++;
    }
    if (count === 0) continue;
    if (count === d) {
      empty.push(i);
      kind[i] = 2;
      continue;
    }
    kind[i] = 1;
    const key = flags.join("");
    const list = byKey.get(key);
    if (list) list.push(i);
    else byKey.set(key, [i]);
  }
  const groups = [];
  const all = [];
  for (const [key, rows] of byKey) {
    const obs = [];
    const mis = [];
    for (let j = 0; j < d; j++) (key[j] === "1" ? mis : obs).push(j);
    groups.push({
      key,
      obs: Int32Array.from(obs),
      mis: Int32Array.from(mis),
      rows: Uint32Array.from(rows),
    });
    for (const r of rows) all.push(r);
  }
  return { n, d, groups, rows: Uint32Array.from(all), empty: Uint32Array.from(empty), kind };
}

/**
 * Per component, the factors of one pattern: log w_k - (|o| log 2 pi + log det S_oo)/2,
 * L (Cholesky of S_oo, |o| x |o|) and G = S_mo L^-T (|m| x |o|), row-major.
 * @param {MissingGroup} group
 * @param {ArrayLike<number>} weights K
 * @param {ArrayLike<number>[]} covariances K full d x d matrices
 * @param {number} d
 */
function patternFactors(group, weights, covariances, d) {
  const { obs, mis } = group;
  const p = obs.length;
  const q = mis.length;
  return Array.from({ length: weights.length }, (_, k) => {
    const w = weights[k];
    const S = covariances[k];
    const Soo = new Float64Array(p * p);
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) Soo[a * p + b] = S[obs[a] * d + obs[b]];
    let L;
    try {
      L = cholesky(Soo, p);
    } catch {
      return { logConst: -Infinity, L: null, G: null, mu: k * d };
    }
    let logdet = 0;
    for (let a = 0; a < p; a++) logdet += 2 * Math.log(L[a * p + a]);
    // G^T = L^-1 S_om: one forward substitution per missing feature.
    const G = new Float64Array(q * p);
    for (let c = 0; c < q; c++) {
      for (let a = 0; a < p; a++) {
        let s = S[obs[a] * d + mis[c]];
        for (let b = 0; b < a; b++) s -= L[a * p + b] * G[c * p + b];
        G[c * p + a] = s / L[a * p + a];
      }
    }
    const logConst = w > 0 ? Math.log(w) - 0.5 * (p * LOG_2PI + logdet) : -Infinity;
    return { logConst, L, G, mu: k * d };
  });
}

/**
 * The rows with missing values placed at their conditional expectation under a mixture,
 * and their responsibilities from the observed marginals.
 * @param {ArrayLike<number>} X row-major n x d, NaN marks a missing value
 * @param {MissingPatterns} patterns from `missingPatterns(X, n, d)`
 * @param {ArrayLike<number>} weights K
 * @param {ArrayLike<number>} means K*d, row-major
 * @param {ArrayLike<number>[]} covariances K full d x d matrices (see expandCovariances)
 * @returns {{values: Float64Array, resp: Float64Array}} for the rows of
 *   `patterns.rows`, in that order: `values` (m x d; observed values as given, missing
 *   ones filled in) and `resp` (m x K, p(k | x_o))
 */
export function imputeFrame(X, patterns, weights, means, covariances) {
  const { d, groups } = patterns;
  const K = weights.length;
  const m = patterns.rows.length;
  const values = new Float64Array(m * d);
  const resp = new Float64Array(m * K);
  const lp = new Float64Array(K);
  let at = 0;
  for (const group of groups) {
    const { obs, mis, rows } = group;
    const p = obs.length;
    const q = mis.length;
    const factors = patternFactors(group, weights, covariances, d);
    // z_k (whitened observed difference) of every component, for the current row.
    const Z = new Float64Array(K * p);
    for (let r = 0; r < rows.length; r++, at++) {
      const o = rows[r] * d;
      let max = -Infinity;
      for (let k = 0; k < K; k++) {
        const f = factors[k];
        if (f.logConst === -Infinity) {
          lp[k] = -Infinity;
          continue;
        }
        const L = /** @type {Float64Array} */ (f.L);
        let maha = 0;
        for (let a = 0; a < p; a++) {
          let s = X[o + obs[a]] - means[f.mu + obs[a]];
          for (let b = 0; b < a; b++) s -= L[a * p + b] * Z[k * p + b];
          const z = s / L[a * p + a];
          Z[k * p + a] = z;
          maha += z * z;
        }
        lp[k] = f.logConst - 0.5 * maha;
        if (lp[k] > max) max = lp[k];
      }
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const e = max === -Infinity ? 1 : Math.exp(lp[k] - max);
        resp[at * K + k] = e;
        sum += e;
      }
      for (let k = 0; k < K; k++) resp[at * K + k] /= sum;
      const out = at * d;
      for (const j of obs) values[out + j] = X[o + j];
      for (let c = 0; c < q; c++) {
        let v = 0;
        for (let k = 0; k < K; k++) {
          const rk = resp[at * K + k];
          const f = factors[k];
          if (rk === 0 || !f.G) continue;
          let e = means[f.mu + mis[c]];
          for (let a = 0; a < p; a++) e += f.G[c * p + a] * Z[k * p + a];
          v += rk * e;
        }
        values[out + mis[c]] = v;
      }
    }
  }
  return { values, resp };
}

/**
 * Every row with its missing values filled in: GaussianMixture.impute(X) in the browser.
 * A row whose every value is missing gets the mixture's mean (as in Python).
 * @param {ArrayLike<number>} X row-major n x d
 * @param {number} n
 * @param {number} d
 * @param {ArrayLike<number>} weights K
 * @param {ArrayLike<number>} means K*d
 * @param {ArrayLike<number>[]} covariances K full d x d matrices
 * @returns {Float64Array} n x d
 */
export function imputeRows(X, n, d, weights, means, covariances) {
  const out = Float64Array.from(X);
  const patterns = missingPatterns(X, n, d);
  const { values } = imputeFrame(X, patterns, weights, means, covariances);
  patterns.rows.forEach((row, i) => {
    for (let j = 0; j < d; j++) out[row * d + j] = values[i * d + j];
  });
  if (patterns.empty.length) {
    let total = 0;
    for (let k = 0; k < weights.length; k++) total += weights[k];
    const centre = new Float64Array(d);
    for (let k = 0; k < weights.length; k++)
      for (let j = 0; j < d; j++) centre[j] += (weights[k] / total) * means[k * d + j];
    for (const row of patterns.empty) out.set(centre, row * d);
  }
  return out;
}

/**
 * Cache of the imputed rows per frame (keyed like AssignmentCache), for the rows of one
 * data set: the patterns are found once, each frame's placement on first use.
 */
export class ImputeCache {
  /**
   * @param {{X: ArrayLike<number>, n: number, d: number}} data
   * @param {number} [capacity] frames kept
   */
  constructor(data, capacity = 64) {
    this.data = data;
    this.patterns = missingPatterns(data.X, data.n, data.d);
    this.capacity = capacity;
    /** @type {Map<string|number, {values: Float64Array, resp: Float64Array}>} */
    this.cache = new Map();
  }

  /** Rows with an imputed value. */
  get nImputed() {
    return this.patterns.rows.length;
  }

  /** Rows whose every value is missing (not drawn). */
  get nEmpty() {
    return this.patterns.empty.length;
  }

  clear() {
    this.cache.clear();
  }

  /**
   * @param {string|number} key the frame
   * @param {{weights: ArrayLike<number>, means: ArrayLike<number>,
   *   covariances: ArrayLike<number>[]}} params covariances as K full d x d matrices
   */
  get(key, params) {
    const hit = this.cache.get(key);
    if (hit) return hit;
    const value = imputeFrame(
      this.data.X,
      this.patterns,
      params.weights,
      params.means,
      params.covariances,
    );
    this.cache.set(key, value);
    while (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value);
    return value;
  }
}

/**
 * Put the responsibilities from the observed marginals, p(k | x_o), into a frame's
 * responsibilities of all rows (row-major n x K, e.g. an AssignmentCache entry, whose
 * full densities are undefined for a row with NaN). Done once per entry: it is marked.
 * @param {{resp: Float32Array, imputed?: boolean}} entry
 * @param {ImputeCache|null} imputer over the same rows
 * @param {string|number} key the frame
 * @param {{weights: ArrayLike<number>, means: ArrayLike<number>,
 *   covariances: ArrayLike<number>[]}} params covariances as K full d x d matrices
 * @returns {Float32Array} the entry's responsibilities
 */
export function withObservedResponsibilities(entry, imputer, key, params) {
  if (!imputer?.nImputed || entry.imputed) return entry.resp;
  const { resp } = imputer.get(key, params);
  const K = params.weights.length;
  const rows = imputer.patterns.rows;
  for (let t = 0; t < rows.length; t++)
    for (let k = 0; k < K; k++) entry.resp[rows[t] * K + k] = resp[t * K + k];
  entry.imputed = true;
  return entry.resp;
}

/**
 * The rows with imputed coordinates of one frame, in a 2-D view: projected positions,
 * with their colours taken from the colours of all rows.
 * @param {ImputeCache} imputer
 * @param {string|number} key the frame
 * @param {{weights: ArrayLike<number>, means: ArrayLike<number>,
 *   covariances: ArrayLike<number>[]}} params covariances as K full d x d matrices
 * @param {import("./projection.js").Projection} proj
 * @param {ArrayLike<number>} rgb n x 3 colours of all rows (as the points are drawn)
 * @returns {{rows: Uint32Array, values: Float64Array, xs: Float32Array, ys: Float32Array,
 *   rgb: Uint8ClampedArray}} `rows` of the data, `values` their filled-in rows (m x d)
 */
export function imputedInView(imputer, key, params, proj, rgb) {
  const { values } = imputer.get(key, params);
  const m = imputer.nImputed;
  const { xs, ys } = projectPoints(values, m, proj);
  const rows = imputer.patterns.rows;
  return { rows, values, xs, ys, rgb: gatherColors(rgb, rows) };
}

/**
 * The colours of some rows.
 * @param {ArrayLike<number>} rgb n x 3
 * @param {ArrayLike<number>} rows
 */
export function gatherColors(rgb, rows) {
  const out = new Uint8ClampedArray(rows.length * 3);
  for (let t = 0; t < rows.length; t++)
    for (let c = 0; c < 3; c++) out[t * 3 + c] = rgb[rows[t] * 3 + c];
  return out;
}

/**
 * The footer's note on rows with missing values ("" when there are none).
 * @param {number} nImputed rows drawn at imputed coordinates
 * @param {number} nEmpty rows with no observed value (not drawn)
 */
export function imputedLabel(nImputed, nEmpty) {
  const fmt = (v) => v.toLocaleString("en-US");
  const parts = [];
  if (nImputed) parts.push(`${fmt(nImputed)} rows with imputed coordinates (hollow)`);
  if (nEmpty) parts.push(`${fmt(nEmpty)} rows with no observed value not drawn`);
  return parts.join("; ");
}
