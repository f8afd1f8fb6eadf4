"""Secret-key agreement over the Gaussian interference channel with a public channel (seed
001, ../shared/notes/001.md).

:mod:`.rates`: Theorem 1's forward and backward key rates on the log-det engine (the pure
strategies of Corollary 1, time sharing of Corollary 2, the AN split of Corollary 3, with and
without the public channel); :mod:`.game`: the games Gamma_1 (FW/BW) and Gamma_2 (the AN
split); :mod:`.spec`: the setting and the two analysis systems, ``key_region`` (Fig. 3,
:mod:`.studies`) and ``key_game`` (Fig. 4, Propositions 1-2, :mod:`.game`).
"""

from linksim.systems.key_agreement.spec import SYSTEMS

__all__ = ["SYSTEMS"]
