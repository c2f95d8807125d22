import { describe, expect, it } from "vitest";
import {
  extent,
  formatNumber,
  formatTick,
  linearScale,
  padExtent,
  tickStep,
  ticks,
} from "../src/lib/scale.js";

describe("linearScale", () => {
  it("maps the domain onto the range and inverts", () => {
    const s = linearScale([0, 10], [100, 300]);
    expect(s(0)).toBe(100);
    expect(s(5)).toBe(200);
    expect(s.invert(250)).toBeCloseTo(7.5);
  });
  it("supports reversed ranges (y axes)", () => {
    const s = linearScale([-1, 1], [200, 0]);
    expect(s(-1)).toBe(200);
    expect(s(1)).toBe(0);
  });
  it("widens a zero-length or non-finite domain instead of dividing by zero", () => {
    const s = linearScale([3, 3], [0, 100]);
    expect(s.domain[0]).toBeLessThan(3);
    expect(s.domain[1]).toBeGreaterThan(3);
    expect(Number.isFinite(s(3))).toBe(true);
    expect(linearScale([NaN, 1], [0, 1]).domain).toEqual([0, 1]);
  });
});

describe("ticks", () => {
  it("gives nice round values inside the interval", () => {
    expect(ticks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(ticks(-1.3, 2.7, 4)).toEqual([-1, 0, 1, 2]);
    expect(ticks(0.001, 0.0042, 3)).toEqual([0.001, 0.002, 0.003, 0.004]);
  });
  it("has no floating-point noise", () => {
    for (const t of ticks(0, 1, 10)) expect(String(t).length).toBeLessThanOrEqual(4);
  });
  it("uses 1, 2 or 5 times a power of ten", () => {
    expect(tickStep(0, 100, 5)).toBe(20);
    expect(tickStep(0, 1, 3)).toBe(0.5);
    expect(tickStep(0, 0, 5)).toBe(0);
  });
  it("formats with the step's decimals and a true minus sign", () => {
    expect(formatTick(-2, 1)).toBe("\u22122");
    expect(formatTick(0.5, 0.5)).toBe("0.5");
    expect(formatTick(-0.0000001, 0.5)).toBe("\u22121.0e-7");
    expect(formatTick(-0, 1)).toBe("0");
  });
});

describe("extent and helpers", () => {
  it("reads a column of a row-major matrix, skipping NaN", () => {
    const m = Float32Array.from([1, 10, 2, NaN, -3, 30]);
    expect(extent(m, 2, 0)).toEqual([-3, 2]);
    expect(extent(m, 2, 1)).toEqual([10, 30]);
    expect(extent([]).every(Number.isNaN)).toBe(true);
  });
  it("pads an interval", () => {
    expect(padExtent([0, 10], 0.1)).toEqual([-1, 11]);
    expect(padExtent([NaN, NaN])).toEqual([0, 1]);
  });
  it("formats read-outs", () => {
    expect(formatNumber(-2.81349, 4)).toBe("\u22122.813");
    expect(formatNumber(-Infinity)).toBe("\u2212\u221e");
    expect(formatNumber(0.00012, 2)).toBe("1.2e-4");
    expect(formatNumber(NaN)).toBe("\u2013");
  });
});
