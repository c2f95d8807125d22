import { describe, expect, it } from "vitest";
import {
  decodeArray,
  decodeTree,
  encodeArray,
  isEncodedArray,
  toDataView,
  unpackMessage,
} from "../src/lib/codecs.js";

function littleEndianFloat32(values, offset = 0) {
  const buf = new ArrayBuffer(offset + values.length * 4);
  const view = new DataView(buf);
  values.forEach((v, i) => {
    view.setFloat32(offset + i * 4, v, true);
  });
  return new DataView(buf, offset, values.length * 4);
}

describe("decodeArray", () => {
  it("decodes little-endian float32 from a DataView at an odd byte offset", () => {
    const view = littleEndianFloat32([1.5, -2, 3.25, 1e-3, 7, 8], 3);
    const arr = decodeArray({ shape: [3, 2], dtype: "float32", buffer: view });
    expect(arr.shape).toEqual([3, 2]);
    expect(arr.data).toBeInstanceOf(Float32Array);
    expect(Array.from(arr.data)).toEqual([1.5, -2, 3.25, Math.fround(1e-3), 7, 8]);
  });

  it("reads bytes as little-endian regardless of the platform", () => {
    // 1.0f little-endian is 00 00 80 3f
    const bytes = new Uint8Array([0x00, 0x00, 0x80, 0x3f]);
    expect(decodeArray({ shape: [1], dtype: "float32", buffer: bytes }).data[0]).toBe(1);
    expect(decodeArray({ shape: [1], dtype: "float32", buffer: bytes.buffer }).data[0]).toBe(1);
  });

  it("supports int32, uint8 and float64", () => {
    const i32 = encodeArray([-5, 7, 2147483647], [3], "int32");
    expect(Array.from(decodeArray(i32).data)).toEqual([-5, 7, 2147483647]);
    const u8 = encodeArray([0, 1, 255], [3], "uint8");
    expect(Array.from(decodeArray(u8).data)).toEqual([0, 1, 255]);
    const f64 = encodeArray([Math.PI], [1], "float64");
    expect(decodeArray(f64).data[0]).toBe(Math.PI);
  });

  it("keeps -inf and NaN", () => {
    const a = decodeArray(encodeArray([-Infinity, NaN], [2]));
    expect(a.data[0]).toBe(-Infinity);
    expect(Number.isNaN(a.data[1])).toBe(true);
  });

  it("refuses a buffer whose size does not match the shape", () => {
    const view = littleEndianFloat32([1, 2, 3]);
    expect(() => decodeArray({ shape: [2, 2], dtype: "float32", buffer: view })).toThrow(
      /needs 16/,
    );
  });

  it("refuses unknown dtypes and non-arrays", () => {
    expect(() =>
      decodeArray({ shape: [1], dtype: "complex64", buffer: new ArrayBuffer(8) }),
    ).toThrow(/unsupported dtype/);
    expect(() => decodeArray({ shape: [1] })).toThrow(/not an encoded array/);
    expect(decodeArray(null)).toBeNull();
    expect(() => toDataView("abc")).toThrow(TypeError);
  });

  it("handles empty arrays", () => {
    const a = decodeArray(encodeArray([], [0, 3]));
    expect(a.shape).toEqual([0, 3]);
    expect(a.data.length).toBe(0);
  });
});

describe("encodeArray", () => {
  it("round-trips through decodeArray and writes little-endian bytes", () => {
    const e = encodeArray([1, 2, 3, 4], [2, 2]);
    expect(isEncodedArray(e)).toBe(true);
    expect(new Uint8Array(e.buffer.buffer, 0, 4)).toEqual(new Uint8Array([0, 0, 0x80, 0x3f]));
    expect(Array.from(decodeArray(e).data)).toEqual([1, 2, 3, 4]);
  });
  it("checks the number of elements", () => {
    expect(() => encodeArray([1, 2, 3], [2, 2])).toThrow(RangeError);
  });
});

describe("decodeTree and unpackMessage", () => {
  it("decodes arrays nested in objects and lists, leaving other values", () => {
    const tree = { a: encodeArray([1, 2], [2]), b: [encodeArray([3], [1]), "x"], c: 5, d: null };
    const out = decodeTree(tree);
    expect(Array.from(out.a.data)).toEqual([1, 2]);
    expect(Array.from(out.b[0].data)).toEqual([3]);
    expect(out.b[1]).toBe("x");
    expect(out.c).toBe(5);
    expect(out.d).toBeNull();
  });

  it("puts buffers back at their paths (the ipywidgets protocol) and decodes", () => {
    const w = encodeArray([0.5, 0.5], [2]);
    const m = encodeArray([1, 2, 3, 4], [2, 2]);
    const content = {
      type: "frames",
      state: {
        start: 3,
        frames: {
          weights: { shape: [2], dtype: "float32" },
          list: [{ shape: [2, 2], dtype: "float32" }],
        },
      },
      buffer_paths: [
        ["frames", "weights", "buffer"],
        ["frames", "list", 0, "buffer"],
      ],
    };
    const out = unpackMessage(content, [w.buffer, new Uint8Array(m.buffer.buffer)]);
    expect(out.start).toBe(3);
    expect(Array.from(out.frames.weights.data)).toEqual([0.5, 0.5]);
    expect(Array.from(out.frames.list[0].data)).toEqual([1, 2, 3, 4]);
    // The message content itself is not modified.
    expect(content.state.frames.weights.buffer).toBeUndefined();
  });

  it("refuses a message whose buffers do not match its paths", () => {
    expect(() => unpackMessage({ state: {}, buffer_paths: [["a"]] }, [])).toThrow(/buffer paths/);
  });
});
