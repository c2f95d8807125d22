import { afterEach, describe, expect, it } from "vitest";
import { componentColors } from "../src/lib/colors.js";
import { createProfileTable, meanSd, profileRows, sortRows } from "../src/lib/profile_table.js";
import { enc } from "./helpers.js";

/** A profile_table trait as Python encodes it (widgets/_profile_view.py). */
function trait({ weight, count, mean, sd, effect, separating, component }) {
  const R = weight.length;
  const d = mean[0].length;
  return {
    component: enc(component ?? weight.map((_, k) => k), [R], "int32"),
    weight: enc(weight, [R]),
    count: enc(count, [R], "int32"),
    mean: enc(mean, [R, d]),
    sd: enc(sd, [R, d]),
    effect: enc(effect, [R, d]),
    separating: enc(separating, [R, d], "uint8"),
    n_samples: count.reduce((a, b) => a + b, 0),
  };
}

const SMALL = trait({
  weight: [0.5, 0.2, 0.3],
  count: [50, 20, 30],
  mean: [
    [1, 10],
    [5, -2],
    [3, 4],
  ],
  sd: [
    [0.5, 1],
    [1, 2],
    [0.25, 3],
  ],
  effect: [
    [-1.2, 0.9],
    [1.5, -0.1],
    [0.1, 0.2],
  ],
  separating: [
    [1, 1],
    [1, 0],
    [0, 0],
  ],
});

describe("profile rows and sorting", () => {
  it("decodes the trait into one row per component", () => {
    const rows = profileRows(SMALL);
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatchObject({ component: 1, count: 20, mean: [5, -2], sd: [1, 2] });
    expect(rows[1].weight).toBeCloseTo(0.2, 6);
    expect(rows[0].separating).toEqual([true, true]);
    expect(profileRows({})).toEqual([]);
  });

  it("sorts by weight, count, a feature's mean, and back by component", () => {
    const rows = profileRows(SMALL);
    const order = (column, dir) => sortRows(rows, column, dir).map((r) => r.component);
    expect(order("weight", "descending")).toEqual([0, 2, 1]);
    expect(order("weight", "ascending")).toEqual([1, 2, 0]);
    expect(order("count", "descending")).toEqual([0, 2, 1]);
    expect(order("mean:0", "ascending")).toEqual([0, 2, 1]);
    expect(order("mean:1", "descending")).toEqual([0, 2, 1]);
    expect(order("component", "descending")).toEqual([2, 1, 0]);
  });

  it("keeps ties in component order and puts noise last by component", () => {
    const t = trait({
      weight: [0.4, 0.4, 0.2],
      count: [10, 10, 5],
      mean: [[0], [0], [0]],
      sd: [[1], [1], [1]],
      effect: [[0], [0], [0]],
      separating: [[0], [0], [0]],
      component: [0, 1, -1],
    });
    const rows = profileRows(t);
    expect(sortRows(rows, "weight", "descending").map((r) => r.component)).toEqual([0, 1, -1]);
    expect(sortRows(rows, "component", "ascending").map((r) => r.component)).toEqual([0, 1, -1]);
  });

  it("writes mean \u00b1 sd compactly", () => {
    expect(meanSd(1234.5678, 0.01234)).toBe("1.23e+3 \u00b1 0.012");
    expect(meanSd(-2.5, 1)).toBe("\u22122.50 \u00b1 1.0");
  });
});

describe("profile table", () => {
  afterEach(() => document.body.replaceChildren());

  function render(t, names, onSelect = () => {}) {
    const box = document.createElement("div");
    document.body.append(box);
    const table = createProfileTable(box, { onSelect });
    table.update({ table: t, featureNames: names, colors: componentColors(20, false) });
    const bodyOrder = () =>
      Array.from(box.querySelectorAll('[data-gmm-role="profile-row"]'), (tr) =>
        Number(tr.getAttribute("data-component")),
      );
    const sortButton = (column) =>
      box.querySelector(`[data-gmm-role="profile-sort"][data-column="${column}"]`);
    return { box, table, bodyOrder, sortButton };
  }

  it("marks the separating features and sorts on header clicks", () => {
    const { box, bodyOrder, sortButton } = render(SMALL, ["age", "income"]);
    expect(bodyOrder()).toEqual([0, 1, 2]);
    const first = box.querySelector('[data-gmm-role="profile-row"]');
    const cells = first.querySelectorAll("td");
    expect(cells[0].textContent).toBe("0.500");
    expect(cells[1].textContent).toBe("50");
    expect(cells[2].textContent).toBe("\u25bc 1.00 \u00b1 0.50");
    expect(cells[2].dataset.separating).toBe("low");
    expect(cells[3].dataset.separating).toBe("high");
    expect(box.querySelectorAll(".gmm-separating")).toHaveLength(3);
    sortButton("weight").click(); // first click on a number: largest first
    expect(bodyOrder()).toEqual([0, 2, 1]);
    expect(sortButton("weight").closest("th").getAttribute("aria-sort")).toBe("descending");
    sortButton("weight").click();
    expect(bodyOrder()).toEqual([1, 2, 0]);
    sortButton("mean:1").click();
    expect(bodyOrder()).toEqual([0, 2, 1]);
    sortButton("component").click();
    expect(bodyOrder()).toEqual([0, 1, 2]);
  });

  it("selects a component on a row click or Enter", () => {
    const picked = [];
    const { box } = render(SMALL, ["a", "b"], (k, event) => picked.push([k, event.shiftKey]));
    const rows = box.querySelectorAll('[data-gmm-role="profile-row"]');
    rows[1].dispatchEvent(new MouseEvent("click", { bubbles: true, shiftKey: true }));
    rows[2].dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    expect(picked).toEqual([
      [1, true],
      [2, false],
    ]);
  });

  it("renders K = 20 components by d = 30 features with a sticky first column", () => {
    const K = 20;
    const d = 30;
    const grid = (f) =>
      Array.from({ length: K }, (_, k) => Array.from({ length: d }, (_, j) => f(k, j)));
    const t = trait({
      weight: Array.from({ length: K }, (_, k) => (k + 1) / 210),
      count: Array.from({ length: K }, (_, k) => 100 * (k + 1)),
      mean: grid((k, j) => k * 1000 + j),
      sd: grid(() => 1.5),
      effect: grid((k, j) => (j === k ? 2 : 0)),
      separating: grid((k, j) => (j === k ? 1 : 0)),
    });
    const names = Array.from({ length: d }, (_, j) => `feature_${j}`);
    const { box, bodyOrder, sortButton } = render(t, names);
    expect(bodyOrder()).toHaveLength(K);
    expect(box.querySelectorAll("thead th")).toHaveLength(3 + d);
    expect(box.querySelectorAll('[data-gmm-role="profile-row"] td')).toHaveLength(K * (2 + d));
    expect(box.querySelectorAll(".gmm-separating")).toHaveLength(K);
    for (const th of box.querySelectorAll(".gmm-profile-sticky")) expect(th.cellIndex).toBe(0);
    expect(box.querySelectorAll("tbody .gmm-profile-sticky")).toHaveLength(K);
    sortButton("count").click();
    expect(bodyOrder()).toEqual(Array.from({ length: K }, (_, k) => K - 1 - k));
    // Long numbers stay compact: 19029 reads 1.90e+4.
    const last = box.querySelector('[data-gmm-role="profile-row"]');
    expect(last.querySelectorAll("td")[2 + 29].textContent).toBe("1.90e+4 \u00b1 1.5");
  });

  it("hides itself while there is nothing to show", () => {
    const { box, table } = render({}, []);
    expect(box.querySelector('[data-gmm-role="profile"]').hidden).toBe(true);
    table.update({ table: SMALL, featureNames: ["a", "b"], colors: componentColors(3, false) });
    expect(box.querySelector('[data-gmm-role="profile"]').hidden).toBe(false);
  });
});
