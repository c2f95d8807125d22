// Text shown by the AnomalyInspector. Pure functions, tested without a DOM.

import { formatNumber } from "../lib/scale.js";

const nf = new Intl.NumberFormat("en-US");

/** 12345 -> "12,345". */
export function formatCount(n) {
  return nf.format(n);
}

/** A percentage with enough decimals to tell one point from the next among n. */
export function formatPercent(p, n = 100) {
  if (!Number.isFinite(p)) return "\u2013";
  const digits = n > 10000 ? 3 : n > 1000 ? 2 : 1;
  return `${p.toFixed(digits)} %`;
}

/** A metric in [0, 1] with three decimals. */
export function formatMetric(v) {
  return Number.isFinite(v) ? v.toFixed(3) : "\u2013";
}

/** "40 of 1,000 points (4.0 %)" */
export function countLabel(summary) {
  const percent = formatPercent(summary.percentile, summary.n);
  return `${formatCount(summary.count)} of ${formatCount(summary.n)} points (${percent})`;
}

/** The short label that rides on the handle: "4.0 % · 40". */
export function handleLabel(summary) {
  return `${formatPercent(summary.percentile, summary.n)} \u00b7 ${formatCount(summary.count)}`;
}

/** What a screen reader says about the slider. */
export function ariaValueText(summary) {
  const percent = formatPercent(summary.percentile, summary.n);
  const count = `${formatCount(summary.count)} of ${formatCount(summary.n)} points below`;
  return `log-density threshold ${formatNumber(summary.threshold)}: ${count} (${percent})`;
}

/** Label of the refit button for `count` flagged points. */
export function refitLabel(count) {
  return count === 1 ? "Refit without 1 anomaly" : `Refit without ${formatCount(count)} anomalies`;
}

/**
 * The line under the toolbar after a refit (from the refit_info trait).
 * @param {object} info {n_samples, n_removed, n_kept, n_flagged_after,
 *   n_removed_still_flagged, n_refits, rule}
 */
export function refitStatus(info) {
  if (!info || !Number.isFinite(info.n_samples)) return "";
  const nth = info.n_refits > 1 ? ` #${info.n_refits}` : "";
  const rule =
    info.rule === "contamination"
      ? "same contamination"
      : info.rule === "noise_cut"
        ? "same probability of noise"
        : "same fraction flagged";
  if (info.kind === "settings") {
    const seed = info.random_state === null ? "no seed" : `seed ${info.random_state}`;
    return (
      `Refit${nth}: K=${info.n_components}, ${info.covariance_type}, ${seed}, ` +
      `n_init ${info.n_init} on all ${formatCount(info.n_samples)} points; the threshold ` +
      `keeps its rule (${rule}).`
    );
  }
  return (
    `Refit${nth}: fitted on ${formatCount(info.n_kept)} of ${formatCount(info.n_samples)} points ` +
    `(${formatCount(info.n_removed)} removed). ` +
    `The new model flags ${formatCount(info.n_flagged_after)} ` +
    `(${rule}), ${formatCount(info.n_removed_still_flagged)} of them among the removed.`
  );
}

/**
 * The status while the kernel fits: the progress of a refit with new settings, or the
 * refit without the flagged points.
 * @param {Record<string, any>|null|undefined} p fit_progress ({} when none is reported)
 */
export function busyStatus(p) {
  if (!p || !Number.isFinite(p.n_iter)) return "Refitting\u2026";
  const init = p.n_init > 1 ? `init ${p.init} of ${p.n_init}, ` : "";
  const lb = Number.isFinite(p.lower_bound)
    ? `, lower bound ${formatNumber(p.lower_bound, 6)}`
    : "";
  return `Refitting: ${init}iteration ${p.n_iter}${lb}\u2026`;
}

/**
 * Lines of the hover read-out for one point.
 * @param {{row: number, score: number, flagged: boolean, label: number|null,
 *   resp: ArrayLike<number>|null, noise?: number|null}} p `noise`: P(noise | x), with
 *   a noise component
 */
export function hoverLines(p) {
  const lines = [`row ${formatCount(p.row)}${p.flagged ? " \u00b7 flagged" : ""}`];
  lines.push(`log-density ${formatNumber(p.score)}`);
  if (typeof p.noise === "number") lines.push(`p(noise | x) = ${p.noise.toFixed(3)}`);
  if (p.label !== null && p.label !== undefined)
    lines.push(`label: ${p.label ? "anomaly" : "inlier"}`);
  return lines;
}
