"""What the seed-004 link adds to its counts (:mod:`.link`): its own metrics (the legitimate
BLER of M0 and of the confidential messages, the curious users' BLER and secret-bit BER) and
the ``derive`` hook that puts the pool's predictions and Eve's measured leakage beside them.

Every frame carries the same blocks and bits (one packet per pool realization), so each rate
is a ratio of counts clustered in frames: Korn-Graubard intervals from the per-frame sums of
squares (:mod:`linksim.sim.stats`).
"""

from __future__ import annotations

from linksim.sim.metrics import Metric
from linksim.sim.stats import frame_mean_ci

__all__ = ["METRICS", "PREDICTIONS", "derived", "pool_prediction", "CONFIDENCE"]

METRICS = {m.name: m for m in (
    Metric("common_bler", "common_errors", "common_blocks", "rate",
           "BLER of M0 (every user)", cluster_sq="common_errors_sq"),
    Metric("conf_bler", "conf_errors", "conf_blocks", "rate",
           "BLER of Mk at user k (after SIC)", cluster_sq="conf_errors_sq"),
    Metric("eve_bler", "eve_errors", "eve_blocks", "rate",
           "curious users' BLER on others' Mk (genie M0)", cluster_sq="eve_errors_sq"),
    Metric("eve_ber", "eve_bit_errors", "eve_bits", "rate",
           "curious users' secret-bit BER", cluster_sq="eve_bit_errors_sq"),
)}

#: Two-sided level of the leakage interval of :func:`derived` (normal quantile over frames).
CONFIDENCE = 0.99


#: The predictions a scenario of "ofdm_bc" may name, and the metric each predicts.
PREDICTIONS = {"na_common_bler": "common_bler", "na_conf_bler": "conf_bler"}


def pool_prediction(params: dict, quantity: str) -> dict:
    """Prediction ``quantity`` of :data:`PREDICTIONS` at a point: the parallel-channel normal
    approximation of the best code at the rates the link sends, averaged over the pool as the
    link weighs it (:func:`.link.pool_summary`). A real code cannot beat the best one, so it
    is stated as a lower bound (up to the approximation's accuracy).

    Returns
    -------
    {"value": float, "kind": "lower_bound"}
    """
    from linksim.systems import build_system
    from linksim.systems.ofdm_bc.link import pool_summary
    link = build_system("ofdm_bc", params)
    value = pool_summary(link.pool, n_sym=link.n_sym, n_sc=link.n_sc)[quantity]
    if value is None:
        raise ValueError(f"{quantity}: got no message of that kind in the pool; allowed: a "
                         f"point whose pool sends it (see sent_common, sent_conf)")
    return {"value": value, "kind": "lower_bound"}


def derived(params: dict, counts: dict) -> dict:
    """The pool's analysis and the measured leakage, for one point.

    Values: every entry of :func:`.link.pool_summary`; ``eve_leakage_per_secret_bit`` with
    ``_lo``/``_hi`` (99 % normal interval over independent frames), ``1 - E[log2(1 +
    exp(-x LLR))]`` over the secret bits of every (curious user, message) pair;
    ``eve_secret_bits_per_frame``.
    """
    from linksim.systems import build_system
    from linksim.systems.ofdm_bc.link import LOSS_SCALE, pool_summary
    link = build_system("ofdm_bc", params)
    values = pool_summary(link.pool, n_sym=link.n_sym, n_sc=link.n_sc)
    frames = counts.get("frames", 0)
    leak = None
    if counts.get("eve_bits") and frames:
        per_frame = counts["eve_bits"] / frames
        got = frame_mean_ci(counts["eve_llr_loss"] / LOSS_SCALE,
                            counts["eve_llr_loss_sq"] / LOSS_SCALE ** 2, frames, per_frame,
                            CONFIDENCE)
        if got is not None:
            leak = (1 - got[0], 1 - got[2], 1 - got[1])
        values["eve_secret_bits_per_frame"] = per_frame
    for suffix, v in zip(("", "_lo", "_hi"), leak or (None,) * 3):
        values[f"eve_leakage_per_secret_bit{suffix}"] = v
    return {"predictions": {}, "values": values}
