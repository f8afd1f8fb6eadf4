"""Scenario fields: the error, how values and places are shown, the problem collector and the
checks of single fields.

Every problem is one line, ``field.path: got <value>; allowed: <what>``: :func:`_loc` writes
the path, :func:`_show` / :func:`_typed` the value, :class:`_Problems` collects the lines and
:class:`ScenarioError` carries them. The ``_check_*`` functions validate one field each (they
are the pydantic validators of :mod:`linksim.scenario.sections`).

The messages are the scenario's own (``got <value as written in TOML> (<its TOML kind>)``):
:mod:`linksim.checks` words its messages differently (``name: got <repr>``), so it is not used
here.
"""

from __future__ import annotations

import datetime
import json
import math
import numbers
import re
from pathlib import Path
from typing import Mapping

from pydantic import BaseModel, ValidationError

from linksim.random import MAX_SEED, check_seed

#: Sweep modes: the cartesian product of the axes (last axis fastest) or element-wise zip.
MODES = ("cartesian", "zip")
DEFAULT_CONFIDENCE = 0.95
#: Largest count accepted in ``[stop]`` (counts are stored as signed 64-bit integers).
MAX_COUNT = 2**63 - 1

_NAME_RE = re.compile(r"[A-Za-z0-9_.-]+")
_NAME_ALLOWED = ("a string of letters, digits, '_', '.' and '-' (at most 128 characters, "
                 "not only dots; it names the results directory)")


# ----------------------------------------------------------------------------- errors

class ScenarioError(ValueError):
    """A scenario that cannot be used.

    Attributes
    ----------
    problems : list[str]
        One line per problem, ``"field.path: got <value>; allowed: <what>"``.
    path : pathlib.Path or None
        The scenario file, when the scenario came from one.
    """

    def __init__(self, problems, path: Path | None = None):
        self.problems = [str(p) for p in problems] or ["scenario: invalid"]
        self.path = path
        super().__init__("\n".join(self.problems))

    def __str__(self) -> str:
        return "\n".join(self.problems)



# ----------------------------------------------------------------------------- display

def _kind(value) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, numbers.Integral):
        return "an integer"
    if isinstance(value, numbers.Real):
        return "a float"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, (datetime.date, datetime.time)):
        return "a date/time"
    if value is None:
        return "nothing"
    return f"a {type(value).__name__}"


def _show(value, limit: int = 80, _depth: int = 0) -> str:
    """``value`` as written in TOML (short)."""
    if _depth > 3 and isinstance(value, (list, tuple, Mapping)):
        text = "[...]" if isinstance(value, (list, tuple)) else "{...}"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, numbers.Integral):
        v = int(value)
        # str() of an int over 4300 digits raises; anything past 2**200 is shown by its size
        text = str(v) if v.bit_length() <= 200 else \
            f"{'-' if v < 0 else ''}<an integer of {len(hex(abs(v))) - 2} hex digits>"
    elif isinstance(value, numbers.Real):
        text = repr(float(value))
    elif isinstance(value, (datetime.date, datetime.time)):
        text = value.isoformat()
    elif value is None:
        text = "nothing"
    elif isinstance(value, (list, tuple)):
        text = "[" + ", ".join(_show(v, limit, _depth + 1) for v in value[:20]) + "]"
    elif isinstance(value, Mapping):
        text = "{" + ", ".join(f"{k} = {_show(v, limit, _depth + 1)}"
                               for k, v in list(value.items())[:20]) + "}"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _typed(value) -> str:
    return f"{_show(value)} ({_kind(value)})"


def _loc(*parts) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "scenario"


# ----------------------------------------------------------------------------- field checks
# Each raises ValueError("got ...; allowed: ...") (pydantic turns only ValueError into a
# field error) and returns the normalised value.

def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _float(value) -> float:
    """``float(value)``; an integer too large for a float is +-inf (not ``OverflowError``)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _check_name(value) -> str:
    if not isinstance(value, str):
        raise ValueError(f"got {_typed(value)}; allowed: {_NAME_ALLOWED}")
    if not _NAME_RE.fullmatch(value) or set(value) == {"."} or len(value) > 128:
        raise ValueError(f"got {_show(value)}; allowed: {_NAME_ALLOWED}")
    return value


def _check_description(value) -> str:
    if not isinstance(value, str):
        raise ValueError(f"got {_typed(value)}; allowed: a string")
    return value


def _check_system(value) -> str:
    from linksim.systems import SYSTEMS
    if not isinstance(value, str) or value not in SYSTEMS:
        shown = _show(value) if isinstance(value, str) else _typed(value)
        raise ValueError(f"got {shown}; allowed: one of {', '.join(SYSTEMS)}")
    return value


def _seed_problem(value) -> str | None:
    try:
        check_seed(value)
    except (TypeError, ValueError):
        shown = _typed(value) if isinstance(value, (bool, str, float)) or not _is_real(value) \
            else _show(value)
        return f"got {shown}; allowed: an integer in [0, {MAX_SEED}] (2**63 - 1)"
    return None


def _check_seed(value) -> int:
    problem = _seed_problem(value)
    if problem:
        raise ValueError(problem)
    return int(value)


def _check_confidence(value) -> float:
    allowed = "a number in (0, 1), e.g. 0.95"
    if not _is_real(value):
        raise ValueError(f"got {_typed(value)}; allowed: {allowed}")
    v = _float(value)
    if not 0.0 < v < 1.0:  # NaN fails too
        raise ValueError(f"got {_show(value)}; allowed: {allowed}")
    return v


def _check_mode(value) -> str:
    if not isinstance(value, str) or value not in MODES:
        shown = _show(value) if isinstance(value, str) else _typed(value)
        raise ValueError(f"got {shown}; allowed: one of {', '.join(repr(m) for m in MODES)}")
    return value


def _check_count(value) -> int:
    allowed = f"a positive integer (an integral float such as 1e5 is accepted), at most {MAX_COUNT}"
    if not _is_real(value):
        raise ValueError(f"got {_typed(value)}; allowed: {allowed}")
    if isinstance(value, numbers.Integral):
        v = int(value)
    else:
        f = float(value)
        if not math.isfinite(f) or f != math.floor(f):
            raise ValueError(f"got {_show(value)}; allowed: {allowed}")
        v = int(f)
    if not 1 <= v <= MAX_COUNT:
        raise ValueError(f"got {_show(value)}; allowed: {allowed}")
    return v


def _check_seconds(value) -> float | None:
    if value is None:
        return None
    allowed = "a positive finite number of seconds (omit it for no time limit)"
    if not _is_real(value):
        raise ValueError(f"got {_typed(value)}; allowed: {allowed}")
    v = _float(value)
    if not (math.isfinite(v) and v > 0):
        raise ValueError(f"got {_show(value)}; allowed: {allowed}")
    return v


def _check_finite(value) -> float | int:
    allowed = "a finite number"
    if not _is_real(value):
        raise ValueError(f"got {_typed(value)}; allowed: {allowed}")
    if not math.isfinite(_float(value)) or (isinstance(value, numbers.Integral)
                                            and abs(value) > MAX_COUNT):
        raise ValueError(f"got {_show(value)}; allowed: {allowed}")
    return int(value) if isinstance(value, numbers.Integral) else float(value)


def _scalar_problem(value) -> str | None:
    """Why ``value`` is not a usable sweep value (None if it is)."""
    allowed = "a string, a boolean or a finite number"
    if isinstance(value, (str, bool)):
        return None
    if isinstance(value, numbers.Integral) and not -MAX_COUNT - 1 <= value <= MAX_COUNT:
        return (f"got {_show(value)}; allowed: a finite number (integers within the signed "
                f"64-bit range, |value| < 2**63)")
    if _is_real(value):
        return None if math.isfinite(_float(value)) else f"got {_show(value)}; allowed: {allowed}"
    return f"got {_typed(value)}; allowed: {allowed}"


def _value_problems(value, loc: tuple) -> list[str]:
    """Problems of a parameter / option value: strings, booleans, finite numbers, and arrays or
    tables of those (JSON-representable: no dates, no NaN or infinity)."""
    if isinstance(value, (list, tuple)):
        return [p for i, v in enumerate(value) for p in _value_problems(v, loc + (i,))]
    if isinstance(value, Mapping):
        return [p for k, v in value.items() for p in _value_problems(v, loc + (str(k),))]
    problem = _scalar_problem(value)
    if problem:
        return [f"{_loc(*loc)}: {problem}"
                + ("" if _is_real(value) else " (or an array or table of those)")]
    return []



# ----------------------------------------------------------------------------- problems

class _Problems(list):
    def add(self, loc, message: str) -> None:
        where = loc if isinstance(loc, str) else _loc(*loc)
        self.append(f"{where}: {message}")

    def validate(self, model: type[BaseModel], data, loc: tuple, what: str):
        """``model`` validated from ``data`` (a table), or None after recording its problems."""
        if not isinstance(data, Mapping):
            self.add(loc, f"got {_typed(data)}; allowed: {what}")
            return None
        try:
            return model.model_validate(dict(data))
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                self.append(_format_pydantic_error(model, loc, err))
            return None


def _format_pydantic_error(model: type[BaseModel], loc: tuple, err: Mapping) -> str:
    """One pydantic error as ``field.path: got ...; allowed: ...``."""
    where = _loc(*loc, *err.get("loc", ()))
    kind = err.get("type")
    field = err["loc"][-1] if err.get("loc") else None
    info = model.model_fields.get(field) if isinstance(field, str) else None
    if kind == "value_error" and "error" in (err.get("ctx") or {}):
        return f"{where}: {err['ctx']['error']}"
    if kind == "missing":
        allowed = info.description if info is not None and info.description else "a value"
        return f"{where}: missing; allowed: {allowed}"
    if kind == "extra_forbidden":
        known = ", ".join(model.model_fields)
        return (f"{where}: got {_show(err.get('input'))} for an unknown field; allowed: the "
                f"fields {known}")
    allowed = (info.description if info is not None and info.description
               else str(err.get("msg", "a valid value")).lower())
    return f"{where}: got {_show(err.get('input'))}; allowed: {allowed}"


def _try(check, value, problems: _Problems | None = None, loc=None):
    """``check(value)``, or None (recording the problem if ``problems`` is given)."""
    try:
        return check(value)
    except ValueError as exc:
        if problems is not None:
            problems.add(loc, str(exc))
        return None
