// Export the whole ModelSelector view as PNG or SVG: the criterion chart with its
// covariance-type legend, the selected model over the data (the embedded player's
// layers) and the read-outs, each placed where it is on screen. The embedded player's
// PNG/SVG buttons call this instead of exporting the player alone.
//
// The legend and the read-outs are HTML in the view; the picture gets them as SVG text.

import { readTheme, rgbString } from "../lib/colors.js";
import { svg } from "../lib/dom.js";
import { composePNG, composeSVG, download, screenLayers } from "../lib/export.js";
import { markerPath } from "./chart.js";
import { SHAPES } from "./grid.js";

/** Font size (px, at most 13) at which `line` fits in `width` (SVG text does not wrap). */
export function fittingFontSize(line, width) {
  return Math.max(8, Math.min(13, (width - 8) / (0.6 * Math.max(1, line.length))));
}

/** An SVG block of text lines (the read-outs) at the size of the element it replaces. */
export function textLayer(lines, width, height, theme, { bold = false } = {}) {
  const root = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}` });
  lines.filter(Boolean).forEach((line, i) => {
    const size = fittingFontSize(line, width);
    svg(
      "text",
      {
        x: 4,
        y: 16 + 18 * i,
        fill: theme.text,
        "font-family": theme.fontFamily,
        "font-size": size.toFixed(1),
        "font-weight": bold ? 600 : 400,
        text: line,
      },
      root,
    );
  });
  return root;
}

/** The covariance-type legend as SVG: each type's marker in its colour, and its name. */
export function legendLayer(types, colors, width, height, theme) {
  const root = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}` });
  let x = 6;
  for (const ct of types) {
    const c = colors[ct];
    svg(
      "path",
      {
        d: markerPath(SHAPES[ct] || "circle", x + 6, height / 2, 4.5),
        fill: c ? rgbString(c) : theme.text,
      },
      root,
    );
    svg(
      "text",
      {
        x: x + 16,
        y: height / 2 + 4,
        fill: theme.text,
        "font-family": theme.fontFamily,
        "font-size": 12,
        text: ct,
      },
      root,
    );
    x += 24 + 7.5 * ct.length + 12;
  }
  return root;
}

/**
 * The layers of a ModelSelectorView, relative to its root.
 * @param {import("./view.js").ModelSelectorView} view
 */
export function selectorLayers(view) {
  const { layers, origin, place } = screenLayers(view.root);
  const theme = readTheme(view.root);
  const toolbar = view.root.firstElementChild;
  if (toolbar) {
    const r = toolbar.getBoundingClientRect();
    place(textLayer([view.bestEl.textContent], r.width, r.height, theme, { bold: true }), toolbar);
  }
  place(view.chart.root);
  const legend = view.legendEl.getBoundingClientRect();
  const types = view.model.get("covariance_types") || [];
  place(legendLayer(types, view.colors(), legend.width, legend.height, theme), view.legendEl);
  const p = view.player;
  if (p.scatter) place(p.scatter.canvas);
  const overlay = p.scatter ? p.scatter.overlay : p.density?.overlay;
  if (overlay) place(overlay);
  if (p.traceEl && !p.traceEl.hidden) place(p.trace.root);
  const info = view.infoEl.getBoundingClientRect();
  place(textLayer([view.infoEl.textContent], info.width, info.height, theme), view.infoEl);
  return {
    layers,
    size: { width: origin.width, height: origin.height, background: theme.background },
  };
}

/** Download the view as `model_selector_<K>_<type>.png` or `.svg`. */
export async function exportSelector(view, format) {
  const { layers, size } = selectorLayers(view);
  const shown = view.shownPair();
  const name = shown ? `model_selector_K${shown[0]}_${shown[1]}` : "model_selector";
  if (format === "svg") download(composeSVG(layers, size), `${name}.svg`, "image/svg+xml");
  else download(await composePNG(layers, size), `${name}.png`, "image/png");
}
