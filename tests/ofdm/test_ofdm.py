"""OFDM (notes 004 §5 item 1): the round trip is exact without a channel; with a cyclic prefix
at least as long as the delay spread every subcarrier sees exactly one complex gain (the FFT of
the taps); with a shorter one the inter-symbol interference appears, measured; and the uncoded
BER over multipath with a CP matches flat Rayleigh fading per subcarrier within its interval."""

from __future__ import annotations

import numpy as np
import pytest

from linksim.channel.awgn import complex_normal
from linksim.channel.multipath import exponential_pdp, frequency_response, multipath, tdl_taps
from linksim.mapping import Constellation
from linksim.mimo.equalization import equalize
from linksim.ofdm import ResourceGrid, ofdm_demodulate, ofdm_modulate
from linksim.sim.stats import clustered_interval


def _frame(rng, grid, batch):
    x = complex_normal(rng, (batch, grid.n_resource))
    return x, grid.map(x)


def test_grid_places_data_on_the_used_band_only():
    g = ResourceGrid(16, 3, guard_left=2, guard_right=1, dc_null=True)
    assert g.n_data == 12 and 0 not in g.data_carriers
    assert sorted(set(range(16)) - set(g.data_carriers)) == [0, 7, 8, 9]
    x = np.arange(1, 2 * g.n_resource + 1).reshape(2, -1).astype(complex)
    grid = g.map(x)
    assert np.count_nonzero(grid) == x.size and np.array_equal(g.unmap(grid), x)
    with pytest.raises(ValueError, match="^symbols"):
        g.map(x[:, :-1])
    with pytest.raises(ValueError, match="^guard_left"):
        ResourceGrid(4, 1, guard_left=2, guard_right=2)


@pytest.mark.parametrize("cp_len", [0, 5, 64])
def test_round_trip_is_exact_without_a_channel(cp_len):
    rng = np.random.default_rng(1)
    grid = ResourceGrid(64, 4, guard_left=6, guard_right=5, dc_null=True)
    x, g = _frame(rng, grid, 3)
    s = ofdm_modulate(g, cp_len)
    assert s.shape == (3, 4 * (64 + cp_len))
    # unitary transform: the energy per data carrier is the energy per sample on average
    assert np.sum(np.abs(s[:, cp_len:cp_len + 64]) ** 2) == pytest.approx(
        np.sum(np.abs(g[:, 0]) ** 2))
    back = grid.unmap(ofdm_demodulate(s, 64, cp_len))
    assert np.abs(back - x).max() < 1e-12


def test_cp_longer_than_the_delay_spread_gives_one_gain_per_subcarrier():
    rng = np.random.default_rng(2)
    grid = ResourceGrid(64, 5)
    taps = tdl_taps(rng, 4, exponential_pdp(8, 1.0))          # delay spread 7 samples
    x, g = _frame(rng, grid, 4)
    y = multipath(ofdm_modulate(g, 8), taps, 0.0, rng)
    got = ofdm_demodulate(y, 64, 8)
    want = frequency_response(taps, 64)[:, None, :] * g
    assert np.abs(got - want).max() < 1e-12


def test_cp_shorter_than_the_delay_spread_shows_the_interference():
    """CP 2 samples, 8 equal-power taps: after one-tap equalization the error power per
    carrier is of the order of the tap energy beyond the prefix (5/8 of the power leaks
    across symbols and carriers); with CP 8 it is 0."""
    rng = np.random.default_rng(3)
    grid = ResourceGrid(64, 6)
    taps = tdl_taps(rng, 200, exponential_pdp(8, 0.0))
    x, g = _frame(rng, grid, 200)
    h = frequency_response(taps, 64)[:, None, :]
    errors = {}
    for cp in (2, 8):
        y = ofdm_demodulate(multipath(ofdm_modulate(g, cp), taps, 0.0, rng), 64, cp)
        errors[cp] = np.mean(np.abs(y - h * g) ** 2)       # interference power per carrier
    assert errors[8] < 1e-24
    # the exact ISI + ICI power for equal taps, averaged over draws, is
    # sum_l p_l * 2 * max(l - cp, 0) / n_fft; within 20 % (200 draws of 8 taps)
    p = exponential_pdp(8, 0.0)
    want = sum(p[l] * 2 * max(l - 2, 0) / 64 for l in range(8))
    assert errors[2] == pytest.approx(want, rel=0.2)


def test_uncoded_ber_over_multipath_matches_flat_rayleigh_per_subcarrier():
    """QPSK, one-tap equalization with the per-carrier noise variance. Each subcarrier's gain is
    CN(0, 1), so the BER is the flat-Rayleigh closed form 0.5 (1 - sqrt(g / (1 + g))),
    g = 1 / (2 no). Bits of one frame share its channel: the 99.9 % interval is Korn-Graubard
    with frames as clusters (1500 frames)."""
    rng = np.random.default_rng(4)
    q = Constellation("qpsk")
    grid = ResourceGrid(64, 2, guard_left=4, guard_right=3, dc_null=True)
    n_frames, no = 1500, 0.2
    bits = rng.integers(0, 2, (n_frames, 2 * grid.n_resource), dtype=np.uint8)
    taps = tdl_taps(rng, n_frames, exponential_pdp(6, 2.0))
    y = multipath(ofdm_modulate(grid.map(q.map(bits)), 6), taps, no, rng)
    h = np.broadcast_to(frequency_response(taps, 64)[:, None, :], (n_frames, 2, 64))
    x_hat, no_eff = equalize(ofdm_demodulate(y, 64, 6), h, no)
    llr = q.demap(grid.unmap(x_hat), grid.unmap(no_eff))
    wrong = (llr < 0) != bits
    per_frame = wrong.sum(axis=1)
    lo, hi = clustered_interval(int(per_frame.sum()), wrong.size, int(per_frame @ per_frame),
                                n_frames, 0.999)
    gamma = 1 / (2 * no)
    theory = 0.5 * (1 - np.sqrt(gamma / (1 + gamma)))
    assert lo <= theory <= hi, (lo, theory, hi)
    assert hi - lo < 0.3 * theory


def test_modulation_checks_its_arguments():
    with pytest.raises(ValueError, match="^cp_len"):
        ofdm_modulate(np.zeros((1, 2, 8)), 9)
    with pytest.raises(ValueError, match="^samples"):
        ofdm_demodulate(np.zeros((1, 17)), 8, 1)
    with pytest.raises(ValueError, match="^grid"):
        ofdm_modulate(np.zeros((2, 8)), 1)
