"""Every point of a sweep through its system: parameter names, the numerical limits
(:mod:`linksim.scenario.limits`), the system's build of each distinct point, the memory of a
batch and each ``[[output.predictions]]`` entry at every point.

A system's complaint ``k: got ...`` is reported where the bad value was written
(``params.k`` or ``sweep.axes.k[2]``). Building a point (an LDPC code) and checking a
prediction cost, so both are cached per process (:func:`_point_error`,
:func:`_prediction_error`; clear the caches when the systems change).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import numbers
import re
import warnings
from typing import Any

from linksim.scenario.fields import _Problems, _loc, _show
from linksim.scenario.limits import (_limit_error, batch_memory_problem, max_batch_frames,
                                     value_limit)
from linksim.scenario.sweep import _axis_combos, _canonical

#: Point-validation problems listed before the rest are summarised in one line.
MAX_POINT_PROBLEMS = 20

_PARAM_MSG_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*): (.*)", re.S)


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
    from linksim.systems import prediction_check, prediction_function
    from linksim.theory import check_prediction
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check_prediction(prediction_function(system, name), json.loads(params_json),
                             json.loads(options_json), check=prediction_check(system, name))
    except (ValueError, TypeError, ArithmeticError) as exc:
        return str(exc)
    except Exception as exc:  # a bug of the prediction must still surface as a problem
        return f"{type(exc).__name__}: {exc}"
    return None


@dataclasses.dataclass(frozen=True)
class _Context:
    """What the point checks share: the system (name and spec), ``[params]`` and the axes."""

    system: str
    spec: Any
    params: dict
    axes: dict

    @property
    def names(self) -> list[str]:
        return list(self.axes)

    def where(self, name: str, indices) -> str | None:
        """Where parameter ``name`` of the point at ``indices`` was written (or defaulted)."""
        if name in self.axes:
            return _loc("sweep", "axes", name, indices[self.names.index(name)])
        return f"params.{name}" if name in self.spec.params else None


def _check_points(system: str, params: dict, axes: dict, mode: str, problems: _Problems,
                  stop=None, batch_given: bool = True, predictions: list | None = None) -> None:
    """Parameter names against the system, then every distinct point: the numerical limits,
    the system's build, the batch memory (``stop``: the stopping rule of a simulation) and
    each prediction (``predictions``: validated ``[[output.predictions]]`` entries)."""
    from linksim.systems import get_system
    ctx = _Context(system, get_system(system), params, axes)
    if not _check_names(ctx, problems):
        return
    out_of_bounds = _check_value_limits(ctx, problems)
    if out_of_bounds is None:
        return
    good_points, largest = _build_points(ctx, mode, out_of_bounds, problems)
    if stop is not None and largest is not None:
        _check_batch_memory(ctx, stop, largest, batch_given, problems)
    _check_predictions(ctx, predictions, good_points, problems)


def _check_names(ctx: _Context, problems: _Problems) -> bool:
    """Whether every parameter is one of the system's and every required one is given
    (False: the problems are recorded)."""
    from linksim.systems import REQUIRED
    spec, system = ctx.spec, ctx.system
    known = ", ".join(spec.params)
    before = len(problems)
    for where, names in ((("params",), ctx.params), (("sweep", "axes"), ctx.axes)):
        for name in names:
            if name not in spec.params:
                note = ""
                if name in ("backend", "device"):
                    # The Sionna backend exists for the coded link only: Sionna has no BCH
                    # decoder, deceptive cipher, SIC, MIMO precoder or key agreement.
                    note = (" (this system runs on the Numba engine only; the Sionna backend "
                            "is the coded_link system's)")
                problems.add(where + (name,), f"got an unknown parameter of system "
                             f"{system!r}{note}; allowed: {known}")
    for name, default in spec.params.items():
        if default is REQUIRED and name not in ctx.params and name not in ctx.axes:
            required = ", ".join(k for k, v in spec.params.items() if v is REQUIRED)
            problems.add(("params", name), f"missing; allowed: a value in [params] or a sweep "
                         f"axis (system {system!r} requires {required})")
    return len(problems) == before


def _check_value_limits(ctx: _Context, problems: _Problems) -> dict[str, set[int]] | None:
    """The limits on single values, one line per parameter or axis (a range may put many
    values out of bounds). Returns the positions of the out-of-bounds values of each axis
    (the points holding one are not checked further), or None when a ``[params]`` value is
    out of bounds (no point is)."""
    skip_all = False
    for name, value in ctx.params.items():
        problem = value_limit(ctx.system, name, value)
        if problem:
            problems.add(("params", name), problem)
            skip_all = True
    out_of_bounds: dict[str, set[int]] = {}
    for name, values in ctx.axes.items():
        bad = [i for i, v in enumerate(values) if value_limit(ctx.system, name, v)]
        if bad:
            first = value_limit(ctx.system, name, values[bad[0]])
            got, allowed = first.split("; allowed: ", 1)
            more = f" (and {len(bad) - 1} more values of this axis)" if len(bad) > 1 else ""
            problems.add(("sweep", "axes", name, bad[0]), f"{got}{more}; allowed: {allowed}")
            out_of_bounds[name] = set(bad)
    return None if skip_all else out_of_bounds


def _build_points(ctx: _Context, mode: str, out_of_bounds: dict[str, set[int]],
                  problems: _Problems) -> tuple[list, tuple | None]:
    """Each point (but those with an out-of-bounds value) through :func:`_point_error`; one
    line per distinct problem, at most :data:`MAX_POINT_PROBLEMS`. Returns the good points,
    ``(point, indices, values, full_json)`` each, and ``(frame bits, point, values)`` of the
    largest frame (None if no point has frames)."""
    names = ctx.names
    seen: set[str] = set()
    failing = 0
    largest = None          # (frame bits, point, values) of the largest frame
    good_points = []
    for point, (indices, values) in enumerate(_axis_combos(ctx.axes, mode)):
        if any(i in out_of_bounds.get(n, ()) for n, i in zip(names, indices)):
            continue
        full = ctx.spec.complete({**ctx.params, **dict(zip(names, values))})
        full_json = _canonical(full)
        message, bits = _point_error(ctx.system, full_json)
        if message is None:
            good_points.append((point, indices, values, full_json))
            if bits is not None and (largest is None or bits > largest[0]):
                largest = (bits, point, values)
            continue
        line = _point_problem(ctx, message, point, indices, values)
        if line in seen:
            continue
        seen.add(line)
        failing += 1
        if failing <= MAX_POINT_PROBLEMS:
            problems.append(line)
    if failing > MAX_POINT_PROBLEMS:
        problems.append(f"sweep.axes: got {failing - MAX_POINT_PROBLEMS} more failing sweep "
                        f"points (not listed); allowed: parameters the system accepts")
    return good_points, largest


def _point_problem(ctx: _Context, message: str, point: int, indices, values) -> str:
    """The system's complaint about a point, placed where the parameter it names was written
    (or, naming none, at the point)."""
    match = _PARAM_MSG_RE.fullmatch(message)
    if match and (match.group(1) in ctx.axes or match.group(1) in ctx.params):
        return f"{ctx.where(match.group(1), indices)}: {match.group(2)}"
    if match and match.group(1) in ctx.spec.params:
        return (f"params.{match.group(1)}: {match.group(2)} (not set: the system's "
                f"default {_show(ctx.spec.params[match.group(1)])} applies)")
    return f"sweep.axes: at point {point} ({_point_text(ctx.names, values)}): {message}"


def _check_batch_memory(ctx: _Context, stop, largest: tuple, batch_given: bool,
                        problems: _Problems) -> None:
    """A batch, min(batch_size, max_frames) frames of the largest frame, within the memory
    budget (:func:`linksim.scenario.limits.batch_memory_problem`)."""
    bits, point, values = largest
    problem = batch_memory_problem(min(stop.batch_size, stop.max_frames), bits)
    if problem:
        at = f" (point {point}: {_point_text(ctx.names, values)})"
        if max_batch_frames(bits) == 0:
            problems.add("params", problem + at)
        else:
            given = "" if batch_given else " (the default)"
            problems.add(("stop", "batch_size"),
                         f"got {stop.batch_size}{given}, {problem[4:]}{at}")


def _check_predictions(ctx: _Context, predictions: list | None, good_points: list,
                       problems: _Problems) -> None:
    """Each prediction at every good point; one line per prediction: its first failing
    point."""
    for i, entry in enumerate(predictions or []):
        name = entry["name"]
        options = {k: v for k, v in entry.items() if k not in ("name", "metric")}
        options_json = _canonical(options)
        for point, indices, values, full_json in good_points:
            message = _prediction_error(ctx.system, name, options_json, full_json)
            if message is None:
                continue
            problems.append(_prediction_problem(ctx, i, name, message, point, indices,
                                                values))
            break


def _prediction_problem(ctx: _Context, i: int, name, message: str, point: int, indices,
                        values) -> str:
    """Why prediction ``i`` (``name``) fails at a point: at the parameter its complaint
    names, or at the point."""
    ploc = _loc("output", "predictions", i, "name")
    match = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*): got (.*?); allowed: (.*)", message, re.S)
    param_where = ctx.where(match.group(1), indices) if match else None
    if match and param_where:
        default = "" if match.group(1) in ctx.axes or match.group(1) in ctx.params \
            else " (the system's default)"
        return (f"{ploc}: got {_show(name)}, which cannot be evaluated where "
                f"{param_where}{default} = {match.group(2)}; allowed: "
                f"{match.group(1)}: {match.group(3)}")
    return (f"{ploc}: got {_show(name)}, which cannot be evaluated at point "
            f"{point} ({_point_text(ctx.names, values)}): {message}; allowed: "
            f"a prediction that applies at every sweep point")


def _point_text(names, values) -> str:
    return ", ".join(f"{n} = {_show(v)}" for n, v in zip(names, values))
