// Scatter plots of many points on a <canvas>. Up to a few thousand points are drawn as
// anti-aliased discs; beyond that they are splatted straight into an ImageData buffer
// (one pass, no per-point canvas calls), which draws 100k points in a few milliseconds.

/** Above this many points, rasterise into ImageData instead of calling arc() per point. */
export const RASTER_THRESHOLD = 4000;

/** Point radius (CSS px) and opacity that suit n points. */
export function pointStyle(n) {
  if (n <= 500) return { radius: 3.2, alpha: 0.9 };
  if (n <= RASTER_THRESHOLD) return { radius: 2.4, alpha: 0.8 };
  if (n <= 20000) return { radius: 1.6, alpha: 0.65 };
  if (n <= 60000) return { radius: 1.2, alpha: 0.55 };
  return { radius: 1.0, alpha: 0.45 };
}

/**
 * Size a canvas for `width` x `height` CSS pixels at the device pixel ratio.
 * @returns {CanvasRenderingContext2D|null} null where canvas is unavailable (tests)
 */
export function sizeCanvas(canvas, width, height, dpr = globalThis.devicePixelRatio || 1) {
  canvas.width = Math.max(1, Math.round(width * dpr));
  canvas.height = Math.max(1, Math.round(height * dpr));
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  let ctx = null;
  try {
    ctx = canvas.getContext ? canvas.getContext("2d") : null;
  } catch {
    ctx = null;
  }
  if (ctx) ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

/**
 * Blend discs of the given colours into an RGBA pixel buffer ("source over").
 * @param {Uint8ClampedArray} pixels width*height*4 RGBA
 * @param {number} width buffer width in pixels
 * @param {number} height
 * @param {ArrayLike<number>} xs pixel x of each point
 * @param {ArrayLike<number>} ys pixel y of each point
 * @param {ArrayLike<number>} rgb n*3 colours
 * @param {number} radius disc radius in pixels
 * @param {number} alpha opacity of each disc
 * @param {ArrayLike<number>} [order] draw order (indices); default 0..n-1
 */
export function splatPoints(pixels, width, height, xs, ys, rgb, radius, alpha, order) {
  // Footprint of a disc with a one-pixel soft edge.
  const r = Math.max(0.5, radius);
  const R = Math.ceil(r + 0.5);
  const offsets = [];
  for (let dy = -R; dy <= R; dy++) {
    for (let dx = -R; dx <= R; dx++) {
      const cover = Math.max(0, Math.min(1, r + 0.5 - Math.hypot(dx, dy)));
      if (cover > 0) offsets.push(dx, dy, cover * alpha);
    }
  }
  const n = order ? order.length : xs.length;
  for (let t = 0; t < n; t++) {
    const i = order ? order[t] : t;
    const cx = Math.round(xs[i]);
    const cy = Math.round(ys[i]);
    if (!(cx >= -R && cx < width + R && cy >= -R && cy < height + R)) continue;
    const cr = rgb[i * 3];
    const cg = rgb[i * 3 + 1];
    const cb = rgb[i * 3 + 2];
    for (let o = 0; o < offsets.length; o += 3) {
      const x = cx + offsets[o];
      const y = cy + offsets[o + 1];
      if (x < 0 || y < 0 || x >= width || y >= height) continue;
      // Straight (non-premultiplied) alpha, as ImageData stores it.
      const a = offsets[o + 2];
      const p = (y * width + x) * 4;
      const dstA = pixels[p + 3] / 255;
      const keep = dstA * (1 - a);
      const outA = a + keep;
      pixels[p] = (cr * a + pixels[p] * keep) / outA;
      pixels[p + 1] = (cg * a + pixels[p + 1] * keep) / outA;
      pixels[p + 2] = (cb * a + pixels[p + 2] * keep) / outA;
      pixels[p + 3] = 255 * outA;
    }
  }
  return pixels;
}

/**
 * Draw points on a canvas context whose transform maps CSS px to device px.
 * @param {CanvasRenderingContext2D} ctx
 * @param {{xs: ArrayLike<number>, ys: ArrayLike<number>, rgb: ArrayLike<number>,
 *   width: number, height: number, dpr?: number, radius?: number, alpha?: number,
 *   order?: ArrayLike<number>}} opts coordinates in CSS pixels
 */
export function drawPoints(ctx, opts) {
  const { xs, ys, rgb, width, height } = opts;
  const n = xs.length;
  const dpr = opts.dpr || 1;
  const style = pointStyle(n);
  const radius = opts.radius ?? style.radius;
  const alpha = opts.alpha ?? style.alpha;
  ctx.clearRect(0, 0, width, height);
  if (n === 0) return;
  if (n <= RASTER_THRESHOLD || typeof ctx.createImageData !== "function") {
    const order = opts.order;
    for (let t = 0; t < n; t++) {
      const i = order ? order[t] : t;
      ctx.fillStyle = `rgba(${rgb[i * 3]}, ${rgb[i * 3 + 1]}, ${rgb[i * 3 + 2]}, ${alpha})`;
      ctx.beginPath();
      ctx.arc(xs[i], ys[i], radius, 0, 2 * Math.PI);
      ctx.fill();
    }
    return;
  }
  const W = Math.round(width * dpr);
  const H = Math.round(height * dpr);
  const image = ctx.createImageData(W, H);
  const px = new Float32Array(n);
  const py = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    px[i] = xs[i] * dpr;
    py[i] = ys[i] * dpr;
  }
  splatPoints(image.data, W, H, px, py, rgb, radius * dpr, alpha, opts.order);
  ctx.putImageData(image, 0, 0);
}
