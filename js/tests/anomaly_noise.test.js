import { describe, expect, it } from "vitest";
import { logDensity1d, logDensityGrid } from "../src/anomaly_inspector/contour.js";
import { summaryLines } from "../src/anomaly_inspector/explanation.js";
import {
  addNoise1d,
  addNoiseToGrid,
  cutAtThreshold,
  insideBox,
  noiseProbability,
  readNoise,
  thresholdForCut,
} from "../src/anomaly_inspector/noise.js";
import { hoverLines, refitStatus } from "../src/anomaly_inspector/readouts.js";
import { buildControls } from "../src/lib/mixture_controls.js";

// w0 = 0.2 over a box of volume 4 x 2 = 8: level = log(0.025).
const noise = readNoise({
  noise_log_density: Math.log(0.2 / 8),
  noise_bounds: { data: Float64Array.from([-2, -1, 2, 1]), shape: [2, 2] },
});
const mixture = {
  weights: Float64Array.from([0.8]),
  means: Float64Array.from([0, 0]),
  covariances: [Float64Array.from([0.3, 0.1, 0.1, 0.2])],
};

function gaussian2(x, y) {
  const [a, b, c] = [0.3, 0.1, 0.2];
  const det = a * c - b * b;
  const q = (c * x * x - 2 * b * x * y + a * y * y) / det;
  return Math.exp(-q / 2) / (2 * Math.PI * Math.sqrt(det));
}

describe("the noise component in the view", () => {
  it("is read from the payload, and absent without one", () => {
    expect(noise.level).toBeCloseTo(Math.log(0.025), 14);
    expect([...noise.lo]).toEqual([-2, -1]);
    expect([...noise.hi]).toEqual([2, 1]);
    expect(readNoise({ weights: {} })).toBeNull();
    expect(insideBox(noise, [0, 0, 3, 0], 0, 2)).toBe(true);
    expect(insideBox(noise, [0, 0, 3, 0], 2, 2)).toBe(false);
  });

  it("turns a threshold into the cut on P(noise) and back", () => {
    for (const cut of [0.1, 0.5, 0.9]) {
      const t = thresholdForCut(noise, cut);
      expect(cutAtThreshold(noise, t)).toBeCloseTo(cut, 12);
      // A point exactly at the threshold has P(noise) = cut: (w0 / V) / p(x).
      expect(noiseProbability(noise, t)).toBeCloseTo(cut, 12);
    }
    expect(cutAtThreshold(noise, noise.level)).toBeNull(); // no point of the box below
    expect(cutAtThreshold(noise, noise.level - 3)).toBeNull();
    expect(noiseProbability(noise, noise.level)).toBe(1);
    expect(noiseProbability(noise, -Infinity)).toBe(0); // not in the box: no noise density
  });

  it("adds the noise density inside the box of a 2-D grid, by hand", () => {
    const grid = logDensityGrid(mixture, [-3, 3], [-2, 2], 31, 21);
    const before = Float64Array.from(grid.values);
    addNoiseToGrid(grid, noise, [0, 1]);
    let inside = 0;
    for (let j = 0; j < grid.ny; j++)
      for (let i = 0; i < grid.nx; i++) {
        const x = grid.x0 + i * grid.dx;
        const y = grid.y0 + j * grid.dy;
        const inBox = x >= -2 && x <= 2 && y >= -1 && y <= 1;
        const want = Math.log(0.8 * gaussian2(x, y) + (inBox ? 0.025 : 0));
        expect(grid.values[j * grid.nx + i]).toBeCloseTo(want, 9);
        if (inBox) inside++;
        else expect(grid.values[j * grid.nx + i]).toBe(before[j * grid.nx + i]);
      }
    expect(inside).toBeGreaterThan(100);
  });

  it("adds it in 1-D too", () => {
    const m1 = { weights: [0.8], means: [0], covariances: [Float64Array.from([0.5])] };
    const n1 = { level: Math.log(0.2 / 4), lo: [-2], hi: [2] };
    const grid = Float64Array.from([-3, -2, 0, 1.5, 2, 2.5]);
    const logp = addNoise1d(logDensity1d(m1, grid), grid, n1);
    grid.forEach((x, i) => {
      const g = (0.8 * Math.exp((-x * x) / (2 * 0.5))) / Math.sqrt(2 * Math.PI * 0.5);
      const want = Math.log(g + (x >= -2 && x <= 2 ? 0.05 : 0));
      expect(logp[i]).toBeCloseTo(want, 10);
    });
  });

  it("is shown in the hover, the explanation and the refit status", () => {
    const base = { row: 3, score: -4, flagged: true, label: null, resp: null };
    expect(hoverLines({ ...base, noise: 0.25 })).toContain("p(noise | x) = 0.250");
    expect(hoverLines(base).some((l) => l.includes("noise"))).toBe(false);
    const e = {
      row: 3,
      log_density: -4,
      percentile: 1,
      flagged: true,
      component: 0,
      responsibility: 0.1,
      mahalanobis: 3,
      features: [],
    };
    const roles = (x) => summaryLines(x).map((l) => l[0]);
    expect(roles({ ...e, noise_probability: 0.9 })).toContain("noise-probability");
    expect(roles(e)).not.toContain("noise-probability");
    const info = {
      kind: "settings",
      n_samples: 10,
      n_refits: 1,
      rule: "noise_cut",
      n_components: 3,
      covariance_type: "full",
      random_state: 0,
      n_init: 1,
    };
    expect(refitStatus(info)).toContain("same probability of noise");
  });
});

describe("the settings' noise box", () => {
  function fakeModel(state) {
    const sent = [];
    return {
      state,
      sent,
      get: (k) => state[k],
      set: (k, v) => {
        state[k] = v;
      },
      save_changes: () => {},
    };
  }
  const settings = {
    n_components: 3,
    k_min: 1,
    k_max: 10,
    covariance_type: "full",
    random_state: 0,
    n_init: 1,
    max_n_init: 50,
  };

  it("shows the model's noise, sends a change, and hides for a model without one", () => {
    const model = fakeModel({ ...settings, noise: false, noise_controls: true });
    const changes = [];
    const c = buildControls(model, {
      parts: ["k", "noise"],
      onChange: (v) => changes.push(v),
    });
    const box = c.elements.noise;
    expect(box.checked).toBe(false);
    expect(box.closest("label").hidden).toBe(false);
    box.checked = true;
    box.dispatchEvent(new Event("change"));
    expect(changes).toEqual([{ noise: true }]);
    model.state.noise = true;
    model.state.noise_controls = false;
    c.update();
    expect(box.checked).toBe(true);
    expect(box.closest("label").hidden).toBe(true);
    // Without the part (MixtureExplorer), no box at all.
    const other = buildControls(fakeModel({ ...settings }), { onChange: () => {} });
    expect(other.root.querySelector('[data-gmm-role="noise-toggle"]')).toBeNull();
  });
});
