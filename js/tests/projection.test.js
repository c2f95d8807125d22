import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { encodeArray } from "../src/lib/codecs.js";
import { buildProjectionControls, chosenProjection, featureLabel } from "../src/lib/projection.js";
import { mockModel } from "./helpers.js";

// Views that Python's ViewProjection gives for real widget states
// (tests/widgets/projection_fixture.py).
const here = dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(readFileSync(join(here, "fixtures", "projections.json"), "utf8"));

/** The traits as the browser receives them: arrays encoded in their wire dtype. */
function wireTraits(traits) {
  const pca = {};
  for (const [key, a] of Object.entries(traits.pca))
    pca[key] = encodeArray(a.values, a.shape, a.dtype);
  return { ...traits, pca };
}

describe("the browser chooses the view Python draws", () => {
  it("has the reference cases", () => {
    expect(fixture.cases.length).toBe(8);
    expect(fixture.cases.filter((c) => c.traits.projection === "pca").length).toBe(3);
  });

  for (const c of fixture.cases) {
    it(c.name, () => {
      const { proj, labels } = chosenProjection(mockModel(wireTraits(c.traits)), c.d);
      expect([labels.x, labels.y]).toEqual(c.labels);
      expect(proj.d).toBe(c.d);
      // The browser's PCA basis is the float32 of Python's.
      const close = (a, b) =>
        expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-7 * Math.max(1, Math.abs(b)));
      expect(proj.P.length).toBe(c.P.length);
      c.P.forEach((v, i) => {
        close(proj.P[i], v);
      });
      c.offset.forEach((v, i) => {
        close(proj.offset[i], v);
      });
    });
  }
});

describe("chosenProjection", () => {
  const base = {
    feature_names: ["a", "b", "c"],
    projection: "features",
    x_feature: 0,
    y_feature: 1,
    pca: {},
  };

  it("names the view and the features shown", () => {
    const m = mockModel({ ...base, x_feature: 2, y_feature: 0 });
    const { key, dims } = chosenProjection(m, 3);
    expect(key).toBe("pair:2:0");
    expect(dims).toEqual([2, 0]);
  });

  it("clamps feature indices to the data and keeps the pair until the PCA basis arrives", () => {
    expect(chosenProjection(mockModel({ ...base, x_feature: 9, y_feature: -1 }), 3).dims).toEqual([
      2, 0,
    ]);
    const waiting = chosenProjection(mockModel({ ...base, projection: "pca" }), 3);
    expect(waiting.key).toBe("pair:0:1");
    const pca = {
      components: encodeArray([1, 0, 0, 0, 1, 0], [2, 3]),
      mean: encodeArray([0, 0, 0], [3]),
    };
    const shown = chosenProjection(mockModel({ ...base, projection: "pca", pca }), 3);
    expect([shown.key, shown.dims, shown.labels]).toEqual(["pca", null, { x: "PC1", y: "PC2" }]);
  });

  it("labels features without names x0, x1, ...", () => {
    expect(featureLabel([], 3)).toBe("x3");
    expect(featureLabel(undefined, 0)).toBe("x0");
    expect(featureLabel(["w"], 0)).toBe("w");
  });
});

describe("buildProjectionControls", () => {
  afterEach(() => document.body.replaceChildren());
  const model = (over = {}) =>
    mockModel({
      feature_names: ["a", "b", "c"],
      projection: "features",
      x_feature: 0,
      y_feature: 1,
      pca: {},
      ...over,
    });
  const $ = (box, role) => box.querySelector(`[data-gmm-role="${role}"]`);

  it("hides the box for two features or fewer", () => {
    const box = document.createElement("div");
    buildProjectionControls(box, model(), 2);
    expect(box.hidden).toBe(true);
    expect(box.children.length).toBe(0);
  });

  it("offers the features by name and writes the traits", () => {
    const box = document.createElement("div");
    const m = model({ x_feature: 2 });
    buildProjectionControls(box, m, 3);
    expect(box.hidden).toBe(false);
    const x = $(box, "x-feature");
    expect([...x.options].map((o) => o.textContent)).toEqual(["a", "b", "c"]);
    expect(x.value).toBe("2");
    x.value = "1";
    x.dispatchEvent(new Event("change"));
    expect(m.get("x_feature")).toBe(1);
    expect(m.saved.at(-1).x_feature).toBe(1);
    const mode = $(box, "projection");
    mode.value = "pca";
    mode.dispatchEvent(new Event("change"));
    expect(m.get("projection")).toBe("pca");
  });

  it("disables the feature pickers while the principal axes are shown", () => {
    const box = document.createElement("div");
    buildProjectionControls(box, model({ projection: "pca" }), 3);
    expect($(box, "x-feature").disabled).toBe(true);
    expect($(box, "y-feature").disabled).toBe(true);
    expect($(box, "projection").value).toBe("pca");
  });
});
