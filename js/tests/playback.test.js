import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Playback } from "../src/fit_player/playback.js";
import { debounce } from "../src/lib/timing.js";

function make(n = 5, opts = {}) {
  const seen = [];
  const playing = [];
  let length = n;
  const pb = new Playback({
    length: () => length,
    onChange: (i, reason) => seen.push([i, reason]),
    onPlayingChange: (p) => playing.push(p),
    fps: 10,
    ...opts,
  });
  return { pb, seen, playing, setLength: (v) => (length = v) };
}

describe("Playback", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("plays through the frames at the chosen speed and stops at the end", () => {
    const { pb, seen, playing } = make(4);
    pb.play();
    expect(pb.playing).toBe(true);
    vi.advanceTimersByTime(100);
    expect(pb.index).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(pb.index).toBe(3);
    expect(pb.playing).toBe(false);
    expect(seen.map((s) => s[0])).toEqual([1, 2, 3]);
    expect(playing).toEqual([true, false]);
  });

  it("restarts from the first frame when play is pressed at the end", () => {
    const { pb } = make(3);
    pb.seek(2);
    pb.play();
    expect(pb.index).toBe(0);
  });

  it("steps, seeks and clamps; stepping pauses", () => {
    const { pb } = make(5);
    pb.play();
    pb.step(1);
    expect(pb.playing).toBe(false);
    expect(pb.index).toBe(1);
    pb.step(-5);
    expect(pb.index).toBe(0);
    expect(pb.step(-1)).toBe(false);
    pb.seek(99);
    expect(pb.index).toBe(4);
  });

  it("changes speed while playing", () => {
    const { pb } = make(100);
    pb.play();
    pb.setFps(1);
    vi.advanceTimersByTime(999);
    expect(pb.index).toBe(0);
    vi.advanceTimersByTime(1);
    expect(pb.index).toBe(1);
    pb.setFps(-3);
    expect(pb.fps).toBe(1);
  });

  it("waits at the last frame for more while a fit streams", () => {
    let live = true;
    const { pb, setLength } = make(2, { isLive: () => live });
    pb.play();
    vi.advanceTimersByTime(500);
    expect(pb.index).toBe(1);
    expect(pb.playing).toBe(true);
    setLength(6);
    pb.framesChanged();
    vi.advanceTimersByTime(100);
    expect(pb.index).toBe(5); // follows the newest frame
    live = false;
    vi.advanceTimersByTime(1000);
    expect(pb.index).toBe(5);
    expect(pb.playing).toBe(false);
  });

  it("clamps the index when frames are replaced by fewer", () => {
    const { pb, setLength, seen } = make(10);
    pb.seek(8);
    setLength(3);
    pb.framesChanged();
    expect(pb.index).toBe(2);
    expect(seen.at(-1)).toEqual([2, "frames"]);
  });

  it("does not play a single frame", () => {
    const { pb } = make(1);
    pb.play();
    expect(pb.playing).toBe(false);
  });
});

describe("debounce", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("calls once with the last value after the wait", () => {
    const fn = vi.fn();
    const d = debounce(fn, 100);
    d(1);
    d(2);
    d(3);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(100);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(fn).toHaveBeenCalledWith(3);
  });

  it("still calls at least every maxWait while calls keep coming", () => {
    const fn = vi.fn();
    const d = debounce(fn, 100, 250);
    for (let t = 0; t < 600; t += 50) {
      d(t);
      vi.advanceTimersByTime(50);
    }
    expect(fn.mock.calls.length).toBeGreaterThanOrEqual(2);
  });

  it("flush calls now; cancel drops", () => {
    const fn = vi.fn();
    const d = debounce(fn, 100);
    d(1);
    d.flush();
    expect(fn).toHaveBeenCalledWith(1);
    d(2);
    d.cancel();
    vi.advanceTimersByTime(200);
    expect(fn).toHaveBeenCalledTimes(1);
    d.flush();
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
