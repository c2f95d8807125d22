// The threshold on new data (held_out.js): the Wilson interval and the live read-out.
import { afterEach, describe, expect, it } from "vitest";
import {
  createHeldOutReadout,
  heldOutSummary,
  wilsonInterval,
} from "../src/anomaly_inspector/held_out.js";
import { ScoreIndex } from "../src/anomaly_inspector/threshold.js";

afterEach(() => document.body.replaceChildren());

describe("Wilson interval", () => {
  it("equals scipy's binomtest(k, n).proportion_ci(method='wilson')", () => {
    // Values from scipy 1.x, the reference of gmm_widgets.mixture.held_out's tests.
    const cases = [
      [10, 500, 0.010899183596210808, 0.03642018324687934],
      [3, 7, 0.1582198552514697, 0.7495416354723428],
      [0, 50, 0, 0.07134759913335872],
      [50, 50, 0.9286524008666412, 1],
    ];
    for (const [k, n, lo, hi] of cases) {
      const [a, b] = wilsonInterval(k, n);
      expect(a).toBeCloseTo(lo, 14);
      expect(b).toBeCloseTo(hi, 14);
    }
  });
});

describe("held-out read-out", () => {
  const sorted = Float64Array.from({ length: 200 }, (_, i) => -10 + i * 0.05);
  const labels = Uint8Array.from({ length: 200 }, (_, i) => (i < 8 ? 1 : 0));

  it("counts the new points below the threshold, with metrics from the labels", () => {
    const index = new ScoreIndex(sorted, labels);
    const s = heldOutSummary(index, -9.5, 0.04); // 10 below: 8 labelled anomalies + 2
    expect(s.count).toBe(10);
    expect(s.fraction).toBe(0.05);
    expect(s.consistent).toBe(true);
    expect(s.metrics.precision).toBe(0.8);
    expect(s.metrics.recall).toBe(1);
    const far = heldOutSummary(index, -5, 0.04); // 100 below: 50 %
    expect(far.consistent).toBe(false);
  });

  it("shows the numbers with their full-precision values, and hides without X_new", () => {
    const r = createHeldOutReadout();
    document.body.append(r.root);
    expect(r.root.hidden).toBe(true);
    r.set(heldOutSummary(new ScoreIndex(sorted, null), -9.5, 0.04));
    const q = (role) => r.root.querySelector(`[data-gmm-role="${role}"]`);
    expect(r.root.hidden).toBe(false);
    expect(q("held-out-count").textContent).toBe("10 of 200");
    expect(Number(q("held-out-fraction").dataset.value)).toBe(0.05);
    expect(q("held-out-fraction").textContent).toBe("5.00 %");
    expect(q("held-out-tuning").textContent).toBe("4.00 %");
    expect(q("held-out-precision").closest("div").hidden).toBe(true); // no labels
    r.set(null);
    expect(r.root.hidden).toBe(true);
  });
});
