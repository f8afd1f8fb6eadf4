"""The leakage estimators (linksim.security.leakage) on channels whose leakage is known exactly:
a bit over a BSC, BPSK over AWGN (the BI-AWGN capacity), and random binning that hides the
message completely."""

from __future__ import annotations

import math

import numpy as np
import pytest

from linksim.security.leakage import (awgn_log_likelihoods, distinguishing_advantage,
                                      eavesdropper_errors, llr_leakage,
                                      mixture_mutual_information, variational_distance)
from linksim.theory import fbl


def _h2(p):
    return -p * math.log2(p) - (1 - p) * math.log2(1 - p)


def _bsc_samples(rng, n, p):
    """One uniform bit W through a BSC(p): codeword = W; log-likelihoods exact."""
    w = rng.integers(0, 2, n)
    y = w ^ (rng.random(n) < p)
    ll = np.where(y[:, None] == np.arange(2)[None, :], math.log(1 - p), math.log(p))
    return ll, np.arange(2), w


def test_mixture_mi_distance_and_advantage_on_a_bsc():
    rng = np.random.default_rng(0)
    p = 0.11
    ll, msg, sent = _bsc_samples(rng, 20000, p)
    mi = mixture_mutual_information(ll, msg, sent, confidence=0.999)
    assert mi["ci"][0] <= 1 - _h2(p) <= mi["ci"][1]
    d = variational_distance(ll, msg, sent, confidence=0.999)
    # P_Y uniform, P_{Y|w} = (1 - p, p): E_W d(P_{Y|W}, P_Y) = |1 - 2p| (L1)
    assert d["ci"][0] <= abs(1 - 2 * p) <= d["ci"][1]
    adv = distinguishing_advantage(ll, msg, sent, 0, 1, confidence=0.999)
    assert adv["ci"][0] <= abs(1 - 2 * p) <= adv["ci"][1]
    # Pinsker: d^2 log2(e) / 2 <= I (notes 000 §5.3 item 3), on the estimates
    assert d["value"] ** 2 * math.log2(math.e) / 2 <= mi["value"]


def test_mixture_mi_of_bpsk_over_awgn_is_the_biawgn_capacity():
    rng = np.random.default_rng(1)
    sigma2, n = 0.5, 40000
    w = rng.integers(0, 2, n)
    codebook = np.array([[1.0], [-1.0]])
    y = codebook[w] + rng.normal(0, math.sqrt(sigma2), (n, 1))
    ll = awgn_log_likelihoods(y, codebook, sigma2)
    mi = mixture_mutual_information(ll, np.arange(2), w, confidence=0.999)
    want = float(fbl.capacity(1 / sigma2, "biawgn"))     # SNR per real use 1 / sigma^2
    assert mi["ci"][0] <= want <= mi["ci"][1] and mi["ci"][1] - mi["ci"][0] < 0.03
    # the exact LLR estimate is the same quantity; scaled (mismatched) LLRs lose information
    llr = 2 * y / sigma2
    exact = llr_leakage(llr, w[:, None].astype(np.uint8), confidence=0.999)
    assert exact["kind"] == "lower_bound"
    assert exact["ci"][0] <= want <= exact["ci"][1]
    mismatched = llr_leakage(3 * llr, w[:, None].astype(np.uint8))
    assert mismatched["value"] < want - 0.05


def test_random_binning_that_covers_the_observation_leaks_nothing():
    # W one bit, dummy D one bit, the codeword symbol BPSK(W xor D): Y is independent of W
    rng = np.random.default_rng(2)
    n = 5000
    w, dummy = rng.integers(0, 2, n), rng.integers(0, 2, n)
    codeword = 2 * w + dummy                     # codeword index (w, d)
    symbols = np.array([[1.0], [-1.0], [-1.0], [1.0]])   # BPSK of w xor d
    y = symbols[codeword] + rng.normal(0, 0.5, (n, 1))
    ll = awgn_log_likelihoods(y, symbols, 0.25)
    msg = np.array([0, 0, 1, 1])
    mi = mixture_mutual_information(ll, msg, codeword)
    assert abs(mi["value"]) < 1e-12 and mi["ci"][1] - mi["ci"][0] < 1e-12
    assert variational_distance(ll, msg, codeword)["value"] < 1e-12
    # without the dummy bit the same channel carries W xor D in the clear: C_biawgn(4)
    leaky = mixture_mutual_information(ll[:, [0, 1]], np.arange(2), (w ^ dummy), 0.999)
    assert leaky["ci"][0] <= float(fbl.capacity(4.0, "biawgn")) <= leaky["ci"][1]


def test_eavesdropper_errors_and_their_intervals():
    rng = np.random.default_rng(3)
    sent = rng.integers(0, 2, (400, 32), dtype=np.uint8)
    flips = (rng.random((400, 32)) < 0.5).astype(np.uint8)
    got = eavesdropper_errors(sent ^ flips, sent)
    assert got["ber"]["ci"][0] <= 0.5 <= got["ber"]["ci"][1]
    assert got["bler"]["value"] > 0.99
    perfect = eavesdropper_errors(sent, sent)
    assert perfect["ber"]["value"] == 0 and perfect["bler"]["value"] == 0


@pytest.mark.parametrize("args, message", [
    ((np.zeros((1, 2)), np.arange(2), np.zeros(1, int)), "log_lik: got shape"),
    ((np.zeros((3, 2)), np.arange(3), np.zeros(3, int)), "message_of: got shape"),
    ((np.zeros((3, 2)), np.arange(2), np.full(3, 5)), "sent: got shape"),
    ((np.zeros((3, 3)), np.array([0, 0, 1]), np.zeros(3, int)), "bins of different sizes"),
])
def test_bad_inputs_are_one_line_errors(args, message):
    with pytest.raises(ValueError, match=message):
        mixture_mutual_information(*args)
