// Tiny DOM helpers: build HTML and SVG elements with attributes in one call.

export const SVG_NS = "http://www.w3.org/2000/svg";

function apply(node, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "className") node.setAttribute("class", value);
    else if (key === "dataset") for (const [k, v] of Object.entries(value)) node.dataset[k] = v;
    else if (key.startsWith("on") && typeof value === "function")
      node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  return node;
}

/**
 * Create an HTML element.
 * @param {string} tag
 * @param {object} [attrs] attributes; `text`, `className`, `dataset` and `on<event>`
 *   handlers are special
 * @param {(Node|string)[]} [children]
 */
export function h(tag, attrs, children = []) {
  const node = apply(document.createElement(tag), attrs);
  for (const child of children) node.append(child);
  return node;
}

/** Create an SVG element (same conventions as `h`), appended to `parent` if given. */
export function svg(tag, attrs, parent) {
  const node = apply(document.createElementNS(SVG_NS, tag), attrs);
  if (parent) parent.appendChild(node);
  return node;
}

/** Set (or, for null/undefined, remove) attributes on an existing element. */
export function setAttrs(node, attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null) node.removeAttribute(key);
    else node.setAttribute(key, String(value));
  }
  return node;
}

/** Remove all children of a node. */
export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/** A path string through the points (x[i], y[i]); non-finite points break the line. */
export function linePath(xs, ys) {
  let d = "";
  let pen = false;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    const y = ys[i];
    if (!(Number.isFinite(x) && Number.isFinite(y))) {
      pen = false;
      continue;
    }
    d += `${pen ? "L" : "M"}${x.toFixed(2)},${y.toFixed(2)}`;
    pen = true;
  }
  return d;
}

// Every widget on a page loads its own copy of its bundle, so a module-level counter
// alone repeats ids across widgets (and url(#id) then picks another widget's element).
const INSTANCE = Math.random().toString(36).slice(2, 8);
let idCounter = 0;

/** A document-unique id for SVG defs (clip paths, gradients), e.g. "gmm-clip-k3x9qa-1". */
export function uniqueId(prefix) {
  idCounter += 1;
  return `${prefix}-${INSTANCE}-${idCounter}`;
}
