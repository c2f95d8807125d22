import { afterEach, describe, expect, it } from "vitest";
import widget from "../src/model_selector.js";
import { markerPath } from "../src/model_selector/chart.js";
import {
  FAILED,
  FITTED,
  PENDING,
  axisLabel,
  bestSoFar,
  curves,
  neighbour,
  progressText,
  readGrid,
  valueExtent,
} from "../src/model_selector/grid.js";
import { ModelSelectorView } from "../src/model_selector/view.js";
import { enc, makeData, makeFrames, mockModel, packMessage } from "./helpers.js";

const KS = [1, 2, 3, 4];
const CTS = ["full", "diag"];
// BIC per (K, type), row-major (nK, nC); K=4 diag failed, K=4 full not fitted yet.
const BIC = [
  [500, 520],
  [400, 430],
  [380, 390],
  [NaN, NaN],
];
const STATUS = [
  [FITTED, FITTED],
  [FITTED, FITTED],
  [FITTED, FITTED],
  [PENDING, FAILED],
];

function scores(status = STATUS) {
  const f = (rows) => enc(rows, [KS.length, CTS.length], "float64");
  return {
    bic: f(BIC),
    aic: f(BIC.map((r) => r.map((v) => v - 50))),
    icl: f(BIC.map((r, i) => r.map((v, j) => v + (i === 2 && j === 0 ? 100 : 5)))),
    silhouette: f(BIC.map((r) => r.map(() => NaN))),
    log_likelihood: f(BIC.map((r) => r.map((v) => -v / 100))),
    n_parameters: enc(
      BIC.map((r) => r.map(() => 5)),
      [4, 2],
      "int32",
    ),
    n_iter: enc(
      BIC.map((r) => r.map(() => 7)),
      [4, 2],
      "int32",
    ),
    converged: enc(
      BIC.map((r) => r.map(() => 1)),
      [4, 2],
      "uint8",
    ),
    status: enc(status, [4, 2], "uint8"),
  };
}

function models() {
  const out = {};
  for (const [i, k] of KS.entries()) {
    for (const [j, ct] of CTS.entries()) {
      if (STATUS[i][j] === FITTED) out[`${k}|${ct}`] = makeFrames({ F: 1, K: k, type: ct });
    }
  }
  return out;
}

function setup(overrides = {}) {
  const model = mockModel({
    data: makeData(40, 2),
    n_samples: 40,
    feature_names: ["a", "b"],
    projection: "features",
    x_feature: 0,
    y_feature: 1,
    pca: {},
    ks: { values: enc(KS, [4], "int32") },
    covariance_types: CTS,
    scores: scores(),
    errors: { "4|diag": "component 2 collapsed" },
    models: models(),
    criteria: ["bic", "aic", "icl"],
    criterion: "bic",
    selection: [3, "full"],
    best: [3, "full"],
    status: "done",
    progress: { done: 8, total: 8 },
    ...overrides,
  });
  const el = document.createElement("div");
  document.body.appendChild(el);
  const view = new ModelSelectorView(model, el);
  const $ = (role) => el.querySelector(`[data-gmm-role="${role}"]`);
  const $$ = (role) => el.querySelectorAll(`[data-gmm-role="${role}"]`);
  const point = (k, ct) =>
    el.querySelector(`[data-gmm-role="grid-point"][data-k="${k}"][data-covariance-type="${ct}"]`);
  return { model, el, view, $, $$, point };
}

describe("ModelSelector grid logic", () => {
  const grid = readGrid(
    mockModel({
      ks: { values: enc(KS, [4], "int32") },
      covariance_types: CTS,
      scores: scores(),
      errors: {},
    }),
  );

  it("reads the binary tables and draws only fitted, finite points", () => {
    expect(grid.ks).toEqual(KS);
    expect(grid.nC).toBe(2);
    const c = curves(grid, "bic");
    expect(c.map((x) => x.points.map((p) => p.k))).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(valueExtent(grid, "bic")).toEqual([380, 520]);
  });

  it("says which way is better on the axis", () => {
    expect(axisLabel("bic")).toBe("BIC (lower is better)");
    expect(axisLabel("silhouette")).toBe("silhouette (higher is better)");
  });

  it("arrow keys move along a curve and across curves", () => {
    expect(neighbour(grid, "bic", 0, 0, "ArrowRight")).toEqual([1, 0]);
    expect(neighbour(grid, "bic", 2, 0, "ArrowRight")).toBeNull(); // K=4 full is not fitted
    expect(neighbour(grid, "bic", 0, 0, "ArrowLeft")).toBeNull();
    expect(neighbour(grid, "bic", 2, 0, "ArrowDown")).toEqual([2, 1]);
    expect(neighbour(grid, "bic", 2, 1, "ArrowDown")).toBeNull();
    expect(neighbour(grid, "bic", 1, 1, "ArrowUp")).toEqual([1, 0]);
    expect(neighbour(grid, "bic", 1, 1, "Tab")).toBeNull();
  });

  it("best so far: lowest for BIC, highest for the silhouette", () => {
    expect(bestSoFar(grid, "bic")).toEqual([3, "full"]);
    expect(bestSoFar(grid, "silhouette")).toBeNull(); // all NaN
  });

  it("progress text", () => {
    expect(progressText({ done: 3, total: 8, current: "K=4, full" }, "fitting")).toBe(
      "fitting K=4, full (3 / 8)",
    );
    expect(progressText({}, "done")).toBe("");
  });

  it("marker shapes are closed paths centred on the point", () => {
    for (const shape of ["circle", "square", "triangle", "diamond"])
      expect(markerPath(shape, 10, 20, 4)).toMatch(/^M.*Z$/);
    expect(markerPath("diamond", 10, 20, 4)).toContain("M10.00,15.40");
  });
});

describe("ModelSelector view", () => {
  afterEach(() => document.body.replaceChildren());

  it(
    "draws one focusable point per fitted model, " + "the failed fit, the best, and the axis title",
    () => {
      const { $, $$, point } = setup();
      expect($$("grid-point")).toHaveLength(6);
      const p = point(2, "diag");
      expect(p.getAttribute("role")).toBe("button");
      expect(p.getAttribute("aria-label")).toBe("diag covariance, K = 2: BIC 430.000");
      expect($$("grid-failed")).toHaveLength(1);
      expect($("grid-failed").textContent).toContain("component 2 collapsed");
      const best = $("best-marker");
      expect([best.getAttribute("data-k"), best.getAttribute("data-covariance-type")]).toEqual([
        "3",
        "full",
      ]);
      expect(point(3, "full").getAttribute("aria-label")).toContain("the best");
      expect(point(3, "full").getAttribute("aria-pressed")).toBe("true");
      expect($("criterion-chart").querySelector(".gmm-axis-title:last-of-type").textContent).toBe(
        "BIC (lower is better)",
      );
      expect(
        [...$("criterion-chart").querySelectorAll(".gmm-tick-label")]
          .slice(0, 4)
          .map((t) => t.textContent),
      ).toEqual(["1", "2", "3", "4"]);
      expect($("best").textContent).toBe("best by BIC: K=3, full");
      expect($("progress").hidden).toBe(true);
      expect($("progress-text").textContent).toBe("8 fits, 1 failed");
      // Only one point is a tab stop (the shown one); the others are reached by arrows.
      expect([...$$("grid-point")].filter((n) => n.getAttribute("tabindex") === "0")).toEqual([
        point(3, "full"),
      ]);
    },
  );

  it("points with equal values at the same K stay apart (dodged per covariance type)", () => {
    const { point } = setup();
    const cx = (k, ct) => Number(point(k, ct).querySelector(".gmm-point-hit").getAttribute("cx"));
    expect(cx(2, "diag") - cx(2, "full")).toBeGreaterThanOrEqual(8);
    expect(cx(3, "diag") - cx(3, "full")).toBeCloseTo(cx(2, "diag") - cx(2, "full"), 6);
  });

  it("shows the selected model's ellipses over the data", () => {
    const { $, $$ } = setup();
    expect($$("ellipse")).toHaveLength(6); // 3 components x 1 and 2 sigma
    expect($("selected-info").textContent).toContain("Shown: K=3, full \u00b7 BIC 380.000");
    expect($("selected-info").textContent).toContain("(the best)");
  });

  it("clicking a point sends the selection and shows that model", () => {
    const { model, point, $$, $ } = setup();
    point(2, "diag").dispatchEvent(new MouseEvent("click", { bubbles: true }));
    expect(model.get("selection")).toEqual([2, "diag"]);
    expect(model.saved).toHaveLength(1);
    expect(point(2, "diag").getAttribute("aria-pressed")).toBe("true");
    expect(point(3, "full").getAttribute("aria-pressed")).toBe("false");
    expect($$("ellipse")).toHaveLength(4);
    expect($("selected-info").textContent).toContain("K=2, diag");
    expect($("selected-info").textContent).not.toContain("the best");
  });

  it("Enter and Space select the focused point; arrows move the focus", () => {
    const { model, point } = setup();
    const p = point(1, "full");
    const focused = () =>
      [...document.querySelectorAll('[data-gmm-role="grid-point"]')].filter(
        (n) => n.getAttribute("tabindex") === "0",
      );
    p.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
    expect(focused()).toEqual([point(2, "full")]); // the roving tab stop moved (and got focus)
    point(2, "full").dispatchEvent(
      new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true }),
    );
    expect(focused()).toEqual([point(2, "diag")]);
    const node = point(2, "diag");
    node.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    expect(model.get("selection")).toEqual([2, "diag"]);
    point(1, "diag").dispatchEvent(new KeyboardEvent("keydown", { key: " ", bubbles: true }));
    expect(model.get("selection")).toEqual([1, "diag"]);
    // Re-rendering keeps the elements (a focused point is not replaced) and the tab stop.
    expect(point(2, "diag")).toBe(node);
    expect(focused()).toEqual([node]);
  });

  it("the criterion picker sends the criterion; the chart follows", () => {
    const { model, $, point } = setup();
    $("criterion").value = "icl";
    $("criterion").dispatchEvent(new Event("change"));
    expect(model.get("criterion")).toBe("icl");
    expect($("criterion-chart").querySelector(".gmm-axis-title:last-of-type").textContent).toBe(
      "ICL (lower is better)",
    );
    model.fromKernel("best", [3, "diag"]);
    expect($("best").textContent).toBe("best by ICL: K=3, diag");
    expect(point(3, "diag").getAttribute("aria-label")).toBe(
      "diag covariance, K = 3: ICL 395.000, the best",
    );
  });

  it("while the grid fits: progress, points as they come, models streamed by message", () => {
    const none = STATUS.map((r) => r.map(() => PENDING));
    const { model, $, $$, point } = setup({
      status: "fitting",
      progress: { done: 0, total: 8, current: "K=1, full" },
      scores: scores(none),
      models: {},
      selection: [],
      best: [],
      errors: {},
    });
    expect($("progress").hidden).toBe(false);
    expect($("progress-text").textContent).toBe("fitting K=1, full (0 / 8)");
    expect($$("grid-point")).toHaveLength(0);
    expect($("empty").hidden).toBe(false);
    const some = none.map((r, i) => r.map((_, j) => (i < 2 && j === 0 ? FITTED : PENDING)));
    model.fromKernel("scores", scores(some));
    model.fromKernel("progress", { done: 2, total: 8, current: "K=3, full" });
    expect($$("grid-point")).toHaveLength(2);
    expect($("progress").value).toBe(2);
    expect($$("ellipse")).toHaveLength(0); // no model has arrived yet
    for (const k of [1, 2]) {
      const [msg, buffers] = packMessage("model", {
        key: `${k}|full`,
        frames: makeFrames({ F: 1, K: k }),
      });
      model.emit("msg:custom", msg, buffers);
    }
    // The best so far (K=2 full: BIC 400 < 500) is shown while the grid fits.
    expect($$("ellipse")).toHaveLength(4);
    expect($("selected-info").textContent).toContain("(the best so far)");
    point(1, "full").dispatchEvent(new MouseEvent("click", { bubbles: true }));
    expect($$("ellipse")).toHaveLength(2);
  });

  it("the entry point renders and cleans up", () => {
    const model = mockModel({ ...setup().model.state });
    const el = document.createElement("div");
    const cleanup = widget.render({ model, el });
    expect(el.querySelectorAll('[data-gmm-role="grid-point"]')).toHaveLength(6);
    cleanup();
    expect(el.children).toHaveLength(0);
    expect(model.listenerCount()).toBe(0);
  });
});
