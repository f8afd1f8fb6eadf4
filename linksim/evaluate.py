"""Evaluation of a study's results: predictions, derived values, verdicts and gaps in dB.

Above the engine (:mod:`linksim.sim.runner`), below the report: it turns a point's counts
(or an analysis point's values) into the report row of :func:`linksim.report.write_outputs`, with
each prediction of the scenario at that point, the system's ``derive`` values, a verdict
(:mod:`linksim.validate`) for each prediction against its metric, and the gaps in dB between
measured and predicted curves.
"""

from __future__ import annotations

import functools
import json
from typing import Mapping

from linksim.canonical import canonical_json
from linksim.sim.metrics import compute_metrics
from linksim.sim.montecarlo import PointTally

__all__ = ["PredictionError", "predictions_of", "check_predictions", "point_row",
           "analysis_row", "with_gaps"]


class PredictionError(Exception):
    """A scenario's prediction that fails at one of its points (raised by
    :func:`check_predictions` before anything is simulated); ``str(exc)`` is one line."""


def check_predictions(record: dict) -> None:
    """Evaluate every prediction at every point of ``record`` (:func:`linksim.study.record`)
    once, before any work: a numerical failure is a one-line :class:`PredictionError` now, not
    a traceback after hours of simulation. The values are cached for the rows."""
    for point, params in enumerate(record["points"]):
        try:
            predictions_of(record["scenario"], params)
        except (ArithmeticError, ValueError, RuntimeError, MemoryError) as exc:
            raise PredictionError(
                f"output.predictions: cannot be evaluated at point {point} "
                f"({', '.join(f'{k}={v}' for k, v in record['axes'][point].items())}): "
                f"{' '.join(str(exc).splitlines())}; nothing was simulated: change the "
                f"prediction or the sweep") from None


def predictions_of(scenario: dict, params: dict) -> dict:
    """``{name: {"value", "kind", "metric"}}``: the scenario's predictions at one point.

    "name" picks the function (the system's own predictions first, then
    :data:`linksim.theory.PREDICTIONS`: :func:`linksim.systems.prediction_function`), "metric"
    the measured rate it is held against (default the first recorded rate, e.g. bler); other
    keys are options.
    """
    return json.loads(_predictions_cached(scenario.get("system"),
                                          json.dumps(scenario.get("predictions", [])),
                                          json.dumps(list(scenario["metrics"])),
                                          canonical_json(params)))


@functools.lru_cache(maxsize=4096)
def _predictions_cached(system: str | None, specs_json: str, metrics_json: str,
                        params_json: str) -> str:
    # Bounds can take a second a point (a root search over the metaconverse): compute once.
    from linksim.systems import metrics_of, prediction_function
    METRICS = metrics_of(system)
    params = json.loads(params_json)
    rates = [m for m in json.loads(metrics_json) if METRICS[m].kind == "rate"]
    out = {}
    for spec in json.loads(specs_json):
        options = {k: v for k, v in spec.items() if k not in ("name", "metric")}
        value = prediction_function(system, spec["name"])(params, **options)
        entry = dict(value) if isinstance(value, dict) else {"value": float(value),
                                                              "kind": "estimate"}
        entry["metric"] = spec.get("metric", rates[0] if rates else None)
        out[spec["name"]] = entry
    return json.dumps(out)


def _verdicts(predictions: dict, counts: dict, confidence: float, system: str | None) -> dict:
    """A :func:`linksim.validate.check` verdict for each prediction against its metric."""
    from linksim.systems import metrics_of
    from linksim.validate import check, check_clustered
    METRICS = metrics_of(system)
    out = {}
    for name, pred in predictions.items():
        metric = METRICS.get(pred.get("metric"))
        if metric is None or metric.kind != "rate" or not counts.get(metric.denominator):
            continue
        if metric.cluster_sq is None:
            v = check(counts[metric.numerator], counts[metric.denominator], pred["value"],
                      kind=pred["kind"], confidence=confidence,
                      predicted_se=pred.get("se", 0.0))
        elif metric.cluster_sq in counts:
            v = check_clustered(counts[metric.numerator], counts[metric.denominator],
                                counts[metric.cluster_sq], counts["frames"], pred["value"],
                                kind=pred["kind"], confidence=confidence)
        else:       # a store without per-frame moments: no valid verdict on a clustered rate
            continue
        out[name] = {"metric": metric.name, "prediction": name, **v.to_dict()}
    return out


def point_row(record: dict, point: int, tally: PointTally, elapsed_s: float) -> dict:
    """The report row of one point (format of :func:`linksim.report.write_outputs`)."""
    from linksim.systems import metrics_of
    scenario = record["scenario"]
    confidence = scenario["confidence"]
    result = tally.result(confidence=confidence, elapsed_s=elapsed_s, seed=scenario["seed"],
                          point_index=point).to_dict()
    params = record["points"][point]
    predictions = predictions_of(scenario, params)
    derived = {}
    derive = _derive_hook(scenario.get("system"))
    if derive is not None and result["counts"].get("frames"):
        # Predictions that need the point's own counts (e.g. a formula fed with the measured
        # component rates) are judged like the others; extra values go to their own columns.
        extra = derive(params, result["counts"])
        predictions = {**predictions, **extra.get("predictions", {})}
        derived = dict(extra.get("values", {}))
    row = {"point": point, "axes": record["axes"][point], "params": params, **result,
           "metrics": compute_metrics(result["counts"], scenario["metrics"], confidence,
                                      metrics_of(scenario.get("system"))),
           "predictions": predictions,
           "verdicts": _verdicts(predictions, result["counts"], confidence,
                                 scenario.get("system"))}
    if derived:
        row["derived"] = derived
    return row


def _derive_hook(system: str | None):
    """The system's ``derive`` hook (:class:`linksim.systems.SystemSpec`), or None."""
    from linksim.systems import SYSTEMS
    if system is None or system not in SYSTEMS:
        return None
    return SYSTEMS[system].derive


def analysis_row(record: dict, point: int, values: Mapping, elapsed_s: float) -> dict:
    """The report row of one evaluated point of an analysis scenario.

    ``{"point", "axes", "params", "metrics": {name: {"value", "ci": None}} (the recorded
    quantities), "values": {every quantity}, "elapsed_s", "predictions": {}, "verdicts": {}}``.
    """
    scenario = record["scenario"]
    return {"point": point, "axes": record["axes"][point], "params": record["points"][point],
            "metrics": {name: {"value": values.get(name), "ci": None}
                        for name in scenario["metrics"]},
            "values": dict(values), "elapsed_s": elapsed_s, "predictions": {}, "verdicts": {}}


def with_gaps(scenario: dict, rows: list[dict]) -> dict:
    """The scenario dict plus "gaps": measured vs predicted curves in dB (for the report)."""
    from linksim.validate import curve_gaps
    gaps = curve_gaps(scenario, rows) if scenario.get("predictions") else []
    return {**scenario, "gaps": gaps} if gaps else scenario
