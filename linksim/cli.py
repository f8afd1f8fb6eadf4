"""The ``linksim`` command.

Subcommands
-----------
``linksim bler``
    BER/BLER curve of the coded link (:class:`linksim.systems.coded_link.CodedLink`) over a
    sweep of Eb/N0 points, printed as a live table (or JSON lines) and optionally saved as CSV.
    Example::

        linksim bler --code ldpc5g --k 512 --n 1024 --mod qpsk --channel awgn \\
            --ebno-db 0:0.5:3 --seed 1

Bad arguments exit with status 2 and a one-line message naming the option. Later issues add
``run`` (scenario files), ``list`` and ``report``; each subcommand is one ``_add_<name>`` /
``_cmd_<name>`` pair registered in :data:`_COMMANDS`.
"""

from __future__ import annotations

import argparse
import csv
import errno
import json
import math
import os
import re
import sys
from pathlib import Path

__all__ = ["main", "build_parser", "parse_ebno_list"]

#: Upper bound on the number of points a sweep specification may expand to.
MAX_POINTS = 10_000


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line (``prog: error: message``), exit status 2,
    and which accepts negative numbers and ranges (``-2:1:2``) as option values."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)
        # argparse treats "-2:1:2" as an unknown option; widen its negative-number test.
        self._negative_number_matcher = re.compile(
            r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?([:,].*)?$")

    def error(self, message):  # noqa: D401 - argparse API
        message = " ".join(str(message).split())
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


# ----------------------------------------------------------------------------- argument types

def parse_ebno_list(text: str) -> list[float]:
    """Parse an Eb/N0 sweep: ``start:step:stop`` (stop included within 1e-9 step) or a comma list.

    ``"0:0.5:2"`` -> ``[0.0, 0.5, 1.0, 1.5, 2.0]``; ``"1,2.5,4"`` -> ``[1.0, 2.5, 4.0]``;
    ``"3"`` -> ``[3.0]``. Raises ``ValueError`` on malformed input, a zero step, a step pointing
    away from ``stop``, non-finite values, values outside +-300 dB
    (:data:`linksim.scenario.DB_LIMIT`), or more than :data:`MAX_POINTS` points.
    """
    if not isinstance(text, str):
        raise TypeError(f"ebno_db: got {text!r}; allowed: 'start:step:stop' or a comma list")
    s = text.strip()
    if not s:
        raise ValueError("got an empty string; allowed: 'start:step:stop' or a comma list")

    def num(part: str) -> float:
        try:
            v = float(part)
        except ValueError:
            raise ValueError(f"got {text!r}: {part.strip()!r} is not a number; allowed: "
                             f"'start:step:stop' (e.g. 0:0.5:3) or a comma list "
                             f"(e.g. 1,2,3)") from None
        if not math.isfinite(v):
            raise ValueError(f"got {text!r}: {part.strip()!r} is not finite")
        return v

    if ":" in s:
        parts = s.split(":")
        if len(parts) != 3:
            raise ValueError(f"got {text!r}; allowed: 'start:step:stop' with three numbers, "
                             f"e.g. 0:0.5:3")
        start, step, stop = (num(p) for p in parts)
        if step == 0:
            raise ValueError(f"got {text!r}: step is 0; allowed: a non-zero step")
        span = (stop - start) / step
        if span < -1e-9:
            raise ValueError(f"got {text!r}: step {step:g} moves away from stop {stop:g}")
        count = int(math.floor(span + 1e-9)) + 1
        if count > MAX_POINTS:
            raise ValueError(f"got {text!r}: {count} points; allowed: at most {MAX_POINTS}")
        return _in_db_range(text, [round(start + i * step, 10) + 0.0 for i in range(count)])
    values = [num(p) for p in s.split(",")]
    if len(values) > MAX_POINTS:
        raise ValueError(f"got {len(values)} points; allowed: at most {MAX_POINTS}")
    return _in_db_range(text, values)


def _in_db_range(text: str, values: list[float]) -> list[float]:
    """``values``, unless one is outside +-DB_LIMIT (the noise variance would be 0 or inf)."""
    from linksim.scenario import db_problem
    for v in values:
        problem = db_problem(v, "Eb/N0 values")
        if problem:
            raise ValueError(f"got {text!r}, which holds {v:g} dB; allowed: "
                             f"{problem.split('; allowed: ', 1)[1]}")
    return values


def _ebno_type(text: str) -> list[float]:
    try:
        return parse_ebno_list(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _count_type(text: str) -> int:
    """A positive integer; integral float notation such as ``1e6`` is accepted."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}; allowed: a positive integer "
                                         f"(e.g. 1000 or 1e6)") from None
    if not math.isfinite(v) or v != math.floor(v):
        raise argparse.ArgumentTypeError(f"got {text!r}; allowed: a positive integer "
                                         f"(e.g. 1000 or 1e6)")
    return int(v)


def _positive_count_type(text: str) -> int:
    """A positive integer up to 2**63 - 1 (counts are stored as signed 64-bit integers)."""
    from linksim.scenario import MAX_COUNT
    v = _count_type(text)
    if not 1 <= v <= MAX_COUNT:
        raise argparse.ArgumentTypeError(f"got {text!r}; allowed: a positive integer, at most "
                                         f"{MAX_COUNT} (2**63 - 1)")
    return v


def _seed_type(text: str) -> int:
    """A root seed: an integer in [0, 2**63 - 1] (seeds are stored as signed 64-bit integers)."""
    from linksim.random import MAX_SEED
    try:
        v = int(text)
    except ValueError:
        v = None
    if v is None or not 0 <= v <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"got {text!r}; allowed: an integer in [0, {MAX_SEED}] "
                                         f"(2**63 - 1)")
    return v


#: Most worker processes per CPU for ``--workers``: more than one per core only adds memory
#: and start-up time (batches are CPU-bound); the bound stops a typo (--workers 100000) from
#: spawning a process per unit.
WORKERS_PER_CPU = 4


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _workers_type(text: str) -> int:
    """A number of worker processes: 1 .. WORKERS_PER_CPU x the CPUs this process may use."""
    most = WORKERS_PER_CPU * _cpu_count()
    try:
        v = int(text)
    except ValueError:
        v = None
    if v is None or not 1 <= v <= most:
        raise argparse.ArgumentTypeError(
            f"got {text!r}; allowed: an integer in [1, {most}] ({WORKERS_PER_CPU} x the "
            f"{_cpu_count()} CPUs available; omit it for one worker per CPU)")
    return v


def _iters_type(text: str) -> int:
    """BP iterations: 1 .. :data:`linksim.scenario.MAX_NUM_ITER`."""
    from linksim.scenario import MAX_NUM_ITER
    v = _count_type(text)
    if not 1 <= v <= MAX_NUM_ITER:
        raise argparse.ArgumentTypeError(f"got {text!r}; allowed: an integer in [1, "
                                         f"{MAX_NUM_ITER}] (decoders converge within tens)")
    return v


def _nonneg_float_type(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}; allowed: a number >= 0") from None
    if not math.isfinite(v) or v < 0:
        raise argparse.ArgumentTypeError(f"got {text!r}; allowed: a finite number >= 0")
    return v


def _positive_float_type(text: str) -> float:
    v = _nonneg_float_type(text)
    if v <= 0:
        raise argparse.ArgumentTypeError(f"got {text!r}; allowed: a number > 0")
    return v


def _confidence_type(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}; allowed: a number in (0, 1)") from None
    if not 0.0 < v < 1.0:
        raise argparse.ArgumentTypeError(f"got {text!r}; allowed: a number in (0, 1), e.g. 0.95")
    return v


# ----------------------------------------------------------------------------- bler

#: CodedLink / StopRule parameter name -> the ``bler`` option that sets it.
_BLER_OPTION_OF = {
    "code": "--code", "k": "--k", "n": "--n", "modulation": "--mod", "channel": "--channel",
    "ebno_db": "--ebno-db", "fading": "--fading", "n_blocks": "--n-blocks",
    "k_factor": "--k-factor", "csi_error_var": "--csi-error-var", "decoder": "--decoder",
    "num_iter": "--iters", "early_stop": "--no-early-stop", "demapper": "--demapper",
    "crc": "--crc", "max_frame_errors": "--max-frame-errors", "max_frames": "--max-frames",
    "batch_size": "--batch-size", "first_batch_size": "--first-batch-size", "max_seconds": "--max-seconds", "confidence": "--confidence",
    "seed": "--seed",
}


def _add_bler(subparsers) -> None:
    from linksim.sim.montecarlo import DEFAULT_BATCH_SIZE, DEFAULT_FIRST_BATCH_SIZE
    from linksim.systems.coded_link.link import CHANNELS, CODES, DECODERS, DEMAPPERS, FADINGS
    try:
        from linksim.mapping import MODULATIONS
    except ImportError:  # pragma: no cover - only while mapping.py is missing
        MODULATIONS = ("bpsk", "qpsk", "16qam", "64qam", "256qam")

    p = subparsers.add_parser(
        "bler", help="BER/BLER versus Eb/N0 of the coded link",
        description="Simulate the coded link (CRC + 5G LDPC or uncoded, QAM, AWGN or flat "
                    "fading) over a sweep of Eb/N0 points and print BER/BLER with their intervals "
                    "(BLER: exact Clopper-Pearson; BER: Korn-Graubard with frames as clusters, "
                    "since the bits of a frame are not independent). Results depend only on --seed (and the "
                    "configuration), never on timing, unless --max-seconds stops a point. It "
                    "runs as an in-memory scenario: batches go to --out's store (a rerun "
                    "resumes or reuses them) and --out gets results.csv, figures and "
                    "report.html.",
        epilog="Example: linksim bler --code ldpc5g --k 512 --n 1024 --mod qpsk "
               "--channel awgn --ebno-db 0:0.5:3 --seed 1 (under a minute on 2 cores; "
               "raise --max-frames for lower BLERs).  Negative ranges work as "
               "--ebno-db -2:1:2 or --ebno-db=-2:1:2.")
    g = p.add_argument_group("link")
    g.add_argument("--code", choices=CODES, default="ldpc5g", help="channel code (default %(default)s)")
    g.add_argument("--k", type=_positive_count_type, required=True,
                   help="information bits per frame at the code input, CRC included")
    g.add_argument("--n", type=_positive_count_type, default=None,
                   help="code bits per frame (required for ldpc5g; default k for --code none)")
    g.add_argument("--mod", dest="modulation", choices=MODULATIONS, default="qpsk",
                   help="modulation (default %(default)s)")
    g.add_argument("--channel", choices=CHANNELS, default="awgn", help="channel (default %(default)s)")
    g.add_argument("--fading", choices=FADINGS, default="quasi_static",
                   help="fading time variation (default %(default)s)")
    g.add_argument("--n-blocks", type=_positive_count_type, default=1,
                   help="fading blocks per frame with --fading block (default %(default)s)")
    g.add_argument("--k-factor", type=_nonneg_float_type, default=0.0,
                   help="Rician K-factor, linear (default %(default)s)")
    g.add_argument("--csi-error-var", type=_nonneg_float_type, default=0.0,
                   help="channel-estimation error variance (default %(default)s: perfect CSI)")
    g.add_argument("--decoder", choices=DECODERS, default="nms",
                   help="LDPC BP algorithm (default %(default)s)")
    g.add_argument("--iters", type=_iters_type, default=20,
                   help="maximum BP iterations (default %(default)s)")
    g.add_argument("--no-early-stop", action="store_true",
                   help="always run all BP iterations")
    g.add_argument("--demapper", choices=DEMAPPERS, default="app",
                   help="LLR demapper (default %(default)s)")
    g.add_argument("--crc", default=None,
                   help="CRC inside the k information bits, e.g. CRC24A, CRC16 (default none)")

    g = p.add_argument_group("simulation")
    g.add_argument("--ebno-db", type=_ebno_type, required=True,
                   help="Eb/N0 points in dB: start:step:stop (stop included) or a comma list")
    g.add_argument("--max-frame-errors", type=_positive_count_type, default=100,
                   help="stop a point after this many frame errors (default %(default)s)")
    g.add_argument("--max-frames", type=_positive_count_type, default=100_000,
                   help="stop a point after this many frames (default %(default)s, a quick "
                        "curve to BLER ~1e-4; 1e6 ok)")
    g.add_argument("--batch-size", type=_positive_count_type, default=DEFAULT_BATCH_SIZE,
                   help="frames per seeded batch (default %(default)s)")
    g.add_argument("--first-batch-size", type=_positive_count_type,
                   default=DEFAULT_FIRST_BATCH_SIZE,
                   help="size of the first batch; sizes double up to --batch-size "
                        "(default %(default)s)")
    g.add_argument("--max-seconds", type=_positive_float_type, default=None,
                   help="wall-clock cap per point (makes results timing-dependent)")
    g.add_argument("--seed", type=_seed_type, default=0,
                   help="root seed, 0 .. 2**63 - 1 (default %(default)s)")
    g.add_argument("--confidence", type=_confidence_type, default=0.95,
                   help="confidence level of the intervals (default %(default)s)")

    g = p.add_argument_group("output")
    g.add_argument("--json", action="store_true", help="print one JSON object per point")
    g.add_argument("--csv", metavar="FILE", default=None, help="also write one CSV row per point")
    g.add_argument("--out", default="results/bler",
                   help="results directory: store, results.csv, figures, report.html; a rerun "
                        "resumes or reuses (default %(default)s)")
    p.set_defaults(func=_cmd_bler, parser=p)


def _fmt_elapsed(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.2f}s"
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else f"{m}m{s:02d}s"


def _fmt_rate(x) -> str:
    return "nan" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3e}"


_COLUMNS = [  # (header line 1, header line 2, width)
    ("Eb/N0", "(dB)", 8), ("frames", "", 10), ("bit errors", "", 11),
    ("frame errors", "", 12), ("BER", "", 9), ("BLER", "", 9),
    ("BLER CI", "", 21), ("info Mb/s", "", 9), ("elapsed", "", 9),
]


def _table_header(confidence: float) -> list[str]:
    sep = "# " + "-+-".join("-" * w for _, _, w in _COLUMNS)
    names = []
    for name, _, w in _COLUMNS:
        if name == "BLER CI":
            name = f"BLER CI {confidence:.0%}" if confidence * 100 == round(confidence * 100) \
                else f"BLER CI {confidence:g}"
        names.append(name.rjust(w))
    line1 = "# " + " | ".join(names)
    line2 = "# " + " | ".join(unit.rjust(w) for _, unit, w in _COLUMNS)
    return [sep, line1, line2, sep]


def _table_row(ebno_db: float, result, info_mbps) -> str:
    lo, hi = result.bler_ci
    cells = [
        f"{ebno_db:.2f}", f"{result.frames}", f"{result.bit_errors}", f"{result.frame_errors}",
        _fmt_rate(result.ber), _fmt_rate(result.bler), f"[{lo:.2e}, {hi:.2e}]",
        "-" if info_mbps is None else f"{info_mbps:.3f}", _fmt_elapsed(result.elapsed_s),
    ]
    return "  " + " | ".join(c.rjust(w) for c, (_, _, w) in zip(cells, _COLUMNS))


def _info_mbps(result):
    return result.bits / result.elapsed_s / 1e6 if result.elapsed_s > 0 else None


def _point_record(ebno_db: float, result, config: dict, stop, index: int) -> dict:
    """The JSON / CSV record of one point: results first, then the configuration."""
    d = result.to_dict()
    rec = {
        "ebno_db": ebno_db, "point_index": index,
        "frames": d["frames"], "frame_errors": d["frame_errors"],
        "bits": d["bits"], "bit_errors": d["bit_errors"],
        "bler": d["bler"], "ber": d["ber"], "bler_ci": d["bler_ci"], "ber_ci": d["ber_ci"],
        "info_mbps": _info_mbps(result), "elapsed_s": d["elapsed_s"],
        "n_batches": d["n_batches"], "stopped_by": d["stopped_by"],
        "counts": d["counts"],
    }
    if "iterations" in result.counts and result.frames:
        rec["avg_iterations"] = result.counts["iterations"] / result.frames
    cfg = {key: value for key, value in config.items() if key != "ebno_db"}
    rec.update(cfg)
    rec.update(stop.to_dict())
    rec["confidence"] = result.confidence
    rec["seed"] = result.seed
    return rec


_CSV_RESULT_FIELDS = ["ebno_db", "point_index", "frames", "frame_errors", "bits", "bit_errors",
                      "bler", "bler_ci_lo", "bler_ci_hi", "ber", "ber_ci_lo", "ber_ci_hi",
                      "info_mbps", "elapsed_s", "n_batches", "stopped_by"]


def _csv_row(rec: dict) -> dict:
    row = {key: value for key, value in rec.items() if key not in ("bler_ci", "ber_ci", "counts")}
    row["bler_ci_lo"], row["bler_ci_hi"] = rec["bler_ci"]
    row["ber_ci_lo"], row["ber_ci_hi"] = rec["ber_ci"]
    for key, value in rec["counts"].items():
        row.setdefault(key, value)
    return row


def _option_error(parser, exc: Exception):
    """Turn a ValueError/TypeError from the library into a one-line option error (exit 2)."""
    msg = " ".join(str(exc).split())
    head = msg.split(":", 1)[0].strip()
    option = _BLER_OPTION_OF.get(head)
    if option is not None:
        parser.error(f"argument {option}: {msg.split(':', 1)[1].strip()}")
    parser.error(msg)


def _cmd_bler(args) -> int:
    parser = args.parser
    from linksim.sim.montecarlo import PointResult, StopRule
    from linksim.systems.coded_link import CodedLink

    config = {
        "code": args.code, "k": args.k, "n": args.n, "modulation": args.modulation,
        "channel": args.channel, "fading": args.fading, "n_blocks": args.n_blocks,
        "k_factor": args.k_factor, "csi_error_var": args.csi_error_var,
        "decoder": args.decoder, "num_iter": args.iters, "early_stop": not args.no_early_stop,
        "demapper": args.demapper, "crc": args.crc,
    }
    # Validate everything (and build every point's link) before anything runs.
    try:
        stop = StopRule(max_frame_errors=args.max_frame_errors, max_frames=args.max_frames,
                        batch_size=args.batch_size, first_batch_size=args.first_batch_size,
                        max_seconds=args.max_seconds)
        links = [CodedLink(ebno_db=e, **config) for e in args.ebno_db]
    except (ValueError, TypeError) as exc:
        _option_error(parser, exc)
    config = {key: value for key, value in links[0].params.items() if key != "ebno_db"}
    # A batch's arrays must fit in memory: --batch-size 1e9 (or --k 1e12) fails here, not in
    # NumPy halfway through the first point.
    from linksim.scenario import batch_memory_problem, max_batch_frames, value_limit
    for link in links:      # the numerical limits of a scenario's parameters apply here too
        for key, value in link.params.items():
            problem = value_limit("coded_link", key, value)
            if problem:
                parser.error(f"argument {_BLER_OPTION_OF.get(key, key)}: {problem}")
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
        _fail(args, exc)

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
        for line in _table_header(args.confidence):
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
        rec = _point_record(ebno_db, result, links[index].params, stop, index)
        if args.json:
            print(json.dumps(rec), file=out)
        else:
            out.write(_table_row(ebno_db, result, rec["info_mbps"]) + "\n")
        out.flush()
        if csv_file is not None:
            row = _csv_row(rec)
            if writer is None:
                fields = _CSV_RESULT_FIELDS + [key for key in row
                                               if key not in _CSV_RESULT_FIELDS]
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
        write_outputs(out_dir, with_gaps(scenario.to_dict(), rows), rows, generated=_now_utc())
    except KeyboardInterrupt:
        out.write("\n# interrupted: finished batches are in the store; run again to resume\n")
        out.flush()
        return 130
    except StoreError as exc:
        _fail(args, exc)
    except OSError as exc:
        _fail(args, _unwritten(exc, out_dir, "the store holds every result",
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


# ----------------------------------------------------------------------------- run / list / report

def _add_run(subparsers) -> None:
    p = subparsers.add_parser(
        "run", help="run a scenario file (resumable; writes the results directory)",
        description="Run every point of a TOML scenario. Finished batches are committed to "
                    "OUT/store.sqlite as they end, so a killed run resumes where it stopped.")
    p.add_argument("scenario", help="the scenario file (TOML)")
    p.add_argument("--out", default=None, help="results directory (default results/<name>)")
    p.add_argument("--seed", type=_seed_type, default=None,
                   help="override the scenario's root seed (a new scenario hash)")
    p.add_argument("--workers", type=_workers_type, default=None,
                   help="worker processes (default: all cores; at most 4 per core)")
    p.add_argument("--executor", choices=("local", "dask"), default="local",
                   help="local processes (default) or a Dask cluster")
    p.add_argument("--scheduler", default=None,
                   help="address of an existing Dask scheduler, e.g. tcp://host:8786 "
                        "(with --executor dask; without it a LocalCluster is started)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.set_defaults(func=_cmd_run, parser=p)


def _scenario_or_exit(path):
    from linksim.scenario import ScenarioError, load_scenario
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        print(f"linksim run: {path}: invalid scenario", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        raise SystemExit(2) from None


def _fail(args, message) -> None:
    """Exit with status 2 after ``linksim <command>: error: <message>``, one line on stderr:
    for what the user can fix (a results directory that cannot be written, a store that is not
    a store, a full disk), with no traceback."""
    args.parser.exit(2, f"{args.parser.prog}: error: {' '.join(str(message).splitlines())}\n")


def _unwritten(exc: OSError, results_dir: Path, state: str, again: str) -> str:
    """The message for an output file that could not be written (a full disk, a directory made
    read-only during the run): the file, why, what is safe, what to do."""
    full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return (f"cannot write {str(exc.filename or results_dir)!r} ({exc.strerror or exc}); "
            f"{state}; no output file is half-written (each is replaced whole or not at all); "
            f"{'free some space' if full else 'make the directory writable'} and run {again}")


def _cmd_run(args) -> int:
    from linksim.evaluate import PredictionError, with_gaps
    from linksim.report import write_outputs
    from linksim.sim.executors import make_executor
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
        _fail(args, exc)
    try:
        executor = make_executor(args.executor, workers=args.workers, scheduler=args.scheduler)
    except (TypeError, ValueError) as exc:
        _option_error(args.parser, exc)
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
    except PredictionError as exc:
        _fail(args, exc)
    except StoreError as exc:       # e.g. the disk filled up: committed batches are kept
        _fail(args, exc)
    summary = with_gaps(scenario.to_dict(), rows)
    try:
        paths = write_outputs(out_dir, summary, rows, generated=_now_utc())
    except OSError as exc:
        _fail(args, _unwritten(
            exc, out_dir, f"the simulation finished and all its results are in {str(store_path)!r}",
            f"`linksim report {out_dir}` (or the same command again: it simulates nothing more)"))
    _print_summary(summary, rows)
    print(f"# wrote {paths['csv']}, {paths['html']} and {len(paths['figures'])} figure files")
    return 0


def _now_utc() -> str:
    """The report's "generated" stamp (the CSV carries none, so it stays reproducible)."""
    import datetime
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _print_summary(scenario: dict, rows: list[dict]) -> None:
    """The table of results on stdout: one line per point (axes, counts, metrics); an analysis
    scenario's lines carry the axes and the recorded quantities."""
    axes = list(scenario["axes"])
    if scenario.get("kind") == "analysis":
        width = max([12] + [len(m) for m in scenario["metrics"]])
        print("# " + " ".join([f"{a:>12}" for a in axes]
                              + [f"{m:>{width}}" for m in scenario["metrics"]]))
        for row in rows:
            cells = [f"{str(row['axes'][a]):>12}" for a in axes]
            for m in scenario["metrics"]:
                value = row["metrics"][m]["value"]
                text = "-" if value is None else f"{value:.6g}"
                cells.append(f"{text:>{width}}")
            print("  " + " ".join(cells))
        return
    head = [f"{a:>12}" for a in axes] + [f"{'frames':>10}", f"{'errors':>8}"]
    head += [f"{m:>34}" for m in scenario["metrics"]]
    print("# " + " ".join(head))
    for row in rows:
        cells = [f"{str(row['axes'][a]):>12}" for a in axes]
        cells += [f"{row['frames']:>10}", f"{row['frame_errors']:>8}"]
        for m in scenario["metrics"]:
            metric = row["metrics"][m]
            if metric["value"] is None:
                text = "-"
            elif metric["ci"] is None:
                text = f"{metric['value']:.3g}"
            else:
                text = f"{metric['value']:.2e} [{metric['ci'][0]:.2e}, {metric['ci'][1]:.2e}]"
            cells.append(f"{text:>34}")
        print("  " + " ".join(cells))
    for name in sorted({n for r in rows for n in r.get("predictions") or {}}):
        print(f"# {name}: " + "; ".join(
            f"{r['predictions'][name]['value']:.2e} ({r['verdicts'].get(name, {}).get('verdict', '-')})"
            for r in rows))
    for g in scenario.get("gaps", []):
        if g["gap_db"] is not None:
            series = ", ".join(f"{k}={v}" for k, v in g["series"].items()) or "all"
            print(f"# gap to {g['prediction']} at {g['metric']} = {g['target']:.0e} ({series}): "
                  f"{g['gap_db']:+.2f} dB")


def _add_list(subparsers) -> None:
    p = subparsers.add_parser("list", help="list the scenarios and the systems",
                              description="List scenario files and simulable systems.")
    p.add_argument("--scenarios", default="scenarios",
                   help="directory of scenario files (default %(default)s)")
    p.set_defaults(func=_cmd_list, parser=p)


def _cmd_list(args) -> int:
    from linksim.scenario import ScenarioError, load_scenario
    from linksim.systems import REQUIRED, SYSTEMS
    folder = Path(args.scenarios)
    print(f"# scenarios in {folder}/")
    files = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    if not files:
        print("  (none)")
    for path in files:
        try:
            sc = load_scenario(path)
            print(f"  {path.name:<32} {sc.system:<16} {sc.kind:<10} {sc.n_points:>4} points  "
                  f"{sc.description.splitlines()[0] if sc.description else ''}")
        except ScenarioError as exc:
            print(f"  {path.name:<32} INVALID: {exc.problems[0]}")
    print("# systems")
    width = max(len(name) for name in SYSTEMS)
    for spec in SYSTEMS.values():
        required = [k for k, v in spec.params.items() if v is REQUIRED]
        print(f"  {spec.name:<{width}} [{spec.kind}] {spec.description}")
        print(f"  {'':<{width}} required: {', '.join(required)}; "
              f"optional: {', '.join(k for k in spec.params if k not in required)}")
        if spec.kind == "analysis":
            print(f"  {'':<{width}} quantities: {', '.join(spec.quantities)}")
    return 0


def _add_report(subparsers) -> None:
    p = subparsers.add_parser(
        "report", help="rebuild CSV, figures and HTML of a results directory from its store",
        description="Rebuild results.csv, figures and report.html from store.sqlite alone.")
    p.add_argument("results_dir", help="a directory written by `linksim run`")
    p.add_argument("--hash", default=None,
                   help="scenario hash (prefix) in the store; default: the latest")
    p.set_defaults(func=_cmd_report, parser=p)


def _cmd_report(args) -> int:
    from linksim.evaluate import with_gaps
    from linksim.report import write_outputs
    from linksim.sim.store import StoreError, check_store, check_writable_dir
    from linksim.study import rebuild_rows, stored_scenarios
    results_dir = Path(args.results_dir)
    try:
        if (results_dir / "store.sqlite").is_file():    # before anything opens it to write
            check_writable_dir(results_dir, "results_dir",
                               todo="copy the results directory somewhere writable and run "
                                    "`linksim report` on the copy")
            check_store(results_dir / "store.sqlite")
        known = stored_scenarios(args.results_dir)
        chosen = None
        if args.hash is not None:
            matches = [s["hash"] for s in known if s["hash"].startswith(args.hash)]
            if len(matches) != 1:
                raise ValueError(f"hash: got {args.hash!r}, matching {len(matches)} stored "
                                 f"scenarios; allowed: a prefix of one of "
                                 f"{', '.join(s['hash'][:12] for s in known)}")
            chosen = matches[0]
        scenario, rows = rebuild_rows(args.results_dir, chosen)
    except StoreError as exc:
        _fail(args, exc)
    except ValueError as exc:
        _option_error(args.parser, exc)
    scenario = with_gaps(scenario, rows)
    try:
        paths = write_outputs(results_dir, scenario, rows, generated=_now_utc())
    except OSError as exc:
        _fail(args, _unwritten(exc, results_dir, "the store was not changed",
                               "the same command again"))
    _print_summary(scenario, rows)
    print(f"# rebuilt {paths['csv']}, {paths['html']} and {len(paths['figures'])} figure files")
    return 0


# ----------------------------------------------------------------------------- entry point

_COMMANDS = (_add_bler, _add_run, _add_list, _add_report)


def build_parser() -> argparse.ArgumentParser:
    """The ``linksim`` argument parser with all subcommands."""
    parser = _Parser(prog="linksim",
                     description="linksim: bit-true link-level PHY simulator.")
    from linksim import __version__
    parser.add_argument("--version", action="version", version=f"linksim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for add in _COMMANDS:
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``linksim`` command with ``argv`` (default ``sys.argv[1:]``); returns the exit
    status. Argument errors raise ``SystemExit(2)`` after a one-line message on stderr."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.error("a command is required: bler, run, list or report")
    try:
        return args.func(args)
    except BrokenPipeError:
        # Output piped into e.g. `head`, which exited: stop quietly, as Unix tools do.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 141


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
