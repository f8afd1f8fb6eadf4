"""The power-allocation games of seed 001 (notes 001 §2.6-§2.7, Fig. 4, Propositions 1-2).

* Generic, batched helpers for a 2-player finite game in pure strategies, from payoff arrays
  ``u1[..., m, n]``, ``u2[..., m, n]`` (row: player 1's strategy, column: player 2's):
  deviation gains, best responses (ties included), pure Nash equilibria with a tolerance
  (definition (10)), each strict (every unilateral deviation loses more than ``tol``) or weak
  (some deviation ties within ``tol``), Pareto efficiency among the pure profiles and the
  sum-rate efficiency of the equilibria (best NE / optimum, worst NE / optimum).
* Gamma_1: BS1 and BS2 choose FW (index 0) or BW (index 1); the payoffs are the key rates of
  Corollary 1 (eq. 7, at the powers ``beta_i P_i``), clipped ``[.]^+`` (the physical rates) or
  unclipped (forward minus leakage for FW, backward minus leakage for BW: the payoffs of
  Proposition 1, notes §6 item 5), from :func:`.rates.pure_rates` (one batched call per
  profile). The paper's "mixed" strategies are power splits (``split``), not randomizations.
* Gamma_2: BS_i chooses the AN split ``lambda_i`` in [0, 1]; the utilities are eq. (9) with
  the public channel, ``[F_i]^+ + [B_i]^+`` (:func:`.rates.key_rates`), whose corners are
  Gamma_1's clipped payoffs. Best responses on a ``lambda`` grid, interior ones, and the grid
  NE against Gamma_1's (Proposition 2). Clipping makes ties: against some opponent splits a
  BS gets no key at any split (utility 0 throughout), so every split is a best response and
  the grid game can have weak NE with an interior lambda next to Gamma_1's corner NE.
* :class:`GameStudy`: the analysis system ``key_game`` at one point.

Closed forms used as cross-checks (notes §2.6, App. II): the (BW, BW) leakage SNR
``Lambda = (alpha_2 P_1 + alpha_1 P_2)^2 / (1 + (1 + alpha_2^2) P_1 + (1 + alpha_1^2) P_2 + (1 -
alpha_1 alpha_2)^2 P_1 P_2)`` (eq. 21 at ``P_1 = P_2``; ``I(Y_1; Y_2) = C(Lambda)``); (BW, BW) is
an NE iff ``Lambda <= alpha_2^2 P_1 / (1 + P_2)`` and ``Lambda <= alpha_1^2 P_2 / (1 + P_1)``
(eq. 22 at ``P_1 = P_2``); on the symmetric diagonal iff ``P <= 1 / (3 - alpha^2)``.
"""

from __future__ import annotations

import math

import numpy as np

from linksim.systems.key_agreement.rates import key_rates, pure_rates

__all__ = ["STRATEGIES", "PROFILES", "GAME_QUANTITIES", "GameStudy",
           "deviation_gains", "best_responses", "pure_equilibria", "pareto_efficient",
           "efficiency_ratios", "payoff_arrays", "ne_map", "prop1_prediction",
           "leakage_snr", "bwbw_condition", "bwbw_threshold", "wedge_boundary",
           "gamma2_utilities", "gamma2_best_responses"]

#: Gamma_1's strategies by index (0: FW, 1: BW) and their names in :mod:`.rates`.
STRATEGIES = ("fw", "bw")
#: The four profiles (BS1's strategy, BS2's), row-major: profile k is ``divmod(k, 2)``.
PROFILES = ("fw_fw", "fw_bw", "bw_fw", "bw_bw")


# ----------------------------------------------------------------------------- finite games

def _check_payoffs(u1, u2):
    u1, u2 = np.asarray(u1, float), np.asarray(u2, float)
    if u1.ndim < 2 or u1.shape != u2.shape:
        raise ValueError(f"u2: got shape {u2.shape} against u1 {u1.shape}; allowed: two "
                         f"payoff arrays of the same shape [..., m, n]")
    return u1, u2


def deviation_gains(u1, u2):
    """What the best unilateral deviation from each pure profile gains (notes 001 §2.6).

    Input
    -----
    u1, u2 : float [..., m, n]
        The players' payoffs; row = player 1's strategy, column = player 2's.

    Returns
    -------
    dev1, dev2 : float64 [..., m, n]
        ``dev1[..., r, c] = max_{r' != r} u1[..., r', c] - u1[..., r, c]`` and
        ``dev2[..., r, c] = max_{c' != c} u2[..., r, c'] - u2[..., r, c]``; ``-inf`` for a
        player with one strategy.
    """
    u1, u2 = _check_payoffs(u1, u2)

    def gains(u, axis):
        # the best other strategy: the best one, except for the best itself (the runner-up)
        top = np.argmax(u, axis=axis)
        pos = np.arange(u.shape[axis]).reshape((-1, 1) if axis == -2 else (1, -1))
        is_top = pos == np.expand_dims(top, axis)
        first = np.max(u, axis=axis, keepdims=True)
        second = np.max(np.where(is_top, -np.inf, u), axis=axis, keepdims=True)
        return np.where(is_top, second, first) - u
    return gains(u1, -2), gains(u2, -1)


def best_responses(u1, u2, tol: float = 1e-12):
    """The best responses with ties: every strategy within ``tol`` of the best.

    Input
    -----
    u1, u2 : float [..., m, n]
        Payoffs, row = player 1's strategy.

    Returns
    -------
    br1, br2 : bool [..., m, n]
        ``br1[..., r, c]``: ``r`` is a best response of player 1 to ``c``; ``br2[..., r, c]``:
        ``c`` is a best response of player 2 to ``r``.
    """
    u1, u2 = _check_payoffs(u1, u2)
    return (u1 >= np.max(u1, axis=-2, keepdims=True) - tol,
            u2 >= np.max(u2, axis=-1, keepdims=True) - tol)


def pure_equilibria(u1, u2, tol: float = 1e-12) -> dict:
    """The pure Nash equilibria (definition (10)) with a tolerance, strict or weak.

    A profile is an NE when no unilateral deviation gains more than ``tol``; strict when every
    deviation loses more than ``tol``; weak when it is an NE and some deviation is within
    ``tol`` of it (a tie).

    Input
    -----
    u1, u2 : float [..., m, n]
        Payoffs, row = player 1's strategy.

    Returns
    -------
    dict of bool [..., m, n]
        ``ne``, ``strict``, ``weak``.
    """
    dev1, dev2 = deviation_gains(u1, u2)
    ne = (dev1 <= tol) & (dev2 <= tol)
    strict = (dev1 < -tol) & (dev2 < -tol)
    return {"ne": ne, "strict": strict, "weak": ne & ~strict}


def pareto_efficient(u1, u2, tol: float = 1e-12):
    """Pareto efficiency among the pure profiles: no other profile is as good for both
    players (within ``tol``) and better for one by more than ``tol``.

    Input
    -----
    u1, u2 : float [..., m, n]

    Returns
    -------
    efficient : bool [..., m, n]
    """
    u1, u2 = _check_payoffs(u1, u2)
    shape = u1.shape
    a = u1.reshape(shape[:-2] + (-1,))
    b = u2.reshape(shape[:-2] + (-1,))
    # [..., k, k']: profile k' dominates profile k
    ge = (a[..., None, :] >= a[..., :, None] - tol) & (b[..., None, :] >= b[..., :, None] - tol)
    gt = (a[..., None, :] > a[..., :, None] + tol) | (b[..., None, :] > b[..., :, None] + tol)
    return ~np.any(ge & gt, axis=-1).reshape(shape)


def efficiency_ratios(u1, u2, ne, optimum=None):
    """The sum-rate efficiency of the pure equilibria: best NE sum / optimum and worst NE sum /
    optimum (the inverses of the price of stability and of the price of anarchy).

    Input
    -----
    u1, u2 : float [..., m, n]
        Payoffs whose sums are compared.
    ne : bool [..., m, n]
        The equilibria (:func:`pure_equilibria`).
    optimum : float [...] or None
        The reference sum; None: the best pure-profile sum ``max (u1 + u2)``.

    Returns
    -------
    best, worst : float64 [...]
        NaN where there is no NE or the optimum is not > 0.
    """
    u1, u2 = _check_payoffs(u1, u2)
    total = u1 + u2
    ne = np.asarray(ne, bool)
    opt = (np.max(total, axis=(-2, -1)) if optimum is None
           else np.asarray(optimum, float))
    has = np.any(ne, axis=(-2, -1))
    with np.errstate(invalid="ignore"):
        best = np.max(np.where(ne, total, -np.inf), axis=(-2, -1))
        worst = np.min(np.where(ne, total, np.inf), axis=(-2, -1))
        ok = has & (opt > 0)
        safe = np.where(ok, opt, 1.0)
        return np.where(ok, best / safe, np.nan), np.where(ok, worst / safe, np.nan)


# ----------------------------------------------------------------------------- Gamma_1

def payoff_arrays(p1, p2, alpha1, alpha2, beta1=1.0, beta2=1.0, clip: bool = False):
    """Gamma_1's payoff arrays (Corollary 1, eq. 7, powers ``beta_i P_i``), one batched
    :func:`.rates.pure_rates` call per profile.

    Input
    -----
    p1, p2, alpha1, alpha2, beta1, beta2 : float or float array (broadcast together)

    Returns
    -------
    u1, u2 : float64 [..., 2, 2]
        Key rates of BS1 and BS2 (bits per use); row = BS1's strategy, column = BS2's, index
        0 = FW, 1 = BW. ``clip=False``: unclipped (Proposition 1's payoffs).
    """
    rows1, rows2 = [], []
    for s1 in STRATEGIES:
        r1, r2 = [], []
        for s2 in STRATEGIES:
            a, b = pure_rates(s1, s2, p1, p2, alpha1, alpha2, beta1, beta2, clip=clip)
            r1.append(np.asarray(a, float))
            r2.append(np.asarray(b, float))
        rows1.append(r1)
        rows2.append(r2)
    shape = np.broadcast_shapes(*(x.shape for r in rows1 + rows2 for x in r))

    def stack(rows):
        return np.stack([np.stack([np.broadcast_to(x, shape) for x in r], axis=-1)
                         for r in rows], axis=-2)
    return stack(rows1), stack(rows2)


def ne_map(p1, p2, alpha1, alpha2, beta1=1.0, beta2=1.0, clip: bool = False,
           tol: float = 1e-12) -> dict:
    """Gamma_1's pure NE over a batch of settings, e.g. an (alpha_1, alpha_2) grid (Fig. 4).

    Input
    -----
    p1, p2, alpha1, alpha2, beta1, beta2 : float or float array (broadcast together)

    Returns
    -------
    dict
        ``u1``, ``u2`` (float64 [..., 2, 2]); ``ne``, ``strict``, ``weak`` (bool [..., 2, 2],
        :func:`pure_equilibria`); ``br1``, ``br2`` (bool [..., 2, 2], :func:`best_responses`:
        ``br1[..., 1, 1]`` is pair 1 preferring BW against BW, ``I(Y_1; Y_2) <= I(X_1; Y_2)``
        unclipped, the wedge of Fig. 4).
    """
    u1, u2 = payoff_arrays(p1, p2, alpha1, alpha2, beta1, beta2, clip)
    br1, br2 = best_responses(u1, u2, tol)
    return {"u1": u1, "u2": u2, **pure_equilibria(u1, u2, tol), "br1": br1, "br2": br2}


def prop1_prediction(alpha1, alpha2):
    """Proposition 1's NE set for ``P_1 = P_2 = P > 1/2``, ``beta = 1``: (FW, FW), (FW, BW),
    (BW, FW) on the diagonal, only (FW, BW) where ``alpha_1 > alpha_2``, only (BW, FW) where
    ``alpha_1 < alpha_2``.

    Input
    -----
    alpha1, alpha2 : float or float array

    Returns
    -------
    ne : bool [..., 2, 2]
    """
    a1, a2 = np.broadcast_arrays(np.asarray(alpha1, float), np.asarray(alpha2, float))
    out = np.zeros(a1.shape + (2, 2), bool)
    out[..., 0, 0] = a1 == a2
    out[..., 0, 1] = a1 >= a2
    out[..., 1, 0] = a1 <= a2
    return out


def leakage_snr(p1, p2, alpha1, alpha2, beta1=1.0, beta2=1.0):
    """The (BW, BW) leakage SNR ``Lambda``, ``I(Y_1; Y_2) = C(Lambda)`` (notes §2.3; eq. 21 at
    ``P_1 = P_2``), at the powers ``beta_i P_i``. Broadcasts; float64."""
    q1 = np.asarray(beta1, float) * np.asarray(p1, float)
    q2 = np.asarray(beta2, float) * np.asarray(p2, float)
    a1, a2 = np.asarray(alpha1, float), np.asarray(alpha2, float)
    return ((a2 * q1 + a1 * q2) ** 2
            / (1 + (1 + a2 ** 2) * q1 + (1 + a1 ** 2) * q2 + (1 - a1 * a2) ** 2 * q1 * q2))


def bwbw_condition(p1, p2, alpha1, alpha2, beta1=1.0, beta2=1.0):
    """Whether (BW, BW) is an NE by the closed form (eq. 22, any ``P_1, P_2``): ``Lambda <=
    alpha_2^2 P_1 / (1 + P_2)`` (BS1 keeps BW) and ``Lambda <= alpha_1^2 P_2 / (1 + P_1)``
    (BS2 keeps BW), powers ``beta_i P_i``. Returns ``(holds, margin)``: bool and float64 of
    the broadcast shape, ``margin`` the smaller bound minus ``Lambda``."""
    q1 = np.asarray(beta1, float) * np.asarray(p1, float)
    q2 = np.asarray(beta2, float) * np.asarray(p2, float)
    lam = leakage_snr(p1, p2, alpha1, alpha2, beta1, beta2)
    bound = np.minimum(np.asarray(alpha2, float) ** 2 * q1 / (1 + q2),
                       np.asarray(alpha1, float) ** 2 * q2 / (1 + q1))
    return lam <= bound, bound - lam


def bwbw_threshold(alpha):
    """The symmetric (BW, BW) threshold ``1 / (3 - alpha^2)`` (notes §2.6, [derived]): at
    ``alpha_1 = alpha_2 = alpha``, ``P_1 = P_2 = P``, (BW, BW) is an NE iff ``P <=`` it."""
    return 1.0 / (3.0 - np.asarray(alpha, float) ** 2)


def wedge_boundary(alpha2, p1, p2=None, beta1=1.0, beta2=1.0, iters: int = 60):
    """Fig. 4's wedge: the largest ``alpha_1`` in [0, 1] at which pair 1 still prefers BW when
    pair 2 plays BW, ``I(Y_1; Y_2) <= I(X_1; Y_2)`` (unclipped payoffs: ``u1[BW, BW] >=
    u1[FW, BW]``), by bisection on the engine's payoffs. The condition holds for ``alpha_1
    <= g(alpha_2)`` (checked on grids in the tests); ``g = 1`` where it holds at
    ``alpha_1 = 1``, 0 where it fails at every ``alpha_1 > 0``.

    Input
    -----
    alpha2 : float or float array [...]

    Returns
    -------
    g : float64 [...] (bisection width ``2^-iters``)
    """
    p2 = p1 if p2 is None else p2
    alpha2 = np.asarray(alpha2, float)

    def prefers_bw(a1):
        fb = pure_rates("fw", "bw", p1, p2, a1, alpha2, beta1, beta2, clip=False)[0]
        bb = pure_rates("bw", "bw", p1, p2, a1, alpha2, beta1, beta2, clip=False)[0]
        return np.asarray(bb) >= np.asarray(fb)
    lo = np.zeros(alpha2.shape)
    hi = np.ones(alpha2.shape)
    at_one = prefers_bw(hi)
    for _ in range(iters):
        mid = (lo + hi) / 2
        ok = prefers_bw(mid)
        lo = np.where(ok, mid, lo)
        hi = np.where(ok, hi, mid)
    return np.where(at_one, 1.0, lo)


# ----------------------------------------------------------------------------- Gamma_2

def gamma2_utilities(p1, p2, alpha1, alpha2, lam, beta1=1.0, beta2=1.0):
    """Gamma_2's utilities on a grid: eq. (9) with the public channel, ``[F_i]^+ + [B_i]^+``.

    Input
    -----
    p1, p2, alpha1, alpha2, beta1, beta2 : float or float array [...]
        The settings (broadcast together, against two trailing grid axes: give arrays a
        shape [..., 1, 1]).
    lam : float [G]
        The grid of lambda in [0, 1] (both players).

    Returns
    -------
    r1, r2 : float64 [..., G, G]
        Axis -2: lambda_1, axis -1: lambda_2.
    """
    lam = np.asarray(lam, float)
    return key_rates(p1, p2, alpha1, alpha2, lam[:, None], lam[None, :], beta1, beta2,
                     public=True)


def gamma2_best_responses(r1, r2, tol: float = 1e-12) -> dict:
    """Gamma_2's best responses and pure NE on the grid, with interior ones flagged.

    Input
    -----
    r1, r2 : float [..., G, G]
        Utilities on the grid (:func:`gamma2_utilities`), axis -2 lambda_1, axis -1
        lambda_2; the grid's first and last points are lambda = 0 (FW) and 1 (BW).

    Returns
    -------
    dict
        ``br1``, ``br2``, ``ne``, ``strict``: bool [..., G, G] (:func:`best_responses` and
        :func:`pure_equilibria` on the grid game); ``interior1`` (bool [..., G], per
        lambda_2) and ``interior2`` (per lambda_1): an interior lambda beats both ends by more
        than ``tol`` (a maximum inside (0, 1)); ``interior_tie1``, ``interior_tie2``: an
        interior lambda is a best response without beating both ends (ties, e.g. a
        utility that is 0 everywhere); ``corner_ne``, ``corner_strict``: bool [..., 2, 2],
        the NE and the strict NE at the corners (FW/BW); ``interior_ne``,
        ``interior_strict``: int [...], grid NE (strict NE) with a lambda inside (0, 1).
    """
    r1, r2 = np.asarray(r1, float), np.asarray(r2, float)
    eq = pure_equilibria(r1, r2, tol)
    br1, br2 = best_responses(r1, r2, tol)
    ends1 = np.maximum(r1[..., 0, :], r1[..., -1, :])            # [..., G] per lambda_2
    ends2 = np.maximum(r2[..., :, 0], r2[..., :, -1])            # per lambda_1
    inner1, inner2 = r1[..., 1:-1, :], r2[..., :, 1:-1]
    interior1 = np.any(inner1 > ends1[..., None, :] + tol, axis=-2)
    interior2 = np.any(inner2 > ends2[..., :, None] + tol, axis=-1)
    tie1 = np.any(br1[..., 1:-1, :], axis=-2) & ~interior1
    tie2 = np.any(br2[..., :, 1:-1], axis=-1) & ~interior2
    out = {"br1": br1, "br2": br2, "ne": eq["ne"], "strict": eq["strict"],
           "interior1": interior1, "interior2": interior2, "interior_tie1": tie1,
           "interior_tie2": tie2}
    for key, name in (("ne", "ne"), ("strict", "strict")):
        corner = eq[key][..., [0, -1], :][..., :, [0, -1]]
        out[f"corner_{name}"] = corner
        out[f"interior_{name}"] = (np.sum(eq[key], axis=(-2, -1))
                                   - np.sum(corner, axis=(-2, -1)))
    return out


# ----------------------------------------------------------------------------- the study

def _label(profile: str) -> str:
    return "(" + profile.upper().replace("_", ", ") + ")"


#: Quantities of :class:`GameStudy`: name -> (label, scale).
GAME_QUANTITIES = {}
for _p in PROFILES:
    _l = _label(_p)
    GAME_QUANTITIES.update({
        f"r1_{_p}": (f"{_l}: BS1's payoff R1 (bit/use)", "linear"),
        f"r2_{_p}": (f"{_l}: BS2's payoff R2 (bit/use)", "linear"),
        f"is_ne_{_p}": (f"{_l} is a pure NE (0/1)", "linear"),
        f"strict_{_p}": (f"{_l} is a strict NE (0/1)", "linear"),
        f"pareto_{_p}": (f"{_l} is Pareto efficient among the pure profiles (0/1)", "linear"),
        f"region_pareto_{_p}": (f"{_l} is undominated in the AN region at the same beta, "
                                f"clipped rates (0/1)", "linear"),
    })
GAME_QUANTITIES.update({
    "n_ne": ("number of pure NE of Gamma_1", "linear"),
    "n_strict": ("number of strict pure NE", "linear"),
    "n_weak": ("number of weak pure NE (a deviation ties within tol)", "linear"),
    "ne_share": ("share of the four profiles that are NE", "linear"),
    "br1_vs_fw": ("BS1's best response to FW (0 FW, 1 BW, 2 both)", "linear"),
    "br1_vs_bw": ("BS1's best response to BW (0 FW, 1 BW, 2 both)", "linear"),
    "br2_vs_fw": ("BS2's best response to FW (0 FW, 1 BW, 2 both)", "linear"),
    "br2_vs_bw": ("BS2's best response to BW (0 FW, 1 BW, 2 both)", "linear"),
    "opt_sum": ("best pure-profile sum key rate [R1]^+ + [R2]^+ (bit/use)", "linear"),
    "opt_profile": ("profile of the best pure sum (0 FW,FW; 1 FW,BW; 2 BW,FW; 3 BW,BW)",
                    "linear"),
    "ne_sum_best": ("largest NE sum key rate [R1]^+ + [R2]^+ (bit/use)", "linear"),
    "ne_sum_worst": ("smallest NE sum key rate [R1]^+ + [R2]^+ (bit/use)", "linear"),
    "poa_best": ("best NE sum / best pure sum (key rates [.]^+)", "linear"),
    "poa_worst": ("worst NE sum / best pure sum (key rates [.]^+)", "linear"),
    "region_max_sum": ("AN region's max sum rate at the same beta, lambda grid (bit/use)",
                       "linear"),
    "poa_region_best": ("best NE sum (clipped rates) / AN region's max sum", "linear"),
    "poa_region_worst": ("worst NE sum (clipped rates) / AN region's max sum", "linear"),
    "bwbw_ne": ("(BW, BW) is a pure NE (0/1)", "linear"),
    "bwbw_closed_form": ("(BW, BW) is an NE by the closed form, eq. 22 (0/1)", "linear"),
    "leakage_snr": ("(BW, BW) leakage SNR Lambda, I(Y1; Y2) = C(Lambda) (eq. 21)", "linear"),
    "bwbw_threshold": ("symmetric (BW, BW) threshold 1 / (3 - alpha^2) (equal gains > 0 and "
                       "powers only)", "linear"),
    "bwbw_threshold_holds": ("(BW, BW) is an NE iff beta P <= 1 / (3 - alpha^2) here (0/1)",
                             "linear"),
    "prop1_ne_count": ("Proposition 1's predicted number of NE (P1 = P2 > 1/2, beta = 1)",
                       "linear"),
    "prop1_holds": ("the NE set is Proposition 1's (0/1; None outside its setting)",
                    "linear"),
    "gamma2_ne_count": ("Gamma_2: pure NE on the lambda grid", "linear"),
    "gamma2_interior_ne": ("Gamma_2: grid NE with a lambda inside (0, 1)", "linear"),
    "gamma2_interior": ("Gamma_2: opponent lambdas where an interior lambda beats both ends "
                        "(both BSs)", "linear"),
    "gamma2_interior_ties": ("Gamma_2: opponent lambdas where an interior lambda ties the "
                             "best (both BSs)", "linear"),
    "gamma2_matches_gamma1": ("Gamma_2's grid NE are Gamma_1's clipped NE (0/1, Prop. 2)",
                              "linear"),
    "gamma2_strict_matches": ("Gamma_2's strict grid NE are Gamma_1's strict clipped NE (0/1)",
                              "linear"),
})


def _check(params) -> dict:
    from linksim.systems.key_agreement.spec import GAME_SCHEMA
    params = GAME_SCHEMA.complete(params, "key_game")        # defaults for a direct call
    params = {**params, **GAME_SCHEMA.validate(params)}
    if params["p2"] is None:
        params["p2"] = params["p1"]
    return params


def _br_code(column) -> int:
    """0 FW only, 1 BW only, 2 both."""
    fw, bw = bool(column[0]), bool(column[1])
    return 2 if fw and bw else (0 if fw else 1)


def _ratio(x) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x


class GameStudy:
    """Gamma_1 and Gamma_2 at one point ``(P_1, P_2, alpha_1, alpha_2, beta_1, beta_2)``.

    Parameters
    ----------
    **params
        :data:`linksim.systems.key_agreement.spec.GAME_SCHEMA`: the setting, ``beta1``,
        ``beta2``, ``clip`` (Gamma_1's payoffs clipped or not), ``tol`` (the tolerance of
        every equilibrium and best-response test) and ``lam_grid`` (Gamma_2's grid).
    """

    def __init__(self, **params):
        self.params = _check(params)

    def evaluate(self) -> dict:
        """The quantities of :data:`GAME_QUANTITIES` (None where one does not apply).

        Gamma_1's NE, best responses and Pareto flags use the payoffs ``clip`` selects. The
        sums (``opt_sum``, ``ne_sum_*``, ``poa_*``) are of the key rates ``[R_i]^+`` (what a
        profile achieves; an unclipped payoff below 0 is no rate), so ``clip`` changes only
        which profiles count as NE there. The AN region and Gamma_2 use eq. (9)'s clipped
        rates, so ``gamma2_matches_gamma1`` compares with Gamma_1's clipped NE (Proposition
        2's statement) whatever ``clip`` is. ``bwbw_threshold`` is None unless ``alpha_1 =
        alpha_2 > 0`` and ``beta_1 P_1 = beta_2 P_2`` (at alpha = 0 every profile ties).
        """
        p = self.params
        p1, p2, a1, a2 = p["p1"], p["p2"], p["alpha1"], p["alpha2"]
        b1, b2, tol = p["beta1"], p["beta2"], p["tol"]
        game = ne_map(p1, p2, a1, a2, b1, b2, p["clip"], tol)
        u1, u2, ne, strict = game["u1"], game["u2"], game["ne"], game["strict"]
        out = {name: None for name in GAME_QUANTITIES}
        pareto = pareto_efficient(u1, u2, tol)
        for k, prof in enumerate(PROFILES):
            r, c = divmod(k, 2)
            out[f"r1_{prof}"], out[f"r2_{prof}"] = float(u1[r, c]), float(u2[r, c])
            out[f"is_ne_{prof}"] = int(ne[r, c])
            out[f"strict_{prof}"] = int(strict[r, c])
            out[f"pareto_{prof}"] = int(pareto[r, c])
        out["n_ne"], out["n_strict"] = int(ne.sum()), int(strict.sum())
        out["n_weak"] = int(game["weak"].sum())
        out["ne_share"] = out["n_ne"] / 4
        for i, br in ((1, game["br1"]), (2, game["br2"])):
            for j, s in enumerate(STRATEGIES):
                column = br[:, j] if i == 1 else br[j, :]
                out[f"br{i}_vs_{s}"] = _br_code(column)
        # efficiency: the key rates [.]^+ of the NE (whichever payoffs decide the NE)
        c1, c2 = payoff_arrays(p1, p2, a1, a2, b1, b2, clip=True)
        total = c1 + c2
        out["opt_sum"] = float(total.max())
        out["opt_profile"] = int(np.argmax(total.reshape(-1)))
        if ne.any():
            out["ne_sum_best"] = float(total[ne].max())
            out["ne_sum_worst"] = float(total[ne].min())
        best, worst = efficiency_ratios(c1, c2, ne)
        out["poa_best"], out["poa_worst"] = _ratio(best), _ratio(worst)
        # the AN region (eq. 9, clipped) on the lambda grid: its max sum and Gamma_2
        lam = np.linspace(0.0, 1.0, p["lam_grid"])
        g1, g2 = gamma2_utilities(p1, p2, a1, a2, lam, b1, b2)
        out["region_max_sum"] = float((g1 + g2).max())
        best, worst = efficiency_ratios(c1, c2, ne, out["region_max_sum"])
        out["poa_region_best"], out["poa_region_worst"] = _ratio(best), _ratio(worst)
        flat1, flat2 = g1.reshape(-1), g2.reshape(-1)
        for k, prof in enumerate(PROFILES):
            r, c = divmod(k, 2)
            x, y = c1[r, c], c2[r, c]
            dominated = np.any((flat1 >= x - tol) & (flat2 >= y - tol)
                               & ((flat1 > x + tol) | (flat2 > y + tol)))
            out[f"region_pareto_{prof}"] = int(not dominated)
        # (BW, BW): the engine, the closed form (eq. 22) and the symmetric threshold
        out["bwbw_ne"] = int(ne[1, 1])
        holds, _ = bwbw_condition(p1, p2, a1, a2, b1, b2)
        out["bwbw_closed_form"] = int(holds)
        out["leakage_snr"] = float(leakage_snr(p1, p2, a1, a2, b1, b2))
        if a1 == a2 > 0 and b1 * p1 == b2 * p2:      # at alpha = 0 every profile ties
            thr = float(bwbw_threshold(a1))
            out["bwbw_threshold"] = thr
            out["bwbw_threshold_holds"] = int(bool(ne[1, 1]) == (b1 * p1 <= thr))
        # Proposition 1 (P_1 = P_2 = P > 1/2, beta = 1)
        if p1 == p2 and b1 == 1.0 and b2 == 1.0 and p1 > 0.5:
            pred = prop1_prediction(a1, a2)
            out["prop1_ne_count"] = int(pred.sum())
            out["prop1_holds"] = int(np.array_equal(pred, ne))
        # Gamma_2 against Gamma_1's clipped NE (Proposition 2)
        g = gamma2_best_responses(g1, g2, tol)
        out["gamma2_ne_count"] = int(g["ne"].sum())
        out["gamma2_interior_ne"] = int(g["interior_ne"])
        out["gamma2_interior"] = int(g["interior1"].sum() + g["interior2"].sum())
        out["gamma2_interior_ties"] = int(g["interior_tie1"].sum() + g["interior_tie2"].sum())
        clipped = pure_equilibria(c1, c2, tol)
        out["gamma2_matches_gamma1"] = int(g["interior_ne"] == 0
                                           and np.array_equal(g["corner_ne"], clipped["ne"]))
        out["gamma2_strict_matches"] = int(g["interior_strict"] == 0
                                           and np.array_equal(g["corner_strict"],
                                                              clipped["strict"]))
        return out
