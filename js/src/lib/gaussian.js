// Multivariate Gaussians in the browser: covariance expansion, Cholesky factors,
// log-densities, responsibilities (soft assignments) and 1-D densities. Everything works
// on row-major typed arrays and float64 arithmetic.

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Expand a covariance given in scikit-learn's per-type layout into K full d x d
 * matrices.
 * @param {ArrayLike<number>} cov "full": K*d*d; "tied": d*d; "diag": K*d; "spherical": K
 * @param {"full"|"tied"|"diag"|"spherical"} type
 * @param {number} K
 * @param {number} d
 * @returns {Float64Array[]} K row-major d x d matrices
 */
export function expandCovariances(cov, type, K, d) {
  const out = [];
  for (let k = 0; k < K; k++) {
    const m = new Float64Array(d * d);
    if (type === "full") for (let i = 0; i < d * d; i++) m[i] = cov[k * d * d + i];
    else if (type === "tied") for (let i = 0; i < d * d; i++) m[i] = cov[i];
    else if (type === "diag") for (let i = 0; i < d; i++) m[i * d + i] = cov[k * d + i];
    else if (type === "spherical") for (let i = 0; i < d; i++) m[i * d + i] = cov[k];
    else throw new Error(`unknown covariance type ${JSON.stringify(type)}`);
    out.push(m);
  }
  return out;
}

/**
 * Lower Cholesky factor L of a symmetric positive definite d x d matrix (A = L L^T).
 * A matrix that is not positive definite (float32 round-off of a nearly singular
 * covariance) gets a growing ridge on its diagonal, up to 1e-4 of its mean variance;
 * a matrix that needs more is refused.
 * @returns {Float64Array} row-major L
 */
export function cholesky(A, d) {
  let ridge = 0;
  let trace = 0;
  for (let i = 0; i < d; i++) trace += Math.abs(A[i * d + i]);
  const base = (trace / d || 1) * 1e-10;
  for (let attempt = 0; attempt < 5; attempt++) {
    const L = new Float64Array(d * d);
    let ok = true;
    for (let j = 0; j < d && ok; j++) {
      let s = A[j * d + j] + ridge;
      for (let k = 0; k < j; k++) s -= L[j * d + k] * L[j * d + k];
      if (!(s > 0)) {
        ok = false;
        break;
      }
      const ljj = Math.sqrt(s);
      L[j * d + j] = ljj;
      for (let i = j + 1; i < d; i++) {
        let t = 0.5 * (A[i * d + j] + A[j * d + i]);
        for (let k = 0; k < j; k++) t -= L[i * d + k] * L[j * d + k];
        L[i * d + j] = t / ljj;
      }
    }
    if (ok) return L;
    ridge = ridge === 0 ? base : ridge * 100;
  }
  throw new Error("covariance is not positive definite");
}

/** Precomputed factors of K Gaussian components, for fast log-densities. */
export function prepareComponents(weights, means, covariances, d) {
  const K = weights.length;
  const comps = [];
  for (let k = 0; k < K; k++) {
    let L;
    try {
      L = cholesky(covariances[k], d);
    } catch {
      L = null;
    }
    let logdet = 0;
    if (L) for (let i = 0; i < d; i++) logdet += 2 * Math.log(L[i * d + i]);
    const w = weights[k];
    comps.push({
      mean: Array.from({ length: d }, (_, i) => means[k * d + i]),
      L,
      // A component with no weight or a broken covariance gets no responsibility.
      logConst: L && w > 0 ? Math.log(w) - 0.5 * (d * LOG_2PI + logdet) : -Infinity,
    });
  }
  return comps;
}

/**
 * Log of w_k N(x | mean_k, cov_k) for one point, written into `out` (length K).
 * @param {ArrayLike<number>} X row-major n x d data
 * @param {number} row index of the point
 */
export function weightedLogDensities(X, row, d, comps, out, scratch = new Float64Array(d)) {
  const off = row * d;
  for (let k = 0; k < comps.length; k++) {
    const c = comps[k];
    if (c.logConst === -Infinity) {
      out[k] = -Infinity;
      continue;
    }
    const L = c.L;
    let maha = 0;
    for (let i = 0; i < d; i++) {
      let s = X[off + i] - c.mean[i];
      for (let j = 0; j < i; j++) s -= L[i * d + j] * scratch[j];
      const z = s / L[i * d + i];
      scratch[i] = z;
      maha += z * z;
    }
    out[k] = c.logConst - 0.5 * maha;
  }
  return out;
}

/**
 * Responsibilities r[i, k] = P(component k | x_i) of n points under a mixture.
 * @param {ArrayLike<number>} X row-major n x d
 * @param {number} n
 * @param {number} d
 * @param {ArrayLike<number>} weights K
 * @param {ArrayLike<number>} means K*d
 * @param {Float64Array[]} covariances K full d x d matrices (see expandCovariances)
 * @returns {{resp: Float32Array, logLik: number}} row-major n x K responsibilities and
 *   the mean log-likelihood per point
 */
export function responsibilities(X, n, d, weights, means, covariances) {
  const K = weights.length;
  const comps = prepareComponents(weights, means, covariances, d);
  const resp = new Float32Array(n * K);
  const lp = new Float64Array(K);
  const scratch = new Float64Array(d);
  let total = 0;
  for (let i = 0; i < n; i++) {
    weightedLogDensities(X, i, d, comps, lp, scratch);
    let max = -Infinity;
    for (let k = 0; k < K; k++) if (lp[k] > max) max = lp[k];
    if (max === -Infinity) {
      for (let k = 0; k < K; k++) resp[i * K + k] = 1 / K;
      continue;
    }
    let sum = 0;
    for (let k = 0; k < K; k++) sum += Math.exp(lp[k] - max);
    for (let k = 0; k < K; k++) resp[i * K + k] = Math.exp(lp[k] - max) / sum;
    total += max + Math.log(sum);
  }
  return { resp, logLik: n ? total / n : NaN };
}

/** Density of N(mean, variance) at x (1-D). */
export function normalPdf(x, mean, variance) {
  if (!(variance > 0)) return 0;
  const z = x - mean;
  return Math.exp((-0.5 * (z * z)) / variance) / Math.sqrt(2 * Math.PI * variance);
}

/**
 * Weighted component densities and the mixture density of a 1-D mixture on a grid.
 * @param {ArrayLike<number>} grid
 * @param {ArrayLike<number>} weights K
 * @param {ArrayLike<number>} means K
 * @param {ArrayLike<number>} variances K
 * @returns {{components: Float64Array[], mixture: Float64Array}}
 */
export function mixtureDensity1d(grid, weights, means, variances) {
  const K = weights.length;
  const components = [];
  const mixture = new Float64Array(grid.length);
  for (let k = 0; k < K; k++) {
    const c = new Float64Array(grid.length);
    for (let i = 0; i < grid.length; i++) {
      c[i] = weights[k] * normalPdf(grid[i], means[k], variances[k]);
      mixture[i] += c[i];
    }
    components.push(c);
  }
  return { components, mixture };
}
