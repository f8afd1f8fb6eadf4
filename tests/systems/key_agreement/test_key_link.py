"""The bit-true key agreement (linksim.systems.key_agreement.link): counts, reproducibility,
the protocol's numbers against notes 001 §3.3, the exact leakage's behaviour in the key
length and against the leftover hash lemma, and one-line errors."""

import numpy as np
import pytest

from linksim.systems.key_agreement.link import SCALE, KeyLink, derived

SMALL = dict(n_sym=16, code="random", syndrome_rate=0.35, confirm_bits=2, exact_leakage=True)


def test_counts_are_consistent_and_reproducible():
    link = KeyLink(n_sym=256)
    a = link.simulate_batch(np.random.default_rng(3), 40)
    b = link.simulate_batch(np.random.default_rng(3), 40)
    assert a == b
    assert all(isinstance(v, int) and v >= 0 for v in a.values())
    assert a["agreed"] + a["failed"] == a["frames"] == 40
    assert a["mismatched"] <= a["agreed"]
    assert a["frame_errors"] == a["failed"] + a["mismatched"]


def test_protocol_numbers_at_the_fig3_point():
    """Notes 001 §3.3 at P = 100, alpha = 0.2, (BW, BW): with the sign quantizer H(Q | X_1) =
    0.2265 and the quantized-key rate H(Q | Y_2) - H(Q | X_1) = 0.7036 (4 decimals printed);
    the ideal rate is Corollary 1's 2.0831; the leaked bits are the code's n - k plus the
    hash; the achieved efficiency is (b - leak/n) / I(Q; X_1), near the target 0.9 (the code
    length rounds n - k up)."""
    params = dict(n_sym=1024, quant_bits=1)
    link = KeyLink(**params)
    v = derived(params, {"frames": 10, "agreed": 9, "mismatched": 0})["values"]
    assert abs(link.d["blocks"].h_q_x - 0.2265) < 1e-4
    assert abs(v["quantized_key_rate"] - 0.7036) < 1e-4
    assert abs(v["ideal_key_rate"] - 2.0831) < 1e-4
    assert v["leaked_bits"] == link.d["code"].n - link.d["code"].k + 32
    assert 0.895 < v["efficiency"] <= 0.9 + 1e-12
    assert abs(v["net_key_rate"] - 0.9 * link.d["key_length"] / 1024) < 1e-12
    assert v["net_key_rate_lo"] < v["net_key_rate"] < v["net_key_rate_hi"]
    # the protocol's key rate is the quantized-key rate less the inefficiency and the hash
    assert v["protocol_key_rate"] < v["quantized_key_rate"] < v["ideal_key_rate"]
    # the certified length: the lemma's bound at that length is within eps = 1e-6
    secure = v["secure_key_length"]
    assert secure == int(np.floor(v["key_limit"] - 2 * np.log2(1e6)))
    assert 0.5 * 2.0 ** ((secure - v["key_limit"]) / 2) <= 1e-6
    assert 0 < v["secure_key_rate"] < v["net_key_rate"]


def test_reconciliation_works_at_the_default_point():
    """beta = 0.9 on 2048 sign bits (rate-0.70 5G LDPC, SPA): most blocks agree, none
    mismatches after the 32-bit hash, and the eavesdropper (H(Q | Y_2) = 0.93 per bit, far
    above the 0.30 syndrome bits) never reconciles."""
    c = KeyLink(n_sym=2048).simulate_batch(np.random.default_rng(4), 60)
    assert c["agreed"] >= 50 and c["mismatched"] == 0 and c["eve_decoded"] == 0


def test_exact_leakage_grows_with_the_key_length_and_obeys_the_leftover_hash_lemma():
    """Blocks of 16 sign bits, 6 syndrome + 2 hash bits public: the eavesdropper's exact
    leakage (ell - H(K | E)) is small for a 1-bit key and large past the Shannon limit
    n H(Q | Y_2) - 8 = 6.9; the measured distance from uniform stays below the lemma's
    rigorous bound at every length (checked against the interval's lower end, so a true
    violation fails)."""
    got = {}
    for ell in (1, 4, 10):
        params = dict(SMALL, key_length=ell)
        c = KeyLink(**params).simulate_batch(np.random.default_rng(5), 300)
        got[ell] = derived(params, c)["values"]
        assert got[ell]["distance_lo"] <= got[ell]["distance_bound"]
    assert got[1]["leakage_hi"] < 0.06 < got[4]["leakage_lo"]
    assert got[4]["leakage_hi"] < got[10]["leakage_lo"] and got[10]["leakage"] > 2.0
    assert abs(got[10]["shannon_key_limit"] - (16 * 0.93005 - 8)) < 1e-3


def test_publishing_more_than_the_block_leaks_the_whole_key():
    """A 32-bit hash of a 16-bit block reveals it: the key is fully known to her."""
    params = dict(SMALL, confirm_bits=32, key_length=3)
    c = KeyLink(**params).simulate_batch(np.random.default_rng(6), 20)
    assert c["leak"] == 20 * 3 * SCALE


@pytest.mark.parametrize("params, message", [
    (dict(n_sym=64, exact_leakage=True, key_length=4), "n_sym: got 64"),
    (dict(SMALL), "key_length: got None"),
    (dict(SMALL, key_length=30), "key_length: got 30"),
    (dict(n_sym=16, key_length=17, code="random", syndrome_rate=0.3), "key_length: got 17"),
    (dict(n_sym=64), "key_length: got an automatic length of"),
    (dict(quant_bits=5), "quant_bits: got 5"),
])
def test_bad_parameters_are_one_line_errors(params, message):
    with pytest.raises(ValueError, match=message):
        KeyLink(**params)


def test_requiring_convergence_trades_kept_blocks_for_fewer_undetected_errors():
    """Same draws, a 2-bit hash on 16-bit blocks: requiring every decoder to converge keeps
    fewer blocks and lets fewer wrong ones through (it can only remove blocks), and the
    decoder's flag is what removes them (the counts differ on this seed)."""
    params = dict(SMALL, key_length=2, exact_leakage=False)
    loose = KeyLink(**params).simulate_batch(np.random.default_rng(8), 400)
    strict = KeyLink(agreement="hash_and_converged", **params).simulate_batch(
        np.random.default_rng(8), 400)
    assert strict["agreed"] < loose["agreed"]
    assert strict["mismatched"] < loose["mismatched"]
    assert strict["agreed"] - strict["mismatched"] <= loose["agreed"] - loose["mismatched"]
