"""The point rows of a run, as the CSV, the figures and the HTML report read them: their order,
axes, counts, metric and prediction entries, and which metrics, counts, predictions and
verdicts they carry.

Input format
------------
``scenario`` is ``Scenario.to_dict()``: ``name``, ``description``, ``system``, ``seed``,
``confidence``, ``params`` (the fixed parameters), ``axes`` (``{axis: [values]}``), ``mode``,
``stop`` (``max_frame_errors``, ``max_frames``, ``batch_size``, ``first_batch_size``,
``max_seconds``), ``metrics`` (names of :func:`linksim.systems.metrics_of`), ``x`` (the axis
on the horizontal axis of the figures), ``predictions`` and ``hash``.

``rows`` holds one dict per sweep point::

    {"point": int, "axes": {axis: value}, "params": {...},
     "counts": {"frames", "frame_errors", "bits", "bit_errors", extra counts...},
     "frames", "frame_errors", "bits", "bit_errors",
     "metrics": {name: {"value": float | None, "ci": [lo, hi] | None}},
     "predictions": {name: float | {"value": float, "kind": "estimate" | "upper_bound"
                                                           | "lower_bound"}},      # optional
     "verdicts": {metric: {"prediction": name, "verdict": str, "p_value": float}},  # optional
     "stopped_by": str | None, "n_batches": int, "elapsed_s": float, "confidence": float}

An *analysis* scenario (``scenario["kind"] == "analysis"``; its ``metrics`` are quantities
described by ``scenario["quantities"]``, ``stop`` is None) has rows without counts, intervals,
predictions or stopping information (:func:`linksim.evaluate.analysis_row`)::

    {"point": int, "axes": {axis: value}, "params": {...},
     "metrics": {name: {"value": float | int | None, "ci": None}},
     "values": {every quantity: value}, "elapsed_s": float}

Metric labels, kinds and scales come from :func:`linksim.report.labels.metric_info` in both
cases.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Iterable, Mapping, Sequence

from linksim.report.labels import rate_metrics, system_metrics
from linksim.sim.metrics import compute_metrics

__all__ = [
    "prediction_se",
    "predictions_with_se",
    "BASE_COUNTS",
    "is_analysis",
    "sorted_rows",
    "axis_names",
    "row_count",
    "metric_entry",
    "recorded_metrics",
    "extra_counts",
    "verdict_metrics",
    "prediction_entry",
    "prediction_names",
    "kinded_predictions",
    "prediction_metric",
]

#: The four counts every system reports (their own CSV columns, before the metrics).
BASE_COUNTS = ("frames", "frame_errors", "bits", "bit_errors")


def is_analysis(scenario: Mapping) -> bool:
    """Whether ``scenario`` is an analysis scenario (``kind = "analysis"``)."""
    return scenario.get("kind") == "analysis"


# ----------------------------------------------------------------------------- points

def sorted_rows(rows: Iterable[Mapping]) -> list[Mapping]:
    """``rows`` sorted by their ``point`` index (stable; rows without one keep their place)."""
    rows = list(rows)
    return [r for _, r in sorted(enumerate(rows), key=lambda ir: (ir[1].get("point", ir[0]),
                                                                  ir[0]))]


def axis_names(scenario: Mapping, rows: Sequence[Mapping]) -> list[str]:
    """Names of the swept axes: the scenario's ``axes`` order, then any other axis the rows carry
    (sorted)."""
    names = list((scenario.get("axes") or {}).keys())
    extra = sorted({key for r in rows for key in (r.get("axes") or {}) if key not in names})
    return names + extra


def row_count(row: Mapping, key: str) -> int | None:
    """Count ``key`` of a row: the top-level field if present, else ``row["counts"][key]``."""
    if row.get(key) is not None:
        return row[key]
    return (row.get("counts") or {}).get(key)


def extra_counts(rows: Sequence[Mapping]) -> list[str]:
    """Counts beyond the four required ones (sorted), e.g. ``iterations``."""
    return sorted({k for r in rows for k in (r.get("counts") or {}) if k not in BASE_COUNTS})


# ----------------------------------------------------------------------------- metrics

def metric_entry(row: Mapping, metric: str, confidence: float = 0.95,
                 scenario: Mapping | None = None) -> dict:
    """``{"value": float | None, "ci": [lo, hi] | None}`` of ``metric`` at a row.

    Taken from ``row["metrics"]`` when present, otherwise computed from the row's counts with
    :func:`linksim.sim.metrics.compute_metrics` and the metrics of ``scenario``'s system (so
    rows from older runs still plot).
    """
    table = system_metrics(scenario)
    entry = (row.get("metrics") or {}).get(metric)
    if entry is None and metric not in table:      # an analysis quantity the row lacks
        entry = {"value": None, "ci": None}
    if entry is None:
        counts = dict(row.get("counts") or {})
        for key in BASE_COUNTS:
            if key not in counts and row.get(key) is not None:
                counts[key] = row[key]
        entry = compute_metrics(counts, [metric], row.get("confidence", confidence),
                                table)[metric]
    value = entry.get("value")
    value = None if value is None or not math.isfinite(float(value)) else float(value)
    ci = entry.get("ci")
    ci = None if ci is None else [float(ci[0]), float(ci[1])]
    return {"value": value, "ci": ci}


def recorded_metrics(scenario: Mapping, rows: Sequence[Mapping]) -> list[str]:
    """The scenario's metrics in order, then any other metric the rows carry (sorted)."""
    names = [m for m in (scenario.get("metrics") or ()) if isinstance(m, str)]
    extra = sorted({m for r in rows for m in (r.get("metrics") or {}) if m not in names})
    return names + extra


def verdict_metrics(rows: Sequence[Mapping], metrics: Sequence[str]) -> list[str]:
    """The metrics with a verdict at some row: those of ``metrics`` in order, then the others
    (sorted)."""
    present = {m for r in rows for m in (r.get("verdicts") or {})}
    return [m for m in metrics if m in present] + sorted(present - set(metrics))


# ----------------------------------------------------------------------------- predictions

def prediction_entry(raw: Any) -> tuple[float | None, str]:
    """``(value, kind)`` of one prediction, given as a number or ``{"value", "kind"}``.

    ``kind`` is ``"estimate"`` (default), ``"upper_bound"`` or ``"lower_bound"``; a missing or
    non-finite value gives ``None``.
    """
    kind = "estimate"
    value = raw
    if isinstance(raw, Mapping):
        value = raw.get("value")
        kind = str(raw.get("kind") or "estimate")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None, kind
    value = float(value)
    return (value if math.isfinite(value) else None), kind


def prediction_names(scenario: Mapping, rows: Sequence[Mapping]) -> list[str]:
    """Names of the predictions: the scenario's ``predictions`` order, then any other name the
    rows carry (sorted)."""
    names: list[str] = []
    for entry in scenario.get("predictions") or ():
        name = _prediction_spec_name(entry)
        if name is not None and name not in names:
            names.append(name)
    extra = sorted({key for r in rows for key in (r.get("predictions") or {}) if key not in names})
    return names + extra


def kinded_predictions(rows: Sequence[Mapping]) -> set[str]:
    """Prediction names given at least once in the ``{"value", "kind"}`` form."""
    return {name for r in rows for name, raw in (r.get("predictions") or {}).items()
            if isinstance(raw, Mapping)}


def prediction_se(raw: Any) -> float | None:
    """The standard error a prediction carries (``{"value", "kind", "se"}``), else None."""
    se = raw.get("se") if isinstance(raw, Mapping) else None
    if isinstance(se, bool) or not isinstance(se, numbers.Real) or not math.isfinite(se):
        return None
    return float(se)


def predictions_with_se(rows: Sequence[Mapping]) -> set[str]:
    """Prediction names given with a standard error at least once."""
    return {name for r in rows for name, raw in (r.get("predictions") or {}).items()
            if prediction_se(raw) is not None}


def _prediction_spec_name(entry: Any) -> str | None:
    if isinstance(entry, str):
        return entry
    if isinstance(entry, Mapping):
        for key in ("name", "prediction"):
            if isinstance(entry.get(key), str):
                return entry[key]
    return None


def prediction_metric(name: str, scenario: Mapping, rows: Sequence[Mapping]) -> str | None:
    """The metric prediction ``name`` is drawn against.

    In order: the ``metric`` of the scenario's prediction entry of that name; the metric of a
    row verdict that names it; a metric whose name begins the prediction's name (``bler_...``);
    the first rate metric of the scenario (``None`` if it records none).
    """
    for entry in scenario.get("predictions") or ():
        if isinstance(entry, Mapping) and _prediction_spec_name(entry) == name \
                and isinstance(entry.get("metric"), str):
            return entry["metric"]
    for r in rows:
        for key, verdict in (r.get("verdicts") or {}).items():
            if isinstance(verdict, Mapping) and verdict.get("prediction") == name:
                return verdict.get("metric", key)
        entry = (r.get("predictions") or {}).get(name)
        if isinstance(entry, Mapping) and isinstance(entry.get("metric"), str):
            return entry["metric"]
    metrics = list(scenario.get("metrics") or ())
    for metric in metrics:
        if name == metric or name.startswith(metric + "_"):
            return metric
    rates = rate_metrics(metrics, scenario)
    return rates[0] if rates else None
