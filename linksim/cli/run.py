"""``linksim run``: run every point of a TOML scenario file into a results directory.

Finished batches are committed to ``OUT/store.sqlite`` as they end (a killed run resumes where
it stopped); then ``results.csv``, the figures and ``report.html`` are written and the table
of results is printed (:func:`linksim.cli.summary.print_summary`).
"""

from __future__ import annotations

import sys
from pathlib import Path

from linksim.cli.errors import fail, option_error, unwritten
from linksim.cli.summary import now_utc, print_summary

__all__ = ["cmd_run"]


def _scenario_or_exit(path):
    """The scenario of the file ``path``; an invalid one exits with status 2 after
    ``linksim run: PATH: invalid scenario`` and one indented line per problem on stderr."""
    from linksim.scenario import ScenarioError, load_scenario
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        print(f"linksim run: {path}: invalid scenario", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        raise SystemExit(2) from None


def cmd_run(args) -> int:
    """The body of ``linksim run``: its exit status (0 done, 130 interrupted)."""
    from linksim.evaluate import PredictionError, with_gaps
    from linksim.report import write_outputs
    from linksim.sim.executors import make_executor
    from linksim.sim.runner import PointError
    from linksim.sim.store import StoreError, check_store, check_writable_dir
    from linksim.study import run_scenario
    scenario = _scenario_or_exit(args.scenario)
    if args.seed is not None:
        scenario = scenario.with_seed(args.seed)
    if args.scheduler is not None and args.executor != "dask":
        args.parser.error("argument --scheduler: only with --executor dask")
    out_dir = Path(args.out) if args.out else Path("results") / scenario.name
    store_path = out_dir / "store.sqlite"
    try:    # before any work starts: where the results go must take them
        check_writable_dir(out_dir, "argument --out")
        check_store(store_path)
    except StoreError as exc:
        fail(args, exc)
    try:
        executor = make_executor(args.executor, workers=args.workers, scheduler=args.scheduler)
    except (TypeError, ValueError) as exc:
        option_error(args.parser, exc)
    what = "analysis" if scenario.kind == "analysis" else f"seed {scenario.seed}"
    print(f"# {scenario.name}: system {scenario.system}, {len(scenario.points())} points, "
          f"{what}, hash {scenario.hash[:12]}, {executor.kind} executor with "
          f"{executor.n_workers} worker(s) -> {out_dir}", flush=True)
    try:
        with executor:
            rows = run_scenario(scenario, out_dir, executor, progress=not args.no_progress)
    except KeyboardInterrupt:
        done = "points" if scenario.kind == "analysis" else "batches"
        print(f"\n# interrupted: finished {done} are in the store; run again to resume",
              file=sys.stderr)
        return 130
    except (PredictionError, PointError) as exc:
        fail(args, exc)
    except StoreError as exc:       # e.g. the disk filled up: committed batches are kept
        fail(args, exc)
    summary = with_gaps(scenario.to_dict(), rows)
    try:
        paths = write_outputs(out_dir, summary, rows, generated=now_utc())
    except OSError as exc:
        fail(args, unwritten(
            exc, out_dir, f"the simulation finished and all its results are in {str(store_path)!r}",
            f"`linksim report {out_dir}` (or the same command again: it simulates nothing more)"))
    print_summary(summary, rows)
    print(f"# wrote {paths['csv']}, {paths['html']} and {len(paths['figures'])} figure files")
    return 0
