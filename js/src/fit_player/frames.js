// The frames of an EM fit as the Python side sends them (gmm_widgets/widgets/_frames.py):
// one record of parameters per reported EM state. The data points are not part of a
// frame; they are sent once.

import { decodeTree } from "../lib/codecs.js";
import { expandCovariances } from "../lib/gaussian.js";

/**
 * A batch of F frames as Python packs it (gmm_widgets/widgets/_frames.py): K components,
 * d features, every array stacked over the frames.
 * @typedef {object} FrameBatch
 * @property {"full"|"tied"|"diag"|"spherical"} covariance_type
 * @property {number} n_components K
 * @property {number} n_features d
 * @property {number} max_iter the fit's max_iter (0 if unknown)
 * @property {EncodedArray} weights (F, K)
 * @property {EncodedArray} means (F, K, d)
 * @property {EncodedArray} covariances (F, K, d, d) full, (F, d, d) tied, (F, K, d) diag
 *   or (F, K) spherical
 * @property {EncodedArray} lower_bound (F), -inf at n_iter 0
 * @property {EncodedArray} change (F), NaN at n_iter 0
 * @property {EncodedArray} n_iter (F) int32
 * @property {EncodedArray} init (F) int32, which init of n_init
 * @property {EncodedArray} converged (F) uint8
 * @property {EncodedArray} [elapsed] (F) seconds since the init started
 */

/** @typedef {import("../lib/codecs.js").EncodedArray} EncodedArray */

/** Number of covariance values per frame for each covariance type. */
export function covarianceSize(type, K, d) {
  switch (type) {
    case "full":
      return K * d * d;
    case "tied":
      return d * d;
    case "diag":
      return K * d;
    case "spherical":
      return K;
    default:
      throw new Error(`unknown covariance type ${JSON.stringify(type)}`);
  }
}

/**
 * Holds the decoded frames, by index. Frames come as one batch (`setAll`, the synced
 * trait) or in chunks while a fit streams (`append`).
 */
export class FrameStore {
  constructor() {
    this.clear();
  }

  clear() {
    this.frames = [];
    this.covarianceType = "full";
    this.K = 0;
    this.d = 0;
    this.maxIter = 0;
  }

  get length() {
    return this.frames.length;
  }

  /**
   * Replace every frame with those of an encoded (or decoded) batch:
   * {covariance_type, n_components, n_features, max_iter, weights (F,K), means (F,K,d),
   *  covariances (F,...), lower_bound (F), change (F), n_iter (F), init (F), converged (F)}.
   */
  setAll(batch) {
    this.clear();
    if (!batch?.weights) return this;
    this._meta(batch);
    this._push(decodeTree(batch));
    return this;
  }

  /**
   * Add a chunk of frames that starts at frame `start`. A chunk that overlaps frames
   * already held is trimmed; a chunk past a gap is refused (the full batch that the
   * kernel sends at the end of the fit fills the gap).
   * @returns {boolean} whether frames were added
   */
  append(start, chunk) {
    if (!chunk?.weights) return false;
    if (start > this.frames.length) return false;
    if (this.frames.length === 0) this._meta(chunk);
    const decoded = decodeTree(chunk);
    const before = this.frames.length;
    this.frames.length = start;
    this._push(decoded);
    return this.frames.length > before || start < before;
  }

  _meta(batch) {
    this.covarianceType = batch.covariance_type;
    this.K = batch.n_components;
    this.d = batch.n_features;
    this.maxIter = batch.max_iter || 0;
  }

  _push(b) {
    const { K, d } = this;
    const F = b.weights.shape[0];
    const cs = covarianceSize(this.covarianceType, K, d);
    for (let f = 0; f < F; f++) {
      const frame = {
        weights: b.weights.data.subarray(f * K, (f + 1) * K),
        means: b.means.data.subarray(f * K * d, (f + 1) * K * d),
        covariances: b.covariances.data.subarray(f * cs, (f + 1) * cs),
        lowerBound: b.lower_bound ? b.lower_bound.data[f] : NaN,
        change: b.change ? b.change.data[f] : NaN,
        nIter: b.n_iter ? b.n_iter.data[f] : f,
        init: b.init ? b.init.data[f] : 0,
        converged: b.converged ? Boolean(b.converged.data[f]) : false,
        elapsed: b.elapsed ? b.elapsed.data[f] : NaN,
        _full: null,
      };
      this.frames.push(frame);
    }
  }

  /** Frame `i` ({weights, means, covariances, lowerBound, change, nIter, init, converged}). */
  get(i) {
    return this.frames[i];
  }

  /** The K full d x d covariance matrices of frame `i` (cached). */
  fullCovariances(i) {
    const f = this.frames[i];
    if (!f._full) f._full = expandCovariances(f.covariances, this.covarianceType, this.K, this.d);
    return f._full;
  }

  /** Indices [first, last] of the frames that belong to the same init as frame `i`. */
  initRange(i) {
    const init = this.frames[i].init;
    let a = i;
    let b = i;
    while (a > 0 && this.frames[a - 1].init === init) a--;
    while (b < this.frames.length - 1 && this.frames[b + 1].init === init) b++;
    return [a, b];
  }

  /** Number of distinct inits among the frames. */
  get nInits() {
    return new Set(this.frames.map((f) => f.init)).size;
  }
}
