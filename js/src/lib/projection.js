// 2-D views of d-dimensional data: a pair of features or a linear projection such as PCA.
// A projection is a 2 x d matrix P (row-major) and an offset c: y = P (x - c).

/** Projection onto features i (x axis) and j (y axis). */
export function featurePair(d, i, j) {
  const P = new Float64Array(2 * d);
  P[i] = 1;
  P[d + j] = 1;
  return { P, offset: new Float64Array(d), d };
}

/**
 * Projection onto two orthonormal directions (e.g. the first two principal axes).
 * @param {ArrayLike<number>} components 2*d, row-major
 * @param {ArrayLike<number>} mean d
 */
export function linearProjection(components, mean, d) {
  return { P: Float64Array.from(components), offset: Float64Array.from(mean), d };
}

/**
 * Project n points (row-major n x d) into two coordinate arrays.
 * @returns {{xs: Float32Array, ys: Float32Array}}
 */
export function projectPoints(X, n, proj) {
  const { P, offset, d } = proj;
  const xs = new Float32Array(n);
  const ys = new Float32Array(n);
  const nz0 = [];
  const nz1 = [];
  for (let j = 0; j < d; j++) {
    if (P[j] !== 0) nz0.push(j);
    if (P[d + j] !== 0) nz1.push(j);
  }
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let a = 0;
    let b = 0;
    for (const j of nz0) a += P[j] * (X[o + j] - offset[j]);
    for (const j of nz1) b += P[d + j] * (X[o + j] - offset[j]);
    xs[i] = a;
    ys[i] = b;
  }
  return { xs, ys };
}

/** Project one d-vector: [P (m - c)]. */
export function projectMean(m, proj, start = 0) {
  const { P, offset, d } = proj;
  let a = 0;
  let b = 0;
  for (let j = 0; j < d; j++) {
    const v = m[start + j] - offset[j];
    a += P[j] * v;
    b += P[d + j] * v;
  }
  return [a, b];
}

/**
 * Covariance of the projected Gaussian: P S P^T (2 x 2, row-major). For a feature pair
 * this is the marginal covariance of those two features.
 */
export function projectCovariance(S, proj) {
  const { P, d } = proj;
  const out = new Float64Array(4);
  for (let r = 0; r < 2; r++) {
    for (let c = 0; c < 2; c++) {
      let s = 0;
      for (let i = 0; i < d; i++) {
        const pi = P[r * d + i];
        if (pi === 0) continue;
        for (let j = 0; j < d; j++) s += pi * S[i * d + j] * P[c * d + j];
      }
      out[r * 2 + c] = s;
    }
  }
  return out;
}
