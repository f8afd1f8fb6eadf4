"""``[output]``: what is recorded and drawn: the metrics (or an analysis system's quantities),
the x axis, the figure groups, the axes splitting points into curves, and the
``[[output.predictions]]`` entries (names and options; each is checked at every point by
:mod:`linksim.scenario.points`)."""

from __future__ import annotations

import inspect
from typing import NamedTuple

from linksim.scenario.fields import _Problems, _show, _typed, _value_problems
from linksim.scenario.sections import _Output, _Prediction

#: Metrics recorded when ``[output] metrics`` is not given.
DEFAULT_METRICS = ("bler", "ber")


class _OutputOptions(NamedTuple):
    """The parsed ``[output]`` table; a field is None when it has problems (or, for
    ``groups`` and ``series``, when not given)."""

    metrics: list[str] | None = None
    x: str | None = None
    predictions: list[dict] | None = None
    groups: list[list[str]] | None = None
    series: list[str] | None = None


def _parse_output(raw, kind: str, system: str | None, axes: dict | None,
                  problems: _Problems) -> _OutputOptions:
    """``[output]`` (None: not given) of a scenario of system ``system`` (``kind``: its kind)
    with sweep axes ``axes`` (None when they have problems)."""
    output = problems.validate(_Output, {} if raw is None else raw, ("output",),
                               "an [output] table")
    if output is None:
        return _OutputOptions()
    if kind == "analysis":
        metrics = _parse_quantities(output.metrics, system, problems)
        predictions = _no_predictions(output.predictions, problems)
    else:
        metrics = _parse_metrics(output.metrics, system, problems)
        predictions = _parse_predictions(output.predictions, metrics, problems, system)
    groups = _parse_groups(output.groups, metrics, problems)
    x = _parse_x(output.x, axes, problems)
    series = _parse_series(output.series, axes, x, problems)
    return _OutputOptions(metrics, x, predictions, groups, series)


def _no_predictions(raw, problems: _Problems) -> list | None:
    """An analysis scenario's predictions: none (``[]``; None after recording a problem)."""
    if raw is not None and raw != []:
        problems.add(("output", "predictions"),
                     f"got {_show(raw)}; allowed: no [[output.predictions]] (an analysis "
                     f"system's quantities are the theory themselves; remove "
                     f"[[output.predictions]])")
        return None
    return []


def _parse_x(raw, axes: dict | None, problems: _Problems) -> str | None:
    """``output.x``: a sweep axis (default: the first axis)."""
    if raw is not None:
        if not isinstance(raw, str):
            problems.add(("output", "x"), f"got {_typed(raw)}; allowed: the name of a "
                                          f"sweep axis")
        elif axes is not None and raw not in axes:
            problems.add(("output", "x"), f"got {_show(raw)}; allowed: a sweep axis: "
                                          f"{', '.join(axes)}")
        else:
            return raw
    elif axes:
        return next(iter(axes))
    return None


def _parse_series(raw, axes: dict | None, x: str | None, problems: _Problems) -> list | None:
    """``output.series``: distinct sweep axes other than ``x`` (None: not given)."""
    if raw is None:
        return None
    loc = ("output", "series")
    if not isinstance(raw, list) or not all(isinstance(a, str) for a in raw):
        problems.add(loc, f"got {_show(raw)}; allowed: an array of sweep axis names")
    elif axes is not None:
        bad = [a for a in raw if a not in axes or a == x]
        if bad or len(set(raw)) != len(raw):
            problems.add(loc, f"got {_show(raw)}; allowed: distinct sweep axes other than x: "
                              f"{', '.join(a for a in axes if a != x)}")
        else:
            return list(raw)
    return None


def _parse_metrics(raw, system: str | None, problems: _Problems) -> list[str] | None:
    """``output.metrics`` of a simulation scenario: metrics of the system whose counts it
    reports (default: :data:`DEFAULT_METRICS`)."""
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
    """``[[output.predictions]]`` of a simulation scenario: ``{"name": ..., **options}``
    each, for predictions of system ``system`` or of :data:`linksim.theory.PREDICTIONS`."""
    from linksim.systems import prediction_functions
    PREDICTIONS = prediction_functions(system)
    loc = ("output", "predictions")
    if raw is None:
        return []
    if not isinstance(raw, (list, tuple)):
        problems.add(loc, f"got {_typed(raw)}; allowed: an array of tables "
                          f"([[output.predictions]] with name = ...)")
        return None
    before = len(problems)
    out = []
    for i, entry in enumerate(raw):
        ploc = loc + (i,)
        model = problems.validate(_Prediction, entry, ploc, "a table with name = ...")
        if model is None:
            continue
        _check_prediction(entry, ploc, PREDICTIONS, metrics, problems)
        out.append(dict(entry))
    return None if len(problems) > before else out


def _check_prediction(entry, ploc: tuple, predictions, metrics: list[str] | None,
                      problems: _Problems) -> None:
    """One ``[[output.predictions]]`` table (at ``ploc``): its name among ``predictions``,
    ``metric`` among the recorded metrics, each option against the prediction's keyword
    parameters, and the required options given."""
    from linksim.theory import option_rule, prediction_options
    name = entry["name"]
    fn = None
    if not isinstance(name, str) or name not in predictions:
        available = ", ".join(predictions) if predictions else "none yet"
        shown = _show(name) if isinstance(name, str) else _typed(name)
        problems.add(ploc + ("name",), f"got {shown}; allowed: a prediction of "
                                       f"linksim.theory.PREDICTIONS or of the "
                                       f"system ({available})")
    else:
        fn = predictions[name]
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
