"""The Gaussian interference channel with confidential messages and strong secrecy (seed 000)
as linksim sees it, declared once: the secrecy-region study and the binning-rate designer
(kind "analysis", :mod:`.studies`) and bit-true random binning with exact leakage (kind
"simulation", :mod:`.binning`).

:data:`SETTING` is the channel every seed-000 system shares (Definition 6: real, unit noise,
cross gains rho_1, rho_2, power P); :data:`REGION_SCHEMA`, :data:`DESIGN_SCHEMA` and
:data:`BINNING_SCHEMA` add what each system needs.
"""

from __future__ import annotations

from linksim.systems.base import Limit, Quantity, SystemSpec
from linksim.systems.schema import Param, Schema

__all__ = ["SETTING", "SPLIT", "REGION_SCHEMA", "DESIGN_SCHEMA", "BINNING_SCHEMA",
           "MAX_GRID_POINTS", "SYSTEMS"]

#: The channel (notes 000 §1.7): Y_1 = X_1 + rho_1 X_2 + Z_1, Y_2 = rho_2 X_1 + X_2 + Z_2,
#: Z ~ N(0, 1). The paper takes rho < 1 ("weak interference"); larger gains are allowed as an
#: extension and flagged by the studies (notes §6 item 11).
SETTING = Schema(
    p=Param("real", 100.0, "power P of both transmitters (linear SNR; noise N(0, 1))",
            lo=0.0, strict_lo=True, hi=1e9, label="$P$", html="P"),
    p2=Param("real", None, "transmitter 2's power P_2 (None: P)", lo=0.0, strict_lo=True,
             hi=1e9, nullable=True, label="$P_2$", html="P<sub>2</sub>"),
    rho1=Param("real", 0.2, "cross gain rho_1 of Tx 2 at Rx 1 (amplitude; the paper: < 1)",
               lo=0.0, hi=10.0, label=r"$\rho_1$", html="&rho;<sub>1</sub>"),
    rho2=Param("real", 0.2, "cross gain rho_2 of Tx 1 at Rx 2 (amplitude; the paper: < 1)",
               lo=0.0, hi=10.0, label=r"$\rho_2$", html="&rho;<sub>2</sub>"),
    complex_valued=Param("bool", False, "complex baseband (log per use) instead of the "
                         "paper's real channel (1/2 log)"),
)

#: The AN split and power control of both transmitters (Proposition 2).
SPLIT = Schema(
    lam1=Param("real", 0.0, "AN fraction lambda_1 of Tx 1", lo=0.0, hi=1.0,
               label=r"$\lambda_1$", html="&lambda;<sub>1</sub>"),
    lam2=Param("real", 0.0, "AN fraction lambda_2 of Tx 2", lo=0.0, hi=1.0,
               label=r"$\lambda_2$", html="&lambda;<sub>2</sub>"),
    beta1=Param("real", 1.0, "power-control fraction beta_1 of Tx 1", lo=0.0, hi=1.0,
                label=r"$\beta_1$", html="&beta;<sub>1</sub>"),
    beta2=Param("real", 1.0, "power-control fraction beta_2 of Tx 2", lo=0.0, hi=1.0,
                label=r"$\beta_2$", html="&beta;<sub>2</sub>"),
)

#: The region study: the setting, the grid over (lambda_1, lambda_2, beta_1, beta_2) and the
#: abscissa R_1 at which the boundaries are read.
REGION_SCHEMA = Schema({
    **SETTING.params,
    "grid": Param("int", 51, "grid points per parameter over [0, 1] (grid^4 sets)", lo=2,
                  hi=101),
    "r1": Param("real", 0.0, "rate R_1 at which the boundaries R_2^max(R_1) are read",
                lo=0.0, hi=100.0, unit="bit/use", label="$R_1$ (bit/use)", html="R<sub>1</sub>"
                " (bit/use)"),
})

#: Largest ``grid^4`` of a region point (about 1 us per set and mutual information, four
#: per set: 81^4 is ~3 min, and the grid is computed once per process and setting).
MAX_GRID_POINTS = 81 ** 4


def _region_limits(params) -> Limit | None:
    grid = params.get("grid", 51)
    if isinstance(grid, int) and not isinstance(grid, bool) and grid ** 4 > MAX_GRID_POINTS:
        return Limit("grid", f"grid^4 <= {MAX_GRID_POINTS} (grid <= 81; ~1 us per set and "
                             f"mutual information)", detail=f", grid^4 = {grid ** 4}")
    return None


#: The binning-rate designer: the setting, the split, the margin and a blocklength.
DESIGN_SCHEMA = Schema({
    **SETTING.params, **SPLIT.params,
    "margin": Param("real", 0.0, "margin added to the dummy-bit rate R' = I(V_i; Y_j | V_j) "
                    "(bit/use)", lo=-10.0, hi=10.0),
    "n": Param("int", None, "blocklength n for the bit counts (None: rates only)", lo=1,
               hi=10 ** 7, nullable=True),
})


def _region_spec() -> SystemSpec:
    from linksim.systems.ic_secrecy.studies import REGION_QUANTITIES, RegionStudy
    return SystemSpec(
        name="ic_secrecy_region",
        description="Seed 000: the strong-secrecy rate region of the Gaussian IC with "
                    "artificial noise and power control (corrected Proposition 2), union and "
                    "convex hull, max sum and max-min rates with their parameters",
        params=REGION_SCHEMA, builder=RegionStudy, kind="analysis",
        quantities={q: Quantity(label, scale) for q, (label, scale)
                    in REGION_QUANTITIES.items()},
        limits=_region_limits)


def _design_spec() -> SystemSpec:
    from linksim.systems.ic_secrecy.studies import DESIGN_QUANTITIES, BinningDesign
    return SystemSpec(
        name="ic_secrecy_design",
        description="Seed 000: the binning-rate designer, dummy-bit rate R' = I(V_i; Y_j | "
                    "V_j) + margin and the secret rate left, per user",
        params=DESIGN_SCHEMA, builder=BinningDesign, kind="analysis",
        quantities={q: Quantity(label, scale) for q, (label, scale)
                    in DESIGN_QUANTITIES.items()})


#: Bit-true random binning (notes 000 §5.2-§5.4 E2): Tx 1 sends one of M = round(2^{nR})
#: messages with one of M' = round(2^{nR'}) dummy indices, a fresh Gaussian codebook per frame;
#: the eavesdropper (Rx 2) knows the codebook, and either Tx 2's codeword (the genie of the
#: rate formula) or only Tx 2's codebook (the paper's metric, marginalized).
BINNING_SCHEMA = Schema({
    **SETTING.params, **SPLIT.params,
    "n": Param("int", 8, "blocklength n (channel uses per codeword)", lo=1, hi=64,
               label="$n$", html="n"),
    "rate": Param("real", 0.25, "secret rate R of Tx 1 (M = round(2^{nR}) messages)",
                  lo=0.0, hi=4.0, unit="bit/use", label="$R$", html="R"),
    "dummy_rate": Param("real", 0.25, "binning (dummy) rate R' of Tx 1 (M' = round(2^{nR'}))",
                        lo=0.0, hi=4.0, unit="bit/use", label="$R'$", html="R&prime;"),
    "eve": Param("choice", "genie", "the eavesdropper's side information: 'genie' knows Tx 2's "
                 "codeword V_2 (the rate formula's I(W_1; Y_2^n | V_2^n)), 'marginal' only its "
                 "codebook (the paper's I(W_1; Y_2^n))", choices=("genie", "marginal")),
    "rate2": Param("real", 0.25, "Tx 2's message rate (eve = 'marginal' only)", lo=0.0,
                   hi=4.0, unit="bit/use"),
    "dummy_rate2": Param("real", 0.25, "Tx 2's dummy rate (eve = 'marginal' only)", lo=0.0,
                         hi=4.0, unit="bit/use"),
    "samples": Param("int", 64, "channel outputs drawn per codebook (a frame is one codebook)",
                     lo=2, hi=100000),
})



def _binning_limits(params) -> Limit | None:
    """The work limits of an ``ic_binning`` point (:func:`.binning.cost_limit`): codewords Eve
    weighs per sample times n, and samples times codewords per frame."""
    from linksim.systems.ic_secrecy.binning import cost_limit
    return cost_limit(params)


def _binning_spec() -> SystemSpec:
    from linksim.systems.ic_secrecy import binning
    return SystemSpec(
        name="ic_binning",
        description="Seed 000, bit-true: random binning (secret and dummy indices) over the "
                    "Gaussian IC, a fresh Gaussian codebook per frame, Bob's ML decoding and "
                    "the eavesdropper's exact leakage I(W; Y^n) (genie or marginal), the L1 "
                    "distance and Pinsker's bracket, beside the resolvability prediction",
        params=BINNING_SCHEMA, builder=binning.BinningLink, kind="simulation",
        counts=binning.COUNTS, metrics=binning.METRICS, derive=binning.derived,
        limits=_binning_limits)


SYSTEMS = (_region_spec(), _design_spec(), _binning_spec())
