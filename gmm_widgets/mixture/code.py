"""Python source that rebuilds a fitted estimator: the parameters as literals, then ``fit``.

``estimator_code(model)`` writes the constructor call with every parameter that differs
from the class's default, arrays (``means_init``, ``weights_init``, ...) as
``np.array`` literals whose floats round-trip exactly (``repr``), and ``.fit(X)``.
Run on the same ``X``, it gives the same model to the last bit: the widgets' "copy as
code" is built on it.
"""

from __future__ import annotations

import inspect
import numbers
from typing import Any

import numpy as np

__all__ = ["estimator_code", "literal"]

#: Parameters that hold live objects and never carry a model's state: left out.
_SKIPPED = ("callbacks",)


def literal(value: Any) -> str:
    """A Python expression that evaluates to ``value`` (floats exactly).

    Parameters
    ----------
    value : None, bool, int, float, str, ndarray, list, tuple or dict of these

    Returns
    -------
    str
        ``repr`` for scalars and strings, ``np.array([...])`` (with a ``dtype`` when it
        is not float64 or int64) for arrays, ``{key: value, ...}`` for dicts (e.g.
        ``fixed_means={0: ...}``).

    Raises
    ------
    TypeError
        For anything else (a RandomState, a function, ...), naming its type.
    """
    if value is None or isinstance(value, (bool, str)):
        return repr(value)
    if isinstance(value, numbers.Integral):
        return repr(int(value))
    if isinstance(value, numbers.Real):
        v = float(value)
        if np.isfinite(v):
            return repr(v)
        return "float('nan')" if np.isnan(v) else f"float('{'inf' if v > 0 else '-inf'}')"
    if isinstance(value, np.ndarray):
        body = repr(value.tolist())
        if value.dtype in (np.dtype(np.float64), np.dtype(np.int64)) and value.size:
            return f"np.array({body})"
        return f"np.array({body}, dtype=np.{value.dtype.name})"
    if isinstance(value, (list, tuple)):
        items = ", ".join(literal(v) for v in value)
        return (
            f"[{items}]"
            if isinstance(value, list)
            else f"({items}{',' if len(value) == 1 else ''})"
        )
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(
        f"a {type(value).__name__} cannot be written as Python source; give the estimator "
        "plain values (e.g. an int random_state, not a RandomState)."
    )


def _class_defaults(cls: type) -> dict[str, Any]:
    params = inspect.signature(cls).parameters
    return {
        name: p.default
        for name, p in params.items()
        if name != "self" and p.default is not inspect.Parameter.empty
    }


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return False
    try:
        return bool(a == b) and type(a) is type(b)
    except (TypeError, ValueError):
        return False


def estimator_code(estimator: Any, *, name: str = "model", data: str = "X") -> str:
    """Python that constructs ``estimator``'s class with its parameters and fits it.

    Parameters
    ----------
    estimator : estimator with ``get_params``
        Ours (imported from ``gmm_widgets``) or any other importable class, e.g.
        scikit-learn's ``GaussianMixture``.
    name : str, default="model"
        The variable the code assigns.
    data : str, default="X"
        The variable holding the data the code fits on.

    Returns
    -------
    str
        Imports, then ``name = Class(param=value, ...).fit(data)``; only the parameters
        that differ from the class's defaults are written.

    Raises
    ------
    TypeError
        If a parameter's value cannot be written as a literal, or ``estimator`` has no
        ``get_params``.

    Examples
    --------
    >>> from gmm_widgets import GaussianMixture
    >>> print(estimator_code(GaussianMixture(3, random_state=0)))
    from gmm_widgets import GaussianMixture
    <BLANKLINE>
    model = GaussianMixture(n_components=3, random_state=0).fit(X)
    """
    if not hasattr(estimator, "get_params"):
        raise TypeError(
            f"{type(estimator).__name__} has no get_params: only estimators can be written "
            "as code."
        )
    cls = type(estimator)
    defaults = _class_defaults(cls)
    args = []
    uses_numpy = False
    for key, value in estimator.get_params(deep=False).items():
        if key in _SKIPPED or (key in defaults and _equal(value, defaults[key])):
            continue
        text = literal(value)
        uses_numpy = uses_numpy or "np.array(" in text
        args.append(f"{key}={text}")
    module = cls.__module__
    if module.startswith("gmm_widgets"):
        module = "gmm_widgets"
    elif module.startswith("sklearn."):
        module = ".".join(module.split(".")[:2])  # sklearn.mixture, not its private file
    imports = (["import numpy as np"] if uses_numpy else []) + [
        f"from {module} import {cls.__name__}"
    ]
    call = f"{name} = {cls.__name__}({', '.join(args)}).fit({data})"
    if len(call) > 88:
        inner = "".join(f"    {a},\n" for a in args)
        call = f"{name} = {cls.__name__}(\n{inner}).fit({data})"
    return "\n".join(imports) + "\n\n" + call
