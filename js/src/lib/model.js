// Helpers around the anywidget model (get / set / save_changes / on / off). They take
// the model typed by its widget's traits (lib/traits.js), so a trait or event name the
// widget does not have is a type error.

import { decodeArray } from "./codecs.js";
import { debounce } from "./timing.js";

/** @typedef {import("./traits.js").WidgetModel<any>} AnyWidgetModel */

/**
 * The events of a model: a change of one of its traits, or a custom message.
 * @template {AnyWidgetModel} M
 * @typedef {`change:${import("./traits.js").TraitName<M>}` | "msg:custom"} ModelEvent
 */

/**
 * Subscribe to several model events at once.
 * @template {AnyWidgetModel} M
 * @param {M} model anywidget model
 * @param {Partial<Record<ModelEvent<M>, (...args: any[]) => void>>} handlers event name ->
 *   callback
 * @returns {() => void} unsubscribes all of them
 */
export function listen(model, handlers) {
  for (const [event, fn] of Object.entries(handlers)) model.on(event, fn);
  return () => {
    for (const [event, fn] of Object.entries(handlers)) model.off(event, fn);
  };
}

/**
 * A debounced writer of one synced trait: during playback the frame index changes many
 * times a second, but Python only needs the value once things settle. Call `.flush()` to
 * send a pending value at once (on pause, step, or when the view goes away).
 * @template {AnyWidgetModel} M
 * @param {M} model
 * @param {import("./traits.js").TraitName<M>} key
 * @param {number} [wait]
 * @param {number} [maxWait]
 * @param {import("./timing.js").Timers} [timers]
 * @returns {((value: any) => void) & {flush: () => void, cancel: () => void}}
 */
export function debouncedSetter(model, key, wait = 150, maxWait = 600, timers = globalThis) {
  const write = (value) => {
    if (model.get(key) === value) return;
    model.set(key, value);
    model.save_changes();
  };
  return debounce(write, wait, maxWait, timers);
}

/**
 * Set a trait and send it now.
 * @template {AnyWidgetModel} M
 * @param {M} model
 * @param {import("./traits.js").TraitName<M>} key
 * @param {any} value
 */
export function setNow(model, key, value) {
  model.set(key, value);
  model.save_changes();
}

/**
 * The points of GMMWidget's `data` trait (the rows shown), or none before it is set.
 * @param {import("./traits.js").WidgetModel<import("./traits.js").GMMWidgetTraits>} model
 * @returns {Points}
 */
export function readPoints(model) {
  const arr = decodeArray(model.get("data"));
  if (!arr) return { X: new Float32Array(0), n: 0, d: 0 };
  return { X: arr.data, n: arr.shape[0], d: arr.shape.length > 1 ? arr.shape[1] : 1 };
}

/**
 * n points in d dimensions, row-major (float32 as Python sends them).
 * @typedef {{X: import("./codecs.js").TypedArray, n: number, d: number}} Points
 */
