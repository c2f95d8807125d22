import { describe, expect, it } from "vitest";
import { binCount, histogram, stackByResponsibility } from "../src/lib/histogram.js";
import { drawPoints, pointStyle, RASTER_THRESHOLD, splatPoints } from "../src/lib/scatter.js";
import { shuffledOrder, AssignmentCache } from "../src/lib/assignments.js";

describe("splatPoints", () => {
  it("paints an opaque disc in the point's colour and leaves far pixels empty", () => {
    const W = 20;
    const H = 10;
    const px = new Uint8ClampedArray(W * H * 4);
    splatPoints(px, W, H, [5], [5], [200, 100, 50], 2, 1);
    const at = (x, y) => Array.from(px.slice((y * W + x) * 4, (y * W + x) * 4 + 4));
    expect(at(5, 5)).toEqual([200, 100, 50, 255]);
    expect(at(15, 5)).toEqual([0, 0, 0, 0]);
    expect(at(5, 9)[3]).toBe(0);
  });
  it("keeps the colour of a translucent point on a transparent background (straight alpha)", () => {
    const px = new Uint8ClampedArray(4 * 4 * 4);
    splatPoints(px, 4, 4, [1], [1], [100, 150, 200], 0.5, 0.5);
    const p = (1 * 4 + 1) * 4;
    expect(Array.from(px.slice(p, p + 3))).toEqual([100, 150, 200]);
    expect(px[p + 3]).toBeGreaterThan(100);
    expect(px[p + 3]).toBeLessThan(140);
  });
  it("draws later points over earlier ones and follows the given order", () => {
    const px = new Uint8ClampedArray(4 * 4 * 4);
    splatPoints(px, 4, 4, [1, 1], [1, 1], [255, 0, 0, 0, 0, 255], 1, 1, [1, 0]);
    const p = (1 * 4 + 1) * 4;
    expect(Array.from(px.slice(p, p + 3))).toEqual([255, 0, 0]);
  });
  it("ignores points outside the buffer", () => {
    const px = new Uint8ClampedArray(4 * 4 * 4);
    splatPoints(px, 4, 4, [-50, 100], [1, 1], [1, 1, 1, 2, 2, 2], 1, 1);
    expect(px.every((v) => v === 0)).toBe(true);
  });
});

describe("drawPoints", () => {
  function fakeContext() {
    const calls = { arc: 0, put: 0, clear: 0 };
    return {
      calls,
      clearRect: () => calls.clear++,
      beginPath() {},
      arc: () => calls.arc++,
      fill() {},
      createImageData: (w, h) => ({ data: new Uint8ClampedArray(w * h * 4), width: w, height: h }),
      putImageData: (img) => {
        calls.put++;
        calls.image = img;
      },
    };
  }
  it("draws discs for few points and rasterises many points in one putImageData", () => {
    const few = fakeContext();
    drawPoints(few, { xs: [1, 2], ys: [1, 2], rgb: [0, 0, 0, 0, 0, 0], width: 10, height: 10 });
    expect(few.calls.arc).toBe(2);
    const n = RASTER_THRESHOLD + 1;
    const many = fakeContext();
    const xs = Float32Array.from({ length: n }, (_, i) => i % 50);
    const ys = Float32Array.from({ length: n }, (_, i) => Math.floor(i / 50) % 50);
    drawPoints(many, {
      xs,
      ys,
      rgb: new Uint8ClampedArray(n * 3).fill(90),
      width: 50,
      height: 50,
      dpr: 2,
    });
    expect(many.calls.arc).toBe(0);
    expect(many.calls.put).toBe(1);
    expect(many.calls.image.width).toBe(100);
    expect(many.calls.image.data.some((v) => v === 90)).toBe(true);
  });
  it("makes points smaller and fainter as n grows", () => {
    expect(pointStyle(100).radius).toBeGreaterThan(pointStyle(100000).radius);
    expect(pointStyle(100).alpha).toBeGreaterThan(pointStyle(100000).alpha);
  });
});

describe("histogram", () => {
  it("normalises to a density and stacks by responsibility", () => {
    const values = [0.1, 0.2, 0.6, 0.9, 1.0];
    const resp = Float32Array.from([1, 0, 1, 0, 0.5, 0.5, 0, 1, 0, 1]);
    const h = histogram(values, 2, [0, 1], resp, 2);
    expect(h.density[0]).toBeCloseTo(0.8, 12);
    expect(h.density[1]).toBeCloseTo(1.2, 12);
    const area = h.density.reduce((s, v) => s + v * 0.5, 0);
    expect(area).toBeCloseTo(1);
    expect(h.stacked[0][0] + h.stacked[1][0]).toBeCloseTo(h.density[0]);
    expect(h.stacked[0][1]).toBeCloseTo(0.5 * 0.4);
    expect(Array.from(h.bin)).toEqual([0, 0, 1, 1, 1]);
  });
  it("puts out-of-range values in no bin", () => {
    const h = histogram([-1, 0.5, 2], 2, [0, 1]);
    expect(Array.from(h.bin)).toEqual([-1, 1, -1]);
  });
  it("chooses a bin count by Freedman-Diaconis within bounds", () => {
    const normalish = Array.from(
      { length: 1000 },
      (_, i) => (Math.sin(i * 12.9898) * 43758.5453) % 1,
    );
    const b = binCount(normalish);
    expect(b).toBeGreaterThanOrEqual(10);
    expect(b).toBeLessThanOrEqual(80);
    expect(binCount([1, 1, 1])).toBe(10);
    expect(
      stackByResponsibility(Int32Array.from([0]), Float32Array.from([0.25, 0.75]), 2, 1, 1).map(
        (a) => a[0],
      ),
    ).toEqual([0.25, 0.75]);
  });
});

describe("assignments", () => {
  it("shuffledOrder is a seeded permutation", () => {
    const a = shuffledOrder(100, 7);
    expect(new Set(a).size).toBe(100);
    expect(Array.from(a)).toEqual(Array.from(shuffledOrder(100, 7)));
    expect(Array.from(a)).not.toEqual(Array.from(shuffledOrder(100, 8)));
  });
  it("AssignmentCache computes once per key", () => {
    let calls = 0;
    const cache = new AssignmentCache(() => {
      calls++;
      return { X: Float32Array.from([0, 1]), n: 2, d: 1 };
    });
    const params = { weights: [1], means: [0], covariances: [Float64Array.of(1)] };
    const a = cache.get(3, params);
    const b = cache.get(3, params);
    expect(a).toBe(b);
    expect(calls).toBe(1);
    expect(Array.from(a.resp)).toEqual([1, 1]);
  });
});

describe("axes", () => {
  it("puts only whole numbers on an iteration axis", async () => {
    const { drawAxes } = await import("../src/lib/axes.js");
    const { linearScale } = await import("../src/lib/scale.js");
    const { svg } = await import("../src/lib/dom.js");
    const g = svg("g", {});
    drawAxes(g, linearScale([0, 3], [0, 300]), linearScale([0, 1], [100, 0]), {
      xTicks: 8,
      xInteger: true,
    });
    const labels = [...g.querySelectorAll(".gmm-tick-label")].map((t) => t.textContent);
    expect(labels.slice(0, 4)).toEqual(["0", "1", "2", "3"]);
  });
});

describe("trace", () => {
  it("leaves far-off first iterations out of the y range", async () => {
    const { robustExtent } = await import("../src/fit_player/trace.js");
    expect(robustExtent([-1.5e6, -3.56, -3.5, -3.49, -3.48])).toEqual([-3.56, -3.48]);
    expect(robustExtent([-3.7, -3.5, -3.45, -3.44])).toEqual([-3.7, -3.44]);
    expect(robustExtent([-Infinity, -5, -4])).toEqual([-5, -4]);
    expect(robustExtent([-Infinity]).every(Number.isNaN)).toBe(true);
  });

  it("marks off-scale values on the axis and keeps the marker inside", async () => {
    const { createTrace } = await import("../src/fit_player/trace.js");
    const div = document.createElement("div");
    const t = createTrace(div);
    t.update({
      width: 400,
      height: 120,
      iterations: [0, 1, 2, 3, 4],
      values: [-Infinity, -1e6, -3.5, -3.45, -3.44],
      current: 1,
    });
    expect(div.querySelectorAll('[data-gmm-role="trace-off-scale"]')).toHaveLength(1);
    expect(div.querySelectorAll(".gmm-trace-dot")).toHaveLength(3);
    const marker = div.querySelector('[data-gmm-role="trace-marker"]');
    expect(Number(marker.getAttribute("cy"))).toBeLessThanOrEqual(120 - 34);
  });
});
