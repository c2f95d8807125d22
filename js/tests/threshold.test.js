import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  argsort,
  binScores,
  countAtMost,
  countBelow,
  metricsFromCounts,
  percentileOf,
  quantile,
  scoreBinCount,
  scoreDomain,
  ScoreIndex,
  stepByPoint,
  thresholdForCount,
  thresholdFromContamination,
} from "../src/anomaly_inspector/threshold.js";

// Numbers computed by gmm_widgets.mixture.anomaly (tests/widgets/anomaly_fixture.py).
const here = dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(readFileSync(join(here, "fixtures", "anomaly_metrics.json"), "utf8"));

function indexOf(c) {
  const order = argsort(c.scores);
  const sorted = Float64Array.from(order, (i) => c.scores[i]);
  const labels = Uint8Array.from(order, (i) => c.labels[i]);
  return new ScoreIndex(sorted, labels);
}

describe("threshold logic agrees with Python bit for bit", () => {
  it("has the reference cases", () => {
    expect(fixture.cases.map((c) => c.name)).toEqual(["mixture-like", "ties", "tiny"]);
  });

  for (const c of fixture.cases) {
    describe(c.name, () => {
      const index = indexOf(c);

      it("sorts labels with the scores as Python's stable argsort does", () => {
        expect(Array.from(argsort(c.scores), (i) => c.labels[i])).toEqual(c.sorted_labels);
      });

      it("counts, percentile, precision, recall and F1 at every threshold", () => {
        expect(c.checks.length).toBeGreaterThan(15);
        for (const ref of c.checks) {
          const s = index.summary(ref.threshold);
          expect(s.count).toBe(ref.count);
          expect(s.percentile).toBe(ref.percentile); // exact, not close
          expect(s.metrics.precision).toBe(ref.precision);
          expect(s.metrics.recall).toBe(ref.recall);
          expect(s.metrics.f1).toBe(ref.f1);
          expect([s.metrics.tp, s.metrics.fp, s.metrics.fn, s.metrics.tn]).toEqual([
            ref.tp,
            ref.fp,
            ref.fn,
            ref.tn,
          ]);
          expect(percentileOf(index.sorted, ref.threshold)).toBe(ref.percentile);
        }
      });

      it("np.percentile and threshold_from_contamination", () => {
        for (const ref of c.percentiles) expect(quantile(index.sorted, ref.p)).toBe(ref.value);
        for (const ref of c.contamination)
          expect(thresholdFromContamination(index.sorted, ref.contamination)).toBe(ref.threshold);
      });

      it("the precision-recall curve, unsimplified, is precision_recall_curve", () => {
        const curve = index.prCurve(0);
        expect(Array.from(curve.precision)).toEqual(c.pr_curve.precision);
        expect(Array.from(curve.recall)).toEqual(c.pr_curve.recall);
        // Each point's count is what Python's threshold flags.
        curve.count.forEach((count, i) => {
          expect(index.count(c.pr_curve.thresholds[i])).toBe(count);
        });
      });

      it("best F1 is the best over every threshold Python checked", () => {
        const best = index.bestF1();
        const bestChecked = Math.max(...c.checks.map((r) => r.f1));
        expect(best.f1).toBeGreaterThanOrEqual(bestChecked);
        expect(index.count(best.threshold)).toBe(best.count);
        expect(index.summary(best.threshold).metrics.f1).toBe(best.f1);
        expect(best.f1).toBe(
          Math.max(
            ...c.pr_curve.precision.map((p, i) => {
              const r = c.pr_curve.recall[i];
              return p + r ? (2 * p * r) / (p + r) : 0;
            }),
          ),
        );
      });
    });
  }
});

describe("binary search", () => {
  const s = Float64Array.from([-3, -1, -1, 0.5, 2, 2]);
  it("counts strictly below and at most", () => {
    expect([-4, -3, -2, -1, 0, 2, 3].map((t) => countBelow(s, t))).toEqual([0, 0, 1, 1, 3, 4, 6]);
    expect([-4, -3, -1, 2].map((t) => countAtMost(s, t))).toEqual([0, 1, 3, 6]);
    expect(countBelow(s, NaN)).toBe(0);
    expect(countBelow(new Float64Array(0), 1)).toBe(0);
  });

  it("thresholdForCount flags exactly that many (ties permitting), off the scores", () => {
    for (let c = 0; c <= s.length; c++) {
      const t = thresholdForCount(s, c);
      const expected = c === 2 ? 1 : c === 5 ? 4 : c; // ties at -1 and 2
      expect(countBelow(s, t)).toBe(expected);
    }
    expect(thresholdForCount(s, 1)).toBe(-2); // midpoint of -3 and -1
    expect(thresholdForCount(s, 6)).toBeGreaterThan(2);
  });

  it("stepByPoint moves by one distinct score, ties together", () => {
    let t = -10;
    const counts = [];
    for (let k = 0; k < 6; k++) {
      t = stepByPoint(s, t, 1);
      counts.push(countBelow(s, t));
    }
    expect(counts).toEqual([1, 3, 4, 6, 6, 6]);
    const back = [];
    for (let k = 0; k < 5; k++) {
      t = stepByPoint(s, t, -1);
      back.push(countBelow(s, t));
    }
    expect(back).toEqual([4, 3, 1, 0, 0]);
  });

  it("rejects unsorted scores and mismatched labels", () => {
    expect(() => new ScoreIndex(Float64Array.from([1, 0]))).toThrow(/not sorted/);
    expect(() => new ScoreIndex(Float64Array.from([0, 1]), [1])).toThrow(/labels/);
  });
});

describe("metrics conventions", () => {
  it("0 when undefined, as detection_metrics", () => {
    expect(metricsFromCounts(0, 0, 5, 10)).toMatchObject({
      precision: 0,
      recall: 0,
      f1: 0,
      fn: 5,
      tn: 5,
    });
    expect(metricsFromCounts(0, 3, 0, 10)).toMatchObject({ precision: 0, recall: 0, f1: 0, fp: 3 });
    expect(metricsFromCounts(2, 4, 4, 10)).toMatchObject({ precision: 0.5, recall: 0.5, f1: 0.5 });
  });

  it("without labels there are no metrics, curve or best F1", () => {
    const index = new ScoreIndex(Float64Array.from([0, 1, 2]));
    expect(index.summary(1.5)).toMatchObject({ count: 2, n: 3, metrics: null });
    expect(index.prCurve()).toBeNull();
    expect(index.bestF1()).toBeNull();
    const noPositive = new ScoreIndex(Float64Array.from([0, 1]), [0, 0]);
    expect(noPositive.prCurve()).toBeNull();
    expect(noPositive.summary(0.5).metrics).toMatchObject({
      precision: 0,
      recall: 0,
      f1: 0,
      fp: 1,
    });
  });

  it("simplifies a long curve but keeps its ends", () => {
    const n = 20000;
    const sorted = Float64Array.from({ length: n }, (_, i) => i);
    const labels = Uint8Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 1 : 0));
    const index = new ScoreIndex(sorted, labels);
    const full = index.prCurve(0);
    const small = index.prCurve();
    expect(full.count.length).toBe(n);
    expect(small.count.length).toBeLessThan(2000);
    expect(small.count[0]).toBe(1);
    expect(small.count[small.count.length - 1]).toBe(n);
    expect(small.recall[small.recall.length - 1]).toBe(1);
  });
});

describe("histogram of the scores", () => {
  it("bins with the strict rule and totals every score", () => {
    const sorted = Float64Array.from([-50, -2, -1, -1, 0, 0.5, 1, 1]);
    const { edges, counts, under, over } = binScores(sorted, 4, [-2, 2]);
    expect(Array.from(edges)).toEqual([-2, -1, 0, 1, 2]);
    expect(Array.from(counts)).toEqual([1, 2, 2, 2]); // [-2,-1) [-1,0) [0,1) [1,2)
    expect(over).toBe(0);
    expect(under + counts.reduce((a, b) => a + b, 0) + over).toBe(sorted.length);
    expect(under).toBe(1);
  });

  it("a far outlier goes to the underflow bar instead of squashing the rest", () => {
    const rng = mulberry(3);
    const bulk = Array.from({ length: 2000 }, () => -2 - 3 * rng());
    const sorted = Float64Array.from([...bulk, -1e4]).sort();
    const [lo, hi] = scoreDomain(sorted);
    expect(lo).toBeGreaterThan(-100);
    expect(hi).toBeGreaterThan(sorted[sorted.length - 1]);
    expect(binScores(sorted, 30, [lo, hi]).under).toBe(1);
    const nb = scoreBinCount(sorted, [lo, hi]);
    expect(nb).toBeGreaterThanOrEqual(24);
    expect(nb).toBeLessThanOrEqual(90);
  });

  it("keeps the whole range when the tail is moderate, and copes with one value", () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => -i / 10).sort();
    const [lo, hi] = scoreDomain(sorted);
    expect(lo).toBeLessThan(sorted[0]);
    expect(hi).toBeGreaterThan(sorted[99]);
    const [a, b] = scoreDomain(Float64Array.from([3, 3, 3]));
    expect(a).toBeLessThan(3);
    expect(b).toBeGreaterThan(3);
  });
});

function mulberry(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
