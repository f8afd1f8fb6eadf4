"""Analysis systems of the PLD paper (seed 003): what its analytical scenarios evaluate per point.

Each class below is the builder of one *analysis* system of :mod:`linksim.systems` (kind
"analysis"): the constructor validates the parameters, :meth:`evaluate` returns a dict of named
scalars (the system's quantities). They wrap :mod:`.analysis`, :mod:`.p0` and :mod:`.baselines`:

* ``pld_point``    -- eqs. (8)-(11) at one operating point (Fig. 3 surface, forced points).
* ``pld_optimum``  -- the P0 optimum (exhaustive or MM-BCD) beside both baselines (Table III,
  Figs. 5-7); with ``d_k`` given, the best P_M at that key size (the paper's Table III points).
* ``pld_mm_bcd``   -- Algorithm 1 from one start against the exhaustive optimum (Fig. 4).
* ``pld_theorem1`` -- the optimum over the square power grid, and its distance to the budget
  line (Fig. 2, Theorem 1).
* ``pld_feasibility`` -- the smallest eps_LF^th with a non-empty feasible region (Fig. 8).
* ``pld_code_design`` -- the code-aware design of :mod:`.design` (issue 15): the best choice
  of CRCs, code family (decoder, modulation, n <= the point's n) and (d_K, P_M) under the
  calibrated gap models, and the best at the paper's n = 64 (QPSK, NMS-20).

Gains are given in dB (``z_bob_db``, ``z_eve_db``) as in the paper's figures; powers in mW.
"""

from __future__ import annotations

from linksim.checks import check_real as _real
from linksim.systems.pld import baselines as _base
from linksim.systems.pld import p0 as _p0
from linksim.systems.pld.analysis import activation_metrics, layer_powers, pld_metrics
from linksim.systems.pld.spec import COMMON, STUDY_PARAMS

__all__ = ["PLDPoint", "PLDOptimumStudy", "MMBCDStudy", "Theorem1Study", "FeasibilityStudy",
           "CodeDesignStudy", "CODE_DESIGN_QUANTITIES",
           "POINT_QUANTITIES", "OPTIMUM_QUANTITIES", "MM_BCD_QUANTITIES",
           "THEOREM1_QUANTITIES", "FEASIBILITY_QUANTITIES"]

class _Common:
    """Shared parameters: gains in dB, d_m, n, noise, thresholds (c5-c8), eps_lf_max (c9).

    Each value is checked against the study's schema (:data:`.spec.COMMON` and
    :data:`.spec.STUDY_PARAMS`); :meth:`_own` checks a subclass's own parameters.
    """

    #: The study's name (its schema in :data:`.spec.STUDY_PARAMS`).
    NAME = ""

    def __init__(self, z_bob_db, z_eve_db, d_m, n, noise, thresholds=0.5, eps_lf_max=0.5):
        p = COMMON.validate(dict(z_bob_db=z_bob_db, z_eve_db=z_eve_db, d_m=d_m, n=n,
                                 noise=noise))
        self.z_bob, self.z_eve = 10.0 ** (p["z_bob_db"] / 10.0), 10.0 ** (p["z_eve_db"] / 10.0)
        self.n, self.d_m, self.noise = p["n"], p["d_m"], p["noise"]
        if self.d_m > self.n:
            raise ValueError(f"d_m: got {self.d_m}; allowed: an integer in [1, {self.n}] (d_m "
                             f"<= n)")
        if isinstance(thresholds, (list, tuple)):
            thresholds = [_real("thresholds", t) for t in thresholds]
        else:
            thresholds = _real("thresholds", thresholds)
        self.thresholds = thresholds
        _p0.normalize_thresholds(thresholds)
        self.eps_lf_max = self._own(eps_lf_max=eps_lf_max)["eps_lf_max"] \
            if "eps_lf_max" in STUDY_PARAMS[self.NAME] else eps_lf_max

    def _own(self, **values) -> dict:
        """``values`` (this study's own parameters) checked against its schema."""
        return STUDY_PARAMS[self.NAME].validate(values)

    def _key_size(self, name: str, value) -> int | None:
        """A key size, checked against the schema and against n."""
        d_k = self._own(**{name: value})[name]
        if d_k is not None and d_k > self.n:
            raise ValueError(f"{name}: got {d_k}; allowed: an integer in [0, {self.n}] "
                             f"(at most n)")
        return d_k

    def kw(self):
        return dict(d_m=self.d_m, n=self.n, noise=self.noise, thresholds=self.thresholds,
                    eps_lf_max=self.eps_lf_max)


def _layer_values(metrics, prefix=""):
    out = {f"{prefix}eps_{k}": float(v) for k, v in metrics.eps.items()}
    out.update({f"{prefix}gamma_{k}": float(v) for k, v in metrics.gamma.items()})
    return out


POINT_QUANTITIES = {
    "r_d": ("R_d (eq. 11)", "linear"), "eps_lf": ("eps_LF (eq. 10)", "log"),
    "eve_deceived": ("P(Eve deceived) = (1-eps_EM) eps_EK", "linear"),
    "eps_bob": ("eps_Bob (eq. 9)", "log"), "eps_eve": ("eps_Eve (eq. 9)", "linear"),
    "eps_bob_m": ("eps_Bob,M", "log"), "eps_bob_k": ("eps_Bob,K", "log"),
    "eps_eve_m": ("eps_Eve,M", "log"), "eps_eve_k": ("eps_Eve,K", "linear"),
    "gamma_bob_m": ("gamma_Bob,M", "linear"), "gamma_bob_k": ("gamma_Bob,K", "linear"),
    "gamma_eve_m": ("gamma_Eve,M", "linear"), "gamma_eve_k": ("gamma_Eve,K", "linear"),
    "feasible": ("feasible (c5-c9)", "linear"),
    "eps_lf_mix": ("eps_LF, both cipher modes (activation p_cipher_on)", "log"),
    "r_d_mix": ("R_d, both cipher modes", "linear"),
    "eps_lf_off": ("eps_LF of cipher-off frames", "log"),
    "eve_perceived_mix": ("Eve perceives p, both cipher modes", "linear"),
}


class PLDPoint(_Common):
    """Eqs. (8)-(11) at one point: ``p_m`` and either ``p_k`` or ``p_total`` (then
    P_K = P_total - P_M, the budget line of Theorem 1), key size ``d_k``; with
    ``p_cipher_on`` < 1 the mixture metrics of :func:`.analysis.activation_metrics`."""

    NAME = "pld_point"

    def __init__(self, p_m=None, p_k=None, p_total=None, d_k=None, p_cipher_on=1.0,
                 **common):
        super().__init__(**common)
        p = self._own(p_m=p_m, p_k=p_k, p_total=p_total, p_cipher_on=p_cipher_on)
        self.p_m, self.p_k = layer_powers(p)
        self.d_k = self._key_size("d_k", d_k)
        self.p_cipher_on = p["p_cipher_on"]

    def evaluate(self) -> dict:
        """``POINT_QUANTITIES`` at this point (floats; ``feasible`` 0/1)."""
        m = pld_metrics(self.p_m, self.p_k, self.d_m, self.d_k, self.z_bob, self.z_eve,
                        self.noise, self.n)
        mix = activation_metrics(m, self.p_cipher_on)
        feasible = _p0.feasibility_mask(self.p_m, self.p_k, self.d_k, self.z_bob, self.z_eve,
                                        self.d_m, self.n, self.noise, self.thresholds,
                                        self.eps_lf_max)
        return {"r_d": m.r_d, "eps_lf": m.eps_lf,
                "eve_deceived": (1 - m.eps["eve_m"]) * m.eps["eve_k"],
                "eps_bob": m.eps_bob, "eps_eve": m.eps_eve, **_layer_values(m),
                "feasible": int(bool(feasible)),
                **{k: mix[k] for k in ("eps_lf_mix", "r_d_mix", "eps_lf_off",
                                       "eve_perceived_mix")}}


OPTIMUM_QUANTITIES = {
    "feasible": ("P0 feasible", "linear"), "d_k": ("d_K (bits)", "linear"),
    "p_m": ("P_M (mW)", "linear"), "p_k": ("P_K (mW)", "linear"),
    "r_d": ("PLD R_d", "linear"), "eps_lf": ("PLD eps_LF", "log"),
    "eps_bob_m": ("eps_Bob,M", "log"), "eps_bob_k": ("eps_Bob,K", "log"),
    "eps_eve_m": ("eps_Eve,M", "log"), "eps_eve_k": ("eps_Eve,K", "linear"),
    "baseline_power_eps_lf": ("baseline 1 (w.r.t. P_M) eps_LF", "log"),
    "baseline_power_p_m": ("baseline 1 P_M (mW)", "linear"),
    "baseline_rate_eps_lf": ("baseline 2 (w.r.t. rate, n' search) eps_LF", "log"),
    "baseline_rate_n": ("baseline 2 n'", "linear"),
    "baseline_rate_text_eps_lf": ("baseline 2 as the text reads (d_M search) eps_LF", "log"),
    "pld_beats_baselines": ("PLD eps_LF below both baselines", "linear"),
    "forced_p_m": ("P_M at the forced d_K (mW)", "linear"),
    "forced_r_d": ("R_d at the forced d_K", "linear"),
    "forced_eps_lf": ("eps_LF at the forced d_K", "log"),
}


class PLDOptimumStudy(_Common):
    """The optimum of P0 at (p_total, gains) and both baselines (Table III, Figs. 5-7).

    ``solver``: "exhaustive" (reference) or "mm_bcd" (Algorithm 1, default start).
    ``d_k_forced``: also report the best point at that key size (``forced_*`` quantities),
    e.g. the paper's Table III points d_K = 40/23/11; None leaves them empty.
    """

    NAME = "pld_optimum"

    def __init__(self, p_total=None, d_k_forced=None, solver="exhaustive", grid=20001,
                 **common):
        super().__init__(**common)
        p = self._own(p_total=p_total, solver=solver, grid=grid)
        self.p_total, self.solver, self.grid = p["p_total"], p["solver"], p["grid"]
        self.d_k_forced = self._key_size("d_k_forced", d_k_forced)

    def evaluate(self) -> dict:
        """``OPTIMUM_QUANTITIES``; the PLD entries are None where P0 is infeasible."""
        args = (self.p_total, self.z_bob, self.z_eve)
        if self.solver == "exhaustive":
            opt = _p0.exhaustive(*args, **self.kw(), grid=self.grid)
        else:
            opt = _p0.mm_bcd(*args, **self.kw())
        common = dict(d_m=self.d_m, n=self.n, noise=self.noise)
        b1 = _base.baseline_power(*args, **common)
        b2 = _base.baseline_rate(*args, **common, reading="blocklength")
        b2t = _base.baseline_rate(*args, **common, reading="text")
        out = {"feasible": int(opt.feasible), "d_k": opt.d_k, "p_m": opt.p_m, "p_k": opt.p_k,
               "r_d": opt.r_d, "eps_lf": opt.eps_lf}
        for key in ("bob_m", "bob_k", "eve_m", "eve_k"):
            out[f"eps_{key}"] = float(opt.metrics.eps[key]) if opt.feasible else None
        out.update({"baseline_power_eps_lf": b1.eps_lf, "baseline_power_p_m": b1.p_m,
                    "baseline_rate_eps_lf": b2.eps_lf, "baseline_rate_n": b2.n,
                    "baseline_rate_text_eps_lf": b2t.eps_lf,
                    "pld_beats_baselines": int(opt.feasible and
                                               opt.eps_lf < min(b1.eps_lf, b2.eps_lf))})
        forced = None
        if self.d_k_forced is not None:
            forced = _p0.exhaustive(*args, **self.kw(), grid=self.grid, d_k=self.d_k_forced)
        ok = forced is not None and forced.feasible
        out.update({"forced_p_m": forced.p_m if ok else None,
                    "forced_r_d": forced.r_d if ok else None,
                    "forced_eps_lf": forced.eps_lf if ok else None})
        return out


MM_BCD_QUANTITIES = {
    "r_d": ("MM-BCD R_d", "linear"), "d_k": ("MM-BCD d_K", "linear"),
    "p_m": ("MM-BCD P_M (mW)", "linear"), "d_k_relaxed": ("MM-BCD relaxed d_K", "linear"),
    "iterations": ("MM iterations", "linear"), "bcd_iterations": ("BCD iterations", "linear"),
    "exhaustive_r_d": ("exhaustive R_d", "linear"), "exhaustive_d_k": ("exhaustive d_K", "linear"),
    "exhaustive_p_m": ("exhaustive P_M (mW)", "linear"),
    "gap": ("R_d gap, exhaustive - MM-BCD", "linear"),
}


class MMBCDStudy(_Common):
    """Algorithm 1 (corrected, or ``literal``) from the start (``start_d_k``, ``start_p_m``;
    None: the default feasible start) against the exhaustive optimum (Fig. 4)."""

    NAME = "pld_mm_bcd"

    def __init__(self, p_total=None, start_d_k=None, start_p_m=None, literal=False, **common):
        super().__init__(**common)
        p = self._own(p_total=p_total, start_d_k=start_d_k, start_p_m=start_p_m,
                      literal=literal)
        self.p_total, self.literal = p["p_total"], p["literal"]
        if (start_d_k is None) != (start_p_m is None):
            raise ValueError(f"start_d_k: got start_d_k={start_d_k!r}, start_p_m={start_p_m!r};"
                             f" allowed: both or neither")
        self.start = None if start_d_k is None else (p["start_d_k"], p["start_p_m"])

    def evaluate(self) -> dict:
        """``MM_BCD_QUANTITIES``."""
        args = (self.p_total, self.z_bob, self.z_eve)
        ex = _p0.exhaustive(*args, **self.kw())
        mm = _p0.mm_bcd(*args, **self.kw(), start=self.start, literal=self.literal)
        gap = (ex.r_d - mm.r_d) if (ex.feasible and mm.feasible) else None
        return {"r_d": mm.r_d, "d_k": mm.d_k, "p_m": mm.p_m, "d_k_relaxed": mm.d_k_relaxed,
                "iterations": mm.iterations, "bcd_iterations": mm.bcd_iterations,
                "exhaustive_r_d": ex.r_d, "exhaustive_d_k": ex.d_k, "exhaustive_p_m": ex.p_m,
                "gap": gap}


THEOREM1_QUANTITIES = {
    "p_m": ("square-grid optimum P_M (mW)", "linear"),
    "p_k": ("square-grid optimum P_K (mW)", "linear"),
    "r_d": ("square-grid optimum R_d", "linear"),
    "gap": ("P_Sigma - P_M - P_K at the optimum (mW)", "linear"),
    "step": ("grid step (mW)", "linear"), "on_line": ("optimum on the budget line", "linear"),
    "line_p_m": ("budget-line optimum P_M (mW)", "linear"),
    "line_r_d": ("budget-line optimum R_d", "linear"),
    "line_eps_lf": ("budget-line optimum eps_LF", "log"),
}


class Theorem1Study(_Common):
    """Fig. 2: the optimum of R_d over the square [0, P_total]^2 (``grid`` points a side) at a
    fixed ``d_k``, and whether it lies on the budget line P_M + P_K = P_total (Theorem 1)."""

    NAME = "pld_theorem1"

    def __init__(self, p_total=None, d_k=None, grid=401, **common):
        super().__init__(**common)
        p = self._own(p_total=p_total, grid=grid)
        self.p_total, self.grid = p["p_total"], p["grid"]
        self.d_k = self._key_size("d_k", d_k)

    def evaluate(self) -> dict:
        """``THEOREM1_QUANTITIES``."""
        c = _p0.theorem1_check(self.d_k, self.p_total, self.z_bob, self.z_eve, **self.kw(),
                               grid=self.grid)
        line = c.line
        return {"p_m": c.p_m, "p_k": c.p_k, "r_d": c.r_d, "gap": c.gap, "step": c.step,
                "on_line": int(c.on_line), "line_p_m": line.p_m, "line_r_d": line.r_d,
                "line_eps_lf": line.eps_lf}


FEASIBILITY_QUANTITIES = {
    "min_eps_lf_th": ("smallest feasible eps_LF^th", "log"),
    "d_k": ("d_K at that point", "linear"), "p_m": ("P_M at that point (mW)", "linear"),
    "r_d": ("R_d at that point", "linear"),
}


class FeasibilityStudy(_Common):
    """Fig. 8: the smallest eps_LF threshold for which P0 has a feasible point at full power."""

    NAME = "pld_feasibility"

    def __init__(self, p_total=None, grid=20001, **common):
        super().__init__(**common)
        p = self._own(p_total=p_total, grid=grid)
        self.p_total, self.grid = p["p_total"], p["grid"]

    def evaluate(self) -> dict:
        """``FEASIBILITY_QUANTITIES`` (None where c5-c8 cannot hold at all)."""
        opt = _p0.min_feasible_lfp(self.p_total, self.z_bob, self.z_eve, d_m=self.d_m, n=self.n,
                                   noise=self.noise, thresholds=self.thresholds,
                                   grid=self.grid)
        return {"min_eps_lf_th": opt.eps_lf, "d_k": opt.d_k, "p_m": opt.p_m, "r_d": opt.r_d}


CODE_DESIGN_QUANTITIES = {
    "feasible": ("a design meets c5-c9", "linear"),
    "r_d": ("code-aware R_d (joint model)", "linear"),
    "eps_lf": ("code-aware eps_LF (joint model)", "log"),
    "r_d_product": ("code-aware R_d, independence", "linear"),
    "eps_lf_product": ("code-aware eps_LF, independence", "log"),
    "d_k": ("d_K (bits)", "linear"), "p_m": ("P_M (mW)", "linear"), "p_k": ("P_K (mW)", "linear"),
    "crc_m_bits": ("CRC of M (bits)", "linear"), "crc_k_bits": ("CRC of K (bits)", "linear"),
    "n_design": ("blocklength n (complex uses)", "linear"),
    "bits_per_symbol": ("bits per symbol (2: QPSK, 4: 16-QAM)", "linear"),
    "decoder_spa": ("decoder: 1 SPA, 0 layered NMS", "linear"),
    "num_iter": ("BP iterations", "linear"),
    "eps_bob_m": ("eps_Bob,M", "log"), "eps_eve_m": ("eps_Eve,M", "linear"),
    "eps_bob_k": ("eps_Bob,K", "log"), "eps_eve_k": ("eps_Eve,K", "linear"),
    "gap_m_db": ("code gap of M (dB)", "linear"), "gap_k_db": ("code gap of K (dB)", "linear"),
    "n64_feasible": ("a design at n = 64 (QPSK, NMS-20) meets c5-c9", "linear"),
    "n64_r_d": ("best R_d at n = 64 (QPSK, NMS-20)", "linear"),
    "n64_eps_lf": ("its eps_LF", "log"),
    "n64_crc_m_bits": ("its CRC of M (bits)", "linear"),
    "n64_crc_k_bits": ("its CRC of K (bits)", "linear"),
    "n64_d_k": ("its d_K", "linear"), "n64_p_m": ("its P_M (mW)", "linear"),
    "n64_min_eps_lf": ("smallest eps_LF at n = 64 (QPSK, NMS-20) under c5-c8", "log"),
    "designs_feasible": ("design choices that meet c5-c9", "linear"),
}


class CodeDesignStudy(_Common):
    """The code-aware design (:func:`.design.optimize`) at one (z_Eve, P_Sigma): every
    calibrated 5G LDPC family of ``calibration`` with n <= the point's n and a decoder and
    modulation in ``decoders`` and ``modulations``, every pair of ``crcs``."""

    NAME = "pld_code_design"

    def __init__(self, p_total=None, calibration="results/pld_calibration",
                 decoders=("nms", "spa"), modulations=("qpsk", "16qam"),
                 crcs=("CRC6", "CRC11", "CRC16", "CRC24C"), grid=801, **common):
        super().__init__(**common)
        p = self._own(p_total=p_total, calibration=calibration, grid=grid)
        self.p_total, self.calibration, self.grid = p["p_total"], p["calibration"], p["grid"]
        from linksim.fec.crc import CRC_NAMES
        from linksim.systems.pld.spec import DECODERS
        from linksim.mapping import MODULATIONS
        self.decoders = _names("decoders", decoders, DECODERS)
        self.modulations = _names("modulations", modulations, tuple(MODULATIONS))
        self.crcs = _names("crcs", [str(c).upper() for c in crcs]
                           if isinstance(crcs, (list, tuple)) else crcs, tuple(CRC_NAMES))

    def evaluate(self) -> dict:
        """``CODE_DESIGN_QUANTITIES``; the design entries are None where nothing is feasible."""
        from linksim.systems.pld.design import Family, family_models, optimize
        from linksim.systems.pld.error_model import crc_length, load_calibration
        from linksim.mapping import Constellation
        models = family_models(load_calibration(self.calibration))
        families = [f for f in models if f.n <= self.n and f.decoder in self.decoders
                    and f.modulation in self.modulations]
        if not families:
            raise ValueError(f"n: got {self.n}; allowed: a value reaching a calibrated family "
                             f"of {self.calibration} ({', '.join(map(str, models))})")
        kw = dict(z_bob=self.z_bob, z_eve=self.z_eve, p_total=self.p_total, d_m=self.d_m,
                  noise=self.noise, thresholds=self.thresholds, eps_lf_max=self.eps_lf_max,
                  crcs=self.crcs, grid=self.grid)
        best, designs = optimize(models, families=families, **kw)
        out = {key: None for key in CODE_DESIGN_QUANTITIES}
        out["feasible"] = int(best is not None)
        out["designs_feasible"] = sum(d.feasible for d in designs)
        if best is not None:
            fam = best.family
            out.update(r_d=best.r_d, eps_lf=best.eps_lf, r_d_product=best.r_d_product,
                       eps_lf_product=best.eps_lf_product, d_k=best.d_k, p_m=best.p_m,
                       p_k=best.p_k, crc_m_bits=crc_length(best.crc_m),
                       crc_k_bits=crc_length(best.crc_k), n_design=fam.n,
                       bits_per_symbol=Constellation(fam.modulation).bits_per_symbol,
                       decoder_spa=int(fam.decoder == "spa"), num_iter=fam.num_iter,
                       gap_m_db=best.gap_db["m"], gap_k_db=best.gap_db["k"],
                       **{f"eps_{k}": v for k, v in best.eps.items()})
        paper = Family("nms", 20, "qpsk", 64)
        at64 = [d for d in designs if d.family == paper and d.feasible]
        out["n64_feasible"] = int(bool(at64)) if paper in families else None
        lf64 = [d.min_eps_lf for d in designs if d.family == paper and d.min_eps_lf is not None]
        out["n64_min_eps_lf"] = min(lf64) if lf64 else None
        if at64:
            b = max(at64, key=lambda d: d.r_d)
            out.update(n64_r_d=b.r_d, n64_eps_lf=b.eps_lf, n64_crc_m_bits=crc_length(b.crc_m),
                       n64_crc_k_bits=crc_length(b.crc_k), n64_d_k=b.d_k, n64_p_m=b.p_m)
        return out


def _names(name, value, allowed) -> tuple:
    values = (value,) if isinstance(value, str) else value
    if not isinstance(values, (list, tuple)) or not values or any(v not in allowed for v in values):
        raise ValueError(f"{name}: got {value!r}; allowed: a non-empty list of "
                         f"{', '.join(map(str, allowed))}")
    return tuple(values)


#: (name, builder, quantities, description) of each study; their parameters are declared in
#: :data:`linksim.systems.pld.spec.STUDY_PARAMS`.
STUDIES = (
    ("pld_point", PLDPoint, POINT_QUANTITIES,
     "PLD metrics, eqs. (8)-(11), at one operating point (seed 003)"),
    ("pld_optimum", PLDOptimumStudy, OPTIMUM_QUANTITIES,
     "PLD optimum of P0 beside baselines 1 and 2 (seed 003, Table III, Figs. 5-7)"),
    ("pld_mm_bcd", MMBCDStudy, MM_BCD_QUANTITIES,
     "MM-BCD (Algorithm 1) against the exhaustive optimum (seed 003, Fig. 4)"),
    ("pld_theorem1", Theorem1Study, THEOREM1_QUANTITIES,
     "Optimum over the square power grid vs the budget line (seed 003, Fig. 2, Theorem 1)"),
    ("pld_feasibility", FeasibilityStudy, FEASIBILITY_QUANTITIES,
     "Smallest eps_LF threshold with a feasible region (seed 003, Fig. 8)"),
    ("pld_code_design", CodeDesignStudy, CODE_DESIGN_QUANTITIES,
     "Code-aware PLD design: CRCs, code family, n, (d_K, P_M) with real codes (issue 15)"),
)
