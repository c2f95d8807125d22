// The Python/JS contract: the synced traits of a widget, as JSDoc types that `tsc
// --checkJs` holds the views to (a trait read or written under a name its widget does
// not have is a type error). Each widget's typedef lives beside its view
// (src/<widget>/traits.js); these are the traits every widget shares, from
// gmm_widgets/widgets/_base.py. tests/widgets/test_js_contract.py checks that each
// typedef names exactly the `sync=True` traits of its Python class, with the same types.

/**
 * The part of anywidget's model that the views use, with the keys and values of `T`.
 * An embedded view's model (lib/local_model.js) has the same shape.
 * @template {object} T
 * @typedef {Pick<import("@anywidget/types").AnyModel<T>,
 *   "get" | "set" | "save_changes" | "on" | "off">} WidgetModel
 */

/**
 * The names of the traits of a model typed with WidgetModel.
 * @template {{get: (key: any) => any}} M
 * @typedef {Parameters<M["get"]>[0] & string} TraitName
 */

/**
 * Every widget (GMMWidget): the data, sent once.
 * @typedef {object} GMMWidgetTraits
 * @property {import("./codecs.js").EncodedArray|null} data (n_display, d) float32: the
 *   rows shown (all of X, or a seeded uniform subsample)
 * @property {number} n_samples rows of X
 * @property {string[]} feature_names column names (x0, x1, ... for an array)
 */

/**
 * Every widget that draws d > 2 features in a plane (ProjectedWidget).
 * @typedef {object} ProjectedWidgetOwnTraits
 * @property {"features"|"pca"} projection a pair of features, or the first two
 *   principal axes
 * @property {number} x_feature feature on the x axis (projection "features", d > 2)
 * @property {number} y_feature feature on the y axis
 * @property {{mean?: import("./codecs.js").EncodedArray,
 *   components?: import("./codecs.js").EncodedArray,
 *   explained_variance_ratio?: import("./codecs.js").EncodedArray}} pca the PCA basis:
 *   mean (d), components (2, d), explained_variance_ratio (2); sent when d > 2
 * @property {import("./codecs.js").EncodedArray|null} selected_rows (n_selected,) int32:
 *   the selected rows of X, sorted (set by Python; the view asks with custom messages
 *   {type: "select", kind: "brush"|"lasso"|"component"|"clear", mode, ...}, each answered
 *   by {type: "selection-done"}: lib/selection_view.js)
 * @property {import("./codecs.js").EncodedArray|null} display_rows (n_display,) int32:
 *   the rows of X that `data` holds, or null when it holds every row
 * @property {boolean} profile_shown whether the component profile table is shown
 * @property {object} profile_table the table's numbers (binary arrays; {} while hidden)
 */

/** @typedef {GMMWidgetTraits & ProjectedWidgetOwnTraits} ProjectedWidgetTraits */

/**
 * The pairs view and the uncertainty toggle (gmm_widgets/widgets/_pairs.py:
 * PairsViewMixin), drawn by pairs.js and uncertainty.js.
 * @typedef {object} PairsViewTraits
 * @property {boolean} pairs_view the scatter matrix of `pair_features` instead of one plot
 * @property {import("./codecs.js").EncodedArray} pair_features (p,) int32: the feature
 *   indices of the scatter matrix (at most 8)
 * @property {boolean} uncertainty_view fade each point by 1 - max responsibility
 */

/**
 * The names of the PairsViewTraits, forwarded to an embedded player like the
 * PROJECTED_WIDGET_TRAITS.
 * @type {(keyof PairsViewTraits)[]}
 */
export const PAIRS_VIEW_TRAITS = ["pairs_view", "pair_features", "uncertainty_view"];

/**
 * The names of the ProjectedWidgetTraits: what a player embedded in another widget's view
 * reads from that widget (see local_model.js).
 * @type {(keyof ProjectedWidgetTraits)[]}
 */
export const PROJECTED_WIDGET_TRAITS = [
  "data",
  "n_samples",
  "feature_names",
  "projection",
  "x_feature",
  "y_feature",
  "pca",
  "selected_rows",
  "display_rows",
  "profile_shown",
  "profile_table",
];
