// The uncertainty of each point's component, 1 - max_k p(k | x) (mclust's uncertainty
// plot; Python: gmm_widgets.mixture.uncertainty), and the fading of the point colours by
// it that the views' "uncertainty" toggle shows: certain points pale, points between
// components in full colour.

/** Weight of the colour of a point with uncertainty 0 (the rest is the background). */
export const CERTAIN_STRENGTH = 0.18;

/**
 * 1 - max_k resp[i, k] for each of n rows of the row-major n x K responsibilities.
 * @param {ArrayLike<number>} resp n*K
 * @param {number} n
 * @param {number} K
 * @returns {Float32Array} n values in [0, 1 - 1/K]
 */
export function pointUncertainty(resp, n, K) {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    const o = i * K;
    for (let k = 0; k < K; k++) if (resp[o + k] > best) best = resp[o + k];
    out[i] = Math.max(0, 1 - best);
  }
  return out;
}

/**
 * How strongly a point of uncertainty `u` is drawn among K components: CERTAIN_STRENGTH
 * at u = 0, rising linearly to 1 at the largest possible uncertainty, 1 - 1/K.
 * @param {number} u
 * @param {number} K
 */
export function uncertaintyStrength(u, K) {
  const top = K > 1 ? 1 - 1 / K : 1;
  const t = Math.max(0, Math.min(1, u / top));
  return CERTAIN_STRENGTH + (1 - CERTAIN_STRENGTH) * t;
}

/**
 * Point colours faded toward the background by their uncertainty:
 * out = bg + s(u) * (rgb - bg), with s = uncertaintyStrength.
 * @param {ArrayLike<number>} rgb n*3 colours (0..255)
 * @param {ArrayLike<number>} resp n*K responsibilities
 * @param {number} n
 * @param {number} K
 * @param {ArrayLike<number>} background [r, g, b]
 * @returns {Uint8ClampedArray} n*3
 */
export function fadeByUncertainty(rgb, resp, n, K, background) {
  const out = new Uint8ClampedArray(n * 3);
  const u = pointUncertainty(resp, n, K);
  for (let i = 0; i < n; i++) {
    const s = uncertaintyStrength(u[i], K);
    for (let c = 0; c < 3; c++) {
      const bg = background[c];
      out[i * 3 + c] = Math.round(bg + s * (rgb[i * 3 + c] - bg));
    }
  }
  return out;
}
