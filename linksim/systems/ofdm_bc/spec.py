"""The parallel Gaussian broadcast channel with common and confidential messages (seed 004) as
linksim sees it, declared once: the analytical rate study (:mod:`.studies`, kind "analysis")
and the bit-true OFDM link (:mod:`.link`, kind "simulation").

:data:`SETTING` is the physical setting every seed-004 system shares; :data:`STUDY_SCHEMA`
adds what the rate study averages over, :data:`LINK_SCHEMA` the link's pool, numerology,
coding and receivers.
"""

from __future__ import annotations

import functools

from linksim.systems.base import Limit, Quantity, SystemSpec
from linksim.systems.schema import Param, Schema

__all__ = ["SETTING", "STUDY_SCHEMA", "LINK_SCHEMA", "SCHEMES", "SCA_SCHEMES", "MAX_SCA_WORK",
           "MAX_CODE_BITS", "SYSTEMS"]

#: The schemes of the rate study: the J-E outer bound, M-GR-E, GR-E, C-E and the two UNI
#: readings (notes 004 §2.1-§2.9).
SCHEMES = ("ob", "mgre", "gre", "ce", "uni_half", "uni_all")

#: The schemes solved per realization by SCA programs (the costly ones).
SCA_SCHEMES = ("ob", "mgre", "gre")

#: The physical setting shared by every seed-004 system (notes 004 §1, §3): K users on L
#: parallel channels (OFDM subcarriers), h_{k,l} ~ CN(0, Gamma_k) iid, noise CN(0, 1), total
#: power P, estimates h_hat = h + eta with eta ~ CN(0, sigma^2), margins at outage eps (eq. 7).
SETTING = Schema(
    k=Param("int", 3, "users (receivers) K", lo=2, hi=12, label="$K$", html="K"),
    n_sc=Param("int", 16, "parallel channels (subcarriers) L", lo=1, hi=1024,
               label="$L$", html="L"),
    p_total=Param("real", 16.0, "total power P (linear; noise CN(0, 1) on every channel)",
                  lo=0.0, strict_lo=True, hi=1e6, label="$P$", html="P"),
    gamma_db=Param("real", 10.0, "mean SNR Gamma of every user (users 2..K when gamma1_db is "
                   "set)", lo=-50.0, hi=60.0, unit="dB", label=r"$\Gamma$ (dB)",
                   html="&Gamma; (dB)"),
    gamma1_db=Param("real", None, "user 1's mean SNR Gamma_1 (None: gamma_db)", lo=-50.0,
                    hi=60.0, unit="dB", nullable=True, label=r"$\Gamma_1$ (dB)",
                    html="&Gamma;<sub>1</sub> (dB)"),
    error_var=Param("real", 0.0, "CSI estimation error variance sigma^2 (0: perfect CSI)",
                    lo=0.0, hi=100.0, label=r"$\sigma^2$", html="&sigma;<sup>2</sup>"),
    eps=Param("real", 0.05, "outage level of the CSI margins alpha^-, alpha^+ (eq. 7), "
              "0 < eps < 1", lo=0.0, strict_lo=True, hi=1.0, label=r"$\varepsilon$",
              html="&epsilon;"),
    w0=Param("real", 1.0, "weight w_0 of the common message", lo=0.0, strict_lo=True,
             hi=1e6, label="$w_0$", html="w<sub>0</sub>"),
    w=Param("real", 1.0, "weight w_k of every confidential message", lo=0.0, strict_lo=True,
            hi=1e6, label="$w$", html="w"),
)

#: The rate study's schema: the setting plus the draws and the schemes.
STUDY_SCHEMA = Schema({
    **SETTING.params,
    "n_draws": Param("int", 200, "channel realizations averaged", lo=2, hi=100000),
    "seed": Param("int", 0, "seed of the channel and estimation-error draws", lo=0),
    "schemes": Param("any", list(SCHEMES), f"schemes evaluated, a list from "
                     f"{', '.join(SCHEMES)}"),
})

#: Largest ``n_draws * K^2 * L / 16`` of a point running an SCA scheme: one unit is about
#: 0.12 s (K = 3, L = 16: about 1.1 s per draw for GR-E, M-GR-E and the two-start outer
#: bound, which grows like K^2 through its K^2 epigraph constraints), so 60000 is ~2 hours.
MAX_SCA_WORK = 60000


def _limits(params) -> Limit | None:
    """The SCA schemes' work: ``n_draws * K^2 * L / 16`` <= :data:`MAX_SCA_WORK` (C-E and UNI
    are batched closed forms, cheap at any n_draws the schema allows). Judged on a complete
    point only (one that names its schemes): a single n_draws alone cannot tell a C-E-only
    point of 100000 draws (seconds) from an outer-bound one (days)."""
    if "schemes" not in params:
        return None
    n_draws, k, n_sc = params.get("n_draws", 200), params.get("k", 3), params.get("n_sc", 16)
    schemes = params["schemes"]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (n_draws, k, n_sc)):
        return None                    # the builder reports the type
    if not isinstance(schemes, (list, tuple)) or not any(s in SCA_SCHEMES for s in schemes):
        return None
    work = n_draws * k * k * n_sc / 16
    if work > MAX_SCA_WORK:
        return Limit("n_draws", f"n_draws * k^2 * n_sc / 16 <= {MAX_SCA_WORK} with an SCA "
                                f"scheme ({', '.join(SCA_SCHEMES)}; ~0.12 s per unit, ~2 h "
                                f"at the limit)",
                     detail=f", n_draws * k^2 * n_sc / 16 = {work:g}")
    return None


def _rates_spec() -> SystemSpec:
    from linksim.systems.ofdm_bc.studies import RATES_QUANTITIES, RatesStudy
    return SystemSpec(
        name="ofdm_bc_rates",
        description="Seed 004: average common and confidential rates per channel of the J-E "
                    "outer bound, M-GR-E, GR-E, C-E and UNI over Rayleigh draws, with CSI "
                    "margins from noisy estimates",
        params=STUDY_SCHEMA, builder=RatesStudy, kind="analysis",
        quantities={q: Quantity(label, scale) for q, (label, scale)
                    in RATES_QUANTITIES.items()},
        limits=_limits)


#: The bit-true link's schema: the setting plus the pool, the OFDM numerology, the coding and
#: the receivers (:mod:`.link`).
LINK_SCHEMA = Schema({
    **SETTING.params,
    "scheme": Param("choice", "mgre", "power allocation (one confidential layer per "
                    "subcarrier)", choices=("mgre", "gre", "ce", "uni_half")),
    "n_pool": Param("int", 8, "channel realizations designed once and kept (the pool)", lo=1,
                    hi=256),
    "channel_seed": Param("int", 0, "seed of the pool's channels, estimates and "
                          "interleavers", lo=0),
    "n_taps": Param("int", None, "equal-power Rayleigh taps per user (None: n_sc, i.i.d. "
                    "subcarrier gains)", lo=1, nullable=True),
    "cp_len": Param("int", None, "cyclic prefix in samples (None: n_taps - 1)", lo=0,
                    nullable=True),
    "n_sym": Param("int", 32, "OFDM symbols per codeword (uses of each subcarrier)", lo=1,
                   hi=4096, label="OFDM symbols per codeword", html="n<sub>sym</sub>"),
    "modulation": Param("choice", "16qam", "QAM of the common message",
                        choices=("qpsk", "16qam", "64qam")),
    "conf_modulation": Param("choice", "qpsk", "QAM of the confidential messages",
                             choices=("qpsk", "16qam", "64qam")),
    "backoff": Param("real", 0.75, "code rate as a fraction of the constellation-input "
                     "capacity from the margins", lo=0.0, strict_lo=True, hi=1.0),
    "dummy_margin": Param("real", 0.0, "dummy bits = (1 + margin) x the best curious user's "
                          "capacity (-1: none, the secret sent in the clear)", lo=-1.0,
                          hi=10.0),
    "decoder": Param("choice", "nms", "LDPC BP algorithm", choices=("nms", "oms", "spa")),
    "num_iter": Param("int", 20, "largest number of BP iterations", lo=1, hi=1000),
})

#: Largest code bits of one codeword, n_sym * n_sc * bits per symbol (the 5G NR LDPC code
#: carries at most 8448 information bits; this keeps every message codable and a frame's
#: memory bounded).
MAX_CODE_BITS = 26112

_BITS = {"qpsk": 2, "16qam": 4, "64qam": 6}


def _link_limits(params) -> Limit | None:
    n_sym, n_sc = params.get("n_sym", 32), params.get("n_sc", 16)
    bits = max(_BITS.get(params.get("modulation", "16qam"), 6),
               _BITS.get(params.get("conf_modulation", "qpsk"), 6))
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (n_sym, n_sc)):
        return None
    if n_sym * n_sc * bits > MAX_CODE_BITS:
        name = "n_sym" if "n_sym" in params else "n_sc"
        return Limit(name, f"n_sym * n_sc * bits per symbol <= {MAX_CODE_BITS} (one 5G NR LDPC "
                           f"codeword per message)",
                     detail=f", n_sym * n_sc * bits = {n_sym * n_sc * bits}")
    return None


def _build_link(**params):
    from linksim.systems.ofdm_bc.link import OfdmBcLink
    return OfdmBcLink(**params)


def _link_spec() -> SystemSpec:
    from linksim.systems.ofdm_bc import link, measures
    return SystemSpec(
        name="ofdm_bc",
        description="Seed 004, bit-true: a common and per-user confidential messages "
                    "superposed per subcarrier, 5G LDPC with randomized (secret + dummy) "
                    "coding, OFDM over multipath Rayleigh, SIC receivers and genie-aided "
                    "curious users",
        params=LINK_SCHEMA, builder=_build_link, counts=link.COUNTS,
        predictions={name: functools.partial(measures.pool_prediction, quantity=name)
                     for name in measures.PREDICTIONS},
        derive=measures.derived, metrics=measures.METRICS, limits=_link_limits)


SYSTEMS = (_rates_spec(), _link_spec())
