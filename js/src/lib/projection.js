// 2-D views of d-dimensional data: a pair of features or a linear projection such as PCA.
// A projection is a 2 x d matrix P (row-major) and an offset c: y = P (x - c).
//
// Which view a widget shows is the same rule in every widget (and in Python's static
// pictures, gmm_widgets/widgets/_static.py: ViewProjection): the traits of
// ProjectedWidget (`projection`, `x_feature`, `y_feature`, `pca`, `feature_names`, see
// traits.js) are read by `chosenProjection`, and `buildProjectionControls` makes their
// pickers.

import { decodeTree } from "./codecs.js";
import { h } from "./dom.js";
import { setNow } from "./model.js";

/**
 * The model of any widget that has the projection traits.
 * @typedef {import("./traits.js").WidgetModel<
 *   import("./traits.js").ProjectedWidgetTraits>} ProjectedModel
 */

/**
 * A 2-D view: `P` the 2 x d matrix (row-major), `offset` c (d), y = P (x - c).
 * @typedef {{P: Float64Array, offset: Float64Array, d: number}} Projection
 */

/** Name of feature `i`: its column name, else `x{i}`. */
export function featureLabel(names, i) {
  return (names || [])[i] ?? `x${i}`;
}

/**
 * Projection onto features i (x axis) and j (y axis).
 * @returns {Projection}
 */
export function featurePair(d, i, j) {
  const P = new Float64Array(2 * d);
  P[i] = 1;
  P[d + j] = 1;
  return { P, offset: new Float64Array(d), d };
}

/**
 * Projection onto two orthonormal directions (e.g. the first two principal axes).
 * @param {ArrayLike<number>} components 2*d, row-major
 * @param {ArrayLike<number>} mean d
 * @returns {Projection}
 */
export function linearProjection(components, mean, d) {
  return { P: Float64Array.from(components), offset: Float64Array.from(mean), d };
}

/**
 * Project n points (row-major n x d) into two coordinate arrays.
 * @returns {{xs: Float32Array, ys: Float32Array}}
 */
export function projectPoints(X, n, proj) {
  const { P, offset, d } = proj;
  const xs = new Float32Array(n);
  const ys = new Float32Array(n);
  const nz0 = [];
  const nz1 = [];
  for (let j = 0; j < d; j++) {
    if (P[j] !== 0) nz0.push(j);
    if (P[d + j] !== 0) nz1.push(j);
  }
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let a = 0;
    let b = 0;
    for (const j of nz0) a += P[j] * (X[o + j] - offset[j]);
    for (const j of nz1) b += P[d + j] * (X[o + j] - offset[j]);
    xs[i] = a;
    ys[i] = b;
  }
  return { xs, ys };
}

/** Project one d-vector: [P (m - c)]. */
export function projectMean(m, proj, start = 0) {
  const { P, offset, d } = proj;
  let a = 0;
  let b = 0;
  for (let j = 0; j < d; j++) {
    const v = m[start + j] - offset[j];
    a += P[j] * v;
    b += P[d + j] * v;
  }
  return [a, b];
}

/**
 * Covariance of the projected Gaussian: P S P^T (2 x 2, row-major). For a feature pair
 * this is the marginal covariance of those two features.
 */
export function projectCovariance(S, proj) {
  const { P, d } = proj;
  const out = new Float64Array(4);
  for (let r = 0; r < 2; r++) {
    for (let c = 0; c < 2; c++) {
      let s = 0;
      for (let i = 0; i < d; i++) {
        const pi = P[r * d + i];
        if (pi === 0) continue;
        for (let j = 0; j < d; j++) s += pi * S[i * d + j] * P[c * d + j];
      }
      out[r * 2 + c] = s;
    }
  }
  return out;
}

/**
 * The view that the traits choose for d-dimensional data: features 0 and 1 when
 * d <= 2; with d > 2 the principal axes when `projection` is "pca" (and the basis has
 * arrived), else features `x_feature` and `y_feature` (clamped to [0, d)).
 * @param {ProjectedModel} model
 * @param {number} d features of the data
 * @returns {{proj: Projection, labels: {x: string, y: string}, key: string,
 *   dims: number[]|null}} `key` names the view (a change of it means projecting the
 *   points again); `dims` the two features shown, or null for the principal axes
 */
export function chosenProjection(model, d) {
  const names = model.get("feature_names") || [];
  if (d <= 2) {
    const labels = { x: featureLabel(names, 0), y: featureLabel(names, 1) };
    return { proj: featurePair(d, 0, Math.min(1, d - 1)), labels, key: "pair:0:1", dims: [0, 1] };
  }
  if (model.get("projection") === "pca") {
    const pca = decodeTree(model.get("pca") || {});
    if (pca.components && pca.mean) {
      const ratio = pca.explained_variance_ratio ? pca.explained_variance_ratio.data : [NaN, NaN];
      const pct = (r) => (Number.isFinite(r) ? ` (${(100 * r).toFixed(1)}% var.)` : "");
      const labels = { x: `PC1${pct(ratio[0])}`, y: `PC2${pct(ratio[1])}` };
      return {
        proj: linearProjection(pca.components.data, pca.mean.data, d),
        labels,
        key: "pca",
        dims: null,
      };
    }
  }
  const i = Math.max(0, Math.min(d - 1, model.get("x_feature") | 0));
  const j = Math.max(0, Math.min(d - 1, model.get("y_feature") | 0));
  const labels = { x: featureLabel(names, i), y: featureLabel(names, j) };
  return { proj: featurePair(d, i, j), labels, key: `pair:${i}:${j}`, dims: [i, j] };
}

/**
 * The points in the chosen view, with the view: `xs`, `ys` are projected again only when
 * the view (its `key`) or the number of points changed since `previous`.
 * @param {ProjectedModel} model
 * @param {{X: ArrayLike<number>, n: number, d: number}} data row-major n x d points
 * @param {ProjectedPoints|null} previous the last result, or null (after new data)
 * @returns {ProjectedPoints}
 */
export function projectedPoints(model, data, previous) {
  const view = chosenProjection(model, data.d);
  const { n } = data;
  const same = previous && previous.key === view.key && previous.n === n;
  const { xs, ys } = same ? previous : projectPoints(data.X, n, view.proj);
  return { ...view, n, xs, ys };
}

/**
 * @typedef {ReturnType<typeof chosenProjection> & {n: number, xs: Float32Array,
 *   ys: Float32Array}} ProjectedPoints
 */

/**
 * The components of a mixture in a view: projected means and covariances (for a feature
 * pair, the marginal Gaussians), with their colours, as scatter plots draw them.
 * @param {ArrayLike<number>} means K x d, row-major
 * @param {ArrayLike<number>[]} covariances K full d x d matrices
 * @param {Projection} proj
 * @param {import("./colors.js").RGB[]} colors one per component
 * @returns {{mean: number[], cov: Float64Array, color: import("./colors.js").RGB}[]}
 */
export function projectComponents(means, covariances, proj, colors) {
  return colors.map((color, k) => ({
    mean: projectMean(means, proj, k * proj.d),
    cov: projectCovariance(covariances[k], proj),
    color,
  }));
}

/**
 * Fill `box` with the pickers of the view (data-gmm-role "projection", "x-feature" and
 * "y-feature"), which set the traits; for d <= 2 the box is emptied and hidden.
 * @param {HTMLElement} box
 * @param {ProjectedModel} model
 * @param {number} d features of the data
 */
export function buildProjectionControls(box, model, d) {
  box.replaceChildren();
  box.hidden = d <= 2;
  if (d <= 2) return;
  const names = model.get("feature_names") || [];
  const mode = model.get("projection") === "pca" ? "pca" : "features";
  const select = (role, label, options, value, onChange, disabled = false) => {
    const s = h("select", {
      class: "gmm-select",
      "data-gmm-role": role,
      "aria-label": label,
      title: label,
    });
    for (const [v, text] of options) s.append(h("option", { value: v, text }));
    s.value = String(value);
    s.disabled = disabled;
    s.addEventListener("change", () => onChange(s.value));
    return s;
  };
  const feats = Array.from({ length: d }, (_, i) => [String(i), featureLabel(names, i)]);
  const modes = [
    ["features", "feature pair"],
    ["pca", "PCA"],
  ];
  const axis = (name, key, role) =>
    h("span", { class: "gmm-label" }, [
      name,
      select(
        role,
        `Feature on the ${name} axis`,
        feats,
        model.get(key) | 0,
        (v) => setNow(model, key, Number(v)),
        mode === "pca",
      ),
    ]);
  box.append(
    h("span", { class: "gmm-label" }, [
      "view",
      select("projection", "Projection", modes, mode, (v) => setNow(model, "projection", v)),
    ]),
    axis("x", "x_feature", "x-feature"),
    axis("y", "y_feature", "y-feature"),
  );
}
