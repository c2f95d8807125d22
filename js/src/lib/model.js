// Helpers around the anywidget model (get / set / save_changes / on / off).

import { debounce } from "./timing.js";

/**
 * Subscribe to several model events at once.
 * @param {object} model anywidget model
 * @param {Record<string, Function>} handlers event name -> callback
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
 * @returns {((value: any) => void) & {flush: Function, cancel: Function}}
 */
export function debouncedSetter(model, key, wait = 150, maxWait = 600, timers = globalThis) {
  const write = (value) => {
    if (model.get(key) === value) return;
    model.set(key, value);
    model.save_changes();
  };
  return debounce(write, wait, maxWait, timers);
}

/** Set a trait and send it now. */
export function setNow(model, key, value) {
  model.set(key, value);
  model.save_changes();
}
