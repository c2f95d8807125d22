// Export what a widget shows as a PNG or an SVG file. A view is a stack of layers
// (canvases with points, SVG overlays with axes and ellipses) placed in one picture.
// CSS classes do not travel with a serialized SVG, so the computed styles are inlined.

import { SVG_NS } from "./dom.js";

const STYLE_PROPS = [
  "fill",
  "fill-opacity",
  "stroke",
  "stroke-width",
  "stroke-opacity",
  "stroke-dasharray",
  "opacity",
  "font-size",
  "font-family",
  "font-weight",
  "text-anchor",
  "dominant-baseline",
  "visibility",
];

/** Deep-clone an SVG element, writing each node's computed style into attributes. */
export function inlineStyles(source) {
  const clone = source.cloneNode(true);
  if (typeof getComputedStyle !== "function") return clone;
  const src = [source, ...source.querySelectorAll("*")];
  const dst = [clone, ...clone.querySelectorAll("*")];
  src.forEach((node, i) => {
    const style = getComputedStyle(node);
    for (const prop of STYLE_PROPS) {
      const value = style.getPropertyValue(prop);
      if (value) dst[i].setAttribute(prop, value.trim());
    }
    dst[i].removeAttribute("class");
  });
  return clone;
}

/**
 * A canvas or an SVG element drawn at (x, y) in the picture, at the given size.
 * @typedef {{element: HTMLCanvasElement|SVGSVGElement, x: number, y: number, width: number,
 *   height: number}} Layer
 */

/**
 * A collector of layers placed where elements are on screen, relative to `root`: `place`
 * adds `element` at the box of `box` (itself by default) when that box is not empty, and
 * returns the box.
 * @param {Element} root
 * @returns {{layers: Layer[], origin: DOMRect,
 *   place: (element: Layer["element"], box?: Element) => DOMRect}}
 */
export function screenLayers(root) {
  const origin = root.getBoundingClientRect();
  const layers = [];
  const place = (element, box = element) => {
    const r = box.getBoundingClientRect();
    if (r.width > 0 && r.height > 0) {
      const x = r.left - origin.left;
      layers.push({ element, x, y: r.top - origin.top, width: r.width, height: r.height });
    }
    return r;
  };
  return { layers, origin, place };
}

/**
 * Build a standalone SVG document of the layers.
 * @param {Layer[]} layers
 * @param {{width: number, height: number, background: string}} size
 * @returns {string} SVG markup
 */
export function composeSVG(layers, { width, height, background }) {
  const root = document.createElementNS(SVG_NS, "svg");
  root.setAttribute("xmlns", SVG_NS);
  root.setAttribute("width", String(width));
  root.setAttribute("height", String(height));
  root.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const bg = document.createElementNS(SVG_NS, "rect");
  for (const [k, v] of Object.entries({ x: 0, y: 0, width, height, fill: background }))
    bg.setAttribute(k, String(v));
  root.appendChild(bg);
  for (const layer of layers) {
    const g = document.createElementNS(SVG_NS, "g");
    g.setAttribute("transform", `translate(${layer.x},${layer.y})`);
    if (layer.element.tagName.toLowerCase() === "canvas") {
      const img = document.createElementNS(SVG_NS, "image");
      img.setAttribute("width", String(layer.width));
      img.setAttribute("height", String(layer.height));
      const canvas = /** @type {HTMLCanvasElement} */ (layer.element);
      img.setAttribute("href", canvas.toDataURL("image/png"));
      g.appendChild(img);
    } else {
      const svg = inlineStyles(layer.element);
      svg.setAttribute("width", String(layer.width));
      svg.setAttribute("height", String(layer.height));
      g.appendChild(svg);
    }
    root.appendChild(g);
  }
  return new XMLSerializer().serializeToString(root);
}

function loadImage(url) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error("could not render the SVG layer"));
    img.src = url;
  });
}

/** Render the layers into a PNG blob at `scale` device pixels per CSS pixel. */
export async function composePNG(layers, { width, height, background }, scale = 2) {
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const ctx = canvas.getContext("2d");
  ctx.scale(scale, scale);
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, width, height);
  for (const layer of layers) {
    if (layer.element.tagName.toLowerCase() === "canvas") {
      ctx.drawImage(layer.element, layer.x, layer.y, layer.width, layer.height);
    } else {
      const markup = composeSVG([{ ...layer, x: 0, y: 0 }], {
        width: layer.width,
        height: layer.height,
        background: "transparent",
      });
      const url = URL.createObjectURL(new Blob([markup], { type: "image/svg+xml" }));
      try {
        ctx.drawImage(await loadImage(url), layer.x, layer.y, layer.width, layer.height);
      } finally {
        URL.revokeObjectURL(url);
      }
    }
  }
  return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
}

/** Offer a blob (or a string) as a file download. */
export function download(data, filename, type) {
  const blob = data instanceof Blob ? data : new Blob([data], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
