// Text shown by the FitPlayer: iteration counter, badge state, read-outs. Pure functions
// of the frame store, so they are tested without a DOM.

import { formatNumber } from "../lib/scale.js";

/**
 * Counter text for frame `index`, e.g. "iter 12 / 37" or "iter 3 / 20 · init 2/4".
 * @param {import("./frames.js").FrameStore} store
 */
export function counterLabel(store, index, source = "fit") {
  if (store.length === 0) return "no frames";
  const f = store.get(index);
  if (source === "model" && store.length === 1) return "fitted model";
  const [, last] = store.initRange(index);
  const lastIter = store.get(last).nIter;
  let text = `iter ${f.nIter} / ${lastIter}`;
  const nInits = store.nInits;
  if (nInits > 1) text += ` \u00b7 init ${f.init + 1}/${nInits}`;
  return text;
}

/**
 * What the status badge says at frame `index`.
 * @returns {{text: string, kind: "success"|"warn"|"live"}|null}
 */
export function badgeState(store, index, status) {
  if (store.length === 0)
    return status === "fitting" ? { text: "fitting\u2026", kind: "live" } : null;
  const f = store.get(index);
  if (f.converged) return { text: "converged", kind: "success" };
  const [, last] = store.initRange(index);
  const atEnd = index === last;
  if (status === "fitting" && index === store.length - 1)
    return { text: "fitting\u2026", kind: "live" };
  if (atEnd && store.maxIter > 0 && f.nIter >= store.maxIter)
    return { text: "max_iter reached", kind: "warn" };
  if (status === "fitting") return { text: "fitting\u2026", kind: "live" };
  return null;
}

/** Read-out of the lower bound and its change at a frame. */
export function boundLabel(frame) {
  if (!frame) return "";
  if (!Number.isFinite(frame.lowerBound)) return "lower bound \u2013 (initialisation)";
  let text = `lower bound ${formatNumber(frame.lowerBound, 6)}`;
  if (Number.isFinite(frame.change)) text += ` \u00b7 \u0394 ${formatNumber(frame.change, 2)}`;
  return text;
}

/** "1,000 points" or "100,000 of 2,000,000 points shown (uniform random subsample)". */
export function pointsLabel(nShown, nTotal) {
  const fmt = (v) => v.toLocaleString("en-US");
  if (!nTotal || nShown >= nTotal) return `${fmt(nShown)} points`;
  return `${fmt(nShown)} of ${fmt(nTotal)} points shown (uniform random subsample, display only)`;
}
