"""Coded point-to-point link: CRC + 5G LDPC (or uncoded) + QAM over AWGN or flat fading.

The reference system for BER/BLER curves. :mod:`.spec` declares it (parameters, counts,
predictions, limits: :data:`SPEC`), :mod:`.link` simulates it (:class:`CodedLink`, whose
``simulate_batch(rng, n_frames)`` plugs into :func:`linksim.sim.run_point` directly), and
:mod:`.analysis` gives its finite-blocklength predictions.
"""

from linksim.systems.coded_link.link import CodedLink
from linksim.systems.coded_link.spec import (
    CHANNELS,
    CODES,
    DECODERS,
    DEMAPPERS,
    FADINGS,
    PARAMS,
    SPEC,
)

#: The systems this package declares (the registry reads it).
SYSTEMS = (SPEC,)

__all__ = ["CHANNELS", "CODES", "DECODERS", "DEMAPPERS", "FADINGS", "PARAMS", "SPEC", "SYSTEMS",
           "CodedLink"]
