// Soft assignments of the displayed points under the parameters of a frame, computed in
// the browser (so only parameters travel per frame), with an LRU cache per frame.

import { responsibilities } from "./gaussian.js";

/** Bytes of responsibilities the cache may hold. */
export const CACHE_BYTES = 48 * 1024 * 1024;

export class AssignmentCache {
  /**
   * @param {() => {X: ArrayLike<number>, n: number, d: number}} getData the displayed points
   */
  constructor(getData) {
    this.getData = getData;
    this.cache = new Map();
  }

  clear() {
    this.cache.clear();
  }

  /**
   * Store responsibilities computed elsewhere (e.g. by an EM step over the same points).
   * @param {string|number} key
   * @param {{resp: Float32Array, logLik: number}} value
   */
  put(key, value) {
    this.cache.delete(key);
    this.cache.set(key, value);
  }

  /**
   * Responsibilities (row-major n x K) of the displayed points under `params`.
   * @param {string|number} key identifies the parameters (e.g. the frame index)
   * @param {{weights: ArrayLike<number>, means: ArrayLike<number>,
   *   covariances: Float64Array[]}} params
   *   covariances as K full d x d matrices
   * @returns {{resp: Float32Array, logLik: number}}
   */
  get(key, params) {
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit); // most recently used goes last
      return hit;
    }
    const { X, n, d } = this.getData();
    const value = responsibilities(X, n, d, params.weights, params.means, params.covariances);
    this.cache.set(key, value);
    const K = params.weights.length || 1;
    const capacity = Math.max(2, Math.floor(CACHE_BYTES / Math.max(1, n * K * 4)));
    while (this.cache.size > capacity) this.cache.delete(this.cache.keys().next().value);
    return value;
  }
}

/** A seeded permutation of 0..n-1 (mulberry32 + Fisher-Yates), used as a draw order. */
export function shuffledOrder(n, seed = 1) {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
  return order;
}
