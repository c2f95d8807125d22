// The explorer's fit in the page: the drag preview, the cold start on release, the
// hand-over to the kernel's answer, and a collapse shown as the core words it.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { decodeArray } from "../src/lib/codecs.js";
import { EMData, GaussianMixtureEM } from "../src/lib/em.js";
import { BrowserFit } from "../src/mixture_explorer/browser_fit.js";
import { MixtureExplorerView, extendHandles } from "../src/mixture_explorer/view.js";
import { enc, makeFrames, mockModel } from "./helpers.js";

const here = dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(readFileSync(join(here, "fixtures", "em_parity.json"), "utf8"));
const SETTINGS = { tol: 1e-3, reg_covar: 1e-6, max_iter: 100 };

function relError(a, b) {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

/** A clock that moves `step` ms at every read. */
function steppingClock(step) {
  let t = 0;
  return () => {
    t += step;
    return t;
  };
}

describe("BrowserFit", () => {
  const set = fixture.datasets[1]; // d = 2
  const points = { X: Float64Array.from(set.X), n: set.X.length / 2, d: 2 };

  it("a cold start run frame by frame ends where the kernel's fit does (1e-9)", () => {
    for (const c of fixture.cases.filter((c) => c.dataset === 1)) {
      const fit = new BrowserFit(
        points,
        { ...SETTINGS, reg_covar: c.reg_covar },
        {
          now: steppingClock(3),
        },
      );
      fit.setTarget({
        handles: Float64Array.from(c.handles),
        K: c.n_components,
        covarianceType: c.covariance_type,
        cold: true,
      });
      let frames = 0;
      while (!fit.settled && frames < 500) {
        fit.tick();
        frames += 1;
      }
      const s = fit.em.state();
      expect(fit.em.nIter).toBe(c.fit.n_iter);
      expect(relError(s.means, c.fit.means)).toBeLessThan(1e-9);
      expect(relError(s.covariances, c.fit.covariances)).toBeLessThan(1e-9);
      const scores = fit.scores();
      for (const key of ["log_likelihood", "bic", "aic", "icl"])
        expect(
          Math.abs(scores[key] - c.fit.scores[key]) / Math.abs(c.fit.scores[key]),
        ).toBeLessThan(1e-9);
    }
  });

  it("each frame runs the iterations its budget allows, at least one", () => {
    const c = fixture.cases.find((c) => c.dataset === 1 && c.n_components === 8);
    // Every clock read advances 5 ms: the 8 ms budget is spent after the second step.
    const fit = new BrowserFit(points, { ...SETTINGS, tol: 0 }, { now: steppingClock(5) });
    fit.setTarget({
      handles: Float64Array.from(c.handles),
      K: 8,
      covarianceType: "full",
      cold: true,
    });
    expect(fit.tick()).toBe(2);
    const slow = new BrowserFit(points, { ...SETTINGS, tol: 0 }, { now: steppingClock(50) });
    slow.setTarget({
      handles: Float64Array.from(c.handles),
      K: 8,
      covarianceType: "full",
      cold: true,
    });
    expect(slow.tick()).toBe(1);
  });

  it("a warm target moves the dragged component with the hand, then iterates", () => {
    const c = fixture.cases.find((c) => c.dataset === 1 && c.n_components === 3);
    const fit = new BrowserFit(points, SETTINGS);
    const handles = Float64Array.from(c.handles);
    fit.setTarget({ handles, K: 3, covarianceType: c.covariance_type, cold: true });
    fit.tick();
    const before = fit.em.state();
    const moved = Float64Array.from(handles);
    moved[2] += 0.75; // component 1, x
    fit.setTarget({ handles: moved, K: 3, covarianceType: c.covariance_type, cold: false });
    const after = fit.em.state();
    expect(after.means[2] - before.means[2]).toBeCloseTo(0.75, 12);
    expect(after.means[0]).toBe(before.means[0]);
    expect(Array.from(after.covariances)).toEqual(Array.from(before.covariances));
    expect(fit.settled).toBe(false);
  });

  it("a collapse gives the core's message and keeps the last good, finite state", () => {
    const cc = fixture.collapse.find((c) => c.covariance_type === "full");
    const set0 = fixture.collapse_datasets[0];
    const fit = new BrowserFit(
      { X: Float64Array.from(set0.X), n: set0.X.length / 2, d: 2 },
      { ...SETTINGS, reg_covar: 0 },
    );
    // The start of the core's case used reg_covar 1e-3; here 0 is used for both, and
    // the collapse comes at the start or at the first step: either way the message.
    fit.setTarget({
      handles: Float64Array.from(cc.handles),
      K: 2,
      covarianceType: "full",
      cold: true,
    });
    while (!fit.settled) fit.tick();
    expect(fit.error).toBe(cc.error);
    for (const v of fit.frame()?.means.data ?? []) expect(Number.isFinite(v)).toBe(true);
  });

  it("new handles for a larger K go to the points farthest from the others", () => {
    const data = new EMData(Float64Array.of(0, 0, 1, 0, 10, 10, 0, 1), 4, 2);
    const out = extendHandles([Float64Array.of(0, 0)], 2, data.X, data.center, data.n);
    expect(Array.from(out[1])).toEqual([10, 10]);
  });
});

// ---------------------------------------------------------------- the view
const blobs = (() => {
  // 120 points in three blobs (seeded LCG), float32 as Python sends them.
  let s = 12345;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const centres = [
    [0, 0],
    [5, 1],
    [2, 6],
  ];
  const values = [];
  for (let i = 0; i < 120; i++) {
    const c = centres[i % 3];
    values.push(c[0] + gauss(), c[1] + 0.7 * gauss());
  }
  return Float32Array.from(values);
})();
const INITIAL = [
  [0.5, 0.5],
  [4.5, 1.5],
  [2.0, 5.0],
];

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

function kernelResult(request, over = {}) {
  const c = over.controls || controls();
  return {
    request,
    source: "fit",
    frames: makeFrames({ F: 5, K: c.n_components }),
    initial_means: enc(INITIAL.slice(0, c.n_components), [c.n_components, 2], "float64"),
    scores: { log_likelihood: -3, bic: 700, aic: 650, icl: 720, n_iter: 4, converged: true },
    previous: null,
    ...over,
    controls: {
      ...c,
      handles: c.handles ? enc(c.handles, [c.handles.length, 2], "float64") : null,
    },
  };
}

const views = [];
afterEach(() => {
  for (const v of views.splice(0)) v.destroy();
  document.body.replaceChildren();
});

function setup(over = {}) {
  const model = mockModel({
    data: enc(Array.from(blobs), [120, 2]),
    n_samples: 120,
    feature_names: ["x0", "x1"],
    projection: "features",
    x_feature: 0,
    y_feature: 1,
    pca: {},
    fps: 20,
    animate: true,
    ...controls(),
    request: 0,
    k_min: 1,
    k_max: 10,
    max_n_init: 50,
    result: kernelResult(0),
    error: {},
    busy: false,
    fit_settings: SETTINGS,
    ...over,
  });
  const frames = [];
  const timers = {
    setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
    clearTimeout: (id) => globalThis.clearTimeout(id),
    requestAnimationFrame: (fn) => frames.push(fn),
  };
  const el = document.createElement("div");
  document.body.appendChild(el);
  const view = new MixtureExplorerView(model, el, { timers });
  views.push(view);
  const root = el.querySelector(".gmm-mixture-explorer");
  /** Run animation frames until none is asked for (at most `max`). */
  const runFrames = (max = 1000) => {
    let n = 0;
    while (frames.length && n < max) {
      frames.shift()();
      n += 1;
    }
    return n;
  };
  return { model, el, view, root, runFrames, frames };
}

const pointer = (type, x, y) =>
  new PointerEvent(type, { clientX: x, clientY: y, bubbles: true, pointerId: 1, button: 0 });
const translate = (node) =>
  node
    .getAttribute("transform")
    .match(/translate\(([-\d.]+),([-\d.]+)\)/)
    .slice(1)
    .map(Number);

describe("MixtureExplorer view with the browser fit", () => {
  it("a drag previews in the page; the release asks the kernel once and fits cold", () => {
    const { model, el, root, runFrames, view } = setup();
    const h = el.querySelectorAll('[data-gmm-role="mean-handle"]')[1];
    const [x0, y0] = translate(h);
    h.dispatchEvent(pointer("pointerdown", x0, y0));
    for (let i = 1; i <= 10; i++) {
      h.dispatchEvent(pointer("pointermove", x0 + 3 * i, y0 - 2 * i));
      runFrames(1);
    }
    expect(root.dataset.gmmState).toBe("preview");
    expect(root.dataset.gmmFitSource).toBe("browser");
    expect(model.saved).toHaveLength(0); // nothing goes to the kernel while dragging
    h.dispatchEvent(pointer("pointerup", x0 + 30, y0 - 20));
    expect(model.saved).toHaveLength(1); // one kernel refit per release
    expect(model.get("request")).toBe(1);
    const frames = runFrames();
    expect(frames).toBeGreaterThan(0);
    expect(root.dataset.gmmBrowserSettled).toBe("true");
    expect(root.dataset.gmmState).toBe("preview");
    expect(el.querySelector('[data-gmm-role="fit-status"]').textContent).toBe("browser fit");
    // The page's fit is the cold start from the handles sent, run to convergence.
    const sent = decodeArray(model.get("handles"));
    const em = new GaussianMixtureEM(new EMData(blobs, 120, 2), {
      covarianceType: "full",
      nComponents: 3,
      regCovar: SETTINGS.reg_covar,
      tol: SETTINGS.tol,
    });
    em.startFromMeans(sent.data);
    em.run({ maxIter: 100 });
    expect(Array.from(view.fit.em.state().means)).toEqual(Array.from(em.state().means));
    const bic = el.querySelector('[data-metric="bic"] td');
    expect(Number(bic.dataset.value)).toBe(em.criteria().bic);
    // The start is on the page for the start-vs-result path.
    expect(JSON.parse(root.dataset.gmmStart)).toEqual(Array.from(sent.data));
    // The kernel answers request 1: its fit is the truth, shown at its end (not replayed).
    const c = controls({
      handles: [0, 1, 2].map((k) => Array.from(sent.data.slice(2 * k, 2 * k + 2))),
    });
    model.set("handles", model.get("handles"));
    model.fromKernel("result", kernelResult(1, { controls: c }));
    expect(root.dataset.gmmState).toBe("fitted");
    expect(root.dataset.gmmFitSource).toBe("kernel");
    expect(view.player.playback.index).toBe(4);
    expect(model.saved).toHaveLength(1);
  });

  it("cancelling a drag (Escape) goes back to the kernel's fit", () => {
    const { el, root, runFrames } = setup();
    const h = el.querySelectorAll('[data-gmm-role="mean-handle"]')[0];
    const [x0, y0] = translate(h);
    h.dispatchEvent(pointer("pointerdown", x0, y0));
    h.dispatchEvent(pointer("pointermove", x0 + 20, y0));
    runFrames(2);
    expect(root.dataset.gmmState).toBe("preview");
    h.dispatchEvent(pointer("pointercancel", x0 + 20, y0));
    runFrames();
    expect(root.dataset.gmmState).toBe("fitted");
  });

  it("the K slider previews K+1 components in the page", () => {
    const { el, root, runFrames, view } = setup({
      ...controls({ handles: enc(INITIAL, [3, 2], "float64") }),
      result: kernelResult(0, { controls: controls({ handles: INITIAL }) }),
    });
    const slider = el.querySelector('[data-gmm-role="k-slider"]');
    slider.value = "4";
    slider.dispatchEvent(new Event("change"));
    runFrames();
    expect(root.dataset.gmmState).toBe("preview");
    expect(view.fit.em.K).toBe(4);
    expect(el.querySelectorAll('[data-gmm-role="mean-handle"]')).toHaveLength(4);
    expect(el.querySelectorAll(".gmm-ellipses > g")).toHaveLength(4);
  });

  it("a collapse in the page shows the core's message, and no NaN reaches the plot", () => {
    // Ten copies of one far point: a handle on them collapses with reg_covar = 0.
    const X = Float32Array.from([...blobs, ...Array(20).fill(30)]);
    const { model, el, root, runFrames, view } = setup({
      data: enc(Array.from(X), [130, 2]),
      n_samples: 130,
      fit_settings: { ...SETTINGS, reg_covar: 0 },
    });
    view.change({
      handles: enc([INITIAL[0], INITIAL[1], [30, 30]], [3, 2], "float64"),
    });
    runFrames();
    expect(root.dataset.gmmState).toBe("preview");
    const text = el.querySelector('[data-gmm-role="error"]').textContent;
    expect(text).toContain("ill-defined empirical covariance");
    expect(text).toContain("reg_covar (now 0)");
    for (const v of view.player.store.get(0).means) expect(Number.isFinite(v)).toBe(true);
    expect(model.saved).toHaveLength(1);
  });
});

describe("adding and removing points", () => {
  const click = (el, x, y, shiftKey = false) =>
    el.dispatchEvent(new MouseEvent("click", { clientX: x, clientY: y, bubbles: true, shiftKey }));

  it("a click on empty space adds a point there; shift-click removes the nearest", () => {
    const { model, el, view, runFrames } = setup({
      ...controls({ handles: enc(INITIAL, [3, 2], "float64") }),
      result: kernelResult(0, { controls: controls({ handles: INITIAL }) }),
    });
    const overlay = el.querySelector('[data-gmm-role="plot"]');
    const s = view.plotScales();
    // An empty corner of the plot.
    const [px, py] = [
      s.x.domain[1] - 0.05 * (s.x.domain[1] - s.x.domain[0]),
      s.y.domain[0] + 0.05 * (s.y.domain[1] - s.y.domain[0]),
    ];
    click(overlay, s.x(px), s.y(py));
    expect(model.saved).toHaveLength(1);
    const added = decodeArray(model.get("points_added"));
    expect(added.shape).toEqual([1, 2]);
    expect(added.data[0]).toBeCloseTo(px, 9);
    expect(added.data[1]).toBeCloseTo(py, 9);
    // The plot and the page's fit have the point; the kernel is asked once.
    runFrames();
    expect(view.fit.data.n).toBe(121);
    expect(view.player.data.n).toBe(121);
    // Shift-click on original point 7: it goes to points_removed (its displayed position).
    click(overlay, s.x(blobs[14]), s.y(blobs[15]), true);
    expect(Array.from(decodeArray(model.get("points_removed")).data)).toEqual([7]);
    expect(view.player.data.n).toBe(120);
    // Shift-click on the added point takes it back out of points_added.
    click(overlay, s.x(px), s.y(py), true);
    expect(decodeArray(model.get("points_added")).shape).toEqual([0, 2]);
    expect(model.saved).toHaveLength(3);
    expect(model.get("request")).toBe(3);
  });

  it("clicks on a handle or outside the plot area add nothing", () => {
    const { model, el } = setup();
    const h = el.querySelector('[data-gmm-role="mean-handle"] .gmm-handle-ring');
    h.dispatchEvent(new MouseEvent("click", { clientX: 0, clientY: 0, bubbles: true }));
    click(el.querySelector('[data-gmm-role="plot"]'), 1, 1); // in the axes' margin
    expect(model.saved).toHaveLength(0);
  });

  it("the point cursor adds and removes from the keyboard", () => {
    const { model, el, view } = setup();
    const cursor = el.querySelector('[data-gmm-role="point-cursor"]');
    const key = (k, o = {}) =>
      cursor.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, ...o }));
    const start = view.editor.position;
    key("ArrowRight");
    key("ArrowUp", { shiftKey: true });
    const at = view.editor.position;
    expect(at[0]).toBeGreaterThan(start[0]);
    expect(at[1]).toBeGreaterThan(start[1]);
    key("Enter");
    const added = decodeArray(model.get("points_added"));
    expect(added.data[0]).toBeCloseTo(at[0], 9);
    expect(added.data[1]).toBeCloseTo(at[1], 9);
    key("Delete"); // the nearest point is the one just added
    expect(decodeArray(model.get("points_added")).shape).toEqual([0, 2]);
    expect(model.saved).toHaveLength(2);
  });

  it("the edits are part of the controls a fit must match", () => {
    const { model, root } = setup();
    model.set("points_removed", enc([3], [1], "int32"));
    expect(root.dataset.gmmState).not.toBe("fitted");
  });
});

describe("AnomalyInspector's refit in the page", () => {
  // Two blobs and eight far points; scores and threshold as the kernel would send them.
  const X = Float32Array.from([
    ...blobs.slice(0, 160),
    20,
    20,
    -15,
    9,
    18,
    -12,
    25,
    3,
    -14,
    -10,
    22,
    14,
    -18,
    0,
    0,
    24,
  ]);
  const n = X.length / 2;
  const means = [0, 0, 5, 1];
  const covs = [1, 0, 0, 0.5, 1, 0, 0, 0.5];
  const em = new GaussianMixtureEM(new EMData(X, n, 2), { covarianceType: "full", nComponents: 2 });
  em.setParams({ weights: [0.5, 0.5], means, covariances: covs });
  const scores = em.scoreSamples();
  const sorted = Float64Array.from(scores).sort();
  const threshold = (sorted[7] + sorted[8]) / 2; // flags the 8 lowest
  const state = {
    data: enc(Array.from(X), [n, 2]),
    _display_scores: enc(Array.from(scores), [n], "float64"),
    _sorted_scores: enc(Array.from(sorted), [n], "float64"),
    _sorted_labels: null,
    _display_labels: null,
    _mixture: {
      covariance_type: "full",
      n_components: 2,
      n_features: 2,
      weights: enc([0.5, 0.5], [2], "float64"),
      means: enc(means, [2, 2], "float64"),
      covariances: enc(covs, [2, 2, 2], "float64"),
    },
    threshold,
    contamination: null,
    n_refits: 0,
  };

  it("fits the kept points from the current means and rescores every point", async () => {
    const { browserRefit } = await import("../src/anomaly_inspector/browser_refit.js");
    const model = mockModel(state);
    const next = browserRefit(model);
    expect(next.refit_info).toMatchObject({ n_samples: n, n_removed: 8, n_kept: n - 8 });
    expect(next.refit_info.source).toBe("browser");
    // The same EM, run here by hand on the points above the threshold.
    const keep = [];
    for (let i = 0; i < n; i++) if (!(scores[i] < threshold)) keep.push(X[2 * i], X[2 * i + 1]);
    const ref = new GaussianMixtureEM(new EMData(Float64Array.from(keep), keep.length / 2, 2), {
      covarianceType: "full",
      nComponents: 2,
    });
    ref.startFromMeans(means);
    ref.run({ maxIter: 100 });
    const got = decodeArray(next._mixture.means).data;
    expect(Array.from(got)).toEqual(Array.from(ref.state().means));
    // Same fraction flagged: 8 of n before, the same percentile of the new scores now.
    const newSorted = decodeArray(next._sorted_scores).data;
    const below = newSorted.filter((v) => v < next.threshold).length;
    expect(Math.abs(below - 8)).toBeLessThanOrEqual(1);
    expect(next.n_refits).toBe(1);
  });

  it("refuses to refit when nothing is flagged, with the kernel's words", async () => {
    const { browserRefit } = await import("../src/anomaly_inspector/browser_refit.js");
    const model = mockModel({ ...state, threshold: sorted[0] - 1 });
    expect(() => browserRefit(model)).toThrow(/nothing to remove; raise the threshold first/);
  });
});

describe("the page's fit in 1-D and in a projection", () => {
  for (const d of [1, 3]) {
    it(`d=${d}: a committed start fits in the page and draws finite parameters`, () => {
      const n = 90;
      const values = [];
      for (let i = 0; i < n; i++)
        for (let j = 0; j < d; j++) values.push((i % 3) * 4 + Math.sin(i * 1.7 + j) * 0.8);
      const handles = [];
      for (let k = 0; k < 3; k++) for (let j = 0; j < d; j++) handles.push(k * 4 + 0.3);
      const over = {
        data: enc(values, [n, d]),
        n_samples: n,
        feature_names: Array.from({ length: d }, (_, j) => `x${j}`),
        result: kernelResult(0),
        ...(d > 2
          ? {
              projection: "pca",
              pca: {
                mean: enc(Array(d).fill(4), [d], "float64"),
                components: enc([1, 0, 0, 0, 1, 0], [2, d], "float64"),
              },
            }
          : {}),
      };
      const { el, root, runFrames, view } = setup(over);
      view.change({ handles: enc(handles, [3, d], "float64") });
      runFrames();
      expect(root.dataset.gmmState).toBe("preview");
      expect(root.dataset.gmmBrowserSettled).toBe("true");
      const st = view.fit.em.state();
      for (const v of [...st.means, ...st.covariances]) expect(Number.isFinite(v)).toBe(true);
      expect(el.querySelector('[data-gmm-role="fit-status"]').textContent).toBe("browser fit");
    });
  }
});
