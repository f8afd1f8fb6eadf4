"""The sweep: ``[sweep]`` parsed (mode, axes; ranges expanded), its points enumerated
(cartesian or zip), and the canonical JSON that identifies a point.

Axes are checked for what makes a sweep unusable as a whole: values that are not strings,
booleans or finite numbers, empty or oversized axes, zip axes of unequal lengths, more than
:data:`MAX_POINTS` points, and repeated values or points. Whether the system accepts each point
is :mod:`linksim.scenario.points`' concern.
"""

from __future__ import annotations

import itertools
import math
import numbers
from typing import Mapping

from linksim.canonical import canonical_json
from linksim.scenario.fields import (_Problems, _check_mode, _float, _is_real, _scalar_problem,
                                     _show, _try, _typed)
from linksim.scenario.sections import _Range, _Sweep

#: Most values one range table may expand to.
MAX_AXIS_VALUES = 10_000
#: Most points a sweep may have (all axes together).
MAX_POINTS = 10_000

_AXES_LOC = ("sweep", "axes")
_AXES_ALLOWED = ("a table of at least one axis: name = [values] or "
                 "name = {start = ..., stop = ..., step = ...}")


# ----------------------------------------------------------------------------- values

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


def _canonical(obj) -> str:
    return canonical_json(obj, strict=True)


# ----------------------------------------------------------------------------- sweep axes

def _parse_sweep(sweep, params: dict | None,
                 problems: _Problems) -> tuple[str | None, dict[str, list] | None]:
    """``[sweep]`` as (mode, axes), each None when it has problems (recorded). ``params``: the
    valid ``[params]`` table (or None), which may not set an axis too."""
    mode = axes = None
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
    return mode, axes


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
    if not isinstance(raw, Mapping):
        problems.add(_AXES_LOC, f"got {_typed(raw)}; allowed: {_AXES_ALLOWED}")
        return None
    if not raw:
        problems.add(_AXES_LOC, f"got no axes; allowed: {_AXES_ALLOWED}")
        return None
    before = len(problems)
    axes: dict[str, list] = {}
    for name, spec in raw.items():
        values = _axis_values(spec, _AXES_LOC + (str(name),), problems)
        if values is not None:
            axes[str(name)] = values
    if len(problems) > before or not _check_point_count(axes, mode, problems):
        return None
    _check_distinct(axes, mode, problems)
    return None if len(problems) > before else axes


def _axis_values(spec, aloc: tuple, problems: _Problems) -> list | None:
    """One axis (an array of values or a range table) as a list; None for an empty array, a
    bad range or a bad kind of axis (problems recorded; an array's bad values are recorded
    and left out of the list)."""
    if isinstance(spec, (list, tuple)):
        if not spec:
            problems.add(aloc, "got [] (an empty array); allowed: a non-empty array of "
                               "values, or a range {start = ..., stop = ..., step = ...}")
            return None
        values = []
        for i, value in enumerate(spec):
            problem = _scalar_problem(value)
            if problem:
                problems.add(aloc + (i,), problem)
            else:
                values.append(_plain(value))
        return values
    if isinstance(spec, Mapping):
        rng = problems.validate(_Range, spec, aloc, "a range table")
        return None if rng is None else _range_values(rng, aloc, problems)
    problems.add(aloc, f"got {_typed(spec)}; allowed: a non-empty array of values, "
                       f"or a range {{start = ..., stop = ..., step = ...}}")
    return None


def _check_point_count(axes: dict[str, list], mode: str | None, problems: _Problems) -> bool:
    """Whether zip axes have equal lengths and the sweep at most :data:`MAX_POINTS` points
    (False: the problems are recorded)."""
    names = list(axes)
    lengths = {name: len(values) for name, values in axes.items()}
    if mode == "zip":
        first = names[0]
        unequal = [name for name in names[1:] if lengths[name] != lengths[first]]
        for name in unequal:
            problems.add(_AXES_LOC + (name,), f"got {lengths[name]} values; allowed: "
                         f"{lengths[first]} values, as many as the first axis {first!r} "
                         f"(mode \"zip\" pairs the axes element by element)")
        if unequal:
            return False
        n_points = lengths[first]
    else:
        n_points = math.prod(lengths.values())
    if n_points > MAX_POINTS:
        sizes = " x ".join(f"{lengths[n]} ({n})" for n in names)
        problems.add(_AXES_LOC, f"got {sizes} = {n_points} points; allowed: at most "
                                f"{MAX_POINTS} points per scenario")
        return False
    return True


def _check_distinct(axes: dict[str, list], mode: str | None, problems: _Problems) -> None:
    """Record each repeated point (zip) or repeated value of an axis (cartesian)."""
    names = list(axes)
    if mode == "zip":
        seen: dict = {}
        for index, combo in enumerate(zip(*axes.values())):
            key = tuple(_number_key(v) for v in combo)
            if key in seen:
                point = ", ".join(f"{n} = {_show(v)}" for n, v in zip(names, combo))
                problems.add(_AXES_LOC, f"got point {index} ({point}) equal to point "
                                        f"{seen[key]}; allowed: distinct points")
            else:
                seen[key] = index
        return
    for name, values in axes.items():
        seen = {}
        for index, value in enumerate(values):
            key = _number_key(value)
            if key in seen:
                problems.add(_AXES_LOC + (name, index),
                             f"got {_show(value)}, already at [{seen[key]}]; allowed: "
                             f"distinct values (a repeated value repeats sweep points)")
            else:
                seen[key] = index


# ----------------------------------------------------------------------------- sweep points

def _axis_combos(axes: Mapping[str, list], mode: str):
    """(indices, values) of each point: indices[i] is the position in axis i of its value."""
    lists = list(axes.values())
    if mode == "zip":
        for index in range(len(lists[0])):
            yield (index,) * len(lists), tuple(values[index] for values in lists)
    else:
        for indices in itertools.product(*(range(len(v)) for v in lists)):
            yield indices, tuple(values[i] for values, i in zip(lists, indices))
