// Number formats for read-outs of criteria (BIC, AIC, ICL), whose values are often
// large: 163,932.4 reads better than 1.63932e+5.

import { formatNumber } from "./scale.js";

/**
 * A criterion value: grouped digits and one decimal from 10,000 on (up to 1e15), else
 * `digits` significant digits. Minus is U+2212.
 */
export function formatScore(value, digits = 6) {
  if (typeof value !== "number" || !Number.isFinite(value)) return formatNumber(value, digits);
  const abs = Math.abs(value);
  if (abs < 1e4 || abs >= 1e15) return formatNumber(value, digits);
  return value
    .toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 })
    .replace(/^-/, "\u2212");
}
