// Timing helpers.

/**
 * The timers a view runs on: the global ones, or fake ones in the tests.
 * @typedef {{setTimeout: (fn: () => void, ms?: number) => any,
 *   clearTimeout: (id: any) => void}} Timers
 */

/**
 * Debounce `fn`: call it `wait` ms after the last call, and at least every `maxWait` ms
 * while calls keep coming. `flush()` calls it now if a call is pending; `cancel()` drops it.
 * @template {(...args: any[]) => void} F
 * @param {F} fn
 * @param {number} wait
 * @param {number} [maxWait]
 * @param {Timers} [timers]
 * @returns {((...args: Parameters<F>) => void) & {flush: () => void, cancel: () => void,
 *   pending: () => boolean}}
 */
export function debounce(fn, wait, maxWait = Infinity, timers = globalThis) {
  let timer = null;
  let first = 0;
  let pendingArgs = null;
  const run = () => {
    timer = null;
    first = 0;
    const args = pendingArgs;
    pendingArgs = null;
    if (args) fn(...args);
  };
  const debounced = (...args) => {
    pendingArgs = args;
    const now = Date.now();
    if (!first) first = now;
    if (timer !== null) timers.clearTimeout(timer);
    const delay = Math.min(wait, Math.max(0, first + maxWait - now));
    timer = timers.setTimeout(run, delay);
  };
  debounced.flush = () => {
    if (timer !== null) timers.clearTimeout(timer);
    if (pendingArgs) run();
    else timer = null;
  };
  debounced.cancel = () => {
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
    first = 0;
    pendingArgs = null;
  };
  debounced.pending = () => pendingArgs !== null;
  return debounced;
}
