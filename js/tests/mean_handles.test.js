import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createLocalModel } from "../src/lib/local_model.js";
import {
  DRAG_THRESHOLD,
  KEY_COMMIT_DELAY,
  createMeanHandles,
  keyStep,
  moveMean,
} from "../src/mixture_explorer/mean_handles.js";
import { featurePair, linearProjection, projectMean } from "../src/lib/projection.js";
import { linearScale } from "../src/lib/scale.js";
import { mockModel } from "./helpers.js";

describe("moveMean", () => {
  it("sets exactly the two shown features of a feature pair and keeps the others", () => {
    const proj = featurePair(4, 2, 0);
    const m = moveMean([1, 2, 3, 4], proj, [10, 20]);
    expect(Array.from(m)).toEqual([20, 2, 10, 4]);
  });

  it("moves within the plane of orthonormal axes (PCA), by the smallest change", () => {
    const s = Math.SQRT1_2;
    const proj = linearProjection([s, s, 0, -s, s, 0], [1, 1, 1], 3);
    const mean = [0.5, 2, -3];
    const target = [4, -1];
    const out = moveMean(mean, proj, target);
    const [a, b] = projectMean(out, proj);
    expect(a).toBeCloseTo(4, 12);
    expect(b).toBeCloseTo(-1, 12);
    expect(out[2]).toBe(-3); // orthogonal to the plane: untouched
  });

  it("moves along x only when both axes show the same feature", () => {
    const out = moveMean([1, 2], featurePair(2, 0, 0), [5, 9]);
    expect(Array.from(out)).toEqual([5, 2]);
  });

  it("ignores a non-finite y (a 1-D view)", () => {
    expect(Array.from(moveMean([1, 2], featurePair(2, 0, 1), [3, NaN]))).toEqual([3, 2]);
  });
});

describe("keyStep", () => {
  it("steps 2% of the span, x5 with Shift, /5 with Alt; other keys are not steps", () => {
    expect(keyStep({ key: "ArrowRight" }, [100, 10])).toEqual([2, 0]);
    expect(keyStep({ key: "ArrowLeft", shiftKey: true }, [100, 10])).toEqual([-10, 0]);
    const up = keyStep({ key: "ArrowUp", altKey: true }, [100, 10]);
    expect(up[0]).toBe(0);
    expect(up[1]).toBeCloseTo(0.04, 12);
    expect(keyStep({ key: "ArrowDown" }, [100, 10])).toEqual([0, -0.2]);
    expect(keyStep({ key: "a" }, [1, 1])).toBeNull();
  });
});

function setup(
  points = [
    [0, 0],
    [5, 5],
  ],
  axis = "xy",
) {
  const root = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  const layer = document.createElementNS("http://www.w3.org/2000/svg", "g");
  root.appendChild(layer);
  document.body.appendChild(root);
  const events = [];
  const handles = createMeanHandles(layer, {
    onPreview: (k, p) => events.push(["preview", k, p]),
    onCommit: (k, p) => events.push(["commit", k, p]),
    onCancel: (k) => events.push(["cancel", k]),
  });
  // 10 px per data unit; y up. Pixel (100, 300) is data (0, 0).
  const scales = { x: linearScale([-10, 10], [0, 200]), y: linearScale([-10, 10], [400, 200]) };
  const items = points.map((p, k) => ({ point: p, color: [10 * k, 20, 30], label: `handle ${k}` }));
  handles.render(items, scales, { axis });
  const nodes = () => layer.querySelectorAll('[data-gmm-role="mean-handle"]');
  return { handles, layer, events, nodes, scales, items };
}

const pointer = (type, x, y, extra = {}) =>
  new PointerEvent(type, {
    clientX: x,
    clientY: y,
    bubbles: true,
    pointerId: 1,
    button: 0,
    ...extra,
  });

describe("mean handles", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    document.body.replaceChildren();
  });

  it("draws one focusable, labelled handle per component at its data position", () => {
    const { nodes } = setup();
    const n = nodes();
    expect(n).toHaveLength(2);
    expect([...n].map((e) => e.getAttribute("data-component"))).toEqual(["0", "1"]);
    expect(n[0].getAttribute("tabindex")).toBe("0");
    expect(n[0].getAttribute("role")).toBe("button");
    expect(n[1].getAttribute("aria-label")).toBe("handle 1");
    expect(n[0].getAttribute("transform")).toBe("translate(100.00,300.00)");
    expect(n[1].getAttribute("transform")).toBe("translate(150.00,250.00)");
  });

  it("re-rendering with fewer items removes the last handles", () => {
    const { handles, nodes, scales } = setup([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
    handles.render([{ point: [0, 0], color: [0, 0, 0], label: "a" }], scales);
    expect(nodes()).toHaveLength(1);
  });

  it("a drag previews while moving and commits once on release, in data coordinates", () => {
    const { nodes, events } = setup();
    const h = nodes()[0];
    h.dispatchEvent(pointer("pointerdown", 102, 301)); // grabbed 2 px right, 1 px below the centre
    h.dispatchEvent(pointer("pointermove", 122, 281));
    h.dispatchEvent(pointer("pointermove", 142, 261));
    h.dispatchEvent(pointer("pointerup", 142, 261));
    const previews = events.filter((e) => e[0] === "preview");
    const commits = events.filter((e) => e[0] === "commit");
    expect(previews.length).toBeGreaterThanOrEqual(2);
    expect(commits).toHaveLength(1);
    expect(commits[0][1]).toBe(0);
    // The handle keeps its offset to the pointer: centre moves by (+40, -40) px = (+4, +4).
    expect(commits[0][2][0]).toBeCloseTo(4, 10);
    expect(commits[0][2][1]).toBeCloseTo(4, 10);
  });

  it("a click without movement is not a drag", () => {
    const { nodes, events } = setup();
    const h = nodes()[1];
    h.dispatchEvent(pointer("pointerdown", 150, 250));
    h.dispatchEvent(pointer("pointermove", 150 + DRAG_THRESHOLD / 2, 250));
    h.dispatchEvent(pointer("pointerup", 150 + DRAG_THRESHOLD / 2, 250));
    expect(events).toEqual([]);
  });

  it("clamps a drag to the plot area", () => {
    const { nodes, events } = setup();
    const h = nodes()[0];
    h.dispatchEvent(pointer("pointerdown", 100, 300));
    h.dispatchEvent(pointer("pointerup", 900, -500));
    const [, , p] = events.find((e) => e[0] === "commit");
    expect(p).toEqual([10, 10]);
  });

  it("Escape during a drag cancels it", () => {
    const { nodes, events } = setup();
    const h = nodes()[0];
    h.dispatchEvent(pointer("pointerdown", 100, 300));
    h.dispatchEvent(pointer("pointermove", 130, 300));
    h.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    h.dispatchEvent(pointer("pointerup", 130, 300));
    expect(events.map((e) => e[0])).toEqual(["preview", "cancel"]);
  });

  it("arrow keys move the focused handle; one commit after the keys stop", () => {
    const { nodes, events } = setup();
    const h = nodes()[1];
    const outer = vi.fn();
    document.body.addEventListener("keydown", outer);
    for (const key of ["ArrowRight", "ArrowRight", "ArrowUp"])
      h.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true }));
    expect(outer).not.toHaveBeenCalled(); // the player's and JupyterLab's keys stay out
    expect(events.filter((e) => e[0] === "commit")).toHaveLength(0);
    const last = events[events.length - 1];
    expect(last[0]).toBe("preview");
    expect(last[2][0]).toBeCloseTo(5.8, 10); // 2 x 2% of a 20-wide axis
    expect(last[2][1]).toBeCloseTo(5.4, 10);
    vi.advanceTimersByTime(KEY_COMMIT_DELAY + 1);
    const commits = events.filter((e) => e[0] === "commit");
    expect(commits).toHaveLength(1);
    expect(commits[0][2]).toEqual(last[2]);
  });

  it("Enter commits a keyboard move at once; Escape abandons one", () => {
    const { nodes, events } = setup();
    const h = nodes()[0];
    h.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowLeft", bubbles: true }));
    h.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    expect(events.map((e) => e[0])).toEqual(["preview", "commit"]);
    h.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true }));
    h.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    vi.advanceTimersByTime(KEY_COMMIT_DELAY * 2);
    expect(events.map((e) => e[0])).toEqual(["preview", "commit", "preview", "cancel"]);
  });

  it("in a 1-D view the handles sit on a band above the x axis and only move along x", () => {
    const { nodes, events } = setup([[2, NaN]], "x");
    const h = nodes()[0];
    expect(h.getAttribute("transform")).toBe("translate(120.00,378.00)");
    h.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowUp", bubbles: true }));
    expect(events).toEqual([]);
    h.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
    expect(events[0][2][0]).toBeCloseTo(2.4, 10);
    expect(Number.isNaN(events[0][2][1])).toBe(true);
  });

  it("draws trails through pixel paths, skipping non-finite points", () => {
    const { handles, layer } = setup();
    handles.drawTrails([{ xs: [0, 10, NaN, 30], ys: [0, 5, 1, 7], color: [1, 2, 3] }]);
    const path = layer.querySelector(".gmm-trail");
    expect(path.getAttribute("d")).toBe("M0.0,0.0L10.0,5.0L30.0,7.0");
    handles.drawTrails([]);
    expect(layer.querySelector(".gmm-trail")).toBeNull();
  });
});

describe("createLocalModel", () => {
  it("forwards some keys to the parent and keeps the others in the browser", () => {
    const parent = mockModel({ fps: 5, data: "D" });
    const local = createLocalModel(parent, { forward: ["fps", "data"], state: { frame: 0 } });
    const seen = [];
    local.on("change:fps", (v) => seen.push(["fps", v]));
    local.on("change:frame", (v) => seen.push(["frame", v]));
    expect(local.get("data")).toBe("D");
    local.set("frame", 3);
    local.save_changes();
    expect(parent.saved).toHaveLength(0); // local keys never reach the kernel
    local.set("fps", 10);
    local.save_changes();
    expect(parent.saved).toHaveLength(1);
    expect(parent.get("fps")).toBe(10);
    parent.fromKernel("fps", 2);
    expect(seen).toEqual([
      ["frame", 3],
      ["fps", 10],
      ["fps", 2],
    ]);
  });

  it("update() sets every key before any change event fires", () => {
    const local = createLocalModel(mockModel({}), { state: { a: 1, b: 1 } });
    const seen = [];
    local.on("change:a", () => seen.push(["a", local.get("a"), local.get("b")]));
    local.update({ a: 2, b: 2 });
    expect(seen).toEqual([["a", 2, 2]]);
    expect(() => createLocalModel(mockModel({}), { forward: ["x"] }).update({ x: 1 })).toThrow();
  });

  it("off() removes local and forwarded listeners", () => {
    const parent = mockModel({ fps: 1 });
    const local = createLocalModel(parent, { forward: ["fps"], state: { frame: 0 } });
    const fn = vi.fn();
    local.on("change:fps", fn);
    local.on("change:frame", fn);
    local.off("change:fps", fn);
    local.off("change:frame", fn);
    parent.fromKernel("fps", 3);
    local.set("frame", 1);
    expect(fn).not.toHaveBeenCalled();
    expect(parent.listenerCount()).toBe(0);
  });
});

describe("formatScore and keepKeys", async () => {
  const { formatScore } = await import("../src/lib/format.js");
  const { keepKeys } = await import("../src/lib/keys.js");

  it("groups the digits of large criteria", () => {
    expect(formatScore(163932.4349)).toBe("163,932.4");
    expect(formatScore(-12000)).toBe("\u221212,000.0");
    expect(formatScore(210.5)).toBe("210.500");
    expect(formatScore(NaN)).toBe("\u2013");
  });

  it("keeps keys inside the controls, except Tab, Escape and Ctrl/Cmd shortcuts", () => {
    const outer = document.createElement("div");
    const inner = document.createElement("input");
    outer.appendChild(inner);
    document.body.appendChild(outer);
    const seen = [];
    outer.addEventListener("keydown", (e) => seen.push(e.key));
    const box = document.createElement("span");
    outer.appendChild(box);
    box.appendChild(inner);
    const stop = keepKeys(box);
    for (const key of ["ArrowRight", "Tab", "Escape", "5"])
      inner.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
    inner.dispatchEvent(new KeyboardEvent("keydown", { key: "s", ctrlKey: true, bubbles: true }));
    expect(seen).toEqual(["Tab", "Escape", "s"]);
    stop();
    inner.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowLeft", bubbles: true }));
    expect(seen).toEqual(["Tab", "Escape", "s", "ArrowLeft"]);
    document.body.replaceChildren();
  });
});
