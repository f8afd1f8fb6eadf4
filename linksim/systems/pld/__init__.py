"""Physical layer deception with non-orthogonal multiplexing (seed 003, ../shared/notes/003.md).

:mod:`.spec` declares the bit-true link and the analytical studies (:data:`SYSTEMS`);
:mod:`.link` is the bit-true link, :mod:`.analysis` the paper's model, :mod:`.metrics` the
metrics over the link's counts, :mod:`.studies` the analysis systems built on :mod:`.p0`
(the P0 solvers) and :mod:`.baselines`.
"""

from linksim.systems.pld.spec import SYSTEMS

__all__ = ["SYSTEMS"]
