"""A study: scenario -> system -> engine -> evaluation -> report rows.

:func:`run_scenario` registers the scenario in its results directory's store, checks its
predictions at every point before any work, hands the system's task to the engine
(:func:`linksim.sim.runner.run_points`, or :func:`~linksim.sim.runner.run_evaluations` for an
analysis) and turns each finished point into a report row (:mod:`linksim.evaluate`). :func:`rebuild_rows` does the
last step again from the store alone (``linksim report``).

The store keeps, with the scenario's hash, what the latest run asked for (its confidence,
metrics and output; see :meth:`linksim.sim.store.Store.register_scenario`) and enough to rebuild
every output without the scenario file.
"""

from __future__ import annotations

import functools
import json
import math
import numbers
import sys
from pathlib import Path
from typing import Callable, Mapping

from linksim.evaluate import analysis_row, check_predictions, point_row
from linksim.sim.montecarlo import PointTally, StopRule
from linksim.sim.runner import (elapsed_of, replay, run_evaluations, run_points,
                                stored_batches)

__all__ = ["run_scenario", "rebuild_rows", "stored_scenarios", "record", "simulate",
           "evaluate_point"]


def simulate(system: str, params: dict, rng, n_frames: int) -> dict:
    """Task of a simulation study: ``n_frames`` frames of ``system`` at ``params``, every draw
    from ``rng`` (the system is built once per process: :func:`linksim.systems.build_system`).
    Bound to its system with ``functools.partial``, it is the engine's picklable
    ``simulate(params, rng, n_frames)``."""
    from linksim.systems import simulate_batch
    return simulate_batch(system, params, rng, n_frames)


def evaluate_point(system: str, params: dict) -> dict:
    """Task of an analysis study: evaluate system ``system`` at ``params``; returns ``values``.

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
    raw = spec.build(params).evaluate()
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
    return values


def record(scenario) -> dict:
    """What the store keeps of a scenario: enough to aggregate and report without the file."""
    return {"scenario": scenario.to_dict(), "points": scenario.points(),
            "axes": scenario.point_axes()}


def _register(store, scenario, rec: dict) -> None:
    """Record the scenario in the store. The JSON keeps the key order of ``rec`` (axes in file
    order, parameters in the system's order), so that ``linksim report`` lays out its outputs
    as the run did."""
    store.register_scenario(scenario.hash, scenario.name, json.dumps(rec))


def run_scenario(scenario, out_dir, executor, *, progress: bool = True,
                 on_point: Callable[[dict], None] | None = None) -> list[dict]:
    """Run every point of ``scenario`` on ``executor``, storing into ``out_dir``.

    Parameters
    ----------
    scenario : linksim.scenario.Scenario
    out_dir : path     the results directory; ``store.sqlite`` lives there.
    executor : linksim.sim.executors.Executor
    progress : bool    a tqdm bar per point (frames, errors, time left); for an analysis
        scenario one line per point (its values) on stderr.
    on_point : callable(row), called as each point finishes, in point order.

    Returns
    -------
    list of report rows (one dict per point, :func:`linksim.evaluate.point_row`;
    :func:`linksim.evaluate.analysis_row` for an analysis scenario), in point order.

    Raises :class:`linksim.evaluate.PredictionError` before anything runs if a prediction
    cannot be evaluated at some point.
    """
    from linksim.sim.store import Store

    out_dir = Path(out_dir)
    rec = record(scenario)
    points = rec["points"]
    rows: list[dict] = []

    def emit(row: dict) -> None:
        rows.append(row)
        if on_point is not None:
            on_point(row)

    if scenario.kind == "analysis":
        def analysed(point: int, values: dict, elapsed: float, reused: bool) -> None:
            row = analysis_row(rec, point, values, elapsed)
            if progress:
                _print_point(row, len(points), reused)
            emit(row)
        with Store(out_dir / "store.sqlite") as store:
            _register(store, scenario, rec)
            run_evaluations(functools.partial(evaluate_point, scenario.system), points,
                            store=store, key=scenario.hash, executor=executor,
                            on_point=analysed)
        return rows
    check_predictions(rec)
    labels = [", ".join(f"{k}={v}" for k, v in axes.items()) for axes in rec["axes"]]
    with Store(out_dir / "store.sqlite") as store:
        _register(store, scenario, rec)
        run_points(functools.partial(simulate, scenario.system), points, seed=scenario.seed,
                   stop=scenario.stop, store=store, key=scenario.hash, executor=executor,
                   labels=labels, name=scenario.system, progress=progress,
                   on_point=lambda point, tally, elapsed: emit(
                       point_row(rec, point, tally, elapsed)))
    return rows


def _print_point(row: dict, n_points: int, reused: bool) -> None:
    """One line per evaluated point on stderr: its axes and recorded values."""
    axes = ", ".join(f"{k}={v}" for k, v in row["axes"].items())
    values = ", ".join(f"{name} = {'-' if m['value'] is None else format(m['value'], '.4g')}"
                       for name, m in row["metrics"].items())
    when = "stored" if reused else f"{row['elapsed_s']:.2f} s"
    print(f"[{row['point'] + 1}/{n_points}] {axes}: {values} ({when})", file=sys.stderr,
          flush=True)


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
            stored = stored_batches(store, scenario_hash)
            stop = StopRule(**record["scenario"]["stop"])
            rows = []
            for point in range(len(record["points"])):
                tally = PointTally(stop)
                replay(stored, point, tally)
                rows.append(point_row(record, point, tally, elapsed_of(stored, point, tally)))
        except (KeyError, IndexError, TypeError, AttributeError, ValueError) as exc:
            # Valid JSON of the wrong shape: a store edited by hand or by another program.
            raise StoreError(
                f"{str(store.path)!r}: the stored description of scenario {scenario_hash[:12]} "
                f"cannot be read ({type(exc).__name__}: {exc}); nothing was changed: run the "
                f"scenario file again with `linksim run`, which rewrites the description",
                store.path) from None
    return record["scenario"], rows
