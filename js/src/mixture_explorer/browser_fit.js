// The explorer's fit in the page (lib/em.js): it follows a handle while it is dragged,
// previews a K or covariance-type change, and stands in for the kernel until the
// kernel's answer arrives (or for good, without a kernel).
//
// Every animation frame runs as many EM iterations as fit in FRAME_BUDGET_MS, on the
// displayed points. While a handle moves, the fit is warm-started from the previous
// frame's state with each component moved by its handle's step, so the ellipses follow
// the hand. A committed start (a released handle, a new K or covariance type) starts
// cold from the handles with the core's start rule and runs to the core's convergence
// test, so with every point displayed its result is the kernel's (lib/em.js parity).

import { EMData, EMError, GaussianMixtureEM } from "../lib/em.js";

/** Milliseconds of EM per animation frame (the rest of a 16.7 ms frame draws). */
export const FRAME_BUDGET_MS = 8;

/**
 * @typedef {object} FitTarget
 * @property {Float64Array} handles (K*d) initial means, data coordinates
 * @property {number} K
 * @property {import("../lib/em.js").CovarianceType} covarianceType
 * @property {boolean} cold start from the handles with the start rule (else warm)
 * @property {number[]} [locked] components whose means stay at their handles
 */

/**
 * @typedef {object} FitSettings
 * @property {number} tol
 * @property {number} reg_covar
 * @property {number} max_iter
 */

export class BrowserFit {
  /**
   * @param {{X: ArrayLike<number>, n: number, d: number}} points the displayed points
   * @param {FitSettings} settings the kernel fit's tol, reg_covar and max_iter
   * @param {{now?: () => number, budgetMs?: number}} [opts]
   */
  constructor(points, settings, opts = {}) {
    this.data = points.n > 0 ? new EMData(points.X, points.n, points.d) : null;
    this.settings = settings;
    this.now = opts.now || (() => performance.now());
    this.budgetMs = opts.budgetMs ?? FRAME_BUDGET_MS;
    /** @type {GaussianMixtureEM|null} */
    this.em = null;
    /** @type {FitTarget|null} */
    this.target = null;
    this.started = null; // handles the running fit started from (or was moved to)
    this.error = null; // message of the last failed step (the parameters are the last good)
    this.iterations = 0; // iterations run since the last target
    this.scoresCache = null;
    /** Responsibilities (n*K) from the last iteration, for colouring the points. */
    this.resp = null;
    this.respFresh = false;
  }

  /**
   * Aim at new handles. A warm target keeps the current state, moved by the handles'
   * steps; a cold one (or a change of K or covariance type) starts over.
   * @param {FitTarget} target
   */
  setTarget(target) {
    this.target = target;
    this.error = null;
    this.scoresCache = null;
    this.iterations = 0;
    if (!this.data) return;
    const em = this.em;
    const locked = target.locked ?? [];
    const same =
      em &&
      em.K === target.K &&
      em.type === target.covarianceType &&
      this.started !== null &&
      sameLocked(em, locked);
    try {
      if (!same || target.cold) {
        const next = new GaussianMixtureEM(this.data, {
          covarianceType: target.covarianceType,
          nComponents: target.K,
          regCovar: this.settings.reg_covar,
          tol: this.settings.tol,
          lockedMeans: locked,
        });
        next.startFromMeans(target.handles);
        this.em = next;
      } else {
        const s = em.state();
        for (let i = 0; i < s.means.length; i++) s.means[i] += target.handles[i] - this.started[i];
        em.setParams(s);
      }
      this.started = Float64Array.from(target.handles);
    } catch (e) {
      if (!(e instanceof EMError)) throw e;
      this.error = e.message;
    }
  }

  /** Whether the fit has nothing left to do for its target (converged, max_iter, failed). */
  get settled() {
    const em = this.em;
    if (!em || this.error) return true;
    return em.converged || em.nIter >= this.settings.max_iter;
  }

  /**
   * Run one frame's worth of iterations.
   * @returns {number} iterations run
   */
  tick() {
    if (this.settled) return 0;
    try {
      const size = this.data.n * this.em.K;
      if (!this.resp || this.resp.length !== size) this.resp = new Float32Array(size);
      const ran = this.em.run({
        maxIter: this.settings.max_iter,
        budgetMs: this.budgetMs,
        now: this.now,
        respOut: this.resp,
      });
      // One iteration behind the parameters: close enough to colour the points with,
      // and it saves a pass over the data every frame.
      this.respFresh = ran > 0;
      this.iterations += ran;
      return ran;
    } catch (e) {
      if (!(e instanceof EMError)) throw e;
      this.error = e.message;
      return 0;
    }
  }

  /**
   * The current parameters as a one-frame batch the FitPlayer view draws.
   * @returns {object|null}
   */
  frame() {
    const em = this.em;
    if (!em) return null;
    const s = em.state();
    const K = em.K;
    const d = this.data.d;
    const covShape = {
      full: [1, K, d, d],
      tied: [1, d, d],
      diag: [1, K, d],
      spherical: [1, K],
    }[em.type];
    return {
      covariance_type: em.type,
      n_components: K,
      n_features: d,
      max_iter: this.settings.max_iter,
      weights: { data: s.weights, shape: [1, K] },
      means: { data: s.means, shape: [1, K, d] },
      covariances: { data: s.covariances, shape: covShape },
      lower_bound: { data: Float64Array.of(em.lowerBound), shape: [1] },
      change: { data: Float64Array.of(em.change), shape: [1] },
      n_iter: { data: Int32Array.of(em.nIter), shape: [1] },
      init: { data: Int32Array.of(0), shape: [1] },
      converged: { data: Uint8Array.of(em.converged ? 1 : 0), shape: [1] },
    };
  }

  /**
   * The criteria of the settled fit, as the kernel's read-out has them (computed once).
   * @returns {Record<string, number|boolean|null>|null}
   */
  scores() {
    const em = this.em;
    if (!em || !this.settled) return null;
    if (!this.scoresCache) {
      this.scoresCache = {
        ...em.criteria(),
        n_iter: em.nIter,
        converged: em.converged,
        lower_bound: Number.isFinite(em.lowerBound) ? em.lowerBound : null,
      };
    }
    return this.scoresCache;
  }
}

/** Whether a running EM locks exactly the components `locked` lists. */
function sameLocked(em, locked) {
  const want = new Uint8Array(em.K);
  for (const k of locked) if (k >= 0 && k < em.K) want[k] = 1;
  return want.every((v, k) => v === em.locked[k]);
}
