"""The tapped-delay-line channel: the profile's normalization, the tap statistics (each tap
CN(0, p_l), so each subcarrier CN(0, 1)), the convolution against numpy's, and its checks."""

from __future__ import annotations

import numpy as np
import pytest

from linksim.channel.multipath import exponential_pdp, frequency_response, multipath, tdl_taps


def test_profile_and_tap_statistics():
    p = exponential_pdp(5, 3.0)
    assert p.sum() == pytest.approx(1.0) and np.allclose(p[1:] / p[:-1], 10 ** -0.3)
    taps = tdl_taps(np.random.default_rng(0), 40_000, p)
    # the mean of |h_l|^2 over 40000 exponential draws: relative sd 1/200; 5 sigma
    assert np.allclose(np.mean(np.abs(taps) ** 2, axis=0), p, rtol=5 / 200)
    h = frequency_response(taps, 32)
    assert np.allclose(np.mean(np.abs(h) ** 2, axis=0), 1.0, rtol=5 / 200)


def test_convolution_is_numpys_and_noise_has_its_variance():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 50)) + 1j * rng.standard_normal((3, 50))
    taps = tdl_taps(rng, 3, exponential_pdp(4, 1.0))
    y = multipath(x, taps, 0.0, rng)
    for b in range(3):
        assert np.allclose(y[b], np.convolve(x[b], taps[b])[:50])
    noise = multipath(np.zeros((4, 50_000)), taps[:1].repeat(4, 0), 0.3, rng)
    assert np.var(noise) == pytest.approx(0.3, rel=0.02)      # 200000 draws: sd 0.2 %


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="^n_taps"):
        exponential_pdp(0, 1.0)
    with pytest.raises(ValueError, match="^powers"):
        tdl_taps(np.random.default_rng(0), 2, [-1.0])
    with pytest.raises(ValueError, match="^taps"):
        frequency_response(np.ones((1, 9)), 8)
    with pytest.raises(ValueError, match="^x, taps"):
        multipath(np.ones((2, 5)), np.ones((3, 2)), 0.0, np.random.default_rng(0))
