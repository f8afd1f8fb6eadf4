"""The boundary conventions between linksim and Sionna, in their one place."""

import numpy as np
import pytest

from linksim.channel import ebno_to_no
from linksim.interop import conventions as cv
from linksim.mapping import Constellation


def test_llr_sign_bits_and_noise():
    llr = np.array([[3.0, -1.5, 0.0]], np.float32)
    assert np.array_equal(cv.to_sionna_llr(llr), -llr)
    assert np.array_equal(cv.from_sionna_llr(cv.to_sionna_llr(llr)), llr)
    # A hard decision agrees across the conventions: linksim llr < 0 -> 1, Sionna logit > 0.
    assert np.array_equal(llr < 0, cv.to_sionna_llr(llr) > 0)
    bits = np.array([[0, 1, 1]], np.uint8)
    assert cv.bits_to_float(bits).dtype == np.float32
    assert np.array_equal(cv.bits_to_uint8(cv.bits_to_float(bits)), bits)
    assert cv.noise_variance(1.5, 2, 0.5) == pytest.approx(1 / (10 ** 0.15 * 2 * 0.5))
    assert cv.noise_variance(1.5, 2, 0.5) == ebno_to_no(1.5, 2, coderate=0.5)


def test_bpsk_is_rotated_onto_linksims_points():
    sionna_points = np.array([1.0 + 0j, -1.0 + 0j])          # Sionna's PAM for bits 0, 1
    ours = Constellation("bpsk").map(np.array([[0, 1]], np.uint8)).ravel()
    np.testing.assert_allclose(cv.to_linksim_symbols(sionna_points, "bpsk"), ours, atol=1e-12)
    y = np.array([0.3 + 0.2j])
    assert np.array_equal(cv.to_linksim_symbols(y, "16qam"), y)
