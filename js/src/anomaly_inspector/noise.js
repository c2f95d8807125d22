// The uniform noise component of a mixture (GaussianMixture(noise=...)): density w0 / V
// inside the training data's box, 0 outside. Inside the box a point's posterior
// probability of noise is (w0 / V) / p(x) = exp(level - log p(x)), so a threshold t on
// the log-density is the cut P(noise) > exp(level - t): the view shows that cut live
// while the threshold moves, and "flag likely noise" sets t = level - log(0.5).

/**
 * @typedef {object} Noise
 * @property {number} level log(w0 / V): the noise's weighted log-density inside its box
 * @property {Float64Array} lo the box's lower corner (d)
 * @property {Float64Array} hi its upper corner (d)
 */

/**
 * The noise component of a decoded `_mixture` payload, or null without one.
 * @param {Record<string, any>} raw decoded payload (arrays as {data, shape})
 * @returns {Noise|null}
 */
export function readNoise(raw) {
  const level = raw?.noise_log_density;
  const bounds = raw?.noise_bounds;
  if (typeof level !== "number" || !bounds?.data) return null;
  const d = bounds.shape[1];
  return {
    level,
    lo: Float64Array.from(bounds.data.subarray(0, d)),
    hi: Float64Array.from(bounds.data.subarray(d, 2 * d)),
  };
}

/**
 * Whether point `offset / d` of `X` lies in the noise box.
 * @param {Noise} noise
 * @param {ArrayLike<number>} X row-major points
 * @param {number} offset index of the point's first coordinate
 * @param {number} d coordinates per point
 */
export function insideBox(noise, X, offset, d) {
  for (let j = 0; j < d; j++) {
    const v = X[offset + j];
    if (!(v >= noise.lo[j] && v <= noise.hi[j])) return false;
  }
  return true;
}

/**
 * Posterior probability of noise of a point inside the box with log-density `score`.
 * @param {Noise} noise
 * @param {number} score log p(x) under the whole mixture (noise included)
 */
export function noiseProbability(noise, score) {
  const p = Math.exp(noise.level - score);
  return Number.isFinite(p) ? Math.min(1, p) : 0;
}

/**
 * The cut on P(noise) that threshold `t` amounts to (the points in the box with
 * log p(x) < t are those with P(noise) > cut), or null when `t <= level`: no point of
 * the box lies below it.
 * @param {Noise} noise
 * @param {number} t
 * @returns {number|null}
 */
export function cutAtThreshold(noise, t) {
  if (!(t > noise.level)) return null;
  return Math.exp(noise.level - t);
}

/**
 * The threshold that flags the points with P(noise) > `cut`.
 * @param {Noise} noise
 * @param {number} cut in (0, 1)
 */
export function thresholdForCut(noise, cut) {
  return noise.level - Math.log(cut);
}

/** log(e^a + e^b), exact for infinite arguments. */
function logAddExp(a, b) {
  const m = Math.max(a, b);
  if (m === -Infinity) return -Infinity;
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/**
 * Add the noise to a log-density grid over features `dims` of the data space (the
 * grid's nodes inside the box's projection get the noise density too). In place.
 * @param {{values: Float64Array, nx: number, ny: number, x0: number, y0: number,
 *   dx: number, dy: number}} grid from contour.js logDensityGrid
 * @param {Noise} noise
 * @param {number[]} dims the two features the grid spans
 */
export function addNoiseToGrid(grid, noise, [a, b]) {
  const { values, nx, ny, x0, y0, dx, dy } = grid;
  for (let j = 0; j < ny; j++) {
    const y = y0 + j * dy;
    if (!(y >= noise.lo[b] && y <= noise.hi[b])) continue;
    for (let i = 0; i < nx; i++) {
      const x = x0 + i * dx;
      if (x >= noise.lo[a] && x <= noise.hi[a])
        values[j * nx + i] = logAddExp(values[j * nx + i], noise.level);
    }
  }
  return grid;
}

/**
 * Add the noise to 1-D log-densities at `grid` (feature 0). In place.
 * @param {Float64Array} logp
 * @param {ArrayLike<number>} grid
 * @param {Noise} noise
 */
export function addNoise1d(logp, grid, noise) {
  for (let i = 0; i < grid.length; i++)
    if (grid[i] >= noise.lo[0] && grid[i] <= noise.hi[0]) logp[i] = logAddExp(logp[i], noise.level);
  return logp;
}
