// The browser's imputation (lib/impute.js) against the Python core: fixture from
// tests/widgets/impute_fixture.py (regenerate with `python -m tests.widgets.impute_fixture`;
// a pytest fails when it is stale), and against a direct computation (matrix inverse).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { expandCovariances } from "../src/lib/gaussian.js";
import { AssignmentCache } from "../src/lib/assignments.js";
import {
  ImputeCache,
  imputeFrame,
  imputeRows,
  missingPatterns,
  withObservedResponsibilities,
} from "../src/lib/impute.js";

const here = dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(readFileSync(join(here, "fixtures", "impute_parity.json"), "utf8"));
const TOL = 1e-9;

/** max |a - b| over max(1, max |b|). */
function relError(actual, expected) {
  expect(actual.length).toBe(expected.length);
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / scale;
}

const asData = (X) => Float64Array.from(X, (v) => (v === null ? NaN : v));

describe("imputation equals GaussianMixture.impute", () => {
  for (const c of fixture.cases) {
    it(`${c.covariance_type} d=${c.d} after ${c.max_iter} iterations`, () => {
      const set = fixture.datasets[String(c.d)];
      const X = asData(set.X);
      const K = c.weights.length;
      const covs = expandCovariances(c.covariances, c.covariance_type, K, c.d);
      const filled = imputeRows(X, set.n, c.d, c.weights, c.means, covs);
      expect(relError(filled, c.imputed)).toBeLessThan(TOL);
      // Responsibilities of the rows with an imputed value: the observed marginals'.
      const patterns = missingPatterns(X, set.n, c.d);
      expect(patterns.groups.length).toBeGreaterThanOrEqual(2);
      const { resp } = imputeFrame(X, patterns, c.weights, c.means, covs);
      const expected = [];
      for (const row of patterns.rows)
        for (let k = 0; k < K; k++) expected.push(c.resp[row * K + k]);
      expect(relError(resp, expected)).toBeLessThan(TOL);
    });
  }
});

/** Inverse of a small SPD matrix by Gauss-Jordan elimination (the direct check). */
function inverse(A, p) {
  const M = Array.from({ length: p }, (_, i) => [
    ...Array.from({ length: p }, (_, j) => A[i * p + j]),
    ...Array.from({ length: p }, (_, j) => (i === j ? 1 : 0)),
  ]);
  for (let c = 0; c < p; c++) {
    const piv = M[c][c];
    for (let j = 0; j < 2 * p; j++) M[c][j] /= piv;
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = M[r][c];
      for (let j = 0; j < 2 * p; j++) M[r][j] -= f * M[c][j];
    }
  }
  return M.map((row) => row.slice(p));
}

/** E[x_m | x_o] and r_k(x_o) of one row, straight from the formulas. */
function direct(x, weights, means, covs, d) {
  const K = weights.length;
  const obs = [];
  const mis = [];
  for (let j = 0; j < d; j++) (Number.isNaN(x[j]) ? mis : obs).push(j);
  const p = obs.length;
  const dens = [];
  const cond = [];
  for (let k = 0; k < K; k++) {
    const S = covs[k];
    const Soo = new Float64Array(p * p);
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) Soo[a * p + b] = S[obs[a] * d + obs[b]];
    const inv = inverse(Soo, p);
    // det by the product of the elimination pivots of a copy
    let det = 1;
    const U = Array.from({ length: p }, (_, i) =>
      Array.from({ length: p }, (_, j) => Soo[i * p + j]),
    );
    for (let c = 0; c < p; c++) {
      det *= U[c][c];
      for (let r = c + 1; r < p; r++) {
        const f = U[r][c] / U[c][c];
        for (let j = c; j < p; j++) U[r][j] -= f * U[c][j];
      }
    }
    const diff = obs.map((j) => x[j] - means[k * d + j]);
    const sol = inv.map((row) => row.reduce((s, v, b) => s + v * diff[b], 0));
    const maha = diff.reduce((s, v, a) => s + v * sol[a], 0);
    dens.push((weights[k] * Math.exp(-0.5 * maha)) / Math.sqrt((2 * Math.PI) ** p * det));
    cond.push(
      mis.map((j) => means[k * d + j] + obs.reduce((s, o, a) => s + S[j * d + o] * sol[a], 0)),
    );
  }
  const total = dens.reduce((a, b) => a + b, 0);
  const r = dens.map((v) => v / total);
  const filled = Array.from(x);
  mis.forEach((j, c) => {
    filled[j] = cond.reduce((s, ck, k) => s + r[k] * ck[c], 0);
  });
  return { filled, r };
}

describe("imputation equals the formula", () => {
  it("full covariances, d=4, random patterns", () => {
    const d = 4;
    const K = 3;
    let seed = 7;
    const rand = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const weights = [0.5, 0.3, 0.2];
    const means = Array.from({ length: K * d }, () => 4 * rand() - 2);
    const covs = [];
    for (let k = 0; k < K; k++) {
      const A = Array.from({ length: d * d }, () => rand() - 0.5);
      const S = new Float64Array(d * d);
      for (let i = 0; i < d; i++)
        for (let j = 0; j < d; j++) {
          let s = i === j ? 0.5 : 0;
          for (let t = 0; t < d; t++) s += A[i * d + t] * A[j * d + t];
          S[i * d + j] = s;
        }
      covs.push(S);
    }
    const n = 40;
    const X = new Float64Array(n * d);
    for (let i = 0; i < n * d; i++) X[i] = rand() < 0.3 ? NaN : 3 * rand() - 1.5;
    const patterns = missingPatterns(X, n, d);
    const { values, resp } = imputeFrame(X, patterns, weights, means, covs);
    expect(patterns.rows.length).toBeGreaterThan(10);
    patterns.rows.forEach((row, i) => {
      const want = direct(X.subarray(row * d, row * d + d), weights, means, covs, d);
      for (let j = 0; j < d; j++) expect(values[i * d + j]).toBeCloseTo(want.filled[j], 10);
      for (let k = 0; k < K; k++) expect(resp[i * K + k]).toBeCloseTo(want.r[k], 10);
    });
  });
});

describe("missingPatterns and ImputeCache", () => {
  it("groups rows by pattern and counts the empty ones", () => {
    const X = Float64Array.from([1, 2, NaN, 2, 1, NaN, NaN, NaN, 3, 4]);
    const p = missingPatterns(X, 5, 2);
    expect(p.groups.map((g) => g.key)).toEqual(["10", "01"]);
    expect(Array.from(p.groups[0].rows)).toEqual([1]);
    expect(Array.from(p.groups[1].rows)).toEqual([2]);
    expect(Array.from(p.empty)).toEqual([3]);
    expect(Array.from(p.kind)).toEqual([0, 1, 1, 2, 0]);
  });

  it("caches a frame and places rows anew for new parameters", () => {
    const X = Float64Array.from([0, NaN, 1, 1, 2, 2]);
    const cache = new ImputeCache({ X, n: 3, d: 2 });
    const eye = Float64Array.from([1, 0.5, 0.5, 1]);
    const a = cache.get(0, { weights: [1], means: [0, 0], covariances: [eye] });
    expect(cache.get(0, { weights: [1], means: [9, 9], covariances: [eye] })).toBe(a);
    expect(a.values[1]).toBeCloseTo(0, 12); // E[x1 | x0 = 0] = 0 + 0.5 * 0
    const b = cache.get(1, { weights: [1], means: [1, 3], covariances: [eye] });
    expect(b.values[1]).toBeCloseTo(3 + 0.5 * (0 - 1), 12);
    expect(cache.nImputed).toBe(1);
    expect(cache.nEmpty).toBe(0);
  });
});

describe("FitPlayer view with missing values", () => {
  it("draws rows with NaN as hollow rings at their imputed place, moving with the frame", async () => {
    const { FitPlayerView } = await import("../src/fit_player/view.js");
    const { enc, makeFrames, mockModel, playerAtStart } = await import("./helpers.js");
    const n = 40;
    const values = [];
    for (let i = 0; i < n; i++) values.push((i % 2) * 4 + (i % 5) / 5, ((i * 3) % 7) / 3);
    values[2 * 3 + 1] = NaN; // row 3: x1 missing
    values[2 * 8] = NaN; // row 8: x0 missing
    values[2 * 9] = NaN; // row 9: nothing observed
    values[2 * 9 + 1] = NaN;
    const model = mockModel({
      data: enc(values, [n, 2]),
      n_samples: n,
      feature_names: ["x0", "x1"],
      frames: makeFrames({ F: 4, K: 2, d: 2 }),
      ...playerAtStart(),
    });
    const el = document.createElement("div");
    document.body.appendChild(el);
    const view = new FitPlayerView(model, el);
    const $ = (role) => el.querySelector(`[data-gmm-role="${role}"]`);
    expect($("imputed-info").textContent).toBe(
      "2 rows with imputed coordinates (hollow); 1 rows with no observed value not drawn",
    );
    expect($("points").getAttribute("data-imputed")).toBe("2");
    const check = (index) => {
      const placed = view.root.gmmImputed;
      expect(placed.frame).toBe(index);
      const f = view.store.get(index);
      const want = imputeRows(
        Float32Array.from(values),
        n,
        2,
        f.weights,
        f.means,
        view.store.fullCovariances(index),
      );
      expect(Array.from(placed.rows)).toEqual([3, 8]);
      placed.rows.forEach((row, i) => {
        for (let j = 0; j < 2; j++)
          expect(placed.values[i * 2 + j]).toBeCloseTo(want[row * 2 + j], 12);
      });
      return Array.from(placed.values);
    };
    const first = check(0);
    view.playback.seek(3);
    const last = check(3);
    expect(last).not.toEqual(first); // the rings moved with the frame
    view.destroy();
  });
});

describe("pairs view with missing values", () => {
  it("leaves a missing coordinate out of the pixel buffer", async () => {
    const { accumulatePoints, pixelOffsets } = await import("../src/lib/pairs.js");
    const W = 4;
    const cols = pixelOffsets(Float32Array.from([1, NaN, 2]), 1);
    const rowsW = pixelOffsets(Float32Array.from([1, 1, NaN]), W);
    const acc = new Float32Array(W * W * 3);
    const cnt = new Float32Array(W * W);
    accumulatePoints(acc, cnt, 0, cols, rowsW, [10, 20, 30, 40, 50, 60, 70, 80, 90], [0, 1]);
    expect(Array.from(cnt).reduce((a, b) => a + b, 0)).toBe(1); // only row 0 is drawn
    expect(cnt[1 * W + 1]).toBe(1);
    expect(Array.from(acc).every(Number.isFinite)).toBe(true);
  });

  it("draws the rows with NaN as rings in the pairs view, at each frame's places", async () => {
    const { FitPlayerView } = await import("../src/fit_player/view.js");
    const { enc, makeFrames, mockModel, playerAtStart } = await import("./helpers.js");
    const n = 30;
    const d = 3;
    const values = [];
    for (let i = 0; i < n; i++) values.push(i % 3, (i * 7) % 5, (i * 2) % 7);
    values[4 * d + 2] = NaN;
    values[5 * d] = NaN;
    const model = mockModel({
      data: enc(values, [n, d]),
      n_samples: n,
      feature_names: ["a", "b", "c"],
      frames: makeFrames({ F: 3, K: 2, d }),
      ...playerAtStart(),
      pairs_view: true,
      pair_features: [0, 1, 2],
      uncertainty_view: false,
    });
    const el = document.createElement("div");
    document.body.appendChild(el);
    const view = new FitPlayerView(model, el);
    expect(el.querySelector('[data-gmm-role="pairs-marks"]').getAttribute("data-imputed")).toBe(
      "2",
    );
    const f = view.store.get(1);
    const params = {
      weights: f.weights,
      means: f.means,
      covariances: view.store.fullCovariances(1),
    };
    const placed = view.pairsImputed(1, params, new Uint8ClampedArray(view.pairsData.n * 3));
    const want = imputeRows(
      Float32Array.from(values),
      n,
      d,
      f.weights,
      f.means,
      view.store.fullCovariances(1),
    );
    const rows = view.pairsImputer.patterns.rows;
    rows.forEach((t, i) => {
      const row = view.pairs.rows[t];
      for (let j = 0; j < d; j++)
        expect(placed.values[i * d + j]).toBeCloseTo(want[row * d + j], 12);
    });
    view.destroy();
  });
});

describe("one feature with missing values", () => {
  it("the histogram leaves NaN out of its bars and of its normalisation", async () => {
    const { binCount, histogram } = await import("../src/lib/histogram.js");
    const values = Float32Array.from([0, 1, 1, 2, NaN, NaN]);
    const plain = histogram(values.subarray(0, 4), 2, [0, 2]);
    const withNaN = histogram(values, 2, [0, 2]);
    expect(Array.from(withNaN.density)).toEqual(Array.from(plain.density));
    expect(binCount(values)).toBe(binCount(values.subarray(0, 4)));
  });
});

describe("responsibilities of rows with NaN", () => {
  it("an assignment cache entry gets p(k | x_o) of GaussianMixture.predict_proba, once", () => {
    const c = fixture.cases.find((x) => x.covariance_type === "full" && x.d === 4);
    const set = fixture.datasets["4"];
    const data = { X: asData(set.X), n: set.n, d: 4 };
    const K = c.weights.length;
    const params = {
      weights: c.weights,
      means: c.means,
      covariances: expandCovariances(c.covariances, "full", K, 4),
    };
    const entry = new AssignmentCache(() => data).get(0, params);
    const imputer = new ImputeCache(data);
    const resp = withObservedResponsibilities(entry, imputer, 0, params);
    expect(resp).toBe(entry.resp);
    for (let i = 0; i < set.n; i++) {
      if (imputer.patterns.kind[i] === 2) continue; // nothing observed: not drawn
      // float32 storage: 1e-6
      for (let k = 0; k < K; k++)
        expect(Math.abs(resp[i * K + k] - c.resp[i * K + k])).toBeLessThan(1e-6);
    }
    const row = imputer.patterns.rows[0];
    resp[row * K] = 42; // marked: not patched again
    expect(withObservedResponsibilities(entry, imputer, 0, params)[row * K]).toBe(42);
  });
});
