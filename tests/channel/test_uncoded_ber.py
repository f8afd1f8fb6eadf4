"""Uncoded bit error rates measured through Constellation + channel vs closed forms.

Each check counts bit errors of hard decisions (bit = 1 where the LLR < 0) and asserts that the
closed-form bit error probability lies inside the two-sided Clopper-Pearson interval of the
measured count, at a level chosen so that the 12 checks together hold at 99 % (see N_CHECKS).
The CP interval never under-covers, so a correct simulator fails the file with probability
<= 1 %; the seed is fixed (``linksim.random.batch_rng``), so the test is deterministic.

To show that the checks have teeth, each one also asserts that the closed form evaluated at the
Eb/N0 shifted by +-0.2 dB falls OUTSIDE the interval: a simulator whose SNR bookkeeping (noise
variance, symbol energy, Eb vs Es) is off by 0.2 dB or more fails. The bit counts are chosen for
that (>= ~1500 errors at the highest SNR point) while keeping the file to a few seconds.
"""

import numpy as np
import pytest
from scipy.special import erfc

from linksim.channel import awgn, ebno_to_no, fading_gains, flat_fading
from linksim.mapping import Constellation
from linksim.mimo import equalize, estimate_channel
from linksim.random import batch_rng
from linksim.sim.stats import clopper_pearson

# The 12 checks below form one family: at 99 % each, a correct simulator would fail at least
# one of them for ~11 % of seeds. So the family is held at 99 % (Sidak): each check uses the
# interval at level 0.99 ** (1 / 12) = 99.916 %, and a correct simulator fails the file with
# probability <= 1 %. The seed is the one fixed before any run; it is not chosen by outcome.
N_CHECKS = 12
SEED = 20240611
FAMILY_CONFIDENCE = 0.99
CONFIDENCE = FAMILY_CONFIDENCE ** (1 / N_CHECKS)
SHIFT_DB = 0.2
FRAMES, SYMBOLS = 250, 1000  # symbols per batch = 250000


def qfunc(x):
    """Gaussian tail Q(x) = P(N(0,1) > x)."""
    return 0.5 * erfc(np.asarray(x, dtype=np.float64) / np.sqrt(2.0))


def pb_bpsk_awgn(ebno_db):
    """BPSK (and Gray QPSK, two independent BPSK rails) over AWGN: Pb = Q(sqrt(2 Eb/N0))."""
    g = 10 ** (np.asarray(ebno_db) / 10)
    return qfunc(np.sqrt(2 * g))


def pb_16qam_awgn(ebno_db):
    """Exact bit error probability of Gray-labelled 16-QAM (38.211) over AWGN, ML symbol
    decisions (nearest point, per axis thresholds at 0 and +-2).

    Derivation. 16-QAM = two independent 4-PAM axes; per axis the 38.211 levels are
    (1-2b0)(2-(1-2b2)) in {-3, -1, +1, +3} (unnormalised), labels 11, 10, 00, 01 (Gray).
    Es = 10 (unnormalised) = 4 Eb, noise per axis N(0, N0/2), so with d = 1/sigma
    = sqrt(2/N0) = sqrt(4 Eb / (5 N0)) write Q_k = Q(k d):
      sign bit b0 (threshold 0): from +-1 it errs w.p. Q_1, from +-3 w.p. Q_3
          -> P(b0) = (Q_1 + Q_3) / 2;
      magnitude bit b2 (threshold |y| = 2): from +-1 it errs if the noise exceeds +1 towards
          the outside (Q_1) or 3 towards the other side (Q_3): Q_1 + Q_3; from +-3 it errs if
          the noise lands in (-5, -1) inwards: Q_1 - Q_5  -> P(b2) = (2 Q_1 + Q_3 - Q_5) / 2.
    Averaging the two bits: Pb = (3 Q_1 + 2 Q_3 - Q_5) / 4, exact (no nearest-neighbour
    approximation; the 2 Q_3 - Q_5 terms matter at low SNR).
    """
    g = 10 ** (np.asarray(ebno_db) / 10)
    d = np.sqrt(4 * g / 5)
    return (3 * qfunc(d) + 2 * qfunc(3 * d) - qfunc(5 * d)) / 4


def pb_bpsk_rayleigh(ebno_db):
    """BPSK over i.i.d. Rayleigh fading with perfect CSI: Pb = (1 - sqrt(g / (1 + g))) / 2."""
    g = 10 ** (np.asarray(ebno_db) / 10)
    return 0.5 * (1 - np.sqrt(g / (1 + g)))


def _count_errors(const, ebno_db, n_batches, point, channel="awgn", method="app"):
    """Bit errors and bits over ``n_batches`` batches, batch b drawn from batch_rng(SEED, point, b)."""
    m = const.bits_per_symbol
    no = ebno_to_no(ebno_db, m)
    errors = trials = 0
    for b in range(n_batches):
        rng = batch_rng(SEED, point, b)
        bits = rng.integers(0, 2, size=(FRAMES, SYMBOLS * m), dtype=np.uint8)
        x = const.map(bits)
        if channel == "awgn":
            llr = const.demap(awgn(x, no, rng), no, method=method)
        else:  # fast Rayleigh, perfect CSI, one-tap ZF equalization
            h = fading_gains(rng, FRAMES, SYMBOLS, "fast")
            y = flat_fading(x, h, no, rng)
            x_hat, no_eff = equalize(y, estimate_channel(h, rng), no)
            llr = const.demap(x_hat, no_eff, method=method)
        errors += int(np.count_nonzero((llr < 0) != bits.astype(bool)))
        trials += bits.size
    return errors, trials


def _check(errors, trials, pb, ebno_db, label):
    lo, hi = clopper_pearson(errors, trials, CONFIDENCE)
    p = float(pb(ebno_db))
    assert lo <= p <= hi, (f"{label} at {ebno_db} dB: closed form {p:.4e} outside the "
                           f"{100 * CONFIDENCE:.3f} % CP interval "
                           f"[{lo:.4e}, {hi:.4e}] of {errors}/{trials}")
    for shift in (-SHIFT_DB, SHIFT_DB):
        q = float(pb(ebno_db + shift))
        assert not lo <= q <= hi, (f"{label} at {ebno_db} dB: test too weak, the closed form at "
                                   f"{shift:+} dB ({q:.4e}) is also inside [{lo:.4e}, {hi:.4e}]")


@pytest.mark.parametrize("point,ebno_db", [(0, 0.0), (1, 4.0), (2, 7.0)])
def test_bpsk_awgn(point, ebno_db):
    errors, trials = _count_errors(Constellation("bpsk"), ebno_db, 8, point)  # 2e6 bits
    _check(errors, trials, pb_bpsk_awgn, ebno_db, "BPSK AWGN")


@pytest.mark.parametrize("point,ebno_db", [(10, 0.0), (11, 4.0), (12, 7.0)])
def test_qpsk_awgn(point, ebno_db):
    errors, trials = _count_errors(Constellation("qpsk"), ebno_db, 4, point)  # 2e6 bits
    _check(errors, trials, pb_bpsk_awgn, ebno_db, "QPSK AWGN")


@pytest.mark.parametrize("point,ebno_db", [(20, 0.0), (21, 6.0), (22, 10.0)])
def test_16qam_awgn(point, ebno_db):
    # Max-log hard decisions are the ML (nearest-point) symbol decisions that the closed form
    # assumes. App hard decisions are bitwise MAP: their magnitude-bit threshold sits slightly
    # beyond |y| = 2 at low SNR, giving a (slightly lower) BER that the closed form does not
    # describe exactly.
    errors, trials = _count_errors(Constellation("16qam"), ebno_db, 4, point, method="maxlog")  # 4e6 bits
    _check(errors, trials, pb_16qam_awgn, ebno_db, "16-QAM AWGN")
    if ebno_db == 0.0:
        # ...and the nearest-neighbour approximation (3/4) Q(d) is rejected at this resolution.
        d = np.sqrt(4 * 10 ** (ebno_db / 10) / 5)
        lo, hi = clopper_pearson(errors, trials, CONFIDENCE)
        assert not lo <= 0.75 * float(qfunc(d)) <= hi


@pytest.mark.parametrize("point,ebno_db", [(30, 0.0), (31, 5.0), (32, 10.0)])
def test_bpsk_rayleigh_fast_perfect_csi(point, ebno_db):
    errors, trials = _count_errors(Constellation("bpsk"), ebno_db, 8, point, channel="rayleigh")  # 2e6 bits
    _check(errors, trials, pb_bpsk_rayleigh, ebno_db, "BPSK Rayleigh")
