import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import widget from "../src/mixture_explorer.js";
import { decodeArray } from "../src/lib/codecs.js";
import { KEY_COMMIT_DELAY } from "../src/mixture_explorer/mean_handles.js";
import { parseIntIn, parseSeed } from "../src/lib/mixture_controls.js";
import {
  controlsMatch,
  currentControls,
  handlePositions,
  initModeText,
  readoutRows,
} from "../src/mixture_explorer/state.js";
import { MixtureExplorerView } from "../src/mixture_explorer/view.js";
import { enc, makeData, makeFrames, mockModel, packMessage } from "./helpers.js";

const INITIAL = [
  [0.1, 0.2],
  [4.2, 4.1],
  [8.0, 8.3],
];
const SCORES = {
  log_likelihood: -2.5,
  bic: 210.5,
  aic: 200.25,
  icl: 215.0,
  n_iter: 5,
  converged: true,
  n_parameters: 17,
  n_samples: 40,
};

function controls(over = {}) {
  return {
    n_components: 3,
    covariance_type: "full",
    random_state: 0,
    n_init: 1,
    init_params: "kmeans",
    handles: null,
    ...over,
  };
}

/** A fit result as Python's MixtureExplorer._send_result builds it. */
function result(over = {}) {
  const c = over.controls || controls();
  const K = c.n_components;
  const initial = over.initial || INITIAL.slice(0, K);
  return {
    request: 0,
    source: "fit",
    frames: makeFrames({ F: over.F || 6, K }),
    initial_means: enc(initial, [K, 2], "float64"),
    scores: SCORES,
    previous: null,
    ...over,
    controls: {
      ...c,
      handles: c.handles ? enc(c.handles, [c.handles.length, 2], "float64") : null,
    },
  };
}

/** The view; `opts.browserFit: false` (the default here): kernel fits only. */
function setup(overrides = {}, opts = { browserFit: false }) {
  const model = mockModel({
    data: makeData(40, 2),
    n_samples: 40,
    feature_names: ["x0", "x1"],
    projection: "features",
    x_feature: 0,
    y_feature: 1,
    pca: {},
    fps: 20,
    animate: false,
    ...controls(),
    request: 0,
    k_min: 1,
    k_max: 10,
    max_n_init: 50,
    result: result(),
    error: {},
    busy: false,
    ...overrides,
  });
  const el = document.createElement("div");
  document.body.appendChild(el);
  const view = new MixtureExplorerView(model, el, opts);
  const $ = (role) => el.querySelector(`[data-gmm-role="${role}"]`);
  const $$ = (role) => el.querySelectorAll(`[data-gmm-role="${role}"]`);
  const state = () => el.querySelector(".gmm-mixture-explorer").dataset.gmmState;
  return { model, el, view, $, $$, state };
}

const pointer = (type, x, y) =>
  new PointerEvent(type, { clientX: x, clientY: y, bubbles: true, pointerId: 1, button: 0 });
const translate = (node) =>
  node
    .getAttribute("transform")
    .match(/translate\(([-\d.]+),([-\d.]+)\)/)
    .slice(1)
    .map(Number);
const handlesOf = (model) => {
  const a = decodeArray(model.get("handles"));
  return Array.from({ length: a.shape[0] }, (_, k) => Array.from(a.data.slice(k * 2, k * 2 + 2)));
};

describe("MixtureExplorer state logic", () => {
  it("a fit matches only the controls it was made with, handles compared exactly", () => {
    const model = mockModel(controls({ handles: enc(INITIAL, [3, 2], "float64") }));
    const now = currentControls(model);
    expect(controlsMatch(result({ controls: controls({ handles: INITIAL }) }).controls, now)).toBe(
      true,
    );
    const moved = INITIAL.map((r) => r.slice());
    moved[2][1] += 1e-12;
    expect(controlsMatch(result({ controls: controls({ handles: moved }) }).controls, now)).toBe(
      false,
    );
    expect(controlsMatch(result().controls, now)).toBe(false); // automatic vs handles
    expect(
      controlsMatch(result({ controls: controls({ handles: INITIAL, n_init: 2 }) }).controls, now),
    ).toBe(false);
    expect(controlsMatch(null, now)).toBe(false);
  });

  it("random_state null (no seed) matches null, not 0", () => {
    const model = mockModel(controls({ random_state: null }));
    expect(
      controlsMatch(
        result({ controls: controls({ random_state: null }) }).controls,
        currentControls(model),
      ),
    ).toBe(true);
    expect(controlsMatch(result().controls, currentControls(model))).toBe(false);
  });

  it("handle positions: the handles asked for, else the automatic init, then previews", () => {
    const initial = decodeArray(enc(INITIAL, [3, 2], "float64"));
    const asked = decodeArray(
      enc(
        [
          [1, 1],
          [2, 2],
        ],
        [2, 2],
        "float64",
      ),
    );
    expect(handlePositions(null, initial, 3).map((r) => Array.from(r))).toEqual(INITIAL);
    expect(handlePositions(null, initial, 2)).toHaveLength(2); // K lowered, kernel not answered yet
    expect(handlePositions(asked, initial, 2).map((r) => Array.from(r))).toEqual([
      [1, 1],
      [2, 2],
    ]);
    const previews = new Map([
      [1, Float64Array.from([9, 9])],
      [7, Float64Array.from([0, 0])],
    ]);
    expect(handlePositions(asked, initial, 2, previews).map((r) => Array.from(r))).toEqual([
      [1, 1],
      [9, 9],
    ]);
    expect(handlePositions(null, null, 3)).toEqual([]);
  });

  it("read-out rows compare with the previous fit; lower is better for the criteria", () => {
    const rows = readoutRows(SCORES, {
      ...SCORES,
      bic: 300,
      log_likelihood: -2.4,
      n_iter: 9,
      converged: false,
    });
    const by = Object.fromEntries(rows.map((r) => [r.key, r]));
    expect(by.bic.verdict).toBe("better");
    expect(by.bic.delta).toBe("\u221289.50");
    expect(by.log_likelihood.verdict).toBe("worse");
    expect(by.aic.verdict).toBe("same");
    expect(by.n_iter.delta).toBe("-4");
    expect(by.converged.now).toBe("yes");
    expect(by.converged.before).toBe("no");
    expect(readoutRows(SCORES, null).every((r) => r.before === "" && r.verdict === null)).toBe(
      true,
    );
  });

  it("says where the initial means come from", () => {
    expect(initModeText(controls())).toBe("initial means: automatic (kmeans, seed 0)");
    expect(initModeText(controls({ random_state: null, n_init: 4 }))).toBe(
      "initial means: automatic (kmeans, random seed, best of 4)",
    );
    expect(initModeText(controls({ handles: {} }))).toMatch(/^initial means: the handles/);
  });

  it("parses the seed and n_init fields", () => {
    expect(parseSeed(" 42 ")).toBe(42);
    expect(parseSeed("")).toBeNull();
    expect(parseSeed("-1")).toBeUndefined();
    expect(parseSeed("1.5")).toBeUndefined();
    expect(parseSeed(String(2 ** 32))).toBeUndefined();
    expect(parseIntIn("3", 1, 50)).toBe(3);
    expect(parseIntIn("0", 1, 50)).toBeUndefined();
    expect(parseIntIn("51", 1, 50)).toBeUndefined();
  });
});

describe("MixtureExplorer view", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    document.body.replaceChildren();
  });

  it("renders the controls, one handle per initial mean, the fitted model and the read-out", () => {
    const { $, $$, state } = setup();
    expect($("k-slider").type).toBe("range");
    expect([$("k-slider").min, $("k-slider").max, $("k-slider").value]).toEqual(["1", "10", "3"]);
    expect($("covariance-type").tagName).toBe("SELECT");
    expect($("covariance-type").value).toBe("full");
    expect($("seed").value).toBe("0");
    expect($("n-init").value).toBe("1");
    expect($("init-method").value).toBe("kmeans");
    expect($("reset-init").disabled).toBe(true); // automatic init already
    expect($("animate").checked).toBe(false);
    const handles = $$("mean-handle");
    expect(handles).toHaveLength(3);
    expect(handles[2].getAttribute("data-component")).toBe("2");
    expect(handles[0].getAttribute("aria-label")).toContain("x0 = 0.1");
    expect(state()).toBe("fitted");
    expect($("fit-status").textContent).toBe("fitted");
    expect($$("ellipse")).toHaveLength(6);
    expect($("iteration").textContent).toBe("iter 5 / 5"); // not animated: the fitted state
    const bic = $("readout").querySelector('[data-metric="bic"]');
    expect(bic.children[1].textContent).toBe("210.500");
    expect($("init-mode").textContent).toContain("automatic");
    expect($("error").hidden).toBe(true);
  });

  it("the entry point renders and cleans up", () => {
    const model = mockModel({ ...setup().model.state });
    const el = document.createElement("div");
    const cleanup = widget.render({ model, el });
    expect(el.querySelectorAll('[data-gmm-role="mean-handle"]')).toHaveLength(3);
    cleanup();
    expect(el.children).toHaveLength(0);
    expect(model.listenerCount()).toBe(0);
  });

  it(
    "dropping a handle sends all the handles (float64) with a new request, " +
      "and marks the plot stale",
    () => {
      const { model, $$, state, el } = setup();
      const h = $$("mean-handle")[1];
      const [x0, y0] = translate(h);
      h.dispatchEvent(pointer("pointerdown", x0, y0));
      h.dispatchEvent(pointer("pointermove", x0 + 30, y0 - 20));
      expect(model.saved).toHaveLength(0); // nothing is sent while dragging
      expect(translate($$("mean-handle")[1])[0]).toBeCloseTo(x0 + 30, 1);
      h.dispatchEvent(pointer("pointerup", x0 + 30, y0 - 20));
      expect(model.saved).toHaveLength(1);
      expect(model.get("request")).toBe(1);
      const sent = decodeArray(model.get("handles"));
      expect(sent.dtype).toBe("float64");
      expect(sent.shape).toEqual([3, 2]);
      const rows = handlesOf(model);
      expect(rows[0]).toEqual(INITIAL[0]);
      expect(rows[2]).toEqual(INITIAL[2]);
      expect(rows[1][0]).toBeGreaterThan(INITIAL[1][0]);
      expect(rows[1][1]).toBeGreaterThan(INITIAL[1][1]);
      expect(state()).toBe("stale");
      expect(el.querySelector(".gmm-fit-player").classList.contains("gmm-stale")).toBe(true);
      expect(el.querySelector('[data-gmm-role="fit-status"]').textContent).toBe("refitting\u2026");
      expect($$("mean-handle")).toHaveLength(3);
      expect(translate($$("mean-handle")[1])[0]).toBeCloseTo(x0 + 30, 1); // stays where dropped
    },
  );

  it("shows the refit only when its controls are the controls now", () => {
    const { model, $$, $, state } = setup();
    const h = $$("mean-handle")[0];
    const [x0, y0] = translate(h);
    h.dispatchEvent(pointer("pointerdown", x0, y0));
    h.dispatchEvent(pointer("pointerup", x0 + 40, y0));
    const asked = handlesOf(model);
    // A stale answer (e.g. for an earlier request) is not shown.
    model.fromKernel(
      "result",
      result({ request: 0, F: 4, controls: controls({ handles: INITIAL }) }),
    );
    expect(state()).toBe("stale");
    expect($("iteration").textContent).toBe("iter 5 / 5");
    // The answer to this drag is.
    model.fromKernel(
      "result",
      result({
        request: 1,
        F: 4,
        initial: asked,
        controls: controls({ handles: asked }),
        previous: SCORES,
      }),
    );
    expect(state()).toBe("fitted");
    expect($("iteration").textContent).toBe("iter 3 / 3");
    expect($("reset-init").disabled).toBe(false);
    expect($("init-mode").textContent).toContain("the handles");
    expect(model.get("request")).toBe(1);
  });

  it("the K slider sends n_components on release; new handles come from the kernel", () => {
    const { model, $, $$, state } = setup();
    const slider = $("k-slider");
    slider.value = "5";
    slider.dispatchEvent(new Event("input"));
    expect($("k-value").textContent).toBe("5");
    expect(model.saved).toHaveLength(0);
    slider.dispatchEvent(new Event("change"));
    expect(model.get("n_components")).toBe(5);
    expect(model.get("request")).toBe(1);
    expect(model.saved).toHaveLength(1);
    expect(state()).toBe("stale");
    expect($$("mean-handle")).toHaveLength(3);
    const five = [...INITIAL, [2, 7], [6, 1]];
    model.fromKernel("handles", enc(five, [5, 2], "float64"));
    expect($$("mean-handle")).toHaveLength(5);
    expect(state()).toBe("stale");
    model.fromKernel(
      "result",
      result({ request: 1, initial: five, controls: controls({ n_components: 5, handles: five }) }),
    );
    expect(state()).toBe("fitted");
    expect($$("ellipse")).toHaveLength(10);
    // Lowering K hides the last handles at once, before the kernel answers.
    slider.value = "2";
    slider.dispatchEvent(new Event("change"));
    expect($$("mean-handle")).toHaveLength(2);
  });

  it("keyboard moves of a handle are sent once, after the keys stop", () => {
    const { model, $$, state } = setup();
    const h = $$("mean-handle")[2];
    for (let i = 0; i < 4; i++)
      h.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowLeft", bubbles: true }));
    expect(model.saved).toHaveLength(0);
    vi.advanceTimersByTime(KEY_COMMIT_DELAY + 10);
    expect(model.saved).toHaveLength(1);
    expect(handlesOf(model)[2][0]).toBeLessThan(INITIAL[2][0]);
    expect(handlesOf(model)[2][1]).toBe(INITIAL[2][1]);
    expect(state()).toBe("stale");
  });

  it("arrow keys on a handle do not step the player", () => {
    const { $$, $ } = setup();
    $("step-back").click();
    const before = $("iteration").textContent;
    $$("mean-handle")[0].dispatchEvent(
      new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }),
    );
    expect($("iteration").textContent).toBe(before);
  });

  it(
    "the other controls send their values with a request; " + "invalid input is flagged, not sent",
    () => {
      const { model, $ } = setup();
      $("covariance-type").value = "diag";
      $("covariance-type").dispatchEvent(new Event("change"));
      expect(model.get("covariance_type")).toBe("diag");
      $("init-method").value = "k-means++";
      $("init-method").dispatchEvent(new Event("change"));
      expect(model.get("init_params")).toBe("k-means++");
      $("seed").value = "abc";
      $("seed").dispatchEvent(new Event("change"));
      expect($("seed").getAttribute("aria-invalid")).toBe("true");
      expect(model.get("random_state")).toBe(0);
      $("seed").value = "42";
      $("seed").dispatchEvent(new Event("change"));
      expect(model.get("random_state")).toBe(42);
      $("seed").value = "";
      $("seed").dispatchEvent(new Event("change"));
      expect(model.get("random_state")).toBeNull();
      $("n-init").value = "4";
      $("n-init").dispatchEvent(new Event("change"));
      expect(model.get("n_init")).toBe(4);
      $("new-seed").click();
      expect(Number.isInteger(model.get("random_state"))).toBe(true);
      expect(model.get("request")).toBe(6);
      $("animate").checked = true;
      $("animate").dispatchEvent(new Event("change"));
      expect(model.get("animate")).toBe(true);
      expect(model.get("request")).toBe(6); // not a refit
    },
  );

  it("reset to automatic init sends handles = null", () => {
    const asked = INITIAL.map((r) => r.map((v) => v + 1));
    const { model, $, state } = setup({
      handles: enc(asked, [3, 2], "float64"),
      result: result({ controls: controls({ handles: asked }), initial: asked }),
    });
    expect(state()).toBe("fitted");
    expect($("reset-init").disabled).toBe(false);
    expect($("seed").disabled).toBe(true); // the automatic init's controls rest while handles rule
    expect($("n-init").disabled).toBe(true);
    expect($("init-method").disabled).toBe(true);
    expect($("init-method").title).toContain("automatic init");
    $("reset-init").click();
    expect(model.get("handles")).toBeNull();
    expect($("seed").disabled).toBe(false);
    expect($("seed").title).toBe("Seed (empty: random)");
    expect(model.get("request")).toBe(1);
    expect(state()).toBe("stale");
  });

  it("a failed refit: the error shows, the reverted controls match the last good fit again", () => {
    const { model, $, state } = setup();
    $("k-slider").value = "7";
    $("k-slider").dispatchEvent(new Event("change"));
    expect(state()).toBe("stale");
    // Python reports the error and puts K back.
    model.fromKernel("error", {
      message: "component 4 collapsed",
      request: 1,
      controls: "K=7, full, from the handles",
    });
    model.fromKernel("n_components", 3);
    expect(state()).toBe("error");
    expect($("k-slider").value).toBe("3");
    expect($("error").hidden).toBe(false);
    expect($("error").getAttribute("role")).toBe("alert");
    expect($("error").textContent).toContain("component 4 collapsed");
    expect($("error").textContent).toContain("last good fit (K=3, full)");
    expect($("fit-status").textContent).toBe("refit failed");
    $("dismiss-error").click();
    expect($("error").hidden).toBe(true);
    // The next good fit clears the error state.
    model.fromKernel("error", {});
    expect(state()).toBe("fitted");
  });

  it("frames streamed by a slow refit play live, then the result replaces them", () => {
    const { model, view, $, state } = setup();
    $("covariance-type").value = "tied";
    $("covariance-type").dispatchEvent(new Event("change"));
    const c = { ...controls({ covariance_type: "tied" }) };
    const all = makeFrames({ F: 8, K: 3, type: "tied" });
    const chunk = makeFrames({ F: 2, K: 3, type: "tied" });
    // A message for other controls is ignored.
    const [bad, badBuffers] = packMessage("frames", {
      request: 0,
      controls: controls(),
      start: 0,
      frames: chunk,
    });
    model.emit("msg:custom", bad, badBuffers);
    expect(state()).toBe("stale");
    const [msg, buffers] = packMessage("frames", {
      request: 1,
      controls: c,
      start: 0,
      frames: chunk,
    });
    model.emit("msg:custom", msg, buffers);
    expect(state()).toBe("fitting");
    expect(view.player.store.length).toBe(2);
    expect($("fit-status").textContent).toBe("fitting\u2026");
    model.fromKernel("result", { ...result({ request: 1, controls: c }), frames: all });
    expect(state()).toBe("fitted");
    expect(view.player.store.length).toBe(8);
  });

  it("with animate on, a new fit plays from its first iteration", () => {
    const { model, view, $, $$ } = setup({ animate: true });
    const h = $$("mean-handle")[0];
    const [x0, y0] = translate(h);
    h.dispatchEvent(pointer("pointerdown", x0, y0));
    h.dispatchEvent(pointer("pointerup", x0 + 25, y0 + 5));
    const asked = handlesOf(model);
    model.fromKernel(
      "result",
      result({ request: 1, controls: controls({ handles: asked }), initial: asked }),
    );
    expect(view.player.playback.playing).toBe(true);
    expect($("iteration").textContent).toBe("iter 0 / 5");
    // The trails follow the means from the handles through the iterations played.
    vi.advanceTimersByTime(200);
    expect(view.player.playback.index).toBeGreaterThan(1);
    const trail = view.el.querySelector('.gmm-trail[data-component="1"]');
    expect(trail.getAttribute("d").split("L").length).toBe(view.player.playback.index + 1);
    vi.advanceTimersByTime(1000);
    expect($("iteration").textContent).toBe("iter 5 / 5");
    expect(view.player.playback.playing).toBe(false);
  });

  it("with three features, a drag moves only the two features on the axes", () => {
    const three = [
      [0.1, 5, 0.2],
      [4.2, 5, 4.1],
    ];
    const c = controls({ n_components: 2 });
    const { model, $$, state } = setup({
      data: makeData(40, 3),
      feature_names: ["a", "b", "c"],
      x_feature: 0,
      y_feature: 2,
      ...c,
      result: {
        ...result({ controls: c }),
        frames: makeFrames({ F: 3, K: 2, d: 3 }),
        initial_means: enc(three, [2, 3], "float64"),
      },
    });
    expect(state()).toBe("fitted");
    expect($$("mean-handle")).toHaveLength(2);
    const h = $$("mean-handle")[0];
    const [x0, y0] = translate(h);
    h.dispatchEvent(pointer("pointerdown", x0, y0));
    h.dispatchEvent(pointer("pointerup", x0 + 30, y0 - 30));
    const a = decodeArray(model.get("handles"));
    expect(a.shape).toEqual([2, 3]);
    expect(a.data[1]).toBe(5); // feature b is not on the axes: unchanged
    expect(a.data[0]).toBeGreaterThan(0.1);
    expect(a.data[2]).toBeGreaterThan(0.2);
    expect(Array.from(a.data.slice(3))).toEqual(three[1]);
  });

  it("with one feature, the handles sit on the histogram and move along x", () => {
    const one = [[0.5], [4.5]];
    const c = controls({ n_components: 2 });
    const { model, $$, state } = setup({
      data: makeData(40, 1),
      feature_names: ["x"],
      y_feature: 0,
      ...c,
      result: {
        ...result({ controls: c }),
        frames: makeFrames({ F: 3, K: 2, d: 1 }),
        initial_means: enc(one, [2, 1], "float64"),
      },
    });
    expect(state()).toBe("fitted");
    const h = $$("mean-handle")[1];
    h.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowLeft", bubbles: true }));
    h.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    const a = decodeArray(model.get("handles"));
    expect(a.shape).toEqual([2, 1]);
    expect(a.data[0]).toBe(0.5);
    expect(a.data[1]).toBeLessThan(4.5);
  });

  it("changes from Python update the controls", () => {
    const { model, $ } = setup();
    model.fromKernel("covariance_type", "spherical");
    model.fromKernel("random_state", null);
    model.fromKernel("k_max", 6);
    expect($("covariance-type").value).toBe("spherical");
    expect($("seed").value).toBe("");
    expect($("k-slider").max).toBe("6");
  });
});
