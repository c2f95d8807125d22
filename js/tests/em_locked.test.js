// The browser EM with locked means against the Python core's fixed_means: fixtures from
// tests/widgets/em_locked_fixture.py (regenerate with
// `python -m tests.widgets.em_locked_fixture`; a pytest fails when stale).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EMData, GaussianMixtureEM } from "../src/lib/em.js";
import { BrowserFit } from "../src/mixture_explorer/browser_fit.js";

const here = dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(readFileSync(join(here, "fixtures", "em_locked_parity.json"), "utf8"));

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
const dataOf = (index) => {
  const { d, X } = fixture.datasets[index];
  return new EMData(Float64Array.from(X), X.length / d, d);
};

describe("browser EM with locked means equals the core's fixed_means", () => {
  for (const c of fixture.cases) {
    const d = fixture.datasets[c.dataset].d;
    const name = `${c.covariance_type} d=${d} locked=${c.locked.join(",")}`;
    it(`${name}: start and iterations ${fixture.checkpoints.join(", ")}`, () => {
      const em = new GaussianMixtureEM(dataOf(c.dataset), {
        covarianceType: c.covariance_type,
        nComponents: c.n_components,
        regCovar: c.reg_covar,
        tol: 0,
        lockedMeans: c.locked,
      });
      em.startFromMeans(c.handles);
      for (const expected of c.states) {
        while (em.nIter < expected.n_iter) em.step();
        const s = em.state();
        expect(relError(s.weights, expected.weights)).toBeLessThan(TOL);
        expect(relError(s.means, expected.means)).toBeLessThan(TOL);
        expect(relError(s.covariances, expected.covariances)).toBeLessThan(TOL);
        if (expected.lower_bound !== null)
          expect(
            Math.abs(em.lowerBound - expected.lower_bound) / Math.abs(expected.lower_bound),
          ).toBeLessThan(TOL);
        for (const k of c.locked)
          for (let j = 0; j < d; j++)
            expect(s.means[k * d + j]).toBeCloseTo(c.handles[k * d + j], 12);
      }
    });

    it(`${name}: a fit's iterations and criteria (free parameters only)`, () => {
      const f = c.fit;
      const em = new GaussianMixtureEM(dataOf(c.dataset), {
        covarianceType: c.covariance_type,
        nComponents: c.n_components,
        regCovar: c.reg_covar,
        tol: f.tol,
        lockedMeans: c.locked,
      });
      em.startFromMeans(c.handles);
      em.run({ maxIter: f.max_iter });
      expect(em.nIter).toBe(f.n_iter);
      expect(em.converged).toBe(f.converged);
      expect(relError(em.state().means, f.means)).toBeLessThan(TOL);
      const crit = em.criteria();
      expect(crit.n_parameters).toBe(f.scores.n_parameters);
      for (const key of ["log_likelihood", "bic", "aic", "icl"])
        expect(Math.abs(crit[key] - f.scores[key]) / Math.abs(f.scores[key])).toBeLessThan(TOL);
    });
  }
});

describe("the explorer's browser fit honours locks", () => {
  const c = fixture.cases.find((x) => x.covariance_type === "full" && x.locked.length === 1);
  const { d, X } = fixture.datasets[c.dataset];
  const points = { X: Float64Array.from(X), n: X.length / d, d };
  const settings = { tol: 0, reg_covar: c.reg_covar, max_iter: 5 };

  it("a cold target with locks runs the locked EM; a change of locks restarts cold", () => {
    const fit = new BrowserFit(points, settings, { budgetMs: Infinity });
    const target = {
      handles: Float64Array.from(c.handles),
      K: c.n_components,
      covarianceType: "full",
      cold: true,
      locked: c.locked,
    };
    fit.setTarget(target);
    while (fit.tick() > 0);
    expect(relError(fit.em.state().means, c.states[2].means)).toBeLessThan(TOL); // 5 iterations
    const before = fit.em;
    fit.setTarget({ ...target, cold: false, locked: [] }); // a warm move, but the locks changed
    expect(fit.em).not.toBe(before);
    expect(fit.em.nLocked).toBe(0);
    fit.setTarget({ ...target, cold: false, locked: [] }); // same locks: warm
    expect(fit.em.nLocked).toBe(0);
  });
});
