"""The games of seed 001 (linksim.systems.key_agreement.game, system ``key_game``): the generic
finite-game helpers against a brute-force reference; the payoff matrices of notes 001 §3;
Proposition 1 and the (BW, BW) threshold P <= 1 / (3 - alpha^2) on grids; (FW, FW) iff
alpha_2^2 beta_1 P_1 = alpha_1^2 beta_2 P_2; the Fig. 4 wedge; the efficiency at the Fig. 3
point; the weak NE of the clipped payoffs; Gamma_2 against Gamma_1 (Proposition 2); the study
and its one-line errors.

Tolerances: equilibria use the study's default ``tol = 1e-12`` (the payoffs are differences of
log-dets accurate to ~1e-15); numbers from the notes are checked to half a unit of their last
printed digit (the notes round them)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from linksim.systems.key_agreement.game import (GAME_QUANTITIES, PROFILES, GameStudy,
                                                best_responses, bwbw_condition,
                                                bwbw_threshold, deviation_gains,
                                                efficiency_ratios, gamma2_best_responses,
                                                gamma2_utilities, leakage_snr, ne_map,
                                                pareto_efficient, payoff_arrays,
                                                prop1_prediction, pure_equilibria,
                                                wedge_boundary)
from linksim.systems.key_agreement.rates import key_model

TOL = 1e-12
#: The powers of the grid maps: Proposition 1 (P > 1/2) and the "at least one NE" claim.
PROP1_P = (0.51, 1.0, 10.0, 100.0)
ANY_NE_P = (0.1, 1 / 3, 0.4, 0.45, 1.0, 10.0, 100.0)
MAP_P = tuple(sorted(set(PROP1_P + ANY_NE_P + (0.5,))))
AXIS = np.linspace(0.0, 1.0, 101)
FW, BW = 0, 1


@pytest.fixture(scope="module")
def maps():
    """Gamma_1 (unclipped) over the 101 x 101 (alpha_1, alpha_2) grid at every power of
    MAP_P, one batched call per profile."""
    a1, a2 = np.meshgrid(AXIS, AXIS, indexing="ij")
    p = np.array(MAP_P)[:, None, None]
    game = ne_map(p, p, a1, a2, tol=TOL)
    return {"a1": a1, "a2": a2,
            **{P: {k: v[i] for k, v in game.items()} for i, P in enumerate(MAP_P)}}


# ----------------------------------------------------------------------------- finite games

def _reference(u1, u2, tol):
    """Plain loops over one game: (ne, strict, br1, br2, pareto) as nested bool lists."""
    m, n = u1.shape
    ne = np.zeros((m, n), bool)
    strict = np.zeros((m, n), bool)
    br1 = np.zeros((m, n), bool)
    br2 = np.zeros((m, n), bool)
    pareto = np.ones((m, n), bool)
    for r, c in itertools.product(range(m), range(n)):
        br1[r, c] = all(u1[r, c] >= u1[k, c] - tol for k in range(m))
        br2[r, c] = all(u2[r, c] >= u2[r, k] - tol for k in range(n))
        ne[r, c] = br1[r, c] and br2[r, c]
        strict[r, c] = (all(u1[k, c] < u1[r, c] - tol for k in range(m) if k != r)
                        and all(u2[r, k] < u2[r, c] - tol for k in range(n) if k != c))
        for rr, cc in itertools.product(range(m), range(n)):
            if (u1[rr, cc] >= u1[r, c] - tol and u2[rr, cc] >= u2[r, c] - tol
                    and (u1[rr, cc] > u1[r, c] + tol or u2[rr, cc] > u2[r, c] + tol)):
                pareto[r, c] = False
    return ne, strict, br1, br2, pareto


def test_finite_game_helpers_match_brute_force_on_random_games_with_ties():
    """300 random 3 x 4 games with payoffs in {0, 1, 2} (ties everywhere), batched, against
    plain loops; and the tolerance: a gain of 1e-13 is a tie at tol = 1e-12, a gain at tol 0."""
    rng = np.random.default_rng(3)
    u1 = rng.integers(0, 3, size=(300, 3, 4)).astype(float)
    u2 = rng.integers(0, 3, size=(300, 3, 4)).astype(float)
    eq = pure_equilibria(u1, u2, TOL)
    br1, br2 = best_responses(u1, u2, TOL)
    pareto = pareto_efficient(u1, u2, TOL)
    for i in range(300):
        ne, strict, r1, r2, par = _reference(u1[i], u2[i], TOL)
        np.testing.assert_array_equal(eq["ne"][i], ne)
        np.testing.assert_array_equal(eq["strict"][i], strict)
        np.testing.assert_array_equal(eq["weak"][i], ne & ~strict)
        np.testing.assert_array_equal(br1[i], r1)
        np.testing.assert_array_equal(br2[i], r2)
        np.testing.assert_array_equal(pareto[i], par)
    assert eq["weak"].any() and eq["strict"].any() and not eq["ne"].all(axis=(1, 2)).any()
    # tolerance: player 1 gains 1e-13 by leaving (0, 0)
    v1 = np.array([[1.0, 0.0], [1.0 + 1e-13, 0.0]])
    v2 = np.array([[2.0, 1.0], [0.0, 3.0]])
    assert pure_equilibria(v1, v2, 1e-12)["weak"][0, 0]
    assert not pure_equilibria(v1, v2, 0.0)["ne"][0, 0]
    d1, d2 = deviation_gains(v1, v2)
    np.testing.assert_allclose(d1[:, 0], [1e-13, -1e-13], atol=1e-16)
    np.testing.assert_array_equal(d2[0], [-1.0, 1.0])


def test_prisoners_dilemma_and_matching_pennies():
    """Prisoner's dilemma (C = 0, D = 1): (D, D) the unique, strict NE, the only inefficient
    profile, NE sum 2 of the optimum 6. Matching pennies: no pure NE, no ratio."""
    u1 = np.array([[3.0, 0.0], [5.0, 1.0]])
    u2 = u1.T.copy()
    eq = pure_equilibria(u1, u2)
    np.testing.assert_array_equal(eq["ne"], [[False, False], [False, True]])
    np.testing.assert_array_equal(eq["strict"], eq["ne"])
    np.testing.assert_array_equal(pareto_efficient(u1, u2), [[True, True], [True, False]])
    best, worst = efficiency_ratios(u1, u2, eq["ne"])
    assert best == pytest.approx(2 / 6, abs=1e-15) and worst == pytest.approx(2 / 6, abs=1e-15)
    p1 = np.array([[1.0, -1.0], [-1.0, 1.0]])
    eq = pure_equilibria(p1, -p1)
    assert not eq["ne"].any()
    assert all(np.isnan(x) for x in efficiency_ratios(p1, -p1, eq["ne"]))


# ----------------------------------------------------------------------------- Gamma_1

#: Notes 001 §3, "Example payoff matrices at P = 1": (R_1, R_2) per profile, and the NE.
MATRICES = {
    (0.5, 0.3): ([(0.3618, 0.3086), (0.3922, 0.3618), (0.3086, 0.3846), (0.3185, 0.3641)],
                 {"fw_bw"}),
    (0.3, 0.5): ([(0.3086, 0.3618), (0.3846, 0.3086), (0.3618, 0.3922), (0.3641, 0.3185)],
                 {"bw_fw"}),
    (0.9, 0.1): ([(0.3101, 0.0684), (0.3137, 0.3101), (0.0684, 0.2511), (0.1767, 0.3559)],
                 {"fw_bw"}),
}


@pytest.mark.parametrize("gains", list(MATRICES))
def test_payoff_matrices_of_the_notes_at_p1(gains):
    """Rows = BS1, to 1e-4 (the notes print 4 decimals); the NE set; clipping changes nothing
    here (every rate is positive)."""
    table, ne = MATRICES[gains]
    m = ne_map(1.0, 1.0, *gains)
    got = [(m["u1"][divmod(k, 2)], m["u2"][divmod(k, 2)]) for k in range(4)]
    np.testing.assert_allclose(got, table, atol=1e-4)
    assert {PROFILES[k] for k in range(4) if m["ne"][divmod(k, 2)]} == ne
    assert m["strict"].sum() == 1 and not m["weak"].any()
    c1, c2 = payoff_arrays(1.0, 1.0, *gains, clip=True)
    np.testing.assert_array_equal(c1, m["u1"])
    np.testing.assert_array_equal(c2, m["u2"])


def test_proposition1_on_a_grid(maps):
    """P in {0.51, 1, 10, 100}, unclipped, 101 x 101 grid: on the diagonal exactly (FW, FW),
    (FW, BW), (BW, FW), all three weak (the deviations of the diagonal tie, §2.6); below it
    (alpha_1 > alpha_2) only (FW, BW), above only (BW, FW), strict. The origin (no
    interference: every profile pays C(P) to both) is the one exception: all four profiles are
    weak NE there, (BW, BW) included ((24) excludes (0, 0))."""
    a1, a2 = maps["a1"], maps["a2"]
    pred = prop1_prediction(a1, a2)
    origin = (a1 == 0) & (a2 == 0)
    diag = (a1 == a2) & ~origin
    for P in PROP1_P:
        m = maps[P]
        violations = np.any(m["ne"] != pred, axis=(-2, -1))
        assert violations.sum() == 1 and violations[origin].all(), P
        assert m["weak"][origin].all()
        assert np.all(m["ne"].sum(axis=(-2, -1))[diag] == 3)
        assert np.all(m["weak"][diag][:, [0, 0, 1], [0, 1, 0]])
        below, above = a1 > a2, a1 < a2
        assert np.all(m["strict"][below][:, FW, BW]) and np.all(m["ne"][below].sum((-2, -1)) == 1)
        assert np.all(m["strict"][above][:, BW, FW]) and np.all(m["ne"][above].sum((-2, -1)) == 1)


#: Notes §3: share of the 101^2 grid where (BW, BW) is an NE (percent, 1 decimal) and the
#: widest |alpha_1 - alpha_2| of those cells (2 decimals).
BWBW_SHARE = {0.1: (57.6, 0.59), 1 / 3: (10.6, 0.19), 0.4: (2.9, 0.10), 0.45: (0.6, 0.05)}


def test_at_least_one_ne_everywhere_and_the_bwbw_region(maps):
    """Proposition 1's existence claim (notes §6 item 17) on every cell for P in {0.1, 1/3,
    0.4, 0.45, 1, 10, 100}; the (BW, BW) region's share and width of notes §3 (to half a unit
    of their last digit); and the closed form (22), generalised to P_1, P_2, against the
    engine's (BW, BW) NE on all 9 x 101^2 cells: no disagreement. At P = 1/2 (the boundary
    of (24)) (BW, BW) is an NE only at (0, 0) and (1, 1), as the notes say."""
    a1, a2 = maps["a1"], maps["a2"]
    for P in ANY_NE_P:
        assert np.all(maps[P]["ne"].any(axis=(-2, -1))), P
    for P, (share, band) in BWBW_SHARE.items():
        bb = maps[P]["ne"][..., BW, BW]
        assert abs(100 * bb.mean() - share) <= 0.05, P
        assert abs(np.abs(a1 - a2)[bb].max() - band) <= 0.005 + 1e-12, P
    for P in MAP_P:
        holds, _ = bwbw_condition(P, P, a1, a2)
        np.testing.assert_array_equal(holds, maps[P]["ne"][..., BW, BW])
    bb = maps[1.0]["ne"][..., BW, BW]
    assert bb.sum() == 1 and bb[0, 0]          # P = 1: only the origin
    bb = maps[0.5]["ne"][..., BW, BW]
    assert bb.sum() == 2 and bb[0, 0] and bb[-1, -1]    # P = 1/2: (0, 0) and (1, 1), ties


def test_bwbw_threshold_on_the_diagonal():
    """alpha_1 = alpha_2 = alpha in (0, 1] (20 values), P = 1 / (3 - alpha^2) (1 -+ 1e-3):
    (BW, BW) is an NE below the threshold and not above (the deviation gains are >= 3e-7 in
    size, far above tol); the closed-form leakage SNR (eq. 21) against the engine's I(Y_1;
    Y_2) on a grid, to 1e-12; the threshold's algebra: (22) on the diagonal flips at it."""
    alpha = np.linspace(0.05, 1.0, 20)
    thr = bwbw_threshold(alpha)
    below = ne_map(thr * (1 - 1e-3), thr * (1 - 1e-3), alpha, alpha)
    above = ne_map(thr * (1 + 1e-3), thr * (1 + 1e-3), alpha, alpha)
    assert below["ne"][:, BW, BW].all() and not above["ne"][:, BW, BW].any()
    assert np.abs(above["u1"][:, FW, BW] - above["u1"][:, BW, BW]).min() > 1e-7
    # eq. (21) against the engine: I(V_1b; Y_2, V_2f | V_1f) at lambda = 1 is I(Y_1; Y_2)
    p = np.array([0.1, 0.4, 1.0, 10.0, 100.0])[:, None, None]
    a1, a2 = np.meshgrid(np.linspace(0, 1, 21), np.linspace(0, 1, 21), indexing="ij")
    leak = key_model(p, p, a1, a2, 1.0, 1.0).mutual_information("u1", ["y2", "v2f"], "v1f")
    eq21 = p ** 2 * (a1 + a2) ** 2 / (1 + (1 + a2 ** 2) * p + (1 + a1 ** 2) * p
                                      + (1 - a1 * a2) ** 2 * p ** 2)
    np.testing.assert_allclose(leak, 0.5 * np.log2(1 + eq21), rtol=0, atol=1e-12)
    np.testing.assert_allclose(leakage_snr(p, p, a1, a2), eq21, rtol=1e-14)
    for f, expect in ((1 - 1e-9, True), (1 + 1e-9, False)):
        holds, _ = bwbw_condition(thr * f, thr * f, alpha, alpha)
        assert np.all(holds == expect)


def test_fwfw_is_an_ne_iff_the_leakage_gains_balance():
    """(FW, FW) is an NE iff alpha_2^2 beta_1 P_1 = alpha_1^2 beta_2 P_2 (§2.6): 200 random
    settings put on the balance (a weak NE: both deviations tie), then alpha_2 moved by a
    relative 1e-3 either way (not an NE)."""
    rng = np.random.default_rng(7)
    n = 200
    p1, p2 = 10 ** rng.uniform(-1, 2, n), 10 ** rng.uniform(-1, 2, n)
    b1, b2 = rng.uniform(0.1, 1, n), rng.uniform(0.1, 1, n)
    a1 = rng.uniform(0.05, 1, n)
    a2 = a1 * np.sqrt(b2 * p2 / (b1 * p1))
    big = a2 > 0.999                       # keep alpha_2 (and its +1e-3 move) within [0, 1]
    a1[big], a2[big] = a1[big] / a2[big] * 0.9, 0.9
    m = ne_map(p1, p2, a1, a2, b1, b2)
    assert m["weak"][:, FW, FW].all()
    for f in (1 - 1e-3, 1 + 1e-3):
        assert not ne_map(p1, p2, a1, a2 * f, b1, b2)["ne"][:, FW, FW].any()


#: Notes §3, Fig. 4: g(alpha_2) at P = 1 (4 decimals).
WEDGE = {0.1: 0.0415, 0.2: 0.0833, 0.4: 0.1697, 0.6: 0.2631, 0.8: 0.3693, 1.0: 0.5000}


def test_fig4_wedge(maps):
    """The wedge I(Y_1; Y_2) <= I(X_1; Y_2) at P = 1 holds iff alpha_1 <= g(alpha_2): the
    bisection against the notes' table (to 5e-5, half their last digit); the grid's "BS1 keeps
    BW against BW" cells are exactly alpha_1 <= g(alpha_2) (the bisection's premise, one
    crossing, holds on the grid; two cells lie on the boundary (within 1e-6) and tie: the
    origin and (1/2, 1), where Lambda = 2.25 / 4.5 = alpha_2^2 P / (1 + P) exactly); g(x) < x
    on (0, 1] (400 points), so a point of both wedges would need alpha_1 <= g(alpha_2) <
    alpha_2 <= g(alpha_1) < alpha_1: the wedges meet only at the origin, as the grid shows."""
    g = wedge_boundary(np.array(list(WEDGE)), 1.0)
    np.testing.assert_allclose(g, list(WEDGE.values()), rtol=0, atol=5e-5 + 1e-12)
    m, a1, a2 = maps[1.0], maps["a1"], maps["a2"]
    g_axis = wedge_boundary(AXIS, 1.0, iters=45)
    # cells on the boundary (within 1e-6: at alpha_2 = 0 the payoff gap is O(alpha_1^2), so
    # the bisection stops at g(0) ~ 2.5e-8, the square root of the round-off)
    on = np.abs(a1 - g_axis[None, :]) <= 1e-6
    assert on.sum() == 2 and on[0, 0] and on[50, 100]      # ties: the origin, g(1) = 1/2
    np.testing.assert_array_equal(m["br1"][..., BW, BW][~on], (a1 <= g_axis[None, :])[~on])
    np.testing.assert_array_equal(m["br2"][..., BW, BW][~on.T], (a2 <= g_axis[:, None])[~on.T])
    assert m["br1"][..., BW, BW][on].all()
    both = m["br1"][..., BW, BW] & m["br2"][..., BW, BW]
    assert both.sum() == 1 and both[0, 0]
    x = np.linspace(0.0025, 1.0, 400)
    assert np.all(wedge_boundary(x, 1.0, iters=40) < x)


def test_efficiency_at_the_fig3_point():
    """P = 100, alpha = 0.2, unclipped: NE {(FW, FW), (FW, BW), (BW, FW)} with sums 2.070,
    3.203, 3.203; optimum 4.166 at (BW, BW), which is the AN region's max sum too; ratios
    0.769 / 0.497 (notes §3, to 5e-4). (BW, BW) is Pareto efficient and (FW, FW) is not."""
    m = ne_map(100.0, 100.0, 0.2, 0.2)
    total = m["u1"] + m["u2"]
    assert {PROFILES[k] for k in range(4) if m["ne"][divmod(k, 2)]} == {"fw_fw", "fw_bw",
                                                                       "bw_fw"}
    np.testing.assert_allclose(total.reshape(-1), [2.070, 3.203, 3.203, 4.166], atol=5e-4)
    best, worst = efficiency_ratios(m["u1"], m["u2"], m["ne"])
    assert abs(best - 0.769) <= 5e-4 and abs(worst - 0.497) <= 5e-4
    par = pareto_efficient(m["u1"], m["u2"])
    assert par[BW, BW] and not par[FW, FW]
    out = GameStudy(p1=100.0, alpha1=0.2, alpha2=0.2, lam_grid=51).evaluate()
    assert out["opt_profile"] == 3 and out["region_max_sum"] == pytest.approx(total[1, 1],
                                                                               abs=1e-12)
    assert out["poa_region_best"] == pytest.approx(best, abs=1e-12)
    assert abs(out["poa_best"] - 0.769) <= 5e-4 and abs(out["poa_worst"] - 0.497) <= 5e-4
    assert out["region_pareto_bw_bw"] == 1 and out["region_pareto_fw_fw"] == 0


def test_clipped_payoffs_give_weak_equilibria():
    """P = 100, (alpha_1, alpha_2) = (0.5, 0.3) (notes §6 item 5): unclipped, one strict NE
    (FW, BW); clipped, both forward keys of (FW, FW) are 0 and so are R_2 of (FW, BW) and R_1
    of (BW, FW): three weak NE (FW, FW), (FW, BW), (BW, FW), none strict."""
    raw = ne_map(100.0, 100.0, 0.5, 0.3)
    assert raw["ne"].sum() == 1 and raw["strict"][FW, BW]
    clip = ne_map(100.0, 100.0, 0.5, 0.3, clip=True)
    assert clip["ne"].sum() == 3 and clip["weak"].sum() == 3 and not clip["strict"].any()
    assert not clip["ne"][BW, BW]
    assert clip["u1"][FW, FW] == 0 and clip["u2"][FW, FW] == 0
    assert raw["u1"][FW, FW] < -0.1 and raw["u2"][FW, FW] < -0.1


# ----------------------------------------------------------------------------- Gamma_2

@pytest.mark.parametrize("n_lam, n_gain", [
    (31, 6),                                                    # ~2 s, every run
    pytest.param(201, 11, marks=pytest.mark.slow),              # notes §2.7's grid, ~2 min
])
def test_gamma2_best_responses_are_pure_and_its_ne_are_gamma1s(n_lam, n_gain):
    """Notes §2.7's setting, P in {0.3, 1, 10, 100}: n_gain x n_gain gains and an n_lam-point
    lambda grid (the notes' 201 points and 11 x 11 gains in the slow run). No interior lambda beats both ends anywhere; the
    corners of the grid game are Gamma_1's clipped payoffs and its corner NE are exactly
    Gamma_1's clipped NE in every cell (Proposition 2), and so are the strict ones, with no
    strict NE inside. Weak grid NE with an interior lambda exist, but only where Gamma_1 has
    weak NE; they come from ties: apart from the origin (no interference, every split pays
    C(P)), every interior best response ties at utility 0 (no key either way)."""
    lam = np.linspace(0.0, 1.0, n_lam)
    a1, a2 = np.meshgrid(np.linspace(0, 1, n_gain), np.linspace(0, 1, n_gain), indexing="ij")
    origin = (a1 == 0) & (a2 == 0)
    for P in (0.3, 1.0, 10.0, 100.0):
        r1, r2 = gamma2_utilities(P, P, a1[..., None, None], a2[..., None, None], lam)
        g = gamma2_best_responses(r1, r2, TOL)
        c1, c2 = payoff_arrays(P, P, a1, a2, clip=True)
        np.testing.assert_allclose(r1[..., [0, -1], :][..., [0, -1]], c1, atol=1e-12)
        np.testing.assert_allclose(r2[..., [0, -1], :][..., [0, -1]], c2, atol=1e-12)
        assert not g["interior1"].any() and not g["interior2"].any(), P
        clipped = pure_equilibria(c1, c2, TOL)
        np.testing.assert_array_equal(g["corner_ne"], clipped["ne"])
        np.testing.assert_array_equal(g["corner_strict"], clipped["strict"])
        assert not g["interior_strict"].any(), P
        extra = g["interior_ne"] > 0
        assert np.all(clipped["weak"].any(axis=(-2, -1))[extra]), P
        off = ~origin[..., None]
        assert np.all(r1.max(axis=-2)[g["interior_tie1"] & off] <= TOL), P
        assert np.all(r2.max(axis=-1)[g["interior_tie2"] & off] <= TOL), P
        assert g["interior_tie1"][origin].all()


# ----------------------------------------------------------------------------- the study

def test_game_study_at_a_point_and_its_consistency():
    """The study at P = 1, (0.9, 0.1) against the table above and its own quantities."""
    out = GameStudy(p1=1.0, alpha1=0.9, alpha2=0.1, lam_grid=51).evaluate()
    assert set(out) == set(GAME_QUANTITIES)
    table, _ = MATRICES[(0.9, 0.1)]
    for k, prof in enumerate(PROFILES):
        assert out[f"r1_{prof}"] == pytest.approx(table[k][0], abs=1e-4)
        assert out[f"r2_{prof}"] == pytest.approx(table[k][1], abs=1e-4)
    assert [out[f"is_ne_{p}"] for p in PROFILES] == [0, 1, 0, 0]
    assert out["n_ne"] == 1 == out["n_strict"] and out["n_weak"] == 0
    assert out["br1_vs_fw"] == 0 and out["br1_vs_bw"] == 0     # 0.3101 > 0.0684, 0.3137 > 0.1767
    assert out["br2_vs_fw"] == 1 and out["br2_vs_bw"] == 1     # 0.3101 > 0.0684, 0.3559 > 0.2511
    assert out["prop1_ne_count"] == 1 and out["prop1_holds"] == 1
    assert out["bwbw_ne"] == 0 == out["bwbw_closed_form"] and out["bwbw_threshold"] is None
    assert out["gamma2_interior"] == 0 and out["gamma2_matches_gamma1"] == 1
    assert out["gamma2_strict_matches"] == 1 and out["gamma2_ne_count"] == 1
    assert out["opt_profile"] == 1 and out["poa_best"] == 1.0 == out["poa_worst"]
    # below the threshold: (FW, FW) (weak; unclipped payoffs -0.012 each) and (BW, BW)
    # (strict); the sums count key rates, so (FW, FW) achieves 0
    sym = GameStudy(p1=0.4, alpha1=0.9, alpha2=0.9, lam_grid=21).evaluate()
    assert sym["bwbw_ne"] == 1 and sym["bwbw_threshold"] == pytest.approx(1 / (3 - 0.81))
    assert sym["bwbw_threshold_holds"] == 1 and sym["prop1_holds"] is None
    assert sym["is_ne_fw_fw"] == 1 and sym["strict_bw_bw"] == 1 and sym["n_ne"] == 2
    assert -0.013 < sym["r1_fw_fw"] < -0.011
    assert sym["ne_sum_worst"] == 0.0 and sym["poa_worst"] == 0.0 and sym["poa_best"] == 1.0
    origin = GameStudy(p1=1.0, alpha1=0.0, alpha2=0.0, lam_grid=21).evaluate()
    assert origin["n_ne"] == 4 == origin["n_weak"] and origin["prop1_holds"] == 0
    assert origin["bwbw_threshold"] is None


@pytest.mark.parametrize("params, start", [
    ({"alpha1": 1.5}, "alpha1: "),
    ({"p1": -1.0}, "p1: "),
    ({"lam_grid": 5000}, "lam_grid: "),
    ({"lam_grid": 1}, "lam_grid: "),
    ({"tol": -1.0}, "tol: "),
    ({"gamma": 1.0}, "gamma: "),
])
def test_game_study_errors_are_one_line(params, start):
    with pytest.raises(ValueError) as info:
        GameStudy(**params)
    message = str(info.value)
    assert message.startswith(start) and "\n" not in message
