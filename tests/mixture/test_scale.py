"""Out-of-core (memmap) and Dask fits give the in-memory numbers in bounded memory."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

from gmm_widgets import ConvergenceWarning, GaussianMixture, History
from tests.helpers import make_mixture

KW = dict(random_state=0, tol=0.0, max_iter=8)


def test_memmap_gives_the_in_memory_fit(tmp_path):
    X, _ = make_mixture(n_per=4000, d=3, K=3, seed=1)
    path = tmp_path / "X.f64"
    mm = np.memmap(path, dtype=np.float64, mode="w+", shape=X.shape)
    mm[:] = X
    mm.flush()
    ro = np.memmap(path, dtype=np.float64, mode="r", shape=X.shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = GaussianMixture(3, chunk_size=1000, **KW).fit(X)
        b = GaussianMixture(3, chunk_size=1000, **KW).fit(ro)
    np.testing.assert_array_equal(a.means_, b.means_)
    np.testing.assert_array_equal(a.predict(X), b.predict(ro))


@pytest.mark.slow
def test_memmap_fit_keeps_rss_bounded(tmp_path):
    """A 1e7 x 8 float32 memmap (305 MiB) fits with RSS far below X in float64 (610 MiB)."""
    path = tmp_path / "big.f32"
    n, d = 10_000_000, 8
    X = np.memmap(path, dtype=np.float32, mode="w+", shape=(n, d))
    rng = np.random.default_rng(0)
    for s in range(0, n, 1_000_000):
        k = rng.integers(0, 3, size=1_000_000)
        X[s : s + 1_000_000] = rng.normal(size=(1_000_000, d)) + 4.0 * k[:, None]
    X.flush()
    del X
    # A fresh process, so that its peak RSS is the fit's alone.
    script = textwrap.dedent(
        f"""
        import re, warnings, numpy as np
        from gmm_widgets import GaussianMixture

        def hwm():  # this process's peak RSS (ru_maxrss would include the parent's)
            status = open("/proc/self/status").read()
            return int(re.search(r"VmHWM:\\s+(\\d+)", status).group(1)) / 1024

        X = np.memmap({str(path)!r}, dtype=np.float32, mode="r", shape=({n}, {d}))
        base = hwm()
        warnings.simplefilter("ignore")
        gm = GaussianMixture(3, covariance_type="full", max_iter=2, random_state=0).fit(X)
        peak = hwm()
        print(base, peak, gm.means_.dtype)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    base, peak, dtype = float(out[0]), float(out[1]), out[2]
    x64_mb = 10_000_000 * 8 * 8 / 2**20
    print(f"memmap fit: RSS before fit {base:.0f} MiB, peak {peak:.0f} MiB; X in f64 {x64_mb:.0f}")
    assert dtype == "float32"
    assert peak < 0.5 * x64_mb


class TestDask:
    da = pytest.importorskip("dask.array")

    @pytest.fixture(scope="class")
    @classmethod
    def client(cls):
        distributed = pytest.importorskip("distributed")
        with (
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            yield client

    @pytest.mark.parametrize("ct", ["full", "tied", "diag", "spherical"])
    def test_same_parameters_as_in_memory(self, client, ct):
        X, _ = make_mixture(n_per=2000, d=3, K=3, seed=2)
        Xd = self.da.from_array(X, chunks=(1500, 2))  # the feature axis is split too
        h = History()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            a = GaussianMixture(3, covariance_type=ct, **KW).fit(X)
            b = GaussianMixture(3, covariance_type=ct, callbacks=h, **KW).fit(Xd)
        np.testing.assert_allclose(b.means_, a.means_, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(b.covariances_, a.covariances_, rtol=1e-11)
        assert b.lower_bound_ == pytest.approx(a.lower_bound_, rel=1e-12)
        assert [s.n_iter for s in h] == list(range(9))  # callbacks fire per iteration
        np.testing.assert_allclose(b.predict_proba(Xd), a.predict_proba(X), atol=1e-12)

    def test_sample_weight_and_random_init(self, client):
        X, _ = make_mixture(n_per=500, d=2, K=2, seed=3)
        w = np.random.default_rng(0).integers(0, 3, size=len(X)).astype(float)
        kw = dict(KW, init_params="random")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            a = GaussianMixture(2, chunk_size=300, **kw).fit(X, sample_weight=w)
            b = GaussianMixture(2, chunk_size=300, **kw).fit(
                self.da.from_array(X, chunks=600), sample_weight=w
            )
        np.testing.assert_allclose(b.means_, a.means_, rtol=1e-12)

    def test_nan_is_refused_once_up_front(self, client):
        X, _ = make_mixture(n_per=500, d=2, K=2, seed=4)
        X[7, 1] = np.nan
        with pytest.raises(ValueError, match="NaN or infinity"):
            GaussianMixture(2).fit(self.da.from_array(X, chunks=300))

    def test_bad_shapes(self, client):
        with pytest.raises(ValueError, match="reshape"):
            GaussianMixture(2).fit(self.da.ones(10, chunks=5))
        gm = GaussianMixture(2, random_state=0).fit(np.random.default_rng(0).normal(size=(50, 2)))
        with pytest.raises(ValueError, match="3 features"):
            gm.predict(self.da.ones((10, 3), chunks=5))

    def test_unknown_and_tiny_chunks(self, client):
        X, _ = make_mixture(n_per=60, d=2, K=2, seed=5)
        Xd = self.da.from_array(X, chunks=(13, 2))  # 10 chunks, the last of 3 rows
        Xd = Xd[Xd[:, 0] > -1e9]  # unknown chunk sizes
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            a = GaussianMixture(2, **KW).fit(X)
            b = GaussianMixture(2, **KW).fit(Xd)
        np.testing.assert_allclose(b.means_, a.means_, rtol=1e-12)
