"""Coded point-to-point link: CRC + 5G LDPC (or uncoded) + QAM over AWGN or flat fading.

The reference system for BER/BLER curves; see :mod:`linksim.systems.coded_link.link`.
It exposes ``simulate_batch(params, rng, batch)`` for :mod:`linksim.sim`, and the
:class:`CodedLink` class whose ``simulate_batch(rng, n_frames)`` plugs into
:func:`linksim.sim.run_point` directly.
"""

from linksim.systems.coded_link.link import (
    CHANNELS,
    CODES,
    DECODERS,
    DEMAPPERS,
    FADINGS,
    PARAMS,
    CodedLink,
    simulate_batch,
)

__all__ = ["CHANNELS", "CODES", "DECODERS", "DEMAPPERS", "FADINGS", "PARAMS", "CodedLink",
           "simulate_batch"]
