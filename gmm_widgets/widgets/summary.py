"""MixtureSummary: a fitted mixture at a glance, as a table and a FitPlayer view.

This is what ``%load_ext gmm_widgets`` shows for a fitted mixture (ours or
scikit-learn's) that is the last expression of a cell; build one yourself with
:func:`summary` to pass the data too.

A fitted model does not keep its training data, so without ``X`` the view draws points
sampled from the model itself (seeded, labelled as such) and the criteria that need
the data (BIC, AIC, ICL) are left out; with ``X`` the view draws ``X`` and the criteria
are computed on it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import ipywidgets
import numpy as np

from gmm_widgets.mixture import (
    check_feature_names,
    check_model_features,
    feature_names_of,
    mixture_html,
)
from gmm_widgets.mixture.callbacks import History
from gmm_widgets.mixture.gaussian_mixture import GaussianMixture
from gmm_widgets.mixture.params import MixtureParams, mixture_params
from gmm_widgets.widgets._data import prepare_data
from gmm_widgets.widgets._pairs import PairsViewMixin
from gmm_widgets.widgets._static import StaticExportMixin
from gmm_widgets.widgets.fit_player import FitPlayer

__all__ = ["DEFAULT_SAMPLES", "MixtureSummary", "summary"]

#: Points drawn from the model when no data are given.
DEFAULT_SAMPLES = 1000
#: Width of the embedded player, so the summary stays compact.
PLAYER_MAX_WIDTH = "640px"


def _latest_fit(model: Any) -> History | None:
    """The History recorded by ``model``'s last fit, if one was passed in its callbacks.

    A History keeps recording over refits; only the states since the last fit started
    are used, and only when they end where the model ended.
    """
    if not isinstance(model, GaussianMixture):
        return None
    callbacks = model.callbacks
    if callbacks is None:
        return None
    # One callback (a History or any callable) or a sequence of them.
    candidates = [callbacks] if callable(callbacks) else list(callbacks)
    for cb in candidates:
        if not isinstance(cb, History) or not cb.states:
            continue
        states = cb.states
        starts = [i for i, s in enumerate(states) if s.init == 0 and s.n_iter == 0]
        last = History(states=list(states[starts[-1] if starts else 0 :]))
        kept = last.for_init()
        if (
            kept
            and kept[-1].means.shape == np.shape(model.means_)
            and np.allclose(kept[-1].means, model.means_)
        ):
            return last
    return None


def _facts(params: MixtureParams, scores: dict[str, Any] | None) -> list[tuple[str, str]]:
    p = params.n_parameters
    facts = [("parameters", f"{p:,}")]
    if scores is None:
        return facts
    return [
        *facts,
        ("samples", f"{scores['n_samples']:,}"),
        ("mean log-likelihood", f"{scores['log_likelihood']:.5g}"),
        ("BIC", f"{scores['bic']:.6g}"),
        ("AIC", f"{scores['aic']:.6g}"),
        ("ICL", f"{scores['icl']:.6g}"),
    ]


class MixtureSummary(StaticExportMixin, ipywidgets.VBox):
    """A fitted mixture at a glance: its parameters as a table and a FitPlayer view.

    The table lists each component's weight, mean and covariance (see
    :func:`~gmm_widgets.mixture.mixture_html`), with the fit's iterations,
    convergence, lower bound and number of free parameters. With ``X`` it adds the
    mean log-likelihood, BIC, AIC and ICL on ``X`` (lower is better).

    Below, a :class:`~gmm_widgets.FitPlayer` shows the model over the data: ``X`` when
    given, else ``n_samples`` points drawn from the model (a fitted model does not keep
    its training data). When our :class:`~gmm_widgets.GaussianMixture` was fitted with a
    :class:`~gmm_widgets.History` in its ``callbacks``, the player replays that fit;
    otherwise it shows the final state.

    Parameters
    ----------
    model : GaussianMixture, sklearn.mixture.GaussianMixture, BayesianGaussianMixture, ...
        A fitted mixture: any object with ``weights_``, ``means_``, ``covariances_``
        and ``covariance_type``.
    X : array-like of shape (n_samples, n_features), optional
        The data, for the criteria and the view.
    n_samples : int, default=1000
        Points drawn from the model for the view when ``X`` is not given.
    seed : int, default=0
        Seed of those draws (the model's own random state is not used or changed).
    max_components : int, default=12
        Rows of the table; the rest are counted.
    player : bool, default=True
        Show the FitPlayer view (``False``: the table only).
    pairs_view : bool, default=False
        Show the player's scatter matrix (pairs view) of ``pair_features`` instead of
        one plot (see :class:`~gmm_widgets.FitPlayer`). Needs 2 features.
    pair_features : sequence of str or int, optional
        Features of the pairs view, by column name (the model's, or ``X``'s) or index,
        at most 8. Default: the first ``min(n_features, 8)``.
    uncertainty_view : bool, default=False
        Fade each point of the view by its uncertainty ``1 - max_k p(k | x)``.

    Attributes
    ----------
    model : object
        The model summarised.
    params : MixtureParams
        Its parameters as float64 arrays.
    scores : dict or None
        ``log_likelihood``, ``bic``, ``aic``, ``icl``, ``n_parameters``, ``n_samples``
        on ``X``; None without ``X``.
    data_source : {"X", "samples"}
        What the view draws.
    table : ipywidgets.HTML
    player : FitPlayer or None

    Raises
    ------
    ValueError
        If the model is not fitted, or ``X`` has another number of features.
    TypeError
        If ``model`` is not a Gaussian mixture.

    Examples
    --------
    >>> import numpy as np
    >>> from gmm_widgets import GaussianMixture
    >>> from gmm_widgets.widgets import MixtureSummary
    >>> X = np.random.default_rng(0).normal(size=(300, 2))
    >>> gm = GaussianMixture(2, random_state=0).fit(X)
    >>> s = MixtureSummary(gm, X)
    >>> round(s.scores["bic"], 6) == round(gm.bic(X), 6)
    True
    """

    def __init__(
        self,
        model: Any,
        X: Any = None,
        *,
        n_samples: int = DEFAULT_SAMPLES,
        seed: int = 0,
        max_components: int = 12,
        player: bool = True,
        pairs_view: bool = False,
        pair_features: Sequence[str | int] | None = None,
        uncertainty_view: bool = False,
    ) -> None:
        params = mixture_params(model)  # refuses unfitted models and non-mixtures
        scores = None
        data: np.ndarray | None
        if X is not None:
            if (
                getattr(model, "feature_names_in_", None) is not None
                and feature_names_of(X) is not None
            ):
                check_feature_names(model, X)  # reordered or renamed columns: refuse
            prepared = prepare_data(X)
            data = prepared.X
            columns = prepared.feature_names
            check_model_features(params, data.shape[1])
            scores = GaussianMixture.from_params(params).criteria(data)
            source = "X"
        else:
            data = params.sample(n_samples, seed, shuffle=False)[0] if player else None
            source = "samples"
            names = getattr(model, "feature_names_in_", None)
            columns = (
                [str(n) for n in names]
                if names is not None and len(names) == params.n_features
                else [f"x{i}" for i in range(params.n_features)]
            )
        self.model = model
        self.params = params
        self.scores = scores
        self.data_source = source
        self.html = self._html(max_components)
        self.table = ipywidgets.HTML(self.html)
        self.player: FitPlayer | None = None
        children: list[Any] = [self.table]
        if player:
            history = _latest_fit(model)
            # Names are X's, or the model's without X: resolved here, indices go on.
            pairs = PairsViewMixin._check_pairs_args(
                pairs_view, pair_features, uncertainty_view, columns
            )
            self.player = FitPlayer(
                data,
                history if history is not None else model,
                pairs_view=pairs[0],
                pair_features=pairs[1],
                uncertainty_view=pairs[2],
            )
            self.player.feature_names = columns
            self.player.layout = ipywidgets.Layout(max_width=PLAYER_MAX_WIDTH)
            children += [self.player, ipywidgets.HTML(self._caption())]
        super().__init__(children)
        self.add_class("gmm-mixture-summary")

    def _html(self, max_components: int) -> str:
        return mixture_html(
            self.model,
            max_components,
            covariances=True,
            facts=_facts(self.params, self.scores),
        )

    def _caption(self) -> str:
        if self.data_source == "X":
            n = self.scores["n_samples"] if self.scores else 0
            text = f"Points: the {n:,} rows of X."
        else:
            n = self.player.n_samples if self.player is not None else 0
            text = (
                f"Points: {n:,} draws from the model (a fitted model does not keep its "
                "training data). summary(model, X) shows X and adds BIC, AIC and ICL."
            )
        return (
            '<div style="opacity:.75;font-size:var(--jp-ui-font-size0,11px);'
            'font-family:var(--jp-ui-font-family,system-ui,sans-serif)" '
            f'data-gmm-role="summary-caption">{html.escape(text)}</div>'
        )

    def __repr__(self) -> str:
        where = "X" if self.data_source == "X" else "points drawn from it"
        return f"<MixtureSummary of {self.model!r} over {where}>"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        # The static table travels with the widget view, so pages without the widget
        # state (GitHub, nbconvert without --execute) still show the parameters.
        result = super()._repr_mimebundle_(**kwargs)
        data, metadata = result if isinstance(result, tuple) else (result, None)
        data = {**data, "text/plain": repr(self), "text/html": self.html}
        return data if metadata is None else (data, metadata)


def summary(model: Any, X: Any = None, **kwargs: Any) -> MixtureSummary:
    """Summarise a fitted mixture: table, criteria on ``X`` and a FitPlayer view.

    Parameters
    ----------
    model : fitted mixture, ours or scikit-learn's
    X : array-like of shape (n_samples, n_features), optional
        The data: adds BIC, AIC and ICL, and the view draws ``X`` instead of
        points sampled from the model.
    **kwargs
        Passed to :class:`MixtureSummary`.

    Returns
    -------
    MixtureSummary
    """
    return MixtureSummary(model, X, **kwargs)
