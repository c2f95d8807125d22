// The synced traits of AnomalyInspector (gmm_widgets/widgets/anomaly_inspector.py): the
// Python/JS contract of this widget (see lib/traits.js). The traits whose names start
// with "_" are sent once per model for the view only (see state.js).
//
// The view also sends Python the custom messages {type: "refit"} and {type: "undo"}.

/**
 * The traits AnomalyInspector adds to those of every projected widget.
 * @typedef {object} AnomalyInspectorOwnTraits
 * @property {import("../lib/codecs.js").EncodedArray|null} _display_scores (n_display)
 *   float64: the scores of the rows shown
 * @property {import("../lib/codecs.js").EncodedArray|null} _sorted_scores (n_samples)
 *   float64: every score, ascending
 * @property {import("../lib/codecs.js").EncodedArray|null} _sorted_labels (n_samples)
 *   uint8: the labels in the order of _sorted_scores, or null without labels
 * @property {import("../lib/codecs.js").EncodedArray|null} _display_labels (n_display)
 *   uint8: the labels of the rows shown, or null
 * @property {import("../lib/codecs.js").EncodedArray|null} _display_rows (n_display)
 *   int32: the rows of X shown, or null when every row is
 * @property {Record<string, any>} _mixture {covariance_type, n_components, n_features,
 *   weights (K), means (K, d), covariances (K, d, d) full} float64, or {} for a density
 *   model that is not a Gaussian mixture; with a noise component also
 *   noise_log_density (log(w0 / V), its weighted log-density inside its box) and
 *   noise_bounds (2, d): the box's lower and upper corners
 * @property {import("../lib/codecs.js").EncodedArray|null} _sorted_new_scores (n_new)
 *   float64: the scores of X_new, ascending, or null without X_new
 * @property {import("../lib/codecs.js").EncodedArray|null} _sorted_new_labels (n_new)
 *   uint8: labels_new in the order of _sorted_new_scores, or null
 * @property {number} threshold log-density under which a point is an anomaly (the view
 *   sets it on release; Python moves the handle)
 * @property {number|null} contamination the fraction that set the threshold (the view
 *   sets it from the "flag %" box), or null once the threshold was set directly
 * @property {number|null} noise_cut the posterior probability of noise that set the
 *   threshold (the view's "flag likely noise" button sets 0.5), or null
 * @property {number} percentile percentage of the points below the threshold (Python)
 * @property {number} n_anomalies points below the threshold (Python)
 * @property {boolean} busy a refit runs in the kernel
 * @property {string} message the last refit's error, or ""
 * @property {Record<string, number|string>} refit_info what the last refit removed and
 *   kept ({} before one)
 * @property {number} n_refits refits so far (undo goes back one)
 * @property {number|null} explain_row the row whose explanation is shown (the view sets
 *   it when a point is clicked), or null
 * @property {Record<string, any>} explanation AnomalyInspector.explain(explain_row) from
 *   Python (see explanation.js), or {}
 * @property {number} n_components K of the density model (the settings controls)
 * @property {"full"|"tied"|"diag"|"spherical"} covariance_type its covariance type
 * @property {number|null} random_state its seed, or null
 * @property {number} n_init its initialisations
 * @property {number} k_min smallest K the slider offers
 * @property {number} k_max largest K the slider offers
 * @property {number} max_n_init largest n_init accepted
 * @property {boolean} model_controls whether the model has these settings (the
 *   controls are shown)
 * @property {boolean} noise whether the density has a uniform noise component (the
 *   settings' noise box)
 * @property {boolean} noise_controls whether the model can have one (the box is shown)
 * @property {Record<string, any>} fit_progress {init, n_init, n_iter, lower_bound} of a
 *   refit under way, or {}
 * @property {string} model_choice how the widget chose the density when the user did
 *   not (e.g. "K=3, full: best BIC of 40 fits"), or ""
 */

/**
 * @typedef {import("../lib/traits.js").ProjectedWidgetTraits
 *   & AnomalyInspectorOwnTraits} AnomalyInspectorTraits
 */

/**
 * The view also sends messages to Python (refit, undo).
 * @typedef {import("../lib/traits.js").WidgetModel<AnomalyInspectorTraits>
 *   & Pick<import("@anywidget/types").AnyModel, "send">} AnomalyInspectorModel
 */

export {};
