"""MIMO channels (linksim.channel.mimo): Kronecker correlation, path loss, the CSI error models
of seed 002. Statistical checks use fixed seeds; each states its tolerance."""

from __future__ import annotations

import numpy as np
import pytest

from linksim.channel.mimo import (bounded_error, estimate_and_truth, exponential_correlation,
                                  path_loss, rayleigh_mimo)


def _vec_cov(h: np.ndarray) -> np.ndarray:
    """Sample E[vec(H) vec(H)^H] with column-major vec, over the batch."""
    v = np.swapaxes(h, 1, 2).reshape(h.shape[0], -1)
    return v.T @ v.conj() / h.shape[0]


@pytest.mark.parametrize("corr", [False, True])
def test_kronecker_covariance(corr):
    """E[vec(H) vec(H)^H] = R_tx^T kron R_rx. Each entry of the sample covariance over N
    matrices has standard deviation at most ~1/sqrt(N) (products of unit-variance CN entries),
    so 6/sqrt(N) bounds all 36 entries together with room to spare."""
    n = 40_000
    r_rx = exponential_correlation(2, 0.7) if corr else None
    r_tx = exponential_correlation(3, 0.5) if corr else None
    h = rayleigh_mimo(np.random.default_rng(1), n, 2, 3, corr_rx=r_rx, corr_tx=r_tx)
    assert h.shape == (n, 2, 3) and h.dtype == np.complex128
    want = np.kron((np.eye(3) if r_tx is None else r_tx).T, np.eye(2) if r_rx is None else r_rx)
    assert np.abs(_vec_cov(h) - want).max() < 6 / np.sqrt(n)


def test_rayleigh_mimo_is_a_function_of_the_generator():
    a = rayleigh_mimo(np.random.default_rng(7), 4, 2, 2)
    b = rayleigh_mimo(np.random.default_rng(7), 4, 2, 2)
    assert np.array_equal(a, b)


@pytest.mark.parametrize("kwargs, match", [
    (dict(corr_rx=np.ones((2, 2)) * 2), "corr_rx"),          # diagonal not 1
    (dict(corr_tx=np.eye(2)), "corr_tx"),                    # wrong size
    (dict(corr_rx=np.array([[1, 0.5], [0.1, 1]])), "corr_rx"),   # not Hermitian
    (dict(corr_rx=np.array([[1, 2.0], [2.0, 1]])), "corr_rx"),   # not PSD
    (dict(variance=0.0), "variance"),
])
def test_rayleigh_mimo_rejects_bad_arguments(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=f"^{match}"):
        rayleigh_mimo(np.random.default_rng(0), 2, 2, 3, **kwargs)


def test_path_loss_matches_the_notes_table():
    """notes 002 §1.3: kappa = 1e-4, exponent 2.6: -40.0, -66.0, -84.2, -92.0, -96.6, -99.8 dB
    at 1, 10, 50, 100, 150, 200 m (the table is rounded to 0.1 dB)."""
    d = np.array([1, 10, 50, 100, 150, 200])
    db = 10 * np.log10(path_loss(d))
    assert np.allclose(db, [-40.0, -66.0, -84.2, -92.0, -96.6, -99.8], atol=0.05)
    assert path_loss(10.0) == pytest.approx(1e-4 * 10 ** -2.6)
    with pytest.raises(ValueError, match="^distance"):
        path_loss([10.0, 0.0])


def test_estimate_and_truth_statistics():
    """H_hat ~ CN(0, 1 - zeta^2), H = H_hat + Delta ~ CN(0, 1), E[H_hat^* H] = 1 - zeta^2:
    sample moments over 2e5 entries have standard deviation <= 1/sqrt(2e5); tolerance 5 of
    them."""
    zeta = 0.4
    h_hat, h = estimate_and_truth(np.random.default_rng(3), (50_000, 2, 2), zeta)
    tol = 5 / np.sqrt(h.size)
    assert np.mean(np.abs(h_hat) ** 2) == pytest.approx(1 - zeta**2, abs=tol)
    assert np.mean(np.abs(h) ** 2) == pytest.approx(1.0, abs=tol)
    assert np.mean(h_hat.conj() * h).real == pytest.approx(1 - zeta**2, abs=tol)
    same_hat, same_h = estimate_and_truth(np.random.default_rng(3), (4, 2, 2), 0.0)
    assert np.array_equal(same_hat, same_h)                   # zeta = 0: perfect CSI


def test_bounded_error_lies_in_the_ball_and_is_uniform():
    """||Delta||_F <= eps always, = eps on the sphere. Uniform in the 2m-dim real ball means
    (||Delta|| / eps)^(2m) ~ U(0, 1): its mean 1/2 within 5 standard deviations
    (sqrt(1/12 / N)), and its empirical CDF within the Kolmogorov-Smirnov bound at 1e-3."""
    rng = np.random.default_rng(11)
    eps, n = 0.3, 20_000
    d = bounded_error(rng, (n, 4, 4), eps)
    norms = np.sqrt((np.abs(d) ** 2).sum(axis=(1, 2)))
    assert norms.max() <= eps * (1 + 1e-12)
    u = np.sort((norms / eps) ** 32)
    assert abs(u.mean() - 0.5) < 5 * np.sqrt(1 / 12 / n)
    ks = np.max(np.abs(u - (np.arange(1, n + 1) - 0.5) / n))
    assert ks < 1.95 / np.sqrt(n)                             # KS critical value, alpha = 1e-3
    sphere = bounded_error(rng, (10, 8, 4), eps, on_sphere=True)
    assert np.allclose(np.sqrt((np.abs(sphere) ** 2).sum(axis=(1, 2))), eps)
