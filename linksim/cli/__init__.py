"""The ``linksim`` command (console script ``linksim = "linksim.cli:main"``; also
``python -m linksim.cli``).

Subcommands
-----------
``linksim bler``
    BER/BLER curve of the coded link (:class:`linksim.systems.coded_link.CodedLink`) over a
    sweep of Eb/N0 points, printed as a live table (or JSON lines) and optionally saved as CSV.
    Example::

        linksim bler --code ldpc5g --k 512 --n 1024 --mod qpsk --channel awgn \\
            --ebno-db 0:0.5:3 --seed 1

``linksim run SCENARIO.toml``
    Every point of a scenario file, resumable, into a results directory (store, CSV, figures,
    HTML report).
``linksim list``
    The scenario files of a directory and the simulable systems.
``linksim report RESULTS_DIR``
    CSV, figures and HTML of a results directory rebuilt from its store alone.

Bad arguments exit with status 2 and a one-line message naming the option.

Files
-----
The package parses and dispatches; the simulation, storage and reports are the library's.

- ``__init__.py``: :func:`main` (parse, dispatch, exit status).
- ``parser.py``: the argument parser, one ``add_<name>`` function per subcommand declaring its
  options (:func:`~linksim.cli.parser.build_parser`).
- ``argtypes.py``: the option types (counts, seeds, workers, numbers, the ``--ebno-db`` sweep
  syntax of :func:`parse_ebno_list`).
- ``errors.py``: how failures become one stderr line and an exit status.
- ``bler.py`` (with ``bler_output.py``, its table, JSON and CSV records), ``run.py``,
  ``list_cmd.py``, ``report_cmd.py``: the body ``cmd_<name>(args)`` of each subcommand.
- ``summary.py``: the table of results printed by ``run`` and ``report``.
- ``__main__.py``: ``python -m linksim.cli``.

A new subcommand is an ``add_<name>`` in ``parser.py`` (listed in
:data:`~linksim.cli.parser.COMMANDS`) and a module holding its ``cmd_<name>``.
"""

from __future__ import annotations

from linksim.cli.argtypes import MAX_POINTS, WORKERS_PER_CPU, parse_ebno_list  # noqa: F401
from linksim.cli.errors import call
from linksim.cli.parser import build_parser

__all__ = ["main", "build_parser", "parse_ebno_list"]


def main(argv: list[str] | None = None) -> int:
    """Run the ``linksim`` command with ``argv`` (default ``sys.argv[1:]``); returns the exit
    status. Argument errors raise ``SystemExit(2)`` after a one-line message on stderr."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.error("a command is required: bler, run, list or report")
    return call(args.func, args)
