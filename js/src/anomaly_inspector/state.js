// Decoding of the AnomalyInspector's synced traits into the arrays the view works on
// (see gmm_widgets/widgets/anomaly_inspector.py):
//   _display_scores (n_display,) float64   _sorted_scores (n_samples,) float64
//   _display_labels (n_display,) uint8     _sorted_labels (n_samples,) uint8 (or null)
//   _display_rows (n_display,) int32 rows of X shown (null when every row is)
//   _mixture {covariance_type, n_components, n_features, weights (K), means (K, d),
//             covariances (K, d, d) full} float64, or {} for a density model that is
//             not a Gaussian mixture; with a noise component also noise_log_density
//             and noise_bounds (2, d) (see noise.js)

import { decodeArray, decodeTree } from "../lib/codecs.js";
import { readNoise } from "./noise.js";
import { argsort, ScoreIndex } from "./threshold.js";

/** @typedef {import("../lib/codecs.js").TypedArray} TypedArray */

/**
 * The scores and labels as the view needs them.
 * @param {import("./traits.js").AnomalyInspectorModel} model
 * @returns {{index: ScoreIndex, display: Float64Array, displayOrder: Uint32Array,
 *   displaySorted: Float64Array, displayLabels: TypedArray|null, displayRows: TypedArray|null}}
 *   `displayLabels` uint8 and `displayRows` int32, as Python sends them
 */
export function readScores(model) {
  const sorted = decodeArray(model.get("_sorted_scores"));
  const display = decodeArray(model.get("_display_scores"));
  const sortedLabels = decodeArray(model.get("_sorted_labels"));
  const displayLabels = decodeArray(model.get("_display_labels"));
  const rows = decodeArray(model.get("_display_rows"));
  const s = sorted ? Float64Array.from(sorted.data) : new Float64Array(0);
  const index = new ScoreIndex(s, sortedLabels ? sortedLabels.data : null);
  const disp = display ? Float64Array.from(display.data) : new Float64Array(0);
  const displayOrder = argsort(disp);
  const displaySorted = new Float64Array(disp.length);
  for (let i = 0; i < disp.length; i++) displaySorted[i] = disp[displayOrder[i]];
  return {
    index,
    display: disp,
    displayOrder,
    displaySorted,
    displayLabels: displayLabels ? displayLabels.data : null,
    displayRows: rows ? rows.data : null,
  };
}

/**
 * The mixture's parameters, covariances as K full row-major d x d matrices.
 * @param {import("./traits.js").AnomalyInspectorModel} model
 * @returns {{K: number, d: number, type: string, weights: Float64Array, means: Float64Array,
 *   covariances: Float64Array[], noise: import("./noise.js").Noise|null}|null} null for a
 *   model that is not a Gaussian mixture; `noise`: its uniform noise component, if any
 */
export function readMixture(model) {
  const raw = decodeTree(model.get("_mixture") || {});
  if (!raw?.weights || !raw.means || !raw.covariances) return null;
  const K = raw.weights.shape[0];
  const d = raw.means.shape[1];
  const cov = raw.covariances.data;
  const covariances = [];
  for (let k = 0; k < K; k++)
    covariances.push(Float64Array.from(cov.subarray(k * d * d, (k + 1) * d * d)));
  return {
    K,
    d,
    type: raw.covariance_type,
    weights: Float64Array.from(raw.weights.data),
    means: Float64Array.from(raw.means.data),
    covariances,
    noise: readNoise(raw),
  };
}

/** Marginal of a mixture on features `dims` (e.g. [i, j]): means and covariances restricted. */
export function marginal(mixture, dims) {
  const { K, d } = mixture;
  const m = dims.length;
  const means = new Float64Array(K * m);
  const covariances = [];
  for (let k = 0; k < K; k++) {
    const c = new Float64Array(m * m);
    for (let a = 0; a < m; a++) {
      means[k * m + a] = mixture.means[k * d + dims[a]];
      for (let b = 0; b < m; b++) c[a * m + b] = mixture.covariances[k][dims[a] * d + dims[b]];
    }
    covariances.push(c);
  }
  return { ...mixture, d: m, means, covariances };
}
