"""The coded link as linksim sees it, declared once: parameters, counts, predictions, limits.

Everything about the system that the scenario parser, ``linksim bler``, the evaluation and the
report need comes from :data:`SPEC`; :mod:`.link` is the simulation, :mod:`.analysis` its
finite-blocklength predictions.
"""

from __future__ import annotations

from linksim.fec.crc import CRC_NAMES
from linksim.mapping import MODULATIONS
from linksim.checks import is_real
from linksim.systems.base import Limit, SystemSpec
from linksim.systems.coded_link import analysis
from linksim.systems.schema import Param, Schema

__all__ = ["CODES", "CHANNELS", "FADINGS", "DECODERS", "PRECISIONS", "DEMAPPERS", "BACKENDS", "DEVICES",
           "PARAMS", "COUNTS",
           "MAX_NUM_ITER", "MAX_CSI_ERROR_VAR", "SPEC"]

CODES = ("ldpc5g", "none")
CHANNELS = ("awgn", "rayleigh", "rician")
FADINGS = ("quasi_static", "block", "fast")
DECODERS = ("nms", "oms", "spa")
#: Arithmetic of the LDPC decoder's messages (linksim.fec.ldpc.bp_decode): floating point, or
#: saturating fixed point (layered nms/oms; linksim.fec.ldpc.layered_minsum).
PRECISIONS = ("float32", "float64", "int16", "int8")
DEMAPPERS = ("app", "maxlog")
#: Engines of the coded link: linksim's Numba kernels, or Sionna 2 blocks on PyTorch
#: (:mod:`.sionna_link`).
BACKENDS = ("numba", "sionna")
DEVICES = ("cpu", "cuda")

#: Most BP iterations: 5G LDPC decoders converge within tens; 10000 bounds the time a typo
#: such as num_iter = 1e9 can take.
MAX_NUM_ITER = 10_000
#: Largest channel-estimation error variance (relative to E|h|^2 = 1); past ~1e300 the
#: effective noise variance overflows to inf.
MAX_CSI_ERROR_VAR = 1e6

#: The parameters of :class:`linksim.systems.coded_link.link.CodedLink` (``cli``: the options
#: of ``linksim bler``, which sweeps ``ebno_db`` itself).
PARAMS = Schema(
    code=Param("choice", "ldpc5g", "channel code (default %(default)s)", choices=CODES,
               cli=True),
    k=Param("int", help="information bits per frame at the code input, CRC included", lo=1,
            unit="bits", label=r"information bits $k$", cli=True),
    n=Param("int", None, "code bits per frame (required for ldpc5g; default k for --code none)",
            lo=1, nullable=True, unit="bits", label=r"block length $n$", cli=True),
    modulation=Param("choice", "qpsk", "modulation (default %(default)s)",
                     choices=tuple(MODULATIONS), flag="--mod", cli=True),
    channel=Param("choice", "awgn", "channel (default %(default)s)", choices=CHANNELS,
                  cli=True),
    ebno_db=Param("real", help="Eb/N0 per information bit (code rate k / n)", unit="dB",
                  label=r"$E_b/N_0$ (dB)", html="E<sub>b</sub>/N<sub>0</sub> (dB)"),
    fading=Param("choice", "quasi_static", "fading time variation (default %(default)s)",
                 choices=FADINGS, cli=True),
    n_blocks=Param("int", 1, "fading blocks per frame with --fading block (default "
                   "%(default)s)", lo=1, label="fading blocks per frame", cli=True),
    k_factor=Param("real", 0.0, "Rician K-factor, linear (default %(default)s)", lo=0.0,
                   label=r"Rician $K$-factor", cli=True),
    csi_error_var=Param("real", 0.0, "channel-estimation error variance (default "
                        "%(default)s: perfect CSI)", lo=0.0,
                        label=r"CSI error variance $\sigma_e^2$", cli=True),
    decoder=Param("choice", "nms", "LDPC BP algorithm (default %(default)s)",
                  choices=DECODERS, cli=True),
    num_iter=Param("int", 20, "maximum BP iterations (default %(default)s)", lo=1,
                   label="maximum BP iterations", flag="--iters", cli=True),
    early_stop=Param("bool", True, "always run all BP iterations", cli=True),
    precision=Param("choice", "float32", "decoder message arithmetic: floating point, or "
                    "saturating fixed point for the nms/oms decoders (default %(default)s)",
                    choices=PRECISIONS, label="decoder precision", cli=True),
    demapper=Param("choice", "app", "LLR demapper (default %(default)s)", choices=DEMAPPERS,
                   cli=True),
    crc=Param("choice", None, "CRC inside the k information bits, e.g. CRC24A, CRC16 (default "
              "none)", choices=tuple(CRC_NAMES), nullable=True, cli=True),
    backend=Param("choice", "numba", "simulation engine: the Numba kernels, or Sionna 2 blocks "
                  "on PyTorch (default %(default)s)", choices=BACKENDS, cli=True),
    device=Param("choice", "cpu", "where the Sionna backend runs (default %(default)s)",
                 choices=DEVICES, cli=True),
)

#: Counts a batch returns beyond frames / frame_errors / bits / bit_errors (/ bit_errors_sq).
COUNTS = ("iterations", "crc_failures", "undetected_errors")


def _limits(params) -> Limit | None:
    """The coded link's numerical limits beyond the schema (see the constants)."""
    csi, iters = params.get("csi_error_var"), params.get("num_iter")
    if is_real(csi) and csi > MAX_CSI_ERROR_VAR:
        return Limit("csi_error_var", f"at most {MAX_CSI_ERROR_VAR:g} (relative to the unit mean "
                     f"channel power: the estimate holds no information long before; the "
                     f"variance enters the noise variance, which must stay finite)")
    if is_real(iters) and iters > MAX_NUM_ITER:
        return Limit("num_iter", f"at most {MAX_NUM_ITER} BP iterations (decoders converge "
                     f"within tens; the bound keeps a typo from running for days)")
    return None


def _build(**params):
    if params.get("backend", "numba") == "sionna":
        from linksim.systems.coded_link.sionna_link import SionnaCodedLink
        return SionnaCodedLink(**params)
    from linksim.systems.coded_link.link import CodedLink
    return CodedLink(**params)


SPEC = SystemSpec(
    name="coded_link",
    description="CRC + 5G NR LDPC + QAM over AWGN or flat Rayleigh/Rician fading, BP decoding",
    params=PARAMS, builder=_build, counts=COUNTS,
    predictions={"normal_approximation": analysis.normal_approximation,
                 "metaconverse": analysis.metaconverse_bler},
    prediction_checks={"metaconverse": analysis.metaconverse_applies},
    limits=_limits,
)
