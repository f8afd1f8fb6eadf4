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
    # Physical layer deception (linksim.systems.pld.link; seed 003). Paper metrics are defined
    # on cipher-on frames; eps_{i,K} is conditioned on the M layer decoded (SIC).
    Metric("r_d", "effective_deceptions", "on_frames", "rate",
           "R_d (Eve deceived, Bob not)"),
    Metric("eps_lf", "lf_events", "on_frames", "rate",
           "eps_LF (Eve perceives or Bob does not)"),
    *(Metric(f"eps_{r}_m", f"{r}_m_failures", "frames", "rate", f"eps_{R},M (M layer not decoded)")
      for r, R in (("bob", "Bob"), ("eve", "Eve"))),
    *(Metric(f"eps_{r}_k", f"{r}_k_failures", f"{r}_k_trials", "rate",
             f"eps_{R},K (K layer not decoded | M decoded)")
      for r, R in (("bob", "Bob"), ("eve", "Eve"))),
    *(Metric(f"{r}_{o}_rate", f"{r}_{o}", "on_frames", "rate", f"{R} {o} (cipher on)")
      for r, R in (("bob", "Bob"), ("eve", "Eve")) for o in ("perceived", "deceived", "lost")),
    *(Metric(f"{r}_m_undetected_rate", f"{r}_m_undetected", "frames", "rate",
             f"{R} M-layer undetected errors") for r, R in (("bob", "Bob"), ("eve", "Eve"))),
    *(Metric(f"{r}_k_undetected_rate", f"{r}_k_undetected", f"{r}_k_trials", "rate",
             f"{R} K-layer undetected errors | M decoded")
      for r, R in (("bob", "Bob"), ("eve", "Eve"))),
    *(Metric(f"{r}_litter_erasure_rate", f"{r}_off_k_erasures", f"{r}_off_k_trials", "rate",
             f"{R} K-layer erasures on litter (cipher off, M decoded)")
      for r, R in (("bob", "Bob"), ("eve", "Eve"))),
    *(Metric(f"{r}_off_wrong_rate", f"{r}_off_wrong", f"{r}_off_k_trials", "rate",
             f"{R} p_hat != p (cipher off, M decoded)")
      for r, R in (("bob", "Bob"), ("eve", "Eve"))),
    *(Metric(f"{r}_perceived_all_rate", f"{r}_perceived_all", "frames", "rate",
             f"{R} perceives p (all frames, both cipher modes)")
      for r, R in (("bob", "Bob"), ("eve", "Eve"))),
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
