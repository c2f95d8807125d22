"""The engine in other processes and threads: fork, spawn, joblib, four threads at once.

A fit in a child made by ``fork`` after the parent fitted used to wait forever on the
parent's worker pool, whose threads do not exist in the child. Every test here runs
under a timeout, so a regression fails instead of hanging CI.
"""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import textwrap
import threading
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

from gmm_widgets import GaussianMixture
from gmm_widgets.mixture import _engine, _sources

#: Seconds any child process or thread may take; a hang fails the test at this point.
TIMEOUT = 120


def _data(n: int = 60_000, seed: int = 0) -> np.ndarray:
    """Large enough that the fit uses the worker threads (see ``_engine._THREAD_MIN_WORK``)."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [6.0, 0.0], [0.0, 6.0]])
    return centres[rng.integers(0, 3, n)] + rng.normal(size=(n, 2))


def _fit_means(seed: int = 0) -> np.ndarray:
    X = _data(seed=seed)
    gm = GaussianMixture(3, random_state=0, max_iter=30).fit(X)
    return gm.means_[np.argsort(gm.means_[:, 0] + 10 * gm.means_[:, 1])]


def test_the_data_here_uses_the_worker_threads():
    X = _data()
    source = _sources.make_source(X, None, X.mean(axis=0), 4096, None)
    if source.n_workers < 2:
        pytest.skip("one CPU: the engine runs no worker threads")
    assert source._use_threads(3 * 3)


@pytest.fixture(scope="module")
def parent_fitted() -> np.ndarray:
    """Fit in this process first, so that its worker pool exists before any fork."""
    means = _fit_means()
    assert _engine._POOL._pool is not None
    return means


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_multiprocessing_child_fits_after_the_parent(parent_fitted, method):
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"start method {method} is not available here")
    ctx = multiprocessing.get_context(method)
    with ctx.Pool(2) as pool:
        result = pool.apply_async(_fit_means, (0,))
        child_means = result.get(timeout=TIMEOUT)
    np.testing.assert_allclose(child_means, parent_fitted, rtol=1e-10)


def test_a_plain_forked_process_finishes(parent_fitted):
    """The issue's reproduction: ``Process(target=...)`` with the fork context."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=lambda: queue.put(_fit_means(0)))
    proc.start()
    try:
        child_means = queue.get(timeout=TIMEOUT)
    finally:
        proc.join(timeout=TIMEOUT)
        if proc.is_alive():
            proc.kill()
    assert proc.exitcode == 0
    np.testing.assert_allclose(child_means, parent_fitted, rtol=1e-10)


def test_process_pool_executor(parent_fitted):
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as ex:
        futures = [ex.submit(_fit_means, 0) for _ in range(3)]
        for f in futures:
            np.testing.assert_allclose(f.result(timeout=TIMEOUT), parent_fitted, rtol=1e-10)


@pytest.mark.parametrize("backend", ["loky", "multiprocessing", "threading"])
def test_joblib_parallel(parent_fitted, backend):
    joblib = pytest.importorskip("joblib")
    out = joblib.Parallel(n_jobs=2, backend=backend, timeout=TIMEOUT)(
        joblib.delayed(_fit_means)(0) for _ in range(4)
    )
    for means in out:
        np.testing.assert_allclose(means, parent_fitted, rtol=1e-10)


def test_four_threads_at_once_give_the_sequential_results():
    seeds = [0, 1, 2, 3]
    sequential = {s: _fit_means(s) for s in seeds}
    results: dict[int, np.ndarray] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(len(seeds))

    def work(seed: int) -> None:
        try:
            start.wait(timeout=TIMEOUT)
            results[seed] = _fit_means(seed)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s,)) for s in seeds]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a fitting thread hung"
    assert not errors, errors
    for s in seeds:
        np.testing.assert_array_equal(results[s], sequential[s])


def _run_child(code: str, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_fork_while_another_thread_fits():
    """A fork taken in the middle of another thread's fit: the child's own fit finishes."""
    code = """
        import os, threading, numpy as np
        from gmm_widgets import GaussianMixture
        rng = np.random.default_rng(0)
        X = rng.normal(size=(60_000, 2))
        inside, release = threading.Event(), threading.Event()

        def hold(state):
            if state.n_iter == 1:
                inside.set()
                release.wait(60)

        t = threading.Thread(
            target=lambda: GaussianMixture(3, random_state=0, callbacks=hold).fit(X)
        )
        t.start()
        assert inside.wait(60)
        pid = os.fork()
        if pid == 0:
            GaussianMixture(3, random_state=0, max_iter=20).fit(X)
            os._exit(0)
        release.set()
        _, status = os.waitpid(pid, 0)
        t.join(60)
        print("child status", os.waitstatus_to_exitcode(status))
    """
    proc = _run_child(code)
    assert proc.returncode == 0, proc.stderr
    assert "child status 0" in proc.stdout
