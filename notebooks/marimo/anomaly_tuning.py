import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    # Anomaly tuning, reactively (marimo)

    The marimo version of tutorial 5 (*Anomaly detection with a mixture's density*): the
    same data, the same detector, but every step reads the widget before it, so a change
    in the browser re-runs what depends on it.

    1. **ModelSelector** picks K and the covariance type by BIC: click another point of
       the chart to choose another model.
    2. **FitPlayer** replays EM for that choice.
    3. **MixtureExplorer** starts from the same choice: drag a mean handle (the ⊕) and EM
       refits from where you dropped it. The cell under it is Python reading the widget.
    4. **AnomalyInspector** inspects the explorer's current model: drag the threshold on
       the histogram. The cell under it grades the flags against the labels with NumPy.

    Each widget is wrapped in `mo.ui.anywidget(...)`, which makes it a marimo UI element:
    a change in the browser updates the Python object (`element.widget`), and marimo
    re-runs the cells that use the element.
    """)
    return


@app.cell
def _():
    import marimo as mo
    import numpy as np

    from gmm_widgets import AnomalyInspector, FitPlayer, MixtureExplorer, ModelSelector
    from gmm_widgets.datasets import make_anomalies

    return (
        AnomalyInspector,
        FitPlayer,
        MixtureExplorer,
        ModelSelector,
        make_anomalies,
        mo,
        np,
    )


@app.cell
def _(make_anomalies):
    # 1000 points: inliers from a 3-component mixture and 4 % labelled anomalies (seeded).
    X, labels = make_anomalies(1000, contamination=0.04, n_components=3, random_state=3)
    return X, labels


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 1. How many components?

    BIC against K for each covariance type, fitted to all the points (the anomalies
    included: we do not know which they are). BIC may spend a component on the scattered
    anomalies: a wide one with a small weight (see the weights in the player's legend).
    Click K = 3 to compare: every cell below follows the selection.
    """)
    return


@app.cell
def _(ModelSelector, X, mo):
    selector = mo.ui.anywidget(ModelSelector(X, n_components=range(1, 7), random_state=0))
    selector
    return (selector,)


@app.cell
def _(mo, selector):
    n_components, covariance_type = selector.widget.selection
    mo.md(
        f"Selected: **K = {n_components}**, covariance **{covariance_type}** "
        f"(best by BIC: K = {selector.widget.best[0]}, {selector.widget.best[1]})."
    )
    return covariance_type, n_components


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 2. EM, iteration by iteration

    The fit of the selected model, replayed: press play, or drag the slider.
    """)
    return


@app.cell
def _(FitPlayer, X, covariance_type, mo, n_components):
    player = mo.ui.anywidget(
        FitPlayer(X, n_components=n_components, covariance_type=covariance_type, random_state=0)
    )
    player
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 3. Start EM where you like

    Drag a mean handle: EM refits from the means you placed. The text under the widget
    is computed in Python from `explorer.widget`, so it changes when the refit is done.
    """)
    return


@app.cell
def _(MixtureExplorer, X, covariance_type, mo, n_components):
    explorer = mo.ui.anywidget(
        MixtureExplorer(
            X,
            n_components=n_components,
            covariance_type=covariance_type,
            random_state=0,
            animate=False,
        )
    )
    explorer
    return (explorer,)


@app.cell
def _(explorer, mo, np):
    _start = explorer.widget.means_init
    _scores = explorer.widget.scores
    _start_text = "automatic (k-means)" if _start is None else np.round(_start, 3).tolist()
    mo.md(
        f"Python sees: K = {explorer.widget.model.n_components}, "
        f"`means_init = {_start_text}`, "
        f"BIC = {_scores['bic']:.1f} after {_scores['n_iter']} iterations "
        f"(refit request {explorer.widget.request})."
    )
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 4. Where to put the threshold

    The explorer's current model scores every point (`score_samples`); points below the
    threshold are flagged. Drag the threshold handle on the histogram.
    """)
    return


@app.cell
def _(AnomalyInspector, X, explorer, labels, mo):
    inspector = mo.ui.anywidget(
        AnomalyInspector(X, model=explorer.widget.model, contamination=0.04, labels=labels)
    )
    inspector
    return (inspector,)


@app.cell
def _(inspector, labels, mo, np):
    # Graded here with NumPy, from the flags Python received from the browser.
    flagged = np.asarray(inspector.widget.anomalies, dtype=bool)
    _truth = np.asarray(labels) == 1
    _tp = int(np.sum(flagged & _truth))
    _precision = _tp / max(int(flagged.sum()), 1)
    _recall = _tp / max(int(_truth.sum()), 1)
    mo.md(
        f"Flagged **{int(flagged.sum())}** of {flagged.size} points "
        f"(threshold {inspector.widget.threshold:.3f}): "
        f"{_tp} of the {int(_truth.sum())} labelled anomalies; "
        f"precision {_precision:.2f}, recall {_recall:.2f}."
    )
    return (flagged,)


if __name__ == "__main__":
    app.run()
