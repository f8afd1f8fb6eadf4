"""The ``linksim`` argument parser: the subcommands and their options.

Each subcommand is one ``add_<name>(subparsers)`` function here, registered in
:data:`COMMANDS`, which declares the options and sets ``func`` to the command's body
(``linksim.cli.<name>.cmd_<name>``). The option values are parsed by the types of
:mod:`linksim.cli.argtypes`.
"""

from __future__ import annotations

import argparse
import re

from linksim.cli.argtypes import (
    confidence_type,
    ebno_type,
    iters_type,
    nonneg_float_type,
    positive_count_type,
    positive_float_type,
    seed_type,
    workers_type,
)
from linksim.cli.bler import cmd_bler
from linksim.cli.list_cmd import cmd_list
from linksim.cli.report_cmd import cmd_report
from linksim.cli.run import cmd_run

__all__ = ["COMMANDS", "build_parser"]


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


def _bler_type(name: str, param):
    """The parser of a coded-link option (:meth:`linksim.systems.Schema.add_arguments`): counts
    may be written 1e6; BP iterations are bounded like a scenario's."""
    if name == "num_iter":
        return iters_type
    if param.kind == "choice":
        return None
    if param.kind == "int" and param.lo == 1:
        return positive_count_type
    if param.kind == "real" and param.lo == 0.0 and not param.strict_lo:
        return nonneg_float_type
    raise ValueError(f"{name}: no command-line parser for a {param.kind} parameter with "
                     f"lo={param.lo}")     # a new option must say how it is parsed


def add_bler(subparsers) -> None:
    """``linksim bler``: the coded link's options (link: from the coded link's parameter
    schema, :data:`linksim.systems.coded_link.PARAMS`; simulation; output)."""
    from linksim.sim.montecarlo import DEFAULT_BATCH_SIZE, DEFAULT_FIRST_BATCH_SIZE
    from linksim.systems.coded_link import PARAMS

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
    PARAMS.add_arguments(g, _bler_type)

    g = p.add_argument_group("simulation")
    g.add_argument("--ebno-db", type=ebno_type, required=True,
                   help="Eb/N0 points in dB: start:step:stop (stop included) or a comma list")
    g.add_argument("--max-frame-errors", type=positive_count_type, default=100,
                   help="stop a point after this many frame errors (default %(default)s)")
    g.add_argument("--max-frames", type=positive_count_type, default=100_000,
                   help="stop a point after this many frames (default %(default)s, a quick "
                        "curve to BLER ~1e-4; 1e6 ok)")
    g.add_argument("--batch-size", type=positive_count_type, default=DEFAULT_BATCH_SIZE,
                   help="frames per seeded batch (default %(default)s)")
    g.add_argument("--first-batch-size", type=positive_count_type,
                   default=DEFAULT_FIRST_BATCH_SIZE,
                   help="size of the first batch; sizes double up to --batch-size "
                        "(default %(default)s)")
    g.add_argument("--max-seconds", type=positive_float_type, default=None,
                   help="wall-clock cap per point (makes results timing-dependent)")
    g.add_argument("--seed", type=seed_type, default=0,
                   help="root seed, 0 .. 2**63 - 1 (default %(default)s)")
    g.add_argument("--confidence", type=confidence_type, default=0.95,
                   help="confidence level of the intervals (default %(default)s)")

    g = p.add_argument_group("output")
    g.add_argument("--json", action="store_true", help="print one JSON object per point")
    g.add_argument("--csv", metavar="FILE", default=None, help="also write one CSV row per point")
    g.add_argument("--out", default="results/bler",
                   help="results directory: store, results.csv, figures, report.html; a rerun "
                        "resumes or reuses (default %(default)s)")
    p.set_defaults(func=cmd_bler, parser=p)


def add_run(subparsers) -> None:
    """``linksim run``: a scenario file, its results directory and executor."""
    p = subparsers.add_parser(
        "run", help="run a scenario file (resumable; writes the results directory)",
        description="Run every point of a TOML scenario. Finished batches are committed to "
                    "OUT/store.sqlite as they end, so a killed run resumes where it stopped.")
    p.add_argument("scenario", help="the scenario file (TOML)")
    p.add_argument("--out", default=None, help="results directory (default results/<name>)")
    p.add_argument("--seed", type=seed_type, default=None,
                   help="override the scenario's root seed (a new scenario hash)")
    p.add_argument("--workers", type=workers_type, default=None,
                   help="worker processes (default: all cores; at most 4 per core)")
    p.add_argument("--executor", choices=("local", "dask"), default="local",
                   help="local processes (default) or a Dask cluster")
    p.add_argument("--scheduler", default=None,
                   help="address of an existing Dask scheduler, e.g. tcp://host:8786 "
                        "(with --executor dask; without it a LocalCluster is started)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_run, parser=p)


def add_list(subparsers) -> None:
    """``linksim list``: the directory of scenario files."""
    p = subparsers.add_parser("list", help="list the scenarios and the systems",
                              description="List scenario files and simulable systems.")
    p.add_argument("--scenarios", default="scenarios",
                   help="directory of scenario files (default %(default)s)")
    p.set_defaults(func=cmd_list, parser=p)


def add_report(subparsers) -> None:
    """``linksim report``: a results directory and which of its scenarios."""
    p = subparsers.add_parser(
        "report", help="rebuild CSV, figures and HTML of a results directory from its store",
        description="Rebuild results.csv, figures and report.html from store.sqlite alone.")
    p.add_argument("results_dir", help="a directory written by `linksim run`")
    p.add_argument("--hash", default=None,
                   help="scenario hash (prefix) in the store; default: the latest")
    p.set_defaults(func=cmd_report, parser=p)


#: The subcommands, in the order ``linksim --help`` lists them.
COMMANDS = (add_bler, add_run, add_list, add_report)


def build_parser() -> argparse.ArgumentParser:
    """The ``linksim`` argument parser with all subcommands."""
    parser = _Parser(prog="linksim",
                     description="linksim: bit-true link-level PHY simulator.")
    from linksim import __version__
    parser.add_argument("--version", action="version", version=f"linksim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for add in COMMANDS:
        add(sub)
    return parser
