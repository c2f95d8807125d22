"""Reference views from Python for the JavaScript tests: one projection rule, two languages.

``js/tests/fixtures/projections.json`` holds, for real widget states (a FitPlayer on
data with 2, 3 and 5 features, feature pairs and PCA, with and without column names),
the synced traits as the browser receives them (``pca`` as float32 on the wire; the
bases are set by hand, so that nothing here rests on the last bits of an
eigendecomposition) and the view that
:meth:`gmm_widgets.widgets._static.ViewProjection.of` gives for them: the 2 x d matrix
(row-major, as ``js/src/lib/projection.js`` holds it), the offset and the axis labels.
vitest checks that ``chosenProjection`` gives the same views; ``test_projection.py``
checks that the file is what this module builds from the current Python code.
Regenerate it with::

    python -m tests.widgets.projection_fixture
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from gmm_widgets.widgets import FitPlayer
from gmm_widgets.widgets._static import ViewProjection
from gmm_widgets.widgets._transport import decode_array
from tests.widgets.js_fixtures import FIXTURES, write_fixture

FIXTURE = FIXTURES / "projections.json"

#: The traits that choose the view (ProjectionTraits in js/src/lib/projection.js).
TRAITS = ("feature_names", "projection", "x_feature", "y_feature", "pca")


def _wire(value: Any) -> Any:
    """A synced value as JSON: encoded arrays keep shape and dtype, values as a list."""
    if isinstance(value, dict) and {"shape", "dtype", "buffer"} <= value.keys():
        return {"shape": value["shape"], "dtype": value["dtype"], "values": _values(value)}
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items()}
    return value


def _values(encoded: dict[str, Any]) -> list[float]:
    return decode_array(encoded).astype(np.float64).ravel().tolist()


def _case(name: str, widget: FitPlayer) -> dict[str, Any]:
    state = widget.get_state(key=list(TRAITS))
    d = len(widget.feature_names)
    view = ViewProjection.of(widget, d)
    return {
        "name": name,
        "d": d,
        "traits": {k: _wire(state[k]) for k in TRAITS},
        "P": view.matrix.T.ravel().tolist(),
        "offset": view.offset.tolist(),
        "labels": list(view.labels),
    }


def _basis(components: list, mean: list, ratio: list) -> dict[str, np.ndarray]:
    """A PCA basis as ``pca_basis`` lays it out: (2, d) orthonormal rows, (d,), (2,)."""
    return {
        "components": np.array(components),
        "mean": np.array(mean),
        "explained_variance_ratio": np.array(ratio),
    }


def build_fixture() -> dict[str, Any]:
    """The reference cases (deterministic)."""
    rng = np.random.default_rng(20240917)
    cases = []
    X2 = rng.normal(size=(40, 2))
    cases.append(_case("d=2", FitPlayer(X2, fit=False)))
    pca_ignored = FitPlayer(X2, fit=False)
    pca_ignored.projection = "pca"  # no PCA below three features: the pair is shown
    cases.append(_case("d=2, pca asked", pca_ignored))
    X5 = rng.normal(size=(60, 5))
    player = FitPlayer(X5, fit=False)
    player.pca = _basis(
        [[0.6, 0.8, 0.0, 0.0, 0.0], [0.0, 0.0, 0.28, 0.96, 0.0]],
        [1.5, -2.0, 0.25, 10.0, 3.0],
        [0.569, 0.226],
    )
    cases.append(_case("d=5, default pair", player))
    player.x_feature, player.y_feature = 3, 1
    cases.append(_case("d=5, features 3 and 1", player))
    player.x_feature = player.y_feature = 2
    cases.append(_case("d=5, feature 2 on both axes", player))
    player.projection = "pca"
    cases.append(_case("d=5, pca", player))
    named = FitPlayer(pd.DataFrame(X5[:, :3], columns=["length", "width", "depth"]), fit=False)
    named.pca = _basis([[0.0, 0.6, 0.8], [1.0, 0.0, 0.0]], [0.5, 1.0, -1.0], [0.661, 0.282])
    named.x_feature, named.y_feature = 2, 0
    cases.append(_case("d=3, named columns", named))
    named.projection = "pca"
    cases.append(_case("d=3, named columns, pca", named))
    return {"generated_by": "python -m tests.widgets.projection_fixture", "cases": cases}


def main() -> None:
    write_fixture(FIXTURE, build_fixture())


if __name__ == "__main__":
    main()
