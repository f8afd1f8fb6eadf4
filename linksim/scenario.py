"""Scenario files: one TOML file per study, parsed and validated before anything runs.

A scenario names a system (:data:`linksim.systems.SYSTEMS`), its fixed parameters, a sweep over
some of its parameters, a stopping rule per sweep point, a root seed and what to report::

    name = "ldpc_awgn_qpsk"      # optional; default: the file stem; [A-Za-z0-9_.-]+
    description = "..."          # optional
    system = "coded_link"
    seed = 1                     # 0 <= seed <= 2**63 - 1
    confidence = 0.95            # optional, in (0, 1)

    [params]                     # fixed system parameters
    k = 512
    n = 1024

    [sweep]
    mode = "cartesian"           # or "zip" (element-wise; equal-length axes)
    [sweep.axes]
    ebno_db = { start = 0.0, stop = 3.0, step = 0.5 }   # stop included
    decoder = ["nms", "spa"]

    [stop]
    max_frame_errors = 100
    max_frames = 1e5
    batch_size = 1000            # optional; also first_batch_size, max_seconds

    [output]                     # optional
    metrics = ["bler", "ber"]    # linksim.systems.metrics_of(system)
    x = "ebno_db"                # default: the first axis
    groups = [["bler", "ber"]]   # optional: one figure per inner array (default: one per metric)
    series = ["k"]               # optional: axes splitting the points into curves (default:
                                 # linksim.series.series_axes)
    [[output.predictions]]       # name = a prediction of the system or of
    name = "..."                 # linksim.theory.PREDICTIONS; other keys are options to it

A system of kind ``"analysis"`` (closed forms, optimizers; see :mod:`linksim.systems`) is
evaluated once per point, deterministically: its scenario has no ``[stop]`` table and no
``[[output.predictions]]`` (both are rejected), ``seed`` is optional and unused, and
``output.metrics`` names the system's quantities (default: all of them, in the system's order)::

    name = "pld_power_split"
    system = "pld_point"
    [params]
    z_eve_db = -3.0
    d_k = 8
    [sweep]
    mode = "zip"
    [sweep.axes]
    p_m = [0.1, 0.2, 0.3, 0.4]
    p_k = [0.9, 0.8, 0.7, 0.6]
    [output]
    metrics = ["r_d", "eps_lf", "eps_bob_m"]
    groups = [["r_d"], ["eps_lf", "eps_bob_m"]]

Validation goes beyond types: every sweep point is built by its system (each distinct parameter
combination once, cached per process), and the system's complaint is reported where the bad
value was written (``params.k`` or ``sweep.axes.k[2]``). All problems are collected and raised
together as one :class:`ScenarioError`, one line each: ``field.path: got <value>; allowed: <what>``.

Nothing a file can hold ends in a traceback at run time (issue 9). Before a point is built, the
numerical limits apply (see the constants below, with the reasons): values in dB (``*_db``) within
+-:data:`DB_LIMIT`, the PLD layer SINRs within +-:data:`SNR_DB_LIMIT`, ``num_iter`` at most
:data:`MAX_NUM_ITER`, the ``grid`` of the PLD studies and the size of their line searches, and a
batch of frames (min(batch_size, max_frames) x code bits per frame) within
:data:`MAX_BATCH_BYTES`. Each ``[[output.predictions]]`` entry is checked with the scenario: its
options against the prediction's keyword parameters (names and the types of their defaults), and
the prediction at every point (:func:`linksim.theory.check_prediction`). The file itself may not
nest arrays or tables more than :data:`MAX_DEPTH` levels; a UTF-8 byte-order mark is dropped.

The scenario :attr:`Scenario.hash` identifies what is simulated (system, every point's full
parameters, stopping rule, seed; for an analysis system only the system and the points); the
results store keys its batches (and evaluations) by it.
"""

from __future__ import annotations

import dataclasses
import datetime
import errno
import functools
import hashlib
import inspect
import itertools
import json
import math
import numbers
import os
import re
import stat
import tomllib
import warnings
from pathlib import Path
from typing import Annotated, Any, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.functional_validators import PlainValidator

from linksim.random import MAX_SEED, check_seed

__all__ = ["ScenarioError", "Scenario", "load_scenario", "parse_scenario", "MODES",
           "MAX_AXIS_VALUES", "MAX_POINTS", "DEFAULT_METRICS", "DEFAULT_CONFIDENCE"]

#: Sweep modes: the cartesian product of the axes (last axis fastest) or element-wise zip.
MODES = ("cartesian", "zip")
#: Most values one range table may expand to.
MAX_AXIS_VALUES = 10_000
#: Most points a sweep may have (all axes together).
MAX_POINTS = 10_000
#: Metrics recorded when ``[output] metrics`` is not given.
DEFAULT_METRICS = ("bler", "ber")
DEFAULT_CONFIDENCE = 0.95
#: Largest count accepted in ``[stop]`` (counts are stored as signed 64-bit integers).
MAX_COUNT = 2**63 - 1
#: Point-validation problems listed before the rest are summarised in one line.
MAX_POINT_PROBLEMS = 20
#: Most levels of arrays and tables nested in one another (the file's top table is level 0).
#: A scenario needs a handful; deeper nesting is rejected before the checks (which recurse),
#: and Python's TOML parser itself fails (RecursionError) a few hundred levels down.
MAX_DEPTH = 32
#: Largest scenario file read (a scenario is a few kB; this stops a mistyped path to a data
#: file from being read whole).
MAX_FILE_BYTES = 16 * 2**20

_NAME_RE = re.compile(r"[A-Za-z0-9_.-]+")
_NAME_ALLOWED = ("a string of letters, digits, '_', '.' and '-' (at most 128 characters, "
                 "not only dots; it names the results directory)")
_PARAM_MSG_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*): (.*)", re.S)


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


def _depth_problem(data) -> str | None:
    """The first value nested more than :data:`MAX_DEPTH` arrays/tables deep, as a problem
    line (None if there is none). Iterative: the checks after it may recurse."""
    stack = [(data, ())]
    while stack:
        node, loc = stack.pop()
        if isinstance(node, Mapping):
            items = list(node.items())
        elif isinstance(node, (list, tuple)):
            items = list(enumerate(node))
        else:
            continue
        if len(loc) > MAX_DEPTH:
            return (f"{_loc(*loc[:2])}: got arrays or tables nested more than {MAX_DEPTH} "
                    f"levels deep (at {_loc(*loc[:6])}...); allowed: at most {MAX_DEPTH} "
                    f"levels of nesting")
        stack.extend((value, loc + (key if isinstance(key, int) else str(key),))
                     for key, value in reversed(items))
    return None


def _plain(value):
    """``value`` with NumPy-style scalars as Python ``int``/``float`` (for canonical JSON)."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return value


def _number_key(value):
    """Equality key of a sweep value: 1 and 1.0 are the same point, true and 1 are not."""
    if isinstance(value, bool):
        return ("bool", value)
    if _is_real(value):
        return ("number", _float(value))
    return ("str", value)


# ----------------------------------------------------------------------------- section models

def _V(check):
    return PlainValidator(check)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class _Top(_Section):
    name: Annotated[str, _V(_check_name)] = Field(None, description=_NAME_ALLOWED)
    description: Annotated[str, _V(_check_description)] = Field("", description="a string")
    system: Annotated[str, _V(_check_system)] = Field(
        description="the name of a system of linksim.systems.SYSTEMS, e.g. \"coded_link\"")
    # seed and stop are required for simulation systems only: parse_scenario checks per kind.
    seed: Annotated[int, _V(_check_seed)] = Field(
        None, description=f"an integer in [0, {MAX_SEED}] (the root seed of every random stream)")
    confidence: Annotated[float, _V(_check_confidence)] = Field(
        DEFAULT_CONFIDENCE, description="a number in (0, 1)")
    params: Any = Field(None, description="a table of fixed system parameters")
    sweep: Any = Field(description="a [sweep] table with a [sweep.axes] table of at least one axis")
    stop: Any = Field(None, description="a [stop] table with max_frame_errors and max_frames")
    output: Any = Field(None, description="an [output] table")


class _Sweep(_Section):
    mode: Annotated[str, _V(_check_mode)] = Field("cartesian", description="\"cartesian\" or \"zip\"")
    axes: Any = Field(description="a [sweep.axes] table: name = [values] or "
                                  "name = {start = ..., stop = ..., step = ...}")


class _Stop(_Section):
    max_frame_errors: Annotated[int, _V(_check_count)] = Field(
        description="a positive integer: stop a point once this many frame errors are counted")
    max_frames: Annotated[int, _V(_check_count)] = Field(
        description="a positive integer (or an integral float such as 1e5): the most frames "
                    "per point")
    batch_size: Annotated[int, _V(_check_count)] = Field(None, description="a positive integer")
    first_batch_size: Annotated[int, _V(_check_count)] = Field(None,
                                                               description="a positive integer")
    max_seconds: Annotated[float, _V(_check_seconds)] = Field(
        None, description="a positive number of seconds")
    error_count: str = Field(None, description="the name of a count the system reports, to "
                                               "which max_frame_errors applies")


class _Range(_Section):
    start: Annotated[float, _V(_check_finite)] = Field(description="a finite number")
    stop: Annotated[float, _V(_check_finite)] = Field(description="a finite number >= start "
                                                                  "(included)")
    step: Annotated[float, _V(_check_finite)] = Field(description="a finite number > 0")


class _Output(_Section):
    metrics: Any = Field(None, description="an array of metric names")
    x: Any = Field(None, description="the name of a sweep axis")
    predictions: Any = Field(None, description="an array of [[output.predictions]] tables")
    groups: Any = Field(None, description="an array of arrays of recorded metric names (one "
                                          "figure each)")
    series: Any = Field(None, description="an array of sweep axis names whose values split "
                                          "the points into curves")


class _Prediction(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
    name: Any = Field(description="the name of a prediction of linksim.theory.PREDICTIONS")


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


# ----------------------------------------------------------------------------- sweep axes

def _range_values(spec: _Range, loc: tuple, problems: _Problems) -> list | None:
    start, stop, step = spec.start, spec.stop, spec.step
    ok = True
    if not step > 0:
        problems.add(loc + ("step",), f"got {_show(step)}; allowed: a finite number > 0")
        ok = False
    if stop < start:
        problems.add(loc + ("stop",), f"got {_show(stop)} < start = {_show(start)}; "
                                      f"allowed: a number >= start (stop is included)")
        ok = False
    if not ok:
        return None
    span = (stop - start) / step
    if not math.isfinite(span) or span > MAX_AXIS_VALUES:
        count = math.inf
    else:
        nearest = round(span)
        if abs(span - nearest) <= 1e-9 * max(1.0, abs(span)):
            count = nearest + 1
        else:
            count = math.floor(span) + 1
    if count > MAX_AXIS_VALUES:
        shown = "more than " + str(MAX_AXIS_VALUES) if count == math.inf else str(count)
        problems.add(loc, f"got {{start = {_show(start)}, stop = {_show(stop)}, "
                          f"step = {_show(step)}}}, {shown} values; "
                          f"allowed: at most {MAX_AXIS_VALUES} values per axis")
        return None
    if all(isinstance(v, int) for v in (start, stop, step)):
        return [start + i * step for i in range(count)]
    digits = max(10, 12 - math.floor(math.log10(step)))
    values = [round(start + i * step, digits) + 0.0 for i in range(count)]
    if abs(start + (count - 1) * step - stop) <= 1e-9 * max(1.0, abs(span)) * step:
        values[-1] = float(stop) + 0.0
    return values


def _parse_axes(raw, mode: str | None, problems: _Problems) -> dict[str, list] | None:
    """The axes expanded to lists (None if any problem was recorded)."""
    loc = ("sweep", "axes")
    allowed = ("a table of at least one axis: name = [values] or "
               "name = {start = ..., stop = ..., step = ...}")
    if not isinstance(raw, Mapping):
        problems.add(loc, f"got {_typed(raw)}; allowed: {allowed}")
        return None
    if not raw:
        problems.add(loc, f"got no axes; allowed: {allowed}")
        return None
    before = len(problems)
    axes: dict[str, list] = {}
    for name, spec in raw.items():
        aloc = loc + (str(name),)
        if isinstance(spec, (list, tuple)):
            if not spec:
                problems.add(aloc, "got [] (an empty array); allowed: a non-empty array of "
                                   "values, or a range {start = ..., stop = ..., step = ...}")
                continue
            values = []
            for i, value in enumerate(spec):
                problem = _scalar_problem(value)
                if problem:
                    problems.add(aloc + (i,), problem)
                else:
                    values.append(_plain(value))
            axes[str(name)] = values
        elif isinstance(spec, Mapping):
            rng = problems.validate(_Range, spec, aloc, "a range table")
            if rng is not None:
                values = _range_values(rng, aloc, problems)
                if values is not None:
                    axes[str(name)] = values
        else:
            problems.add(aloc, f"got {_typed(spec)}; allowed: a non-empty array of values, "
                               f"or a range {{start = ..., stop = ..., step = ...}}")
    if len(problems) > before:
        return None

    # point count, zip lengths, distinct points
    names = list(axes)
    lengths = {name: len(values) for name, values in axes.items()}
    if mode == "zip":
        first = names[0]
        for name in names[1:]:
            if lengths[name] != lengths[first]:
                problems.add(loc + (name,), f"got {lengths[name]} values; allowed: "
                             f"{lengths[first]} values, as many as the first axis {first!r} "
                             f"(mode \"zip\" pairs the axes element by element)")
        if len(problems) > before:
            return None
        n_points = lengths[first]
    else:
        n_points = math.prod(lengths.values())
    if n_points > MAX_POINTS:
        sizes = " x ".join(f"{lengths[n]} ({n})" for n in names)
        problems.add(loc, f"got {sizes} = {n_points} points; allowed: at most {MAX_POINTS} "
                          f"points per scenario")
        return None
    if mode == "zip":
        seen: dict = {}
        for index, combo in enumerate(zip(*axes.values())):
            key = tuple(_number_key(v) for v in combo)
            if key in seen:
                point = ", ".join(f"{n} = {_show(v)}" for n, v in zip(names, combo))
                problems.add(loc, f"got point {index} ({point}) equal to point {seen[key]}; "
                                  f"allowed: distinct points")
            else:
                seen[key] = index
    else:
        for name, values in axes.items():
            seen = {}
            for index, value in enumerate(values):
                key = _number_key(value)
                if key in seen:
                    problems.add(loc + (name, index),
                                 f"got {_show(value)}, already at [{seen[key]}]; allowed: "
                                 f"distinct values (a repeated value repeats sweep points)")
                else:
                    seen[key] = index
    return None if len(problems) > before else axes


def _axis_combos(axes: Mapping[str, list], mode: str):
    """(indices, values) of each point: indices[i] is the position in axis i of its value."""
    lists = list(axes.values())
    if mode == "zip":
        for index in range(len(lists[0])):
            yield (index,) * len(lists), tuple(values[index] for values in lists)
    else:
        for indices in itertools.product(*(range(len(v)) for v in lists)):
            yield indices, tuple(values[i] for values, i in zip(lists, indices))


# ----------------------------------------------------------------------------- system checks

def _canonical(obj) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


# ----------------------------------------------------------------------------- numerical limits
# Values a system would accept but that cannot be simulated (the noise variance under- or
# overflows) or that would exhaust memory or time on a typo. They are checked per point, before
# the system builds it, and reported where the value was written, like the system's own checks.

#: Largest |value| of a parameter in dB (a name ending in ``_db``: Eb/N0, channel gains).
#: 10**(300/10) = 1e30, so N0 = 1 / (10**(Eb/N0 / 10) m r) stays in [1e-31, 1e31], its square
#: root (the noise amplitude) in [3e-16, 4e15], and LLRs of order 4/N0 far below the float32
#: limit 3.4e38; at 3100 dB 10**310 is inf and N0 is 0 (the run fails), at -3100 dB N0 is inf.
#: No link comes near: even deep-space links work within about +-200 dB.
DB_LIMIT = 300.0
#: The same bound on the SINR of a layer of the PLD systems, 10 log10(P / noise) + z_db with P
#: a layer's power (or the budget p_total) and z_db either receiver's gain.
SNR_DB_LIMIT = DB_LIMIT
#: Most BP iterations (``num_iter``): 5G LDPC decoders converge within tens; 10000 bounds the
#: time a typo such as num_iter = 1e9 can take.
MAX_NUM_ITER = 10_000
#: Largest channel-estimation error variance (``csi_error_var``, relative to E|h|^2 = 1); past
#: ~1e300 the effective noise variance overflows to inf.
MAX_CSI_ERROR_VAR = 1e6
#: ``grid`` of the PLD analysis studies (:mod:`linksim.systems.pld.studies`). pld_theorem1
#: searches a grid x grid square: 2001 (4e6 points, ~0.6 GB of arrays, seconds). The others
#: search a line of ``grid`` points for each key size 0..n: at most 1e6 points a line and
#: 1e8 line points in all ((n + 1) * grid; measured 0.8 us a point: grid = 1e6 at n = 64 takes
#: 52 s, the most allowed under two minutes).
MAX_SQUARE_GRID = 2001
MAX_LINE_GRID = 1_000_000
MAX_LINE_EVALUATIONS = 10**8
_SQUARE_GRID_SYSTEMS = ("pld_theorem1",)
#: Line-search studies and the grid each searches with when it has no ``grid`` parameter
#: (pld_mm_bcd compares with the exhaustive optimum at the default grid).
_LINE_SEARCH_SYSTEMS = {"pld_optimum": None, "pld_feasibility": None, "pld_mm_bcd": 20001}
#: Memory budget of one batch of a simulation system. A batch's arrays are estimated at
#: BYTES_PER_FRAME_BIT bytes per code bit per frame (measured peaks: 40-70 bytes for the coded
#: link and the PLD link; symbols as complex128, LLRs and decoder messages), so the largest
#: batch, min(batch_size, max_frames), is bounded by MAX_BATCH_BYTES / (bytes per frame):
#: about 1300 frames of the longest 5G LDPC code (n = 25344), 260000 frames of n = 128. The
#: budget is fixed, not this machine's memory, so that a scenario valid here is valid anywhere.
MAX_BATCH_BYTES = 4 * 2**30
BYTES_PER_FRAME_BIT = 128


def _bytes_text(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} PiB"  # pragma: no cover


def max_batch_frames(frame_bits: int) -> int:
    """Most frames of ``frame_bits`` code bits one batch may hold (0: not even one fits)."""
    return MAX_BATCH_BYTES // (BYTES_PER_FRAME_BIT * max(1, int(frame_bits)))


def batch_memory_problem(frames: int, frame_bits: int) -> str | None:
    """``"got ...; allowed: ..."`` when a batch of ``frames`` frames of ``frame_bits`` code bits
    exceeds :data:`MAX_BATCH_BYTES` (None when it fits)."""
    most = max_batch_frames(frame_bits)
    if frames <= most:
        return None
    need = _bytes_text(float(frames) * frame_bits * BYTES_PER_FRAME_BIT)
    rule = (f"the arrays of one batch, estimated at {BYTES_PER_FRAME_BIT} bytes per code bit "
            f"per frame, must fit in {_bytes_text(MAX_BATCH_BYTES)}")
    if most == 0:
        return (f"got frames of {frame_bits} code bits, about {need} for a batch of {frames}; "
                f"allowed: frames of at most {MAX_BATCH_BYTES // BYTES_PER_FRAME_BIT} code "
                f"bits ({rule})")
    return (f"got batches of {frames} frames of {frame_bits} code bits, about {need}; allowed: "
            f"at most {most} frames per batch at this frame size ({rule})")


def db_problem(value, what: str = "a value") -> str | None:
    """``"got ...; allowed: ..."`` when ``value`` (a number, in dB) is outside +-DB_LIMIT."""
    if _is_real(value) and not abs(_float(value)) <= DB_LIMIT:
        return (f"got {_show(value)}; allowed: {what} in [-{DB_LIMIT:g}, {DB_LIMIT:g}] dB (beyond, "
                f"10^(x/10) and the noise variance leave the range where float64/float32 "
                f"arithmetic keeps them finite and nonzero)")
    return None


def value_limit(system: str, name: str, value) -> str | None:
    """``"got ...; allowed: ..."`` when parameter ``name`` of system ``system`` has a value
    beyond the numerical limits (None otherwise; only numbers are checked, the system checks
    the types): dB values, num_iter, csi_error_var and grid."""
    if not _is_real(value):
        return None
    if name.endswith("_db"):
        return db_problem(value)
    if name == "csi_error_var" and _float(value) > MAX_CSI_ERROR_VAR:
        return (f"got {_show(value)}; allowed: at most {MAX_CSI_ERROR_VAR:g} (relative to the "
                f"unit mean channel power: the estimate holds no information long before; the "
                f"variance enters the noise variance, which must stay finite)")
    if name == "num_iter" and _float(value) > MAX_NUM_ITER:
        return (f"got {_show(value)}; allowed: at most {MAX_NUM_ITER} BP iterations (decoders "
                f"converge within tens; the bound keeps a typo from running for days)")
    if name == "grid":
        square = system in _SQUARE_GRID_SYSTEMS
        most = MAX_SQUARE_GRID if square else MAX_LINE_GRID
        if _float(value) > most:
            what = (f"{most} points a side of the square power grid ({most}^2 = {most**2:.1e} "
                    f"points" if square else f"{most} points on the power line (for each key "
                                             f"size 0..n")
            return f"got {_show(value)}; allowed: at most {what}; the grid's time and memory)"
    return None


def _limit_error(system: str, params: Mapping[str, Any]) -> str | None:
    """``"param: got ...; allowed: ..."`` for the first limit these (complete) parameters
    break: each value, then the SINRs of the PLD systems and the work of the line searches."""
    for name, value in params.items():
        problem = value_limit(system, name, value)
        if problem:
            return f"{name}: {problem}"
    values = {k: v for k, v in params.items() if _is_real(v)}
    if "noise" in values and values["noise"] > 0:
        gains = [k for k in ("z_bob_db", "z_eve_db") if k in values]
        powers = [k for k in ("p_m", "p_k", "p_total") if k in values and values[k] > 0]
        for power in powers:
            for gain in gains:
                terms = {power: 10 * math.log10(values[power]),
                         "noise": -10 * math.log10(values["noise"]), gain: values[gain]}
                snr = sum(terms.values())
                if abs(snr) > SNR_DB_LIMIT:
                    name = max(terms, key=lambda k: abs(terms[k]))
                    return (f"{name}: got {_show(params[name])}, which puts a layer's SINR at "
                            f"{snr:.1f} dB (10 log10({power} / noise) + {gain}); allowed: "
                            f"values keeping every layer's SINR in [-{SNR_DB_LIMIT:g}, "
                            f"{SNR_DB_LIMIT:g}] dB (the noise variance per symbol must stay "
                            f"finite and nonzero)")
    if system in _LINE_SEARCH_SYSTEMS and _is_int(params.get("n")):
        grid = params.get("grid", _LINE_SEARCH_SYSTEMS[system])
        if _is_int(grid):
            work = (float(params["n"]) + 1) * float(grid)
            if work > MAX_LINE_EVALUATIONS:
                from linksim.systems import get_system
                name = "grid" if params.get("grid", grid) != get_system(system).params.get(
                    "grid", grid) else "n"      # blame the value that moved off its default
                return (f"{name}: got {_show(params[name])}, (n + 1) * grid = {work:.2e} line "
                        f"points (n = {_show(params['n'])}, grid = {_show(grid)}); allowed: at "
                        f"most {MAX_LINE_EVALUATIONS:.0e} line points (under two minutes)")
    return None


@functools.lru_cache(maxsize=4096)
def _point_error(system: str, params_json: str) -> tuple[str | None, int | None]:
    """(why these (complete) parameters are rejected, or None; the code bits per frame of the
    built system, or None). The numerical limits first, then the system builds the point.
    Cached: building a system (an LDPC code) costs, and a parameter combination is validated
    once per process."""
    from linksim.systems import get_system
    params = json.loads(params_json)
    problem = _limit_error(system, params)
    if problem:
        return problem, None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            built = get_system(system).build(params)
    except (ValueError, TypeError) as exc:
        return str(exc), None
    except Exception as exc:  # a system bug must still surface as a scenario problem
        return f"{type(exc).__name__}: {exc}", None
    bits = getattr(built, "n_bits", None) or getattr(built, "n", None)
    return None, (int(bits) if isinstance(bits, numbers.Integral) and bits > 0 else None)


@functools.lru_cache(maxsize=4096)
def _prediction_error(system: str, name: str, options_json: str,
                      params_json: str) -> str | None:
    """Why prediction ``name`` (with these options) cannot be evaluated at the point, or None
    (:func:`linksim.theory.check_prediction`). Cached like :func:`_point_error`."""
    from linksim.systems import prediction_function
    from linksim.theory import check_prediction
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check_prediction(prediction_function(system, name), json.loads(params_json),
                             json.loads(options_json))
    except (ValueError, TypeError, ArithmeticError) as exc:
        return str(exc)
    except Exception as exc:  # a bug of the prediction must still surface as a problem
        return f"{type(exc).__name__}: {exc}"
    return None


def _check_points(system: str, params: dict, axes: dict, mode: str, problems: _Problems,
                  stop=None, batch_given: bool = True, predictions: list | None = None) -> None:
    """Parameter names against the system, then every distinct point: the numerical limits,
    the system's build, the batch memory (``stop``: the stopping rule of a simulation) and
    each prediction (``predictions``: validated ``[[output.predictions]]`` entries)."""
    from linksim.systems import REQUIRED, get_system
    spec = get_system(system)
    known = ", ".join(spec.params)
    before = len(problems)
    for where, names in ((("params",), params), (("sweep", "axes"), axes)):
        for name in names:
            if name not in spec.params:
                problems.add(where + (name,), f"got an unknown parameter of system "
                             f"{system!r}; allowed: {known}")
    for name, default in spec.params.items():
        if default is REQUIRED and name not in params and name not in axes:
            required = ", ".join(k for k, v in spec.params.items() if v is REQUIRED)
            problems.add(("params", name), f"missing; allowed: a value in [params] or a sweep "
                         f"axis (system {system!r} requires {required})")
    if len(problems) > before:
        return

    def where(name, indices):
        """Where parameter ``name`` of the point at ``indices`` was written (or defaulted)."""
        if name in axes:
            return _loc("sweep", "axes", name, indices[names.index(name)])
        return f"params.{name}" if name in spec.params else None

    # The limits on single values first, one line per parameter or axis (a range may put
    # many values out of bounds); the points holding such a value are not checked further.
    skip_all = False
    for name, value in params.items():
        problem = value_limit(system, name, value)
        if problem:
            problems.add(("params", name), problem)
            skip_all = True
    out_of_bounds: dict[str, set[int]] = {}
    for name, values in axes.items():
        bad = [i for i, v in enumerate(values) if value_limit(system, name, v)]
        if bad:
            got, allowed = value_limit(system, name, values[bad[0]]).split("; allowed: ", 1)
            more = f" (and {len(bad) - 1} more values of this axis)" if len(bad) > 1 else ""
            problems.add(("sweep", "axes", name, bad[0]), f"{got}{more}; allowed: {allowed}")
            out_of_bounds[name] = set(bad)
    if skip_all:
        return

    names = list(axes)
    seen: set[str] = set()
    failing = 0
    largest = None          # (frame bits, point, values) of the largest frame
    good_points = []
    for point, (indices, values) in enumerate(_axis_combos(axes, mode)):
        if any(i in out_of_bounds.get(n, ()) for n, i in zip(names, indices)):
            continue
        full = spec.complete({**params, **dict(zip(names, values))})
        full_json = _canonical(full)
        message, bits = _point_error(system, full_json)
        if message is None:
            good_points.append((point, indices, values, full_json))
            if bits is not None and (largest is None or bits > largest[0]):
                largest = (bits, point, values)
            continue
        match = _PARAM_MSG_RE.fullmatch(message)
        if match and (match.group(1) in axes or match.group(1) in params):
            line = f"{where(match.group(1), indices)}: {match.group(2)}"
        elif match and match.group(1) in spec.params:
            line = (f"params.{match.group(1)}: {match.group(2)} (not set: the system's "
                    f"default {_show(spec.params[match.group(1)])} applies)")
        else:
            line = f"sweep.axes: at point {point} ({_point_text(names, values)}): {message}"
        if line in seen:
            continue
        seen.add(line)
        failing += 1
        if failing <= MAX_POINT_PROBLEMS:
            problems.append(line)
    if failing > MAX_POINT_PROBLEMS:
        problems.append(f"sweep.axes: got {failing - MAX_POINT_PROBLEMS} more failing sweep "
                        f"points (not listed); allowed: parameters the system accepts")

    if stop is not None and largest is not None:
        bits, point, values = largest
        problem = batch_memory_problem(min(stop.batch_size, stop.max_frames), bits)
        if problem:
            at = f" (point {point}: {_point_text(names, values)})"
            if max_batch_frames(bits) == 0:
                problems.add("params", problem + at)
            else:
                given = "" if batch_given else " (the default)"
                problems.add(("stop", "batch_size"),
                             f"got {stop.batch_size}{given}, {problem[4:]}{at}")

    for i, entry in enumerate(predictions or []):
        name = entry["name"]
        options = {k: v for k, v in entry.items() if k not in ("name", "metric")}
        options_json = _canonical(options)
        for point, indices, values, full_json in good_points:
            message = _prediction_error(system, name, options_json, full_json)
            if message is None:
                continue
            ploc = _loc("output", "predictions", i, "name")
            match = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*): got (.*?); allowed: (.*)",
                                 message, re.S)
            param_where = where(match.group(1), indices) if match else None
            if match and param_where:
                default = "" if match.group(1) in axes or match.group(1) in params \
                    else " (the system's default)"
                problems.append(f"{ploc}: got {_show(name)}, which cannot be evaluated where "
                                f"{param_where}{default} = {match.group(2)}; allowed: "
                                f"{match.group(1)}: {match.group(3)}")
            else:
                problems.append(f"{ploc}: got {_show(name)}, which cannot be evaluated at point "
                                f"{point} ({_point_text(names, values)}): {message}; allowed: "
                                f"a prediction that applies at every sweep point")
            break       # one line per prediction: its first failing point


def _point_text(names, values) -> str:
    return ", ".join(f"{n} = {_show(v)}" for n, v in zip(names, values))


# ----------------------------------------------------------------------------- output

def _parse_metrics(raw, system: str | None, problems: _Problems) -> list[str] | None:
    from linksim.sim.montecarlo import REQUIRED_COUNTS
    from linksim.systems import SYSTEMS, metrics_of
    METRICS = metrics_of(system if system in SYSTEMS else None)
    loc = ("output", "metrics")
    if raw is None:
        return list(DEFAULT_METRICS)
    allowed = f"metrics of system {system!r}: {', '.join(METRICS)}"
    if not isinstance(raw, (list, tuple)) or not raw:
        problems.add(loc, f"got {_typed(raw)}; allowed: a non-empty array of {allowed}")
        return None
    reported = None
    if system is not None:
        from linksim.systems import get_system
        reported = set(REQUIRED_COUNTS) | set(get_system(system).counts)
    before = len(problems)
    seen: dict[str, int] = {}
    for i, name in enumerate(raw):
        if not isinstance(name, str) or name not in METRICS:
            shown = _show(name) if isinstance(name, str) else _typed(name)
            problems.add(loc + (i,), f"got {shown}; allowed: one of the {allowed}")
        elif name in seen:
            problems.add(loc + (i,), f"got {_show(name)}, already at [{seen[name]}]; "
                                     f"allowed: each metric once")
        else:
            seen[name] = i
            metric = METRICS[name]
            if reported is not None and not {metric.numerator, metric.denominator} <= reported:
                usable = [m for m, x in METRICS.items()
                          if {x.numerator, x.denominator} <= reported]
                problems.add(loc + (i,), f"got {_show(name)}, which needs the count "
                             f"{metric.numerator!r} that system {system!r} never reports; "
                             f"allowed: {', '.join(usable)}")
    return None if len(problems) > before else list(raw)


def _system_kind(system: str | None) -> str:
    """The kind of system ``system`` ("simulation" or "analysis"); "simulation" when the system
    is unknown (so that a scenario with a bad ``system`` is still checked as before)."""
    if system is None:
        return "simulation"
    from linksim.systems import get_system
    return get_system(system).kind


def _parse_quantities(raw, system: str, problems: _Problems) -> list[str] | None:
    """``output.metrics`` of an analysis scenario: names of the system's quantities (default:
    all of them, in the system's order)."""
    from linksim.systems import get_system
    loc = ("output", "metrics")
    quantities = list(get_system(system).quantities)
    if raw is None:
        return quantities
    allowed = f"names of the quantities of system {system!r}: {', '.join(quantities)}"
    if not isinstance(raw, (list, tuple)) or not raw:
        problems.add(loc, f"got {_typed(raw)}; allowed: a non-empty array of {allowed}")
        return None
    before = len(problems)
    seen: dict[str, int] = {}
    for i, name in enumerate(raw):
        if not isinstance(name, str) or name not in quantities:
            shown = _show(name) if isinstance(name, str) else _typed(name)
            problems.add(loc + (i,), f"got {shown}; allowed: one of the {allowed}")
        elif name in seen:
            problems.add(loc + (i,), f"got {_show(name)}, already at [{seen[name]}]; "
                                     f"allowed: each quantity once")
        else:
            seen[name] = i
    return None if len(problems) > before else list(raw)


def _parse_groups(raw, metrics: list[str] | None, problems: _Problems) -> list[list[str]] | None:
    """``output.groups``: arrays of recorded metric names, one figure each (None: not given,
    one figure per metric). Names are checked only when the metrics themselves are valid."""
    loc = ("output", "groups")
    allowed = ("a non-empty array of non-empty arrays of recorded metric names, e.g. "
               "[[\"bler\", \"ber\"]] (one figure per inner array)")
    if raw is None:
        return None
    if not isinstance(raw, (list, tuple)) or not raw:
        problems.add(loc, f"got {_typed(raw)}; allowed: {allowed}")
        return None
    recorded = f"one of the recorded metrics {', '.join(metrics)}" if metrics else ""
    before = len(problems)
    groups: list[list[str]] = []
    seen_groups: dict[frozenset, int] = {}
    for i, group in enumerate(raw):
        if not isinstance(group, (list, tuple)) or not group:
            problems.add(loc + (i,), f"got {_typed(group)}; allowed: a non-empty array of "
                                     f"recorded metric names (the curves of one figure)")
            continue
        seen: dict[str, int] = {}
        for j, name in enumerate(group):
            if not isinstance(name, str):
                problems.add(loc + (i, j), f"got {_typed(name)}; allowed: "
                                           f"{recorded or 'a recorded metric name'}")
            elif metrics is not None and name not in metrics:
                problems.add(loc + (i, j), f"got {_show(name)}; allowed: {recorded} "
                                           f"(output.metrics)")
            elif name in seen:
                problems.add(loc + (i, j), f"got {_show(name)}, already at [{seen[name]}]; "
                                           f"allowed: each metric once per group")
            else:
                seen[name] = j
        key = frozenset(seen)
        if len(seen) == len(group):
            if key in seen_groups:
                problems.add(loc + (i,), f"got {_show(list(group))}, the same metrics as "
                                         f"output.groups[{seen_groups[key]}]; allowed: "
                                         f"distinct groups")
            seen_groups.setdefault(key, i)
        groups.append(list(group))
    return None if len(problems) > before else groups


def _parse_predictions(raw, metrics: list[str] | None, problems: _Problems,
                       system: str | None = None) -> list[dict] | None:
    from linksim.systems import prediction_functions
    from linksim.theory import option_rule, prediction_options
    PREDICTIONS = prediction_functions(system)
    loc = ("output", "predictions")
    if raw is None:
        return []
    if not isinstance(raw, (list, tuple)):
        problems.add(loc, f"got {_typed(raw)}; allowed: an array of tables "
                          f"([[output.predictions]] with name = ...)")
        return None
    available = ", ".join(PREDICTIONS) if PREDICTIONS else "none yet"
    before = len(problems)
    out = []
    for i, entry in enumerate(raw):
        ploc = loc + (i,)
        model = problems.validate(_Prediction, entry, ploc, "a table with name = ...")
        if model is None:
            continue
        name = entry["name"]
        fn = None
        if not isinstance(name, str) or name not in PREDICTIONS:
            shown = _show(name) if isinstance(name, str) else _typed(name)
            problems.add(ploc + ("name",), f"got {shown}; allowed: a prediction of "
                                           f"linksim.theory.PREDICTIONS or of the "
                                           f"system ({available})")
        else:
            fn = PREDICTIONS[name]
        for key, value in entry.items():
            if key == "name":
                continue
            bad = _value_problems(value, ploc + (key,))
            problems.extend(bad)
            if key == "metric":
                if metrics is not None and value not in metrics:
                    problems.add(ploc + (key,), f"got {_show(value)}; allowed: one of the "
                                                f"recorded metrics {', '.join(metrics)}")
            elif fn is not None and not bad:
                rule = option_rule(fn, str(key), value)
                if rule is not None:
                    problems.add(ploc + (key,), f"got {_typed(value)}; allowed: {rule}")
        if fn is not None:
            for key, default in (prediction_options(fn) or {}).items():
                if default is inspect.Parameter.empty and key not in entry:
                    problems.add(ploc + (key,), f"missing; allowed: a value for this required "
                                                f"option of {name!r}")
        out.append(dict(entry))
    return None if len(problems) > before else out


# ----------------------------------------------------------------------------- the scenario

@dataclasses.dataclass(frozen=True, eq=False)
class Scenario:
    """A validated scenario (build it with :func:`load_scenario` or :func:`parse_scenario`).

    Treat it as read-only; :meth:`with_seed` makes a copy with another seed.

    Attributes
    ----------
    name, description, system : str
    seed : int or None
        None only for an analysis scenario that gives none (analysis systems draw no random
        numbers; the seed does not enter their hash).
    confidence : float
    params : dict
        The ``[params]`` table as written (system defaults not filled in).
    axes : dict[str, list]
        Sweep axes in file order; ranges expanded (floats; ints when start, stop and step are
        all integers).
    mode : {"cartesian", "zip"}
    stop : linksim.sim.montecarlo.StopRule or None
        None for an analysis scenario.
    metrics : list[str]
        Names of :func:`linksim.systems.metrics_of` the system (simulation) or of the system's
        quantities (analysis).
    x : str
        The axis on the figures' x-axis.
    predictions : list[dict]
        ``{"name": ..., **options}`` each (always empty for an analysis scenario).
    groups : list[list[str]] or None
        ``output.groups``: the metrics drawn together, one figure per group; None for one
        figure per metric.
    series : list[str] or None
        ``output.series``: the sweep axes whose values split the points into curves; None for
        the default (the other axes of a cartesian sweep, none for a zip sweep).
    path : pathlib.Path or None
        The file it was loaded from (not part of :meth:`to_dict` nor of the hash).
    """

    name: str
    description: str
    system: str
    seed: int
    confidence: float
    params: dict
    axes: dict
    mode: str
    stop: Any
    metrics: list
    x: str
    predictions: list
    groups: list | None = None
    series: list | None = None
    path: Path | None = None

    @property
    def kind(self) -> str:
        """The kind of the scenario's system: "simulation" or "analysis"."""
        from linksim.systems import get_system
        return get_system(self.system).kind

    def point_axes(self) -> list[dict]:
        """The axis values of each sweep point, in point order."""
        names = list(self.axes)
        return [dict(zip(names, values)) for _, values in _axis_combos(self.axes, self.mode)]

    def points(self) -> list[dict]:
        """The full system parameters of each sweep point, in point order.

        Cartesian: the product of the axes in file order, last axis fastest; zip: element-wise.
        Each dict is the system's defaults, overridden by ``[params]``, then by the point's
        axis values.
        """
        from linksim.systems import get_system
        spec = get_system(self.system)
        return [spec.complete({**self.params, **axes}) for axes in self.point_axes()]

    @property
    def n_points(self) -> int:
        """Number of sweep points: the common axis length (zip) or the product of lengths."""
        lengths = [len(v) for v in self.axes.values()]
        return lengths[0] if self.mode == "zip" else math.prod(lengths)

    @property
    def hash(self) -> str:
        """SHA-256 (hex) of what is simulated: system, every point's parameters, stopping rule,
        seed (canonical JSON, sorted keys). Name, description, confidence and output do not
        enter it. For an analysis system (deterministic, no stopping rule) only the system and
        the points do, with ``"kind": "analysis"``."""
        if self.kind == "analysis":
            payload = {"kind": "analysis", "system": self.system, "points": self.points()}
        else:
            payload = {"system": self.system, "points": self.points(),
                       "stop": self.stop.to_dict(), "seed": self.seed}
        return hashlib.sha256(_canonical(payload).encode("utf-8")).hexdigest()

    def with_seed(self, seed) -> "Scenario":
        """A copy with root seed ``seed`` (hence another hash, for a simulation scenario; an
        analysis scenario's hash leaves the seed out)."""
        problem = _seed_problem(seed)
        if problem:
            raise ScenarioError([f"seed: {problem}"], self.path)
        return dataclasses.replace(self, seed=int(seed))

    def to_dict(self) -> dict:
        """The normalised scenario as plain JSON-serialisable data, with its ``hash``.

        Keys: the attributes (``axes``, ``mode``, ``metrics``, ``x``, ``predictions`` flat, not
        nested as in the file; ``stop`` as ``StopRule.to_dict()``, None for analysis),
        ``groups`` when given, and ``hash``. An analysis scenario adds ``"kind": "analysis"``
        and ``quantities`` (``{name: {"label", "scale"}}`` of every quantity of its system),
        so that a report rebuilt from the store alone can label its figures.
        :func:`parse_scenario` accepts it back as the same scenario.
        """
        out = {
            "name": self.name, "description": self.description, "system": self.system,
            "seed": self.seed, "confidence": self.confidence,
            "params": json.loads(json.dumps(self.params, allow_nan=False)),
            "axes": {name: list(values) for name, values in self.axes.items()},
            "mode": self.mode, "stop": None if self.stop is None else self.stop.to_dict(),
            "metrics": list(self.metrics), "x": self.x,
            "predictions": json.loads(json.dumps(self.predictions, allow_nan=False)),
        }
        if self.groups is not None:
            out["groups"] = [list(group) for group in self.groups]
        if self.series is not None:
            out["series"] = list(self.series)
        if self.kind == "analysis":
            from linksim.systems import get_system
            out["kind"] = "analysis"
            out["quantities"] = {name: {"label": q.label, "scale": q.scale}
                                 for name, q in get_system(self.system).quantities.items()}
        out["hash"] = self.hash
        return out

    def __eq__(self, other) -> bool:
        if not isinstance(other, Scenario):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(self.hash)

    def __repr__(self) -> str:
        return (f"Scenario(name={self.name!r}, system={self.system!r}, seed={self.seed}, "
                f"axes={list(self.axes)}, mode={self.mode!r}, n_points={self.n_points}, "
                f"hash={self.hash[:12]!r})")


def _from_dict_form(data: Mapping) -> dict:
    """Accept :meth:`Scenario.to_dict` output: flat axes/mode/metrics/x/predictions/groups;
    ``hash``, ``kind`` and ``quantities`` (derived) are dropped, and so are ``seed`` and
    ``stop`` when None (an analysis scenario without them)."""
    flat = {"axes", "mode", "metrics", "x", "predictions", "groups", "series"}
    if not flat & set(data) or "sweep" in data:
        return dict(data)
    out = {k: v for k, v in data.items()
           if k not in flat and k not in ("hash", "kind", "quantities")
           and not (k in ("seed", "stop") and v is None)}
    out["sweep"] = {k: data[k] for k in ("mode", "axes") if k in data}
    output = {k: data[k] for k in ("metrics", "x", "predictions", "groups", "series")
              if k in data}
    if output:
        out["output"] = output
    return out


def parse_scenario(data: Mapping, *, name: str | None = None,
                   _path: Path | None = None) -> Scenario:
    """Validate a scenario given as a dict (the parsed TOML).

    ``name`` is the default scenario name (:func:`load_scenario` passes the file stem); the
    ``name`` field of ``data`` wins. Raises :class:`ScenarioError` listing every problem.
    The output of :meth:`Scenario.to_dict` is accepted back (its ``hash`` is recomputed).
    """
    problems = _Problems()
    if not isinstance(data, Mapping):
        raise ScenarioError([f"scenario: got {_typed(data)}; allowed: a table of scenario "
                             f"fields (system, seed, [params], [sweep], [stop], [output])"], _path)
    deep = _depth_problem(data)
    if deep:
        raise ScenarioError([deep], _path)
    data = _from_dict_form(data)

    top = problems.validate(_Top, data, (), "a table")
    if top is not None:
        system, seed, confidence = top.system, top.seed, top.confidence
        description = top.description
        scenario_name = top.name
    else:  # each field again on its own, so that the rest can still be checked
        system = _try(_check_system, data.get("system"))
        seed = _try(_check_seed, data.get("seed"))
        confidence = _try(_check_confidence, data.get("confidence", DEFAULT_CONFIDENCE))
        description = _try(_check_description, data.get("description", ""))
        scenario_name = _try(_check_name, data["name"]) if "name" in data else None
    kind = _system_kind(system)
    if kind == "simulation":
        if "seed" not in data:
            problems.add("seed", f"missing; allowed: {_Top.model_fields['seed'].description}")
        if data.get("stop") is None:
            problems.add("stop", f"missing; allowed: {_Top.model_fields['stop'].description}")
    elif data.get("stop") is not None:
        problems.add("stop", f"got {_show(data['stop'])}; allowed: no [stop] table (an "
                             f"analysis system has no stopping rule; remove [stop])")
    if "name" not in data:
        if name is None:
            problems.add("name", f"missing; allowed: {_NAME_ALLOWED}")
        else:
            scenario_name = _try(_check_name, name, problems, ("name",))
            if scenario_name is None:
                problems[-1] += " (the default name is the file name without .toml)"

    # [params]
    params = data.get("params")
    if params is None:
        params = {}
    elif not isinstance(params, Mapping):
        problems.add("params", f"got {_typed(params)}; allowed: a table of fixed system "
                               f"parameters")
        params = None
    else:
        bad = [p for key, value in params.items()
               for p in _value_problems(value, ("params", str(key)))]
        problems.extend(bad)
        params = None if bad else {str(k): _plain(v) for k, v in params.items()}

    # [sweep]
    mode = axes = None
    sweep = data.get("sweep")
    if sweep is not None:
        model = problems.validate(_Sweep, sweep, ("sweep",), "a [sweep] table")
        if isinstance(sweep, Mapping):
            mode = model.mode if model is not None else _try(_check_mode,
                                                              sweep.get("mode", "cartesian"))
            if "axes" in sweep:
                axes = _parse_axes(sweep["axes"], mode, problems)
    if axes is not None and params is not None:
        for key in axes:
            if key in params:
                problems.add(("sweep", "axes", key), f"got an axis {key!r} that [params] also "
                             f"sets; allowed: a parameter either in [params] or in [sweep.axes]")
                axes = None
                break

    # [stop]
    stop_rule = None
    raw_stop = data.get("stop")
    if raw_stop is not None and kind == "simulation":
        model = problems.validate(_Stop, raw_stop, ("stop",),
                                  "a [stop] table with max_frame_errors and max_frames")
        if model is not None:
            from linksim.sim.montecarlo import StopRule
            kwargs = {k: v for k, v in model.model_dump().items()
                      if v is not None or k == "max_seconds"}
            try:
                stop_rule = StopRule(**kwargs)
            except (TypeError, ValueError) as exc:
                problems.add("stop", f"got {_show(dict(raw_stop))}; allowed: a valid stopping "
                                     f"rule ({exc})")
            if stop_rule is not None and system is not None:
                from linksim.sim.montecarlo import REQUIRED_COUNTS
                from linksim.systems import get_system
                reported = REQUIRED_COUNTS + tuple(get_system(system).counts)
                if stop_rule.error_count not in reported:
                    problems.add(("stop", "error_count"),
                                 f"got {_show(stop_rule.error_count)}; allowed: a count system "
                                 f"{system!r} reports: {', '.join(reported)}")
                    stop_rule = None

    # [output]
    metrics = x = predictions = groups = series = None
    raw_output = data.get("output")
    if raw_output is None:
        raw_output = {}
    output = problems.validate(_Output, raw_output, ("output",), "an [output] table")
    if output is not None:
        if kind == "analysis":
            metrics = _parse_quantities(output.metrics, system, problems)
            predictions = []
            if output.predictions is not None and output.predictions != []:
                problems.add(("output", "predictions"),
                             f"got {_show(output.predictions)}; allowed: no "
                             f"[[output.predictions]] (an analysis system's quantities are the "
                             f"theory themselves; remove [[output.predictions]])")
                predictions = None
        else:
            metrics = _parse_metrics(output.metrics, system, problems)
            predictions = _parse_predictions(output.predictions, metrics, problems, system)
        groups = _parse_groups(output.groups, metrics, problems)
        if output.x is not None:
            if not isinstance(output.x, str):
                problems.add(("output", "x"), f"got {_typed(output.x)}; allowed: the name of a "
                                              f"sweep axis")
            elif axes is not None and output.x not in axes:
                problems.add(("output", "x"), f"got {_show(output.x)}; allowed: a sweep axis: "
                                              f"{', '.join(axes)}")
            else:
                x = output.x
        elif axes:
            x = next(iter(axes))
        if output.series is not None:
            loc = ("output", "series")
            if not isinstance(output.series, list) or not all(isinstance(a, str)
                                                               for a in output.series):
                problems.add(loc, f"got {_show(output.series)}; allowed: an array of sweep "
                                  f"axis names")
            elif axes is not None:
                bad = [a for a in output.series if a not in axes or a == x]
                if bad or len(set(output.series)) != len(output.series):
                    problems.add(loc, f"got {_show(output.series)}; allowed: distinct sweep "
                                      f"axes other than x: "
                                      f"{', '.join(a for a in axes if a != x)}")
                else:
                    series = list(output.series)

    # every point through the system
    if system is not None and params is not None and axes is not None and mode is not None:
        batch_given = isinstance(raw_stop, Mapping) and "batch_size" in raw_stop
        _check_points(system, params, axes, mode, problems, stop=stop_rule,
                      batch_given=batch_given, predictions=predictions)

    if problems:
        raise ScenarioError(problems, _path)
    return Scenario(name=scenario_name, description=description, system=system, seed=seed,
                    confidence=confidence, params=params, axes=axes, mode=mode,
                    stop=stop_rule, metrics=metrics, x=x, predictions=predictions,
                    groups=groups, series=series, path=_path)


def load_scenario(path) -> Scenario:
    """Read and validate the scenario file ``path`` (TOML). Raises :class:`ScenarioError`."""
    try:
        path = Path(path)
    except TypeError:
        raise ScenarioError([f"path: got {_typed(path)}; allowed: the path of a .toml "
                             f"scenario file"]) from None
    where = str(path)
    if path.suffix.lower() != ".toml":
        raise ScenarioError([f"{where}: got a file named {path.name!r}; allowed: a .toml "
                             f"scenario file"], path)
    allowed = "an existing .toml scenario file"
    try:
        info = path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            got = "a symbolic link loop (the link resolves to itself)"
        elif path.is_symlink():
            try:
                target = f" to {os.readlink(path)!r}"
            except OSError:
                target = ""
            got = f"a broken symbolic link{target}"
        elif exc.errno in (errno.ENOENT, errno.ENOTDIR):
            got = "a path that does not exist"
        else:
            got = f"a path that cannot be examined ({exc.strerror or exc})"
        raise ScenarioError([f"{where}: got {got}; allowed: {allowed}"], path) from None
    except ValueError as exc:       # e.g. an embedded NUL byte
        raise ScenarioError([f"{where}: got an invalid path ({exc}); allowed: {allowed}"],
                            path) from None
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError([f"{where}: got a directory or special file; allowed: a .toml "
                             f"scenario file"], path)
    if info.st_size > MAX_FILE_BYTES:
        raise ScenarioError([f"{where}: got a file of {info.st_size} bytes; allowed: a scenario "
                             f"file of at most {MAX_FILE_BYTES} bytes"], path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ScenarioError([f"{where}: cannot be read ({exc.strerror or exc}); allowed: a "
                             f"readable .toml scenario file"], path) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError([f"{where}: got bytes that are not UTF-8 text (at byte "
                             f"{exc.start}); allowed: a UTF-8 TOML file"], path) from None
    # A byte-order mark (editors on Windows write one) is not TOML; it carries no meaning in
    # UTF-8, so it is dropped rather than reported as "Invalid statement" at line 1.
    text = text.removeprefix("\ufeff")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([f"{where}: got invalid TOML: {exc}; allowed: a TOML file "
                             f"(https://toml.io)"], path) from None
    except RecursionError:
        raise ScenarioError([f"{where}: got arrays or inline tables nested too deeply for the "
                             f"TOML parser; allowed: at most {MAX_DEPTH} levels of nesting"],
                            path) from None
    except ValueError as exc:       # an integer literal of more than 4300 digits
        reason = str(exc).split(":")[0].split(";")[0]
        raise ScenarioError([f"{where}: got a value the TOML parser cannot read ({reason}); "
                             f"allowed: numbers of at most 64 bits (integers within "
                             f"+-2**63)"], path) from None
    return parse_scenario(data, name=path.stem, _path=path)
