"""The pairs view (scatter matrix) and the uncertainty toggle of the projected widgets.

:class:`PairsViewMixin` gives a :class:`~gmm_widgets.widgets._base.ProjectedWidget`
three synced traits, drawn by ``js/src/lib/pairs.js`` and ``js/src/lib/uncertainty.js``:

* ``pairs_view``: ``False`` for one plot (a feature pair or PCA, as chosen by
  ``projection``), ``True`` for the grid of every pair of ``pair_features``, with each
  feature's 1-D mixture density on the diagonal (not ``layout``, which is ipywidgets'
  CSS layout of every widget);
* ``pair_features``: the features of the grid, at most :data:`MAX_PAIR_FEATURES`
  (default: the first ``min(d, 8)``); settable by column names or indices;
* ``uncertainty_view``: fade each point by its uncertainty ``1 - max_k p(k | x)``
  (mclust's uncertainty plot), in both layouts.

No data is sent for the grid: the panels read the rows already sent once in ``data``.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import traitlets

from gmm_widgets.widgets._transport import decode_array, encode_array

__all__ = [
    "MAX_PAIR_FEATURES",
    "PairsViewMixin",
    "check_pairs_view",
    "feature_index",
    "pair_indices",
]

#: Most features a pairs view shows (an 8 x 8 grid); choose a subset beyond that.
MAX_PAIR_FEATURES = 8


def _names_text(names: Sequence[str]) -> str:
    shown = ", ".join(repr(n) for n in names[:20])
    return shown + (f", ... ({len(names)} in all)" if len(names) > 20 else "")


def feature_index(feature: Any, feature_names: Sequence[str], argument: str) -> int:
    """The index of one feature given by column name or index.

    Parameters
    ----------
    feature : str or int
    feature_names : sequence of str of length d
    argument : str
        The argument's name, for the messages.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        A name that is not a column (the message lists the columns) or an index out of
        range.
    TypeError
        Neither a str nor an int.
    """
    names = [str(n) for n in feature_names]
    d = len(names)
    if isinstance(feature, str):
        if feature not in names:
            raise ValueError(
                f"{argument} names the column {feature!r}, which the data does not have; "
                f"the columns are {_names_text(names)}."
            )
        return names.index(feature)
    if isinstance(feature, numbers.Integral) and not isinstance(feature, bool):
        i = int(feature)
        if not 0 <= i < d:
            raise ValueError(
                f"{argument} holds the index {i}, outside [0, {d - 1}] for data with "
                f"{d} feature{'s' if d != 1 else ''}; the columns are {_names_text(names)}."
            )
        return i
    raise TypeError(f"{argument} must hold column names (str) or indices (int), got {feature!r}.")


def pair_indices(features: Any, feature_names: Sequence[str]) -> list[int]:
    """The feature indices of a pairs view, from column names or indices.

    Parameters
    ----------
    features : sequence of str or int, or None
        Column names (as in ``feature_names``) or indices in ``[0, d)``, mixed freely;
        ``None`` for the default, the first ``min(d, MAX_PAIR_FEATURES)`` features.
    feature_names : sequence of str of length d
        The data's column names.

    Returns
    -------
    list of int
        Distinct indices in the order given, between ``min(2, d)`` and
        :data:`MAX_PAIR_FEATURES` of them.

    Raises
    ------
    ValueError
        A name that is not a column (the message lists the columns), an index out of
        range, a repeated feature, too few features, or more than
        :data:`MAX_PAIR_FEATURES`.
    TypeError
        ``features`` is not a sequence of names or integers.
    """
    names = [str(n) for n in feature_names]
    d = len(names)
    if features is None:
        return list(range(min(d, MAX_PAIR_FEATURES)))
    if isinstance(features, (str, bytes)) or not isinstance(features, (Sequence, np.ndarray)):
        raise TypeError(
            "pair_features must be a list of column names or feature indices, e.g. "
            f"{names[: min(3, d)]!r}, got {type(features).__name__}."
        )
    out: list[int] = []
    for f in list(features):
        i = feature_index(f, names, "pair_features")
        if i in out:
            raise ValueError(f"pair_features names the feature {names[i]!r} twice.")
        out.append(i)
    if len(out) > MAX_PAIR_FEATURES:
        raise ValueError(
            f"pair_features holds {len(out)} features, more than the pairs view shows "
            f"(at most {MAX_PAIR_FEATURES}); choose a subset of at most {MAX_PAIR_FEATURES}."
        )
    least = min(2, d)
    if len(out) < least:
        raise ValueError(
            f"pair_features must name at least {least} feature{'s' if least != 1 else ''}, "
            f"got {len(out)}."
        )
    return out


def _check_bool(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}.")
    return bool(value)


def check_pairs_view(value: Any, n_features: int) -> bool:
    """``pairs_view`` checked: a bool, and ``True`` only with two features or more.

    Parameters
    ----------
    value : bool
    n_features : int

    Returns
    -------
    bool

    Raises
    ------
    TypeError
        Not a bool.
    ValueError
        ``True`` for data of one feature.
    """
    on = _check_bool(value, "pairs_view")
    if on and n_features < 2:
        raise ValueError(
            "pairs_view=True needs at least 2 features; the data has 1 (its view shows "
            "the 1-D densities already): leave pairs_view=False."
        )
    return on


if TYPE_CHECKING:
    # For mypy the mixin is untyped, as anywidget's classes are: typed HasTraits methods
    # on it would change how mypy reads the traits of the widgets that mix it in.
    _HasTraits = Any
else:
    _HasTraits = traitlets.HasTraits


def features_to_json(value: Any, widget: Any = None) -> dict[str, Any]:
    """``pair_features`` for the browser: an int32 array (binary, as every array is)."""
    return encode_array(np.asarray(list(value), dtype=np.int64).reshape(-1), "int32")


def features_from_json(value: Any, widget: Any = None) -> list[int]:
    """``pair_features`` from the browser: the int32 array back to a list of int."""
    return [int(v) for v in decode_array(value).reshape(-1)]


class PairsViewMixin(_HasTraits):
    """The pairs layout and the uncertainty toggle (a base after ProjectedWidget).

    Attributes
    ----------
    pairs_view : bool
        The scatter matrix of ``pair_features`` (True) or one plot (False). Clicking a
        panel of the matrix in the view sets ``x_feature``/``y_feature`` to that pair,
        ``projection`` to ``"features"`` and ``pairs_view`` back to False.
    pair_features : list of int
        Features of the scatter matrix (indices; assign names or indices, at most
        :data:`MAX_PAIR_FEATURES`). Default: the first ``min(d, 8)``.
    uncertainty_view : bool
        Fade each point by its uncertainty ``1 - max_k p(k | x)`` under the frame
        shown: certain points pale, points between components in full colour.
    """

    pairs_view = traitlets.Bool(False).tag(sync=True)
    # Any items: names and indices are both accepted, and every check (with its message
    # naming the columns) is the validator's, pair_indices.
    pair_features = traitlets.List(traitlets.Any()).tag(
        sync=True, to_json=features_to_json, from_json=features_from_json
    )
    uncertainty_view = traitlets.Bool(False).tag(sync=True)

    @staticmethod
    def _check_pairs_args(
        pairs_view: Any, pair_features: Any, uncertainty_view: Any, feature_names: Sequence[str]
    ) -> tuple[bool, list[int], bool]:
        """Constructor checks (ValueError/TypeError before the widget exists)."""
        d = len(feature_names)
        return (
            check_pairs_view(pairs_view, d),
            pair_indices(pair_features, feature_names),
            _check_bool(uncertainty_view, "uncertainty_view"),
        )

    def _set_pairs(self, values: tuple[bool, list[int], bool]) -> None:
        """Set the three traits from :meth:`_check_pairs_args`' result."""
        pairs, features, uncertain = values
        items: list[Any] = list(features)
        self.pair_features = items
        self.pairs_view = pairs
        self.uncertainty_view = uncertain

    def show_pairs(self, features: Any = None) -> None:
        """Show the scatter matrix of ``features`` (names or indices; default: the current).

        Parameters
        ----------
        features : sequence of str or int, optional
            At most :data:`MAX_PAIR_FEATURES` columns.

        Raises
        ------
        traitlets.TraitError
            A missing column (the message lists the columns), too many features, ...
        """
        with self.hold_trait_notifications():
            if features is not None:
                self.pair_features = list(features)
            self.pairs_view = True

    def show_pair(self, x: Any, y: Any) -> None:
        """Show one pair of features large (what clicking a panel does in the view).

        Parameters
        ----------
        x, y : str or int
            Column names or indices of the features on the x and y axes.
        """
        names = list(getattr(self, "feature_names", []))
        try:
            i, j = feature_index(x, names, "x"), feature_index(y, names, "y")
        except (ValueError, TypeError) as exc:
            raise traitlets.TraitError(str(exc)) from None
        with self.hold_trait_notifications():
            self.set_trait("x_feature", i)
            self.set_trait("y_feature", j)
            self.set_trait("projection", "features")
            self.set_trait("pairs_view", False)

    @traitlets.validate("pair_features")
    def _valid_pair_features(self, proposal: dict[str, Any]) -> list[int]:
        names = list(getattr(self, "feature_names", []))
        value = proposal["value"]
        if not names:  # before the data is set: indices only, checked when it is
            if all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value):
                return [int(v) for v in value]
            raise traitlets.TraitError("pair_features: set the data before naming its columns.")
        try:
            return pair_indices(value, names)
        except (ValueError, TypeError) as exc:
            raise traitlets.TraitError(str(exc)) from None

    @traitlets.validate("pairs_view")
    def _valid_pairs_view(self, proposal: dict[str, Any]) -> bool:
        names = list(getattr(self, "feature_names", []))
        try:
            return check_pairs_view(proposal["value"], len(names) or 2)
        except ValueError as exc:
            raise traitlets.TraitError(str(exc)) from None
