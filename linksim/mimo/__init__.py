"""Receiver and transmitter processing across antennas and streams.

:mod:`linksim.mimo.equalization`: imperfect channel estimates and one-tap zero-forcing
equalization with the effective noise variance for the demapper (the single-antenna case).
:mod:`linksim.mimo.detection`: ZF, LMMSE with soft output (per-stream SINR as the demapper's
noise variance, with the true interference-plus-noise covariance) and exhaustive ML for
``y = H s + n``. :mod:`linksim.mimo.precoding`: ``x = Q s + Lambda z``, the eigen data
precoder, the null-space AN precoder and the data/AN power split.
"""

from linksim.mimo.detection import lmmse_detect, lmmse_mse, ml_llrs, zf_detect
from linksim.mimo.equalization import equalize, estimate_channel
from linksim.mimo.precoding import eigen_precoder, null_space_an, power_split, precode

__all__ = ["estimate_channel", "equalize", "zf_detect", "lmmse_detect", "lmmse_mse", "ml_llrs",
           "precode", "eigen_precoder", "null_space_an", "power_split"]
