// "Why is this point flagged?": the panel that shows AnomalyInspector.explain(row), the
// `explanation` trait Python fills when a point is clicked (the view sets explain_row).
// Every number also sits in a data-value attribute at full precision, so tests compare
// what is shown with Python's numbers.

import { h } from "../lib/dom.js";
import { formatNumber } from "../lib/scale.js";

/**
 * @typedef {object} FeaturePart
 * @property {string} name
 * @property {number} value the point's coordinate
 * @property {number} mean the component's mean
 * @property {number} z the whitened residual (signed)
 * @property {number} contribution z², its part of D²
 * @property {number} share contribution / D²
 */

/**
 * @typedef {object} Explanation
 * @property {number} row
 * @property {number} log_density
 * @property {number} percentile percentage of the rows with a lower log-density
 * @property {boolean} flagged
 * @property {number|null} component the most likely component (null without a mixture)
 * @property {number|null} responsibility
 * @property {number|null} mahalanobis
 * @property {FeaturePart[]} features
 * @property {number} [noise_probability] posterior probability of noise (with a noise
 *   component only)
 */

/**
 * The summary lines of an explanation: [role, label, value, text] per line.
 * @param {Explanation} e
 * @returns {[string, string, number|null, string][]}
 */
export function summaryLines(e) {
  const lines = /** @type {[string, string, number|null, string][]} */ ([
    ["log-density", "log-density", e.log_density, formatNumber(e.log_density, 5)],
    ["percentile", "lower than", e.percentile, `${formatNumber(e.percentile, 3)} % of the points`],
  ]);
  if (e.component !== null && e.component !== undefined) {
    lines.push([
      "component",
      "most likely component",
      e.component,
      `${e.component} (p = ${formatNumber(e.responsibility ?? Number.NaN, 3)})`,
    ]);
    lines.push([
      "mahalanobis",
      "Mahalanobis distance D",
      e.mahalanobis,
      formatNumber(e.mahalanobis ?? Number.NaN, 4),
    ]);
  }
  if (typeof e.noise_probability === "number")
    lines.push([
      "noise-probability",
      "probability of noise",
      e.noise_probability,
      formatNumber(e.noise_probability, 3),
    ]);
  return lines;
}

/**
 * Features ordered by their part of D², largest first (ties keep the input order).
 * @param {FeaturePart[]} features
 * @returns {FeaturePart[]}
 */
export function rankedFeatures(features) {
  return features
    .map((f, j) => ({ f, j }))
    .sort((a, b) => b.f.contribution - a.f.contribution || a.j - b.j)
    .map(({ f }) => f);
}

/**
 * The panel. `update(explanation)` shows one (an empty object hides the panel).
 * @param {{onClose: () => void}} options
 */
export function createExplanationPanel({ onClose }) {
  const title = h("div", { class: "gmm-explain-title", "data-gmm-role": "explanation-title" });
  const close = h("button", {
    type: "button",
    class: "gmm-explain-close",
    "data-gmm-role": "explanation-close",
    "aria-label": "Close the explanation",
    title: "Close (Escape)",
    text: "\u00d7",
  });
  close.addEventListener("click", () => onClose());
  const summary = h("dl", { class: "gmm-explain-summary" });
  const table = h("table", { class: "gmm-explain-features" });
  const root = h(
    "section",
    {
      class: "gmm-explain",
      "data-gmm-role": "explanation",
      "aria-label": "Why this point has its density",
      tabindex: "-1",
      hidden: true,
    },
    [h("div", { class: "gmm-explain-head" }, [title, close]), summary, table],
  );
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      onClose();
    }
  });

  /** @param {Record<string, any>} value an Explanation, or {} to hide the panel */
  function update(value) {
    if (!value || !("row" in value)) {
      root.hidden = true;
      return;
    }
    const e = /** @type {Explanation} */ (value);
    root.hidden = false;
    root.dataset.row = String(e.row);
    title.textContent = `Row ${e.row}: ${e.flagged ? "flagged" : "not flagged"}`;
    title.dataset.flagged = String(e.flagged);
    summary.replaceChildren(
      ...summaryLines(e).flatMap(([role, label, value, text]) => [
        h("dt", { text: label }),
        h("dd", { "data-gmm-role": `explanation-${role}`, "data-value": String(value), text }),
      ]),
    );
    if (!e.features.length) {
      table.replaceChildren();
      table.hidden = true;
      return;
    }
    table.hidden = false;
    const head = h("tr", {}, [
      h("th", { text: "feature" }),
      h("th", { text: "value" }),
      h("th", { text: "mean" }),
      h("th", { text: "z" }),
      h("th", { text: "share of D\u00b2" }),
    ]);
    const rows = rankedFeatures(e.features).map((f) => {
      const bar = h("span", { class: "gmm-explain-bar" });
      bar.style.width = `${Math.round(100 * Math.min(1, Math.max(0, f.share)))}%`;
      return h("tr", { "data-gmm-role": "explanation-feature", "data-feature": f.name }, [
        h("td", { text: f.name }),
        h("td", { "data-value": String(f.value), text: formatNumber(f.value, 4) }),
        h("td", { "data-value": String(f.mean), text: formatNumber(f.mean, 4) }),
        h("td", { "data-value": String(f.z), text: formatNumber(f.z, 3) }),
        h("td", { class: "gmm-explain-share", "data-value": String(f.share) }, [
          h("span", { class: "gmm-explain-track" }, [bar]),
          `${formatNumber(100 * f.share, 3)} %`,
        ]),
      ]);
    });
    table.replaceChildren(h("thead", {}, [head]), h("tbody", {}, rows));
  }

  return { root, update };
}
