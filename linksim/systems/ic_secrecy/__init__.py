"""The Gaussian interference channel with confidential messages and strong secrecy (seed 000,
../shared/notes/000.md).

:mod:`.rates`: the corrected Proposition 2 and Remark 6's K-user rates on the log-det engine,
and the binning-rate designer; :mod:`.spec`: the setting and the systems: ``ic_secrecy_region``
(the region with and without time sharing, max sum and max-min, :mod:`.studies`),
``ic_secrecy_design`` (dummy-bit rates) and ``ic_binning`` (bit-true random binning with exact
leakage, :mod:`.binning`).
"""

from linksim.systems.ic_secrecy.spec import SYSTEMS

__all__ = ["SYSTEMS"]
