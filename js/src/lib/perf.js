// A performance probe for views that redraw on every animation frame: it keeps how long
// each of the last renders took and when it started, and exposes them on a DOM element
// (`el.gmmPerf.renderTimes()`), so a test in a real browser can measure frame costs.

const now = () => (globalThis.performance ? globalThis.performance.now() : Date.now());

export class RenderProbe {
  /** @param {number} [size] renders kept */
  constructor(size = 2048) {
    this.size = size;
    this.times = new Float64Array(size);
    this.stamps = new Float64Array(size);
    this.count = 0;
  }

  /** Time a render: `const t0 = probe.start(); ...; probe.stop(t0)`. */
  start() {
    return now();
  }

  stop(t0) {
    const i = this.count % this.size;
    this.times[i] = now() - t0;
    this.stamps[i] = t0;
    this.count += 1;
  }

  /** The kept values of `arr`, oldest first. */
  recent(arr) {
    if (this.count <= this.size) return Array.from(arr.subarray(0, this.count));
    const at = this.count % this.size;
    return [...arr.subarray(at), ...arr.subarray(0, at)];
  }

  /** Expose the probe as `el.gmmPerf` {renderTimes(), renderStamps(), reset()}. */
  attach(el) {
    Object.defineProperty(el, "gmmPerf", {
      configurable: true,
      value: {
        renderTimes: () => this.recent(this.times),
        renderStamps: () => this.recent(this.stamps),
        reset: () => {
          this.count = 0;
        },
      },
    });
  }
}
