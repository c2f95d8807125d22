// The controls of a mixture's settings, shared by MixtureExplorer (all of them) and
// AnomalyInspector (K, covariance, seed, n_init): K slider, covariance type, seed,
// n_init, init method, "reset to automatic init" and "animate refits". Every control is
// a real <input>, <select> or <button> with a data-gmm-role, so it works from the
// keyboard and the end-to-end tests find it. A control reports a change once it is
// final (the slider on release or per arrow key, a number on Enter or blur), through
// `onChange(values)`.

import { h } from "./dom.js";

export const COVARIANCE_TYPES = [
  ["full", "full"],
  ["tied", "tied"],
  ["diag", "diagonal"],
  ["spherical", "spherical"],
];
export const INIT_METHODS = [
  ["kmeans", "k-means"],
  ["k-means++", "k-means++"],
  ["random", "random responsibilities"],
  ["random_from_data", "random data points"],
];

/** Parse the seed field: "" is no seed (null), else a non-negative integer, else undefined. */
export function parseSeed(text) {
  const s = String(text).trim();
  if (s === "") return null;
  if (!/^\d+$/.test(s)) return undefined;
  const v = Number(s);
  return v < 2 ** 32 ? v : undefined;
}

/** Parse an integer field within [lo, hi]; undefined when it is not one. */
export function parseIntIn(text, lo, hi) {
  const s = String(text).trim();
  if (!/^\d+$/.test(s)) return undefined;
  const v = Number(s);
  return v >= lo && v <= hi ? v : undefined;
}

function select(role, label, options) {
  const s = h("select", {
    class: "gmm-select",
    "data-gmm-role": role,
    "aria-label": label,
    title: label,
  });
  for (const [value, text] of options) s.append(h("option", { value, text }));
  return s;
}

function field(label, control, extra = []) {
  return h("label", { class: "gmm-label gmm-field" }, [
    h("span", { class: "gmm-field-name", text: label }),
    control,
    ...extra,
  ]);
}

/**
 * The controls a widget gets by default, in the order they are shown. One more part is
 * only shown when asked for: "noise", a uniform noise component (traits `noise`, and
 * `noise_controls`: whether the model can have one; the box is hidden otherwise).
 */
export const ALL_PARTS = ["k", "covariance", "seed", "n_init", "init", "reset", "animate"];

/**
 * The traits the controls read and set: n_components, k_min, k_max, covariance_type,
 * random_state, n_init, max_n_init and, with those parts, init_params, handles, animate,
 * noise and noise_controls.
 * @typedef {{get: (key: any) => any, set: (key: any, value: any) => void,
 *   save_changes: () => void}} ControlsModel
 */

/**
 * @param {ControlsModel} model anywidget model of the widget
 * @param {{onChange: (values: Record<string, any>) => void, parts?: string[],
 *   label?: string}} opts `parts`: which controls (default: all of {@link ALL_PARTS})
 */
export function buildControls(model, opts) {
  const parts = new Set(opts.parts ?? ALL_PARTS);
  const slider = h("input", {
    type: "range",
    class: "gmm-k-slider",
    "data-gmm-role": "k-slider",
    step: 1,
    "aria-label": "Number of components K",
  });
  const kValue = h("output", {
    class: "gmm-k-value",
    "data-gmm-role": "k-value",
    "aria-hidden": "true",
  });
  const covariance = select("covariance-type", "Covariance type", COVARIANCE_TYPES);
  const seed = h("input", {
    type: "text",
    inputmode: "numeric",
    class: "gmm-input gmm-seed",
    "data-gmm-role": "seed",
    placeholder: "none",
    "aria-label": "Random seed of the automatic init (empty: a fresh one every fit)",
    title: "Seed (empty: random)",
  });
  const newSeed = h("button", {
    type: "button",
    class: "gmm-button",
    "data-gmm-role": "new-seed",
    title: "Another seed",
    "aria-label": "Draw another seed",
    text: "\u21bb",
  });
  const nInit = h("input", {
    type: "number",
    class: "gmm-input gmm-n-init",
    "data-gmm-role": "n-init",
    min: 1,
    step: 1,
    "aria-label": "Number of initialisations (the best is kept)",
    title: "Initialisations (the best is kept)",
  });
  const init = select("init-method", "Automatic init method", INIT_METHODS);
  const reset = h("button", {
    type: "button",
    class: "gmm-button",
    "data-gmm-role": "reset-init",
    title: "Forget the dragged means and use the automatic init",
    text: "Reset to automatic init",
  });
  const animate = h("input", {
    type: "checkbox",
    "data-gmm-role": "animate",
    "aria-label": "Play each refit's EM run",
  });
  const noise = h("input", {
    type: "checkbox",
    "data-gmm-role": "noise-toggle",
    "aria-label": "Add a uniform noise component over the data's box",
  });
  const noiseLabel = h(
    "label",
    {
      class: "gmm-label gmm-check",
      title: "A uniform background component over the data's box (mclust's noise)",
    },
    [noise, "noise"],
  );

  const send = (values) => opts.onChange(values);
  slider.addEventListener("input", () => {
    kValue.textContent = slider.value;
  });
  slider.addEventListener("change", () => {
    const K = Number(slider.value);
    if (K !== model.get("n_components")) send({ n_components: K });
  });
  covariance.addEventListener("change", () => send({ covariance_type: covariance.value }));
  init.addEventListener("change", () => send({ init_params: init.value }));
  const commitSeed = () => {
    const v = parseSeed(seed.value);
    if (v === undefined) {
      seed.setAttribute("aria-invalid", "true");
      return;
    }
    seed.removeAttribute("aria-invalid");
    if (v !== model.get("random_state")) send({ random_state: v });
  };
  seed.addEventListener("change", commitSeed);
  seed.addEventListener("keydown", (event) => {
    if (event.key === "Enter") commitSeed();
    event.stopPropagation();
  });
  newSeed.addEventListener("click", () => {
    const current = model.get("random_state");
    let v = Math.floor(Math.random() * 100000);
    if (v === current) v = (v + 1) % 100000;
    send({ random_state: v });
  });
  const commitInit = () => {
    const v = parseIntIn(nInit.value, 1, Number(model.get("max_n_init")) || 50);
    if (v === undefined) {
      nInit.setAttribute("aria-invalid", "true");
      return;
    }
    nInit.removeAttribute("aria-invalid");
    if (v !== model.get("n_init")) send({ n_init: v });
  };
  nInit.addEventListener("change", commitInit);
  nInit.addEventListener("keydown", (event) => event.stopPropagation());
  reset.addEventListener("click", () => send({ handles: null }));
  animate.addEventListener("change", () => {
    model.set("animate", animate.checked);
    model.save_changes();
  });
  noise.addEventListener("change", () => send({ noise: noise.checked }));

  const root = h(
    "div",
    {
      class: "gmm-toolbar gmm-explorer-controls",
      role: "toolbar",
      "aria-label": opts.label ?? "Mixture controls",
    },
    [
      parts.has("k") && field("K", slider, [kValue]),
      parts.has("covariance") && field("covariance", covariance),
      parts.has("seed") && field("seed", seed, [newSeed]),
      parts.has("n_init") && field("n_init", nInit),
      parts.has("init") && field("init", init),
      parts.has("reset") && reset,
      parts.has("animate") && h("label", { class: "gmm-label gmm-check" }, [animate, "animate"]),
      parts.has("noise") && noiseLabel,
    ].filter((node) => node instanceof Node),
  );

  /** Show the model's values (after a change from Python, a revert, or our own change). */
  function update() {
    const kMin = Number(model.get("k_min")) || 1;
    const kMax = Number(model.get("k_max")) || 10;
    slider.min = String(kMin);
    slider.max = String(kMax);
    const K = String(model.get("n_components"));
    if (slider.value !== K) slider.value = K;
    kValue.textContent = K;
    slider.setAttribute("aria-valuetext", `K = ${K}`);
    covariance.value = model.get("covariance_type");
    if (parts.has("init")) init.value = model.get("init_params");
    const s = model.get("random_state");
    if (typeof document === "undefined" || document.activeElement !== seed) {
      seed.value = s === null || s === undefined ? "" : String(s);
      seed.removeAttribute("aria-invalid");
    }
    nInit.max = String(Number(model.get("max_n_init")) || 50);
    if (typeof document === "undefined" || document.activeElement !== nInit)
      nInit.value = String(model.get("n_init"));
    const handles = parts.has("reset") ? model.get("handles") : null;
    const manual = handles !== null && handles !== undefined;
    reset.disabled = !manual;
    // Seed, n_init and the method drive the automatic init only.
    for (const c of [seed, newSeed, nInit, init]) {
      if (c.dataset.autoTitle === undefined) c.dataset.autoTitle = c.getAttribute("title") || "";
      c.disabled = manual;
      c.setAttribute(
        "title",
        manual
          ? "Used by the automatic init; \u201cReset to automatic init\u201d to use it"
          : c.dataset.autoTitle,
      );
    }
    animate.checked = Boolean(model.get("animate"));
    if (parts.has("noise")) {
      noise.checked = Boolean(model.get("noise"));
      noiseLabel.hidden = !model.get("noise_controls");
    }
  }
  update();

  return {
    root,
    update,
    elements: { slider, kValue, covariance, seed, newSeed, nInit, init, reset, animate, noise },
  };
}
