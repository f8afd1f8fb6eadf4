"""Argument types of the ``linksim`` options: each turns the text of one option into its value
or raises :class:`argparse.ArgumentTypeError`, which the parser prints as one line
``linksim <command>: error: argument --opt: got '...'; allowed: ...`` with exit status 2.

The range checks are :func:`linksim.checks.check_int` / :func:`~linksim.checks.check_real`;
the messages are the CLI's own (they quote the text typed and name the limit's meaning).
:func:`parse_ebno_list` (the ``--ebno-db`` sweep syntax) is public.
"""

from __future__ import annotations

import argparse
import math
import os

from linksim.checks import check_int, check_real

__all__ = ["MAX_POINTS", "WORKERS_PER_CPU", "confidence_type", "count_type", "ebno_type",
           "iters_type", "nonneg_float_type", "parse_ebno_list", "positive_count_type",
           "positive_float_type", "seed_type", "workers_type"]

#: Upper bound on the number of points a sweep specification may expand to.
MAX_POINTS = 10_000


def _int_in(value: int | None, lo: int, hi: int, message: str) -> int:
    """``value`` if it is an integer in ``[lo, hi]``; otherwise the option error ``message``."""
    try:
        return check_int("value", value, lo, hi)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(message) from None


def _real_in(value: float, message: str, lo: float, strict_lo: bool = False) -> float:
    """``value`` if it is finite and ``>= lo`` (``> lo`` with ``strict_lo``); otherwise the
    option error ``message``."""
    try:
        return check_real("value", value, lo, strict_lo=strict_lo)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(message) from None


def _int_or_none(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


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


def ebno_type(text: str) -> list[float]:
    try:
        return parse_ebno_list(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def count_type(text: str) -> int:
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


def positive_count_type(text: str) -> int:
    """A positive integer up to 2**63 - 1 (counts are stored as signed 64-bit integers)."""
    from linksim.scenario import MAX_COUNT
    return _int_in(count_type(text), 1, MAX_COUNT,
                   f"got {text!r}; allowed: a positive integer, at most {MAX_COUNT} (2**63 - 1)")


def seed_type(text: str) -> int:
    """A root seed: an integer in [0, 2**63 - 1] (seeds are stored as signed 64-bit integers)."""
    from linksim.random import MAX_SEED
    return _int_in(_int_or_none(text), 0, MAX_SEED,
                   f"got {text!r}; allowed: an integer in [0, {MAX_SEED}] (2**63 - 1)")


#: Most worker processes per CPU for ``--workers``: more than one per core only adds memory
#: and start-up time (batches are CPU-bound); the bound stops a typo (--workers 100000) from
#: spawning a process per unit.
WORKERS_PER_CPU = 4


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def workers_type(text: str) -> int:
    """A number of worker processes: 1 .. WORKERS_PER_CPU x the CPUs this process may use."""
    most = WORKERS_PER_CPU * _cpu_count()
    return _int_in(_int_or_none(text), 1, most,
                   f"got {text!r}; allowed: an integer in [1, {most}] ({WORKERS_PER_CPU} x the "
                   f"{_cpu_count()} CPUs available; omit it for one worker per CPU)")


def iters_type(text: str) -> int:
    """BP iterations: 1 .. :data:`linksim.systems.coded_link.spec.MAX_NUM_ITER`."""
    from linksim.systems.coded_link.spec import MAX_NUM_ITER
    return _int_in(count_type(text), 1, MAX_NUM_ITER,
                   f"got {text!r}; allowed: an integer in [1, {MAX_NUM_ITER}] (decoders "
                   f"converge within tens)")


def nonneg_float_type(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}; allowed: a number >= 0") from None
    return _real_in(v, f"got {text!r}; allowed: a finite number >= 0", lo=0.0)


def positive_float_type(text: str) -> float:
    v = nonneg_float_type(text)
    return _real_in(v, f"got {text!r}; allowed: a number > 0", lo=0.0, strict_lo=True)


def confidence_type(text: str) -> float:
    """A number in the open interval (0, 1); :mod:`linksim.checks` has no open upper bound,
    so the test is written out."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}; allowed: a number in (0, 1)") from None
    if not 0.0 < v < 1.0:
        raise argparse.ArgumentTypeError(f"got {text!r}; allowed: a number in (0, 1), e.g. 0.95")
    return v
