import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import widget from "../src/anomaly_inspector.js";
import { AnomalyInspectorView } from "../src/anomaly_inspector/view.js";
import { keyStep } from "../src/anomaly_inspector/score_histogram.js";
import {
  countLabel,
  formatPercent,
  hoverLines,
  refitLabel,
  refitStatus,
} from "../src/anomaly_inspector/readouts.js";
import {
  argsort,
  countBelow,
  ScoreIndex,
  thresholdFromContamination,
} from "../src/anomaly_inspector/threshold.js";
import { enc, mockModel } from "./helpers.js";

// A small labelled data set: two clusters and a ring of outliers; scores are the
// log-density of a 2-component isotropic mixture, as Python would send them.
function makeCase({ n = 200, d = 2, labels = true, mixture = true } = {}) {
  const X = [];
  const lab = [];
  for (let i = 0; i < n; i++) {
    const out = i % 20 === 0;
    const angle = (i * 2.399) % (2 * Math.PI);
    const r = out ? 7 + (i % 3) : 0.3 + ((i * 37) % 100) / 120;
    const cx = i % 2 ? 3 : -3;
    const row = [cx * !out + r * Math.cos(angle), r * Math.sin(angle)];
    for (let j = 2; j < d; j++) row.push(((i * (j + 3)) % 11) / 5 - 1);
    X.push(row.slice(0, d));
    lab.push(out ? 1 : 0);
  }
  const means =
    d === 1
      ? [[-3], [3]]
      : [
          [-3, 0, ...Array(d - 2).fill(0)],
          [3, 0, ...Array(d - 2).fill(0)],
        ];
  const scores = X.map((x) => {
    const lp = means.map(
      (m) =>
        Math.log(0.5) -
        0.5 * d * Math.log(2 * Math.PI) -
        0.5 * x.reduce((s, v, j) => s + (v - m[j]) ** 2, 0),
    );
    const mx = Math.max(...lp);
    return mx + Math.log(lp.reduce((s, v) => s + Math.exp(v - mx), 0));
  });
  const order = argsort(scores);
  const sorted = Array.from(order, (i) => scores[i]);
  const eye = Array.from({ length: d * d }, (_, k) => (k % (d + 1) === 0 ? 1 : 0));
  const state = {
    data: enc(X, [n, d]),
    n_samples: n,
    feature_names: Array.from({ length: d }, (_, j) => `f${j}`),
    _display_scores: enc(scores, [n], "float64"),
    _sorted_scores: enc(sorted, [n], "float64"),
    _sorted_labels: labels
      ? enc(
          Array.from(order, (i) => lab[i]),
          [n],
          "uint8",
        )
      : null,
    _display_labels: labels ? enc(lab, [n], "uint8") : null,
    _display_rows: null,
    _mixture: mixture
      ? {
          covariance_type: "full",
          n_components: 2,
          n_features: d,
          weights: enc([0.5, 0.5], [2], "float64"),
          means: enc(means, [2, d], "float64"),
          covariances: enc([...eye, ...eye], [2, d, d], "float64"),
        }
      : {},
    threshold: thresholdFromContamination(Float64Array.from(sorted), 0.05),
    contamination: 0.05,
    percentile: 5,
    n_anomalies: 10,
    projection: "features",
    x_feature: 0,
    y_feature: Math.min(1, d - 1),
    pca: {},
    busy: false,
    message: "",
    refit_info: {},
    n_refits: 0,
  };
  return { state, scores, sorted: Float64Array.from(sorted), labels: lab, order };
}

function setup(opts = {}, overrides = {}) {
  const c = makeCase(opts);
  const model = mockModel({ ...c.state, ...overrides });
  model.send = vi.fn();
  const el = document.createElement("div");
  document.body.appendChild(el);
  const view = new AnomalyInspectorView(model, el, {
    raf: (cb) => setTimeout(cb, 0),
    caf: (id) => clearTimeout(id),
  });
  const $ = (role) => el.querySelector(`[data-gmm-role="${role}"]`);
  const $$ = (role) => el.querySelectorAll(`[data-gmm-role="${role}"]`);
  return { c, model, el, view, $, $$ };
}

const lastSaved = (model, key) => {
  const s = model.saved.filter((x) => key in x);
  return s.length ? s[s.length - 1][key] : undefined;
};

function pointer(target, type, clientX, extra = {}) {
  const Ctor = globalThis.PointerEvent || MouseEvent;
  target.dispatchEvent(
    new Ctor(type, { bubbles: true, clientX, clientY: 50, pointerId: 1, button: 0, ...extra }),
  );
}

describe("AnomalyInspector view", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    document.body.replaceChildren();
  });

  it("renders an accessible threshold slider placed at the kernel's threshold", () => {
    const { $, c, model } = setup();
    const handle = $("threshold-handle");
    expect(handle.getAttribute("role")).toBe("slider");
    expect(handle.getAttribute("tabindex")).toBe("0");
    expect(handle.getAttribute("aria-label")).toMatch(/threshold/i);
    expect(Number(handle.getAttribute("aria-valuenow"))).toBe(model.get("threshold"));
    expect(Number(handle.getAttribute("aria-valuemin"))).toBe(c.sorted[0]);
    expect(Number(handle.getAttribute("aria-valuemax"))).toBeGreaterThan(
      c.sorted[c.sorted.length - 1],
    );
    expect(handle.getAttribute("aria-valuetext")).toMatch(/10 of 200 points below/);
    expect($("anomaly-count").dataset.value).toBe("10");
    expect(Number($("percentile").dataset.value)).toBe(5);
    expect($("threshold-tag").textContent).toBe("5.0 % \u00b7 10");
  });

  it("shows precision, recall and F1 equal to the counts from the labels", () => {
    const { $, c, model } = setup();
    const t = model.get("threshold");
    let tp = 0;
    let flagged = 0;
    const positives = c.labels.reduce((a, b) => a + b, 0);
    c.scores.forEach((s, i) => {
      if (s < t) {
        flagged += 1;
        tp += c.labels[i];
      }
    });
    const precision = tp / flagged;
    const recall = tp / positives;
    expect(Number($("precision").dataset.value)).toBe(precision);
    expect(Number($("recall").dataset.value)).toBe(recall);
    expect(Number($("f1").dataset.value)).toBe((2 * precision * recall) / (precision + recall));
    expect($("confusion").textContent).toContain(`TP\u00a0${tp} \u00b7 FP\u00a0${flagged - tp}`);
    expect($("pr-curve")).not.toBeNull();
    expect($("pr-line").getAttribute("d")).toMatch(/^M/);
    expect($("pr-marker").getAttribute("cx")).not.toBeNull();
    expect($("best-f1").hidden).toBe(false);
  });

  it("a drag updates the read-outs every frame but reaches Python only on release", () => {
    const { $, model, c } = setup();
    const hist = $("score-histogram");
    const before = model.saved.length;
    const xs = [120, 160, 200];
    pointer(hist, "pointerdown", xs[0]);
    for (const x of xs.slice(1)) {
      pointer(hist, "pointermove", x);
      vi.advanceTimersByTime(16);
      const shown = Number($("threshold-handle").getAttribute("aria-valuenow"));
      expect(Number($("anomaly-count").dataset.value)).toBe(countBelow(c.sorted, shown));
    }
    expect(model.saved.length).toBe(before); // nothing sent while dragging
    pointer(hist, "pointerup", 240);
    const sent = lastSaved(model, "threshold");
    expect(model.saved.length).toBe(before + 1);
    expect(sent).toBe(Number($("threshold-handle").getAttribute("aria-valuenow")));
    expect(Number($("anomaly-count").dataset.value)).toBe(countBelow(c.sorted, sent));
    expect(Number($("percentile").dataset.value)).toBe((100 * countBelow(c.sorted, sent)) / 200);
  });

  it("moves with the keyboard and commits once the keys settle", () => {
    const { $, model, c } = setup();
    const handle = $("threshold-handle");
    const t0 = model.get("threshold");
    const key = (k, shift = false) =>
      handle.dispatchEvent(
        new KeyboardEvent("keydown", { key: k, shiftKey: shift, bubbles: true, cancelable: true }),
      );
    key("ArrowRight");
    key("ArrowRight");
    vi.advanceTimersByTime(20);
    const moved = Number(handle.getAttribute("aria-valuenow"));
    expect(moved).toBeGreaterThan(t0);
    expect(lastSaved(model, "threshold")).toBeUndefined();
    vi.advanceTimersByTime(400);
    expect(lastSaved(model, "threshold")).toBe(moved);
    // Shift+arrow: exactly one more point flagged.
    const n0 = countBelow(c.sorted, moved);
    key("ArrowRight", true);
    vi.advanceTimersByTime(400);
    expect(countBelow(c.sorted, lastSaved(model, "threshold"))).toBe(n0 + 1);
    key("Home");
    vi.advanceTimersByTime(400);
    expect(Number($("anomaly-count").dataset.value)).toBe(0);
    key("End");
    vi.advanceTimersByTime(400);
    expect(Number($("anomaly-count").dataset.value)).toBe(200);
    // Other keys are left alone.
    const other = new KeyboardEvent("keydown", { key: "a", bubbles: true, cancelable: true });
    handle.dispatchEvent(other);
    expect(other.defaultPrevented).toBe(false);
  });

  it(
    "follows a threshold set in Python, " + "and a user's threshold survives unrelated changes",
    async () => {
      const { $, model, view } = setup();
      model.fromKernel("threshold", -8.5);
      vi.advanceTimersByTime(20);
      expect(Number($("threshold-handle").getAttribute("aria-valuenow"))).toBe(-8.5);
      // Unrelated changes: a theme/size relayout, a view change, a status message.
      view.relayout();
      model.fromKernel("message", "");
      model.fromKernel("y_feature", 1);
      await Promise.resolve();
      vi.advanceTimersByTime(20);
      expect(Number($("threshold-handle").getAttribute("aria-valuenow"))).toBe(-8.5);
      expect(model.saved.filter((s) => "threshold" in s && s.threshold !== -8.5)).toEqual([]);
    },
  );

  it("a view change while keyed moves are pending keeps the keyed threshold", async () => {
    const { $, model } = setup({ d: 3 });
    const handle = $("threshold-handle");
    handle.dispatchEvent(
      new KeyboardEvent("keydown", { key: "PageUp", bubbles: true, cancelable: true }),
    );
    const keyed = Number(handle.getAttribute("aria-valuenow"));
    model.fromKernel("x_feature", 2); // arrives before the debounced commit
    await Promise.resolve();
    vi.advanceTimersByTime(20);
    expect(Number(handle.getAttribute("aria-valuenow"))).toBe(keyed);
    vi.advanceTimersByTime(400);
    expect(lastSaved(model, "threshold")).toBe(keyed);
    expect(Number(handle.getAttribute("aria-valuenow"))).toBe(keyed);
  });

  it("ignores the kernel while the user drags", () => {
    const { $, model } = setup();
    const hist = $("score-histogram");
    pointer(hist, "pointerdown", 150);
    vi.advanceTimersByTime(20);
    const dragged = Number($("threshold-handle").getAttribute("aria-valuenow"));
    model.fromKernel("threshold", -20);
    vi.advanceTimersByTime(20);
    expect(Number($("threshold-handle").getAttribute("aria-valuenow"))).toBe(dragged);
    pointer(hist, "pointerup", 150);
    expect(lastSaved(model, "threshold")).toBe(dragged);
  });

  it("the flag-% box sets contamination and previews np.percentile's threshold", () => {
    const { $, model, c } = setup();
    const input = $("contamination-input");
    input.value = "10";
    input.dispatchEvent(new Event("change"));
    expect(lastSaved(model, "contamination")).toBe(0.1);
    const expected = thresholdFromContamination(c.sorted, 0.1);
    expect(Number($("threshold-handle").getAttribute("aria-valuenow"))).toBe(expected);
    input.value = "70";
    input.dispatchEvent(new Event("change"));
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(lastSaved(model, "contamination")).toBe(0.1);
  });

  it("best F1 and a click on the PR curve commit a threshold", () => {
    const { $, model, c } = setup();
    $("best-f1").click();
    const t = lastSaved(model, "threshold");
    const index = new ScoreIndex(
      c.sorted,
      Uint8Array.from(c.order, (i) => c.labels[i]),
    );
    expect(index.summary(t).metrics.f1).toBe(index.bestF1().f1);
    expect(Number($("f1").dataset.value)).toBe(index.bestF1().f1);
    // The first point of the curve flags the lowest score alone.
    const [, x, y] = /^M([\d.]+),([\d.]+)/.exec($("pr-line").getAttribute("d")).map(Number);
    $("pr-curve").dispatchEvent(
      new MouseEvent("pointerdown", { clientX: x + 2, clientY: y - 1, bubbles: true }),
    );
    expect(countBelow(c.sorted, lastSaved(model, "threshold"))).toBe(1);
    expect($("anomaly-count").dataset.value).toBe("1");
  });

  it("the refit button sends a message, shows progress and the before/after counts", () => {
    const { $, model } = setup();
    const refit = $("refit");
    expect(refit.textContent).toBe(refitLabel(10));
    expect($("undo-refit").disabled).toBe(true);
    refit.click();
    expect(model.send).toHaveBeenCalledWith({ type: "refit" });
    model.fromKernel("busy", true);
    expect($("refit").disabled).toBe(true);
    expect($("refit-status").textContent).toMatch(/Refitting/);
    const info = {
      n_samples: 200,
      n_removed: 10,
      n_kept: 190,
      n_flagged_before: 10,
      n_flagged_after: 10,
      n_removed_still_flagged: 9,
      n_refits: 1,
      rule: "contamination",
    };
    model.fromKernel("refit_info", info);
    model.fromKernel("n_refits", 1);
    model.fromKernel("busy", false);
    expect($("refit-status").textContent).toBe(refitStatus(info));
    expect($("refit-status").textContent).toMatch(/190 of 200 points \(10 removed\)/);
    expect($("undo-refit").disabled).toBe(false);
    $("undo-refit").click();
    expect(model.send).toHaveBeenLastCalledWith({ type: "undo" });
    model.fromKernel("message", "ValueError: boom");
    expect($("refit-status").textContent).toBe("ValueError: boom");
    expect($("refit-status").classList.contains("gmm-status-error")).toBe(true);
  });

  it("disables the refit when nothing is flagged", () => {
    const { $, model } = setup();
    model.fromKernel("threshold", -1e9);
    vi.advanceTimersByTime(20);
    expect($("refit").disabled).toBe(true);
  });

  it("takes a new model's scores and threshold in one go (a refit)", async () => {
    const { $, model, c } = setup();
    const shifted = c.sorted.map((s) => s - 1);
    model.state._sorted_scores = enc(Array.from(shifted), [200], "float64");
    model.state._display_scores = enc(
      c.scores.map((s) => s - 1),
      [200],
      "float64",
    );
    const t = thresholdFromContamination(shifted, 0.05);
    model.fromKernel("_sorted_scores", model.state._sorted_scores);
    model.fromKernel("_display_scores", model.state._display_scores);
    model.fromKernel("threshold", t);
    await Promise.resolve();
    vi.advanceTimersByTime(20);
    expect(Number($("threshold-handle").getAttribute("aria-valuenow"))).toBe(t);
    expect(Number($("anomaly-count").dataset.value)).toBe(countBelow(shifted, t));
  });

  it("draws the data with ellipses, the decision boundary and a hover read-out", () => {
    const { $, $$, el, view } = setup();
    expect($$("ellipse").length).toBe(4);
    expect($("decision-boundary").getAttribute("d")).toMatch(/^M/);
    expect($("flagged-points").tagName).toBe("CANVAS");
    const legend = $("legend").textContent;
    expect(legend).toContain("labelled anomaly");
    expect(legend).toContain("log p(x) = threshold");
    // Hover the first point (happy-dom has no layout: client coordinates are plot pixels).
    const [px, py] = view.dataPlot.position(0);
    el.querySelector(".gmm-plot").dispatchEvent(
      new MouseEvent("pointermove", { clientX: px, clientY: py, bubbles: true }),
    );
    const tip = $("hover-info");
    expect(tip.hidden).toBe(false);
    expect(tip.textContent).toContain("row 0");
    expect(tip.textContent).toContain("log-density");
    expect(tip.textContent).toContain("label: anomaly");
    expect(tip.querySelectorAll(".gmm-resp").length).toBe(2);
    expect($("hover-ring").getAttribute("visibility")).toBeNull();
    el.querySelector(".gmm-plot").dispatchEvent(new MouseEvent("pointerleave"));
    expect(tip.hidden).toBe(true);
  });

  it("without labels: no metrics, no PR curve, no best-F1 button", () => {
    const { $ } = setup({ labels: false });
    expect($("metrics").hidden).toBe(true);
    expect($("best-f1").hidden).toBe(true);
    expect($("legend").textContent).not.toContain("labelled anomaly");
  });

  it("1-D data: histogram, mixture density, shaded zone, a rug and hover", () => {
    const { $, $$, el, view, c } = setup({ d: 1 });
    expect($("mixture-density").getAttribute("d")).toMatch(/^M/);
    expect($$("component-density").length).toBe(2);
    expect($("flagged-points").tagName).toBe("CANVAS");
    expect($("threshold-handle")).not.toBeNull();
    const i = c.order[0]; // the lowest score: flagged
    const [px, py] = view.dataPlot.position(i);
    el.querySelector(".gmm-plot").dispatchEvent(
      new MouseEvent("pointermove", { clientX: px, clientY: py, bubbles: true }),
    );
    expect($("hover-info").hidden).toBe(false);
    expect($("hover-info").textContent).toContain("flagged");
    expect($("hover-ring").getAttribute("visibility")).toBeNull();
  });

  it("stacks the panels in a narrow output area", () => {
    const { view, el } = setup();
    view.measureWidth = () => 500;
    view.relayout();
    const body = el.querySelector(".gmm-ai-body");
    expect(body.classList.contains("gmm-stacked")).toBe(true);
    expect(el.querySelector(".gmm-ai-left").style.width).toBe("500px");
    expect(el.querySelector(".gmm-ai-right").style.width).toBe("500px");
  });

  it("d > 2: feature pickers, marginal ellipses, no boundary", () => {
    const { $, model } = setup({ d: 4 });
    expect($("x-feature")).not.toBeNull();
    expect($("decision-boundary").getAttribute("d") || "").toBe("");
    $("y-feature").value = "3";
    $("y-feature").dispatchEvent(new Event("change"));
    expect(lastSaved(model, "y_feature")).toBe(3);
  });

  it("a density model that is not a mixture: scores only", () => {
    const { $, $$ } = setup({ mixture: false });
    expect($$("ellipse").length).toBe(0);
    expect($("threshold-handle")).not.toBeNull();
    expect($("legend").textContent).not.toContain("w=");
  });

  it("exports the numbers as an SVG caption", () => {
    const { view, $ } = setup();
    const text = view.exportCaption(700, 40).textContent;
    expect(text).toContain(`flagged 10 of 200 points (5.0 %)`);
    expect(text).toContain(`F1 ${Number($("f1").dataset.value).toFixed(3)}`);
  });

  it("records render times for the performance probe", () => {
    const { $ } = setup();
    const root = $("anomaly-inspector");
    expect(root.gmmPerf.renderTimes().length).toBeGreaterThan(0);
    root.gmmPerf.reset();
    expect(root.gmmPerf.renderTimes().length).toBe(0);
  });

  it("the entry point renders and cleans up its listeners", () => {
    const c = makeCase();
    const model = mockModel(c.state);
    model.send = vi.fn();
    const el = document.createElement("div");
    const cleanup = widget.render({ model, el });
    expect(el.querySelector('[data-gmm-role="threshold-handle"]')).not.toBeNull();
    expect(model.listenerCount()).toBeGreaterThan(0);
    cleanup();
    expect(model.listenerCount()).toBe(0);
    expect(el.children.length).toBe(0);
  });
});

describe("keyboard steps", () => {
  const sorted = Float64Array.from([0, 1, 2, 3, 4]);
  const s = { index: new ScoreIndex(sorted), lo: 0, hi: 4 };
  it("arrows by 1/200 of the range, pages by 1/20, Home/End to the ends", () => {
    expect(keyStep("ArrowRight", false, 2, s)).toBeCloseTo(2.02, 12);
    expect(keyStep("ArrowDown", false, 2, s)).toBeCloseTo(1.98, 12);
    expect(keyStep("PageUp", false, 2, s)).toBeCloseTo(2.2, 12);
    expect(keyStep("Home", false, 2, s)).toBe(0);
    expect(countBelow(sorted, keyStep("End", false, 2, s))).toBe(5);
    expect(keyStep("ArrowLeft", false, 0, s)).toBe(0);
    expect(keyStep("Enter", false, 2, s)).toBeNull();
  });
});

describe("read-out text", () => {
  it("formats counts, percentages, statuses and hover lines", () => {
    expect(countLabel({ count: 1234, n: 100000, percentile: 1.234 })).toBe(
      "1,234 of 100,000 points (1.234 %)",
    );
    expect(formatPercent(4, 1000)).toBe("4.0 %");
    expect(refitLabel(1)).toBe("Refit without 1 anomaly");
    expect(refitStatus({})).toBe("");
    expect(
      refitStatus({
        n_samples: 10,
        n_kept: 9,
        n_removed: 1,
        n_flagged_after: 1,
        n_removed_still_flagged: 1,
        n_refits: 2,
        rule: "percentile",
      }),
    ).toMatch(/^Refit #2: .*same fraction flagged/);
    expect(hoverLines({ row: 5, score: -3.25, flagged: true, label: null })).toEqual([
      "row 5 \u00b7 flagged",
      "log-density \u22123.250",
    ]);
  });
});

describe("ids of SVG defs", () => {
  it(
    "are unique and carry a per-bundle token, " +
      "so two widgets on a page never share a clip path",
    async () => {
      const { uniqueId } = await import("../src/lib/dom.js");
      const a = uniqueId("gmm-clip");
      const b = uniqueId("gmm-clip");
      expect(a).not.toBe(b);
      expect(a).toMatch(/^gmm-clip-[a-z0-9]+-\d+$/);
      document.body.replaceChildren();
      for (let k = 0; k < 2; k++) {
        const c = makeCase();
        const el = document.createElement("div");
        document.body.appendChild(el);
        const model = mockModel(c.state);
        model.send = () => {};
        new AnomalyInspectorView(model, el, { raf: (cb) => cb() });
      }
      const ids = [...document.querySelectorAll("clipPath")].map((n) => n.id);
      expect(ids.length).toBeGreaterThanOrEqual(6);
      expect(new Set(ids).size).toBe(ids.length);
      document.body.replaceChildren();
    },
  );
});

describe("RenderProbe", () => {
  it("keeps the last renders, oldest first", async () => {
    const { RenderProbe } = await import("../src/lib/perf.js");
    const probe = new RenderProbe(3);
    for (let k = 0; k < 5; k++) probe.stop(probe.start() - k); // k ms ago
    const el = document.createElement("div");
    probe.attach(el);
    const times = el.gmmPerf.renderTimes();
    expect(times.length).toBe(3);
    expect(times.map(Math.round)).toEqual([2, 3, 4]);
    expect(el.gmmPerf.renderStamps().length).toBe(3);
    el.gmmPerf.reset();
    expect(el.gmmPerf.renderTimes()).toEqual([]);
  });
});

describe("AnomalyInspector view: the chosen density and a clicked point", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    document.body.replaceChildren();
  });

  it("names the density the widget chose, and nothing for a given model", () => {
    const { $, model } = setup({}, { model_choice: "K=2, full: best BIC of 40 fits" });
    expect($("model-choice").textContent).toBe("density: K=2, full: best BIC of 40 fits");
    model.set("model_choice", "");
    expect($("model-choice").hidden).toBe(true);
  });

  it("a click on a point sets explain_row; Python's explanation fills the panel", () => {
    const { $, el, model, view } = setup({}, { explain_row: null, explanation: {} });
    const [px, py] = view.dataPlot.position(3);
    el.querySelector(".gmm-plot").dispatchEvent(
      new MouseEvent("click", { clientX: px, clientY: py, bubbles: true }),
    );
    expect(lastSaved(model, "explain_row")).toBe(3);
    expect($("explanation").hidden).toBe(true); // until Python answers
    model.set("explanation", {
      row: 3,
      log_density: -2.5,
      percentile: 40,
      flagged: false,
      component: 1,
      responsibility: 0.9,
      mahalanobis: 1.2,
      features: [{ name: "x0", value: 1, mean: 0.5, z: 1.2, contribution: 1.44, share: 1 }],
    });
    expect($("explanation").hidden).toBe(false);
    expect($("explanation-title").textContent).toBe("Row 3: not flagged");
    $("explanation-close").click();
    expect(lastSaved(model, "explain_row")).toBeNull();
    expect($("explanation").hidden).toBe(true);
  });
});

describe("AnomalyInspector view: the threshold on new data", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    document.body.replaceChildren();
  });

  it("follows every frame of a drag, before Python hears of it", () => {
    const newSorted = Array.from({ length: 100 }, (_, i) => -12 + i * 0.1);
    const { $, model, view } = setup(
      {},
      { _sorted_new_scores: enc(newSorted, [100], "float64"), _sorted_new_labels: null },
    );
    vi.runAllTimers();
    expect($("held-out").hidden).toBe(false);
    const before = Number($("held-out-count").dataset.value);
    view.preview(-6.95); // 51 new scores are below -6.95
    vi.runAllTimers();
    expect(Number($("held-out-count").dataset.value)).toBe(51);
    expect(before).not.toBe(51);
    expect(lastSaved(model, "threshold")).toBeUndefined();
  });
});

describe("AnomalyInspector view: the density model's settings", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    document.body.replaceChildren();
  });
  const settings = {
    model_controls: true,
    n_components: 2,
    covariance_type: "full",
    random_state: 0,
    n_init: 1,
    k_min: 1,
    k_max: 10,
    max_n_init: 50,
    fit_progress: {},
  };

  it("shows K, covariance, seed and n_init, and sends a change to Python", () => {
    const { $, model } = setup({}, settings);
    expect($("model-settings").hidden).toBe(false);
    expect($("k-slider").value).toBe("2");
    expect($("init-method")).toBeNull(); // the explorer's init controls are not offered
    expect($("reset-init")).toBeNull();
    $("covariance-type").value = "diag";
    $("covariance-type").dispatchEvent(new Event("change"));
    expect(lastSaved(model, "covariance_type")).toBe("diag");
    $("k-slider").value = "4";
    $("k-slider").dispatchEvent(new Event("change"));
    expect(lastSaved(model, "n_components")).toBe(4);
  });

  it("shows the refit's progress, then the settings it used", () => {
    const { $, model } = setup({}, settings);
    model.set("busy", true);
    model.set("fit_progress", { init: 2, n_init: 3, n_iter: 14, lower_bound: -2.5 });
    expect($("refit-status").textContent).toBe(
      "Refitting: init 2 of 3, iteration 14, lower bound \u22122.50000\u2026",
    );
    model.set("busy", false);
    model.set("fit_progress", {});
    model.set("refit_info", {
      kind: "settings",
      n_samples: 200,
      n_refits: 1,
      rule: "contamination",
      n_components: 4,
      covariance_type: "diag",
      random_state: 0,
      n_init: 3,
    });
    expect($("refit-status").textContent).toContain("K=4, diag, seed 0, n_init 3");
    expect($("undo-refit")).not.toBeNull();
  });

  it("hides the settings for a density that has none", () => {
    const { $ } = setup({}, { ...settings, model_controls: false });
    expect($("model-settings").hidden).toBe(true);
  });
});
