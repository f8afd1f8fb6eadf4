"""What the seed-002 link adds to its counts: its own metrics (Eve's BLER and BER) and the
``derive`` hook that puts the measured SINRs and Eve's leakage beside the analysis of the
designed pool (:mod:`.link`)."""

from __future__ import annotations

import math

import numpy as np

from linksim.sim.metrics import Metric
from linksim.sim.stats import frame_mean_ci

__all__ = ["METRICS", "derived"]

METRICS = {m.name: m for m in (
    Metric("eve_bler", "eve_frame_errors", "frames", "rate", "Eve's BLER"),
    Metric("eve_ber", "eve_bit_errors", "bits", "rate", "Eve's BER",
           cluster_sq="eve_bit_errors_sq"),
)}

#: Two-sided level of the intervals of :func:`derived` (normal quantile over frames).
CONFIDENCE = 0.99


def derived(params: dict, counts: dict) -> dict:
    """The measured SINR ratios and Eve's leakage with their intervals, and the analysis of
    the designed pool, for one point.

    Values (None where the counts do not give them):

    * ``bob_sinr_ratio`` (and ``_lo``, ``_hi``): measured over analytical post-equalization
      SINR of the decoded streams, ``1 / mean(SINR |s_hat - s|^2)``; 1 when the LMMSE
      analysis is right (LMMSE receiver only); ``eve_sinr_ratio`` likewise at Eve's LMMSE;
    * ``eve_leakage_per_code_bit`` (``_lo``, ``_hi``): ``1 - E[log2(1 + exp(-x LLR))]``;
    * from the pool (true channels, bits per channel use): ``c_r``, ``c_e``, ``c_s`` (mean
      over channels of the per-user sums), ``c_s_clipped`` (sum of ``[C_S]^+``),
      ``rate_bits_per_symbol`` (the codeword's R), ``active_streams`` (share of streams that
      clear the rate), the mean analytical SINR (dB) of the active streams at Bob and Eve,
      and ``eve_gaussian_bits_per_code_bit``, the mean of ``min(1, log2(1 + SINR_E) / m)``
      over active streams (the Gaussian-input reference for Eve's leakage).
    """
    from linksim.systems import build_system
    from linksim.systems.an_mimo.link import LOSS_SCALE, NERR_SCALE
    link = build_system("an_mimo", params)
    pool = link.pool
    frames = counts.get("frames", 0)
    values = {}
    for who in ("bob", "eve"):
        got = None
        if f"{who}_nerr" in counts and counts.get(f"{who}_nerr"):
            got = frame_mean_ci(counts[f"{who}_nerr"] / NERR_SCALE,
                                counts[f"{who}_nerr_sq"] / NERR_SCALE ** 2, frames,
                                link.n_sym)
        ratio = None if got is None else (1 / got[0], 1 / got[2], 1 / got[1] if got[1] > 0
                                          else math.inf)
        for suffix, v in zip(("", "_lo", "_hi"), ratio or (None,) * 3):
            values[f"{who}_sinr_ratio{suffix}"] = v
    leak = None
    if counts.get("code_bits"):
        got = frame_mean_ci(counts["eve_llr_loss"] / LOSS_SCALE,
                            counts["eve_llr_loss_sq"] / LOSS_SCALE ** 2, frames, link.code.n)
        if got is not None:
            leak = (1 - got[0], 1 - got[2], 1 - got[1])
    for suffix, v in zip(("", "_lo", "_hi"), leak or (None,) * 3):
        values[f"eve_leakage_per_code_bit{suffix}"] = v
    rates = pool.rates
    values.update(c_r=float(rates[:, 0].sum(axis=1).mean()),
                  c_e=float(rates[:, 1].sum(axis=1).mean()),
                  c_s=float(rates[:, 2].sum(axis=1).mean()),
                  c_s_clipped=float(np.clip(rates[:, 2], 0, None).sum(axis=1).mean()),
                  rate_bits_per_symbol=link.code.k / link.n_sym,
                  active_streams=len(pool.active) / pool.sinr_bob.size)
    c, i, k = pool.active.T
    m = link.constellation.bits_per_symbol
    values["bob_sinr_db"] = float(np.mean(10 * np.log10(pool.sinr_bob[c, i, k])))
    values["eve_sinr_db"] = float(np.mean(10 * np.log10(pool.sinr_eve[c, i, k])))
    values["eve_gaussian_bits_per_code_bit"] = float(np.mean(
        np.minimum(1.0, np.log2(1 + pool.sinr_eve[c, i, k]) / m)))
    return {"predictions": {}, "values": values}
