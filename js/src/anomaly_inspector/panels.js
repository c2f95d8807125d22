// The HTML parts of the AnomalyInspector around the plots: the toolbar, the read-outs of
// the threshold with the metrics and the PR curve, the hover tooltip and the legend.
// Each returns its elements and an update function that only writes text and flags.

import { rgbString } from "../lib/colors.js";
import { h } from "../lib/dom.js";
import { icon } from "../lib/icons.js";
import { formatNumber } from "../lib/scale.js";
import { createPRCurve } from "./pr_curve.js";
import {
  countLabel,
  formatCount,
  formatMetric,
  formatPercent,
  hoverLines,
  refitLabel,
} from "./readouts.js";

function button(role, text, title, primary = false, iconName = null) {
  const children = iconName
    ? [icon(iconName), h("span", { class: "gmm-button-text", text })]
    : [text];
  return h(
    "button",
    {
      type: "button",
      class: `gmm-button gmm-text-button${primary ? " gmm-button-primary" : ""}`,
      "data-gmm-role": role,
      title,
      "aria-label": title,
    },
    children,
  );
}

const REFIT_HELP = "Refit the mixture on the points above the threshold (refit_without_anomalies)";

/**
 * @param {{onPercent: (p: number|null) => void, onBest: Function, onRefit: Function,
 *   onUndo: Function, onExport: (format: string) => void, onNoise: Function}} on
 *   onPercent gets the typed percentage, or null when it is not in (0, 50]; onNoise:
 *   "flag likely noise" (shown with a noise component)
 */
export function createToolbar(on) {
  const input = h("input", {
    type: "number",
    class: "gmm-number",
    "data-gmm-role": "contamination-input",
    min: "0.01",
    max: "50",
    step: "0.5",
    "aria-label": "Percentage of points to flag (sets contamination)",
    title:
      "Percentage of points to flag: the threshold moves to that percentile of the scores " +
      "(contamination = value / 100, at most 50 %)",
  });
  // Typing in the box is not a notebook shortcut.
  input.addEventListener("keydown", (e) => e.stopPropagation());
  input.addEventListener("change", () => {
    const p = Number(input.value);
    const ok = input.value !== "" && p > 0 && p <= 50;
    input.setAttribute("aria-invalid", ok ? "false" : "true");
    input.classList.toggle("gmm-invalid", !ok);
    on.onPercent(ok ? p : null);
  });
  const best = button(
    "best-f1",
    "Best F1",
    "Move the threshold to the highest F1 against the labels",
  );
  const refit = button("refit", "Refit without anomalies", REFIT_HELP, true);
  const noise = button(
    "flag-noise",
    "Flag likely noise",
    "Flag the points more likely noise than not: posterior probability of noise > 0.5",
  );
  noise.addEventListener("click", () => on.onNoise());
  const undo = button("undo-refit", "Undo refit", "Go back to the model before the last refit");
  const png = button("export-png", "PNG", "Save the current view as PNG", false, "download");
  const svgButton = button("export-svg", "SVG", "Save the current view as SVG", false, "download");
  best.addEventListener("click", () => on.onBest());
  refit.addEventListener("click", () => on.onRefit());
  undo.addEventListener("click", () => on.onUndo());
  png.addEventListener("click", () => on.onExport("png"));
  svgButton.addEventListener("click", () => on.onExport("svg"));
  const root = h(
    "div",
    { class: "gmm-toolbar", role: "toolbar", "aria-label": "Anomaly threshold" },
    [
      h("label", { class: "gmm-label" }, ["flag", input, "%"]),
      best,
      noise,
      refit,
      undo,
      h("span", { class: "gmm-spacer" }),
      png,
      svgButton,
    ],
  );
  let lastLabel = "";

  /**
   * @param {{busy: boolean, count: number, n: number, nRefits: number, best: boolean,
   *   labels: boolean, percentile: number, noise?: boolean}} s `noise`: the model has a
   *   noise component
   */
  function update(s) {
    const label = s.busy ? "Refitting\u2026" : refitLabel(s.count);
    if (label !== lastLabel) {
      refit.textContent = label;
      lastLabel = label;
    }
    refit.disabled = s.busy || s.count === 0 || s.count >= s.n;
    refit.title =
      s.count === 0
        ? "Nothing is flagged: raise the threshold first"
        : s.count >= s.n
          ? "Every point is flagged: lower the threshold"
          : REFIT_HELP;
    undo.disabled = s.busy || !(s.nRefits > 0);
    best.hidden = !s.labels;
    best.disabled = s.busy || !s.best;
    noise.hidden = !s.noise;
    noise.disabled = s.busy;
    if (typeof document === "undefined" || document.activeElement !== input)
      input.value = s.percentile.toFixed(2);
  }

  return { root, input, update };
}

/**
 * Read-outs under the histogram: threshold, count, percentile and, with labels,
 * precision, recall, F1, the confusion counts and the PR curve. Every number also sits
 * at full precision in a data-value attribute.
 * @param {(count: number) => void} onPick a point of the PR curve was clicked
 */
export function createReadouts(onPick) {
  const value = (role) => h("span", { class: "gmm-value", "data-gmm-role": role });
  const el = {
    threshold: value("threshold-value"),
    count: value("anomaly-count"),
    percentile: value("percentile"),
    precision: value("precision"),
    recall: value("recall"),
    f1: value("f1"),
    confusion: h("div", { class: "gmm-confusion", "data-gmm-role": "confusion" }),
    noiseCut: value("noise-cut"),
  };
  const noiseItem = h(
    "span",
    {
      title:
        "With a noise component: the points in the data's box below the threshold are " +
        "those whose posterior probability of noise exceeds this",
      hidden: true,
    },
    ["P(noise) > ", el.noiseCut],
  );
  const line = h("div", { class: "gmm-readouts", "data-gmm-role": "readouts" }, [
    h("span", {}, ["score < ", el.threshold]),
    h("span", {}, ["flagged ", el.count, " (", el.percentile, ")"]),
    noiseItem,
  ]);
  const name = (text, help) => h("span", { class: "gmm-metric-name", title: help, text });
  const grid = h("div", { class: "gmm-metrics" }, [
    name("precision", "flagged points that are labelled anomalies"),
    el.precision,
    name("recall", "labelled anomalies that are flagged"),
    el.recall,
    name("F1", "harmonic mean of precision and recall"),
    el.f1,
  ]);
  const prEl = h("div", { class: "gmm-pr" });
  const pr = createPRCurve(prEl, { onPick });
  const metrics = h("div", { class: "gmm-metrics-box", "data-gmm-role": "metrics" }, [
    h("div", { class: "gmm-metrics-text" }, [grid, el.confusion]),
    prEl,
  ]);

  const put = (node, text, raw) => {
    node.textContent = text;
    node.dataset.value = String(raw);
  };

  /** @param {ReturnType<import("./threshold.js").ScoreIndex["summary"]>} s */
  function set(s) {
    put(el.threshold, formatNumber(s.threshold, 5), s.threshold);
    put(el.count, `${formatCount(s.count)} of ${formatCount(s.n)}`, s.count);
    put(el.percentile, formatPercent(s.percentile, s.n), s.percentile);
    el.count.title = countLabel(s);
    const m = s.metrics;
    if (!m) return;
    put(el.precision, formatMetric(m.precision), m.precision);
    put(el.recall, formatMetric(m.recall), m.recall);
    put(el.f1, formatMetric(m.f1), m.f1);
    const item = (label, v) => `${label}\u00a0${formatCount(v)}`; // no line break inside an item
    el.confusion.textContent = [
      item("TP", m.tp),
      item("FP", m.fp),
      item("FN", m.fn),
      item("TN", m.tn),
    ].join(" \u00b7 ");
    pr.set(m);
  }

  /**
   * The cut on P(noise) the threshold amounts to: a number, null when the threshold is
   * below the noise level (no point of the box is flagged), undefined without noise.
   * @param {number|null|undefined} cut
   */
  function setNoiseCut(cut) {
    noiseItem.hidden = cut === undefined;
    if (cut === undefined) return;
    if (cut === null) put(el.noiseCut, "1 (none)", 1);
    else put(el.noiseCut, formatNumber(cut, 3), cut);
  }

  return { line, metrics, pr, set, setNoiseCut };
}

/**
 * The content of the hover tooltip for one displayed point.
 * @param {{row: number, score: number, flagged: boolean, label: number|null,
 *   resp: ArrayLike<number>|null, noise?: number|null,
 *   colors: import("../lib/colors.js").RGB[]}} p
 * @returns {HTMLElement[]}
 */
export function hoverContent(p) {
  const out = hoverLines(p).map((text) => h("div", { text }));
  if (p.resp) {
    out.push(h("div", { class: "gmm-tooltip-title", text: "responsibilities" }));
    for (let k = 0; k < p.resp.length; k++) {
      const sw = h("span", { class: "gmm-swatch" });
      sw.style.background = rgbString(p.colors[k]);
      out.push(
        h("div", { class: "gmm-resp", "data-component": k }, [
          sw,
          `p(${k} | x) = ${p.resp[k].toFixed(3)}`,
        ]),
      );
    }
  }
  return out;
}

/**
 * Legend items.
 * @param {{anomaly: number[], foreground: number[], labels: boolean, boundary: boolean,
 *   components: import("../lib/colors.js").RGB[], weights: ArrayLike<number>|null}} s
 */
export function legendItems(s) {
  const swatch = (cls, style) => {
    const el = h("span", { class: `gmm-swatch ${cls}` });
    Object.assign(el.style, style);
    return el;
  };
  const items = [
    h("li", { "data-gmm-role": "legend-flagged" }, [
      swatch("gmm-swatch-flagged", { background: rgbString(s.anomaly) }),
      "score < threshold",
    ]),
  ];
  if (s.labels)
    items.push(
      h("li", {}, [
        swatch("gmm-swatch-ring", { borderColor: rgbString(s.foreground) }),
        "labelled anomaly",
      ]),
    );
  if (s.boundary)
    items.push(
      h("li", {}, [
        swatch("gmm-swatch-line", { borderColor: rgbString(s.anomaly) }),
        "log p(x) = threshold",
      ]),
    );
  if (s.weights) {
    s.components.forEach((c, k) => {
      items.push(
        h("li", { "data-component": k }, [
          swatch("", { background: rgbString(c) }),
          `${k} \u00b7 w=${Number(s.weights[k]).toFixed(3)}`,
        ]),
      );
    });
  }
  return items;
}
