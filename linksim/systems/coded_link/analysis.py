"""Finite-blocklength predictions for a point of the coded link (``system = "coded_link"``).

The code sees the modulation-constrained AWGN channel. With ``m`` bits per symbol, code rate
``r = k / n`` and Es = 1, a point's Es/N0 is ``10^(ebno_db/10) * r * m`` per complex symbol, and

* QPSK (38.211 Gray, two independent BPSK rails): ``n / 2`` complex uses of the "qpsk"
  channel, or equivalently ``n`` uses of BI-AWGN at snr = Es/N0 (each rail carries Es/2 over
  noise N0/2);
* BPSK (38.211: (1 +- j)/sqrt(2), all energy on one axis): ``n`` uses of BI-AWGN at
  snr = 2 Es/N0;
* 16/64-QAM: ``n / m`` complex uses of the "16qam"/"64qam" channel (normal approximation only).

Each prediction returns the block error probability at the point: the normal approximation
(an estimate, ``kind = "estimate"``) or, from the BI-AWGN metaconverse, the smallest BLER any
code with these (n, k) can have (``kind = "lower_bound"``: a measured BLER significantly below
it means the simulation is wrong).
"""

from __future__ import annotations

import math

from scipy.optimize import brentq

__all__ = ["link_channel", "normal_approximation", "metaconverse_bler", "metaconverse_applies"]

_BITS = {"bpsk": 1, "qpsk": 2, "16qam": 4, "64qam": 6, "256qam": 8}


def link_channel(params: dict) -> tuple[int, int, float, str]:
    """``(k, n_uses, snr, channel)`` of the channel a coded-link point's code sees (module doc).

    Raises ``ValueError`` (naming the parameter) for points these predictions do not cover:
    fading channels, 256-QAM, a CRC (the CRC bits are not part of the payload's code rate).
    """
    if params.get("channel", "awgn") != "awgn":
        raise ValueError(f"channel: got {params.get('channel')!r}; allowed: 'awgn' (the "
                         f"finite-blocklength predictions of the coded link assume AWGN)")
    modulation = params.get("modulation", "qpsk")
    if modulation not in ("bpsk", "qpsk", "16qam", "64qam"):
        raise ValueError(f"modulation: got {modulation!r}; allowed: bpsk, qpsk, 16qam, 64qam")
    k = int(params["k"])
    n = int(params["n"] if params.get("n") is not None else k)
    m = _BITS[modulation]
    es_no = 10.0 ** (float(params["ebno_db"]) / 10.0) * (k / n) * m
    if modulation == "bpsk":
        return k, n, 2.0 * es_no, "biawgn"
    return k, n // m, es_no, modulation


def normal_approximation(params: dict, log_term: bool = True) -> dict:
    """Normal-approximation BLER at the point: ``{"value": eps, "kind": "estimate"}``.

    eps = Q((n C - k + log_term * (1/2) log2 n) / sqrt(n V)) with C, V of the constrained channel
    (:func:`linksim.theory.fbl.error_probability`).
    """
    from linksim.theory.fbl import error_probability
    k, n_uses, snr, channel = link_channel(params)
    eps = float(error_probability(n_uses, k, snr, channel, log_term=log_term))
    return {"value": eps, "kind": "estimate"}


def metaconverse_bler(params: dict) -> dict:
    """Smallest BLER any code of this (n, k) can reach at the point: ``{"value", "kind": "lower_bound"}``.

    BPSK/QPSK only: the PPV metaconverse for BI-AWGN bounds log2 M <= MC(n, eps, snr); the
    bound on the error probability is the eps at which MC(n, eps, snr) = k (MC increases with
    eps), found by bisection on log10(eps).
    """
    from linksim.theory.bounds import metaconverse
    k, n_uses, snr, channel = link_channel(params)
    if channel == "biawgn":
        n_bi, snr_bi = n_uses, snr
    elif channel == "qpsk":
        n_bi, snr_bi = 2 * n_uses, snr
    else:
        raise ValueError(f"modulation: got {params.get('modulation')!r}; allowed: bpsk or qpsk "
                         f"(the metaconverse is implemented for BI-AWGN)")

    def excess(log_eps: float) -> float:
        return float(metaconverse(n_bi, 10.0 ** log_eps, snr_bi, "biawgn")) - k

    lo, hi = -15.0, math.log10(1.0 - 1e-9)
    if excess(lo) >= 0:           # even eps = 1e-15 allows k bits: the bound says nothing here
        return {"value": 0.0, "kind": "lower_bound"}
    if excess(hi) < 0:            # not even eps = 1 - 1e-9 allows k bits
        return {"value": 1.0 - 1e-9, "kind": "lower_bound"}
    log_eps = brentq(excess, lo, hi, xtol=1e-4)   # 0.02 % in eps: far inside any CI
    return {"value": float(10.0 ** log_eps), "kind": "lower_bound"}



def metaconverse_applies(params: dict) -> None:
    """Where :func:`metaconverse_bler` can be evaluated, checked cheaply (the bound itself is a
    root search): AWGN with BPSK or QPSK (BI-AWGN), at an SNR per BI-AWGN channel use of at
    least :data:`linksim.theory.bounds.BIAWGN_MIN_SNR` (-60 dB). ``ValueError`` naming the
    parameter otherwise."""
    from linksim.theory.bounds import BIAWGN_MIN_SNR
    k, n_uses, snr, channel = link_channel(params)
    if channel not in ("biawgn", "qpsk"):
        raise ValueError(f"modulation: got {params.get('modulation')!r}; allowed: bpsk or qpsk "
                         f"(the metaconverse is implemented for BI-AWGN)")
    snr_bi = snr if channel == "biawgn" else snr / 2.0
    if snr_bi < BIAWGN_MIN_SNR:
        raise ValueError(f"ebno_db: got {params.get('ebno_db')!r}; allowed: an Eb/N0 giving at "
                         f"least -60 dB per BI-AWGN channel use for the metaconverse (below "
                         f"it the bound is numerically its zero-capacity limit)")
