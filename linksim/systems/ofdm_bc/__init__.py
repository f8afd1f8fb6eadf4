"""The parallel Gaussian broadcast channel with common and confidential messages over OFDM
(seed 004, ../shared/notes/004.md), under construction for issue 12.

Today: :mod:`.analysis`, the CSI margins, the channel owners and per-channel encoding (C-E,
Theorem 2 with one bisection), batched over realizations; :mod:`.allocation`, joint encoding
(the SCA outer bound), GR-E, M-GR-E and the UNI readings. Not yet registered as a system (no
``spec.py``): the K = 2 closed form, the bit-true link and the scenarios come with the rest of
issue 12.
"""

SYSTEMS = ()

__all__ = ["SYSTEMS"]
