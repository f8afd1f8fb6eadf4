"""The engine's run loop: every point of a study, batch by batch, on an executor, into a
resumable store. It knows no system, no prediction and no report: what to simulate comes in as a
picklable task, and per-point results go out (the study above it, :mod:`linksim.study`, turns
them into report rows).

For each point of a *simulation* the engine

1. reads the batches already in the store (a killed or repeated run resumes there);
2. keeps a window of batches in flight on the executor, speculatively past the current one;
3. commits each batch to the store the moment it finishes (its own transaction);
4. feeds batches to a :class:`~linksim.sim.montecarlo.PointTally` strictly in index order,
   and stops the point at the first batch at which the stopping rule holds.

Step 4 is what makes the numbers independent of the executor and the worker count: a batch is
a pure function of (seed, point, batch index), and the set of batches summed is decided on
counts in index order. Batches that finished past the stopping point are still stored (they
are valid, and a later run with a looser rule reuses them) but never counted.

An *analysis* (deterministic closed forms, optimizers) has no batches: each point is one task
(:func:`execute_evaluation`), submitted with the same window in flight; each finished point is
committed at once, so a killed run resumes and a repeated run is served from the store.

Tasks
-----
``simulate(params, rng, n_frames) -> counts`` and ``evaluate(params) -> values`` are picklable
callables (top-level functions, or ``functools.partial`` of one) supplied by the layer above.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import time
from typing import Callable, Mapping, Sequence

from linksim.canonical import canonical_json
from linksim.sim.montecarlo import PointTally, StopRule, run_batch

__all__ = ["PointError", "execute_batch", "execute_evaluation", "prepare", "run_points",
           "run_evaluations", "stored_batches", "replay", "elapsed_of"]


def _task_key(task: Callable) -> str:
    """A stable name of a task across processes (a partial's function and bound arguments)."""
    if isinstance(task, functools.partial):
        return f"{_task_key(task.func)}{task.args!r}{sorted(task.keywords.items())!r}"
    return f"{getattr(task, '__module__', '')}.{getattr(task, '__qualname__', repr(task))}"


class PointError(ValueError):
    """A point's task rejected its parameters when it ran: a ``ValueError``/``TypeError`` the
    system raised (the library's "name: got X; allowed: Y") about a value it can only judge
    after costly work (e.g. a rate no designed stream supports). One line naming the point."""


@contextlib.contextmanager
def _named_point(point: int, label: str = ""):
    """Turn a ValueError/TypeError about the parameters, raised by point ``point``'s task,
    into one :class:`PointError` line. numpy's LinAlgError (a ValueError) is a numerical
    failure, a bug to be seen with its traceback, and passes through."""
    import numpy as np
    try:
        yield
    except (ValueError, TypeError) as exc:
        if isinstance(exc, (PointError, np.linalg.LinAlgError)):
            raise
        what = f"point {point + 1}" + (f" ({label})" if label else "")
        raise PointError(f"{what}: {' '.join(str(exc).split())}") from None


def prepare(simulate: Callable, params: Mapping) -> float:
    """Run one throw-away frame of ``simulate`` at ``params`` in this process, once.

    The first batch of a process would otherwise pay for building the codes and for Numba's
    compilation (tens of seconds on a first run; the kernels are cached on disk with
    ``cache=True`` and load in about a second afterwards), and count it as simulation time.
    The frame draws from its own generator and its counts are discarded, so no batch changes.
    Returns the seconds it took (0 when this process was already prepared).
    """
    key = (_task_key(simulate), canonical_json(params))
    if key in _PREPARED:
        return 0.0
    import numpy as np
    t0 = time.perf_counter()
    simulate(params, np.random.default_rng(0), 1)
    _PREPARED.add(key)
    return time.perf_counter() - t0


#: (task, params JSON) already prepared in this process.
_PREPARED: set[tuple[str, str]] = set()


def execute_batch(simulate: Callable, params: dict, seed: int, point: int, batch: int,
                  stop: dict) -> tuple[dict, float]:
    """Worker task: batch ``batch`` of point ``point``; returns ``(counts, elapsed_s)``.

    A top-level function (picklable for process pools and Dask). Preparing (building,
    compiling) is done before the clock starts: it is not simulation time.
    """
    prepare(simulate, params)
    t0 = time.perf_counter()
    counts = run_batch(lambda rng, n: simulate(params, rng, n), seed=seed, point_index=point,
                       batch_index=batch, stop=StopRule(**stop))
    return counts, time.perf_counter() - t0


def execute_evaluation(evaluate: Callable, params: dict) -> tuple[dict, float]:
    """Worker task: ``evaluate(params)`` timed; returns ``(values, elapsed_s)``."""
    t0 = time.perf_counter()
    values = evaluate(params)
    return values, time.perf_counter() - t0


def _window(executor) -> int:
    """Tasks kept in flight: one inline, else twice the workers (so none idles)."""
    return 1 if executor.n_workers == 1 else 2 * executor.n_workers


def stored_batches(store, key: str) -> dict:
    """``{(point, batch): (counts, elapsed_s)}`` of the study stored under ``key``."""
    return {k: (value["counts"], value["elapsed_s"])
            for k, value in store.batch_records(key).items()}


def replay(stored: dict, point: int, tally: PointTally) -> None:
    """Feed stored batches of ``point`` to ``tally`` in index order."""
    while not tally.done and (point, tally.n_batches) in stored:
        tally.add(tally.n_batches, stored[point, tally.n_batches][0])


def elapsed_of(stored: dict, point: int, tally: PointTally) -> float:
    """Simulation seconds of the batches a point summed (as stored with them)."""
    return sum(stored[point, b][1] for b in range(tally.n_batches))


def run_points(simulate: Callable, points: Sequence[dict], *, seed: int, stop: StopRule,
               store, key: str, executor, labels: Sequence[str], name: str = "system",
               progress: bool = True,
               on_point: Callable[[int, PointTally, float], None] | None = None
               ) -> list[tuple[PointTally, float]]:
    """Simulate every point to its stopping rule; returns ``[(tally, elapsed_s)]`` in point
    order (``elapsed_s``: simulation seconds of the batches summed).

    ``points`` are the parameter dicts handed to ``simulate``; batches are stored under
    ``key`` in ``store`` (:class:`linksim.sim.store.Store`); ``labels`` name the points on the
    progress bars; ``name`` the system in the "preparing" message; ``on_point(point, tally,
    elapsed_s)`` is called as each point finishes, in order.
    """
    from tqdm import tqdm

    stop_dict = stop.to_dict()
    window = _window(executor)
    stored = stored_batches(store, key)
    out = []
    prepared = False
    for point, params in enumerate(points):
        tally = PointTally(stop)
        replay(stored, point, tally)
        if not prepared and not tally.done:
            with _named_point(point, labels[point]):
                _prepare_here(simulate, params, name, progress)
            prepared = True
        # tqdm puts ", " before the postfix: it follows the time, as a separator.
        bar = tqdm(total=1000, desc=f"[{point + 1}/{len(points)}] {labels[point]}",
                   disable=True if not progress else None, leave=True, unit="‰",
                   bar_format="{desc} |{bar}| [{elapsed}<{remaining}]{postfix}")
        try:
            with _named_point(point, labels[point]):
                _run_point(executor, store, key, simulate, seed, stop, stop_dict, window,
                           point, params, tally, stored, bar)
        finally:
            bar.close()         # drawn for the last time before anything else is printed
        elapsed = elapsed_of(stored, point, tally)
        out.append((tally, elapsed))
        if on_point is not None:
            on_point(point, tally, elapsed)
    return out


def _prepare_here(simulate: Callable, params: dict, name: str, progress: bool) -> None:
    """Prepare the first point in this process before any worker starts, saying so: the
    workers then load compiled kernels from the disk cache instead of each compiling."""
    if progress:
        print(f"# preparing {name}: building codes, compiling kernels (first run only: they "
              f"are cached on disk) ...", file=sys.stderr, flush=True)
    seconds = prepare(simulate, params)
    if progress:
        print(f"# ready in {seconds:.1f} s (not counted as simulation time)", file=sys.stderr,
              flush=True)


def _run_point(executor, store, key: str, simulate: Callable, seed: int, stop: StopRule,
               stop_dict: dict, window: int, point: int, params: dict, tally: PointTally,
               stored: dict, bar) -> None:
    """Run one point to its stopping rule: submit its missing batches (a window in flight),
    commit each as it finishes, feed them to ``tally`` in index order."""
    t0 = time.perf_counter()
    pending: dict = {}          # future -> batch index
    finished: dict = {}         # batch index -> counts, waiting for their turn
    next_batch = tally.n_batches
    _show(bar, tally, stop)                 # a point served from the store shows as such
    try:
        while not tally.done:
            while len(pending) < window and next_batch < stop.max_batches:
                if (point, next_batch) in stored:
                    finished[next_batch] = stored[point, next_batch][0]
                else:
                    future = executor.submit(execute_batch, simulate, params, seed, point,
                                             next_batch, stop_dict)
                    pending[future] = next_batch
                next_batch += 1
            if pending and tally.n_batches not in finished:
                future = next(iter(executor.as_completed(list(pending))))
                batch = pending.pop(future)
                counts, batch_elapsed = future.result()
                store.add_batch(key, point, batch, counts, batch_elapsed)
                stored[point, batch] = (counts, batch_elapsed)
                finished[batch] = counts
            while not tally.done and tally.n_batches in finished:
                tally.add(tally.n_batches, finished.pop(tally.n_batches))
            if stop.max_seconds is not None and time.perf_counter() - t0 >= stop.max_seconds:
                tally.stop_for_time()
            _show(bar, tally, stop)
    finally:
        for future in pending:      # speculative batches past the stop: not needed
            future.cancel()


def run_evaluations(evaluate: Callable, points: Sequence[dict], *, store, key: str, executor,
                    on_point: Callable[[int, dict, float, bool], None] | None = None
                    ) -> list[tuple[dict, float]]:
    """Evaluate every point not yet stored under ``key``; returns ``[(values, elapsed_s)]`` in
    point order. ``on_point(point, values, elapsed_s, reused)`` is called in point order as
    soon as each point and all before it are done (``reused``: served from the store)."""
    window = _window(executor)
    stored = store.evaluations(key)
    reused = set(stored)
    todo = iter([p for p in range(len(points)) if p not in stored])
    pending: dict = {}              # future -> point
    out: list[tuple[dict, float]] = []
    while True:
        while len(out) < len(points) and len(out) in stored:      # emit in point order
            point = len(out)
            out.append((stored[point]["values"], stored[point]["elapsed_s"]))
            if on_point is not None:
                on_point(point, *out[-1], point in reused)
        while len(pending) < window:
            point = next(todo, None)
            if point is None:
                break
            pending[executor.submit(execute_evaluation, evaluate, points[point])] = point
        if not pending:
            break
        future = next(iter(executor.as_completed(list(pending))))
        point = pending.pop(future)
        with _named_point(point):
            values, elapsed = future.result()
        store.add_evaluation(key, point, values, elapsed)
        stored[point] = {"values": values, "elapsed_s": elapsed}
    return out


def _show(bar, tally: PointTally, stop: StopRule) -> None:
    counts = tally.counts
    frac = max(min(counts.get(name, 0) for name in stop.error_counts) / stop.max_frame_errors,
               counts["frames"] / stop.max_frames)
    bar.n = min(1000, int(1000 * frac)) if not tally.done else 1000
    bler = counts["frame_errors"] / counts["frames"] if counts["frames"] else float("nan")
    target = "" if stop.error_count == "frame_errors" else \
        "".join(f", {name} {counts.get(name, 0)}" for name in stop.error_counts)
    bar.set_postfix_str(f"frames {counts['frames']}, errors {counts['frame_errors']}, "
                        f"BLER {bler:.2e}{target}", refresh=False)
    bar.refresh()


