"""Reference imputations of gmm_widgets.mixture for the browser (js/src/lib/impute.js).

``js/tests/fixtures/impute_parity.json`` holds, for every covariance type and d in
{2, 4}: data with missing values (NaN written as null; several patterns, rows with one
observed value and rows with none), the parameters of ``GaussianMixture(missing="em")``
fitted on them (after 3 iterations, and converged), and what the core gives for them:
``impute(X)`` and ``predict_proba(X)`` (the responsibilities from the observed
marginals). vitest checks that the browser gives the same numbers
(``js/tests/impute.test.js``); ``tests/widgets/test_missing_widgets.py`` checks that the
file is what this module builds from the current Python code. Regenerate it with::

    python -m tests.widgets.impute_fixture
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from gmm_widgets.mixture import GaussianMixture
from gmm_widgets.mixture._missing import MissingValuesWarning
from gmm_widgets.mixture._validation import ConvergenceWarning
from tests.widgets.js_fixtures import FIXTURES, write_fixture

FIXTURE = FIXTURES / "impute_parity.json"
COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
DIMENSIONS = (2, 4)
N_SAMPLES = 60
K = 3


def data(d: int) -> np.ndarray:
    """Three correlated blobs in d dimensions with 20% missing values (seeded)."""
    rng = np.random.default_rng(700 + d)
    parts = []
    for c in range(K):
        A = rng.normal(size=(d, d)) * 0.5 + np.eye(d)
        parts.append(rng.normal(size=(N_SAMPLES // K, d)) @ A + 3.0 * c)
    X = np.vstack(parts)[rng.permutation(N_SAMPLES)]
    X[rng.random(X.shape) < 0.2] = np.nan
    X[0, :] = np.nan  # a row with no observed value
    X[1, 1:] = np.nan  # one observed value
    return X


def _nulls(a: np.ndarray) -> list[Any]:
    return [None if np.isnan(v) else float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def _case(X: np.ndarray, ct: str, max_iter: int) -> dict[str, Any]:
    gm = GaussianMixture(K, covariance_type=ct, missing="em", random_state=0, max_iter=max_iter)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", (ConvergenceWarning, MissingValuesWarning))
        gm.fit(X)
    return {
        "covariance_type": ct,
        "d": X.shape[1],
        "max_iter": max_iter,
        "weights": gm.weights_.tolist(),
        "means": gm.means_.ravel().tolist(),
        "covariances": np.asarray(gm.covariances_).ravel().tolist(),
        "imputed": gm.impute(X).ravel().tolist(),
        "resp": gm.predict_proba(X).ravel().tolist(),
    }


def build_fixture() -> dict[str, Any]:
    """The fixture's contents, from the current core."""
    datasets = {str(d): {"d": d, "n": N_SAMPLES, "X": _nulls(data(d))} for d in DIMENSIONS}
    cases = [
        _case(data(d), ct, max_iter)
        for d in DIMENSIONS
        for ct in COVARIANCE_TYPES
        for max_iter in (3, 100)
    ]
    return {"n_components": K, "datasets": datasets, "cases": cases}


if __name__ == "__main__":
    write_fixture(FIXTURE, build_fixture())
