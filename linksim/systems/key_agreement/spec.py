"""Secret-key agreement over the Gaussian interference channel with a public channel (seed 001)
as linksim sees it, declared once: the key-rate region study (Fig. 3, :mod:`.studies`) and the
power-allocation games Gamma_1 and Gamma_2 (Fig. 4, Propositions 1 and 2, :mod:`.game`), both
kind "analysis".

:data:`SETTING` is the channel every seed-001 system shares (eq. 6: real, unit noise, cross
gains alpha_1, alpha_2, powers P_1, P_2).
"""

from __future__ import annotations

from linksim.systems.base import Limit, Quantity, SystemSpec
from linksim.systems.schema import Param, Schema

__all__ = ["SETTING", "REGION_SCHEMA", "GAME_SCHEMA", "LINK_SCHEMA", "MAX_REGION_POINTS",
           "SYSTEMS"]

#: The channel (notes 001 §1.4, eq. 6): Y_1 = X_1 + alpha_1 X_2 + N_1, Y_2 = alpha_2 X_1 + X_2
#: + N_2, N ~ N(0, 1). The paper takes alpha^2 <= 1 (weak interference).
SETTING = Schema(
    p1=Param("real", 100.0, "power P_1 of BS 1 (linear SNR; noise N(0, 1))", lo=0.0,
             strict_lo=True, hi=1e9, label="$P_1$", html="P<sub>1</sub>"),
    p2=Param("real", None, "power P_2 of BS 2 (None: P_1)", lo=0.0, strict_lo=True, hi=1e9,
             nullable=True, label="$P_2$", html="P<sub>2</sub>"),
    alpha1=Param("real", 0.2, "cross gain alpha_1 of BS 2 at user 1 (amplitude, <= 1)",
                 lo=0.0, hi=1.0, label=r"$\alpha_1$", html="&alpha;<sub>1</sub>"),
    alpha2=Param("real", 0.2, "cross gain alpha_2 of BS 1 at user 2 (amplitude, <= 1)",
                 lo=0.0, hi=1.0, label=r"$\alpha_2$", html="&alpha;<sub>2</sub>"),
)

#: The region study (Fig. 3): the setting, the grids and the abscissa R_1.
REGION_SCHEMA = Schema({
    **SETTING.params,
    "grid": Param("int", 51, "grid points per parameter over [0, 1] for the AN regions "
                  "(lambda_1, lambda_2, beta_1, beta_2: grid^4 sets)", lo=2, hi=81),
    "ts_grid": Param("int", 101, "grid points per parameter of time sharing (tau_1, beta_1, "
                     "beta_2: ts_grid^3 sets)", lo=2, hi=401),
    "quant_var": Param("real", 0.0, "variance D of the backward test channel V_ib = Y_i + Q_i "
                       "(0: the paper's V_ib = Y_i)", lo=0.0, hi=1e6),
    "r1": Param("real", 0.0, "key rate R_1 at which the boundaries R_2^max(R_1) are read",
                lo=0.0, hi=100.0, unit="bit/use", label="$R_1$ (bit/use)",
                html="R<sub>1</sub> (bit/use)"),
})

#: Largest grid^4 (two AN regions, eight mutual informations per set) plus ts_grid^3.
MAX_REGION_POINTS = 61 ** 4


def _region_limits(params) -> Limit | None:
    grid, ts = params.get("grid", 51), params.get("ts_grid", 101)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (grid, ts)):
        return None
    work = 2 * grid ** 4 + ts ** 3
    if work > 2 * MAX_REGION_POINTS:
        name = "grid" if 2 * grid ** 4 > ts ** 3 else "ts_grid"
        return Limit(name, f"2 grid^4 + ts_grid^3 <= {2 * MAX_REGION_POINTS} (~1 us per set "
                           f"and mutual information)",
                     detail=f", 2 grid^4 + ts_grid^3 = {work}")
    return None


#: The games (notes 001 §2.6-§2.7): Gamma_1 (FW/BW per BS) and Gamma_2 (the AN split lambda_i
#: in [0, 1]), at power control beta_1, beta_2.
GAME_SCHEMA = Schema({
    **SETTING.params,
    "beta1": Param("real", 1.0, "power-control fraction beta_1 of BS 1", lo=0.0, hi=1.0,
                   label=r"$\beta_1$", html="&beta;<sub>1</sub>"),
    "beta2": Param("real", 1.0, "power-control fraction beta_2 of BS 2", lo=0.0, hi=1.0,
                   label=r"$\beta_2$", html="&beta;<sub>2</sub>"),
    "clip": Param("bool", False, "payoffs clipped at 0 ([.]^+, the physical rates; ties add "
                  "weak equilibria) instead of the unclipped ones of Proposition 1"),
    "tol": Param("real", 1e-12, "payoff tolerance of the equilibrium tests (a deviation that "
                 "gains less is no gain; equal within it is a tie: a weak equilibrium)",
                 lo=0.0, hi=1.0),
    "lam_grid": Param("int", 201, "grid points of lambda_i in [0, 1] for Gamma_2's best "
                      "responses (lam_grid^2 parameter sets, eight mutual informations each: ~10 s "
                      "and a few 70 MB arrays at the bound)", lo=2, hi=1001),
})


def _region_spec() -> SystemSpec:
    from linksim.systems.key_agreement.studies import REGION_QUANTITIES, KeyRegionStudy
    return SystemSpec(
        name="key_region",
        description="Seed 001, Fig. 3: key-rate regions of the Gaussian IC with a public "
                    "channel: the AN split with and without the public channel and time "
                    "sharing, union and convex hull, and the four pure strategies",
        params=REGION_SCHEMA, builder=KeyRegionStudy, kind="analysis",
        quantities={q: Quantity(label, scale) for q, (label, scale)
                    in REGION_QUANTITIES.items()},
        limits=_region_limits)


def _game_spec() -> SystemSpec:
    from linksim.systems.key_agreement.game import GAME_QUANTITIES, GameStudy
    return SystemSpec(
        name="key_game",
        description="Seed 001, Fig. 4 and Propositions 1-2: the FW/BW game Gamma_1 and the "
                    "AN-split game Gamma_2, pure Nash equilibria (strict and weak), best "
                    "responses and the price of anarchy",
        params=GAME_SCHEMA, builder=GameStudy, kind="analysis",
        quantities={q: Quantity(label, scale) for q, (label, scale)
                    in GAME_QUANTITIES.items()})


#: The bit-true key agreement (issue 14; notes 001 §5.2-§5.3): the setting, the strategy, the
#: quantizer, the reconciliation code, the confirmation hash and privacy amplification.
LINK_SCHEMA = Schema({
    **SETTING.params,
    "pair": Param("int", 1, "the pair whose key is measured (the other user is the "
                  "eavesdropper)", lo=1, hi=2),
    "strategy": Param("choice", "bw_bw", "key strategy of both pairs: (BW, BW), the backward "
                      "key by reverse reconciliation, or (FW, FW), the forward key sent as a "
                      "random codeword", choices=("bw_bw", "fw_fw")),
    "quant_bits": Param("int", 1, "bits b of the user's equiprobable Gray quantizer (BW)",
                        lo=1, hi=4, label="$b$", html="b"),
    "modulation": Param("choice", "16qam", "QAM of the forward codeword, two real uses per "
                        "symbol (FW)", choices=("qpsk", "16qam", "64qam")),
    "n_sym": Param("int", 1024, "real channel uses per key block", lo=2, hi=8192,
                   label="$n$", html="n"),
    "code": Param("choice", "ldpc5g", "reconciliation (BW) or forward (FW) code: 5G NR LDPC "
                  "(rate-matched) or a random sparse parity-check code (small blocks)",
                  choices=("ldpc5g", "random")),
    "code_seed": Param("int", 0, "seed of the random code's parity-check matrix", lo=0),
    "reconciliation": Param("choice", "single", "BW: one code over all quantized bits, or one "
                            "code per bit plane decoded plane by plane (multilevel, "
                            "reaching I(Q; X) rather than the bit-interleaved rate)",
                            choices=("single", "multilevel")),
    "beta": Param("real", 0.9, "target efficiency: BW syndrome bits per use b - beta I(Q; X), "
                  "FW information bits per use beta I_B", lo=0.0, strict_lo=True, hi=1.0, label=r"$\beta$",
                  html="&beta;"),
    "syndrome_rate": Param("real", None, "redundancy (N - k) / N of the code: BW syndrome bits "
                           "per quantized bit, FW parity bits per coded bit (None: from beta)",
                           lo=0.0, strict_lo=True, hi=1.0, nullable=True),
    "agreement": Param("choice", "hash", "when a block is kept: the confirmation hash matches, "
                       "or also every BP decoder converged (catches more errors of a short "
                       "hash, and drops blocks BP decoded right without converging)",
                       choices=("hash", "hash_and_converged")),
    "confirm_bits": Param("int", 32, "bits of the universal hash that confirms agreement",
                          lo=0, hi=63),
    "key_length": Param("int", None, "key bits per block after privacy amplification (None: "
                        "the leftover-hash length from the Shannon estimate)", lo=1,
                        hi=65536, nullable=True, label=r"$\ell$", html="&ell;"),
    "eps": Param("real", 1e-6, "privacy-amplification security parameter of the automatic "
                 "key length", lo=0.0, strict_lo=True, hi=0.5),
    "decoder": Param("choice", "spa", "BP algorithm of the reconciliation decoder",
                     choices=("spa", "nms", "oms")),
    "num_iter": Param("int", 50, "largest number of BP iterations", lo=1, hi=1000),
    "eve_attempt": Param("bool", True, "the eavesdropper runs the receiver's decoder on her "
                         "own LLRs (off: her attempts are not counted, and the run is faster)"),
    "exact_leakage": Param("bool", False, "enumerate every block for the eavesdropper's exact "
                           "equivocation (a block of <= 20 bits, the random code, key_length "
                           "<= 24)"),
})


def _build_link(**params):
    from linksim.systems.key_agreement.link import KeyLink
    return KeyLink(**params)


def _link_spec() -> SystemSpec:
    from linksim.systems.key_agreement import link
    return SystemSpec(
        name="key_agreement",
        description="Seed 001, bit-true: (BW, BW) or (FW, FW) secret-key agreement over the "
                    "Gaussian IC: quantization and LDPC reconciliation over the public channel "
                    "(BW) or a random LDPC-coded QAM codeword (FW), a confirmation hash and "
                    "Toeplitz privacy amplification, with the other user as the eavesdropper "
                    "(her own decoding attempt and, for short blocks, her exact equivocation)",
        params=LINK_SCHEMA, builder=_build_link, counts=link.COUNTS, metrics=link.METRICS,
        derive=link.derived, limits=link.limits)


SYSTEMS = (_region_spec(), _game_spec(), _link_spec())
