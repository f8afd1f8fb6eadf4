"""Channels: AWGN and flat fading (quasi-static / block / fast, Rayleigh or Rician).
Channel estimates and equalization are receiver blocks, in :mod:`linksim.mimo`.

All functions take batch-first complex128 arrays and draw every random number from the
``numpy.random.Generator`` passed in. Noise is ``CN(0, N0)``; symbols have unit average energy,
so ``SNR = Es/N0 = 1/N0``. See :mod:`linksim.channel.awgn` and :mod:`linksim.channel.fading`.
"""

from .awgn import awgn, ebno_to_no, snr_db_to_no
from .fading import FADING_MODELS, block_lengths, fading_gains, flat_fading

__all__ = ["ebno_to_no", "snr_db_to_no", "awgn", "FADING_MODELS", "fading_gains",
           "block_lengths", "flat_fading"]
