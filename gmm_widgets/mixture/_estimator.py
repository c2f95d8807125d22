"""scikit-learn's estimator protocol without importing scikit-learn.

:class:`EstimatorMixin` gives ``get_params``/``set_params`` (read from the constructor's
signature, as scikit-learn does), a compact ``repr``, and ``__sklearn_tags__`` for
scikit-learn >= 1.6, which imports scikit-learn only when scikit-learn itself asks.
"""

from __future__ import annotations

import inspect
from typing import Any

__all__ = ["EstimatorMixin"]


class EstimatorMixin:
    """``get_params``/``set_params`` so that ``clone``, ``Pipeline`` and ``GridSearchCV`` work."""

    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return sorted(
            p.name
            for p in sig.parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
        )

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Parameters of this estimator.

        Parameters
        ----------
        deep : bool, default=True
            Also return the parameters of nested estimators (as ``name__param``).

        Returns
        -------
        dict
        """
        out: dict[str, Any] = {}
        for name in self._param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update({f"{name}__{k}": v for k, v in value.get_params().items()})
            out[name] = value
        return out

    def set_params(self, **params: Any) -> EstimatorMixin:
        """Set parameters; nested ones as ``name__param``.

        Parameters
        ----------
        **params : dict
            Estimator parameters.

        Returns
        -------
        self
        """
        valid = self.get_params(deep=True)
        nested: dict[str, dict[str, Any]] = {}
        for key, value in params.items():
            name, delim, sub = key.partition("__")
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for {type(self).__name__}. "
                    f"Valid parameters are: {self._param_names()}."
                )
            if delim:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
        for name, sub_params in nested.items():
            getattr(self, name).set_params(**sub_params)
        return self

    def __repr__(self) -> str:
        sig = inspect.signature(type(self).__init__)
        changed = []
        for name in self._param_names():
            default = sig.parameters[name].default
            value = getattr(self, name, None)
            try:
                same = value is default or bool(value == default)
            except (ValueError, TypeError):  # arrays
                same = False
            if not same:
                text = repr(value)
                if len(text) > 40:
                    text = text[:37] + "..."
                changed.append(f"{name}={text}")
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_tags__(self) -> Any:
        # Only scikit-learn calls this, so importing it here adds no runtime dependency.
        from sklearn.utils import Tags, TargetTags

        return Tags(
            estimator_type=None,
            target_tags=TargetTags(required=False),
            transformer_tags=None,
            classifier_tags=None,
            regressor_tags=None,
        )
