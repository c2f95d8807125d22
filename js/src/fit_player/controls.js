// The FitPlayer's controls (also in the players that MixtureExplorer and ModelSelector
// embed): play/pause, step back and forward, a scrub slider, a speed menu and an
// iteration read-out. Every control is a real <button>, <input> or <select> with a
// data-gmm-role attribute, so it works from the keyboard and the end-to-end tests find it.

import { h } from "../lib/dom.js";
import { icon, setIcon } from "../lib/icons.js";

/** Speeds offered in the menu, in frames per second. */
export const SPEEDS = [1, 2, 5, 10, 20, 40];

/**
 * Build the controls for a Playback.
 * @param {import("./playback.js").Playback} playback
 * @param {{onSpeed?: (fps: number) => void}} [opts]
 * @returns {{root: HTMLElement, update: (state: {index: number, length: number,
 *   playing: boolean, label?: string}) => void, setSpeed: (fps: number) => void,
 *   buttons: object}}
 */
export function createPlayerControls(playback, opts = {}) {
  const back = h(
    "button",
    {
      type: "button",
      class: "gmm-button",
      "data-gmm-role": "step-back",
      title: "Step back (\u2190)",
      "aria-label": "Step back one iteration",
    },
    [icon("step-back")],
  );
  const play = h(
    "button",
    {
      type: "button",
      class: "gmm-button gmm-button-primary",
      "data-gmm-role": "play",
      title: "Play (space)",
      "aria-label": "Play",
    },
    [icon("play")],
  );
  const step = h(
    "button",
    {
      type: "button",
      class: "gmm-button",
      "data-gmm-role": "step",
      title: "Step forward (\u2192)",
      "aria-label": "Step forward one iteration",
    },
    [icon("step-forward")],
  );
  const scrub = h("input", {
    type: "range",
    class: "gmm-scrub",
    "data-gmm-role": "scrub",
    min: 0,
    max: 0,
    step: 1,
    value: 0,
    "aria-label": "Frame",
  });
  const speed = h("select", {
    class: "gmm-select",
    "data-gmm-role": "speed",
    title: "Playback speed",
    "aria-label": "Playback speed",
  });
  for (const fps of SPEEDS) speed.append(h("option", { value: fps, text: `${fps} it/s` }));
  speed.value = String(SPEEDS.includes(playback.fps) ? playback.fps : 5);
  const counter = h("span", {
    class: "gmm-counter",
    "data-gmm-role": "iteration",
    "aria-live": "polite",
  });

  back.addEventListener("click", () => playback.step(-1));
  step.addEventListener("click", () => playback.step(1));
  play.addEventListener("click", () => playback.toggle());
  scrub.addEventListener("input", () => playback.seek(Number(scrub.value), "scrub"));
  speed.addEventListener("change", () => {
    const fps = Number(speed.value);
    playback.setFps(fps);
    if (opts.onSpeed) opts.onSpeed(fps);
  });

  const root = h("div", { class: "gmm-player-controls" }, [
    back,
    play,
    step,
    scrub,
    speed,
    counter,
  ]);

  function update({ index, length, playing, label }) {
    scrub.max = String(Math.max(0, length - 1));
    scrub.value = String(index);
    scrub.disabled = length <= 1;
    back.disabled = index <= 0;
    step.disabled = index >= length - 1;
    play.disabled = length <= 1 && !playing;
    setIcon(play, playing ? "pause" : "play");
    play.setAttribute("aria-label", playing ? "Pause" : "Play");
    play.title = playing ? "Pause (space)" : "Play (space)";
    play.setAttribute("aria-pressed", playing ? "true" : "false");
    if (label !== undefined) counter.textContent = label;
  }

  function setSpeed(fps) {
    speed.value = String(fps);
  }

  return { root, update, setSpeed, buttons: { back, play, step, scrub, speed, counter } };
}

/**
 * Keyboard shortcuts on a focusable root: space/k play-pause, arrows step, Home/End jump.
 * Keys typed into form controls keep their own meaning.
 */
export function bindPlayerKeys(root, playback) {
  const onKey = (event) => {
    const tag = event.target?.tagName;
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") return;
    let handled = true;
    if (event.key === " " || event.key === "k") {
      if (tag === "BUTTON") return; // a focused button handles space itself
      playback.toggle();
    } else if (event.key === "ArrowRight") playback.step(1);
    else if (event.key === "ArrowLeft") playback.step(-1);
    else if (event.key === "Home") playback.seek(0);
    else if (event.key === "End") playback.seek(playback.length() - 1);
    else handled = false;
    if (handled) {
      event.preventDefault();
      event.stopPropagation(); // keep JupyterLab's notebook shortcuts out of it
    }
  };
  root.addEventListener("keydown", onKey);
  return () => root.removeEventListener("keydown", onKey);
}
