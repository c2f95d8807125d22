// "Refit without anomalies" in the page, for a page without a kernel (an exported
// notebook or widgets page): the same steps as AnomalyInspector.refit_without_anomalies
// in Python, on the displayed points, with the EM of lib/em.js.
//
// What differs from the kernel's refit, and is said on the page ("browser fit"): the
// new mixture starts from the current model's means with the explorer's start rule
// (weights and covariances of the points nearest each mean) instead of a fresh k-means
// init, with the core's default tol and reg_covar; only the displayed points are fitted
// and scored (all of them when every point is displayed); the held-out data (X_new) is not
// rescored.

import { decodeArray, encodeArray } from "../lib/codecs.js";
import { EMData, EMError, GaussianMixtureEM } from "../lib/em.js";
import { expandCovariances } from "../lib/gaussian.js";
import { readPoints } from "../lib/model.js";
import { readMixture } from "./state.js";
import { argsort, countBelow, quantile, thresholdFromContamination } from "./threshold.js";

/** The core's defaults, which the page's refit uses. */
export const REFIT_SETTINGS = { tol: 1e-3, reg_covar: 1e-6, max_iter: 100 };

/**
 * The traits an in-page refit sets (and an in-page undo puts back).
 * @type {(keyof import("./traits.js").AnomalyInspectorOwnTraits)[]}
 */
export const REFIT_TRAITS = [
  "_display_scores",
  "_sorted_scores",
  "_sorted_labels",
  "_sorted_new_scores",
  "_sorted_new_labels",
  "_mixture",
  "threshold",
  "refit_info",
  "n_refits",
  "message",
];

/**
 * Refit the model of an AnomalyInspector without the points below its threshold.
 * @param {import("./traits.js").AnomalyInspectorModel} model
 * @returns {Record<string, any>} the new values of {@link REFIT_TRAITS}
 * @throws {Error} with a message for the page when there is nothing to refit or the
 *   fit fails (the core's message for a collapsed component)
 */
export function browserRefit(model) {
  const points = readPoints(model);
  const mixture = readMixture(model);
  if (!mixture)
    throw new Error(
      "This model is not a Gaussian mixture: without a kernel, the page can refit only a " +
        "Gaussian mixture.",
    );
  if (mixture.noise)
    throw new Error(
      "This model has a noise component, which the page's own fit does not have: refit " +
        "it in a notebook with a kernel.",
    );
  const scores = decodeArray(model.get("_display_scores"));
  const t = Number(model.get("threshold"));
  const { n, d } = points;
  const keep = [];
  for (let i = 0; i < n; i++) if (!(scores.data[i] < t)) keep.push(i);
  const removed = n - keep.length;
  if (removed === 0)
    throw new Error(
      "no point is below the threshold, so there is nothing to remove; raise the threshold first.",
    );
  if (keep.length < 2) throw new Error("the threshold flags (almost) every point; lower it first.");
  const Xk = new Float64Array(keep.length * d);
  keep.forEach((row, i) => {
    for (let j = 0; j < d; j++) Xk[i * d + j] = points.X[row * d + j];
  });
  const type = /** @type {import("../lib/em.js").CovarianceType} */ (mixture.type);
  const opts = {
    covarianceType: type,
    nComponents: mixture.K,
    regCovar: REFIT_SETTINGS.reg_covar,
    tol: REFIT_SETTINGS.tol,
  };
  const em = new GaussianMixtureEM(new EMData(Xk, keep.length, d), opts);
  try {
    em.startFromMeans(mixture.means);
    em.run({ maxIter: REFIT_SETTINGS.max_iter });
  } catch (e) {
    if (e instanceof EMError) throw new Error(`Browser refit failed: ${e.message}`);
    throw e;
  }
  const state = em.state();
  // Every displayed point scored under the new model.
  const all = new GaussianMixtureEM(new EMData(points.X, n, d), opts);
  all.setParams(state);
  const newScores = all.scoreSamples();
  const order = argsort(newScores);
  const sorted = Float64Array.from(order, (i) => newScores[i]);
  const contamination = model.get("contamination");
  const percentile = (100 * countBelow(Float64Array.from(scores.data).sort(), t)) / n;
  const rule =
    contamination !== null && contamination !== undefined ? "contamination" : "percentile";
  const threshold =
    rule === "contamination"
      ? thresholdFromContamination(sorted, contamination)
      : quantile(sorted, percentile);
  let flaggedAfter = 0;
  let stillFlagged = 0;
  const wasFlagged = new Uint8Array(n);
  for (let i = 0; i < n; i++) wasFlagged[i] = scores.data[i] < t ? 1 : 0;
  for (let i = 0; i < n; i++)
    if (newScores[i] < threshold) {
      flaggedAfter += 1;
      stillFlagged += wasFlagged[i];
    }
  const labels = decodeArray(model.get("_display_labels"));
  const full = expandCovariances(state.covariances, type, mixture.K, d);
  const covs = new Float64Array(mixture.K * d * d);
  full.forEach((c, k) => {
    covs.set(c, k * d * d);
  });
  return {
    _display_scores: encodeArray(newScores, [n], "float64"),
    _sorted_scores: encodeArray(sorted, [n], "float64"),
    _sorted_labels: labels
      ? encodeArray(
          Array.from(order, (i) => labels.data[i]),
          [n],
          "uint8",
        )
      : null,
    _mixture: {
      covariance_type: mixture.type,
      n_components: mixture.K,
      n_features: d,
      weights: encodeArray(state.weights, [mixture.K], "float64"),
      means: encodeArray(state.means, [mixture.K, d], "float64"),
      covariances: encodeArray(covs, [mixture.K, d, d], "float64"),
    },
    threshold,
    refit_info: {
      n_samples: n,
      n_removed: removed,
      n_kept: keep.length,
      n_flagged_before: removed,
      n_flagged_after: flaggedAfter,
      n_removed_still_flagged: stillFlagged,
      n_refits: (Number(model.get("n_refits")) || 0) + 1,
      rule,
      source: "browser",
      n_iter: em.nIter,
      lower_bound: em.lowerBound,
    },
    n_refits: (Number(model.get("n_refits")) || 0) + 1,
    message: "",
    // The page has no X_new to score under the new mixture: the held-out read-out
    // hides until the kernel refits (an in-page undo brings it back).
    _sorted_new_scores: null,
    _sorted_new_labels: null,
  };
}
