"""``to_code()``: the Python that rebuilds what a widget shows now.

The code fits the widget's current model from scratch: the estimator with every
parameter that differs from its default (the dragged ``means_init`` and the initial
weights and precisions derived from it, the seed, the covariance type, ...) written as
exact literals (:func:`gmm_widgets.mixture.code.estimator_code`), after the widget's
edits to the data (MixtureExplorer's added and removed points), followed by what the
user chose on top of the model (AnomalyInspector's threshold). Pasted into a fresh
kernel where ``X`` holds the same data, it gives the same model to the last bit.
"""

from __future__ import annotations

from typing import Any

from gmm_widgets.mixture import is_fitted
from gmm_widgets.mixture.code import estimator_code

__all__ = ["CodeMixin"]

_GIVEN = (
    "# `model` is the fitted model you gave the widget (it keeps its own parameters; "
    "the widget did not fit it)."
)


class CodeMixin:
    """``to_code()`` for a widget that shows one model fitted on its ``X``.

    A widget records the fitted model it was given, if any, in ``_given_model`` (that
    one is referred to, not rebuilt: the widget never saw its training data), and may
    override :meth:`_code_model`, :meth:`_code_data` and :meth:`_code_after`.
    """

    _given_model: Any = None

    def _remember_given_model(self, model: Any) -> None:
        """Keep ``model`` if it arrived ready (a fitted estimator, or parameters)."""
        unfitted = hasattr(model, "fit") and not is_fitted(model)
        self._given_model = None if model is None or unfitted else model

    def _code_model(self) -> Any:
        """The estimator the widget shows (fitted by it, or given to it)."""
        model = getattr(self, "model", None)
        if model is None:
            raise ValueError("this widget shows no fitted model yet: nothing to write.")
        return model

    def _code_data(self) -> list[str]:
        """Lines that turn ``X`` into the data the model was fitted on."""
        return []

    def _code_after(self) -> list[str]:
        """Lines after the model: the user's choices on top of it."""
        return []

    def _on_code_request(self, widget: Any, content: Any, buffers: Any) -> None:
        """The view's "Code" button: answer with :meth:`to_code` (or why it cannot)."""
        if not isinstance(content, dict) or content.get("type") != "to_code":
            return
        try:
            reply = {"type": "code", "code": self.to_code()}
        except (ValueError, TypeError) as exc:
            reply = {"type": "code", "error": str(exc)}
        self.send(reply)  # type: ignore[attr-defined]

    def to_code(self) -> str:
        """Python that rebuilds the model this widget shows (and its threshold, etc.).

        Returns
        -------
        str
            Runs where ``X`` holds the data the widget was given; it assigns ``model``
            (and, per widget, e.g. ``threshold`` and ``flagged``). Copy it with the
            widget's "copy as code" or ``print(widget.to_code())``.

        Raises
        ------
        ValueError
            If the widget shows no model yet.
        TypeError
            If a parameter cannot be written as a literal (e.g. a RandomState seed).
        """
        model = self._code_model()
        lines = ["# X: the data this widget was given (the same rows and columns)."]
        imports: list[str] = []
        body = ""
        if model is self._given_model:
            lines.append(_GIVEN)
        else:
            head, _, body = estimator_code(model).partition("\n\n")
            imports = head.splitlines()
        data = self._code_data()
        if data and "import numpy as np" not in imports:
            imports.insert(0, "import numpy as np")
        out = [*imports, "", *lines, *data]
        if body:
            out.append(body)
        out += self._code_after()
        return "\n".join(out).lstrip("\n") + "\n"
