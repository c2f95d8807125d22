// Which 2-D view of d-dimensional data is shown (traits projection, x_feature,
// y_feature, pca) and the pickers that choose it (for d > 2).

import { decodeTree } from "../lib/codecs.js";
import { h } from "../lib/dom.js";
import { setNow } from "../lib/model.js";
import { featurePair, linearProjection } from "../lib/projection.js";

/**
 * The projection chosen now.
 * @returns {{proj: object, labels: {x: string, y: string}, key: string, dims: number[]|null}}
 *   `dims` the two features shown, or null for the principal axes
 */
export function chosenProjection(model, d) {
  const names = model.get("feature_names") || [];
  const label = (i) => names[i] ?? `x${i}`;
  if (d <= 2) return { proj: featurePair(d, 0, Math.min(1, d - 1)), labels: { x: label(0), y: label(1) }, key: "pair:0:1", dims: [0, 1] };
  if (model.get("projection") === "pca") {
    const pca = decodeTree(model.get("pca") || {});
    if (pca.components && pca.mean) {
      const ratio = pca.explained_variance_ratio ? pca.explained_variance_ratio.data : [NaN, NaN];
      const pct = (r) => (Number.isFinite(r) ? ` (${(100 * r).toFixed(1)}% var.)` : "");
      return { proj: linearProjection(pca.components.data, pca.mean.data, d), labels: { x: `PC1${pct(ratio[0])}`, y: `PC2${pct(ratio[1])}` }, key: "pca", dims: null };
    }
  }
  const i = Math.max(0, Math.min(d - 1, model.get("x_feature") | 0));
  const j = Math.max(0, Math.min(d - 1, model.get("y_feature") | 0));
  return { proj: featurePair(d, i, j), labels: { x: label(i), y: label(j) }, key: `pair:${i}:${j}`, dims: [i, j] };
}

/** Fill `box` with the projection and feature pickers (hidden for d <= 2). */
export function buildProjectionControls(box, model, d) {
  box.replaceChildren();
  box.hidden = d <= 2;
  if (d <= 2) return;
  const names = model.get("feature_names") || [];
  const mode = model.get("projection") === "pca" ? "pca" : "features";
  const select = (role, label, options, value, onChange, disabled = false) => {
    const s = h("select", { class: "gmm-select", "data-gmm-role": role, "aria-label": label, title: label });
    options.forEach(([v, text]) => s.append(h("option", { value: v, text })));
    s.value = String(value);
    s.disabled = disabled;
    s.addEventListener("change", () => onChange(s.value));
    return s;
  };
  const feats = Array.from({ length: d }, (_, i) => [String(i), names[i] ?? `x${i}`]);
  box.append(
    h("span", { class: "gmm-label" }, ["view", select("projection", "Projection", [["features", "feature pair"], ["pca", "PCA"]], mode, (v) => setNow(model, "projection", v))]),
    h("span", { class: "gmm-label" }, ["x", select("x-feature", "Feature on the x axis", feats, model.get("x_feature") | 0, (v) => setNow(model, "x_feature", Number(v)), mode === "pca")]),
    h("span", { class: "gmm-label" }, ["y", select("y-feature", "Feature on the y axis", feats, model.get("y_feature") | 0, (v) => setNow(model, "y_feature", Number(v)), mode === "pca")]),
  );
}
