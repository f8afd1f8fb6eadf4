"""Joint Bob/Eve model of the PLD link: conditioning on the key layer's interference pattern.

Bob and Eve decode the message layer M under the **same** key-layer codeword as interference,
so their M outcomes are correlated (issue 5's chi-square finding); given that codeword they are
independent (independent noise), and after SIC each K layer sees only its own noise.

The interference pattern enters the M decoder, to first order, through its projection on the
M signal. With unit-power symbols s (M) and i (K) over n complex uses, let
c = <s, i> / n (real inner product over the 2n real dimensions): E c = 0 and
Var c = 1 / (2n) for independent zero-mean layers of any unit-power constellation (for QPSK,
c is the mean of 2n independent +-1/2 products). A receiver with signal power S = z P_M,
interference power I = z P_K and noise N = sigma^2 sees, along s, amplitude sqrt(S) + sqrt(I) c
and, across the other dimensions, interference of power I (1 - c^2) plus noise:

    gamma_eff(c) = (sqrt(S) + sqrt(I) c)^2 / (I (1 - c^2) + N),     gamma_eff(0) = S / (I + N),

the frame's effective SINR. Each frame's M layer then fails as the layer alone over AWGN at
gamma_eff(c) (the calibrated or surrogate model of :mod:`.error_model`). The expectation over
c ~ N(0, 1/(2n)) is a Gauss-Hermite sum (:func:`pattern_nodes`).

With, for receiver r and pattern c, s_r(c) the probability that M is decoded correctly,
u_r(c) that it is wrong but accepted (undetected), and kappa_r the K layer's failure
probability after SIC (erased or wrong: both make the receiver output a wrong plaintext):

    deceived_r(c)  = s_r(c) kappa_r + u_r(c)            (p_hat != p, the frame not lost)
    perceived_r(c) = s_r(c) (1 - kappa_r)
    R_d    = E_c[ deceived_E(c) (1 - deceived_B(c)) ]                 (eq. 11, joint)
    eps_LF = 1 - E_c[ perceived_B(c) (1 - perceived_E(c)) ]           (eq. 10, joint)

The **product** formula of the paper takes the expectations apart,
R_d = E[deceived_E] (1 - E[deceived_B]), which is exact only when the receivers are
independent. Both are returned by :func:`link_metrics`; expanding the products, only the
expectations over c of the M-layer terms and their pairwise products are needed, so the
model is vectorised over a grid of powers and key sizes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["pattern_nodes", "effective_sinr", "LayerPair", "link_metrics", "PATTERN_ORDER",
           "anchored_joint", "code_aware_prediction", "CODE_AWARE_PREDICTIONS"]

#: Gauss-Hermite nodes over the interference pattern (exact for polynomials of degree < 48 in
#: c; the M-layer failure curves are smooth on the scale of c's spread).
PATTERN_ORDER = 24


def pattern_nodes(n: int, order: int = PATTERN_ORDER) -> tuple[np.ndarray, np.ndarray]:
    """``(c, w)``: nodes and weights (float64 [order], sum 1) of E over c ~ N(0, 1/(2n)),
    clipped to |c| < 1."""
    x, w = np.polynomial.hermite_e.hermegauss(order)
    c = np.clip(x / np.sqrt(2.0 * n), -0.999, 0.999)
    return c, w / w.sum()


def effective_sinr(s, i, noise, c):
    """gamma_eff(c) (module docstring), linear, broadcast over all arguments.

    Parameters
    ----------
    s, i, noise : float or array
        Signal (z P_M), interference (z P_K) and noise powers, same unit.
    c : float or array
        The pattern's projection on the signal, |c| < 1.
    """
    s, i, noise, c = (np.asarray(a, dtype=np.float64) for a in (s, i, noise, c))
    return (np.sqrt(s) + np.sqrt(i) * c) ** 2 / (i * (1 - c * c) + noise)


@dataclass(frozen=True)
class LayerPair:
    """The error models of a link's two layers: each has ``eps(sinr_db)`` and
    ``undetected(sinr_db)`` (:class:`~linksim.systems.pld.error_model.CalibratedLayer` or
    :class:`~linksim.systems.pld.error_model.ShiftedNA`); ``k`` None for no key layer. ``m``
    may also be a dict ``{"bob": model, "eve": model}`` (one M curve per receiver)."""

    m: object
    k: object | None

    def m_of(self, receiver: str):
        """The M-layer model of ``receiver`` ("bob" or "eve")."""
        return self.m[receiver] if isinstance(self.m, dict) else self.m


def _db(x):
    with np.errstate(divide="ignore"):
        return 10 * np.log10(np.maximum(x, 1e-300))


def _m_terms(layer, p_m, p_k, z, noise, c):
    """(s, u) float64 [..., J]: probabilities of M decoded correctly / wrong but accepted at
    each pattern node."""
    g = effective_sinr(z * p_m[..., None], z * p_k[..., None], noise, c)
    sinr = _db(g)
    eps = np.clip(layer.eps(sinr), 0.0, 1.0)
    und = np.clip(layer.undetected(sinr), 0.0, eps)
    return 1.0 - eps, und


def link_metrics(layers: LayerPair, p_m, p_k, z_bob: float, z_eve: float, noise: float,
                 n: int, kappa=None, order: int = PATTERN_ORDER, both_m_ok=None) -> dict:
    """R_d and eps_LF of the PLD link under the code-aware error model, joint and product.

    Parameters
    ----------
    layers : LayerPair
        The M and K layer models (K's is used unless ``kappa`` is given).
    p_m, p_k : float or float64 array [P]
        Layer powers (mW).
    z_bob, z_eve : float
        Linear gains. ``noise``: sigma^2 (mW). ``n``: complex channel uses.
    kappa : None or dict
        Precomputed K-layer failure probabilities ``{"bob": [...], "eve": [...]}`` broadcasting
        against [P, D] (the optimizer's grid over key sizes); None: from ``layers.k`` at
        gamma_K = z P_K / sigma^2 (shape [P]; no key layer: 0).
    order : int
        Gauss-Hermite nodes over the pattern.
    both_m_ok : None or float array [P]
        A measured P(both receivers decode M correctly) (a twin calibration,
        :class:`~linksim.systems.pld.error_model.JointTable`) in place of the pattern model's
        E[s_B s_E]; the undetected cross terms then take the independent form.

    Returns
    -------
    dict of float64 arrays: ``r_d``, ``eps_lf`` (joint, module docstring), ``r_d_product``,
    ``eps_lf_product`` (the paper's independence), ``eps_bob_m``, ``eps_eve_m`` (failure
    marginals), ``eps_bob_k``, ``eps_eve_k`` (kappa), ``both_m_ok`` (E[s_B s_E]).
    """
    p_m = np.atleast_1d(np.asarray(p_m, dtype=np.float64))
    p_k = np.broadcast_to(np.asarray(p_k, dtype=np.float64), p_m.shape)
    c, w = pattern_nodes(n, order)
    s, u = {}, {}
    for r, z in (("bob", z_bob), ("eve", z_eve)):
        s[r], u[r] = _m_terms(layers.m_of(r), p_m, p_k, z, noise, c)
    if kappa is None:
        kappa = {}
        for r, z in (("bob", z_bob), ("eve", z_eve)):
            if layers.k is None:
                kappa[r] = np.zeros_like(p_m)
            else:
                kappa[r] = np.clip(layers.k.eps(_db(z * p_k / noise)), 0.0, 1.0)
    E = lambda a: a @ w                                   # expectation over the pattern
    extra = max(0, max(np.ndim(kappa["bob"]), np.ndim(kappa["eve"])) - p_m.ndim)
    shape = np.broadcast_shapes(p_m.shape + (1,) * extra, np.shape(kappa["bob"]),
                                np.shape(kappa["eve"]))
    lift = lambda a: a.reshape(a.shape + (1,) * extra)    # [P] -> [P, 1, ...]
    sB, sE, uB, uE = (lift(E(a)) for a in (s["bob"], s["eve"], u["bob"], u["eve"]))
    sBsE, sEuB, uEsB, uEuB = (lift(E(a * b)) for a, b in ((s["bob"], s["eve"]),
                                                          (s["eve"], u["bob"]),
                                                          (u["eve"], s["bob"]),
                                                          (u["eve"], u["bob"])))
    if both_m_ok is not None:
        sBsE = lift(np.broadcast_to(np.asarray(both_m_ok, dtype=np.float64), p_m.shape))
        sEuB, uEsB, uEuB = sE * uB, uE * sB, uE * uB
    kB, kE = kappa["bob"], kappa["eve"]
    # E[(sE kE + uE)(1 - sB kB - uB)] expanded over the pattern.
    r_d = kE * (sE - kB * sBsE - sEuB) + uE - kB * uEsB - uEuB
    eps_lf = 1 - (1 - kB) * (sB - (1 - kE) * sBsE)
    dB, dE = sB * kB + uB, sE * kE + uE
    pB, pE = sB * (1 - kB), sE * (1 - kE)
    return {"r_d": r_d, "eps_lf": eps_lf, "r_d_product": dE * (1 - dB),
            "eps_lf_product": 1 - pB * (1 - pE), "eps_bob_m": 1 - sB, "eps_eve_m": 1 - sE,
            "eps_bob_k": np.broadcast_to(kB, shape), "eps_eve_k": np.broadcast_to(kE, shape),
            "both_m_ok": sBsE}


class _Scaled:
    """An M-layer curve with its undetected share fixed: ``eps`` of ``base``, undetected
    ``undetected_share`` of it (the anchored model of :func:`anchored_joint`)."""

    def __init__(self, base, share: float):
        self.base, self.undetected_share = base, float(share)

    def eps(self, sinr_db):
        return self.base.eps(sinr_db)

    def undetected(self, sinr_db):
        return self.base.eps(sinr_db) * self.undetected_share


def _anchor(k_bits: int, n: int, p_m: float, p_k: float, z: float, noise: float, eps: float,
            share: float):
    """The M-layer curve of one receiver anchored on its failure rate ``eps``: eq. (12) for
    ``k_bits`` bits with the gap that makes its pattern average (over c) equal ``eps``, and
    undetected errors a ``share`` of the failures; flat when eps is 0 or 1."""
    from scipy.optimize import brentq

    from linksim.systems.pld.error_model import FlatLayer, ShiftedNA
    if not 0 < eps < 1:
        return FlatLayer(eps, eps * share)
    c, w = pattern_nodes(n)
    sinr = _db(effective_sinr(z * p_m, z * p_k, noise, c))
    f = lambda gap: float(ShiftedNA(k_bits, n, gap).eps(sinr) @ w) - eps
    return _Scaled(ShiftedNA(k_bits, n, brentq(f, -40.0, 40.0, xtol=1e-10)), share)


def anchored_joint(params: dict, counts: dict) -> dict | None:
    """The joint model on a bit-true point's own measured marginals (issue 15, item 2).

    Each receiver's M layer is the shifted normal approximation for its d_M + L bits, with the
    gap solved so that the pattern-averaged failure rate equals the receiver's measured
    eps_{r,M}, and the measured undetected share; the K layers' failure probabilities are the
    measured eps_{r,K}. The model then adds only what the product formula leaves out: the
    correlation through the shared interference pattern. Returns ``{"r_d", "eps_lf",
    "r_d_product", "eps_lf_product"}`` (floats) or None where it does not apply (no key
    layer, no K trials, a fading channel, or no frames).
    """
    from linksim.systems.pld.analysis import layer_powers
    from linksim.systems.pld.error_model import crc_length
    frames = counts.get("frames", 0)
    if (not frames or params.get("channel", "static") != "static" or int(params["d_k"]) == 0
            or params.get("receiver", "bittrue") != "bittrue"):
        return None
    p_m, p_k = layer_powers(params)
    noise, n = float(params.get("noise", 1.0)), int(params.get("n", 64))
    k_m = int(params.get("d_m", 16)) + crc_length(params.get("crc_m", "CRC11"))
    models, kappa, z = {}, {}, {}
    for r, key in (("bob", "z_bob_db"), ("eve", "z_eve_db")):
        trials = counts.get(f"{r}_k_trials", 0)
        if not trials:
            return None
        kappa[r] = np.array([counts[f"{r}_k_failures"] / trials])
        eps = counts[f"{r}_m_failures"] / frames
        share = counts[f"{r}_m_undetected"] / counts[f"{r}_m_failures"] if eps > 0 else 0.0
        z[r] = 10 ** (float(params.get(key, 0.0)) / 10)
        models[r] = _anchor(k_m, n, p_m, p_k, z[r], noise, eps, share)
    m = link_metrics(LayerPair(models, None), p_m, p_k, z["bob"], z["eve"], noise, n,
                     kappa=kappa)
    return {key: float(np.ravel(m[key])[0]) for key in ("r_d", "eps_lf", "r_d_product",
                                                         "eps_lf_product")}


#: Quantities of :func:`code_aware_prediction` -> the link metric each is held against.
CODE_AWARE_PREDICTIONS = {"r_d": "r_d", "eps_lf": "eps_lf", "r_d_product": "r_d",
                          "eps_lf_product": "eps_lf", "eps_bob_m": "eps_bob_m",
                          "eps_eve_m": "eps_eve_m", "eps_bob_k": "eps_bob_k",
                          "eps_eve_k": "eps_eve_k"}


def code_aware_prediction(params: dict, quantity: str = "r_d",
                          calibration: str = "results/pld_design_calibration") -> dict:
    """Code-aware prediction of a bit-true PLD point from calibration tables alone, with its
    standard error.

    The K layer is the calibrated model (:class:`CalibratedLayer`) of the point's exact key
    layer alone over AWGN (code, d + CRC, decoder, iterations, modulation, n), found in the
    ``calibration`` results directory (relative to the working directory). Each receiver's M
    layer is, where the calibration has it, the table of the message layer under the point's
    own interfering key layer (``interference`` = z P_K / (z P_K + sigma^2) to 4 decimals,
    ``interference_d`` = d_K, ``interference_crc`` = the key layer's CRC), read at the
    receiver's SINR, with the pattern model anchored on that value (:func:`_anchor`) for the
    correlation; otherwise the M layer's AWGN table through the pattern model. Where the
    calibration holds the twin table of the two message layers at the point (``twin``, Eve's
    gain relative to Bob's), its measured P(both decode M) replaces the pattern model's. Where
    the receiver's M table ran the SIC stage at its exact SINR (``sic``), its K failure is the
    measured rate *given M decoded* (the noise both stages share makes it differ from the K
    layer alone; :mod:`.layer`). The metrics are :func:`link_metrics` (joint; ``*_product``:
    independence). Static channel only.

    The calibration runs are finite, so the prediction has a standard error: the delta method
    over the independent estimated inputs (the K table or the SIC rates, each receiver's M
    table, the twin table's three binomial parameters), by finite differences
    (:func:`~linksim.systems.pld.error_model.propagated_se`). The runner's verdict then
    compares two estimates (:func:`linksim.validate.check` with ``predicted_se``).

    Parameters
    ----------
    params : dict
        The point's parameters (:class:`linksim.systems.pld.link.PLDLink`).
    quantity : str
        A key of :data:`CODE_AWARE_PREDICTIONS`.
    calibration : str
        ``pld_layer`` results directories holding both layers' tables, separated by commas
        (their tables are merged, :func:`~linksim.systems.pld.error_model.load_calibration`).

    Returns
    -------
    dict: ``{"value": float, "kind": "estimate", "se": float}``.
    """
    from linksim.systems.pld.analysis import layer_powers
    from linksim.systems.pld.error_model import (CalibratedLayer, FlatLayer, JointTable,
                                                 crc_length, load_calibration, propagated_se,
                                                 table_for)
    if quantity not in CODE_AWARE_PREDICTIONS:
        raise ValueError(f"quantity: got {quantity!r}; allowed: one of "
                         f"{', '.join(CODE_AWARE_PREDICTIONS)}")
    if params.get("channel", "static") != "static":
        raise ValueError(f"channel: got {params.get('channel')!r}; allowed: 'static' (the "
                         f"code-aware model has no fading average)")
    if int(params["d_k"]) == 0:
        raise ValueError("d_k: got 0; allowed: >= 1 (the code-aware model needs a key layer)")
    tables = load_calibration(calibration)
    shared = {key: params.get(key, default) for key, default in
              (("decoder", "nms"), ("num_iter", 20), ("modulation", "qpsk"), ("n", 64))}
    layer = {}
    for name, d in (("m", int(params.get("d_m", 16))), ("k", int(params["d_k"]))):
        layer[name] = dict(code=params.get(f"code_{name}", "ldpc5g"), d=d,
                           crc=params.get(f"crc_{name}", "CRC11"), **shared)
    awgn = {name: CalibratedLayer(table_for(tables, **cfg, interference=0.0))
            for name, cfg in layer.items()}
    p_m, p_k = layer_powers(params)
    noise, n = float(params.get("noise", 1.0)), int(shared["n"])
    k_m = int(layer["m"]["d"]) + crc_length(layer["m"]["crc"])
    z = {"bob": 10 ** (float(params.get("z_bob_db", 0.0)) / 10),
         "eve": 10 ** (float(params["z_eve_db"]) / 10)}
    sinr = {r: float(_db(z[r] * p_m / (z[r] * p_k + noise))) for r in z}
    under = {}                       # receiver -> its M table under its own interference
    for r in ("bob", "eve"):
        f = z[r] * p_k / (z[r] * p_k + noise)
        try:
            under[r] = CalibratedLayer(table_for(tables, **layer["m"], interference=round(f, 4),
                                                 interference_d=layer["k"]["d"],
                                                 interference_crc=layer["k"]["crc"]))
        except ValueError:
            under[r] = None
    f_bob = z["bob"] * p_k / (z["bob"] * p_k + noise)
    try:
        twin = JointTable(table_for(tables, **layer["m"], interference=round(f_bob, 4),
                                    interference_d=layer["k"]["d"],
                                    interference_crc=layer["k"]["crc"], twin=True,
                                    twin_gain_db=round(10 * math.log10(z["eve"] / z["bob"]), 4)))
    except ValueError:
        twin = None
    if twin is not None and not twin.inside(sinr["bob"]):
        twin = None
    # The K layer given M decoded, where the calibration ran the SIC stage at the receiver's
    # operating point (pld_layer's sic): (failures, trials); else the K layer alone.
    sic = {r: None if under[r] is None else under[r].table.sic_at(sinr[r]) for r in z}

    def evaluate(shifts: dict) -> float:
        """The prediction with each estimated input moved by ``shifts[source]`` of its
        standard errors (:func:`~linksim.systems.pld.error_model.propagated_se`)."""
        m_models = {}
        for r in ("bob", "eve"):
            if under[r] is None:
                m_models[r] = awgn["m"].shifted(shifts.get("m_awgn", 0.0))
                continue
            u = under[r]
            eps = float(_expit_logit(u.eps(sinr[r]), shifts.get(f"m_{r}", 0.0)
                                     * float(u.se_logit(sinr[r]))))
            m_models[r] = _anchor(k_m, n, p_m, p_k, z[r], noise, eps, u.undetected_share)
        both = None
        if twin is not None:
            e_b, e_e, e_both = twin(sinr["bob"])
            frames = twin.effective_frames(sinr["bob"])
            # Asymptotically independent parameters of the 2 x 2 multinomial: Bob's failure,
            # Eve's failure given Bob's, and given Bob's success; each binomial.
            q1, q0 = e_both / e_b, (e_e - e_both) / (1 - e_b)
            e_b2 = _binomial_step(e_b, frames, shifts.get("twin_bob", 0.0))
            q1 = _binomial_step(q1, frames * e_b, shifts.get("twin_eve_given_bob_failed", 0.0))
            q0 = _binomial_step(q0, frames * (1 - e_b),
                                shifts.get("twin_eve_given_bob_decoded", 0.0))
            e_both, e_e = e_b2 * q1, e_b2 * q1 + (1 - e_b2) * q0
            for r, e in (("bob", e_b2), ("eve", e_e)):
                # The undetected share of the receiver's own M model (the table has failures).
                m_models[r] = FlatLayer(e, e * m_models[r].undetected_share)
            both = np.array([1 - e_b2 - e_e + e_both])
        k_model = awgn["k"].shifted(shifts.get("k", 0.0))
        kappa = {}
        for r in ("bob", "eve"):
            if sic[r] is None:
                kappa[r] = np.clip(k_model.eps(_db(np.array([z[r] * p_k / noise]))), 0.0, 1.0)
            else:
                failures, trials = sic[r]
                q = _binomial_step(failures / trials, trials, shifts.get(f"k_sic_{r}", 0.0))
                kappa[r] = np.array([min(max(q, 0.0), 1.0)])
        m = link_metrics(LayerPair(m_models, k_model), p_m, p_k, z["bob"], z["eve"], noise, n,
                         kappa=kappa, both_m_ok=both)
        return float(np.ravel(m[quantity])[0])

    sources = ["k"] if None in sic.values() else []
    sources += [f"k_sic_{r}" for r in ("bob", "eve") if sic[r] is not None]
    if twin is None:
        sources += ["m_awgn"] if None in under.values() else []
        sources += [f"m_{r}" for r in ("bob", "eve") if under[r] is not None]
    else:   # the twin table replaces the M models' failure rates (only their shares remain)
        sources += ["twin_bob", "twin_eve_given_bob_failed", "twin_eve_given_bob_decoded"]
    return {"value": evaluate({}), "kind": "estimate", "se": propagated_se(evaluate, sources)}


def _binomial_step(p: float, trials: float, shift: float) -> float:
    """A binomial proportion ``p`` of ``trials`` moved by ``shift`` of its standard errors."""
    return p + shift * math.sqrt(p * (1 - p) / trials)


def _expit_logit(p, shift: float):
    """expit(logit(p) + shift) for a probability p in (0, 1)."""
    p = float(p)
    if shift == 0.0 or not 0 < p < 1:
        return p
    return 1.0 / (1.0 + math.exp(-(math.log(p / (1 - p)) + shift)))
