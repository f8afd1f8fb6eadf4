"""How the names and values of a run read in its outputs: labels, kinds, scales and interval
methods of metrics and analysis quantities, labels of sweep axes (mathtext for figures, HTML
for tables), of prediction kinds and of stopping criteria, and the short text of a value.

Every lookup table of the report lives here, private; the other modules of
:mod:`linksim.report` get a label only through the functions below. Metrics come from the
scenario's system (:func:`linksim.systems.metrics_of`, looked up lazily), analysis quantities
from the scenario's ``quantities`` or the registered system.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

__all__ = [
    "format_value",
    "axis_label",
    "axis_html",
    "MetricInfo",
    "system_metrics",
    "metric_info",
    "metric_label",
    "metric_kind",
    "rate_metrics",
    "interval_methods",
    "prediction_kind_suffix",
    "prediction_kind_prefix",
    "stop_label",
]

#: Axis labels (matplotlib mathtext) of common sweep names, for axes the scenario's system
#: does not label itself (its parameter schema comes first: :func:`axis_label`).
_AXIS_LABELS: dict[str, str] = {
    "esno_db": r"$E_s/N_0$ (dB)",
    "snr_db": "SNR (dB)",
    "snr": "SNR (linear)",
    "n_real": r"block length $n$ (real channel uses)",
    "rate": "rate (bits per channel use)",
    "code_rate": r"code rate $k/n$",
    "point": "sweep point",
}

#: Column headings (HTML) of common sweep names (after the system's own: :func:`axis_html`).
_AXIS_HTML = {
    "esno_db": "E<sub>s</sub>/N<sub>0</sub> (dB)",
    "snr_db": "SNR (dB)",
}

#: Prediction kinds and how they read in a legend.
_KIND_SUFFIX = {"estimate": "", "upper_bound": " (upper bound)", "lower_bound": " (lower bound)"}
#: Prediction kinds and how they read before a predicted value in a table.
_KIND_PREFIX = {"upper_bound": "\u2264 ", "lower_bound": "\u2265 "}

#: Short labels of the stopping criteria in the points table (the raw name is the tooltip).
_STOP_SHORT = {"max_frame_errors": "error target", "max_frames": "frame cap",
               "max_seconds": "time cap"}


# ----------------------------------------------------------------------------- values and axes

def format_value(value: Any) -> str:
    """Short text of a parameter / axis value: ``0.5`` -> ``"0.5"``, ``True`` -> ``"true"``."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return f"{float(value):g}"
    return str(value)


def _schema(system: str | None):
    """The parameter schema of ``system`` (None for no system or an unknown one)."""
    if system is None:
        return None
    from linksim.systems import SYSTEMS
    return SYSTEMS[system].params if system in SYSTEMS else None


def axis_label(name: str | None, system: str | None = None) -> str:
    """Human label (mathtext) of sweep axis ``name``, for figures.

    The label the system's parameter schema declares (:class:`linksim.systems.Param`), else a
    common name's label; an unknown ``<x>_db`` becomes ``"<x> (dB)"``; anything else is
    returned unchanged. ``None`` (no swept axis) gives ``"sweep point"``.
    """
    if name is None:
        return _AXIS_LABELS["point"]
    schema = _schema(system)
    if schema is not None and schema.axis_label(name) is not None:
        return schema.axis_label(name)
    if name in _AXIS_LABELS:
        return _AXIS_LABELS[name]
    if name.endswith("_db") and len(name) > 3:
        return f"{name[:-3]} (dB)"
    return name


def axis_html(name: str, system: str | None = None) -> str | None:
    """HTML column heading (markup, not escaped text) of sweep axis ``name``: the system's
    declared one, else a common name's; ``None`` for an axis without one (tables then show the
    escaped name)."""
    schema = _schema(system)
    if schema is not None and schema.axis_html(name) is not None:
        return schema.axis_html(name)
    return _AXIS_HTML.get(name)


# ----------------------------------------------------------------------------- metrics

@dataclass(frozen=True)
class MetricInfo:
    """How a recorded metric reads and is drawn.

    ``label`` for tables and axes; ``kind`` "rate" (a binomial proportion with its interval),
    "mean" (a per-frame average) or "quantity" (an analysis system's output, no interval);
    ``scale`` "log" or "linear", the y axis of its figures.
    """

    name: str
    label: str
    kind: str
    scale: str


def system_metrics(scenario: Mapping | None) -> dict:
    """The metrics table of a scenario's system (:func:`linksim.systems.metrics_of`)."""
    from linksim.systems import metrics_of
    system = (scenario or {}).get("system")
    return metrics_of(system if isinstance(system, str) else None)


def metric_info(name: str, scenario: Mapping) -> MetricInfo:
    """Resolve a metric name of ``scenario`` (``Scenario.to_dict()``) to its :class:`MetricInfo`.

    Simulation scenarios: the metrics of its system (:func:`linksim.systems.metrics_of`;
    rates are "log", means
    "linear"). Analysis scenarios (``kind = "analysis"``): the system's quantities, from the
    scenario's ``quantities`` (``{name: {"label", "scale"}}``, what the store keeps) or, when
    the dict lacks them, from the registered system. An unknown name raises ``ValueError``
    naming the allowed ones.
    """
    if scenario.get("kind") == "analysis":
        system = scenario.get("system")
        quantities = scenario.get("quantities")
        if not isinstance(quantities, Mapping):
            from linksim.systems import SYSTEMS
            spec = SYSTEMS.get(system) if isinstance(system, str) else None
            quantities = {} if spec is None else {
                n: {"label": q.label, "scale": q.scale} for n, q in spec.quantities.items()}
        entry = quantities.get(name)
        if not isinstance(entry, Mapping):
            raise ValueError(f"metric: got {name!r}; allowed: one of the quantities of system "
                             f"{system!r}: {', '.join(quantities) or '(none)'}")
        scale = entry.get("scale") if entry.get("scale") in ("log", "linear") else "linear"
        return MetricInfo(name, str(entry.get("label") or name), "quantity", scale)
    table = system_metrics(scenario)
    metric = table.get(name)
    if metric is None:
        raise ValueError(f"metric: got {name!r}; allowed: one of {', '.join(table)}")
    return MetricInfo(name, metric.label, metric.kind,
                      "log" if metric.kind == "rate" else "linear")


def metric_label(metric: str, scenario: Mapping) -> str:
    """The label of :func:`metric_info`; the name itself for a name it does not know (a metric
    only the rows carry)."""
    try:
        return metric_info(metric, scenario).label
    except ValueError:
        return metric


def metric_kind(metric: str, scenario: Mapping) -> str:
    """The kind of :func:`metric_info`; "rate" for a name it does not know."""
    try:
        return metric_info(metric, scenario).kind
    except ValueError:
        return "rate"


def rate_metrics(metrics: Sequence[str], scenario: Mapping) -> list[str]:
    """Those of ``metrics`` (in order) that the metrics table of ``scenario``'s system
    (:func:`system_metrics`) declares as rates."""
    table = system_metrics(scenario)
    return [m for m in metrics if m in table and table[m].kind == "rate"]


def interval_methods(metrics: Sequence[str], system: str | None) -> dict[str, str]:
    """``{metric: how its interval is computed}`` for the recorded rates (the report's
    "Intervals" row): frames as independent trials, or frames as clusters for BER."""
    from linksim.sim.metrics import INTERVAL_METHODS
    from linksim.systems import metrics_of
    METRICS = metrics_of(system)
    return {m: INTERVAL_METHODS[METRICS[m].interval_method] for m in metrics
            if m in METRICS and METRICS[m].interval_method is not None}


# ----------------------------------------------------------------------------- predictions, stops

def prediction_kind_suffix(kind: str) -> str:
    """How a prediction kind reads after the prediction's name in a legend: ``""`` for an
    estimate (or an unknown kind), ``" (upper bound)"``, ``" (lower bound)"``."""
    return _KIND_SUFFIX.get(kind, "")


def prediction_kind_prefix(kind: str) -> str:
    """How a prediction kind reads before a predicted value in a table: ``"\u2264 "`` for an
    upper bound, ``"\u2265 "`` for a lower bound, ``""`` otherwise."""
    return _KIND_PREFIX.get(kind, "")


def stop_label(criterion: str) -> str | None:
    """Short label of a stopping criterion (``"max_frames"`` -> ``"frame cap"``); ``None`` for a
    criterion without one."""
    return _STOP_SHORT.get(criterion)
