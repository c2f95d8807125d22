import { describe, expect, it } from "vitest";
import { axisTicks, fitMargin, labelWidth } from "../src/lib/axes.js";
import { discBox, overlapArea, placeLabel } from "../src/model_selector/placement.js";
import { linearScale } from "../src/lib/scale.js";
import { tickLabels } from "../src/lib/ticks.js";

const M = "\u2212";

// Expected labels and notes: matplotlib 3.11 ScalarFormatter (default rcParams) on the
// same tick locations and view limits (set_ylim, then the formatter's labels and
// offset), with its offset text written as ×10ⁿ.
describe("tickLabels follows matplotlib's ScalarFormatter", () => {
  it("a narrow range far from zero: an offset, and only the distinguishing digits", () => {
    const locs = [-3.80472, -3.8047, -3.80468, -3.80466, -3.80464, -3.80462, -3.8046, -3.80458];
    const r = tickLabels(locs, [-3.80472, -3.80458]);
    expect(r.labels).toEqual(
      ["0.00072", "0.00070", "0.00068", "0.00066", "0.00064", "0.00062", "0.00060", "0.00058"].map(
        (t) => M + t,
      ),
    );
    expect(r.offset).toBeCloseTo(-3.804, 12);
    expect(r.note).toBe(`${M}3.804`);
  });
  it("large values: the offset in the note", () => {
    const locs = [380460, 380462, 380464, 380466, 380468, 380470, 380472, 380474];
    const r = tickLabels(locs, [380460, 380475]);
    expect(r.labels).toEqual(["60", "62", "64", "66", "68", "70", "72", "74"]);
    expect(r.note).toBe("+3.804\u00d710\u2075");
  });
  it("straddling a power of ten", () => {
    const locs = [99990, 99992.5, 99995, 99997.5, 100000, 100002.5, 100005, 100007.5, 100010];
    const r = tickLabels(locs, [99990, 100010]);
    expect(r.labels).toEqual([
      `${M}10.0`,
      `${M}7.5`,
      `${M}5.0`,
      `${M}2.5`,
      "0.0",
      "2.5",
      "5.0",
      "7.5",
      "10.0",
    ]);
    expect(r.note).toBe("+10\u2075");
  });
  it("an exponent below and above the power limits, and both together", () => {
    const halves = [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5];
    const small = tickLabels(
      halves.map((v) => v * 1e-7),
      [1e-7, 5e-7],
    );
    expect(small.labels).toEqual(halves.map((v) => v.toFixed(1)));
    expect(small.note).toBe("\u00d710\u207b\u2077");
    const big = tickLabels([2e6, 3e6, 4e6, 5e6], [2e6, 9e6]);
    expect(big.labels).toEqual(["2", "3", "4", "5"]);
    expect(big.note).toBe("\u00d710\u2076");
    const both = tickLabels([0.5, 0.50002, 0.50004, 0.50006, 0.50008], [0.5, 0.5001]);
    expect(both.labels).toEqual(["0", "2", "4", "6", "8"]);
    expect(both.note).toBe("\u00d710\u207b\u2075+5\u00d710\u207b\u00b9");
  });
  it("no note when the plain labels are short", () => {
    expect(tickLabels([0, 0.2, 0.4, 0.6, 0.8, 1], [0, 1])).toMatchObject({
      labels: ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"],
      note: "",
    });
    expect(tickLabels([-2, -1, 0, 1, 2, 3], [-2, 3]).labels).toEqual([
      `${M}2`,
      `${M}1`,
      "0",
      "1",
      "2",
      "3",
    ]);
    expect(tickLabels([1000, 1002, 1004], [1000, 1010]).labels).toEqual(["1000", "1002", "1004"]);
    expect(tickLabels([-1.175, -1.15, -1.125, -1.1], [-1.2, -1.0]).labels).toEqual(
      ["1.175", "1.150", "1.125", "1.100"].map((t) => M + t),
    );
  });
});

describe("axes margins fit the tick labels", () => {
  it("a lower-bound trace over a narrow range keeps its labels and minus signs short", () => {
    const y = linearScale([-3.80472, -3.80458], [100, 10]);
    const t = axisTicks(y, 3);
    expect(t.note).not.toBe("");
    for (const label of t.labels) expect(label.length).toBeLessThanOrEqual(8);
  });
  it("the left margin grows with the widest label and leaves room for the title", () => {
    const base = { left: 20, right: 10, top: 10, bottom: 30 };
    const narrow = fitMargin(base, [0, 1], { yLabel: "density" });
    const wide = fitMargin(base, [100000, 900000], { yLabel: "density" });
    const widest = Math.max(
      ...axisTicks(linearScale([100000, 900000], [1, 0]), 5).labels.map((l) => labelWidth(l)),
    );
    expect(wide.left).toBeGreaterThanOrEqual(widest + 7 + 15);
    expect(wide.left).toBeGreaterThan(narrow.left);
    expect(fitMargin(base, [-3.80472, -3.80458], { yTicks: 3 }).top).toBeGreaterThan(base.top);
  });
});

describe("placeLabel", () => {
  const bounds = { x0: 0, y0: 0, x1: 300, y1: 200 };
  const size = { width: 30, height: 12 };
  it("takes the spot above when it is free", () => {
    const box = placeLabel(discBox(100, 100, 10), size, [], bounds);
    expect(box.clear).toBe(true);
    expect(box.y1).toBeLessThanOrEqual(90);
    expect((box.x0 + box.x1) / 2).toBeCloseTo(100);
  });
  it("moves away from markers over the anchor, never covering one", () => {
    const anchor = discBox(100, 100, 10);
    const markers = [
      discBox(100, 78, 6),
      discBox(92, 80, 6),
      discBox(108, 80, 6),
      discBox(100, 120, 6),
    ];
    const box = placeLabel(anchor, size, markers, bounds);
    expect(box.clear).toBe(true);
    for (const m of [...markers, anchor]) expect(overlapArea(box, m)).toBe(0);
  });
  it("stays inside the bounds at an edge", () => {
    const box = placeLabel(discBox(5, 5, 4), size, [], bounds);
    expect(box.x0).toBeGreaterThanOrEqual(0);
    expect(box.y0).toBeGreaterThanOrEqual(0);
  });
});

describe("flagged markers", () => {
  it("one style at every count: anomaly fill, a darker rim of it, shrinking size", async () => {
    const { flaggedStyle } = await import("../src/anomaly_inspector/data_plot_2d.js");
    const colors = { anomaly: [211, 47, 47], background: [255, 255, 255] };
    const styles = [10, 3000, 5000, 12000, 20000, 50000].map((n) => flaggedStyle(n, colors));
    for (const s of styles) {
      expect(s.fill).toEqual(colors.anomaly);
      expect(s.outline).toEqual(styles[0].outline);
      expect(s.outline).not.toEqual(colors.background);
      expect(s.ring).toBe(styles[0].ring);
    }
    for (let i = 1; i < styles.length; i++)
      expect(styles[i].radius).toBeLessThanOrEqual(styles[i - 1].radius);
  });
});
