// Test helpers: a stand-in for the anywidget model, and frame batches encoded the way
// gmm_widgets/widgets/_frames.py + _transport.py encode them.
import { encodeArray } from "../src/lib/codecs.js";

/** A minimal anywidget/Backbone-like model: get/set/save_changes/on/off, change events. */
export function mockModel(initial) {
  const state = { ...initial };
  const handlers = new Map();
  const saved = [];
  const sent = [];
  const fire = (event, ...args) => {
    for (const cb of [...(handlers.get(event) || [])]) cb(...args);
  };
  return {
    state,
    saved,
    get: (key) => state[key],
    set(key, value) {
      const old = state[key];
      state[key] = value;
      if (old !== value) fire(`change:${key}`, value);
    },
    save_changes() {
      saved.push({ ...state });
    },
    /** Custom messages to the kernel (model.send). */
    sent,
    send(content) {
      sent.push(content);
    },
    on(event, cb) {
      if (!handlers.has(event)) handlers.set(event, new Set());
      handlers.get(event).add(cb);
    },
    off(event, cb) {
      handlers.get(event)?.delete(cb);
    },
    /** Simulate a message from the kernel (a trait change from Python or a custom message). */
    fromKernel(key, value) {
      state[key] = value;
      fire(`change:${key}`, value);
    },
    emit: fire,
    listenerCount: () => [...handlers.values()].reduce((n, s) => n + s.size, 0),
  };
}

/** Encode a JS array of numbers like Python does. */
export function enc(values, shape, dtype = "float32") {
  return encodeArray(Float64Array.from(values.flat(Infinity)), shape, dtype);
}

/**
 * Frames of a K-component mixture in d dimensions whose means drift from `from` to
 * `to` over F frames (full covariances = identity * scale).
 */
export function makeFrames({
  F = 5,
  K = 2,
  d = 2,
  type = "full",
  maxIter = 100,
  converged = true,
  inits = null,
} = {}) {
  const weights = [];
  const means = [];
  const covs = [];
  const lb = [];
  const change = [];
  const nIter = [];
  const init = [];
  const conv = [];
  for (let f = 0; f < F; f++) {
    const initIndex = inits ? inits[f] : 0;
    const firstOfInit = inits ? inits.indexOf(initIndex) : 0;
    const it = f - firstOfInit;
    for (let k = 0; k < K; k++) weights.push(1 / K);
    for (let k = 0; k < K; k++)
      for (let j = 0; j < d; j++) means.push(k * 4 * (1 - 0.5 / (f + 1)) + j * 0.1);
    if (type === "full")
      for (let k = 0; k < K; k++)
        for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) covs.push(i === j ? 1 : 0);
    else if (type === "tied")
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) covs.push(i === j ? 1 : 0);
    else if (type === "diag")
      for (let k = 0; k < K; k++) for (let j = 0; j < d; j++) covs.push(1 + j);
    else for (let k = 0; k < K; k++) covs.push(1 + k);
    lb.push(it === 0 ? -Infinity : -3 + it * 0.1);
    change.push(it === 0 ? NaN : 0.1);
    nIter.push(it);
    init.push(initIndex);
    const lastOfInit = inits ? f === inits.lastIndexOf(initIndex) : f === F - 1;
    conv.push(converged && lastOfInit ? 1 : 0);
  }
  const covShape = { full: [F, K, d, d], tied: [F, d, d], diag: [F, K, d], spherical: [F, K] }[
    type
  ];
  return {
    covariance_type: type,
    n_components: K,
    n_features: d,
    max_iter: maxIter,
    weights: enc(weights, [F, K]),
    means: enc(means, [F, K, d]),
    covariances: enc(covs, covShape),
    lower_bound: enc(lb, [F]),
    change: enc(change, [F]),
    n_iter: enc(nIter, [F], "int32"),
    init: enc(init, [F], "int32"),
    converged: enc(conv, [F], "uint8"),
    elapsed: enc(
      nIter.map((i) => i * 0.01),
      [F],
    ),
  };
}

/** n points in two clusters in d dimensions, encoded. */
export function makeData(n = 40, d = 2) {
  const values = [];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) values.push((i % 2) * 4 + ((i * 7 + j * 3) % 5) / 5);
  return enc(values, [n, d]);
}

/** Drop a leading run of frames from a batch (as a streamed chunk would hold). */
export function sliceFrames(batch, start, end) {
  const out = { ...batch };
  for (const key of [
    "weights",
    "means",
    "covariances",
    "lower_bound",
    "change",
    "n_iter",
    "init",
    "converged",
    "elapsed",
  ]) {
    const a = batch[key];
    const per = a.shape.slice(1).reduce((x, y) => x * y, 1);
    const size = { float32: 4, int32: 4, uint8: 1, float64: 8 }[a.dtype];
    const view = a.buffer;
    out[key] = {
      shape: [end - start, ...a.shape.slice(1)],
      dtype: a.dtype,
      buffer: new DataView(
        view.buffer,
        view.byteOffset + start * per * size,
        (end - start) * per * size,
      ),
    };
  }
  return out;
}

/** Build a custom message as gmm_widgets.widgets._transport.pack_message does. */
export function packMessage(type, payload) {
  const paths = [];
  const buffers = [];
  const walk = (obj, path) => {
    if (Array.isArray(obj)) return obj.map((v, i) => walk(v, [...path, i]));
    if (obj && typeof obj === "object" && !(obj instanceof DataView)) {
      const out = {};
      for (const [k, v] of Object.entries(obj)) {
        if (v instanceof DataView) {
          paths.push([...path, k]);
          buffers.push(v);
        } else out[k] = walk(v, [...path, k]);
      }
      return out;
    }
    return obj;
  };
  return [{ type, state: walk(payload, []), buffer_paths: paths }, buffers];
}

/**
 * FitPlayer's playback and view traits at the start: the first frame, stopped, the
 * feature view of x0/y0 = features 0 and 1 (a fresh object each call).
 * @returns {Record<string, any>}
 */
export function playerAtStart() {
  return {
    frame: 0,
    playing: false,
    fps: 10,
    status: "done",
    source: "fit",
    projection: "features",
    x_feature: 0,
    y_feature: 1,
    pca: {},
  };
}
