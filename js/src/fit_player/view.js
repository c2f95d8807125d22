// The FitPlayer view: animates the frames of an EM fit in the browser. Its synced traits
// and messages: traits.js. MixtureExplorer and ModelSelector embed it (FitPlayerOptions).

import { AssignmentCache, shuffledOrder } from "../lib/assignments.js";
import { componentColors, mixColors, readTheme, rgbString, watchTheme } from "../lib/colors.js";
import { unpackMessage } from "../lib/codecs.js";
import { bindPlayerKeys, createPlayerControls } from "./controls.js";
import { createDensityPlot } from "./density_plot.js";
import { h } from "../lib/dom.js";
import { createCodeButton } from "../lib/copy_code.js";
import { composePNG, composeSVG, download } from "../lib/export.js";
import { FrameStore } from "./frames.js";
import { mixtureDensity1d } from "../lib/gaussian.js";
import { binCount, histogram } from "../lib/histogram.js";
import { icon } from "../lib/icons.js";
import {
  ImputeCache,
  gatherColors,
  imputedInView,
  imputedLabel,
  withObservedResponsibilities,
} from "../lib/impute.js";
import { debouncedSetter, listen, readPoints, setNow } from "../lib/model.js";
import { Playback } from "./playback.js";
import {
  buildProjectionControls,
  featureLabel,
  projectComponents,
  projectedPoints,
} from "../lib/projection.js";
import {
  buildPairsControls,
  chosenPairFeatures,
  createPairsPlot,
  gatherRows,
} from "../lib/pairs.js";
import { RenderProbe } from "../lib/perf.js";
import { extent, padExtent } from "../lib/scale.js";
import { createScatterPlot } from "../lib/scatter_plot.js";
import { attachSelection } from "../lib/selection_view.js";
import { createTrace } from "./trace.js";
import { fadeByUncertainty } from "../lib/uncertainty.js";
import { badgeState, boundLabel, counterLabel, pointsLabel } from "./labels.js";

const DEFAULT_WIDTH = 680;
const TRACE_HEIGHT = 132;

/**
 * Options of a FitPlayerView. A view that embeds the player (MixtureExplorer,
 * ModelSelector) passes these instead of reaching into it.
 * @typedef {object} FitPlayerOptions
 * @property {import("../lib/timing.js").Timers} [timers] timers to use
 *   (tests pass fake ones); default: the global ones
 * @property {() => void} [onRender] called after every drawing of the current frame (and
 *   of the empty state), e.g. to draw an overlay on top
 * @property {(format: "png"|"svg") => (void|Promise<void>)} [onExport] what the PNG and
 *   SVG buttons do; default: download the player's own picture (`exportView`)
 * @property {string} [emptyText] what the plot says while there are no frames
 * @property {import("../lib/copy_code.js").KernelModel} [kernel] the model that talks to
 *   the kernel, for the "Code" button: an embedding widget's own model (its player's
 *   model is local); default: `model`
 * @property {() => ArrayLike<number>|null} [rowsOfPoints] for each point drawn, which of
 *   the displayed rows it is (-1: not a row of X), when the embedding view edits the
 *   points (MixtureExplorer); default: the points are the displayed rows
 */

const EMPTY_TEXT = "No frames yet \u2014 call .fit() to run EM.";

export class FitPlayerView {
  /**
   * @param {import("./traits.js").FitPlayerModel} model the anywidget model (its traits:
   *   traits.js)
   * @param {HTMLElement} el element to render into
   * @param {FitPlayerOptions} [opts]
   */
  constructor(model, el, opts = {}) {
    this.model = model;
    this.el = el;
    this.timers = opts.timers || globalThis;
    this.onRender = opts.onRender || null;
    this.onExport = opts.onExport || ((format) => this.exportView(format));
    this.emptyText = opts.emptyText ?? EMPTY_TEXT;
    // anywidget's model has send(); the type of the traits (WidgetModel) leaves it out
    // because an embedded player's local model has none.
    this.kernel = opts.kernel ?? /** @type {any} */ (model);
    this.rowsOfPoints = opts.rowsOfPoints;
    this.store = new FrameStore();
    /** @type {import("../lib/model.js").Points} the points shown */
    this.data = { X: new Float32Array(0), n: 0, d: 0 };
    this.cache = new AssignmentCache(() => this.data);
    // The pairs view's rows (a subsample, lib/pairs.js) and their responsibilities.
    this.pairsData = { X: new Float32Array(0), n: 0, d: 0 };
    this.pairsCache = new AssignmentCache(() => this.pairsData);
    this.projected = null;
    this.lastSent = null;
    this.width = 0;
    this.cleanups = [];

    this.playback = new Playback({
      length: () => this.store.length,
      fps: Number(model.get("fps")) || 5,
      isLive: () => this.model.get("status") === "fitting",
      timers: this.timers,
      onChange: (index, reason) => this.onFrame(index, reason),
      onPlayingChange: (playing) => this.onPlaying(playing),
    });
    this.syncFrame = debouncedSetter(model, "frame", 150, 600, this.timers);
    this.build();
    this.loadData();
    this.loadFrames();
    this.playback.index = this.clampIndex(model.get("frame"));
    this.bind();
    this.relayout();
    if (model.get("playing")) this.playback.play();
  }

  build() {
    this.root = h("div", {
      class: "gmm-widget gmm-fit-player",
      tabindex: 0,
      "data-gmm-role": "fit-player",
      "data-lm-suppress-shortcuts": "true",
    });
    this.controls = createPlayerControls(this.playback, {
      onSpeed: (fps) => setNow(this.model, "fps", fps),
    });
    this.badge = h("span", {
      class: "gmm-badge",
      "data-gmm-role": "converged-badge",
      hidden: true,
      role: "status",
    });
    this.viewControls = h("span", { class: "gmm-view-controls" });
    this.pairsControls = h("span", { class: "gmm-view-controls gmm-pairs-controls" });
    const png = h(
      "button",
      {
        type: "button",
        class: "gmm-button",
        "data-gmm-role": "export-png",
        title: "Save the current view as PNG",
        "aria-label": "Save as PNG",
      },
      [icon("download"), h("span", { class: "gmm-button-text", text: "PNG" })],
    );
    const svgButton = h(
      "button",
      {
        type: "button",
        class: "gmm-button",
        "data-gmm-role": "export-svg",
        title: "Save the current view as SVG",
        "aria-label": "Save as SVG",
      },
      [icon("download"), h("span", { class: "gmm-button-text", text: "SVG" })],
    );
    png.addEventListener("click", () => this.onExport("png"));
    svgButton.addEventListener("click", () => this.onExport("svg"));
    this.code = createCodeButton(this.kernel, { doc: this.el.ownerDocument });
    const toolbar = h(
      "div",
      { class: "gmm-toolbar", role: "toolbar", "aria-label": "EM playback" },
      [
        this.controls.root,
        this.badge,
        h("span", { class: "gmm-spacer" }),
        this.code.button,
        png,
        svgButton,
      ],
    );
    // What is shown and how (the projection's pickers, selection, pairs, uncertainty):
    // a row of its own, so the playback row never reflows when the badge appears.
    const viewToolbar = h(
      "div",
      { class: "gmm-toolbar gmm-view-toolbar", role: "toolbar", "aria-label": "View" },
      [this.viewControls, this.pairsControls],
    );
    this.plotEl = h("div", { class: "gmm-plot" });
    // The pairs view (lib/pairs.js), shown instead of plotEl when `pairs_view` is on.
    this.pairsEl = h("div", { class: "gmm-plot gmm-pairs", "data-gmm-role": "pairs-view" });
    this.pairsEl.hidden = true;
    this.pairs = null;
    // Time of each drawing of a frame (responsibilities, colours, drawing): el.gmmPerf.
    this.probe = new RenderProbe();
    this.probe.attach(this.root);
    this.emptyEl = h("div", { class: "gmm-empty", "data-gmm-role": "empty", text: this.emptyText });
    this.traceEl = h("div", { class: "gmm-trace" });
    this.trace = createTrace(this.traceEl, {
      onSeek: (iter) => this.seekIteration(iter),
      yLabel: "lower bound",
    });
    this.legend = h("ul", {
      class: "gmm-legend",
      "data-gmm-role": "legend",
      "aria-label": "Components",
    });
    this.bound = h("span", { class: "gmm-bound", "data-gmm-role": "lower-bound" });
    this.pointsInfo = h("span", { class: "gmm-points-info", "data-gmm-role": "points-info" });
    // Rows with missing values (missing="em"): how many are drawn hollow (lib/impute.js).
    this.imputedInfo = h("span", { class: "gmm-points-info", "data-gmm-role": "imputed-info" });
    const footer = h("div", { class: "gmm-footer" }, [
      this.legend,
      h("span", { class: "gmm-spacer" }),
      this.bound,
      this.pointsInfo,
      this.imputedInfo,
    ]);
    this.root.append(
      toolbar,
      viewToolbar,
      this.code.panel,
      this.plotEl,
      this.pairsEl,
      this.traceEl,
      footer,
    );
    this.cleanups.push(this.code.destroy);
    // Brush/lasso/legend selection and the profile table (lib/selection_view.js).
    this.selection = attachSelection(this, { rowsOfPoints: this.rowsOfPoints });
    this.viewControls.after(this.selection.controls);
    this.root.append(this.selection.tableBox);
    this.cleanups.push(() => this.selection.destroy());
    this.el.appendChild(this.root);
    this.cleanups.push(bindPlayerKeys(this.root, this.playback));
  }

  bind() {
    const m = this.model;
    this.cleanups.push(
      listen(m, {
        "change:data": () => {
          this.loadData();
          this.relayout();
        },
        "change:frames": () => {
          this.loadFrames();
          this.playback.framesChanged();
          this.relayout();
        },
        "change:frame": () => {
          const value = m.get("frame");
          if (value === this.lastSent || value === this.playback.index) return;
          this.playback.show(this.clampIndex(value), "external");
        },
        "change:playing": () => {
          const playing = Boolean(m.get("playing"));
          if (playing !== this.playback.playing)
            playing ? this.playback.play() : this.playback.pause();
        },
        "change:fps": () => {
          const fps = Number(m.get("fps"));
          this.playback.setFps(fps);
          this.controls.setSpeed(fps);
        },
        "change:status": () => {
          if (m.get("status") === "fitting") this.playback.play();
          this.renderFrame();
        },
        "change:projection": () => this.relayout(),
        "change:x_feature": () => this.relayout(),
        "change:y_feature": () => this.relayout(),
        "change:pca": () => this.relayout(),
        "change:pairs_view": () => this.relayout(),
        "change:pair_features": () => this.relayout(),
        "change:uncertainty_view": () => this.relayout(),
        "msg:custom": (content, buffers) => this.onMessage(content, buffers),
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

  onMessage(content, buffers) {
    if (content?.type !== "frames") return;
    const msg = unpackMessage(content, buffers || []);
    const before = this.store.length;
    const wasEmpty = before === 0;
    if (this.store.append(msg.start, msg.frames)) {
      if (wasEmpty) this.relayout();
      this.playback.framesChanged();
      if (!this.playback.playing && this.model.get("status") === "fitting") this.playback.play();
      this.updateControls();
      this.updateTrace();
    }
  }

  loadData() {
    this.data = readPoints(this.model);
    this.order = shuffledOrder(this.data.n, 12345);
    this.cache.clear();
    this.pairsSource = null;
    this.projected = null;
    const imputer = new ImputeCache(this.data);
    this.imputer = imputer.nImputed || imputer.nEmpty ? imputer : null;
  }

  loadFrames() {
    this.store.setAll(this.model.get("frames"));
    this.cache.clear();
    this.imputer?.clear();
    this.pairsImputer?.clear();
    this.pairsCache.clear();
  }

  clampIndex(i) {
    const n = this.store.length;
    return Math.max(0, Math.min(n - 1, Number(i) || 0));
  }

  measureWidth() {
    const w = this.root.clientWidth;
    return w > 0 ? w - 22 : DEFAULT_WIDTH; // minus the padding and border of .gmm-widget
  }

  /** Rebuild everything that depends on size, theme, data or projection, then draw. */
  relayout() {
    this.width = this.measureWidth();
    this.theme = readTheme(this.root);
    const width = this.width;
    const height = Math.round(Math.max(260, Math.min(440, width * 0.58)));
    buildProjectionControls(this.viewControls, this.model, this.data.d);
    buildPairsControls(this.pairsControls, /** @type {any} */ (this.model), this.data.d);
    const { n, d } = this.data;
    if (d === 1) {
      if (!this.density) {
        this.plotEl.replaceChildren();
        this.scatter = null;
        this.density = createDensityPlot(this.plotEl);
        this.plotEl.append(this.emptyEl);
      }
      const values = this.data.X;
      const [lo, hi] = padExtent(extent(values), 0.04);
      this.bins = binCount(values);
      this.histRange = [lo, hi];
      const base = histogram(values, this.bins, [lo, hi]);
      this.yMax = Math.max(...base.density, 1e-12) * 1.18;
      if (this.store.length) {
        // Leave room for the final mixture density too, so the curves fit.
        const last = this.store.length - 1;
        const f = this.store.get(last);
        const variances = this.store.fullCovariances(last).map((c) => c[0]);
        const grid = Float64Array.from({ length: 200 }, (_, i) => lo + ((hi - lo) * i) / 199);
        const { mixture } = mixtureDensity1d(grid, f.weights, f.means, variances);
        this.yMax = Math.max(this.yMax, Math.max(...mixture) * 1.1);
      }
      const xLabel = featureLabel(this.model.get("feature_names"), 0);
      this.density.layout(width, height, [lo, hi], this.yMax, { x: xLabel, y: "density" });
    } else {
      if (!this.scatter) {
        this.plotEl.replaceChildren();
        this.density = null;
        this.scatter = createScatterPlot(this.plotEl);
        this.plotEl.append(this.emptyEl);
      }
      this.projected = projectedPoints(this.model, this.data, this.projected);
      const { xs, ys, labels } = this.projected;
      this.scatter.layout(
        width,
        height,
        padExtent(extent(xs), 0.04),
        padExtent(extent(ys), 0.04),
        labels,
      );
    }
    const pairs = this.pairsOn();
    if (pairs) this.viewControls.hidden = true; // the pickers of the single view
    this.plotEl.hidden = pairs;
    this.pairsEl.hidden = !pairs;
    if (pairs) this.layoutPairs(width);
    (pairs ? this.pairsEl : this.plotEl).append(this.emptyEl);
    this.pointsInfo.textContent = pointsLabel(n, this.model.get("n_samples") || n);
    const imp = this.imputer;
    this.imputedInfo.textContent = imp ? imputedLabel(imp.nImputed, imp.nEmpty) : "";
    this.imputedInfo.hidden = !imp;
    this.renderFrame();
  }

  /** Whether the pairs view is shown: asked for, and 2 features or more. */
  pairsOn() {
    return this.data.d >= 2 && Boolean(this.model.get("pairs_view"));
  }

  layoutPairs(width) {
    if (!this.pairs) {
      this.pairs = createPairsPlot(this.pairsEl, {
        onSelect: (fx, fy) => this.showPair(fx, fy),
      });
    }
    const features = chosenPairFeatures(this.model.get("pair_features"), this.data.d);
    const height = Math.min(width, 640);
    const names = this.model.get("feature_names") || [];
    this.pairs.layout(this.data, this.order, features, names, width, height, this.theme);
    const rows = this.pairs.rows;
    if (this.pairsData.n !== rows.length || this.pairsSource !== this.data) {
      this.pairsData = gatherRows(this.data, rows);
      this.pairsSource = this.data;
      this.pairsCache.clear();
      const imputer = this.imputer ? new ImputeCache(this.pairsData) : null;
      this.pairsImputer = imputer?.nImputed ? imputer : null;
    }
  }

  /** A panel of the pairs view was clicked: show that pair large (synced to Python). */
  showPair(fx, fy) {
    const m = /** @type {any} */ (this.model);
    m.set("x_feature", fx);
    m.set("y_feature", fy);
    m.set("projection", "features");
    m.set("pairs_view", false);
    m.save_changes();
  }

  /**
   * Point colours: the components mixed by responsibility, faded by uncertainty when the
   * toggle is on.
   */
  pointColors(resp, n, colors) {
    const rgb = mixColors(resp, n, colors);
    if (!this.model.get("uncertainty_view")) return rgb;
    return fadeByUncertainty(rgb, resp, n, colors.length, this.theme.rgb.background);
  }

  onFrame(index, reason) {
    this.renderFrame();
    if (reason !== "external" && reason !== "frames") {
      this.lastSent = index;
      this.syncFrame(index);
      if (reason !== "play") this.syncFrame.flush();
    }
  }

  onPlaying(playing) {
    this.updateControls();
    if (!playing) this.syncFrame.flush();
    if (Boolean(this.model.get("playing")) !== playing) setNow(this.model, "playing", playing);
  }

  seekIteration(iter) {
    if (!this.store.length) return;
    const [a, b] = this.store.initRange(this.playback.index);
    for (let i = a; i <= b; i++) {
      if (this.store.get(i).nIter >= iter) return void this.playback.seek(i);
    }
    this.playback.seek(b);
  }

  colors() {
    return componentColors(this.store.K, this.theme.dark);
  }

  /** Draw the current frame (or the empty state), then call `onRender`. */
  renderFrame() {
    this.drawFrame();
    if (this.onRender) this.onRender();
  }

  drawFrame() {
    const t0 = this.probe.start();
    this.drawCurrent();
    this.probe.stop(t0);
  }

  drawCurrent() {
    const empty = this.store.length === 0;
    this.emptyEl.hidden = !empty;
    this.updateControls();
    this.updateTrace();
    if (empty) {
      this.legend.replaceChildren();
      this.bound.textContent = "";
      const rgb = new Uint8ClampedArray(this.data.n * 3).fill(128);
      if (this.pairs && this.pairsOn()) {
        const grey = rgb.subarray(0, this.pairsData.n * 3);
        this.pairs.draw({ rgb: grey, weights: [], means: [], covariances: [], colors: [] });
      } else if (this.scatter && this.projected) {
        this.scatter.points(this.projected.xs, this.projected.ys, rgb, this.order);
        this.scatter.components([]);
      }
      return;
    }
    const i = this.playback.index;
    const f = this.store.get(i);
    const covs = this.store.fullCovariances(i);
    const colors = this.colors();
    const { n, d } = this.data;
    const params = { weights: f.weights, means: f.means, covariances: covs };
    if (this.pairs && this.pairsOn()) {
      // Only the rows the pairs view draws: their own responsibilities.
      const entry = this.pairsCache.get(i, params);
      const resp = withObservedResponsibilities(entry, this.pairsImputer, i, params);
      const rgb = this.pointColors(resp, this.pairsData.n, colors);
      this.pairs.draw({ rgb, ...params, colors, imputed: this.pairsImputed(i, params, rgb) });
      this.updateLegend(f, colors);
      this.bound.textContent = boundLabel(f);
      return;
    }
    // Rows with NaN: their responsibilities from the observed marginals (lib/impute.js).
    const resp = withObservedResponsibilities(this.cache.get(i, params), this.imputer, i, params);
    if (d === 1 && this.density) {
      const hist = histogram(this.data.X, this.bins, this.histRange, resp, this.store.K);
      this.density.draw(
        hist,
        { weights: f.weights, means: f.means, variances: covs.map((c) => c[0]) },
        colors,
        this.theme.rgb,
      );
    } else if (this.scatter && this.projected) {
      const bg = this.theme.rgb.background;
      const shown = this.selection.decorate(this.pointColors(resp, n, colors), this.order, bg);
      this.scatter.points(this.projected.xs, this.projected.ys, shown.rgb, shown.order);
      this.drawImputed(i, params, shown.rgb);
      this.scatter.components(projectComponents(f.means, covs, this.projected.proj, colors), {
        background: this.theme.rgb.background,
      });
    }
    this.updateLegend(f, colors);
    this.bound.textContent = boundLabel(f);
  }

  /**
   * Rows with missing values: hollow rings at their conditional expectation under the
   * frame's parameters (their discs are not drawn: their data coordinates are NaN).
   * `root.gmmImputed` holds the rows and their filled-in values (tests read it).
   */
  drawImputed(index, params, rgb) {
    const imp = this.imputer;
    if (!imp?.nImputed || !this.scatter || !this.projected) {
      /** @type {any} */ (this.root).gmmImputed = null;
      return;
    }
    const placed = imputedInView(imp, index, params, this.projected.proj, rgb);
    this.scatter.rings(placed.xs, placed.ys, placed.rgb);
    /** @type {any} */ (this.root).gmmImputed = { frame: index, ...placed };
  }

  /** The pairs view's rows with missing values, placed for frame `index` (or null). */
  pairsImputed(index, params, rgb) {
    const imp = this.pairsImputer;
    if (!imp) return null;
    const { values } = imp.get(index, params);
    return { values, rgb: gatherColors(rgb, imp.patterns.rows) };
  }

  updateLegend(f, colors) {
    const K = colors.length;
    if (this.legend.children.length !== K) {
      this.legend.replaceChildren(
        ...colors.map((_, k) =>
          h("li", { "data-component": k }, [
            h("span", { class: "gmm-swatch" }),
            h("span", { class: "gmm-legend-text" }),
          ]),
        ),
      );
    }
    colors.forEach((c, k) => {
      const li = this.legend.children[k];
      li.firstChild.style.background = rgbString(c);
      li.lastChild.textContent = `${k} \u00b7 w=${Number(f.weights[k]).toFixed(3)}`;
    });
    this.selection.decorateLegend();
  }

  updateControls() {
    const index = this.playback.index;
    const status = this.model.get("status");
    this.controls.update({
      index,
      length: this.store.length,
      playing: this.playback.playing,
      label: counterLabel(this.store, index, this.model.get("source")),
    });
    const badge = badgeState(this.store, index, status);
    this.badge.hidden = !badge;
    if (badge) {
      this.badge.textContent = badge.text;
      this.badge.className = `gmm-badge gmm-badge-${badge.kind}`;
    }
  }

  updateTrace() {
    const width = this.width || DEFAULT_WIDTH;
    if (!this.store.length) {
      this.trace.update({ width, height: TRACE_HEIGHT, iterations: [], values: [], current: 0 });
      return;
    }
    const index = this.playback.index;
    const [a, b] = this.store.initRange(index);
    const iterations = [];
    const values = [];
    for (let i = a; i <= b; i++) {
      const f = this.store.get(i);
      iterations.push(f.nIter);
      values.push(f.lowerBound);
    }
    this.trace.update({
      width,
      height: TRACE_HEIGHT,
      iterations,
      values,
      current: this.store.get(index).nIter,
    });
  }

  async exportView(format) {
    const width = this.width;
    const pairs = this.pairs && this.pairsOn() ? this.pairs : null;
    const plotEl = pairs ? this.pairsEl : this.plotEl;
    const plotHeight =
      plotEl.getBoundingClientRect().height || parseFloat(plotEl.style.height) || 0;
    const layers = [];
    const at = { x: 0, y: 0, width, height: plotHeight };
    if (pairs) {
      for (const element of [pairs.canvas, pairs.marks, pairs.overlay])
        layers.push({ element, ...at });
    } else {
      if (this.scatter) layers.push({ element: this.scatter.canvas, ...at });
      layers.push({ element: this.scatter ? this.scatter.overlay : this.density.overlay, ...at });
    }
    layers.push({ element: this.trace.root, x: 0, y: plotHeight + 4, width, height: TRACE_HEIGHT });
    const size = {
      width,
      height: plotHeight + 4 + TRACE_HEIGHT,
      background: this.theme.background,
    };
    const name = `fit_player_frame_${this.playback.index}`;
    if (format === "svg") download(composeSVG(layers, size), `${name}.svg`, "image/svg+xml");
    else download(await composePNG(layers, size), `${name}.png`, "image/png");
  }

  destroy() {
    this.syncFrame.flush();
    this.playback.dispose();
    for (const fn of this.cleanups) fn();
    this.root.remove();
  }
}
