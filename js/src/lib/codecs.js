// Binary array codecs shared by every widget.
//
// Python (gmm_widgets/widgets/_transport.py) sends an array as
//   {shape: [n, d], dtype: "float32", buffer: <bytes>}
// where the bytes are little-endian. Through the widget protocol the bytes arrive as a
// DataView (ipywidgets), but an ArrayBuffer, a typed array or a Node Buffer is accepted
// too. Decoding goes through DataView.getFloat32(..., true), so the result is right on a
// big-endian machine as well, and it copies, so the returned typed array is aligned and
// owned by the caller (a DataView over a shared message buffer can start at any offset).

/**
 * An array as Python sends it (and as encodeArray makes it): little-endian bytes.
 * @typedef {{shape: number[], dtype: string,
 *   buffer: DataView|ArrayBuffer|ArrayBufferView}} EncodedArray
 */

/**
 * The decoded values of an array: the typed array of its dtype.
 * @typedef {Float32Array|Float64Array|Int32Array|Uint8Array} TypedArray
 */

/** Element size in bytes of each dtype the transport knows. */
export const DTYPES = {
  float32: { size: 4, Array: Float32Array, get: "getFloat32", set: "setFloat32" },
  float64: { size: 8, Array: Float64Array, get: "getFloat64", set: "setFloat64" },
  int32: { size: 4, Array: Int32Array, get: "getInt32", set: "setInt32" },
  uint8: { size: 1, Array: Uint8Array, get: "getUint8", set: "setUint8" },
};

/**
 * Turn whatever binary container the transport hands over into a DataView.
 * @param {DataView|ArrayBuffer|ArrayBufferView} buffer
 * @returns {DataView}
 */
export function toDataView(buffer) {
  if (buffer instanceof DataView) return buffer;
  if (buffer instanceof ArrayBuffer) return new DataView(buffer);
  if (ArrayBuffer.isView(buffer)) {
    return new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }
  throw new TypeError(
    `expected binary data (DataView, ArrayBuffer or typed array), got ${typeof buffer}`,
  );
}

/** Number of elements of an array of the given shape. */
export function sizeOf(shape) {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** True if `obj` looks like an encoded array ({shape, dtype, buffer}). */
export function isEncodedArray(obj) {
  return (
    obj !== null &&
    typeof obj === "object" &&
    Array.isArray(obj.shape) &&
    typeof obj.dtype === "string" &&
    "buffer" in obj
  );
}

/**
 * Decode an encoded array.
 * @param {EncodedArray|null|undefined} obj
 * @returns {{data: TypedArray, shape: number[], dtype: string}|null}
 */
export function decodeArray(obj) {
  if (obj === null || obj === undefined) return null;
  if (!isEncodedArray(obj))
    throw new TypeError("not an encoded array: expected {shape, dtype, buffer}");
  const spec = DTYPES[obj.dtype];
  if (!spec) throw new TypeError(`unsupported dtype ${JSON.stringify(obj.dtype)}`);
  const view = toDataView(obj.buffer);
  const n = sizeOf(obj.shape);
  if (view.byteLength !== n * spec.size) {
    throw new RangeError(
      `buffer holds ${view.byteLength} bytes ` +
        `but shape [${obj.shape}] of ${obj.dtype} needs ${n * spec.size}`,
    );
  }
  const data = new spec.Array(n);
  if (spec.size === 1) {
    for (let i = 0; i < n; i++) data[i] = view.getUint8(i);
  } else {
    const get = view[spec.get].bind(view);
    for (let i = 0, o = 0; i < n; i++, o += spec.size) data[i] = get(o, true);
  }
  return { data, shape: obj.shape.slice(), dtype: obj.dtype };
}

/**
 * Encode a typed array for Python (the inverse of decodeArray).
 * @param {ArrayLike<number>} data
 * @param {number[]} shape
 * @param {string} [dtype="float32"]
 * @returns {{shape: number[], dtype: string, buffer: DataView}}
 */
export function encodeArray(data, shape, dtype = "float32") {
  const spec = DTYPES[dtype];
  if (!spec) throw new TypeError(`unsupported dtype ${JSON.stringify(dtype)}`);
  const n = sizeOf(shape);
  if (data.length !== n)
    throw new RangeError(`data has ${data.length} elements, shape [${shape}] needs ${n}`);
  const view = new DataView(new ArrayBuffer(n * spec.size));
  const set = view[spec.set].bind(view);
  for (let i = 0; i < n; i++) set(i * spec.size, data[i], true);
  return { shape: shape.slice(), dtype, buffer: view };
}

/**
 * Decode every encoded array inside a nested object/array (the frames of a player, a
 * message payload). Other values are returned as they are.
 */
export function decodeTree(value) {
  if (isEncodedArray(value)) return decodeArray(value);
  if (Array.isArray(value)) return value.map(decodeTree);
  if (
    value !== null &&
    typeof value === "object" &&
    !ArrayBuffer.isView(value) &&
    !(value instanceof ArrayBuffer)
  ) {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = decodeTree(v);
    return out;
  }
  return value;
}

/**
 * Put the binary buffers of a custom message back where Python took them out
 * (the same protocol as ipywidgets' state messages: `buffer_paths` lists, for each
 * buffer, the keys leading to its place in `state`).
 * @param {{state: object, buffer_paths: (string|number)[][]}} content
 * @param {(DataView|ArrayBuffer|ArrayBufferView)[]} buffers
 * @returns {object} the state with its arrays decoded
 */
export function unpackMessage(content, buffers = []) {
  const state = structuredCloneJSON(content.state);
  const paths = content.buffer_paths || [];
  if (paths.length !== buffers.length) {
    throw new RangeError(
      `message lists ${paths.length} buffer paths but carries ${buffers.length} buffers`,
    );
  }
  paths.forEach((path, i) => {
    let obj = state;
    for (let j = 0; j < path.length - 1; j++) obj = obj[path[j]];
    obj[path[path.length - 1]] = toDataView(buffers[i]);
  });
  return decodeTree(state);
}

function structuredCloneJSON(value) {
  if (Array.isArray(value)) return value.map(structuredCloneJSON);
  if (value !== null && typeof value === "object") {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = structuredCloneJSON(v);
    return out;
  }
  return value;
}
