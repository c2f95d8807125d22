// Frame playback that runs entirely in the browser: play / pause / step / seek / speed.
// The caller renders in `onChange`; the kernel is never involved.

/**
 * @typedef {object} PlaybackOptions
 * @property {() => number} length number of frames available now
 * @property {(index: number, reason: string) => void} onChange called when the frame changes
 * @property {(playing: boolean) => void} [onPlayingChange]
 * @property {number} [fps=5] frames per second
 * @property {() => boolean} [isLive] while true (a fit streaming from the kernel),
 *   playing shows the newest frame at each tick, and waits at the last frame for more
 *   instead of stopping
 * @property {import("../lib/timing.js").Timers} [timers]
 */
export class Playback {
  /** @param {PlaybackOptions} opts */
  constructor(opts) {
    this.length = opts.length;
    this.onChange = opts.onChange;
    this.onPlayingChange = opts.onPlayingChange || (() => {});
    this.isLive = opts.isLive || (() => false);
    this.timers = opts.timers || globalThis;
    this.fps = opts.fps > 0 ? opts.fps : 5;
    this.index = 0;
    this.playing = false;
    this.timer = null;
  }

  _schedule() {
    this._cancel();
    this.timer = this.timers.setTimeout(() => this._tick(), 1000 / this.fps);
  }

  _cancel() {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  _tick() {
    this.timer = null;
    if (!this.playing) return;
    const n = this.length();
    if (this.isLive()) {
      // Follow the fit: show the newest frame, then wait for the next ones.
      if (this.index < n - 1) this._set(n - 1, "play");
      this._schedule();
    } else if (this.index < n - 1) {
      this._set(this.index + 1, "play");
      this._schedule();
    } else {
      this._setPlaying(false);
    }
  }

  _set(index, reason) {
    const n = this.length();
    const i = Math.max(0, Math.min(n - 1, Math.round(index)));
    if (n === 0 || i === this.index) {
      if (n === 0) this.index = 0;
      return false;
    }
    this.index = i;
    this.onChange(i, reason);
    return true;
  }

  _setPlaying(playing) {
    if (this.playing === playing) return;
    this.playing = playing;
    if (!playing) this._cancel();
    this.onPlayingChange(playing);
  }

  /** Start playing; from the first frame if the last one is showing (and no fit is streaming). */
  play() {
    const n = this.length();
    if (n <= 1 && !this.isLive()) return;
    if (this.index >= n - 1 && !this.isLive()) this._set(0, "play");
    this._setPlaying(true);
    this._schedule();
  }

  pause() {
    this._setPlaying(false);
  }

  toggle() {
    if (this.playing) this.pause();
    else this.play();
  }

  /** Move `delta` frames (pauses playback). */
  step(delta) {
    this.pause();
    return this._set(this.index + delta, "step");
  }

  /** Show frame `index` (pauses playback). */
  seek(index, reason = "seek") {
    this.pause();
    return this._set(index, reason);
  }

  /** Show frame `index` without touching play state (e.g. a value set from Python). */
  show(index, reason = "external") {
    return this._set(index, reason);
  }

  setFps(fps) {
    if (!(fps > 0)) return;
    this.fps = fps;
    if (this.playing) this._schedule();
  }

  /** Call after the frames were replaced or appended: keeps the index in range. */
  framesChanged() {
    const n = this.length();
    if (this.index > n - 1) {
      this.index = Math.max(0, n - 1);
      this.onChange(this.index, "frames");
    }
    if (this.playing && !this.timer) this._schedule();
  }

  dispose() {
    this._cancel();
    this.playing = false;
  }
}
