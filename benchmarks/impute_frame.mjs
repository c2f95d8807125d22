// Per-frame cost of placing rows with missing values in the browser (js/src/lib/impute.js):
// 1e4 displayed rows, K = 5 full covariances, d = 2 and d = 6, with 20% of the rows
// missing one random coordinate, and with 20% of all cells missing.
//   node benchmarks/impute_frame.mjs
import { imputeFrame, missingPatterns } from "../js/src/lib/impute.js";

let seed = 1;
const rand = () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647;
};

function run(d, mode) {
  const n = 10000;
  const K = 5;
  const X = new Float32Array(n * d);
  for (let i = 0; i < n * d; i++) X[i] = 4 * rand();
  for (let i = 0; i < n; i++) {
    if (mode === "rows" && rand() < 0.2) X[i * d + Math.floor(rand() * d)] = NaN;
    if (mode === "cells") for (let j = 0; j < d; j++) if (rand() < 0.2) X[i * d + j] = NaN;
  }
  const weights = Array(K).fill(1 / K);
  const means = Array.from({ length: K * d }, () => 4 * rand());
  const covs = Array.from({ length: K }, () => {
    const S = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) S[i * d + j] = i === j ? 1 : 0.3;
    return S;
  });
  let t = performance.now();
  const p = missingPatterns(X, n, d);
  const once = performance.now() - t;
  for (let w = 0; w < 20; w++) imputeFrame(X, p, weights, means, covs);
  const R = 200;
  t = performance.now();
  for (let r = 0; r < R; r++) imputeFrame(X, p, weights, means, covs);
  const per = (performance.now() - t) / R;
  console.log(
    `d=${d} ${mode.padEnd(5)} n=${n} K=${K}: ${p.rows.length} rows placed, ${p.empty.length} ` +
      `empty, ${p.groups.length} patterns; grouping once ${once.toFixed(1)} ms, ` +
      `per frame ${per.toFixed(2)} ms`,
  );
}

for (const d of [2, 6]) for (const mode of ["rows", "cells"]) run(d, mode);
