"""The wiretap MIMO interference channel with artificial-noise-aided robust secure precoding
(seed 002, ../shared/notes/002.md).

:mod:`.spec` declares the systems (:data:`SYSTEMS`). :mod:`.analysis` gives the log-det rates
(eqs. 5-12) and the interference price (eq. 24) of given precoders; :mod:`.wmmse` the
variational identities behind the surrogate (§2.3 [C]); :mod:`.robust` the robust terms as
LMIs and their exact worst case (§2.5-2.7, §2.12); :mod:`.adp` Algorithm 1; :mod:`.mt_mse` and
:mod:`.an_ia` the two baselines (§3 [R]); :mod:`.designs` the draws, the schemes and the common
evaluation rule; :mod:`.studies` the analysis systems (Figs. 3-6).
"""

from linksim.systems.an_mimo.spec import SYSTEMS

__all__ = ["SYSTEMS"]
