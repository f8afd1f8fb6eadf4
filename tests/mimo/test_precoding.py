"""Precoding (linksim.mimo.precoding): x = Q s + L z, eigen and null-space precoders, power
split; the transmitted power measured against tr(QQ^H + LL^H) (notes 002 §6 check 8)."""

from __future__ import annotations

import numpy as np
import pytest

from linksim.channel.awgn import complex_normal
from linksim.channel.mimo import rayleigh_mimo
from linksim.mapping import Constellation
from linksim.mimo.precoding import eigen_precoder, null_space_an, power_split, precode


def test_null_space_an_is_invisible_to_the_legitimate_receiver():
    h = rayleigh_mimo(np.random.default_rng(0), 6, 2, 4)
    lam = null_space_an(h, 2)
    assert lam.shape == (6, 4, 2)
    assert np.abs(h @ lam).max() < 1e-12
    assert np.allclose(np.conj(np.swapaxes(lam, 1, 2)) @ lam, np.eye(2))
    with pytest.raises(ValueError, match="^d_a"):
        null_space_an(h, 3)
    with pytest.raises(ValueError, match="^h"):
        null_space_an(rayleigh_mimo(np.random.default_rng(0), 1, 4, 4), 1)


def test_eigen_precoder_diagonalizes_the_channel():
    h = rayleigh_mimo(np.random.default_rng(1), 5, 4, 4)
    q = eigen_precoder(h, 2)
    g = np.conj(np.swapaxes(h @ q, 1, 2)) @ (h @ q)              # Q^H H^H H Q
    sv = np.linalg.svd(h, compute_uv=False)[:, :2]
    assert np.allclose(g, sv[:, :, None] ** 2 * np.eye(2), atol=1e-10)   # diag(sigma_k^2)


def test_power_split_and_measured_transmit_power():
    """tr(QQ^H) = phi P and tr(LL^H) = (1 - phi) P exactly; the measured mean ||x||^2 over N
    vectors of QPSK data and Gaussian AN equals P within 5 standard deviations (its variance
    per vector is below 2 P^2 for these precoders, so 5 sqrt(2/N) P is a safe bound)."""
    rng = np.random.default_rng(2)
    h = rayleigh_mimo(rng, 3, 2, 4)
    q, lam = power_split(eigen_precoder(h, 2), null_space_an(h, 1), 10.0, 0.7)
    assert np.allclose(np.sum(np.abs(q) ** 2, axis=(1, 2)), 7.0)
    assert np.allclose(np.sum(np.abs(lam) ** 2, axis=(1, 2)), 3.0)
    n = 20_000
    s = Constellation("qpsk").map(rng.integers(0, 2, (3, 2, 2 * n), dtype=np.uint8))
    x = precode(q, s, lam, complex_normal(rng, (3, 1, n)))
    power = np.mean(np.sum(np.abs(x) ** 2, axis=1), axis=-1)
    assert np.allclose(power, 10.0, atol=5 * np.sqrt(2 / n) * 10.0)
    # the receiver of h sees only the data: h x = h Q s exactly
    assert np.allclose(h @ x, h @ q @ s, atol=1e-9)
    q1, lam1 = power_split(q, lam, 4.0, 1.0)
    assert np.allclose(lam1, 0) and np.allclose(np.sum(np.abs(q1) ** 2, axis=(1, 2)), 4.0)


def test_precode_checks_shapes():
    q = np.ones((1, 4, 2))
    with pytest.raises(ValueError, match="^s"):
        precode(q, np.ones((1, 3, 5)))
    with pytest.raises(ValueError, match="^lam, z"):
        precode(q, np.ones((1, 2, 5)), lam=np.ones((1, 4, 1)))
    with pytest.raises(ValueError, match="^data_fraction"):
        power_split(q, np.ones((1, 4, 1)), 1.0, 1.5)
