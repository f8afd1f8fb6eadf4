"""Reading a scenario: :func:`load_scenario` (a TOML file) and :func:`parse_scenario` (a dict:
the parsed TOML, or :meth:`Scenario.to_dict` output), in small steps: the top-level fields,
``[params]``, ``[sweep]``, ``[stop]``, ``[output]``, then every point through its system."""

from __future__ import annotations

import errno
import os
import stat
import tomllib
from pathlib import Path
from typing import Mapping, NamedTuple

from linksim.scenario.fields import (DEFAULT_CONFIDENCE, _NAME_ALLOWED, ScenarioError,
                                     _check_confidence, _check_description, _check_name,
                                     _check_seed, _check_system, _loc, _Problems, _show, _try,
                                     _typed, _value_problems)
from linksim.scenario.model import Scenario
from linksim.scenario.output import _parse_output
from linksim.scenario.points import _check_points
from linksim.scenario.sections import _Stop, _Top
from linksim.scenario.sweep import _parse_sweep, _plain

#: Most levels of arrays and tables nested in one another (the file's top table is level 0).
#: A scenario needs a handful; deeper nesting is rejected before the checks (which recurse),
#: and Python's TOML parser itself fails (RecursionError) a few hundred levels down.
MAX_DEPTH = 32
#: Largest scenario file read (a scenario is a few kB; this stops a mistyped path to a data
#: file from being read whole).
MAX_FILE_BYTES = 16 * 2**20


# ----------------------------------------------------------------------------- parse_scenario

def parse_scenario(data: Mapping, *, name: str | None = None,
                   _path: Path | None = None) -> Scenario:
    """Validate a scenario given as a dict (the parsed TOML).

    ``name`` is the default scenario name (:func:`load_scenario` passes the file stem); the
    ``name`` field of ``data`` wins. Raises :class:`ScenarioError` listing every problem.
    The output of :meth:`Scenario.to_dict` is accepted back (its ``hash`` is recomputed).
    """
    data = _checked_table(data, _path)
    problems = _Problems()
    top = _parse_top(data, problems)
    kind = _system_kind(top.system)
    _check_kind_fields(data, kind, problems)
    if "name" not in data:
        top = top._replace(name=_default_name(name, problems))
    params = _parse_params(data.get("params"), problems)
    mode, axes = _parse_sweep(data.get("sweep"), params, problems)
    stop = _parse_stop(data.get("stop"), kind, top.system, problems)
    output = _parse_output(data.get("output"), kind, top.system, axes, problems)
    if top.system is not None and params is not None and axes is not None and mode is not None:
        raw_stop = data.get("stop")
        batch_given = isinstance(raw_stop, Mapping) and "batch_size" in raw_stop
        _check_points(top.system, params, axes, mode, problems, stop=stop,
                      batch_given=batch_given, predictions=output.predictions)
    if problems:
        raise ScenarioError(problems, _path)
    return Scenario(name=top.name, description=top.description, system=top.system,
                    seed=top.seed, confidence=top.confidence, params=params, axes=axes,
                    mode=mode, stop=stop, metrics=output.metrics, x=output.x,
                    predictions=output.predictions, groups=output.groups,
                    series=output.series, path=_path)


def _checked_table(data, path: Path | None) -> dict:
    """``data`` as a table of scenario fields (the dict form unfolded); raises
    :class:`ScenarioError` when it is no table or is nested too deeply to check."""
    if not isinstance(data, Mapping):
        raise ScenarioError([f"scenario: got {_typed(data)}; allowed: a table of scenario "
                             f"fields (system, seed, [params], [sweep], [stop], [output])"], path)
    deep = _depth_problem(data)
    if deep:
        raise ScenarioError([deep], path)
    return _from_dict_form(data)


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


class _TopFields(NamedTuple):
    """The top-level fields; each None when it has problems."""

    name: str | None
    description: str | None
    system: str | None
    seed: int | None
    confidence: float | None


def _parse_top(data: Mapping, problems: _Problems) -> _TopFields:
    """The top-level fields (tables are checked by the other steps)."""
    top = problems.validate(_Top, data, (), "a table")
    if top is not None:
        return _TopFields(name=top.name, description=top.description, system=top.system,
                          seed=top.seed, confidence=top.confidence)
    # each field again on its own, so that the rest can still be checked
    return _TopFields(
        system=_try(_check_system, data.get("system")),
        seed=_try(_check_seed, data.get("seed")),
        confidence=_try(_check_confidence, data.get("confidence", DEFAULT_CONFIDENCE)),
        description=_try(_check_description, data.get("description", "")),
        name=_try(_check_name, data["name"]) if "name" in data else None)


def _system_kind(system: str | None) -> str:
    """The kind of system ``system`` ("simulation" or "analysis"); "simulation" when the system
    is unknown (so that a scenario with a bad ``system`` is still checked as before)."""
    if system is None:
        return "simulation"
    from linksim.systems import get_system
    return get_system(system).kind


def _check_kind_fields(data: Mapping, kind: str, problems: _Problems) -> None:
    """A simulation needs ``seed`` and ``[stop]``; an analysis has no ``[stop]``."""
    if kind == "simulation":
        if "seed" not in data:
            problems.add("seed", f"missing; allowed: {_Top.model_fields['seed'].description}")
        if data.get("stop") is None:
            problems.add("stop", f"missing; allowed: {_Top.model_fields['stop'].description}")
    elif data.get("stop") is not None:
        problems.add("stop", f"got {_show(data['stop'])}; allowed: no [stop] table (an "
                             f"analysis system has no stopping rule; remove [stop])")


def _default_name(name: str | None, problems: _Problems) -> str | None:
    """The scenario's name when the data gives none: ``name`` (the file stem), checked."""
    if name is None:
        problems.add("name", f"missing; allowed: {_NAME_ALLOWED}")
        return None
    scenario_name = _try(_check_name, name, problems, ("name",))
    if scenario_name is None:
        problems[-1] += " (the default name is the file name without .toml)"
    return scenario_name


def _parse_params(params, problems: _Problems) -> dict | None:
    """``[params]`` (None: not given, no fixed parameters) with plain values; None when it
    has problems. Names are checked against the system with the points."""
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        problems.add("params", f"got {_typed(params)}; allowed: a table of fixed system "
                               f"parameters")
        return None
    bad = [p for key, value in params.items()
           for p in _value_problems(value, ("params", str(key)))]
    problems.extend(bad)
    return None if bad else {str(k): _plain(v) for k, v in params.items()}


def _parse_stop(raw_stop, kind: str, system: str | None, problems: _Problems):
    """``[stop]`` of a simulation as a :class:`linksim.sim.montecarlo.StopRule` (None: not
    given, an analysis scenario, or problems)."""
    if raw_stop is None or kind != "simulation":
        return None
    model = problems.validate(_Stop, raw_stop, ("stop",),
                              "a [stop] table with max_frame_errors and max_frames")
    if model is None:
        return None
    from linksim.sim.montecarlo import StopRule
    kwargs = {k: v for k, v in model.model_dump().items()
              if v is not None or k == "max_seconds"}
    try:
        stop_rule = StopRule(**kwargs)
    except (TypeError, ValueError) as exc:
        problems.add("stop", f"got {_show(dict(raw_stop))}; allowed: a valid stopping "
                             f"rule ({exc})")
        return None
    return stop_rule if system is None else _check_error_count(stop_rule, system, problems)


def _check_error_count(stop_rule, system: str, problems: _Problems):
    """``stop_rule``, or None when its ``error_count`` is no count the system reports."""
    from linksim.sim.montecarlo import REQUIRED_COUNTS
    from linksim.systems import get_system
    reported = REQUIRED_COUNTS + tuple(get_system(system).counts)
    if any(name not in reported for name in stop_rule.error_counts):
        problems.add(("stop", "error_count"),
                     f"got {_show(stop_rule.error_count)}; allowed: a count system "
                     f"{system!r} reports: {', '.join(reported)}")
        return None
    return stop_rule


# ----------------------------------------------------------------------------- load_scenario

def load_scenario(path) -> Scenario:
    """Read and validate the scenario file ``path`` (TOML). Raises :class:`ScenarioError`."""
    try:
        path = Path(path)
    except TypeError:
        raise ScenarioError([f"path: got {_typed(path)}; allowed: the path of a .toml "
                             f"scenario file"]) from None
    _check_file(path)
    data = _parse_toml(_read_text(path), path)
    return parse_scenario(data, name=path.stem, _path=path)


def _check_file(path: Path) -> None:
    """Raise :class:`ScenarioError` unless ``path`` is a regular .toml file of at most
    :data:`MAX_FILE_BYTES` bytes."""
    where = str(path)
    if path.suffix.lower() != ".toml":
        raise ScenarioError([f"{where}: got a file named {path.name!r}; allowed: a .toml "
                             f"scenario file"], path)
    allowed = "an existing .toml scenario file"
    try:
        info = path.stat()
    except OSError as exc:
        raise ScenarioError([f"{where}: got {_stat_failure(path, exc)}; allowed: {allowed}"],
                            path) from None
    except ValueError as exc:       # e.g. an embedded NUL byte
        raise ScenarioError([f"{where}: got an invalid path ({exc}); allowed: {allowed}"],
                            path) from None
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError([f"{where}: got a directory or special file; allowed: a .toml "
                             f"scenario file"], path)
    if info.st_size > MAX_FILE_BYTES:
        raise ScenarioError([f"{where}: got a file of {info.st_size} bytes; allowed: a scenario "
                             f"file of at most {MAX_FILE_BYTES} bytes"], path)


def _stat_failure(path: Path, exc: OSError) -> str:
    """What ``path`` is, given that ``stat`` failed with ``exc``."""
    if exc.errno == errno.ELOOP:
        return "a symbolic link loop (the link resolves to itself)"
    if path.is_symlink():
        try:
            target = f" to {os.readlink(path)!r}"
        except OSError:
            target = ""
        return f"a broken symbolic link{target}"
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return "a path that does not exist"
    return f"a path that cannot be examined ({exc.strerror or exc})"


def _read_text(path: Path) -> str:
    """The file as UTF-8 text, without a leading byte-order mark."""
    where = str(path)
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
    return text.removeprefix("\ufeff")


def _parse_toml(text: str, path: Path) -> dict:
    """``text`` parsed as TOML; the parser's failures as :class:`ScenarioError`."""
    where = str(path)
    try:
        return tomllib.loads(text)
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
