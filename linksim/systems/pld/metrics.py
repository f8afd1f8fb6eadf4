"""The PLD system's metrics (seed 003): rates over its event counts (:data:`link.COUNTS`).

The paper's metrics are defined on cipher-on frames; eps_{i,K} is conditioned on the M layer
decoded (SIC). Every one is a rate over frames (or frames with a property), so each has the
exact Clopper-Pearson interval (:mod:`linksim.sim.metrics`).
"""

from __future__ import annotations

from linksim.sim.metrics import Metric

__all__ = ["METRICS"]

#: name -> Metric, added to the generic metrics for scenarios of the ``pld`` system.
METRICS: dict[str, Metric] = {m.name: m for m in (
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
