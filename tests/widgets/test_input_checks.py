"""Issue 14: widgets refuse inputs that would silently give a wrong picture."""

from __future__ import annotations

import pytest

from gmm_widgets import AnomalyInspector, GaussianMixture
from tests.helpers import make_mixture

pd = pytest.importorskip("pandas")
X, _ = make_mixture(n_per=60, d=2, K=3, seed=11)
DF = pd.DataFrame(X, columns=["a", "b"])


def test_anomaly_inspector_refuses_reordered_columns():
    model = GaussianMixture(3, random_state=0).fit(DF)
    AnomalyInspector(DF, model=model)  # same columns: fine
    with pytest.raises(ValueError, match="same order as they were in fit"):
        AnomalyInspector(DF[["b", "a"]], model=model)
