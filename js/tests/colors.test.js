import { afterEach, describe, expect, it } from "vitest";
import {
  componentColors,
  luminance,
  mixColors,
  parseColor,
  readTheme,
  rgbString,
} from "../src/lib/colors.js";

describe("parseColor", () => {
  it("reads hex and rgb() notations", () => {
    expect(parseColor("#fff")).toEqual([255, 255, 255]);
    expect(parseColor("#111111")).toEqual([17, 17, 17]);
    expect(parseColor("#11223380")).toEqual([17, 34, 51]);
    expect(parseColor(" rgba(10, 20, 30, 0.5) ")).toEqual([10, 20, 30]);
    expect(parseColor("rgb(1 2 3)")).toEqual([1, 2, 3]);
    expect(parseColor("var(--x)")).toBeNull();
    expect(parseColor(undefined)).toBeNull();
  });
  it("formats rgb strings", () => {
    expect(rgbString([1, 2, 3])).toBe("rgb(1, 2, 3)");
    expect(rgbString([1, 2, 3], 0.5)).toBe("rgba(1, 2, 3, 0.5)");
  });
});

describe("componentColors", () => {
  it("gives K distinct colours, also beyond the ten hand-picked ones", () => {
    const colors = componentColors(14);
    expect(colors).toHaveLength(14);
    expect(new Set(colors.map((c) => c.join(","))).size).toBe(14);
  });
  it("uses lighter colours on a dark background, all readable against it", () => {
    const light = componentColors(10, false);
    const dark = componentColors(10, true);
    const contrast = (a, b) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const darkBg = luminance([17, 17, 17]);
    for (let k = 0; k < 10; k++) {
      expect(luminance(dark[k])).toBeGreaterThan(luminance(light[k]) - 1e-9);
      expect(contrast(luminance(dark[k]), darkBg)).toBeGreaterThan(4.5);
    }
  });
});

describe("readTheme", () => {
  afterEach(() => {
    for (const s of document.querySelectorAll("style")) s.remove();
  });
  it("falls back to a light theme without JupyterLab's variables", () => {
    const el = document.createElement("div");
    document.body.appendChild(el);
    const t = readTheme(el);
    expect(t.dark).toBe(false);
    expect(t.rgb.background).toEqual([255, 255, 255]);
  });
  it("detects a dark theme from --jp-layout-color0", () => {
    // As JupyterLab's dark theme does: variables on :root, inherited by the widget.
    const style = document.createElement("style");
    style.textContent =
      ":root { --jp-layout-color0: #111111; --jp-ui-font-color0: rgba(255, 255, 255, 1); }";
    document.head.appendChild(style);
    const el = document.createElement("div");
    document.body.appendChild(el);
    const t = readTheme(el);
    expect(t.dark).toBe(true);
    expect(t.rgb.foreground).toEqual([255, 255, 255]);
  });
});

describe("mixColors", () => {
  it("gives a point the colour of the component it belongs to", () => {
    const colors = [
      [255, 0, 0],
      [0, 0, 255],
    ];
    const out = mixColors(Float32Array.from([1, 0, 0, 1]), 2, colors);
    expect(Array.from(out)).toEqual([255, 0, 0, 0, 0, 255]);
  });
  it("blends in linear light: a 50/50 point is brighter than the sRGB average", () => {
    const out = mixColors(Float32Array.from([0.5, 0.5]), 1, [
      [255, 0, 0],
      [0, 255, 0],
    ]);
    expect(out[0]).toBeGreaterThan(128);
    expect(out[0]).toBe(out[1]);
    expect(out[2]).toBe(0);
  });
});
