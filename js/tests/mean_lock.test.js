import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  KEY_COMMIT_DELAY,
  LOCK_OFFSET,
  createMeanHandles,
} from "../src/mixture_explorer/mean_handles.js";
import { controlsMatch, currentControls, toggledLock } from "../src/mixture_explorer/state.js";
import { MixtureExplorerView } from "../src/mixture_explorer/view.js";
import { linearScale } from "../src/lib/scale.js";
import { enc, makeData, makeFrames, mockModel } from "./helpers.js";

const key = (k, extra = {}) => new KeyboardEvent("keydown", { key: k, bubbles: true, ...extra });

function setupHandles({ withLock = true, locked = [false, true] } = {}) {
  const root = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  const layer = document.createElementNS("http://www.w3.org/2000/svg", "g");
  root.appendChild(layer);
  document.body.appendChild(root);
  const events = [];
  const rootClicks = [];
  root.addEventListener("click", () => rootClicks.push("click"));
  const handles = createMeanHandles(layer, {
    onPreview: (k, p) => events.push(["preview", k, p]),
    onCommit: (k, p) => events.push(["commit", k, p]),
    ...(withLock ? { onLock: (k) => events.push(["lock", k]) } : {}),
  });
  // 10 px per data unit; y up. Pixel (100, 300) is data (0, 0).
  const scales = { x: linearScale([-10, 10], [0, 200]), y: linearScale([-10, 10], [400, 200]) };
  const items = [
    [0, 0],
    [5, 5],
  ].map((p, k) => ({ point: p, color: [10 * k, 20, 30], label: `handle ${k}`, locked: locked[k] }));
  handles.render(items, scales);
  const $$ = (role) => layer.querySelectorAll(`[data-gmm-role="${role}"]`);
  return { handles, layer, events, rootClicks, $$, scales, items };
}

describe("mean-handle locks", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    document.body.replaceChildren();
  });

  it("one focusable lock button per handle, beside it, with its state in aria-pressed", () => {
    const { $$ } = setupHandles();
    const locks = $$("mean-lock");
    expect(locks).toHaveLength(2);
    expect([...locks].map((n) => n.getAttribute("data-component"))).toEqual(["0", "1"]);
    expect(locks[0].getAttribute("tabindex")).toBe("0");
    expect(locks[0].getAttribute("role")).toBe("button");
    expect(locks[0].getAttribute("aria-pressed")).toBe("false");
    expect(locks[1].getAttribute("aria-pressed")).toBe("true");
    expect(locks[0].getAttribute("aria-label")).toContain("Lock the mean of component 1");
    expect(locks[1].getAttribute("aria-label")).toContain("Unlock the mean of component 2");
    // Handle 0 is at pixel (100, 300); its lock sits LOCK_OFFSET away.
    expect(locks[0].getAttribute("transform")).toBe(
      `translate(${(100 + LOCK_OFFSET[0]).toFixed(2)},${(300 + LOCK_OFFSET[1]).toFixed(2)})`,
    );
    const handles = $$("mean-handle");
    expect(handles[1].classList.contains("gmm-locked")).toBe(true);
    expect(handles[0].classList.contains("gmm-locked")).toBe(false);
  });

  it("a click on a lock toggles it and does not reach the plot (no point is added)", () => {
    const { $$, events, rootClicks } = setupHandles();
    $$("mean-lock")[1].dispatchEvent(new MouseEvent("click", { bubbles: true }));
    expect(events).toEqual([["lock", 1]]);
    expect(rootClicks).toEqual([]);
  });

  it("Enter or Space on a focused lock toggles it", () => {
    const { $$, events } = setupHandles();
    const lock = $$("mean-lock")[0];
    lock.dispatchEvent(key("Enter"));
    lock.dispatchEvent(key(" "));
    lock.dispatchEvent(key("a"));
    expect(events).toEqual([
      ["lock", 0],
      ["lock", 0],
    ]);
  });

  it('"L" on a focused handle toggles its lock, after committing a pending key move', () => {
    const { $$, events } = setupHandles();
    const handle = $$("mean-handle")[0];
    handle.dispatchEvent(key("ArrowRight"));
    handle.dispatchEvent(key("l"));
    expect(events.map((e) => e[0])).toEqual(["preview", "commit", "lock"]);
    expect(events[2]).toEqual(["lock", 0]);
    vi.advanceTimersByTime(KEY_COMMIT_DELAY * 2);
    expect(events.filter((e) => e[0] === "commit")).toHaveLength(1); // not committed twice
    handle.dispatchEvent(key("L", { shiftKey: true }));
    expect(events.at(-1)).toEqual(["lock", 0]);
    handle.dispatchEvent(key("l", { ctrlKey: true })); // a shortcut, not the lock
    expect(events.filter((e) => e[0] === "lock")).toHaveLength(2);
  });

  it("re-rendering updates the locks' state and count", () => {
    const { handles, $$, scales, items } = setupHandles();
    handles.render([{ ...items[0], locked: true }], scales);
    const locks = $$("mean-lock");
    expect(locks).toHaveLength(1);
    expect(locks[0].getAttribute("aria-pressed")).toBe("true");
  });

  it("without onLock there are no locks and L does nothing", () => {
    const { $$, events } = setupHandles({ withLock: false });
    expect($$("mean-lock")).toHaveLength(0);
    $$("mean-handle")[0].dispatchEvent(key("l"));
    expect(events).toEqual([]);
  });

  it("destroy removes the locks too", () => {
    const { handles, layer } = setupHandles();
    handles.destroy();
    expect(layer.children).toHaveLength(0);
  });
});

describe("locked means in the explorer's state", () => {
  it("toggledLock adds or removes a component, sorted", () => {
    const model = mockModel({ locked_means: [2] });
    expect(toggledLock(model, 0)).toEqual([0, 2]);
    expect(toggledLock(model, 2)).toEqual([]);
    expect(toggledLock(mockModel({}), 1)).toEqual([1]);
  });

  it("a fit matches only the locks it was made with (none when absent)", () => {
    const base = {
      n_components: 2,
      covariance_type: "full",
      random_state: 0,
      n_init: 1,
      init_params: "kmeans",
      handles: null,
    };
    const now = currentControls(mockModel({ ...base, locked_means: [1] }));
    expect(now.locked_means).toEqual([1]);
    expect(controlsMatch({ ...base, locked_means: [1] }, now)).toBe(true);
    expect(controlsMatch({ ...base, locked_means: [] }, now)).toBe(false);
    expect(controlsMatch(base, now)).toBe(false);
    expect(controlsMatch(base, currentControls(mockModel(base)))).toBe(true);
  });
});

describe("MixtureExplorer view: locking a handle", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    document.body.replaceChildren();
  });

  const INITIAL = [
    [0.1, 0.2],
    [4.2, 4.1],
  ];
  const controls = (over = {}) => ({
    n_components: 2,
    covariance_type: "full",
    random_state: 0,
    n_init: 1,
    init_params: "kmeans",
    handles: null,
    ...over,
  });
  const result = (c) => ({
    request: 0,
    source: "fit",
    frames: makeFrames({ F: 4, K: 2 }),
    initial_means: enc(INITIAL, [2, 2], "float64"),
    scores: { log_likelihood: -2, bic: 10, aic: 9, icl: 11, n_iter: 3, converged: true },
    previous: null,
    controls: { ...c, handles: c.handles ? enc(c.handles, [2, 2], "float64") : null },
  });

  function setup() {
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
      locked_means: [],
      request: 0,
      k_min: 1,
      k_max: 10,
      max_n_init: 50,
      result: result(controls()),
      error: {},
      busy: false,
    });
    const el = document.createElement("div");
    document.body.appendChild(el);
    const view = new MixtureExplorerView(model, el, { browserFit: false });
    const $$ = (role) => el.querySelectorAll(`[data-gmm-role="${role}"]`);
    const state = () => el.querySelector(".gmm-mixture-explorer").dataset.gmmState;
    return { model, view, $$, state };
  }

  it("the lock sends locked_means with a new request; the locked fit shows once it arrives", () => {
    const { model, view, $$, state } = setup();
    expect(state()).toBe("fitted");
    expect($$("mean-lock")).toHaveLength(2);
    $$("mean-lock")[1].dispatchEvent(new MouseEvent("click", { bubbles: true }));
    expect(model.get("locked_means")).toEqual([1]);
    expect(model.get("request")).toBe(1);
    expect(state()).toBe("stale"); // the shown fit was made without the lock
    // Python answers: the handles are the init's means, and the fit holds mean 1.
    model.set("handles", enc(INITIAL, [2, 2], "float64"));
    model.set("result", result(controls({ handles: INITIAL, locked_means: [1] })));
    expect(state()).toBe("fitted");
    const lock = $$("mean-lock")[1];
    expect(lock.getAttribute("aria-pressed")).toBe("true");
    expect($$("mean-handle")[1].getAttribute("aria-label")).toContain("Locked initial mean");
    // "L" on the handle unlocks it again.
    $$("mean-handle")[1].dispatchEvent(key("l"));
    expect(model.get("locked_means")).toEqual([]);
    expect(model.get("request")).toBe(2);
    view.destroy();
  });
});
