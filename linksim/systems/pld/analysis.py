"""Analytical model of physical layer deception with NOM (003.md §4): SINRs, per-layer errors, metrics.

Two layers share n complex channel uses by power-domain superposition: the ciphertext m
(d_M bits, power P_M, decoded first) and the key k (d_K bits, power P_K, decoded after SIC).
With receiver gain z and noise power sigma^2 (003.md §4.1, confirmed by reproducing Table III):

    gamma_{i,M} = z_i P_M / (z_i P_K + sigma^2),   gamma_{i,K} = z_i P_K / sigma^2.

Each layer's error is the complex-AWGN normal approximation without the (1/2) log2 n term (paper
eq. 12; :func:`linksim.theory.fbl.error_probability` with ``log_term=False``), with the
conventions of 003.md §4.2 for the 0/0 cases: d = 0 -> eps = 0 (nothing to decode); gamma = 0
and d > 0 -> eps = 1. The metrics are paper eqs. (9)-(11):

    eps_i  = 1 - (1 - eps_{i,M})(1 - eps_{i,K})                         (9)
    eps_LF = 1 - (1 - eps_Bob) eps_Eve                                  (8), (10)
    R_d    = [1 - (1 - eps_{Bob,M}) eps_{Bob,K}] (1 - eps_{Eve,M}) eps_{Eve,K}   (11)

Powers in mW, gains linear, noise in mW (sigma^2 = 1 mW in the paper).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from linksim.checks import check_real
from linksim.theory.fbl import error_probability

__all__ = ["PLDMetrics", "layer_powers", "sinrs", "layer_error", "pld_metrics", "combine", "baseline_lfp",
           "equivalent_sinr", "snr_gap_db", "link_prediction", "LINK_PREDICTIONS",
           "plugin_checks", "derived", "activation_metrics"]


def layer_powers(params) -> tuple[float, float]:
    """``(P_M, P_K)`` in mW from a parameter dict with ``p_m`` and exactly one of ``p_k`` and
    ``p_total`` (then P_K = p_total - p_m, the budget line of Theorem 1; p_m <= p_total)."""
    p_m, p_k, p_total = params.get("p_m"), params.get("p_k"), params.get("p_total")
    if (p_k is None) == (p_total is None):
        raise ValueError(f"p_k: got p_k={p_k!r} and p_total={p_total!r}; allowed: exactly one "
                         f"of them (p_total: P_K = p_total - p_m)")
    p_m = check_real("p_m", p_m, 0.0)
    if p_k is not None:
        return p_m, check_real("p_k", p_k, 0.0)
    total = check_real("p_total", p_total, 0.0)
    if p_m > total:
        raise ValueError(f"p_m: got {p_m!r} > p_total={p_total!r}; allowed: p_m <= p_total")
    return p_m, total - p_m


def sinrs(p_m, p_k, z, noise=1.0):
    """``(gamma_M, gamma_K)`` of a receiver with gain ``z`` (003.md §4.1); arrays broadcast."""
    p_m, p_k, z = (np.asarray(a, dtype=np.float64) for a in (p_m, p_k, z))
    return z * p_m / (z * p_k + noise), z * p_k / noise


def layer_error(gamma, d, n=64):
    """Normal-approximation error of a d-bit layer over n complex uses at SINR gamma (eq. 12).

    float64, broadcast over ``gamma`` and ``d``; d = 0 -> 0, gamma = 0 with d > 0 -> 1.
    """
    gamma = np.asarray(gamma, dtype=np.float64)
    d = np.asarray(d, dtype=np.float64)
    g, dd = np.broadcast_arrays(gamma, d)
    out = np.where(dd == 0, 0.0, 1.0)
    live = (dd > 0) & (g > 0)
    if np.any(live):
        out = out.copy()
        out[live] = error_probability(n, dd[live], g[live], "awgn_complex", log_term=False)
    return out if out.ndim else float(out)


@dataclass(frozen=True)
class PLDMetrics:
    """Per-layer errors ``eps`` (keys bob_m, bob_k, eve_m, eve_k), SINRs ``gamma`` (same keys),
    ``eps_bob``, ``eps_eve`` (eq. 9), ``eps_lf`` (eq. 10) and ``r_d`` (eq. 11)."""

    eps: dict
    gamma: dict
    eps_bob: float
    eps_eve: float
    eps_lf: float
    r_d: float


def pld_metrics(p_m, p_k, d_m, d_k, z_bob, z_eve, noise=1.0, n=64) -> PLDMetrics:
    """R_d, eps_LF and the per-layer errors at one operating point (module docstring)."""
    for name, value in (("p_m", p_m), ("p_k", p_k), ("noise", noise), ("z_bob", z_bob),
                        ("z_eve", z_eve)):
        if not np.isfinite(value) or value < 0 or (name == "noise" and value == 0):
            raise ValueError(f"{name}: got {value!r}; allowed: a finite number >= 0"
                             + (" (> 0 for noise)" if name == "noise" else ""))
    for name, value in (("d_m", d_m), ("d_k", d_k), ("n", n)):
        if isinstance(value, bool) or int(value) != value or value < 0 or (name == "n" and value < 1):
            raise ValueError(f"{name}: got {value!r}; allowed: a non-negative integer"
                             + (" >= 1" if name == "n" else ""))
    gamma, eps = {}, {}
    for who, z in (("bob", z_bob), ("eve", z_eve)):
        g_m, g_k = sinrs(p_m, p_k, z, noise)
        gamma[f"{who}_m"], gamma[f"{who}_k"] = float(g_m), float(g_k)
        eps[f"{who}_m"] = float(layer_error(g_m, d_m, n))
        eps[f"{who}_k"] = float(layer_error(g_k, d_k, n))
    return PLDMetrics(eps=eps, gamma=gamma, **combine(eps))


def combine(eps) -> dict:
    """Eqs. (9)-(11) from per-layer errors ``eps`` (keys bob_m, bob_k, eve_m, eve_k; floats or
    broadcasting arrays; eps_{i,K} conditioned on the M layer decoded, as SIC implies).
    Returns ``{"eps_bob", "eps_eve", "eps_lf", "r_d"}``."""
    eps_bob = 1 - (1 - eps["bob_m"]) * (1 - eps["bob_k"])
    eps_eve = 1 - (1 - eps["eve_m"]) * (1 - eps["eve_k"])
    return {"eps_bob": eps_bob, "eps_eve": eps_eve, "eps_lf": 1 - (1 - eps_bob) * eps_eve,
            "r_d": (1 - (1 - eps["bob_m"]) * eps["bob_k"]) * (1 - eps["eve_m"]) * eps["eve_k"]}


def activation_metrics(metrics: PLDMetrics, p_cipher_on: float) -> dict:
    """Per-mode and mixture metrics under random cipher activation (notes 003 §9 A14; not in
    the paper, whose metrics are conditioned on the cipher being on).

    With the cipher off, m = p and the key layer carries litter, which every receiver erases
    (condition 7), so a receiver perceives p exactly when it decodes M, and nobody is deceived:
    eps_LF,off = 1 - (1 - eps_{Bob,M}) eps_{Eve,M} (the no-key formula) and R_d,off = 0.
    Returns floats ``eps_lf_on``, ``r_d_on`` (eqs. 10/11), ``eps_lf_off``, ``r_d_off``,
    ``eps_lf_mix`` = p eps_LF,on + (1-p) eps_LF,off, ``r_d_mix`` = p R_d,on,
    ``eve_perceived_on`` = (1-eps_EM)(1-eps_EK), ``eve_perceived_off`` = 1-eps_EM and
    ``eve_perceived_mix`` (the fraction of all plaintexts Eve reads).
    """
    p = float(p_cipher_on)
    if not 0 <= p <= 1:
        raise ValueError(f"p_cipher_on: got {p_cipher_on!r}; allowed: a probability in [0, 1]")
    e = metrics.eps
    lf_off = 1 - (1 - e["bob_m"]) * e["eve_m"]
    eve_on = (1 - e["eve_m"]) * (1 - e["eve_k"])
    eve_off = 1 - e["eve_m"]
    return {"eps_lf_on": metrics.eps_lf, "r_d_on": metrics.r_d, "eps_lf_off": lf_off,
            "r_d_off": 0.0, "eps_lf_mix": p * metrics.eps_lf + (1 - p) * lf_off,
            "r_d_mix": p * metrics.r_d, "eve_perceived_on": eve_on,
            "eve_perceived_off": eve_off, "eve_perceived_mix": p * eve_on + (1 - p) * eve_off}


def baseline_lfp(p_m, d_m, z_bob, z_eve, noise=1.0, n=64):
    """eps_LF of the no-key baselines (P_K = 0, d_K = 0): 1 - (1 - eps_{Bob,M}) eps_{Eve,M}
    (003.md §4.3); broadcast over ``p_m``, ``d_m`` and ``n`` where given as arrays."""
    p_m = np.asarray(p_m, dtype=np.float64)
    e_b = layer_error(z_bob * p_m / noise, d_m, n)
    e_e = layer_error(z_eve * p_m / noise, d_m, n)
    return 1 - (1 - np.asarray(e_b)) * np.asarray(e_e)


# ---------------------------------------------------------------------------------------------
# Predictions for the bit-true system (linksim.systems.pld.link) and checks on its counts
# ---------------------------------------------------------------------------------------------

def equivalent_sinr(eps, d, n=64):
    """The SINR at which the normal approximation (eq. 12) of a d-bit layer equals ``eps``.

    ``eps`` in (0, 1), d >= 1. Returns a float (linear). The inverse is unique: eq. (12) is
    strictly decreasing in gamma for d > 0.
    """
    from scipy.optimize import brentq
    eps = float(eps)
    if not 0 < eps < 1:
        raise ValueError(f"eps: got {eps!r}; allowed: a rate in (0, 1)")
    if isinstance(d, bool) or int(d) != d or d < 1:
        raise ValueError(f"d: got {d!r}; allowed: an integer >= 1")
    f = lambda lg: float(layer_error(np.exp(lg), d, n)) - eps
    lo, hi = np.log(1e-9), np.log(1e9)
    if f(lo) < 0 or f(hi) > 0:
        raise ValueError(f"eps: got {eps!r}, outside what eq. (12) reaches for gamma in "
                         f"[1e-9, 1e9] at d={d}, n={n}")
    return float(np.exp(brentq(f, lo, hi, xtol=1e-12, rtol=1e-12)))


def snr_gap_db(eps_measured, gamma, d, n=64):
    """SNR gap (dB) of a real layer against the normal approximation at one operating point:
    ``10 log10(gamma / gamma_eq)``, gamma_eq = :func:`equivalent_sinr` of the measured rate.
    Positive when the real code needs more SINR than eq. (12). None if the measured rate is 0
    or 1 (no finite gap)."""
    if not 0 < eps_measured < 1:
        return None
    return float(10 * np.log10(gamma / equivalent_sinr(eps_measured, d, n)))


def _expected(f, z_mean, fading):
    """E_z[f(z)] for a static gain (z = z_mean) or a quasi-static Rayleigh gain (z ~ Exp with
    mean z_mean), by adaptive quadrature over the CDF variable t = 1 - exp(-z / z_mean)."""
    if fading is None:
        return np.asarray(f(np.array([z_mean])))[..., 0]
    from scipy.integrate import quad_vec

    def g(t):
        z = -z_mean * np.log1p(-t) if t < 1 else np.inf
        return np.asarray(f(np.array([min(z, 1e12)])))[..., 0]

    val, _ = quad_vec(g, 0.0, 1.0, epsabs=1e-13, epsrel=1e-9, limit=400)
    return val


#: Quantities :func:`link_prediction` predicts; each is a metric of linksim.sim.metrics.
LINK_PREDICTIONS = ("r_d", "eps_lf", "eps_bob_m", "eps_bob_k", "eps_eve_m", "eps_eve_k",
                    "bob_deceived_rate", "eve_deceived_rate", "bob_perceived_rate",
                    "eve_perceived_rate", "eve_perceived_all_rate")


def link_prediction(params: dict, quantity: str) -> float:
    """Normal-approximation prediction (eqs. 8-12) of a metric of the bit-true PLD system.

    ``params``: the point's parameters of :class:`linksim.systems.pld.link.PLDLink` (p_m, p_k,
    d_m, d_k, z_bob_db, z_eve_db, noise, n, channel, fading, p_cipher_on, ...).
    ``quantity``: one of :data:`LINK_PREDICTIONS`.
    Static channel: eqs. (10)/(11) at the fixed SINRs. Quasi-static Rayleigh (an extension,
    notes 003 §4.11): per-frame products averaged over the gains, e.g.
    R_d = E_zB[1 - (1-eps_BM) eps_BK] E_zE[(1-eps_EM) eps_EK] (Bob and Eve independent), and
    eps_{i,K} conditioned on M decoded = E[(1-eps_M) eps_K] / E[1-eps_M]. Block fading has no
    single-SINR normal approximation: ValueError. ``eve_perceived_all_rate`` mixes the cipher
    modes: on frames (1-eps_EM)(1-eps_EK), off frames (1-eps_EM) (litter always erased).
    """
    if quantity not in LINK_PREDICTIONS:
        raise ValueError(f"quantity: got {quantity!r}; allowed: one of "
                         f"{', '.join(LINK_PREDICTIONS)}")
    channel = params.get("channel", "static")
    fading = None
    if channel == "rayleigh":
        if params.get("fading", "quasi_static") != "quasi_static":
            raise ValueError(f"fading: got {params.get('fading')!r}; allowed: the normal-"
                             f"approximation prediction exists for static and quasi-static "
                             f"channels only")
        fading = "quasi_static"
    p_m, p_k = layer_powers(params)
    d_m, d_k = int(params.get("d_m", 16)), int(params["d_k"])
    n, noise = int(params.get("n", 64)), float(params.get("noise", 1.0))
    p_on = float(params.get("p_cipher_on", 1.0))

    def per_receiver(z):
        g_m, g_k = sinrs(p_m, p_k, z, noise)
        e_m = np.asarray(layer_error(g_m, d_m, n), dtype=float)
        e_k = np.asarray(layer_error(g_k, d_k, n), dtype=float)
        # [1-e_M, (1-e_M) e_K, (1-e_M)(1-e_K), e_M]: the frame-level event probabilities.
        return np.stack([1 - e_m, (1 - e_m) * e_k, (1 - e_m) * (1 - e_k), e_m])

    out = {}
    for who, key in (("bob", "z_bob_db"), ("eve", "z_eve_db")):
        z = 10 ** (float(params.get(key, 0.0)) / 10)
        ok_m, deceived, perceived, fail_m = _expected(per_receiver, z, fading)
        out[who] = dict(ok_m=ok_m, deceived=deceived, perceived=perceived, fail_m=fail_m)
    b, e = out["bob"], out["eve"]
    values = {
        "r_d": (1 - b["deceived"]) * e["deceived"],
        "eps_lf": 1 - b["perceived"] * (1 - e["perceived"]),
        "eps_bob_m": b["fail_m"], "eps_eve_m": e["fail_m"],
        "eps_bob_k": b["deceived"] / b["ok_m"] if b["ok_m"] > 0 else float("nan"),
        "eps_eve_k": e["deceived"] / e["ok_m"] if e["ok_m"] > 0 else float("nan"),
        "bob_deceived_rate": b["deceived"], "eve_deceived_rate": e["deceived"],
        "bob_perceived_rate": b["perceived"], "eve_perceived_rate": e["perceived"],
        "eve_perceived_all_rate": p_on * e["perceived"] + (1 - p_on) * e["ok_m"],
    }
    return float(values[quantity])


def plugin_checks(counts: dict, confidence: float = 0.99) -> dict:
    """Eqs. (10)/(11) fed with *measured* per-layer rates, against the measured R_d and eps_LF,
    and a test of independence between Bob's and Eve's outcomes (issue 5, notes 003 §8.2).

    Input: the counts of :class:`linksim.systems.pld.link.PLDLink` summed over a point.
    Output: ``{"plugin_r_d": float, "plugin_eps_lf": float, "independence_p_value": float}``
    (None where undefined). eps_{i,M} = r_m_failures / frames, eps_{i,K} = r_k_failures /
    r_k_trials (K conditioned on M decoded). Under the paper's model (independent receivers,
    undetected errors negligible) the plug-in values estimate the same probabilities as the
    direct counts; :func:`linksim.validate.check` holds them against each other. The
    independence p-value is Pearson's chi-square test on the 3 x 3 table of Bob's and Eve's
    plaintext outcomes (perceived / deceived / lost) on the cipher-on frames (empty rows or
    columns dropped).
    """
    from scipy.stats import chi2_contingency
    frames, on = counts.get("frames", 0), counts.get("on_frames", 0)
    eps = {}
    for r in ("bob", "eve"):
        eps[f"{r}_m"] = counts[f"{r}_m_failures"] / frames if frames else None
        trials = counts.get(f"{r}_k_trials", 0)
        eps[f"{r}_k"] = counts[f"{r}_k_failures"] / trials if trials else None
    out = {"plugin_r_d": None, "plugin_eps_lf": None, "independence_p_value": None}
    if all(v is not None for v in eps.values()):
        c = combine(eps)
        out["plugin_r_d"], out["plugin_eps_lf"] = float(c["r_d"]), float(c["eps_lf"])
    outcomes = ("perceived", "deceived", "lost")
    table = np.array([[counts.get(f"joint_{b}_{e}", 0) for e in outcomes] for b in outcomes])
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if on and table.shape[0] > 1 and table.shape[1] > 1:
        out["independence_p_value"] = float(chi2_contingency(table, correction=False).pvalue)
    return out


def derived(params: dict, counts: dict) -> dict:
    """What the runner adds to a bit-true PLD point from its summed ``counts``.

    Returns ``{"predictions": {...}, "values": {...}}``:

    * predictions ``plugin_r_d`` / ``plugin_eps_lf`` (eqs. 10/11 fed with the measured per-layer
      rates, :func:`plugin_checks`), each held against the measured metric (r_d / eps_lf) by the
      runner's verdicts: a significant difference means Bob's and Eve's events are not
      independent (or undetected errors matter), since the plug-in ignores both;
    * predictions ``joint_r_d`` / ``joint_eps_lf``: the same measured rates through the joint
      model of :func:`linksim.systems.pld.joint.anchored_joint` (the correlation through the
      shared key-layer interference, and undetected errors, kept; static channel);
    * values ``independence_p_value`` (chi-square on the 3 x 3 outcome table) and, on a static
      channel, ``gap_db_<r>_<layer>`` = :func:`snr_gap_db` of each measured layer rate at the
      point's SINR against eq. (12) for the d payload bits (what the paper's analysis assumes),
      and ``code_gap_db_<r>_<layer>`` against eq. (12) for the d + L bits the code actually
      carries (the CRC's share of the gap is the difference); None where the rate is 0 or 1,
      or under fading.
    """
    from linksim.fec.crc import CRC
    from linksim.systems.pld.joint import anchored_joint
    checks = plugin_checks(counts)
    predictions = {}
    for name, metric in (("plugin_r_d", "r_d"), ("plugin_eps_lf", "eps_lf")):
        if checks[name] is not None:
            predictions[name] = {"value": checks[name], "kind": "estimate", "metric": metric}
    joint = anchored_joint(params, counts)
    if joint is not None:
        for name, metric in (("joint_r_d", "r_d"), ("joint_eps_lf", "eps_lf")):
            predictions[name] = {"value": joint[name[6:]], "kind": "estimate",
                                 "metric": metric}
    values = {"independence_p_value": checks["independence_p_value"]}
    static = params.get("channel", "static") == "static"
    noise, n = float(params.get("noise", 1.0)), int(params.get("n", 64))
    d = {"m": int(params.get("d_m", 16)), "k": int(params["d_k"])}
    crc = {layer: (0 if params.get(f"crc_{layer}") is None
                   else int(CRC(str(params[f"crc_{layer}"]).upper()).length)) for layer in d}
    p_m, p_k = layer_powers(params)
    for r, key in (("bob", "z_bob_db"), ("eve", "z_eve_db")):
        z = 10 ** (float(params.get(key, 0.0)) / 10)
        gamma = dict(zip(("m", "k"), sinrs(p_m, p_k, z, noise)))
        for layer, trials in (("m", counts.get("frames", 0)), ("k", counts.get(f"{r}_k_trials", 0))):
            gap = code_gap = None
            if static and trials and d[layer] > 0:
                rate = counts[f"{r}_{layer}_failures"] / trials
                gap = snr_gap_db(rate, float(gamma[layer]), d[layer], n)
                code_gap = snr_gap_db(rate, float(gamma[layer]), d[layer] + crc[layer], n)
            values[f"gap_db_{r}_{layer}"] = gap
            values[f"code_gap_db_{r}_{layer}"] = code_gap
    return {"predictions": predictions, "values": values}
