"""Metrics a scenario can record: each one a function of a point's summed integer counts.

A *rate* is ``numerator / denominator`` of two counts, reported with a confidence interval whose
method depends on what the denominator counts (:mod:`linksim.sim.stats`):

* frames (or frames with some property): independent trials, the exact Clopper-Pearson
  interval (``interval_method = "clopper-pearson"``);
* units inside frames (bits): clustered, the Korn-Graubard interval with frames as clusters
  (``interval_method = "korn-graubard"``). It needs ``cluster_sq``, the count holding the sum
  over frames of the per-frame numerator squared (``bit_errors_sq``), and assumes every frame
  of a point carries the same number of units (true of every system here: the payload size is a
  parameter). A point whose counts lack ``cluster_sq`` (a system that does not report it, a
  store written before it existed) gets no interval rather than a wrong one.

A *mean* is a per-frame average (no interval).

:data:`METRICS` holds the generic metrics every simulation system may record (over the counts
the engine requires, and the usual decoder counts); a system adds its own
(``SystemSpec.metrics``), and a scenario's metrics are looked up in the union
(:func:`linksim.systems.metrics_of`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from linksim.sim.stats import clopper_pearson, clustered_interval

__all__ = ["Metric", "METRICS", "INTERVAL_METHODS", "compute_metrics", "rate_interval",
           "bit_error_counts"]

#: How each interval method reads in the report.
INTERVAL_METHODS = {
    "clopper-pearson": "exact Clopper-Pearson (frames are independent trials)",
    "korn-graubard": "Korn-Graubard with frames as clusters (per-frame sums of squares), "
                     "since the units of one frame are not independent",
}


@dataclass(frozen=True)
class Metric:
    """``numerator / denominator`` of two counts; ``kind`` "rate" (with CI) or "mean".

    ``cluster_sq`` names the count of per-frame squared numerators for a rate whose unit is not
    the frame (module docstring); None for rates over frames.
    """

    name: str
    numerator: str
    denominator: str
    kind: str
    label: str
    cluster_sq: str | None = None

    @property
    def interval_method(self) -> str | None:
        """A key of :data:`INTERVAL_METHODS`, or None for a mean."""
        if self.kind != "rate":
            return None
        return "clopper-pearson" if self.cluster_sq is None else "korn-graubard"


METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("bler", "frame_errors", "frames", "rate", "BLER"),
    Metric("ber", "bit_errors", "bits", "rate", "BER", cluster_sq="bit_errors_sq"),
    Metric("avg_iterations", "iterations", "frames", "mean", "average BP iterations"),
    Metric("crc_failure_rate", "crc_failures", "frames", "rate", "CRC failure rate"),
    Metric("undetected_error_rate", "undetected_errors", "frames", "rate", "undetected error rate"),
)}


def bit_error_counts(wrong) -> dict[str, int]:
    """``{"bit_errors": sum_i y_i, "bit_errors_sq": sum_i y_i^2}`` of a batch, where
    ``wrong`` is a bool array ``[frames, bits]`` (True where a decided bit is wrong) and y_i the
    bit errors of frame i: what a system returns for BER and its clustered interval."""
    per_frame = np.count_nonzero(np.asarray(wrong), axis=-1).astype(np.int64)
    return {"bit_errors": int(per_frame.sum()),
            "bit_errors_sq": int(np.dot(per_frame, per_frame))}


def rate_interval(metric: Metric, counts: Mapping[str, int], confidence: float = 0.95
                  ) -> list[float] | None:
    """The two-sided interval of rate ``metric`` at ``counts``: ``[lo, hi]``, or None where the
    counts cannot give a valid one (no denominator; a clustered rate without its per-frame
    sums of squares)."""
    num, den = counts.get(metric.numerator), counts.get(metric.denominator)
    if num is None or not den:
        return None
    if metric.cluster_sq is None:
        return list(clopper_pearson(num, den, confidence))
    sum_sq, frames = counts.get(metric.cluster_sq), counts.get("frames")
    if sum_sq is None or not frames:
        return None
    return list(clustered_interval(num, den, sum_sq, frames, confidence))


def compute_metrics(counts: Mapping[str, int], names, confidence: float = 0.95,
                    table: Mapping[str, Metric] | None = None) -> dict:
    """``{name: {"value": float | None, "ci": [lo, hi] | None}}`` for the metrics ``names``,
    looked up in ``table`` (default :data:`METRICS`; a system's own metrics come with
    :func:`linksim.systems.metrics_of`).

    A metric whose counts the system did not report, or whose denominator is 0, gets
    ``value = None``; a rate's interval is :func:`rate_interval`.
    """
    table = METRICS if table is None else table
    out = {}
    for name in names:
        metric = table[name]
        num, den = counts.get(metric.numerator), counts.get(metric.denominator)
        if num is None or den is None or den == 0:
            out[name] = {"value": None, "ci": None}
            continue
        value = num / den
        ci = rate_interval(metric, counts, confidence) if metric.kind == "rate" else None
        out[name] = {"value": value if math.isfinite(value) else None, "ci": ci}
    return out
