"""The MIMO blocks chained as the AN system will use them (notes 002 §6 checks 1, 2, 8): three
pairs send QPSK streams with eigen precoders plus Gaussian artificial noise through Rayleigh
channels with path loss; each receiver applies LMMSE with the true interference-plus-noise
covariance of eqs. (8), (11). Measured error matrices, SINRs and rates against the analysis."""

from __future__ import annotations

import math

import numpy as np

from linksim.channel.awgn import complex_normal
from linksim.channel.mimo import path_loss, rayleigh_mimo
from linksim.mapping import Constellation
from linksim.mimo.detection import lmmse_detect, lmmse_mse
from linksim.mimo.precoding import eigen_precoder, power_split, precode
from linksim.systems.an_mimo.analysis import covariances, rates

K, NT, NR, NE, DS, DA = 3, 4, 4, 8, 2, 1


def test_measured_lmmse_errors_and_rates_match_the_log_det_analysis():
    """With N vectors per pair, the sample error covariance of each receiver's LMMSE output
    matches M = (I + H^H N^-1 H)^-1 to a relative Frobenius error < 5/sqrt(N) (a linear
    estimator's error covariance depends only on second moments, so QPSK data and Gaussian AN
    give the same M as Gaussian data); -log2 det of it then matches C_R within the propagated
    tolerance, and each stream's measured SINR matches 1/M_kk - 1."""
    rng = np.random.default_rng(2024)
    omega = path_loss(10.0)
    noise = omega * 10 ** (-2.0)                 # 20 dB per-link SNR at unit power (low-SNR mode)
    h = rayleigh_mimo(rng, K * K, NR, NT).reshape(1, K, K, NR, NT)
    h_eve = rayleigh_mimo(rng, K, NE, NT).reshape(1, K, NE, NT)
    k = np.arange(K)
    q_dir = eigen_precoder(h[0, k, k], DS)[None]                         # [1, K, NT, DS]
    an_dir = complex_normal(rng, (1, K, NT, DA))
    q, lam = power_split(q_dir.reshape(K, NT, DS), an_dir.reshape(K, NT, DA), 1.0, 0.8)
    q, lam = q.reshape(1, K, NT, DS), lam.reshape(1, K, NT, DA)

    n = 30_000
    qpsk = Constellation("qpsk")
    bits = rng.integers(0, 2, (K, DS, 2 * n), dtype=np.uint8)
    s = qpsk.map(bits)                                                   # [K, DS, n]
    x = precode(q[0], s, lam[0], complex_normal(rng, (K, DA, n)))                 # [K, NT, n]
    assert np.allclose(np.mean(np.sum(np.abs(x) ** 2, axis=1), axis=-1), 1.0,
                       atol=5 * math.sqrt(2 / n))                        # §6 check 8
    y = np.einsum("ijrt,jtn->irn", math.sqrt(omega) * h[0], x) + complex_normal(rng, (K, NR, n), noise)

    _, n_r, _, _ = covariances(h, h_eve, q, lam, omega, omega, omega, noise, noise)
    c_r = rates(h, h_eve, q, lam, omega, omega, omega, noise, noise).legitimate[0]
    eff = math.sqrt(omega) * h[0, k, k] @ q[0]                           # [K, NR, DS]
    m = lmmse_mse(eff, n_r[0])
    s_hat, no_eff, sinr = lmmse_detect(eff, y, n_r[0])
    gain = 1 - np.real(np.diagonal(m, axis1=1, axis2=2))
    e = s_hat * gain[..., None] - s                                      # W^H y - s
    emp = e @ np.conj(np.swapaxes(e, 1, 2)) / n
    for i in range(K):
        rel = np.linalg.norm(emp[i] - m[i]) / np.linalg.norm(m[i])
        assert rel < 5 / math.sqrt(n), (i, rel)
        # log det is Lipschitz near M: |d log2 det| <= ||M^-1|| ||dM|| / ln 2 per unit
        tol = np.linalg.norm(np.linalg.inv(m[i]), 2) * 5 / math.sqrt(n) \
            * np.linalg.norm(m[i]) * DS / math.log(2)
        assert abs(-np.log2(np.linalg.det(emp[i]).real) - c_r[i]) < tol
    emp_noise = np.mean(np.abs(s_hat - s) ** 2, axis=-1)
    assert np.allclose(emp_noise / no_eff, 1.0, atol=5 / math.sqrt(n))
    assert np.allclose(sinr, 1 / np.real(np.diagonal(m, axis1=1, axis2=2)) - 1)
