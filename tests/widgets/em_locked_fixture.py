"""Reference EM runs with locked means (``fixed_means``) for the browser EM.

``js/tests/fixtures/em_locked_parity.json`` holds, for every covariance type, d in
{1, 2, 3} and K = 3, with component 1 locked and with components 0 and 2 locked: the
data, the start (MixtureExplorer's rule: ``init_from_means`` from the handles, the
locked handles as ``fixed_means``), the core's weights, means, covariances and lower
bound after 0, 1, 5 and 30 iterations, and the criteria of a fit with the default
``tol`` (whose parameter count leaves out the locked means). vitest checks that
``js/src/lib/em.js`` with ``lockedMeans`` gives the same numbers
(``js/tests/em_locked.test.js``); ``tests/widgets/test_browser_em_locked.py`` checks
that the file is what this module builds now. Regenerate it with::

    python -m tests.widgets.em_locked_fixture
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from gmm_widgets.mixture import GaussianMixture
from gmm_widgets.mixture._validation import ConvergenceWarning
from gmm_widgets.mixture.callbacks import History
from gmm_widgets.mixture.placement import init_from_means
from tests.widgets.em_fixture import CHECKPOINTS, COVARIANCE_TYPES, REG_COVAR, _data, _handles
from tests.widgets.js_fixtures import FIXTURES, write_fixture

FIXTURE = FIXTURES / "em_locked_parity.json"
DIMENSIONS = (1, 2, 3)
K = 3
LOCKS = ((1,), (0, 2))


def _state(s: Any) -> dict[str, Any]:
    return {
        "n_iter": int(s.n_iter),
        "weights": np.asarray(s.weights).ravel().tolist(),
        "means": np.asarray(s.means).ravel().tolist(),
        "covariances": np.asarray(s.covariances).ravel().tolist(),
        "lower_bound": None if not np.isfinite(s.lower_bound) else float(s.lower_bound),
    }


def _model(X, handles, locked, ct, tol, max_iter) -> GaussianMixture:
    weights, precisions = init_from_means(X, handles, ct, REG_COVAR)
    return GaussianMixture(
        n_components=handles.shape[0],
        covariance_type=ct,
        tol=tol,
        max_iter=max_iter,
        reg_covar=REG_COVAR,
        means_init=handles,
        weights_init=weights,
        precisions_init=precisions,
        fixed_means={k: handles[k] for k in locked},
    )


def _case(dataset: int, X: np.ndarray, ct: str, locked: tuple[int, ...]) -> dict[str, Any]:
    handles = _handles(X, K, seed=7000 + 10 * X.shape[1] + COVARIANCE_TYPES.index(ct))
    history = History()
    gm = _model(X, handles, locked, ct, tol=0.0, max_iter=max(CHECKPOINTS))
    gm.callbacks = [history]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gm.fit(X)
    states = {s.n_iter: s for s in history.states}
    fit = _model(X, handles, locked, ct, tol=1e-3, max_iter=100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit.fit(X)
    scores = fit.criteria(X)
    return {
        "dataset": dataset,
        "covariance_type": ct,
        "n_components": K,
        "locked": list(locked),
        "reg_covar": REG_COVAR,
        "handles": handles.ravel().tolist(),
        "states": [_state(states[i]) for i in CHECKPOINTS],
        "fit": {
            "tol": 1e-3,
            "max_iter": 100,
            "n_iter": int(fit.n_iter_),
            "converged": bool(fit.converged_),
            "means": fit.means_.ravel().tolist(),
            "scores": {
                k: scores[k] for k in ("log_likelihood", "bic", "aic", "icl", "n_parameters")
            },
        },
    }


def build_fixture() -> dict[str, Any]:
    """The reference cases (deterministic)."""
    datasets = []
    cases = []
    for i, d in enumerate(DIMENSIONS):
        X = _data(d)
        datasets.append({"d": d, "X": X.ravel().tolist()})
        for ct in COVARIANCE_TYPES:
            for locked in LOCKS:
                cases.append(_case(i, X, ct, locked))
    return {
        "generated_by": "python -m tests.widgets.em_locked_fixture",
        "checkpoints": list(CHECKPOINTS),
        "datasets": datasets,
        "cases": cases,
    }


def main() -> None:
    write_fixture(FIXTURE, build_fixture())


if __name__ == "__main__":
    main()
