"""The null-space AN reference (notes 002 §6 check 4): AN in the legitimate channel's null space
leaves Bob's per-stream SINR unchanged (to 1e-9) and lowers Eve's to the predicted value, which
the simulated LMMSE outputs at Eve reproduce."""

from __future__ import annotations

import numpy as np

from linksim.channel.awgn import complex_normal
from linksim.channel.mimo import rayleigh_mimo
from linksim.mimo.detection import lmmse_detect, lmmse_mse
from linksim.mimo.precoding import eigen_precoder, null_space_an, power_split


def _sinr(a, cov):
    return 1 / np.real(np.diagonal(lmmse_mse(a, cov), axis1=-2, axis2=-1)) - 1


def test_null_space_an_keeps_bob_and_lowers_eve_as_predicted():
    rng = np.random.default_rng(3)
    batch, n_t, n_r, n_e, d_s, d_a = 6, 6, 2, 3, 2, 4
    h = rayleigh_mimo(rng, batch, n_r, n_t)
    h_e = rayleigh_mimo(rng, batch, n_e, n_t)
    q0 = eigen_precoder(h, d_s)
    lam0 = null_space_an(h, d_a)
    q, lam = power_split(q0, lam0, 10.0, 0.5)
    q_off = q                                                # same data precoder, AN off
    noise = 0.1
    cov_b_an = h @ lam @ np.conj(np.swapaxes(h @ lam, 1, 2)) + noise * np.eye(n_r)
    cov_b_off = noise * np.broadcast_to(np.eye(n_r), cov_b_an.shape)
    bob_an, bob_off = _sinr(h @ q, cov_b_an), _sinr(h @ q_off, cov_b_off)
    assert np.allclose(bob_an, bob_off, rtol=1e-9, atol=0)
    cov_e_an = h_e @ lam @ np.conj(np.swapaxes(h_e @ lam, 1, 2)) + noise * np.eye(n_e)
    cov_e_off = noise * np.broadcast_to(np.eye(n_e), cov_e_an.shape)
    eve_an, eve_off = _sinr(h_e @ q, cov_e_an), _sinr(h_e @ q, cov_e_off)
    assert np.all(eve_an < eve_off)
    # simulated: Gaussian data and AN through Eve's channel, her LMMSE with the true covariance
    n = 20_000
    s = complex_normal(rng, (batch, d_s, n))
    z = complex_normal(rng, (batch, d_a, n))
    y = h_e @ (q @ s + lam @ z) + np.sqrt(noise) * complex_normal(rng, (batch, n_e, n))
    s_hat, _, sinr = lmmse_detect(h_e @ q, y, cov_e_an)
    assert np.allclose(sinr, eve_an, rtol=1e-9)
    measured = 1 / np.mean(np.abs(s_hat - s) ** 2, axis=2)
    # the error power is a mean of 20000 independent exponential-like terms: relative
    # standard deviation 1/sqrt(20000) = 0.7 %; 5 sigma
    assert np.allclose(measured / eve_an, 1.0, atol=5 / np.sqrt(n))
