// Level sets of a function sampled on a regular grid: the mixture's log-density on a
// grid over the plot (computed once per model and view), and marching squares to draw
// the curve log p(x) = t for any t in well under a millisecond, so the decision boundary
// of a threshold follows a drag live.

import { prepareComponents, weightedLogDensities } from "../lib/gaussian.js";

/**
 * log p(x) of a Gaussian mixture at the nodes of a regular 2-D grid.
 * @param {{weights: ArrayLike<number>, means: ArrayLike<number>,
 *   covariances: Float64Array[]}} mixture 2-D mixture: K weights, K*2 means, K full 2x2 covariances
 * @param {number[]} xDomain
 * @param {number[]} yDomain
 * @param {number} nx nodes along x (>= 2)
 * @param {number} ny nodes along y (>= 2)
 * @returns {{values: Float64Array, nx: number, ny: number, x0: number, y0: number,
 *   dx: number, dy: number}}
 *   values[j * nx + i] at (x0 + i dx, y0 + j dy)
 */
export function logDensityGrid(mixture, [xa, xb], [ya, yb], nx, ny) {
  const comps = prepareComponents(mixture.weights, mixture.means, mixture.covariances, 2);
  const K = comps.length;
  const values = new Float64Array(nx * ny);
  const dx = (xb - xa) / (nx - 1);
  const dy = (yb - ya) / (ny - 1);
  const point = new Float64Array(2);
  const lp = new Float64Array(K);
  const scratch = new Float64Array(2);
  for (let j = 0; j < ny; j++) {
    point[1] = ya + j * dy;
    for (let i = 0; i < nx; i++) {
      point[0] = xa + i * dx;
      values[j * nx + i] = logSumExp(weightedLogDensities(point, 0, 2, comps, lp, scratch));
    }
  }
  return { values, nx, ny, x0: xa, y0: ya, dx, dy };
}

/**
 * log p(x) of a 1-D Gaussian mixture at `grid` points.
 * @param {{weights: ArrayLike<number>, means: ArrayLike<number>,
 *   covariances: Float64Array[]}} mixture
 * @param {ArrayLike<number>} grid
 */
export function logDensity1d(mixture, grid) {
  const comps = prepareComponents(mixture.weights, mixture.means, mixture.covariances, 1);
  const lp = new Float64Array(comps.length);
  const point = new Float64Array(1);
  const out = new Float64Array(grid.length);
  for (let i = 0; i < grid.length; i++) {
    point[0] = grid[i];
    out[i] = logSumExp(weightedLogDensities(point, 0, 1, comps, lp));
  }
  return out;
}

/** log(sum(exp(v))), -Infinity for an empty or all -Infinity input. */
export function logSumExp(v) {
  let max = -Infinity;
  for (let k = 0; k < v.length; k++) if (v[k] > max) max = v[k];
  if (max === -Infinity) return -Infinity;
  let s = 0;
  for (let k = 0; k < v.length; k++) s += Math.exp(v[k] - max);
  return max + Math.log(s);
}

// Edges of a cell, by corner pairs: 0 bottom (a-b), 1 right (b-c), 2 top (d-c), 3 left (a-d),
// with corners a (i, j), b (i+1, j), c (i+1, j+1), d (i, j+1).
// For each of the 16 corner cases (bit set where the value is below the level), the
// pairs of edges the curve joins. The two saddles (5, 10) are resolved by the centre.
const CASES = [
  [],
  [[3, 0]],
  [[0, 1]],
  [[3, 1]],
  [[1, 2]],
  null,
  [[0, 2]],
  [[3, 2]],
  [[2, 3]],
  [[0, 2]],
  null,
  [[1, 2]],
  [[1, 3]],
  [[0, 1]],
  [[3, 0]],
  [],
];

/**
 * Segments of the level set {f = level} of a grid (marching squares, linear
 * interpolation along cell edges). -Infinity values count as below every level.
 * @param {{values: ArrayLike<number>, nx: number, ny: number, x0: number, y0: number,
 *   dx: number, dy: number}} grid
 * @param {number} level
 * @returns {Float64Array} flat [x1, y1, x2, y2, ...] in grid (data) coordinates
 */
export function contourSegments(grid, level) {
  const { values, nx, ny, x0, y0, dx, dy } = grid;
  const out = [];
  const cornerX = [0, 1, 1, 0];
  const cornerY = [0, 0, 1, 1];
  const v = new Float64Array(4);
  const edgePoint = (e, i, j) => {
    // Edge e joins corners (e, (e + 1) % 4) except the left edge, which joins a and d.
    const [p, q] = e === 3 ? [0, 3] : e === 2 ? [3, 2] : [e, e + 1];
    const vp = v[p];
    const vq = v[q];
    let t = 0.5;
    if (Number.isFinite(vp) && Number.isFinite(vq) && vq !== vp) t = (level - vp) / (vq - vp);
    else if (!Number.isFinite(vp) && Number.isFinite(vq)) t = 0;
    else if (Number.isFinite(vp) && !Number.isFinite(vq)) t = 1;
    t = Math.max(0, Math.min(1, t));
    const gx = i + cornerX[p] + (cornerX[q] - cornerX[p]) * t;
    const gy = j + cornerY[p] + (cornerY[q] - cornerY[p]) * t;
    return [x0 + gx * dx, y0 + gy * dy];
  };
  for (let j = 0; j < ny - 1; j++) {
    for (let i = 0; i < nx - 1; i++) {
      v[0] = values[j * nx + i];
      v[1] = values[j * nx + i + 1];
      v[2] = values[(j + 1) * nx + i + 1];
      v[3] = values[(j + 1) * nx + i];
      let code = 0;
      for (let c = 0; c < 4; c++) if (!(v[c] >= level)) code |= 1 << c;
      if (code === 0 || code === 15) continue;
      let pairs = CASES[code];
      if (pairs === null) {
        const centre = (v[0] + v[1] + v[2] + v[3]) / 4;
        const centreBelow = !(centre >= level);
        // 5: a and c below. Joined through the centre when it is below too.
        if (code === 5)
          pairs = centreBelow
            ? [
                [3, 2],
                [0, 1],
              ]
            : [
                [3, 0],
                [1, 2],
              ];
        else
          pairs = centreBelow
            ? [
                [0, 3],
                [1, 2],
              ]
            : [
                [0, 1],
                [2, 3],
              ];
      }
      for (const [e1, e2] of pairs) {
        const [ax, ay] = edgePoint(e1, i, j);
        const [bx, by] = edgePoint(e2, i, j);
        out.push(ax, ay, bx, by);
      }
    }
  }
  return Float64Array.from(out);
}

/**
 * An SVG path of segments mapped through scales (one "M..L.." per segment).
 * @param {ArrayLike<number>} segments flat [x1, y1, x2, y2, ...]
 * @param {(v: number) => number} sx
 * @param {(v: number) => number} sy
 */
export function segmentsPath(segments, sx, sy) {
  const parts = new Array(segments.length / 4);
  for (let s = 0, o = 0; o < segments.length; s++, o += 4) {
    const from = `M${sx(segments[o]).toFixed(1)},${sy(segments[o + 1]).toFixed(1)}`;
    parts[s] = `${from}L${sx(segments[o + 2]).toFixed(1)},${sy(segments[o + 3]).toFixed(1)}`;
  }
  return parts.join("");
}

/**
 * Intervals of a 1-D grid where the values are below `level`, with the ends refined by
 * linear interpolation.
 * @param {ArrayLike<number>} grid increasing x
 * @param {ArrayLike<number>} values f(grid)
 * @returns {number[][]}
 */
export function intervalsBelow(grid, values, level) {
  const out = [];
  const n = grid.length;
  const below = (i) => !(values[i] >= level);
  const cross = (i) => {
    const a = values[i];
    const b = values[i + 1];
    if (!Number.isFinite(a) || !Number.isFinite(b) || a === b) return (grid[i] + grid[i + 1]) / 2;
    const t = Math.max(0, Math.min(1, (level - a) / (b - a)));
    return grid[i] + t * (grid[i + 1] - grid[i]);
  };
  let start = below(0) ? grid[0] : null;
  for (let i = 0; i < n - 1; i++) {
    const a = below(i);
    const b = below(i + 1);
    if (a && !b) {
      out.push([start, cross(i)]);
      start = null;
    } else if (!a && b) start = cross(i);
  }
  if (start !== null) out.push([start, grid[n - 1]]);
  return out;
}

/**
 * Paint the cells of a grid whose value is below `level` into an RGBA buffer of nx x ny
 * pixels, row 0 at the top (so the buffer can be drawn stretched over the plot).
 * @param {Uint8ClampedArray} pixels nx * ny * 4
 * @param {{values: ArrayLike<number>, nx: number, ny: number}} grid
 * @param {import("../lib/colors.js").RGB} rgb
 * @param {number} alpha 0..255
 */
export function paintBelow(pixels, grid, level, rgb, alpha) {
  const { values, nx, ny } = grid;
  for (let j = 0; j < ny; j++) {
    const row = (ny - 1 - j) * nx;
    for (let i = 0; i < nx; i++) {
      const p = (row + i) * 4;
      if (!(values[j * nx + i] >= level)) {
        pixels[p] = rgb[0];
        pixels[p + 1] = rgb[1];
        pixels[p + 2] = rgb[2];
        pixels[p + 3] = alpha;
      } else pixels[p + 3] = 0;
    }
  }
  return pixels;
}
