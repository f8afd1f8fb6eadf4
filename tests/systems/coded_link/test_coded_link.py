"""Tests of linksim.systems.coded_link: BER sanity, LDPC behaviour, CRC counting, validation."""

import math

import numpy as np
import pytest

from linksim.sim import StopRule, run_point
from linksim.systems import coded_link
from linksim.systems.coded_link import CodedLink


def _q(x):
    return 0.5 * math.erfc(x / math.sqrt(2.0))


def _run(link, frames, seed=1, batch_size=None, confidence=0.999):
    stop = StopRule(max_frame_errors=10**9, max_frames=frames, batch_size=batch_size or frames)
    return run_point(link.simulate_batch, seed=seed, stop=stop, confidence=confidence)


def _need_ldpc():
    pytest.importorskip("linksim.fec.ldpc")


# ----------------------------------------------------------------------------- uncoded sanity

@pytest.mark.parametrize("modulation, ebno_db", [("bpsk", 2.0), ("qpsk", 4.0), ("qpsk", 6.0)])
def test_uncoded_awgn_ber_matches_theory(modulation, ebno_db):
    """Gray BPSK/QPSK over AWGN: BER = Q(sqrt(2 Eb/N0)), inside the 99.9 % interval."""
    link = CodedLink(code="none", k=1000, modulation=modulation, ebno_db=ebno_db)
    assert link.n == 1000 and link.coderate == 1.0
    r = _run(link, 400)
    theory = _q(math.sqrt(2 * 10 ** (ebno_db / 10)))
    assert r.ber_ci[0] <= theory <= r.ber_ci[1]
    assert r.bits == 400 * 1000
    assert "iterations" not in r.counts


def test_uncoded_rayleigh_fast_ber_matches_theory():
    """BPSK, i.i.d. Rayleigh, perfect CSI: BER = (1 - sqrt(g / (1 + g))) / 2."""
    g = 10 ** (5.0 / 10)
    link = CodedLink(code="none", k=500, modulation="bpsk", channel="rayleigh", fading="fast",
                     ebno_db=5.0)
    r = _run(link, 400)
    theory = 0.5 * (1 - math.sqrt(g / (1 + g)))
    assert r.ber_ci[0] <= theory <= r.ber_ci[1]


def test_uncoded_16qam_and_maxlog_close_to_theory():
    """Gray 16-QAM: BER ~ (3/4) Q(sqrt(4/5 Eb/N0)) at moderate SNR (nearest-neighbour bound)."""
    ebno_db = 10.0
    theory = 0.75 * _q(math.sqrt(0.8 * 10 ** (ebno_db / 10)))
    for demapper in ("app", "maxlog"):
        link = CodedLink(code="none", k=1000, modulation="16qam", ebno_db=ebno_db,
                         demapper=demapper)
        r = _run(link, 300)
        assert 0.8 * theory < r.ber < 1.2 * theory


def test_imperfect_csi_hurts():
    kw = dict(code="none", k=400, modulation="qpsk", channel="rician", k_factor=2.0,
              fading="block", n_blocks=4, ebno_db=8.0)
    perfect = _run(CodedLink(**kw), 300)
    noisy = _run(CodedLink(csi_error_var=0.2, **kw), 300)
    assert noisy.ber > 1.2 * perfect.ber


# ----------------------------------------------------------------------------- LDPC

def test_ldpc_high_snr_no_errors_low_snr_many():
    _need_ldpc()
    high = CodedLink(code="ldpc5g", k=64, n=128, ebno_db=8.0)
    r = _run(high, 400, batch_size=200)
    assert r.frame_errors == 0 and r.bit_errors == 0 and r.bits == 400 * 64
    # with early stopping a clean frame needs very few iterations
    assert 0 < r.counts["iterations"] <= 3 * r.frames
    low = CodedLink(code="ldpc5g", k=64, n=128, ebno_db=-3.0)
    r = _run(low, 200)
    assert r.bler > 0.9 and 0.1 < r.ber < 0.5
    # far below threshold almost every frame runs to the iteration cap (a rare frame can hit
    # some codeword, a wrong one, and stop early)
    assert r.counts["iterations"] >= 0.95 * 200 * 20


def test_ldpc_fading_and_decoders_run():
    _need_ldpc()
    for decoder in ("nms", "oms", "spa"):
        link = CodedLink(code="ldpc5g", k=48, n=96, modulation="16qam", channel="rayleigh",
                         fading="fast", ebno_db=12.0, decoder=decoder, num_iter=10,
                         early_stop=False)
        r = _run(link, 100)
        assert r.counts["iterations"] == 100 * 10
        assert r.bler < 0.3


def test_ldpc_same_seed_same_counts_and_registry_entry_point():
    _need_ldpc()
    from linksim.systems import build_system, simulate_batch
    params = dict(code="ldpc5g", k=64, n=128, modulation="qpsk", ebno_db=1.0)
    link = CodedLink(**params)
    a = link.simulate_batch(np.random.default_rng(5), 64)
    b = link.simulate_batch(np.random.default_rng(5), 64)
    c = simulate_batch("coded_link", params, np.random.default_rng(5), 64)
    assert a == b == c
    # the registry caches the built link, and the code is shared across Eb/N0
    assert build_system("coded_link", params) is build_system("coded_link", dict(params))
    assert CodedLink(**{**params, "ebno_db": 2.0}).ldpc is link.ldpc


def test_coderate_sets_noise():
    _need_ldpc()
    coded = CodedLink(code="ldpc5g", k=64, n=128, modulation="16qam", ebno_db=3.0)
    uncoded = CodedLink(code="none", k=128, modulation="16qam", ebno_db=3.0)
    assert coded.no == pytest.approx(2 * uncoded.no)
    assert uncoded.no == pytest.approx(1 / (10 ** 0.3 * 4))


# ----------------------------------------------------------------------------- CRC

def test_crc_undetected_errors_uncoded():
    """Uncoded frames at very low SNR are almost all wrong; CRC6 misses about 1/64 of them."""
    link = CodedLink(code="none", k=40, modulation="bpsk", ebno_db=-10.0, crc="CRC6")
    assert link.payload_bits == 34
    r = _run(link, 4000)
    c = r.counts
    assert r.bits == 4000 * 34
    assert c["crc_failures"] + c["undetected_errors"] == r.frame_errors
    assert r.frame_errors > 3900
    assert 30 < c["undetected_errors"] < 100  # expected about 62


def test_crc_with_ldpc():
    _need_ldpc()
    link = CodedLink(code="ldpc5g", k=64, n=128, ebno_db=-1.0, crc="crc16")
    assert link.crc_name == "CRC16" and link.payload_bits == 48
    r = _run(link, 300)
    c = r.counts
    assert c["crc_failures"] + c["undetected_errors"] == r.frame_errors > 0
    assert c["undetected_errors"] <= 2
    clean = _run(CodedLink(code="ldpc5g", k=64, n=128, ebno_db=8.0, crc="CRC16"), 100)
    assert clean.counts["crc_failures"] == clean.counts["undetected_errors"] == 0


def test_zero_frames():
    link = CodedLink(code="none", k=8, ebno_db=0.0, crc="CRC6")
    assert link.simulate_batch(np.random.default_rng(0), 0) == {
        "frames": 0, "frame_errors": 0, "bits": 0, "bit_errors": 0, "bit_errors_sq": 0,
        "crc_failures": 0, "undetected_errors": 0}


# ----------------------------------------------------------------------------- validation

@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(code="turbo", k=8, ebno_db=0), ValueError, "code"),
    (dict(code="none", ebno_db=0), TypeError, "k"),
    (dict(code="none", k=8), TypeError, "ebno_db"),
    (dict(code="none", k=8, ebno_db=float("nan")), ValueError, "ebno_db"),
    (dict(code="none", k=8, ebno_db="3"), TypeError, "ebno_db"),
    (dict(code="none", k=0, ebno_db=0), ValueError, "k"),
    (dict(code="none", k=8.0, ebno_db=0), TypeError, "k"),
    (dict(code="none", k=8, n=10, ebno_db=0), ValueError, "n"),
    (dict(code="ldpc5g", k=64, ebno_db=0), TypeError, "n"),
    (dict(code="ldpc5g", k=128, n=64, ebno_db=0), ValueError, "k"),
    (dict(code="none", k=8, modulation="8psk", ebno_db=0), ValueError, "modulation"),
    (dict(code="none", k=10, modulation="16qam", ebno_db=0), ValueError, "n"),
    (dict(code="none", k=8, channel="rayleighh", ebno_db=0), ValueError, "channel"),
    (dict(code="none", k=8, fading="slow", ebno_db=0), ValueError, "fading"),
    (dict(code="none", k=8, n_blocks=0, ebno_db=0), ValueError, "n_blocks"),
    (dict(code="none", k=8, channel="rayleigh", n_blocks=2, ebno_db=0), ValueError, "n_blocks"),
    (dict(code="none", k=8, channel="rayleigh", fading="block", n_blocks=9, ebno_db=0),
     ValueError, "n_blocks"),
    (dict(code="none", k=8, channel="rayleigh", k_factor=2.0, ebno_db=0), ValueError, "k_factor"),
    (dict(code="none", k=8, channel="rician", k_factor=-1.0, ebno_db=0), ValueError, "k_factor"),
    (dict(code="none", k=8, csi_error_var=0.1, ebno_db=0), ValueError, "csi_error_var"),
    (dict(code="none", k=8, channel="rayleigh", csi_error_var=-0.1, ebno_db=0), ValueError,
     "csi_error_var"),
    (dict(code="none", k=8, decoder="bp", ebno_db=0), ValueError, "decoder"),
    (dict(code="none", k=8, num_iter=0, ebno_db=0), ValueError, "num_iter"),
    (dict(code="none", k=8, early_stop="yes", ebno_db=0), TypeError, "early_stop"),
    (dict(code="none", k=8, demapper="exact", ebno_db=0), ValueError, "demapper"),
    (dict(code="none", k=8, crc="CRC99", ebno_db=0), ValueError, "crc"),
    (dict(code="none", k=24, crc="CRC24A", ebno_db=0), ValueError, "k"),
    (dict(code="none", k=8, precision="int4", ebno_db=0), ValueError, "^precision: got 'int4'"),
    (dict(code="none", k=8, decoder="spa", precision="int16", ebno_db=0), ValueError,
     "^precision: got 'int16' with decoder='spa'; allowed"),
])
def test_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        CodedLink(**kwargs)


def test_ldpc_validates_its_own_range():
    _need_ldpc()
    with pytest.raises(ValueError, match="k"):
        CodedLink(code="ldpc5g", k=4, n=8, ebno_db=0.0)
    with pytest.raises(ValueError, match="n"):
        CodedLink(code="ldpc5g", k=64, n=64, ebno_db=0.0)


def test_bad_batch_arguments():
    link = CodedLink(code="none", k=8, ebno_db=0.0)
    with pytest.raises(ValueError, match="n_frames"):
        link.simulate_batch(np.random.default_rng(0), -1)
    with pytest.raises(TypeError, match="n_frames"):
        link.simulate_batch(np.random.default_rng(0), 2.5)
    with pytest.raises(TypeError, match="rng"):
        link.simulate_batch(0, 4)


def test_params_round_trip():
    link = CodedLink(code="none", k=16, modulation="QPSK", channel="rician", k_factor=1.5,
                     ebno_db=3, crc="crc6")
    again = CodedLink(**link.params)
    assert again.params == link.params
    assert link.params["modulation"] == "qpsk" and link.params["crc"] == "CRC6"
    assert set(link.params) == set(coded_link.PARAMS)


def test_fixed_point_precision_runs_the_link_and_is_recorded():
    """precision reaches the decoder: at 2.5 dB the README code decodes nearly every frame in
    int8 and int16 as in float32 (a broken path would fail most frames), and the counts
    differ from float32's only through the quantization (same bits, same noise)."""
    _need_ldpc()
    counts = {}
    for precision in ("float32", "int16", "int8"):
        link = CodedLink(code="ldpc5g", k=512, n=1024, ebno_db=2.5, precision=precision)
        assert link.params["precision"] == precision
        counts[precision] = link.simulate_batch(np.random.default_rng(4), 400)
    for precision, c in counts.items():
        assert c["frames"] == 400 and c["frame_errors"] <= 4, (precision, c)
    assert counts["int8"]["iterations"] != counts["float32"]["iterations"]
