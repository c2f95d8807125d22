"""Input validation shared by the EM core and everything built on it.

Every check raises a :class:`ValueError` or :class:`TypeError` whose message names the
argument at fault and says how to fix it.
"""

from __future__ import annotations

import copy
import numbers
import sys
import warnings
from typing import Any

import numpy as np

from gmm_widgets.mixture._memmap import iter_blocks

__all__ = [
    "ConvergenceWarning",
    "NotFittedError",
    "check_X",
    "check_choice",
    "check_dask_X",
    "check_feature_names",
    "check_int",
    "check_model_features",
    "check_random_state",
    "check_sample_weight",
    "feature_names_of",
    "is_dask_array",
    "is_fitted",
    "n_features_of",
    "unfitted_copy",
]

#: Rows checked at a time when scanning large (memory-mapped) inputs for NaN/inf.
_SCAN_ROWS = 1 << 16


class ConvergenceWarning(UserWarning):
    """EM stopped at ``max_iter`` before the lower bound changed by less than ``tol``."""


class NotFittedError(ValueError, AttributeError):
    """A method that needs a fitted model was called before :meth:`fit`.

    Subclasses both :class:`ValueError` and :class:`AttributeError`, as scikit-learn's
    ``NotFittedError`` does. When ``sklearn.exceptions`` has been imported (as any code
    that catches ``sklearn.exceptions.NotFittedError`` has), the error raised is also an
    instance of scikit-learn's class; scikit-learn itself is never imported for this.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> NotFittedError:
        if cls is NotFittedError:
            sklearn_exceptions = sys.modules.get("sklearn.exceptions")
            base = getattr(sklearn_exceptions, "NotFittedError", None)
            if isinstance(base, type) and issubclass(base, BaseException):
                cls = _with_sklearn_base(base)
        return super().__new__(cls, *args, **kwargs)


_SKLEARN_FLAVOURS: dict[type, type] = {}


def _reduce_as_ours(self: BaseException) -> tuple[type, tuple[Any, ...]]:
    """Pickle a flavour as (and unpickle it to) our own NotFittedError."""
    return (NotFittedError, self.args)


def _with_sklearn_base(base: type) -> type:
    flavour = _SKLEARN_FLAVOURS.get(base)
    if flavour is None:
        flavour = type(
            "NotFittedError",
            (NotFittedError, base),
            {
                "__module__": NotFittedError.__module__,
                "__doc__": NotFittedError.__doc__,
                "__reduce__": _reduce_as_ours,
            },
        )
        _SKLEARN_FLAVOURS[base] = flavour
    return flavour


def check_random_state(seed: Any) -> np.random.RandomState:
    """Turn ``seed`` into a :class:`numpy.random.RandomState`.

    Parameters
    ----------
    seed : None, int, numpy.random.RandomState or numpy.random.Generator
        ``None`` uses fresh OS entropy; an int seeds a new generator; a
        ``RandomState`` is used as is; a ``Generator`` seeds a new ``RandomState``
        from it.

    Returns
    -------
    numpy.random.RandomState
    """
    if seed is None:
        return np.random.RandomState()
    if isinstance(seed, np.random.RandomState):
        return seed
    if isinstance(seed, np.random.Generator):
        return np.random.RandomState(seed.integers(0, 2**32 - 1, dtype=np.uint64))
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        if not 0 <= int(seed) < 2**32:
            raise ValueError(f"random_state must be in [0, 2**32 - 1], got {seed}.")
        return np.random.RandomState(int(seed))
    raise TypeError(
        "random_state must be None, an int, a numpy RandomState or Generator; "
        f"got {type(seed).__name__}."
    )


def check_choice(value: Any, name: str, choices: Any, hint: str = "") -> Any:
    """``value`` if it is one of ``choices``, else the one message for every option.

    Parameters
    ----------
    value : object
    name : str
        The argument's name in the message.
    choices : sequence
        The allowed values.
    hint : str, optional
        Added after the list of choices, e.g. " (lower is better)".

    Returns
    -------
    object
        ``value``.

    Raises
    ------
    ValueError
        "``name`` must be one of [...], got ``value``."
    """
    try:
        ok = value in choices
    except TypeError:  # an unhashable value looked up in a set or dict
        ok = False
    if not ok or isinstance(value, bool):
        raise ValueError(f"{name} must be one of {list(choices)}{hint}, got {value!r}.")
    return value


def check_int(value: Any, name: str, minimum: int) -> int:
    """``value`` as an int >= ``minimum``; bools and non-integers are refused.

    Parameters
    ----------
    value : object
    name : str
        The argument's name in the message.
    minimum : int

    Returns
    -------
    int

    Raises
    ------
    TypeError
        If ``value`` is not an integer.
    ValueError
        If it is below ``minimum``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} ({value!r}).")
    if int(value) < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}.")
    return int(value)


def check_model_features(
    model: Any, n_features: int, name: str = "model", *, data: str = "X"
) -> None:
    """Refuse data with another number of features than the model was fitted on.

    Parameters
    ----------
    model : estimator, MixtureParams, EMState or int
        A fitted model (read by :func:`n_features_of`), parameters with an
        ``n_features`` attribute, or the count itself. An unknown count passes.
    n_features : int
        Columns of ``X``.
    name : str, default="model"
        How the model is called in the message.
    data : str, default="X"
        How the data argument is called in the message.

    Raises
    ------
    ValueError
        Naming both counts and the fix.
    """
    if isinstance(model, numbers.Integral):
        n_model: int | None = int(model)
    elif isinstance(getattr(model, "n_features", None), numbers.Integral):
        n_model = int(model.n_features)
    else:
        n_model = n_features_of(model)
    if n_model is not None and n_model != int(n_features):
        raise ValueError(
            f"{name} was fitted on {n_model} feature(s) but {data} has {n_features}. Pass "
            f"the data the model was fitted on (same columns), or refit it on {data}."
        )


def is_fitted(model: Any) -> bool:
    """Whether ``model`` has fitted attributes (names ending in ``_``), as scikit-learn.

    Parameters
    ----------
    model : object

    Returns
    -------
    bool
    """
    attributes = getattr(model, "__dict__", {})
    return any(k.endswith("_") and not k.startswith("__") for k in attributes)


def n_features_of(model: Any) -> int | None:
    """The number of features a fitted mixture was fitted on, or None if unknown.

    Parameters
    ----------
    model : object
        Read from ``n_features_in_``, else from the last axis of ``means_``.

    Returns
    -------
    int or None
    """
    n = getattr(model, "n_features_in_", None)
    if n is None and getattr(model, "means_", None) is not None:
        n = np.shape(model.means_)[-1]
    return None if n is None else int(n)


def unfitted_copy(model: Any) -> Any:
    """A fresh, unfitted estimator with ``model``'s parameters (scikit-learn's clone).

    Parameters
    ----------
    model : object
        With ``get_params`` (an estimator), or anything ``copy.deepcopy`` copies.

    Returns
    -------
    object
    """
    if hasattr(model, "get_params"):
        return type(model)(**model.get_params(deep=False))
    return copy.deepcopy(model)


def feature_names_of(X: Any) -> np.ndarray | None:
    """``X``'s column names when it is a DataFrame with all-string names, else None.

    Parameters
    ----------
    X : object

    Returns
    -------
    ndarray of shape (n_features,), object, or None
        scikit-learn's rule for ``feature_names_in_``.
    """
    columns = getattr(X, "columns", None)
    if columns is None or not hasattr(X, "iloc"):
        return None
    names = np.asarray(list(columns), dtype=object)
    if not all(isinstance(n, str) for n in names):
        return None
    return names


def check_feature_names(estimator: Any, X: Any) -> None:
    """Check ``X``'s column names against those seen in ``fit``, as scikit-learn does.

    Renamed or reordered columns raise ``ValueError`` (a silently wrong answer
    otherwise); names present on only one side warn, as in scikit-learn.

    Parameters
    ----------
    estimator : object
        A fitted estimator, with ``feature_names_in_`` if it was fitted on named columns.
    X : array-like of shape (n_samples, n_features)
        The new data, a DataFrame or an array.
    """
    fitted = getattr(estimator, "feature_names_in_", None)
    names = feature_names_of(X)
    who = type(estimator).__name__
    if fitted is None and names is None:
        return
    if fitted is None:
        warnings.warn(
            f"X has feature names, but {who} was fitted without feature names.",
            UserWarning,
            stacklevel=3,
        )
        return
    if names is None:
        warnings.warn(
            f"X does not have valid feature names, but {who} was fitted with feature names.",
            UserWarning,
            stacklevel=3,
        )
        return
    if len(names) == len(fitted) and np.array_equal(names, fitted):
        return
    message = "The feature names should match those that were passed during fit.\n"
    unexpected = sorted(set(names) - set(fitted))
    missing = sorted(set(fitted) - set(names))
    if unexpected:
        message += "Feature names unseen at fit time:\n" + "".join(f"- {n}\n" for n in unexpected)
    if missing:
        message += "Feature names seen at fit time, yet now missing:\n" + "".join(
            f"- {n}\n" for n in missing
        )
    if not unexpected and not missing:
        message += "Feature names must be in the same order as they were in fit.\n"
    message += f"Pass the columns {list(fitted)} in that order (e.g. X[model.feature_names_in_])."
    raise ValueError(message)


def _is_sparse(X: Any) -> bool:
    sparse = sys.modules.get("scipy.sparse")  # only set if scipy.sparse was imported
    return sparse is not None and sparse.issparse(X)


def _has_nullable_columns(X: Any) -> bool:
    dtypes = X.dtypes if hasattr(X.dtypes, "__iter__") else [X.dtypes]
    return any(not isinstance(dt, np.dtype) for dt in dtypes)


def check_dask_X(X: Any, n_features: int | None = None, check_finite: bool = False) -> Any:
    """Validate a Dask array lazily (shape and dtype now; values later, in one pass).

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features)
    n_features : int, optional
        Required number of columns.
    check_finite : bool, default=False
        Also compute, once, whether every value is finite.

    Returns
    -------
    dask.array.Array
        float32 or float64, one block along the feature axis, known row chunks.
    """
    import dask.array as da

    if X.ndim == 1:
        raise ValueError(
            f"X must be 2-D of shape (n_samples, n_features), got a 1-D Dask array of "
            f"shape {X.shape}. Use X.reshape(-1, 1) if it has a single feature."
        )
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D of shape (n_samples, n_features), got {X.ndim}-D.")
    if X.dtype.kind not in "biuf":
        raise TypeError(f"X must hold real numbers, got dtype {X.dtype}.")
    if any(np.isnan(c) for c in X.chunks[0]):
        X = X.compute_chunk_sizes()
    if X.shape[1] == 0 or X.shape[0] == 0:
        raise ValueError(f"X is empty (shape {X.shape}).")
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(
            f"X has {X.shape[1]} features, but the model was fitted with {n_features} "
            "features. Pass data with the same columns as in fit."
        )
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})  # a block must hold whole rows
    if check_finite and not bool(da.isfinite(X).all().compute()):
        raise ValueError(
            "X contains NaN or infinity. Remove or impute those values before calling "
            "this method (e.g. X[da.isfinite(X).all(axis=1)])."
        )
    return X


def is_dask_array(X: Any) -> bool:
    """Whether ``X`` is a Dask array (checked without importing Dask).

    Parameters
    ----------
    X : object

    Returns
    -------
    bool
    """
    return type(X).__module__.split(".")[0] == "dask" and hasattr(X, "chunks")


def _non_numeric_columns(frame: Any) -> str:
    """``", but its columns 'a', 'b' are not numeric (...)"`` for a DataFrame, or ``""``."""
    import pandas as pd

    dtypes = frame.dtypes if hasattr(frame, "columns") else pd.Series({frame.name: frame.dtype})
    bad = [
        str(col)
        for col, dt in dtypes.items()
        if not (pd.api.types.is_numeric_dtype(dt) or pd.api.types.is_bool_dtype(dt))
    ]
    if not bad:
        return ""
    names = ", ".join(repr(c) for c in bad)
    return (
        f", but its column(s) {names} are not numeric: drop them (X.drop(columns=[{names}])) "
        "or encode them as numbers (e.g. pd.get_dummies)"
    )


def check_X(
    X: Any,
    *,
    name: str = "X",
    min_samples: int = 1,
    n_features: int | None = None,
    owner: str = "the_model",
    dtype_keep: bool = True,
    check_finite: bool = True,
    allow_dask: bool = False,
) -> np.ndarray:
    """Validate a data matrix without copying it when it is already fine.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Data. NumPy arrays (including ``np.memmap``), lists and pandas DataFrames are
        accepted. float32 and float64 keep their dtype; other numeric types become
        float64.
    name : str, default="X"
        Name of the argument, used in error messages.
    min_samples : int, default=1
        Minimum number of rows.
    n_features : int, optional
        Required number of columns (e.g. the fitted model's ``n_features_in_``).
    owner : str, default="the_model"
        Name of the estimator expecting ``n_features`` columns, for the message.
    dtype_keep : bool, default=True
        Keep float32 input as float32. With ``False`` everything becomes float64.
    check_finite : bool, default=True
        Refuse NaN and infinity. Large inputs are scanned in blocks, so a memory-mapped
        array is never loaded whole.
    allow_dask : bool, default=False
        Accept a Dask array and return it, still lazy: shape and dtype are checked now,
        finiteness (with ``check_finite``) in one pass over the blocks.

    Returns
    -------
    ndarray of shape (n_samples, n_features)
        float32 or float64 (a Dask array of them with ``allow_dask``).

    Raises
    ------
    TypeError
        If ``X`` is not numeric (strings, objects, complex numbers).
    ValueError
        If ``X`` is not 2-D, is empty, has too few rows or the wrong number of
        columns, or holds NaN or infinity.
    """
    if allow_dask and is_dask_array(X):
        X = check_dask_X(X, n_features=n_features, check_finite=check_finite)
        if X.shape[0] < min_samples:
            raise ValueError(
                f"{name} has {X.shape[0]} sample(s) but at least {min_samples} are required."
            )
        return X
    if X is None:
        raise TypeError(f"{name} is None; pass an array of shape (n_samples, n_features).")
    if _is_sparse(X):
        raise TypeError(
            f"Sparse data was passed for {name}, but dense data is required: Gaussian "
            f"mixtures do not support scipy sparse input. Use {name}.toarray() to convert "
            "to a dense numpy array."
        )
    if hasattr(X, "iloc") and hasattr(X, "dtypes"):  # pandas DataFrame/Series
        try:
            if _has_nullable_columns(X):
                # pd.NA in nullable (Int64, Float64, boolean) columns is missing data:
                # turn it into NaN so the missing-data check below names it.
                X = X.to_numpy(dtype=np.float64, na_value=np.nan)
            else:
                X = X.to_numpy(dtype=np.float64 if not dtype_keep else None)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{name} must hold numbers only{_non_numeric_columns(X)}; converting it "
                f"failed: {exc}"
            ) from exc
    if not isinstance(X, np.ndarray):
        try:
            X = np.asarray(X)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{name} must be an array-like of numbers of shape (n_samples, n_features); "
                f"converting it to an array failed: {exc}"
            ) from exc
    if X.dtype == object:
        try:
            X = X.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{name} must hold numbers only, but it holds objects that are not: {exc}"
            ) from exc
    if X.dtype.kind == "c":
        raise ValueError(
            f"Complex data not supported: {name} is complex; Gaussian mixtures need "
            "real-valued data (pass X.real or np.abs(X))."
        )
    if X.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers, got dtype {X.dtype}.")
    if X.ndim == 1:
        raise ValueError(
            f"{name} must be 2-D of shape (n_samples, n_features), got a 1-D array of "
            f"shape {X.shape}. Reshape your data with {name}.reshape(-1, 1) if it has a "
            f"single feature or {name}.reshape(1, -1) if it is a single sample."
        )
    if X.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D of shape (n_samples, n_features), got {X.ndim}-D shape {X.shape}."
        )
    if X.shape[1] == 0:
        raise ValueError(
            f"{name} has 0 feature(s) (shape=({X.shape[0]}, 0)) while a minimum of 1 is "
            "required; pass data with at least one column."
        )
    if X.shape[0] < min_samples:
        raise ValueError(
            f"{name} has {X.shape[0]} sample(s) but at least {min_samples} are required."
        )
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(
            f"{name} has {X.shape[1]} features, but {owner} is expecting {n_features} "
            "features as input (the number it was fitted with). Pass data with the same "
            "columns as in fit."
        )
    if X.dtype == np.float32 and dtype_keep:
        pass
    elif X.dtype != np.float64:
        X = X.astype(np.float64)
    if check_finite:
        _check_finite(X, name)
    return X


def _check_finite(X: np.ndarray, name: str) -> None:
    for start, block in iter_blocks(X, _SCAN_ROWS):
        # A sum is cheap and is non-finite iff some entry is (or the sum overflows).
        if np.isfinite(block.sum(dtype=np.float64)):
            continue
        bad = ~np.isfinite(block)
        if bad.any():
            row, col = np.argwhere(bad)[0]
            kind = "NaN" if np.isnan(block[row, col]) else "infinity"
            raise ValueError(
                f"{name} contains {kind} (first at row {start + row}, column {col}); "
                f"{int(bad.sum())} non-finite value(s) in rows {start}..{start + len(block) - 1}. "
                "Remove or impute those values before fitting."
            )


def check_sample_weight(sample_weight: Any, n_samples: int) -> np.ndarray | None:
    """Validate ``sample_weight``.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,) or None
        Non-negative, finite weights, not all zero. ``None`` means unit weights.
    n_samples : int
        Number of rows of ``X``.

    Returns
    -------
    ndarray of shape (n_samples,) in float64, or None
    """
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Real) and not isinstance(sample_weight, bool):
        sample_weight = np.full(n_samples, float(sample_weight))
    try:
        w = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"sample_weight must be an array of numbers: {exc}") from exc
    if w.ndim != 1 or w.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight must have shape ({n_samples},) to match X, got shape {w.shape}."
        )
    if not np.all(np.isfinite(w)):
        raise ValueError("sample_weight contains NaN or infinity; pass finite weights.")
    if np.any(w < 0):
        raise ValueError(
            f"sample_weight must be non-negative; {int((w < 0).sum())} weight(s) are negative."
        )
    if not np.any(w > 0):
        raise ValueError("sample_weight is all zero; at least one sample needs a positive weight.")
    return _normalise_weight_scale(w)


def _normalise_weight_scale(w: np.ndarray) -> np.ndarray:
    """Rescale weights by a power of two so that their mean lies in ``[1, 2)``.

    A fit must not depend on the weights' absolute scale, but EM adds a tiny
    constant to each component's total weight and a total weight near 1e-12
    would then drown in it. Multiplying by a power of two is exact in floating
    point, so weights already in ``[1, 2)`` on average (integer counts, unit
    weights) are returned unchanged and integer weights still equal repetition.

    Parameters
    ----------
    w : ndarray of shape (n_samples,)
        Finite, non-negative weights with at least one positive.

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    top = float(w.max())
    # The mean as mean(w / top) * top cannot overflow, even for weights near 1e308.
    mean = float(np.mean(w / top)) * top
    _, exponent = np.frexp(mean if mean > 0 else top)
    shift = int(exponent) - 1  # mean lies in [2**shift, 2**(shift + 1))
    return w if shift == 0 else np.ldexp(w, -shift)
