// The explanation panel of AnomalyInspector (explanation.js): what it shows of
// AnomalyInspector.explain(row), in which order, and how it closes.
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createExplanationPanel,
  rankedFeatures,
  summaryLines,
} from "../src/anomaly_inspector/explanation.js";

const EXPLANATION = {
  row: 17,
  log_density: -13.898432046820011,
  percentile: 0.25,
  flagged: true,
  component: 2,
  responsibility: 0.99994820960117,
  mahalanobis: 4.395036588089502,
  features: [
    { name: "x0", value: -5.3, mean: 1.4, z: -3.43, contribution: 3.0, share: 0.25 },
    { name: "x1", value: -4.2, mean: 0.9, z: -2.74, contribution: 9.0, share: 0.75 },
    { name: "x2", value: 0.1, mean: 0.1, z: 0.0, contribution: 0.0, share: 0.0 },
  ],
};

afterEach(() => document.body.replaceChildren());

describe("explanation panel", () => {
  it("orders features by their part of D², ties in input order", () => {
    const names = rankedFeatures([
      { ...EXPLANATION.features[0], contribution: 1 },
      { ...EXPLANATION.features[1], contribution: 2 },
      { ...EXPLANATION.features[2], contribution: 1 },
    ]).map((f) => f.name);
    expect(names).toEqual(["x1", "x0", "x2"]);
  });

  it("summarises density, percentile, component and distance", () => {
    const lines = summaryLines(EXPLANATION);
    expect(lines.map((l) => l[0])).toEqual([
      "log-density",
      "percentile",
      "component",
      "mahalanobis",
    ]);
    expect(lines[2][3]).toBe("2 (p = 1.00)");
    const scoresOnly = summaryLines({ ...EXPLANATION, component: null, features: [] });
    expect(scoresOnly.map((l) => l[0])).toEqual(["log-density", "percentile"]);
  });

  it("shows every number at full precision and hides on {}", () => {
    const onClose = vi.fn();
    const panel = createExplanationPanel({ onClose });
    document.body.append(panel.root);
    expect(panel.root.hidden).toBe(true);
    panel.update(EXPLANATION);
    const q = (role) => panel.root.querySelector(`[data-gmm-role="${role}"]`);
    expect(panel.root.hidden).toBe(false);
    expect(panel.root.dataset.row).toBe("17");
    expect(q("explanation-title").textContent).toBe("Row 17: flagged");
    expect(Number(q("explanation-log-density").dataset.value)).toBe(EXPLANATION.log_density);
    expect(Number(q("explanation-mahalanobis").dataset.value)).toBe(EXPLANATION.mahalanobis);
    const rows = [...panel.root.querySelectorAll('[data-gmm-role="explanation-feature"]')];
    expect(rows.map((r) => r.dataset.feature)).toEqual(["x1", "x0", "x2"]);
    expect(rows[0].querySelector(".gmm-explain-bar").style.width).toBe("75%");
    expect(rows[0].textContent).toContain("75.0 %");
    q("explanation-close").click();
    expect(onClose).toHaveBeenCalledTimes(1);
    panel.root.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(onClose).toHaveBeenCalledTimes(2);
    panel.update({});
    expect(panel.root.hidden).toBe(true);
  });

  it("a model that is not a mixture: the score and percentile, no table", () => {
    const panel = createExplanationPanel({ onClose: () => {} });
    panel.update({ ...EXPLANATION, component: null, mahalanobis: null, features: [] });
    expect(panel.root.querySelector("table").hidden).toBe(true);
    expect(panel.root.querySelector('[data-gmm-role="explanation-component"]')).toBeNull();
  });
});
