import { describe, expect, it } from "vitest";
import { composeSVG } from "../src/lib/export.js";
import {
  fittingFontSize,
  legendLayer,
  selectorLayers,
  textLayer,
} from "../src/model_selector/export.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const THEME = { text: "rgb(20, 20, 20)", fontFamily: "sans-serif", background: "#ffffff" };

/** An element whose on-screen box is given (happy-dom does no layout). */
function boxed(tag, rect, ns = null) {
  const el = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
  el.getBoundingClientRect = () => ({
    left: rect[0],
    top: rect[1],
    width: rect[2],
    height: rect[3],
    right: rect[0] + rect[2],
    bottom: rect[1] + rect[3],
  });
  return el;
}

function fakeView({ trace = true } = {}) {
  const root = boxed("div", [100, 50, 800, 500]);
  const toolbar = boxed("div", [100, 50, 800, 30]);
  root.appendChild(toolbar);
  const chart = boxed("svg", [100, 80, 380, 300], SVG_NS);
  chart
    .appendChild(document.createElementNS(SVG_NS, "path"))
    .setAttribute("data-gmm-role", "curve");
  const canvas = boxed("canvas", [490, 80, 400, 260]);
  canvas.toDataURL = () => "data:image/png;base64,AAAA";
  const overlay = boxed("svg", [490, 80, 400, 260], SVG_NS);
  overlay
    .appendChild(document.createElementNS(SVG_NS, "ellipse"))
    .setAttribute("data-gmm-role", "ellipse");
  const traceRoot = boxed("svg", [490, 345, 400, 100], SVG_NS);
  const bestEl = document.createElement("span");
  bestEl.textContent = "best by BIC: K=3, full";
  const infoEl = boxed("div", [100, 520, 800, 30]);
  infoEl.textContent = "Shown: K=3, full \u00b7 BIC 380";
  return {
    root,
    bestEl,
    infoEl,
    chart: { root: chart },
    legendEl: boxed("ul", [100, 385, 380, 20]),
    model: { get: (key) => (key === "covariance_types" ? ["full", "diag"] : null) },
    colors: () => ({ full: [27, 158, 119], diag: [117, 112, 179] }),
    player: {
      scatter: { canvas, overlay },
      trace: { root: traceRoot },
      traceEl: { hidden: !trace },
    },
    shownPair: () => [3, "full"],
  };
}

describe("ModelSelector export", () => {
  it("places the chart, legend, model layers and read-outs where they are on screen", () => {
    const { layers, size } = selectorLayers(fakeView());
    expect(size.width).toBe(800);
    expect(size.height).toBe(500);
    const at = layers.map((l) => [l.element.tagName.toLowerCase(), l.x, l.y, l.width, l.height]);
    expect(at).toEqual([
      ["svg", 0, 0, 800, 30], // best (toolbar text)
      ["svg", 0, 30, 380, 300], // chart
      ["svg", 0, 335, 380, 20], // legend
      ["canvas", 390, 30, 400, 260], // points
      ["svg", 390, 30, 400, 260], // ellipses
      ["svg", 390, 295, 400, 100], // trace
      ["svg", 0, 470, 800, 30], // read-out
    ]);
  });

  it("leaves out a hidden trace and writes the HTML read-outs as SVG text", () => {
    const view = fakeView({ trace: false });
    const { layers, size } = selectorLayers(view);
    expect(layers).toHaveLength(6);
    const markup = composeSVG(layers, size);
    expect(markup).toContain("best by BIC: K=3, full");
    expect(markup).toContain("Shown: K=3, full");
    expect(markup).toContain('data-gmm-role="ellipse"');
    expect(markup).toContain('data-gmm-role="curve"');
    expect(markup).toContain("data:image/png;base64,AAAA");
    expect(markup).toMatch(/>full<\/text>.*>diag<\/text>/s);
  });

  it("draws each covariance type's marker in its colour", () => {
    const legend = legendLayer(["full", "spherical"], { full: [1, 2, 3] }, 300, 20, THEME);
    const paths = legend.querySelectorAll("path");
    expect(paths).toHaveLength(2);
    expect(paths[0].getAttribute("fill")).toBe("rgb(1, 2, 3)");
    expect(paths[1].getAttribute("fill")).toBe(THEME.text); // no colour known: the text's
    const text = textLayer(["a", "", "b"], 100, 40, THEME);
    expect([...text.querySelectorAll("text")].map((t) => t.textContent)).toEqual(["a", "b"]);
  });

  it("shrinks a long read-out to fit the width instead of cutting it off", () => {
    expect(fittingFontSize("short", 800)).toBe(13);
    const long = "x".repeat(120);
    const size = fittingFontSize(long, 700);
    expect(size).toBeLessThan(13);
    expect(0.6 * size * long.length).toBeLessThanOrEqual(700 - 8);
    expect(fittingFontSize("x".repeat(1000), 100)).toBe(8); // never unreadably small
  });
});
