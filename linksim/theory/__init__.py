"""Analytical results that measured rates are held against (finite blocklength, secrecy), and
the calling convention of a prediction.

A prediction is a callable ``(point_params: dict, **options)`` returning the predicted
probability at a point, either a float or ``{"value": float, "kind": "estimate" |
"lower_bound" | "upper_bound"}``. Each system declares its own (``SystemSpec.predictions``,
e.g. :mod:`linksim.systems.coded_link.analysis`); the evaluation puts one beside the measured
rate with a verdict (:mod:`linksim.validate`), and the report draws it as a curve.

A scenario's predictions are validated with the scenario, before anything runs
(:func:`prediction_options`, :func:`check_prediction`): its options against the callable's
keyword parameters (names and the types of their defaults), and the prediction at every sweep
point. A prediction that is costly to evaluate (a root search over the metaconverse) has a
cheap applicability check (``SystemSpec.prediction_checks``); any other is evaluated at each
point.
"""

from __future__ import annotations

import functools
import inspect
import numbers
from typing import Any, Callable, Mapping

__all__ = ["prediction_options", "option_rule", "check_prediction"]


def _base(fn):
    """The function under ``functools.partial`` layers, and the keywords they bind."""
    bound: dict[str, Any] = {}
    while isinstance(fn, functools.partial):
        bound = {**fn.keywords, **bound}
        fn = fn.func
    return fn, bound


def prediction_options(fn) -> dict[str, Any] | None:
    """The options a prediction callable takes: ``{name: default}`` of its keyword parameters
    after the point's parameters (keywords a ``functools.partial`` binds are not options;
    ``inspect.Parameter.empty`` for one without a default), or None when it takes ``**kwargs``
    (any option)."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    _, bound = _base(fn)
    params = list(signature.parameters.values())
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return None
    return {p.name: p.default for p in params[1:]
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name not in bound}


def _type_of_default(default) -> tuple[str, Callable[[Any], bool]] | None:
    """(what is allowed, test) for an option whose default is ``default``; None: any value."""
    if isinstance(default, bool):
        return "a boolean (true or false)", lambda v: isinstance(v, bool)
    if isinstance(default, numbers.Integral):
        return "an integer", lambda v: isinstance(v, numbers.Integral) and not isinstance(v, bool)
    if isinstance(default, numbers.Real):
        return "a number", lambda v: isinstance(v, numbers.Real) and not isinstance(v, bool)
    if isinstance(default, str):
        return "a string", lambda v: isinstance(v, str)
    return None


def option_rule(fn, name: str, value) -> str | None:
    """None when ``value`` may be option ``name`` of prediction ``fn``, else what is allowed
    (for a ``"got ...; allowed: ..."`` line). Unknown names and values of another type than the
    option's default are refused; the callable checks the values themselves."""
    options = prediction_options(fn)
    if options is None:
        return None
    if name not in options:
        known = ", ".join(options) if options else "none but metric"
        return f"the options of this prediction: {known}" + (" (and metric)" if options else "")
    rule = _type_of_default(options[name])
    if rule is not None and not rule[1](value):
        return f"{rule[0]}, the type of the option's default {options[name]!r}"
    return None


def check_prediction(fn, params: Mapping[str, Any], options: Mapping[str, Any],
                     check: Callable[..., None] | None = None) -> None:
    """Raise ``ValueError``/``TypeError`` (message ``"param: got ...; allowed: ..."`` where the
    callable words it so) when prediction ``fn`` cannot be evaluated at the point ``params``
    with ``options``: its applicability ``check`` where it has one, else the prediction
    itself, whose value must be a number or a ``{"value": number, ...}`` table."""
    if check is not None:
        check(dict(params), **options)
        return
    value = fn(dict(params), **options)
    number = value.get("value") if isinstance(value, Mapping) else value
    if isinstance(number, bool) or not isinstance(number, numbers.Real):
        raise TypeError(f"prediction: returned {value!r}; allowed: a number or a table with a "
                        f"numeric 'value'")
