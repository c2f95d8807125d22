// The ModelSelector view: a criterion chart (BIC/AIC/ICL against K, one curve per
// covariance type) beside the data with the selected model drawn by an embedded
// FitPlayer view. Its synced traits and messages: traits.js.

import { parseColor, readTheme, watchTheme } from "../lib/colors.js";
import { unpackMessage } from "../lib/codecs.js";
import { h, svg } from "../lib/dom.js";
import { keepKeys } from "../lib/keys.js";
import { createLocalModel } from "../lib/local_model.js";
import { listen, setNow } from "../lib/model.js";
import { PROJECTED_WIDGET_TRAITS } from "../lib/traits.js";
import { FitPlayerView } from "../fit_player/view.js";
import { createCriterionChart, markerPath } from "./chart.js";
import { exportSelector } from "./export.js";
import {
  CRITERIA,
  FAILED,
  SHAPES,
  bestSoFar,
  indexOf,
  modelKey,
  modelSummary,
  progressText,
  readGrid,
} from "./grid.js";

/** Traits of the selector that the embedded player reads as its own. */
const FORWARDED = PROJECTED_WIDGET_TRAITS;
const TYPE_COLORS = {
  light: { full: "#1b9e77", tied: "#d95f02", diag: "#7570b3", spherical: "#e7298a" },
  dark: { full: "#5fd3b0", tied: "#ff9d5c", diag: "#aaa6f0", spherical: "#ff7fbf" },
};
const DEFAULT_WIDTH = 420;

export class ModelSelectorView {
  /**
   * @param {import("./traits.js").ModelSelectorModel} model the anywidget model (its
   *   traits: traits.js)
   * @param {HTMLElement} el
   * @param {{timers?: import("../lib/timing.js").Timers}} [opts]
   */
  constructor(model, el, opts = {}) {
    this.model = model;
    this.el = el;
    this.timers = opts.timers || globalThis;
    this.cleanups = [];
    this.cache = new Map(); // "K|type" -> frames batch
    this.shownKey = null;

    this.root = h("div", {
      class: "gmm-widget gmm-model-selector",
      "data-gmm-role": "model-selector",
      "data-lm-suppress-shortcuts": "true",
    });
    this.criterionEl = h("select", {
      class: "gmm-select",
      "data-gmm-role": "criterion",
      "aria-label": "Criterion",
      title: "Criterion the best model is chosen by",
    });
    this.criterionEl.addEventListener("change", () =>
      setNow(model, "criterion", this.criterionEl.value),
    );
    this.progressBar = h("progress", {
      class: "gmm-progress",
      "data-gmm-role": "progress",
      max: 1,
      value: 0,
      "aria-label": "Models fitted",
    });
    this.progressText = h("span", {
      class: "gmm-progress-text",
      "data-gmm-role": "progress-text",
      "aria-live": "polite",
    });
    this.bestEl = h("span", { class: "gmm-best-text", "data-gmm-role": "best" });
    const toolbar = h("div", { class: "gmm-toolbar" }, [
      h("label", { class: "gmm-label" }, ["criterion", this.criterionEl]),
      this.bestEl,
      h("span", { class: "gmm-spacer" }),
      this.progressBar,
      this.progressText,
    ]);
    this.chartEl = h("div", { class: "gmm-selector-chart" });
    this.legendEl = h("ul", {
      class: "gmm-legend gmm-type-legend",
      "data-gmm-role": "type-legend",
      "aria-label": "Covariance types",
    });
    this.playerEl = h("div", { class: "gmm-selector-model" });
    const chartPanel = h("div", { class: "gmm-selector-panel" }, [this.chartEl, this.legendEl]);
    const body = h("div", { class: "gmm-selector-body" }, [chartPanel, this.playerEl]);
    this.infoEl = h("div", {
      class: "gmm-selected-info",
      "data-gmm-role": "selected-info",
      "aria-live": "polite",
    });
    this.root.append(toolbar, body, this.infoEl);
    el.appendChild(this.root);

    this.cleanups.push(keepKeys(toolbar));
    this.chart = createCriterionChart(this.chartEl, { onSelect: (k, ct) => this.select(k, ct) });
    this.local = createLocalModel(model, {
      forward: FORWARDED,
      state: { frames: {}, frame: 0, playing: false, fps: 5, status: "done", source: "model" },
    });
    this.player = new FitPlayerView(this.local, this.playerEl, {
      timers: this.timers,
      emptyText: "Fitting the grid\u2026",
      kernel: /** @type {any} */ (model), // anywidget's model: it has send()
      // Its PNG/SVG buttons export the whole selector (chart, legend, model, read-outs).
      onExport: (format) => exportSelector(this, format),
    });

    this.cleanups.push(
      listen(model, {
        "change:scores": () => this.render(),
        "change:errors": () => this.render(),
        "change:criterion": () => this.render(),
        "change:criteria": () => this.render(),
        "change:best": () => this.render(),
        "change:selection": () => this.render(),
        "change:status": () => this.render(),
        "change:progress": () => this.renderProgress(),
        "change:models": () => {
          this.loadModels();
          this.render();
        },
        "msg:custom": (content, buffers) => this.onMessage(content, buffers),
      }),
    );
    this.cleanups.push(watchTheme(() => this.render()));
    if (typeof ResizeObserver !== "undefined") {
      const ro = new ResizeObserver(() => {
        if (this.chartWidth() !== this.width) this.render();
      });
      ro.observe(this.chartEl);
      this.cleanups.push(() => ro.disconnect());
    }
    this.loadModels();
    this.render();
  }

  loadModels() {
    for (const [key, frames] of Object.entries(this.model.get("models") || {}))
      this.cache.set(key, frames);
  }

  onMessage(content, buffers) {
    if (content?.type !== "model") return;
    const msg = unpackMessage(content, buffers || []);
    this.cache.set(msg.key, msg.frames);
    this.render();
  }

  select(k, ct) {
    setNow(this.model, "selection", [k, ct]);
    this.render();
  }

  chartWidth() {
    const w = this.chartEl.clientWidth;
    return w > 0 ? w : DEFAULT_WIDTH;
  }

  /** @returns {Record<string, import("../lib/colors.js").RGB>} colour of each covariance type */
  colors() {
    const theme = readTheme(this.root);
    const table = theme.dark ? TYPE_COLORS.dark : TYPE_COLORS.light;
    /** @type {Record<string, import("../lib/colors.js").RGB>} */
    const out = {};
    for (const ct of this.model.get("covariance_types") || [])
      out[ct] = parseColor(table[ct] || "#888888");
    return out;
  }

  /** The model to show: the selection, else the best (the kernel sets both). */
  shownPair(grid = readGrid(this.model)) {
    const sel = this.model.get("selection");
    if (sel && sel.length === 2) return sel;
    const best = this.model.get("best");
    if (best && best.length === 2) return best;
    // While the grid fits: the best so far, once its model has arrived.
    const sofar = bestSoFar(grid, this.model.get("criterion"));
    return sofar && this.cache.has(modelKey(sofar[0], sofar[1])) ? sofar : null;
  }

  render() {
    const m = this.model;
    const grid = readGrid(m);
    const criterion = m.get("criterion");
    const colors = this.colors();
    this.width = this.chartWidth();
    const height = Math.round(Math.max(260, Math.min(420, this.width * 0.72)));
    this.chart.update({
      width: this.width,
      height,
      grid,
      criterion,
      best: m.get("best"),
      selection: this.shownPair(grid),
      colors,
    });
    this.renderCriteria();
    this.renderLegend(grid, colors);
    this.renderProgress();
    this.renderBest(grid);
    this.showModel(grid);
  }

  renderCriteria() {
    const criteria = this.model.get("criteria") || [];
    if (this.criterionEl.options.length !== criteria.length) {
      this.criterionEl.replaceChildren(
        ...criteria.map((c) => h("option", { value: c, text: (CRITERIA[c] || { name: c }).name })),
      );
    }
    this.criterionEl.value = this.model.get("criterion");
  }

  renderLegend(grid, colors) {
    if (this.legendEl.children.length !== grid.nC) {
      this.legendEl.replaceChildren(
        ...grid.cts.map((ct) => {
          const icon = svg("svg", {
            width: 12,
            height: 12,
            viewBox: "0 0 12 12",
            "aria-hidden": "true",
          });
          svg("path", { d: markerPath(SHAPES[ct], 6, 6, 4.5) }, icon);
          return h("li", { "data-covariance-type": ct }, [icon, h("span", { text: ct })]);
        }),
      );
    }
    [...this.legendEl.children].forEach((li) => {
      const c = colors[li.getAttribute("data-covariance-type")];
      li.querySelector("path").setAttribute("fill", c ? `rgb(${c.join(",")})` : "currentColor");
    });
  }

  renderProgress() {
    const status = this.model.get("status");
    const p = this.model.get("progress") || {};
    const fitting = status === "fitting";
    this.progressBar.hidden = !fitting;
    this.progressBar.max = Math.max(1, p.total || 1);
    this.progressBar.value = p.done || 0;
    const grid = readGrid(this.model);
    let failed = 0;
    if (grid.tables.status) for (const s of grid.tables.status) failed += s === FAILED ? 1 : 0;
    let text = progressText(p, status);
    if (!fitting && p.total) text = `${p.done} fits${failed ? `, ${failed} failed` : ""}`;
    else if (fitting && failed) text += ` \u00b7 ${failed} failed`;
    this.progressText.textContent = text;
    this.root.dataset.gmmStatus = status;
  }

  renderBest(grid) {
    const best = indexOf(grid, this.model.get("best"));
    const name = (CRITERIA[this.model.get("criterion")] || { name: "" }).name;
    this.bestEl.textContent = best
      ? `best by ${name}: K=${grid.ks[best[0]]}, ${grid.cts[best[1]]}`
      : "";
  }

  showModel(grid) {
    const pair = this.shownPair(grid);
    const key = pair ? modelKey(pair[0], pair[1]) : null;
    const frames = key ? this.cache.get(key) : null;
    const idx = indexOf(grid, pair);
    const best = this.model.get("best");
    const isBest = pair && best && best[0] === pair[0] && best[1] === pair[1];
    const sel = this.model.get("selection");
    const note = isBest ? " (the best)" : !sel?.length && !best?.length ? " (the best so far)" : "";
    this.infoEl.textContent =
      idx && frames ? `Shown: ${modelSummary(grid, idx[0], idx[1])}${note}` : "";
    this.root.dataset.gmmShown = frames ? key : "";
    if (key === this.shownKey && frames === this.shownFrames) return;
    this.shownKey = key;
    this.shownFrames = frames;
    this.local.update({ frames: frames || {}, frame: 0 });
  }

  destroy() {
    for (const fn of this.cleanups) fn();
    this.player.destroy();
    this.root.remove();
  }
}
