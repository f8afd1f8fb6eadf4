"""Where batches run: in this process, in a local process pool, or on a Dask cluster.

A batch is the unit of work. The runner calls ``executor.submit(fn, *args)`` with a top-level
(picklable) function, and consumes the futures with ``executor.as_completed(futures)`` as they
finish. Every batch is a pure function of its arguments (its random stream comes from
``linksim.random.batch_rng(seed, point, batch)``), so the numbers never depend on the executor,
on the number of workers or on the order in which batches finish.

Executors (:func:`make_executor`)
---------------------------------
``local``, 1 worker -> :class:`InlineExecutor`
    Runs ``fn`` inside ``submit`` in this process and returns a completed future. No start-up
    cost; Numba kernels use all cores.
``local``, N > 1 workers -> :class:`LocalPoolExecutor`
    A ``concurrent.futures.ProcessPoolExecutor`` with the ``spawn`` start method (forking a
    process whose Numba threading layer is running is unsafe). Each worker runs Numba with
    ``max(1, cpus // N)`` threads so the pool does not oversubscribe the machine.
``dask`` -> :class:`DaskExecutor`
    ``distributed.Client`` on an existing cluster (``scheduler="tcp://host:port"``), or on a
    ``LocalCluster`` that the executor starts and owns. Own clusters have worker *processes*
    with one thread each: Numba's default threading layer aborts when two Python threads of
    one process launch parallel kernels at once. Their workers also get
    ``NUMBA_NUM_THREADS = max(1, cpus // N)``.

Numba reads ``NUMBA_NUM_THREADS`` when it is imported, so the local pool sets it in the
worker initializer (importing this module does not import Numba); if Numba was already
imported in the worker, the initializer falls back to ``numba.set_num_threads``.
:func:`worker_info` reports what a worker ended up with.
"""

from __future__ import annotations

import abc
import concurrent.futures as cf
import gc
import logging
import numbers
import os
import sys
import warnings
from typing import Any, Callable, Iterable, Iterator

__all__ = [
    "EXECUTORS",
    "CONNECT_TIMEOUT_S",
    "Executor",
    "InlineExecutor",
    "LocalPoolExecutor",
    "DaskExecutor",
    "make_executor",
    "numba_threads_per_worker",
    "worker_info",
]

#: The executor kinds :func:`make_executor` accepts.
EXECUTORS = ("local", "dask")
#: Seconds to wait for an existing Dask scheduler before reporting it unreachable.
CONNECT_TIMEOUT_S = 10.0


def _cpu_count() -> int:
    """CPUs this process may run on (its affinity mask where the OS has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def numba_threads_per_worker(workers: int, cpus: int | None = None) -> int:
    """Numba threads for each of ``workers`` worker processes: ``max(1, cpus // workers)``.

    ``cpus`` defaults to the CPUs available to this process.
    """
    cpus = _cpu_count() if cpus is None else cpus
    return max(1, cpus // max(1, workers))


#: How often (seconds) a pool worker checks that the process that started it is alive.
PARENT_POLL_S = 0.5


def _exit_when_orphaned(parent_pid: int) -> None:
    """Exit this worker once its parent is gone (reparented: ``os.getppid()`` changes).

    A ``kill -9`` of ``linksim run`` leaves its spawned workers behind otherwise: they wait on
    the task queue, whose pipe every worker also holds open, so they never see end-of-file.
    The batch a worker was computing is lost with the parent (nothing was committed for it), as
    the resume expects.
    """
    import threading
    import time

    def watch():
        while os.getppid() == parent_pid:
            time.sleep(PARENT_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, name="linksim-parent-watch", daemon=True).start()


def _init_worker(numba_threads: int, parent_pid: int | None = None) -> None:
    """Process-pool initializer: cap Numba's thread pool before the first task imports Numba,
    and exit with the parent (:func:`_exit_when_orphaned`)."""
    if parent_pid is not None:
        _exit_when_orphaned(parent_pid)
    os.environ["NUMBA_NUM_THREADS"] = str(numba_threads)
    if "numba" in sys.modules:  # imported already (e.g. by the parent's __main__): cap it.
        import numba
        from numba.np.ufunc import parallel
        # Numba re-reads the environment at every compilation and refuses a NUMBA_NUM_THREADS
        # that differs from the size of a launched pool. Size the pool from the environment
        # while it is not launched; if it is, keep the environment at its size (and cap the
        # threads in use below), or the first kernel compiled in this worker would fail.
        if not parallel._is_initialized:
            numba.config.reload_config()
        else:
            os.environ["NUMBA_NUM_THREADS"] = str(numba.config.NUMBA_NUM_THREADS)
        numba.set_num_threads(min(numba_threads, numba.config.NUMBA_NUM_THREADS))


def worker_info() -> dict:
    """What the calling process runs with: ``{"pid", "numba_threads", "numba_pool_size",
    "numba_threading_layer"}`` (submit it to an executor to inspect its workers)."""
    import numba

    try:
        layer = numba.threading_layer()
    except ValueError:  # no parallel kernel has launched the threading layer yet
        layer = None
    return {"pid": os.getpid(), "numba_threads": numba.get_num_threads(),
            "numba_pool_size": numba.config.NUMBA_NUM_THREADS, "numba_threading_layer": layer}


def _check_callable(fn) -> None:
    if not callable(fn):
        raise TypeError(f"fn: got {fn!r} of type {type(fn).__name__}; allowed: a callable "
                        f"(a top-level function, so that it pickles)")


class Executor(abc.ABC):
    """Runs batches; the interface every executor implements.

    Attributes
    ----------
    kind : str
        ``"local"`` or ``"dask"``.
    n_workers : int
        How many batches run at once (worker processes, or Dask worker threads); a runner
        keeps about this many (or a few more) batches in flight.
    """

    kind: str = ""
    n_workers: int = 1

    def __init__(self) -> None:
        self._closed = False

    @abc.abstractmethod
    def submit(self, fn: Callable[..., Any], *args) -> Any:
        """Schedule ``fn(*args)``; returns a future with ``result()``, ``done()``, ``cancel()``."""

    def as_completed(self, futures: Iterable[Any]) -> Iterator[Any]:
        """Yield this executor's ``futures`` as they finish (completed ones first)."""
        return cf.as_completed(list(futures))

    def shutdown(self) -> None:
        """Cancel pending work and release the workers (idempotent)."""
        self._closed = True

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"{self!r} is shut down; make a new executor")

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()

    def __repr__(self) -> str:
        state = ", shut down" if self._closed else ""
        return f"{type(self).__name__}(kind={self.kind!r}, n_workers={self.n_workers}{state})"


class InlineExecutor(Executor):
    """Runs each task in this process at submit time and returns a completed future.

    An exception raised by the task is stored in the future (``result()`` re-raises it), as
    with the other executors.
    """

    kind = "local"

    def __init__(self) -> None:
        super().__init__()
        self.n_workers = 1

    def submit(self, fn: Callable[..., Any], *args) -> cf.Future:
        """Run ``fn(*args)`` now; return a done ``concurrent.futures.Future`` with its result."""
        self._check_open()
        _check_callable(fn)
        future: cf.Future = cf.Future()
        future.set_running_or_notify_cancel()
        try:
            result = fn(*args)
        except Exception as exc:
            future.set_exception(exc)
        else:
            future.set_result(result)
        return future


class LocalPoolExecutor(Executor):
    """A pool of ``workers`` spawned processes, each running Numba with ``numba_threads``.

    Worker processes start at the first :meth:`submit` (spawn plus imports: about a second or
    two). :meth:`shutdown` cancels queued tasks and waits for the running ones.
    """

    kind = "local"

    def __init__(self, workers: int, numba_threads: int | None = None) -> None:
        super().__init__()
        import multiprocessing

        self.n_workers = int(workers)
        self.numba_threads = (numba_threads_per_worker(self.n_workers)
                              if numba_threads is None else int(numba_threads))
        self._pool = cf.ProcessPoolExecutor(
            max_workers=self.n_workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker, initargs=(self.numba_threads, os.getpid()))

    def submit(self, fn: Callable[..., Any], *args) -> cf.Future:
        """Queue ``fn(*args)`` for a worker process; returns a ``concurrent.futures.Future``."""
        self._check_open()
        _check_callable(fn)
        return self._pool.submit(fn, *args)

    def shutdown(self) -> None:
        """Cancel queued tasks, wait for running ones, stop the workers (idempotent)."""
        if not self._closed:
            self._closed = True
            self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor(Executor):
    """Runs tasks on a Dask cluster through a ``distributed.Client``.

    Parameters
    ----------
    scheduler : str or None
        Address of an existing scheduler (``"tcp://host:port"``), or None to start a
        ``LocalCluster`` of ``workers`` single-threaded worker processes owned (and closed at
        shutdown) by this executor.
    workers : int or None
        Worker processes of the own cluster (default: the CPUs of this machine); must be None
        with ``scheduler``.

    Tasks are submitted with ``pure=False`` (each submit is its own task, so cancelling one
    future never cancels another's work). For an existing cluster ``n_workers`` is the total
    number of worker threads when connecting; its workers should run one thread each (``dask
    worker --nthreads 1 --nworkers N``), otherwise a ``RuntimeWarning`` is issued.
    """

    kind = "dask"

    def __init__(self, scheduler: str | None = None, workers: int | None = None) -> None:
        super().__init__()
        import distributed

        self._distributed = distributed
        self._cluster = None
        self.scheduler = scheduler
        if scheduler is None:
            n = _cpu_count() if workers is None else int(workers)
            threads = numba_threads_per_worker(n)
            self._cluster = distributed.LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                silence_logs=logging.ERROR, env={"NUMBA_NUM_THREADS": str(threads)})
            try:
                self._client = distributed.Client(self._cluster)
            except BaseException:
                self._cluster.close()
                raise
            self.n_workers = n
            self.numba_threads = threads
            self.scheduler_address = self._cluster.scheduler_address
        else:
            failure = None
            try:
                self._client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT_S)
            except (OSError, TimeoutError, ValueError) as exc:
                failure = f"{type(exc).__name__}: {exc}"
            if failure is not None:
                # Finalize the half-built Client now: left to a later garbage collection, its
                # __del__ can run inside the next Client's start and deadlock on distributed's
                # loop-runner lock.
                gc.collect()
                raise ValueError(
                    f"scheduler: could not connect to a Dask scheduler at {scheduler!r} "
                    f"({failure}); allowed: the address of a running scheduler that answers "
                    f"within {CONNECT_TIMEOUT_S:g} s, e.g. tcp://host:8786 (start one with "
                    f"`dask scheduler`, and workers with `dask worker --nthreads 1 ADDRESS`)")
            nthreads = self._client.nthreads()
            self.n_workers = max(1, sum(nthreads.values()))
            self.numba_threads = None
            self.scheduler_address = self._client.scheduler.address
            multi = {w: n for w, n in nthreads.items() if n > 1}
            if multi:
                warnings.warn(
                    f"scheduler: {len(multi)} worker(s) of {scheduler} run more than one thread "
                    f"(e.g. {next(iter(multi.values()))}); Numba's default threading layer "
                    f"aborts when two threads of one process launch parallel kernels at once; "
                    f"start workers with `dask worker --nthreads 1 --nworkers N`",
                    RuntimeWarning, stacklevel=3)

    @property
    def client(self):
        """The ``distributed.Client`` in use."""
        return self._client

    def submit(self, fn: Callable[..., Any], *args):
        """Send ``fn(*args)`` to the cluster; returns a ``distributed.Future``."""
        self._check_open()
        _check_callable(fn)
        return self._client.submit(fn, *args, pure=False)

    def as_completed(self, futures: Iterable[Any]) -> Iterator[Any]:
        """Yield the ``distributed`` futures as they finish."""
        return iter(self._distributed.as_completed(list(futures)))

    def shutdown(self) -> None:
        """Close the client (the scheduler drops its tasks) and the own cluster (idempotent)."""
        if self._closed:
            return
        self._closed = True
        try:
            self._client.close()
        finally:
            if self._cluster is not None:
                self._cluster.close()


def make_executor(kind: str = "local", workers: int | None = None,
                  scheduler: str | None = None) -> Executor:
    """The executor of ``kind`` (one of :data:`EXECUTORS`); see the module docstring.

    ``kind="local"``: ``workers`` None means one per CPU; 1 gives an :class:`InlineExecutor`,
    more a spawned :class:`LocalPoolExecutor`. ``kind="dask"``: ``scheduler`` is the address
    of an existing cluster (then ``workers`` must be None), or None for an own ``LocalCluster``
    of ``workers`` (default: one per CPU) single-threaded processes.

    Raises ``TypeError``/``ValueError`` naming the option for a bad ``kind``, ``workers`` < 1,
    a ``scheduler`` with ``kind="local"``, or a scheduler that cannot be reached within
    :data:`CONNECT_TIMEOUT_S` seconds.
    """
    if not isinstance(kind, str):
        raise TypeError(f"kind: got {kind!r} of type {type(kind).__name__}; "
                        f"allowed: one of {', '.join(EXECUTORS)}")
    norm = kind.strip().lower()
    if norm not in EXECUTORS:
        raise ValueError(f"kind: got {kind!r}; allowed: one of {', '.join(EXECUTORS)}")
    if workers is not None:
        if isinstance(workers, bool) or not isinstance(workers, numbers.Integral):
            raise TypeError(f"workers: got {workers!r} of type {type(workers).__name__}; "
                            f"allowed: a positive integer or None (one per CPU)")
        if workers < 1:
            raise ValueError(f"workers: got {workers!r}; allowed: a positive integer or None "
                             f"(one per CPU)")
        workers = int(workers)
    if scheduler is not None:
        if norm == "local":
            raise ValueError(f"scheduler: got {scheduler!r} with kind 'local'; allowed: None "
                             f"(a scheduler address needs kind 'dask')")
        if not isinstance(scheduler, str):
            raise TypeError(f"scheduler: got {scheduler!r} of type {type(scheduler).__name__}; "
                            f"allowed: an address such as 'tcp://host:8786', or None")
        if not scheduler.strip():
            raise ValueError("scheduler: got an empty string; allowed: an address such as "
                             "'tcp://host:8786', or None")
        if workers is not None:
            raise ValueError(f"workers: got {workers} with scheduler {scheduler!r}; allowed: "
                             f"None (an existing cluster has its own workers)")
        scheduler = scheduler.strip()
    if norm == "local":
        n = _cpu_count() if workers is None else workers
        return InlineExecutor() if n == 1 else LocalPoolExecutor(n)
    return DaskExecutor(scheduler=scheduler, workers=workers)
