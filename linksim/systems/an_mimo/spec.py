"""The wiretap MIMO interference channel with artificial noise (seed 002) as linksim sees it,
declared once: the analytical studies (:mod:`.studies`, kind "analysis") and the bit-true
link (:mod:`.link`, kind "simulation")."""

from __future__ import annotations

from linksim.systems.base import Limit, Quantity, SystemSpec
from linksim.systems.schema import Param, Schema

__all__ = ["SETTING", "STUDY_SCHEMA", "CONVERGENCE_SCHEMA", "LINK_SCHEMA", "SYSTEMS",
           "MAX_DESIGN_WORK"]

#: The physical setting shared by every seed-002 system (notes 002 §4; powers in dB of one
#: reference, A6).
SETTING = Schema(
    k=Param("int", 3, "transmitter-receiver pairs K", lo=2, hi=8),
    n_t=Param("int", 4, "transmit antennas N_T", lo=1, hi=16),
    n_r=Param("int", 4, "receive antennas N_R", lo=1, hi=16),
    n_e=Param("int", 8, "Eve's antennas N_E", lo=1, hi=32),
    d_s=Param("int", 2, "data streams per user d_s", lo=1, hi=16),
    d_a=Param("int", 1, "artificial-noise streams per user d_a", lo=0, hi=16),
    d_m=Param("real", 10.0, "direct-link distance d_M", lo=0.0, strict_lo=True, unit="m"),
    d_i=Param("real", 10.0, "cross-link distance d_I", lo=0.0, strict_lo=True, unit="m"),
    d_e=Param("real", 10.0, "distance to Eve d_E", lo=0.0, strict_lo=True, unit="m",
              label=r"$d_E$ (m)", html="d<sub>E</sub> (m)"),
    p_total_db=Param("real", 20.0, "power budget per transmitter P_tot", lo=-100.0, hi=100.0,
                     unit="dB", label=r"$P_{tot}$ (dB)", html="P<sub>tot</sub> (dB)"),
    noise_db=Param("real", -110.0, "noise variance sigma^2 at every receiver and Eve",
                   lo=-200.0, hi=100.0, unit="dB"),
    zeta=Param("real", 0.1, "CSI error: estimate ~ CN(0, 1 - zeta^2), error ~ CN(0, zeta^2)",
               lo=0.0, hi=0.99, label=r"$\zeta$", html="&zeta;"),
    eps=Param("real", None, "robust design's error radius (None: zeta, the paper's reading)",
              lo=0.0, nullable=True),
    n_iter=Param("int", 30, "largest number of outer iterations of Algorithm 1", lo=1,
                 hi=200),
    tol=Param("real", 1e-3, "stop when the estimated sum secrecy rate moves less", lo=0.0,
              unit="bits"),
    form=Param("choice", "matrix", "robust LMI form", choices=("matrix", "vector")),
    mt_mse_eta=Param("real", 0.7, "MT-MSE Eve-MSE floor per stream eta (0.7: the best of "
                     "0.3/0.5/0.7/0.9 at 20 dB, notes §3.1)", lo=0.0),
    mt_mse_constraint=Param("choice", "mmse_bound", "how MT-MSE imposes Eve's MSE floor",
                            choices=("mmse_bound", "fixed_filter")),
    an_ia_phi=Param("real", 0.5, "AN-IA data share of the power (None: grid search)",
                    lo=0.0, strict_lo=True, hi=1.0, nullable=True),
    data_fraction=Param("real", 0.5, "null-space reference: data share of the power",
                        lo=0.0, strict_lo=True, hi=1.0),
)

#: The analytical studies' schema: the setting plus the draws and schemes.
STUDY_SCHEMA = Schema({
    **SETTING.params,
    "n_draws": Param("int", 8, "channel draws averaged", lo=1, hi=10000),
    "seed": Param("int", 0, "seed of the channel draws", lo=0),
    "schemes": Param("any", ["proposed", "mt_mse", "an_ia", "null_space"],
                     "schemes evaluated"),
})

#: The bit-true link's schema: the setting plus the pool, the code and the receivers.
LINK_SCHEMA = Schema({
    **SETTING.params,
    "scheme": Param("choice", "proposed", "precoding design",
                    choices=("proposed", "mt_mse", "an_ia", "null_space", "nonrobust")),
    "n_channels": Param("int", 4, "channel draws designed once and kept (the pool)", lo=1,
                        hi=256),
    "channel_seed": Param("int", 0, "seed of the pool's channel draws", lo=0),
    "modulation": Param("choice", "qpsk", "QAM of every stream",
                        choices=("bpsk", "qpsk", "16qam", "64qam", "256qam")),
    "n_code": Param("int", 512, "code bits per codeword (5G NR LDPC)", lo=8, hi=26112,
                    unit="bits"),
    "k_info": Param("int", 128, "information bits per codeword", lo=1, hi=8448, unit="bits"),
    "backoff": Param("real", 0.8, "a stream is used when backoff * log2(1 + SINR) >= R",
                     lo=0.0, strict_lo=True, hi=1.0),
    "receiver": Param("choice", "lmmse", "legitimate detector", choices=("lmmse", "zf")),
    "eve_detector": Param("choice", "lmmse", "Eve's detector", choices=("lmmse", "ml")),
    "decoder": Param("choice", "nms", "LDPC BP algorithm", choices=("nms", "oms", "spa")),
    "num_iter": Param("int", 20, "largest number of BP iterations", lo=1, hi=1000),
})

#: Largest n_draws * n_iter of a study point (each outer iteration solves K programs of
#: ~0.15 s): 20000 is about 2.5 hours for K = 3.
MAX_DESIGN_WORK = 20000


#: The convergence study's schema: the studies' plus the iteration reported.
CONVERGENCE_SCHEMA = Schema({
    **STUDY_SCHEMA.params,
    "iteration": Param("int", help="outer iterations run (0: the start)", lo=0,
                       label="iteration", html="iteration")})


def _work_limit(params, draws: str) -> Limit | None:
    """``draws * n_iter`` designs' iterations (``draws``: n_draws or n_channels); the limit
    names whichever of the two the point sets (a single value is checked alone too)."""
    n_draws, n_iter = params.get(draws, 8), params.get("n_iter", 30)
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool)
               for v in (n_draws, n_iter)):
        return None
    work = float(n_draws) * float(n_iter)
    if work > MAX_DESIGN_WORK:
        name = draws if draws in params else "n_iter"
        return Limit(name, f"{draws} * n_iter <= {MAX_DESIGN_WORK} (each outer iteration "
                           f"solves K semidefinite programs of ~0.15 s)",
                     detail=f", {draws} * n_iter = {work:g}")
    return None


def _limits(params) -> Limit | None:
    return _work_limit(params, "n_draws")


def _secrecy_spec() -> SystemSpec:
    from linksim.systems.an_mimo.studies import SECRECY_QUANTITIES, SecrecyStudy
    return SystemSpec(
        name="an_mimo_secrecy",
        description="Seed 002: average sum secrecy rate of the robust ADP design, MT-MSE, "
                    "AN-IA and the null-space reference over channel draws",
        params=STUDY_SCHEMA, builder=SecrecyStudy, kind="analysis",
        quantities={q: Quantity(label, scale) for q, (label, scale)
                    in SECRECY_QUANTITIES.items()},
        limits=_limits)


def _convergence_spec() -> SystemSpec:
    from linksim.systems.an_mimo.studies import CONVERGENCE_QUANTITIES, ConvergenceStudy
    return SystemSpec(
        name="an_mimo_convergence",
        description="Seed 002, Fig. 3: the robust ADP design after each outer iteration",
        params=CONVERGENCE_SCHEMA, builder=ConvergenceStudy, kind="analysis",
        quantities={q: Quantity(label, scale) for q, (label, scale)
                    in CONVERGENCE_QUANTITIES.items()},
        limits=_limits)


def _build_link(**params):
    from linksim.systems.an_mimo.link import AnMimoLink
    return AnMimoLink(**params)


def _link_spec() -> SystemSpec:
    from linksim.systems.an_mimo import link, measures
    return SystemSpec(
        name="an_mimo",
        description="Seed 002, bit-true: LDPC-coded QAM streams through designed precoders "
                    "with Gaussian AN, LMMSE/ZF receivers, the worst-case Eve with LMMSE or ML",
        params=LINK_SCHEMA, builder=_build_link, counts=link.COUNTS,
        derive=measures.derived, metrics=measures.METRICS, limits=_link_limits)


def _link_limits(params) -> Limit | None:
    return _work_limit(params, "n_channels")


SYSTEMS = (_secrecy_spec(), _convergence_spec(), _link_spec())
