// Colours: the component palette, the theme read from JupyterLab's CSS variables, and
// the mixing of component colours by responsibilities.

import { markHostTheme, watchHostTheme } from "./host_theme.js";

// Tableau 10, which reads well on white; and a lighter, slightly desaturated set of the
// same hues for dark backgrounds.
const LIGHT = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#59a14f",
  "#b07aa1",
  "#76b7b2",
  "#edc948",
  "#9c755f",
  "#ff9da7",
  "#7f7f7f",
];
const DARK = [
  "#7aa6d6",
  "#ffa94d",
  "#ff7b7d",
  "#80c874",
  "#d4a3ca",
  "#8fd4cf",
  "#f5d76e",
  "#c9a58a",
  "#ffb8c0",
  "#b5b5b5",
];

/**
 * A colour as three channels [r, g, b], 0..255.
 * @typedef {number[]} RGB
 */

/**
 * Parse a CSS colour in hex (#rgb, #rrggbb, #rrggbbaa) or rgb()/rgba() notation.
 * @returns {RGB|null} 0..255 channels, or null if not understood
 */
export function parseColor(text) {
  if (typeof text !== "string") return null;
  const s = text.trim().toLowerCase();
  let m = /^#([0-9a-f]{3,8})$/.exec(s);
  if (m) {
    const hex = m[1];
    if (hex.length === 3 || hex.length === 4)
      return [0, 1, 2].map((i) => parseInt(hex[i] + hex[i], 16));
    if (hex.length === 6 || hex.length === 8)
      return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
    return null;
  }
  m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/.exec(s);
  if (m) return [1, 2, 3].map((i) => Math.max(0, Math.min(255, Math.round(Number(m[i])))));
  if (s === "white") return [255, 255, 255];
  if (s === "black") return [0, 0, 0];
  return null;
}

/**
 * Relative luminance (WCAG) of an sRGB colour, 0 (black) .. 1 (white).
 * @param {Iterable<number>} rgb [r, g, b]
 */
export function luminance([r, g, b]) {
  const lin = (c) => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/**
 * "rgb(r, g, b)" or "rgba(r, g, b, a)" string.
 * @param {Iterable<number>} rgb [r, g, b]
 */
export function rgbString([r, g, b], alpha = 1) {
  return alpha >= 1 ? `rgb(${r}, ${g}, ${b})` : `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

function hslToRgb(h, s, l) {
  const f = (n) => {
    const k = (n + h / 30) % 12;
    const a = s * Math.min(l, 1 - l);
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

/**
 * K distinct component colours for a light or a dark background. Past the ten
 * hand-picked ones, hues continue around the colour wheel by the golden angle.
 * @returns {RGB[]}
 */
export function componentColors(K, dark = false) {
  const base = dark ? DARK : LIGHT;
  const out = [];
  for (let k = 0; k < K; k++) {
    if (k < base.length) out.push(parseColor(base[k]));
    else out.push(hslToRgb((k * 137.508) % 360, 0.55, dark ? 0.68 : 0.48));
  }
  return out;
}

const VARS = {
  background: ["--jp-layout-color0", "#ffffff"],
  panel: ["--jp-layout-color1", "#ffffff"],
  foreground: ["--jp-ui-font-color0", "rgba(0, 0, 0, 1)"],
  text: ["--jp-ui-font-color1", "rgba(0, 0, 0, 0.87)"],
  muted: ["--jp-ui-font-color2", "rgba(0, 0, 0, 0.54)"],
  grid: ["--jp-border-color2", "#e0e0e0"],
  border: ["--jp-border-color1", "#bdbdbd"],
  accent: ["--jp-brand-color1", "#1976d2"],
  success: ["--jp-success-color1", "#388e3c"],
  warn: ["--jp-warn-color1", "#f57c00"],
  fontFamily: ["--jp-ui-font-family", "system-ui, -apple-system, 'Segoe UI', sans-serif"],
};

/**
 * The colours in force where `el` is: JupyterLab's CSS variables when they are defined,
 * light defaults otherwise (classic Notebook, VS Code, a static page). `dark` is decided
 * from the luminance of the background, so any dark theme is detected.
 * @param {Element} el
 */
export function readTheme(el) {
  // The widget's own computed style first (a theme may scope variables), then :root,
  // where JupyterLab's themes define them.
  const styles = [];
  if (el) markHostTheme(el); // a dark page without JupyterLab's variables (marimo)
  if (typeof getComputedStyle === "function") {
    if (el) styles.push(getComputedStyle(el));
    if (typeof document !== "undefined") styles.push(getComputedStyle(document.documentElement));
  }
  const theme = {};
  for (const [key, [name, fallback]] of Object.entries(VARS)) {
    let value = "";
    for (const style of styles) {
      value = style.getPropertyValue(name).trim();
      if (value) break;
    }
    theme[key] = value || fallback;
  }
  let bg = parseColor(theme.background);
  if (!bg && typeof document !== "undefined" && document.body) {
    bg = parseColor(document.body.dataset.jpThemeLight === "false" ? "#111111" : "");
  }
  theme.dark = bg ? luminance(bg) < 0.25 : false;
  theme.rgb = {
    background: parseColor(theme.background) || (theme.dark ? [17, 17, 17] : [255, 255, 255]),
    foreground: parseColor(theme.foreground) || (theme.dark ? [255, 255, 255] : [0, 0, 0]),
  };
  return theme;
}

/**
 * Call `onChange` whenever JupyterLab (or marimo) switches theme; returns a function that
 * stops watching.
 */
export function watchTheme(onChange) {
  if (typeof MutationObserver === "undefined" || typeof document === "undefined" || !document.body)
    return () => {};
  const observer = new MutationObserver(() => onChange());
  observer.observe(document.body, {
    attributes: true,
    attributeFilter: ["data-jp-theme-name", "data-jp-theme-light"],
  });
  const stopHost = watchHostTheme(onChange); // marimo's light/dark switch
  return () => {
    observer.disconnect();
    stopHost();
  };
}

const TO_LINEAR = new Float32Array(256);
for (let i = 0; i < 256; i++) {
  const v = i / 255;
  TO_LINEAR[i] = v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
}
function toSrgb(v) {
  const c = v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055;
  return Math.round(255 * Math.max(0, Math.min(1, c)));
}

/**
 * Colour of each point: the component colours mixed by the point's responsibilities,
 * in linear light (so a 50/50 point is a true blend, not a muddy darker shade).
 * @param {Float32Array} resp row-major n x K responsibilities
 * @param {number} n
 * @param {RGB[]} colors K colours
 * @returns {Uint8ClampedArray} n x 3 sRGB
 */
export function mixColors(resp, n, colors) {
  const K = colors.length;
  const lin = colors.map((c) => c.map((v) => TO_LINEAR[v]));
  const out = new Uint8ClampedArray(n * 3);
  for (let i = 0; i < n; i++) {
    let r = 0;
    let g = 0;
    let b = 0;
    for (let k = 0; k < K; k++) {
      const w = resp[i * K + k];
      if (w === 0) continue;
      r += w * lin[k][0];
      g += w * lin[k][1];
      b += w * lin[k][2];
    }
    out[i * 3] = toSrgb(r);
    out[i * 3 + 1] = toSrgb(g);
    out[i * 3 + 2] = toSrgb(b);
  }
  return out;
}
