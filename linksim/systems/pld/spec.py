"""Physical layer deception (seed 003) as linksim sees it, declared once.

:data:`SPEC` is the bit-true link (:mod:`.link`, kind "simulation"); :data:`STUDY_SPECS` are
the paper's analytical studies (:mod:`.studies`, kind "analysis"). Each declares its parameter
schema, its counts or quantities, metrics, predictions, ``derive`` and numerical limits here;
nothing outside this package knows them.
"""

from __future__ import annotations

import functools
import math

from linksim.checks import is_int, is_real
from linksim.fec.crc import CRC_NAMES
from linksim.mapping import MODULATIONS
from linksim.multiple_access.noma import M_LLR_MODES
from linksim.systems.base import Limit, Quantity, SystemSpec
from linksim.systems.schema import Param, Schema

__all__ = ["CODES", "CHANNELS", "FADINGS", "RECEIVERS", "DECODERS", "PARAMS", "LAYER_PARAMS",
           "MAX_LINK_N", "LAYER_SPEC", "COMMON",
           "STUDY_PARAMS", "SPEC", "STUDY_SPECS", "SYSTEMS", "SNR_DB_LIMIT",
           "MAX_SQUARE_GRID", "MAX_LINE_GRID", "MAX_LINE_EVALUATIONS"]

CODES = ("ldpc5g", "bch")
CHANNELS = ("static", "rayleigh")
FADINGS = ("quasi_static", "block")
RECEIVERS = ("bittrue", "abstract")
DECODERS = ("nms", "oms", "spa")

_Z_EVE = Param("real", help="Eve's channel gain (mean gain for Rayleigh)", unit="dB")
_Z_BOB = Param("real", 0.0, "Bob's channel gain (mean gain for Rayleigh)", unit="dB")
_NOISE = Param("real", 1.0, "noise power sigma^2", lo=0.0, strict_lo=True, unit="mW")
_N = Param("int", 64, "complex channel uses per frame", lo=1)
#: Largest blocklength of the bit-true systems: 5G LDPC carries at most 8448 bits, and the
#: issue-15 blocklength study stops at n = 1024 (4096 code bits with 16-QAM).
MAX_LINK_N = 4096
_LINK_N = Param("int", 64, "complex channel uses per frame", lo=1, hi=MAX_LINK_N)

#: Parameters shared by every study: gains, payload, blocklength, noise (d_m <= n is checked
#: by the study).
COMMON = Schema(z_bob_db=_Z_BOB, z_eve_db=_Z_EVE,
                d_m=Param("int", 16, "ciphertext = plaintext bits d_M", lo=1, unit="bits"),
                n=_N, noise=_NOISE)

#: The parameters of :class:`linksim.systems.pld.link.PLDLink` (notes 003 §3).
PARAMS = Schema(
    p_m=Param("real", help="message-layer power P_M", lo=0.0, strict_lo=True, unit="mW"),
    p_k=Param("real", None, "key-layer power P_K (or give p_total)", lo=0.0, nullable=True,
              unit="mW"),
    p_total=Param("real", None, "power budget P_Sigma: P_K = p_total - p_m", lo=0.0,
                  nullable=True, unit="mW"),
    d_k=Param("int", help="key bits d_K (0: no key layer; at most n, c4)", lo=0, unit="bits"),
    z_eve_db=_Z_EVE, z_bob_db=_Z_BOB,
    d_m=Param("int", 16, "ciphertext = plaintext bits d_M (at most n)", lo=2, unit="bits"),
    noise=_NOISE, n=_LINK_N,
    modulation=Param("choice", "qpsk", "modulation of both layers", choices=tuple(MODULATIONS)),
    code_m=Param("choice", "ldpc5g", "channel code of the M layer", choices=CODES),
    code_k=Param("choice", "ldpc5g", "channel code of the K layer", choices=CODES),
    crc_m=Param("choice", "CRC11", "CRC of the M layer", choices=tuple(CRC_NAMES),
                nullable=True),
    crc_k=Param("choice", "CRC11", "CRC of the K layer", choices=tuple(CRC_NAMES),
                nullable=True),
    decoder=Param("choice", "nms", "LDPC BP algorithm", choices=DECODERS),
    num_iter=Param("int", 20, "maximum BP iterations", lo=1),
    m_llr=Param("choice", "gaussian", "M-layer LLRs: K as Gaussian interference, or joint",
                choices=M_LLR_MODES),
    channel=Param("choice", "static", "channel", choices=CHANNELS),
    fading=Param("choice", "quasi_static", "fading time variation (Rayleigh)",
                 choices=FADINGS),
    n_blocks=Param("int", 1, "fading blocks per frame (block Rayleigh)", lo=1),
    p_cipher_on=Param("real", 1.0, "probability that a frame is enciphered", lo=0.0, hi=1.0),
    receiver=Param("choice", "bittrue", "bit-true decoders, or Bernoulli erasures at the "
                   "normal approximation", choices=RECEIVERS),
)

#: The parameters of :class:`linksim.systems.pld.layer.PLDLayerLink`: one layer of the link,
#: alone over AWGN (the calibration of the code-aware error model, issue 15).
LAYER_PARAMS = Schema(
    sinr_db=Param("real", help="SINR of the layer (unit-power symbols over CN(0, N0))",
                  lo=-60.0, hi=60.0, unit="dB"),
    d=Param("int", 16, "payload bits of the layer", lo=1, unit="bits"),
    crc=PARAMS.params["crc_m"], code=PARAMS.params["code_m"],
    decoder=PARAMS.params["decoder"], num_iter=PARAMS.params["num_iter"],
    modulation=PARAMS.params["modulation"], n=_LINK_N,
    interference=Param("real", 0.0, "share of the impairment that is a superposed layer "
                       "(treated as Gaussian by the decoder; the rest is noise)", lo=0.0,
                       hi=0.99),
    interference_d=Param("int", 0, "payload bits of the interfering layer's code (0: uniformly "
                         "random symbols)", lo=0, unit="bits"),
    interference_crc=Param("choice", "CRC11", "CRC of the interfering layer",
                           choices=tuple(CRC_NAMES), nullable=True),
    twin=Param("bool", False, "a second receiver of the same frames (the measured joint "
               "table)"),
    twin_gain_db=Param("real", 0.0, "the second receiver's gain relative to the first",
                       lo=-60.0, hi=60.0, unit="dB"),
    sic=Param("bool", False, "after the layer, cancel it where decoded and decode the "
              "interfering layer (the SIC stage; needs interference_d > 0)"),
)

# Numerical limits (checked on a scenario's points before they are built) ---------------------

#: Largest |SINR| of a layer in dB, 10 log10(P / noise) + z_db with P a layer's power (or the
#: budget p_total) and z_db either receiver's gain: the noise variance per symbol must stay
#: finite and nonzero (the generic +-300 dB bound on each dB value, applied to their sum).
SNR_DB_LIMIT = 300.0
#: ``grid`` of the studies. pld_theorem1 searches a grid x grid square: 2001 (4e6 points,
#: ~0.6 GB of arrays, seconds). The others search a line of ``grid`` points for each key size
#: 0..n: at most 1e6 points a line and 1e8 line points in all ((n + 1) * grid; measured 0.8 us
#: a point: grid = 1e6 at n = 64 takes 52 s, the most allowed under two minutes).
MAX_SQUARE_GRID = 2001
MAX_LINE_GRID = 1_000_000
MAX_LINE_EVALUATIONS = 10**8


def _sinr_limit(params) -> Limit | None:
    values = {k: v for k, v in params.items() if is_real(v)}
    if not ("noise" in values and values["noise"] > 0):
        return None
    gains = [k for k in ("z_bob_db", "z_eve_db") if k in values]
    powers = [k for k in ("p_m", "p_k", "p_total") if k in values and values[k] > 0]
    for power in powers:
        for gain in gains:
            terms = {power: 10 * math.log10(values[power]),
                     "noise": -10 * math.log10(values["noise"]), gain: values[gain]}
            snr = sum(terms.values())
            if abs(snr) > SNR_DB_LIMIT:
                name = max(terms, key=lambda k: abs(terms[k]))
                return Limit(name, f"values keeping every layer's SINR in [-{SNR_DB_LIMIT:g}, "
                                   f"{SNR_DB_LIMIT:g}] dB (the noise variance per symbol must "
                                   f"stay finite and nonzero)",
                             detail=f", which puts a layer's SINR at {snr:.1f} dB "
                                    f"(10 log10({power} / noise) + {gain})")
    return None


def _grid_limit(params, square: bool) -> Limit | None:
    grid = params.get("grid")
    most = MAX_SQUARE_GRID if square else MAX_LINE_GRID
    if is_real(grid) and grid > most:
        what = (f"{most} points a side of the square power grid ({most}^2 = {most**2:.1e} "
                f"points" if square else f"{most} points on the power line (for each key "
                                         f"size 0..n")
        return Limit("grid", f"at most {what}; the grid's time and memory)")
    return None


def _line_work_limit(params, default_grid: int) -> Limit | None:
    """(n + 1) * grid line points of a line-search study; ``default_grid`` is the grid of its
    schema (the value a scenario did not move: the other is blamed)."""
    grid = params.get("grid", default_grid)
    n = params.get("n")
    if not (is_int(n) and is_int(grid)):
        return None
    work = (float(n) + 1) * float(grid)
    if work <= MAX_LINE_EVALUATIONS:
        return None
    name = "grid" if "grid" in params and grid != default_grid else "n"
    return Limit(name, f"at most {MAX_LINE_EVALUATIONS:.0e} line points (under two minutes)",
                 detail=f", (n + 1) * grid = {work:.2e} line points (n = {n}, grid = {grid})")


def _study_limits(square: bool, line_grid: int | None):
    def limits(params) -> Limit | None:
        return (_grid_limit(params, square) or _sinr_limit(params)
                or (None if line_grid is None else _line_work_limit(params, line_grid)))
    return limits


def _build_link(**params):
    from linksim.systems.pld.link import PLDLink
    return PLDLink(**params)


def _build_layer(**params):
    from linksim.systems.pld.layer import PLDLayerLink
    return PLDLayerLink(**params)


def _layer_spec() -> SystemSpec:
    from linksim.systems.pld import error_model, layer
    return SystemSpec(
        name="pld_layer", description="One PLD layer (CRC + 5G LDPC or BCH, the link's "
                                      "padding and decoder) alone over AWGN at an SINR: the "
                                      "calibration of the code-aware error model (issue 15)",
        params=LAYER_PARAMS, builder=_build_layer, counts=layer.COUNTS,
        metrics=error_model.LAYER_METRICS,
        predictions={"shifted_na_bler": error_model.shifted_na_prediction,
                     "calibrated_bler": error_model.calibrated_prediction})


def _link_spec() -> SystemSpec:
    from linksim.systems.pld import analysis, joint, link, metrics
    predictions = {f"na_{q}": functools.partial(analysis.link_prediction, quantity=q)
                   for q in analysis.LINK_PREDICTIONS}
    predictions.update({f"ca_{q}": functools.partial(joint.code_aware_prediction, quantity=q)
                        for q in joint.CODE_AWARE_PREDICTIONS})
    return SystemSpec(
        name="pld", description="Physical layer deception with NOM (seed 003): deceptive FF1 "
                                "cipher, CRC + LDPC/BCH per layer, superposition, SIC at Bob "
                                "and Eve, Table I event counts",
        params=PARAMS, builder=_build_link, counts=link.COUNTS, predictions=predictions,
        derive=analysis.derived, metrics=metrics.METRICS, limits=_sinr_limit)


_THRESHOLDS = Param("any", 0.5, "SINR thresholds of c5-c8: one number or four")
_EPS_LF_MAX = Param("real", 0.5, "largest eps_LF (c9)", lo=0.0, strict_lo=True, hi=1.0)
_P_TOTAL = Param("real", help="power budget P_Sigma", lo=0.0, strict_lo=True, unit="mW")

#: Each study's own parameters beyond :data:`COMMON` (the schema of study s is COMMON + these).
STUDY_PARAMS = {
    "pld_point": Schema(
        p_m=Param("real", help="message-layer power P_M", lo=0.0, unit="mW"),
        p_k=PARAMS.params["p_k"], p_total=PARAMS.params["p_total"],
        d_k=Param("int", help="key bits d_K (at most n)", lo=0, unit="bits"),
        p_cipher_on=PARAMS.params["p_cipher_on"], thresholds=_THRESHOLDS,
        eps_lf_max=_EPS_LF_MAX),
    "pld_optimum": Schema(
        p_total=_P_TOTAL,
        d_k_forced=Param("int", None, "a key size at which to also give the best P_M", lo=0,
                         nullable=True, unit="bits"),
        solver=Param("choice", "exhaustive", "P0 solver", choices=("exhaustive", "mm_bcd")),
        grid=Param("int", 20001, "points of the power line per key size", lo=3),
        thresholds=_THRESHOLDS, eps_lf_max=_EPS_LF_MAX),
    "pld_mm_bcd": Schema(
        p_total=_P_TOTAL,
        start_d_k=Param("real", None, "start d_K of Algorithm 1", lo=0.0, nullable=True),
        start_p_m=Param("real", None, "start P_M of Algorithm 1", lo=0.0, nullable=True,
                        unit="mW"),
        literal=Param("bool", False, "run Algorithm 1 as printed (uncorrected)"),
        thresholds=_THRESHOLDS, eps_lf_max=_EPS_LF_MAX),
    "pld_theorem1": Schema(
        p_total=_P_TOTAL,
        d_k=Param("int", help="key bits d_K (at most n)", lo=0, unit="bits"),
        grid=Param("int", 401, "points a side of the square power grid", lo=3),
        thresholds=_THRESHOLDS, eps_lf_max=_EPS_LF_MAX),
    "pld_code_design": Schema(
        p_total=_P_TOTAL,
        calibration=Param("any", "results/pld_calibration",
                          "results directory of the pld_layer calibration"),
        decoders=Param("any", ("nms", "spa"), "decoders the design may use"),
        modulations=Param("any", ("qpsk", "16qam"), "modulations the design may use"),
        crcs=Param("any", ("CRC6", "CRC11", "CRC16", "CRC24C"), "CRCs the design may use"),
        grid=Param("int", 801, "points of the power line", lo=3, hi=100001),
        thresholds=_THRESHOLDS, eps_lf_max=_EPS_LF_MAX),
    "pld_feasibility": Schema(
        p_total=_P_TOTAL,
        grid=Param("int", 20001, "points of the power line per key size", lo=3),
        thresholds=_THRESHOLDS),
}

#: Study name -> (square grid search, line grid it searches with: None for no line search).
_STUDY_WORK = {"pld_point": (False, None), "pld_optimum": (False, 20001),
               "pld_mm_bcd": (False, 20001), "pld_theorem1": (True, None),
               "pld_feasibility": (False, 20001), "pld_code_design": (False, None)}


def _study_specs() -> list[SystemSpec]:
    from linksim.systems.pld import studies
    specs = []
    for name, builder, quantities, description in studies.STUDIES:
        own = STUDY_PARAMS[name]
        square, line_grid = _STUDY_WORK[name]
        if line_grid is not None and "grid" in own:
            line_grid = own["grid"]
        specs.append(SystemSpec(
            name=name, description=description, params=Schema({**COMMON.params, **own.params}),
            builder=builder, kind="analysis",
            quantities={q: Quantity(label, scale) for q, (label, scale) in quantities.items()},
            limits=_study_limits(square, line_grid)))
    return specs


SPEC = _link_spec()
LAYER_SPEC = _layer_spec()
STUDY_SPECS = tuple(_study_specs())
#: The systems this package declares (the registry reads it).
SYSTEMS = (SPEC, LAYER_SPEC, *STUDY_SPECS)
