// Linear scales and "nice" tick values (the algorithm of d3-array's ticks, written out
// so that the bundle carries no dependency).

/**
 * A linear map from data to pixels, with its inverse, intervals and ticks.
 * @typedef {((v: number) => number) & {invert: (p: number) => number, domain: number[],
 *   range: number[], ticks: (count?: number) => number[]}} LinearScale
 */

/**
 * A linear map from a data interval (domain) to a pixel interval (range).
 * The range may be reversed (e.g. [height, 0] for a y axis).
 * @param {number[]} domain [d0, d1]
 * @param {number[]} range [r0, r1]
 * @returns {LinearScale}
 */
export function linearScale(domain, range) {
  let [d0, d1] = domain;
  if (!(Number.isFinite(d0) && Number.isFinite(d1))) [d0, d1] = [0, 1];
  if (d0 === d1) {
    const pad = d0 === 0 ? 1 : Math.abs(d0) * 0.1;
    d0 -= pad;
    d1 += pad;
  }
  const [r0, r1] = range;
  const k = (r1 - r0) / (d1 - d0);
  const scale = (v) => r0 + (v - d0) * k;
  scale.invert = (p) => d0 + (p - r0) / k;
  scale.domain = [d0, d1];
  scale.range = [r0, r1];
  scale.ticks = (count = 5) => ticks(Math.min(d0, d1), Math.max(d0, d1), count);
  return scale;
}

/** The step between about `count` nice ticks over [start, stop]: 1, 2 or 5 times a power of ten. */
export function tickStep(start, stop, count) {
  const step0 = Math.abs(stop - start) / Math.max(1, count);
  if (!(step0 > 0) || !Number.isFinite(step0)) return 0;
  let step1 = 10 ** Math.floor(Math.log10(step0));
  const error = step0 / step1;
  if (error >= Math.sqrt(50)) step1 *= 10;
  else if (error >= Math.sqrt(10)) step1 *= 5;
  else if (error >= Math.sqrt(2)) step1 *= 2;
  return step1;
}

/** About `count` nice, evenly spaced values inside [start, stop]. */
export function ticks(start, stop, count = 5) {
  const step = tickStep(start, stop, count);
  if (step === 0) return Number.isFinite(start) ? [start] : [];
  const i0 = Math.ceil(start / step - 1e-9);
  const i1 = Math.floor(stop / step + 1e-9);
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  const out = [];
  for (let i = i0; i <= i1; i++) out.push(Number((i * step).toFixed(Math.min(20, decimals))));
  return out;
}

/** Format a tick value with as many decimals as its step needs; minus sign is U+2212. */
export function formatTick(value, step) {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  let text;
  if ((abs >= 1e6 || (abs > 0 && abs < 1e-4)) && abs !== 0) text = value.toExponential(1);
  else {
    const decimals = step > 0 ? Math.max(0, Math.min(10, -Math.floor(Math.log10(step) + 1e-9))) : 2;
    text = value.toFixed(decimals);
  }
  if (/^-0(\.0*)?$/.test(text)) text = text.slice(1);
  return text.replace(/^-/, "\u2212");
}

/**
 * Smallest and largest finite values of `values` (optionally with a stride/offset, to
 * read one column of a row-major matrix).
 * @returns {number[]} [NaN, NaN] when there is no finite value
 */
export function extent(values, stride = 1, offset = 0) {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = offset; i < values.length; i += stride) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [NaN, NaN];
}

/**
 * Widen [lo, hi] by `fraction` of its length on each side (a zero-length interval too).
 * @param {Iterable<number>} interval [lo, hi]
 * @returns {number[]}
 */
export function padExtent([lo, hi], fraction = 0.05) {
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) return [0, 1];
  const span = hi - lo || Math.abs(lo) || 1;
  return [lo - span * fraction, hi + span * fraction];
}

/** Format a number for a read-out: 4 significant digits, U+2212 for minus. */
export function formatNumber(value, digits = 4) {
  if (value === null || value === undefined || Number.isNaN(value)) return "\u2013";
  if (value === Infinity) return "\u221e";
  if (value === -Infinity) return "\u2212\u221e";
  const abs = Math.abs(value);
  const text =
    abs !== 0 && (abs >= 1e5 || abs < 1e-3)
      ? value.toExponential(digits - 1)
      : value.toPrecision(digits);
  return String(Number(text) === 0 ? "0" : text).replace(/^-/, "\u2212");
}
