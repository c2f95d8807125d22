// Adding and removing data points on the explorer's plot, the interaction the EM
// explorables use to show how the data move the fit: a click on empty space adds a
// point there, a shift-click removes the point nearest to it. Keyboard: the point cursor
// (data-gmm-role="point-cursor", focusable) moves with the arrow keys (Shift: larger
// steps, Alt: finer); Enter or "+" adds a point under it, Delete, Backspace or "-"
// removes the point nearest to it. The editor only reports positions (in the plot's data
// coordinates); the widget owns the points.

import { svg } from "../lib/dom.js";
import { keyStep } from "./mean_handles.js";

/**
 * @param {SVGSVGElement} overlay the plot's SVG (clicks land here)
 * @param {SVGGElement} layer where the cursor is drawn
 * @param {object} opts
 * @param {() => ({x: any, y: any}|null)} opts.scales the plot's scales now
 * @param {(point: number[]) => void} opts.onAdd
 * @param {(point: number[]) => void} opts.onRemove
 */
export function createPointEditor(overlay, layer, opts) {
  const cursor = svg(
    "g",
    {
      class: "gmm-point-cursor",
      "data-gmm-role": "point-cursor",
      tabindex: "0",
      role: "button",
      focusable: "true",
      "aria-label":
        "Point cursor: arrow keys move it, Enter adds a data point here, " +
        "Delete removes the data point nearest to it.",
    },
    layer,
  );
  svg("circle", { r: 7, class: "gmm-point-cursor-ring" }, cursor);
  svg("path", { d: "M-11,0H-4M4,0H11M0,-11V-4M0,4V11", class: "gmm-point-cursor-cross" }, cursor);
  let at = null; // cursor position, data coordinates

  const inside = (px, py, s) => {
    const [x0, x1] = s.x.range;
    const [y0, y1] = s.y.range;
    return (
      px >= Math.min(x0, x1) &&
      px <= Math.max(x0, x1) &&
      py >= Math.min(y0, y1) &&
      py <= Math.max(y0, y1)
    );
  };

  function onClick(event) {
    const s = opts.scales();
    if (!s) return;
    const target = /** @type {Element} */ (event.target);
    if (target?.closest?.('[data-gmm-role="mean-handle"], [data-gmm-role="point-cursor"]')) return;
    const rect = overlay.getBoundingClientRect();
    const px = event.clientX - rect.left;
    const py = event.clientY - rect.top;
    if (!inside(px, py, s)) return; // the axes and margins are not the plot
    const point = [s.x.invert(px), s.y.invert(py)];
    if (event.shiftKey) opts.onRemove(point);
    else opts.onAdd(point);
    event.preventDefault();
  }

  function onKey(event) {
    const s = opts.scales();
    if (!s) return;
    const point = at || centre(s);
    if (event.key === "Enter" || event.key === "+") {
      if (event.shiftKey) opts.onRemove(point);
      else opts.onAdd(point);
    } else if (event.key === "Delete" || event.key === "Backspace" || event.key === "-") {
      opts.onRemove(point);
    } else {
      const span = [
        Math.abs(s.x.domain[1] - s.x.domain[0]),
        Math.abs(s.y.domain[1] - s.y.domain[0]),
      ];
      const step = keyStep(event, span);
      if (!step) return;
      const clamp = (v, d) => Math.max(Math.min(d[0], d[1]), Math.min(Math.max(d[0], d[1]), v));
      at = [clamp(point[0] + step[0], s.x.domain), clamp(point[1] + step[1], s.y.domain)];
      place();
    }
    event.preventDefault();
    event.stopPropagation(); // the player's keys and JupyterLab's shortcuts stay out
  }

  const centre = (s) => [(s.x.domain[0] + s.x.domain[1]) / 2, (s.y.domain[0] + s.y.domain[1]) / 2];

  function place() {
    const s = opts.scales();
    if (!s) return;
    const p = at || centre(s);
    cursor.setAttribute("transform", `translate(${s.x(p[0]).toFixed(2)},${s.y(p[1]).toFixed(2)})`);
  }

  overlay.addEventListener("click", onClick);
  cursor.addEventListener("keydown", onKey);
  return {
    cursor,
    /** Redraw the cursor (after a relayout). */
    render: place,
    /** The cursor's position in data coordinates. */
    get position() {
      const s = opts.scales();
      return at || (s ? centre(s) : null);
    },
    destroy() {
      overlay.removeEventListener("click", onClick);
      cursor.remove();
    },
  };
}
