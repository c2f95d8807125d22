// Point selection in a 2-D view: pure functions (hit tests, combining, encoding, the
// highlight). The rows of X a region holds are decided in Python over every row
// (gmm_widgets/widgets/_selection.py: the view may draw a subsample); the browser uses
// the same rules on the rows it draws, to preview a brush or lasso before the kernel
// answers, and draws the selection Python sets (`selected_rows`).
//
// Boundary rules, exact and shared with Python:
// - rectangle (brush): closed, x0 <= x <= x1 and y0 <= y <= y1;
// - polygon (lasso): even-odd rule with half-open crossings: the edge a -> b counts when
//   (ay > y) !== (by > y) and x < ax + (y - ay) * (bx - ax) / (by - ay). Of two polygons
//   sharing an edge, exactly one holds a point on it (the unit square holds its left and
//   bottom edges, not its right and top ones).

import { decodeArray } from "./codecs.js";

/** @typedef {"replace"|"add"} SelectMode */

/**
 * A region of the view's plane, in data coordinates.
 * @typedef {{kind: "brush", x0: number, y0: number, x1: number, y1: number}
 *   | {kind: "lasso", xs: ArrayLike<number>, ys: ArrayLike<number>}} Region
 */

/** Whether (x, y) lies in the closed rectangle spanned by the two corners. */
export function inRectangle(x, y, x0, y0, x1, y1) {
  return (
    x >= Math.min(x0, x1) && x <= Math.max(x0, x1) && y >= Math.min(y0, y1) && y <= Math.max(y0, y1)
  );
}

/**
 * Whether (x, y) lies in the polygon of vertices (xs[i], ys[i]) (closed from the last
 * back to the first; concave or self-intersecting allowed): the even-odd rule with
 * half-open crossings, operation for operation as Python's `in_polygon`.
 * @param {number} x
 * @param {number} y
 * @param {ArrayLike<number>} xs
 * @param {ArrayLike<number>} ys
 */
export function pointInPolygon(x, y, xs, ys) {
  const m = xs.length;
  if (m < 3) return false;
  let inside = false;
  for (let i = 0; i < m; i++) {
    const a = i === 0 ? m - 1 : i - 1;
    const ax = xs[a];
    const ay = ys[a];
    const bx = xs[i];
    const by = ys[i];
    if (ay > y !== by > y) {
      const cross = ax + ((y - ay) * (bx - ax)) / (by - ay);
      if (x < cross) inside = !inside;
    }
  }
  return inside;
}

/**
 * Which points a region holds.
 * @param {ArrayLike<number>} xs points' x (data coordinates)
 * @param {ArrayLike<number>} ys
 * @param {Region} region
 * @returns {Uint8Array} 1 for a point inside
 */
export function hitTest(xs, ys, region) {
  const n = xs.length;
  const out = new Uint8Array(n);
  if (region.kind === "brush") {
    const { x0, y0, x1, y1 } = region;
    for (let i = 0; i < n; i++) out[i] = inRectangle(xs[i], ys[i], x0, y0, x1, y1) ? 1 : 0;
    return out;
  }
  const vx = region.xs;
  const vy = region.ys;
  if (vx.length < 3) return out;
  // Only points with min_y <= y < max_y can straddle an edge (exactly, as in Python:
  // outside that band every `ay > y` is the same), so the rest are out.
  let ly = Infinity;
  let hy = -Infinity;
  for (let i = 0; i < vy.length; i++) {
    ly = Math.min(ly, vy[i]);
    hy = Math.max(hy, vy[i]);
  }
  for (let i = 0; i < n; i++) {
    const y = ys[i];
    if (y < ly || y >= hy) continue;
    out[i] = pointInPolygon(xs[i], y, vx, vy) ? 1 : 0;
  }
  return out;
}

/**
 * A new selection combined with the current one.
 * @param {Uint8Array|null} current
 * @param {Uint8Array} hits
 * @param {SelectMode} mode "replace" (a plain gesture) or "add" (with Shift)
 * @returns {Uint8Array}
 */
export function combine(current, hits, mode) {
  if (mode === "replace" || !current) return hits.slice();
  const out = current.slice();
  for (let i = 0; i < hits.length; i++) if (hits[i]) out[i] = 1;
  return out;
}

/** The mode of a gesture from its pointer or mouse event: Shift adds. */
export function modeOf(event) {
  return event?.shiftKey ? "add" : "replace";
}

/**
 * A region's vertices as little-endian float64 bytes: the lasso's vertices, or the
 * brush's two corners, (m, 2) row-major. What the kernel's "select" message carries.
 * @param {Region} region
 * @returns {ArrayBuffer}
 */
export function encodeRegion(region) {
  const pts =
    region.kind === "brush"
      ? [region.x0, region.y0, region.x1, region.y1]
      : Array.from(region.xs, (x, i) => [x, region.ys[i]]).flat();
  const buffer = new ArrayBuffer(pts.length * 8);
  const view = new DataView(buffer);
  for (let i = 0; i < pts.length; i++) view.setFloat64(i * 8, pts[i], true);
  return buffer;
}

/**
 * Which drawn points are selected: rows of X in `selected` (sorted), mapped through the
 * rows of X the points show.
 * @param {ArrayLike<number>} selected sorted row positions of X
 * @param {ArrayLike<number>|null} rows row of X of each drawn point (sorted ascending,
 *   or -1 for a point not in X); null when the points are X's rows in order
 * @param {number} n drawn points
 * @returns {Uint8Array|null} null when nothing is selected
 */
export function selectedMask(selected, rows, n) {
  if (!selected || selected.length === 0) return null;
  const mask = new Uint8Array(n);
  if (!rows) {
    for (let i = 0; i < selected.length; i++) if (selected[i] < n) mask[selected[i]] = 1;
    return mask;
  }
  // Both sorted (ignoring -1s): one merge pass.
  let j = 0;
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    if (r < 0) continue;
    while (j < selected.length && selected[j] < r) j++;
    if (j < selected.length && selected[j] === r) mask[i] = 1;
  }
  return mask;
}

/**
 * The `selected_rows` trait as an integer array (empty when unset).
 * @param {import("./codecs.js").EncodedArray|null|undefined} value
 * @returns {ArrayLike<number>}
 */
export function decodeRows(value) {
  const arr = value ? decodeArray(value) : null;
  return arr ? arr.data : new Int32Array(0);
}

/**
 * Colours with the unselected points faded towards the background.
 * @param {Uint8ClampedArray} rgb n x 3
 * @param {Uint8Array|null} mask 1 for selected; null: nothing selected, no change
 * @param {ArrayLike<number>} background [r, g, b]
 * @param {number} [fade] share of the background in a faded point
 * @returns {Uint8ClampedArray}
 */
export function fadeUnselected(rgb, mask, background, fade = 0.8) {
  if (!mask) return rgb;
  const out = new Uint8ClampedArray(rgb.length);
  for (let i = 0; i < mask.length; i++) {
    const t = mask[i] ? 0 : fade;
    for (let c = 0; c < 3; c++) out[3 * i + c] = rgb[3 * i + c] * (1 - t) + background[c] * t;
  }
  return out;
}

/**
 * A draw order with the selected points last (on top), each group in `order`'s order.
 * @param {ArrayLike<number>} order
 * @param {Uint8Array|null} mask
 * @returns {ArrayLike<number>}
 */
export function selectedOnTop(order, mask) {
  if (!mask) return order;
  const out = new Uint32Array(order.length);
  let o = 0;
  for (let i = 0; i < order.length; i++) if (!mask[order[i]]) out[o++] = order[i];
  for (let i = 0; i < order.length; i++) if (mask[order[i]]) out[o++] = order[i];
  return out;
}

/** How many of a mask's entries are set. */
export function countSelected(mask) {
  let c = 0;
  if (mask) for (let i = 0; i < mask.length; i++) c += mask[i];
  return c;
}
