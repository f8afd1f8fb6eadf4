"""Seed 001's key rates on the log-det engine (linksim.systems.key_agreement.rates) against
the closed forms of Corollaries 1-3 (eqs. 7-9), Fig. 3's corners, the cross-seed identity with
seed 000 and the Gaussian test channel of notes 001 §2.8 / §3.3."""

import numpy as np
import pytest

from linksim.systems.ic_secrecy.rates import secrecy_rates
from linksim.systems.key_agreement.rates import (key_rate_terms, key_rates, pure_rates,
                                                 time_sharing_rates)


def C(x):
    return 0.5 * np.log2(1 + x)


def eq7(s1, s2, p1, p2, a1, a2):
    """Corollary 1 (eq. 7), unclipped, as printed (notes 001 §2.3)."""
    bwbw = (a2 * p1 + a1 * p2) ** 2 / (1 + (1 + a2 ** 2) * p1 + (1 + a1 ** 2) * p2
                                       + (1 - a1 * a2) ** 2 * p1 * p2)
    legit1, legit2 = C(p1 / (1 + a1 ** 2 * p2)), C(p2 / (1 + a2 ** 2 * p1))
    table = {
        ("fw", "fw"): (legit1 - C(a2 ** 2 * p1), legit2 - C(a1 ** 2 * p2)),
        ("fw", "bw"): (legit1 - C(a2 ** 2 * p1 / (1 + p2)),
                       legit2 - C((a2 ** 2 * p1 + a1 ** 2 * p2 ** 2 + a1 ** 2 * a2 ** 2 * p1 * p2)
                                  / (1 + p2 + a1 ** 2 * p2))),
        ("bw", "fw"): (legit1 - C((a1 ** 2 * p2 + a2 ** 2 * p1 ** 2 + a1 ** 2 * a2 ** 2 * p1 * p2)
                                  / (1 + p1 + a2 ** 2 * p1)),
                       legit2 - C(a1 ** 2 * p2 / (1 + p1))),
        ("bw", "bw"): (legit1 - C(bwbw), legit2 - C(bwbw)),
    }
    return table[(s1, s2)]


def eq9(p1, p2, a1, a2, l1, l2, b1, b2):
    """Corollary 3 (eq. 9): (forward1, backward1, forward2, backward2), unclipped."""
    P1, P2 = b1 * p1, b2 * p2
    f1 = (C((1 - l1) * P1 / (1 + a1 ** 2 * P2 + l1 * P1))
          - C((1 - l1) * a2 ** 2 * P1 / (1 + a2 ** 2 * l1 * P1 + l2 * P2)))
    bk1 = (C(((1 - a1 * a2) ** 2 * l1 * l2 * P1 * P2 + a1 ** 2 * l2 * P2 + l1 * P1)
             / (1 + a2 ** 2 * l1 * P1 + l2 * P2)) - C(a1 ** 2 * P2))
    f2 = (C((1 - l2) * P2 / (1 + a2 ** 2 * P1 + l2 * P2))
          - C((1 - l2) * a1 ** 2 * P2 / (1 + a1 ** 2 * l2 * P2 + l1 * P1)))
    bk2 = (C(((1 - a1 * a2) ** 2 * l1 * l2 * P1 * P2 + a2 ** 2 * l1 * P1 + l2 * P2)
             / (1 + a1 ** 2 * l2 * P2 + l1 * P1)) - C(a2 ** 2 * P1))
    return f1, bk1, f2, bk2


def _draws(n=300, seed=3):
    rng = np.random.default_rng(seed)
    p1, p2 = 10 ** rng.uniform(-1, 3, (2, n))
    a1, a2 = rng.uniform(0, 1, (2, n))
    return p1, p2, a1, a2, rng


def test_pure_strategies_are_corollary_1():
    p1, p2, a1, a2, _ = _draws()
    for s1 in ("fw", "bw"):
        for s2 in ("fw", "bw"):
            got = pure_rates(s1, s2, p1, p2, a1, a2, clip=False)
            want = eq7(s1, s2, p1, p2, a1, a2)
            for g, w in zip(got, want):
                np.testing.assert_allclose(g, w, rtol=0, atol=1e-10)
            clipped = pure_rates(s1, s2, p1, p2, a1, a2)
            for g, w in zip(clipped, want):
                np.testing.assert_allclose(g, np.maximum(w, 0), rtol=0, atol=1e-10)


def test_an_split_is_corollary_3_and_its_extremes_are_the_pure_strategies():
    p1, p2, a1, a2, rng = _draws(seed=4)
    l1, l2, b1, b2 = rng.uniform(0, 1, (4, p1.size))
    t = key_rate_terms(p1, p2, a1, a2, l1, l2, b1, b2)
    want = eq9(p1, p2, a1, a2, l1, l2, b1, b2)
    for name, w in zip(("forward1", "backward1", "forward2", "backward2"), want):
        np.testing.assert_allclose(t[name], w, rtol=0, atol=1e-10)
    r1, r2 = key_rates(p1, p2, a1, a2, l1, l2, b1, b2)
    np.testing.assert_allclose(r1, np.maximum(want[0], 0) + np.maximum(want[1], 0), atol=1e-10)
    # lambda in {0, 1} at beta = 1 is a pure strategy pair (notes §2.5)
    for l1_, s1 in ((0.0, "fw"), (1.0, "bw")):
        for l2_, s2 in ((0.0, "fw"), (1.0, "bw")):
            got = key_rates(p1, p2, a1, a2, l1_, l2_)
            for g, w in zip(got, pure_rates(s1, s2, p1, p2, a1, a2)):
                np.testing.assert_allclose(g, w, rtol=0, atol=1e-10)


def test_without_public_channel_it_is_seed_000s_proposition_2():
    """Remark 2 / notes 000 §5.4 E1: the forward bracket of (9) with P_1 = P_2 is seed 000's
    corrected Proposition 2 with alpha = rho."""
    p, _, a1, a2, rng = _draws(seed=5)
    l1, l2, b1, b2 = rng.uniform(0, 1, (4, p.size))
    got = key_rates(p, p, a1, a2, l1, l2, b1, b2, public=False)
    want = secrecy_rates(p, a1, a2, l1, l2, b1, b2)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=0, atol=1e-12)


def test_time_sharing_is_corollary_2():
    p1, p2, a1, a2, rng = _draws(seed=6)
    tau, b1, b2 = rng.uniform(0, 1, (3, p1.size))
    got = time_sharing_rates(tau, p1, p2, a1, a2, b1, b2)
    P1, P2 = b1 * p1, b2 * p2
    fb, bf = eq7("fw", "bw", P1, P2, a1, a2), eq7("bw", "fw", P1, P2, a1, a2)
    # eq. (8) as printed: each slot's bracket clipped
    want1 = tau * np.maximum(fb[0], 0) + (1 - tau) * np.maximum(bf[0], 0)
    want2 = (1 - tau) * np.maximum(bf[1], 0) + tau * np.maximum(fb[1], 0)
    np.testing.assert_allclose(got[0], want1, rtol=0, atol=1e-10)
    np.testing.assert_allclose(got[1], want2, rtol=0, atol=1e-10)


def test_fig3_corners():
    """Notes 001 §3, Fig. 3 at P = 100, alpha = 0.2: the four pure strategies to 1e-3 (the
    notes print four decimals)."""
    want = {("fw", "fw"): (1.0352, 1.0352), ("fw", "bw"): (2.1681, 1.0352),
            ("bw", "fw"): (1.0352, 2.1681), ("bw", "bw"): (2.0831, 2.0831)}
    for (s1, s2), (w1, w2) in want.items():
        r1, r2 = pure_rates(s1, s2, 100.0, 100.0, 0.2, 0.2)
        assert abs(r1 - w1) < 1e-3 and abs(r2 - w2) < 1e-3
    # the symmetric case: R2(FW, BW) = R2(FW, FW) exactly (alpha2^2 P1 = alpha1^2 P2)
    assert abs(pure_rates("fw", "bw", 100, 100, .2, .2)[1]
               - pure_rates("fw", "fw", 100, 100, .2, .2)[1]) < 1e-12


def test_gaussian_test_channel_of_notes_3_3():
    """V_1b = Y_1 + Q, Q ~ N(0, D) at (BW, BW), P = 100, alpha = 0.2 (notes §2.8, §3.3): key
    rates and public rates for D = 10 ... 0.01, and D -> 0 recovers (9)'s backward bracket
    2.0831 with an infinite public rate."""
    d = np.array([10, 3, 1, 0.3, 0.1, 0.01])
    t = key_rate_terms(100.0, 100.0, 0.2, 0.2, 1.0, 1.0, quant_var=d, public_rates=True)
    np.testing.assert_allclose(t["backward1"], [1.367, 1.768, 1.960, 2.043, 2.070, 2.082],
                               atol=6e-4)
    np.testing.assert_allclose(t["public1"], [0.293, 0.708, 1.293, 2.072, 2.836, 4.484],
                               atol=6e-4)
    # closed forms: R_1b(D) = 1/2 log2((s_y|y2 + D) / (s_y|x + D)), r'(D) = C(s_y|x / D)
    s_x, s_y2 = 5.0, 89.762
    np.testing.assert_allclose(t["public1"], C(s_x / d), rtol=0, atol=1e-12)
    np.testing.assert_allclose(t["backward1"], 0.5 * np.log2((s_y2 + d) / (s_x + d)),
                               atol=1e-4)      # s_y|y2 printed to 3 decimals
    t0 = key_rate_terms(100.0, 100.0, 0.2, 0.2, 1.0, 1.0, public_rates=True)
    assert abs(t0["backward1"] - 2.0831) < 1e-4 and np.isinf(t0["public1"])


def test_every_argument_broadcasts():
    r1, r2 = key_rates(100.0, 100.0, np.linspace(0, 1, 5)[:, None], 0.2,
                       np.linspace(0, 1, 3)[None, :], 1.0)
    assert r1.shape == (5, 3) == r2.shape and np.all(r1 >= 0)
    with pytest.raises(ValueError, match="strategy1: got 'split'; allowed: one of fw, bw"):
        pure_rates("split", "fw", 1.0, 1.0, 0.2, 0.2)
