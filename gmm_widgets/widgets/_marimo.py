"""marimo: refits requested in the browser finish before marimo re-runs dependent cells.

In marimo, ``mo.ui.anywidget(widget)`` makes a widget a UI element: a change made in the
browser reaches Python (``widget.set_state``) and marimo then re-runs every cell that
reads the element, so such a cell can show ``explorer.widget.model`` or
``inspector.widget.anomalies``. A refit that waits for the debounce timer
(:mod:`gmm_widgets.widgets._debounce`) would run after those cells, which would show the
model before the change. marimo applies each browser change twice (once as the comm
message, once as the element's new value) and runs the dependent cells right after the
second; bursts are already merged by marimo's request queue. So a widget with a
debounced refit flushes it when :func:`setting_ui_value` says that marimo is applying
an element's value: the refit runs once, and the dependent cells see it.

Nothing here imports marimo: the check only looks at a marimo that the running
process has already imported, so Jupyter pays nothing, and it answers ``False`` if
marimo's runtime is absent or has changed shape (the debounce timer then refits as in
Jupyter).
"""

from __future__ import annotations

import sys

__all__ = ["setting_ui_value"]

#: The module of marimo's runtime context (``get_context()``).
_CONTEXT_MODULE = "marimo._runtime.context"


def setting_ui_value() -> bool:
    """Whether marimo is applying a value from the browser to a UI element now.

    Returns
    -------
    bool
        True inside marimo's ``set_ui_element_value`` (which runs the cells that read
        the element next); False in Jupyter, in a plain script, while a marimo cell runs,
        and whenever marimo's runtime cannot be read.
    """
    context = sys.modules.get(_CONTEXT_MODULE)
    if context is None:
        return False
    try:
        execution = context.get_context().execution_context
    except Exception:  # no runtime context (a script, a thread), or marimo changed
        return False
    return bool(getattr(execution, "setting_element_value", False))
