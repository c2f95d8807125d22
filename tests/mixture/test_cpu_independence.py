"""The same verdicts and the same fits whatever BLAS kernels the CPU gets.

OpenBLAS picks its kernels by CPU, and they round products differently in the last
bits. Decisions (which centre a tied point goes to, whether a covariance is singular)
must not follow that rounding: here the same fits run in child processes under each
``OPENBLAS_CORETYPE`` this CPU can execute, and must agree exactly in their verdict and
to 1e-10 in their lower bounds. (``.ci/run`` also repeats the core and widget tests
under a second core type.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from gmm_widgets import GaussianMixture

CORE_TYPES = ("Haswell", "SkylakeX", "Zen", "Sandybridge", "Nehalem", "Prescott")

#: The fits of the issue's report plus lattice data (exact ties, exactly singular
#: components with ``reg_covar=0``) for every covariance type and K = 1..4.
_SWEEP = """
    import json, warnings
    import numpy as np
    from gmm_widgets import GaussianMixture
    warnings.simplefilter("ignore")
    data = {
        "int3": np.random.default_rng(0).integers(0, 3, (300, 2)).astype(float),
        "int2": np.random.default_rng(2).integers(0, 2, (200, 2)).astype(float),
        "int4_3d": np.random.default_rng(1).integers(0, 4, (400, 3)).astype(float),
    }
    out = {}
    for name, X in data.items():
        for ct in ("full", "tied", "diag", "spherical"):
            for K in (1, 2, 3, 4):
                for seed in (0, 1):
                    gm = GaussianMixture(K, covariance_type=ct, reg_covar=0.0, random_state=seed)
                    try:
                        gm.fit(X)
                        out[f"{name}/{ct}/{K}/{seed}"] = ["fit", gm.lower_bound_, gm.n_iter_]
                    except ValueError as exc:
                        out[f"{name}/{ct}/{K}/{seed}"] = ["error", str(exc)[:60]]
    print(json.dumps(out))
"""


def _runs(core_type: str) -> bool:
    """Whether OpenBLAS's kernels for ``core_type`` execute on this CPU."""
    probe = "import numpy as np; a = np.ones((64, 64)); print(float((a @ a).sum()))"
    env = {**os.environ, "OPENBLAS_CORETYPE": core_type}
    proc = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60
    )
    return proc.returncode == 0


@pytest.fixture(scope="module")
def sweeps() -> dict[str, dict]:
    out = {}
    for core in CORE_TYPES:
        if not _runs(core):
            continue
        env = {**os.environ, "OPENBLAS_CORETYPE": core}
        proc = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(_SWEEP)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
        out[core] = json.loads(proc.stdout)
    if len(out) < 2:
        pytest.skip("fewer than two OpenBLAS core types run on this CPU")
    return out


def test_lattice_fits_agree_across_blas_kernels(sweeps):
    cores = list(sweeps)
    reference = sweeps[cores[0]]
    verdicts = {k: v[0] for k, v in reference.items()}
    # The sweep has both outcomes, so agreement is not trivial.
    assert set(verdicts.values()) == {"fit", "error"}
    for core in cores[1:]:
        other = sweeps[core]
        assert other.keys() == reference.keys()
        differ = [k for k in reference if other[k][0] != reference[k][0]]
        assert not differ, f"{core} vs {cores[0]}: verdicts differ in {differ}"
        for key, (verdict, *rest) in reference.items():
            if verdict == "fit":
                lb, n_iter = rest
                assert other[key][2] == n_iter, key
                assert other[key][1] == pytest.approx(lb, rel=1e-10, abs=1e-12), key


def test_singular_component_of_the_report_is_refused():
    """The report's fit: a component on a line (smallest eigenvalue 3e-31) is ill-defined."""
    X = np.random.default_rng(0).integers(0, 3, (300, 2)).astype(float)
    with pytest.raises(ValueError, match="ill-defined empirical covariance"):
        GaussianMixture(3, reg_covar=0.0, random_state=0).fit(X)


@pytest.mark.parametrize("ct", ["full", "tied", "diag", "spherical"])
def test_a_tiny_real_spread_with_reg_covar_still_fits(ct):
    """The floor is far below any covariance that reg_covar or real data give."""
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(0, 1, (500, 2)), rng.normal(5, 1e-4, (500, 2))])
    gm = GaussianMixture(2, covariance_type=ct, random_state=0).fit(X)
    assert gm.converged_


def test_ties_in_nearest_centre_go_to_the_lower_index():
    from gmm_widgets.mixture._init import exact_sq_distances, nearest_centre

    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0], [1.0 / 3.0, 0.5]])
    centres = np.array([[1.0, 0.0], [1.0, 2.0], [-1.0, 0.0]])
    # Row 0 is equidistant from centres 0 and 2; row 1 from centres 0 and 1.
    labels = nearest_centre(X, centres)
    assert labels[0] == 0 and labels[1] == 0
    np.testing.assert_array_equal(labels, exact_sq_distances(X, centres).argmin(axis=1))
