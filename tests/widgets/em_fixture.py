"""Reference EM runs of gmm_widgets.mixture for the browser EM (js/src/lib/em.js).

``js/tests/fixtures/em_parity.json`` holds, for every covariance type, d in {1, 2, 5}
and K in {1, 3, 8}: data, a start given by means (MixtureExplorer's handles, with the
weights and covariances of the points nearest each, ``init_from_means``), and the
core's weights, means, covariances and lower bound after 0, 1, 5 and 30 iterations, plus
the iterations and convergence of a fit with the default ``tol``. Cases whose start
makes a component collapse hold the core's error message instead. vitest checks that
the browser gives the same numbers (``js/tests/em.test.js``);
``tests/widgets/test_browser_em.py`` checks that the file is what this module builds
from the current Python code. Regenerate it with::

    python -m tests.widgets.em_fixture
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from gmm_widgets.mixture import GaussianMixture
from gmm_widgets.mixture._validation import ConvergenceWarning
from gmm_widgets.mixture.callbacks import History
from gmm_widgets.mixture.params import mixture_params
from gmm_widgets.mixture.placement import init_from_means
from tests.widgets.js_fixtures import FIXTURES, write_fixture

FIXTURE = FIXTURES / "em_parity.json"
COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
DIMENSIONS = (1, 2, 5)
COMPONENTS = (1, 3, 8)
#: Iterations after which the states are compared.
CHECKPOINTS = (0, 1, 5, 30)
N_SAMPLES = 240
REG_COVAR = 1e-6


def _data(d: int) -> np.ndarray:
    """Eight blobs of different sizes and shapes in d dimensions (float64, seeded)."""
    rng = np.random.default_rng(100 + d)
    centres = rng.normal(scale=4.0, size=(8, d))
    sizes = np.array([50, 40, 35, 30, 30, 25, 15, 15])
    parts = []
    for c, m in zip(centres, sizes, strict=True):
        A = rng.normal(size=(d, d)) * 0.6 + np.eye(d)
        parts.append(c + rng.normal(size=(m, d)) @ A)
    X = np.vstack(parts)
    return X[rng.permutation(X.shape[0])]


def _handles(X: np.ndarray, K: int, seed: int) -> np.ndarray:
    """K starting means: data rows moved a little off them (as a dragged handle is)."""
    rng = np.random.default_rng(seed)
    rows = rng.choice(X.shape[0], size=K, replace=False)
    return X[rows] + rng.normal(scale=0.3, size=(K, X.shape[1]))


def _state(s: Any) -> dict[str, Any]:
    return {
        "n_iter": int(s.n_iter),
        "weights": np.asarray(s.weights).ravel().tolist(),
        "means": np.asarray(s.means).ravel().tolist(),
        "covariances": np.asarray(s.covariances).ravel().tolist(),
        "lower_bound": None if not np.isfinite(s.lower_bound) else float(s.lower_bound),
    }


def _model(X, handles, ct, tol, max_iter, reg_covar=REG_COVAR) -> GaussianMixture:
    weights, precisions = init_from_means(X, handles, ct, reg_covar)
    return GaussianMixture(
        n_components=handles.shape[0],
        covariance_type=ct,
        tol=tol,
        max_iter=max_iter,
        reg_covar=reg_covar,
        means_init=handles,
        weights_init=weights,
        precisions_init=precisions,
    )


def _case(dataset: int, X: np.ndarray, ct: str, K: int) -> dict[str, Any]:
    handles = _handles(X, K, seed=1000 * X.shape[1] + 10 * K + COVARIANCE_TYPES.index(ct))
    history = History()
    gm = _model(X, handles, ct, tol=0.0, max_iter=max(CHECKPOINTS))
    gm.callbacks = [history]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gm.fit(X)
    states = {s.n_iter: s for s in history.states}
    fit = _model(X, handles, ct, tol=1e-3, max_iter=100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit.fit(X)
    scores = GaussianMixture.from_params(mixture_params(fit)).criteria(X)
    return {
        "dataset": dataset,
        "covariance_type": ct,
        "n_components": K,
        "reg_covar": REG_COVAR,
        "handles": handles.ravel().tolist(),
        "states": [_state(states[i]) for i in CHECKPOINTS],
        "fit": {
            "tol": 1e-3,
            "max_iter": 100,
            "n_iter": int(fit.n_iter_),
            "converged": bool(fit.converged_),
            "lower_bound": float(fit.lower_bound_),
            "weights": fit.weights_.ravel().tolist(),
            "means": fit.means_.ravel().tolist(),
            "covariances": fit.covariances_.ravel().tolist(),
            "scores": {k: scores[k] for k in ("log_likelihood", "bic", "aic", "icl")},
        },
    }


def _collapse_cases() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Starts where a component collapses onto repeated points (reg_covar=0)."""
    rng = np.random.default_rng(7)
    blob = rng.normal(size=(60, 2))
    pile = np.tile([[6.0, 6.0]], (5, 1))  # five copies of one point
    X = np.vstack([blob, pile])
    handles = np.array([[0.0, 0.0], [6.0, 6.0]])
    datasets = [{"d": 2, "X": X.ravel().tolist()}]
    cases = []
    for ct in COVARIANCE_TYPES:
        weights, precisions = init_from_means(X, handles, ct, 1e-3)
        gm = GaussianMixture(
            n_components=2,
            covariance_type=ct,
            reg_covar=0.0,
            means_init=handles,
            weights_init=weights,
            precisions_init=precisions,
        )
        try:
            gm.fit(X)
        except ValueError as exc:
            message = str(exc)
        else:  # the tied covariance pools every part: it does not collapse
            message = None
        cases.append(
            {
                "covariance_type": ct,
                "start_reg_covar": 1e-3,
                "reg_covar": 0.0,
                "handles": handles.ravel().tolist(),
                "error": message,
            }
        )
    return datasets, cases


def build_fixture() -> dict[str, Any]:
    """The reference cases (deterministic)."""
    datasets = []
    cases = []
    for i, d in enumerate(DIMENSIONS):
        X = _data(d)
        datasets.append({"d": d, "X": X.ravel().tolist()})
        for ct in COVARIANCE_TYPES:
            for K in COMPONENTS:
                cases.append(_case(i, X, ct, K))
    collapse_data, collapse = _collapse_cases()
    return {
        "generated_by": "python -m tests.widgets.em_fixture",
        "checkpoints": list(CHECKPOINTS),
        "datasets": datasets,
        "cases": cases,
        "collapse_datasets": collapse_data,
        "collapse": collapse,
    }


def main() -> None:
    write_fixture(FIXTURE, build_fixture())


if __name__ == "__main__":
    main()
