// EM for Gaussian mixtures in the browser: the same algorithm and the same numbers as
// gmm_widgets.mixture (Python), on float64 typed arrays.
//
// What follows the core exactly (and is checked against fixtures the core writes, see
// tests/widgets/em_fixture.py and js/tests/em.test.js):
// - the data are centred on their mean; parameters are kept in centred coordinates;
// - E-step: log w_k + log N(x | mu_k, Sigma_k) through precision Cholesky factors,
//   log-sum-exp per point, shifted log-densities floored at -460 before exp;
// - the lower bound of an iteration is the mean log-likelihood of the parameters the
//   iteration starts from; converged when |lower bound - previous| < tol;
// - M-step: nk + 10 eps, scikit-learn's covariance formulas per type, reg_covar on the
//   diagonal, weights nk / sum nk;
// - a covariance singular to working precision (a variance, or a Cholesky pivot,
//   below SINGULAR_RTOL times the data's variance of that feature) is refused with the
//   core's ill-defined-covariance message;
// - the start from given means (MixtureExplorer's handles): every point goes to its
//   nearest mean, each part gives its weight and covariance (gmm_widgets/widgets/
//   _scores.py: init_from_means).
// - locked means (the explorer's locked handles; the core's fixed_means): a locked
//   component keeps the mean it starts from, and its covariance is the scatter about
//   that mean (tied: the exact pooled scatter, gmm_widgets/mixture/_constraints.py);
//   criteria count d parameters fewer per locked mean.

/** @typedef {"full"|"tied"|"diag"|"spherical"} CovarianceType */

/**
 * Mixture parameters in scikit-learn's layout, row-major.
 * @typedef {object} MixtureState
 * @property {CovarianceType} covarianceType
 * @property {Float64Array} weights (K)
 * @property {Float64Array} means (K*d), in data coordinates
 * @property {Float64Array} covariances full (K*d*d), tied (d*d), diag (K*d), spherical (K)
 */

export const COVARIANCE_TYPES = /** @type {const} */ (["full", "tied", "diag", "spherical"]);
/** The core's _covariance.SINGULAR_RTOL. */
export const SINGULAR_RTOL = 1e-11;
/** Added to every nk, as the core (and scikit-learn) do: 10 * float64 eps. */
const NK_EPS = 10 * Number.EPSILON;
/** The core's _stats._LOG_FLOOR for float64. */
const LOG_FLOOR = -460;
/** Rows of the evenly spaced sample the variance scale is read from (_engine._SCALE_ROWS). */
const SCALE_ROWS = 1 << 15;
const LOG_2PI = Math.log(2 * Math.PI);

/** A fit that cannot go on: a collapsed component or non-finite covariances. */
export class EMError extends Error {
  constructor(message) {
    super(message);
    this.name = "EMError";
  }
}

/**
 * A number as Python's format(value, "g") writes it (6 significant digits).
 * @param {number} value
 * @returns {string}
 */
export function formatG(value) {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  const exp = Number(value.toExponential(5).split("e")[1]);
  if (exp >= -4 && exp < 6) {
    const text = value.toFixed(Math.max(0, 5 - exp));
    return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
  }
  const [mant, e] = value.toExponential(5).split("e");
  const m = mant.includes(".") ? mant.replace(/\.?0+$/, "") : mant;
  const n = Number(e);
  return `${m}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
}

/**
 * The core's message for a covariance that is singular (gmm_widgets/mixture/
 * _covariance.py, _ILL_DEFINED).
 * @param {string} what e.g. "component 0 has an"
 * @param {number} regCovar
 */
export function illDefinedMessage(what, regCovar) {
  return (
    `Fitting the mixture model failed because ${what} ill-defined empirical covariance ` +
    "(for instance caused by singleton or collapsed samples, or a constant feature). " +
    `Try to decrease n_components, increase reg_covar (now ${formatG(regCovar)}), or scale ` +
    "the input data."
  );
}

const NON_FINITE =
  "Fitting the mixture model failed: the covariances became non-finite. Scale the input " +
  "data (e.g. standardise the features) or increase reg_covar.";

/**
 * Number of covariance values for a type.
 * @param {CovarianceType} type
 */
export function covarianceLength(type, K, d) {
  if (type === "full") return K * d * d;
  if (type === "tied") return d * d;
  if (type === "diag") return K * d;
  if (type === "spherical") return K;
  throw new Error(`unknown covariance type ${JSON.stringify(type)}`);
}

/**
 * Free parameters of a mixture as BIC and AIC count them (n_mixture_parameters).
 * @param {CovarianceType} type
 */
export function nParameters(type, K, d) {
  const cov = { full: (K * d * (d + 1)) / 2, tied: (d * (d + 1)) / 2, diag: K * d, spherical: K }[
    type
  ];
  return cov + K * d + K - 1;
}

/** Evenly spaced row indices as NumPy's unique(linspace(0, n-1, m).astype(intp)). */
function evenRows(n, m) {
  if (m >= n) return null;
  const out = [];
  let last = -1;
  for (let i = 0; i < m; i++) {
    const r = Math.trunc(m > 1 ? ((n - 1) * i) / (m - 1) : 0);
    if (r !== last) out.push(r);
    last = r;
  }
  return out;
}

/**
 * The data of a fit: centred float64 rows, their centre, the scale the singular floor is
 * tied to, and X^T X (tied covariances).
 */
export class EMData {
  /**
   * @param {ArrayLike<number>} X row-major n x d (float32 or float64)
   * @param {number} n
   * @param {number} d
   */
  constructor(X, n, d) {
    if (!(n >= 1 && d >= 1)) throw new Error(`EM needs at least one row and feature (n=${n}).`);
    this.n = n;
    this.d = d;
    const center = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) center[j] += X[i * d + j];
    for (let j = 0; j < d; j++) center[j] /= n;
    const Xc = new Float64Array(n * d);
    for (let i = 0; i < n * d; i++) Xc[i] = X[i] - center[i % d];
    for (let i = 0; i < n * d; i++)
      if (!Number.isFinite(Xc[i])) throw new Error("The data contain NaN or infinity.");
    this.X = Xc;
    this.center = center;
    // The data's variance per feature, from an evenly spaced sample (feature_scale).
    const rows = evenRows(n, SCALE_ROWS);
    const m = rows ? rows.length : n;
    const mean = new Float64Array(d);
    const at = (r, j) => Xc[(rows ? rows[r] : r) * d + j];
    for (let r = 0; r < m; r++) for (let j = 0; j < d; j++) mean[j] += at(r, j);
    for (let j = 0; j < d; j++) mean[j] /= m;
    const scale = new Float64Array(d);
    for (let r = 0; r < m; r++)
      for (let j = 0; j < d; j++) {
        const v = at(r, j) - mean[j];
        scale[j] += v * v;
      }
    for (let j = 0; j < d; j++) scale[j] /= m;
    this.scale = scale;
    this._gram = null;
  }

  /** X^T X of the centred data (d x d), for tied covariances. */
  get gram() {
    if (!this._gram) {
      const { n, d, X } = this;
      const g = new Float64Array(d * d);
      for (let i = 0; i < n; i++)
        for (let a = 0; a < d; a++) {
          const xa = X[i * d + a];
          for (let b = 0; b <= a; b++) g[a * d + b] += xa * X[i * d + b];
        }
      for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) g[b * d + a] = g[a * d + b];
      this._gram = g;
    }
    return this._gram;
  }
}

/**
 * Lower Cholesky factor of a d x d matrix, or null if a pivot is not positive.
 * @param {Float64Array} A
 * @param {number} off offset of the matrix in A
 */
function choleskyLower(A, off, d) {
  const L = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    let s = A[off + j * d + j];
    for (let k = 0; k < j; k++) s -= L[j * d + k] * L[j * d + k];
    if (!(s > 0) || !Number.isFinite(s)) return null;
    const ljj = Math.sqrt(s);
    L[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let t = A[off + i * d + j];
      for (let k = 0; k < j; k++) t -= L[i * d + k] * L[j * d + k];
      L[i * d + j] = t / ljj;
    }
  }
  return L;
}

/** Inverse of a lower-triangular d x d matrix (lower-triangular). */
function invertLower(L, d) {
  const M = new Float64Array(d * d);
  for (let c = 0; c < d; c++) {
    for (let i = c; i < d; i++) {
      let s = i === c ? 1 : 0;
      for (let k = c; k < i; k++) s -= L[i * d + k] * M[k * d + c];
      M[i * d + c] = s / L[i * d + i];
    }
  }
  return M;
}

/**
 * Precision factors of one full matrix: W = L^-1 (so maha = |W (x - mu)|^2) and
 * log det of the precision Cholesky factor; refuses singular matrices as the core does.
 */
function fullFactor(cov, off, d, floor, what, regCovar) {
  for (let j = 0; j < d; j++)
    if (floor && cov[off + j * d + j] <= floor[j])
      throw new EMError(illDefinedMessage(what, regCovar));
  const L = choleskyLower(cov, off, d);
  if (!L) throw new EMError(illDefinedMessage(what, regCovar));
  if (floor)
    for (let j = 0; j < d; j++) {
      const p = L[j * d + j];
      if (p * p <= SINGULAR_RTOL * cov[off + j * d + j])
        throw new EMError(illDefinedMessage(what, regCovar));
    }
  let logDet = 0;
  for (let j = 0; j < d; j++) logDet -= Math.log(L[j * d + j]);
  return { W: invertLower(L, d), logDet };
}

/**
 * Everything the E-step needs from parameters in centred coordinates: per component a
 * whitening matrix (full, tied) or precisions (diag, spherical), and the constant
 * log w_k + log det P_k - d/2 log(2 pi). Throws EMError for a singular covariance.
 */
function factorize(type, K, d, weights, covariances, regCovar, floor) {
  const W = new Float64Array(type === "full" || type === "tied" ? K * d * d : K * d);
  const logDet = new Float64Array(K);
  if (type === "full") {
    for (let k = 0; k < K; k++) {
      const f = fullFactor(
        covariances,
        k * d * d,
        d,
        floor ? floor.subarray(k * d, (k + 1) * d) : null,
        `component ${k} has an`,
        regCovar,
      );
      W.set(f.W, k * d * d);
      logDet[k] = f.logDet;
    }
  } else if (type === "tied") {
    const f = fullFactor(covariances, 0, d, floor, "the tied covariance has an", regCovar);
    for (let k = 0; k < K; k++) {
      W.set(f.W, k * d * d);
      logDet[k] = f.logDet;
    }
  } else {
    const perFeature = type === "diag";
    const bad = [];
    for (let k = 0; k < K; k++) {
      for (let j = 0; j < (perFeature ? d : 1); j++) {
        const v = covariances[perFeature ? k * d + j : k];
        const lim = floor ? floor[perFeature ? k * d + j : k] : 0;
        if (!(v > lim)) {
          bad.push(k);
          break;
        }
      }
    }
    if (bad.length)
      throw new EMError(illDefinedMessage(`component(s) [${bad.join(", ")}] have an`, regCovar));
    for (let k = 0; k < K; k++) {
      let ld = 0;
      for (let j = 0; j < d; j++) {
        const v = covariances[perFeature ? k * d + j : k];
        const pc = 1 / Math.sqrt(v);
        W[k * d + j] = pc * pc; // precision
        ld += Math.log(pc);
      }
      logDet[k] = ld;
    }
  }
  const constant = new Float64Array(K);
  for (let k = 0; k < K; k++) constant[k] = Math.log(weights[k]) + logDet[k] - 0.5 * (d * LOG_2PI);
  return { W, constant };
}

/** The floor of singular variances of a type (variance_floor), for centred means. */
function varianceFloor(type, K, d, means, scale) {
  if (type === "tied") return Float64Array.from(scale, (s) => SINGULAR_RTOL * s);
  if (type === "full") {
    const out = new Float64Array(K * d);
    for (let k = 0; k < K; k++)
      for (let j = 0; j < d; j++) out[k * d + j] = SINGULAR_RTOL * scale[j];
    return out;
  }
  const diag = new Float64Array(K * d);
  for (let k = 0; k < K; k++)
    for (let j = 0; j < d; j++) {
      const m = means[k * d + j];
      diag[k * d + j] = SINGULAR_RTOL * (scale[j] + m * m);
    }
  if (type === "diag") return diag;
  const out = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += diag[k * d + j];
    out[k] = s / d;
  }
  return out;
}

/**
 * EM on one data set. Parameters live in centred coordinates; `state()` gives them in
 * data coordinates. A step that fails (EMError) leaves the parameters as they were.
 */
export class GaussianMixtureEM {
  /**
   * @param {EMData} data
   * @param {object} opts
   * @param {CovarianceType} opts.covarianceType
   * @param {number} opts.nComponents K
   * @param {number} [opts.regCovar] default 1e-6
   * @param {number} [opts.tol] default 1e-3
   * @param {number[]} [opts.lockedMeans] components whose means stay where they start
   */
  constructor(data, opts) {
    if (!COVARIANCE_TYPES.includes(opts.covarianceType))
      throw new Error(
        `covariance_type must be one of ${COVARIANCE_TYPES.join(", ")}, got ${JSON.stringify(opts.covarianceType)}.`,
      );
    this.data = data;
    this.type = opts.covarianceType;
    this.K = opts.nComponents;
    this.regCovar = opts.regCovar ?? 1e-6;
    this.tol = opts.tol ?? 1e-3;
    const { K } = this;
    const { d } = data;
    this.weights = new Float64Array(K);
    this.means = new Float64Array(K * d); // centred
    this.covariances = new Float64Array(covarianceLength(this.type, K, d));
    this.factors = null;
    this.nIter = 0;
    this.lowerBound = -Infinity;
    this.change = NaN;
    this.converged = false;
    this._resp = new Float64Array(K);
    this.locked = new Uint8Array(K);
    for (const k of opts.lockedMeans ?? []) if (k >= 0 && k < K) this.locked[k] = 1;
    this.nLocked = this.locked.reduce((a, b) => a + b, 0);
  }

  /**
   * Start from given means (the explorer's handles): every point goes to its nearest
   * mean; each part gives its component's weight (its share of the points, at least
   * one) and covariance (about the part's own centre, plus reg_covar); a part with at
   * most d points gets the pooled within-part covariance.
   * @param {ArrayLike<number>} means K*d, data coordinates
   * @param {number} [regCovar] added to the start's variances (default: the fit's)
   */
  startFromMeans(means, regCovar = this.regCovar) {
    const { K, type } = this;
    const { n, d, X, center } = this.data;
    if (means.length !== K * d)
      throw new Error(`means must hold ${K} x ${d} values, got ${means.length}.`);
    const mc = new Float64Array(K * d);
    for (let i = 0; i < K * d; i++) mc[i] = means[i] - center[i % d];
    const mm = new Float64Array(K);
    for (let k = 0; k < K; k++) for (let j = 0; j < d; j++) mm[k] += mc[k * d + j] * mc[k * d + j];
    const labels = new Int32Array(n);
    const counts = new Float64Array(K);
    const sums = new Float64Array(K * d);
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestV = Infinity;
      for (let k = 0; k < K; k++) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += X[i * d + j] * mc[k * d + j];
        const v = mm[k] - 2 * dot;
        if (v < bestV) {
          bestV = v;
          best = k;
        }
      }
      labels[i] = best;
      counts[best] += 1;
      for (let j = 0; j < d; j++) sums[best * d + j] += X[i * d + j];
    }
    const centres = new Float64Array(K * d);
    for (let k = 0; k < K; k++)
      for (let j = 0; j < d; j++)
        centres[k * d + j] = counts[k] > 0 ? sums[k * d + j] / counts[k] : mc[k * d + j];
    const scatter = new Float64Array(K * d * d);
    const diff = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const k = labels[i];
      for (let j = 0; j < d; j++) diff[j] = X[i * d + j] - centres[k * d + j];
      const o = k * d * d;
      for (let a = 0; a < d; a++)
        for (let b = 0; b <= a; b++) scatter[o + a * d + b] += diff[a] * diff[b];
    }
    for (let k = 0; k < K; k++)
      for (let a = 0; a < d; a++)
        for (let b = 0; b < a; b++) scatter[k * d * d + b * d + a] = scatter[k * d * d + a * d + b];
    const pooled = new Float64Array(d * d);
    for (let k = 0; k < K; k++) for (let e = 0; e < d * d; e++) pooled[e] += scatter[k * d * d + e];
    for (let e = 0; e < d * d; e++) pooled[e] /= n;
    const covs = new Float64Array(K * d * d);
    for (let k = 0; k < K; k++)
      for (let e = 0; e < d * d; e++)
        covs[k * d * d + e] =
          counts[k] <= d ? pooled[e] : scatter[k * d * d + e] / Math.max(counts[k], 1);
    let wsum = 0;
    for (let k = 0; k < K; k++) wsum += Math.max(counts[k], 1);
    const weights = Float64Array.from(counts, (c) => Math.max(c, 1) / wsum);
    const out = new Float64Array(covarianceLength(type, K, d));
    if (type === "full") {
      out.set(covs);
      for (let k = 0; k < K; k++)
        for (let j = 0; j < d; j++) out[k * d * d + j * d + j] += regCovar;
    } else if (type === "tied") {
      out.set(pooled);
      for (let j = 0; j < d; j++) out[j * d + j] += regCovar;
    } else if (type === "diag") {
      for (let k = 0; k < K; k++)
        for (let j = 0; j < d; j++) out[k * d + j] = covs[k * d * d + j * d + j] + regCovar;
    } else {
      for (let k = 0; k < K; k++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += covs[k * d * d + j * d + j] + regCovar;
        out[k] = s / d;
      }
    }
    this._setCentred(weights, mc, out);
    return this;
  }

  /**
   * Warm start: continue from given parameters (data coordinates).
   * @param {{weights: ArrayLike<number>, means: ArrayLike<number>,
   *   covariances: ArrayLike<number>}} params
   */
  setParams(params) {
    const { K } = this;
    const { d, center } = this.data;
    const mc = new Float64Array(K * d);
    for (let i = 0; i < K * d; i++) mc[i] = params.means[i] - center[i % d];
    this._setCentred(Float64Array.from(params.weights), mc, Float64Array.from(params.covariances));
    return this;
  }

  _setCentred(weights, means, covariances) {
    // The start is checked like precisions_init: no floor, only a failed Cholesky.
    const factors = factorize(
      this.type,
      this.K,
      this.data.d,
      weights,
      covariances,
      this.regCovar,
      null,
    );
    this.weights = weights;
    this.means = means;
    this.covariances = covariances;
    this.factors = factors;
    this.nIter = 0;
    this.lowerBound = -Infinity;
    this.change = NaN;
    this.converged = false;
  }

  /**
   * Log w_k N(x_i | k) for every k into `out`, for centred row i.
   * @param {number} i
   * @param {Float64Array} out
   */
  _logProb(i, out, diff) {
    const { K, type } = this;
    const { d, X } = this.data;
    const { W, constant } = this.factors;
    const means = this.means;
    const o = i * d;
    if (type === "full" || type === "tied") {
      for (let k = 0; k < K; k++) {
        const wo = k * d * d;
        const mo = k * d;
        for (let j = 0; j < d; j++) diff[j] = X[o + j] - means[mo + j];
        let maha = 0;
        for (let a = 0; a < d; a++) {
          let y = 0;
          for (let b = 0; b <= a; b++) y += W[wo + a * d + b] * diff[b];
          maha += y * y;
        }
        out[k] = constant[k] - 0.5 * maha;
      }
    } else {
      for (let k = 0; k < K; k++) {
        const mo = k * d;
        let maha = 0;
        for (let j = 0; j < d; j++) {
          const v = X[o + j] - means[mo + j];
          maha += W[mo + j] * v * v;
        }
        out[k] = constant[k] - 0.5 * maha;
      }
    }
  }

  /**
   * One EM iteration. Returns the lower bound of the parameters it started from (the
   * mean log-likelihood), as the core's iteration does; updates nIter, change and
   * converged. Throws EMError (and keeps the parameters) if a covariance collapses.
   * @param {Float32Array|Float64Array|null} [respOut] n*K: receives the
   *   responsibilities under the parameters the step starts from (row-major)
   * @returns {number}
   */
  step(respOut = null) {
    const { K, type, regCovar } = this;
    const { n, d, X } = this.data;
    const { W, constant } = this.factors;
    const lp = this._resp;
    const dk = new Float64Array(K * d); // x - mu_k of the current point
    const nk = new Float64Array(K);
    const sx = new Float64Array(K * d);
    const full = type === "full";
    const tri = full || type === "tied";
    const perFeature = type === "diag" || type === "spherical";
    const second = new Float64Array(full ? K * d * d : perFeature ? K * d : 0);
    const ref = this.means;
    const dd = d * d;
    let logLik = 0;
    for (let i = 0; i < n; i++) {
      const o = i * d;
      let amax = -Infinity;
      // Log-densities (the loops of _logProb, inlined: this is the hot loop).
      for (let k = 0; k < K; k++) {
        const mo = k * d;
        let maha = 0;
        if (tri && d === 2) {
          // The common case of the explorer, unrolled (same operations in the same order).
          const wo = k * 4;
          const d0 = X[o] - ref[mo];
          const d1 = X[o + 1] - ref[mo + 1];
          dk[mo] = d0;
          dk[mo + 1] = d1;
          const y0 = W[wo] * d0;
          const y1 = W[wo + 2] * d0 + W[wo + 3] * d1;
          maha = y0 * y0 + y1 * y1;
        } else if (tri) {
          const wo = k * dd;
          for (let a = 0; a < d; a++) {
            dk[mo + a] = X[o + a] - ref[mo + a];
            let y = 0;
            for (let b = 0; b <= a; b++) y += W[wo + a * d + b] * dk[mo + b];
            maha += y * y;
          }
        } else {
          for (let j = 0; j < d; j++) {
            const v = X[o + j] - ref[mo + j];
            maha += W[mo + j] * v * v;
          }
        }
        const v = constant[k] - 0.5 * maha;
        lp[k] = v;
        if (v > amax) amax = v;
      }
      if (!Number.isFinite(amax)) amax = 0;
      let total = 0;
      for (let k = 0; k < K; k++) {
        const t = lp[k] - amax;
        const e = Math.exp(Math.max(t, LOG_FLOOR));
        lp[k] = e;
        total += e;
      }
      logLik += Math.log(total) + amax;
      const inv = 1 / total;
      for (let k = 0; k < K; k++) {
        const r = lp[k] * inv;
        if (respOut) respOut[i * K + k] = r;
        nk[k] += r;
        const mo = k * d;
        for (let j = 0; j < d; j++) sx[mo + j] += r * X[o + j];
        if (full && d === 2) {
          const so = k * 4;
          const d0 = dk[mo];
          const d1 = dk[mo + 1];
          second[so] += r * d0 * d0;
          const r1 = r * d1;
          second[so + 2] += r1 * d0;
          second[so + 3] += r1 * d1;
        } else if (full) {
          const so = k * dd;
          for (let a = 0; a < d; a++) {
            const ra = r * dk[mo + a];
            for (let b = 0; b <= a; b++) second[so + a * d + b] += ra * dk[mo + b];
          }
        } else if (perFeature) {
          for (let j = 0; j < d; j++) {
            const x = X[o + j];
            second[mo + j] += r * x * x;
          }
        }
      }
    }
    const lowerBound = logLik / n;
    // M-step.
    const nke = Float64Array.from(nk, (v) => v + NK_EPS);
    const means = new Float64Array(K * d);
    for (let k = 0; k < K; k++)
      for (let j = 0; j < d; j++)
        means[k * d + j] = this.locked[k] ? ref[k * d + j] : sx[k * d + j] / nke[k];
    const cov = new Float64Array(covarianceLength(type, K, d));
    if (full) {
      // sum r (x - mu)(x - mu)^T from the scatter about the reference (the old means).
      const delta = new Float64Array(d);
      const sref = new Float64Array(d);
      for (let k = 0; k < K; k++) {
        const mo = k * d;
        const so = k * d * d;
        for (let j = 0; j < d; j++) {
          delta[j] = means[mo + j] - ref[mo + j];
          sref[j] = sx[mo + j] - nk[k] * ref[mo + j];
        }
        for (let a = 0; a < d; a++)
          for (let b = 0; b <= a; b++) {
            const num =
              second[so + a * d + b] -
              sref[a] * delta[b] -
              sref[b] * delta[a] +
              nk[k] * delta[a] * delta[b];
            const v = num / nke[k];
            cov[so + a * d + b] = v;
            cov[so + b * d + a] = v;
          }
        for (let j = 0; j < d; j++) cov[so + j * d + j] += regCovar;
      }
    } else if (type === "tied" && this.nLocked) {
      // The pooled scatter about the means (locked or not): S - sum_k (s_k mu_k^T +
      // mu_k s_k^T - N_k mu_k mu_k^T), as _constraints.tied_covariance.
      const g = this.data.gram;
      let sum = 0;
      for (let k = 0; k < K; k++) sum += nke[k];
      for (let a = 0; a < d; a++)
        for (let b = 0; b < d; b++) {
          let cross = 0;
          let crossT = 0;
          let mm = 0;
          for (let k = 0; k < K; k++) {
            const ma = means[k * d + a];
            const mb = means[k * d + b];
            cross += sx[k * d + a] * mb;
            crossT += sx[k * d + b] * ma;
            mm += nk[k] * ma * mb;
          }
          cov[a * d + b] = (g[a * d + b] - cross - crossT + mm) / sum;
        }
      for (let a = 0; a < d; a++)
        for (let b = 0; b < a; b++) {
          const v = (cov[a * d + b] + cov[b * d + a]) / 2;
          cov[a * d + b] = v;
          cov[b * d + a] = v;
        }
      for (let j = 0; j < d; j++) cov[j * d + j] += regCovar;
    } else if (type === "tied") {
      const g = this.data.gram;
      let sum = 0;
      for (let k = 0; k < K; k++) sum += nke[k];
      for (let a = 0; a < d; a++)
        for (let b = 0; b < d; b++) {
          let avg = 0;
          for (let k = 0; k < K; k++) avg += nke[k] * means[k * d + a] * means[k * d + b];
          cov[a * d + b] = (g[a * d + b] - avg) / sum;
        }
      for (let j = 0; j < d; j++) cov[j * d + j] += regCovar;
    } else {
      for (let k = 0; k < K; k++) {
        let s = 0;
        for (let j = 0; j < d; j++) {
          const m = means[k * d + j];
          const v =
            second[k * d + j] / nke[k] - 2 * ((m * sx[k * d + j]) / nke[k]) + m * m + regCovar;
          if (type === "diag") cov[k * d + j] = v;
          else s += v;
        }
        if (type === "spherical") cov[k] = s / d;
      }
    }
    for (let i = 0; i < cov.length; i++)
      if (!Number.isFinite(cov[i])) throw new EMError(NON_FINITE);
    const floor = varianceFloor(type, K, d, means, this.data.scale);
    let wsum = 0;
    for (let k = 0; k < K; k++) wsum += nke[k];
    const weights = Float64Array.from(nke, (v) => v / wsum);
    const factors = factorize(type, K, d, weights, cov, regCovar, floor);
    this.weights = weights;
    this.means = means;
    this.covariances = cov;
    this.factors = factors;
    this.nIter += 1;
    this.change = lowerBound - this.lowerBound;
    this.lowerBound = lowerBound;
    this.converged = Math.abs(this.change) < this.tol;
    return lowerBound;
  }

  /**
   * Iterate until converged, `maxIter` iterations in all, or the time budget is spent
   * (at least one iteration runs when any are left).
   * @param {{maxIter?: number, budgetMs?: number, now?: () => number,
   *   respOut?: Float32Array|Float64Array|null}} [opts] `respOut`: see {@link step}
   * @returns {number} iterations run by this call
   */
  run(opts = {}) {
    const maxIter = opts.maxIter ?? 100;
    const budget = opts.budgetMs ?? Infinity;
    const now = opts.now || (() => performance.now());
    const t0 = budget === Infinity ? 0 : now();
    let ran = 0;
    while (!this.converged && this.nIter < maxIter) {
      this.step(opts.respOut ?? null);
      ran += 1;
      if (budget !== Infinity && now() - t0 >= budget) break;
    }
    return ran;
  }

  /**
   * Log-density of every data row under the current parameters (score_samples).
   * @returns {Float64Array} (n)
   */
  scoreSamples() {
    const { K } = this;
    const { n, d } = this.data;
    const lp = new Float64Array(K);
    const diff = new Float64Array(d);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      this._logProb(i, lp, diff);
      let amax = -Infinity;
      for (let k = 0; k < K; k++) if (lp[k] > amax) amax = lp[k];
      if (!Number.isFinite(amax)) amax = 0;
      let s = 0;
      for (let k = 0; k < K; k++) s += Math.exp(lp[k] - amax);
      out[i] = Math.log(s) + amax;
    }
    return out;
  }

  /** @returns {MixtureState} the parameters in data coordinates (copies) */
  state() {
    const { d, center } = this.data;
    return {
      covarianceType: this.type,
      weights: Float64Array.from(this.weights),
      means: Float64Array.from(this.means, (v, i) => v + center[i % d]),
      covariances: Float64Array.from(this.covariances),
    };
  }

  /**
   * Log-likelihood per sample, BIC, AIC and ICL of the current parameters on the data,
   * as the core's GaussianMixture.criteria computes them.
   * @returns {{log_likelihood: number, bic: number, aic: number, icl: number,
   *   n_parameters: number, n_samples: number}}
   */
  criteria() {
    const { K } = this;
    const { n, d } = this.data;
    const lp = new Float64Array(K);
    const diff = new Float64Array(d);
    let total = 0;
    let entropy = 0;
    for (let i = 0; i < n; i++) {
      this._logProb(i, lp, diff);
      let amax = -Infinity;
      for (let k = 0; k < K; k++) if (lp[k] > amax) amax = lp[k];
      if (!Number.isFinite(amax)) amax = 0;
      let s = 0;
      for (let k = 0; k < K; k++) s += Math.exp(lp[k] - amax);
      const logNorm = Math.log(s) + amax;
      total += logNorm;
      for (let k = 0; k < K; k++) {
        const lr = lp[k] - logNorm;
        if (Number.isFinite(lr)) entropy -= Math.exp(lr) * lr;
      }
    }
    const p = nParameters(this.type, K, d) - d * this.nLocked;
    const bic = -2 * total + p * Math.log(n);
    return {
      log_likelihood: total / n,
      bic,
      aic: -2 * total + 2 * p,
      icl: bic + 2 * entropy,
      n_parameters: p,
      n_samples: n,
    };
  }
}
