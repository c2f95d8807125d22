import { describe, expect, it } from "vitest";
import { covarianceSize, FrameStore } from "../src/fit_player/frames.js";
import { badgeState, boundLabel, counterLabel, pointsLabel } from "../src/fit_player/labels.js";
import { makeFrames, sliceFrames } from "./helpers.js";

describe("FrameStore", () => {
  it("splits a batch into frames", () => {
    const s = new FrameStore().setAll(makeFrames({ F: 4, K: 3, d: 2 }));
    expect(s.length).toBe(4);
    expect(s.K).toBe(3);
    expect(s.d).toBe(2);
    const f = s.get(2);
    expect(f.weights).toHaveLength(3);
    expect(f.means).toHaveLength(6);
    expect(f.covariances).toHaveLength(12);
    expect(f.nIter).toBe(2);
    expect(s.get(0).lowerBound).toBe(-Infinity);
    expect(s.get(3).converged).toBe(true);
    expect(s.get(2).converged).toBe(false);
  });

  it("expands each covariance type", () => {
    for (const type of ["full", "tied", "diag", "spherical"]) {
      const s = new FrameStore().setAll(makeFrames({ F: 2, K: 2, d: 3, type }));
      const covs = s.fullCovariances(1);
      expect(covs).toHaveLength(2);
      expect(covs[1]).toHaveLength(9);
      expect(covs[1][0]).toBeGreaterThan(0);
      expect(covs[1][1]).toBe(0);
    }
    expect(covarianceSize("tied", 5, 3)).toBe(9);
    expect(() => covarianceSize("nope", 1, 1)).toThrow();
  });

  it("is empty for an empty batch", () => {
    expect(new FrameStore().setAll({}).length).toBe(0);
    expect(new FrameStore().setAll(null).length).toBe(0);
  });

  it("appends streamed chunks in order, trims overlaps and refuses gaps", () => {
    const all = makeFrames({ F: 6 });
    const s = new FrameStore();
    expect(s.append(0, sliceFrames(all, 0, 2))).toBe(true);
    expect(s.length).toBe(2);
    expect(s.append(4, sliceFrames(all, 4, 6))).toBe(false); // gap
    expect(s.append(1, sliceFrames(all, 1, 4))).toBe(true); // overlap
    expect(s.length).toBe(4);
    expect(s.get(3).nIter).toBe(3);
    expect(s.append(4, sliceFrames(all, 4, 6))).toBe(true);
    expect(s.length).toBe(6);
  });

  it("finds the frames of each init", () => {
    const s = new FrameStore().setAll(makeFrames({ F: 7, inits: [0, 0, 0, 1, 1, 1, 1] }));
    expect(s.nInits).toBe(2);
    expect(s.initRange(1)).toEqual([0, 2]);
    expect(s.initRange(5)).toEqual([3, 6]);
    expect(s.get(3).nIter).toBe(0);
  });
});

describe("labels", () => {
  it("counts iterations within the init", () => {
    const s = new FrameStore().setAll(makeFrames({ F: 7, inits: [0, 0, 0, 1, 1, 1, 1] }));
    expect(counterLabel(s, 1)).toBe("iter 1 / 2 \u00b7 init 1/2");
    expect(counterLabel(s, 6)).toBe("iter 3 / 3 \u00b7 init 2/2");
    const one = new FrameStore().setAll(makeFrames({ F: 1 }));
    expect(counterLabel(one, 0, "model")).toBe("fitted model");
    expect(counterLabel(new FrameStore(), 0)).toBe("no frames");
  });

  it("shows converged, max_iter reached, or fitting", () => {
    const conv = new FrameStore().setAll(makeFrames({ F: 3, converged: true }));
    expect(badgeState(conv, 2, "done")).toEqual({ text: "converged", kind: "success" });
    expect(badgeState(conv, 1, "done")).toBeNull();
    const capped = new FrameStore().setAll(makeFrames({ F: 3, converged: false, maxIter: 2 }));
    expect(badgeState(capped, 2, "done").kind).toBe("warn");
    expect(badgeState(capped, 2, "fitting").kind).toBe("live");
    expect(badgeState(new FrameStore(), 0, "fitting").kind).toBe("live");
    expect(badgeState(new FrameStore(), 0, "idle")).toBeNull();
  });

  it("formats the lower bound and the points read-out", () => {
    const s = new FrameStore().setAll(makeFrames({ F: 3 }));
    expect(boundLabel(s.get(0))).toMatch(/initialisation/);
    expect(boundLabel(s.get(2))).toMatch(/lower bound \u22122\.8.*\u0394 0\.1/);
    expect(pointsLabel(500, 500)).toBe("500 points");
    expect(pointsLabel(100000, 250000)).toMatch(
      /100,000 of 250,000 points shown \(uniform random subsample/,
    );
  });
});
