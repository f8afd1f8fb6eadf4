"""Channels: AWGN, flat fading (quasi-static / block / fast, Rayleigh or Rician), MIMO
channel matrices with path loss and CSI error models (:mod:`linksim.channel.mimo`), and the
multipath tapped delay line with its per-subcarrier response (:mod:`linksim.channel.multipath`).
Channel estimates and equalization are receiver blocks, in :mod:`linksim.mimo`.

All functions take batch-first complex128 arrays and draw every random number from the
``numpy.random.Generator`` passed in. Noise is ``CN(0, N0)``; symbols have unit average energy,
so ``SNR = Es/N0 = 1/N0``. See :mod:`linksim.channel.awgn` and :mod:`linksim.channel.fading`.
"""

from .awgn import awgn, complex_normal, ebno_to_no, snr_db_to_no
from .fading import FADING_MODELS, block_lengths, fading_gains, flat_fading
from .mimo import (bounded_error, estimate_and_truth, exponential_correlation, path_loss,
                   rayleigh_mimo)
from .multipath import exponential_pdp, frequency_response, multipath, tdl_taps

__all__ = ["ebno_to_no", "snr_db_to_no", "awgn", "complex_normal", "FADING_MODELS",
           "fading_gains", "block_lengths", "flat_fading", "rayleigh_mimo",
           "exponential_correlation", "path_loss", "estimate_and_truth", "bounded_error",
           "exponential_pdp", "tdl_taps", "multipath", "frequency_response"]
