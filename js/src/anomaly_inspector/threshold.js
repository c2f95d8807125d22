// Thresholds on anomaly scores, in the browser, from the scores sorted once.
//
// The rule is the one of gmm_widgets/mixture/anomaly.py: a point is an anomaly when its
// score (log-density) is strictly below the threshold, score < t. With the scores sorted
// ascending, the number of anomalies at t is the index of the first score >= t, found by
// binary search, so a drag costs O(log n) per frame whatever n is. With labels sorted
// alongside, a cumulative count of the labelled anomalies gives precision, recall and F1
// in O(1) more, computed with the same operations as detection_metrics, so the numbers
// are bit-for-bit the ones Python prints.

/**
 * Number of values strictly below `t` in ascending `sorted` (first index i with
 * sorted[i] >= t). NaN counts nothing.
 * @param {ArrayLike<number>} sorted ascending
 * @param {number} t
 */
export function countBelow(sorted, t) {
  if (Number.isNaN(t)) return 0;
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of values <= `t` in ascending `sorted` (first index i with sorted[i] > t). */
export function countAtMost(sorted, t) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Percentage of the values strictly below `t`: 100 * count / n, as percentile_of_threshold. */
export function percentileOf(sorted, t) {
  const n = sorted.length;
  return n ? (100 * countBelow(sorted, t)) / n : 0;
}

/**
 * np.percentile(values, p) with the default linear method, operation for operation
 * (virtual index (n - 1) * q, numpy's two-sided lerp), so the result is the same double.
 * @param {ArrayLike<number>} sorted ascending, non-empty
 * @param {number} p percentage in [0, 100]
 */
export function quantile(sorted, p) {
  const n = sorted.length;
  if (n === 0) return NaN;
  const q = p / 100;
  const v = (n - 1) * q;
  const i = Math.floor(v);
  if (i >= n - 1) return sorted[n - 1];
  if (i < 0) return sorted[0];
  const g = v - i;
  const a = sorted[i];
  const b = sorted[i + 1];
  const diff = b - a;
  return g >= 0.5 ? b - diff * (1 - g) : a + diff * g;
}

/** threshold_from_contamination: np.percentile(scores, 100 * contamination). */
export function thresholdFromContamination(sorted, contamination) {
  return quantile(sorted, 100 * contamination);
}

/** A value strictly between a and b when one exists (their midpoint), else b. */
function between(a, b) {
  const mid = a + (b - a) / 2;
  return mid > a && mid < b ? mid : b;
}

/**
 * The threshold that flags exactly the first `count` sorted values (ties permitting): a
 * value in (sorted[count - 1], sorted[count]], away from both when possible. Snapping
 * to it keeps a threshold off the scores, so float noise never decides a point.
 * @param {ArrayLike<number>} sorted
 * @param {number} count in [0, n]
 */
export function thresholdForCount(sorted, count) {
  const n = sorted.length;
  if (n === 0) return 0;
  if (count <= 0) return sorted[0];
  if (count >= n) {
    const top = sorted[n - 1];
    return top + Math.max(Math.abs(top) * 1e-9, 1e-12);
  }
  const a = sorted[count - 1];
  const b = sorted[count];
  return a < b ? between(a, b) : b;
}

/**
 * Move a threshold by one distinct score: `direction` +1 flags the next score (and its
 * ties), -1 un-flags the highest flagged one.
 * @returns {number} the new threshold (unchanged at either end)
 */
export function stepByPoint(sorted, t, direction) {
  const n = sorted.length;
  if (n === 0) return t;
  const c = countBelow(sorted, t);
  if (direction > 0) {
    if (c >= n) return t;
    return thresholdForCount(sorted, countAtMost(sorted, sorted[c]));
  }
  if (c <= 0) return t;
  return thresholdForCount(sorted, countBelow(sorted, sorted[c - 1]));
}

/**
 * Precision, recall and F1 from confusion counts, with detection_metrics' conventions
 * (0 when undefined) and its order of operations.
 * @param {number} tp true positives (flagged and labelled anomalies)
 * @param {number} flagged points flagged
 * @param {number} positives labelled anomalies
 * @param {number} n points
 */
export function metricsFromCounts(tp, flagged, positives, n) {
  const fp = flagged - tp;
  const fn = positives - tp;
  const tn = n - tp - fp - fn;
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1, tp, fp, fn, tn };
}

/**
 * The scores of every point, sorted once, with their labels (1 = anomaly) if known.
 * Everything a threshold drag needs, each in O(log n).
 */
export class ScoreIndex {
  /**
   * @param {Float64Array|ArrayLike<number>} sorted scores in ascending order
   * @param {ArrayLike<number>|null} [sortedLabels] 0/1 label of each sorted score
   */
  constructor(sorted, sortedLabels = null) {
    this.sorted = sorted;
    this.n = sorted.length;
    for (let i = 1; i < this.n; i++) {
      if (!(sorted[i - 1] <= sorted[i]))
        throw new RangeError(`scores are not sorted at index ${i}`);
    }
    this.cumPos = null;
    this.positives = 0;
    if (sortedLabels) {
      if (sortedLabels.length !== this.n) {
        throw new RangeError(`${sortedLabels.length} labels for ${this.n} scores`);
      }
      const cum = new Int32Array(this.n + 1);
      for (let i = 0; i < this.n; i++) cum[i + 1] = cum[i] + (sortedLabels[i] ? 1 : 0);
      this.cumPos = cum;
      this.positives = cum[this.n];
    }
  }

  get hasLabels() {
    return this.cumPos !== null;
  }

  get min() {
    return this.n ? this.sorted[0] : NaN;
  }

  get max() {
    return this.n ? this.sorted[this.n - 1] : NaN;
  }

  /** Points flagged at threshold t (score < t). */
  count(t) {
    return countBelow(this.sorted, t);
  }

  /** Percentage flagged at t. */
  percentile(t) {
    return this.n ? (100 * this.count(t)) / this.n : 0;
  }

  /** Everything shown about threshold t: count, percentile and, with labels, the metrics. */
  summary(t) {
    const count = this.count(t);
    const out = {
      threshold: t,
      count,
      n: this.n,
      percentile: this.n ? (100 * count) / this.n : 0,
      metrics: null,
    };
    if (this.cumPos)
      out.metrics = metricsFromCounts(this.cumPos[count], count, this.positives, this.n);
    return out;
  }

  /** np.percentile of the scores. */
  quantile(p) {
    return quantile(this.sorted, p);
  }

  /**
   * The precision-recall curve: one point per distinct score (flagging it and everything
   * below), as precision_recall_curve in Python, simplified for drawing so that no two
   * kept points are closer than `tolerance` (in units of the unit square). The first and
   * last points are always kept.
   * @returns {{recall: Float64Array, precision: Float64Array, count: Int32Array}|null}
   *   null without labels or without any labelled anomaly
   */
  prCurve(tolerance = 1 / 600) {
    if (!this.cumPos || this.positives === 0 || this.n === 0) return null;
    const { sorted, cumPos, positives, n } = this;
    const recall = [];
    const precision = [];
    const count = [];
    const tol2 = tolerance * tolerance;
    let lastR = NaN;
    let lastP = NaN;
    let pendR = NaN;
    let pendP = NaN;
    let pendC = -1;
    for (let i = 0; i < n; i++) {
      if (i + 1 < n && sorted[i + 1] === sorted[i]) continue; // only at the end of a run of ties
      const c = i + 1;
      const r = cumPos[c] / positives;
      const p = cumPos[c] / c;
      const first = recall.length === 0;
      if (first || (r - lastR) ** 2 + (p - lastP) ** 2 >= tol2) {
        recall.push(r);
        precision.push(p);
        count.push(c);
        lastR = r;
        lastP = p;
        pendC = -1;
      } else {
        pendR = r;
        pendP = p;
        pendC = c;
      }
    }
    if (pendC >= 0) {
      recall.push(pendR);
      precision.push(pendP);
      count.push(pendC);
    }
    return {
      recall: Float64Array.from(recall),
      precision: Float64Array.from(precision),
      count: Int32Array.from(count),
    };
  }

  /**
   * The threshold of highest F1 (the fewest flagged points among ties).
   * @returns {{f1: number, count: number, threshold: number}|null} null without labels
   */
  bestF1() {
    if (!this.cumPos || this.positives === 0) return null;
    const { sorted, cumPos, positives, n } = this;
    let best = { f1: -1, count: 0 };
    for (let i = 0; i < n; i++) {
      if (i + 1 < n && sorted[i + 1] === sorted[i]) continue;
      const c = i + 1;
      const { f1 } = metricsFromCounts(cumPos[c], c, positives, n);
      if (f1 > best.f1) best = { f1, count: c };
    }
    return { ...best, threshold: thresholdForCount(sorted, best.count) };
  }
}

/**
 * The range of scores a histogram shows. Log-densities have a long lower tail (a single
 * far outlier can sit hundreds of units below the rest), so the range stops at a robust
 * lower limit and the scores beyond it are gathered in an underflow bar. The upper end
 * leaves room for a threshold above every score (everything flagged).
 * @param {ArrayLike<number>} sorted
 * @returns {number[]}
 */
export function scoreDomain(sorted) {
  const n = sorted.length;
  if (n === 0) return [0, 1];
  const min = sorted[0];
  const max = sorted[n - 1];
  const spread = Math.max(quantile(sorted, 99.5) - quantile(sorted, 5), 0);
  let lo = spread > 0 ? Math.max(min, quantile(sorted, 5) - 8 * spread) : min;
  let hi = max;
  let span = hi - lo;
  if (!(span > 0)) {
    const pad = Math.abs(hi) * 0.05 || 1;
    return [lo - pad, hi + pad];
  }
  if (lo === min) lo -= span * 0.02;
  hi += span * 0.03;
  span = hi - lo;
  return [lo, hi];
}

/**
 * Counts of the scores in equal-width bins over [lo, hi): bin b holds lo + b w <= s <
 * lo + (b + 1) w, the same strict rule as the threshold, so a threshold on a bin edge
 * splits the histogram exactly. Scores below lo go to `under`, from hi on to `over`.
 * @param {ArrayLike<number>} sorted
 * @param {number} nBins
 * @param {number[]} domain
 * @returns {{edges: Float64Array, counts: Int32Array, under: number, over: number}}
 */
export function binScores(sorted, nBins, [lo, hi]) {
  const edges = new Float64Array(nBins + 1);
  const w = (hi - lo) / nBins;
  for (let b = 0; b <= nBins; b++) edges[b] = b === nBins ? hi : lo + b * w;
  const counts = new Int32Array(nBins);
  let prev = countBelow(sorted, edges[0]);
  const under = prev;
  for (let b = 0; b < nBins; b++) {
    const next = countBelow(sorted, edges[b + 1]);
    counts[b] = next - prev;
    prev = next;
  }
  return { edges, counts, under, over: sorted.length - prev };
}

/**
 * Number of bins for the scores shown in [lo, hi]: Freedman-Diaconis on the scores in
 * range, clamped to [minBins, maxBins].
 */
export function scoreBinCount(sorted, [lo, hi], minBins = 24, maxBins = 90) {
  const a = countBelow(sorted, lo);
  const b = countBelow(sorted, hi);
  const m = b - a;
  if (m < 2 || !(hi > lo)) return minBins;
  const q = (p) => sorted[a + Math.min(m - 1, Math.max(0, Math.round(p * (m - 1))))];
  const iqr = q(0.75) - q(0.25);
  const width = iqr > 0 ? (2 * iqr) / Math.cbrt(m) : (hi - lo) / Math.sqrt(m);
  return Math.max(minBins, Math.min(maxBins, Math.ceil((hi - lo) / width)));
}

/**
 * A permutation of 0..n-1 ordering `values` ascending (ties by index).
 * @returns {Uint32Array}
 */
export function argsort(values) {
  const n = values.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((i, j) => values[i] - values[j] || i - j);
  return order;
}
