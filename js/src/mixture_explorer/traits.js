// The synced traits of MixtureExplorer (gmm_widgets/widgets/mixture_explorer.py): the
// Python/JS contract of this widget (see lib/traits.js).
//
// Besides the traits, Python sends the custom message {type: "frames", request,
// controls, start, frames}: a slow refit's frames as they come.

/**
 * The values of the controls a fit was made with, as Python echoes them.
 * @typedef {object} ControlValues
 * @property {number} n_components
 * @property {"full"|"tied"|"diag"|"spherical"} covariance_type
 * @property {number|null} random_state
 * @property {number} n_init
 * @property {"kmeans"|"k-means++"|"random"|"random_from_data"} init_params
 * @property {import("../lib/codecs.js").EncodedArray|null} handles
 * @property {import("../lib/codecs.js").EncodedArray} [points_added]
 * @property {import("../lib/codecs.js").EncodedArray} [points_removed]
 * @property {number[]} [locked_means]
 */

/**
 * The traits MixtureExplorer adds to those of every projected widget.
 * @typedef {object} MixtureExplorerOwnTraits
 * @property {number} n_components control: K
 * @property {"full"|"tied"|"diag"|"spherical"} covariance_type control
 * @property {number|null} random_state control: the seed (null: none)
 * @property {number} n_init control
 * @property {"kmeans"|"k-means++"|"random"|"random_from_data"} init_params control
 * @property {import("../lib/codecs.js").EncodedArray|null} handles (K, d) float64: the
 *   initial means the user placed, or null for the automatic init
 * @property {import("../lib/codecs.js").EncodedArray} points_added (m, d) float64:
 *   points the user added; refits fit them too
 * @property {import("../lib/codecs.js").EncodedArray} points_removed (r,) int32:
 *   positions in `data` of the points the user removed; refits leave them out
 * @property {number[]} locked_means sorted components whose means refits hold at their
 *   handles (GaussianMixture's fixed_means); toggled by each handle's lock
 * @property {number} request bumped by the view with every change it makes; echoed in
 *   `result`
 * @property {number} k_min least K the slider offers
 * @property {number} k_max most K the slider offers
 * @property {number} max_n_init most n_init the field takes
 * @property {{request?: number, source?: "fit"|"model", controls?: ControlValues,
 *   frames?: import("../fit_player/frames.js").FrameBatch,
 *   initial_means?: import("../lib/codecs.js").EncodedArray,
 *   scores?: Record<string, number|boolean|null>,
 *   previous?: Record<string, number|boolean|null>|null}} result the last good fit
 *   ({} before the first)
 * @property {{message?: string, request?: number, controls?: string}} error the last
 *   refit that failed ({} after a success)
 * @property {boolean} busy a fit runs in the kernel
 * @property {{tol?: number, reg_covar?: number, max_iter?: number}} fit_settings the
 *   kernel fits' EM settings, which the view's own EM (lib/em.js) uses too
 * @property {boolean} animate whether a refit plays from its first iteration
 * @property {number} fps playback speed of the embedded player
 */

/**
 * @typedef {import("../lib/traits.js").ProjectedWidgetTraits
 *   & import("../lib/traits.js").PairsViewTraits & MixtureExplorerOwnTraits} MixtureExplorerTraits
 */

/** @typedef {import("../lib/traits.js").WidgetModel<MixtureExplorerTraits>} MixtureExplorerModel */

export {};
