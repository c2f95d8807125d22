"""ModelSelector: BIC/AIC/ICL curves over K x covariance type; click a point to see that model."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import traitlets

from gmm_widgets.mixture import COVARIANCE_TYPES, check_model_features
from gmm_widgets.mixture.callbacks import EMState, History
from gmm_widgets.mixture.gaussian_mixture import GaussianMixture
from gmm_widgets.mixture.params import mixture_params
from gmm_widgets.mixture.selection import (
    SelectionResult,
    check_grid,
    select_model,
    silhouette_score,
)
from gmm_widgets.widgets._base import ProjectedWidget
from gmm_widgets.widgets._data import MAX_DISPLAY_POINTS, prepare_data
from gmm_widgets.widgets._frames import frames_from_states, state_from_params
from gmm_widgets.widgets._transport import encode_array, tree_serialization

__all__ = ["ModelSelector"]

#: Criteria drawn; lower is better for all but the silhouette.
BASE_CRITERIA = ("bic", "aic", "icl")
#: Per-cell status in ``scores["status"]``.
PENDING, FITTED, FAILED, ABSENT = 0, 1, 2, 3
_FLOAT_KEYS = ("bic", "aic", "icl", "silhouette", "log_likelihood")
_RESERVED = ("n_components", "covariance_type", "random_state", "callbacks")


def _key(k: int, ct: str) -> str:
    return f"{int(k)}|{ct}"


class _LastStates:
    """An EM callback that keeps the states of the fit under way (for its final state)."""

    def __init__(self) -> None:
        self.history = History()

    def __call__(self, state: EMState) -> None:
        self.history(state)

    def take(self) -> EMState | None:
        states = self.history.for_init()
        self.history = History()
        return states[-1] if states else None


class ModelSelector(ProjectedWidget):
    """Choose K and the covariance type by BIC, AIC or ICL, and look at any model of the grid.

    Fits a :class:`~gmm_widgets.GaussianMixture` for every K x covariance type (with
    :func:`gmm_widgets.mixture.selection.select_model`), then draws each criterion
    against K, one curve per covariance type, with the best model marked. Clicking a
    point (or focusing it and pressing Enter) shows that model's ellipses over the data
    and sets :attr:`selected`. Displayed before :meth:`fit` runs, the view shows the
    progress and the curves grow as the fits come in.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Data; validated before anything is displayed.
    n_components : iterable of int, default=range(1, 10)
    covariance_types : sequence of str, default=("full", "tied", "diag", "spherical")
    criterion : {"bic", "aic", "icl", "silhouette"}, default="bic"
        What :attr:`best_` is chosen by; the view can switch it. ``"silhouette"``
        (higher is better) needs ``silhouette=True``.
    random_state : int or None, default=0
        Seed of every fit, so the grid is reproducible.
    silhouette : bool, default=False
        Also compute each model's silhouette (slower).
    fit : bool, default=True
        Fit the grid now. With False, display the selector first and call :meth:`fit`:
        the progress and the curves then update while it runs.
    models : iterable of fitted mixtures, optional
        Compare these fitted models (ours or scikit-learn's) instead of fitting a grid;
        each (K, covariance type) at most once.
    result : SelectionResult, optional
        Show a grid fitted earlier with ``select_model``.
    max_display_points : int, default=100_000
    display_seed : int, default=0
    **gm_params
        Other :class:`~gmm_widgets.GaussianMixture` parameters (``n_init``, ``tol``,
        ``max_iter``, ``reg_covar``, ``init_params``, ...).

    Attributes
    ----------
    result : SelectionResult or None
        The grid (records, models, :meth:`~SelectionResult.table`,
        :meth:`~SelectionResult.to_frame`).
    selected : fitted mixture or None
        The model whose point was clicked (the best until one is).
    best_ : fitted mixture or None
        The best model by :attr:`criterion`.
    selection : list
        ``[n_components, covariance_type]`` of :attr:`selected` (synced with the view).
    best : list
        ``[n_components, covariance_type]`` of :attr:`best_`.
    criterion : str
        Synced with the view's picker.

    Raises
    ------
    ValueError
        Bad data, an empty or bad grid, an unknown criterion, or a grid where no model
        could be fitted.
    TypeError
        Unknown keyword arguments, or ``models``/``result`` together with a grid to fit.

    Examples
    --------
    >>> import numpy as np
    >>> from gmm_widgets import ModelSelector
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(size=(150, 2)), rng.normal(size=(150, 2)) + 6])
    >>> sel = ModelSelector(X, n_components=range(1, 5), covariance_types=("full", "diag"))
    >>> sel.best  # two round clusters: diagonal covariances suffice
    [2, 'diag']
    >>> sel.select(3, "diag").selected.n_components
    3
    """

    _bundle = "model_selector"

    ks = traitlets.Dict().tag(sync=True, **tree_serialization)
    covariance_types = traitlets.List(traitlets.Unicode()).tag(sync=True)
    scores = traitlets.Dict().tag(sync=True, **tree_serialization)
    errors = traitlets.Dict().tag(sync=True)
    models = traitlets.Dict().tag(sync=True, **tree_serialization)
    criteria = traitlets.List(traitlets.Unicode()).tag(sync=True)
    criterion = traitlets.Unicode("bic").tag(sync=True)
    # Its own meaning (the chosen [K, type]): hides the point selection's property.
    selection: traitlets.List[Any] = traitlets.List().tag(sync=True)  # type: ignore[assignment]
    best: traitlets.List[Any] = traitlets.List().tag(sync=True)

    @traitlets.validate("selection", "best")
    def _valid_key(self, proposal: dict[str, Any]) -> list[Any]:
        key = list(proposal["value"])
        if not key:
            return key
        name = proposal["trait"].name
        k = key[0] if len(key) == 2 else None
        ok = (
            isinstance(k, numbers.Integral | float)
            and not isinstance(k, bool)
            and float(k).is_integer()
            and key[1] in COVARIANCE_TYPES
        )
        fitted = getattr(getattr(self, "result", None), "models", None) or {}
        choices = ", ".join(f"[{k}, {ct!r}]" for k, ct in sorted(fitted)) or "none yet"
        if ok:
            key = [int(key[0]), key[1]]
            if (key[0], key[1]) in fitted:
                return key
            raise traitlets.TraitError(
                f"there is no fitted model with K={key[0]} and {key[1]!r}: {name} must be [] "
                f"or [n_components, covariance_type] of a fitted model ({choices})."
            )
        raise traitlets.TraitError(
            f"{name} must be [] or [n_components, covariance_type] with an int and one of "
            f"{list(COVARIANCE_TYPES)} of a fitted model ({choices}), got {proposal['value']!r}."
        )

    status = traitlets.Enum(("idle", "fitting", "done"), default_value="idle").tag(sync=True)
    progress = traitlets.Dict().tag(sync=True)

    def __init__(
        self,
        X: Any,
        n_components: Iterable[int] = range(1, 10),
        covariance_types: Sequence[str] = COVARIANCE_TYPES,
        criterion: str = "bic",
        *,
        random_state: int | None = 0,
        silhouette: bool = False,
        fit: bool = True,
        models: Iterable[Any] | None = None,
        result: SelectionResult | None = None,
        max_display_points: int = MAX_DISPLAY_POINTS,
        display_seed: int = 0,
        **gm_params: Any,
    ) -> None:
        data = prepare_data(X, max_points=max_display_points, seed=display_seed, min_samples=2)
        self._X = data.X
        n, d = data.X.shape
        criteria = [*BASE_CRITERIA, *(("silhouette",) if silhouette else ())]
        if criterion not in criteria:
            hint = " (pass silhouette=True for it)" if criterion == "silhouette" else ""
            raise ValueError(f"criterion must be one of {criteria}{hint}, got {criterion!r}.")
        if models is not None and result is not None:
            raise TypeError("pass either models or result, not both.")
        given = models is not None or result is not None
        if given and gm_params:
            raise TypeError(
                "GaussianMixture parameters "
                f"({', '.join(sorted(gm_params))}) only apply to a grid fitted here; "
                "they cannot be combined with models or result."
            )
        self.result: SelectionResult | None = None
        self._silhouette = bool(silhouette)
        self._random_state = random_state
        self._gm_params = self._check_gm_params(gm_params)
        self._follow_best = True
        if result is not None:
            if not isinstance(result, SelectionResult):
                raise TypeError(f"result must be a SelectionResult, got {type(result).__name__}.")
            self._check_result_features(result, d)
        elif models is not None:
            result = self._result_from_models(models, criterion)
        if result is not None:
            ks = sorted({int(r["n_components"]) for r in result.records})
            cts = list(dict.fromkeys(r["covariance_type"] for r in result.records))
        else:
            ks, cts = _sorted_grid(n_components, covariance_types, n)
        if not (random_state is None or isinstance(random_state, numbers.Integral)):
            raise TypeError(
                f"random_state must be an int seed or None, got {type(random_state).__name__}."
            )
        self._grid = (ks, cts)
        self._given = given

        super().__init__()
        with self.hold_sync():
            self._set_data(X, validated=data)
            self._set_projection(data)
            self.ks = {"values": np.asarray(ks, dtype=np.int32)}
            self.covariance_types = cts
            self.criteria = criteria
            self.criterion = criterion
            self._reset_scores()
        if result is not None:
            self._show(result)
        elif fit:
            self.fit()

    # ------------------------------------------------------------------ checks
    @staticmethod
    def _check_gm_params(gm_params: dict[str, Any]) -> dict[str, Any]:
        clash = sorted(set(gm_params) & set(_RESERVED))
        if clash:
            raise TypeError(
                f"ModelSelector sets {', '.join(clash)} itself; pass the grid as "
                "n_components=..., covariance_types=... and the seed as random_state=."
            )
        try:
            GaussianMixture(**gm_params)._check_parameters()
        except TypeError as exc:
            raise TypeError(
                f"ModelSelector got an unexpected keyword argument: {exc}. Keyword "
                "arguments other than its own are GaussianMixture parameters."
            ) from None
        return dict(gm_params)

    @staticmethod
    def _check_result_features(result: SelectionResult, d: int) -> None:
        for model in result.models.values():
            check_model_features(mixture_params(model), d, "a model of the result")

    def _result_from_models(self, models: Iterable[Any], criterion: str) -> SelectionResult:
        """Score fitted models (ours or scikit-learn's) on X as select_model would."""
        X = self._X
        records: list[dict[str, Any]] = []
        by_key: dict[tuple[int, str], Any] = {}
        for model in models:
            params = mixture_params(model)
            check_model_features(params, X.shape[1])
            key = (params.n_components, params.covariance_type)
            if key in by_key:
                raise ValueError(
                    f"two models have n_components={key[0]} and covariance_type={key[1]!r}; "
                    "each cell of the comparison takes one model."
                )
            core = GaussianMixture.from_params(params)
            s = core.criteria(X)
            if self._silhouette:
                sil = silhouette_score(X, core.predict(X))
            else:
                sil = math.nan
            records.append(
                {
                    "n_components": key[0],
                    "covariance_type": key[1],
                    "bic": s["bic"],
                    "aic": s["aic"],
                    "icl": s["icl"],
                    "silhouette": sil,
                    "log_likelihood": s["log_likelihood"],
                    "n_parameters": s["n_parameters"],
                    "converged": params.converged,
                    "n_iter": params.n_iter,
                    "error": None,
                }
            )
            by_key[key] = model
        if not records:
            raise ValueError("models is empty; pass fitted mixtures to compare.")
        return SelectionResult(records=records, models=by_key, criterion=criterion)

    @traitlets.validate("criterion")
    def _valid_criterion(self, proposal: dict[str, Any]) -> str:
        value = proposal["value"]
        if self.criteria and value not in self.criteria:
            raise traitlets.TraitError(f"criterion must be one of {self.criteria}, got {value!r}.")
        return value

    # ----------------------------------------------------------------- fitting
    def _reset_scores(self) -> None:
        ks, cts = self._grid
        shape = (len(ks), len(cts))
        self._tables = {key: np.full(shape, np.nan) for key in _FLOAT_KEYS}
        self._tables["n_parameters"] = np.zeros(shape, dtype=np.int32)
        self._tables["n_iter"] = np.zeros(shape, dtype=np.int32)
        self._tables["converged"] = np.zeros(shape, dtype=bool)
        self._tables["status"] = np.full(shape, PENDING, dtype=np.uint8)
        self._sync_scores()

    def _sync_scores(self) -> None:
        # Copies: the tables are updated in place, and a new value that shares their
        # memory would compare equal to the old one, so traitlets would not sync it.
        # Criteria in float64 on the wire: the read-out shows them to 6+ digits.
        self.scores = {
            key: encode_array(v.copy(), "float64") if v.dtype.kind == "f" else v.copy()
            for key, v in self._tables.items()
        }

    def _record(self, rec: dict[str, Any]) -> None:
        ks, cts = self._grid
        i, j = ks.index(int(rec["n_components"])), cts.index(rec["covariance_type"])
        for key in _FLOAT_KEYS:
            self._tables[key][i, j] = rec[key]
        self._tables["n_parameters"][i, j] = rec["n_parameters"] or 0
        self._tables["n_iter"][i, j] = rec["n_iter"]
        self._tables["converged"][i, j] = bool(rec["converged"])
        self._tables["status"][i, j] = FAILED if rec["error"] else FITTED

    def fit(self) -> ModelSelector:
        """Fit the grid, showing the progress and the curves as the fits come in.

        Returns
        -------
        self : ModelSelector

        Raises
        ------
        ValueError
            If no model of the grid could be fitted.
        TypeError
            If the selector shows given models or a given result (nothing to fit).
        """
        if self._given:
            raise TypeError(
                "this ModelSelector shows given models (or a given result); there is no "
                "grid to fit. Create one with n_components=... and covariance_types=..."
            )
        ks, cts = self._grid
        total = len(ks) * len(cts)
        recorder = _LastStates()
        errors: dict[str, str] = {}
        self._follow_best = True
        with self.hold_sync():
            self._reset_scores()
            self.errors = {}
            self.models = {}
            self.selection = []
            self.best = []
            self.status = "fitting"
            self.progress = {"done": 0, "total": total, "current": _label(ks[0], cts[0])}

        def progress(done: int, total: int, rec: dict[str, Any]) -> None:
            key = _key(rec["n_components"], rec["covariance_type"])
            state = recorder.take()
            if rec["error"]:
                errors[key] = rec["error"]
            nxt = _grid_cell(ks, cts, done)
            with self.hold_sync():
                self._record(rec)
                self._sync_scores()
                if rec["error"]:
                    self.errors = dict(errors)
                self.progress = {
                    "done": done,
                    "total": total,
                    "current": "" if nxt is None else _label(*nxt),
                }
            if state is not None and not rec["error"]:
                self._send_arrays("model", key=key, frames=frames_from_states([state]))

        try:
            result = select_model(
                self._X,
                ks,
                cts,
                self.criterion,
                random_state=self._random_state,
                silhouette=self._silhouette,
                progress=progress,
                callbacks=[recorder],
                **self._gm_params,
            )
        except BaseException:
            self.status = "idle"
            raise
        for model in result.models.values():
            model.callbacks = None
        self._show(result)
        return self

    def _show(self, result: SelectionResult) -> None:
        """Publish a complete grid: scores, models, best and selection."""
        if not result.models:
            first = next((r["error"] for r in result.records if r["error"]), "")
            raise ValueError(f"No model of the grid could be fitted. The first error: {first}")
        self.result = result
        result.criterion = self.criterion
        ks, cts = self._grid
        for rec in result.records:
            self._record(rec)
        present = {(int(r["n_components"]), r["covariance_type"]) for r in result.records}
        for i, k in enumerate(ks):
            for j, ct in enumerate(cts):
                if (k, ct) not in present:
                    self._tables["status"][i, j] = ABSENT
        errors = {
            _key(r["n_components"], r["covariance_type"]): r["error"]
            for r in result.records
            if r["error"]
        }
        models = {
            _key(*key): frames_from_states([state_from_params(mixture_params(m))])
            for key, m in result.models.items()
        }
        with self.hold_sync():
            self._sync_scores()
            self.errors = errors
            self.models = models
            self.status = "done"
            self.progress = {"done": len(result.records), "total": len(result.records)}
            self._update_best()

    def _update_best(self) -> None:
        if self.result is None:
            return
        try:
            rec = self.result.best_by(self.criterion)
        except ValueError:
            self.best = []
            return
        self.result.criterion = self.criterion
        self.best = [int(rec["n_components"]), rec["covariance_type"]]
        if self._follow_best or not self.selection:
            self._set_selection(self.best, follow=True)

    def _set_selection(self, key: list[Any], follow: bool) -> None:
        self._follow_best = follow
        self._internal = True
        try:
            self.selection = list(key)
        finally:
            self._internal = False

    @traitlets.observe("criterion")
    def _on_criterion(self, change: dict[str, Any]) -> None:
        self._update_best()

    @traitlets.observe("selection")
    def _on_selection(self, change: dict[str, Any]) -> None:
        if not getattr(self, "_internal", False) and change["new"]:
            self._follow_best = False  # chosen by a click or from Python
        self._refresh_profile()  # the profile table follows the selected model

    # -------------------------------------------------------------- accessors
    def select(self, n_components: int, covariance_type: str) -> ModelSelector:
        """Select a model of the grid, as a click on its point does.

        Parameters
        ----------
        n_components : int
        covariance_type : str

        Returns
        -------
        self : ModelSelector
        """
        self.selection = [int(n_components), covariance_type]
        return self

    def _code_model(self) -> Any:
        return self._table_model()

    def _table_model(self) -> Any:
        """The selected model, else the best one (the model the view shows)."""
        model = self.selected if self.selected is not None else self.best_
        if model is None:
            raise ValueError("the grid is not fitted yet: no model to read.")
        return model

    @property
    def selected(self) -> Any:
        """The selected fitted model (None before the grid is fitted)."""
        if self.result is None or not self.selection:
            return None
        return self.result.models[(int(self.selection[0]), self.selection[1])]

    @property
    def best_(self) -> Any:
        """The best fitted model by :attr:`criterion` (None before the grid is fitted)."""
        if self.result is None or not self.best:
            return None
        return self.result.models[(int(self.best[0]), self.best[1])]

    @property
    def records(self) -> list[dict[str, Any]]:
        """One dict per model of the grid (see :class:`SelectionResult`)."""
        return [] if self.result is None else list(self.result.records)

    def table(self, criterion: str | None = None) -> tuple[np.ndarray, list[int], list[str]]:
        """A criterion as a (n_K, n_covariance_types) matrix; see :meth:`SelectionResult.table`."""
        if self.result is None:
            raise ValueError("The grid is not fitted yet; call fit().")
        return self.result.table(criterion or self.criterion)

    def to_frame(self) -> Any:
        """The records as a pandas DataFrame (needs pandas)."""
        if self.result is None:
            raise ValueError("The grid is not fitted yet; call fit().")
        return self.result.to_frame()


def _label(k: int, ct: str) -> str:
    return f"K={k}, {ct}"


def _grid_cell(ks: list[int], cts: list[str], index: int) -> tuple[int, str] | None:
    """The (K, covariance type) select_model fits at position ``index`` (types outer)."""
    if index >= len(ks) * len(cts):
        return None
    return ks[index % len(ks)], cts[index // len(ks)]


def _sorted_grid(n_components: Any, covariance_types: Any, n_samples: int):
    ks, cts = check_grid(n_components, covariance_types, n_samples)
    return sorted(ks), cts
