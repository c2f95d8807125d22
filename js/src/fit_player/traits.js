// The synced traits of FitPlayer (gmm_widgets/widgets/fit_player.py): the Python/JS
// contract of this widget (see lib/traits.js).
//
// Besides the traits, Python sends the custom message {type: "frames", start, frames}
// (a chunk of frames appended while a fit streams).

/**
 * The traits FitPlayer adds to those of every projected widget.
 * @typedef {object} FitPlayerOwnTraits
 * @property {Partial<import("./frames.js").FrameBatch>} frames the frames of the fit
 *   (or of a History, or the one frame of a fitted model); {} before any
 * @property {number} frame index of the frame shown (debounced to Python while playing)
 * @property {boolean} playing whether the view plays
 * @property {number} fps playback speed, frames per second
 * @property {"idle"|"fitting"|"done"} status "fitting" while frames stream
 * @property {"fit"|"history"|"model"} source where the frames come from
 */

/**
 * @typedef {import("../lib/traits.js").ProjectedWidgetTraits
 *   & import("../lib/traits.js").PairsViewTraits & FitPlayerOwnTraits} FitPlayerTraits
 */

/** @typedef {import("../lib/traits.js").WidgetModel<FitPlayerTraits>} FitPlayerModel */

export {};
