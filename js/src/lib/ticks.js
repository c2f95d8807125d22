// Tick labels that carry only the digits that tell the ticks apart, with the rest in one
// note beside the axis: the rule of matplotlib's ScalarFormatter (default settings:
// offset threshold 4, power limits (-5, 6)). Ticks at -3.80472, -3.80470, ... read
// "−0.00072", "−0.00070", ... with the note "−3.804"; ticks at 2e6 ... 9e6 read "2" ...
// "9" with the note "×10⁶".

/** An offset is used only when it saves at least this many digits (matplotlib's default). */
const OFFSET_THRESHOLD = 4;
/** Scientific notation when the order of magnitude is at most -5 or at least 6. */
const POWER_LIMITS = [-5, 6];

const SUPERSCRIPT = {
  "-": "\u207b",
  0: "\u2070",
  1: "\u00b9",
  2: "\u00b2",
  3: "\u00b3",
  4: "\u2074",
  5: "\u2075",
  6: "\u2076",
  7: "\u2077",
  8: "\u2078",
  9: "\u2079",
};

/** "10⁻⁵" for -5. */
export function powerOfTen(exponent) {
  return `10${Array.from(String(exponent), (c) => SUPERSCRIPT[c] ?? c).join("")}`;
}

const minus = (text) => text.replace(/^-/, "\u2212");

/**
 * The offset subtracted from every tick (0 for none): the leading digits all visible ticks
 * share, when they are at least 4 digits and the ticks have one sign (ScalarFormatter's
 * `_compute_offset`).
 * @param {number[]} locs visible ticks
 */
export function tickOffset(locs) {
  if (!locs.length) return 0;
  const lmin = Math.min(...locs);
  const lmax = Math.max(...locs);
  if (lmin === lmax || (lmin <= 0 && lmax >= 0)) return 0;
  const [absMin, absMax] = [Math.abs(lmin), Math.abs(lmax)].sort((a, b) => a - b);
  const sign = Math.sign(lmin);
  const ommMax = Math.ceil(Math.log10(absMax));
  const floorDiv = (v, oom) => Math.floor(v / 10 ** oom);
  let oom = ommMax;
  while (floorDiv(absMin, oom) === floorDiv(absMax, oom)) oom--;
  oom += 1;
  if ((absMax - absMin) / 10 ** oom <= 1e-2) {
    // Straddling a multiple of a large power of ten (relative to the span): the smallest
    // power of ten at which the two ends are more than 1 apart.
    oom = ommMax;
    while (!(floorDiv(absMax, oom) - floorDiv(absMin, oom) > 1)) oom--;
    oom += 1;
  }
  const lead = floorDiv(absMax, oom);
  return lead >= 10 ** (OFFSET_THRESHOLD - 1) ? sign * lead * 10 ** oom : 0;
}

/**
 * The power of ten the labels are divided by (0 for none): the magnitude of the span with
 * an offset, else of the largest tick, when it is outside the power limits.
 * @param {number[]} locs visible ticks
 * @param {number} offset
 * @param {number[]} domain [lo, hi] of the axis
 */
export function tickExponent(locs, offset, domain) {
  let oom;
  if (offset) {
    oom = Math.floor(Math.log10(Math.abs(domain[1] - domain[0])));
  } else {
    const val = locs.length ? Math.max(...locs.map(Math.abs)) : 0;
    oom = val === 0 ? 0 : Math.floor(Math.log10(val));
  }
  return oom <= POWER_LIMITS[0] || oom >= POWER_LIMITS[1] ? oom : 0;
}

/**
 * How many decimals the scaled ticks need: from the magnitude of their range, then fewer
 * while rounding to fewer still reproduces them (ScalarFormatter's `_set_format`).
 * @param {number[]} scaled ticks minus the offset, divided by 10**exponent
 */
export function tickDecimals(scaled) {
  let range = Math.max(...scaled) - Math.min(...scaled);
  if (range === 0) range = Math.max(...scaled.map(Math.abs));
  if (range === 0) range = 1;
  const rangeOom = Math.floor(Math.log10(range));
  const thresh = 1e-3 * 10 ** rangeOom;
  let sigfigs = Math.max(0, 3 - rangeOom);
  while (sigfigs >= 0) {
    const f = 10 ** sigfigs;
    const err = Math.max(...scaled.map((v) => Math.abs(v - Math.round(v * f) / f)));
    if (err < thresh) sigfigs -= 1;
    else break;
  }
  return sigfigs + 1;
}

/**
 * A value in the note: its significant digits with a power of ten, "10⁵" for 1e5
 * (ScalarFormatter's `format_data` with mathtext).
 */
export function formatNoteValue(value) {
  if (value === 0) return "0";
  const e = Math.floor(Math.log10(Math.abs(value)));
  const s = Number((value / 10 ** e).toFixed(10));
  const significand = minus(Number.isInteger(s) ? String(s) : String(Number(s.toPrecision(10))));
  if (e === 0) return significand;
  if (s === 1) return powerOfTen(e);
  if (s === -1) return `\u2212${powerOfTen(e)}`;
  return `${significand}\u00d7${powerOfTen(e)}`;
}

/**
 * Labels for the ticks of one axis.
 * @param {number[]} values tick values
 * @param {number[]} domain [lo, hi] of the axis (the visible interval)
 * @returns {{labels: string[], offset: number, exponent: number, note: string}}
 *   `labels[i]` reads (values[i] - offset) / 10**exponent; `note` says so ("×10⁻⁵+0.5",
 *   "" when both are zero); minus signs are U+2212
 */
export function tickLabels(values, domain) {
  const [lo, hi] = [Math.min(...domain), Math.max(...domain)];
  const visible = values.filter((v) => v >= lo && v <= hi);
  const offset = tickOffset(visible);
  const exponent = tickExponent(visible, offset, [lo, hi]);
  const scale = (v) => (v - offset) / 10 ** exponent;
  // With fewer than two ticks the ends of the axis set the precision.
  const forFormat = values.length < 2 ? [...values, lo, hi] : values;
  const decimals = values.length ? Math.min(20, tickDecimals(forFormat.map(scale))) : 0;
  const labels = values.map((v) => {
    let x = scale(v);
    if (Math.abs(x) < 1e-8) x = 0;
    const text = x.toFixed(decimals);
    return minus(/^-0(\.0*)?$/.test(text) ? text.slice(1) : text);
  });
  let note = "";
  if (exponent) note += `\u00d7${powerOfTen(exponent)}`;
  if (offset) note += (offset > 0 ? "+" : "") + formatNoteValue(offset);
  return { labels, offset, exponent, note };
}
