import { afterEach, describe, expect, it } from "vitest";
import { FitPlayerView } from "../src/fit_player/view.js";
import { MixtureExplorerView } from "../src/mixture_explorer/view.js";
import {
  combine,
  countSelected,
  encodeRegion,
  fadeUnselected,
  hitTest,
  inRectangle,
  modeOf,
  pointInPolygon,
  selectedMask,
  selectedOnTop,
} from "../src/lib/selection.js";
import { decodeArray } from "../src/lib/codecs.js";
import { enc, makeData, makeFrames, mockModel, playerAtStart } from "./helpers.js";

const SQUARE = { xs: [0, 1, 1, 0], ys: [0, 0, 1, 1] };
const inSquare = (x, y) => pointInPolygon(x, y, SQUARE.xs, SQUARE.ys);

describe("hit tests", () => {
  it("decides the unit square's edges half-open: left and bottom in, right and top out", () => {
    expect(inSquare(0.5, 0.5)).toBe(true);
    expect(inSquare(0, 0.5)).toBe(true); // left edge
    expect(inSquare(0.5, 0)).toBe(true); // bottom edge
    expect(inSquare(1, 0.5)).toBe(false); // right edge
    expect(inSquare(0.5, 1)).toBe(false); // top edge
    expect(inSquare(0, 0)).toBe(true);
    expect(inSquare(1, 1)).toBe(false);
    expect(inSquare(1, 0)).toBe(false);
    expect(inSquare(0, 1)).toBe(false);
    expect(inSquare(-0.001, 0.5)).toBe(false);
    // Clockwise vertices: the same answers.
    const cw = { xs: [...SQUARE.xs].reverse(), ys: [...SQUARE.ys].reverse() };
    expect(pointInPolygon(0, 0.5, cw.xs, cw.ys)).toBe(true);
    expect(pointInPolygon(1, 0.5, cw.xs, cw.ys)).toBe(false);
  });

  it("puts a point on an edge shared by two squares in exactly one of them", () => {
    const right = { xs: [1, 2, 2, 1], ys: [0, 0, 1, 1] };
    for (let i = 0; i < 10; i++) {
      const y = i / 10;
      const n = Number(inSquare(1, y)) + Number(pointInPolygon(1, y, right.xs, right.ys));
      expect(n).toBe(1);
    }
  });

  it("handles a concave lasso (a U) and a self-intersecting one (a bow tie)", () => {
    const u = { xs: [0, 3, 3, 2, 2, 1, 1, 0], ys: [0, 0, 3, 3, 1, 1, 3, 3] };
    const inU = (x, y) => pointInPolygon(x, y, u.xs, u.ys);
    expect([inU(0.5, 2), inU(1.5, 2), inU(2.5, 2), inU(1.5, 0.5), inU(1.5, 3.5)]).toEqual([
      true,
      false,
      true,
      true,
      false,
    ]);
    const bow = { xs: [0, 2, 2, 0], ys: [0, 2, 0, 2] };
    const inBow = (x, y) => pointInPolygon(x, y, bow.xs, bow.ys);
    expect([inBow(0.2, 1), inBow(1.8, 1), inBow(1, 0.2), inBow(1, 1.8)]).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });

  it("agrees with a winding-number count on random points of a star", () => {
    // Independent rule: for a simple polygon, the winding number is +-1 inside, 0 out.
    let seed = 7;
    const rand = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const m = 30;
    const xs = [];
    const ys = [];
    for (let i = 0; i < m; i++) {
      const a = (2 * Math.PI * i) / m;
      const r = i % 2 ? 0.35 : 1;
      xs.push(r * Math.cos(a));
      ys.push(r * Math.sin(a));
    }
    const winding = (x, y) => {
      let w = 0;
      for (let i = 0; i < m; i++) {
        const j = (i + 1) % m;
        const cross = (xs[j] - xs[i]) * (y - ys[i]) - (x - xs[i]) * (ys[j] - ys[i]);
        if (ys[i] <= y && ys[j] > y && cross > 0) w++;
        else if (ys[i] > y && ys[j] <= y && cross < 0) w--;
      }
      return w;
    };
    let inside = 0;
    for (let t = 0; t < 5000; t++) {
      const x = rand() * 2.2 - 1.1;
      const y = rand() * 2.2 - 1.1;
      const got = pointInPolygon(x, y, xs, ys);
      expect(got).toBe(winding(x, y) !== 0);
      inside += Number(got);
    }
    expect(inside).toBeGreaterThan(200);
    expect(inside).toBeLessThan(4800);
  });

  it("gives the same answers through hitTest's band as point by point, on a grid of edge cases", () => {
    // The polygon and grid of tests/widgets/test_selection.py: points on edges and vertices.
    const poly = [
      [0, 0],
      [6, 0],
      [6, 2],
      [4, 2],
      [4, 5],
      [7, 5],
      [3, 8],
      [1, 5],
      [2, 5],
      [2, 2],
    ];
    const vx = poly.map((p) => p[0]);
    const vy = poly.map((p) => p[1]);
    const xs = [];
    const ys = [];
    for (let x = -1; x < 9; x++)
      for (let y = -1; y < 10; y++) {
        xs.push(x);
        ys.push(y);
      }
    const mask = hitTest(xs, ys, { kind: "lasso", xs: vx, ys: vy });
    const direct = xs.map((x, i) => (pointInPolygon(x, ys[i], vx, vy) ? 1 : 0));
    expect(Array.from(mask)).toEqual(direct);
    // By hand, a few of them (a bar, a stem x in [2, 4], a roof): (3, 3) in the stem,
    // (2, 3) on its left wall in, (4, 3) on its right wall out; the apex (3, 8) out,
    // (3, 7) in; the corner (0, 0) in, (6, 1) on the bar's right edge out.
    const at = (x, y) => mask[(x + 1) * 11 + (y + 1)];
    expect([at(3, 3), at(2, 3), at(4, 3), at(3, 8), at(3, 7), at(0, 0), at(6, 1)]).toEqual([
      1, 1, 0, 0, 1, 1, 0,
    ]);
  });

  it("treats the brush as a closed rectangle, corners in any order", () => {
    expect(inRectangle(2, 0.5, 2, 1, 0, 0)).toBe(true); // on the right edge
    expect(inRectangle(0, 0, 2, 1, 0, 0)).toBe(true); // a corner
    expect(inRectangle(2.0001, 0.5, 0, 0, 2, 1)).toBe(false);
    const xs = [0, 1, 2, 3, 0.5, -1, 1.5, 2.5];
    const ys = [0, 1, 0.5, 3, 2, 0.5, 0.2, 2.5];
    const mask = hitTest(xs, ys, { kind: "brush", x0: 0, y0: 0, x1: 2, y1: 1 });
    expect(Array.from(mask)).toEqual([1, 1, 1, 0, 0, 0, 1, 0]);
    // The same table as tests/widgets/test_selection.py: a lasso holding z and m.
    const lasso = hitTest(xs, ys, { kind: "lasso", xs: [-2, 1, 1], ys: [0, 3, 0.1] });
    expect(Array.from(lasso)).toEqual([0, 0, 0, 0, 1, 1, 0, 0]);
    expect(Array.from(hitTest(xs, ys, { kind: "lasso", xs: [0, 1], ys: [0, 1] }))).toEqual(
      new Array(8).fill(0),
    );
  });
});

describe("combining, encoding, drawing", () => {
  it("replaces, or adds with Shift", () => {
    const current = Uint8Array.from([1, 0, 0, 1]);
    const hits = Uint8Array.from([0, 1, 0, 0]);
    expect(Array.from(combine(current, hits, "replace"))).toEqual([0, 1, 0, 0]);
    expect(Array.from(combine(current, hits, "add"))).toEqual([1, 1, 0, 1]);
    expect(Array.from(combine(null, hits, "add"))).toEqual([0, 1, 0, 0]);
    expect(modeOf({ shiftKey: true })).toBe("add");
    expect(modeOf({ shiftKey: false })).toBe("replace");
  });

  it("encodes a region's vertices as little-endian float64 (m, 2)", () => {
    const buf = encodeRegion({ kind: "lasso", xs: [0.1, 2, -3], ys: [4, 5.5, 1e-300] });
    expect(buf.byteLength).toBe(48);
    const view = new DataView(buf);
    const values = Array.from({ length: 6 }, (_, i) => view.getFloat64(i * 8, true));
    expect(values).toEqual([0.1, 4, 2, 5.5, -3, 1e-300]);
    const brush = new DataView(encodeRegion({ kind: "brush", x0: 1, y0: 2, x1: 3, y1: 4 }));
    expect([0, 1, 2, 3].map((i) => brush.getFloat64(i * 8, true))).toEqual([1, 2, 3, 4]);
  });

  it("maps selected rows of X onto the drawn points through display_rows", () => {
    // Drawn points are rows 2, 5, 9, 11 of X; rows 5 and 11 are selected (and 7, not drawn).
    const mask = selectedMask([5, 7, 11], [2, 5, 9, 11], 4);
    expect(Array.from(mask)).toEqual([0, 1, 0, 1]);
    expect(Array.from(selectedMask([0, 3], null, 4))).toEqual([1, 0, 0, 1]);
    expect(selectedMask([], null, 4)).toBe(null);
    // An edited view: -1 for a point that is no row of X.
    expect(Array.from(selectedMask([5], [-1, 5, -1], 3))).toEqual([0, 1, 0]);
    expect(countSelected(mask)).toBe(2);
  });

  it("fades the unselected points and draws the selected on top", () => {
    const rgb = Uint8ClampedArray.from([200, 0, 0, 0, 200, 0]);
    const out = fadeUnselected(rgb, Uint8Array.from([1, 0]), [255, 255, 255], 0.8);
    expect(Array.from(out)).toEqual([200, 0, 0, 204, 244, 204]);
    expect(fadeUnselected(rgb, null, [0, 0, 0])).toBe(rgb);
    const order = Uint32Array.from([3, 0, 2, 1]);
    const top = selectedOnTop(order, Uint8Array.from([1, 0, 0, 1]));
    expect(Array.from(top)).toEqual([2, 1, 3, 0]);
  });
});

describe("selection in the FitPlayer view", () => {
  afterEach(() => document.body.replaceChildren());

  function setup(overrides = {}) {
    const model = mockModel({
      data: makeData(40, 2),
      n_samples: 40,
      feature_names: ["x0", "x1"],
      frames: makeFrames({ F: 3, K: 3, d: 2 }),
      ...playerAtStart(),
      selected_rows: enc([], [0], "int32"),
      display_rows: null,
      profile_shown: false,
      profile_table: {},
      ...overrides,
    });
    const messages = [];
    model.send = (content, _callbacks, buffers) => messages.push({ content, buffers });
    const el = document.createElement("div");
    document.body.appendChild(el);
    const view = new FitPlayerView(model, el);
    const $ = (role) => el.querySelector(`[data-gmm-role="${role}"]`);
    return { model, el, view, $, messages };
  }

  const pointer = (type, x, y, extra = {}) =>
    new MouseEvent(type, { clientX: x, clientY: y, bubbles: true, ...extra });

  it("has brush, lasso, clear and profile controls as real buttons", () => {
    const { $ } = setup();
    for (const role of ["select-brush", "select-lasso", "select-clear", "profile-toggle"])
      expect($(role).tagName).toBe("BUTTON");
    expect($("select-brush").getAttribute("aria-pressed")).toBe("false");
    expect($("select-brush").hidden).toBe(false); // a 2-D plot
    $("select-lasso").click();
    expect($("select-lasso").getAttribute("aria-pressed")).toBe("true");
    $("select-brush").click();
    expect($("select-brush").getAttribute("aria-pressed")).toBe("true");
    expect($("select-lasso").getAttribute("aria-pressed")).toBe("false");
    $("select-brush").click(); // toggles off
    expect($("select-brush").getAttribute("aria-pressed")).toBe("false");
  });

  it("sends a lasso in data coordinates and previews the drawn points inside", () => {
    const { view, model, $, messages } = setup();
    $("select-lasso").click();
    const { x, y } = view.scatter;
    // A triangle around the left cluster (x in [0, 0.8], y in [0, 0.8]) in pixels.
    const corners = [
      [-0.5, -0.5],
      [2, -0.5],
      [-0.5, 2],
    ].map(([a, b]) => [x(a), y(b)]);
    const plot = view.plotEl;
    plot.dispatchEvent(pointer("pointerdown", ...corners[0]));
    plot.dispatchEvent(pointer("pointermove", ...corners[1]));
    plot.dispatchEvent(pointer("pointermove", ...corners[2]));
    plot.dispatchEvent(pointer("pointerup", ...corners[2]));
    expect(messages).toHaveLength(1);
    const { content, buffers } = messages[0];
    expect(content).toMatchObject({
      type: "select",
      kind: "lasso",
      mode: "replace",
      projection: "features",
      x_feature: 0,
      y_feature: 1,
    });
    const v = new Float64Array(buffers[0]);
    expect(v.length).toBe(6);
    expect(v[0]).toBeCloseTo(-0.5, 9);
    expect(v[3]).toBeCloseTo(-0.5, 9);
    expect(v[4]).toBeCloseTo(-0.5, 9);
    expect(v[5]).toBeCloseTo(2, 9);
    // makeData: even rows sit in [0, 0.8]^2, odd rows near 4: the preview holds the even.
    const expected = Array.from({ length: 40 }, (_, i) => Number(i % 2 === 0));
    expect(Array.from(view.selection.mask)).toEqual(expected);
    expect(view.el.querySelector('[data-gmm-role="select-shape"]')).toBe(null); // removed
    // The kernel's answer ends the preview, even when the selection did not change
    // (then no trait change comes): the view shows Python's selection (none here).
    model.emit("msg:custom", { type: "selection-done" });
    expect(view.selection.mask).toBe(null);
  });

  it("adds with Shift, and a click without a mode does nothing", () => {
    const { view, $, messages } = setup();
    const plot = view.plotEl;
    plot.dispatchEvent(pointer("pointerdown", 100, 100));
    plot.dispatchEvent(pointer("pointerup", 200, 200));
    expect(messages).toHaveLength(0);
    $("select-brush").click();
    plot.dispatchEvent(pointer("pointerdown", 100, 100, { shiftKey: true }));
    plot.dispatchEvent(pointer("pointermove", 300, 250));
    plot.dispatchEvent(pointer("pointerup", 300, 250));
    expect(messages[0].content).toMatchObject({ kind: "brush", mode: "add" });
    expect(new Float64Array(messages[0].buffers[0]).length).toBe(4);
  });

  it("highlights what Python selected, through display_rows", () => {
    const { view, model, $ } = setup({
      display_rows: enc(
        [...Array(40).keys()].map((i) => i * 10),
        [40],
        "int32",
      ),
    });
    model.fromKernel("selected_rows", enc([10, 30, 35], [3], "int32"));
    const mask = Array.from(view.selection.mask);
    expect(mask.flatMap((m, i) => (m ? [i] : []))).toEqual([1, 3]);
    expect($("selection-count").textContent).toBe("3 selected");
    const rgb = new Uint8ClampedArray(120).fill(0);
    const { rgb: faded, order } = view.selection.decorate(
      rgb,
      new Uint32Array(40).map((_, i) => i),
      [255, 255, 255],
    );
    expect(faded[3]).toBe(0); // point 1 selected: unchanged
    expect(faded[0]).toBe(204); // point 0 faded towards white
    expect(Array.from(order).slice(-2)).toEqual([1, 3]);
  });

  it("selects a component from the legend and clears", () => {
    const { el, $, model, messages } = setup();
    const items = el.querySelectorAll('[data-gmm-role="legend-item"]');
    expect(items).toHaveLength(3);
    items[2].dispatchEvent(new MouseEvent("click", { bubbles: true }));
    expect(messages[0].content).toEqual({
      type: "select",
      kind: "component",
      component: 2,
      mode: "replace",
      model: "shown",
    });
    // Keyboard: the entries are focusable buttons; Enter selects too.
    expect(items[0].getAttribute("tabindex")).toBe("0");
    items[0].dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    expect(messages.at(-1).content).toMatchObject({ kind: "component", component: 0 });
    messages.pop();
    expect($("select-clear").disabled).toBe(true); // nothing to clear yet
    model.fromKernel("selected_rows", enc([4, 6], [2], "int32"));
    expect($("select-clear").disabled).toBe(false);
    $("select-clear").click();
    expect(messages[1].content).toEqual({ type: "select", kind: "clear" });
  });

  it("toggles the profile table, which shows Python's numbers and selects on a row click", () => {
    const { model, el, $, messages } = setup();
    const box = el.querySelector(".gmm-profile-box");
    expect(box.hidden).toBe(true);
    $("profile-toggle").click();
    expect(model.get("profile_shown")).toBe(true);
    expect(model.saved.at(-1).profile_shown).toBe(true);
    model.fromKernel("profile_shown", true);
    model.fromKernel("profile_table", {
      component: enc([0, 1, 2], [3], "int32"),
      weight: enc([0.5, 0.3, 0.2], [3]),
      count: enc([20, 12, 8], [3], "int32"),
      mean: enc([0, 0, 4, 4, 2, 2], [3, 2]),
      sd: enc([1, 1, 1, 1, 1, 1], [3, 2]),
      effect: enc([-1, -1, 1, 1, 0, 0], [3, 2]),
      separating: enc([1, 1, 1, 1, 0, 0], [3, 2], "uint8"),
      n_samples: 40,
    });
    expect(box.hidden).toBe(false);
    expect($("profile-toggle").getAttribute("aria-pressed")).toBe("true");
    const rows = el.querySelectorAll('[data-gmm-role="profile-row"]');
    expect(rows).toHaveLength(3);
    rows[1].dispatchEvent(new MouseEvent("click", { bubbles: true }));
    expect(messages.at(-1).content).toEqual({
      type: "select",
      kind: "component",
      component: 1,
      mode: "replace",
      model: "profile",
    });
  });

  it("hides brush and lasso in 1-D, where the legend still selects", () => {
    const { $, el, messages } = setup({
      data: makeData(40, 1),
      frames: makeFrames({ F: 3, K: 2, d: 1 }),
      feature_names: ["x0"],
    });
    expect($("select-brush").hidden).toBe(true);
    expect($("select-lasso").hidden).toBe(true);
    el.querySelector('[data-gmm-role="legend-item"]').click();
    expect(messages[0].content).toMatchObject({ kind: "component", component: 0 });
  });
});

describe("selection in the MixtureExplorer view (edited points)", () => {
  afterEach(() => document.body.replaceChildren());

  function explorer(overrides = {}) {
    const K = 2;
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
      n_components: K,
      covariance_type: "full",
      random_state: 0,
      n_init: 1,
      init_params: "kmeans",
      handles: null,
      request: 0,
      k_min: 1,
      k_max: 10,
      max_n_init: 50,
      result: {
        request: 0,
        source: "fit",
        frames: makeFrames({ F: 3, K }),
        initial_means: enc([0, 0, 4, 4], [K, 2], "float64"),
        scores: { log_likelihood: -2, bic: 1, aic: 1, icl: 1, n_iter: 2, converged: true },
        previous: null,
        controls: {
          n_components: K,
          covariance_type: "full",
          random_state: 0,
          n_init: 1,
          init_params: "kmeans",
          handles: null,
        },
      },
      error: {},
      busy: false,
      selected_rows: enc([], [0], "int32"),
      display_rows: null,
      profile_shown: false,
      profile_table: {},
      ...overrides,
    });
    model.send = () => {};
    const el = document.createElement("div");
    document.body.appendChild(el);
    const view = new MixtureExplorerView(model, el, { browserFit: false });
    const $ = (role) => el.querySelector(`[data-gmm-role="${role}"]`);
    return { model, view, $ };
  }

  it("maps the selection through removed and added points", () => {
    // Row 0 removed, one point added: the player draws rows 1..39, then the new point.
    const { model, view } = explorer({
      points_added: enc([9, 9], [1, 2], "float64"),
      points_removed: enc([0], [1], "int32"),
    });
    model.fromKernel("selected_rows", enc([0, 1, 2, 39], [4], "int32"));
    const mask = Array.from(view.player.selection.mask);
    expect(mask).toHaveLength(40);
    expect(mask.flatMap((m, i) => (m ? [i] : []))).toEqual([0, 1, 38]); // rows 1, 2, 39
  });

  it("keeps the point editor's clicks while a selection mode is on", () => {
    const { model, view, $ } = explorer();
    const overlay = view.player.scatter.overlay;
    const click = () =>
      overlay.dispatchEvent(new MouseEvent("click", { clientX: 300, clientY: 150, bubbles: true }));
    $("select-lasso").click();
    click();
    expect(model.get("points_added") ?? null).toBe(null); // the lasso's, not a new point
    $("select-lasso").click(); // mode off: the editor adds a point again
    click();
    expect(decodeArray(model.get("points_added")).shape).toEqual([1, 2]);
  });
});
