import { describe, expect, it } from "vitest";
import { eigen2, ellipsePoints } from "../src/lib/ellipse.js";
import {
  cholesky,
  expandCovariances,
  mixtureDensity1d,
  normalPdf,
  responsibilities,
} from "../src/lib/gaussian.js";
import {
  featurePair,
  linearProjection,
  projectCovariance,
  projectMean,
  projectPoints,
} from "../src/lib/projection.js";

describe("eigen2 and ellipsePoints", () => {
  it("finds the axes of a diagonal covariance", () => {
    const e = eigen2(4, 0, 1);
    expect(e.major).toBeCloseTo(4);
    expect(e.minor).toBeCloseTo(1);
    expect(e.angle).toBeCloseTo(0);
  });
  it("finds a 45 degree major axis for a positively correlated covariance", () => {
    const e = eigen2(2, 1, 2);
    expect(e.major).toBeCloseTo(3);
    expect(e.minor).toBeCloseTo(1);
    expect(e.angle).toBeCloseTo(Math.PI / 4);
  });
  it("clamps negative round-off eigenvalues to zero", () => {
    expect(eigen2(1, 1.0000001, 1).minor).toBe(0);
  });
  it("puts every vertex at Mahalanobis distance k", () => {
    const mean = [1, -2];
    const S = [2, 0.8, 0.8, 1];
    const det = S[0] * S[3] - S[1] * S[2];
    const inv = [S[3] / det, -S[1] / det, -S[2] / det, S[0] / det];
    for (const k of [1, 2]) {
      const { xs, ys } = ellipsePoints(mean, S, k, 36);
      for (let i = 0; i < xs.length; i++) {
        const dx = xs[i] - mean[0];
        const dy = ys[i] - mean[1];
        const m2 = dx * (inv[0] * dx + inv[1] * dy) + dy * (inv[2] * dx + inv[3] * dy);
        expect(Math.sqrt(m2)).toBeCloseTo(k, 6);
      }
    }
  });
});

describe("gaussian", () => {
  it("expands every covariance type to full matrices", () => {
    expect(Array.from(expandCovariances([1, 2, 3], "spherical", 3, 2)[2])).toEqual([3, 0, 0, 3]);
    expect(Array.from(expandCovariances([1, 2, 3, 4], "diag", 2, 2)[1])).toEqual([3, 0, 0, 4]);
    const tied = expandCovariances([2, 1, 1, 2], "tied", 2, 2);
    expect(Array.from(tied[0])).toEqual([2, 1, 1, 2]);
    expect(Array.from(tied[1])).toEqual([2, 1, 1, 2]);
    expect(Array.from(expandCovariances([1, 0, 0, 1, 5, 0, 0, 5], "full", 2, 2)[1])).toEqual([
      5, 0, 0, 5,
    ]);
    expect(() => expandCovariances([1], "weird", 1, 1)).toThrow(/unknown covariance type/);
  });

  it("computes a Cholesky factor, with a ridge for a singular matrix", () => {
    const L = cholesky([4, 2, 2, 3], 2);
    expect(L[0]).toBeCloseTo(2);
    expect(L[2]).toBeCloseTo(1);
    expect(L[3]).toBeCloseTo(Math.SQRT2);
    const S = cholesky([1, 1, 1, 1], 2); // singular
    expect(S.every(Number.isFinite)).toBe(true);
    expect(() => cholesky([-1, 0, 0, -1], 2)).toThrow(/positive definite/);
  });

  it("gives responsibilities that sum to one and match a hand computation", () => {
    // 1-D, two components: N(0, 1) and N(3, 1), weights 0.25 / 0.75.
    const X = Float32Array.from([0, 1.5, 3]);
    const { resp, logLik } = responsibilities(
      X,
      3,
      1,
      [0.25, 0.75],
      [0, 3],
      [Float64Array.of(1), Float64Array.of(1)],
    );
    for (let i = 0; i < 3; i++) expect(resp[2 * i] + resp[2 * i + 1]).toBeCloseTo(1, 6);
    const p0 = 0.25 * normalPdf(1.5, 0, 1);
    const p1 = 0.75 * normalPdf(1.5, 3, 1);
    expect(resp[2]).toBeCloseTo(p0 / (p0 + p1), 6);
    let ll = 0;
    for (const x of [0, 1.5, 3])
      ll += Math.log(0.25 * normalPdf(x, 0, 1) + 0.75 * normalPdf(x, 3, 1));
    expect(logLik).toBeCloseTo(ll / 3, 10);
  });

  it("uses the full covariance (correlation matters)", () => {
    // Point (1, 1) is near a component with positive correlation, far from negative.
    const X = Float32Array.from([1, 1]);
    const pos = Float64Array.from([1, 0.9, 0.9, 1]);
    const neg = Float64Array.from([1, -0.9, -0.9, 1]);
    const { resp } = responsibilities(X, 1, 2, [0.5, 0.5], [0, 0, 0, 0], [pos, neg]);
    expect(resp[0]).toBeGreaterThan(0.99);
  });

  it("gives no responsibility to a component with zero weight", () => {
    const X = Float32Array.from([0]);
    const { resp } = responsibilities(
      X,
      1,
      1,
      [0, 1],
      [0, 10],
      [Float64Array.of(1), Float64Array.of(1)],
    );
    expect(resp[0]).toBe(0);
    expect(resp[1]).toBe(1);
  });

  it("mixture density is the sum of the weighted component densities and integrates to one", () => {
    const grid = Float64Array.from({ length: 2001 }, (_, i) => -10 + i * 0.01);
    const { components, mixture } = mixtureDensity1d(grid, [0.3, 0.7], [-1, 2], [0.5, 2]);
    let integral = 0;
    for (let i = 0; i < grid.length; i++) {
      expect(mixture[i]).toBeCloseTo(components[0][i] + components[1][i], 12);
      integral += mixture[i] * 0.01;
    }
    expect(integral).toBeCloseTo(1, 3);
  });
});

describe("projection", () => {
  const X = Float32Array.from([1, 2, 3, 4, 5, 6]); // two points in 3-D
  it("picks a pair of features", () => {
    const { xs, ys } = projectPoints(X, 2, featurePair(3, 2, 0));
    expect(Array.from(xs)).toEqual([3, 6]);
    expect(Array.from(ys)).toEqual([1, 4]);
  });
  it("projects means and gives marginal covariances for a pair", () => {
    const p = featurePair(3, 0, 2);
    expect(projectMean([9, 9, 9, 1, 2, 3], p, 3)).toEqual([1, 3]);
    const S = [1, 0.1, 0.2, 0.1, 2, 0.3, 0.2, 0.3, 3];
    expect(Array.from(projectCovariance(S, p))).toEqual([1, 0.2, 0.2, 3]);
  });
  it("applies a linear projection with an offset (PCA)", () => {
    const s = Math.SQRT1_2;
    const p = linearProjection([s, s, 0, 0, 0, 1], [1, 1, 1], 3);
    const { xs, ys } = projectPoints(X, 2, p);
    expect(xs[0]).toBeCloseTo(s * (0 + 1));
    expect(ys[1]).toBeCloseTo(5);
    const C = projectCovariance([1, 0, 0, 0, 1, 0, 0, 0, 4], p);
    expect(C[0]).toBeCloseTo(1);
    expect(C[3]).toBeCloseTo(4);
    expect(C[1]).toBeCloseTo(0);
  });
});
