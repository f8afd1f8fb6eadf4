"""The bit-true OFDM link of seed 004 (linksim.systems.ofdm_bc.link): rates from the margins,
randomized coding, SIC, the genie curious users, reproducibility and the derived values."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from linksim.systems import build_system, get_system
from linksim.systems.ofdm_bc import link as ofdm_link
from linksim.theory import fbl

#: A small point: 4 realizations, short packets.
SMALL = dict(n_pool=4, n_sym=16, scheme="ce")


def _link(**over):
    return build_system("ofdm_bc", {**SMALL, **over})


def test_messages_follow_the_rate_rules():
    link = _link()
    backoff = get_system("ofdm_bc").params["backoff"]
    n_sym = link.n_sym
    for real in link.pool:
        # C-E: at most one confidential layer per subcarrier
        assert np.all((real.p[1:] > 0).sum(axis=0) <= 1)
        users = [m.user for m in real.messages]
        assert len(users) == len(set(users))
        for m in real.messages:
            assert np.all(real.p[m.user, m.carriers] > 0)
            assert m.n_code == n_sym * m.carriers.size * (4 if m.user == 0 else 2)
            assert sorted(m.interleaver) == list(range(m.n_code))
            if m.user == 0:
                sinr = (real.am[:, m.carriers] * real.p[0, m.carriers]
                        / (1 + real.am[:, m.carriers] * real.p[1:, m.carriers].sum(axis=0)))
                cap = fbl.capacity(sinr, "16qam").sum(axis=1).min()
                assert m.k_info == math.floor(backoff * n_sym * cap)
                continue
            pk = real.p[m.user, m.carriers]
            legit = fbl.capacity(real.am[m.user - 1, m.carriers] * pk, "qpsk").sum()
            assert m.k_info == math.floor(backoff * n_sym * legit)
            # the dummy bits cover every curious user's capacity at its upper margin
            k_dummy = m.k_info - m.k_secret
            for j in range(link.k):
                if j != m.user - 1:
                    assert k_dummy >= n_sym * fbl.capacity(real.ap[j, m.carriers] * pk,
                                                           "qpsk").sum() - 1e-9
            assert m.k_secret >= 1 and m.mixing.shape == (m.k_secret, k_dummy)


def test_mixing_is_its_own_inverse_and_hides_the_secret():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 2, (5, 7), dtype=np.uint8)
    s = rng.integers(0, 2, (100, 5), dtype=np.uint8)
    d = rng.integers(0, 2, (100, 7), dtype=np.uint8)
    v = ofdm_link._mix(s, d, a)
    assert np.array_equal(ofdm_link._mix(v, d, a), s)
    # known v and d (infinite LLRs) give the secret bits with certainty
    llr_v = np.where(v == 0, 30.0, -30.0)
    llr_d = np.where(d == 0, 30.0, -30.0)
    got = ofdm_link._mix_llr(llr_v, llr_d, a)
    assert np.array_equal(got < 0, s == 1) and np.all(np.abs(got) > 10)
    # one unknown dummy bit in a row's support makes that secret bit unknown
    llr_d[:, 0] = 0.0
    got = ofdm_link._mix_llr(llr_v, llr_d, a)
    assert np.allclose(got[:, a[:, 0] == 1], 0.0)
    assert np.all(np.abs(got[:, a[:, 0] == 0]) > 10)


def test_mix_llr_is_the_exact_posterior_of_an_xor():
    # two independent bits with LLRs la, lb: P(a xor b = 0) = pa pb + (1 - pa)(1 - pb)
    la, lb = np.array([[1.3]]), np.array([[-0.4]])
    pa, pb = 1 / (1 + math.exp(-1.3)), 1 / (1 + math.exp(0.4))
    p0 = pa * pb + (1 - pa) * (1 - pb)
    got = ofdm_link._mix_llr(la, lb, np.ones((1, 1), np.uint8))
    assert got[0, 0] == pytest.approx(math.log(p0 / (1 - p0)), rel=1e-12)


def test_counts_are_reproducible_and_frames_carry_equal_units():
    link = _link()
    a = link.simulate_batch(np.random.default_rng(5), 6)
    b = _link().simulate_batch(np.random.default_rng(5), 6)
    assert a == b
    c = link.simulate_batch(np.random.default_rng(6), 3)
    # every frame is one packet per realization: blocks and bits per frame are constant
    for name in ("common_blocks", "conf_blocks", "eve_blocks", "eve_bits", "bits"):
        assert a[name] * 3 == c[name] * 6 and a[name] > 0
    assert a["eve_blocks"] == (link.k - 1) * a["conf_blocks"]
    assert a["common_blocks"] == link.k * 6 * sum(
        any(m.user == 0 for m in r.messages) for r in link.pool)


def test_without_dummy_bits_everything_decodes_and_the_curious_users_read_the_secret():
    # dummy_margin = -1 removes the dummy bits and backoff = 0.3 leaves a wide margin: every
    # legitimate codeword decodes, and the secret bits, sent in the clear (systematic), reach
    # the curious users too
    link = _link(dummy_margin=-1.0, backoff=0.3, gamma_db=15.0, n_pool=2, n_sym=32)
    assert all(m.k_secret == m.k_info for r in link.pool for m in r.messages if m.user)
    counts = link.simulate_batch(np.random.default_rng(2), 10)
    assert counts["common_blocks"] > 0 and counts["conf_blocks"] > 0
    assert counts["common_errors"] == 0 and counts["conf_errors"] == 0
    assert counts["bit_errors"] == 0 and counts["frame_errors"] == 0
    assert counts["eve_bit_errors"] / counts["eve_bits"] < 0.35


def test_with_dummy_bits_the_secret_bits_are_coin_flips_to_the_curious_users():
    link = _link(n_pool=4, n_sym=32)
    counts = link.simulate_batch(np.random.default_rng(1), 20)
    ber = counts["eve_bit_errors"] / counts["eve_bits"]
    from linksim.sim.stats import clustered_interval
    lo, hi = clustered_interval(counts["eve_bit_errors"], counts["eve_bits"],
                                counts["eve_bit_errors_sq"], counts["frames"], 0.999)
    # the secret bits of a frame are not independent trials: the interval is clustered in
    # frames; 0.5 inside its 99.9 % interval, and that interval narrower than +-0.05
    assert counts["eve_bits"] >= 5000 and hi - lo < 0.1
    assert lo <= 0.5 <= hi, (ber, lo, hi)
    # the legitimate receivers decode most messages at backoff 0.75 (measured ~3 % BLER)
    assert counts["conf_errors"] < 0.2 * counts["conf_blocks"]


def test_imperfect_csi_violations_are_counted_against_eps():
    link = _link(error_var=0.3, eps=0.2, n_pool=8)
    summary = ofdm_link.pool_summary(link.pool, n_sym=link.n_sym, n_sc=link.n_sc)
    # 8 x 3 x 16 = 384 (realization, user, subcarrier) gains; each margin is violated with
    # probability eps = 0.2 given the estimate (eq. 7): binomial sd 0.02, 4 sd
    assert abs(summary["violations_low"] - 0.2) < 0.09
    assert abs(summary["violations_high"] - 0.2) < 0.09
    perfect = ofdm_link.pool_summary(_link().pool, n_sym=16, n_sc=16)
    assert perfect["violations_low"] == 0 and perfect["violations_high"] == 0


def test_derived_gives_predictions_and_the_leakage_interval():
    from linksim.systems.ofdm_bc.measures import derived
    params = {**SMALL, "n_pool": 2}
    counts = build_system("ofdm_bc", params).simulate_batch(np.random.default_rng(3), 8)
    got = derived(params, counts)
    values = got["values"]
    from linksim.systems import prediction_function
    for name in ("na_common_bler", "na_conf_bler"):
        pred = prediction_function("ofdm_bc", name)(params)
        assert pred == {"value": values[name], "kind": "lower_bound"}
    lo, mid, hi = (values[f"eve_leakage_per_secret_bit{s}"] for s in ("_lo", "", "_hi"))
    assert lo <= mid <= hi and mid <= 1
    assert 0 <= values["na_conf_bler"] <= 1 and values["sent_conf"] > 0


@pytest.mark.parametrize("bad, message", [
    (dict(scheme="ob"), "scheme: got 'ob'"),
    (dict(n_taps=17), "n_taps: got 17"),
    (dict(cp_len=20), "cp_len: got 20"),
])
def test_bad_link_parameters_are_one_line_errors(bad, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        get_system("ofdm_bc").build({**SMALL, **bad})


def test_the_link_matches_a_per_subcarrier_reference_when_the_cp_covers_the_channel():
    # OFDM + multipath + one-tap equalization must give each subcarrier y = h x + w: replace
    # the channel by the per-subcarrier model and the decoded counts agree in distribution;
    # here the exact check is on the received grid itself
    link = _link(n_pool=1)
    real = link.pool[0]
    rng = np.random.default_rng(0)
    grid = rng.normal(size=(2, link.n_sym, link.n_sc)) + 0j
    from linksim.channel.multipath import multipath
    from linksim.ofdm import ofdm_demodulate, ofdm_modulate
    x = ofdm_modulate(grid, link.cp_len)
    y = multipath(np.repeat(x, link.k, axis=0),
                  np.tile(real.taps, (2, 1)), 0.0, rng)
    got = ofdm_demodulate(y, link.n_sc, link.cp_len).reshape(2, link.k, link.n_sym, link.n_sc)
    want = real.h[None, :, None, :] * grid[:, None]
    assert np.allclose(got, want, atol=1e-12)
    assert dataclasses.is_dataclass(real)
