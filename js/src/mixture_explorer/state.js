// Pure logic of the MixtureExplorer view: which controls a fit was made with, whether
// it matches the controls now, the handles to draw, and the read-out. Tested without a
// DOM.

import { decodeArray } from "../lib/codecs.js";
import { formatScore } from "../lib/format.js";
import { formatNumber } from "../lib/scale.js";

/**
 * The control traits; a fit is shown only when it was made with these values.
 * @type {Exclude<keyof import("./traits.js").ControlValues, "handles">[]}
 */
export const CONTROL_KEYS = [
  "n_components",
  "covariance_type",
  "random_state",
  "n_init",
  "init_params",
];

/** Decode an encoded array, or pass a decoded one ({data, shape}) or null through. */
export function asArray(value) {
  if (value === null || value === undefined) return null;
  if (value.data && value.shape && !("buffer" in value)) return value;
  return decodeArray(value);
}

/**
 * The controls as the model holds them now ({..., handles: decoded array | null}).
 * @param {import("./traits.js").MixtureExplorerModel} model
 */
export function currentControls(model) {
  const out = {};
  for (const key of CONTROL_KEYS) out[key] = model.get(key);
  out.handles = asArray(model.get("handles"));
  out.points_added = asArray(model.get("points_added") ?? null);
  out.points_removed = asArray(model.get("points_removed") ?? null);
  out.locked_means = model.get("locked_means") ?? [];
  return out;
}

/** Whether two lists of locked components (or missing ones: none) are the same. */
function sameLocks(a, b) {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/**
 * The locked components after toggling the lock of component `k`, sorted.
 * @param {import("./traits.js").MixtureExplorerModel} model
 * @param {number} k
 * @returns {number[]}
 */
export function toggledLock(model, k) {
  const locked = new Set(model.get("locked_means") ?? []);
  if (locked.has(k)) locked.delete(k);
  else locked.add(k);
  return [...locked].sort((a, b) => a - b);
}

/** Whether two edits (decoded arrays, or null for none) are the same; empty = none. */
function sameEdits(a, b) {
  const empty = (x) => !x || x.data.length === 0;
  if (empty(a) || empty(b)) return empty(a) && empty(b);
  return sameArray(a, b);
}

/**
 * The points the plot shows and the page fits: the displayed rows without the removed
 * ones, then the added points (the order of the kernel's fit data).
 * @param {{X: ArrayLike<number>, n: number, d: number}} shown the displayed rows
 * @param {{data: ArrayLike<number>, shape: number[]}|null} added (m, d)
 * @param {{data: ArrayLike<number>, shape: number[]}|null} removed (r,) positions
 * @returns {{X: ArrayLike<number>, n: number, d: number, source: Int32Array|null}}
 *   `source[i]`: the displayed position of point i, or -1 - j for added point j (null
 *   when nothing is edited)
 */
export function editedPoints(shown, added, removed) {
  const m = added ? added.data.length / Math.max(1, shown.d) : 0;
  const r = removed ? removed.data.length : 0;
  if (!m && !r) return { ...shown, source: null };
  const { d } = shown;
  const gone = new Uint8Array(shown.n);
  for (let i = 0; i < r; i++) {
    const p = removed.data[i];
    if (p >= 0 && p < shown.n) gone[p] = 1;
  }
  let kept = 0;
  for (let i = 0; i < shown.n; i++) if (!gone[i]) kept++;
  const n = kept + m;
  const X = new Float64Array(n * d);
  const source = new Int32Array(n);
  let o = 0;
  for (let i = 0; i < shown.n; i++) {
    if (gone[i]) continue;
    for (let j = 0; j < d; j++) X[o * d + j] = shown.X[i * d + j];
    source[o++] = i;
  }
  for (let a = 0; a < m; a++) {
    for (let j = 0; j < d; j++) X[o * d + j] = added.data[a * d + j];
    source[o++] = -1 - a;
  }
  return { X, n, d, source };
}

/** Whether two decoded arrays (or nulls) hold the same shape and values. */
export function sameArray(a, b) {
  if (!a || !b) return !a && !b;
  if (a.shape.length !== b.shape.length || a.shape.some((s, i) => s !== b.shape[i])) return false;
  if (a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}

/**
 * Whether a fit made with `fitted` controls shows what `controls` ask for.
 * @param {object|null} fitted controls of a fit (handles decoded or encoded)
 * @param {object} controls from {@link currentControls}
 */
export function controlsMatch(fitted, controls) {
  if (!fitted) return false;
  for (const key of CONTROL_KEYS)
    if ((fitted[key] ?? null) !== (controls[key] ?? null)) return false;
  if (!sameEdits(asArray(fitted.points_added ?? null), controls.points_added ?? null)) return false;
  if (!sameEdits(asArray(fitted.points_removed ?? null), controls.points_removed ?? null))
    return false;
  if (!sameLocks(fitted.locked_means, controls.locked_means)) return false;
  return sameArray(asArray(fitted.handles), controls.handles);
}

/**
 * The initial means to draw as handles, one d-vector per component: the handles asked
 * for (manual init), else the means where the shown fit's automatic init started,
 * then any local previews (a drag or a keyboard move under way) on top.
 * @param {{data: import("../lib/codecs.js").TypedArray, shape: number[]}|null} handles
 * @param {{data: import("../lib/codecs.js").TypedArray, shape: number[]}|null} initial
 * @param {number} K components wanted now
 * @param {Map<number, Float64Array>} [previews]
 * @returns {Float64Array[]}
 */
export function handlePositions(handles, initial, K, previews = new Map()) {
  const src = handles || initial;
  const out = [];
  if (src) {
    const d = src.shape[1];
    const rows = Math.min(K, src.shape[0]);
    for (let k = 0; k < rows; k++)
      out.push(Float64Array.from(src.data.subarray(k * d, (k + 1) * d)));
  }
  for (const [k, v] of previews) if (k < out.length) out[k] = Float64Array.from(v);
  return out;
}

/** Rows as one row-major Float64Array. */
export function stackRows(rows) {
  const d = rows.length ? rows[0].length : 0;
  const out = new Float64Array(rows.length * d);
  rows.forEach((r, k) => {
    out.set(r, k * d);
  });
  return out;
}

/** The read-out rows: label, key, which way is better, and how to format. */
export const METRICS = [
  { key: "log_likelihood", label: "log-likelihood / sample", better: "higher", digits: 5 },
  { key: "bic", label: "BIC", better: "lower", digits: 6 },
  { key: "aic", label: "AIC", better: "lower", digits: 6 },
  { key: "icl", label: "ICL", better: "lower", digits: 6 },
  { key: "n_iter", label: "iterations", better: null },
  { key: "converged", label: "converged", better: null },
];

function fmt(metric, value) {
  if (value === undefined || value === null) return "\u2013";
  if (metric.key === "converged") return value ? "yes" : "no";
  if (metric.key === "n_iter") return String(value);
  return formatScore(value, metric.digits);
}

/**
 * Rows of the read-out: the fit's value, the previous fit's, and the change, with
 * whether the change is an improvement.
 * @returns {{key: string, label: string, now: string, before: string, delta: string,
 *   verdict: "better"|"worse"|"same"|null, value: number|boolean|null}[]} (`value`: the
 *   fit's number unformatted)
 */
export function readoutRows(scores, previous) {
  return METRICS.map((m) => {
    const now = scores ? scores[m.key] : undefined;
    const before = previous ? previous[m.key] : undefined;
    let delta = "";
    /** @type {"better"|"worse"|"same"|null} */
    let verdict = null;
    if (typeof now === "number" && typeof before === "number" && m.key !== "converged") {
      const diff = now - before;
      const text =
        m.key === "n_iter"
          ? String(diff)
          : Math.abs(diff) >= 1e4
            ? formatScore(diff)
            : formatNumber(diff, 4);
      delta = diff > 0 ? `+${text}` : text;
      if (m.better) {
        const good = m.better === "lower" ? diff < 0 : diff > 0;
        const scale = Math.max(Math.abs(now), Math.abs(before), 1e-300);
        verdict = Math.abs(diff) <= 1e-9 * scale ? "same" : good ? "better" : "worse";
      }
    }
    return {
      key: m.key,
      label: m.label,
      now: fmt(m, now),
      before: previous ? fmt(m, before) : "",
      delta,
      verdict,
      value: now ?? null,
    };
  });
}

/** What the init-mode line says. */
export function initModeText(controls) {
  if (controls.handles) {
    return "initial means: the handles \u00b7 weights and covariances: of the points nearest each";
  }
  const seed =
    controls.random_state === null || controls.random_state === undefined
      ? "random seed"
      : `seed ${controls.random_state}`;
  const inits = controls.n_init > 1 ? `, best of ${controls.n_init}` : "";
  return `initial means: automatic (${controls.init_params}, ${seed}${inits})`;
}

/** "3 components, full covariance, from the handles" for messages. */
export function describeControls(c) {
  return `K=${c.n_components}, ${c.covariance_type}${c.handles ? ", from the handles" : ""}`;
}
