"""OFDM: the resource grid (:mod:`linksim.ofdm.grid`) and IFFT/FFT modulation with a cyclic
prefix (:mod:`linksim.ofdm.modulation`). The multipath channel and its per-subcarrier response
are in :mod:`linksim.channel.multipath`; one-tap equalization with the per-subcarrier noise
variance for the demapper is :func:`linksim.mimo.equalize`, broadcast over the grid."""

from linksim.ofdm.grid import ResourceGrid
from linksim.ofdm.modulation import ofdm_demodulate, ofdm_modulate

__all__ = ["ResourceGrid", "ofdm_modulate", "ofdm_demodulate"]
