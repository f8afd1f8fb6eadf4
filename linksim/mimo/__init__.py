"""Receiver and transmitter processing across antennas and streams.

Today: :mod:`linksim.mimo.equalization`, imperfect channel estimates and one-tap zero-forcing
equalization with the effective noise variance for the demapper (the single-antenna case).
Detection (soft LMMSE, ML) and precoding (including artificial noise) will live beside it, in
``detection.py`` and ``precoding.py``, when the systems that need them arrive.
"""

from linksim.mimo.equalization import equalize, estimate_channel

__all__ = ["estimate_channel", "equalize"]
