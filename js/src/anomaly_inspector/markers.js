// Highlight markers for a subset of points (e.g. the flagged anomalies), redrawn every
// animation frame of a drag. A few thousand markers are drawn as one canvas path; more
// are splatted into a reused ImageData buffer, so 50k markers still cost milliseconds.

import { sizeCanvas } from "../lib/scatter.js";

/** Above this many markers, splat into pixels instead of building a path. */
export const MARKER_PATH_LIMIT = 3000;

/**
 * Footprint of a disc of `radius` px with a `ring` px outline: offsets and coverage.
 * @returns {{dx: Int16Array, dy: Int16Array, fill: Float32Array, edge: Float32Array, R: number}}
 *   `fill` is the coverage by the disc, `edge` by the outline (both 0..1)
 */
export function markerFootprint(radius, ring = 1) {
  const R = Math.ceil(radius + ring + 0.5);
  const dx = [];
  const dy = [];
  const fill = [];
  const edge = [];
  for (let y = -R; y <= R; y++) {
    for (let x = -R; x <= R; x++) {
      const d = Math.hypot(x, y);
      const inner = Math.max(0, Math.min(1, radius + 0.5 - d));
      const outer = Math.max(0, Math.min(1, radius + ring + 0.5 - d));
      if (outer <= 0) continue;
      dx.push(x);
      dy.push(y);
      fill.push(inner);
      edge.push(outer - inner);
    }
  }
  return {
    dx: Int16Array.from(dx),
    dy: Int16Array.from(dy),
    fill: Float32Array.from(fill),
    edge: Float32Array.from(edge),
    R,
  };
}

/**
 * Write markers into a cleared RGBA buffer (straight alpha, later markers on top).
 * @param {Uint8ClampedArray} pixels
 * @param {number} W
 * @param {number} H
 * @param {ArrayLike<number>} xs x of every point (times `scale`: device pixels)
 * @param {ArrayLike<number>} ys
 * @param {ArrayLike<number>} indices which points, in drawing order
 * @param {number} count how many of `indices`
 * @param {ReturnType<typeof markerFootprint>} fp
 * @param {import("../lib/colors.js").RGB} fill
 * @param {import("../lib/colors.js").RGB} outline
 * @param {number} [scale] multiplies xs and ys (device pixels per CSS pixel)
 */
export function splatMarkers(pixels, W, H, xs, ys, indices, count, fp, fill, outline, scale = 1) {
  const { dx, dy, fill: cf, edge: ce, R } = fp;
  const m = dx.length;
  for (let t = 0; t < count; t++) {
    const i = indices[t];
    const cx = Math.round(xs[i] * scale);
    const cy = Math.round(ys[i] * scale);
    if (!(cx >= -R && cx < W + R && cy >= -R && cy < H + R)) continue;
    for (let o = 0; o < m; o++) {
      const x = cx + dx[o];
      const y = cy + dy[o];
      if (x < 0 || y < 0 || x >= W || y >= H) continue;
      const a = cf[o] + ce[o];
      const p = (y * W + x) * 4;
      // Blend over what is there, straight alpha.
      const dstA = pixels[p + 3] / 255;
      const keep = dstA * (1 - a);
      const outA = a + keep;
      if (outA <= 0) continue;
      const r = fill[0] * cf[o] + outline[0] * ce[o];
      const g = fill[1] * cf[o] + outline[1] * ce[o];
      const b = fill[2] * cf[o] + outline[2] * ce[o];
      pixels[p] = (r + pixels[p] * keep) / outA;
      pixels[p + 1] = (g + pixels[p + 1] * keep) / outA;
      pixels[p + 2] = (b + pixels[p + 2] * keep) / outA;
      pixels[p + 3] = 255 * outA;
    }
  }
  return pixels;
}

/** A canvas layer of markers over a plot, sized like the plot. */
export class MarkerLayer {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = null;
    this.width = 0;
    this.height = 0;
    this.dpr = 1;
    this.image = null;
    this.fp = null;
    this.fpKey = "";
  }

  resize(width, height, dpr = globalThis.devicePixelRatio || 1) {
    this.width = width;
    this.height = height;
    this.dpr = dpr;
    this.ctx = sizeCanvas(this.canvas, width, height, dpr);
    this.image = null;
  }

  clear() {
    if (this.ctx) this.ctx.clearRect(0, 0, this.width, this.height);
  }

  /**
   * Draw markers for `indices[0..count)`.
   * @param {ArrayLike<number>} px CSS-pixel x of every point
   * @param {ArrayLike<number>} py
   * @param {ArrayLike<number>} indices
   * @param {number} count
   * @param {{radius: number, fill: import("../lib/colors.js").RGB|null,
   *   outline: import("../lib/colors.js").RGB, ring?: number}} style
   *   `fill` null draws rings only
   */
  draw(px, py, indices, count, style) {
    const ctx = this.ctx;
    if (!ctx) return;
    this.clear();
    if (count <= 0) return;
    const ring = style.ring ?? 1;
    if (
      count <= MARKER_PATH_LIMIT ||
      typeof ctx.createImageData !== "function" ||
      style.fill === null
    ) {
      ctx.beginPath();
      for (let t = 0; t < count; t++) {
        const i = indices[t];
        ctx.moveTo(px[i] + style.radius, py[i]);
        ctx.arc(px[i], py[i], style.radius, 0, 2 * Math.PI);
      }
      if (style.fill) {
        ctx.fillStyle = `rgb(${style.fill.join(",")})`;
        ctx.fill();
      }
      if (ring > 0) {
        ctx.lineWidth = ring;
        ctx.strokeStyle = `rgb(${style.outline.join(",")})`;
        ctx.stroke();
      }
      return;
    }
    const W = Math.round(this.width * this.dpr);
    const H = Math.round(this.height * this.dpr);
    if (!this.image || this.image.width !== W || this.image.height !== H)
      this.image = ctx.createImageData(W, H);
    else this.image.data.fill(0);
    const key = `${style.radius}:${ring}:${this.dpr}`;
    if (key !== this.fpKey) {
      this.fp = markerFootprint(style.radius * this.dpr, ring * this.dpr);
      this.fpKey = key;
    }
    splatMarkers(
      this.image.data,
      W,
      H,
      px,
      py,
      indices,
      count,
      this.fp,
      style.fill,
      style.outline,
      this.dpr,
    );
    ctx.putImageData(this.image, 0, 0);
  }
}
