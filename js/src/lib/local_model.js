// A model for a view embedded in another widget's view: some keys are the parent
// widget's synced traits (read, written and watched through the parent), the others live
// only in the browser. It speaks the anywidget model API (get / set / save_changes /
// on / off), so a view written for a widget of its own (e.g. the FitPlayer view) can be
// reused inside another widget without changes.

/**
 * @param {import("./traits.js").WidgetModel<any>} parent the anywidget model of the
 *   enclosing widget
 * @param {{forward?: string[], state?: object}} [opts] `forward`: keys that are the
 *   parent's; `state`: initial values of the local keys
 * @returns {import("./traits.js").WidgetModel<any> & {update: (values: object) => void,
 *   emit: (event: string, ...args: any[]) => void}}
 */
export function createLocalModel(parent, opts = {}) {
  const forward = new Set(opts.forward || []);
  const local = { ...(opts.state || {}) };
  const handlers = new Map();
  let dirty = false;

  const isForwarded = (event) => event.startsWith("change:") && forward.has(event.slice(7));
  const fire = (event, ...args) => {
    for (const cb of [...(handlers.get(event) || [])]) cb(...args);
  };

  const model = {
    get(key) {
      return forward.has(key) ? parent.get(key) : local[key];
    },
    set(key, value) {
      if (forward.has(key)) {
        parent.set(key, value);
        dirty = true;
        return;
      }
      const old = local[key];
      local[key] = value;
      if (old !== value) fire(`change:${key}`, value);
    },
    /**
     * Set several local keys, then fire their change events (as Backbone does: every
     * handler sees all the new values).
     */
    update(values) {
      const changed = [];
      for (const [key, value] of Object.entries(values)) {
        if (forward.has(key)) throw new Error(`update() sets local keys only, not ${key}`);
        if (local[key] !== value) changed.push(key);
        local[key] = value;
      }
      for (const key of changed) fire(`change:${key}`, local[key]);
    },
    save_changes() {
      // Only forwarded keys reach the kernel; local ones never leave the browser.
      if (!dirty) return;
      dirty = false;
      parent.save_changes();
    },
    on(event, cb) {
      if (isForwarded(event)) return parent.on(event, cb);
      if (!handlers.has(event)) handlers.set(event, new Set());
      handlers.get(event).add(cb);
    },
    off(event, cb) {
      if (isForwarded(event)) return parent.off(event, cb);
      handlers.get(event)?.delete(cb);
    },
    /** Deliver an event to the local listeners (e.g. a custom message). */
    emit: fire,
  };
  return model;
}
