// The MixtureExplorer view: controls, read-out and draggable initial means around an
// embedded FitPlayer view, which plays each refit's EM run. Its synced traits and
// messages: traits.js.
//
// A fit is shown only while the controls it was made with equal the controls now
// (`controlsMatch`); in between, the plot is marked stale (no ellipses, faded points).

import { componentColors } from "../lib/colors.js";
import { encodeArray, unpackMessage } from "../lib/codecs.js";
import { h } from "../lib/dom.js";
import { keepKeys } from "../lib/keys.js";
import { createLocalModel } from "../lib/local_model.js";
import { createMeanHandles, moveMean } from "./mean_handles.js";
import { listen } from "../lib/model.js";
import { chosenProjection, featureLabel, projectMean } from "../lib/projection.js";
import { formatNumber } from "../lib/scale.js";
import { PAIRS_VIEW_TRAITS, PROJECTED_WIDGET_TRAITS } from "../lib/traits.js";
import { readPoints } from "../lib/model.js";
import { FitPlayerView } from "../fit_player/view.js";
import { BrowserFit, FRAME_BUDGET_MS } from "./browser_fit.js";
import { hasMissing } from "../lib/impute.js";
import { createPointEditor } from "./point_editor.js";
import { buildControls } from "../lib/mixture_controls.js";
import {
  asArray,
  controlsMatch,
  currentControls,
  describeControls,
  editedPoints,
  handlePositions,
  initModeText,
  readoutRows,
  stackRows,
  toggledLock,
} from "./state.js";

/**
 * Traits of the explorer that the embedded player reads as its own. `data` is not one:
 * the player shows the displayed rows with the user's edits (added, removed points).
 */
const FORWARDED = [
  ...PROJECTED_WIDGET_TRAITS.filter((k) => k !== "data"),
  ...PAIRS_VIEW_TRAITS,
  "fps",
];

export class MixtureExplorerView {
  /**
   * @param {import("./traits.js").MixtureExplorerModel} model the anywidget model (its traits:
   *   traits.js)
   * @param {HTMLElement} el
   * @param {{timers?: import("../lib/timing.js").Timers & {requestAnimationFrame?: Function},
   *   browserFit?: boolean}} [opts] `browserFit: false`: no fit in the page, only the
   *   kernel's (the plot is marked stale until it answers)
   */
  constructor(model, el, opts = {}) {
    this.model = model;
    this.el = el;
    this.timers = opts.timers || globalThis;
    this.cleanups = [];
    this.previews = new Map(); // component -> d-vector of a move under way
    this.loaded = null; // the result (as synced) whose frames the player holds
    this.stream = null; // {request, controls} of the frames being streamed
    this.dismissed = null; // the error object the user closed
    this.state = "";
    // The page's own EM (browser_fit.js): previews drags, K and covariance changes, and
    // stands in for the kernel until its answer for `fitRequest` arrives.
    this.fit = null;
    this.fitRequest = null; // request number the browser fit answers; null: a drag
    this.previewOn = false;
    this.browserHandles = null; // handles of the browser fit (K rows)
    this.settledRequest = null; // request whose browser fit ran to the end
    this.raf = null;
    this.browserFitOn = opts.browserFit ?? true;
    this.drawMs = 6; // running mean of the time a browser-fit frame takes to draw

    this.root = h("div", {
      class: "gmm-widget gmm-mixture-explorer",
      "data-gmm-role": "mixture-explorer",
      "data-lm-suppress-shortcuts": "true",
    });
    this.controls = buildControls(model, { onChange: (values) => this.change(values) });
    this.badge = h("span", { class: "gmm-badge", "data-gmm-role": "fit-status", role: "status" });
    this.initMode = h("span", { class: "gmm-init-mode", "data-gmm-role": "init-mode" });
    this.errorText = h("span", { class: "gmm-error-text" });
    const dismiss = h("button", {
      type: "button",
      class: "gmm-button gmm-error-close",
      "data-gmm-role": "dismiss-error",
      "aria-label": "Dismiss the error",
      title: "Dismiss",
      text: "\u00d7",
    });
    dismiss.addEventListener("click", () => {
      this.dismissed = model.get("error");
      this.renderError();
    });
    this.errorEl = h(
      "div",
      { class: "gmm-error", role: "alert", "data-gmm-role": "error", hidden: true },
      [this.errorText, dismiss],
    );
    this.readout = h("table", { class: "gmm-readout", "data-gmm-role": "readout" });
    const status = h("div", { class: "gmm-status-row" }, [this.badge, this.initMode]);
    this.playerEl = h("div", { class: "gmm-explorer-player" });
    this.root.append(this.controls.root, status, this.errorEl, this.playerEl, this.readout);
    this.cleanups.push(keepKeys(this.controls.root));
    el.appendChild(this.root);

    this.edited = null; // the points shown and fitted in the page (editedPoints)
    this.local = createLocalModel(model, {
      forward: FORWARDED,
      state: {
        frames: {},
        frame: 0,
        playing: false,
        status: "done",
        source: "fit",
        data: this.pointsTrait(),
      },
    });
    this.player = new FitPlayerView(this.local, this.playerEl, {
      timers: this.timers,
      emptyText: "Fitting\u2026",
      kernel: /** @type {any} */ (model), // anywidget's model: it has send()
      rowsOfPoints: () => this.edited?.source ?? null, // selection: edited points
      // The handles and trails go on top of every frame the player draws (a no-op until
      // the handles exist, below).
      onRender: () => this.drawOverlay(),
    });
    this.handles = createMeanHandles(
      this.player.scatter ? this.player.scatter.layers.handles : this.player.density.layers.handles,
      {
        onPreview: (k, point) => this.preview(k, point),
        onCommit: (k, point) => this.commit(k, point),
        onCancel: (k) => {
          this.previews.delete(k);
          if (this.fitRequest === null) this.stopPreview();
          this.sync();
        },
        onLock: (k) => this.change({ locked_means: toggledLock(this.model, k) }),
        timers: this.timers,
      },
    );
    this.editor = null;
    if (this.player.scatter)
      this.editor = createPointEditor(
        this.player.scatter.overlay,
        this.player.scatter.layers.handles,
        {
          scales: () => this.plotScales(),
          onAdd: (p) => this.addPoint(p),
          onRemove: (p) => this.removePoint(p),
        },
      );

    this.cleanups.push(
      listen(model, {
        "change:result": () => this.sync(),
        "change:error": () => this.sync(),
        "change:busy": () => this.renderStatus(),
        "change:handles": () => this.sync(),
        "change:locked_means": () => this.sync(),
        "change:n_components": () => this.sync(),
        "change:covariance_type": () => this.sync(),
        "change:random_state": () => this.sync(),
        "change:n_init": () => this.sync(),
        "change:init_params": () => this.sync(),
        "change:data": () => this.refreshPoints(),
        "change:points_added": () => this.refreshPoints(),
        "change:points_removed": () => this.refreshPoints(),
        "change:fit_settings": () => {
          this.fit = null;
        },
        "change:k_min": () => this.controls.update(),
        "change:k_max": () => this.controls.update(),
        "msg:custom": (content, buffers) => this.onMessage(content, buffers),
      }),
    );
    this.sync();
  }

  // ------------------------------------------------------------------ changes
  /**
   * Send control changes to Python, with a new request number.
   * @param {Partial<import("./traits.js").MixtureExplorerTraits>} values
   */
  change(values) {
    const m = this.model;
    for (const key of /** @type {(keyof typeof values)[]} */ (Object.keys(values)))
      m.set(key, values[key]);
    m.set("request", (Number(m.get("request")) || 0) + 1);
    m.save_changes();
    // The automatic init (handles null) is the kernel's to run (k-means, the seed).
    const fromHandles = values.handles !== null;
    const refit = [
      "handles",
      "n_components",
      "covariance_type",
      "points_added",
      "points_removed",
      "locked_means",
    ];
    if (fromHandles && refit.some((k) => k in values)) this.aim(true);
    this.sync();
  }

  /** The 2-D projection of the player's view ({P, offset, d}). */
  projection() {
    if (this.player.projected) return this.player.projected.proj;
    return chosenProjection(this.model, this.player.data.d).proj;
  }

  /**
   * The scales and axis mode of the plot the handles live in.
   * @returns {{x: Function, y: Function, axis: "xy"|"x"}|null}
   */
  plotScales() {
    const p = this.player.scatter || this.player.density;
    if (!p?.x) return null;
    return { x: p.x, y: p.y, axis: this.player.scatter ? "xy" : "x" };
  }

  /** d-vectors of the handles shown now (previews included). */
  positions() {
    const result = this.model.get("result") || {};
    const controls = currentControls(this.model);
    const K = controls.n_components;
    // While the browser fit stands in for the kernel, its handles are the ones shown
    // (after a K change, Python has not placed the new ones yet).
    const own = this.previewActive() && this.browserHandles?.length === K;
    return handlePositions(
      own
        ? { data: stackRows(this.browserHandles), shape: [K, this.browserHandles[0].length] }
        : controls.handles,
      asArray(result.initial_means),
      K,
      this.previews,
    );
  }

  preview(k, point) {
    const pos = this.positions();
    if (!pos[k]) return;
    this.previews.set(
      k,
      this.data1d() ? moveAlongX(pos[k], point[0]) : moveMean(pos[k], this.projection(), point),
    );
    this.fitRequest = null;
    this.aim(false);
    this.drawOverlay();
  }

  commit(k, point) {
    this.preview(k, point);
    const pos = this.positions();
    this.previews.clear();
    if (!pos.length) return;
    const d = pos[0].length;
    this.change({ handles: encodeArray(stackRows(pos), [pos.length, d], "float64") });
  }

  // ------------------------------------------------------------ edited points
  /** The `data` the player shows: the displayed rows with the user's edits. */
  pointsTrait() {
    const m = this.model;
    const shown = readPoints(m);
    const edited = editedPoints(
      shown,
      asArray(m.get("points_added") ?? null),
      asArray(m.get("points_removed") ?? null),
    );
    this.edited = edited;
    if (!edited.source) return m.get("data");
    return encodeArray(edited.X, [edited.n, edited.d], "float64");
  }

  refreshPoints() {
    this.fit = null;
    this.local.update({ data: this.pointsTrait() });
    // The edits, readable from the page (e.g. to rebuild them in Python from an export).
    const m = this.model;
    const added = asArray(m.get("points_added") ?? null);
    const removed = asArray(m.get("points_removed") ?? null);
    if (this.edited.source)
      this.root.dataset.gmmEdits = JSON.stringify({
        points_added: added ? Array.from(added.data) : [],
        points_removed: removed ? Array.from(removed.data) : [],
      });
    else delete this.root.dataset.gmmEdits;
    this.sync();
  }

  /** A data point (d values) whose view is `point`: the data's centre moved onto it. */
  pointAt(point) {
    const e = this.edited;
    const d = e.d;
    const centre = new Float64Array(d);
    for (let i = 0; i < e.n; i++) for (let j = 0; j < d; j++) centre[j] += e.X[i * d + j];
    for (let j = 0; j < d; j++) centre[j] /= Math.max(1, e.n);
    return moveMean(centre, this.projection(), point);
  }

  addPoint(point) {
    const p = this.pointAt(point);
    const d = p.length;
    const old = asArray(this.model.get("points_added") ?? null);
    const rows = old ? old.data.length / d : 0;
    const data = new Float64Array((rows + 1) * d);
    if (old) data.set(old.data);
    data.set(p, rows * d);
    this.change({ points_added: encodeArray(data, [rows + 1, d], "float64") });
  }

  removePoint(point) {
    const proj = this.player.projected;
    const s = this.plotScales();
    const e = this.edited;
    if (!proj || !s || !e.n || e.n <= 2) return;
    const px = s.x(point[0]);
    const py = s.y(point[1]);
    let best = -1;
    let bestD = Infinity;
    for (let i = 0; i < e.n; i++) {
      const dx = s.x(proj.xs[i]) - px;
      const dy = s.y(proj.ys[i]) - py;
      const dist = dx * dx + dy * dy;
      if (dist < bestD) {
        bestD = dist;
        best = i;
      }
    }
    const src = e.source ? e.source[best] : best;
    const m = this.model;
    if (src >= 0) {
      const old = asArray(m.get("points_removed") ?? null);
      const list = old ? Array.from(old.data) : [];
      list.push(src);
      list.sort((a, b) => a - b);
      this.change({ points_removed: encodeArray(list, [list.length], "int32") });
    } else {
      const old = asArray(m.get("points_added"));
      const d = e.d;
      const j = -1 - src;
      const rows = old.data.length / d;
      const data = new Float64Array((rows - 1) * d);
      data.set(old.data.subarray(0, j * d));
      data.set(old.data.subarray((j + 1) * d), j * d);
      this.change({ points_added: encodeArray(data, [rows - 1, d], "float64") });
    }
  }

  // ------------------------------------------------------------- browser fit
  /** The page's EM over the displayed points (built on first use). */
  browserFit() {
    if (!this.fit) {
      const points = readPoints(this.local);
      const s = this.model.get("fit_settings") || {};
      // Data with missing values (missing="em"): only the kernel fits (the page's EM
      // has no missing-value E-step); the plot is marked stale until it answers.
      if (!points.n || hasMissing(points.X)) return null;
      this.fit = new BrowserFit(points, {
        tol: s.tol ?? 1e-3,
        reg_covar: s.reg_covar ?? 1e-6,
        max_iter: s.max_iter ?? 100,
      });
    }
    return this.fit;
  }

  /**
   * Point the browser fit at the handles shown now: warm (a drag under way: follow the
   * hand) or cold (a committed start, which the kernel is also asked to fit).
   * @param {boolean} cold
   */
  aim(cold) {
    if (!this.browserFitOn) return;
    const fit = this.browserFit();
    if (!fit) return;
    const controls = currentControls(this.model);
    const K = controls.n_components;
    let pos = this.positions();
    if (pos.length < K) pos = extendHandles(pos, K, fit.data.X, fit.data.center, fit.data.n);
    pos = pos.slice(0, K);
    this.browserHandles = pos.map((p) => Float64Array.from(p));
    if (cold) this.fitRequest = Number(this.model.get("request")) || 0;
    this.previewOn = true;
    fit.setTarget({
      handles: stackRows(this.browserHandles),
      K,
      covarianceType: controls.covariance_type,
      cold,
      locked: controls.locked_means,
    });
    this.root.dataset.gmmStart = JSON.stringify(Array.from(stackRows(this.browserHandles)));
    this.loop(); // the next animation frame iterates and draws
  }

  /** Whether the browser fit is what the plot shows. */
  previewActive() {
    if (!this.previewOn) return false;
    if (this.previews.size || this.handles?.active) return true;
    const r = this.fitRequest;
    if (r === null) return false;
    const result = this.model.get("result") || {};
    const error = this.model.get("error") || {};
    // The kernel has answered this request (or a later one): its fit is the truth.
    if ((result.request ?? -1) >= r || (error.request ?? -1) >= r) {
      this.stopPreview();
      return false;
    }
    return true;
  }

  stopPreview() {
    this.previewOn = false;
    this.browserHandles = null;
    this.loaded = null; // reload the kernel's frames over the browser's
    delete this.root.dataset.gmmStart;
  }

  loop() {
    if (this.raf !== null) return;
    const run = () => {
      this.raf = null;
      this.frameTick();
    };
    const raf = this.timers.requestAnimationFrame
      ? (fn) => this.timers.requestAnimationFrame(fn)
      : globalThis.requestAnimationFrame;
    this.raf =
      typeof raf === "function" ? { raf: raf(run) } : { timer: this.timers.setTimeout(run, 16) };
  }

  frameTick() {
    const fit = this.fit;
    if (!fit || !this.previewOn) return;
    // EM gets what is left of a 60 fps frame after drawing (at least one iteration).
    fit.budgetMs = Math.max(0, Math.min(FRAME_BUDGET_MS, 14 - this.drawMs));
    fit.tick();
    const t0 = performance.now();
    this.showBrowserFit();
    this.drawMs = 0.8 * this.drawMs + 0.2 * (performance.now() - t0);
    if (!fit.settled) this.loop();
    else {
      if (this.fitRequest !== null && !fit.error) {
        this.settledRequest = this.fitRequest;
        // The page's result at full precision, for comparing with the kernel's.
        this.root.dataset.gmmBrowserScores = JSON.stringify({
          request: this.fitRequest,
          ...fit.scores(),
        });
      }
      this.sync();
    }
  }

  /** Draw the browser fit's current state through the player (one frame). */
  showBrowserFit() {
    const batch = this.fit?.frame();
    if (!batch) return;
    if (this.player.playback.playing) this.local.set("playing", false);
    this.player.playback.index = 0;
    this.loaded = null;
    if (this.player.store.length === 0) {
      this.local.update({ frames: batch, frame: 0, status: "done", source: "browser" });
    } else {
      // Skip the player's relayout: only the parameters changed.
      this.player.store.setAll(batch);
      this.player.cache.clear();
      this.player.pairsCache.clear();
      if (this.fit.respFresh) this.player.cache.put(0, { resp: this.fit.resp, logLik: Number.NaN });
      this.browserFrames = true;
    }
    this.setState("preview");
    this.player.renderFrame();
    this.root.dataset.gmmBrowserSettled = String(this.fit.settled);
    this.renderStatus();
  }

  data1d() {
    return !this.player.scatter;
  }

  // --------------------------------------------------------------------- fits
  onMessage(content, buffers) {
    if (content?.type !== "frames") return;
    if (this.previewActive()) return; // the browser fit is shown until the result
    const msg = unpackMessage(content, buffers || []);
    if (!controlsMatch(msg.controls, currentControls(this.model))) return;
    const key = `${msg.request}`;
    if (msg.start === 0 || !this.stream || this.stream.key !== key) {
      if (msg.start !== 0) return; // joined mid-stream: wait for the result
      this.stream = { key };
      this.loaded = null;
      this.player.playback.index = 0;
      this.local.update({ frames: {}, frame: 0, status: "fitting" });
    }
    this.player.onMessage(content, buffers);
    this.sync();
  }

  /** Bring the view in line with the model: load a matching fit, or mark the plot stale. */
  sync() {
    const m = this.model;
    const result = m.get("result");
    const controls = currentControls(m);
    const previewing = this.previewActive();
    const fresh = Boolean(result?.frames && controlsMatch(result.controls, controls));
    if (fresh && !previewing && result !== this.loaded) this.load(result);
    const streaming = !fresh && this.stream !== null && this.local.get("status") === "fitting";
    let state = "stale";
    if (previewing) state = "preview";
    else if (fresh) state = "fitted";
    else if (streaming) state = "fitting";
    const error = m.get("error") || {};
    if (state === "fitted" && error.message) state = "error";
    this.setState(state);
    this.controls.update();
    this.initMode.textContent = initModeText(controls);
    const own = previewing ? this.fit?.scores() : null;
    if (own) this.renderReadout({ scores: own, previous: result?.scores ?? null }, result);
    else this.renderReadout(fresh && !previewing ? result : null, result);
    this.renderError();
    this.renderStatus();
    this.drawOverlay();
  }

  load(result) {
    this.loaded = result;
    const wasStreaming = this.stream !== null && this.local.get("status") === "fitting";
    this.stream = null;
    if (this.browserFrames) {
      // The player's store holds the browser fit: make the frames change for real.
      this.browserFrames = false;
      this.local.update({ frames: {} });
    }
    const F = result.frames?.n_iter ? result.frames.n_iter.shape[0] : 0;
    // A fit the page already ran to the end is not replayed: it jumps to the result
    // (and the trails show the path from each handle to its fitted mean).
    const seen = this.settledRequest !== null && result.request === this.settledRequest;
    const animate = Boolean(this.model.get("animate")) && result.source === "fit" && F > 1 && !seen;
    if (wasStreaming && animate) {
      // Keep playing from where the live frames got to.
      this.local.update({
        frames: result.frames,
        status: "done",
        source: result.source,
        playing: true,
      });
      return;
    }
    // Put the player on the frame to show first, so that loading the frames draws it once.
    if (this.player.playback.playing) this.local.set("playing", false);
    const index = animate ? 0 : Math.max(0, F - 1);
    this.player.playback.index = index;
    this.local.update({
      frames: result.frames,
      frame: index,
      status: "done",
      source: result.source,
    });
    if (animate) this.local.set("playing", true);
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    this.root.dataset.gmmState = state;
    const stale = state === "stale";
    this.root.dataset.gmmFitSource = state === "preview" ? "browser" : "kernel";
    this.player.root.classList.toggle("gmm-stale", stale);
    if (stale && this.player.playback.playing) this.local.set("playing", false);
  }

  // ------------------------------------------------------------------ drawing
  drawOverlay() {
    if (!this.handles) return;
    const s = this.plotScales();
    if (!s) return;
    const pos = this.positions();
    const K = pos.length;
    const colors = componentColors(K, this.player.theme ? this.player.theme.dark : false);
    const names = this.model.get("feature_names") || [];
    const fmt = (v) => formatNumber(v, 4);
    const proj = this.data1d() ? null : this.projection();
    const locked = new Set(this.model.get("locked_means") || []);
    const items = pos.map((mean, k) => {
      const point = proj ? projectMean(mean, proj) : [mean[0], NaN];
      const coords = Array.from(mean, (v, j) => `${featureLabel(names, j)} = ${fmt(v)}`).join(", ");
      return {
        point,
        color: colors[k],
        locked: locked.has(k),
        label:
          `${locked.has(k) ? "Locked initial" : "Initial"} mean of component ${k + 1}: ` +
          `${coords}. Drag it, or use the arrow keys, to refit from here; L locks it.`,
      };
    });
    this.handles.render(items, s, { axis: s.axis });
    if (this.editor) this.editor.render();
    this.root.dataset.gmmHandles = String(K);
    this.drawTrails(s, proj, colors);
  }

  /** Each mean's path from its initial position through the iterations played so far. */
  drawTrails(s, proj, colors) {
    const store = this.player.store;
    if (this.state === "preview" && proj && this.fit?.em && this.browserHandles) {
      // The start-vs-result relation: from each handle to the mean it fits to.
      const st = this.fit.em.state();
      const d = this.browserHandles[0].length;
      const paths = colors.map((color, k) => {
        const h0 = this.browserHandles[k] ? projectMean(this.browserHandles[k], proj) : [NaN, NaN];
        const h1 = projectMean(st.means, proj, k * d);
        return { xs: [s.x(h0[0]), s.x(h1[0])], ys: [s.y(h0[1]), s.y(h1[1])], color };
      });
      this.handles.drawTrails(paths);
      return;
    }
    if (
      !proj ||
      this.state === "stale" ||
      this.previews.size ||
      !store.length ||
      store.K !== colors.length
    ) {
      this.handles.drawTrails([]);
      return;
    }
    const index = this.player.playback.index;
    const [a] = store.initRange(index);
    const d = store.d;
    const paths = colors.map((color) => ({ xs: [], ys: [], color }));
    for (let i = a; i <= index; i++) {
      const f = store.get(i);
      for (let k = 0; k < store.K; k++) {
        const [u, v] = projectMean(f.means, proj, k * d);
        paths[k].xs.push(s.x(u));
        paths[k].ys.push(s.y(v));
      }
    }
    this.handles.drawTrails(paths);
  }

  renderStatus() {
    const busy = Boolean(this.model.get("busy"));
    const text =
      {
        fitted: "fitted",
        preview: this.fit && !this.fit.settled ? "browser fit\u2026" : "browser fit",
        error: "refit failed",
        fitting: "fitting\u2026",
        stale: busy ? "fitting\u2026" : "refitting\u2026",
      }[this.state] || "";
    const kind =
      { fitted: "success", preview: "live", error: "warn", fitting: "live", stale: "live" }[
        this.state
      ] || "live";
    this.badge.textContent = text;
    this.badge.className = `gmm-badge gmm-badge-${kind}`;
    const result = this.model.get("result") || {};
    this.root.dataset.gmmRequest = String(result.request ?? -1);
  }

  renderError() {
    const own = this.state === "preview" ? this.fit?.error : null;
    if (own) {
      this.errorEl.hidden = false;
      this.errorText.textContent = `Browser fit failed: ${own} Showing its last good state.`;
      return;
    }
    const error = this.model.get("error") || {};
    const show = Boolean(error.message) && error !== this.dismissed;
    this.errorEl.hidden = !show;
    if (!show) return;
    const result = this.model.get("result") || {};
    const kept = result.controls
      ? describeControls({ ...result.controls, handles: asArray(result.controls.handles) })
      : "";
    const showing = kept ? ` Showing the last good fit (${kept}).` : "";
    this.errorText.textContent = `Refit (${error.controls}) failed: ${error.message}${showing}`;
  }

  renderReadout(result, last) {
    const rows = readoutRows(
      result ? result.scores : last?.scores,
      result ? result.previous : last?.previous,
    );
    const table = this.readout;
    table.classList.toggle("gmm-stale-text", !result);
    if (!table.firstChild) {
      const head = h("tr", {}, [
        h("th", { text: "" }),
        h("th", { text: "this fit" }),
        h("th", { text: "previous fit" }),
        h("th", { text: "change" }),
      ]);
      table.append(h("thead", {}, [head]), h("tbody"));
    }
    const body = table.lastChild;
    while (body.children.length < rows.length)
      body.append(h("tr", {}, [h("th"), h("td"), h("td"), h("td")]));
    rows.forEach((r, i) => {
      const tr = body.children[i];
      tr.setAttribute("data-metric", r.key);
      tr.children[0].textContent = r.label;
      tr.children[1].textContent = r.now;
      // The number itself, for machines (tests, screen readers' "copy value").
      if (r.value === null) delete tr.children[1].dataset.value;
      else tr.children[1].dataset.value = String(r.value);
      tr.children[2].textContent = r.before;
      tr.children[3].textContent = r.delta;
      tr.children[3].className = r.verdict ? `gmm-delta gmm-${r.verdict}` : "gmm-delta";
    });
  }

  destroy() {
    if (this.raf?.raf !== undefined) {
      const timers = /** @type {any} */ (this.timers);
      const cancel = timers.cancelAnimationFrame || globalThis.cancelAnimationFrame;
      if (typeof cancel === "function") cancel(this.raf.raf);
    }
    if (this.raf?.timer !== undefined) this.timers.clearTimeout(this.raf.timer);
    this.raf = null;
    this.previewOn = false;
    this.handles.destroy();
    this.handles = null;
    if (this.editor) this.editor.destroy();
    for (const fn of this.cleanups) fn();
    this.player.destroy();
    this.root.remove();
  }
}

function moveAlongX(mean, x) {
  const out = Float64Array.from(mean);
  out[0] = x;
  return out;
}

/**
 * Add handles up to K where the browser fit starts a new component: each new one goes
 * to the displayed point farthest from the handles so far (the kernel, when there is
 * one, places them by its own rule and its answer replaces this preview).
 * @param {Float64Array[]} pos handles so far (data coordinates)
 * @param {number} K
 * @param {Float64Array} Xc centred points (row-major)
 * @param {Float64Array} center
 * @param {number} n
 * @returns {Float64Array[]}
 */
export function extendHandles(pos, K, Xc, center, n) {
  const d = center.length;
  const out = pos.map((p) => Float64Array.from(p));
  const best = new Float64Array(n).fill(Infinity);
  const update = (h) => {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const v = Xc[i * d + j] + center[j] - h[j];
        s += v * v;
      }
      if (s < best[i]) best[i] = s;
    }
  };
  for (const h of out) update(h);
  while (out.length < K && n > 0) {
    let arg = 0;
    for (let i = 1; i < n; i++) if (best[i] > best[arg]) arg = i;
    const h = Float64Array.from({ length: d }, (_, j) => Xc[arg * d + j] + center[j]);
    out.push(h);
    update(h);
  }
  return out;
}
