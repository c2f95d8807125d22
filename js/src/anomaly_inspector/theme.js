// Colours of the AnomalyInspector: JupyterLab's theme, the anomaly colour (the theme's
// error colour) and component colours that avoid it.

import { componentColors, parseColor, readTheme } from "../lib/colors.js";

/** Index of the red in the shared palette (see lib/colors.js). */
const RED_IN_PALETTE = 2;

/**
 * Component colours without the palette's red, which is the anomaly colour here.
 * @returns {import("../lib/colors.js").RGB[]}
 */
export function paletteWithoutRed(K, dark) {
  return componentColors(K + 1, dark)
    .filter((_, k) => k !== RED_IN_PALETTE)
    .slice(0, K);
}

/**
 * The theme where `el` is, with the anomaly colour from the CSS variable --gmm-anomaly
 * (--jp-error-color1 in JupyterLab).
 */
export function readColors(el) {
  const theme = readTheme(el);
  let anomaly = null;
  if (typeof getComputedStyle === "function")
    anomaly = parseColor(getComputedStyle(el).getPropertyValue("--gmm-anomaly"));
  const fallback = theme.dark ? [244, 92, 84] : [211, 47, 47];
  return {
    theme,
    anomaly: anomaly || fallback,
    background: theme.rgb.background,
    foreground: theme.rgb.foreground,
  };
}
