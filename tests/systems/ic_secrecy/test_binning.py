"""Bit-true random binning on the Gaussian IC (linksim.systems.ic_secrecy.binning): batches are
pure functions of their generator and add up as the engine adds them, Eve's likelihoods are the
exact ones, the leakage sits inside the rigorous finite-n bracket, shows the phase transition in
R', obeys Pinsker, and bad inputs give one-line errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special

from linksim.random import batch_rng
from linksim.security.leakage import awgn_log_likelihoods, information_density
from linksim.sim import StopRule, run_point
from linksim.systems.ic_secrecy import binning
from linksim.systems.ic_secrecy.binning import BinningLink, derived, soft_covering_bound
from linksim.systems.ic_secrecy.spec import BINNING_SCHEMA, _binning_spec

#: Notes 000 §5.4 E2: P = 10, rho = 0.2, no AN, full power; I_E = C(0.4) = 0.2427.
E2 = dict(p=10.0, rho1=0.2, rho2=0.2, rate=0.25)


def _params(**over):
    return BINNING_SCHEMA.complete({**E2, **over}, "ic_binning")


def _run(frames, seed=1, **over):
    params = _params(**over)
    counts = BinningLink(**params).simulate_batch(np.random.default_rng(seed), frames)
    return counts, derived(params, counts)["values"]


def test_batches_are_pure_functions_of_the_generator_and_counts_are_ints():
    for eve in ("genie", "marginal"):
        link = BinningLink(**_params(n=6, dummy_rate=0.25, eve=eve, samples=16))
        a = link.simulate_batch(np.random.default_rng(5), 7)
        b = BinningLink(**_params(n=6, dummy_rate=0.25, eve=eve, samples=16)).simulate_batch(
            np.random.default_rng(5), 7)
        assert a == b
        assert set(a) == {"frames", "frame_errors", "bits", "bit_errors", *binning.COUNTS}
        assert all(type(v) is int and v >= 0 for v in a.values())
        assert a["frames"] == 7 and a["blocks"] == 7 * 16 and a["frame_errors"] <= 7
        assert a["bob_errors"] <= a["bob_index_errors"] <= a["blocks"]
        assert a["density_sq"] > 0 and a["l1"] > 0
        assert link.simulate_batch(np.random.default_rng(5), 6) != a
        assert link.simulate_batch(np.random.default_rng(5), 0)["frames"] == 0


def test_the_engine_sums_batches_of_their_own_streams():
    """Two batches through the engine (run_point) equal the two batches simulated from their
    streams batch_rng(seed, point, b) and added: a point is a pure function of its seed."""
    link = BinningLink(**_params(n=8, dummy_rate=0.125, samples=16))
    stop = StopRule(max_frame_errors=10 ** 9, max_frames=10, batch_size=5, first_batch_size=5)
    result = run_point(link.simulate_batch, seed=123, point_index=2, stop=stop)
    parts = [link.simulate_batch(batch_rng(123, 2, b), 5) for b in (0, 1)]
    assert result.counts == {k: parts[0][k] + parts[1][k] for k in parts[0]}
    again = run_point(BinningLink(**_params(n=8, dummy_rate=0.125, samples=16)).simulate_batch,
                      seed=123, point_index=2, stop=stop)
    assert again.counts == result.counts


@pytest.mark.parametrize("eve", ["genie", "marginal"])
def test_eve_likelihoods_are_the_exact_ones(eve):
    """Eve's table against a direct computation: the genie's is the AWGN log-likelihood of
    rho2 v_1(c) around y_2 - v_2 with the AN in the noise; the marginal one log-sums those of
    rho2 v_1(c) + v_2(k) around y_2 over Tx 2's codebook. Equal up to a per-sample constant,
    so the information densities agree to 1e-9."""
    link = BinningLink(**_params(n=5, dummy_rate=0.4, eve=eve, samples=12, lam1=0.3, lam2=0.2,
                                 beta2=0.7, rate2=0.4, dummy_rate2=0.2))
    d = link._draw(np.random.default_rng(9), 2)
    ll = link._eve_log_likelihoods(d)
    noise = 1 + 0.2 ** 2 * 0.3 * 10.0 + 0.2 * 0.7 * 10.0
    assert link.eve_noise == pytest.approx(noise)
    for f in range(2):
        book = d["book1"][f]
        if eve == "genie":
            want = awgn_log_likelihoods(d["y2"][f] - d["v2"][f], 0.2 * book, noise)
        else:
            per = np.stack([awgn_log_likelihoods(d["y2"][f], 0.2 * book + u, noise)
                            for u in d["book2"][f]], axis=-1)
            want = special.logsumexp(per, axis=-1)
        got = ll[f].reshape(12, -1)
        shift = got - want
        np.testing.assert_allclose(shift, shift[:, :1] * np.ones_like(shift), atol=1e-9)
        message_of = np.arange(got.shape[1]) // link.m_dummy
        sent = d["w"][f] * link.m_dummy + d["wd"][f]
        np.testing.assert_allclose(information_density(got, message_of, sent),
                                   information_density(want, message_of, sent), atol=1e-9)


def test_phase_transition_at_n12():
    """n = 12, R = 0.25: below I_E (R' = 0.125, 3 dummy indices) the leakage is over a bit,
    above it (R' = 0.5, 64) a fifth of one; the 99 % intervals are far apart. Both lie inside
    the rigorous finite-n bracket [lower_bound, upper_bound] and satisfy Pinsker."""
    _, low = _run(60, dummy_rate=0.125, n=12)
    _, high = _run(60, dummy_rate=0.5, n=12)
    assert low["m_dummy"] == 3 and high["m_dummy"] == 64 and low["m"] == high["m"] == 8
    assert low["leakage_lo"] > high["leakage_hi"] + 0.5, (low["leakage"], high["leakage"])
    for v in (low, high):
        assert v["within_bounds"] == 1 and v["pinsker_ok"] == 1
        assert v["leakage_lo"] <= v["leakage"] <= v["leakage_hi"] <= v["bound_entropy"]
        assert 0 <= v["l1_lo"] <= v["l1"] <= v["l1_hi"] <= 2
        assert v["i_e"] == pytest.approx(0.5 * math.log2(1.4), abs=1e-12)
        assert v["i_b"] == pytest.approx(0.5 * math.log2(1 + 10 / 1.4), abs=1e-12)
    assert low["prediction_asymptotic"] == pytest.approx(
        12 * (low["i_e"] - math.log2(3) / 12))
    assert high["prediction_asymptotic"] == 0.0
    # Bob decodes (W, W') at R + R' well below I_B; Eve's message errors rise with R'
    assert high["bob_bler"] < 0.05 and high["eve_bler"] > low["eve_bler"]


def test_without_dummy_bits_the_leakage_is_the_codebook_information():
    """R' = 0: W is the codeword, I(W; Y^n) = I(V^n; Y^n), whose codebook average lies in
    [n I_E - SC(M), n I_E] (soft covering; 1.884 to 1.942 bit at n = 8, M = 256): the
    interval (1000 codebooks of 64 samples, width ~0.05) must meet that bracket."""
    _, v = _run(1000, dummy_rate=0.0, rate=1.0, n=8, samples=64)
    assert v["m_dummy"] == 1 and v["m"] == 256
    assert v["lower_bound"] == pytest.approx(1.8844, abs=1e-3)
    assert v["upper_bound"] == pytest.approx(v["bound_genie"]) == pytest.approx(8 * v["i_e"])
    assert v["leakage_lo"] <= v["bound_genie"] and v["leakage_hi"] >= v["lower_bound"]
    assert v["leakage_hi"] - v["leakage_lo"] < 0.06


def test_marginal_eavesdropper_runs_and_leaks_at_most_the_genie():
    """Tx 2 from its own codebook (M_2 M_2' = 16 at n = 8): the marginal leakage is at most the
    genie's (I(W; Y) <= I(W; Y, V_2)), so below the genie bound; at these rates Eve resolves
    Tx 2's codeword (r_2 = 0.5 < I(V_2; Y_2 | V_1) = 1.73), so the asymptotic leakage rate is
    the genie's I_E, not I(V_1; Y_2) = 0.026 (module docstring)."""
    counts, marg = _run(80, dummy_rate=0.125, n=8, eve="marginal")
    _, genie = _run(80, seed=2, dummy_rate=0.125, n=8, eve="genie")
    assert marg["m2"] == 16 and marg["rate2_eff"] == 0.5 and genie["m2"] is None
    assert marg["i_e"] == pytest.approx(genie["i_e"]) and marg["i_e_gaussian"] < 0.03
    assert marg["lower_bound"] is None and marg["pinsker_ok"] == 1
    assert marg["leakage_lo"] <= marg["upper_bound"] and marg["leakage_lo"] <= genie["leakage_hi"]
    assert marg["leakage_lo"] > 0.3       # far from the Gaussian-interference rate's 8 x 0.026
    # with Tx 2's codebook above I(V_2; Y_2 | V_1), the prediction falls to I(V_1; Y_2)
    big = derived(_params(n=4, dummy_rate=0.125, eve="marginal", rate2=2.0, dummy_rate2=0.0),
                  {"frames": 0})["values"]
    assert big["i_e"] == pytest.approx(big["i_e_gaussian"], abs=1e-12)


def test_soft_covering_bound():
    """SC(1) = n C(snr); SC decreases in K; it matches a Monte Carlo average of
    log2(1 + (2^i - 1) / K) over i.i.d. Gaussian inputs and outputs (99.9 % interval)."""
    assert soft_covering_bound(8, 0.4, 1) == pytest.approx(8 * 0.5 * math.log2(1.4), abs=1e-12)
    assert soft_covering_bound(8, 0.0, 4) == 0.0
    values = [soft_covering_bound(12, 0.4, k) for k in (1, 2, 8, 64, 4096)]
    assert all(a > b for a, b in zip(values, values[1:]))
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200000, 12)) * math.sqrt(0.4)
    z = rng.standard_normal((200000, 12))
    i = (0.5 * np.log(1.4) + 0.5 * ((x + z) ** 2 / 1.4 - z ** 2)).sum(1) / math.log(2)
    g = np.logaddexp2(math.log2(63), i) - math.log2(64)
    half = 3.29 * g.std() / math.sqrt(g.size)
    assert abs(g.mean() - values[3]) < half


def test_bob_decodes_when_he_can_and_guesses_when_he_cannot():
    clean, _ = _run(20, n=6, dummy_rate=0.25, p=1000.0, rho1=0.0, samples=32)
    assert clean["bob_errors"] == 0 and clean["frame_errors"] == 0
    blind, v = _run(20, n=6, dummy_rate=0.25, p=1e-6, samples=32)
    # M = 3 messages, nothing received: errors at 2/3 (binomial sd 0.015 over 640 blocks)
    assert abs(blind["bob_errors"] / blind["blocks"] - 2 / 3) < 0.08
    assert v["leakage_hi"] < 1e-3


def test_spec_and_derived_values():
    spec = _binning_spec()
    assert spec.name == "ic_binning" and spec.kind == "simulation"
    assert set(spec.metrics) == {"bob_bler", "bob_index_bler", "eve_bler"}
    assert isinstance(spec.build({**E2, "n": 4}), BinningLink)
    values = derived(_params(n=4), {"frames": 1, "blocks": 64, "bob_errors": 0,
                                    "eve_errors": 3})["values"]
    assert values["leakage"] is None and values["pinsker_ok"] is None
    assert values["eve_bler"] == 3 / 64 and values["rate_eff"] == 0.25


@pytest.mark.parametrize("bad, message", [
    (dict(complex_valued=True), "complex_valued: got True; allowed: False"),
    (dict(eve="oracle"), "eve: got 'oracle'"),
    (dict(n=0), "n: got 0"),
    (dict(n=40, dummy_rate=0.5), "dummy_rate: got 0.5, M M' n = "),
    (dict(n=16, eve="marginal", dummy_rate=0.5), "dummy_rate: got 0.5, M M' M_2 M_2' n = "),
    (dict(n=16, dummy_rate=0.5, samples=50000), "samples: got 50000, samples x codewords"),
])
def test_bad_inputs_are_one_line_errors(bad, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(")) as info:
        BinningLink(**_params(**bad))
    assert "\n" not in str(info.value)
    if "got" in message and "M" in message or "samples x" in message:
        limit = _binning_spec().limits(_params(**bad))
        assert limit is not None and limit.name == message.split(":")[0]
