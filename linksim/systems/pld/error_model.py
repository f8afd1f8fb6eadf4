"""Code-aware per-layer error model of the PLD system (issue 15): real codes in place of eq. (12).

A layer carries d payload bits plus an L-bit CRC, k = d + L bits, over n complex channel uses.
Its frame **failure** probability (erased or wrong) and **undetected-error** probability are
given as functions of the layer's SINR in dB by one of:

* :class:`CalibratedLayer`, the *calibrated* model: a measured BLER(SINR) table of the layer
  (system ``pld_layer``, :mod:`.layer`; run by the runner, read back from its results by
  :func:`load_calibration`), interpolated by a monotone cubic (PCHIP) in
  logit(BLER) = log BLER - log(1 - BLER) over SINR in dB. In the waterfall's tail that is
  log-BLER; near BLER 1 it is minus the log of the success probability, which is what an
  eavesdropper's leakage depends on and what log-BLER resolves badly (leave-one-out on the
  committed design calibration, 432 interior nodes: 370 inside their 99 % interval against
  264 for log-BLER; of the 90 nodes above BLER 0.8, 83 against 29). The 99 % interval is
  carried along by the delta method: at a node, var(logit p_hat) = 1 / (N p (1 - p));
  between two nodes the two variances are weighted by the linear-interpolation weights
  (w^2 var_i + (1 - w)^2 var_{i+1}). Beyond the table's range the logit continues linearly
  with the secant of the two end nodes, and no interval is given.
* :class:`ShiftedNA`, the closed-form *surrogate*: eq. (12) (complex AWGN, no log term) for the
  k = d + L bits the code carries, at the SINR lowered by a gap in dB,

      eps(gamma) = Q( sqrt(n / V(g)) (log2(1 + g) - k / n) ln 2 ),   g = gamma 10^(-gap/10),

  with the gap fitted to a calibration (:func:`fit_gap`: the inverse-variance weighted mean of
  the per-node gaps, which are the distance in dB from each measured rate to the NA curve), or
  interpolated in k between calibrations (:class:`GapModel`). Undetected errors: a failed
  decoding passes an L-bit CRC with probability 2^-L (L = 0: an LDPC layer without CRC never
  erases, so every failure is undetected).

Undetected errors matter in PLD: a wrong word that is accepted deceives its receiver
(:mod:`.joint`). The calibrated model takes their share of the failures from the table
(pooled over its SINRs).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.interpolate import PchipInterpolator
from scipy.stats import norm

from linksim.sim.metrics import Metric
from linksim.systems.pld.analysis import equivalent_sinr, layer_error

__all__ = ["LAYER_METRICS", "CONFIG_KEYS", "CalibrationTable", "load_calibration", "table_for",
           "CalibratedLayer", "JointTable", "FlatLayer", "ShiftedNA", "GapFit", "fit_gap", "GapModel", "crc_length",
           "HeldOut", "held_out_check", "shifted_na_prediction", "calibrated_prediction",
           "ShiftedLayer", "propagated_se"]

#: Metrics of the calibration link beside the generic ``bler`` (failures / frames).
LAYER_METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("erasure_rate", "erasures", "frames", "rate", "erasure rate (CRC / BDD failure)"),
    Metric("undetected_rate", "undetected", "frames", "rate", "undetected-error rate"),
    Metric("sic_failure_rate", "sic_failures", "sic_trials", "rate",
           "interfering layer's failure rate after SIC, given the layer decoded"),
)}

#: The parameters that identify a layer's code and channel use (all of ``pld_layer``'s but
#: the SINR): one calibration table per distinct value of these.
CONFIG_KEYS = ("code", "d", "crc", "decoder", "num_iter", "modulation", "n", "interference",
               "interference_d", "interference_crc", "twin", "twin_gain_db")


def crc_length(crc) -> int:
    """Length L in bits of a CRC name (None: 0)."""
    if crc is None:
        return 0
    from linksim.fec.crc import CRC
    return int(CRC(str(crc).upper()).length)


@dataclass(frozen=True)
class CalibrationTable:
    """A measured BLER(SINR) table of one layer configuration.

    Attributes
    ----------
    config : dict
        The values of :data:`CONFIG_KEYS`.
    sinr_db : float64 [m], ascending
    frames, failures, undetected : int64 [m]
        Per SINR: frames simulated, frames failed (erased or wrong), wrong frames accepted.
    twin_failures, both_failures : int64 [m] or None
        With a twin receiver (``config["twin"]``): its failures, and the frames both failed.
    sic_trials, sic_failures : int64 [m] or None
        With the SIC stage run (``pld_layer``'s ``sic``, not a configuration key: the layer's
        own counts are the same experiment): frames on which the layer was decoded, and of
        those, the interfering layer failed after cancellation (0 at nodes run without it).
    """

    config: dict
    sinr_db: np.ndarray
    frames: np.ndarray
    failures: np.ndarray
    undetected: np.ndarray
    twin_failures: np.ndarray | None = None
    both_failures: np.ndarray | None = None
    sic_trials: np.ndarray | None = None
    sic_failures: np.ndarray | None = None

    @property
    def k_bits(self) -> int:
        """Bits the code carries, d + L."""
        return int(self.config["d"]) + crc_length(self.config.get("crc"))

    @property
    def n(self) -> int:
        """Complex channel uses per frame."""
        return int(self.config["n"])

    @property
    def rate(self) -> np.ndarray:
        """Measured failure rates, float64 [m]."""
        return self.failures / self.frames

    def without(self, sinr_db) -> "CalibrationTable":
        """The table without the nodes at the SINRs ``sinr_db`` (a held-out split)."""
        keep = ~np.isin(np.round(self.sinr_db, 9), np.round(np.atleast_1d(sinr_db), 9))
        cut = lambda a: None if a is None else a[keep]
        return CalibrationTable(self.config, self.sinr_db[keep], self.frames[keep],
                                self.failures[keep], self.undetected[keep],
                                cut(self.twin_failures), cut(self.both_failures),
                                cut(self.sic_trials), cut(self.sic_failures))

    def sic_at(self, sinr_db, tol_db: float = 5e-4) -> tuple[int, int] | None:
        """``(sic_failures, sic_trials)`` at the node within ``tol_db`` of ``sinr_db`` (the
        SIC stage is calibrated at operating points, not interpolated), or None."""
        if self.sic_trials is None:
            return None
        near = np.flatnonzero(np.abs(self.sinr_db - float(sinr_db)) <= tol_db)
        if near.size == 0 or self.sic_trials[near[0]] == 0:
            return None
        return int(self.sic_failures[near[0]]), int(self.sic_trials[near[0]])


def _config_of(params: dict) -> dict:
    """The table identity of a point; a parameter without a value (no CSV column) takes its
    default."""
    from linksim.systems.pld.spec import LAYER_PARAMS
    out = {}
    for key in CONFIG_KEYS:
        default = LAYER_PARAMS.params[key].default
        value = params.get(key, default)
        out[key] = round(float(value), 4) if key in ("interference", "twin_gain_db") else value
    return out


def _describe(config: dict) -> str:
    return ", ".join(f"{k}={config.get(k)!r}" for k in CONFIG_KEYS if k in config)


@functools.lru_cache(maxsize=16)
def _load(path: str, stamp: tuple) -> tuple:
    from linksim.report.csv_io import read_csv
    rows = read_csv(path)
    if not rows or not {"sinr_db", "frames", "frame_errors"} <= set(rows[0]):
        raise ValueError(f"calibration: got {path!r}, which is not the results.csv of a "
                         f"pld_layer scenario; allowed: one with sinr_db, frames and "
                         f"frame_errors columns")
    from linksim.systems.pld.spec import LAYER_PARAMS
    groups: dict[tuple, list] = {}
    for row in rows:
        flat = {}
        for key, value in row.items():
            if key in LAYER_PARAMS.params:
                # An empty cell of a parameter column is None (e.g. no CRC).
                flat[key] = LAYER_PARAMS.params[key].check(key, value)
            elif isinstance(value, int):
                flat[key] = value
        groups.setdefault(tuple(_config_of(flat).items()), []).append(flat)
    tables = []
    for key, members in groups.items():
        members = sorted(members, key=lambda r: float(r["sinr_db"]))
        sinr = np.array([float(r["sinr_db"]) for r in members])
        if np.unique(np.round(sinr, 9)).size != sinr.size:
            raise ValueError(f"calibration: {path!r} has two points at one SINR for "
                             f"{_describe(dict(key))}; allowed: one point per SINR")
        column = lambda name: np.array([int(r.get(name, 0)) for r in members], np.int64)
        twin = bool(dict(key).get("twin"))
        sic = "sic_trials" in rows[0]
        tables.append(CalibrationTable(
            dict(key), sinr, column("frames"), column("frame_errors"), column("undetected"),
            column("twin_failures") if twin else None,
            column("both_failures") if twin else None,
            column("sic_trials") if sic else None, column("sic_failures") if sic else None))
    return tuple(tables)


def load_calibration(results_dir) -> tuple[CalibrationTable, ...]:
    """The calibration tables of one or more ``pld_layer`` results directories, one per
    configuration (:data:`CONFIG_KEYS`), read from each ``results.csv`` (written by the runner
    from its store, and committed with the results).

    ``results_dir``: a path, or several separated by commas (or a list). Tables of one
    configuration in several directories are merged into one: their SINR nodes are joined, and
    counts at the same SINR are pooled (independent runs of the same experiment). A
    configuration parameter without a column takes its default, so a calibration scenario must
    sweep (zip) every parameter it sets away from its default (``tools/make_pld_scenarios.py``
    does). Each file is re-read only when it changes."""
    dirs = (results_dir.split(",") if isinstance(results_dir, str) else
            [results_dir] if isinstance(results_dir, Path) else list(results_dir))
    if len(dirs) > 1:
        return _merge([t for d in dirs for t in load_calibration(d.strip() if isinstance(d, str) else d)])
    path = Path(dirs[0]) / "results.csv"
    if not path.is_file():
        raise ValueError(f"calibration: got {str(results_dir)!r}, which has no results.csv; "
                         f"allowed: the results directory of a pld_layer scenario (run it "
                         f"first with `linksim run`)")
    stat = path.stat()
    return _load(str(path.resolve()), (stat.st_mtime_ns, stat.st_size))


def _merge(tables) -> tuple[CalibrationTable, ...]:
    """Tables of equal configuration joined (module docstring of :func:`load_calibration`)."""
    groups: dict[tuple, list] = {}
    for t in tables:
        groups.setdefault(tuple(t.config.items()), []).append(t)
    out = []
    for key, members in groups.items():
        if len(members) == 1:
            out.append(members[0])
            continue
        sinr = np.unique(np.round(np.concatenate([t.sinr_db for t in members]), 9))
        twin = members[0].twin_failures is not None

        sic = any(t.sic_trials is not None for t in members)

        def pooled(name):
            total = np.zeros(sinr.size, np.int64)
            for t in members:
                values = getattr(t, name)
                if values is None:          # a run without the SIC stage adds no SIC trials
                    continue
                idx = np.searchsorted(sinr, np.round(t.sinr_db, 9))
                np.add.at(total, idx, values)
            return total
        out.append(CalibrationTable(dict(key), sinr, pooled("frames"), pooled("failures"),
                                    pooled("undetected"),
                                    pooled("twin_failures") if twin else None,
                                    pooled("both_failures") if twin else None,
                                    pooled("sic_trials") if sic else None,
                                    pooled("sic_failures") if sic else None))
    return tuple(out)


def table_for(tables, **config) -> CalibrationTable:
    """The table of ``tables`` whose configuration matches ``config`` (keys of
    :data:`CONFIG_KEYS`; CRC names case-insensitive). ValueError (one line) if none does."""
    want = {k: (str(v).upper() if k == "crc" and v is not None else v) for k, v in config.items()}
    for table in tables:
        have = {k: (str(v).upper() if k == "crc" and v is not None else v)
                for k, v in table.config.items()}
        if all(have.get(k) == v for k, v in want.items()):
            return table
    known = "; ".join(_describe(t.config) for t in tables[:6])
    raise ValueError(f"calibration: no table for {', '.join(f'{k}={v!r}' for k, v in config.items())}; "
                     f"allowed: a calibrated configuration ({known}{' ...' if len(tables) > 6 else ''})")


# ---------------------------------------------------------------------------------------------
# The shifted normal approximation and its fit
# ---------------------------------------------------------------------------------------------

class ShiftedNA:
    """Eq. (12) for ``k_bits`` bits over ``n`` complex uses, ``gap_db`` to the right (module
    docstring).

    Parameters
    ----------
    k_bits : int
        Bits the code carries (payload + CRC), >= 1.
    n : int
        Complex channel uses.
    gap_db : float
        SNR gap of the real code to eq. (12), dB.
    crc_bits : int
        CRC length L (undetected errors: 2^-L of the failures).
    """

    def __init__(self, k_bits: int, n: int, gap_db: float, crc_bits: int = 0):
        self.k_bits, self.n, self.gap_db, self.crc_bits = int(k_bits), int(n), float(gap_db), int(crc_bits)

    def __repr__(self) -> str:
        return f"ShiftedNA(k={self.k_bits}, n={self.n}, gap={self.gap_db:.3f} dB, L={self.crc_bits})"

    def eps(self, sinr_db):
        """Failure probability, float64 of the shape of ``sinr_db`` (dB)."""
        g = 10.0 ** ((np.asarray(sinr_db, dtype=np.float64) - self.gap_db) / 10)
        return np.asarray(layer_error(g, self.k_bits, self.n), dtype=np.float64)

    def undetected(self, sinr_db):
        """Undetected-error probability: 2^-L of the failures."""
        return self.eps(sinr_db) * 2.0 ** (-self.crc_bits)


@dataclass(frozen=True)
class GapFit:
    """Result of :func:`fit_gap`.

    Attributes
    ----------
    gap_db : float            the fitted gap (inverse-variance weighted mean).
    gap_se_db : float         its standard error.
    sinr_db : float64 [m]     the nodes used (0 < failures < frames).
    node_gap_db : float64 [m] the gap of each node alone.
    residual_db : float64 [m] node gap - fitted gap: the surrogate's error in dB at each node.
    rms_db, max_abs_db : float  summaries of the residuals.
    """

    gap_db: float
    gap_se_db: float
    sinr_db: np.ndarray
    node_gap_db: np.ndarray
    residual_db: np.ndarray
    rms_db: float
    max_abs_db: float


def _node_gap(rate, sinr_db, k, n):
    return sinr_db - 10 * math.log10(equivalent_sinr(rate, k, n))


def fit_gap(table: CalibrationTable, min_failures: int = 10) -> GapFit:
    """Fit the shifted NA's gap to a calibration table (module docstring).

    Each node with ``min_failures`` <= failures < frames gives a gap g_i (dB) at which eq. (12)
    for k = d + L bits equals the measured rate; its variance is the delta-method variance of
    log p_hat mapped through the local slope of g in log p (a finite difference at +-1 standard
    error). Returns :class:`GapFit`; ValueError if no node qualifies.
    """
    k, n = table.k_bits, table.n
    gaps, variances, used = [], [], []
    for s, f, N in zip(table.sinr_db, table.failures, table.frames):
        if not (min_failures <= f < N):
            continue
        p = f / N
        se = math.sqrt((1 - p) / (N * p))
        lo, hi = p * math.exp(-se), min(p * math.exp(se), 1 - 1e-12)
        g = _node_gap(p, s, k, n)
        slope = (_node_gap(lo, s, k, n) - _node_gap(hi, s, k, n)) / 2
        gaps.append(g)
        variances.append(max(slope * slope, 1e-12))
        used.append(s)
    if not gaps:
        raise ValueError(f"calibration: no node with {min_failures} <= failures < frames for "
                         f"{_describe(table.config)}; allowed: a table that reaches the "
                         f"waterfall")
    gaps, w = np.array(gaps), 1 / np.array(variances)
    gap = float(np.sum(w * gaps) / np.sum(w))
    residual = gaps - gap
    return GapFit(gap, float(math.sqrt(1 / np.sum(w))), np.array(used), gaps, residual,
                  float(np.sqrt(np.mean(residual ** 2))), float(np.max(np.abs(residual))))


class GapModel:
    """The gap in dB against k = d + L for one code family, decoder, modulation and n: the
    fitted gaps of several calibrations (:func:`fit_gap`), linear in k between them and
    constant beyond the smallest and largest k calibrated.

    Parameters
    ----------
    tables : sequence of CalibrationTable
        Calibrations of one family (same code, decoder, iterations, modulation, n); any payload
        and CRC.
    """

    def __init__(self, tables):
        tables = list(tables)
        if not tables:
            raise ValueError("calibration: no table for this code family; allowed: at least one")
        fits = sorted(((t.k_bits, fit_gap(t)) for t in tables), key=lambda kv: kv[0])
        ks = np.array([k for k, _ in fits], dtype=float)
        gaps = np.array([f.gap_db for _, f in fits])
        # Several tables at one k (other CRCs): their mean.
        self.k_bits = np.unique(ks)
        self.gap_db = np.array([gaps[ks == k].mean() for k in self.k_bits])
        self.fits = fits
        self.n = tables[0].n

    def __call__(self, k_bits):
        """Gap in dB at ``k_bits`` (float64, broadcast)."""
        return np.interp(np.asarray(k_bits, dtype=float), self.k_bits, self.gap_db)

    def layer(self, d: int, crc) -> ShiftedNA:
        """The shifted NA of a layer of ``d`` payload bits and CRC ``crc``."""
        L = crc_length(crc)
        return ShiftedNA(d + L, self.n, float(self(d + L)), L)


# ---------------------------------------------------------------------------------------------
# The calibrated model
# ---------------------------------------------------------------------------------------------

class CalibratedLayer:
    """Failure and undetected-error probability of one layer from its calibration table
    (module docstring).

    Parameters
    ----------
    table : CalibrationTable
        Needs at least two nodes with 0 < failures < frames.
    """

    def __init__(self, table: CalibrationTable):
        live = (table.failures > 0) & (table.failures < table.frames)
        if live.sum() < 2:
            raise ValueError(f"calibration: fewer than two SINRs with 0 < failures < frames for "
                             f"{_describe(table.config)}; allowed: a table across the waterfall")
        self.table = table
        self.x = table.sinr_db[live]
        p = table.rate[live]
        self.logit = _logit(p)
        self.var_logit = 1.0 / (table.frames[live] * p * (1 - p))
        self._interp = PchipInterpolator(self.x, self.logit, extrapolate=False)
        # Beyond the nodes: the secant of the two end nodes, continued.
        self._slopes = ((self.logit[1] - self.logit[0]) / (self.x[1] - self.x[0]),
                        (self.logit[-1] - self.logit[-2]) / (self.x[-1] - self.x[-2]))
        total = int(table.failures.sum())
        self.undetected_share = float(table.undetected.sum() / total) if total else 0.0

    def __repr__(self) -> str:
        return (f"CalibratedLayer({_describe(self.table.config)}, "
                f"{self.x[0]:.2f}..{self.x[-1]:.2f} dB)")

    def inside(self, sinr_db) -> np.ndarray:
        """True where ``sinr_db`` lies within the calibrated nodes."""
        s = np.asarray(sinr_db, dtype=np.float64)
        return (s >= self.x[0]) & (s <= self.x[-1])

    def _logit_at(self, s):
        inner = self._interp(np.clip(s, self.x[0], self.x[-1]))
        below = self.logit[0] + self._slopes[0] * (s - self.x[0])
        above = self.logit[-1] + self._slopes[1] * (s - self.x[-1])
        return np.where(s < self.x[0], below, np.where(s > self.x[-1], above, inner))

    def eps(self, sinr_db):
        """Failure probability, float64 of the shape of ``sinr_db``: PCHIP in logit inside
        the nodes, linear in logit beyond them (module docstring)."""
        return _expit(self._logit_at(np.asarray(sinr_db, dtype=np.float64)))

    def undetected(self, sinr_db):
        """Undetected-error probability: the table's pooled undetected share of the failures."""
        return self.eps(sinr_db) * self.undetected_share

    def se_logit(self, sinr_db) -> np.ndarray:
        """Standard error of the interpolated logit, float64 of the shape of ``sinr_db``:
        the two bracketing nodes' binomial logit variances 1 / (N p (1 - p)) weighted as in
        linear interpolation (the delta method; module docstring); beyond the nodes, the end
        node's."""
        i, w = _bracket(self.x, np.asarray(sinr_db, dtype=np.float64))
        return np.sqrt(w ** 2 * self.var_logit[i] + (1 - w) ** 2 * self.var_logit[i + 1])

    def shifted(self, k: float) -> "ShiftedLayer":
        """This model with its logit moved by ``k`` standard errors at every SINR (the
        finite-difference step of a prediction's delta-method error, :func:`propagated_se`)."""
        return ShiftedLayer(self, k)

    def interval(self, sinr_db, confidence: float = 0.99):
        """``(lo, hi)`` float64 arrays: the delta-method interval of the interpolated rate
        (module docstring); NaN outside the nodes."""
        s = np.atleast_1d(np.asarray(sinr_db, dtype=np.float64))
        z = float(norm.ppf(0.5 + confidence / 2))
        se = self.se_logit(s)
        mid = self._logit_at(s)
        ok = self.inside(s)
        lo = np.where(ok, _expit(mid - z * se), np.nan)
        hi = np.where(ok, _expit(mid + z * se), np.nan)
        return lo, hi


class ShiftedLayer:
    """A :class:`CalibratedLayer` with its logit moved by ``k`` of its standard errors:
    eps(s) = expit(logit(s) + k se(s)); undetected errors the same share of the failures."""

    def __init__(self, base: CalibratedLayer, k: float):
        self.base, self.k = base, float(k)
        self.undetected_share = base.undetected_share

    def eps(self, sinr_db):
        s = np.asarray(sinr_db, dtype=np.float64)
        return _expit(self.base._logit_at(s) + self.k * self.base.se_logit(s))

    def undetected(self, sinr_db):
        return self.eps(sinr_db) * self.undetected_share


def propagated_se(f, sources) -> float:
    """Delta-method standard error of a prediction ``f(shifts)`` from independent estimated
    inputs, by central finite differences: each input is moved by +-1 of its own standard
    error (``shifts = {source: +-1.0}``) and se^2 = sum_j ((f(+1_j) - f(-1_j)) / 2)^2.

    Parameters
    ----------
    f : callable
        ``f(shifts: dict[str, float]) -> float``; ``f({})`` is the prediction.
    sources : iterable of str
        The names of the independent inputs ``f`` understands.
    """
    total = 0.0
    for name in sources:
        total += ((f({name: 1.0}) - f({name: -1.0})) / 2) ** 2
    return float(np.sqrt(total))


def _bracket(x: np.ndarray, s):
    """``(i, w)``: the node interval [x_i, x_{i+1}] of ascending nodes ``x`` holding ``s``
    (the end interval beyond them) and the weight w of x_i in linear interpolation, clipped
    to [0, 1]; shapes of ``s``."""
    i = np.clip(np.searchsorted(x, s, side="right") - 1, 0, x.size - 2)
    return i, np.clip((x[i + 1] - s) / (x[i + 1] - x[i]), 0.0, 1.0)


def _logit(p):
    p = np.asarray(p, dtype=np.float64)
    return np.log(p) - np.log1p(-p)


def _expit(y):
    return 1.0 / (1.0 + np.exp(-np.asarray(y, dtype=np.float64)))


class FlatLayer:
    """A layer model whose failure probability ``eps`` and undetected-error probability
    ``undetected`` do not depend on the SINR (a measured rate used as it is, e.g. a receiver
    whose M rate is 0 or 1, for which the interference pattern cannot move anything).

    Parameters
    ----------
    eps : float
        Failure probability, in [0, 1].
    undetected : float
        Undetected-error probability, in [0, eps].
    """

    def __init__(self, eps: float, undetected: float = 0.0):
        self.value, self.und = float(eps), float(undetected)
        self.undetected_share = self.und / self.value if self.value > 0 else 0.0

    def eps(self, sinr_db):
        """``eps`` in the shape of ``sinr_db``."""
        return np.full(np.shape(sinr_db), self.value)

    def undetected(self, sinr_db):
        """``undetected`` in the shape of ``sinr_db``."""
        return np.full(np.shape(sinr_db), self.und)


class JointTable:
    """The measured joint table of two receivers' message layers under one interfering
    codeword (a twin calibration, ``config["twin"]``): over the first receiver's SINR in dB,
    each receiver's failure probability and that of both failing, each a PCHIP in its logit
    (:class:`CalibratedLayer`'s scheme). Inside the nodes only: ``inside`` says where.

    Parameters
    ----------
    table : CalibrationTable
        A twin table with at least two nodes where all three counts lie strictly between 0
        and the frames.
    """

    def __init__(self, table: CalibrationTable):
        if table.twin_failures is None:
            raise ValueError(f"calibration: {_describe(table.config)} has no twin receiver; "
                             f"allowed: a table with twin = true")
        counts = (table.failures, table.twin_failures, table.both_failures)
        live = np.all([(c > 0) & (c < table.frames) for c in counts], axis=0)
        if live.sum() < 2:
            raise ValueError(f"calibration: fewer than two usable twin nodes for "
                             f"{_describe(table.config)}; allowed: a table across the waterfall")
        self.x = table.sinr_db[live]
        self.frames = table.frames[live].astype(np.float64)
        self._curves = [PchipInterpolator(self.x, _logit(c[live] / table.frames[live]),
                                          extrapolate=False) for c in counts]

    def effective_frames(self, sinr_db) -> float:
        """The frames an interpolated value at ``sinr_db`` is worth: 1 / (w^2 / N_i +
        (1 - w)^2 / N_{i+1}) for linear weights w on the bracketing nodes (the
        :meth:`CalibratedLayer.se_logit` scheme, for rates that vary little between nodes)."""
        i, w = _bracket(self.x, np.float64(sinr_db))
        return float(1.0 / (w * w / self.frames[i] + (1 - w) ** 2 / self.frames[i + 1]))

    def inside(self, sinr_db) -> bool:
        """True where ``sinr_db`` lies within the nodes."""
        return bool(self.x[0] <= float(sinr_db) <= self.x[-1])

    def __call__(self, sinr_db) -> tuple[float, float, float]:
        """(first receiver's failure, twin's failure, both failing) at the first receiver's
        SINR ``sinr_db`` (dB), inside the nodes."""
        return tuple(float(_expit(c(float(sinr_db)))) for c in self._curves)


@dataclass(frozen=True)
class HeldOut:
    """One held-out node of :func:`held_out_check`: measured ``rate`` with its Clopper-Pearson
    interval (``lo``, ``hi``), the model's ``predicted`` value, and whether it lies inside the
    interval (``inside``)."""

    sinr_db: float
    failures: int
    frames: int
    rate: float
    lo: float
    hi: float
    predicted: float
    inside: bool


def held_out_check(fit: CalibrationTable, held: CalibrationTable,
                   confidence: float = 0.99) -> list[HeldOut]:
    """The calibrated model of ``fit`` at the SINRs of ``held`` (nodes it was not fitted on),
    each against the held-out measurement's two-sided Clopper-Pearson interval."""
    from linksim.sim.stats import clopper_pearson
    model = CalibratedLayer(fit)
    out = []
    for s, f, N in zip(held.sinr_db, held.failures, held.frames):
        lo, hi = clopper_pearson(int(f), int(N), confidence)
        pred = float(model.eps(s))
        out.append(HeldOut(float(s), int(f), int(N), f / N, float(lo), float(hi), pred,
                           bool(lo <= pred <= hi)))
    return out


# ---------------------------------------------------------------------------------------------
# Predictions of the pld_layer system
# ---------------------------------------------------------------------------------------------

def shifted_na_prediction(params: dict, gap_db: float = 0.0) -> float:
    """BLER of a ``pld_layer`` point by the shifted NA with the given gap (dB).

    Parameters
    ----------
    params : dict
        The point's parameters (d, crc, n, sinr_db).
    gap_db : float
        The gap in dB.
    """
    L = crc_length(params.get("crc"))
    return float(ShiftedNA(int(params["d"]) + L, int(params["n"]), gap_db, L)
                 .eps(float(params["sinr_db"])))


def calibrated_prediction(params: dict, calibration: str = "results/pld_calibration") -> dict:
    """BLER of a ``pld_layer`` point by the calibrated model of another results directory
    (e.g. at SINRs held out of that calibration).

    Parameters
    ----------
    params : dict
        The point's parameters.
    calibration : str
        The calibration's results directory, relative to the working directory.
    """
    model = CalibratedLayer(table_for(load_calibration(calibration), **_config_of(params)))
    s = float(params["sinr_db"])
    p = float(model.eps(s))
    # d expit(y) / dy = p (1 - p): the interpolated logit's error on the rate scale.
    return {"value": p, "kind": "estimate", "se": float(p * (1 - p) * model.se_logit(s))}
