"""Run a scenario: every sweep point, batch by batch, on an executor, into a resumable store.

For each point the runner

1. reads the batches already in the store (a killed or repeated run resumes there);
2. keeps a window of batches in flight on the executor, speculatively past the current one;
3. commits each batch to the store the moment it finishes (its own transaction);
4. feeds batches to a :class:`~linksim.sim.montecarlo.PointTally` strictly in index order,
   and stops the point at the first batch at which the stopping rule holds.

Step 4 is what makes the numbers independent of the executor and the worker count: a batch is
a pure function of (seed, point, batch index), and the set of batches summed is decided on
counts in index order. Batches that finished past the stopping point are still stored (they
are valid, and a later run with a looser rule reuses them) but never counted.

An *analysis* scenario (its system's kind is "analysis": closed forms, optimizers) has no
batches: each point is one task, :func:`execute_analysis`, submitted with the same window of
tasks in flight; each finished point is committed to the store at once (its own transaction),
so a killed run resumes and a repeated run is served from the store without evaluating
anything. Its rows are :func:`analysis_row`.

The store keeps, with the scenario's hash, enough to rebuild every output without the
scenario file: :func:`rebuild_rows` does that for ``linksim report``.
"""

from __future__ import annotations

import functools
import json
import math
import numbers
import sys
import time
from pathlib import Path
from typing import Callable, Mapping

from linksim.sim.metrics import compute_metrics
from linksim.sim.montecarlo import PointTally, StopRule, run_batch

__all__ = ["execute_batch", "execute_analysis", "run_scenario", "rebuild_rows", "point_row",
           "analysis_row", "predictions_of", "stored_scenarios"]


def execute_batch(system: str, params: dict, seed: int, point: int, batch: int,
                  stop: dict) -> tuple[dict, float]:
    """Worker task: batch ``batch`` of point ``point``; returns ``(counts, elapsed_s)``.

    A top-level function (picklable for process pools and Dask); the built system is cached
    per worker process by :func:`linksim.systems.build_system`.
    """
    from linksim.systems import simulate_batch
    prepare(system, params)             # building and compiling are not simulation time
    t0 = time.perf_counter()
    counts = run_batch(lambda rng, n: simulate_batch(system, params, rng, n), seed=seed,
                       point_index=point, batch_index=batch, stop=StopRule(**stop))
    return counts, time.perf_counter() - t0


class PredictionError(Exception):
    """A scenario's prediction that fails at one of its points (raised by
    :func:`run_scenario` before anything is simulated); ``str(exc)`` is one line."""


def prepare(system: str, params: dict) -> float:
    """Build ``system`` at ``params`` and run one throw-away frame in this process, once.

    The first batch of a process would otherwise pay for building the codes and for Numba's
    compilation (tens of seconds on a first run; the kernels are cached on disk with
    ``cache=True`` and load in about a second afterwards), and count it as simulation time.
    The frame draws from its own generator and its counts are discarded, so no batch changes.
    Returns the seconds it took (0 when this process was already prepared).
    """
    key = json.dumps(params, sort_keys=True)
    if (system, key) in _PREPARED:
        return 0.0
    import numpy as np

    from linksim.systems import simulate_batch
    t0 = time.perf_counter()
    simulate_batch(system, params, np.random.default_rng(0), 1)
    _PREPARED.add((system, key))
    return time.perf_counter() - t0


#: (system, params JSON) already prepared in this process.
_PREPARED: set[tuple[str, str]] = set()


def _prepare_here(scenario, params: dict, progress: bool) -> None:
    """Prepare the first point's system in this process before any worker starts, saying so:
    the workers then load compiled kernels from the disk cache instead of each compiling."""
    if progress:
        print(f"# preparing {scenario.system}: building codes, compiling kernels (first run "
              f"only: they are cached on disk) ...", file=sys.stderr, flush=True)
    seconds = prepare(scenario.system, params)
    if progress:
        print(f"# ready in {seconds:.1f} s (not counted as simulation time)", file=sys.stderr,
              flush=True)


def execute_analysis(system: str, params: dict) -> tuple[dict, float]:
    """Worker task: evaluate analysis system ``system`` at ``params``; returns
    ``(values, elapsed_s)``.

    ``values`` has exactly the system's quantities as keys, each a Python ``int``, ``float``
    or None; a boolean is recorded as 0 or 1, a non-finite value (NaN, infinity) as None (no
    value). Anything else ``evaluate()`` returns (missing or extra keys, strings) raises
    ``ValueError`` naming the system, the point and the quantity.

    A top-level function (picklable for process pools and Dask). The system is built afresh,
    not through the per-process cache of :func:`linksim.systems.build_system`: building an
    analysis system only validates its parameters, and each point is evaluated once.
    """
    from linksim.systems import get_system
    spec = get_system(system)
    t0 = time.perf_counter()
    raw = spec.build(params).evaluate()
    elapsed = time.perf_counter() - t0
    where = f"system {system!r}: evaluate() at {json.dumps(params, sort_keys=True)[:200]}"
    if not isinstance(raw, Mapping) or set(raw) != set(spec.quantities):
        keys = sorted(raw) if isinstance(raw, Mapping) else type(raw).__name__
        raise ValueError(f"{where} returned {keys}; allowed: a dict with exactly the system's "
                         f"quantities {', '.join(spec.quantities)}")
    values = {}
    for name in spec.quantities:
        value = raw[name]
        if value is not None and not isinstance(value, numbers.Real):
            raise ValueError(f"{where}: {name} = {value!r} ({type(value).__name__}); allowed: "
                             f"a number, a boolean or None")
        if value is None or (not isinstance(value, numbers.Integral)
                             and not math.isfinite(float(value))):
            values[name] = None
        else:
            values[name] = int(value) if isinstance(value, numbers.Integral) else float(value)
    return values, elapsed


def predictions_of(scenario: dict, params: dict) -> dict:
    """``{name: {"value", "kind", "metric"}}``: the scenario's predictions at one point.

    "name" picks the function (the system's own predictions first, then
    :data:`linksim.theory.PREDICTIONS`: :func:`linksim.systems.prediction_function`), "metric"
    the measured rate it is held against (default the first recorded rate, e.g. bler); other
    keys are options.
    """
    return json.loads(_predictions_cached(scenario.get("system"),
                                          json.dumps(scenario.get("predictions", [])),
                                          json.dumps(list(scenario["metrics"])),
                                          json.dumps(params, sort_keys=True)))


@functools.lru_cache(maxsize=4096)
def _predictions_cached(system: str | None, specs_json: str, metrics_json: str,
                        params_json: str) -> str:
    # Bounds can take a second a point (a root search over the metaconverse): compute once.
    from linksim.sim.metrics import METRICS
    from linksim.systems import prediction_function
    params = json.loads(params_json)
    rates = [m for m in json.loads(metrics_json) if METRICS[m].kind == "rate"]
    out = {}
    for spec in json.loads(specs_json):
        options = {k: v for k, v in spec.items() if k not in ("name", "metric")}
        value = prediction_function(system, spec["name"])(params, **options)
        entry = dict(value) if isinstance(value, dict) else {"value": float(value),
                                                              "kind": "estimate"}
        entry["metric"] = spec.get("metric", rates[0] if rates else None)
        out[spec["name"]] = entry
    return json.dumps(out)


def _verdicts(predictions: dict, counts: dict, confidence: float) -> dict:
    """A :func:`linksim.validate.check` verdict for each prediction against its metric."""
    from linksim.sim.metrics import METRICS
    from linksim.validate import check, check_clustered
    out = {}
    for name, pred in predictions.items():
        metric = METRICS.get(pred.get("metric"))
        if metric is None or metric.kind != "rate" or not counts.get(metric.denominator):
            continue
        if metric.cluster_sq is None:
            v = check(counts[metric.numerator], counts[metric.denominator], pred["value"],
                      kind=pred["kind"], confidence=confidence)
        elif metric.cluster_sq in counts:
            v = check_clustered(counts[metric.numerator], counts[metric.denominator],
                                counts[metric.cluster_sq], counts["frames"], pred["value"],
                                kind=pred["kind"], confidence=confidence)
        else:       # a store without per-frame moments: no valid verdict on a clustered rate
            continue
        out[name] = {"metric": metric.name, "prediction": name, **v.to_dict()}
    return out


def point_row(record: dict, point: int, tally: PointTally, elapsed_s: float) -> dict:
    """The report row of one point (format of :func:`linksim.report.write_outputs`)."""
    scenario = record["scenario"]
    confidence = scenario["confidence"]
    result = tally.result(confidence=confidence, elapsed_s=elapsed_s, seed=scenario["seed"],
                          point_index=point).to_dict()
    params = record["points"][point]
    predictions = predictions_of(scenario, params)
    derived = {}
    derive = _derive_hook(scenario.get("system"))
    if derive is not None and result["counts"].get("frames"):
        # Predictions that need the point's own counts (e.g. a formula fed with the measured
        # component rates) are judged like the others; extra values go to their own columns.
        extra = derive(params, result["counts"])
        predictions = {**predictions, **extra.get("predictions", {})}
        derived = dict(extra.get("values", {}))
    row = {"point": point, "axes": record["axes"][point], "params": params, **result,
           "metrics": compute_metrics(result["counts"], scenario["metrics"], confidence),
           "predictions": predictions,
           "verdicts": _verdicts(predictions, result["counts"], confidence)}
    if derived:
        row["derived"] = derived
    return row


def _derive_hook(system: str | None):
    """The system's ``derive`` hook (:class:`linksim.systems.SystemSpec`), or None."""
    from linksim.systems import SYSTEMS
    if system is None or system not in SYSTEMS:
        return None
    return SYSTEMS[system].derive


def analysis_row(record: dict, point: int, values: Mapping, elapsed_s: float) -> dict:
    """The report row of one evaluated point of an analysis scenario.

    ``{"point", "axes", "params", "metrics": {name: {"value", "ci": None}} (the recorded
    quantities), "values": {every quantity}, "elapsed_s", "predictions": {}, "verdicts": {}}``.
    """
    scenario = record["scenario"]
    return {"point": point, "axes": record["axes"][point], "params": record["points"][point],
            "metrics": {name: {"value": values.get(name), "ci": None}
                        for name in scenario["metrics"]},
            "values": dict(values), "elapsed_s": elapsed_s, "predictions": {}, "verdicts": {}}


def _window(executor) -> int:
    """Tasks kept in flight: one inline, else twice the workers (so none idles)."""
    return 1 if executor.n_workers == 1 else 2 * executor.n_workers


def _record(scenario) -> dict:
    """What the store keeps of a scenario: enough to aggregate and report without the file."""
    return {"scenario": scenario.to_dict(), "points": scenario.points(),
            "axes": scenario.point_axes()}


def _register(store, scenario, record: dict) -> None:
    """Record the scenario in the store. The JSON keeps the key order of ``record`` (axes in
    file order, parameters in the system's order), so that ``linksim report`` lays out its
    outputs as the run did."""
    store.register_scenario(scenario.hash, scenario.name, json.dumps(record))


def _replay(stored: dict, point: int, tally: PointTally) -> None:
    """Feed stored batches of ``point`` to ``tally`` in index order."""
    while not tally.done and (point, tally.n_batches) in stored:
        tally.add(tally.n_batches, stored[point, tally.n_batches][0])


def run_scenario(scenario, out_dir, executor, *, progress: bool = True,
                 on_point: Callable[[dict], None] | None = None) -> list[dict]:
    """Simulate every point of ``scenario`` on ``executor``, storing into ``out_dir``.

    Parameters
    ----------
    scenario : linksim.scenario.Scenario
    out_dir : path     the results directory; ``store.sqlite`` lives there.
    executor : linksim.sim.executors.Executor
    progress : bool    a tqdm bar per point (frames, errors, time left).
    on_point : callable(row), called as each point finishes.

    Returns
    -------
    list of report rows (one dict per point, :func:`point_row`; :func:`analysis_row` for an
    analysis scenario), in point order.

    An analysis scenario is dispatched to its own loop: one :func:`execute_analysis` task per
    point not yet stored, each committed at once; ``progress`` prints one line per point (its
    values) on stderr instead of progress bars, and ``on_point`` sees the rows in point order.
    """
    from tqdm import tqdm

    from linksim.sim.store import Store

    out_dir = Path(out_dir)
    if scenario.kind == "analysis":
        return _run_analysis(scenario, out_dir, executor, progress, on_point)
    record = _record(scenario)
    for point, params in enumerate(record["points"]):   # before any work, not after hours
        try:
            predictions_of(record["scenario"], params)
        except (ArithmeticError, ValueError, RuntimeError, MemoryError) as exc:
            raise PredictionError(
                f"output.predictions: cannot be evaluated at point {point} "
                f"({', '.join(f'{k}={v}' for k, v in record['axes'][point].items())}): "
                f"{' '.join(str(exc).splitlines())}; nothing was simulated: change the "
                f"prediction or the sweep") from None
    stop = scenario.stop
    stop_dict = stop.to_dict()
    window = _window(executor)
    rows = []
    prepared = False
    with Store(out_dir / "store.sqlite") as store:
        _register(store, scenario, record)
        stored = _stored_batches(store, scenario.hash)
        for point, params in enumerate(record["points"]):
            tally = PointTally(stop)
            _replay(stored, point, tally)
            if not prepared and not tally.done:
                _prepare_here(scenario, params, progress)
                prepared = True
            label = ", ".join(f"{k}={v}" for k, v in record["axes"][point].items())
            # tqdm puts ", " before the postfix: it follows the time, as a separator.
            bar = tqdm(total=1000, desc=f"[{point + 1}/{len(record['points'])}] {label}",
                       disable=True if not progress else None, leave=True, unit="‰",
                       bar_format="{desc} |{bar}| [{elapsed}<{remaining}]{postfix}")
            try:
                tally = _run_point(executor, store, scenario, stop, stop_dict, window, point,
                                   params, tally, stored, bar)
            finally:
                bar.close()         # drawn for the last time before anything else is printed
            row = point_row(record, point, tally, _elapsed_of(stored, point, tally))
            rows.append(row)
            if on_point is not None:
                on_point(row)
    return rows


def _elapsed_of(stored: dict, point: int, tally: PointTally) -> float:
    """Simulation seconds of the batches a point summed (as stored with them)."""
    return sum(stored[point, b][1] for b in range(tally.n_batches))


def _run_point(executor, store, scenario, stop: StopRule, stop_dict: dict, window: int,
               point: int, params: dict, tally: PointTally, stored: dict, bar) -> PointTally:
    """Run one point to its stopping rule: submit its missing batches (a window in flight),
    commit each as it finishes, feed them to ``tally`` in index order; returns ``tally``."""
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
                    future = executor.submit(execute_batch, scenario.system, params,
                                             scenario.seed, point, next_batch, stop_dict)
                    pending[future] = next_batch
                next_batch += 1
            if pending and tally.n_batches not in finished:
                future = next(iter(executor.as_completed(list(pending))))
                batch = pending.pop(future)
                counts, batch_elapsed = future.result()
                store.add_batch(scenario.hash, point, batch, counts, batch_elapsed)
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
    return tally


def _run_analysis(scenario, out_dir: Path, executor, progress: bool,
                  on_point: Callable[[dict], None] | None) -> list[dict]:
    """:func:`run_scenario` for an analysis scenario (see there)."""
    from linksim.sim.store import Store

    record = _record(scenario)
    points = record["points"]
    window = _window(executor)
    rows: list[dict] = []
    with Store(out_dir / "store.sqlite") as store:
        _register(store, scenario, record)
        stored = store.evaluations(scenario.hash)
        reused = set(stored)
        todo = iter([p for p in range(len(points)) if p not in stored])
        pending: dict = {}              # future -> point
        while True:
            while len(rows) < len(points) and len(rows) in stored:   # emit in point order
                point = len(rows)
                row = analysis_row(record, point, stored[point]["values"],
                                   stored[point]["elapsed_s"])
                rows.append(row)
                if progress:
                    _print_point(row, len(points), point in reused)
                if on_point is not None:
                    on_point(row)
            while len(pending) < window:
                point = next(todo, None)
                if point is None:
                    break
                pending[executor.submit(execute_analysis, scenario.system, points[point])] = point
            if not pending:
                break
            future = next(iter(executor.as_completed(list(pending))))
            point = pending.pop(future)
            values, elapsed = future.result()
            store.add_evaluation(scenario.hash, point, values, elapsed)
            stored[point] = {"values": values, "elapsed_s": elapsed}
    return rows


def _print_point(row: dict, n_points: int, reused: bool) -> None:
    """One line per evaluated point on stderr: its axes and recorded values."""
    axes = ", ".join(f"{k}={v}" for k, v in row["axes"].items())
    values = ", ".join(f"{name} = {'-' if m['value'] is None else format(m['value'], '.4g')}"
                       for name, m in row["metrics"].items())
    when = "stored" if reused else f"{row['elapsed_s']:.2f} s"
    print(f"[{row['point'] + 1}/{n_points}] {axes}: {values} ({when})", file=sys.stderr,
          flush=True)


def _show(bar, tally: PointTally, stop: StopRule) -> None:
    counts = tally.counts
    frac = max(counts.get(stop.error_count, 0) / stop.max_frame_errors,
               counts["frames"] / stop.max_frames)
    bar.n = min(1000, int(1000 * frac)) if not tally.done else 1000
    bler = counts["frame_errors"] / counts["frames"] if counts["frames"] else float("nan")
    target = "" if stop.error_count == "frame_errors" else \
        f", {stop.error_count} {counts.get(stop.error_count, 0)}"
    bar.set_postfix_str(f"frames {counts['frames']}, errors {counts['frame_errors']}, "
                        f"BLER {bler:.2e}{target}", refresh=False)
    bar.refresh()


def _stored_batches(store, scenario_hash: str) -> dict:
    """``{(point, batch): (counts, elapsed_s)}`` of one scenario."""
    return {key: (value["counts"], value["elapsed_s"])
            for key, value in store.batch_records(scenario_hash).items()}


def stored_scenarios(out_dir) -> list[dict]:
    """The scenarios recorded in ``out_dir/store.sqlite``, least recently run first:
    ``[{"hash", "name", "created", "last_run"}]``."""
    from linksim.sim.store import Store
    path = Path(out_dir) / "store.sqlite"
    if not path.is_file():
        guess = Path("scenarios") / f"{Path(out_dir).name}.toml"
        scenario = str(guess) if guess.is_file() else "SCENARIO.toml"
        raise ValueError(f"results_dir: {str(out_dir)!r} has no store.sqlite (stores are not "
                         f"committed with results); allowed: a directory written by `linksim "
                         f"run`: `linksim run {scenario} --out {out_dir}` recreates it")
    with Store(path) as store:
        return [{k: s[k] for k in ("hash", "name", "created", "last_run")}
                for s in store.scenarios()]


def rebuild_rows(out_dir, scenario_hash: str | None = None) -> tuple[dict, list[dict]]:
    """Aggregate a stored scenario again from its batches alone (``linksim report``).

    ``scenario_hash`` None picks the most recently run scenario of the store, as that run
    asked for it (its confidence, metrics and output: see :meth:`Store.register_scenario`). Returns
    ``(scenario_dict, rows)``; rows are what :func:`run_scenario` returned for a finished run,
    and partial (the batches stored so far) for an interrupted one. For an analysis scenario
    the rows are those of its stored points (an interrupted run lacks the points not yet
    evaluated).
    """
    from linksim.sim.store import Store, StoreError
    scenarios = stored_scenarios(out_dir)
    if not scenarios:
        raise ValueError(f"results_dir: {str(out_dir)!r} has an empty store")
    if scenario_hash is None:
        scenario_hash = scenarios[-1]["hash"]
    with Store(Path(out_dir) / "store.sqlite") as store:
        entry = store.scenario(scenario_hash)
        if entry is None:
            raise ValueError(f"hash: got {scenario_hash!r}; allowed: one of "
                             f"{', '.join(s['hash'][:12] for s in scenarios)}")
        record = json.loads(entry["json"])
        try:
            if record["scenario"].get("kind") == "analysis":
                stored = store.evaluations(scenario_hash)
                return record["scenario"], [
                    analysis_row(record, point, stored[point]["values"],
                                 stored[point]["elapsed_s"])
                    for point in range(len(record["points"])) if point in stored]
            stored = _stored_batches(store, scenario_hash)
            stop = StopRule(**record["scenario"]["stop"])
            rows = []
            for point in range(len(record["points"])):
                tally = PointTally(stop)
                _replay(stored, point, tally)
                rows.append(point_row(record, point, tally, _elapsed_of(stored, point, tally)))
        except (KeyError, IndexError, TypeError, AttributeError, ValueError) as exc:
            # Valid JSON of the wrong shape: a store edited by hand or by another program.
            raise StoreError(
                f"{str(store.path)!r}: the stored description of scenario {scenario_hash[:12]} "
                f"cannot be read ({type(exc).__name__}: {exc}); nothing was changed: run the "
                f"scenario file again with `linksim run`, which rewrites the description",
                store.path) from None
    return record["scenario"], rows
