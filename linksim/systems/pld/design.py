"""Code-aware design of physical layer deception: problem P0 with real codes (issue 15).

The paper's P0 (003.md §4.5) maximizes R_d over (d_K, P_M) on the full-power line with every
layer at eq. (12) for its d payload bits. Here each layer is the code that will be sent:
d + L bits (payload and CRC) at the SINR lowered by the code's gap (the shifted normal
approximation of :mod:`.error_model`, gap interpolated in k from the calibration of its code
family), the message layer's correlation between Bob and Eve is kept (the interference-pattern
model of :mod:`.joint`), and undetected errors deceive their receiver. The search also covers
the choices the paper fixes:

* the CRC of each layer (``crcs``; CRC6 / CRC11 / CRC16 / CRC24C): a shorter CRC costs less
  rate but lets more wrong words through (2^-L of the failures);
* the code family: decoder and iterations, modulation and blocklength n, one for each
  calibrated family (:func:`family_models`);
* d_K in [max(1, 12 - L_K), n] (5G LDPC carries at least 12 bits) and P_M on a grid of the
  full-power line (Theorem 1), refined by a bounded scalar search around the best grid point.

Constraints: c5-c8 with the per-link thresholds (0.5 by default) on the model's marginals, and
eps_LF <= ``eps_lf_max`` (c9; joint). :func:`optimize` returns the best design of every choice
and the best overall.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize_scalar

from linksim.systems.pld.error_model import GapModel, crc_length
from linksim.systems.pld.joint import LayerPair, link_metrics

__all__ = ["DESIGN_CRCS", "MIN_LDPC_BITS", "Family", "Design", "family_models",
           "best_design", "optimize"]

#: CRCs a design may put on a layer.
DESIGN_CRCS = ("CRC6", "CRC11", "CRC16", "CRC24C")
#: 5G NR LDPC's smallest code block (k >= 12 bits).
MIN_LDPC_BITS = 12


@dataclass(frozen=True)
class Family:
    """A calibrated code family: 5G LDPC with ``decoder`` (``num_iter`` iterations),
    ``modulation`` and blocklength ``n`` (complex uses)."""

    decoder: str
    num_iter: int
    modulation: str
    n: int


@dataclass(frozen=True)
class Design:
    """One design and its predicted performance (``feasible`` False: nothing met the
    constraints; the numbers are then those of the best infeasible-free point, None).

    Attributes: ``family``, ``crc_m``, ``crc_k``, ``d_k``, ``p_m``, ``p_k``, ``r_d`` and
    ``eps_lf`` (joint model), ``r_d_product`` / ``eps_lf_product`` (independence), ``eps``
    (marginals: bob_m, eve_m, bob_k, eve_k), ``gap_db`` (the M and K layers' gaps),
    ``min_eps_lf``: the smallest eps_LF of this choice under c5-c8 alone (None: c5-c8 never
    hold), which says how far c9 is from reach when the choice is infeasible.
    """

    feasible: bool
    family: Family
    crc_m: str
    crc_k: str
    d_k: int | None = None
    p_m: float | None = None
    p_k: float | None = None
    r_d: float | None = None
    eps_lf: float | None = None
    r_d_product: float | None = None
    eps_lf_product: float | None = None
    eps: dict = field(default_factory=dict)
    gap_db: dict = field(default_factory=dict)
    min_eps_lf: float | None = None


def family_models(tables) -> dict[Family, GapModel]:
    """The gap model of every 5G LDPC family in a calibration (tables grouped by decoder,
    iterations, modulation and n)."""
    groups: dict[Family, list] = {}
    for t in tables:
        c = t.config
        if c.get("code") != "ldpc5g":
            continue
        fam = Family(str(c["decoder"]), int(c["num_iter"]), str(c["modulation"]), int(c["n"]))
        groups.setdefault(fam, []).append(t)
    return {fam: GapModel(ts) for fam, ts in groups.items()}


def _metrics(model: GapModel, crc_m, crc_k, d_m, d_k, p_m, p_total, z_bob, z_eve, noise):
    """Model metrics on the grid p_m [P] x d_k [D] (arrays [P, D])."""
    from linksim.systems.pld.analysis import layer_error
    n = model.n
    L_k = crc_length(crc_k)
    p_k = p_total - p_m
    k_bits = d_k + L_k
    gap_k = model(k_bits)                                           # [D]
    kappa = {}
    for r, z in (("bob", z_bob), ("eve", z_eve)):
        g = z * p_k[:, None] / noise * 10 ** (-gap_k[None, :] / 10)
        kappa[r] = np.asarray(layer_error(g, np.broadcast_to(k_bits, g.shape), n))
    # kappa counts every K failure, erased or wrong, as a deception (an undetected key error
    # deceives as surely as an erased one), which is what the joint formulas take.
    return link_metrics(LayerPair(model.layer(d_m, crc_m), None), p_m, p_k, z_bob, z_eve,
                        noise, n, kappa=kappa)


def _feasible(m, thresholds, eps_lf_max):
    return ((m["eps_bob_m"] <= thresholds["bob_m"]) & (m["eps_eve_m"] <= thresholds["eve_m"])
            & (m["eps_bob_k"] <= thresholds["bob_k"]) & (m["eps_eve_k"] >= thresholds["eve_k"])
            & (m["eps_lf"] <= eps_lf_max))


def best_design(model: GapModel, family: Family, crc_m: str, crc_k: str, *, z_bob: float,
                z_eve: float, p_total: float, d_m: int = 16, noise: float = 1.0,
                thresholds=0.5, eps_lf_max: float = 0.5, grid: int = 801) -> Design:
    """The best (d_K, P_M) of one design choice (module docstring).

    Parameters
    ----------
    model : GapModel
        The family's gap model (n and the gaps).
    family : Family
        The family (reported with the design).
    crc_m, crc_k : str
        The layers' CRCs.
    z_bob, z_eve : float
        Linear gains.
    p_total : float
        Power budget P_Sigma (mW).
    d_m : int
        Message payload bits.
    noise : float
        sigma^2 (mW).
    thresholds : float or sequence
        c5-c8 thresholds (:func:`linksim.systems.pld.p0.normalize_thresholds`).
    eps_lf_max : float
        c9.
    grid : int
        P_M grid points on the full-power line.
    """
    from linksim.systems.pld.p0 import normalize_thresholds
    th = normalize_thresholds(thresholds)
    n = model.n
    d_lo = max(1, MIN_LDPC_BITS - crc_length(crc_k))
    if d_m + crc_length(crc_m) < MIN_LDPC_BITS or d_lo > n or d_m > n:
        return Design(False, family, crc_m, crc_k)
    d_k = np.arange(d_lo, n + 1)
    p_m = np.linspace(0.0, p_total, grid)[1:-1]
    m = _metrics(model, crc_m, crc_k, d_m, d_k, p_m, p_total, z_bob, z_eve, noise)
    links = _feasible(m, th, 1.0)
    min_lf = float(np.min(m["eps_lf"][links])) if np.any(links) else None
    ok = links & (m["eps_lf"] <= eps_lf_max)
    if not np.any(ok):
        return Design(False, family, crc_m, crc_k, min_eps_lf=min_lf)
    score = np.where(ok, m["r_d"], -1.0)
    i, j = np.unravel_index(int(np.argmax(score)), score.shape)
    best_p, best_r, dk = float(p_m[i]), float(score[i, j]), int(d_k[j])

    def neg(x):
        mm = _metrics(model, crc_m, crc_k, d_m, np.array([dk]), np.array([x]), p_total,
                      z_bob, z_eve, noise)
        return -float(mm["r_d"][0, 0]) if bool(_feasible(mm, th, eps_lf_max)[0, 0]) else 1.0

    lo, hi = p_m[max(i - 1, 0)], p_m[min(i + 1, p_m.size - 1)]
    res = minimize_scalar(neg, bounds=(lo, hi), method="bounded",
                          options={"xatol": 1e-9 * max(p_total, 1.0)})
    if res.fun < -best_r:
        best_p = float(res.x)
    mm = _metrics(model, crc_m, crc_k, d_m, np.array([dk]), np.array([best_p]), p_total,
                  z_bob, z_eve, noise)
    val = lambda key: float(mm[key][0, 0])
    return Design(True, family, crc_m, crc_k, dk, best_p, p_total - best_p, val("r_d"),
                  val("eps_lf"), val("r_d_product"), val("eps_lf_product"),
                  {k: val(f"eps_{k}") for k in ("bob_m", "eve_m", "bob_k", "eve_k")},
                  {"m": float(model(d_m + crc_length(crc_m))),
                   "k": float(model(dk + crc_length(crc_k)))}, min_lf)


def optimize(models: dict, *, z_bob: float, z_eve: float, p_total: float, d_m: int = 16,
             noise: float = 1.0, thresholds=0.5, eps_lf_max: float = 0.5,
             crcs=DESIGN_CRCS, families=None, grid: int = 801) -> tuple[Design | None, list]:
    """Best design over every choice (module docstring).

    Parameters
    ----------
    models : dict Family -> GapModel
        From :func:`family_models`.
    families : iterable of Family or None
        The families to search (None: all of ``models``).
    crcs : iterable of str
        CRCs tried on each layer.
    z_bob, z_eve, p_total, d_m, noise, thresholds, eps_lf_max, grid :
        As :func:`best_design`.

    Returns
    -------
    (best, designs): the feasible design of largest R_d (None if none is feasible) and the
    best design of every (family, CRC_M, CRC_K), in search order.
    """
    families = list(models) if families is None else list(families)
    designs = []
    for fam in families:
        if fam not in models:
            raise ValueError(f"family: got {fam}; allowed: a calibrated family "
                             f"({', '.join(map(str, models))})")
        for crc_m in crcs:
            for crc_k in crcs:
                designs.append(best_design(models[fam], fam, crc_m, crc_k, z_bob=z_bob,
                                           z_eve=z_eve, p_total=p_total, d_m=d_m,
                                           noise=noise, thresholds=thresholds,
                                           eps_lf_max=eps_lf_max, grid=grid))
    feasible = [d for d in designs if d.feasible]
    best = max(feasible, key=lambda d: d.r_d) if feasible else None
    return best, designs
