// The synced traits of ModelSelector (gmm_widgets/widgets/model_selector.py): the
// Python/JS contract of this widget (see lib/traits.js).
//
// Besides the traits, Python sends the custom message {type: "model", key, frames}: a
// model fitted while the grid runs.

/**
 * The traits ModelSelector adds to those of every projected widget.
 * @typedef {object} ModelSelectorOwnTraits
 * @property {{values?: import("../lib/codecs.js").EncodedArray}} ks the K of the grid,
 *   (nK) int32
 * @property {string[]} covariance_types the covariance types of the grid (nC)
 * @property {Record<string, import("../lib/codecs.js").EncodedArray>} scores (nK, nC)
 *   tables: bic, aic, icl, silhouette, log_likelihood (float64), n_parameters, n_iter
 *   (int32), converged, status (uint8: 0 pending, 1 fitted, 2 failed, 3 absent)
 * @property {Record<string, string>} errors "K|type" -> message of a fit that failed
 * @property {Record<string, import("../fit_player/frames.js").FrameBatch>} models
 *   "K|type" -> the fitted model as a one-frame batch
 * @property {string[]} criteria the criteria the picker offers
 * @property {string} criterion the criterion the best model is chosen by
 * @property {Array<number|string>} selection [K, covariance type] of the model clicked,
 *   or []
 * @property {Array<number|string>} best [K, covariance type] of the best model, or []
 * @property {"idle"|"fitting"|"done"} status the grid's fit
 * @property {{done?: number, total?: number, current?: string}} progress fits done of
 *   total, and the one running
 */

/**
 * @typedef {import("../lib/traits.js").ProjectedWidgetTraits
 *   & ModelSelectorOwnTraits} ModelSelectorTraits
 */

/** @typedef {import("../lib/traits.js").WidgetModel<ModelSelectorTraits>} ModelSelectorModel */

export {};
