// The browser EM against the Python core: fixtures from tests/widgets/em_fixture.py
// (regenerate with `python -m tests.widgets.em_fixture`; a pytest fails when stale).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { EMData, EMError, GaussianMixtureEM, formatG, illDefinedMessage } from "../src/lib/em.js";

const here = dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(readFileSync(join(here, "fixtures", "em_parity.json"), "utf8"));

/** Relative error of an array: max |a - b| over max |b| (the array's own scale). */
function relError(actual, expected) {
  let diff = 0;
  let scale = 0;
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return scale > 0 ? diff / scale : diff;
}

const TOL = 1e-9;
const worst = new Map(); // "type d=.. K=.." -> worst relative error over checkpoints
const dataCache = new Map();
function dataOf(index, sets = fixture.datasets) {
  const key = `${sets === fixture.datasets ? "p" : "c"}${index}`;
  if (!dataCache.has(key)) {
    const { d, X } = sets[index];
    dataCache.set(key, new EMData(Float64Array.from(X), X.length / d, d));
  }
  return dataCache.get(key);
}

describe("browser EM equals gmm_widgets.mixture", () => {
  for (const c of fixture.cases) {
    const d = fixture.datasets[c.dataset].d;
    const name = `${c.covariance_type} d=${d} K=${c.n_components}`;
    it(`${name}: start and iterations ${fixture.checkpoints.join(", ")}`, () => {
      const em = new GaussianMixtureEM(dataOf(c.dataset), {
        covarianceType: c.covariance_type,
        nComponents: c.n_components,
        regCovar: c.reg_covar,
        tol: 0,
      });
      em.startFromMeans(c.handles);
      let w = 0;
      for (const expected of c.states) {
        while (em.nIter < expected.n_iter) em.step();
        const s = em.state();
        const errs = [
          relError(s.weights, expected.weights),
          relError(s.means, expected.means),
          relError(s.covariances, expected.covariances),
        ];
        if (expected.lower_bound !== null)
          errs.push(
            Math.abs(em.lowerBound - expected.lower_bound) / Math.abs(expected.lower_bound),
          );
        for (const e of errs) expect(e).toBeLessThan(TOL);
        w = Math.max(w, ...errs);
      }
      worst.set(name, w);
    });

    it(`${name}: tol rule, iterations and criteria of a fit`, () => {
      const f = c.fit;
      const em = new GaussianMixtureEM(dataOf(c.dataset), {
        covarianceType: c.covariance_type,
        nComponents: c.n_components,
        regCovar: c.reg_covar,
        tol: f.tol,
      });
      em.startFromMeans(c.handles);
      em.run({ maxIter: f.max_iter });
      expect(em.nIter).toBe(f.n_iter);
      expect(em.converged).toBe(f.converged);
      expect(Math.abs(em.lowerBound - f.lower_bound) / Math.abs(f.lower_bound)).toBeLessThan(TOL);
      const s = em.state();
      expect(relError(s.means, f.means)).toBeLessThan(TOL);
      expect(relError(s.covariances, f.covariances)).toBeLessThan(TOL);
      const crit = em.criteria();
      for (const key of ["log_likelihood", "bic", "aic", "icl"])
        expect(Math.abs(crit[key] - f.scores[key]) / Math.abs(f.scores[key])).toBeLessThan(TOL);
    });
  }

  afterAll(() => {
    // The parity table of the closing note: worst relative error over 0/1/5/30 iterations.
    if (!worst.size || !process.env.GMM_EM_TABLE) return;
    const rows = [...worst.entries()].map(([k, v]) => `${k.padEnd(22)} ${v.toExponential(2)}`);
    console.log(
      `worst relative error (weights, means, covariances, lower bound)\n${rows.join("\n")}`,
    );
  });
});

describe("a collapsing component", () => {
  for (const c of fixture.collapse) {
    it(`${c.covariance_type}: the core's message, the last good parameters, no NaN`, () => {
      const em = new GaussianMixtureEM(dataOf(0, fixture.collapse_datasets), {
        covarianceType: c.covariance_type,
        nComponents: c.handles.length / 2,
        regCovar: c.reg_covar,
      });
      em.startFromMeans(c.handles, c.start_reg_covar);
      if (c.error === null) {
        em.run({ maxIter: 100 });
        expect(em.nIter).toBeGreaterThan(0);
        return;
      }
      const before = em.state();
      let error = null;
      try {
        em.run({ maxIter: 100 });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(EMError);
      expect(error.message).toBe(c.error);
      const after = em.state();
      for (const key of ["weights", "means", "covariances"])
        for (const v of after[key]) expect(Number.isFinite(v)).toBe(true);
      // The parameters are those of the last iteration that succeeded.
      expect(em.nIter).toBeGreaterThanOrEqual(0);
      if (em.nIter === 0) expect(Array.from(after.means)).toEqual(Array.from(before.means));
    });
  }
});

describe("formatting as Python does", () => {
  it("formats reg_covar like Python's :g", () => {
    expect(formatG(1e-6)).toBe("1e-06");
    expect(formatG(0)).toBe("0");
    expect(formatG(0.001)).toBe("0.001");
    expect(formatG(1e-4)).toBe("0.0001");
    expect(formatG(0.5)).toBe("0.5");
    expect(formatG(123456)).toBe("123456");
    expect(formatG(1234567)).toBe("1.23457e+06");
    expect(formatG(2.5e-7)).toBe("2.5e-07");
    expect(formatG(1e100)).toBe("1e+100");
  });

  it("builds the core's ill-defined message", () => {
    expect(illDefinedMessage("component 0 has an", 1e-6)).toContain("(now 1e-06)");
  });
});
