"""``linksim bler``: the BER/BLER curve of the coded link over an Eb/N0 sweep.

The options are declared in :mod:`linksim.cli.parser`; :func:`cmd_bler` validates them all
(building every point's link), then runs the sweep as an in-memory scenario
(:func:`linksim.study.run_scenario`) whose store, CSV, figures and report go to ``--out``,
printing one table row (or JSON object) per point as it ends (:mod:`linksim.cli.bler_output`).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from linksim.cli.bler_output import CSV_RESULT_FIELDS, csv_row, point_record, table_header, \
    table_row
from linksim.cli.errors import fail, option_error, unwritten
from linksim.cli.summary import now_utc
from linksim.systems.coded_link import PARAMS
from linksim.systems.schema import parameter_namespace

__all__ = ["BLER_OPTION_OF", "cmd_bler"]

#: CodedLink / StopRule parameter name -> the ``bler`` option that sets it (the link's from
#: its parameter schema).
BLER_OPTION_OF = {
    **{name: PARAMS.flag(name) for name in PARAMS.cli_names()}, "ebno_db": "--ebno-db",
    "max_frame_errors": "--max-frame-errors", "max_frames": "--max-frames",
    "batch_size": "--batch-size", "first_batch_size": "--first-batch-size",
    "max_seconds": "--max-seconds", "confidence": "--confidence", "seed": "--seed",
}


def cmd_bler(args) -> int:
    """The body of ``linksim bler``: its exit status (0 done, 130 interrupted)."""
    parser = args.parser
    from linksim.sim.montecarlo import PointResult, StopRule
    from linksim.systems.coded_link.spec import SPEC

    config = parameter_namespace(args, PARAMS)
    # Validate everything (and build every point's link) before anything runs.
    try:
        stop = StopRule(max_frame_errors=args.max_frame_errors, max_frames=args.max_frames,
                        batch_size=args.batch_size, first_batch_size=args.first_batch_size,
                        max_seconds=args.max_seconds)
        # The system's builder picks the engine (backend numba or sionna).
        links = [SPEC.builder(ebno_db=e, **config) for e in args.ebno_db]
    except (ValueError, TypeError) as exc:
        option_error(parser, exc, BLER_OPTION_OF)
    config = {key: value for key, value in links[0].params.items() if key != "ebno_db"}
    # A batch's arrays must fit in memory: --batch-size 1e9 (or --k 1e12) fails here, not in
    # NumPy halfway through the first point.
    from linksim.scenario import batch_memory_problem, max_batch_frames, value_limit
    for link in links:      # the numerical limits of a scenario's parameters apply here too
        for key, value in link.params.items():
            problem = value_limit("coded_link", key, value)
            if problem:
                parser.error(f"argument {BLER_OPTION_OF.get(key, key)}: {problem}")
    bits = max(link.n for link in links)
    problem = batch_memory_problem(min(stop.batch_size, stop.max_frames), bits)
    if problem:
        parser.error(f"argument {'--k/--n' if max_batch_frames(bits) == 0 else '--batch-size'}: "
                     f"{problem}")

    scenario = _bler_scenario(args, config, stop)
    out_dir = Path(args.out)
    from linksim.sim.store import StoreError, check_store, check_writable_dir
    try:
        check_writable_dir(out_dir, "argument --out")
        check_store(out_dir / "store.sqlite")
    except StoreError as exc:
        fail(args, exc)

    csv_file = None
    if args.csv is not None:
        try:
            csv_file = open(args.csv, "w", newline="", encoding="utf-8")
        except OSError as exc:
            parser.error(f"argument --csv: cannot write {args.csv!r}: {exc.strerror or exc}")

    out = sys.stdout
    if not args.json:
        cfg_text = " ".join(f"{key}={value}" for key, value in config.items())
        print(f"# linksim bler: {cfg_text}", file=out)
        print(f"# seed={args.seed} max_frame_errors={stop.max_frame_errors} "
              f"max_frames={stop.max_frames} batch_size={stop.batch_size}"
              + (f" max_seconds={stop.max_seconds:g}" if stop.max_seconds else "")
              + f" info_bits/frame={links[0].payload_bits}", file=out)
        for line in table_header(args.confidence):
            print(line, file=out)
        out.flush()

    writer = None

    def on_point(row: dict) -> None:
        nonlocal writer
        index, ebno_db = row["point"], args.ebno_db[row["point"]]
        result = PointResult.from_counts(
            row["counts"], confidence=args.confidence, elapsed_s=row["elapsed_s"],
            n_batches=row["n_batches"], stopped_by=row["stopped_by"], seed=args.seed,
            point_index=index)
        rec = point_record(ebno_db, result, links[index].params, stop, index)
        if args.json:
            print(json.dumps(rec), file=out)
        else:
            out.write(table_row(ebno_db, result, rec["info_mbps"]) + "\n")
        out.flush()
        if csv_file is not None:
            row = csv_row(rec)
            if writer is None:
                fields = CSV_RESULT_FIELDS + [key for key in row
                                               if key not in CSV_RESULT_FIELDS]
                writer = csv.DictWriter(csv_file, fieldnames=fields, extrasaction="ignore")
                writer.writeheader()
            writer.writerow(row)
            csv_file.flush()

    from linksim.evaluate import with_gaps
    from linksim.report import write_outputs
    from linksim.sim.executors import make_executor
    from linksim.study import run_scenario
    try:
        with make_executor("local", workers=1) as executor:
            rows = run_scenario(scenario, out_dir, executor, on_point=on_point,
                                progress=not args.json and sys.stderr.isatty())
        write_outputs(out_dir, with_gaps(scenario.to_dict(), rows), rows, generated=now_utc())
    except KeyboardInterrupt:
        out.write("\n# interrupted: finished batches are in the store; run again to resume\n")
        out.flush()
        return 130
    except StoreError as exc:
        fail(args, exc)
    except OSError as exc:
        fail(args, unwritten(exc, out_dir, "the store holds every result",
                             f"run `linksim report {out_dir}`"))
    finally:
        if csv_file is not None:
            csv_file.close()
    return 0


def _bler_scenario(args, config: dict, stop):
    """The in-memory scenario of a ``linksim bler`` call: the coded link at ``config`` swept
    over ``--ebno-db`` (one point each, in order), so that it runs, stores, resumes and reports
    like any scenario (:func:`linksim.study.run_scenario`)."""
    from linksim.scenario import ScenarioError, parse_scenario
    metrics = ["bler", "ber"] + (["avg_iterations"] if config.get("code") == "ldpc5g" else [])
    data = {"name": "bler", "description": "linksim bler", "system": "coded_link",
            "seed": args.seed, "confidence": args.confidence,
            "params": {k: v for k, v in config.items() if v is not None},   # None: the default
            "sweep": {"mode": "zip", "axes": {"ebno_db": list(args.ebno_db)}},
            "stop": {k: v for k, v in stop.to_dict().items() if v is not None},
            "output": {"metrics": metrics, "x": "ebno_db"}}
    try:
        return parse_scenario(data)
    except ScenarioError as exc:
        args.parser.error("; ".join(exc.problems))
