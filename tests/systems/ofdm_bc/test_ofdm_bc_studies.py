"""The seed-004 rate study (linksim.systems.ofdm_bc.studies, system ``ofdm_bc_rates``): the
ordering OB >= M-GR-E >= GR-E on its draws with M-GR-E keeping GR-E's secrecy rates; its
quantities equal the allocation functions called directly on the same draws; common random
numbers across a Gamma sweep; the CSI margins violated at their level eps; one-line errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from linksim.systems import get_system
from linksim.systems.ofdm_bc.allocation import (gre_allocation, joint_rates, mgre_allocation,
                                                sca_allocation, uniform_allocation,
                                                weighted_sum)
from linksim.systems.ofdm_bc.analysis import ce_allocation, ce_rates
from linksim.systems.ofdm_bc.studies import (RATES_QUANTITIES, RatesStudy, draw_realizations,
                                             joint_rates_batch, uniform_batch)

pytest.importorskip("cvxpy")

#: A small point with every scheme: 3 draws of K = 3 users on 8 channels (~3 s).
SMALL = dict(k=3, n_sc=8, p_total=8.0, gamma_db=10.0, n_draws=3, seed=5)


@pytest.fixture(scope="module")
def small():
    study = RatesStudy(**SMALL)
    res = study.per_draw()
    return study, res, study.summarize(res)


def test_ordering_holds_and_mgre_keeps_gre_secrecy(small):
    study, res, out = small
    w, rates = study.weights, res["rates"]
    ob, mgre, gre = (rates[s] @ w for s in ("ob", "mgre", "gre"))
    assert np.all(ob >= mgre - 1e-6) and np.all(mgre >= gre - 1e-9)
    assert np.all(mgre > gre + 1e-3)        # re-optimizing R_0 gains here, the check can fail
    np.testing.assert_allclose(rates["mgre"][:, 1:], rates["gre"][:, 1:], atol=1e-12)
    assert out["ob_below_mgre"] == 0 and out["mgre_below_gre"] == 0
    assert out["mgre_secrecy_gap"] <= 1e-12
    assert out["ob"] >= out["mgre"] >= out["gre"] > out["uni_half"]
    assert out["ob_failed"] == 0 and out["gre_failed"] == 0
    assert out["ob_steps"] > 0 and out["gre_steps"] > 0
    assert set(out) == set(RATES_QUANTITIES)
    assert out["margin_low"] is None and out["l0_share"] == 0.0     # perfect CSI


def test_mgre_never_below_gre_where_the_common_gain_is_tiny():
    """At Gamma_1 = 30 dB GR-E's common powers are nearly optimal for (31), so the solver's
    answer alone fell ~1e-7 bit below GR-E on most draws; the fallback to GR-E's own common
    powers makes the theorem hold exactly."""
    study = RatesStudy(k=3, n_sc=16, gamma_db=10.0, gamma1_db=30.0, n_draws=4, seed=0,
                       schemes=["mgre", "gre"])
    res = study.per_draw()
    w = study.weights
    gain = res["rates"]["mgre"] @ w - res["rates"]["gre"] @ w
    assert np.all(gain >= 0) and gain.max() < 0.1       # tiny, yet never negative
    np.testing.assert_allclose(res["rates"]["mgre"][:, 1:], res["rates"]["gre"][:, 1:],
                               atol=1e-12)
    assert study.summarize(res)["mgre_below_gre"] == 0


def test_quantities_match_the_allocation_functions_on_the_same_draws(small):
    study, res, out = small
    d = draw_realizations(study.params)
    np.testing.assert_array_equal(d.am, res["draws"].am)
    w, total, n_sc = study.weights, SMALL["p_total"], SMALL["n_sc"]
    direct = {s: [] for s in ("gre", "mgre", "uni_half", "uni_all")}
    for i in range(SMALL["n_draws"]):
        a, b = d.am[i], d.ap[i]
        p_g, r_g = gre_allocation(a, b, w, total)
        direct["gre"].append(r_g)
        direct["mgre"].append(mgre_allocation(a, b, w, total)[1])
        for reading in ("half", "all"):
            direct[f"uni_{reading}"].append(
                joint_rates(uniform_allocation(a, b, total, reading), a, b))
    ce = ce_rates(ce_allocation(d.am, d.ap, w, total), d.am, d.ap)
    direct = {s: np.array(v) for s, v in direct.items()} | {"ce": ce}
    for s, r in direct.items():
        np.testing.assert_allclose(res["rates"][s], r, atol=1e-7, err_msg=s)
        per = r / n_sc
        assert out[s] == pytest.approx(per.sum(axis=1).mean(), abs=1e-7)
        assert out[f"{s}_r0"] == pytest.approx(per[:, 0].mean(), abs=1e-7)
        assert out[f"{s}_secrecy"] == pytest.approx(per[:, 1:].sum(axis=1).mean(), abs=1e-7)
        assert out[f"{s}_r1"] == pytest.approx(per[:, 1].mean(), abs=1e-7)
        assert out[f"{s}_r_other"] == pytest.approx(per[:, 2:].mean(), abs=1e-7)
        sums = per.sum(axis=1)
        t = 4.302652729911275                     # Student t_{0.975} with 2 degrees of freedom
        assert out[f"{s}_ci"] == pytest.approx(t * sums.std(ddof=1) / math.sqrt(3), rel=1e-6)
    diff = (direct["mgre"] - direct["gre"]).sum(axis=1) / n_sc
    assert out["mgre_minus_gre"] == pytest.approx(diff.mean(), abs=1e-7)
    # the OB on draw 0: the better of the two SCA starts, scored with eqs. (10), (12)
    p_m = mgre_allocation(d.am[0], d.ap[0], w, total)[0]
    best = max(sca_allocation(d.am[0], d.ap[0], w, total, p_init=init)[1]
               for init in (p_m, None))
    assert weighted_sum(res["rates"]["ob"][0], w) == pytest.approx(best, abs=1e-6)
    np.testing.assert_allclose(res["rates"]["ob"][0],
                               joint_rates(res["powers"]["ob"][0], d.am[0], d.ap[0]))


def test_batched_joint_rates_and_uni_equal_the_per_draw_functions():
    rng = np.random.default_rng(3)
    am = rng.exponential(10.0, (6, 4, 5))
    ap = am * rng.uniform(0.9, 1.4, am.shape)          # imperfect CSI: some channels in L_0
    p = rng.uniform(0, 2, (6, 5, 5))
    got = joint_rates_batch(p, am, ap)
    for i in range(6):
        np.testing.assert_allclose(got[i], joint_rates(p[i], am[i], ap[i]), atol=1e-12)
        for reading in ("half", "all"):
            np.testing.assert_array_equal(uniform_batch(am, ap, 5.0, reading)[i],
                                          uniform_allocation(am[i], ap[i], 5.0, reading))


def test_common_random_numbers_across_a_gamma_sweep():
    base = dict(k=3, n_sc=8, n_draws=6, seed=2, gamma1_db=None, error_var=0.01, eps=0.05)
    lo, hi = (draw_realizations({**base, "gamma_db": g}) for g in (0.0, 20.0))
    # the normalized channels are the same draws, scaled by sqrt(Gamma)
    np.testing.assert_allclose(lo.h / np.sqrt(lo.gains)[None, :, None],
                               hi.h / np.sqrt(hi.gains)[None, :, None], rtol=1e-12)
    np.testing.assert_allclose(lo.h_hat - lo.h, hi.h_hat - hi.h, atol=1e-12)   # same errors
    assert not np.allclose(lo.h, hi.h)
    # gamma1_db rescales user 1 only; a larger n_draws keeps the first draws
    one = draw_realizations({**base, "gamma_db": 0.0, "gamma1_db": 30.0})
    np.testing.assert_array_equal(one.h[:, 1:], lo.h[:, 1:])
    np.testing.assert_allclose(one.h[:, 0], lo.h[:, 0] * 10 ** 1.5, rtol=1e-12)
    more = draw_realizations({**base, "gamma_db": 0.0, "n_draws": 9})
    np.testing.assert_array_equal(more.h[:6], lo.h)
    exact = draw_realizations({**base, "gamma_db": 0.0, "error_var": 0.0})
    np.testing.assert_array_equal(exact.h, lo.h)                # sigma^2 changes only eta
    np.testing.assert_array_equal(exact.am, np.abs(exact.h) ** 2)


def test_margin_violations_at_their_level():
    """Each (user, channel) pair has its own independent (h, eta) (iid over users, channels and
    draws), and alpha^-, alpha^+ are exact posterior quantiles, so the lower-margin violations
    are Binomial(n K L, eps) and so are the upper ones; per draw, the 2 K L disjoint-per-pair
    events give P[any] = 1 - (1 - 2 eps)^(K L), Binomial over the draws. Tolerance: 5 binomial
    standard deviations (a false alarm below 1e-6)."""
    eps, n, k, n_sc = 0.01, 1000, 3, 16
    out = RatesStudy(k=k, n_sc=n_sc, n_draws=n, error_var=0.1, eps=eps, seed=11,
                     schemes=["uni_all"]).evaluate()
    pairs = n * k * n_sc
    sd = math.sqrt(eps * (1 - eps) / pairs)
    assert abs(out["margin_low"] - eps) < 5 * sd
    assert abs(out["margin_high"] - eps) < 5 * sd
    p_any = 1 - (1 - 2 * eps) ** (k * n_sc)
    assert out["margin_any_exact"] == pytest.approx(p_any)
    assert abs(out["margin_any"] - p_any) < 5 * math.sqrt(p_any * (1 - p_any) / n)
    # the paper's (1 - eps)^(KL) is optimistic: the measured share is well above its level
    assert out["margin_any"] > out["margin_any_paper"] + 0.1
    assert out["margin_any_union"] == pytest.approx(min(1.0, 2 * k * n_sc * eps))
    assert out["uni_all"] > 0 and out["ob"] is None and out["ce_minus_uni_half"] is None


@pytest.mark.parametrize("bad, name", [
    (dict(schemes="ob"), "schemes"), (dict(schemes=["ob", "xx"]), "schemes"),
    (dict(schemes=[]), "schemes"), (dict(schemes=["ce", "ce"]), "schemes"),
    (dict(eps=1.0), "eps"), (dict(eps=0.0), "eps"), (dict(k=1), "k"), (dict(k=13), "k"),
    (dict(n_draws=1), "n_draws"), (dict(error_var=-1e-3), "error_var"),
    (dict(gamma1_db="high"), "gamma1_db"), (dict(w0=0.0), "w0"), (dict(p_total=0), "p_total"),
])
def test_bad_inputs_give_one_line_errors_naming_the_parameter(bad, name):
    with pytest.raises((TypeError, ValueError)) as info:
        get_system("ofdm_bc_rates").build(bad)
    text = str(info.value)
    assert text.startswith(f"{name}: got") and "allowed:" in text and "\n" not in text


def test_the_work_limit_stops_a_days_long_point():
    from linksim.scenario.limits import _limit_error
    spec = get_system("ofdm_bc_rates")
    point = spec.complete({"k": 12, "n_draws": 5000})
    text = _limit_error("ofdm_bc_rates", point)
    assert text.startswith("n_draws: got 5000") and "n_draws * k^2 * n_sc / 16" in text
    assert "\n" not in text
    # C-E alone is batched: any n_draws the schema allows is fine
    assert _limit_error("ofdm_bc_rates", {**point, "schemes": ["ce", "uni_half"]}) is None
    assert _limit_error("ofdm_bc_rates", spec.complete({"n_draws": 200})) is None
