// Histograms for 1-D data, optionally split by responsibilities so that the bars are
// stacked by soft assignment.

/**
 * Number of bins: the Freedman-Diaconis rule, at least sqrt(n) / 1.5, clamped to
 * [minBins, maxBins].
 * @param {ArrayLike<number>} values
 */
export function binCount(values, minBins = 10, maxBins = 80) {
  const sorted = Float64Array.from(values)
    .filter((v) => !Number.isNaN(v)) // missing values (missing="em") are not binned
    .sort();
  const n = sorted.length;
  if (n < 2) return minBins;
  const q = (p) => sorted[Math.min(n - 1, Math.max(0, Math.round(p * (n - 1))))];
  const iqr = q(0.75) - q(0.25);
  const span = sorted[n - 1] - sorted[0];
  if (!(span > 0)) return minBins;
  const width = iqr > 0 ? (2 * iqr) / Math.cbrt(n) : span / Math.sqrt(n);
  // Freedman-Diaconis is coarse for a few thousand points: at least sqrt(n) / 1.5 bins.
  const bins = Math.max(Math.ceil(span / width), Math.ceil(Math.sqrt(n) / 1.5));
  return Math.max(minBins, Math.min(maxBins, bins));
}

/**
 * Histogram with density normalisation (the bars integrate to one), and, when `resp` is
 * given, the density of each bar split among the K components.
 * @param {ArrayLike<number>} values n
 * @param {number} nBins
 * @param {number[]} range
 * @param {Float32Array} [resp] row-major n x K responsibilities
 * @param {number} [K]
 * @returns {{edges: Float64Array, density: Float64Array, stacked: Float64Array[]|null,
 *   bin: Int32Array}}
 *   `stacked[k][b]` is component k's share of bar b's density; `bin[i]` is point i's bar
 */
export function histogram(values, nBins, [lo, hi], resp, K) {
  const n = values.length;
  const edges = new Float64Array(nBins + 1);
  const width = (hi - lo) / nBins || 1;
  for (let b = 0; b <= nBins; b++) edges[b] = lo + b * width;
  const counts = new Float64Array(nBins);
  const bin = new Int32Array(n);
  let observed = 0; // a missing value (NaN, missing="em") is in no bar and not counted
  for (let i = 0; i < n; i++) {
    if (!Number.isNaN(values[i])) observed++;
    let b = Math.floor((values[i] - lo) / width);
    if (b === nBins && values[i] <= hi) b = nBins - 1;
    bin[i] = b >= 0 && b < nBins ? b : -1;
    if (bin[i] >= 0) counts[bin[i]] += 1;
  }
  const norm = observed > 0 ? 1 / (observed * width) : 0;
  const density = counts.map((c) => c * norm);
  let stacked = null;
  if (resp && K) stacked = stackByResponsibility(bin, resp, K, nBins, norm);
  return { edges, density, stacked, bin };
}

/** Split bar densities among components: stacked[k][b] = norm * sum of r[i, k] over bar b. */
export function stackByResponsibility(bin, resp, K, nBins, norm) {
  const stacked = Array.from({ length: K }, () => new Float64Array(nBins));
  for (let i = 0; i < bin.length; i++) {
    const b = bin[i];
    if (b < 0) continue;
    for (let k = 0; k < K; k++) stacked[k][b] += resp[i * K + k] * norm;
  }
  return stacked;
}
