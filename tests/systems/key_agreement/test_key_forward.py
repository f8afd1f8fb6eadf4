"""The (FW, FW) key agreement (linksim.systems.key_agreement.forward and the shared protocol
of .link): the eavesdropper's per-symbol posteriors against the demapper, the rates against
independent quadrature and closed forms, decoding at the Fig. 3 point, the exact leakage, and
one-line errors."""

import math

import numpy as np
import pytest
from scipy.special import ndtr

from linksim.systems.key_agreement.backward import BackwardBlocks
from linksim.systems.key_agreement.forward import ForwardBlocks
from linksim.systems.key_agreement.link import SCALE, KeyLink, derived

FIG3 = ({1: 100.0, 2: 100.0}, {1: 0.2, 2: 0.2})
SMALL_FW = dict(strategy="fw_fw", modulation="16qam", n_sym=8, code="random", confirm_bits=2,
                exact_leakage=True)


def _pam_mi(levels, snr_amplitude, nodes=120):
    """I(A; A s + N(0, 1)) of equiprobable real ``levels`` scaled by ``snr_amplitude``, by
    Gauss-Hermite over the noise (independent of linksim.theory.fbl)."""
    x, w = np.polynomial.hermite_e.hermegauss(nodes)
    w = w / math.sqrt(2 * math.pi)
    v = np.asarray(levels) * snr_amplitude
    total = 0.0
    for a in v:
        y = a + x
        lik = np.exp(-(y[:, None] - v[None, :]) ** 2 / 2)
        total += np.dot(w, np.log2(lik.mean(axis=1)) - np.log2(np.exp(-x ** 2 / 2)))
    return -total / len(v)


@pytest.mark.parametrize("cls, alphabet", [(ForwardBlocks, "16qam"), (ForwardBlocks, "64qam"),
                                           (BackwardBlocks, 2)])
def test_eavesdropper_label_posteriors_marginalize_to_her_llrs(cls, alphabet):
    """The exact-leakage posteriors and the decoding LLRs are two views of one law: summing
    the label posteriors over each bit gives the LLRs (bit order and sign included)."""
    from linksim.fec.code import cached_code
    blocks = cls(*FIG3, 1, alphabet, 40)
    code = cached_code("ldpc5g", 12, blocks.n_bits)
    got = blocks.draw(np.random.default_rng(0), 3, code)
    lp = blocks.eve_label_log_probs(got["eve"])
    labels = np.arange(lp.shape[-1])
    llr = [np.logaddexp.reduce(lp[..., (labels >> i) & 1 == 0], -1)
           - np.logaddexp.reduce(lp[..., (labels >> i) & 1 == 1], -1)
           for i in range(int(math.log2(lp.shape[-1])))]
    llr = np.stack(llr, -1).reshape(lp.shape[0], -1)
    assert np.allclose(llr, blocks.eve_soft(got["eve"], code), atol=1e-9)


def test_rates_at_the_fig3_point_against_quadrature_and_closed_forms():
    """16-QAM = 4-PAM per real use. Bob: I at SINR P / (1 + alpha^2 P) = 20; Eve (genie): I
    at alpha^2 P = 4; both against an independent Gauss-Hermite integral (1e-6). Her
    guessing bits per use: log2(L P_c) with the ML symbol's P_c = 1 - 2 (1 - 1/L) Q(d / 2)
    (d the adjacent-level distance at unit noise). The ideal rate is Corollary 1's
    C(20) - C(4) = 1.0352 (notes 001 §3)."""
    blocks = ForwardBlocks(*FIG3, 1, "16qam", 2048)
    levels = np.array([-3, -1, 1, 3]) / math.sqrt(10)        # unit-energy 16-QAM axis
    assert abs(blocks.bob_mi - _pam_mi(levels, math.sqrt(2 * 20))) < 1e-6
    assert abs(blocks.eve_mi - _pam_mi(levels, math.sqrt(2 * 4))) < 1e-6
    d = 2 / math.sqrt(10) * math.sqrt(2 * 4)
    p_c = 1 - 2 * (1 - 1 / 4) * (1 - ndtr(d / 2))
    assert abs(blocks.eve_guessing_rate - math.log2(4 * p_c)) < 1e-12
    assert blocks.eve_mi < blocks.eve_guessing_rate < 2
    params = dict(strategy="fw_fw", n_sym=2048)
    v = derived(params, {"frames": 4, "agreed": 4})["values"]
    assert abs(v["ideal_key_rate"] - 1.0352) < 1e-4
    assert abs(v["modulated_key_rate"] - (blocks.bob_mi - blocks.eve_mi)) < 1e-12
    link = KeyLink(**params)
    k = link.d["code"].k
    assert k == math.floor(0.9 * 2048 * blocks.bob_mi)
    assert abs(v["efficiency"] - k / (2048 * blocks.bob_mi)) < 1e-12
    assert v["leaked_bits"] == 32                           # only the hash is public
    assert v["key_length"] == math.floor(k - 2048 * blocks.eve_mi - 32 - 2 * math.log2(1e6))
    assert v["protocol_key_rate"] < v["modulated_key_rate"] < v["ideal_key_rate"]


def test_forward_keys_agree_at_the_default_point_and_the_eavesdropper_never_decodes():
    """beta = 0.9 (code rate 0.84 on 16-QAM at SINR 13 dB): every block agrees, none
    mismatches; she (4-PAM capacity 1.10 bits per use, the code carries 1.68) never decodes.
    Without her attempt the other counts are the same (she draws nothing)."""
    link = KeyLink(strategy="fw_fw", n_sym=1024)
    c = link.simulate_batch(np.random.default_rng(4), 30)
    assert c["agreed"] == 30 and c["mismatched"] == 0
    assert c["eve_attempts"] == 30 and c["eve_decoded"] == 0
    quiet = KeyLink(strategy="fw_fw", n_sym=1024, eve_attempt=False).simulate_batch(
        np.random.default_rng(4), 30)
    assert quiet["eve_attempts"] == quiet["eve_decoded"] == 0
    assert {k: v for k, v in quiet.items() if not k.startswith("eve")} == \
        {k: v for k, v in c.items() if not k.startswith("eve")}


def test_forward_exact_leakage_grows_with_the_key_length():
    """Four 16-QAM symbols (16 coded bits, k = 15): she learns about n I_E = 8.8 bits of the
    codeword, so the leakage rises with ell (checked between interval ends, so it can fail);
    the measured distance obeys the leftover hash lemma's rigorous bound (its interval's
    lower end, so a true violation fails), whose min-entropy limit sits below the Shannon
    estimate's."""
    got = {}
    for ell in (1, 6):
        params = dict(SMALL_FW, key_length=ell)
        c = KeyLink(**params).simulate_batch(np.random.default_rng(5), 100)
        got[ell] = derived(params, c)["values"]
        assert got[ell]["distance_lo"] <= got[ell]["distance_bound"]
    assert got[1]["leakage_hi"] < got[6]["leakage_lo"]
    assert got[1]["key_limit"] < got[1]["shannon_key_limit"]


def test_a_stronger_eavesdropper_knows_the_whole_forward_key():
    """alpha_2 = 1: her SNR (P = 100) beats the user's SINR (20): she decodes nearly every
    block, and her exact leakage is nearly the whole key."""
    params = dict(SMALL_FW, alpha2=1.0, key_length=3)
    c = KeyLink(**params).simulate_batch(np.random.default_rng(6), 40)
    assert c["eve_decoded"] >= 36
    assert c["leak"] / SCALE > 0.95 * 3 * 40


@pytest.mark.parametrize("params, message", [
    (dict(strategy="fw_fw", n_sym=2047), "n_sym: got 2047; allowed: an even number"),
    (dict(SMALL_FW, n_sym=12, key_length=2), "n_sym: got 12, 24 bits"),
    (dict(SMALL_FW, n_sym=9, key_length=2), "n_sym: got 9; allowed: an even number"),
    (dict(SMALL_FW, code="ldpc5g", key_length=2), "code: got 'ldpc5g'"),
    (dict(strategy="fw_fw", modulation="qpsk", n_sym=2048), "automatic length of 0"),
    (dict(strategy="fw_fw", modulation="8psk"), "modulation: got '8psk'"),
])
def test_forward_bad_parameters_are_one_line_errors(params, message):
    with pytest.raises(ValueError, match=message):
        KeyLink(**params)
