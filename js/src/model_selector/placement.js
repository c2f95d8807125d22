// Where to put a short label next to a mark so that no other mark covers it: try a few
// positions around the anchor, nearest first, and take the first whose box is inside the
// bounds and clear of every obstacle; if none is, the one overlapping them least.

/**
 * An axis-aligned box, px.
 * @typedef {{x0: number, y0: number, x1: number, y1: number}} Box
 */

/** Area two boxes share (0 when apart). */
export function overlapArea(a, b) {
  const w = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
  const h = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
  return w > 0 && h > 0 ? w * h : 0;
}

/** The box of a disc (a marker) of radius r at (x, y). */
export function discBox(x, y, r) {
  return { x0: x - r, y0: y - r, x1: x + r, y1: y + r };
}

/**
 * Sides to try, nearest first: above, below, right, left, then the four corners, each at
 * `gap` px from the anchor's box, then the same again twice as far out.
 */
const SIDES = [
  [0, -1],
  [0, 1],
  [1, 0],
  [-1, 0],
  [1, -1],
  [-1, -1],
  [1, 1],
  [-1, 1],
];

/**
 * Place a `width` x `height` label beside the box `anchor`.
 * @param {Box} anchor the mark being labelled (the label never covers it)
 * @param {{width: number, height: number}} size of the label, px
 * @param {Box[]} obstacles marks the label should not cover (or be covered by)
 * @param {Box} bounds the label stays inside
 * @param {{gap?: number}} [opts] `gap`: px between the anchor and the label (default 3)
 * @returns {Box & {clear: boolean}} the label's box; `clear` is false when every
 *   position overlapped something (the least-overlapping one is returned)
 */
export function placeLabel(anchor, size, obstacles, bounds, opts = {}) {
  const gap = opts.gap ?? 3;
  const cx = (anchor.x0 + anchor.x1) / 2;
  const cy = (anchor.y0 + anchor.y1) / 2;
  const { width: w, height: h } = size;
  let best = null;
  let bestCost = Infinity;
  for (const reach of [gap, gap + h + 2]) {
    for (const [sx, sy] of SIDES) {
      const lx = sx === 0 ? cx - w / 2 : sx > 0 ? anchor.x1 + reach : anchor.x0 - reach - w;
      const ly = sy === 0 ? cy - h / 2 : sy > 0 ? anchor.y1 + reach : anchor.y0 - reach - h;
      const box = { x0: lx, y0: ly, x1: lx + w, y1: ly + h };
      const outside =
        Math.max(0, bounds.x0 - box.x0) +
        Math.max(0, box.x1 - bounds.x1) +
        Math.max(0, bounds.y0 - box.y0) +
        Math.max(0, box.y1 - bounds.y1);
      let cost = outside * 1e6 + overlapArea(box, anchor) * 1e3;
      for (const o of obstacles) cost += overlapArea(box, o);
      if (cost === 0) return { ...box, clear: true };
      if (cost < bestCost) {
        bestCost = cost;
        best = box;
      }
    }
  }
  return { .../** @type {Box} */ (best), clear: false };
}
