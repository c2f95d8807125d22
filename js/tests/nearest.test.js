import { describe, expect, it } from "vitest";
import { GridIndex } from "../src/lib/nearest.js";
import { markerFootprint, splatMarkers } from "../src/anomaly_inspector/markers.js";

describe("GridIndex", () => {
  it("finds the same nearest point as a brute-force search", () => {
    let a = 7;
    const rand = () => {
      a = (a * 1103515245 + 12345) % 2147483648;
      return a / 2147483648;
    };
    const n = 5000;
    const px = Float32Array.from({ length: n }, () => rand() * 600);
    const py = Float32Array.from({ length: n }, () => rand() * 400);
    const index = new GridIndex(px, py, 600, 400);
    for (let q = 0; q < 300; q++) {
      const x = rand() * 600;
      const y = rand() * 400;
      let best = -1;
      let bestD = 64;
      for (let i = 0; i < n; i++) {
        const d = (px[i] - x) ** 2 + (py[i] - y) ** 2;
        if (d < bestD || (d === bestD && best >= 0 && i < best)) {
          bestD = d;
          best = i;
        }
      }
      expect(index.nearest(x, y, 8)).toBe(best);
    }
  });

  it("ignores points outside the plot and honours the filter", () => {
    const index = new GridIndex(
      Float32Array.from([-5, 10, 12]),
      Float32Array.from([5, 10, 10]),
      100,
      100,
    );
    expect(index.nearest(0, 5, 8)).toBe(-1);
    expect(index.nearest(11.5, 10, 8)).toBe(2);
    expect(index.nearest(11.5, 10, 8, (i) => i !== 2)).toBe(1);
    expect(index.nearest(50, 50, 8)).toBe(-1);
  });
});

describe("marker splatting", () => {
  it("draws a filled disc with an outline, only for the points asked", () => {
    const W = 40;
    const H = 20;
    const pixels = new Uint8ClampedArray(W * H * 4);
    const fp = markerFootprint(3, 1);
    splatMarkers(
      pixels,
      W,
      H,
      Float32Array.from([10, 30]),
      Float32Array.from([10, 10]),
      Uint32Array.from([1, 0]),
      1,
      fp,
      [255, 0, 0],
      [255, 255, 255],
    );
    const at = (x, y) => Array.from(pixels.subarray((y * W + x) * 4, (y * W + x) * 4 + 4));
    expect(at(30, 10)).toEqual([255, 0, 0, 255]); // centre of point 1
    expect(at(34, 10)[3]).toBeGreaterThan(0); // the outline
    expect(at(34, 10)[1]).toBeGreaterThan(100); // ... is white-ish
    expect(at(10, 10)[3]).toBe(0); // point 0 was not asked for
  });

  it("scales CSS pixels to device pixels", () => {
    const pixels = new Uint8ClampedArray(40 * 40 * 4);
    splatMarkers(
      pixels,
      40,
      40,
      [10],
      [10],
      [0],
      1,
      markerFootprint(2, 0),
      [0, 0, 255],
      [0, 0, 0],
      2,
    );
    expect(pixels[(20 * 40 + 20) * 4 + 2]).toBe(255);
  });
});
