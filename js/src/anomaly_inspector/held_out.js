// The threshold on data it was not tuned on (AnomalyInspector's X_new): the fraction of
// the new points flagged, with its 95% Wilson interval, beside the tuning fraction, and
// precision/recall/F1 with labels_new. Recomputed every frame of a drag (a binary
// search in the sorted new scores), equal to Python's `inspector.held_out`.

import { decodeArray } from "../lib/codecs.js";
import { h } from "../lib/dom.js";
import { formatCount, formatMetric } from "./readouts.js";
import { ScoreIndex } from "./threshold.js";

/** z of a two-sided 95% normal interval (scipy.special.ndtri(0.975)). */
const Z95 = 1.959963984540054;

/**
 * Wilson score interval of the proportion k / n (gmm_widgets.mixture.held_out).
 * @param {number} k successes, 0 <= k <= n
 * @param {number} n trials, n >= 1
 * @param {number} [z] the normal quantile (1.96 for 95%)
 * @returns {[number, number]} in [0, 1]
 */
export function wilsonInterval(k, n, z = Z95) {
  const p = k / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n))) / (1 + z2n);
  const low = k === 0 ? 0 : Math.max(0, centre - half);
  const high = k === n ? 1 : Math.min(1, centre + half);
  return [low, high];
}

/**
 * The held-out scores (sorted) and labels of a model, or null without X_new.
 * @param {import("./traits.js").AnomalyInspectorModel} model
 * @returns {ScoreIndex|null}
 */
export function readHeldOut(model) {
  const sorted = decodeArray(model.get("_sorted_new_scores"));
  if (!sorted?.data.length) return null;
  const labels = decodeArray(model.get("_sorted_new_labels"));
  return new ScoreIndex(Float64Array.from(sorted.data), labels ? labels.data : null);
}

/**
 * What the held-out line shows at threshold t.
 * @param {ScoreIndex} index the new data's scores
 * @param {number} t threshold
 * @param {number} tuningFraction fraction flagged in X, in [0, 1]
 */
export function heldOutSummary(index, t, tuningFraction) {
  const s = index.summary(t);
  const fraction = s.count / s.n;
  const [low, high] = wilsonInterval(s.count, s.n);
  return {
    n: s.n,
    count: s.count,
    fraction,
    low,
    high,
    tuningFraction,
    consistent: low <= tuningFraction && tuningFraction <= high,
    metrics: s.metrics,
  };
}

/** 0.0234 -> "2.34 %" (two decimals: the interval is the precision that matters). */
function percent(fraction) {
  return `${(100 * fraction).toFixed(2)} %`;
}

/** The read-out: one line of numbers, a second with the metrics when labelled. */
export function createHeldOutReadout() {
  const value = (role, title) =>
    h("span", { class: "gmm-value", "data-gmm-role": role, ...(title ? { title } : {}) });
  const el = {
    count: value("held-out-count"),
    fraction: value("held-out-fraction"),
    interval: value("held-out-interval", "95% Wilson interval of the new data's fraction"),
    tuning: value("held-out-tuning"),
    precision: value("held-out-precision"),
    recall: value("held-out-recall"),
    f1: value("held-out-f1"),
  };
  const metrics = h("div", { class: "gmm-held-out-metrics" }, [
    "new data: precision ",
    el.precision,
    " \u00b7 recall ",
    el.recall,
    " \u00b7 F1 ",
    el.f1,
  ]);
  const root = h(
    "div",
    {
      class: "gmm-held-out",
      "data-gmm-role": "held-out",
      title: "The threshold on data it was not tuned on (X_new)",
      hidden: true,
    },
    [
      h("div", {}, [
        "new data: flagged ",
        el.count,
        " = ",
        el.fraction,
        " (95 % CI ",
        el.interval,
        ") vs ",
        el.tuning,
        " here",
      ]),
      metrics,
    ],
  );
  const put = (node, text, raw) => {
    node.textContent = text;
    node.dataset.value = String(raw);
  };

  /** @param {ReturnType<typeof heldOutSummary>|null} s null hides the read-out */
  function set(s) {
    root.hidden = !s;
    if (!s) return;
    put(el.count, `${formatCount(s.count)} of ${formatCount(s.n)}`, s.count);
    put(el.fraction, percent(s.fraction), s.fraction);
    put(el.interval, `${percent(s.low)}\u2013${percent(s.high)}`, `${s.low},${s.high}`);
    put(el.tuning, percent(s.tuningFraction), s.tuningFraction);
    root.classList.toggle("gmm-held-out-off", !s.consistent);
    root.dataset.consistent = String(s.consistent);
    metrics.hidden = !s.metrics;
    if (!s.metrics) return;
    put(el.precision, formatMetric(s.metrics.precision), s.metrics.precision);
    put(el.recall, formatMetric(s.metrics.recall), s.metrics.recall);
    put(el.f1, formatMetric(s.metrics.f1), s.metrics.f1);
  }

  return { root, set };
}
