"""The engine leaves the process as it found it: BLAS threads, Ctrl-C, the user's memmap.

* BLAS's thread count is restored exactly when fits overlap on two threads, whichever
  finishes first (nested per-fit limits used to leave BLAS at one thread for good).
* Ctrl-C during a long fit stops it promptly, leaves no worker busy, and the next fit in
  the same process works.
* A copy-on-write memmap edited in memory is fitted as edited, and keeps its edits.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

from gmm_widgets import GaussianMixture
from gmm_widgets.mixture._validation import check_X

threadpoolctl = pytest.importorskip("threadpoolctl")

TIMEOUT = 120


def _blas_threads() -> list[int]:
    return [
        lib["num_threads"] for lib in threadpoolctl.threadpool_info() if lib["user_api"] == "blas"
    ]


def _data(n: int = 60_000) -> np.ndarray:
    return np.random.default_rng(0).normal(size=(n, 2))


@pytest.mark.parametrize("first_to_finish", ["outer", "inner"])
def test_overlapping_fits_restore_blas_threads(first_to_finish):
    X = _data()
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        # Two fits held inside their first iteration until both are in: they overlap.
        inside = {"outer": threading.Event(), "inner": threading.Event()}
        release = {"outer": threading.Event(), "inner": threading.Event()}
        errors: list[BaseException] = []

        def fit(name: str) -> None:
            def hold(state):
                if state.n_iter == 1:
                    inside[name].set()
                    assert release[name].wait(TIMEOUT)

            try:
                GaussianMixture(2, random_state=0, max_iter=3, tol=0, callbacks=hold).fit(X)
            except BaseException as exc:
                errors.append(exc)

        outer = threading.Thread(target=fit, args=("outer",))
        inner = threading.Thread(target=fit, args=("inner",))
        outer.start()
        assert inside["outer"].wait(TIMEOUT)
        inner.start()
        assert inside["inner"].wait(TIMEOUT)
        assert all(n == 1 for n in _blas_threads()), "BLAS not limited during the fits"
        second = "inner" if first_to_finish == "outer" else "outer"
        threads = {"outer": outer, "inner": inner}
        release[first_to_finish].set()
        threads[first_to_finish].join(TIMEOUT)
        release[second].set()
        threads[second].join(TIMEOUT)
        assert not outer.is_alive() and not inner.is_alive()
        assert not errors, errors
        assert _blas_threads() == before


def test_a_fit_restores_blas_threads_after_an_error():
    X = np.zeros((50, 2))
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        with pytest.raises(ValueError, match="ill-defined"):
            GaussianMixture(2, reg_covar=0.0, random_state=0).fit(X)
        assert _blas_threads() == before


_INTERRUPT_CHILD = """
    import faulthandler, os, signal, sys, threading, time
    import numpy as np
    from gmm_widgets import GaussianMixture
    from gmm_widgets.mixture import _engine

    # A child that hangs prints every thread's stack and exits before the test's own
    # timeout, so a rare failure can be read from the CI log.
    faulthandler.dump_traceback_later({dump_after}, exit=True)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400_000, 8))
    received = []

    def on_sigint(signum, frame):
        received.append(time.perf_counter())
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_sigint)

    def announce(state):
        if state.n_iter == 2:
            print("iterating", flush=True)

    try:
        GaussianMixture(10, covariance_type="{ct}", max_iter=10_000, tol=0,
                        init_params="random", random_state=0, callbacks=announce).fit(X)
        print("fit ended without an interrupt", flush=True)
        sys.exit(3)
    except KeyboardInterrupt:
        stopped = time.perf_counter()
    print("interrupted", flush=True)
    # Every pool thread free again: a barrier that needs all of them passes at once (a
    # worker still busy with the interrupted fit would hold it until its work ran out).
    pool = _engine._POOL._pool
    n_threads = 0 if pool is None else len(pool._threads)
    barrier = threading.Barrier(n_threads) if n_threads else None
    t0 = time.perf_counter()
    for f in [pool.submit(barrier.wait, 60) for _ in range(n_threads)]:
        f.result()
    idle = time.perf_counter() - t0
    took = stopped - received[0]
    print(f"stopped after {{took:.3f}} s; pool idle after {{idle:.3f}} s", flush=True)
    gm = GaussianMixture(3, random_state=0, max_iter=20).fit(X[:100_000])
    print("next fit", gm.n_iter_, flush=True)
    faulthandler.cancel_dump_traceback_later()
"""


@pytest.mark.parametrize("ct", ["full", "diag"])
def test_ctrl_c_stops_a_long_fit_and_the_next_fit_works(ct):
    env = {**os.environ, "GMM_WIDGETS_NUMBA": "0"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(_INTERRUPT_CHILD.format(ct=ct, dump_after=TIMEOUT - 20)),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        # Wait for the very condition: the child says it is iterating.
        deadline = time.monotonic() + TIMEOUT
        line = proc.stdout.readline()
        while line and "iterating" not in line and time.monotonic() < deadline:
            line = proc.stdout.readline()
        assert "iterating" in line, proc.stderr.read()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
    # On a hang the child prints its threads' stacks (faulthandler) and exits non-zero.
    assert proc.returncode == 0, f"exit {proc.returncode}\n{out}\n{err[-6000:]}"
    stopped = next(s for s in out.splitlines() if s.startswith("stopped after"))
    seconds = float(stopped.split()[2])
    # About a second is the promise (one chunk per worker, a few ms each); 10 s leaves
    # room for a loaded machine without hiding a worker that runs on to the end.
    assert seconds < 10, stopped
    idle = float(stopped.split()[-2])
    assert idle < 10, stopped
    assert "next fit" in out


def test_copy_on_write_memmap_is_fitted_as_edited(tmp_path):
    """``np.load(mmap_mode="c")`` then standardised in place: the fit sees the edits."""
    rng = np.random.default_rng(0)
    raw = np.concatenate([rng.normal(0, 1, (40_000, 2)), rng.normal(8, 1, (40_000, 2))])
    raw = raw * [1000.0, 0.01] + [5e4, -3.0]
    path = tmp_path / "data.npy"
    np.save(path, raw)
    X = np.load(path, mmap_mode="c")
    assert isinstance(X, np.memmap) and X.mode == "c"
    X -= X.mean(axis=0)
    X /= X.std(axis=0)
    edited = np.array(X)

    check_X(X)
    gm = GaussianMixture(2, random_state=0).fit(X)
    expected = GaussianMixture(2, random_state=0).fit(edited)
    np.testing.assert_allclose(gm.means_, expected.means_, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gm.score_samples(X), expected.score_samples(edited), rtol=1e-10)
    np.testing.assert_array_equal(np.asarray(X), edited)  # the user's edits survive
    # and the file on disk was never written
    np.testing.assert_array_equal(np.load(path), raw)


def test_copy_on_write_memmap_in_a_widget_keeps_edits(tmp_path):
    pytest.importorskip("anywidget")
    from gmm_widgets import FitPlayer

    rng = np.random.default_rng(1)
    path = tmp_path / "data.npy"
    np.save(path, rng.normal(100.0, 5.0, (30_000, 2)))
    X = np.load(path, mmap_mode="c")
    X -= 100.0
    edited = np.array(X)
    player = FitPlayer(X, n_components=2, random_state=0, max_iter=5)
    np.testing.assert_array_equal(np.asarray(X), edited)
    assert abs(player.model.means_.mean()) < 1.0  # fitted around 0, as edited, not 100


_MANY_INTERRUPTS_CHILD = """
    import faulthandler, os, random, signal, threading, time
    import numpy as np
    from gmm_widgets import GaussianMixture

    faulthandler.dump_traceback_later({dump_after}, exit=True)
    X = np.random.default_rng(0).normal(size=(200_000, 8))
    rng = random.Random(0)
    interrupted = 0
    for _ in range({rounds}):
        # A Ctrl-C at a random moment of a threaded fit: before, during or between passes,
        # inside the pool's submit or the BLAS limit's lock (where it once left a lock
        # held and the next fit hung).
        # Everything the Ctrl-C can land in is inside the try: on a loaded machine the
        # timer may fire before start() returns, or only after the fit.
        timer = threading.Timer(rng.uniform(0.0, 0.03), os.kill, (os.getpid(), signal.SIGINT))
        try:
            timer.start()
            GaussianMixture(4, covariance_type="diag", max_iter=4, tol=0, n_jobs=2,
                            init_params="random", random_state=0).fit(X)
            timer.join()  # a late Ctrl-C has been sent once this returns ...
            time.sleep(0.05)  # ... and lands here at the latest, not in the next round
        except KeyboardInterrupt:
            interrupted += 1
            timer.join()
    gm = GaussianMixture(3, random_state=0, max_iter=5, tol=0, n_jobs=2).fit(X)
    print("interrupted", interrupted, "then fitted", gm.n_iter_, flush=True)
    faulthandler.cancel_dump_traceback_later()
"""


def test_ctrl_c_at_any_moment_never_leaves_a_lock_held():
    env = {**os.environ, "GMM_WIDGETS_NUMBA": "0"}
    script = textwrap.dedent(_MANY_INTERRUPTS_CHILD.format(dump_after=TIMEOUT - 20, rounds=150))
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=TIMEOUT,
    )
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr[-6000:]}"
    interrupted = int(proc.stdout.split()[1])
    assert interrupted > 50, proc.stdout  # the Ctrl-Cs did land in the fits
    assert "then fitted 5" in proc.stdout


def test_sigint_deferred_holds_a_ctrl_c_until_the_block_ends():
    script = textwrap.dedent("""
        import os, signal
        from gmm_widgets.mixture._signals import sigint_deferred, sigint_pending
        inside = None
        try:
            with sigint_deferred():
                os.kill(os.getpid(), signal.SIGINT)
                inside = sigint_pending()
                print("still running", inside, flush=True)
        except KeyboardInterrupt:
            print("raised after the block", flush=True)
    """)
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=TIMEOUT
    )
    assert proc.stdout.splitlines() == ["still running True", "raised after the block"]


def test_a_ctrl_c_delivered_on_entering_the_blas_limit_gives_it_back():
    from gmm_widgets.mixture import _blas

    limit = _blas._BLAS_LIMIT
    before = _blas_threads()
    handler = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        real = _blas._controller

        def controller_then_ctrl_c():
            os.kill(os.getpid(), signal.SIGINT)  # arrives while the lock is held
            return real()

        _blas._controller = controller_then_ctrl_c
        try:
            with pytest.raises(KeyboardInterrupt):
                with _blas.blas_single_thread():
                    pytest.fail("the with block must not start")
        finally:
            _blas._controller = real
    finally:
        signal.signal(signal.SIGINT, handler)
    assert limit._depth == 0 and limit._limiter is None
    assert _blas_threads() == before
