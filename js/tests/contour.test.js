import { describe, expect, it } from "vitest";
import {
  contourSegments,
  intervalsBelow,
  logDensity1d,
  logDensityGrid,
  logSumExp,
  paintBelow,
  segmentsPath,
} from "../src/anomaly_inspector/contour.js";

function gridOf(f, n = 41, span = 2) {
  const values = new Float64Array(n * n);
  const d = (2 * span) / (n - 1);
  for (let j = 0; j < n; j++)
    for (let i = 0; i < n; i++) values[j * n + i] = f(-span + i * d, -span + j * d);
  return { values, nx: n, ny: n, x0: -span, y0: -span, dx: d, dy: d };
}

describe("marching squares", () => {
  it("traces a circle at the right radius, as a closed set of segments", () => {
    const grid = gridOf((x, y) => -(x * x + y * y));
    // x^2 + y^2 = 0.93 (93 is no sum of two squares: no node on it)
    const seg = contourSegments(grid, -0.93);
    expect(seg.length % 4).toBe(0);
    expect(seg.length / 4).toBeGreaterThan(60);
    for (let o = 0; o < seg.length; o += 2)
      expect(Math.hypot(seg[o], seg[o + 1])).toBeCloseTo(Math.sqrt(0.93), 2);
    // Closed: every end point is shared by exactly two segments.
    const key = (o) => `${seg[o].toFixed(9)},${seg[o + 1].toFixed(9)}`;
    const seen = new Map();
    for (let o = 0; o < seg.length; o += 2) seen.set(key(o), (seen.get(key(o)) || 0) + 1);
    for (const v of seen.values()) expect(v).toBe(2);
  });

  it("draws nothing above or below the whole grid, and treats -Infinity as low", () => {
    const grid = gridOf((x, y) => -(x * x + y * y));
    expect(contourSegments(grid, 1).length).toBe(0);
    expect(contourSegments(grid, -100).length).toBe(0);
    const holes = gridOf((x, y) => (Math.hypot(x, y) > 1.5 ? -Infinity : 0));
    const seg = contourSegments(holes, -5);
    expect(seg.length).toBeGreaterThan(0);
    for (const v of seg) expect(Number.isFinite(v)).toBe(true);
  });

  it("separates the saddle by the centre value", () => {
    // Corners a (0,0) and c (1,1) low, b and d high; row-major values [a, b, d, c].
    const grid = {
      values: Float64Array.from([0, 1, 1, 0]),
      nx: 2,
      ny: 2,
      x0: 0,
      y0: 0,
      dx: 1,
      dy: 1,
    };
    const mids = (level) => {
      const seg = contourSegments(grid, level);
      expect(seg.length).toBe(8);
      return [0, 4].map((o) => [(seg[o] + seg[o + 2]) / 2, (seg[o + 1] + seg[o + 3]) / 2]);
    };
    // Centre (0.5) above the level: the low corners a and c are cut off on their own.
    const cutLow = mids(0.4).map(([x, y]) => Math.round(x + y));
    expect(cutLow.sort()).toEqual([0, 2]);
    // Centre below: the low region joins a and c, so b and d are cut off.
    const cutHigh = mids(0.6).map(([x, y]) => Math.round(x - y));
    expect(cutHigh.sort()).toEqual([-1, 1]);
  });

  it("writes an SVG path of one M..L per segment", () => {
    const path = segmentsPath(
      Float64Array.from([0, 0, 1, 1]),
      (v) => v * 10,
      (v) => 100 - v * 10,
    );
    expect(path).toBe("M0.0,100.0L10.0,90.0");
  });
});

describe("mixture log-density grids", () => {
  const mix2 = {
    weights: [0.3, 0.7],
    means: [0, 0, 3, 1],
    covariances: [Float64Array.from([1, 0.2, 0.2, 0.5]), Float64Array.from([2, 0, 0, 1])],
  };
  it("equals the formula at the nodes", () => {
    const g = logDensityGrid(mix2, [-2, 5], [-1, 3], 8, 5);
    const pdf = (x, y, w, mx, my, a, b, c) => {
      const det = a * c - b * b;
      const dx = x - mx;
      const dy = y - my;
      const q = (c * dx * dx - 2 * b * dx * dy + a * dy * dy) / det;
      return (w * Math.exp(-0.5 * q)) / (2 * Math.PI * Math.sqrt(det));
    };
    for (const [i, j] of [
      [0, 0],
      [3, 2],
      [7, 4],
    ]) {
      const x = -2 + i * g.dx;
      const y = -1 + j * g.dy;
      const p = pdf(x, y, 0.3, 0, 0, 1, 0.2, 0.5) + pdf(x, y, 0.7, 3, 1, 2, 0, 1);
      expect(g.values[j * 8 + i]).toBeCloseTo(Math.log(p), 10);
    }
  });

  it("1-D log-density and the intervals below a level", () => {
    const mix1 = { weights: [1], means: [0], covariances: [Float64Array.from([1])] };
    const grid = Float64Array.from({ length: 401 }, (_, i) => -5 + i / 40);
    const lp = logDensity1d(mix1, grid);
    expect(lp[200]).toBeCloseTo(-0.5 * Math.log(2 * Math.PI), 12);
    const level = -0.5 * Math.log(2 * Math.PI) - 2; // |x| > 2
    const iv = intervalsBelow(grid, lp, level);
    expect(iv.length).toBe(2);
    expect(iv[0][0]).toBe(-5);
    expect(iv[0][1]).toBeCloseTo(-2, 3);
    expect(iv[1][0]).toBeCloseTo(2, 3);
    expect(iv[1][1]).toBe(5);
    expect(intervalsBelow(grid, lp, -100)).toEqual([]);
  });

  it("paints the cells below the level, top row first", () => {
    const grid = { values: Float64Array.from([0, 5, 5, 5]), nx: 2, ny: 2 };
    const px = paintBelow(new Uint8ClampedArray(16), grid, 1, [200, 10, 20], 40);
    // value 0 is node (0, 0), the bottom-left: pixel row 1, column 0.
    expect(Array.from(px.subarray(8, 12))).toEqual([200, 10, 20, 40]);
    expect(px[3]).toBe(0);
    expect(px[15]).toBe(0);
  });

  it("logSumExp is stable", () => {
    expect(logSumExp([-1000, -1000])).toBeCloseTo(-1000 + Math.log(2), 12);
    expect(logSumExp([-Infinity, -Infinity])).toBe(-Infinity);
  });
});
