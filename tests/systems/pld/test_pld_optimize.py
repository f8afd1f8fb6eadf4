"""Tests of the PLD resource allocation (003.md §4.4-4.10, §6 Figs. 2-4, Table III, §11 5-7)."""

import numpy as np
import pytest

from linksim.systems.pld.baselines import baseline_power
from linksim.systems.pld.p0 import (
    PLDOptimum, exhaustive, feasibility_mask, feasible_interval, mm_bcd, mm_surrogate,
    normalize_thresholds, theorem1_check)


def db(x):
    return 10.0 ** (x / 10.0)


Z_EVE = db(-10)  # Figs. 2-4: P_total = 10 mW, z_Eve = -10 dB, z_Bob = 0 dB, sigma^2 = 1 mW


# --- Theorem 1 (§11 item 5, Fig. 2) -----------------------------------------------------------
@pytest.mark.parametrize("d_k, p_m, r_d", [(30, 8.86, 0.99988), (60, 8.01, 0.99956)])
def test_theorem1_fig2(d_k, p_m, r_d):
    c = theorem1_check(d_k, 10.0, 1.0, Z_EVE, d_m=16)
    assert c.on_line and c.gap <= c.step
    # the square-grid optimum is never better than the refined line optimum
    assert c.r_d <= c.line.r_d + 1e-12
    # Fig. 2 values of the notes (§6), to their printed precision
    assert c.line.p_m == pytest.approx(p_m, abs=0.005)
    assert c.line.p_k == pytest.approx(10.0 - p_m, abs=0.005)
    assert c.line.r_d == pytest.approx(r_d, abs=5e-6)
    assert abs(c.p_m - c.line.p_m) <= c.step


# --- Feasible interval vs brute force (§11 item 7) ------------------------------------------
@pytest.mark.parametrize("p_total, z_eve, d_m", [(10.0, Z_EVE, 16), (10.0, Z_EVE, 24),
                                                  (2.0, db(-5), 16), (3.0, db(-3), 16)])
def test_feasible_interval_matches_mask(p_total, z_eve, d_m):
    p = np.linspace(0.0, p_total, 4001)
    any_feasible = False
    for d_k in range(0, 65, 3):
        mask = feasibility_mask(p, p_total - p, d_k, 1.0, z_eve, d_m=d_m, eps_lf_max=1.0)
        iv = feasible_interval(d_k, p_total, 1.0, z_eve, d_m=d_m)
        if iv is None:
            inside = np.zeros_like(mask)
            far = np.ones_like(mask)
        else:
            any_feasible = True
            inside = (p >= iv[0]) & (p <= iv[1])
            far = (np.abs(p - iv[0]) > 1e-9) & (np.abs(p - iv[1]) > 1e-9)
        assert np.array_equal(mask[far], inside[far]), d_k
    assert any_feasible


@pytest.mark.parametrize("th", [(0.1, 0.2, 0.1, 0.8), 0.3])
def test_feasible_interval_general_thresholds(th):
    """Extension (not in the paper): the numeric-inversion bounds agree with the mask too."""
    p = np.linspace(0.0, 10.0, 2001)
    hits = 0
    for d_k in range(1, 65, 7):
        mask = feasibility_mask(p, 10.0 - p, d_k, 1.0, Z_EVE, thresholds=th, eps_lf_max=1.0)
        iv = feasible_interval(d_k, 10.0, 1.0, Z_EVE, thresholds=th)
        if iv is None:
            assert not mask.any()
            continue
        hits += 1
        inside = (p >= iv[0]) & (p <= iv[1])
        far = (np.abs(p - iv[0]) > 1e-7) & (np.abs(p - iv[1]) > 1e-7)
        assert np.array_equal(mask[far], inside[far]), d_k
    assert hits > 0


def test_feasible_interval_fig3_range():
    """§6 Fig. 3: feasible P_M (any d_K) is about [3.18, 9.99] mW for d_M = 16."""
    ivs = [feasible_interval(d, 10.0, 1.0, Z_EVE, d_m=16) for d in range(1, 65)]
    ivs = [iv for iv in ivs if iv is not None]
    assert min(iv[0] for iv in ivs) == pytest.approx(3.18, abs=0.01)
    assert max(iv[1] for iv in ivs) == pytest.approx(9.99, abs=0.01)
    assert feasible_interval(0, 10.0, 1.0, Z_EVE) is None


# --- Exhaustive and MM-BCD at the Fig. 4 settings (§11 item 6) -----------------------------
@pytest.mark.parametrize("d_m, d_k, p_m, r_d", [(16, 34, 8.707, 0.999912), (24, 27, 9.021, 0.999222)])
def test_mm_bcd_reaches_exhaustive_fig4(d_m, d_k, p_m, r_d):
    ref = exhaustive(10.0, 1.0, Z_EVE, d_m=d_m)
    assert ref.feasible and ref.d_k == d_k
    assert ref.p_m == pytest.approx(p_m, abs=5e-4)
    assert ref.r_d == pytest.approx(r_d, abs=5e-7)
    assert ref.p_k == pytest.approx(10.0 - ref.p_m)
    starts = []
    for dk0, frac in ((8, 0.5), (34, 0.5), (60, 0.5)):
        lo, hi = feasible_interval(dk0, 10.0, 1.0, Z_EVE, d_m=d_m)
        starts.append((dk0, lo + frac * (hi - lo)))
    for start in starts:
        res = mm_bcd(10.0, 1.0, Z_EVE, d_m=d_m, start=start)
        assert res.feasible and res.d_k == d_k, start
        assert 0.0 <= ref.r_d - res.r_d <= 1e-5, (start, ref.r_d - res.r_d)
        assert 1 <= res.iterations <= 100 and res.path[0] == pytest.approx(start)


def test_mm_surrogate_majorizes_and_is_tight():
    anchor = (30.0, 8.0)
    d = np.linspace(25, 40, 7)[:, None]
    p = np.linspace(7.0, 9.5, 9)[None, :]
    s = mm_surrogate(d, p, anchor, 10.0, 1.0, Z_EVE)
    s_lit = mm_surrogate(d, p, anchor, 10.0, 1.0, Z_EVE, literal=True)
    from linksim.systems.pld.p0 import _errors
    e = _errors(p, 10.0 - p, 16, d, 1.0, Z_EVE, 1.0, 64)
    assert np.all(s >= 1 / e["r_d"] * (1 - 1e-12))
    assert np.all(s_lit >= 1 / e["r_d"] * (1 - 1e-12))
    ea = _errors(anchor[1], 10.0 - anchor[1], 16, anchor[0], 1.0, Z_EVE, 1.0, 64)
    assert mm_surrogate(*anchor, anchor, 10.0, 1.0, Z_EVE) == pytest.approx(1 / ea["r_d"],
                                                                            rel=1e-12)


# --- Table III: global optimum vs the paper's (sub-optimal) points ------------------------
@pytest.mark.parametrize("z_db, paper_r_d", [(-3, 0.7989), (-5, 0.8800), (-7, 0.8163)])
def test_table3_global_optimum(z_db, paper_r_d):
    res = exhaustive(2.0, 1.0, db(z_db), d_m=16)
    assert res.feasible
    assert res.r_d >= paper_r_d - 1e-4
    assert res.eps_lf <= 0.5


def test_infeasible_returns_flag():
    # z_Eve P_total / sigma^2 < 2^(16/64) - 1 = 0.1892: Eve cannot decode M (§4.4)
    res = exhaustive(1.0, 1.0, db(-10), grid=201)
    assert isinstance(res, PLDOptimum) and not res.feasible and res.r_d is None
    assert mm_bcd(1.0, 1.0, db(-10)).feasible is False


def test_baselines_unchanged():
    assert baseline_power(2.0, 1.0, db(-3)).eps_lf == pytest.approx(0.3708, abs=1e-4)


@pytest.mark.parametrize("call, name", [
    (lambda: exhaustive(-1.0, 1.0, 0.1), "p_total"),
    (lambda: exhaustive(10.0, 1.0, 0.1, thresholds=1.5), "thresholds"),
    (lambda: exhaustive(10.0, 1.0, 0.1, eps_lf_max=0.0), "eps_lf_max"),
    (lambda: exhaustive(10.0, 1.0, 0.1, grid=2), "grid"),
    (lambda: exhaustive(10.0, 1.0, 0.1, d_m=65), "d_m"),
    (lambda: feasible_interval(70, 10.0, 1.0, 0.1), "d_k"),
    (lambda: theorem1_check(30.5, 10.0, 1.0, 0.1), "d_k"),
    (lambda: mm_bcd(10.0, 1.0, 0.1, start=(34, 1.0)), "start"),
    (lambda: mm_bcd(10.0, 1.0, 0.1, start="x"), "start"),
    (lambda: mm_bcd(10.0, 1.0, 0.1, max_iter=0), "max_iter"),
    (lambda: normalize_thresholds((0.5, 0.5)), "thresholds"),
])
def test_bad_input(call, name):
    with pytest.raises(ValueError, match=name):
        call()
