"""AnomalyInspector in JupyterLab: the density it chose, a clicked point explained, new data."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

SETUP = """\
import numpy as np
from gmm_widgets import AnomalyInspector

rng = np.random.default_rng(0)
centres = ([0.0, 0.0], [6.0, 0.0], [0.0, 6.0])
X = np.vstack([rng.normal(c, 0.5, (500, 2)) for c in centres] + [rng.uniform(-3, 9, (60, 2))])
insp = AnomalyInspector(X, contamination=0.02)
print(insp.model_choice)
"""

#: What the panel shows, at full precision (data-value), read in one go.
PANEL = """() => {
    const panel = document.querySelector('[data-gmm-role="explanation"]');
    if (!panel || panel.hidden) return null;
    const v = (r) => Number(panel.querySelector(`[data-gmm-role="explanation-${r}"]`)
        .dataset.value);
    return {
        row: Number(panel.dataset.row),
        flagged: panel.querySelector('[data-gmm-role="explanation-title"]').dataset.flagged,
        log_density: v('log-density'), percentile: v('percentile'),
        component: v('component'), mahalanobis: v('mahalanobis'),
        features: [...panel.querySelectorAll('[data-gmm-role="explanation-feature"]')].map(
            (tr) => [tr.dataset.feature, Number(tr.lastElementChild.dataset.value)]),
    };
}"""


def click_a_point(lab) -> None:
    """Move over the plot until a point is under the pointer, then click it."""
    plot = lab.page.locator(".gmm-anomaly-inspector .gmm-plot")
    plot.scroll_into_view_if_needed()
    box = plot.bounding_box()
    for fx, fy in [(0.2, 0.7), (0.5, 0.5), (0.3, 0.5), (0.7, 0.5), (0.5, 0.3), (0.4, 0.4)]:
        for dx in range(-30, 31, 6):
            x, y = box["x"] + fx * box["width"] + dx, box["y"] + fy * box["height"]
            lab.page.mouse.move(x, y)
            if lab.role("hover-info").is_visible():
                lab.page.mouse.click(x, y)
                return
    raise AssertionError("no point under the pointer anywhere tried")


def test_default_density_is_named_and_a_clicked_point_is_explained(lab):
    lab.open(lab.write_notebook("anomaly_explain.ipynb", [SETUP, "insp"]))
    lab.run_all()
    choice = lab.python("insp.model_choice")
    assert choice.endswith("best BIC of 40 fits")
    lab.page.wait_for_function(
        "(t) => document.querySelector('[data-gmm-role=\"model-choice\"]')?.textContent === t",
        arg=f"density: {choice}",
    )

    click_a_point(lab)
    # The click reaches Python (explain_row), Python answers (explanation), the panel
    # shows that answer: wait for the panel to show the row Python holds.
    shown_in_python = (
        "insp.explain_row is not None and insp.explanation['row'] == insp.explain_row"
    )
    assert lab.wait_python(shown_in_python, True) is True
    row = lab.python("insp.explain_row")
    lab.page.wait_for_function(f"() => ({PANEL})()?.row === {row}")
    shown = lab.page.evaluate(f"({PANEL})()")
    want = lab.python(f"insp.explain({row})")
    assert shown["log_density"] == want["log_density"]
    assert shown["percentile"] == want["percentile"]
    assert shown["component"] == want["component"]
    assert shown["mahalanobis"] == want["mahalanobis"]
    assert shown["flagged"] == str(want["flagged"]).lower()
    ranked = sorted(want["features"], key=lambda f: -f["contribution"])
    assert shown["features"] == [[f["name"], f["share"]] for f in ranked]
    lab.screenshot("anomaly_explain", lab.page.locator(".gmm-anomaly-inspector"))

    # Python picks another row: the panel follows. Escape closes it in Python too.
    lab.run_code("insp.explain_row = int(np.argmin(insp.scores))")
    low = lab.python("insp.explain_row")
    lab.page.wait_for_function(f"() => ({PANEL})()?.row === {low}")
    assert lab.page.evaluate(f"({PANEL})()")["flagged"] == "true"
    lab.role("explanation").focus()
    lab.page.keyboard.press("Escape")
    assert lab.wait_python("insp.explain_row", None) is None
    lab.page.wait_for_function(f"() => ({PANEL})() === null")


HELD_OUT = """\
from gmm_widgets.datasets import make_anomalies

Xa, ya = make_anomalies(1600, contamination=0.05, n_components=3, random_state=0)
rows = np.random.default_rng(0).permutation(1600)
Xa, ya = Xa[rows], ya[rows]
tuned = AnomalyInspector(Xa[:1000], labels=ya[:1000], n_components=3, random_state=0,
                         X_new=Xa[1000:], labels_new=ya[1000:])
"""

#: The held-out read-out, at full precision.
HELD_OUT_SHOWN = """() => {
    const q = (r) => document.querySelector(`[data-gmm-role="${r}"]`);
    if (!q('held-out') || q('held-out').hidden) return null;
    return {
        threshold: Number(q('threshold-handle').getAttribute('aria-valuenow')),
        count: Number(q('held-out-count').dataset.value),
        fraction: Number(q('held-out-fraction').dataset.value),
        interval: q('held-out-interval').dataset.value.split(',').map(Number),
        tuning: Number(q('held-out-tuning').dataset.value),
        f1: Number(q('held-out-f1').dataset.value),
    };
}"""


def test_the_threshold_is_checked_on_new_data_while_dragging(lab):
    lab.open(lab.write_notebook("anomaly_held_out.ipynb", [SETUP, HELD_OUT, "tuned"]))
    lab.run_all()
    lab.page.wait_for_function(f"() => ({HELD_OUT_SHOWN})() !== null")
    start = lab.page.evaluate(f"({HELD_OUT_SHOWN})()")
    py = lab.python(
        "[tuned.held_out.n_flagged, tuned.held_out.fraction, list(tuned.held_out.interval),"
        " tuned.held_out.tuning_fraction, tuned.held_out.metrics.f1]"
    )
    assert [
        start["count"],
        start["fraction"],
        start["interval"],
        start["tuning"],
        start["f1"],
    ] == py

    # Drag right: the read-out follows in the page before Python hears of it.
    handle = lab.role("threshold-handle")
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    x0, y0 = box["x"] + box["width"] / 2, box["y"] + 8
    lab.page.mouse.move(x0, y0)
    lab.page.mouse.down()
    for step in range(1, 16):
        lab.page.mouse.move(x0 + 8 * step, y0)
    lab.page.wait_for_function(
        f"(c) => ({HELD_OUT_SHOWN})().count > c", arg=start["count"], timeout=10_000
    )
    lab.page.mouse.up()
    after = lab.page.evaluate(f"({HELD_OUT_SHOWN})()")
    assert lab.wait_python("tuned.threshold", after["threshold"]) == after["threshold"]
    py = lab.python(
        "[tuned.held_out.n_flagged, tuned.held_out.fraction, list(tuned.held_out.interval),"
        " tuned.held_out.tuning_fraction, tuned.held_out.metrics.f1]"
    )
    assert [
        after["count"],
        after["fraction"],
        after["interval"],
        after["tuning"],
        after["f1"],
    ] == py


def open_with_settings(lab, notebook: str, n_components: int) -> tuple:
    """Open SETUP's inspector with a seeded K; its root and its settings, in view."""
    setup = SETUP.replace(
        "insp = AnomalyInspector(X, contamination=0.02)",
        f"insp = AnomalyInspector(X, n_components={n_components}, random_state=0, "
        "contamination=0.02)",
    )
    lab.open(lab.write_notebook(notebook, [setup, "insp"]))
    lab.run_all()
    root = lab.page.locator(".gmm-anomaly-inspector")
    settings = root.locator('[data-gmm-role="model-settings"]')
    settings.scroll_into_view_if_needed()
    return root, settings


def test_k_and_covariance_are_tuned_in_the_widget(lab):
    root, settings = open_with_settings(lab, "anomaly_settings.ipynb", 2)
    assert settings.is_visible()
    slider = settings.locator('[data-gmm-role="k-slider"]')
    assert slider.input_value() == "2"
    # One key press, one refit in Python; then the next (two quick presses may or may not
    # merge into one debounced refit, depending on the machine's speed: not asserted).
    for k in (3, 4):
        slider.focus()
        lab.page.keyboard.press("ArrowRight")
        assert lab.wait_python("[insp.model.n_components, insp.busy]", [k, False]) == [k, False]
    # The threshold rule held: the same contamination, so the same count.
    rule = (
        "[insp.contamination, insp.refit_info['kind'], insp.threshold =="
        " __import__('gmm_widgets').mixture.threshold_from_contamination(insp.scores, 0.02)]"
    )
    assert lab.python(rule) == [0.02, "settings", True]
    lab.page.wait_for_function(
        "() => document.querySelector('[data-gmm-role=\"refit-status\"]')"
        ".textContent.includes('K=4, full')"
    )
    settings.locator('[data-gmm-role="covariance-type"]').select_option("diag")
    assert lab.wait_python("insp.model.covariance_type", "diag") == "diag"
    assert lab.python("insp.model.n_components") == 4
    # Undo goes back to the K=4 full model, and the controls with it.
    lab.role("undo-refit", root).click()
    assert lab.wait_python("insp.covariance_type", "full") == "full"
    lab.page.wait_for_function(
        "(el) => el.value === 'full'",
        arg=settings.locator('[data-gmm-role="covariance-type"]').element_handle(),
    )


#: The threshold tag's and the "log" toggle's boxes overlap (read in one page evaluation).
TAG_MEETS_TOGGLE = """() => {
    const q = (r) => document.querySelector(`[data-gmm-role="${r}"]`);
    const a = q('threshold-tag').getBoundingClientRect();
    const b = q('hist-scale').getBoundingClientRect();
    const meet = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    return {meet, tag: q('threshold-tag').textContent,
            value: Number(q('threshold-handle').getAttribute('aria-valuenow'))};
}"""


def test_the_threshold_tag_never_hides_under_the_log_toggle(lab):
    lab.open(lab.write_notebook("anomaly_tag.ipynb", [SETUP, "insp"]))
    lab.run_all()
    handle = lab.role("threshold-handle")
    handle.scroll_into_view_if_needed()
    handle.focus()
    lab.page.keyboard.press("End")  # the highest score: the tag at the far right
    seen = []
    for _ in range(20):  # then leftwards across the histogram, 1/20 of the range a step
        seen.append(lab.page.evaluate(TAG_MEETS_TOGGLE))
        lab.page.keyboard.press("PageDown")
    assert seen[0]["tag"].startswith("100")  # every point below: the right end
    assert len({s["value"] for s in seen}) == 20
    assert not [s for s in seen if s["meet"]], [s for s in seen if s["meet"]]


#: The noise read-outs of the view, read in one go.
NOISE_VIEW = """() => {
    const q = (r) => document.querySelector(`[data-gmm-role="${r}"]`);
    const cut = q('noise-cut');
    return {
        button: !q('flag-noise').hidden,
        cut: cut && !cut.parentElement.hidden ? Number(cut.dataset.value) : null,
        threshold: Number(q('threshold-value').dataset.value),
    };
}"""


def test_noise_component_is_toggled_and_likely_noise_flagged(lab):
    root, settings = open_with_settings(lab, "anomaly_noise.ipynb", 3)
    assert lab.page.evaluate(f"({NOISE_VIEW})()")["button"] is False
    settings.locator('[data-gmm-role="noise-toggle"]').check()
    has_noise = "[hasattr(insp.model, 'noise_weight_'), insp.noise, insp.busy]"
    assert lab.wait_python(has_noise, [True, True, False]) == [True, True, False]
    # The new model reaches the view: the button shows, and the read-out of the cut.
    lab.page.wait_for_function(f"() => ({NOISE_VIEW})().button && ({NOISE_VIEW})().cut !== null")
    lab.role("flag-noise", root).click()
    # Python keeps the rule and flags exactly the points with P(noise) > 0.5.
    rule = (
        "[insp.noise_cut, bool(abs(insp.threshold - insp._noise_threshold(insp.model, 0.5))"
        " < 1e-12), int(insp.n_anomalies) == int((insp.noise_probability() > 0.5).sum())]"
    )
    assert lab.wait_python(rule, [0.5, True, True]) == [0.5, True, True]
    # The view shows Python's threshold and reads it as the cut P(noise) > 0.5.
    threshold = lab.python("insp.threshold")
    lab.page.wait_for_function(
        f"(t) => ({NOISE_VIEW})().threshold === t && Math.abs(({NOISE_VIEW})().cut - 0.5) < 1e-9",
        arg=threshold,
    )
    lab.screenshot("anomaly_noise", root)
    # A clicked point's probability of noise is the kernel's explain(i).
    click_a_point(lab)
    shown_in_python = (
        "insp.explain_row is not None and insp.explanation['row'] == insp.explain_row"
    )
    assert lab.wait_python(shown_in_python, True) is True
    row = lab.python("insp.explain_row")
    lab.page.wait_for_function(f"() => ({PANEL})()?.row === {row}")
    shown = lab.page.evaluate(
        "() => Number(document.querySelector("
        "'[data-gmm-role=\"explanation-noise-probability\"]').dataset.value)"
    )
    assert shown == lab.python(f"insp.explain({row})['noise_probability']")
    # Off again: the plain model, no button, and the rule falls back to the fraction.
    settings.locator('[data-gmm-role="noise-toggle"]').uncheck()
    plain = "[hasattr(insp.model, 'noise_weight_'), insp.noise_cut, insp.busy]"
    assert lab.wait_python(plain, [False, None, False]) == [False, None, False]
    lab.page.wait_for_function(f"() => !({NOISE_VIEW})().button")
