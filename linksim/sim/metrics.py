"""Metrics a scenario can record: each one a function of a point's summed integer counts.

A *rate* is ``numerator / denominator`` of two counts, a binomial proportion reported with its
Clopper-Pearson interval; a *mean* is a per-frame average (no interval).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

from linksim.sim.stats import clopper_pearson

__all__ = ["Metric", "METRICS", "compute_metrics"]


@dataclass(frozen=True)
class Metric:
    """``numerator / denominator`` of two counts; ``kind`` "rate" (with CI) or "mean"."""

    name: str
    numerator: str
    denominator: str
    kind: str
    label: str


METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("bler", "frame_errors", "frames", "rate", "BLER"),
    Metric("ber", "bit_errors", "bits", "rate", "BER"),
    Metric("avg_iterations", "iterations", "frames", "mean", "average BP iterations"),
    Metric("crc_failure_rate", "crc_failures", "frames", "rate", "CRC failure rate"),
    Metric("undetected_error_rate", "undetected_errors", "frames", "rate", "undetected error rate"),
)}


def compute_metrics(counts: Mapping[str, int], names, confidence: float = 0.95) -> dict:
    """``{name: {"value": float | None, "ci": [lo, hi] | None}}`` for the metrics ``names``.

    A metric whose counts the system did not report, or whose denominator is 0, gets
    ``value = None``.
    """
    out = {}
    for name in names:
        metric = METRICS[name]
        num, den = counts.get(metric.numerator), counts.get(metric.denominator)
        if num is None or den is None or den == 0:
            out[name] = {"value": None, "ci": None}
            continue
        value = num / den
        ci = list(clopper_pearson(num, den, confidence)) if metric.kind == "rate" else None
        out[name] = {"value": value if math.isfinite(value) else None, "ci": ci}
    return out
