"""Tests of linksim.sim.executors: identical batch results on every executor, worker Numba
thread counts, option errors, shutdown, and a Dask executor on an existing cluster."""

from __future__ import annotations

import concurrent.futures as cf
import logging
import os
import socket
import sys
import time

import pytest

from linksim.sim import executors as ex
from linksim.sim.executors import (
    EXECUTORS,
    DaskExecutor,
    InlineExecutor,
    LocalPoolExecutor,
    make_executor,
    numba_threads_per_worker,
)

SEED = 20240607
KEYS = [(0, 0), (0, 1), (1, 0), (2, 3), (1, 5)]
LDPC = {"k": 64, "n": 128, "ebno_db": 2.0, "num_iter": 10}
UNCODED = {"code": "none", "k": 64, "ebno_db": 3.0, "modulation": "16qam"}


def batch_task(params: dict, seed: int, point: int, batch: int):
    """A batch as the runner submits it; also reports the worker's Numba thread count."""
    import numba

    from linksim.random import batch_rng
    from linksim.systems import simulate_batch

    counts = simulate_batch("coded_link", params, batch_rng(seed, point, batch), 50)
    return (point, batch), counts, numba.get_num_threads()


def fail_task(x):
    raise ArithmeticError(f"bad {x}")


def sleep_task(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def run_all(executor, keys=KEYS):
    """``{(params name, point, batch): counts}`` and the Numba thread counts seen."""
    futures = [executor.submit(batch_task, params, SEED, p, b)
               for params in (LDPC, UNCODED) for p, b in keys]
    out, threads = {}, set()
    for future in executor.as_completed(futures):
        (p, b), counts, n_threads = future.result()
        name = "ldpc" if counts.get("iterations") is not None else "uncoded"
        out[(name, p, b)] = counts
        threads.add(n_threads)
    assert len(out) == len(futures)
    return out, threads


@pytest.fixture(scope="module")
def reference():
    """The batches computed serially in this process (the InlineExecutor)."""
    with make_executor("local", workers=1) as inline:
        assert isinstance(inline, InlineExecutor) and inline.n_workers == 1
        results, _ = run_all(inline)
    return results


def test_inline_matches_direct_calls(reference):
    from linksim.random import batch_rng
    from linksim.systems import simulate_batch

    for (name, p, b), counts in reference.items():
        params = LDPC if name == "ldpc" else UNCODED
        assert counts == simulate_batch("coded_link", params, batch_rng(SEED, p, b), 50)
        assert counts["frames"] == 50
    assert len({tuple(c.items()) for c in reference.values()}) > 1  # batches differ


def test_inline_future_semantics():
    inline = InlineExecutor()
    future = inline.submit(fail_task, 3)
    assert future.done() and not future.cancel()
    with pytest.raises(ArithmeticError, match="bad 3"):
        future.result()
    ok = inline.submit(sleep_task, 0.0)
    assert list(inline.as_completed([ok])) == [ok] and ok.result() == 0.0
    with pytest.raises(TypeError, match="fn"):
        inline.submit(42)
    inline.shutdown()
    inline.shutdown()
    with pytest.raises(RuntimeError, match="shut down"):
        inline.submit(sleep_task, 0.0)


def test_local_pool_two_workers(reference):
    t0 = time.perf_counter()
    executor = make_executor("local", workers=2)
    assert isinstance(executor, LocalPoolExecutor)
    assert (executor.kind, executor.n_workers) == ("local", 2)
    results, threads = run_all(executor)
    elapsed = time.perf_counter() - t0
    assert results == reference
    assert threads == {numba_threads_per_worker(2)}
    info = [f.result() for f in [executor.submit(ex.worker_info) for _ in range(4)]]
    assert {i["numba_threads"] for i in info} == {numba_threads_per_worker(2)}
    # the environment variable took effect (Numba's pool itself is small, not just capped)
    assert {i["numba_pool_size"] for i in info} == {numba_threads_per_worker(2)}
    logging.getLogger(__name__).info("local pool: 2 workers + %d batches in %.2f s",
                                     2 * len(KEYS), elapsed)

    # errors travel back; shutdown cancels queued work and is idempotent
    with pytest.raises(ArithmeticError, match="bad 1"):
        executor.submit(fail_task, 1).result()
    queued = [executor.submit(sleep_task, 0.2) for _ in range(12)]
    executor.shutdown()
    assert all(f.done() for f in queued)
    assert sum(f.cancelled() for f in queued) >= 12 - 2 * 2  # at most workers+queue ran
    executor.shutdown()
    with pytest.raises(RuntimeError, match="shut down"):
        executor.submit(sleep_task, 0.0)


def test_dask_local_cluster(reference):
    t0 = time.perf_counter()
    with make_executor("dask", workers=2) as executor:
        started = time.perf_counter() - t0
        assert isinstance(executor, DaskExecutor)
        assert (executor.kind, executor.n_workers) == ("dask", 2)
        assert executor.scheduler_address.startswith("tcp://")
        nthreads = executor.client.nthreads()
        assert len(nthreads) == 2 and set(nthreads.values()) == {1}  # processes, 1 thread each
        pids = set(executor.client.run(lambda: __import__("os").getpid()).values())
        assert len(pids) == 2 and __import__("os").getpid() not in pids
        results, threads = run_all(executor)
        assert results == reference
        assert threads == {numba_threads_per_worker(2)}
        with pytest.raises(ArithmeticError, match="bad 2"):
            executor.submit(fail_task, 2).result()
        # identical submissions are separate tasks (pure=False): cancelling one spares the other
        a, b = executor.submit(sleep_task, 0.05), executor.submit(sleep_task, 0.05)
        assert a.key != b.key
        a.cancel()
        assert b.result() == 0.05
    executor.shutdown()  # idempotent after __exit__
    with pytest.raises(RuntimeError, match="shut down"):
        executor.submit(sleep_task, 0.0)
    logging.getLogger(__name__).info("dask LocalCluster(2) start %.2f s", started)


def test_dask_existing_cluster(reference):
    distributed = pytest.importorskip("distributed")
    # threads, not processes: cheap to start, and enough to test connecting by address
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None, silence_logs=logging.ERROR) as cluster:
        executor = make_executor("dask", scheduler=cluster.scheduler_address)
        try:
            assert executor.n_workers == 1 and executor.scheduler_address == \
                cluster.scheduler_address
            results, _ = run_all(executor, keys=KEYS[:2])
            assert results == {k: v for k, v in reference.items() if k[1:] in KEYS[:2]}
        finally:
            executor.shutdown()
            executor.shutdown()
        # the cluster outlives the executor that merely connected to it
        with distributed.Client(cluster.scheduler_address, timeout=10) as client:
            assert client.submit(sleep_task, 0.0).result() == 0.0


def test_dask_existing_cluster_with_threads_warns():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None, silence_logs=logging.ERROR) as cluster:
        with pytest.warns(RuntimeWarning, match="nthreads 1"):
            executor = make_executor("dask", scheduler=cluster.scheduler_address)
        assert executor.n_workers == 2
        executor.shutdown()


def test_unreachable_scheduler_fails_cleanly(monkeypatch):
    monkeypatch.setattr(ex, "CONNECT_TIMEOUT_S", 1.5)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ValueError, match="scheduler") as info:
        make_executor("dask", scheduler=f"tcp://127.0.0.1:{port}")
    assert f"127.0.0.1:{port}" in str(info.value)
    for bad in ("garbage", "foo://host:1"):  # malformed addresses fail at once, and cleanly
        with pytest.raises(ValueError, match="scheduler"):
            make_executor("dask", scheduler=bad)


@pytest.mark.parametrize("kwargs, exc, needle", [
    ({"kind": "mpi"}, ValueError, "kind"),
    ({"kind": 3}, TypeError, "kind"),
    ({"kind": "local", "workers": 0}, ValueError, "workers"),
    ({"kind": "dask", "workers": -2}, ValueError, "workers"),
    ({"kind": "local", "workers": 1.5}, TypeError, "workers"),
    ({"kind": "local", "workers": True}, TypeError, "workers"),
    ({"kind": "local", "scheduler": "tcp://127.0.0.1:8786"}, ValueError, "scheduler"),
    ({"kind": "dask", "scheduler": ""}, ValueError, "scheduler"),
    ({"kind": "dask", "scheduler": 8786}, TypeError, "scheduler"),
    ({"kind": "dask", "workers": 2, "scheduler": "tcp://127.0.0.1:8786"}, ValueError, "workers"),
])
def test_bad_arguments_name_the_option(kwargs, exc, needle):
    with pytest.raises(exc) as info:
        make_executor(**kwargs)
    assert str(info.value).startswith(needle + ":")
    assert "allowed" in str(info.value)


def test_defaults_and_thread_split(monkeypatch):
    assert EXECUTORS == ("local", "dask")
    assert numba_threads_per_worker(4, cpus=16) == 4
    assert numba_threads_per_worker(3, cpus=16) == 5
    assert numba_threads_per_worker(32, cpus=16) == 1
    assert numba_threads_per_worker(1, cpus=1) == 1
    monkeypatch.setattr(ex, "_cpu_count", lambda: 1)
    executor = make_executor()  # workers=None -> one per CPU -> inline here
    assert isinstance(executor, InlineExecutor)
    monkeypatch.setattr(ex, "_cpu_count", lambda: 3)
    executor = make_executor("LOCAL")  # pool created lazily: no process starts here
    assert isinstance(executor, LocalPoolExecutor) and executor.n_workers == 3
    assert executor.numba_threads == 1
    executor.shutdown()


def test_base_executor_as_completed_works_on_concurrent_futures():
    futures = [cf.Future() for _ in range(3)]
    for i, f in enumerate(futures):
        f.set_result(i)

    class Minimal(ex.Executor):      # the base is abstract: only submit() is needed here
        def submit(self, fn, *args):
            return cf.Future()

    assert sorted(f.result() for f in Minimal().as_completed(futures)) == [0, 1, 2]
    with pytest.raises(TypeError, match="abstract"):
        ex.Executor()


_ORPHAN_SCRIPT = """
import os, sys, time
from linksim.sim.executors import LocalPoolExecutor
pool = LocalPoolExecutor(2)
pids = {pool.submit(os.getpid).result() for _ in range(20)}
print(" ".join(map(str, sorted(pids))), flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, exited but not reaped, does not count)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not __import__("os").path.isdir("/proc"), reason="needs /proc (Linux)")
def test_pool_workers_exit_when_the_parent_is_killed():
    """A kill -9 of the process that owns a pool (a `linksim run --workers N`) must not leave
    its workers running: each exits within a few poll periods once it is orphaned."""
    import signal
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", _ORPHAN_SCRIPT], stdout=subprocess.PIPE,
                            text=True)
    try:
        pids = [int(p) for p in proc.stdout.readline().split()]
        assert pids and all(_alive(p) for p in pids)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        deadline = time.time() + 20 * ex.PARENT_POLL_S + 10
        while time.time() < deadline and any(_alive(p) for p in pids):
            time.sleep(0.1)
        assert not any(_alive(p) for p in pids), "pool workers outlived their killed parent"
    finally:
        proc.kill()


_PREIMPORTED_SCRIPT = """
import numba                               # as a CLI's __main__ does, before the initializer
import numpy as np
from linksim.sim.executors import _init_worker
_init_worker(1)

@numba.njit(parallel=True)
def first(x):
    for i in numba.prange(x.size):
        x[i] += 1.0

first(np.zeros(10))                        # launches the thread pool

@numba.njit
def compiled_after_launch(x):              # compiles after the launch
    return x + 1

print(compiled_after_launch(1), numba.get_num_threads(), numba.config.NUMBA_NUM_THREADS)
"""


def test_worker_initializer_with_numba_imported_lets_later_kernels_compile():
    """A spawned worker imports the parent's __main__ first (``linksim run`` imports Numba), so
    the initializer meets Numba imported. The first kernel compiled after the pool launched
    used to fail ("Cannot set NUMBA_NUM_THREADS to a different value once the threads have
    been launched"), killing every batch of a point whose kernel was not in the cache."""
    import subprocess

    env = {key: value for key, value in os.environ.items() if key != "NUMBA_NUM_THREADS"}
    out = subprocess.run([sys.executable, "-c", _PREIMPORTED_SCRIPT], capture_output=True,
                         text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    value, threads, pool = out.stdout.split()
    assert value == "2" and threads == "1" and int(pool) >= 1
