// Geometry of a 2-D Gaussian: axes of the k-sigma ellipse of a 2x2 covariance.

/**
 * Eigen-decomposition of the symmetric 2x2 matrix [[a, b], [b, c]].
 * @returns {{major: number, minor: number, angle: number}} eigenvalues (major >= minor,
 *   negative round-off clamped to 0) and the angle (radians, counter-clockwise from +x)
 *   of the major axis.
 */
export function eigen2(a, b, c) {
  const mean = (a + c) / 2;
  const diff = (a - c) / 2;
  const r = Math.hypot(diff, b);
  const major = Math.max(0, mean + r);
  const minor = Math.max(0, mean - r);
  const angle = r === 0 ? 0 : 0.5 * Math.atan2(2 * b, a - c);
  return { major, minor, angle };
}

/**
 * Points of the ellipse {x : (x - m)^T S^-1 (x - m) = k^2} for a 2x2 covariance S, in
 * data coordinates. Drawing the polygon through the axis scales keeps it right for any
 * aspect ratio.
 * @param {number[]} mean
 * @param {ArrayLike<number>} cov row-major 2x2 [s_xx, s_xy, s_yx, s_yy]
 * @param {number} k number of standard deviations
 * @param {number} [n=72] number of vertices
 * @returns {{xs: Float64Array, ys: Float64Array}}
 */
export function ellipsePoints(mean, cov, k, n = 72) {
  const { major, minor, angle } = eigen2(cov[0], 0.5 * (cov[1] + cov[2]), cov[3]);
  const a = k * Math.sqrt(major);
  const b = k * Math.sqrt(minor);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const xs = new Float64Array(n + 1);
  const ys = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) {
    const t = (2 * Math.PI * i) / n;
    const u = a * Math.cos(t);
    const v = b * Math.sin(t);
    xs[i] = mean[0] + u * cos - v * sin;
    ys[i] = mean[1] + u * sin + v * cos;
  }
  return { xs, ys };
}
