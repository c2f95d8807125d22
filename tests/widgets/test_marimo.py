"""marimo: a browser change applied by ``mo.ui.anywidget`` refits before dependent cells run.

marimo applies a browser change twice: as the comm message (outside any element
update) and as the element's value, inside its ``set_ui_element_value``, right before
it re-runs the cells that read the element. These tests play that order with a stand-in
for marimo's runtime context; ``test_marimo_runtime_has_what_we_read`` pins the two
names we read from the real one, and tests/e2e/test_marimo.py runs the real thing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from gmm_widgets import AnomalyInspector, MixtureExplorer
from gmm_widgets.widgets import _marimo
from gmm_widgets.widgets._marimo import setting_ui_value
from gmm_widgets.widgets._transport import encode_array
from tests.widgets.test_mixture_explorer import FakeScheduler


class FakeRuntime:
    """Stands in for ``marimo._runtime.context``; ``setting`` is the flag marimo sets."""

    def __init__(self) -> None:
        self.setting = False

    def get_context(self) -> SimpleNamespace:
        execution = SimpleNamespace(setting_element_value=self.setting)
        return SimpleNamespace(execution_context=execution)


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> FakeRuntime:
    fake = FakeRuntime()
    monkeypatch.setitem(sys.modules, _marimo._CONTEXT_MODULE, fake)
    return fake


@pytest.fixture
def blobs() -> np.ndarray:
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [8.0, 0.0], [4.0, 7.0]])
    return np.vstack([rng.normal(c, 0.8, size=(300, 2)) for c in centres])


def handles_state(means: np.ndarray, request: int) -> dict:
    """What the view sends when a handle is dropped (JSON-decoded, as a comm delivers it)."""
    enc = encode_array(means, "float64")
    return {"handles": {**enc, "buffer": bytes(enc["buffer"])}, "request": request}


def test_not_in_marimo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, _marimo._CONTEXT_MODULE, raising=False)
    assert setting_ui_value() is False


def test_a_runtime_that_cannot_be_read_is_not_marimo(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_context() -> None:
        raise LookupError("no runtime context here")

    broken = SimpleNamespace(get_context=no_context)
    monkeypatch.setitem(sys.modules, _marimo._CONTEXT_MODULE, broken)
    assert setting_ui_value() is False
    # An execution context without the flag (marimo changed shape): not marimo either.
    odd = SimpleNamespace(get_context=lambda: SimpleNamespace(execution_context=None))
    monkeypatch.setitem(sys.modules, _marimo._CONTEXT_MODULE, odd)
    assert setting_ui_value() is False


def test_the_flag_is_read(runtime: FakeRuntime) -> None:
    assert setting_ui_value() is False
    runtime.setting = True
    assert setting_ui_value() is True


def test_explorer_refits_once_before_the_dependent_cells(runtime, blobs) -> None:
    sched = FakeScheduler()
    w = MixtureExplorer(blobs, n_components=3, random_state=0, scheduler=sched)
    fitted_before = w.model
    dropped = np.array([[1.0, 1.0], [7.0, -1.0], [4.0, 6.0]])
    # 1. The comm message: debounced as in Jupyter.
    w.set_state(handles_state(dropped, 1))
    assert w.refit_pending and w.model is fitted_before and w.means_init is None
    # 2. The same change as the element's value: the refit runs now, once.
    runtime.setting = True
    w.set_state(handles_state(dropped, 1))
    assert not w.refit_pending and not sched.live()
    assert w.model is not fitted_before
    np.testing.assert_array_equal(w.means_init, dropped)
    assert w.result["request"] == 1
    # The fit started from the dropped means: its first frame holds them.
    np.testing.assert_allclose(w.history.for_init()[0].means, dropped)
    assert sum(not t.cancelled for t in sched.timers) == 0


def test_explorer_in_jupyter_still_waits_for_the_timer(runtime, blobs) -> None:
    sched = FakeScheduler()
    w = MixtureExplorer(blobs, n_components=3, random_state=0, scheduler=sched)
    w.set_state({"n_components": 2, "request": 1})
    w.set_state({"n_components": 2, "request": 1})
    assert w.refit_pending and w.model.n_components == 3
    sched.run()
    assert w.model.n_components == 2


def test_inspector_refits_before_the_dependent_cells(runtime, blobs, monkeypatch) -> None:
    refits = []
    plain = AnomalyInspector._refit_model

    def counting(self):
        refits.append(self.n_components)
        return plain(self)

    monkeypatch.setattr(AnomalyInspector, "_refit_model", counting)

    async def scenario() -> tuple[int, int]:
        # A running loop: the inspector's debounce timer is the loop's, as in a kernel.
        w = AnomalyInspector(blobs, n_components=3, random_state=0)
        w.set_state({"n_components": 2})
        pending = w.model.n_components  # the timer has not fired
        runtime.setting = True
        w.set_state({"n_components": 2})
        now = w.model.n_components
        await asyncio.sleep(0.3)  # past the debounce (0.15 s): no second refit fires
        return pending, now

    pending, now = asyncio.run(scenario())
    assert (pending, now) == (3, 2)
    assert refits == [2]


def test_marimo_runtime_has_what_we_read() -> None:
    pytest.importorskip("marimo")
    from marimo._runtime import context
    from marimo._runtime.context.types import ExecutionContext

    assert callable(context.get_context)
    assert "setting_element_value" in {f.name for f in dataclasses.fields(ExecutionContext)}
    # Outside a marimo kernel (here) there is no context: not "setting".
    assert sys.modules.get(_marimo._CONTEXT_MODULE) is context
    assert setting_ui_value() is False
