"""The parallel Gaussian broadcast channel with common and confidential messages over OFDM
(seed 004, ../shared/notes/004.md).

:mod:`.analysis`: the CSI margins, the channel owners and per-channel encoding (C-E, Theorem 2
with one bisection), batched over realizations; :mod:`.k2`: the K = 2 closed form of the
outer bound (Lemma 1, Theorem 1, Table I), batched; :mod:`.allocation`: joint encoding (the
SCA outer bound for any K), GR-E, M-GR-E and the UNI readings; :mod:`.spec`: the physical
setting shared by every seed-004 system and its two systems, ``ofdm_bc_rates`` (kind
"analysis", :mod:`.studies`: the average rates of every scheme over Rayleigh realizations,
Figs. 3-9) and ``ofdm_bc`` (kind "simulation", :mod:`.link` and :mod:`.measures`: the
bit-true OFDM link with superposition, randomized coding, SIC and genie curious users).
"""

from linksim.systems.ofdm_bc.spec import SYSTEMS

__all__ = ["SYSTEMS"]
