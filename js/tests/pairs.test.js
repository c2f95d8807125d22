import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { decodeArray } from "../src/lib/codecs.js";
import { eigen2, ellipsePoints } from "../src/lib/ellipse.js";
import {
  accumulatePoints,
  createPairsPlot,
  discFootprint,
  pixelOffsets,
  resolvePixels,
  chosenPairFeatures,
  featureDomains,
  featurePixels,
  MAX_PAIR_FEATURES,
  marginalCovariance,
  marginalDensity,
  PANEL_INSET,
  PAIRS_GAP,
  PAIRS_MARGIN,
  pairsLayout,
  panelAt,
  panelScales,
} from "../src/lib/pairs.js";
import {
  CERTAIN_STRENGTH,
  fadeByUncertainty,
  pointUncertainty,
  uncertaintyStrength,
} from "../src/lib/uncertainty.js";
import { FitPlayerView } from "../src/fit_player/view.js";
import { enc, makeFrames, mockModel, playerAtStart } from "./helpers.js";

const THEME = {
  grid: "#ddd",
  text: "#222",
  foreground: "#000",
  rgb: { foreground: [0, 0, 0], background: [255, 255, 255] },
};

describe("pairs layout", () => {
  it("places p x p square panels of equal size, gap apart, inside the margin", () => {
    const lay = pairsLayout([0, 2, 3], 300, 300);
    // room = 300 - 8 = 292; size = floor((292 - 2 * 6) / 3) = 93
    expect(PAIRS_MARGIN).toEqual({ left: 4, top: 4, right: 4, bottom: 4 });
    expect(PAIRS_GAP).toBe(6);
    expect(lay.size).toBe(93);
    expect(lay.panels).toHaveLength(9);
    const q = lay.panels[1 * 3 + 2]; // row 1, column 2
    expect(q).toEqual({
      row: 1,
      col: 2,
      fx: 3,
      fy: 2,
      x0: 4 + 2 * 99,
      y0: 4 + 99,
      size: 93,
      diagonal: false,
    });
    expect(lay.panels.filter((p) => p.diagonal).map((p) => p.fx)).toEqual([0, 2, 3]);
    expect(lay.width).toBe(4 + 3 * 93 + 2 * 6 + 4);
    expect(lay.height).toBe(lay.width);
  });

  it("fits the smaller side of the box", () => {
    const lay = pairsLayout([0, 1], 600, 200);
    expect(lay.size).toBe(Math.floor((200 - 8 - 6) / 2));
  });

  it("finds the panel under a point, and none in the gaps", () => {
    const lay = pairsLayout([0, 1, 2], 300, 300);
    expect(panelAt(lay, 4, 4)).toBe(0);
    expect(panelAt(lay, 4 + 93 + 3, 50)).toBe(-1); // in the gap between columns 0 and 1
    expect(panelAt(lay, 4 + 99 + 10, 4 + 2 * 99 + 10)).toBe(2 * 3 + 1);
    expect(panelAt(lay, 299, 299)).toBe(-1);
  });

  it("scales each panel from the feature's padded range", () => {
    // column 0 holds 0..10, column 1 holds -1..1
    const X = Float32Array.from([0, -1, 10, 1, 5, 0]);
    const domains = featureDomains(X, 2, [1, 0]);
    expect(domains[0][0]).toBeCloseTo(-1 - 2 * 0.04, 6);
    expect(domains[0][1]).toBeCloseTo(1 + 2 * 0.04, 6);
    expect(domains[1][0]).toBeCloseTo(-0.4, 6);
    expect(domains[1][1]).toBeCloseTo(10.4, 6);
    const panel = { x0: 100, y0: 50, size: 80 };
    const s = panelScales(panel, [0, 10], [-1, 1]);
    expect(s.x(0)).toBe(100 + PANEL_INSET);
    expect(s.x(10)).toBe(180 - PANEL_INSET);
    expect(s.x(5)).toBe(140);
    expect(s.y(-1)).toBe(130 - PANEL_INSET); // y grows upward
    expect(s.y(1)).toBe(50 + PANEL_INSET);
  });

  it("turns one feature into panel-local device pixels, across and up", () => {
    const X = Float32Array.from([0, 7, 10, 7, 2.5, 7]); // feature 0: 0, 10, 2.5
    const { across, up } = featurePixels(X, 2, 0, [2, 0], [0, 10], 48, 2);
    // inside [4, 44] CSS px, times dpr 2
    expect(Array.from(across)).toEqual([(4 + 10) * 2, 4 * 2]);
    expect(Array.from(up)).toEqual([(44 - 10) * 2, 44 * 2]);
  });
});

describe("points of the panels", () => {
  it("adds each point's colour to its pixel, in any order", () => {
    const W = 5;
    const acc = new Float32Array(W * 4 * 3);
    const cnt = new Float32Array(W * 4);
    // panel corner at (1, 1); points at panel pixels (0, 0), (2, 1), (0, 0)
    const cols = pixelOffsets(Float32Array.from([0.2, 1.6, -0.3]), 1);
    const rowsW = pixelOffsets(Float32Array.from([0, 1.4, 0.1]), W);
    expect(Array.from(cols)).toEqual([0, 2, 0]);
    expect(Array.from(rowsW)).toEqual([0, W, 0]);
    const rgb = [10, 20, 30, 200, 100, 0, 30, 40, 50];
    accumulatePoints(acc, cnt, 1 * W + 1, cols, rowsW, rgb, discFootprint(0.5, W));
    expect(cnt[6]).toBe(2);
    expect(cnt[2 * W + 3]).toBe(1);
    expect(Array.from(acc.slice(18, 21))).toEqual([40, 60, 80]);
    const pixels = resolvePixels(acc, cnt, new Uint8ClampedArray(W * 4 * 4), 0.5);
    expect(Array.from(pixels.slice(24, 28))).toEqual([20, 30, 40, Math.round(255 * 0.75)]);
    const p = (2 * W + 3) * 4;
    expect(Array.from(pixels.slice(p, p + 4))).toEqual([200, 100, 0, Math.round(255 * 0.5)]);
    expect(pixels[3]).toBe(0); // nothing on pixel 0
    // the reversed order gives the same sums
    const acc2 = new Float32Array(acc.length);
    const cnt2 = new Float32Array(cnt.length);
    const rev = (a) => Int32Array.from(Array.from(a).reverse());
    const rgbRev = [30, 40, 50, 200, 100, 0, 10, 20, 30];
    accumulatePoints(acc2, cnt2, W + 1, rev(cols), rev(rowsW), rgbRev, discFootprint(0.5, W));
    expect(acc2).toEqual(acc);
    expect(cnt2).toEqual(cnt);
  });

  it("covers a disc: the centre fully, the rim in part", () => {
    const W = 100;
    const fp = discFootprint(1, W);
    const cover = new Map();
    for (let o = 0; o < fp.length; o += 2) cover.set(fp[o], fp[o + 1]);
    expect(cover.get(0)).toBe(1);
    expect(cover.get(1)).toBeCloseTo(0.5, 12); // hypot 1: 1 + 0.5 - 1
    expect(cover.get(-W)).toBeCloseTo(0.5, 12);
    expect(cover.get(W + 1)).toBeCloseTo(1.5 - Math.SQRT2, 12);
    expect(cover.has(2)).toBe(false);
  });
});

describe("marginals", () => {
  const d = 3;
  // A full 3 x 3 covariance (row-major), symmetric positive definite.
  const S = [4, 0.5, 1.2, 0.5, 2, -0.3, 1.2, -0.3, 1];

  it("takes the 2 x 2 marginal covariance of two features", () => {
    expect(Array.from(marginalCovariance(S, d, 0, 2))).toEqual([4, 1.2, 1.2, 1]);
    expect(Array.from(marginalCovariance(S, d, 2, 1))).toEqual([1, -0.3, -0.3, 2]);
  });

  it("gives the ellipse of the marginal: axes and angle by hand", () => {
    // [[2, 1], [1, 2]]: eigenvalues 3 and 1, major axis at 45 degrees
    const cov = marginalCovariance([2, 9, 1, 9, 9, 9, 1, 9, 2], 3, 0, 2);
    const e = eigen2(cov[0], cov[1], cov[3]);
    expect(e.major).toBeCloseTo(3, 12);
    expect(e.minor).toBeCloseTo(1, 12);
    expect(e.angle).toBeCloseTo(Math.PI / 4, 12);
    // the 2 sigma ellipse's first vertex: mean + 2 sqrt(3) (cos 45, sin 45)
    const pts = ellipsePoints([1, -1], cov, 2, 8);
    expect(pts.xs[0]).toBeCloseTo(1 + 2 * Math.sqrt(3) * Math.SQRT1_2, 12);
    expect(pts.ys[0]).toBeCloseTo(-1 + 2 * Math.sqrt(3) * Math.SQRT1_2, 12);
    // every vertex is at Mahalanobis distance 2
    const det = cov[0] * cov[3] - cov[1] * cov[2];
    for (let i = 0; i < pts.xs.length; i++) {
      const u = pts.xs[i] - 1;
      const v = pts.ys[i] + 1;
      const m2 = (cov[3] * u * u - 2 * cov[1] * u * v + cov[0] * v * v) / det;
      expect(m2).toBeCloseTo(4, 10);
    }
  });

  it("computes the diagonal's 1-D mixture density by hand", () => {
    const weights = [0.3, 0.7];
    const means = [0, 1, 2, /* k=1 */ 3, -1, 0.5];
    const covs = [S, S.map((v, i) => (i === 4 ? 0.25 : v))];
    const grid = [-1, 0.5, 2];
    const f = 1;
    const { components, mixture } = marginalDensity(grid, weights, means, covs, d, f);
    const pdf = (x, m, v) => Math.exp(-((x - m) ** 2) / (2 * v)) / Math.sqrt(2 * Math.PI * v);
    grid.forEach((x, i) => {
      const a = 0.3 * pdf(x, 1, 2);
      const b = 0.7 * pdf(x, -1, 0.25);
      expect(components[0][i]).toBeCloseTo(a, 14);
      expect(components[1][i]).toBeCloseTo(b, 14);
      expect(mixture[i]).toBeCloseTo(a + b, 14);
    });
  });
});

describe("uncertainty", () => {
  const resp = Float32Array.from([1, 0, 0, 0.5, 0.5, 0, 0.2, 0.5, 0.3]);

  it("is 1 - max responsibility per row", () => {
    const u = pointUncertainty(resp, 3, 3);
    expect(u[0]).toBe(0);
    expect(u[1]).toBeCloseTo(0.5, 7);
    expect(u[2]).toBeCloseTo(0.5, 7);
  });

  it("fades certain points toward the background and keeps the most uncertain", () => {
    expect(uncertaintyStrength(0, 3)).toBe(CERTAIN_STRENGTH);
    expect(uncertaintyStrength(2 / 3, 3)).toBe(1);
    expect(uncertaintyStrength(1 / 3, 3)).toBeCloseTo(
      CERTAIN_STRENGTH + (1 - CERTAIN_STRENGTH) / 2,
    );
    const r2 = Float32Array.from([1, 0, 0.5, 0.5]);
    const rgb = Uint8ClampedArray.from([0, 100, 200, 0, 100, 200]);
    const out = fadeByUncertainty(rgb, r2, 2, 2, [255, 255, 255]);
    const s = CERTAIN_STRENGTH;
    expect(Array.from(out.slice(0, 3))).toEqual(
      [0, 100, 200].map((c) => Math.round(255 + s * (c - 255))),
    );
    expect(Array.from(out.slice(3))).toEqual([0, 100, 200]); // u = 1/2 = 1 - 1/K
  });
});

describe("the features of the pairs view", () => {
  it("keeps valid distinct indices, at most 8, else the first min(d, 8)", () => {
    expect(chosenPairFeatures([3, 1, 3, 9], 5)).toEqual([3, 1]);
    expect(chosenPairFeatures(enc([4, 0], [2], "int32"), 5)).toEqual([4, 0]);
    expect(chosenPairFeatures([], 12)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(chosenPairFeatures(undefined, 3)).toEqual([0, 1, 2]);
    expect(chosenPairFeatures([0], 3)).toEqual([0, 1, 2]);
    expect(chosenPairFeatures([...Array(10).keys()], 10)).toHaveLength(MAX_PAIR_FEATURES);
  });
});

describe("pairs plot", () => {
  afterEach(() => document.body.replaceChildren());

  // 4 rows x 3 features; row i: (i, 10 i, -i)
  const X = Float32Array.from([0, 0, 0, 1, 10, -1, 2, 20, -2, 3, 30, -3]);
  const data = { X, n: 4, d: 3 };
  const order = [2, 0, 3, 1];

  function plot(onSelect = vi.fn()) {
    const el = document.createElement("div");
    document.body.appendChild(el);
    const p = createPairsPlot(el, { onSelect });
    p.layout(data, order, [0, 1, 2], ["a", "b", "c"], 300, 300, THEME);
    return { el, p, onSelect };
  }

  it("has one panel per pair with its features, and names on the diagonal", () => {
    const { el } = plot();
    const panels = [...el.querySelectorAll('[data-gmm-role="pair-panel"]')];
    expect(panels).toHaveLength(9);
    expect(panels.map((r) => `${r.getAttribute("data-x")}${r.getAttribute("data-y")}`)).toEqual([
      "00",
      "10",
      "20",
      "01",
      "11",
      "21",
      "02",
      "12",
      "22",
    ]);
    expect([...el.querySelectorAll(".gmm-pairs-label")].map((t) => t.textContent)).toEqual([
      "a",
      "b",
      "c",
    ]);
  });

  it("finds the hovered point in any panel and marks its row in every panel", () => {
    const { el, p } = plot();
    const lay = p.grid;
    // Row 3 in the panel of b across, c up (row 2, column 1).
    const q = lay.panels[2 * 3 + 1];
    const sx = panelScales(q, featureDomains(X, 3, [1])[0], featureDomains(X, 3, [2])[0]);
    const x = sx.x(30);
    const y = sx.y(-3);
    expect(p.pointAt(x, y)).toBe(3);
    expect(p.pointAt(x + 3, y - 2)).toBe(3); // within the radius
    expect(p.pointAt(q.x0 + q.size / 2, q.y0 + 1)).toBe(-1); // nothing near
    // through the pointer, as the page does it
    const ev = new MouseEvent("pointermove", { clientX: x, clientY: y, bubbles: true });
    p.overlay.dispatchEvent(ev);
    expect(el.dataset.hoverRow).toBe("3");
    const marks = [...el.querySelectorAll('[data-gmm-role="pair-highlight"]')];
    expect(marks).toHaveLength(9);
    expect(new Set(marks.map((m) => m.getAttribute("data-row")))).toEqual(new Set(["3"]));
    // each ring sits on row 3's values in its panel
    for (const m of marks.filter((m) => m.tagName.toLowerCase() === "circle")) {
      const fx = Number(m.getAttribute("data-x"));
      const fy = Number(m.getAttribute("data-y"));
      const panel = lay.panels.find((r) => r.fx === fx && r.fy === fy);
      const doms = featureDomains(X, 3, [fx, fy]);
      const s = panelScales(panel, doms[0], doms[1]);
      expect(Number(m.getAttribute("cx"))).toBeCloseTo(s.x(X[3 * 3 + fx]), 4);
      expect(Number(m.getAttribute("cy"))).toBeCloseTo(s.y(X[3 * 3 + fy]), 4);
    }
    p.overlay.dispatchEvent(new MouseEvent("pointerleave"));
    expect(el.querySelectorAll('[data-gmm-role="pair-highlight"]')).toHaveLength(0);
  });

  it("selects a pair on click or Enter, but not on the diagonal", () => {
    const { el, onSelect } = plot();
    const panel = (x, y) =>
      el.querySelector(`[data-gmm-role="pair-panel"][data-x="${x}"][data-y="${y}"]`);
    panel(2, 0).dispatchEvent(new MouseEvent("click", { bubbles: true }));
    expect(onSelect).toHaveBeenLastCalledWith(2, 0);
    panel(1, 1).dispatchEvent(new MouseEvent("click", { bubbles: true }));
    expect(onSelect).toHaveBeenCalledTimes(1);
    panel(0, 1).dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    expect(onSelect).toHaveBeenLastCalledWith(0, 1);
  });
});

describe("FitPlayer in the pairs view", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    document.body.replaceChildren();
  });

  function setup(overrides = {}) {
    const d = 4;
    const values = [];
    for (let i = 0; i < 30; i++) for (let j = 0; j < d; j++) values.push(((i * (j + 3)) % 7) + j);
    const model = mockModel({
      data: enc(values, [30, d]),
      n_samples: 30,
      feature_names: ["a", "b", "c", "d"],
      frames: makeFrames({ F: 3, K: 2, d }),
      ...playerAtStart(),
      pairs_view: true,
      pair_features: enc([0, 1, 3], [3], "int32"),
      uncertainty_view: false,
      ...overrides,
    });
    const el = document.createElement("div");
    document.body.appendChild(el);
    const view = new FitPlayerView(model, el);
    const $ = (role) => el.querySelector(`[data-gmm-role="${role}"]`);
    const $$ = (role) => el.querySelectorAll(`[data-gmm-role="${role}"]`);
    return { model, el, view, $, $$ };
  }

  it("shows the grid of pair_features instead of the single plot", () => {
    const { $, $$ } = setup();
    expect($("pairs-view").hidden).toBe(false);
    expect($$("pair-panel")).toHaveLength(9);
    expect($("view-pairs").getAttribute("aria-pressed")).toBe("true");
    const single = $("plot").closest(".gmm-plot");
    expect(single.hidden).toBe(true);
  });

  it("goes back to one plot of the clicked pair, and tells Python", () => {
    const { model, $ } = setup();
    $('pair-panel"][data-x="3"][data-y="1').dispatchEvent(
      new MouseEvent("click", { bubbles: true }),
    );
    expect(model.get("x_feature")).toBe(3);
    expect(model.get("y_feature")).toBe(1);
    expect(model.get("projection")).toBe("features");
    expect(model.get("pairs_view")).toBe(false);
    expect(model.saved.at(-1)).toMatchObject({ x_feature: 3, y_feature: 1, pairs_view: false });
    expect($("pairs-view").hidden).toBe(true);
  });

  it("toggles the pairs view and the uncertainty view from the toolbar", () => {
    const { model, $ } = setup({ pairs_view: false });
    expect($("pairs-view").hidden).toBe(true);
    $("view-pairs").click();
    expect(model.get("pairs_view")).toBe(true);
    expect($("pairs-view").hidden).toBe(false);
    $("uncertainty-toggle").click();
    expect(model.get("uncertainty_view")).toBe(true);
    expect($("uncertainty-toggle").getAttribute("aria-pressed")).toBe("true");
  });

  it("chooses the features of the grid with checkboxes (2 to 8)", () => {
    const { model, $$ } = setup();
    const boxes = [...$$("pair-feature")];
    expect(boxes.map((b) => b.checked)).toEqual([true, true, false, true]);
    const chooser = $$("pair-features")[0];
    chooser.open = true;
    chooser.dispatchEvent(new Event("toggle"));
    boxes[2].checked = true;
    boxes[2].dispatchEvent(new Event("change", { bubbles: true }));
    expect($$("pair-features")[0].open).toBe(true); // rebuilt, still open
    expect(Array.from(decodeArray(model.get("pair_features")).data)).toEqual([0, 1, 2, 3]);
    expect($$("pair-panel")).toHaveLength(16);
  });

  it("lets at most 8 and at least 2 features be chosen", () => {
    const d = 10;
    const values = [];
    for (let i = 0; i < 20; i++) for (let j = 0; j < d; j++) values.push((i * (j + 1)) % 5);
    const { $$ } = setup({
      data: enc(values, [20, d]),
      n_samples: 20,
      feature_names: Array.from({ length: d }, (_, j) => `f${j}`),
      frames: makeFrames({ F: 2, K: 2, d }),
      pair_features: enc([0, 1, 2, 3, 4, 5, 6, 7], [8], "int32"),
    });
    expect($$("pair-panel")).toHaveLength(64);
    const boxes = [...$$("pair-feature")];
    expect(boxes.map((b) => b.disabled)).toEqual([...Array(8).fill(false), true, true]);
    const few = setup({ pair_features: enc([0, 3], [2], "int32") });
    const two = [...few.$$("pair-feature")];
    expect(two.map((b) => b.disabled)).toEqual([true, false, false, true]);
  });

  it("colours points by uncertainty in both layouts", () => {
    const { view, model } = setup({ pairs_view: false });
    const resp = Float32Array.from([1, 0, 0.5, 0.5]);
    const colors = [
      [0, 0, 255],
      [255, 0, 0],
    ];
    const plain = view.pointColors(resp, 2, colors);
    model.set("uncertainty_view", true);
    const faded = view.pointColors(resp, 2, colors);
    expect(Array.from(faded.slice(3))).toEqual(Array.from(plain.slice(3))); // u = 1 - 1/K
    expect(faded[2]).toBe(Math.round(255 + CERTAIN_STRENGTH * (plain[2] - 255)));
  });

  it("has no pairs controls where the model has no pairs traits (ModelSelector)", () => {
    const { $ } = setup({ pairs_view: undefined, pair_features: undefined });
    expect($("view-pairs")).toBeNull();
  });
});
