// The AnomalyInspector view: a score histogram with a draggable threshold on the left,
// the data with the flagged points on the right, live counts and metrics. Its synced
// traits and messages: traits.js.
//
// A drag never waits for the kernel: every frame is a binary search in the sorted
// scores plus O(1) DOM updates and one canvas layer of the flagged points.

import { browserRefit, REFIT_TRAITS } from "./browser_refit.js";
import { shuffledOrder } from "../lib/assignments.js";
import { createCodeButton } from "../lib/copy_code.js";
import { mixColors, watchTheme } from "../lib/colors.js";
import { logDensityGrid } from "./contour.js";
import { h, svg } from "../lib/dom.js";
import { composePNG, composeSVG, download, screenLayers } from "../lib/export.js";
import { responsibilities } from "../lib/gaussian.js";
import { listen, readPoints, setNow } from "../lib/model.js";
import { RenderProbe } from "../lib/perf.js";
import {
  buildProjectionControls,
  featureLabel,
  projectComponents,
  projectedPoints,
} from "../lib/projection.js";
import { extent, formatNumber, padExtent } from "../lib/scale.js";
import { countBelow, thresholdForCount, thresholdFromContamination } from "./threshold.js";
import { keepKeys } from "../lib/keys.js";
import { buildControls } from "../lib/mixture_controls.js";
import { debounce } from "../lib/timing.js";
import { createDataPlot1d } from "./data_plot_1d.js";
import { createDataPlot2d } from "./data_plot_2d.js";
import { createExplanationPanel } from "./explanation.js";
import { createHeldOutReadout, heldOutSummary, readHeldOut } from "./held_out.js";
import { createReadouts, createToolbar, hoverContent, legendItems } from "./panels.js";
import { busyStatus, countLabel, formatCount, formatMetric, refitStatus } from "./readouts.js";
import { createScoreHistogram } from "./score_histogram.js";
import {
  addNoiseToGrid,
  cutAtThreshold,
  insideBox,
  noiseProbability,
  thresholdForCut,
} from "./noise.js";
import { marginal, readMixture, readScores } from "./state.js";
import { paletteWithoutRed, readColors } from "./theme.js";

const DEFAULT_WIDTH = 900;
const HIST_HEIGHT = 230;
const PR_SIZE = { width: 200, height: 150 };
const KEY_COMMIT_MS = 300;
/** From this many points the count axis of the histogram starts logarithmic. */
const LOG_Y_FROM = 10000;

export class AnomalyInspectorView {
  /**
   * @param {import("./traits.js").AnomalyInspectorModel} model the anywidget model (its traits:
   *   traits.js)
   * @param {HTMLElement} el
   * @param {{timers?: import("../lib/timing.js").Timers, raf?: (cb: () => void) => any,
   *   caf?: (id: any) => void}} [opts]
   */
  constructor(model, el, opts = {}) {
    this.model = model;
    this.el = el;
    this.timers = opts.timers || globalThis;
    this.raf =
      opts.raf ||
      (globalThis.requestAnimationFrame
        ? (cb) => globalThis.requestAnimationFrame(cb)
        : (cb) => this.timers.setTimeout(cb, 16));
    this.caf =
      opts.caf ||
      (globalThis.cancelAnimationFrame
        ? (id) => globalThis.cancelAnimationFrame(id)
        : (id) => this.timers.clearTimeout(id));
    this.cleanups = [];
    this.frameId = null;
    this.dirty = new Set();
    this.flushQueued = false;
    this.hoverIndex = -1;
    this.width = 0;
    this.logY = null; // null: automatic
    this.probe = new RenderProbe();
    this.pageUndo = []; // trait values before each refit made in the page
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
    this.root = h("div", {
      class: "gmm-widget gmm-anomaly-inspector",
      "data-gmm-role": "anomaly-inspector",
      "data-lm-suppress-shortcuts": "true",
    });
    this.toolbar = createToolbar({
      onPercent: (p) => this.onPercent(p),
      onBest: () => this.best && this.setAndCommit(this.best.threshold),
      onRefit: () => (this.inPage() ? this.refitInPage() : this.send("refit")),
      onUndo: () => (this.inPage() && this.pageUndo.length ? this.undoInPage() : this.send("undo")),
      onExport: (format) => this.exportView(format),
      onNoise: () => this.flagNoise(),
    });
    // The density model's settings, the same controls as MixtureExplorer's.
    this.settings = buildControls(this.model, {
      parts: ["k", "covariance", "seed", "n_init", "noise"],
      label: "Density model",
      onChange: (values) => this.changeSettings(values),
    });
    this.settings.root.dataset.gmmRole = "model-settings";
    this.cleanups.push(keepKeys(this.settings.root)); // arrows move the slider, not cells
    this.status = h("div", {
      class: "gmm-status",
      "data-gmm-role": "refit-status",
      role: "status",
      "aria-live": "polite",
    });

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
    this.readouts = createReadouts((count) =>
      this.setAndCommit(thresholdForCount(this.scores.index.sorted, count)),
    );
    this.heldOut = createHeldOutReadout();
    this.left.append(this.readouts.line, this.heldOut.root, this.readouts.metrics);

    this.right = h("div", { class: "gmm-ai-right" });
    this.viewControls = h("div", { class: "gmm-view-controls" });
    this.plotEl = h("div", { class: "gmm-plot" });
    this.tooltip = h("div", { class: "gmm-tooltip", "data-gmm-role": "hover-info", hidden: true });
    // Clicking a point asks Python why it has its density (explain_row -> explanation).
    this.explanation = createExplanationPanel({ onClose: () => this.explainRow(null) });
    this.right.append(this.viewControls, this.plotEl, this.tooltip, this.explanation.root);
    this.body = h("div", { class: "gmm-ai-body" }, [this.left, this.right]);

    this.legend = h("ul", {
      class: "gmm-legend",
      "data-gmm-role": "legend",
      "aria-label": "Legend",
    });
    this.pointsInfo = h("span", { class: "gmm-points-info", "data-gmm-role": "points-info" });
    // How the widget chose the density when the user did not (model_choice).
    this.modelChoice = h("span", { class: "gmm-points-info", "data-gmm-role": "model-choice" });
    const footer = h("div", { class: "gmm-footer" }, [
      this.legend,
      h("span", { class: "gmm-spacer" }),
      this.modelChoice,
      this.pointsInfo,
    ]);
    this.code = createCodeButton(this.model, { doc: this.el.ownerDocument });
    this.toolbar.root.insertBefore(
      this.code.button,
      this.toolbar.root.querySelector('[data-gmm-role="export-png"]'),
    );
    this.cleanups.push(this.code.destroy);
    this.root.append(
      this.settings.root,
      this.toolbar.root,
      this.code.panel,
      this.status,
      this.body,
      footer,
    );
    this.el.appendChild(this.root);

    this.plotEl.addEventListener("pointermove", (e) => this.onHover(e));
    this.plotEl.addEventListener("pointerleave", () => this.setHover(-1));
    this.plotEl.addEventListener("click", (e) => this.onPointClick(e));
    this.probe.attach(this.root);
  }

  bind() {
    const later =
      (...flags) =>
      () =>
        this.invalidate(...flags);
    const status = () => this.updateStatus();
    this.cleanups.push(
      listen(this.model, {
        "change:data": later("data"),
        "change:_display_scores": later("scores"),
        "change:_sorted_scores": later("scores"),
        "change:_sorted_labels": later("scores"),
        "change:_display_labels": later("scores"),
        "change:_display_rows": later("scores"),
        "change:_sorted_new_scores": later("scores"),
        "change:_sorted_new_labels": later("scores"),
        "change:_mixture": later("mixture"),
        "change:projection": later("view"),
        "change:x_feature": later("view"),
        "change:y_feature": later("view"),
        "change:pca": later("view"),
        "change:threshold": () => this.onKernelThreshold(),
        "change:busy": status,
        "change:message": status,
        "change:refit_info": status,
        "change:n_refits": status,
        "change:model_choice": () => this.updateModelChoice(),
        "change:model_controls": () => this.updateSettings(),
        "change:n_components": () => this.updateSettings(),
        "change:covariance_type": () => this.updateSettings(),
        "change:random_state": () => this.updateSettings(),
        "change:n_init": () => this.updateSettings(),
        "change:k_max": () => this.updateSettings(),
        "change:noise": () => this.updateSettings(),
        "change:noise_controls": () => this.updateSettings(),
        "change:fit_progress": status,
        "change:explanation": () => this.explanation.update(this.model.get("explanation")),
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
    if (newScores && !this.hist.dragging && !this.keyCommit.pending())
      this.t = Number(this.model.get("threshold"));
    this.relayout();
  }

  loadData() {
    this.data = readPoints(this.model);
    this.drawOrder = shuffledOrder(this.data.n, 12345);
    this.projected = null;
  }

  loadScores() {
    this.scores = readScores(this.model);
    this.heldOutIndex = readHeldOut(this.model);
    const { displayLabels } = this.scores;
    const rings = [];
    if (displayLabels)
      for (let i = 0; i < displayLabels.length; i++) if (displayLabels[i]) rings.push(i);
    this.ringIndices = Uint32Array.from(rings);
    this.best = this.scores.index.bestF1();
  }

  loadMixture() {
    this.mixture = readMixture(this.model);
    const { X, n, d } = this.data;
    this.resp = null;
    if (this.mixture && this.mixture.d === d && n > 0) {
      this.resp = responsibilities(
        X,
        n,
        d,
        this.mixture.weights,
        this.mixture.means,
        this.mixture.covariances,
      ).resp;
    }
    this.projected = null;
  }

  // ------------------------------------------------------------------- layout
  measureWidth() {
    const w = this.root.clientWidth;
    return w > 0 ? w - 22 : DEFAULT_WIDTH;
  }

  /** Rebuild everything that depends on size, theme, data, model or view, then draw. */
  relayout() {
    this.width = this.measureWidth();
    this.colors = readColors(this.root);
    const W = this.width;
    const twoColumns = W >= 720;
    this.body.classList.toggle("gmm-stacked", !twoColumns);
    const leftW = twoColumns ? Math.max(330, Math.min(470, Math.round(W * 0.44))) : W;
    const rightW = twoColumns ? W - leftW - 16 : W;
    this.left.style.width = `${leftW}px`;
    this.right.style.width = `${rightW}px`;
    buildProjectionControls(this.viewControls, this.model, this.data.d);
    const { index } = this.scores;
    this.readouts.metrics.hidden = !index.hasLabels;
    // Counts on a log axis by default for large data, where the tail would be invisible.
    this.hist.layout(leftW, HIST_HEIGHT, index, { logY: this.logY ?? index.n >= LOG_Y_FROM });
    if (index.hasLabels) {
      let bestPoint = null;
      if (this.best) {
        const m = index.summary(this.best.threshold).metrics;
        bestPoint = { recall: m.recall, precision: m.precision };
      }
      this.readouts.pr.layout(
        Math.min(PR_SIZE.width, Math.max(150, leftW - 190)),
        PR_SIZE.height,
        index.prCurve(),
        bestPoint,
      );
    }
    const leftHeight = HIST_HEIGHT + 30 + (index.hasLabels ? PR_SIZE.height + 8 : 0);
    let rightH = Math.round(Math.max(300, Math.min(460, rightW * 0.78)));
    if (twoColumns) rightH = Math.max(rightH, leftHeight);
    this.layoutData(rightW, rightH);
    this.legend.replaceChildren(
      ...legendItems({
        anomaly: this.colors.anomaly,
        foreground: this.colors.foreground,
        labels: index.hasLabels,
        boundary: this.hasBoundary,
        components: this.componentColors,
        weights: this.mixture ? this.mixture.weights : null,
      }),
    );
    const n = this.data.n;
    const total = this.model.get("n_samples") || n;
    this.pointsInfo.textContent =
      n < total
        ? `${formatCount(n)} of ${formatCount(total)} points drawn ` +
          "(uniform subsample; counts use all)"
        : `${formatCount(total)} points`;
    this.updateModelChoice();
    this.updateSettings();
    this.explanation.update(this.model.get("explanation"));
    this.updateStatus();
    this.renderNow();
  }

  layoutData(width, height) {
    const { n, d, X } = this.data;
    const colors = paletteWithoutRed(this.mixture ? this.mixture.K : 0, this.colors.theme.dark);
    this.componentColors = colors;
    this.setHover(-1);
    this.hasBoundary = false;
    if (d === 1) {
      if (!this.plot1d) {
        this.plotEl.replaceChildren();
        this.plot2d = null;
        this.plot1d = createDataPlot1d(this.plotEl);
      }
      const values = X.subarray(0, n);
      const label = featureLabel(this.model.get("feature_names"), 0);
      this.plot1d.layout({
        width,
        height,
        values,
        domain: padExtent(extent(values), 0.04),
        label,
        mixture: this.mixture,
        colors,
        foreground: this.colors.foreground,
      });
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
    this.projected = projectedPoints(this.model, this.data, this.projected);
    const { xs, ys, labels, proj, dims } = this.projected;
    plot.layout({
      width,
      height,
      xs,
      ys,
      xDomain: padExtent(extent(xs), 0.04),
      yDomain: padExtent(extent(ys), 0.04),
      labels,
      rgb: this.pointColors(colors),
      order: this.drawOrder,
    });
    const mix = this.mixture;
    const comps = mix ? projectComponents(mix.means, mix.covariances, proj, colors) : [];
    plot.components(comps, { background: this.colors.background });
    // The decision boundary exists in the plane only when the plane is the data space.
    let grid = null;
    if (mix && d === 2 && dims) {
      const { x, y } = plot.plot;
      const nx = Math.max(40, Math.min(180, Math.round(Math.abs(x.range[1] - x.range[0]) / 4)));
      const ny = Math.max(30, Math.min(140, Math.round(Math.abs(y.range[1] - y.range[0]) / 4)));
      grid = logDensityGrid(marginal(mix, dims), x.domain, y.domain, nx, ny);
      if (mix.noise) addNoiseToGrid(grid, mix.noise, dims);
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
    const t0 = this.probe.start();
    const t = this.t;
    const { index, displayOrder, displaySorted } = this.scores;
    const summary = index.summary(t);
    this.summary = summary;
    this.hist.set(summary);
    this.readouts.set(summary);
    this.readouts.setNoiseCut(
      this.mixture?.noise ? cutAtThreshold(this.mixture.noise, t) : undefined,
    );
    this.heldOut.set(
      this.heldOutIndex ? heldOutSummary(this.heldOutIndex, t, summary.percentile / 100) : null,
    );
    if (this.dataPlot)
      this.dataPlot.set(t, displayOrder, countBelow(displaySorted, t), this.colors);
    this.updateToolbar();
    this.probe.stop(t0);
  }

  updateToolbar() {
    this.toolbar.update({
      busy: Boolean(this.model.get("busy")),
      count: this.summary ? this.summary.count : 0,
      n: this.scores.index.n,
      nRefits: this.model.get("n_refits") | 0,
      best: Boolean(this.best),
      labels: this.scores.index.hasLabels,
      percentile: this.summary ? this.summary.percentile : 0,
      noise: Boolean(this.mixture?.noise),
    });
  }

  /** Flag the points more likely noise than not: P(noise | x) > 0.5 (Python keeps the rule). */
  flagNoise() {
    const noise = this.mixture?.noise;
    if (!noise) return;
    const t = thresholdForCut(noise, 0.5);
    if (this.inPage()) {
      this.setAndCommit(t);
      return;
    }
    this.keyCommit.cancel();
    this.t = t;
    this.renderNow();
    setNow(this.model, "noise_cut", 0.5);
  }

  /**
   * Send new model settings to Python, which refits (debounced) and answers.
   * @param {Record<string, any>} values
   */
  changeSettings(values) {
    for (const [key, value] of Object.entries(values))
      this.model.set(
        /** @type {keyof import("./traits.js").AnomalyInspectorTraits} */ (key),
        value,
      );
    this.model.save_changes();
    this.updateSettings();
  }

  updateSettings() {
    this.settings.root.hidden = !this.model.get("model_controls");
    this.settings.update();
  }

  updateModelChoice() {
    const choice = this.model.get("model_choice") || "";
    this.modelChoice.textContent = choice ? `density: ${choice}` : "";
    this.modelChoice.hidden = !choice;
  }

  updateStatus() {
    const message = this.model.get("message");
    const info = this.model.get("refit_info");
    let text = refitStatus(info);
    if (text && info?.source === "browser")
      text = `Browser fit (no kernel; started from the previous means). ${text}`;
    if (this.model.get("busy")) text = busyStatus(this.model.get("fit_progress"));
    if (message) text = message;
    this.status.textContent = text;
    this.status.hidden = !text;
    this.status.classList.toggle("gmm-status-error", Boolean(message));
    this.updateToolbar();
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

  /** The "flag %" box: contamination = p / 100, previewed with the kernel's np.percentile. */
  onPercent(p) {
    if (p === null) return;
    const c = p / 100;
    this.keyCommit.cancel();
    this.t = thresholdFromContamination(this.scores.index.sorted, c);
    this.renderNow();
    setNow(this.model, "contamination", c);
  }

  send(type) {
    this.keyCommit.flush();
    this.model.send({ type });
  }

  /** Whether refits run in the page: an exported page has no kernel to ask. */
  inPage() {
    return Boolean(this.el.ownerDocument?.body?.dataset.gmmEmbed);
  }

  /** "Refit without anomalies" with the page's EM (browser_refit.js); undo goes back. */
  refitInPage() {
    this.keyCommit.flush();
    const m = this.model;
    const before = Object.fromEntries(REFIT_TRAITS.map((k) => [k, m.get(k)]));
    let next;
    try {
      next = browserRefit(m);
    } catch (e) {
      m.set("message", e.message);
      return;
    }
    this.pageUndo.push(before);
    for (const k of REFIT_TRAITS) m.set(k, next[k]);
    this.root.dataset.gmmFitSource = "browser";
    this.root.dataset.gmmThreshold = String(next.threshold);
  }

  undoInPage() {
    const m = this.model;
    const before = this.pageUndo.pop();
    for (const k of REFIT_TRAITS) m.set(k, before[k]);
    if (!this.pageUndo.length) delete this.root.dataset.gmmFitSource;
  }

  onHover(event) {
    if (!this.dataPlot || this.hist.dragging) return;
    this.setHover(this.dataPlot.pick(event.clientX, event.clientY));
  }

  /** A click on a point explains it; a click on empty space leaves the panel as it is. */
  onPointClick(event) {
    if (!this.dataPlot || this.hist.dragging) return;
    const i = this.dataPlot.pick(event.clientX, event.clientY);
    if (i < 0) return;
    const rows = this.scores.displayRows;
    this.explainRow(rows ? rows[i] : i);
  }

  /** @param {number|null} row a row of X, or null to hide the explanation */
  explainRow(row) {
    this.model.set("explain_row", row);
    this.model.save_changes();
    if (row === null) this.explanation.update({});
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
    const K = this.mixture ? this.mixture.K : 0;
    let resp = this.resp && K ? this.resp.subarray(i * K, (i + 1) * K) : null;
    // With a noise component the Gaussians share 1 - P(noise | x) (the browser's
    // responsibilities are among the Gaussians only).
    const noise = this.mixture?.noise;
    let pNoise = null;
    if (noise) {
      const { X, d } = this.data;
      pNoise = insideBox(noise, X, i * d, d) ? noiseProbability(noise, display[i]) : 0;
      if (resp) resp = resp.map((r) => r * (1 - pNoise));
    }
    tip.replaceChildren(
      ...hoverContent({
        row: displayRows ? displayRows[i] : i,
        score: display[i],
        flagged: display[i] < this.t,
        label: displayLabels ? displayLabels[i] : null,
        resp,
        noise: pNoise,
        colors: this.componentColors,
      }),
    );
    tip.hidden = false;
    const [px, py] = this.dataPlot.position(i);
    const width = parseFloat(this.right.style.width) || this.width;
    tip.style.left = `${px + 14 + 180 > width ? Math.max(0, px - 14 - 180) : px + 14}px`;
    tip.style.top = `${Math.max(0, this.plotEl.offsetTop + py - 10)}px`;
  }

  // ------------------------------------------------------------------ export
  async exportView(format) {
    const { layers, origin, place } = screenLayers(this.root);
    // The numbers are HTML in the view; the picture gets them as a caption on top.
    const top = this.toolbar.root.getBoundingClientRect();
    const caption = this.exportCaption(origin.width, Math.max(24, top.bottom - origin.top));
    layers.push({
      element: caption,
      x: 0,
      y: 0,
      width: origin.width,
      height: Number(caption.getAttribute("height")),
    });
    place(this.hist.overlay);
    if (!this.readouts.metrics.hidden) place(this.readouts.pr.root);
    for (const layer of this.dataPlot ? this.dataPlot.layers() : []) place(layer.element);
    const size = {
      width: origin.width,
      height: origin.height,
      background: this.colors.theme.background,
    };
    const name = `anomaly_inspector_${this.summary ? this.summary.count : 0}_flagged`;
    if (format === "svg") download(composeSVG(layers, size), `${name}.svg`, "image/svg+xml");
    else download(await composePNG(layers, size), `${name}.png`, "image/png");
  }

  /** An SVG caption with the threshold, the count and, with labels, the metrics. */
  exportCaption(width, height) {
    const s = this.summary;
    const theme = this.colors.theme;
    const root = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}` });
    const parts = [
      `log-density threshold ${formatNumber(s.threshold, 5)}`,
      `flagged ${countLabel(s)}`,
    ];
    if (s.metrics)
      parts.push(
        `precision ${formatMetric(s.metrics.precision)}  ` +
          `recall ${formatMetric(s.metrics.recall)}  F1 ${formatMetric(s.metrics.f1)}`,
      );
    svg(
      "text",
      {
        x: 12,
        y: Math.min(height - 6, 22),
        fill: theme.text,
        "font-family": theme.fontFamily,
        "font-size": 13,
        text: parts.join("   \u00b7   "),
      },
      root,
    );
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
