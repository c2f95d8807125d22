// The AnomalyInspector view: a score histogram with a draggable threshold on the left,
// the data with the flagged points on the right, live counts and metrics.
//
// Synced traits (see gmm_widgets/widgets/anomaly_inspector.py):
//   data (n_display, d) float32, n_samples, feature_names       sent once
//   _display_scores, _sorted_scores, _sorted_labels, _display_labels, _display_rows,
//   _mixture                                                    sent once per model
//   threshold (JS -> Python on release; Python -> JS moves the handle)
//   contamination (JS sets it from the "flag %" box), percentile, n_anomalies (Python)
//   projection, x_feature, y_feature, pca (d > 2)
//   busy, message, refit_info, n_refits                          refit state
// Custom messages to Python: {type: "refit"} and {type: "undo"}.
//
// A drag never waits for the kernel: every frame is a binary search in the sorted
// scores plus O(1) DOM updates and one canvas layer of the flagged points.

import { componentColors, mixColors, parseColor, readTheme, rgbString, watchTheme } from "../lib/colors.js";
import { logDensityGrid } from "../lib/contour.js";
import { h, svg } from "../lib/dom.js";
import { composePNG, composeSVG, download } from "../lib/export.js";
import { responsibilities } from "../lib/gaussian.js";
import { icon } from "../lib/icons.js";
import { listen, setNow } from "../lib/model.js";
import { featurePair, linearProjection, projectCovariance, projectMean, projectPoints } from "../lib/projection.js";
import { decodeArray, decodeTree } from "../lib/codecs.js";
import { extent, formatNumber, padExtent } from "../lib/scale.js";
import { shuffledOrder } from "../lib/assignments.js";
import { debounce } from "../lib/timing.js";
import { countBelow, thresholdForCount, thresholdFromContamination } from "../lib/threshold.js";
import { createDataPlot1d } from "./data_plot_1d.js";
import { createDataPlot2d } from "./data_plot_2d.js";
import { createPRCurve } from "./pr_curve.js";
import { countLabel, formatCount, formatMetric, formatPercent, hoverLines, refitLabel, refitStatus } from "./readouts.js";
import { createScoreHistogram } from "./score_histogram.js";
import { marginal, readMixture, readScores } from "./state.js";

const DEFAULT_WIDTH = 900;
const HIST_HEIGHT = 230;
const PR_SIZE = { width: 200, height: 150 };
const KEY_COMMIT_MS = 300;
/** From this many points the count axis of the histogram starts logarithmic. */
const LOG_Y_FROM = 10000;
/** Render times kept for the performance probe. */
const PERF_RING = 2048;

const now = () => (globalThis.performance ? globalThis.performance.now() : Date.now());

/**
 * Component colours without the palette's red, which is the anomaly colour here.
 * @returns {[number, number, number][]}
 */
export function paletteWithoutRed(K, dark) {
  return componentColors(K + 1, dark)
    .filter((_, k) => k !== RED_IN_PALETTE)
    .slice(0, K);
}
const RED_IN_PALETTE = 2;

export class AnomalyInspectorView {
  /**
   * @param {object} model anywidget model
   * @param {HTMLElement} el
   * @param {{timers?: object, raf?: (cb: Function) => any, caf?: (id: any) => void}} [opts]
   */
  constructor(model, el, opts = {}) {
    this.model = model;
    this.el = el;
    this.timers = opts.timers || globalThis;
    this.raf = opts.raf || (globalThis.requestAnimationFrame ? (cb) => globalThis.requestAnimationFrame(cb) : (cb) => this.timers.setTimeout(cb, 16));
    this.caf = opts.caf || (globalThis.cancelAnimationFrame ? (id) => globalThis.cancelAnimationFrame(id) : (id) => this.timers.clearTimeout(id));
    this.cleanups = [];
    this.frameId = null;
    this.dirty = new Set();
    this.flushQueued = false;
    this.hoverIndex = -1;
    this.width = 0;
    this.logY = null; // null: automatic
    this.perf = { times: new Float64Array(PERF_RING), stamps: new Float64Array(PERF_RING), count: 0 };
    this.keyCommit = debounce((t) => this.commit(t), KEY_COMMIT_MS, 1000, this.timers);
    this.build();
    this.loadData();
    this.loadScores();
    this.loadMixture();
    this.t = Number(model.get("threshold"));
    this.bind();
    this.relayout();
  }

  // ------------------------------------------------------------------- build
  build() {
    this.root = h("div", { class: "gmm-widget gmm-anomaly-inspector", "data-gmm-role": "anomaly-inspector", "data-lm-suppress-shortcuts": "true" });
    this.contaminationInput = h("input", {
      type: "number",
      class: "gmm-number",
      "data-gmm-role": "contamination-input",
      min: "0.01",
      max: "50",
      step: "0.5",
      "aria-label": "Percentage of points to flag (sets contamination)",
      title: "Percentage of points to flag: the threshold moves to that percentile of the scores (contamination = value / 100, at most 50 %)",
    });
    this.contaminationInput.addEventListener("change", () => this.onContaminationInput());
    this.contaminationInput.addEventListener("keydown", (e) => e.stopPropagation());
    this.bestButton = this.button("best-f1", "Best F1", "Move the threshold to the highest F1 against the labels");
    this.bestButton.addEventListener("click", () => this.jumpToBestF1());
    this.refitButton = this.button("refit", "Refit without anomalies", "Refit the mixture on the points above the threshold (refit_without_anomalies)", true);
    this.refitButton.addEventListener("click", () => this.send("refit"));
    this.undoButton = this.button("undo-refit", "Undo refit", "Go back to the model before the last refit");
    this.undoButton.addEventListener("click", () => this.send("undo"));
    this.viewControls = h("span", { class: "gmm-view-controls" });
    const png = this.button("export-png", "PNG", "Save the current view as PNG", false, "download");
    const svgButton = this.button("export-svg", "SVG", "Save the current view as SVG", false, "download");
    png.addEventListener("click", () => this.exportView("png"));
    svgButton.addEventListener("click", () => this.exportView("svg"));
    const toolbar = h("div", { class: "gmm-toolbar", role: "toolbar", "aria-label": "Anomaly threshold" }, [
      h("label", { class: "gmm-label" }, ["flag", this.contaminationInput, "%"]),
      this.bestButton,
      this.refitButton,
      this.undoButton,
      h("span", { class: "gmm-spacer" }),
      png,
      svgButton,
    ]);
    this.status = h("div", { class: "gmm-status", "data-gmm-role": "refit-status", role: "status", "aria-live": "polite" });

    this.left = h("div", { class: "gmm-ai-left" });
    this.hist = createScoreHistogram(this.left, {
      onInput: (t) => this.preview(t),
      onCommit: (t) => this.commit(t),
      onKeyCommit: (t) => {
        this.renderNow(); // a key press is one discrete step: show it at once
        this.keyCommit(t);
      },
      onScale: (logY) => {
        this.logY = logY;
        this.relayout();
      },
    });
    const value = (role) => h("span", { class: "gmm-value", "data-gmm-role": role });
    this.readout = {
      threshold: value("threshold-value"),
      count: value("anomaly-count"),
      percentile: value("percentile"),
    };
    this.left.append(
      h("div", { class: "gmm-readouts", "data-gmm-role": "readouts" }, [
        h("span", {}, ["score < ", this.readout.threshold]),
        h("span", {}, ["flagged ", this.readout.count, " (", this.readout.percentile, ")"]),
      ]),
    );
    this.metricsBox = h("div", { class: "gmm-metrics-box", "data-gmm-role": "metrics" });
    const metric = (role, name, help) => {
      const v = value(role);
      return [h("span", { class: "gmm-metric-name", title: help, text: name }), v];
    };
    const grid = h("div", { class: "gmm-metrics" }, [
      ...metric("precision", "precision", "flagged points that are labelled anomalies"),
      ...metric("recall", "recall", "labelled anomalies that are flagged"),
      ...metric("f1", "F1", "harmonic mean of precision and recall"),
    ]);
    this.readout.precision = grid.querySelector('[data-gmm-role="precision"]');
    this.readout.recall = grid.querySelector('[data-gmm-role="recall"]');
    this.readout.f1 = grid.querySelector('[data-gmm-role="f1"]');
    this.readout.confusion = h("div", { class: "gmm-confusion", "data-gmm-role": "confusion" });
    this.prEl = h("div", { class: "gmm-pr" });
    this.pr = createPRCurve(this.prEl, { onPick: (count) => this.setAndCommit(thresholdForCount(this.scores.index.sorted, count)) });
    this.metricsBox.append(h("div", { class: "gmm-metrics-text" }, [grid, this.readout.confusion]), this.prEl);
    this.left.append(this.metricsBox);

    this.right = h("div", { class: "gmm-ai-right" });
    this.plotEl = h("div", { class: "gmm-plot" });
    this.tooltip = h("div", { class: "gmm-tooltip", "data-gmm-role": "hover-info", hidden: true });
    this.right.append(this.viewControls, this.plotEl, this.tooltip);
    this.body = h("div", { class: "gmm-ai-body" }, [this.left, this.right]);

    this.legend = h("ul", { class: "gmm-legend", "data-gmm-role": "legend", "aria-label": "Legend" });
    this.pointsInfo = h("span", { class: "gmm-points-info", "data-gmm-role": "points-info" });
    const footer = h("div", { class: "gmm-footer" }, [this.legend, h("span", { class: "gmm-spacer" }), this.pointsInfo]);
    this.root.append(toolbar, this.status, this.body, footer);
    this.el.appendChild(this.root);

    this.plotEl.addEventListener("pointermove", (e) => this.onHover(e));
    this.plotEl.addEventListener("pointerleave", () => this.setHover(-1));

    // Performance probe: how long each of the last renders took (ms) and when it started
    // (performance.now()), for measurements in a real browser.
    const recent = (arr) => {
      const { count } = this.perf;
      if (count <= PERF_RING) return Array.from(arr.subarray(0, count));
      const at = count % PERF_RING;
      return [...arr.subarray(at), ...arr.subarray(0, at)];
    };
    Object.defineProperty(this.root, "gmmPerf", {
      configurable: true,
      value: {
        renderTimes: () => recent(this.perf.times),
        renderStamps: () => recent(this.perf.stamps),
        reset: () => {
          this.perf.count = 0;
        },
      },
    });
  }

  button(role, text, title, primary = false, iconName = null) {
    const children = iconName ? [icon(iconName), h("span", { class: "gmm-button-text", text })] : [text];
    return h("button", { type: "button", class: `gmm-button gmm-text-button${primary ? " gmm-button-primary" : ""}`, "data-gmm-role": role, title, "aria-label": title }, children);
  }

  bind() {
    const m = this.model;
    const later = (...flags) => () => this.invalidate(...flags);
    this.cleanups.push(
      listen(m, {
        "change:data": later("data"),
        "change:_display_scores": later("scores"),
        "change:_sorted_scores": later("scores"),
        "change:_sorted_labels": later("scores"),
        "change:_display_labels": later("scores"),
        "change:_display_rows": later("scores"),
        "change:_mixture": later("mixture"),
        "change:projection": later("view"),
        "change:x_feature": later("view"),
        "change:y_feature": later("view"),
        "change:pca": later("view"),
        "change:threshold": () => this.onKernelThreshold(),
        "change:busy": () => this.updateStatus(),
        "change:message": () => this.updateStatus(),
        "change:refit_info": () => this.updateStatus(),
        "change:n_refits": () => this.updateStatus(),
      }),
    );
    this.cleanups.push(watchTheme(() => this.relayout()));
    if (typeof ResizeObserver !== "undefined") {
      const ro = new ResizeObserver(() => {
        if (this.measureWidth() !== this.width) this.relayout();
      });
      ro.observe(this.root);
      this.cleanups.push(() => ro.disconnect());
    }
  }

  // ------------------------------------------------------------------ loading
  /** Coalesce the change events of one kernel message into one reload. */
  invalidate(...flags) {
    for (const f of flags) this.dirty.add(f);
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => this.flush());
  }

  flush() {
    this.flushQueued = false;
    if (!this.dirty.size || this.destroyed) return;
    const dirty = this.dirty;
    this.dirty = new Set();
    if (dirty.has("data")) this.loadData();
    if (dirty.has("scores") || dirty.has("data")) this.loadScores();
    if (dirty.has("mixture") || dirty.has("data")) this.loadMixture();
    if (dirty.has("view") || dirty.has("data")) this.projected = null;
    // New scores (a refit) come with the kernel's threshold for them. Anything else (a
    // feature pair, a projection) leaves the threshold the user is setting alone.
    const newScores = dirty.has("scores") || dirty.has("data");
    if (newScores && !this.hist.dragging && !this.keyCommit.pending()) this.t = Number(this.model.get("threshold"));
    this.relayout();
  }

  loadData() {
    const arr = decodeArray(this.model.get("data"));
    if (!arr) this.data = { X: new Float32Array(0), n: 0, d: 0 };
    else this.data = { X: arr.data, n: arr.shape[0], d: arr.shape.length > 1 ? arr.shape[1] : 1 };
    this.drawOrder = shuffledOrder(this.data.n, 12345);
    this.projected = null;
  }

  loadScores() {
    this.scores = readScores(this.model);
    const { displayLabels } = this.scores;
    const rings = [];
    if (displayLabels) for (let i = 0; i < displayLabels.length; i++) if (displayLabels[i]) rings.push(i);
    this.ringIndices = Uint32Array.from(rings);
    this.best = this.scores.index.bestF1();
  }

  loadMixture() {
    this.mixture = readMixture(this.model);
    const { X, n, d } = this.data;
    this.resp = null;
    if (this.mixture && this.mixture.d === d && n > 0) {
      this.resp = responsibilities(X, n, d, this.mixture.weights, this.mixture.means, this.mixture.covariances).resp;
    }
    this.projected = null;
  }

  // ------------------------------------------------------------------- layout
  measureWidth() {
    const w = this.root.clientWidth;
    return w > 0 ? w - 22 : DEFAULT_WIDTH;
  }

  /** The 2-D view of the data chosen now. */
  projection() {
    const d = this.data.d;
    const names = this.model.get("feature_names") || [];
    const label = (i) => names[i] ?? `x${i}`;
    if (d <= 2) return { proj: featurePair(d, 0, Math.min(1, d - 1)), labels: { x: label(0), y: label(1) }, key: "pair:0:1", dims: [0, 1] };
    if (this.model.get("projection") === "pca") {
      const pca = decodeTree(this.model.get("pca") || {});
      if (pca.components && pca.mean) {
        const ratio = pca.explained_variance_ratio ? pca.explained_variance_ratio.data : [NaN, NaN];
        const pct = (r) => (Number.isFinite(r) ? ` (${(100 * r).toFixed(1)}% var.)` : "");
        return { proj: linearProjection(pca.components.data, pca.mean.data, d), labels: { x: `PC1${pct(ratio[0])}`, y: `PC2${pct(ratio[1])}` }, key: "pca", dims: null };
      }
    }
    const i = Math.max(0, Math.min(d - 1, this.model.get("x_feature") | 0));
    const j = Math.max(0, Math.min(d - 1, this.model.get("y_feature") | 0));
    return { proj: featurePair(d, i, j), labels: { x: label(i), y: label(j) }, key: `pair:${i}:${j}`, dims: [i, j] };
  }

  buildViewControls() {
    const box = this.viewControls;
    box.replaceChildren();
    const d = this.data.d;
    box.hidden = d <= 2;
    if (d <= 2) return;
    const names = this.model.get("feature_names") || [];
    const mode = this.model.get("projection") === "pca" ? "pca" : "features";
    const select = (role, label, options, value, onChange, disabled = false) => {
      const s = h("select", { class: "gmm-select", "data-gmm-role": role, "aria-label": label, title: label });
      options.forEach(([v, text]) => s.append(h("option", { value: v, text })));
      s.value = String(value);
      s.disabled = disabled;
      s.addEventListener("change", () => onChange(s.value));
      return s;
    };
    const feats = Array.from({ length: d }, (_, i) => [String(i), names[i] ?? `x${i}`]);
    box.append(
      h("span", { class: "gmm-label" }, ["view", select("projection", "Projection", [["features", "feature pair"], ["pca", "PCA"]], mode, (v) => setNow(this.model, "projection", v))]),
      h("span", { class: "gmm-label" }, ["x", select("x-feature", "Feature on the x axis", feats, this.model.get("x_feature") | 0, (v) => setNow(this.model, "x_feature", Number(v)), mode === "pca")]),
      h("span", { class: "gmm-label" }, ["y", select("y-feature", "Feature on the y axis", feats, this.model.get("y_feature") | 0, (v) => setNow(this.model, "y_feature", Number(v)), mode === "pca")]),
    );
  }

  readColors() {
    const theme = readTheme(this.root);
    let anomaly = null;
    if (typeof getComputedStyle === "function") anomaly = parseColor(getComputedStyle(this.root).getPropertyValue("--gmm-anomaly"));
    const fallback = theme.dark ? [244, 92, 84] : [211, 47, 47];
    return { theme, anomaly: anomaly || fallback, background: theme.rgb.background, foreground: theme.rgb.foreground };
  }

  /** Rebuild everything that depends on size, theme, data, model or view, then draw. */
  relayout() {
    this.width = this.measureWidth();
    this.colors = this.readColors();
    const W = this.width;
    const twoColumns = W >= 720;
    this.body.classList.toggle("gmm-stacked", !twoColumns);
    const leftW = twoColumns ? Math.max(330, Math.min(470, Math.round(W * 0.44))) : W;
    const rightW = twoColumns ? W - leftW - 16 : W;
    this.left.style.width = `${leftW}px`;
    this.right.style.width = `${rightW}px`;
    this.buildViewControls();
    const hasLabels = this.scores.index.hasLabels;
    this.bestButton.hidden = !hasLabels;
    this.metricsBox.hidden = !hasLabels;

    // Counts on a log axis by default for large data, where the tail would be invisible.
    const logY = this.logY ?? this.scores.index.n >= LOG_Y_FROM;
    this.hist.layout(leftW, HIST_HEIGHT, this.scores.index, { logY });
    if (hasLabels) {
      const curve = this.scores.index.prCurve();
      let bestPoint = null;
      if (this.best) {
        const s = this.scores.index.summary(this.best.threshold).metrics;
        bestPoint = { recall: s.recall, precision: s.precision };
      }
      this.pr.layout(Math.min(PR_SIZE.width, Math.max(150, leftW - 190)), PR_SIZE.height, curve, bestPoint);
    }
    const leftHeight = HIST_HEIGHT + 30 + (hasLabels ? PR_SIZE.height + 8 : 0);
    let rightH = Math.round(Math.max(300, Math.min(460, rightW * 0.78)));
    if (twoColumns) rightH = Math.max(rightH, leftHeight);
    this.layoutData(rightW, rightH);
    this.updateLegend();
    const n = this.data.n;
    const total = this.model.get("n_samples") || n;
    this.pointsInfo.textContent = n < total ? `${formatCount(n)} of ${formatCount(total)} points drawn (uniform subsample; counts use all)` : `${formatCount(total)} points`;
    this.updateStatus();
    this.renderNow();
  }

  layoutData(width, height) {
    const { n, d, X } = this.data;
    const colors = paletteWithoutRed(this.mixture ? this.mixture.K : 0, this.colors.theme.dark);
    this.componentColors = colors;
    this.setHover(-1);
    if (d === 1) {
      if (!this.plot1d) {
        this.plotEl.replaceChildren();
        this.plot2d = null;
        this.plot1d = createDataPlot1d(this.plotEl);
      }
      const values = X.subarray(0, n);
      const domain = padExtent(extent(values), 0.04);
      this.plot1d.layout({ width, height, values, domain, label: (this.model.get("feature_names") || [])[0] ?? "x0", mixture: this.mixture, colors, foreground: this.colors.foreground });
      this.dataPlot = this.plot1d;
      return;
    }
    if (!this.plot2d) {
      this.plotEl.replaceChildren();
      this.plot1d = null;
      this.plot2d = createDataPlot2d(this.plotEl);
    }
    const plot = this.plot2d;
    this.dataPlot = plot;
    const { proj, labels, key, dims } = this.projection();
    if (!this.projected || this.projected.key !== key || this.projected.n !== n) {
      const { xs, ys } = projectPoints(X, n, proj);
      this.projected = { key, n, xs, ys };
    }
    const { xs, ys } = this.projected;
    const xDomain = padExtent(extent(xs), 0.04);
    const yDomain = padExtent(extent(ys), 0.04);
    plot.layout({ width, height, xs, ys, xDomain, yDomain, labels, rgb: this.pointColors(colors), order: this.drawOrder });
    const mix = this.mixture;
    if (mix) {
      plot.components(
        colors.map((color, k) => ({ mean: projectMean(mix.means, proj, k * d), cov: projectCovariance(mix.covariances[k], proj), color })),
        { background: this.colors.background },
      );
    } else plot.components([]);
    // The decision boundary exists in the plane only when the plane is the data space.
    let grid = null;
    if (mix && d === 2 && dims) {
      const m = plot.plot;
      const plotW = Math.abs(m.x.range[1] - m.x.range[0]);
      const plotH = Math.abs(m.y.range[1] - m.y.range[0]);
      const nx = Math.max(40, Math.min(180, Math.round(plotW / 4)));
      const ny = Math.max(30, Math.min(140, Math.round(plotH / 4)));
      grid = logDensityGrid(marginal(mix, dims), m.x.domain, m.y.domain, nx, ny);
    }
    this.hasBoundary = grid !== null;
    plot.setGrid(grid);
    plot.setRings(this.ringIndices, this.colors.foreground, this.colors.background);
  }

  /** Colours of the points: the components' colours (lightened), mixed by responsibility. */
  pointColors(colors) {
    const n = this.data.n;
    const bg = this.colors.background;
    if (!this.resp || !this.mixture) {
      const c = this.colors.theme.dark ? [150, 150, 150] : [120, 120, 120];
      const out = new Uint8ClampedArray(n * 3);
      for (let i = 0; i < n; i++) out.set(c, i * 3);
      return out;
    }
    const light = colors.map((c) => c.map((v, j) => Math.round(0.62 * v + 0.38 * bg[j])));
    return mixColors(this.resp, n, light);
  }

  updateLegend() {
    const items = [];
    const swatch = (cls, style = {}) => {
      const s = h("span", { class: `gmm-swatch ${cls}` });
      Object.assign(s.style, style);
      return s;
    };
    items.push(h("li", { "data-gmm-role": "legend-flagged" }, [swatch("gmm-swatch-flagged", { background: rgbString(this.colors.anomaly) }), "score < threshold"]));
    if (this.scores.index.hasLabels) items.push(h("li", {}, [swatch("gmm-swatch-ring", { borderColor: rgbString(this.colors.foreground) }), "labelled anomaly"]));
    if (this.hasBoundary) items.push(h("li", {}, [swatch("gmm-swatch-line", { borderColor: rgbString(this.colors.anomaly) }), "log p(x) = threshold"]));
    if (this.mixture) {
      this.componentColors.forEach((c, k) => {
        items.push(h("li", { "data-component": k }, [swatch("", { background: rgbString(c) }), `${k} \u00b7 w=${this.mixture.weights[k].toFixed(3)}`]));
      });
    }
    this.legend.replaceChildren(...items);
  }

  // ------------------------------------------------------------------ drawing
  requestRender() {
    if (this.frameId !== null) return;
    this.frameId = this.raf(() => {
      this.frameId = null;
      this.renderNow();
    });
  }

  renderNow() {
    if (this.frameId !== null) {
      this.caf(this.frameId);
      this.frameId = null;
    }
    const start = now();
    const t = this.t;
    const { index, displayOrder, displaySorted } = this.scores;
    const summary = index.summary(t);
    this.summary = summary;
    this.hist.set(summary);
    this.readout.threshold.textContent = formatNumber(t, 5);
    this.readout.threshold.dataset.value = String(t);
    this.readout.count.textContent = `${formatCount(summary.count)} of ${formatCount(summary.n)}`;
    this.readout.count.dataset.value = String(summary.count);
    this.readout.percentile.textContent = formatPercent(summary.percentile, summary.n);
    this.readout.percentile.dataset.value = String(summary.percentile);
    this.readout.count.title = countLabel(summary);
    if (summary.metrics) {
      const mt = summary.metrics;
      for (const key of ["precision", "recall", "f1"]) {
        this.readout[key].textContent = formatMetric(mt[key]);
        this.readout[key].dataset.value = String(mt[key]);
      }
      const item = (name, v) => `${name}\u00a0${formatCount(v)}`; // no break inside an item
      this.readout.confusion.textContent = [item("TP", mt.tp), item("FP", mt.fp), item("FN", mt.fn), item("TN", mt.tn)].join(" \u00b7 ");
      this.pr.set(mt);
    }
    if (this.dataPlot) this.dataPlot.set(t, displayOrder, countBelow(displaySorted, t), this.colors);
    if (typeof document === "undefined" || document.activeElement !== this.contaminationInput) {
      this.contaminationInput.value = summary.percentile.toFixed(2);
    }
    this.updateButtons();
    const p = this.perf;
    p.times[p.count % PERF_RING] = now() - start;
    p.stamps[p.count % PERF_RING] = start;
    p.count += 1;
  }

  updateButtons() {
    const busy = Boolean(this.model.get("busy"));
    const count = this.summary ? this.summary.count : 0;
    const n = this.scores.index.n;
    this.refitButton.textContent = busy ? "Refitting\u2026" : refitLabel(count);
    this.refitButton.disabled = busy || count === 0 || count >= n;
    this.refitButton.title = count === 0 ? "Nothing is flagged: raise the threshold first" : count >= n ? "Every point is flagged: lower the threshold" : "Refit the mixture on the points above the threshold (refit_without_anomalies)";
    this.undoButton.disabled = busy || !(this.model.get("n_refits") > 0);
    this.bestButton.disabled = busy || !this.best;
  }

  updateStatus() {
    const message = this.model.get("message");
    const busy = Boolean(this.model.get("busy"));
    let text = refitStatus(this.model.get("refit_info"));
    if (busy) text = "Refitting without the flagged points\u2026";
    if (message) text = message;
    this.status.textContent = text;
    this.status.hidden = !text;
    this.status.classList.toggle("gmm-status-error", Boolean(message));
    this.updateButtons();
  }

  // ------------------------------------------------------------- interaction
  /** Show threshold t without telling Python yet (every pointer move and key press). */
  preview(t) {
    if (!Number.isFinite(t)) return;
    this.t = t;
    this.requestRender();
  }

  /** Send threshold t to Python (a drag ends, keys settle, a button). */
  commit(t) {
    this.keyCommit.cancel();
    if (Number.isFinite(t)) this.t = t;
    this.renderNow();
    if (!Number.isFinite(t) || t === this.model.get("threshold")) return;
    setNow(this.model, "threshold", t);
  }

  setAndCommit(t) {
    this.t = t;
    this.commit(t);
  }

  onKernelThreshold() {
    const value = Number(this.model.get("threshold"));
    if (this.hist.dragging || !Number.isFinite(value) || value === this.t) return;
    this.keyCommit.cancel();
    this.t = value;
    this.requestRender();
  }

  onContaminationInput() {
    const input = this.contaminationInput;
    const p = Number(input.value);
    const ok = input.value !== "" && p > 0 && p <= 50;
    input.setAttribute("aria-invalid", ok ? "false" : "true");
    input.classList.toggle("gmm-invalid", !ok);
    if (!ok) return;
    const c = p / 100;
    this.keyCommit.cancel();
    // Preview with the same np.percentile the kernel uses; its answer confirms it.
    this.t = thresholdFromContamination(this.scores.index.sorted, c);
    this.renderNow();
    setNow(this.model, "contamination", c);
  }

  jumpToBestF1() {
    if (this.best) this.setAndCommit(this.best.threshold);
  }

  send(type) {
    this.keyCommit.flush();
    this.model.send({ type });
  }

  onHover(event) {
    if (!this.dataPlot || this.hist.dragging) return;
    this.setHover(this.dataPlot.pick(event.clientX, event.clientY));
  }

  setHover(i) {
    if (i === this.hoverIndex) return;
    this.hoverIndex = i;
    if (this.dataPlot) this.dataPlot.hover(i);
    const tip = this.tooltip;
    if (i < 0 || !this.dataPlot) {
      tip.hidden = true;
      return;
    }
    const { display, displayLabels, displayRows } = this.scores;
    const score = display[i];
    const lines = hoverLines({
      row: displayRows ? displayRows[i] : i,
      score,
      flagged: score < this.t,
      label: displayLabels ? displayLabels[i] : null,
    });
    const children = lines.map((text) => h("div", { text }));
    if (this.resp && this.mixture) {
      const K = this.mixture.K;
      const rows = [];
      for (let k = 0; k < K; k++) {
        const r = this.resp[i * K + k];
        const sw = h("span", { class: "gmm-swatch" });
        sw.style.background = rgbString(this.componentColors[k]);
        rows.push(h("div", { class: "gmm-resp", "data-component": k }, [sw, `p(${k} | x) = ${r.toFixed(3)}`]));
      }
      children.push(h("div", { class: "gmm-tooltip-title", text: "responsibilities" }), ...rows);
    }
    tip.replaceChildren(...children);
    tip.hidden = false;
    const [px, py] = this.dataPlot.position(i);
    const width = parseFloat(this.right.style.width) || this.width;
    const left = px + 14 + 180 > width ? Math.max(0, px - 14 - 180) : px + 14;
    tip.style.left = `${left}px`;
    tip.style.top = `${Math.max(0, this.plotEl.offsetTop + py - 10)}px`;
  }

  // ------------------------------------------------------------------ export
  async exportView(format) {
    const origin = this.root.getBoundingClientRect();
    const layers = [];
    const add = (element) => {
      const r = element.getBoundingClientRect();
      if (r.width > 0 && r.height > 0) layers.push({ element, x: r.left - origin.left, y: r.top - origin.top, width: r.width, height: r.height });
    };
    // The numbers are HTML in the view; the picture gets them as a caption on top.
    const top = this.root.firstChild.getBoundingClientRect();
    const caption = this.exportCaption(origin.width, Math.max(24, top.bottom - origin.top));
    layers.push({ element: caption, x: 0, y: 0, width: origin.width, height: Number(caption.getAttribute("height")) });
    add(this.hist.overlay);
    if (!this.metricsBox.hidden) add(this.pr.root);
    for (const layer of this.dataPlot ? this.dataPlot.layers() : []) add(layer.element);
    const size = { width: origin.width, height: origin.height, background: this.colors.theme.background };
    const name = `anomaly_inspector_${this.summary ? this.summary.count : 0}_flagged`;
    if (format === "svg") download(composeSVG(layers, size), `${name}.svg`, "image/svg+xml");
    else download(await composePNG(layers, size), `${name}.png`, "image/png");
  }

  /** An SVG caption with the threshold, the count and, with labels, the metrics. */
  exportCaption(width, height) {
    const s = this.summary;
    const theme = this.colors.theme;
    const root = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}` });
    const parts = [`log-density threshold ${formatNumber(s.threshold, 5)}`, `flagged ${countLabel(s)}`];
    if (s.metrics) parts.push(`precision ${formatMetric(s.metrics.precision)}  recall ${formatMetric(s.metrics.recall)}  F1 ${formatMetric(s.metrics.f1)}`);
    svg("text", { x: 12, y: Math.min(height - 6, 22), fill: theme.text, "font-family": theme.fontFamily, "font-size": 13, text: parts.join("   \u00b7   ") }, root);
    return root;
  }

  destroy() {
    this.destroyed = true;
    this.keyCommit.flush();
    if (this.frameId !== null) this.caf(this.frameId);
    for (const fn of this.cleanups) fn();
    this.root.remove();
  }
}
