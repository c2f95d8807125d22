import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import widget from "../src/fit_player.js";
import { FitPlayerView } from "../src/fit_player/view.js";
import {
  enc,
  makeData,
  makeFrames,
  mockModel,
  packMessage,
  playerAtStart,
  sliceFrames,
} from "./helpers.js";

function setup(overrides = {}, options = {}) {
  const model = mockModel({
    data: makeData(40, 2),
    n_samples: 40,
    feature_names: ["x0", "x1"],
    frames: makeFrames({ F: 6, K: 3, d: 2 }),
    ...playerAtStart(),
    ...overrides,
  });
  const el = document.createElement("div");
  document.body.appendChild(el);
  const view = new FitPlayerView(model, el, options);
  const $ = (role) => el.querySelector(`[data-gmm-role="${role}"]`);
  const $$ = (role) => el.querySelectorAll(`[data-gmm-role="${role}"]`);
  return { model, el, view, $, $$ };
}

const lastSaved = (model, key) => {
  const s = model.saved.filter((x) => key in x);
  return s.length ? s[s.length - 1][key] : undefined;
};

describe("FitPlayer view", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    document.body.replaceChildren();
  });

  it("renders real, labelled controls with data-gmm-role handles", () => {
    const { $ } = setup();
    for (const role of ["play", "step", "step-back"]) {
      expect($(role).tagName).toBe("BUTTON");
      expect($(role).getAttribute("aria-label")).toBeTruthy();
    }
    expect($("scrub").tagName).toBe("INPUT");
    expect($("scrub").type).toBe("range");
    expect($("scrub").max).toBe("5");
    expect($("speed").tagName).toBe("SELECT");
    expect($("speed").value).toBe("10");
    expect($("iteration").textContent).toBe("iter 0 / 5");
    expect($("step-back").disabled).toBe(true);
  });

  it("draws 1 and 2 sigma ellipses and a mean marker per component, and a legend", () => {
    const { $$, $ } = setup();
    const ellipses = $$("ellipse");
    expect(ellipses).toHaveLength(6);
    expect([...ellipses].map((e) => e.getAttribute("data-sigma")).sort()).toEqual([
      "1",
      "1",
      "1",
      "2",
      "2",
      "2",
    ]);
    for (const e of ellipses) expect(e.getAttribute("d")).toMatch(/^M[\d.-]+,[\d.-]+L.*Z$/);
    expect($$("mean")).toHaveLength(3);
    expect($("legend").children).toHaveLength(3);
    expect($("legend").textContent).toContain("w=0.333");
  });

  it("steps forward and back, and sends the frame index to Python at once", () => {
    const { $, model } = setup();
    const before = $$path($, 1);
    $("step").click();
    expect($("iteration").textContent).toBe("iter 1 / 5");
    expect(model.get("frame")).toBe(1);
    expect(lastSaved(model, "frame")).toBe(1);
    expect($$path($, 1)).not.toBe(before); // the means moved between frames
    $("step").click();
    $("step-back").click();
    expect(model.get("frame")).toBe(1);
    expect($("scrub").value).toBe("1");
  });

  it("plays in the browser, syncing the frame debounced, and stops at the end", () => {
    const { $, model } = setup();
    $("play").click();
    expect($("play").getAttribute("aria-label")).toBe("Pause");
    expect(model.get("playing")).toBe(true);
    vi.advanceTimersByTime(100);
    expect($("iteration").textContent).toBe("iter 1 / 5");
    vi.advanceTimersByTime(1000);
    expect($("iteration").textContent).toBe("iter 5 / 5");
    expect(model.get("playing")).toBe(false);
    expect(model.get("frame")).toBe(5);
    const frameSaves = model.saved.filter(
      (s, i) => i === 0 || s.frame !== model.saved[i - 1].frame,
    );
    expect(frameSaves.length).toBeLessThan(6); // debounced, not one message per frame
  });

  it("pauses with the play button and flushes the frame", () => {
    const { $, model } = setup();
    $("play").click();
    vi.advanceTimersByTime(250);
    $("play").click();
    expect(model.get("playing")).toBe(false);
    expect(model.get("frame")).toBe(2);
    vi.advanceTimersByTime(1000);
    expect(model.get("frame")).toBe(2);
  });

  it("scrubs and changes speed", () => {
    const { $, model } = setup();
    const scrub = $("scrub");
    scrub.value = "4";
    scrub.dispatchEvent(new Event("input"));
    expect(model.get("frame")).toBe(4);
    const speed = $("speed");
    speed.value = "2";
    speed.dispatchEvent(new Event("change"));
    expect(model.get("fps")).toBe(2);
  });

  it("is keyboard operable", () => {
    const { el, $, model } = setup();
    const root = el.querySelector(".gmm-fit-player");
    expect(root.getAttribute("tabindex")).toBe("0");
    root.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
    root.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
    expect(model.get("frame")).toBe(2);
    root.dispatchEvent(new KeyboardEvent("keydown", { key: "End", bubbles: true }));
    expect($("iteration").textContent).toBe("iter 5 / 5");
    root.dispatchEvent(new KeyboardEvent("keydown", { key: " ", bubbles: true }));
    expect(model.get("playing")).toBe(true);
  });

  it("follows a frame index and playing state set from Python", () => {
    const { $, model } = setup();
    model.fromKernel("frame", 3);
    expect($("iteration").textContent).toBe("iter 3 / 5");
    model.fromKernel("playing", true);
    vi.advanceTimersByTime(100);
    expect($("iteration").textContent).toBe("iter 4 / 5");
  });

  it("shows the converged badge on the converged frame only", () => {
    const { $, model } = setup();
    expect($("converged-badge").hidden).toBe(true);
    model.fromKernel("frame", 5);
    expect($("converged-badge").hidden).toBe(false);
    expect($("converged-badge").textContent).toBe("converged");
  });

  it("says max_iter reached when the last frame did not converge", () => {
    const { $, model } = setup({
      frames: makeFrames({ F: 4, K: 2, converged: false, maxIter: 3 }),
    });
    model.fromKernel("frame", 3);
    expect($("converged-badge").textContent).toBe("max_iter reached");
  });

  it("draws the lower-bound trace with the current iteration marked", () => {
    const { $, model } = setup();
    expect($("trace-marker").getAttribute("visibility")).toBe("hidden"); // n_iter 0: -inf
    model.fromKernel("frame", 2);
    expect($("trace-marker").getAttribute("visibility")).toBeNull();
    const line = $("trace").querySelector(".gmm-trace-line").getAttribute("d");
    expect(line.match(/[ML]/g)).toHaveLength(5); // iterations 1..5 (n_iter 0 is -inf)
  });

  it("plays frames streamed by custom messages while the kernel fits", () => {
    const all = makeFrames({ F: 6, K: 3 });
    const { $, model } = setup({ frames: {}, status: "fitting" });
    expect($("empty").hidden).toBe(false);
    model.emit(
      "msg:custom",
      ...packMessage("frames", { start: 0, frames: sliceFrames(all, 0, 2) }),
    );
    expect($("empty").hidden).toBe(true);
    expect($("scrub").max).toBe("1");
    expect($("converged-badge").textContent).toBe("fitting\u2026");
    vi.advanceTimersByTime(500);
    expect($("iteration").textContent).toBe("iter 1 / 1");
    model.emit(
      "msg:custom",
      ...packMessage("frames", { start: 2, frames: sliceFrames(all, 2, 5) }),
    );
    vi.advanceTimersByTime(100);
    expect($("iteration").textContent).toBe("iter 4 / 4"); // follows the fit
    model.emit(
      "msg:custom",
      ...packMessage("frames", { start: 5, frames: sliceFrames(all, 5, 6) }),
    );
    // The fit ends: the kernel sends the whole batch and the status.
    model.fromKernel("frames", all);
    model.fromKernel("status", "done");
    vi.advanceTimersByTime(2000);
    expect($("iteration").textContent).toBe("iter 5 / 5");
    expect($("converged-badge").textContent).toBe("converged");
  });

  it("ignores unrelated custom messages", () => {
    const { model, view } = setup();
    model.emit("msg:custom", { type: "something-else" }, []);
    expect(view.store.length).toBe(6);
  });

  it("draws a stacked histogram with component and mixture densities for 1-D data", () => {
    const frames = makeFrames({ F: 3, K: 2, d: 1, type: "spherical" });
    const { el, $, $$ } = setup({
      data: makeData(60, 1),
      n_samples: 60,
      feature_names: ["height"],
      frames,
    });
    expect(el.querySelector("canvas")).toBeNull();
    const bars = el.querySelectorAll(".gmm-bars rect");
    expect(bars.length % 2).toBe(0);
    expect(bars.length).toBeGreaterThanOrEqual(20);
    expect($$("component-density")).toHaveLength(2);
    expect($("mixture-density").getAttribute("d")).toMatch(/^M/);
    expect($$("mean")).toHaveLength(2);
    expect($$("sigma-interval")).toHaveLength(4);
    expect(el.querySelector(".gmm-axis-title").textContent).toBe("height");
  });

  it("lets the user pick two features, or PCA, when d > 2", () => {
    const d = 4;
    const pca = {
      components: enc([0.5, 0.5, 0.5, 0.5, 0.5, -0.5, 0.5, -0.5], [2, d]),
      mean: enc([0, 0, 0, 0], [d]),
      explained_variance_ratio: enc([0.6, 0.3], [2]),
    };
    const { el, $, model } = setup({
      data: makeData(30, d),
      n_samples: 30,
      feature_names: ["a", "b", "c", "e"],
      frames: makeFrames({ F: 3, K: 2, d }),
      pca,
    });
    const titles = () =>
      [...el.querySelectorAll(".gmm-plot .gmm-axis-title")].map((t) => t.textContent);
    expect(titles()).toEqual(["a", "b"]);
    const x = $("x-feature");
    x.value = "2";
    x.dispatchEvent(new Event("change"));
    expect(model.get("x_feature")).toBe(2);
    expect(titles()).toEqual(["c", "b"]);
    const proj = $("projection");
    proj.value = "pca";
    proj.dispatchEvent(new Event("change"));
    expect(model.get("projection")).toBe("pca");
    expect(titles()).toEqual(["PC1 (60.0% var.)", "PC2 (30.0% var.)"]);
    expect($("x-feature").disabled).toBe(true);
    expect(el.querySelectorAll('[data-gmm-role="ellipse"]')).toHaveLength(4);
  });

  it("says how many points are shown when the data were subsampled", () => {
    const { $ } = setup({ n_samples: 2000000 });
    expect($("points-info").textContent).toMatch(/40 of 2,000,000 points shown/);
  });

  it("shows an empty plot before any fit", () => {
    const { $ } = setup({ frames: {}, status: "idle" });
    expect($("empty").hidden).toBe(false);
    expect($("play").disabled).toBe(true);
    expect($("iteration").textContent).toBe("no frames");
  });

  it("takes options from a view that embeds it: empty text, a hook after drawing, export", () => {
    const drawn = [];
    const exported = [];
    let player = null; // the hook runs while the view is built, too
    const { $, model, view } = setup(
      {},
      {
        emptyText: "Fitting\u2026",
        onRender: () => drawn.push(player ? player.playback.index : "building"),
        onExport: (format) => exported.push(format),
      },
    );
    player = view;
    expect($("empty").textContent).toBe("Fitting\u2026");
    expect(drawn.length).toBeGreaterThan(0); // every drawing, the first ones too
    drawn.length = 0;
    $("step").click();
    expect(drawn).toEqual([1]);
    model.fromKernel("frames", {});
    expect($("empty").hidden).toBe(false);
    expect(drawn.length).toBeGreaterThan(1); // the empty state is a drawing too
    $("export-png").click();
    $("export-svg").click();
    expect(exported).toEqual(["png", "svg"]);
  });

  it("removes its listeners and DOM when destroyed (the anywidget render contract)", () => {
    const model = mockModel({
      data: makeData(10, 2),
      n_samples: 10,
      feature_names: [],
      frames: makeFrames({ F: 2 }),
      frame: 0,
      playing: false,
      fps: 5,
      status: "done",
      source: "fit",
      projection: "features",
      x_feature: 0,
      y_feature: 1,
      pca: {},
    });
    const el = document.createElement("div");
    const cleanup = widget.render({ model, el });
    expect(model.listenerCount()).toBeGreaterThan(5);
    expect(el.children).toHaveLength(1);
    cleanup();
    expect(model.listenerCount()).toBe(0);
    expect(el.children).toHaveLength(0);
  });
});

function $$path($, k) {
  return $("plot")
    .querySelector(`[data-gmm-role="ellipse"][data-component="${k}"]`)
    .getAttribute("d");
}
