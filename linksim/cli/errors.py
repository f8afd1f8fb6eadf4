"""How a command's failures reach the user: one line on stderr and an exit status, never a
traceback, for everything the user can fix.

- Bad option values are caught by the parser (:mod:`linksim.cli.parser`):
  ``linksim <command>: error: argument --opt: ... (see 'linksim <command> --help')``, status 2.
- :func:`option_error`: a ``ValueError``/``TypeError`` from the library, named after the
  option that set the parameter, in the same form.
- :func:`fail`: a results directory or store that cannot be used (status 2, no help hint);
  :func:`unwritten` words the message for an output file that could not be written.
- :func:`call`: runs a command's body; stdout closed by the reader (``| head``) ends it
  quietly with status 141, as Unix tools do.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

__all__ = ["call", "fail", "option_error", "unwritten"]


def option_error(parser, exc: Exception, option_of: dict[str, str] | None = None):
    """Turn a ValueError/TypeError from the library into a one-line option error (exit 2).

    A message ``"name: ..."`` whose ``name`` is a key of ``option_of`` (library parameter ->
    option, e.g. ``{"num_iter": "--iters"}``) becomes ``argument --iters: ...``."""
    msg = " ".join(str(exc).split())
    head = msg.split(":", 1)[0].strip()
    option = (option_of or {}).get(head)
    if option is not None:
        parser.error(f"argument {option}: {msg.split(':', 1)[1].strip()}")
    parser.error(msg)


def fail(args, message) -> None:
    """Exit with status 2 after ``linksim <command>: error: <message>``, one line on stderr:
    for what the user can fix (a results directory that cannot be written, a store that is not
    a store, a full disk), with no traceback."""
    args.parser.exit(2, f"{args.parser.prog}: error: {' '.join(str(message).splitlines())}\n")


def unwritten(exc: OSError, results_dir: Path, state: str, again: str) -> str:
    """The message for an output file that could not be written (a full disk, a directory made
    read-only during the run): the file, why, what is safe, what to do."""
    full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return (f"cannot write {str(exc.filename or results_dir)!r} ({exc.strerror or exc}); "
            f"{state}; no output file is half-written (each is replaced whole or not at all); "
            f"{'free some space' if full else 'make the directory writable'} and run {again}")


def call(func, args) -> int:
    """``func(args)``, the body of a command; its exit status."""
    try:
        return func(args)
    except BrokenPipeError:
        # Output piped into e.g. `head`, which exited: stop quietly, as Unix tools do.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 141
