// Small SVG icons drawn with currentColor, so they follow the theme's text colour.

import { svg } from "./dom.js";

const PATHS = {
  play: "M5 3.5v13l11-6.5z",
  pause: "M5 3.5h3.5v13H5zM11.5 3.5H15v13h-3.5z",
  "step-forward": "M4 4v12l8.5-6zM13.5 4H16v12h-2.5z",
  "step-back": "M16 4v12L7.5 10zM4 4h2.5v12H4z",
  first: "M16 4v12L7.5 10zM4 4h2.5v12H4z",
  download: "M9 3h2v7.5l2.8-2.8 1.4 1.4L10 14.3 4.8 9.1l1.4-1.4L9 10.5zM4 15h12v2H4z",
  code: "M7.3 5.3 8.7 6.7 5.4 10l3.3 3.3-1.4 1.4L2.6 10zM12.7 5.3l4.7 4.7-4.7 4.7-1.4-1.4 3.3-3.3-3.3-3.3z",
};

/** An inline 20x20 icon; `name` is one of play, pause, step-forward, step-back, download, code. */
export function icon(name) {
  const root = svg("svg", {
    viewBox: "0 0 20 20",
    width: 16,
    height: 16,
    "aria-hidden": "true",
    focusable: "false",
    class: "gmm-icon",
  });
  svg("path", { d: PATHS[name], fill: "currentColor" }, root);
  return root;
}

/** Replace the icon inside a button. */
export function setIcon(button, name) {
  const old = button.querySelector("svg.gmm-icon");
  const next = icon(name);
  if (old) old.replaceWith(next);
  else button.prepend(next);
}
