"""MIMO interference channel with artificial-noise-aided secure precoding (seed 002,
../shared/notes/002.md), under construction for issue 11.

Today: :mod:`.analysis`, the log-det rates (eqs. 5-12) and the interference price (eq. 24) for
given precoders, batched over channel draws; :mod:`.wmmse`, the variational identities (§2.3
[C]) behind the design's surrogate. Not yet registered as a system (no ``spec.py``):
the precoder designs, the bit-true link and the scenarios come with the rest of issue 11.
"""

SYSTEMS = ()

__all__ = ["SYSTEMS"]
